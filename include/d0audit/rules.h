/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The D0 ordering rules, written once. Each rule is a pure function of one
 * event: the event carries the live device state the kernel had at that
 * instant (power, mapped, DMABUFs unrevoked, lock, context). The BPF object
 * evaluates them before writing the event (so a verdict survives ring-buffer
 * loss) and user space evaluates the same code when replaying a trace, so
 * live and offline verdicts are identical by construction.
 *
 * Evidence for each rule: the kernel sources its explanation in
 * src/model/rules_meta.c cites, as file:line of drivers/vfio/pci/ in Linux 7.2
 * (Debian 7.2.13): config.c = vfio_pci_config.c, core.c = vfio_pci_core.c,
 * dmabuf.c = vfio_pci_dmabuf.c.
 * Must compile as BPF C and as user-space C: no libc, no loops.
 */
#ifndef D0AUDIT_RULES_H
#define D0AUDIT_RULES_H

#include "d0audit/event.h"
#include "d0audit/event_facts.h"

/*
 * id, name, one-line summary. Ids run 1..D0_RULE_MAX without gaps (checked
 * at compile time in src/model/rules_meta.c); the count, the output schema's rule
 * arrays (tests/unit/test_rules_meta.c) and the per-rule tables follow it.
 */
#define D0_RULE_TABLE(X)                                                                              \
	X(1, ZAP_BEFORE_POWER_DOWN, "device left D0 while user PTEs may map its BARs (no zap since the last fault)") \
	X(2, REVOKE_BEFORE_POWER_DOWN, "device left D0 while one of its DMABUFs was not revoked")        \
	X(3, D0_BEFORE_UNREVOKE, "DMABUF unrevoked while the device was not in D0, had memory decode off, or without memory_lock") \
	X(4, REVOKE_IN_D0, "importers were told to let go of a DMABUF while the device was not in D0")   \
	X(5, ZAP_REVOKE_BEFORE_MEM_DISABLE, "memory decode disabled in hardware while mappings or unrevoked DMABUFs existed") \
	X(6, ZAP_REVOKE_BEFORE_RESET, "device reset while mappings or unrevoked DMABUFs existed")        \
	X(7, NO_ACCESS_OUTSIDE_D0, "a BAR access, fault, ROM read, ioeventfd write or DMABUF map reached a device not in D0 or with decode off") \
	X(8, LOCK_DISCIPLINE, "zap, DMABUF move or power-down without memory_lock write-held by the task") \
	X(9, FOREIGN_POWER_CHANGE, "an open vfio device changed power state outside vfio, runtime PM and resets") \
	X(10, BYPASS, "PM_CTRL, COMMAND, a BAR or FLR written, or BARs mmapped, behind vfio's back, or a bridge above it reset or cut off")                 \
	X(11, CLEANUP_BEFORE_DISABLE, "device disabled at close while DMABUFs were still unrevoked")    \
	X(12, RUNTIME_SUSPEND_REQUESTED, "an open device runtime-suspended without low power requested")

enum d0_rule {
#define D0_RULE_ENUM(n, name, summary) D0_RULE_##name = n,
	D0_RULE_TABLE(D0_RULE_ENUM)
#undef D0_RULE_ENUM
#define D0_RULE_ONE(n, name, summary) +1
	D0_RULE_MAX = 0 D0_RULE_TABLE(D0_RULE_ONE),
#undef D0_RULE_ONE
};

#define D0_RULE_BIT(r) (1u << ((r) - 1))

/* STRICT: anything but D0 is "not D0" (the maintainers' wording, PCI MSI core).
 * KERNEL: D3hot and below, what vfio itself enforces (__vfio_pci_memory_enabled). */
enum d0_mode {
	D0_MODE_STRICT = 0,
	D0_MODE_KERNEL = 1,
};

