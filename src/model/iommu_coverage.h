/* SPDX-License-Identifier: GPL-2.0 */
/* Whether IOMMU entries on BARs (type1 grants, iommufd) were observable: reasons for an incomplete verdict. */
#ifndef D0AUDIT_IOMMU_COVERAGE_H
#define D0AUDIT_IOMMU_COVERAGE_H

#include "model/summary.h"

void d0_summary_iommu(struct d0_summary *s);

#endif
