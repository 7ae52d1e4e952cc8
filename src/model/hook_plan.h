/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deciding, per hook and on this kernel, how to attach or why not.
 * The decision is a pure function of the kernel facts, so that every
 * reason can be unit-tested with facts taken from real kernels.
 */
#ifndef D0AUDIT_HOOK_PLAN_H
#define D0AUDIT_HOOK_PLAN_H

#include <stdbool.h>
#include "model/hook_table.h"
#include "model/mapping_model.h"
#include "d0audit/kernel_data.h"

#define D0_SYM_LEN 128
#define D0_REASON_LEN 200

/* What the running kernel says about one hook's target. */
struct d0_target_facts {
	bool module_present;   /* BTF of the owning module is loaded (vmlinux: always) */
	int btf_nargs;         /* arguments of the BTF FUNC, -1 if there is none */
	int btf_id;            /* that FUNC's id in its module's BTF (tracing multi links name it), 0 if none */
	unsigned btf_obj_id;   /* the kernel BTF object btf_id is of (module rows), 0 if unknown */
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
	unsigned long long kdata[D0_KDATA_COUNT]; /* kernel variables' addresses (0: not in kallsyms) */
	/* tracing multi links (7.2+): enum bpf_attach_type's BPF_TRACE_FEXIT_MULTI in vmlinux BTF, -1 if absent */
	int fexit_multi_type;
};

/* Is the running kernel this release or later? */
bool d0_kernel_at_least(const struct d0_kernel_facts *k, int major, int minor);

enum d0_hook_decision {
	D0_PLAN_ATTACH,        /* attach `symbol` with the row's kind */
	D0_PLAN_UNAVAILABLE,   /* cannot attach here: see reason */
	D0_PLAN_SUPERSEDED,    /* a fallback not needed: the row it stands in for attaches */
};

/* What an unavailable row's reason says, as a code (the rules' coverage needs it, not the words). */
enum d0_plan_cause {
	D0_CAUSE_OTHER = 0,
	D0_CAUSE_MODULE_ABSENT, /* "module M is not loaded ...": its owning module's BTF is not there */
	D0_CAUSE_PATH_ABSENT,   /* "would never fire ...": the row's `requires` member is not in BTF */
};

struct d0_hook_plan {
	enum d0_hook_decision decision;
	enum d0_plan_cause cause;  /* for D0_PLAN_UNAVAILABLE */
	char symbol[D0_SYM_LEN];   /* what to attach to (may be a clone) */
	char reason[D0_REASON_LEN];
	/* filled in by the loader */
	bool attached;
	bool multi;                /* served by the shared kprobe.multi programs (src/kernel/cold_multi.h) */
	int error;                 /* -errno from load/attach, 0 if none */
	unsigned long long late_ns;/* attached after start (module loaded later): when, CLOCK_MONOTONIC */
};

/* fentry/fexit with more than six arguments needs x86 trampolines of 6.5+. */
#define D0_TRAMPOLINE_MANY_ARGS_MAJOR 6
#define D0_TRAMPOLINE_MANY_ARGS_MINOR 5

void d0_plan_hooks(const struct d0_kernel_facts *k, struct d0_hook_plan plan[D0_HOOK_COUNT]);

/* The cause of a reason the planner wrote, read back from a trace header (old traces included). */
enum d0_plan_cause d0_plan_cause_of(const char *reason);

/* A row's status as doctor and trace headers show it. */
enum d0_hook_status {
	D0_HS_ATTACHED,
	D0_HS_ATTACHABLE,  /* would attach: doctor before loading */
	D0_HS_FAILED,
	D0_HS_UNAVAILABLE,
	D0_HS_NOT_NEEDED,  /* a fallback whose row attaches */
};

/* loaded: the BPF object was loaded and attach attempted (else the plan is only a prediction). */
enum d0_hook_status d0_plan_status(const struct d0_hook_plan *p, bool loaded);
const char *d0_hook_status_name(enum d0_hook_status s);
/* The status named s ("attached"), or -1. */
int d0_hook_status_parse(const char *s);

#endif /* D0AUDIT_HOOK_PLAN_H */
