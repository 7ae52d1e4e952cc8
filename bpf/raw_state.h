/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14, classes 3 and 5: the per-device state behind raw BAR access.
 *
 * - Hardware COMMAND (class 5): what was last written to the device's
 *   COMMAND register, by anyone (vfio's passthrough, sysfs config, the PCI
 *   core's pci_write_config_*), cleared by a reset, set back by
 *   pci_restore_state. Unknown until the first such event: d0audit cannot
 *   read config space, so a device it has not seen written keeps vfio's view.
 * - BAR windows (class 3): every tracked device's BARs, by address, in two
 *   LPM tries (memory and I/O space): an access to /dev/port or /dev/mem
 *   finds its device in one bounded lookup. PCI BARs are naturally aligned
 *   powers of two, so each BAR is exactly one prefix.
 * - Raw mappings (class 3): sysfs resourceN and /dev/mem mappings live in
 *   the iomem inode's address_space, indexed by physical page
 *   (pci_mmap_resource_range rebases vm_pgoff; iomem_get_mapping). A bounded
 *   interval-tree search there says whether a BAR is mapped right now,
 *   including mappings made before the audit started.
 * Included from device.h; the programs are in raw_access.bpf.h.
 */
#ifndef D0AUDIT_BPF_RAW_STATE_H
#define D0AUDIT_BPF_RAW_STATE_H

#include "maps.h"
#include "d0audit/kernel_data.h"
#include <bpf/bpf_core_read.h>

#define D0_PCI_COMMAND_IO 0x1
#define D0_DECODE_BITS (D0_PCI_COMMAND_IO | PCI_COMMAND_MEMORY)
#define D0_IORESOURCE_IO 0x00000100
#define D0_IORESOURCE_BUSY 0x80000000
#define D0_RAW_PAGE_SHIFT 12
/* BARs 0-5 and the ROM */
#define D0_RAW_BARS 7
/* An rb-tree of n nodes is at most 2 log2(n + 1) deep: 48 covers 16M VMAs. */
#define D0_RAW_TREE_DEPTH 48

struct d0_hw_cmd {
	__u16 command;       /* decode bits as last written (or 0 after a reset) */
	__u16 pad;
	__u32 pad2;
};

/* struct pci_dev * -> its hardware COMMAND, once a write, reset or restore was seen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_DEVICES);
	__type(key, __u64);
	__type(value, struct d0_hw_cmd);
} hw_command SEC(".maps");

/* Tracked devices whose hardware memory decode is known off: 0 keeps the BAR hot paths as they were. */
__s64 d0_hw_mem_off_devices = 0;

struct d0_bar_key {
	__u32 prefixlen;     /* 8 (space) + the BAR's address bits */
	__u8 space;          /* 0 memory, 1 I/O */
	__u8 addr[8];        /* big endian, as the trie compares bytes */
} __attribute__((packed));

struct d0_bar_owner {
	__u64 pdev;          /* devices key */
	__u32 bar;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, D0_MAX_DEVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct d0_bar_key);
	__type(value, struct d0_bar_owner);
} bar_windows SEC(".maps");

/* kernel/resource.c statics (KALLSYMS_ALL), by the address user space found in kallsyms
 * (include/d0audit/kernel_data.h): 0 when the kernel does not have them */
const volatile __u64 cfg_kdata[D0_KDATA_COUNT] = {};

/* ---- hardware COMMAND ---------------------------------------------------- */

static __always_inline void hw_command_set(__u64 pdev_key, __u16 command)
{
	struct d0_hw_cmd *h = bpf_map_lookup_elem(&hw_command, &pdev_key), init = {};
	bool was_off;

	if (!h) {
		/* unknown counts as on: only a known "off" moves the counter */
		init.command = PCI_COMMAND_MEMORY;
		bpf_map_update_elem(&hw_command, &pdev_key, &init, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hw_command, &pdev_key);
		if (!h)
			return;
	}
	was_off = !(h->command & PCI_COMMAND_MEMORY);
	h->command = command;
	if (was_off != !(command & PCI_COMMAND_MEMORY))
		__sync_fetch_and_add(&d0_hw_mem_off_devices, was_off ? -1 : 1);
}

/* A config write of `size` bytes of `val` at `where`: the byte it puts at COMMAND, if any. */
static __always_inline void hw_config_write(__u64 pdev_key, int where, __u32 val, int size)
{
	int b = d0_byte_of(where, size, val, D0_PCI_COMMAND);

	if (b >= 0)
		hw_command_set(pdev_key, b);
}

