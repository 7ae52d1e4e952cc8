/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14: paths that reset or cut off a vfio device without going through
 * vfio's own calls. Included at the end of d0audit.bpf.c (it uses its
 * reset_event()); one program per row of the "beyond vfio" block of
 * include/d0audit/hooks.h.
 *
 * - Reset prologues: pci_reset_function (sysfs `reset`, drivers) wakes the
 *   device to D0 in pci_dev_save_and_disable() before the reset proper; the
 *   reset context starts there, not at __pci_reset_function_locked.
 * - Bridge resets: every secondary bus reset goes through
 *   pcibios_reset_secondary_bus() (pci_bus_reset, pci_slot_reset, pciehp,
 *   pci_try_reset_bridge for sysfs reset_subordinate, AER's
 *   pci_bus_error_reset); DPC takes the link down in dpc_reset_link(). Each
 *   emits one RESET per tracked vfio device below the bridge.
 * - FLR however requested (pcie_flr, pci_af_flr; AER's pcie_reset_flr for
 *   RCiEPs ends in pcie_flr).
 * - User config writes to a bridge above a vfio device (rule 10).
 * Which of these are real functions per kernel: README "What is hooked".
 */
#ifndef D0AUDIT_BEYOND_VFIO_BPF_H
#define D0AUDIT_BEYOND_VFIO_BPF_H

/* Bridges nest at most this deep between a device and the bridge reset above it. */
#define D0_MAX_BRIDGE_DEPTH 8

#define PCI_BRIDGE_CONTROL 0x3e
#define PCI_BRIDGE_WINDOWS_END 0x30

struct scope_walk {
	struct pci_bus *bus;   /* the reset or written bridge's secondary bus */
	__u32 hook;
	__u32 kind;            /* D0_EV_RESET or D0_EV_BRIDGE_CONFIG_WRITE */
	__u32 a0, a1;
	__u64 a2, a3;
};

/* Is the device on `bus` or on any bus below it? */
static __always_inline bool below_bus(struct pci_dev *pdev, struct pci_bus *bus)
{
	struct pci_bus *b = BPF_CORE_READ(pdev, bus);

	for (int i = 0; i < D0_MAX_BRIDGE_DEPTH && b; i++) {
		if (b == bus)
			return true;
		b = BPF_CORE_READ(b, parent);
	}
	return false;
}

static __always_inline bool sets_bus_reset(const struct scope_walk *w)
{
	int b = d0_byte_of(w->a0, w->a3, w->a1, D0_PCI_BRIDGE_CONTROL);

	return b >= 0 && (b & D0_PCI_BRIDGE_CTL_BUS_RESET);
}

/* bpf_for_each_map_elem callback over `devices`: one event per vfio device in scope. */
static long scope_one(void *map, __u64 *key, struct d0_dev_state *st, struct scope_walk *w)
{
	struct pci_dev *pdev = (struct pci_dev *)*key;
	struct d0_event e;

	if (!st->vdev || !below_bus(pdev, w->bus))
		return 0;
	event_begin(&e, w->kind, D0_PH_ENTRY, w->hook, pdev, (struct vfio_pci_core_device *)st->vdev, st);
	e.a0 = w->a0;
	e.a1 = w->a1;
	e.a2 = w->a2;
	e.a3 = w->a3;
	event_submit(&e);
	/*
	 * A bus reset or link down clears COMMAND in hardware until
	 * pci_restore_state (raw_state.h); so does a secondary bus reset set in
	 * BRIDGE_CONTROL by hand, which nobody restores.
	 */
	if (w->kind == D0_EV_RESET || (w->kind == D0_EV_BRIDGE_CONFIG_WRITE && sets_bus_reset(w)))
		hw_command_set(*key, 0);
	return 0;
}

/* Emit for every tracked vfio device below `bridge`. */
static __always_inline void scope_emit(struct pci_dev *bridge, struct scope_walk *w)
{
	w->bus = BPF_CORE_READ(bridge, subordinate);
	if (!w->bus)
		return;
	bpf_for_each_map_elem(&devices, scope_one, w, 0);
}

static __always_inline void bridge_reset(struct pci_dev *bridge, __u32 reset_kind, __u32 hook)
{
	struct scope_walk w = { .hook = hook, .kind = D0_EV_RESET, .a0 = reset_kind };

	count_hit(hook);
	w.a1 = d0_pdev_bdf(as_scalar(bridge));
	scope_emit(bridge, &w);
}

/* ---- reset prologues (class 9) -------------------------------------------- */

SEC("fentry/pci_reset_function")
int BPF_PROG(fentry_reset_function, struct pci_dev *pdev)
{
	count_hit(D0_HOOK_RESET_FUNCTION);
	ctx_enter(CTX_INDEX(D0_CTX_RESET));
	reset_event(pdev, D0_RESET_FUNCTION, D0_PH_ENTRY, D0_HOOK_RESET_FUNCTION, 0);
	return 0;
}

SEC("fexit/pci_reset_function")
int BPF_PROG(fexit_reset_function, struct pci_dev *pdev, int ret)
{
	reset_event(pdev, D0_RESET_FUNCTION, D0_PH_EXIT, D0_HOOK_RESET_FUNCTION_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_RESET));
	return 0;
}

