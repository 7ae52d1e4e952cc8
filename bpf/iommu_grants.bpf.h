/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14, class 4: IOMMU entries that point at a BAR. VFIO_IOMMU_MAP_DMA
 * on a vaddr inside a BAR mmap (peer DMA; the selftest
 * vfio_dma_mapping_mmio_test) makes type1 resolve the PFNMAP range and map
 * those PFNs in the IOMMU. vfio's zap removes user PTEs, not IOMMU entries:
 * the BAR stays reachable by DMA until the range is unmapped. So a live
 * grant makes its device "mapped" (D0_ST_MAPPED | D0_ST_IOMMU_MAPPED, read
 * by rules 1, 5 and 6 as a PTE would be) until type1 removes it; a grant
 * made while the device is not in D0 or has decode off is rule 7.
 *
 * - Grant: fexit vfio_pin_pages_remote(dma, vaddr, npage, *pfn_base, ...),
 *   the one caller of vaddr_get_pfns() whose result type1 maps
 *   (vfio_pin_map_dma and vfio_iommu_replay are inlined, so is
 *   follow_fault_pfn). It returns a physically contiguous chunk: first PFN
 *   in *pfn_base, length = ret. A chunk whose first page is inside a memory
 *   BAR of a tracked vfio device is a grant, keyed (vfio_dma, device).
 *   (vfio_pin_page_external also calls vaddr_get_pfns, for mdev pins: no
 *   IOMMU entry, not a grant.)
 * - Removal: fexit vfio_unmap_unpin(iommu, dma, ...), where type1 unmaps a
 *   vfio_dma from every domain: VFIO_IOMMU_UNMAP_DMA, container teardown
 *   (vfio_iommu_unmap_unpin_all), a failed map, re-accounting. Every grant
 *   of that vfio_dma goes.
 * Both are real functions on 6.1, 6.12, 7.2 and 7.3 (README "What is hooked").
 */
#ifndef D0AUDIT_IOMMU_GRANTS_BPF_H
#define D0AUDIT_IOMMU_GRANTS_BPF_H

#define D0_PAGE_SHIFT 12
#define D0_PCI_STD_BARS 6
#define D0_MAX_IOMMU_GRANTS 1024

struct iommu_grant_key {
	__u64 dma;   /* struct vfio_dma *: what type1 removes */
	__u64 pdev;  /* devices key of the device whose BAR it points at */
};

struct iommu_grant {
	__u64 iova;
	__u64 bar_off;
	__u32 bar;
	__u32 pages;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_IOMMU_GRANTS);
	__type(key, struct iommu_grant_key);
	__type(value, struct iommu_grant);
} iommu_grants SEC(".maps");

/* Grants in the map: removals skip the map walk while there are none (the common case). */
__u64 d0_iommu_grants_live = 0;

/* pdev->resource[idx] (CO-RE offsets, like bar_is_mem): true for a memory BAR, with its window. */
static __always_inline bool mem_bar_window(struct pci_dev *pdev, __u32 idx, __u64 *start, __u64 *end)
{
	__u64 base = bpf_core_field_offset(struct pci_dev, resource) + idx * bpf_core_type_size(struct resource);
	unsigned long flags = 0;

	if (bpf_probe_read_kernel(&flags, sizeof(flags), (void *)pdev + base + bpf_core_field_offset(struct resource, flags)) ||
	    !(flags & IORESOURCE_MEM))
		return false;
	if (bpf_probe_read_kernel(start, sizeof(*start), (void *)pdev + base + bpf_core_field_offset(struct resource, start)) ||
	    bpf_probe_read_kernel(end, sizeof(*end), (void *)pdev + base + bpf_core_field_offset(struct resource, end)))
		return false;
	return *start && *end > *start;
}

struct bar_lookup {
	__u64 phys;   /* in */
	__u64 pdev;   /* out: devices key, 0 if no BAR holds phys */
	__u64 bar_off;
	__u32 bar;
};

/* bpf_for_each_map_elem over `devices`: the vfio device with a memory BAR holding phys. */
static long bar_holding(void *map, __u64 *key, struct d0_dev_state *st, struct bar_lookup *l)
{
	struct pci_dev *pdev = (struct pci_dev *)*key;

	if (!st->vdev)
		return 0;
	for (__u32 i = 0; i < D0_PCI_STD_BARS; i++) {
		__u64 start = 0, end = 0;

		if (mem_bar_window(pdev, i, &start, &end) && l->phys >= start && l->phys <= end) {
			l->pdev = *key;
			l->bar = i;
			l->bar_off = l->phys - start;
			return 1;
		}
	}
	return 0;
}