/* Reset kinds in a0 of D0_EV_RESET (set by the BPF programs). */
#define D0_RESET_TRY 1
#define D0_RESET_LOCKED 2
#define D0_RESET_PM 3
#define D0_RESET_BUS 4
/* Issue 14: resets that do not go through vfio's own reset calls (bpf/beyond_vfio.bpf.h). */
#define D0_RESET_FUNCTION 5       /* pci_reset_function: sysfs `reset`, drivers */
#define D0_RESET_SECONDARY_BUS 6  /* pcibios_reset_secondary_bus: every device below the bridge, a1 = bridge bdf */
#define D0_RESET_DPC 7            /* dpc_reset_link: the link below a DPC port went down, a1 = port bdf */
#define D0_RESET_FLR 8            /* pcie_flr / pci_af_flr of the device itself */

#define D0_PCI_COMMAND 0x04
#define D0_PCI_COMMAND_MEMORY 0x2
#define D0_VM_FAULT_NOPAGE 0x100
#define D0_VM_FAULT_ERROR_BITS 0x0c73 /* OOM SIGBUS SIGSEGV HWPOISON(_LARGE) FALLBACK */

D0_RULE_FN int d0_not_d0(int power, __u32 mode)
{
	if (power == D0_PWR_D0)
		return 0;
	if (mode == D0_MODE_KERNEL)
		return power >= D0_PWR_D3HOT || power == D0_PWR_ERROR;
	return 1;
}

D0_RULE_FN int d0_has(__u32 bits, __u32 bit)
{
	return (bits & bit) != 0;
}

/* A write of `size` bytes at `where` covers the 16-bit register at `reg`. */
D0_RULE_FN int d0_covers(__u32 where, __u32 size, __u32 reg)
{
	return where < reg + 2 && where + size > reg;
}

/* The paths that may legitimately change an open vfio device's power state. */
#define D0_CTX_POWER_OWNERS (D0_CTX_VFIO_POWER | D0_CTX_RPM_SUSPEND | D0_CTX_RPM_RESUME | D0_CTX_RESET | \
			     D0_CTX_BUS_RESET | D0_CTX_HOT_RESET)

/* Did the power state just go from D0 to not-D0 in this event? */
D0_RULE_FN int d0_left_d0(const struct d0_event *e, __u32 mode)
{
	return d0_is_power_event(e) && e->phase == D0_PH_EXIT &&
	       e->power_before == D0_PWR_D0 && d0_not_d0(e->power, mode);
}

/* An access the kernel's own gate will refuse: counted as refused, not a violation. */
D0_RULE_FN int d0_refused(const struct d0_event *e)
{
	switch (e->kind) {
	case D0_EV_BAR_RW_DONE:
		return e->ret == -5; /* -EIO */
	case D0_EV_FAULT:
		return (e->ret & D0_VM_FAULT_ERROR_BITS) != 0;
	default:
		return 0;
	}
}

/*
 * Issue 14, class 5: decode off in hardware, from what was last written to
 * COMMAND (or a reset that cleared it), when d0audit has seen that (HW_KNOWN).
 */
D0_RULE_FN int d0_hw_off(__u32 state, __u32 bit)
{
	return d0_has(state, D0_ST_HW_KNOWN) && d0_has(state, bit);
}

