/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 18: the cold rows of include/d0audit/cold_hooks.h served by two
 * multi-attached programs instead of one program per row. The kernel
 * verifies each once; one kprobe.multi link and one kretprobe.multi link
 * attach them to every function at once. The link's cookie per function
 * names the row; the row's configuration (a constant table) says what its
 * own program would do, and this does exactly that.
 *
 * kretprobe.multi sees only the return value: the entry program keeps the
 * arguments of a function whose exit row needs them, per task and row, in a
 * small stack (nested calls of the same function each get theirs back).
 */
#ifndef D0AUDIT_COLD_MULTI_BPF_H
#define D0AUDIT_COLD_MULTI_BPF_H

#include "d0audit/cold_hooks.h"

/* A power of two above the row count: an index masked with it needs no bounds check the compiler may move. */
#define D0_COLD_SLOTS 256
_Static_assert(D0_HOOK_COUNT <= D0_COLD_SLOTS, "more hook rows than cold config slots");

static const struct d0_cold_cfg d0_cold_cfg[D0_COLD_SLOTS] = {
	D0_COLD_TABLE(D0_COLD_CFG_ROW)
};

#define D0_COLD_NARGS 6
#define D0_COLD_NEST 4

struct d0_cold_args {
	__u64 arg[D0_COLD_NARGS];
};

struct d0_cold_stash {
	__u32 depth;         /* calls entered and not yet returned (may exceed D0_COLD_NEST) */
	__u32 pad;
	struct d0_cold_args frame[D0_COLD_NEST];
};

/* (tid << 32 | exit row) -> the arguments of the calls in flight */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct d0_cold_stash);
} cold_stash SEC(".maps");

/*
 * cold_hook's arguments, per CPU. Not on its stack: from 7.2 the verifier's
 * argument liveness analysis walks a global function again (with all it
 * calls) for every call that passes it a stack pointer, which made
 * d0_cold_run's analysis twice what it is. One slot per CPU is enough: a
 * kprobe.multi program runs with preemption off and never nests on a CPU
 * (bpf_prog_active: a nested run is skipped, and counted as the program's
 * recursion_misses), and no other program uses it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct d0_cold_args);
} cold_args SEC(".maps");

/* an exit without its entry loses the exit's event: a drop, counted where every loss is (emit.h) */
static __always_inline void count_no_entry(__u32 hook)
{
	count_drop(hook, D0_DROP_NO_ENTRY);
}

static __always_inline __u64 cold_arg(const struct d0_cold_args *a, __u32 n)
{
	switch (n) {
	case 0: return a->arg[0];
	case 1: return a->arg[1];
	case 2: return a->arg[2];
	case 3: return a->arg[3];
	case 4: return a->arg[4];
	case 5: return a->arg[5];
	}
	return 0;
}

/* A value source of the table: argument (as an int, as a bool), constant, or return value. */
static __always_inline __s64 cold_value(const struct d0_cold_args *a, __u16 src, __s64 rc)
{
	__u32 n = src & 0xff;

	switch (src & 0xff00) {
	case D0_SRC_ARG: return (int)cold_arg(a, n);
	case D0_SRC_BOOL: return cold_arg(a, n) != 0;
	case D0_SRC_RC32: return (int)rc;
	case D0_SRC_RC64: return rc;
	}
	return n;
}

static __always_inline bool cold_filter(const struct d0_cold_args *a, __u16 filter, __s64 rc)
{
	__u64 v = cold_arg(a, filter & 0xff);

	switch (filter & 0xff00) {
	case D0_F_LP_FEATURE: return is_low_power_feature(v);
	case D0_F_RESET_IOCTL: return is_reset_ioctl(v) || cfg_record_all;
	case D0_F_CMD_TOUCH:
		return touches((int)v, (int)cold_arg(a, (filter & 0xff) + 1), PCI_COMMAND) || cfg_record_all;
	case D0_F_NOT_PROBE: return !v;
	case D0_F_RET_OK: return (int)rc == 0;
	}
	return true;
}

/*
 * Run row `hook` (entry or exit) with these arguments. A global function:
 * the verifier checks it once for every row, whatever calls it.
 */
