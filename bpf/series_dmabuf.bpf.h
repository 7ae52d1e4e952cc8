/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMABUF-mmap series ("[PATCH v4 00/10] vfio/pci: Add mmap() for
 * DMABUFs", ../shared/kernel/series-v4/README.md): what changes for d0audit.
 *
 * - Every BAR mmap of the device fd is a single-range DMABUF; the VMA's
 *   vm_file is the buffer's file, vm_private_data the struct
 *   vfio_pci_dma_buf *. User PTEs live in that file's address_space, and the
 *   revoke zaps them there: the vfio device inode is zapped only for drivers
 *   with zap_bars_on_revoke. So each buffer's mapping is learned when the
 *   buffer is made (BAR mmap, export) and becomes a second key of the zap
 *   filter; a buffer is "mapped" from a PTE grant through it until an
 *   unmap_mapping_range() of the whole buffer really runs.
 * - New paths: mmap of an exported DMABUF, permanent revoke, memattr, the
 *   fault-time PFN lookup, faults refused (SIGBUS) before any insert.
 * - vfio_pci_revoke_bars is inlined: vfio_pci_lock_revoke_bars and
 *   vfio_pci_unrevoke_bars stand in; vfio_pci_dma_buf_set_status exists only
 *   as a .part.0 clone (kprobe).
 *
 * On kernels without the series these programs' targets do not exist (the
 * loader leaves them out and doctor says why), and the helpers called from
 * the stock programs compile to nothing: their CO-RE field checks are
 * load-time constants.
 */
#ifndef D0AUDIT_BPF_SERIES_DMABUF_H
#define D0AUDIT_BPF_SERIES_DMABUF_H

#include "emit.h"

/* Does this kernel have the series' BAR-mmap DMABUFs (priv->vfile, patch 04)? */
#define SERIES_BAR_DMABUFS bpf_core_field_exists(((struct vfio_pci_dma_buf___series *)0)->vfile)

/* Tasks whose current fault found a PFN (vfio_pci_dma_buf_find_pfn == 0): an insert follows. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} fault_pfn_found SEC(".maps");

/* Remember a buffer's file mapping for the zap filter. True if it was new. */
static __always_inline bool buf_learn(struct vfio_pci_dma_buf *priv, __u64 pdev_key, __u32 source)
{
	struct d0_buf_state b = {};
	__u64 mkey = dmabuf_mapping_key(priv);

	if (!mkey || !pdev_key)
		return false;
	b.pdev = pdev_key;
	b.priv = (__u64)priv;
	b.size = BPF_CORE_READ(priv, dmabuf, size);
	b.source = source;
	return !bpf_map_update_elem(&buffers, &mkey, &b, BPF_NOEXIST);
}

/*
 * After an export: learn every buffer on vdev->dmabufs not known yet (the new
 * one is the tail). A global function: the loop is verified once.
 */
__noinline int d0_learn_vdev_dmabufs(__u64 vdev_addr, __u64 pdev_key)
{
	struct vfio_pci_core_device *vdev = (struct vfio_pci_core_device *)vdev_addr;
	struct list_head *head, *node;
	__u32 elm_off;
	int learned = 0;

	if (!bpf_core_field_exists(vdev->dmabufs) || !bpf_core_type_exists(struct vfio_pci_dma_buf))
		return 0;
	head = &vdev->dmabufs;
	node = BPF_CORE_READ(vdev, dmabufs.next);
	elm_off = bpf_core_field_offset(struct vfio_pci_dma_buf, dmabufs_elm);
	for (int i = 0; i < D0_MAX_DMABUF_WALK; i++) {
		if (!node || node == head)
			break;
		learned += buf_learn((struct vfio_pci_dma_buf *)((void *)node - elm_off), pdev_key, D0_BUF_SRC_EXPORT);
		node = BPF_CORE_READ(node, next);
	}
	return learned;
}

/*
 * The buffer behind a faulting VMA on the series (NULL elsewhere: there
 * vm_private_data is the vdev and the PTEs are the device inode's). A buffer
 * made before d0audit started is learned here, at its first fault.
 */