/* A kernel function whose whole run is a context (D0_CTX_*): entered at fentry, left at fexit. */
#define CONTEXT_SPAN(name, target, hook, bit) \
	SEC("fentry/" target)                 \
	int BPF_PROG(fentry_##name)           \
	{                                     \
		count_hit(hook);              \
		ctx_enter(CTX_INDEX(bit));    \
		return 0;                     \
	}                                     \
	SEC("fexit/" target)                  \
	int BPF_PROG(fexit_##name)            \
	{                                     \
		ctx_leave(CTX_INDEX(bit));    \
		return 0;                     \
	}

/*
 * The callers that save-and-disable (pci_set_power_state(D0)) every device
 * below a bridge before the bus reset: pci_try_reset_bridge (sysfs
 * reset_subordinate, 7.x), the sysfs store itself on kernels without it
 * (Debian 6.1, 6.12), and pci_bus_error_reset (AER). pci_reset_bus already
 * has the bus-reset context (BUS_RESET).
 */
CONTEXT_SPAN(try_reset_bridge, "pci_try_reset_bridge", D0_HOOK_TRY_RESET_BRIDGE, D0_CTX_BUS_RESET)
CONTEXT_SPAN(reset_subordinate, "reset_subordinate_store", D0_HOOK_RESET_SUBORDINATE, D0_CTX_BUS_RESET)
CONTEXT_SPAN(bus_error_reset, "pci_bus_error_reset", D0_HOOK_BUS_ERROR_RESET, D0_CTX_BUS_RESET)
/* AER/DPC recovery: context only; the resets it makes are seen below. */
CONTEXT_SPAN(err_recovery, "pcie_do_recovery", D0_HOOK_ERR_RECOVERY, D0_CTX_ERR_RECOVERY)

/* ---- bridge-level resets (class 1) ------------------------------------------ */

SEC("fentry/pcibios_reset_secondary_bus")
int BPF_PROG(fentry_secondary_bus_reset, struct pci_dev *bridge)
{
	ctx_enter(CTX_INDEX(D0_CTX_BUS_RESET));
	bridge_reset(bridge, D0_RESET_SECONDARY_BUS, D0_HOOK_SECONDARY_BUS_RESET);
	return 0;
}

SEC("fexit/pcibios_reset_secondary_bus")
int BPF_PROG(fexit_secondary_bus_reset, struct pci_dev *bridge)
{
	ctx_leave(CTX_INDEX(D0_CTX_BUS_RESET));
	return 0;
}

SEC("fentry/dpc_reset_link")
int BPF_PROG(fentry_dpc_reset, struct pci_dev *port)
{
	ctx_enter(CTX_INDEX(D0_CTX_BUS_RESET));
	bridge_reset(port, D0_RESET_DPC, D0_HOOK_DPC_RESET);
	return 0;
}

SEC("fexit/dpc_reset_link")
int BPF_PROG(fexit_dpc_reset, struct pci_dev *port, int ret)
{
	ctx_leave(CTX_INDEX(D0_CTX_BUS_RESET));
	return 0;
}

/* FLR of the device itself, whoever asks (a reset method, AER for an RCiEP). */
SEC("fentry/pcie_flr")
int BPF_PROG(fentry_pcie_flr, struct pci_dev *pdev)
{
	count_hit(D0_HOOK_PCIE_FLR);
	reset_event(pdev, D0_RESET_FLR, D0_PH_ENTRY, D0_HOOK_PCIE_FLR, 0);
	return 0;
}

SEC("fentry/pci_af_flr")
int BPF_PROG(fentry_af_flr, struct pci_dev *pdev, bool probe)
{
	count_hit(D0_HOOK_AF_FLR);
	if (!probe)
		reset_event(pdev, D0_RESET_FLR, D0_PH_ENTRY, D0_HOOK_AF_FLR, 0);
	return 0;
}

/* ---- config writes to a bridge above a vfio device (class 2) ------------------ */

/*
 * Only the registers that decide whether the devices below stay reachable
 * (rules.h d0_bridge_write_cuts_off): COMMAND, the memory windows,
 * BRIDGE_CONTROL, PM_CTRL. Other writes, and writes to non-bridges, return
 * after two reads.
 */
static __always_inline void bridge_config_write(struct pci_dev *pdev, int where, __u32 val, int size, __u32 hook)
{
	struct scope_walk w = { .hook = hook, .kind = D0_EV_BRIDGE_CONFIG_WRITE };
	int pm_ctrl;

	if (!BPF_CORE_READ(pdev, subordinate))
		return;
	pm_ctrl = BPF_CORE_READ(pdev, pm_cap) + PCI_PM_CTRL;
	if (!touches(where, size, PCI_COMMAND) && !touches(where, size, PCI_BRIDGE_CONTROL) &&
	    !(where < PCI_BRIDGE_WINDOWS_END && where + size > 0x20) && !(pm_ctrl > 4 && touches(where, size, pm_ctrl)))
		return;
	count_hit(hook);
	w.a0 = where;
	w.a1 = val;
	w.a2 = (__u64)d0_pdev_bdf(as_scalar(pdev)) << 32 | (pm_ctrl & 0xffff);
	w.a3 = size;
	scope_emit(pdev, &w);
}

SEC("fentry/pci_user_write_config_byte")
int BPF_PROG(fentry_bridge_cfg_byte, struct pci_dev *pdev, int where, u8 val)
{
	bridge_config_write(pdev, where, val, 1, D0_HOOK_BRIDGE_CFG_BYTE);
	return 0;
}

SEC("fentry/pci_user_write_config_word")
int BPF_PROG(fentry_bridge_cfg_word, struct pci_dev *pdev, int where, u16 val)
{
	bridge_config_write(pdev, where, val, 2, D0_HOOK_BRIDGE_CFG_WORD);
	return 0;
}

SEC("fentry/pci_user_write_config_dword")
int BPF_PROG(fentry_bridge_cfg_dword, struct pci_dev *pdev, int where, u32 val)
{
	bridge_config_write(pdev, where, val, 4, D0_HOOK_BRIDGE_CFG_DWORD);
	return 0;
}

#endif /* D0AUDIT_BEYOND_VFIO_BPF_H */
