/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the kernel refused a BPF program, in one line, from the verifier log
 * libbpf prints on a failed load: a hook's plan reason names the cause
 * (a CO-RE field this kernel lacks, or the verifier's own complaint).
 */
#ifndef D0AUDIT_VERIFIER_LOG_H
#define D0AUDIT_VERIFIER_LOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * From a verifier log (as fixed up by libbpf), the cause in one line:
 *   "CO-RE: this kernel has no struct vfio_pci_core_device.memory_lock.count.counter"
 *   "verifier: R1 invalid mem access 'scalar'"
 * Returns false (out = "") when the log names no cause.
 */
bool d0_verifier_log_cause(const char *log, char *out, size_t n);

#endif /* D0AUDIT_VERIFIER_LOG_H */