static __always_inline struct d0_buf_state *series_buf_of_vma(struct vm_area_struct *vma, __u32 hook)
{
	struct vfio_pci_dma_buf___series *s;
	struct vfio_pci_core_device *vdev;
	struct d0_buf_state *b;
	struct pci_dev *pdev;
	__u64 mkey;

	if (!SERIES_BAR_DMABUFS)
		return NULL;
	mkey = (__u64)BPF_CORE_READ(vma, vm_file, f_mapping);
	b = bpf_map_lookup_elem(&buffers, &mkey);
	if (b)
		return b;
	s = BPF_CORE_READ(vma, vm_private_data);
	vdev = BPF_CORE_READ(s, vdev);
	pdev = BPF_CORE_READ(vdev, pdev);
	if (!pdev || !dev_state_of(vdev, pdev, hook))
		return NULL;
	buf_learn((struct vfio_pci_dma_buf *)s, (__u64)pdev, 0);
	return bpf_map_lookup_elem(&buffers, &mkey);
}

/* The vdev of a vfio VMA: vm_private_data is the vdev, or on the series the buffer. */
static __always_inline struct vfio_pci_core_device *vma_vdev(struct vm_area_struct *vma)
{
	void *pd = BPF_CORE_READ(vma, vm_private_data);

	if (SERIES_BAR_DMABUFS)
		return BPF_CORE_READ((struct vfio_pci_dma_buf___series *)pd, vdev);
	return pd;
}

/* D0_FAULT_BUF_REVOKED if the buffer of a fault was revoked at that instant. */
static __always_inline __u32 buf_fault_flags(const struct d0_buf_state *b)
{
	bool known;

	if (!b)
		return 0;
	return dmabuf_priv_revoked((struct vfio_pci_dma_buf *)b->priv, &known) ? D0_FAULT_BUF_REVOKED : 0;
}

/* The device state of a known buffer's exporter; *key gets its devices key. */
static __always_inline struct d0_dev_state *buf_dev_state(const struct d0_buf_state *b, __u64 *key)
{
	*key = b->pdev;
	return bpf_map_lookup_elem(&devices, key);
}

/*
 * The zap filter's second key: unmap_mapping_range() on a DMABUF's file
 * mapping. A zap of [0, size) (or of everything) removes its every PTE.
 */
static __always_inline int series_zap(__u64 mkey, loff_t holebegin, loff_t holelen)
{
	struct d0_buf_state *b = bpf_map_lookup_elem(&buffers, &mkey);
	struct d0_dev_state *st;
	__u64 key;

	if (!b || !(st = buf_dev_state(b, &key)))
		return 0;
	zap_event(key, st, D0_ZAP_DMABUF, holebegin, holelen);
	if (holebegin <= 0 && (holelen == 0 || (__u64)holelen >= b->size))
		b->mapped = 0;
	return 0;
}

/* A buffer is released: its file, and every VMA on it, is gone. */
static __always_inline void series_buf_forget(struct dma_buf *dmabuf)
{
	__u64 mkey = (__u64)BPF_CORE_READ(dmabuf, file, f_mapping);

	bpf_map_delete_elem(&buffers, &mkey);
}

static __always_inline __u32 vdev_zap_bars_on_revoke(struct vfio_pci_core_device *vdev)
{
	if (!bpf_core_field_exists(vdev->zap_bars_on_revoke))
		return 0;
	return BPF_CORE_READ_BITFIELD_PROBED(vdev, zap_bars_on_revoke);
}

/* ---- buffer creation and new grants -------------------------------------- */

SEC("fexit/vfio_pci_core_mmap_prep_dmabuf")
int BPF_PROG(fexit_mmap_prep_dmabuf, struct vfio_pci_core_device *vdev, struct vm_area_struct *vma,
	     u64 phys_start, u64 req_len, unsigned int res_index, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_MMAP_PREP_DMABUF_RET);
	struct d0_event e;

	if (!st)
		return 0;
	/* on success vm_private_data is the new buffer, vm_file its file */
	if (!ret)
		buf_learn(BPF_CORE_READ(vma, vm_private_data), (__u64)pdev, D0_BUF_SRC_BAR_MMAP);
	event_begin(&e, D0_EV_DMABUF_CREATE, D0_PH_EXIT, D0_HOOK_MMAP_PREP_DMABUF_RET, pdev, vdev, st);
	e.a0 = D0_BUF_SRC_BAR_MMAP;
	e.a2 = req_len;
	e.a3 = res_index;
	e.ret = ret;
	event_submit(&e);
	return 0;
}

