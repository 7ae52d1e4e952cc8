/* SPDX-License-Identifier: GPL-2.0 */
/* Per-task context bits and event emission into the ring buffer. */
#ifndef D0AUDIT_BPF_EMIT_H
#define D0AUDIT_BPF_EMIT_H

#include "device.h"

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void ctx_enter(__u32 bit_index)
{
	__u32 tid = current_tid();
	struct d0_task_ctx *c = bpf_map_lookup_elem(&task_ctx, &tid), init = {};

	if (!c) {
		bpf_map_update_elem(&task_ctx, &tid, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&task_ctx, &tid);
		if (!c)
			return;
	}
	if (bit_index < D0_CTX_BITS) {
		c->depth[bit_index] += 1;
		c->bits |= 1u << bit_index;
	}
}

static __always_inline void ctx_leave(__u32 bit_index)
{
	__u32 tid = current_tid();
	struct d0_task_ctx *c = bpf_map_lookup_elem(&task_ctx, &tid);

	if (!c || bit_index >= D0_CTX_BITS)
		return;
	if (c->depth[bit_index] && !--c->depth[bit_index])
		c->bits &= ~(1u << bit_index);
	if (!c->bits)
		bpf_map_delete_elem(&task_ctx, &tid);
}

static __always_inline __u32 ctx_bits(void)
{
	__u32 tid = current_tid();
	struct d0_task_ctx *c = bpf_map_lookup_elem(&task_ctx, &tid);

	return c ? c->bits : 0;
}

static __always_inline struct d0_task_ctx *ctx_get(void)
{
	__u32 tid = current_tid();

	return bpf_map_lookup_elem(&task_ctx, &tid);
}

/* D0_CTX_FOO is (1 << FOO_BIT): index of a single-bit mask. */
#define CTX_INDEX(mask) (__builtin_ctz(mask))

static __always_inline void count_hit(__u32 hook)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &hook);

	if (v)
		*v += 1;
}

/*
 * Fill the common part of an event (on the caller's stack) with the live
 * device state; event_begin() adds kind and phase. The caller adds its
 * payload and calls event_submit().
 *
 * A global function (issue 18): the verifier checks it once per program,
 * where inlined it was checked again at every call site (d0_cold_run has
 * one per act). pdev and vdev come as scalars, so every read below is a
 * probed one, as it was.
 */
__noinline int d0_event_begin(struct d0_event *e, __u32 hook, __u64 pdev_addr, __u64 vdev_addr,
			      struct d0_dev_state *st)
{
	struct vfio_pci_core_device *vdev = (struct vfio_pci_core_device *)vdev_addr;
	struct pci_dev *pdev = (struct pci_dev *)pdev_addr;
	__u32 dmabufs;
	__u64 id;

	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->hook = hook;
	id = bpf_get_current_pid_tgid();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->ctx = ctx_bits();
	e->dev = pdev_addr;
	e->bdf = st ? st->bdf : D0_BDF_UNKNOWN;
	e->power = D0_PWR_UNKNOWN;
	e->power_before = D0_PWR_UNKNOWN;
	if (pdev) {
		e->power = BPF_CORE_READ(pdev, current_state);
		e->rpm_status = BPF_CORE_READ(pdev, dev.power.runtime_status);
	}
	if (vdev && pdev) {
		e->state |= D0_ST_VDEV_KNOWN;
		if (BPF_CORE_READ(vdev, vdev.open_count) > 0)
			e->state |= D0_ST_OPEN;
		if (vdev_mem_enabled(vdev, pdev))
			e->state |= D0_ST_MEM_ENABLED;
		if (BPF_CORE_READ_BITFIELD_PROBED(vdev, pm_runtime_engaged))
			e->state |= D0_ST_ENGAGED;
		e->state |= vdev_lock_state(vdev);
		dmabufs = d0_vdev_dmabufs(vdev_addr);
		e->nr_dmabufs = dmabufs >> 16;
		e->nr_unrevoked = dmabufs & 0xff;
		/* the series: a DMABUF behind a BAR mmap still has PTEs */
		if ((dmabufs >> 8) & 0xff)
			e->state |= D0_ST_MAPPED;
	}
	if (st) {
		if (st->fault_gen != st->zap_gen)
			e->state |= D0_ST_MAPPED;
		/* an IOMMU entry on a BAR: survives the zap, judged as a mapping (bpf/iommu_grants.bpf.h) */
		if (st->iommu_grants)
			e->state |= D0_ST_MAPPED | D0_ST_IOMMU_MAPPED;
		if (st->flags & D0_DEVF_MAPPED_UNKNOWN)
			e->state |= D0_ST_MAPPED_UNKNOWN;
		if (st->flags & D0_DEVF_CLOSING)
			e->state |= D0_ST_CLOSING;
		if (st->flags & D0_DEVF_SEEDED)
			e->state |= D0_ST_SEEDED;
		e->power_before = st->last_power;
		st->last_power = e->power;
		/* issue 14: decode as the hardware was last told; raw mappings where rules 1/5/6 read "mapped" */
		e->state |= hw_state_bits(pdev_addr);
	}
	return 0;
}

