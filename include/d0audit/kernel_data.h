/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel variables the BPF programs read by address (bpf/raw_state.h).
 * d0audit finds them in /proc/kallsyms in the same scan as the hook targets
 * (and keeps them in the per-boot symbol cache) and hands them over in
 * .rodata. As `__ksym` externs, libbpf read the whole of /proc/kallsyms again
 * for every object it loaded: about a second each under TCG (issue 18).
 * Shared by bpf/ (reader of cfg_kdata[]) and user space (writer).
 */
#ifndef D0AUDIT_KERNEL_DATA_H
#define D0AUDIT_KERNEL_DATA_H

/* X(id, kallsyms name): vmlinux variables only; 0 = not found (the programs treat it as absent) */
#define D0_KDATA_TABLE(X)                               \
	X(IOMEM_INODE, iomem_inode)                     \
	X(STRICT_IOMEM_CHECKS, strict_iomem_checks)

#define D0_KDATA_ENUM(id, name) D0_KDATA_##id,
enum d0_kdata { D0_KDATA_TABLE(D0_KDATA_ENUM) D0_KDATA_COUNT };
#undef D0_KDATA_ENUM

#endif /* D0AUDIT_KERNEL_DATA_H */
