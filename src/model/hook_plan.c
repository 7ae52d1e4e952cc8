// SPDX-License-Identifier: GPL-2.0
#include "model/hook_plan.h"

#include <stdio.h>
#include <string.h>

bool d0_kernel_at_least(const struct d0_kernel_facts *k, int major, int minor)
{
	return k->major > major || (k->major == major && k->minor >= minor);
}

/* The function has a body of its own in this kernel (it may still be unattachable). */
static bool target_exists(const struct d0_target_facts *t)
{
	return t->sym_exact || t->clone[0] || t->btf_nargs >= 0;
}

/* How the reasons of these causes begin: d0_plan_cause_of() reads them back from traces. */
#define CAUSE_MODULE_ABSENT "module "
#define CAUSE_PATH_ABSENT "would never fire"

#define UNAVAILABLE(p, ...)                                                  \
	do {                                                                 \
		(p)->decision = D0_PLAN_UNAVAILABLE;                         \
		snprintf((p)->reason, sizeof((p)->reason), __VA_ARGS__);     \
	} while (0)

static void plan_trampoline(const struct d0_kernel_facts *k, const struct d0_hook_def *h,
			    const struct d0_target_facts *t, struct d0_hook_plan *p)
{
	if (!k->vmlinux_btf) {
		UNAVAILABLE(p, "no kernel BTF (/sys/kernel/btf/vmlinux): fentry/fexit need CONFIG_DEBUG_INFO_BTF");
		return;
	}
	if (t->btf_nargs < 0) {
		if (t->clone[0])
			UNAVAILABLE(p, "only the compiler clone %s exists: %s attaches by exact name", t->clone,
				    d0_hook_kind_name(h->kind));
		else if (t->sym_exact)
			UNAVAILABLE(p, "%s has a symbol but no BTF in %s", h->target, h->module);
		else
			UNAVAILABLE(p, "%s is not in this kernel: no BTF and no symbol (inlined into its callers, or absent in this version)",
				    h->target);
		return;
	}
	if (!t->sym_exact) {
		if (t->clone[0])
			UNAVAILABLE(p, "inlined: only the compiler clone %s has a symbol", t->clone);
		else
			UNAVAILABLE(p, "inlined: %s is in BTF but has no symbol in /proc/kallsyms", h->target);
		return;
	}
	if (k->ftrace_list && !t->ftrace_site) {
		UNAVAILABLE(p, "no ftrace site: %s is notrace (not in available_filter_functions)", h->target);
		return;
	}
	if (t->btf_nargs > 6 &&
	    !d0_kernel_at_least(k, D0_TRAMPOLINE_MANY_ARGS_MAJOR, D0_TRAMPOLINE_MANY_ARGS_MINOR)) {
		UNAVAILABLE(p, "too many arguments: %s takes %d, BPF trampolines on %d.%d take at most 6 (need %d.%d+)",
			    h->target, t->btf_nargs, k->major, k->minor, D0_TRAMPOLINE_MANY_ARGS_MAJOR,
			    D0_TRAMPOLINE_MANY_ARGS_MINOR);
		return;
	}
	p->decision = D0_PLAN_ATTACH;
	snprintf(p->symbol, sizeof(p->symbol), "%s", h->target);
}

static void plan_kprobe(const struct d0_hook_def *h, const struct d0_target_facts *t, struct d0_hook_plan *p)
{
	if (t->sym_exact) {
		p->decision = D0_PLAN_ATTACH;
		snprintf(p->symbol, sizeof(p->symbol), "%s", h->target);
		return;
	}
	if (t->clone[0] && (h->flags & D0_HF_CLONE)) {
		p->decision = D0_PLAN_ATTACH;
		snprintf(p->symbol, sizeof(p->symbol), "%s", t->clone);
		snprintf(p->reason, sizeof(p->reason), "attaching to the compiler clone %s", t->clone);
		return;
	}
	if (t->clone[0])
		UNAVAILABLE(p, "only the compiler clone %s exists and this hook does not accept clones", t->clone);
	else
		UNAVAILABLE(p, "%s has no symbol in /proc/kallsyms (inlined, or absent in this version)", h->target);
}

/* An IOMMU grant whose removal cannot be seen would stay "mapped" for good: false violations. */
static void plan_grant_needs_removal(struct d0_hook_plan *grant, const struct d0_hook_plan *removal,
				     const struct d0_hook_def *rh)
{
	char why[96];

	if (grant->decision != D0_PLAN_ATTACH || removal->decision == D0_PLAN_ATTACH)
		return;
	/* a copy: both reasons live in the same plan array */
	memcpy(why, removal->reason, sizeof(why) - 1);
	why[sizeof(why) - 1] = '\0';
	UNAVAILABLE(grant, "its removal cannot be observed here (%.20s %.32s: %s)", rh->name, rh->target, why);
}

/*
 * Row i (D0_HF_INLINED_ALT) attaches because the function its alt names was
 * inlined into i's target: say so on the rows of that alt chain, which would
 * otherwise read "not needed" or plain "attached" (an exported function can
 * still attach while the driver's own path inlines it and never calls it).
 */
