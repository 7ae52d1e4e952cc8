/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device identity and live state reads: from a vfio_pci_core_device or a
 * pci_dev to the per-device map entry, and the kernel state that rules
 * read at the instant of an event (never modelled when it can be read).
 */
#ifndef D0AUDIT_BPF_DEVICE_H
#define D0AUDIT_BPF_DEVICE_H

#include "maps.h"
#include <bpf/bpf_core_read.h>

#define D0_BDF_UNKNOWN 0xffffffffu
#define D0_MAX_DMABUF_WALK 32
/* BAR0..BAR5 window of the vfio device file: VFIO_PCI_INDEX_TO_OFFSET(ROM). */
#define D0_BAR_WINDOW (6ULL << 40)

static __always_inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "DDDD:BB:dd.f" (pci_name) -> domain << 16 | bus << 8 | devfn. */
static __always_inline __u32 pdev_bdf(struct pci_dev *pdev)
{
	const char *name = BPF_CORE_READ(pdev, dev.kobj.name);
	char s[16] = {};
	__u32 part[4] = {};
	int idx = 0;

	if (!name || bpf_probe_read_kernel_str(s, sizeof(s), name) < 0)
		return D0_BDF_UNKNOWN;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int v;

		if (c == 0)
			break;
		if (c == ':' || c == '.') {
			if (++idx > 3)
				return D0_BDF_UNKNOWN;
			continue;
		}
		v = hexval(c);
		if (v < 0)
			return D0_BDF_UNKNOWN;
		if (idx < 4)
			part[idx & 3] = part[idx & 3] * 16 + v;
	}
	if (idx != 3)
		return D0_BDF_UNKNOWN;
	return (part[0] << 16) | ((part[1] & 0xff) << 8) | ((part[2] & 0x1f) << 3) | (part[3] & 7);
}

/* Is the device's driver a vfio-pci (or vfio variant) driver? */
static __always_inline bool pdev_is_vfio(struct pci_dev *pdev)
{
	const char *drv = BPF_CORE_READ(pdev, driver, name);
	char s[32] = {};

	if (!drv || bpf_probe_read_kernel_str(s, sizeof(s), drv) < 0)
		return false;
	for (int i = 0; i + 3 < 31; i++) {
		if (s[i] == 0)
			break;
		if (s[i] == 'v' && s[i + 1] == 'f' && s[i + 2] == 'i' && s[i + 3] == 'o')
			return true;
	}
	return false;
}

static __always_inline struct address_space *vdev_mapping(struct vfio_pci_core_device *vdev)
{
	if (!bpf_core_field_exists(vdev->vdev.inode))
		return NULL;
	return BPF_CORE_READ(vdev, vdev.inode, i_mapping);
}

static __always_inline void count_drop(__u32 hook, __u32 cause)
{
	__u32 key = hook * D0_DROP_CAUSES + cause;
	__u64 *v = bpf_map_lookup_elem(&drops, &key);

	if (v)
		*v += 1;
}

/* Find or create the state of a vfio device. NULL if the map is full. */
static __always_inline struct d0_dev_state *
dev_state_of(struct vfio_pci_core_device *vdev, struct pci_dev *pdev, __u32 hook)
{
	__u64 key = (__u64)pdev;
	struct d0_dev_state *st, init = {};
	struct address_space *mapping;

	st = bpf_map_lookup_elem(&devices, &key);
	if (st)
		return st;
	init.vdev = (__u64)vdev;
	init.bdf = pdev_bdf(pdev);
	init.last_power = BPF_CORE_READ(pdev, current_state);
	mapping = vdev_mapping(vdev);
	init.mapping = (__u64)mapping;
	/* Open before we saw it: PTEs may exist that we never saw granted. */
	if (BPF_CORE_READ(vdev, vdev.open_count) > 0)
		init.flags |= D0_DEVF_MAPPED_UNKNOWN;
	if (bpf_map_update_elem(&devices, &key, &init, BPF_NOEXIST) && !bpf_map_lookup_elem(&devices, &key)) {
		count_drop(hook, D0_DROP_DEVMAP_FULL);
		return NULL;
	}
	if (mapping) {
		__u64 mkey = (__u64)mapping;

		bpf_map_update_elem(&mappings, &mkey, &key, BPF_ANY);
	}
	return bpf_map_lookup_elem(&devices, &key);
}

