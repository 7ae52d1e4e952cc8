/* SPDX-License-Identifier: GPL-2.0 */
/* Words about the rules (include/d0audit/rules.h): explanations and what each needs. */
#ifndef D0AUDIT_RULES_META_H
#define D0AUDIT_RULES_META_H

#include <stdbool.h>
#include "hook_table.h"

#define D0_RULE_MAX_GROUPS 6

struct d0_rule_meta {
	int id;
	const char *name;      /* "ZAP_BEFORE_POWER_DOWN" */
	const char *explain;   /* what is checked, where */
	const char *means;     /* one sentence for a violation report */
	/* every group needs one of its hooks working; a group whose hooks all
	 * observe a path this kernel does not have makes the rule not applicable */
	const char *needs[D0_RULE_MAX_GROUPS][4];
};

extern const struct d0_rule_meta d0_rule_meta[];  /* index = rule id; [0] unused */
/* journald MESSAGE_ID (128 bits, 32 hex digits) of each rule's violations; index = rule id */
extern const char *const d0_rule_message_id[];

/* Per hook: does it work here, and if not, is its path simply absent? */
struct d0_hook_availability {
	bool works[D0_HOOK_COUNT];
	bool absent_path[D0_HOOK_COUNT];
	bool module_absent[D0_HOOK_COUNT]; /* its module is not loaded (or the trace predates the hook) */
	/* a trace recorded before this hook existed (d0audit check): not held against it */
	bool predates[D0_HOOK_COUNT];
};

enum d0_rule_coverage {
	D0_COVERED,         /* every needed hook works: the verdict is complete */
	D0_NOT_APPLICABLE,  /* the paths it watches do not exist on this kernel */
	D0_BLIND,           /* a needed hook is missing: the verdict would be incomplete */
};

enum d0_rule_coverage d0_rule_coverage(int rule, const struct d0_hook_availability *a, const char **missing);
const char *d0_coverage_name(enum d0_rule_coverage c);
const char *d0_rule_summary(int rule);
/* Rule by number ("3") or name ("D0_BEFORE_UNREVOKE"); 0 if none. */
int d0_rule_parse(const char *s);

#endif