/* Would this access reach the device while it is inaccessible? (rule 7) */
D0_RULE_FN int d0_access_reaches_inaccessible(const struct d0_event *e, __u32 mode)
{
	/* vfio's gate reads its copy (vconfig); what reaches the device also needs the hardware's decode on */
	int gate = d0_has(e->state, D0_ST_MEM_ENABLED);
	int mem = d0_has(e->state, D0_ST_MEM_ENABLED) && !d0_hw_off(e->state, D0_ST_HW_MEM_OFF);

	switch (e->kind) {
	case D0_EV_BAR_ACCESS:
	case D0_EV_IOEVENTFD_WRITE:
		/* a core accessor's exit (variant drivers, issue 14): ret 0 = the MMIO ran, gate or not */
		if (e->phase == D0_PH_EXIT)
			return e->ret == 0 && d0_not_d0(e->power, mode);
		/*
		 * test_mem accesses pass vfio's gate (__vfio_pci_memory_enabled) only
		 * when current_state < PCI_D3hot and decode is on: PCI_POWER_ERROR (-1)
		 * passes it, D3hot and above are refused.
		 */
		if (e->a1)
			return d0_not_d0(e->power, mode) && e->power < D0_PWR_D3HOT && gate;
		return d0_not_d0(e->power, mode);
	case D0_EV_BAR_RW_DONE:
		/*
		 * What the kernel did: bytes moved (ret > 0) through a memory BAR or
		 * the ROM (a1) where vfio's gate must refuse: D3hot and above, or
		 * decode off. A broken gate shows only here. D1/D2 with decode on
		 * are judged at entry (BAR_ACCESS), so one access is one violation.
		 */
		return e->ret > 0 && e->a1 && (e->power >= D0_PWR_D3HOT || !mem);
	case D0_EV_FAULT:
		if (d0_refused(e) || e->phase != D0_PH_EXIT)
			return 0;
		/* the series: a PTE granted through a revoked DMABUF (a1 bit) reaches revoked BARs */
		return d0_not_d0(e->power, mode) || !mem || d0_has(e->state, D0_ST_ENGAGED) ||
		       d0_has(e->a1, D0_FAULT_BUF_REVOKED);
	case D0_EV_ROM_MAP:
		/*
		 * pci_map_rom() reads the ROM header at once. Decode off counts
		 * (issue 14, class 6: vfio_pci_bar_rw maps the ROM before any gate),
		 * except under memory_lock held by the task: there vfio forced
		 * COMMAND.MEMORY on in hardware (vfio_pci_memory_lock_and_enable, the
		 * region-info path) while its virtual copy may still say off.
		 */
		return d0_not_d0(e->power, mode) || (!mem && !d0_has(e->state, D0_ST_LOCK_W_CURRENT));
	case D0_EV_VGA_ACCESS:
		return d0_not_d0(e->power, mode);
	case D0_EV_RAW_ACCESS:
		/*
		 * Issue 14, class 3: bytes moved through sysfs resourceN, /dev/port or
		 * /dev/mem, which have no power gate. Decode from the hardware only:
		 * vfio's vconfig says nothing about an access that bypasses vfio.
		 */
		return e->ret > 0 && (d0_not_d0(e->power, mode) ||
				      d0_hw_off(e->state, e->a0 == D0_RAW_DEV_MEM ? D0_ST_HW_MEM_OFF : D0_ST_HW_IO_OFF));
	case D0_EV_RAW_MMAP:
		return e->ret == 0 && (d0_not_d0(e->power, mode) || d0_hw_off(e->state, D0_ST_HW_MEM_OFF));
	case D0_EV_DMABUF_MAP:
		return e->ret == 0 && (d0_not_d0(e->power, mode) || !mem);
	case D0_EV_IOMMU_MAP:
		/* a BAR mapped into the IOMMU (type1 MAP_DMA of a BAR mmap) is a grant, like a PTE */
		return d0_not_d0(e->power, mode) || !mem;
	case D0_EV_DMABUF_MMAP:
		/* the series: an mmap of an exported DMABUF is a grant; a1 = the buffer was revoked */
		return e->ret == 0 && (d0_not_d0(e->power, mode) || !mem || e->a1);
	default:
		return 0;
	}
}

/*
 * Issue 14, class 2: config writes that reset or cut off a device behind
 * vfio's back. byte_of(): the byte a write of `size` bytes of `val` at
 * `where` puts at `reg`, or -1 when the write does not reach `reg`.
 */