__noinline int d0_cold_run(__u32 hook, const struct d0_cold_args *a, __u32 exit, __s64 rc)
{
	const struct d0_cold_cfg *c;
	struct vfio_pci_core_device *vdev = NULL;
	struct pci_dev *pdev = NULL;
	struct d0_dev_state *st = NULL;
	__u32 a0;

	if (!a)
		return 0;
	hook &= D0_COLD_SLOTS - 1;
	c = &d0_cold_cfg[hook];
	if (!c->served)
		return 0;
	if (c->hit)
		count_hit(hook);
	if (!exit && c->ctx)
		ctx_enter(c->ctx - 1);
	/* the rows whose own program is more than an event: the same helpers they call */
	switch (c->act) {
	case D0_ACT_POWER_ENTER:
		power_change_enter((struct pci_dev *)cold_arg(a, c->darg), hook);
		return 0;
	case D0_ACT_POWER_EXIT:
		power_change_exit((struct pci_dev *)cold_arg(a, c->darg), cold_value(a, c->a0, rc),
				  cold_value(a, c->ret, rc), hook);
		return 0;
	case D0_ACT_POWER_UPDATE:
		power_update((struct pci_dev *)cold_arg(a, c->darg), hook);
		return 0;
	case D0_ACT_USER_CFG:
	case D0_ACT_BRIDGE_CFG:
	case D0_ACT_CORE_CFG: {
		/* val is a u8/u16/u32 argument: only its low bytes (as the typed fentry argument) */
		int size = cold_value(a, c->a0, rc);
		__u32 val = cold_arg(a, 2) & (size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff);
		struct pci_dev *pdev = (struct pci_dev *)cold_arg(a, c->darg);

		if (c->act == D0_ACT_USER_CFG)
			user_config_write(pdev, (int)cold_arg(a, 1), val, size, hook);
		else if (c->act == D0_ACT_BRIDGE_CFG)
			bridge_config_write(pdev, (int)cold_arg(a, 1), val, size, hook);
		else
			core_config_write(pdev, (int)cold_arg(a, 1), val, size, hook);
		return 0;
	}
	/* the raw-access rows (bpf/raw_access.bpf.h): the helpers their own programs call */
	case D0_ACT_RESTORE_STATE:
		restore_state((struct pci_dev *)cold_arg(a, c->darg), hook);
		return 0;
	case D0_ACT_SYSFS_IO:
		sysfs_io((struct kobject *)cold_arg(a, 1), (struct bin_attribute *)cold_arg(a, 2), cold_arg(a, 4),
			 cold_arg(a, 5), cold_value(a, c->a0, rc), cold_value(a, c->ret, rc), hook);
		return 0;
	case D0_ACT_CHAR_ACCESS: {
		__u8 space = cold_value(a, c->a1, rc);

		char_access((loff_t *)cold_arg(a, 3), cold_arg(a, 2), cold_value(a, c->ret, rc), space,
			    space ? D0_RAW_DEV_PORT : D0_RAW_DEV_MEM, cold_value(a, c->a0, rc), hook);
		return 0;
	}
	case D0_ACT_MEM_MMAP_DESC:
		dev_mem_mmap_desc((struct vm_area_desc *)cold_arg(a, c->darg), cold_value(a, c->ret, rc), hook);
		return 0;
	case D0_ACT_MEM_MMAP_VMA:
		dev_mem_mmap_vma((struct vm_area_struct *)cold_arg(a, c->darg), cold_value(a, c->ret, rc), hook);
		return 0;
	case D0_ACT_BRIDGE_RESET:
		bridge_reset((struct pci_dev *)cold_arg(a, c->darg), cold_value(a, c->a0, rc), hook);
		goto leave;
	}
	if (c->kind == D0_EV_NONE_EV || !cold_filter(a, c->filter, rc))
		goto leave;
	if (c->dev == D0_COLD_VDEV) {
		vdev = (struct vfio_pci_core_device *)cold_arg(a, c->darg);
		st = dev_state_of_vdev(vdev, &pdev, hook);
	} else if (c->dev == D0_COLD_PDEV || c->dev == D0_COLD_DEVICE) {
		pdev = (struct pci_dev *)cold_arg(a, c->darg);
		if (c->dev == D0_COLD_DEVICE)
			pdev = pdev_of_device((struct device *)pdev);
		st = dev_state_of_pdev(pdev, &vdev, hook);
		if (!st)
			goto leave;
	}
	/* open (success) and close: no VMA of the device can exist, so no PTEs remain (fexit_enable, fentry_close) */
	if (st && ((c->act == D0_ACT_OPEN && (int)rc == 0) || c->act == D0_ACT_CLOSE)) {
		st->zap_gen = st->fault_gen;
		st->flags &= ~(D0_DEVF_MAPPED_UNKNOWN | (c->act == D0_ACT_OPEN ? D0_DEVF_CLOSING : 0));
	}
	a0 = cold_value(a, c->a0, rc);
	if ((c->filter & 0xff00) == D0_F_LP_FEATURE)
		a0 &= VFIO_DEVICE_FEATURE_MASK;
	emit(c->kind, exit ? D0_PH_EXIT : D0_PH_ENTRY, hook, pdev, vdev, st, a0, cold_value(a, c->a1, rc),
	     cold_value(a, c->ret, rc));
	if (st && c->act == D0_ACT_CLOSE)
		st->flags |= D0_DEVF_CLOSING;
	if (st && c->act == D0_ACT_UNREGISTER) {
		__u64 key = (__u64)pdev, mkey = st->mapping;

		if (mkey)
			bpf_map_delete_elem(&mappings, &mkey);
		bpf_map_delete_elem(&devices, &key);
	}
leave:
	if (exit && c->ctx)
		ctx_leave(c->ctx - 1);
	return 0;
}