static void explain_inlined(const struct d0_kernel_facts *k, struct d0_hook_plan plan[D0_HOOK_COUNT], int i)
{
	const struct d0_hook_def *h = &d0_hooks[i];

	for (int a = h->alt; a != D0_HOOK_NONE; a = d0_hooks[a].alt) {
		struct d0_hook_plan *p = &plan[a];

		if (p->decision == D0_PLAN_SUPERSEDED && !target_exists(&k->t[a]))
			UNAVAILABLE(p, "%s is not in this kernel: inlined into %s (%s sees the path)", d0_hooks[a].target,
				    h->target, h->name);
		else if (p->decision == D0_PLAN_ATTACH && !p->reason[0])
			snprintf(p->reason, sizeof(p->reason), "attached, but this kernel's vfio path does not call it: "
				 "inlined into %s (%s sees the path)", h->target, h->name);
	}
}

/* An iterator needs only its target in vmlinux BTF (bpf_iter_<name>): it runs once, nothing to trace. */
static void plan_iter(const struct d0_kernel_facts *k, const struct d0_hook_def *h,
		      const struct d0_target_facts *t, struct d0_hook_plan *p)
{
	if (!k->vmlinux_btf) {
		UNAVAILABLE(p, "no kernel BTF (/sys/kernel/btf/vmlinux): BPF iterators need CONFIG_DEBUG_INFO_BTF");
		return;
	}
	if (t->btf_nargs < 0) {
		UNAVAILABLE(p, "this kernel has no %s iterator (no %s in BTF): mappings made before d0audit started "
			    "cannot be seeded", h->target + strlen("bpf_iter_"), h->target);
		return;
	}
	p->decision = D0_PLAN_ATTACH;
	snprintf(p->symbol, sizeof(p->symbol), "%s", h->target);
}

void d0_plan_hooks(const struct d0_kernel_facts *k, struct d0_hook_plan plan[D0_HOOK_COUNT])
{
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		const struct d0_target_facts *t = &k->t[i];
		struct d0_hook_plan *p = &plan[i];

		memset(p, 0, sizeof(*p));
		if ((h->flags & D0_HF_INLINED_ALT) && target_exists(&k->t[h->alt])) {
			p->decision = D0_PLAN_SUPERSEDED;
			snprintf(p->reason, sizeof(p->reason),
				 "not needed: %s is not inlined into it here (%s, or the row it stands in for, sees the path)",
				 d0_hooks[h->alt].target, d0_hooks[h->alt].name);
			continue;
		}
		/* Rows only ever name earlier rows as alt, so alt is decided already. */
		if (h->alt != D0_HOOK_NONE && plan[h->alt].decision == D0_PLAN_ATTACH) {
			p->decision = D0_PLAN_SUPERSEDED;
			snprintf(p->reason, sizeof(p->reason), "not needed: %s attaches (%s)",
				 d0_hooks[h->alt].target, d0_hooks[h->alt].name);
			continue;
		}
		if (!t->module_present) {
			UNAVAILABLE(p, CAUSE_MODULE_ABSENT "%s is not loaded (no /sys/kernel/btf/%s)", h->module, h->module);
			p->cause = D0_CAUSE_MODULE_ABSENT;
			continue;
		}
		if (t->requires_missing) {
			UNAVAILABLE(p, CAUSE_PATH_ABSENT " for vfio here: this kernel has no %s (the path it observes does not exist)",
				    h->requires);
			p->cause = D0_CAUSE_PATH_ABSENT;
			continue;
		}
		switch (h->kind) {
		case D0_FENTRY:
		case D0_FEXIT:
			plan_trampoline(k, h, t, p);
			break;
		case D0_KPROBE:
		case D0_KRETPROBE:
			plan_kprobe(h, t, p);
			break;
		case D0_ITER:
			plan_iter(k, h, t, p);
			break;
		}
	}
	plan_grant_needs_removal(&plan[D0_HOOK_IOMMU_PIN_RET], &plan[D0_HOOK_IOMMU_UNMAP_RET],
				 &d0_hooks[D0_HOOK_IOMMU_UNMAP_RET]);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if ((d0_hooks[i].flags & D0_HF_INLINED_ALT) && plan[i].decision == D0_PLAN_ATTACH)
			explain_inlined(k, plan, i);
}

enum d0_plan_cause d0_plan_cause_of(const char *reason)
{
	if (!strncmp(reason, CAUSE_PATH_ABSENT, strlen(CAUSE_PATH_ABSENT)))
		return D0_CAUSE_PATH_ABSENT;
	if (!strncmp(reason, CAUSE_MODULE_ABSENT, strlen(CAUSE_MODULE_ABSENT)))
		return D0_CAUSE_MODULE_ABSENT;
	return D0_CAUSE_OTHER;
}

static const char *const status_names[] = {
	[D0_HS_ATTACHED] = "attached",
	[D0_HS_ATTACHABLE] = "attachable",
	[D0_HS_FAILED] = "failed",
	[D0_HS_UNAVAILABLE] = "unavailable",
	[D0_HS_NOT_NEEDED] = "not-needed",
};

enum d0_hook_status d0_plan_status(const struct d0_hook_plan *p, bool loaded)
{
	if (p->decision == D0_PLAN_SUPERSEDED)
		return D0_HS_NOT_NEEDED;
	if (p->decision == D0_PLAN_UNAVAILABLE)
		return p->error ? D0_HS_FAILED : D0_HS_UNAVAILABLE;
	if (!loaded)
		return D0_HS_ATTACHABLE;
	return p->attached ? D0_HS_ATTACHED : D0_HS_FAILED;
}

const char *d0_hook_status_name(enum d0_hook_status s)
{
	return (unsigned int)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

int d0_hook_status_parse(const char *s)
{
	for (unsigned int i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (!strcmp(s, status_names[i]))
			return (int)i;
	return -1;
}
