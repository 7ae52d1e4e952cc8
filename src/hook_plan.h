/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deciding, per hook and on this kernel, how to attach or why not.
 * The decision is a pure function of the kernel facts, so that every
 * reason can be unit-tested with facts taken from real kernels.
 */
#ifndef D0AUDIT_HOOK_PLAN_H
#define D0AUDIT_HOOK_PLAN_H

#include <stdbool.h>
#include "hook_table.h"
#include "mapping_model.h"

#define D0_SYM_LEN 128
#define D0_REASON_LEN 200

/* What the running kernel says about one hook's target. */
struct d0_target_facts {
	bool module_present;   /* BTF of the owning module is loaded (vmlinux: always) */
	int btf_nargs;         /* arguments of the BTF FUNC, -1 if there is none */
	bool sym_exact;        /* the exact name is in /proc/kallsyms */
	char clone[D0_SYM_LEN];/* a compiler clone name.constprop.N / .isra.N / .part.N, or "" */
	bool ftrace_site;      /* exact name in available_filter_functions */
	bool requires_missing; /* the row's `requires` member is not in BTF */
};

struct d0_kernel_facts {
	int major, minor;      /* running kernel version */
	bool vmlinux_btf;      /* /sys/kernel/btf/vmlinux */
	bool ftrace_list;      /* available_filter_functions could be read */
	enum d0_mapping_model mapping_model; /* from vfio's module BTF */
	bool iommufd;          /* iommufd is built (its BTF): DMABUF imports into an IOAS can exist */
	struct d0_target_facts t[D0_HOOK_COUNT];
};

enum d0_hook_decision {
	D0_PLAN_ATTACH,        /* attach `symbol` with the row's kind */
	D0_PLAN_UNAVAILABLE,   /* cannot attach here: see reason */
	D0_PLAN_SUPERSEDED,    /* a fallback not needed: the row it stands in for attaches */
};

struct d0_hook_plan {
	enum d0_hook_decision decision;
	char symbol[D0_SYM_LEN];   /* what to attach to (may be a clone) */
	char reason[D0_REASON_LEN];
	/* filled in by the loader */
	bool attached;
	bool multi;                /* served by the shared kprobe.multi programs (src/cold_multi.h) */
	int error;                 /* -errno from load/attach, 0 if none */
	unsigned long long late_ns;/* attached after start (module loaded later): when, CLOCK_MONOTONIC */
};

/* fentry/fexit with more than six arguments needs x86 trampolines of 6.5+. */
#define D0_TRAMPOLINE_MANY_ARGS_MAJOR 6
#define D0_TRAMPOLINE_MANY_ARGS_MINOR 5

void d0_plan_hooks(const struct d0_kernel_facts *k, struct d0_hook_plan plan[D0_HOOK_COUNT]);

#endif /* D0AUDIT_HOOK_PLAN_H */
