// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14, class 4: can this run see IOMMU entries that point at a BAR?
 * Type1 grants (bpf/iommu_grants.bpf.h) need both their hooks; iommufd,
 * where a kernel has it, maps vfio DMABUFs into an IOAS that d0audit does
 * not track as grants. Each gap is a reason the verdict is incomplete.
 */
#include "model/iommu_coverage.h"
#include "model/hook_table.h"

void d0_summary_iommu(struct d0_summary *s)
{
	const struct d0_hook_availability *a = &s->avail;
	const struct d0_hook_def *pin = &d0_hooks[D0_HOOK_IOMMU_PIN_RET], *unmap = &d0_hooks[D0_HOOK_IOMMU_UNMAP_RET];

	enum d0_hook_avail pin_is = a->of[pin->id];

	/* no type1 module: no type1 container, so no type1 grant, can exist */
	if (pin_is != D0_AVAIL_WORKS && pin_is != D0_AVAIL_NO_MODULE && pin_is != D0_AVAIL_UNRECORDED)
		d0_summary_problem(s, "IOMMU entries on BARs are not tracked: %s (%s) did not attach, so a VFIO_IOMMU_MAP_DMA "
				   "of a BAR mmap goes unseen ('d0audit doctor' says why)", pin->name, pin->target);
	else if (pin_is == D0_AVAIL_WORKS && a->of[unmap->id] != D0_AVAIL_WORKS)
		d0_summary_problem(s, "IOMMU entries on BARs: grants are seen but not their removal (%s %s did not attach); "
				   "a grant counts as live to the end", unmap->name, unmap->target);
	if (s->iommufd)
		d0_summary_problem(s, "iommufd is in this kernel: its IOMMU entries for vfio DMABUF imports are not tracked "
				   "as grants, only the buffers' revoke is judged (rules 2, 4)");
}
