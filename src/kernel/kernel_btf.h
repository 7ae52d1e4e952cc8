/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's BTF objects (vmlinux's and each module's), found by module name or by object id. */
#ifndef D0AUDIT_KERNEL_BTF_H
#define D0AUDIT_KERNEL_BTF_H

#include <linux/types.h>

/* An fd of the kernel BTF object of that module, and its object id in *id (may be NULL); -errno if none. */
int d0_kernel_btf_open(const char *module, __u32 *id);

/* The object id of each module's kernel BTF (0: none, or bpf(2) refused), in one walk of them all. */
void d0_kernel_btf_ids(const char *const *modules, __u32 *ids, int n);

#endif /* D0AUDIT_KERNEL_BTF_H */
