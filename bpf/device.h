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

/*
 * The loops below live in global functions: the verifier checks each once,
 * on its own, instead of once per inlined call site (which blew the
 * complexity limit). Kernel pointers cross as plain u64 and are read with
 * CO-RE probe reads inside.
 */

/*
 * Global functions take scalars only; fentry arguments are typed (BTF)
 * pointers. Copying the pointer through the stack makes it a plain value.
 */
static __always_inline __u64 as_scalar(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* issue 14 classes 3 and 5: hardware COMMAND, BAR windows, raw mappings */
#include "raw_state.h"

/* Domain from pci_name() "DDDD:BB:dd.f"; bus and devfn from the struct. */
__noinline __u32 d0_pdev_bdf(__u64 pdev_addr)
{
	struct pci_dev *pdev = (struct pci_dev *)pdev_addr;
	const char *name = BPF_CORE_READ(pdev, dev.kobj.name);
	__u32 domain = 0, bus = BPF_CORE_READ(pdev, bus, number), devfn = BPF_CORE_READ(pdev, devfn);
	char s[12] = {};
	int i;

	if (!name || bpf_probe_read_kernel_str(s, sizeof(s), name) < 0)
		return D0_BDF_UNKNOWN;
	for (i = 0; i < 8; i++) {
		int v = hexval(s[i]);

		if (v < 0)
			break;
		domain = domain * 16 + v;
	}
	if (i == 0 || s[i] != ':')
		return D0_BDF_UNKNOWN;
	return (domain << 16) | ((bus & 0xff) << 8) | (devfn & 0xff);
}

/* Is the device's driver vfio-pci or a vfio variant ("mlx5_vfio_pci", ...)? */
__noinline int d0_pdev_is_vfio(__u64 pdev_addr)
{
	struct pci_dev *pdev = (struct pci_dev *)pdev_addr;
	const char *drv = BPF_CORE_READ(pdev, driver, name);
	char s[32] = {};

	if (!drv || bpf_probe_read_kernel_str(s, sizeof(s), drv) < 0)
		return 0;
	for (int i = 0; i < 28; i++) {
		if (s[i] == 0)
			return 0;
		if (s[i] == 'v' && s[i + 1] == 'f' && s[i + 2] == 'i' && s[i + 3] == 'o')
			return 1;
	}
	return 0;
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

/*
 * Create the state of a vfio device not seen before: 0, or -1 if the map is
 * full (counted). A global function (issue 18): verified once per program,
 * not at every dev_state_of() site (d0_cold_run has one per act).
 */
__noinline int d0_dev_state_create(__u64 vdev_addr, __u64 pdev_addr, __u32 hook)
{
	struct vfio_pci_core_device *vdev = (struct vfio_pci_core_device *)vdev_addr;
	struct pci_dev *pdev = (struct pci_dev *)pdev_addr;
	__u64 key = pdev_addr;
	struct d0_dev_state init = {};
	struct address_space *mapping;

	init.vdev = vdev_addr;
	init.bdf = d0_pdev_bdf(pdev_addr);
	init.last_power = BPF_CORE_READ(pdev, current_state);
	mapping = vdev_mapping(vdev);
	init.mapping = (__u64)mapping;
	/*
	 * Open before we saw it: PTEs may exist that we never saw granted, until
	 * the start-up seed (bpf/seed.bpf.h) has looked at every VMA.
	 */
	if (BPF_CORE_READ(vdev, vdev.open_count) > 0 && !d0_seed_done)
		init.flags |= D0_DEVF_MAPPED_UNKNOWN;
	if (bpf_map_update_elem(&devices, &key, &init, BPF_NOEXIST) && !bpf_map_lookup_elem(&devices, &key)) {
		count_drop(hook, D0_DROP_DEVMAP_FULL);
		return -1;
	}
	if (mapping) {
		__u64 mkey = (__u64)mapping;

		bpf_map_update_elem(&mappings, &mkey, &key, BPF_ANY);
	}
	/* /dev/port and /dev/mem find the device by address (raw_state.h) */
	d0_raw_bars_update(pdev_addr, 1);
	return 0;
}

/* Find or create the state of a vfio device. NULL if the map is full. */
static __always_inline struct d0_dev_state *
dev_state_of(struct vfio_pci_core_device *vdev, struct pci_dev *pdev, __u32 hook)
{
	__u64 key = (__u64)pdev;
	struct d0_dev_state *st;

	st = bpf_map_lookup_elem(&devices, &key);
	if (st)
		return st;
	if (d0_dev_state_create(as_scalar(vdev), as_scalar(pdev), hook))
		return NULL;
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

/*
 * For PCI-core hooks: only vfio-bound devices are tracked. Without
 * vfio_pci_core's BTF (loaded before vfio-pci) the vfio reads below cannot be
 * relocated: the check is a load-time constant, the verifier drops them, and
 * the loader reloads every program once the module appears.
 */
static __always_inline struct d0_dev_state *
dev_state_of_pdev(struct pci_dev *pdev, struct vfio_pci_core_device **vdevp, __u32 hook)
{
	__u64 key = (__u64)pdev;
	struct d0_dev_state *st;
	struct vfio_pci_core_device *vdev;

	if (!bpf_core_type_exists(struct vfio_pci_core_device))
		return NULL;
	st = bpf_map_lookup_elem(&devices, &key);
	if (st) {
		*vdevp = (struct vfio_pci_core_device *)st->vdev;
		return st;
	}
	if (!pdev || !d0_pdev_is_vfio(as_scalar(pdev)))
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

/*
 * Is vfio region idx a memory BAR or the ROM (gated by vfio on decode, test_mem)?
 * pdev->resource[idx].flags, the array stride and offsets relocated (CO-RE).
 */
static __always_inline bool bar_is_mem(struct pci_dev *pdev, __u64 idx)
{
	unsigned long flags = 0;
	__u64 off;

	if (idx > PCI_ROM_RESOURCE)
		return false;
	off = bpf_core_field_offset(struct pci_dev, resource) + idx * bpf_core_type_size(struct resource) +
	      bpf_core_field_offset(struct resource, flags);
	if (bpf_probe_read_kernel(&flags, sizeof(flags), (void *)pdev + off))
		return false;
	return flags & IORESOURCE_MEM;
}

/*
 * D0_ST_LOCK_* from vdev->memory_lock. Two layouts, chosen by CO-RE at load:
 * the ordinary rwsem (count bit 0 = writer, owner = task | flag bits 0-2) and
 * PREEMPT_RT's rwbase_rt (readers == WRITER_BIAS while write-held, the writer
 * owns the rtmutex: owner = task | RT_MUTEX_HAS_WAITERS). The branch a kernel
 * lacks is dead code to the verifier, so one object loads on both.
 */
static __always_inline __u32 vdev_lock_state(struct vfio_pci_core_device *vdev)
{
	struct vfio_pci_core_device___rt *rt = (void *)vdev;
	unsigned long owner;

	if (bpf_core_field_exists(rt->memory_lock.rwbase)) {
		if ((__u32)BPF_CORE_READ(rt, memory_lock.rwbase.readers.counter) != RWBASE_WRITER_BIAS)
			return 0;
		owner = (unsigned long)BPF_CORE_READ(rt, memory_lock.rwbase.rtmutex.owner) & ~RT_MUTEX_HAS_WAITERS;
	} else {
		if (!(BPF_CORE_READ(vdev, memory_lock.count.counter) & RWSEM_WRITER_LOCKED))
			return 0;
		owner = BPF_CORE_READ(vdev, memory_lock.owner.counter) & ~RWSEM_OWNER_FLAGS_MASK;
	}
	if (owner == (unsigned long)bpf_get_current_task())
		return D0_ST_LOCK_W_CURRENT;
	return D0_ST_LOCK_W_OTHER;
}

/*
 * Is this vfio DMABUF revoked? 6.19 .. 7.3 have `revoked:1`; the DMABUF-mmap
 * series replaces it with the `status` enum (anything but OK is revoked).
 * *known is false when neither exists.
 */
static __always_inline bool dmabuf_priv_revoked(struct vfio_pci_dma_buf *priv, bool *known)
{
	struct vfio_pci_dma_buf___series *s = (void *)priv;

	*known = true;
	if (bpf_core_field_exists(priv->revoked))
		return BPF_CORE_READ_BITFIELD_PROBED(priv, revoked);
	if (bpf_core_field_exists(s->status))
		return BPF_CORE_READ(s, status) != VFIO_PCI_DMABUF_OK___d0;
	*known = false;
	return false;
}

/* The address_space a DMABUF's user PTEs live in (the series' zap target). */
static __always_inline __u64 dmabuf_mapping_key(struct vfio_pci_dma_buf *priv)
{
	return (__u64)BPF_CORE_READ(priv, dmabuf, file, f_mapping);
}

/* One walk of vdev->dmabufs, as bpf_loop's callback context. */
struct dmabuf_walk {
	struct list_head *head, *node;
	__u32 elm_off, total, unrevoked, mapped;
};

static long dmabuf_walk_one(__u32 i, void *ctx)
{
	struct dmabuf_walk *w = ctx;
	/* a local: inside BPF_CORE_READ, w->node would be a CO-RE access to this walk's own struct */
	struct list_head *node = w->node;
	struct vfio_pci_dma_buf *priv;
	struct d0_buf_state *b;
	__u64 mkey;
	bool known;

	if (!node || node == w->head)
		return 1;
	priv = (struct vfio_pci_dma_buf *)((void *)node - w->elm_off);
	w->total++;
	if (!dmabuf_priv_revoked(priv, &known) && known)
		w->unrevoked++;
	mkey = dmabuf_mapping_key(priv);
	b = bpf_map_lookup_elem(&buffers, &mkey);
	if (b && b->mapped)
		w->mapped++;
	w->node = BPF_CORE_READ(node, next);
	return 0;
}

/*
 * DMABUFs on vdev->dmabufs (6.19+): total << 16 | mapped << 8 | not revoked,
 * each at most D0_MAX_DMABUF_WALK. "mapped": the series' buffers with a PTE
 * granted since their last whole-buffer zap (the buffers map). A bpf_loop,
 * whose callback the verifier checks once: as a loop it walked all 32 turns
 * in every program (46-90 ms each under TCG, issue 18).
 */
__noinline __u32 d0_vdev_dmabufs(__u64 vdev_addr)
{
	struct vfio_pci_core_device *vdev = (struct vfio_pci_core_device *)vdev_addr;
	struct dmabuf_walk w = {};

	if (!bpf_core_field_exists(vdev->dmabufs) || !bpf_core_type_exists(struct vfio_pci_dma_buf))
		return 0;
	w.head = &vdev->dmabufs;
	w.node = BPF_CORE_READ(vdev, dmabufs.next);
	w.elm_off = bpf_core_field_offset(struct vfio_pci_dma_buf, dmabufs_elm);
	bpf_loop(D0_MAX_DMABUF_WALK, dmabuf_walk_one, &w, 0);
	return w.total << 16 | w.mapped << 8 | w.unrevoked;
}

#endif /* D0AUDIT_BPF_DEVICE_H */
