/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14, class 7: vfio-pci variant drivers (virtio_vfio_pci, mlx5, pds,
 * nvgrace-gpu, hisi_acc, xe). Included at the end of d0audit.bpf.c; one
 * program per row of the "variant drivers" block of include/d0audit/hooks.h.
 *
 * - The core I/O accessors vfio_pci_core_io{read,write}{8,16,32,64}: the
 *   exported copies are what a variant calls when it moves BAR data without
 *   vfio_pci_core_do_io_rw (virtio's legacy I/O notify register). Inside
 *   vfio_pci_core_do_io_rw and the ioeventfd path the compiler inlines them
 *   (Debian 6.12, 7.2, 7.3: no call to them in vfio-pci-core.ko), so the
 *   stock BAR path never runs these programs: it does not pay twice.
 *   Judged at exit like every BAR access (rule 7): ret 0 means the MMIO
 *   ran, whether or not the caller asked the accessor to gate it (test_mem:
 *   -EIO in D3hot or with decode off), so a broken gate shows as well.
 *   Where the kernel has tracing multi links (7.2+), fexit_multi
 *   (bpf/fexit_multi.bpf.h) serves all eight rows from one link.
 * - The driver's vfio_device_ops: its read/write/mmap/ioctl addresses, per
 *   device, for user space to resolve through kallsyms (a variant is known
 *   by which of its ops are vfio_pci_core_*, not by its name). Learnt at
 *   registration, and for devices bound before the audit when user space
 *   reads 4 bytes of their sysfs config (pci_user_read_config_dword).
 */
#ifndef D0AUDIT_VARIANT_BPF_H
#define D0AUDIT_VARIANT_BPF_H

#include "d0audit/variant.h"

#define D0_STD_BARS 6

/* CO-RE flavours (the ___variant suffix is ignored when matching kernel types). */
struct vfio_device_ops___variant {
	void *read;
	void *write;
	void *ioctl;
	void *mmap;
} __attribute__((preserve_access_index));

struct vfio_device___variant {
	const struct vfio_device_ops___variant *ops;
} __attribute__((preserve_access_index));

struct vfio_pci_core_device___variant {
	void *barmap[D0_STD_BARS];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct d0_driver_ops);
} driver_ops SEC(".maps");

/* ---- core I/O accessors (hot only when a variant calls them) ---------------- */

/* vfio's device-fd offset (region << 40 | offset) of an iomapped address: the nearest BAR mapping below it. */
static __always_inline __u64 accessor_offset(struct vfio_pci_core_device *vdev, __u64 io)
{
	struct vfio_pci_core_device___variant *v = (void *)vdev;
	__u64 best = 0, base;
	int bar = -1;

	for (int i = 0; i < D0_STD_BARS; i++) {
		base = (__u64)BPF_CORE_READ(v, barmap[i]);
		if (base && base <= io && base >= best) {
			best = base;
			bar = i;
		}
	}
	if (bar < 0)
		return io; /* not one of vfio's BAR mappings: the raw cookie, for the record */
	return ((__u64)bar << D0_VFIO_PCI_OFFSET_SHIFT) | (io - best);
}

/*
 * At exit: ret 0 means the MMIO ran (a test_mem caller passed the accessor's
 * own gate), so a broken gate shows too. In D0 only a per-CPU counter.
 * `power` is pdev->current_state, read by the caller (typed or probed).
 */
static __always_inline void accessor(struct vfio_pci_core_device *vdev, struct pci_dev *pdev, int power,
				     bool test_mem, __u64 io, __u32 width, bool iswrite, int ret, __u32 hook)
{
	struct d0_dev_state *st;
	struct d0_event e;
	__u64 off;

	count_hit(hook);
	if (power == D0_PWR_D0 && !cfg_record_all)
		return;
	if (!pdev)
		return;
	st = dev_state_of(vdev, pdev, hook);
	if (!st)
		return;
	__sync_fetch_and_add(&st->nond0_accesses, 1);
	/* read before event_begin: no call between it and event_submit (bpf/emit.h) */
	off = accessor_offset(vdev, io);
	event_begin(&e, D0_EV_BAR_ACCESS, D0_PH_EXIT, hook, pdev, vdev, st);
	e.a0 = iswrite;
	e.a1 = test_mem;
	e.a2 = off;
	e.a3 = width;
	e.ret = ret;
	event_submit(&e);
}

