// SPDX-License-Identifier: GPL-2.0
#include "model/verdict.h"
#include "model/event_names.h"
#include "d0audit/event_facts.h"
#include "model/rules_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int d0_allow_parse(const char *s, struct d0_allow *a)
{
	char buf[128], *dev;

	a->why[0] = 0;
	a->short_bdf = false;
	if (strlen(s) >= sizeof(buf))
		return snprintf(a->why, sizeof(a->why), "longer than %zu characters", sizeof(buf) - 1), -1;
	snprintf(buf, sizeof(buf), "%s", s);
	dev = strchr(buf, ':');
	if (dev)
		*dev++ = 0;
	a->rule = d0_rule_parse(buf);
	a->bdf = 0xffffffffu;
	if (!a->rule)
		return snprintf(a->why, sizeof(a->why), "'%.64s' is not a rule: an id 1-%d or a name from 'd0audit rules'",
				buf, D0_RULE_MAX), -1;
	if (dev && d0_bdf_parse_arg(dev, &a->bdf, &a->short_bdf))
		return snprintf(a->why, sizeof(a->why), "'%.64s' is not a device: DDDD:BB:DD.F or lspci's BB:DD.F", dev),
		       -1;
	return 0;
}

void d0_verdict_init(struct d0_verdict *v, __u32 mode, d0_violation_fn report, void *ctx)
{
	memset(v, 0, sizeof(*v));
	v->mode = mode;
	v->report = report;
	v->ctx = ctx;
}

void d0_verdict_free(struct d0_verdict *v)
{
	free(v->devs);
	free(v->viols);
	v->devs = NULL;
	v->viols = NULL;
}

