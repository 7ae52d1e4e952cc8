/* SPDX-License-Identifier: GPL-2.0 */
/* The end-of-run summary shared by audit and check: counts, coverage, verdict. */
#ifndef D0AUDIT_SUMMARY_H
#define D0AUDIT_SUMMARY_H

#include <jansson.h>
#include <stdio.h>
#include "model/rules_meta.h"
#include "model/verdict.h"

struct d0_summary {
	const struct d0_verdict *v;
	struct d0_hook_availability avail;
	enum d0_rule_coverage coverage[D0_RULE_MAX + 1];
	const char *missing[D0_RULE_MAX + 1];
	__u64 kernel_by_rule[D0_RULE_MAX + 1];  /* live only: what the kernel counted */
	bool have_kernel_counts;
	bool iommufd;                           /* the kernel has iommufd (kernel facts, trace header) */
	char problems[8][256];                  /* why the verdict is incomplete */
	int nproblems;
};

void d0_summary_coverage(struct d0_summary *s);
/* Events the kernel counted as dropped without a sequence number (no gap shows them): incomplete. */
void d0_summary_drops(struct d0_summary *s, const __u64 drops[D0_DROP_CAUSES]);
__attribute__((format(printf, 2, 3))) void d0_summary_problem(struct d0_summary *s, const char *fmt, ...);
/* 0 clean, 1 unwaived violations, 3 incomplete. */
int d0_summary_exit(const struct d0_summary *s);
void d0_summary_text(FILE *f, const struct d0_summary *s);
json_t *d0_summary_json(const struct d0_summary *s);

#endif