/* The D0_ST_HW_* bits of a device. */
static __always_inline __u32 hw_state_bits(__u64 pdev_key)
{
	struct d0_hw_cmd *h = bpf_map_lookup_elem(&hw_command, &pdev_key);
	__u32 bits;

	if (!h)
		return 0;
	bits = D0_ST_HW_KNOWN;
	if (!(h->command & PCI_COMMAND_MEMORY))
		bits |= D0_ST_HW_MEM_OFF;
	if (!(h->command & D0_PCI_COMMAND_IO))
		bits |= D0_ST_HW_IO_OFF;
	return bits;
}

/* For the BAR hot paths: one global load while no device has decode off in hardware. */
static __always_inline bool hw_mem_known_off(__u64 pdev_key)
{
	if (!d0_hw_mem_off_devices)
		return false;
	return hw_state_bits(pdev_key) & D0_ST_HW_MEM_OFF;
}

/* ---- BAR windows ----------------------------------------------------------- */

/* log2 of a power of two (6 steps, no loop) */
static __always_inline __u32 log2_pow2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void bar_key(struct d0_bar_key *k, __u8 space, __u64 addr, __u32 prefix_bits)
{
	k->prefixlen = 8 + prefix_bits;
	k->space = space;
	for (int i = 0; i < 8; i++)
		k->addr[i] = addr >> (56 - 8 * i);
}

static __always_inline struct resource *pdev_resource(struct pci_dev *pdev, __u32 i)
{
	return (void *)pdev + bpf_core_field_offset(struct pci_dev, resource) + i * bpf_core_type_size(struct resource);
}

struct bars_walk {
	__u64 pdev;
	int add;
};

static long bar_update_one(__u32 i, void *ctx)
{
	struct bars_walk *w = ctx;
	struct resource *r = pdev_resource((struct pci_dev *)w->pdev, i);
	struct d0_bar_owner o = { .pdev = w->pdev, .bar = i };
	unsigned long flags = BPF_CORE_READ(r, flags);
	__u64 start = BPF_CORE_READ(r, start), end = BPF_CORE_READ(r, end), size = end - start + 1;
	struct d0_bar_key k = {};

	if (!(flags & (IORESOURCE_MEM | D0_IORESOURCE_IO)) || end <= start || (size & (size - 1)) ||
	    (start & (size - 1)))
		return 0;
	bar_key(&k, flags & IORESOURCE_MEM ? 0 : 1, start, 64 - log2_pow2(size));
	if (w->add)
		bpf_map_update_elem(&bar_windows, &k, &o, BPF_ANY);
	else
		bpf_map_delete_elem(&bar_windows, &k);
	return 0;
}

/*
 * Learn (add) or forget (remove) every BAR of a device; remove skips the
 * value. A bpf_loop: the verifier checks its callback once, where a loop of
 * seven turns cost every program 50-115 ms under TCG (issue 18).
 */
__noinline int d0_raw_bars_update(__u64 pdev_addr, int add)
{
	struct bars_walk w = { .pdev = pdev_addr, .add = add };

	bpf_loop(D0_RAW_BARS, bar_update_one, &w, 0);
	return 0;
}

/* The tracked device whose BAR holds `addr` in `space`, or 0. */
static __always_inline __u64 bar_owner(__u8 space, __u64 addr)
{
	struct d0_bar_key k = {};
	struct d0_bar_owner *o;

	bar_key(&k, space, addr, 64);
	o = bpf_map_lookup_elem(&bar_windows, &k);
	return o ? o->pdev : 0;
}

/* ---- raw mappings ------------------------------------------------------------ */

static __always_inline struct vm_area_struct *vma_of_shared_rb(struct rb_node *n)
{
	return (void *)n - bpf_core_field_offset(struct vm_area_struct, shared.rb);
}

struct tree_walk {
	struct rb_node *node;
	__u64 first, last;
	int hit;
};

