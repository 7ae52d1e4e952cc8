/* SPDX-License-Identifier: GPL-2.0 */
/* Words about the rules (include/d0audit/rules.h): explanations and what each needs. */
#ifndef D0AUDIT_RULES_META_H
#define D0AUDIT_RULES_META_H

#include <stdbool.h>
#include "model/hook_plan.h"
#include "model/hook_table.h"

#define D0_RULE_MAX_GROUPS 6
#define D0_GROUP_MAX_HOOKS 4

/* Hooks that see the same path (a row and its fallbacks): one working is enough. */
struct d0_hook_group {
	unsigned int n;
	enum d0_hook_id hook[D0_GROUP_MAX_HOOKS];
};

struct d0_rule_meta {
	int id;
	const char *name;      /* "ZAP_BEFORE_POWER_DOWN" */
	const char *explain;   /* what is checked, where */
	const char *means;     /* one sentence for a violation report */
	/* every group needs one of its hooks working; a group whose hooks all
	 * observe a path this kernel does not have makes the rule not applicable */
	unsigned int n_needs;
	struct d0_hook_group needs[D0_RULE_MAX_GROUPS];
};

extern const struct d0_rule_meta d0_rule_meta[];  /* index = rule id; [0] unused */
/* journald MESSAGE_ID (128 bits, 32 hex digits) of each rule's violations; index = rule id */
extern const char *const d0_rule_message_id[];

/* Per hook: does it observe its path in this run, and if not, why not? */
enum d0_hook_avail {
	D0_AVAIL_MISSING = 0, /* it did not attach: what it watches may have happened unseen */
	D0_AVAIL_WORKS,       /* attached, at the start or later when its module loaded */
	D0_AVAIL_NO_PATH,     /* this kernel lacks what it watches (its `requires`): the rules it serves do not apply */
	/* its module was not loaded: no type1 grant can exist without vfio_iommu_type1, but a rule
	 * needing the hook stays blind (the module, and its devices, may come and go unseen) */
	D0_AVAIL_NO_MODULE,
	/* a trace recorded before this hook existed (d0audit check): it never claimed to watch the path,
	 * so nothing is held against it (a module of its own, loaded or not, is unknown too) */
	D0_AVAIL_UNRECORDED,
};

struct d0_hook_availability {
	enum d0_hook_avail of[D0_HOOK_COUNT];
};

/* A live run's, from the loader's plan (as attached) and the kernel facts. */
void d0_availability_live(struct d0_hook_availability *a, const struct d0_hook_plan plan[D0_HOOK_COUNT],
			  const struct d0_kernel_facts *k);
/* One hook's, from a trace header's row: its status and the planner's reason. */
enum d0_hook_avail d0_avail_recorded(const char *status, const char *reason);

enum d0_rule_coverage {
	D0_COVERED,         /* every needed hook works: the verdict is complete */
	D0_NOT_APPLICABLE,  /* the paths it watches do not exist on this kernel */
	D0_BLIND,           /* a needed hook is missing: the verdict would be incomplete */
};

enum d0_rule_coverage d0_rule_coverage(int rule, const struct d0_hook_availability *a, const char **missing);
const char *d0_coverage_name(enum d0_rule_coverage c);
/*
 * A needed path the rule did not watch yet at ts_ns, because every hook of
 * it attached later (since[] as in struct d0_verdict: 0 = from the start,
 * ~0 = never, which d0_rule_coverage judges instead): that hook, or -1.
 */
int d0_rule_unwatched_at(int rule, const unsigned long long since[D0_HOOK_COUNT], unsigned long long ts_ns);
const char *d0_rule_summary(int rule);
/* Rule by number ("3") or name ("D0_BEFORE_UNREVOKE"); 0 if none. */
int d0_rule_parse(const char *s);

#endif
