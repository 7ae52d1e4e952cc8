/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Judging a stream of events (live or replayed) with the rules of
 * include/d0audit/rules.h, lockdep style: each distinct (rule, device) is
 * reported once, with the earlier events that explain it; repeats are counted.
 */
#ifndef D0AUDIT_VERDICT_H
#define D0AUDIT_VERDICT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "d0audit/event.h"
#include "d0audit/rules.h"
#include "model/event_names.h"
#include "model/hook_table.h"

/* What explains a violation: the device's latest steps of each sort. */
struct d0_dev_history {
	__u32 bdf;
	struct d0_event fault, zap, unrevoke, revoke, power;
	struct d0_event seed;      /* the start-up seed's VMA that made it mapped (issue 14, class 8) */
	__u64 events;
};

struct d0_violation {
	int rule;
	__u32 bdf;
	__u64 count;
	bool allowed;              /* waived with --allow */
	struct d0_event first;     /* the event that broke it first */
	struct d0_dev_history before; /* the device's history at that moment */
};

struct d0_verdict;
typedef void (*d0_violation_fn)(const struct d0_verdict *v, const struct d0_violation *viol, void *ctx);

struct d0_allow {
	int rule;
	__u32 bdf;                 /* 0xffffffff = any device */
	bool short_bdf;            /* DEVICE given as lspci's BB:DD.F: domain 0000 assumed */
	char text[128];            /* as given */
	char why[256];             /* what is wrong, when d0_allow_parse fails */
};

struct d0_verdict {
	__u32 mode;
	d0_violation_fn report;    /* called at the first occurrence of each (rule, device) */
	void *ctx;
	struct d0_allow *allow;
	int nallow;
	struct d0_dev_history *devs;
	int ndevs, capdevs;
	struct d0_violation *viols;
	int nviols, capviols;
	__u64 first_ts;
	__u64 events, transitions, accesses, refused, lost;
	__u64 by_rule[D0_RULE_MAX + 1];
	__u64 mismatches;          /* replayed verdict != the kernel's (same mode) */
	struct d0_event first_mismatch;
	/* issue 14 class 8: events that would break a rule if a pre-audit PTE were live */
	__u64 unseen_mapping;
	struct d0_event first_unseen_mapping;
	__u32 first_unseen_mapping_rules;
	/*
	 * Per hook, since when it watches its path (CLOCK_MONOTONIC ns): 0 = from
	 * the start (the default), D0_HOOK_NEVER = not attached. A hook of a module
	 * loaded after the start watches only from its late attach: a rule that
	 * needs it cannot judge the events before (the contexts that excuse them
	 * were not seen), so those are counted here, never as violations.
	 */
	__u64 hook_since[D0_HOOK_COUNT];
	__u64 before_attach, before_attach_by_rule[D0_RULE_MAX + 1];
	struct d0_event first_before_attach;
	int first_before_attach_rule, first_before_attach_hook;
};

#define D0_HOOK_NEVER (~0ULL)

/* RULE[:DEVICE] as given to --allow; 0, or -1 if malformed. */
int d0_allow_parse(const char *s, struct d0_allow *a);

void d0_verdict_init(struct d0_verdict *v, __u32 mode, d0_violation_fn report, void *ctx);
void d0_verdict_free(struct d0_verdict *v);
/*
 * `recorded` = the kernel's verdict for this event, or -1 when unknown / other mode.
 * 0, or -ENOMEM: the event was counted but part of its history or violation could not be kept.
 */
int d0_verdict_event(struct d0_verdict *v, const struct d0_event *e, long long recorded);
void d0_verdict_lost(struct d0_verdict *v, __u64 n);
/* The hook watches from ts_ns on (0 = from the start, D0_HOOK_NEVER = not attached). */
void d0_verdict_hook_since(struct d0_verdict *v, int hook, __u64 ts_ns);
/* A BAR access that reached the device (not one vfio refused). */
bool d0_event_is_access(const struct d0_event *e);
/* Violations not waived by --allow. */
__u64 d0_verdict_unwaived(const struct d0_verdict *v);


#endif