/* One step down the tree: 1 (stop) once the answer is known, in w->hit. */
static long tree_step(__u32 i, void *ctx)
{
	struct tree_walk *w = ctx;
	struct rb_node *node = w->node, *left;
	struct vm_area_struct *v;
	__u64 start, pages;

	if (!node)
		return 1;
	v = vma_of_shared_rb(node);
	left = BPF_CORE_READ(node, rb_left);
	if (left && BPF_CORE_READ(vma_of_shared_rb(left), shared.rb_subtree_last) >= w->first) {
		w->node = left;
		return 0;
	}
	start = BPF_CORE_READ(v, vm_pgoff);
	if (start > w->last)
		return 1;
	pages = (BPF_CORE_READ(v, vm_end) - BPF_CORE_READ(v, vm_start)) >> D0_RAW_PAGE_SHIFT;
	if (start + pages - 1 >= w->first) {
		w->hit = 1;
		return 1;
	}
	node = BPF_CORE_READ(node, rb_right);
	if (node && BPF_CORE_READ(vma_of_shared_rb(node), shared.rb_subtree_last) < w->first)
		return 1;
	w->node = node;
	return 0;
}

/*
 * vma_interval_tree: does any VMA of the tree at `root` map a page in [first,
 * last] (pgoff)? A bpf_loop of D0_RAW_TREE_DEPTH steps, whose callback the
 * verifier checks once (as a loop, 48 turns: 120 ms of cold_hook's load).
 */
__noinline int d0_interval_tree_hit(__u64 root, __u64 first, __u64 last)
{
	struct tree_walk w = { .node = (struct rb_node *)root, .first = first, .last = last };

	bpf_loop(D0_RAW_TREE_DEPTH, tree_step, &w, 0);
	return w.hit;
}

/*
 * D0_ST_RAW_MAPPED if a sysfs resourceN or /dev/mem mapping spans one of the
 * device's memory BARs and still has its PTEs. With strict iomem checks
 * (CONFIG_IO_STRICT_DEVMEM, Debian's default) a BAR vfio has requested
 * (busy) cannot be mapped, and requesting it revoked (zapped) every earlier
 * mapping: such a VMA maps nothing.
 */
__noinline __u32 d0_raw_mapped(__u64 pdev_addr)
{
	struct pci_dev *pdev = (struct pci_dev *)pdev_addr;
	struct inode *ino = NULL;
	struct rb_node *root;
	int strict = 0;

	if (!cfg_kdata[D0_KDATA_IOMEM_INODE] ||
	    bpf_probe_read_kernel(&ino, sizeof(ino), (void *)cfg_kdata[D0_KDATA_IOMEM_INODE]) || !ino)
		return 0;
	if (cfg_kdata[D0_KDATA_STRICT_IOMEM_CHECKS])
		bpf_probe_read_kernel(&strict, sizeof(strict), (void *)cfg_kdata[D0_KDATA_STRICT_IOMEM_CHECKS]);
	root = BPF_CORE_READ(ino, i_mapping, i_mmap.rb_root.rb_node);
	if (!root)
		return 0;
	for (__u32 i = 0; i < D0_RAW_BARS; i++) {
		struct resource *r = pdev_resource(pdev, i);
		struct resource *child = BPF_CORE_READ(r, child);
		__u64 start = BPF_CORE_READ(r, start), end = BPF_CORE_READ(r, end);

		if (!(BPF_CORE_READ(r, flags) & IORESOURCE_MEM) || end <= start)
			continue;
		if (strict && child && (BPF_CORE_READ(child, flags) & D0_IORESOURCE_BUSY))
			continue;
		if (d0_interval_tree_hit((__u64)root, start >> D0_RAW_PAGE_SHIFT, end >> D0_RAW_PAGE_SHIFT))
			return D0_ST_RAW_MAPPED;
	}
	return 0;
}

/* The events whose rules read "mapped" (1, 5, 6): the walk runs only for them. */
static __always_inline bool raw_mapping_matters(__u16 kind, __u8 phase, int power)
{
	switch (kind) {
	case D0_EV_POWER_CHANGE:
	case D0_EV_POWER_UPDATE:
		return phase == D0_PH_EXIT && power != D0_PWR_D0;
	case D0_EV_RESET:
		return phase == D0_PH_ENTRY;
	case D0_EV_USER_CONFIG_WRITE:
		return true;
	default:
		return false;
	}
}

/* A device leaves tracking (unregister): its BAR windows and hardware state go. */
static __always_inline void raw_forget_device(__u64 pdev_key)
{
	if (hw_mem_known_off(pdev_key))
		__sync_fetch_and_add(&d0_hw_mem_off_devices, -1);
	bpf_map_delete_elem(&hw_command, &pdev_key);
	d0_raw_bars_update(as_scalar((void *)pdev_key), 0);
}

#endif /* D0AUDIT_BPF_RAW_STATE_H */