/* A mmap of an exported DMABUF fd: a new CPU access grant (faults follow). */
SEC("fexit/vfio_pci_dma_buf_mmap")
int BPF_PROG(fexit_dmabuf_mmap, struct dma_buf *dmabuf, struct vm_area_struct *vma, int ret)
{
	struct vfio_pci_dma_buf *priv = BPF_CORE_READ(dmabuf, priv);
	struct vfio_pci_core_device *vdev = BPF_CORE_READ(priv, vdev);
	struct d0_dev_state *st = NULL;
	struct pci_dev *pdev = NULL;
	bool known;

	if (vdev)
		st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_DMABUF_MMAP_RET);
	if (st && !ret)
		buf_learn(priv, (__u64)pdev, D0_BUF_SRC_EXPORT);
	emit(D0_EV_DMABUF_MMAP, D0_PH_EXIT, D0_HOOK_DMABUF_MMAP_RET, pdev, st ? vdev : NULL, st,
	     0, dmabuf_priv_revoked(priv, &known), ret);
	return 0;
}

/* ---- the series' feature ioctls ------------------------------------------ */

/* Both features' payloads begin with the DMABUF fd (struct ..._dma_buf_revoke/_memattr). */
struct series_feature_arg {
	__s32 dmabuf_fd;
	__u32 memattr;
};

static __always_inline void feature_event(struct vfio_pci_core_device *vdev, void *arg, __u16 kind, __u8 phase,
					  __u32 hook, __s64 ret)
{
	struct series_feature_arg a = { .dmabuf_fd = -1 };
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, hook);

	if (arg)
		bpf_probe_read_user(&a, sizeof(a), arg);
	emit(kind, phase, hook, pdev, vdev, st, a.dmabuf_fd, kind == D0_EV_DMABUF_MEMATTR ? a.memattr : 0, ret);
}

SEC("fentry/vfio_pci_core_feature_dma_buf_revoke")
int BPF_PROG(fentry_dmabuf_revoke, struct vfio_pci_core_device *vdev, __u32 flags, void *arg)
{
	feature_event(vdev, arg, D0_EV_DMABUF_REVOKE, D0_PH_ENTRY, D0_HOOK_DMABUF_REVOKE, 0);
	return 0;
}

SEC("fexit/vfio_pci_core_feature_dma_buf_revoke")
int BPF_PROG(fexit_dmabuf_revoke, struct vfio_pci_core_device *vdev, __u32 flags, void *arg, size_t argsz,
	     int ret)
{
	feature_event(vdev, arg, D0_EV_DMABUF_REVOKE, D0_PH_EXIT, D0_HOOK_DMABUF_REVOKE_RET, ret);
	return 0;
}

SEC("fexit/vfio_pci_core_feature_dma_buf_memattr")
int BPF_PROG(fexit_dmabuf_memattr, struct vfio_pci_core_device *vdev, __u32 flags, void *arg, size_t argsz,
	     int ret)
{
	feature_event(vdev, arg, D0_EV_DMABUF_MEMATTR, D0_PH_EXIT, D0_HOOK_DMABUF_MEMATTR_RET, ret);
	return 0;
}

/* ---- revocation ------------------------------------------------------------ */

/*
 * vfio_pci_dma_buf_set_status.part.0(priv, new_status): the part of
 * set_status after its early return (status already PERM_REVOKED or equal),
 * so it runs only when a buffer's status really changes. A kprobe on a
 * compiler clone: the arguments are trusted only when priv is a buffer the
 * buffers map knows (its own file mapping leads back to it).
 */
SEC("kprobe")
int BPF_KPROBE(kprobe_dmabuf_set_status, struct vfio_pci_dma_buf *priv, unsigned int new_status)
{
	struct vfio_pci_dma_buf___series *s = (void *)priv;
	__u64 mkey = dmabuf_mapping_key(priv), key;
	struct d0_buf_state *b = bpf_map_lookup_elem(&buffers, &mkey);
	struct d0_dev_state *st;
	__u32 old = 0;

	count_hit(D0_HOOK_DMABUF_SET_STATUS);
	if (!b || b->priv != (__u64)priv || !(st = buf_dev_state(b, &key)))
		return 0;
	if (bpf_core_field_exists(s->status))
		old = BPF_CORE_READ(s, status);
	emit(D0_EV_DMABUF_STATUS, D0_PH_POINT, D0_HOOK_DMABUF_SET_STATUS, (struct pci_dev *)key,
	     (struct vfio_pci_core_device *)st->vdev, st, new_status, old, 0);
	return 0;
}