#define D0_PCI_BRIDGE_MEM_WINDOWS 0x20 /* MEMORY_BASE .. PREF_LIMIT_UPPER32 (0x20..0x2f) */
#define D0_PCI_BRIDGE_MEM_WINDOWS_END 0x30
#define D0_PCI_BRIDGE_CONTROL 0x3e
#define D0_PCI_BRIDGE_CTL_BUS_RESET 0x40
#define D0_PCI_BARS 0x10                /* BAR0 .. BAR5 (0x10..0x27) */
#define D0_PCI_BARS_END 0x28
#define D0_PCI_ROM_ADDRESS 0x30         /* type 0 header: 0x30..0x33 */
#define D0_PCI_EXP_DEVCTL 8             /* offset in the PCIe capability */
#define D0_PCI_EXP_DEVCTL_BCR_FLR_HI 0x80 /* bit 15: in the register's high byte */

D0_RULE_FN int d0_byte_of(__u32 where, __u32 size, __u32 val, __u32 reg)
{
	if (reg < where || reg >= where + size || reg - where > 3)
		return -1;
	return (val >> ((reg - where) * 8)) & 0xff;
}

D0_RULE_FN int d0_overlaps(__u32 where, __u32 size, __u32 start, __u32 end)
{
	return where < end && where + size > start;
}

/*
 * A user config write (sysfs config, /proc/bus/pci, setpci) to the vfio
 * device itself that resets it or moves its BARs: DEVCTL's BCR_FLR (a2 bits
 * 16..23 hold the PCIe capability offset, 0 when there is none), a BAR or
 * the ROM BAR. COMMAND and PM_CTRL are rule 10's older half.
 */
D0_RULE_FN int d0_config_write_resets_or_moves(const struct d0_event *e)
{
	__u32 pcie = (e->a2 >> 16) & 0xff;
	int hi;

	if (d0_overlaps(e->a0, e->a3, D0_PCI_BARS, D0_PCI_BARS_END) ||
	    d0_overlaps(e->a0, e->a3, D0_PCI_ROM_ADDRESS, D0_PCI_ROM_ADDRESS + 4))
		return 1;
	if (!pcie)
		return 0;
	hi = d0_byte_of(e->a0, e->a3, e->a1, pcie + D0_PCI_EXP_DEVCTL + 1);
	return hi >= 0 && (hi & D0_PCI_EXP_DEVCTL_BCR_FLR_HI);
}

/*
 * A config write to a bridge above the device that takes the device out of
 * reach: secondary bus reset, memory decode (forwarding) off, a memory
 * window moved, or the bridge leaving D0 (a2's low 16 bits: its PM_CTRL).
 */
D0_RULE_FN int d0_bridge_write_cuts_off(const struct d0_event *e)
{
	__u32 pm_ctrl = e->a2 & 0xffff;
	int b;

	if (d0_overlaps(e->a0, e->a3, D0_PCI_BRIDGE_MEM_WINDOWS, D0_PCI_BRIDGE_MEM_WINDOWS_END))
		return 1;
	b = d0_byte_of(e->a0, e->a3, e->a1, D0_PCI_BRIDGE_CONTROL);
	if (b >= 0 && (b & D0_PCI_BRIDGE_CTL_BUS_RESET))
		return 1;
	b = d0_byte_of(e->a0, e->a3, e->a1, D0_PCI_COMMAND);
	if (b >= 0 && !(b & D0_PCI_COMMAND_MEMORY))
		return 1;
	b = pm_ctrl > 4 ? d0_byte_of(e->a0, e->a3, e->a1, pm_ctrl) : -1;
	return b >= 0 && (b & 3) != 0;
}

/*
 * Issue 14, class 8, where the start-up seed (bpf/seed.bpf.h) could not run
 * or has not ended yet: the rules this event would break if the device,
 * already open when d0audit first saw it (MAPPED_UNKNOWN) and not zapped
 * since, had a PTE d0audit never saw granted. Once the seed ran, a device
 * mapped before the start is MAPPED (and SEEDED) and judged by the rules. Decode on only: a device with decode off was zapped by vfio (and
 * a device first seen inside its own open has no vconfig yet, so reads as
 * decode off). User space reports these as an incomplete verdict.
 */
