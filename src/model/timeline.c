// SPDX-License-Identifier: GPL-2.0
#include "model/timeline.h"
#include "model/violation_out.h"
#include "model/event_names.h"
#include "d0audit/event_facts.h"
#include "model/rules_meta.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *d0_tl_map_name(int map)
{
	switch (map) {
	case D0_TL_MAP_ZAPPED: return "zapped";
	case D0_TL_MAP_MAPPED: return "mapped";
	default: return "unknown";
	}
}

char d0_tl_step_letter(enum d0_tl_step s)
{
	static const char c[D0_TL_STEP_COUNT] = {
		[D0_TL_ZAP] = 'z', [D0_TL_REVOKE] = 'r', [D0_TL_UNREVOKE] = 'u', [D0_TL_EXPORT] = 'e',
		[D0_TL_RESET] = 'R', [D0_TL_OPEN] = 'o', [D0_TL_CLOSE] = 'c', [D0_TL_POWER] = 'p',
	};

	return s < D0_TL_STEP_COUNT ? c[s] : '?';
}

const char *d0_tl_step_name(enum d0_tl_step s)
{
	static const char *const names[D0_TL_STEP_COUNT] = {
		[D0_TL_ZAP] = "zap", [D0_TL_REVOKE] = "revoke", [D0_TL_UNREVOKE] = "unrevoke",
		[D0_TL_EXPORT] = "dmabuf-export", [D0_TL_RESET] = "reset", [D0_TL_OPEN] = "open",
		[D0_TL_CLOSE] = "close", [D0_TL_POWER] = "power",
	};

	return s < D0_TL_STEP_COUNT ? names[s] : "?";
}

/*
 * Room for one more `size`-byte item: the array (moved, maybe), or NULL when
 * out of memory, the array and *cap untouched. The caller returns the error up.
 */