static __always_inline void revoke_bars_event(struct vfio_pci_core_device *vdev, __u32 revoke, __u8 phase, __u32 hook)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, hook);

	emit(D0_EV_REVOKE_BARS, phase, hook, pdev, vdev, st, revoke, vdev_zap_bars_on_revoke(vdev), 0);
}

/* down_write(memory_lock) + the inlined vfio_pci_revoke_bars: every buffer revoked and zapped. */
SEC("fentry/vfio_pci_lock_revoke_bars")
int BPF_PROG(fentry_lock_revoke_bars, struct vfio_pci_core_device *vdev)
{
	revoke_bars_event(vdev, 1, D0_PH_ENTRY, D0_HOOK_LOCK_REVOKE_BARS);
	return 0;
}

SEC("fexit/vfio_pci_lock_revoke_bars")
int BPF_PROG(fexit_lock_revoke_bars, struct vfio_pci_core_device *vdev)
{
	revoke_bars_event(vdev, 1, D0_PH_EXIT, D0_HOOK_LOCK_REVOKE_BARS_RET);
	return 0;
}

SEC("fentry/vfio_pci_unrevoke_bars")
int BPF_PROG(fentry_unrevoke_bars, struct vfio_pci_core_device *vdev)
{
	revoke_bars_event(vdev, 0, D0_PH_ENTRY, D0_HOOK_UNREVOKE_BARS);
	return 0;
}

/* ---- faults ------------------------------------------------------------------ */

/* Fault-time PFN lookup: 0 means vfio_pci_vmf_insert_pfn runs next (and judges the grant). */
SEC("fexit/vfio_pci_dma_buf_find_pfn")
int BPF_PROG(fexit_dmabuf_find_pfn, void *priv, struct vm_area_struct *vma, unsigned long fault_addr,
	     unsigned int order, unsigned long *out_pfn, int ret)
{
	__u32 tid = current_tid(), one = 1;

	count_hit(D0_HOOK_DMABUF_FIND_PFN_RET);
	if (!ret)
		bpf_map_update_elem(&fault_pfn_found, &tid, &one, BPF_ANY);
	return 0;
}

/*
 * A fault the series' handler refused before any insert (SIGBUS on a revoked
 * buffer, or no PFN): vfio_pci_vmf_insert_pfn never ran, so FAULT_INSERT_RET
 * did not see it. Counted as refused, with D0_FAULT_BEFORE_INSERT.
 */
SEC("fexit/vfio_pci_mmap_huge_fault")
int BPF_PROG(fexit_fault_refused, struct vm_fault *vmf, unsigned int order, vm_fault_t ret)
{
	__u32 tid = current_tid();
	bool inserted = bpf_map_lookup_elem(&fault_pfn_found, &tid) != NULL;
	struct vm_area_struct *vma;
	struct d0_buf_state *b;
	struct d0_dev_state *st;
	__u64 key;

	count_hit(D0_HOOK_FAULT_REFUSED_RET);
	if (inserted)
		bpf_map_delete_elem(&fault_pfn_found, &tid);
	if (inserted || !(ret & VM_FAULT_SIGBUS))
		return 0;
	vma = BPF_CORE_READ(vmf, vma);
	b = series_buf_of_vma(vma, D0_HOOK_FAULT_REFUSED_RET);
	if (!b || !(st = buf_dev_state(b, &key)))
		return 0;
	__sync_fetch_and_add(&st->faults_refused, 1);
	emit(D0_EV_FAULT, D0_PH_EXIT, D0_HOOK_FAULT_REFUSED_RET, (struct pci_dev *)key,
	     (struct vfio_pci_core_device *)st->vdev, st, order, D0_FAULT_BEFORE_INSERT | buf_fault_flags(b), ret);
	return 0;
}

#endif /* D0AUDIT_BPF_SERIES_DMABUF_H */