/* Room for one more item: the array (moved, maybe), or NULL when out of memory, the array and *cap untouched. */
static void *grow(void *arr, int *cap, int n, size_t size)
{
	int ncap;
	void *p;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* The device's history, new if need be; NULL when out of memory. */
static struct d0_dev_history *history_of(struct d0_verdict *v, __u32 bdf)
{
	struct d0_dev_history *devs;

	for (int i = 0; i < v->ndevs; i++)
		if (v->devs[i].bdf == bdf)
			return &v->devs[i];
	devs = grow(v->devs, &v->capdevs, v->ndevs, sizeof(*v->devs));
	if (!devs)
		return NULL;
	v->devs = devs;
	memset(&v->devs[v->ndevs], 0, sizeof(v->devs[0]));
	v->devs[v->ndevs].bdf = bdf;
	return &v->devs[v->ndevs++];
}

static bool allowed(const struct d0_verdict *v, int rule, __u32 bdf)
{
	for (int i = 0; i < v->nallow; i++)
		if (v->allow[i].rule == rule && (v->allow[i].bdf == 0xffffffffu || v->allow[i].bdf == bdf))
			return true;
	return false;
}

/* 0, or -ENOMEM: the first occurrence of a (rule, device) could not be kept. */
static int count_violation(struct d0_verdict *v, int rule, const struct d0_event *e,
			   const struct d0_dev_history *h)
{
	struct d0_violation *viol;

	v->by_rule[rule]++;
	for (int i = 0; i < v->nviols; i++) {
		if (v->viols[i].rule == rule && v->viols[i].bdf == e->bdf) {
			v->viols[i].count++;
			return 0;
		}
	}
	viol = grow(v->viols, &v->capviols, v->nviols, sizeof(*v->viols));
	if (!viol)
		return -ENOMEM;
	v->viols = viol;
	viol = &v->viols[v->nviols++];
	memset(viol, 0, sizeof(*viol));
	viol->rule = rule;
	viol->bdf = e->bdf;
	viol->count = 1;
	viol->allowed = allowed(v, rule, e->bdf);
	viol->first = *e;
	if (h)
		viol->before = *h;
	if (v->report)
		v->report(v, viol, v->ctx);
	return 0;
}

bool d0_event_is_access(const struct d0_event *e)
{
	if (!d0_is_access_kind(e->kind))
		return false;
	switch (e->kind) {
	case D0_EV_BAR_ACCESS:
	case D0_EV_IOEVENTFD_WRITE:
		if (e->phase == D0_PH_EXIT) /* a core accessor's exit: ret 0 = it ran */
			return e->ret == 0;
		/* vfio's own gate refuses test_mem accesses in D3hot+ or with decode off */
		return !(e->a1 && (d0_not_d0(e->power, D0_MODE_KERNEL) || !(e->state & D0_ST_MEM_ENABLED)));
	case D0_EV_FAULT:
		return !d0_refused(e);
	case D0_EV_DMABUF_MAP:
	case D0_EV_DMABUF_MMAP: /* the series: mmap of an exported DMABUF */
		return e->ret == 0;
	default: /* a ROM map, a VGA access */
		return true;
	}
}

/* Keep the latest step of each sort that later explains a violation. */
static void remember(struct d0_dev_history *h, const struct d0_event *e)
{
	h->events++;
	if (e->kind == D0_EV_FAULT && !d0_refused(e))
		h->fault = *e;
	else if (e->kind == D0_EV_ZAP)
		h->zap = *e;
	else if (d0_is_dmabuf_move_step(e))
		*(e->a0 ? &h->revoke : &h->unrevoke) = *e;
	else if (e->kind == D0_EV_DMABUF_EXPORT && e->ret > 0)
		h->unrevoke = *e;
	else if (d0_is_power_transition(e))
		h->power = *e;
	else if (e->kind == D0_EV_SEED_VMA && e->ret == 1)
		h->seed = *e;
}

int d0_verdict_event(struct d0_verdict *v, const struct d0_event *e, long long recorded)
{
	__u32 viol = d0_rules_eval(e, v->mode);
	struct d0_dev_history *h = e->bdf != 0xffffffffu ? history_of(v, e->bdf) : NULL;
	int err = e->bdf != 0xffffffffu && !h ? -ENOMEM : 0;

	if (!v->first_ts)
		v->first_ts = e->ts_ns;
	v->events++;
	if (recorded >= 0 && (__u32)recorded != viol && !v->mismatches++)
		v->first_mismatch = *e;
	if (d0_is_power_transition(e))
		v->transitions++;
	if (d0_event_is_access(e))
		v->accesses++;
	if (d0_refused(e))
		v->refused++;
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		int late;

		if (!(viol & D0_RULE_BIT(r)))
			continue;
		late = d0_rule_unwatched_at(r, v->hook_since, e->ts_ns);
		if (late >= 0) {
			v->before_attach_by_rule[r]++;
			if (!v->before_attach++) {
				v->first_before_attach = *e;
				v->first_before_attach_rule = r;
				v->first_before_attach_hook = late;
			}
		} else if (count_violation(v, r, e, h)) {
			err = -ENOMEM;
		}
	}
	/* issue 14 class 8: a device open before the audit may have PTEs d0audit never saw */
	if (d0_rules_if_unseen_mapping(e, v->mode) && !v->unseen_mapping++) {
		v->first_unseen_mapping = *e;
		v->first_unseen_mapping_rules = d0_rules_if_unseen_mapping(e, v->mode);
	}
	if (h)
		remember(h, e);
	return err;
}

void d0_verdict_lost(struct d0_verdict *v, __u64 n)
{
	v->lost += n;
}

void d0_verdict_hook_since(struct d0_verdict *v, int hook, __u64 ts_ns)
{
	if (hook >= 0 && hook < D0_HOOK_COUNT)
		v->hook_since[hook] = ts_ns;
}

__u64 d0_verdict_unwaived(const struct d0_verdict *v)
{
	__u64 n = 0;

	for (int i = 0; i < v->nviols; i++)
		n += !v->viols[i].allowed;
	return n;
}