static void *grow(void *arr, int *cap, size_t n, size_t size)
{
	int ncap;
	void *p;

	if (n < (size_t)*cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(arr, (size_t)ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

void d0_timeline_init(struct d0_timeline *tl, __u32 mode, __u32 only_bdf)
{
	memset(tl, 0, sizeof(*tl));
	tl->mode = mode;
	tl->only_bdf = only_bdf;
	d0_verdict_init(&tl->verdict, mode, NULL, NULL);
}

void d0_timeline_free(struct d0_timeline *tl)
{
	for (int i = 0; i < tl->ndevs; i++) {
		struct d0_tl_device *d = &tl->devs[i];

		free(d->power);
		free(d->map);
		free(d->dmabuf);
		free(d->marks);
		free(d->runs);
		free(d->viols);
	}
	free(tl->devs);
	free(tl->gaps);
	free(tl->pending);
	d0_verdict_free(&tl->verdict);
	memset(tl, 0, sizeof(*tl));
}

int d0_timeline_add_event(struct d0_timeline *tl, const struct d0_event *e)
{
	if (tl->npending == tl->cpending) {
		size_t cap = tl->cpending ? tl->cpending * 2 : 256;
		struct d0_event *p = realloc(tl->pending, cap * sizeof(*p));

		if (!p)
			return -1;
		tl->pending = p;
		tl->cpending = cap;
	}
	tl->pending[tl->npending++] = *e;
	return 0;
}

int d0_timeline_add_gap(struct d0_timeline *tl, __u64 first_seq, __u64 lost)
{
	struct d0_tl_gap *gaps = grow(tl->gaps, &tl->cgaps, tl->ngaps, sizeof(*tl->gaps));

	if (!gaps)
		return -1;
	tl->gaps = gaps;
	tl->gaps[tl->ngaps++] = (struct d0_tl_gap){ .first_seq = first_seq, .lost = lost };
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	__u64 x = ((const struct d0_event *)a)->seq, y = ((const struct d0_event *)b)->seq;

	return x < y ? -1 : x > y;
}

static int gap_by_seq(const void *a, const void *b)
{
	__u64 x = ((const struct d0_tl_gap *)a)->first_seq, y = ((const struct d0_tl_gap *)b)->first_seq;

	return x < y ? -1 : x > y;
}

static struct d0_tl_device *device_of(struct d0_timeline *tl, __u32 bdf, __u64 t)
{
	struct d0_tl_device *d;

	for (int i = 0; i < tl->ndevs; i++)
		if (tl->devs[i].bdf == bdf)
			return &tl->devs[i];
	d = grow(tl->devs, &tl->cdevs, tl->ndevs, sizeof(*tl->devs));
	if (!d)
		return NULL;
	tl->devs = d;
	d = &tl->devs[tl->ndevs++];
	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	d->first_t = t;
	return d;
}

/* The track takes `value` from t on; equal values extend the current span, a change at the
 * same instant replaces it (no zero-length spans). */
static int span_set(struct d0_tl_span **arr, int *n, int *cap, __u64 t, __u64 seq, int value, int value2)
{
	struct d0_tl_span *last = *n ? &(*arr)[*n - 1] : NULL, *p;

	if (last && last->value == value && last->value2 == value2)
		return 0;
	if (last && last->start == t) {
		(*n)--;
		last = *n ? &(*arr)[*n - 1] : NULL;
		if (last && last->value == value && last->value2 == value2)
			return 0;
	}
	if (last)
		last->end = t;
	p = grow(*arr, cap, *n, sizeof(**arr));
	if (!p)
		return -1;
	*arr = p;
	(*arr)[(*n)++] = (struct d0_tl_span){ .start = t, .end = t, .value = value, .value2 = value2, .seq = seq };
	return 0;
}

static int power_of(int power)
{
	return power >= D0_PWR_D0 && power <= D0_PWR_D3COLD ? power : D0_PWR_UNKNOWN;
}

static int map_of(const struct d0_event *e)
{
	if (!(e->state & D0_ST_VDEV_KNOWN))
		return D0_TL_MAP_UNKNOWN;
	if (e->state & D0_ST_MAPPED)
		return D0_TL_MAP_MAPPED;
	if (e->state & D0_ST_MAPPED_UNKNOWN)
		return D0_TL_MAP_UNKNOWN;
	return D0_TL_MAP_ZAPPED;
}

/* Hot-path events: they neither end an access run nor count as a step. */
static bool hot_path(const struct d0_event *e)
{
	return d0_is_access_kind(e->kind) || e->kind == D0_EV_BAR_RW_DONE;
}

static int step_of(const struct d0_event *e)
{
	if (d0_is_power_event(e))
		return e->phase == D0_PH_EXIT && d0_is_power_transition(e) ? D0_TL_POWER : -1;
	switch (e->kind) {
	case D0_EV_ZAP:
		return e->phase != D0_PH_EXIT ? D0_TL_ZAP : -1;
	case D0_EV_DMABUF_MOVE:
		return d0_is_dmabuf_move_step(e) ? (e->a0 ? D0_TL_REVOKE : D0_TL_UNREVOKE) : -1;
	case D0_EV_DMABUF_EXPORT:
		return e->phase == D0_PH_EXIT && e->ret > 0 ? D0_TL_EXPORT : -1;
	case D0_EV_DMABUF_CREATE: /* the series: the DMABUF behind a BAR mmap */
		return e->phase == D0_PH_EXIT && e->ret == 0 ? D0_TL_EXPORT : -1;
	case D0_EV_RESET:
	case D0_EV_HOT_RESET:
		return e->phase == D0_PH_ENTRY ? D0_TL_RESET : -1;
	case D0_EV_OPEN:
		return e->phase == D0_PH_EXIT && e->ret == 0 ? D0_TL_OPEN : -1;
	case D0_EV_CLOSE:
		return e->phase == D0_PH_ENTRY ? D0_TL_CLOSE : -1;
	default:
		return -1;
	}
}

static int add_run(struct d0_tl_device *d, const struct d0_event *e, __u64 t, bool refused)
{
	struct d0_tl_run *r = d->nruns ? &d->runs[d->nruns - 1] : NULL;

	if (!d->run_open || !r || r->refused != refused) {
		r = grow(d->runs, &d->cruns, d->nruns, sizeof(*d->runs));
		if (!r)
			return -1;
		d->runs = r;
		r = &d->runs[d->nruns++];
		*r = (struct d0_tl_run){ .start = t, .refused = refused, .first_seq = e->seq };
		d->run_open = true;
	}
	r->end = t;
	r->count++;
	r->kinds |= 1ull << e->kind;
	return 0;
}

/* After lost events nothing is known about any device until its next event. */
static int apply_gap(struct d0_timeline *tl, struct d0_tl_gap *g, __u64 from, __u64 to)
{
	g->from = from;
	g->to = to;
	tl->lost += g->lost;
	d0_verdict_lost(&tl->verdict, g->lost);
	for (int i = 0; i < tl->ndevs; i++) {
		struct d0_tl_device *d = &tl->devs[i];

		if (span_set(&d->power, &d->npower, &d->cpower, from, g->first_seq, D0_PWR_UNKNOWN, 0) ||
		    span_set(&d->map, &d->nmap, &d->cmap, from, g->first_seq, D0_TL_MAP_UNKNOWN, 0) ||
		    span_set(&d->dmabuf, &d->ndmabuf, &d->cdmabuf, from, g->first_seq, -1, -1))
			return -1;
		d->run_open = false;
	}
	return 0;
}

static const struct d0_dev_history *history_now(const struct d0_verdict *v, __u32 bdf)
{
	for (int i = 0; i < v->ndevs; i++)
		if (v->devs[i].bdf == bdf)
			return &v->devs[i];
	return NULL;
}

static bool first_of_its_kind(const struct d0_verdict *v, int rule, __u32 bdf)
{
	for (int i = 0; i < v->nviols; i++)
		if (v->viols[i].rule == rule && v->viols[i].bdf == bdf)
			return v->viols[i].count == 1;
	return false;
}

/* Judge one event with the verdict machinery and draw what it changed on its device. */
static int take_event(struct d0_timeline *tl, const struct d0_event *e, __u64 t)
{
	struct d0_verdict *v = &tl->verdict;
	const struct d0_dev_history *h = history_now(v, e->bdf);
	struct d0_dev_history before = h ? *h : (struct d0_dev_history){ .bdf = e->bdf };
	__u64 by_rule[D0_RULE_MAX + 1], accesses = v->accesses, refused = v->refused;
	struct d0_tl_device *d;
	bool broke = false;
	int step;

	memcpy(by_rule, v->by_rule, sizeof(by_rule));
	if (d0_verdict_event(v, e, -1))
		return -1;
	tl->events++;
	for (int r = 1; r <= D0_RULE_MAX; r++)
		broke |= v->by_rule[r] != by_rule[r];
	/* an event naming no device gets a lane only when it broke a rule */
	if (e->bdf == D0_TL_ANY_DEVICE && !broke)
		return 0;
	d = device_of(tl, e->bdf, t);
	if (!d)
		return -1;
	d->events++;
	d->last_t = t;
	if (span_set(&d->power, &d->npower, &d->cpower, t, e->seq, power_of(e->power), 0) ||
	    span_set(&d->map, &d->nmap, &d->cmap, t, e->seq, map_of(e), 0) ||
	    (e->state & D0_ST_VDEV_KNOWN ?
		     span_set(&d->dmabuf, &d->ndmabuf, &d->cdmabuf, t, e->seq, e->nr_dmabufs, e->nr_unrevoked) :
		     span_set(&d->dmabuf, &d->ndmabuf, &d->cdmabuf, t, e->seq, -1, -1)))
		return -1;

	if (v->accesses != accesses || v->refused != refused) {
		d->accesses += v->accesses - accesses;
		d->refused += v->refused - refused;
		if (add_run(d, e, t, v->refused != refused))
			return -1;
	} else if (!hot_path(e)) {
		d->run_open = false;
	}
	step = step_of(e);
	if (step >= 0) {
		struct d0_tl_mark *m = grow(d->marks, &d->cmarks, d->nmarks, sizeof(*d->marks));

		if (!m)
			return -1;
		d->marks = m;
		d->marks[d->nmarks++] = (struct d0_tl_mark){ .step = step, .ev = *e };
	}
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		struct d0_tl_violation *tv;

		if (v->by_rule[r] == by_rule[r])
			continue;
		tv = grow(d->viols, &d->cviols, d->nviols, sizeof(*d->viols));
		if (!tv)
			return -1;
		d->viols = tv;
		d->viols[d->nviols++] = (struct d0_tl_violation){
			.rule = r, .first = first_of_its_kind(v, r, e->bdf), .ev = *e, .before = before };
		tl->violations++;
	}
	return 0;
}

int d0_timeline_build(struct d0_timeline *tl)
{
	__u64 last = 0;
	bool any = false;
	int g = 0;

	if (tl->built)
		return 0;
	tl->built = true;
	/* qsort's array may not be NULL, even when empty */
	if (tl->npending)
		qsort(tl->pending, tl->npending, sizeof(*tl->pending), by_seq);
	if (tl->ngaps)
		qsort(tl->gaps, tl->ngaps, sizeof(*tl->gaps), gap_by_seq);
	for (size_t i = 0; i < tl->npending; i++) {
		const struct d0_event *e = &tl->pending[i];
		/* seq and ts are taken at slightly different moments: keep time monotonic */
		__u64 t = any && e->ts_ns < last ? last : e->ts_ns;

		/* every device's events place the gaps, even those --device leaves out */
		while (g < tl->ngaps && e->seq >= tl->gaps[g].first_seq) {
			if (apply_gap(tl, &tl->gaps[g], any ? last : t, t))
				return -ENOMEM;
			g++;
		}
		last = t;
		if (!any) {
			/* one clock origin for the lanes and the explain text, --device or not */
			tl->t0 = t;
			tl->verdict.first_ts = t;
		}
		any = true;
		tl->t_end = t;
		if (tl->only_bdf != D0_TL_ANY_DEVICE && e->bdf != tl->only_bdf)
			continue;
		if (take_event(tl, e, t))
			return -ENOMEM;
	}
	for (; g < tl->ngaps; g++)
		if (apply_gap(tl, &tl->gaps[g], last, last))
			return -ENOMEM;
	for (int i = 0; i < tl->ndevs; i++) {
		struct d0_tl_device *d = &tl->devs[i];

		if (d->npower)
			d->power[d->npower - 1].end = tl->t_end;
		if (d->nmap)
			d->map[d->nmap - 1].end = tl->t_end;
		if (d->ndmabuf)
			d->dmabuf[d->ndmabuf - 1].end = tl->t_end;
	}
	free(tl->pending);
	tl->pending = NULL;
	tl->npending = tl->cpending = 0;
	return 0;
}

const struct d0_tl_device *d0_timeline_device(const struct d0_timeline *tl, __u32 bdf)
{
	for (int i = 0; i < tl->ndevs; i++)
		if (tl->devs[i].bdf == bdf)
			return &tl->devs[i];
	return NULL;
}

void d0_tl_violation_text(FILE *f, const struct d0_timeline *tl, const struct d0_tl_violation *v)
{
	struct d0_violation viol = { .rule = v->rule, .bdf = v->ev.bdf, .count = 1, .first = v->ev,
				     .before = v->before };

	d0_violation_text(f, &tl->verdict, &viol);
}
