/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the hook-target facts from the running kernel (kallsyms, ftrace, BTF). */
#ifndef D0AUDIT_KERNEL_FACTS_H
#define D0AUDIT_KERNEL_FACTS_H

#include <stdio.h>
#include "model/hook_plan.h"

/* Where to read from; tests point these at fixtures. NULL = the real files. */
struct d0_fact_sources {
	const char *kallsyms;      /* /proc/kallsyms */
	const char *ftrace;        /* available_filter_functions (tracefs or debugfs) */
	const char *btf_dir;       /* /sys/kernel/btf */
	const char *release;       /* uname -r */
};

/* Fill k from the sources. Returns 0, or -errno with a message printed. */
int d0_kernel_facts_collect(struct d0_kernel_facts *k, const struct d0_fact_sources *src);

/* Parsers, exposed for tests: mark every hook target found in the stream (kallsyms: and the
 * addresses of include/d0audit/kernel_data.h's variables). */
void d0_scan_kallsyms(FILE *f, struct d0_kernel_facts *k);
void d0_scan_ftrace(FILE *f, struct d0_kernel_facts *k);
int d0_parse_release(const char *release, int *major, int *minor);

#endif /* D0AUDIT_KERNEL_FACTS_H */
