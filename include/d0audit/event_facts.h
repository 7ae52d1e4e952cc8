/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about one event that several consumers test: the rules (rules.h, also
 * in BPF), the verdict, the timeline, metrics and the daemon. Each is written
 * once here; BPF-safe (no libc), like event.h.
 */
#ifndef D0AUDIT_EVENT_FACTS_H
#define D0AUDIT_EVENT_FACTS_H

#include "d0audit/event.h"

/*
 * In the BPF object the rule helpers (here and in rules.h) are always inlined
 * into their caller, so where an event's kind and phase are compile-time
 * constants the compiler keeps only that kind's rules (bpf/emit.h:
 * event_submit). User space: plain inline.
 */
#ifdef __bpf__
#define D0_RULE_FN static inline __attribute__((always_inline))
#else
#define D0_RULE_FN static inline
#endif

/*
 * A power-state event: the core's set or vfio's/the core's cached-state update.
 * A macro, not a function: rules.h is compiled into BPF, and the same tokens
 * keep its object code (and so what the verifier sees) exactly as it was.
 */
#define d0_is_power_event(e) ((e)->kind == D0_EV_POWER_CHANGE || (e)->kind == D0_EV_POWER_UPDATE)

/* A power transition: a power-state event whose state differs from the one before. */
D0_RULE_FN int d0_is_power_transition(const struct d0_event *e)
{
	return d0_is_power_event(e) && e->power != e->power_before;
}

/* A DMABUF revoke (a0 set) or unrevoke step: vfio_pci_dma_buf_move's entry. */
D0_RULE_FN int d0_is_dmabuf_move_step(const struct d0_event *e)
{
	return e->kind == D0_EV_DMABUF_MOVE && e->phase == D0_PH_ENTRY;
}

/* The kinds that may touch a BAR (whether this one reached the device is the verdict's d0_event_is_access). */
static inline int d0_is_access_kind(unsigned int kind)
{
	switch (kind) {
	case D0_EV_BAR_ACCESS:
	case D0_EV_IOEVENTFD_WRITE:
	case D0_EV_ROM_MAP:
	case D0_EV_VGA_ACCESS:
	case D0_EV_FAULT:
	case D0_EV_DMABUF_MAP:
	case D0_EV_DMABUF_MMAP:
		return 1;
	default:
		return 0;
	}
}

#endif /* D0AUDIT_EVENT_FACTS_H */
