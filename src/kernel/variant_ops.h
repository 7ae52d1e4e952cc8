/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Variant drivers (issue 14, class 7): per bound vfio device, which of its
 * driver's vfio_device_ops are vfio_pci_core_* functions (BPF reads the op
 * addresses, kallsyms names them), and which BAR access paths of the driver
 * d0audit does not observe. A driver is judged by its ops, not its name.
 */
#ifndef D0AUDIT_VARIANT_OPS_H
#define D0AUDIT_VARIANT_OPS_H

#include <stdbool.h>
#include "d0audit/variant.h"

#define D0_VARIANT_MAX 64

enum d0_op_class {
	D0_OPC_NONE,      /* NULL op */
	D0_OPC_CORE,      /* a vfio_pci_core_* function: every path d0audit hooks */
	D0_OPC_REVIEWED,  /* a private op whose BAR paths end in hooked functions (table in variant_ops.c) */
	D0_OPC_PRIVATE,   /* a private op: its own BAR accesses are not observed */
};

struct d0_variant_dev {
	char bdf[16];
	char driver[D0_DRIVER_NAME_LEN];
	bool ops_known;                        /* BPF reported the device's ops */
	char sym[D0_OP_COUNT][96];             /* "name [module]", or "0x..." if kallsyms has none */
	enum d0_op_class cls[D0_OP_COUNT];
	char gap[320];                         /* what is not observed; "" when all is */
};

/* The op names, in enum d0_variant_op order: "read", "write", "mmap", "ioctl". */
extern const char *const d0_variant_op_names[D0_OP_COUNT];
const char *d0_op_class_name(enum d0_op_class c);

/*
 * Make BPF learn the ops of every device bound now to a vfio_pci_core user:
 * a 4-byte read of its sysfs config runs fentry_ops_probe (devices that
 * register later are learnt at registration). sysroot "" for the live
 * system. Returns how many devices were probed, or -errno.
 */
int d0_variant_probe(const char *sysroot);
/*
 * Read the driver_ops map (map_fd) for the devices bound now and those seen
 * registering, name their ops through kallsyms and judge each. Returns the
 * number of devices filled (at most max), or -errno.
 */
int d0_variant_collect(int map_fd, const char *sysroot, struct d0_variant_dev *out, int max);

/* Judge one device from its ops' symbols (no kernel access): fills cls[] and gap. Exposed for tests. */
void d0_variant_judge(struct d0_variant_dev *d);

#endif /* D0AUDIT_VARIANT_OPS_H */
