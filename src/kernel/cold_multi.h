/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serving the cold rows (include/d0audit/cold_hooks.h) with two multi-attached
 * programs (issue 18): which rows, on which kernels, and the symbol and
 * cookie lists their kprobe.multi and kretprobe.multi links attach with.
 */
#ifndef D0AUDIT_COLD_MULTI_H
#define D0AUDIT_COLD_MULTI_H

#include <stdbool.h>
#include "model/hook_plan.h"
#include "kernel/kernel_facts.h"

/*
 * kprobe.multi on module functions needs the kernel to resolve module
 * symbols and to hold the module while linked (both from 6.5): Debian 6.1
 * has neither, so below this the per-row programs serve every row. 6.10:
 * the oldest series we vouch for (tested on 6.12, 7.2, 7.3).
 */
#define D0_MULTI_MIN_MAJOR 6
#define D0_MULTI_MIN_MINOR 10

/*
 * D0AUDIT_NO_MULTI=1: every row on its own program (to compare), for the cold
 * link and the fexit.multi one (src/kernel/fexit_multi.h) alike. *why says so.
 */
bool d0_multi_switched_off(const char **why);
/* Is row `hook` one the generic programs can serve (listed in the cold table)? */
bool d0_cold_row(int hook);
/*
 * May this kernel's cold rows be multi-attached? False below 6.10, and when
 * D0AUDIT_NO_MULTI=1 is set (the per-row programs, to compare). *why says why not.
 */
bool d0_cold_multi_usable(const struct d0_kernel_facts *k, const char **why);

/* What the two links attach to: one symbol per function, each with its cookie. */
struct d0_cold_links {
	const char *entry_syms[D0_HOOK_COUNT];
	__u64 entry_cookies[D0_HOOK_COUNT];
	int nentry;
	const char *exit_syms[D0_HOOK_COUNT];
	__u64 exit_cookies[D0_HOOK_COUNT];
	int nexit;
};

/*
 * From the rows to serve (multi[i]) and the plan's symbols: the entry link
 * gets every function with an entry row or an exit row that needs the
 * arguments (its cookie names both), the exit link every exit row.
 */
void d0_cold_links_build(const struct d0_hook_plan plan[D0_HOOK_COUNT], const bool multi[D0_HOOK_COUNT],
			 struct d0_cold_links *out);

#endif /* D0AUDIT_COLD_MULTI_H */