/* Does the exit row read arguments (else its entry keeps none)? */
static __always_inline bool cold_exit_needs_args(__u32 hook)
{
	return d0_cold_exit_keeps_args(&d0_cold_cfg[hook & (D0_COLD_SLOTS - 1)]);
}

/* At entry: keep the arguments for the exit row of this function, if it reads them. */
static __always_inline void cold_keep_args(__u32 exit_hook, const struct d0_cold_args *a)
{
	__u64 key = (__u64)current_tid() << 32 | exit_hook;
	struct d0_cold_stash *s = bpf_map_lookup_elem(&cold_stash, &key);

	if (!s) {
		struct d0_cold_stash init = {};

		bpf_map_update_elem(&cold_stash, &key, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&cold_stash, &key);
	}
	if (s) {
		__u32 d = s->depth;

		if (d < D0_COLD_NEST)
			s->frame[d] = *a;
		s->depth = d + 1;
	}
}

/* At exit: the arguments its entry kept (false: no entry was seen, counted). */
static __always_inline bool cold_take_args(__u32 hook, struct d0_cold_args *a)
{
	__u64 key = (__u64)current_tid() << 32 | hook;
	struct d0_cold_stash *s = bpf_map_lookup_elem(&cold_stash, &key);
	__u32 d;

	/* attached mid-call, or the kernel skipped the entry (recursion) */
	if (!s || !s->depth) {
		count_no_entry(hook);
		return false;
	}
	d = --s->depth;
	if (d < D0_COLD_NEST)
		*a = s->frame[d];
	if (!d)
		bpf_map_delete_elem(&cold_stash, &key);
	if (d >= D0_COLD_NEST) {
		count_no_entry(hook);
		return false;
	}
	return true;
}

/*
 * One program, two links: kprobe.multi at entry and kretprobe.multi at exit
 * (the exit link's cookies have D0_COLD_EXIT set), so it is verified once.
 * d0_cold_run has one call site, and its arguments are not on the stack:
 * from 7.2 the verifier's argument liveness analysis walks a global function
 * (and all it calls) again at every call that passes it a stack pointer;
 * three such sites were about a second of cold_hook's load under TCG.
 */
SEC("kprobe.multi")
int cold_hook(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 exit_hook = (cookie >> 16) & 0xffff, hook = cookie & 0xffff, next = D0_HOOK_NONE, exit = 0, zero = 0;
	struct d0_cold_args *a = bpf_map_lookup_elem(&cold_args, &zero);
	__s64 rc = 0;

	if (!a)
		return 0;
	__builtin_memset(a, 0, sizeof(*a));
	if (cookie & D0_COLD_EXIT) {
		if (cold_exit_needs_args(hook) && !cold_take_args(hook, a))
			return 0;
		exit = 1;
		rc = PT_REGS_RC(ctx);
	} else {
		a->arg[0] = ctx->di;
		a->arg[1] = ctx->si;
		a->arg[2] = ctx->dx;
		a->arg[3] = ctx->cx;
		a->arg[4] = ctx->r8;
		a->arg[5] = ctx->r9;
		if (cold_exit_needs_args(exit_hook))
			cold_keep_args(exit_hook, a);
		/* a second row on the same function (pci_user_write_config_*: user and bridge config writes) */
		next = (cookie >> 32) & 0xffff;
	}
	/* opaque to the compiler: else it copies the call into each path, where next is known */
	barrier_var(next);
#pragma clang loop unroll(disable)
	for (;;) {
		d0_cold_run(hook, a, exit, rc);
		if (next == D0_HOOK_NONE)
			return 0;
		hook = next;
		next = D0_HOOK_NONE;
	}
}

#endif /* D0AUDIT_COLD_MULTI_BPF_H */