static __always_inline struct d0_dev_state *
dev_state_of_vdev(struct vfio_pci_core_device *vdev, struct pci_dev **pdevp, __u32 hook)
{
	struct pci_dev *pdev = BPF_CORE_READ(vdev, pdev);

	*pdevp = pdev;
	if (!pdev)
		return NULL;
	return dev_state_of(vdev, pdev, hook);
}

/* For PCI-core hooks: only vfio-bound devices are tracked. */
static __always_inline struct d0_dev_state *
dev_state_of_pdev(struct pci_dev *pdev, struct vfio_pci_core_device **vdevp, __u32 hook)
{
	__u64 key = (__u64)pdev;
	struct d0_dev_state *st = bpf_map_lookup_elem(&devices, &key);
	struct vfio_pci_core_device *vdev;

	if (st) {
		*vdevp = (struct vfio_pci_core_device *)st->vdev;
		return st;
	}
	if (!pdev || !pdev_is_vfio(pdev))
		return NULL;
	vdev = BPF_CORE_READ(pdev, dev.driver_data);
	if (!vdev)
		return NULL;
	*vdevp = vdev;
	return dev_state_of(vdev, pdev, hook);
}

static __always_inline struct pci_dev *pdev_of_device(struct device *dev)
{
	__u32 off = bpf_core_field_offset(struct pci_dev, dev);

	return (struct pci_dev *)((void *)dev - off);
}

/* vfio's view of COMMAND.MEMORY, as __vfio_pci_memory_enabled reads it. */
static __always_inline bool vdev_mem_enabled(struct vfio_pci_core_device *vdev, struct pci_dev *pdev)
{
	u8 *vconfig = BPF_CORE_READ(vdev, vconfig);
	u8 cmd = 0;

	if (BPF_CORE_READ_BITFIELD_PROBED(pdev, no_command_memory))
		return true;
	if (!vconfig || bpf_probe_read_kernel(&cmd, 1, vconfig + PCI_COMMAND))
		return false;
	return cmd & PCI_COMMAND_MEMORY;
}

/* D0_ST_LOCK_* from vdev->memory_lock (non-RT rwsem layout). */
static __always_inline __u32 vdev_lock_state(struct vfio_pci_core_device *vdev)
{
	long count = BPF_CORE_READ(vdev, memory_lock.count.counter);
	unsigned long owner = BPF_CORE_READ(vdev, memory_lock.owner.counter);

	if (!(count & RWSEM_WRITER_LOCKED))
		return 0;
	if ((owner & ~RWSEM_OWNER_FLAGS_MASK) == (unsigned long)bpf_get_current_task())
		return D0_ST_LOCK_W_CURRENT;
	return D0_ST_LOCK_W_OTHER;
}

/* Count DMABUFs on vdev->dmabufs and how many are not revoked (6.19+). */
static __always_inline void vdev_dmabufs(struct vfio_pci_core_device *vdev, __u16 *total, __u16 *unrevoked)
{
	struct list_head *head, *node;
	__u32 elm_off;

	*total = 0;
	*unrevoked = 0;
	if (!bpf_core_field_exists(vdev->dmabufs) || !bpf_core_type_exists(struct vfio_pci_dma_buf))
		return;
	head = &vdev->dmabufs;
	node = BPF_CORE_READ(vdev, dmabufs.next);
	elm_off = bpf_core_field_offset(struct vfio_pci_dma_buf, dmabufs_elm);
	for (int i = 0; i < D0_MAX_DMABUF_WALK; i++) {
		struct vfio_pci_dma_buf *priv;

		if (!node || node == head)
			break;
		priv = (struct vfio_pci_dma_buf *)((void *)node - elm_off);
		*total += 1;
		if (bpf_core_field_exists(priv->revoked) && !BPF_CORE_READ_BITFIELD_PROBED(priv, revoked))
			*unrevoked += 1;
		node = BPF_CORE_READ(node, next);
	}
}

#endif /* D0AUDIT_BPF_DEVICE_H */
