/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fentry and fexit programs load with the attach BTF id the kernel facts
 * found (src/kernel/btf_index.h), not with libbpf 1.1's search at load time:
 * that scans vmlinux's BTF from id 1, once for vmlinux and again for every
 * module's split BTF, for every program (about 80 ms a program under TCG,
 * issue 18). Section handlers for "fentry" and "fexit", registered before
 * the object is opened, take the place of libbpf's own.
 *
 * A module row's id is used with the kernel BTF object the facts read it
 * from (by object id, which the kernel never reuses): a module reloaded since
 * makes that program fail to load, with the reason, rather than attach to
 * whatever function has that id now.
 */
#ifndef D0AUDIT_TRACE_TARGET_H
#define D0AUDIT_TRACE_TARGET_H

#include "model/hook_plan.h"

/* Once per process, before the object is opened: 0 or -errno (libbpf then finds the ids itself). */
int d0_trace_targets_register(void);

/*
 * For the loads from now until d0_trace_targets_end(): the facts the ids come
 * from (read, never written, by the loading threads).
 */
void d0_trace_targets_begin(const struct d0_kernel_facts *k);
/* Closes the module BTF fds the loads opened (a loaded program holds its own reference). */
void d0_trace_targets_end(void);

#endif /* D0AUDIT_TRACE_TARGET_H */
