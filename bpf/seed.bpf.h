/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14, class 8: an audit started mid-stream. A process may have mapped
 * and faulted BARs before d0audit started; no hook saw that grant. Right
 * after the hooks attach, user space runs this task_vma iterator once
 * (src/kernel/seed.c): it walks every VMA of every process and seeds the device
 * state from the VMAs that map a vfio-pci device (seed_vma_vdev() below:
 * the device fd's BAR mmaps, and on the DMABUF-mmap series every BAR or
 * DMABUF mmap, whose vm_file is the buffer's).
 *
 * Exactness, per kernel:
 * - 6.1: a fault populates the whole VMA and puts it on vdev->vma_list; a
 *   zap takes it off. On the list = PTEs present, off it = none.
 * - 6.10+: faults insert PTEs page by page and nothing cheap tells whether
 *   any is there: a VMA counts as possibly mapped (judged mapped).
 * - the series: the VMA's buffer is learned (zap filter) and marked mapped.
 *
 * Races (hooks run while the walk does): only a device whose state is
 * unknown (D0_DEVF_MAPPED_UNKNOWN: open, first seen before the seed ended)
 * is seeded. A full zap seen after attach clears that flag, so a device
 * zapped during the walk is not seeded again; a fault after attach is seen
 * by its hook anyway. Events from the walk and from hooks share d0_seq, so a
 * trace orders them. The walk's end clears MAPPED_UNKNOWN everywhere and
 * sets d0_seed_done: from then on a device first seen open was seen by the
 * walk with no VMA, so it has no PTE. If the walk never ends (error, no
 * iterator on this kernel) MAPPED_UNKNOWN stays and the verdict is incomplete.
 */
#ifndef D0AUDIT_BPF_SEED_H
#define D0AUDIT_BPF_SEED_H

#include "series_dmabuf.bpf.h"

/* What the last walk found: vfio VMAs, devices it marked mapped (user space reads them). */
__u64 d0_seed_vmas = 0;
__u64 d0_seed_marked = 0;
__u32 d0_seed_ended = 0;   /* this walk reached its end (user space zeroes it before) */

/* 6.1: is vma on vdev->vma_list, i.e. populated by a fault and not zapped since? */
__noinline int d0_vma_on_vma_list(__u64 vdev_addr, __u64 vma_addr)
{
	struct vfio_pci_core_device___v61 *vdev = (void *)vdev_addr;
	struct list_head *head = &vdev->vma_list, *node;
	__u32 off = bpf_core_field_offset(struct vfio_pci_mmap_vma, vma_next);

	node = BPF_CORE_READ(vdev, vma_list.next);
	for (int i = 0; i < 256; i++) {
		struct vfio_pci_mmap_vma *mv;

		if (!node || node == head)
			return 0;
		mv = (void *)node - off;
		if ((__u64)BPF_CORE_READ(mv, vma) == vma_addr)
			return 1;
		node = BPF_CORE_READ(node, next);
	}
	return 1; /* longer than the walk: say present, the safe side */
}

/*
 * The vfio-pci device a VMA maps, or NULL. vm_private_data is the vdev (the
 * series: its struct vfio_pci_dma_buf); it is taken as one only when every
 * link closes: vdev->pdev's drvdata is the vdev, and the VMA's file is the
 * device's own: on 6.10+ its mapping is the vfio device inode's (where vfio
 * zaps), on 6.1 its private_data is the vfio_device (at offset 0 of the
 * vdev), on the series it is the buffer's file. vfio_pci_mmap_ops is a
 * module-local symbol with no BTF, and its kallsyms address needs
 * CAP_SYSLOG, which the daemon does not keep: so no vm_ops test.
 */
static __always_inline struct vfio_pci_core_device *seed_vma_vdev(struct vm_area_struct *vma)
{
	void *pd = BPF_CORE_READ(vma, vm_private_data);
	struct file *file = BPF_CORE_READ(vma, vm_file);
	struct vfio_pci_core_device *vdev;
	struct pci_dev *pdev;

	if (!pd || !file)
		return NULL;
	vdev = vma_vdev(vma);
	pdev = BPF_CORE_READ(vdev, pdev);
	if (!vdev || !pdev || BPF_CORE_READ(pdev, dev.driver_data) != vdev)
		return NULL;
	if (SERIES_BAR_DMABUFS)
		return BPF_CORE_READ((struct vfio_pci_dma_buf *)pd, dmabuf, file) == file ? vdev : NULL;
	if (bpf_core_field_exists(vdev->vdev.inode))
		return BPF_CORE_READ(file, f_mapping) == vdev_mapping(vdev) ? vdev : NULL;
	return BPF_CORE_READ(file, private_data) == (void *)vdev ? vdev : NULL;
}

static long seed_clear_unknown(struct bpf_map *map, __u64 *key, struct d0_dev_state *st, void *ctx)
{
	st->flags &= ~D0_DEVF_MAPPED_UNKNOWN;
	return 0;
}

/* The walk ended: every device's state is now exact (or seeded). */
static __always_inline void seed_done(void)
{
	struct d0_event e;

	bpf_for_each_map_elem(&devices, seed_clear_unknown, NULL, 0);
	d0_seed_done = 1;
	d0_seed_ended = 1;
	event_begin(&e, D0_EV_SEED_DONE, D0_PH_POINT, D0_HOOK_SEED_VMAS, NULL, NULL, NULL);
	e.a2 = d0_seed_vmas;
	e.a3 = d0_seed_marked;
	event_submit(&e);
}

SEC("iter/task_vma")
int seed_vfio_vmas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct vfio_pci_core_device *vdev;
	struct d0_buf_state *buf = NULL;
	struct d0_dev_state *st;
	struct pci_dev *pdev;
	struct d0_event e;
	__u32 ptes = D0_SEED_PTES_POSSIBLE;
	bool mark;

	/* without vfio's BTF nothing can be read (load-time constant): not done, seed after the late attach */
	if (!bpf_core_type_exists(struct vfio_pci_core_device))
		return 0;
	if (!vma) {
		seed_done();
		return 0;
	}
	vdev = task ? seed_vma_vdev(vma) : NULL;
	if (!vdev)
		return 0;
	count_hit(D0_HOOK_SEED_VMAS);
	pdev = BPF_CORE_READ(vdev, pdev);
	st = dev_state_of(vdev, pdev, D0_HOOK_SEED_VMAS);
	if (!st)
		return 0;
	d0_seed_vmas++;
	if (bpf_core_field_exists(((struct vfio_pci_core_device___v61 *)0)->vma_list))
		ptes = d0_vma_on_vma_list(as_scalar(vdev), as_scalar(vma)) ? D0_SEED_PTES_PRESENT : D0_SEED_PTES_ABSENT;
	/* the series: the VMA's buffer joins the zap filter (it may predate every hook) */
	if (SERIES_BAR_DMABUFS) {
		__u64 mkey = (__u64)BPF_CORE_READ(vma, vm_file, f_mapping);

		buf_learn(BPF_CORE_READ(vma, vm_private_data), (__u64)pdev, 0);
		buf = bpf_map_lookup_elem(&buffers, &mkey);
	}
	/* only a device whose state is unknown: a zap or a fresh open since attach made it exact */
	mark = (st->flags & D0_DEVF_MAPPED_UNKNOWN) && ptes != D0_SEED_PTES_ABSENT;
	if (mark) {
		if (buf)
			buf->mapped = 1;
		else
			__sync_fetch_and_add(&st->fault_gen, 1);
		if (!(st->flags & D0_DEVF_SEEDED))
			d0_seed_marked++;
		st->flags |= D0_DEVF_SEEDED;
	}
	event_begin(&e, D0_EV_SEED_VMA, D0_PH_POINT, D0_HOOK_SEED_VMAS, pdev, vdev, st);
	/* the VMA's owner, not the task running the walk */
	e.pid = BPF_CORE_READ(task, tgid);
	e.tid = BPF_CORE_READ(task, pid);
	BPF_CORE_READ_STR_INTO(&e.comm, task, comm);
	e.a0 = ptes;
	e.a1 = buf != NULL;
	e.a2 = BPF_CORE_READ(vma, vm_start);
	e.a3 = BPF_CORE_READ(vma, vm_end);
	e.ret = mark;
	event_submit(&e);
	return 0;
}

#endif /* D0AUDIT_BPF_SEED_H */