D0_RULE_FN __u32 d0_rules_eval(const struct d0_event *e, __u32 mode);
#define D0_RULES_NEEDING_MAPPINGS \
	(D0_RULE_BIT(D0_RULE_ZAP_BEFORE_POWER_DOWN) | D0_RULE_BIT(D0_RULE_ZAP_REVOKE_BEFORE_MEM_DISABLE) | \
	 D0_RULE_BIT(D0_RULE_ZAP_REVOKE_BEFORE_RESET))

D0_RULE_FN __u32 d0_rules_if_unseen_mapping(const struct d0_event *e, __u32 mode)
{
	struct d0_event m = *e;

	if ((e->state & (D0_ST_MAPPED_UNKNOWN | D0_ST_MEM_ENABLED | D0_ST_MAPPED)) !=
	    (D0_ST_MAPPED_UNKNOWN | D0_ST_MEM_ENABLED))
		return 0;
	m.state |= D0_ST_MAPPED;
	return d0_rules_eval(&m, mode) & ~d0_rules_eval(e, mode) & D0_RULES_NEEDING_MAPPINGS;
}

/* Every rule this event breaks, as D0_RULE_BIT()s. Only vfio device events count. */
D0_RULE_FN __u32 d0_rules_eval(const struct d0_event *e, __u32 mode)
{
	/* a raw (sysfs resourceN, /dev/mem) mapping of a BAR is a user PTE vfio's zap never removes */
	int mapped = d0_has(e->state, D0_ST_MAPPED) || d0_has(e->state, D0_ST_RAW_MAPPED);
	int locked = d0_has(e->state, D0_ST_LOCK_W_CURRENT);
	/* in use by user space: open, and not already being closed (open_count drops late) */
	int open = d0_has(e->state, D0_ST_OPEN) && !d0_has(e->state, D0_ST_CLOSING);
	__u32 v = 0;

	if (!d0_has(e->state, D0_ST_VDEV_KNOWN))
		return 0;

	/* 1, 2: leaving D0 with BARs still reachable */
	if (d0_left_d0(e, mode)) {
		if (mapped)
			v |= D0_RULE_BIT(D0_RULE_ZAP_BEFORE_POWER_DOWN);
		if (e->nr_unrevoked)
			v |= D0_RULE_BIT(D0_RULE_REVOKE_BEFORE_POWER_DOWN);
	}
	/* 9: any change of an open device's state, down or up, by a path that does not own it */
	if (d0_is_power_event(e) && e->phase == D0_PH_EXIT &&
	    e->power != e->power_before && open && !(e->ctx & D0_CTX_POWER_OWNERS))
		v |= D0_RULE_BIT(D0_RULE_FOREIGN_POWER_CHANGE);

	/* 3: unrevoke only in D0, decode on, under memory_lock; 8: every move under the lock */
	if (d0_is_dmabuf_move_step(e)) {
		if (e->a0 == 0 && (d0_not_d0(e->power, mode) || !d0_has(e->state, D0_ST_MEM_ENABLED) || !locked))
			v |= D0_RULE_BIT(D0_RULE_D0_BEFORE_UNREVOKE);
		if (!locked)
			v |= D0_RULE_BIT(D0_RULE_LOCK_DISCIPLINE);
	}

	/* 3, 8 for one buffer (the series' vfio_pci_dma_buf_set_status): to OK only in D0, decode on, locked */
	if (e->kind == D0_EV_DMABUF_STATUS) {
		if (e->a0 == D0_BUF_OK && (d0_not_d0(e->power, mode) || !d0_has(e->state, D0_ST_MEM_ENABLED) || !locked))
			v |= D0_RULE_BIT(D0_RULE_D0_BEFORE_UNREVOKE);
		if (!locked)
			v |= D0_RULE_BIT(D0_RULE_LOCK_DISCIPLINE);
	}

	/* 4: importers must be told while the device is still in D0 */
	if (e->kind == D0_EV_DMABUF_FLIP && d0_not_d0(e->power, mode))
		v |= D0_RULE_BIT(D0_RULE_REVOKE_IN_D0);

	/*
	 * 5: the hardware write clearing COMMAND.MEMORY comes after zap and revoke.
	 * a1 holds at most 4 bytes: a write starting 4 or more below COMMAND
	 * cannot carry it (and shifting by 32 is undefined).
	 */
	if (e->kind == D0_EV_USER_CONFIG_WRITE && e->a0 <= D0_PCI_COMMAND && D0_PCI_COMMAND - e->a0 < 4 &&
	    d0_covers(e->a0, e->a3, D0_PCI_COMMAND) &&
	    !((e->a1 >> ((D0_PCI_COMMAND - e->a0) * 8)) & D0_PCI_COMMAND_MEMORY) && (mapped || e->nr_unrevoked))
		v |= D0_RULE_BIT(D0_RULE_ZAP_REVOKE_BEFORE_MEM_DISABLE);

	/* 6: nothing reachable when a reset starts */
	if (e->kind == D0_EV_RESET && e->phase == D0_PH_ENTRY && open && (mapped || e->nr_unrevoked))
		v |= D0_RULE_BIT(D0_RULE_ZAP_REVOKE_BEFORE_RESET);

	/* 7 */
	if (d0_access_reaches_inaccessible(e, mode))
		v |= D0_RULE_BIT(D0_RULE_NO_ACCESS_OUTSIDE_D0);

	/* 8: zap (7.x zaps inside down_write) and vfio power-down under the lock */
	if (e->kind == D0_EV_ZAP && e->phase == D0_PH_ENTRY && !locked)
		v |= D0_RULE_BIT(D0_RULE_LOCK_DISCIPLINE);
	if (e->kind == D0_EV_POWER_REQUEST && e->phase == D0_PH_ENTRY && e->a0 != D0_PWR_D0 && !locked)
		v |= D0_RULE_BIT(D0_RULE_LOCK_DISCIPLINE);

	/* 10: behind vfio's back (sysfs config, /proc/bus/pci, setpci; sysfs resource mmap) */
	if (e->kind == D0_EV_USER_CONFIG_WRITE && !(e->ctx & D0_CTX_VFIO_CONFIG) &&
	    (d0_covers(e->a0, e->a3, D0_PCI_COMMAND) ||
	     ((e->a2 & 0xffff) > 4 && d0_covers(e->a0, e->a3, e->a2 & 0xffff)) || d0_config_write_resets_or_moves(e)))
		v |= D0_RULE_BIT(D0_RULE_BYPASS);
	/* 10 (issue 14): a bridge above an open vfio device reset, cut off or powered down behind vfio */
	if (e->kind == D0_EV_BRIDGE_CONFIG_WRITE && open && d0_bridge_write_cuts_off(e))
		v |= D0_RULE_BIT(D0_RULE_BYPASS);
	if (e->kind == D0_EV_SYSFS_MMAP || (e->kind == D0_EV_RAW_MMAP && e->ret == 0))
		v |= D0_RULE_BIT(D0_RULE_BYPASS);

	/* 11: DMABUFs cleaned up before the function is disabled (CVE-2026-53322) */
	if (e->kind == D0_EV_DISABLE && e->nr_unrevoked)
		v |= D0_RULE_BIT(D0_RULE_CLEANUP_BEFORE_DISABLE);

	/* 12: an open device suspends only when user space asked for low power */
	if (e->kind == D0_EV_RPM_SUSPEND && e->phase == D0_PH_ENTRY && open && !d0_has(e->state, D0_ST_ENGAGED))
		v |= D0_RULE_BIT(D0_RULE_RUNTIME_SUSPEND_REQUESTED);

	return v;
}

#endif /* D0AUDIT_RULES_H */