static __always_inline void iommu_event(__u16 kind, __u32 hook, __u64 pdev_key, struct d0_dev_state *st,
					const struct iommu_grant *g, __s64 ret)
{
	struct d0_event e;

	event_begin(&e, kind, D0_PH_EXIT, hook, (struct pci_dev *)pdev_key,
		    (struct vfio_pci_core_device *)st->vdev, st);
	e.a0 = g->bar;
	e.a1 = g->pages;
	e.a2 = g->iova;
	e.a3 = g->bar_off;
	e.ret = ret;
	event_submit(&e);
}

SEC("fexit/vfio_pin_pages_remote")
int BPF_PROG(fexit_iommu_pin, struct vfio_dma *dma, unsigned long vaddr, long npage, unsigned long *pfn_base,
	     unsigned long limit, void *batch, long ret)
{
	struct bar_lookup l = {};
	struct iommu_grant_key k = { .dma = (__u64)dma };
	struct iommu_grant g = {};
	struct d0_dev_state *st;
	unsigned long pfn = 0;

	count_hit(D0_HOOK_IOMMU_PIN_RET);
	if (ret <= 0)
		return 0;
	/* pinned RAM only, never a PFNMAP chunk: not a BAR (has_rsvd is set before the return) */
	if (bpf_core_field_exists(dma->has_rsvd) && !BPF_CORE_READ(dma, has_rsvd))
		return 0;
	if (bpf_probe_read_kernel(&pfn, sizeof(pfn), pfn_base) || !pfn)
		return 0;
	l.phys = (__u64)pfn << D0_PAGE_SHIFT;
	bpf_for_each_map_elem(&devices, bar_holding, &l, 0);
	if (!l.pdev)
		return 0;
	st = bpf_map_lookup_elem(&devices, &l.pdev);
	if (!st)
		return 0;
	k.pdev = l.pdev;
	g.iova = BPF_CORE_READ(dma, iova) + (vaddr - BPF_CORE_READ(dma, vaddr));
	g.bar = l.bar;
	g.bar_off = l.bar_off;
	g.pages = ret;
	/* a second chunk of the same range, or a replay into a new domain: one grant */
	if (!bpf_map_update_elem(&iommu_grants, &k, &g, BPF_NOEXIST)) {
		__sync_fetch_and_add(&st->iommu_grants, 1);
		__sync_fetch_and_add(&d0_iommu_grants_live, 1);
	} else if (!bpf_map_lookup_elem(&iommu_grants, &k)) {
		/* map full: the grant is unseen, and so would its device's exposure be */
		count_drop(D0_HOOK_IOMMU_PIN_RET, D0_DROP_DEVMAP_FULL);
		return 0;
	}
	iommu_event(D0_EV_IOMMU_MAP, D0_HOOK_IOMMU_PIN_RET, l.pdev, st, &g, ret);
	return 0;
}

/* bpf_for_each_map_elem over `iommu_grants`: drop every grant of the removed vfio_dma. */
static long grant_removed(void *map, struct iommu_grant_key *key, struct iommu_grant *g, __u64 *dma)
{
	struct iommu_grant copy = *g;
	struct iommu_grant_key k = *key;
	struct d0_dev_state *st;

	if (k.dma != *dma)
		return 0;
	bpf_map_delete_elem(&iommu_grants, &k);
	__sync_fetch_and_add(&d0_iommu_grants_live, -1);
	st = bpf_map_lookup_elem(&devices, &k.pdev);
	if (!st)
		return 0;
	if (st->iommu_grants)
		__sync_fetch_and_add(&st->iommu_grants, -1);
	iommu_event(D0_EV_IOMMU_UNMAP, D0_HOOK_IOMMU_UNMAP_RET, k.pdev, st, &copy, 0);
	return 0;
}

/* At exit: the range is out of every IOMMU domain of the container by then. */
SEC("fexit/vfio_unmap_unpin")
int BPF_PROG(fexit_iommu_unmap, void *iommu, struct vfio_dma *dma)
{
	__u64 key = (__u64)dma;

	count_hit(D0_HOOK_IOMMU_UNMAP_RET);
	if (!d0_iommu_grants_live)
		return 0;
	bpf_for_each_map_elem(&iommu_grants, grant_removed, &key, 0);
	return 0;
}

#endif /* D0AUDIT_IOMMU_GRANTS_BPF_H */
