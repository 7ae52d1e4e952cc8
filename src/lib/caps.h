/* SPDX-License-Identifier: GPL-2.0 */
/* Capability numbers, with CAP_PERFMON and CAP_BPF (Linux 5.8) for older headers. */
#ifndef D0AUDIT_CAPS_H
#define D0AUDIT_CAPS_H

#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#endif /* D0AUDIT_CAPS_H */