static __always_inline void
event_begin(struct d0_event *e, __u16 kind, __u8 phase, __u32 hook, struct pci_dev *pdev,
	    struct vfio_pci_core_device *vdev, struct d0_dev_state *st)
{
	__u64 pdev_addr = as_scalar(pdev);

	d0_event_begin(e, hook, pdev_addr, as_scalar(vdev), st);
	/* here, where kind and phase are constants: only the events that need it carry the walk */
	if (st && raw_mapping_matters(kind, phase, e->power))
		e->state |= d0_raw_mapped(pdev_addr);
	/* stored after the last call, where the compiler sees them: event_submit()'s rules */
	e->kind = kind;
	e->phase = phase;
}

static __always_inline void count_violation(__u32 rule)
{
	__u64 *n = bpf_map_lookup_elem(&violations, &rule);

	if (n)
		*n += 1;
}

/* One test per rule, expanded from the rule table: no loop for old verifiers to doubt. */
static __always_inline void count_violations(__u32 v)
{
#define D0_COUNT_RULE(n, name, summary) \
	if (v & D0_RULE_BIT(n))         \
		count_violation(n);
	D0_RULE_TABLE(D0_COUNT_RULE)
#undef D0_COUNT_RULE
}

/*
 * Every rule this event breaks, for an event whose kind or phase the compiler
 * does not know: a global function, so the verifier checks the whole rule set
 * once per program rather than at every such call site.
 */
__noinline __u32 d0_rules_judge(const struct d0_event *e)
{
	return e ? d0_rules_eval(e, cfg_mode) : 0;
}

/*
 * Hand a judged event to user space. Every attempt takes a sequence number,
 * so a failed write is both counted and visible as a gap; the verdict is
 * counted either way.
 */
__noinline int d0_event_submit(struct d0_event *e)
{
	if (!e)
		return 0;
	e->seq = __sync_fetch_and_add(&d0_seq, 1);
	if (e->violations)
		count_violations(e->violations);
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0))
		count_drop(e->hook, D0_DROP_RINGBUF_FULL);
	return 0;
}

/*
 * Judge the event here, in the kernel, then submit it. Where event_begin()
 * stored a constant kind and phase and nothing since could have changed them
 * (no call in between), the compiler knows both: the rules inline, reduced to
 * that kind's (issue 18: the whole set cost about 115 ms of verification per
 * program under TCG). Otherwise the global d0_rules_judge(). Same rules,
 * same result either way.
 */
static __always_inline void event_submit(struct d0_event *e)
{
	if (__builtin_constant_p(e->kind) && __builtin_constant_p(e->phase))
		e->violations = d0_rules_eval(e, cfg_mode);
	else
		e->violations = d0_rules_judge(e);
	d0_event_submit(e);
}

/* The common case: an event with up to two 32-bit payload words and a return value. */
static __always_inline void emit(__u16 kind, __u8 phase, __u32 hook, struct pci_dev *pdev,
				 struct vfio_pci_core_device *vdev, struct d0_dev_state *st,
				 __u32 a0, __u32 a1, __s64 ret)
{
	struct d0_event e;

	event_begin(&e, kind, phase, hook, pdev, vdev, st);
	e.a0 = a0;
	e.a1 = a1;
	e.ret = ret;
	event_submit(&e);
}

/* A zap of an address_space the zap filter knows (a0: D0_ZAP_*): the device inode's or a DMABUF's. */
static __always_inline void zap_event(__u64 pdev_key, struct d0_dev_state *st, __u32 which, loff_t holebegin,
				      loff_t holelen)
{
	struct d0_event e;

	event_begin(&e, D0_EV_ZAP, D0_PH_ENTRY, D0_HOOK_ZAP, (struct pci_dev *)pdev_key,
		    (struct vfio_pci_core_device *)st->vdev, st);
	e.a0 = which;
	e.a2 = holebegin;
	e.a3 = holelen;
	event_submit(&e);
}

#endif /* D0AUDIT_BPF_EMIT_H */