#define D0_ACCESSOR(size)                                                                          \
	SEC("fexit/vfio_pci_core_ioread" #size)                                                    \
	int BPF_PROG(fexit_core_ioread##size, struct vfio_pci_core_device *vdev, bool test_mem,    \
		     void *val, void *io, int ret)                                                 \
	{                                                                                          \
		accessor(vdev, vdev->pdev, vdev->pdev->current_state, test_mem, as_scalar(io), size / 8, \
			 false, ret, D0_HOOK_CORE_IOREAD##size##_RET);                              \
		return 0;                                                                          \
	}                                                                                          \
	SEC("fexit/vfio_pci_core_iowrite" #size)                                                   \
	int BPF_PROG(fexit_core_iowrite##size, struct vfio_pci_core_device *vdev, bool test_mem,   \
		     __u64 val, void *io, int ret)                                                 \
	{                                                                                          \
		accessor(vdev, vdev->pdev, vdev->pdev->current_state, test_mem, as_scalar(io), size / 8, \
			 true, ret, D0_HOOK_CORE_IOWRITE##size##_RET);                              \
		return 0;                                                                          \
	}

D0_ACCESSOR(8)
D0_ACCESSOR(16)
D0_ACCESSOR(32)
D0_ACCESSOR(64)

/* The rows in hook-table order: read and write of 1, 2, 4 and 8 bytes. */
#define D0_ACCESSOR_ROWS 8
_Static_assert(D0_HOOK_CORE_IOWRITE8_RET == D0_HOOK_CORE_IOREAD8_RET + 1 &&
		       D0_HOOK_CORE_IOREAD16_RET == D0_HOOK_CORE_IOREAD8_RET + 2 &&
		       D0_HOOK_CORE_IOREAD32_RET == D0_HOOK_CORE_IOREAD8_RET + 4 &&
		       D0_HOOK_CORE_IOWRITE64_RET == D0_HOOK_CORE_IOREAD8_RET + D0_ACCESSOR_ROWS - 1,
	       "accessor rows out of order: fexit_multi derives width and direction from the row");

/* ---- which ops the bound driver uses -------------------------------------------- */

static __always_inline void learn_ops(struct pci_dev *pdev, struct vfio_pci_core_device *vdev)
{
	struct vfio_device___variant *dev = (void *)vdev; /* vdev.vdev is the first member */
	const struct vfio_device_ops___variant *ops = BPF_CORE_READ(dev, ops);
	struct d0_driver_ops v = {};
	const char *name = BPF_CORE_READ(pdev, driver, name);
	__u32 bdf = d0_pdev_bdf(as_scalar(pdev));

	if (!ops || bdf == D0_BDF_UNKNOWN)
		return;
	v.ops = (__u64)ops;
	v.fn[D0_OP_READ] = (__u64)BPF_CORE_READ(ops, read);
	v.fn[D0_OP_WRITE] = (__u64)BPF_CORE_READ(ops, write);
	v.fn[D0_OP_MMAP] = (__u64)BPF_CORE_READ(ops, mmap);
	v.fn[D0_OP_IOCTL] = (__u64)BPF_CORE_READ(ops, ioctl);
	if (name)
		bpf_probe_read_kernel_str(v.driver, sizeof(v.driver), name);
	bpf_map_update_elem(&driver_ops, &bdf, &v, BPF_ANY);
}

/* Devices bound before the audit: user space reads their config (src/kernel/variant_ops.c). */
SEC("fentry/pci_user_read_config_dword")
int BPF_PROG(fentry_ops_probe, struct pci_dev *dev)
{
	struct vfio_pci_core_device *vdev;

	if (!bpf_core_type_exists(struct vfio_pci_core_device) || !d0_pdev_is_vfio(as_scalar(dev)))
		return 0;
	vdev = BPF_CORE_READ(dev, dev.driver_data);
	if (vdev)
		learn_ops(dev, vdev);
	return 0;
}

/* Devices bound during the audit: ops and pdev are set before registration. */
SEC("fentry/vfio_pci_core_register_device")
int BPF_PROG(fentry_ops_register, struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = BPF_CORE_READ(vdev, pdev);

	if (pdev)
		learn_ops(pdev, vdev);
	return 0;
}

#endif /* D0AUDIT_VARIANT_BPF_H */
