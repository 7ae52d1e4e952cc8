/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Variant drivers (issue 14, class 7): what BPF learns about the
 * vfio_device_ops of each bound vfio device, for user space to resolve by
 * address (kallsyms) into "which ops are vfio_pci_core_*" (src/kernel/variant_ops.c).
 * Shared by bpf/variant.bpf.h (writer) and user space (reader).
 */
#ifndef D0AUDIT_VARIANT_H
#define D0AUDIT_VARIANT_H

#include <linux/types.h>

#define D0_DRIVER_NAME_LEN 32

/* The device-fd ops through which BAR data can move, in this order. */
enum d0_variant_op {
	D0_OP_READ,
	D0_OP_WRITE,
	D0_OP_MMAP,
	D0_OP_IOCTL,
	D0_OP_COUNT,
};

/* Value of the driver_ops map, keyed by the device's BDF (domain << 16 | bus << 8 | devfn). */
struct d0_driver_ops {
	__u64 ops;                    /* the struct vfio_device_ops * */
	__u64 fn[D0_OP_COUNT];        /* its read, write, mmap, ioctl (0: NULL) */
	char driver[D0_DRIVER_NAME_LEN]; /* pdev->driver->name */
};

#endif /* D0AUDIT_VARIANT_H */
