// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome trace-event JSON (the "JSON object" form), which ui.perfetto.dev and
 * chrome://tracing open: one process, one thread track per device, "X"
 * slices for power states, "i" instants for steps, access runs, violations
 * and lost events, "C" counters for mapping and DMABUF state.
 * Timestamps are microseconds since the trace's first event.
 */
#include "lib/escape.h"
#include "out/render.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "model/rules_meta.h"
#include "model/violation_out.h"

#include <jansson.h>

#define PID 1

/*
 * Microseconds since the first event, from the integer nanoseconds in one division: the
 * nearest double to N.nnn, which the 15 significant digits the document is printed with
 * (JSON_REAL_PRECISION below) show exactly as N.nnn for any trace shorter than 11 days;
 * seconds * 1e6 rounded twice and printed as 47425.771000000001.
 */
static double us(const struct d0_timeline *tl, __u64 t)
{
	return t >= tl->t0 ? (double)(t - tl->t0) / 1e3 : -(double)(tl->t0 - t) / 1e3;
}

static json_t *base(const char *name, const char *cat, const char *ph, int tid, double ts)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:f}", "name", name, "cat", cat, "ph", ph, "pid", PID, "tid", tid,
			 "ts", ts);
}

static json_t *metadata(const char *what, int tid, const char *name)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:{s:o}}", "name", what, "ph", "M", "pid", PID, "tid", tid, "args",
			 "name", d0_json_visible(name));
}

static json_t *instant(const char *name, const char *cat, int tid, double ts, json_t *args)
{
	json_t *o = base(name, cat, "i", tid, ts);

	json_object_set_new(o, "s", json_string("t"));
	json_object_set_new(o, "args", args ? args : json_object());
	return o;
}

static json_t *step_args(const struct d0_timeline *tl, const struct d0_event *e)
{
	struct d0_comm_text comm;

	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:f}", "seq", (json_int_t)e->seq, "kind",
			 d0_kind_name(e->kind), "phase", d0_phase_name(e->phase), "function",
			 e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", "pid", (json_int_t)e->pid, "comm",
			 d0_comm_text(&comm, e->comm), "power", d0_power_name(e->power), "t_s", d0_report_secs(tl, e->ts_ns));
}

static void device_events(json_t *evs, const struct d0_timeline *tl, const struct d0_tl_device *d, int tid)
{
	char bdf[16], name[96];

	d0_bdf_format(d->bdf, bdf, sizeof(bdf));
	json_array_append_new(evs, metadata("thread_name", tid, bdf));
	json_array_append_new(evs, json_pack("{s:s, s:s, s:i, s:i, s:{s:i}}", "name", "thread_sort_index", "ph", "M",
					     "pid", PID, "tid", tid, "args", "sort_index", tid));

	for (int i = 0; i < d->npower; i++) {
		const struct d0_tl_span *s = &d->power[i];
		json_t *o = base(d0_power_name(s->value), "power", "X", tid, us(tl, s->start));

		json_object_set_new(o, "dur", json_real((double)(s->end - s->start) / 1e3));
		json_object_set_new(o, "args", json_pack("{s:s}", "power", d0_power_name(s->value)));
		json_array_append_new(evs, o);
	}
	/* counters are process-wide tracks in this format: the device's address names them */
	snprintf(name, sizeof(name), "%s mapped", bdf);
	for (int i = 0; i < d->nmap; i++)
		json_array_append_new(evs, json_pack("{s:s, s:s, s:s, s:i, s:f, s:{s:i}}", "name", name, "cat",
			"mapping", "ph", "C", "pid", PID, "ts", us(tl, d->map[i].start), "args", "mapped",
			d->map[i].value == D0_TL_MAP_MAPPED ? 1 : d->map[i].value == D0_TL_MAP_ZAPPED ? 0 : -1));
	snprintf(name, sizeof(name), "%s dmabufs", bdf);
	for (int i = 0; i < d->ndmabuf; i++)
		json_array_append_new(evs, json_pack("{s:s, s:s, s:s, s:i, s:f, s:{s:i, s:i}}", "name", name, "cat",
			"dmabuf", "ph", "C", "pid", PID, "ts", us(tl, d->dmabuf[i].start), "args", "total",
			d->dmabuf[i].value, "unrevoked", d->dmabuf[i].value2));

	for (int i = 0; i < d->nmarks; i++) {
		const struct d0_tl_mark *m = &d->marks[i];
		json_t *args = step_args(tl, &m->ev);

		if (m->step == D0_TL_POWER) {
			snprintf(name, sizeof(name), "%s -> %s", d0_power_name(m->ev.power_before),
				 d0_power_name(m->ev.power));
			json_array_append_new(evs, instant(name, "power", tid, us(tl, m->ev.ts_ns), args));
			continue;
		}
		json_array_append_new(evs, instant(d0_tl_step_name(m->step),
			m->step == D0_TL_REVOKE || m->step == D0_TL_UNREVOKE || m->step == D0_TL_EXPORT ? "dmabuf" :
			m->step == D0_TL_ZAP ? "zap" : "step", tid, us(tl, m->ev.ts_ns), args));
	}
	for (int i = 0; i < d->nruns; i++) {
		const struct d0_tl_run *r = &d->runs[i];
		json_t *kinds = json_array();

		for (int k = 0; k < D0_EV_COUNT; k++)
			if (r->kinds & (1ull << k))
				json_array_append_new(kinds, json_string(d0_kind_name(k)));
		snprintf(name, sizeof(name), "%s x%llu", r->refused ? "refused" : "access", (unsigned long long)r->count);
		json_array_append_new(evs, instant(name, "access", tid, us(tl, r->start),
			json_pack("{s:I, s:b, s:o, s:f, s:I}", "count", (json_int_t)r->count, "refused", r->refused,
				  "kinds", kinds, "until_us", us(tl, r->end), "first_seq", (json_int_t)r->first_seq)));
	}
	for (int i = 0; i < d->nviols; i++) {
		const struct d0_tl_violation *v = &d->viols[i];
		struct d0_violation viol = { .rule = v->rule, .bdf = v->ev.bdf, .count = 1, .first = v->ev,
					     .before = v->before };

		snprintf(name, sizeof(name), "VIOLATION rule %d %s", v->rule, d0_rule_meta[v->rule].name);
		/* the explanation check -j gives, verbatim */
		json_array_append_new(evs, instant(name, "violation", tid, us(tl, v->ev.ts_ns),
						   d0_violation_json(&tl->verdict, &viol)));
	}
}

int d0_report_perfetto(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m)
{
	json_t *evs = json_array(), *root;
	char title[512];
	int rc;

	snprintf(title, sizeof(title), "d0audit %s", m->trace);
	json_array_append_new(evs, metadata("process_name", 0, title));
	for (int i = 0; i < tl->ndevs; i++)
		device_events(evs, tl, &tl->devs[i], i + 1);
	for (int i = 0; i < tl->ngaps; i++) {
		const struct d0_tl_gap *g = &tl->gaps[i];
		char name[64];
		json_t *o;

		snprintf(name, sizeof(name), "lost %llu events", (unsigned long long)g->lost);
		o = base(name, "gap", "i", 0, us(tl, g->from));
		json_object_set_new(o, "s", json_string("g"));
		json_object_set_new(o, "args", json_pack("{s:I, s:I, s:f}", "first_seq", (json_int_t)g->first_seq,
							 "lost", (json_int_t)g->lost, "until_us", us(tl, g->to)));
		json_array_append_new(evs, o);
	}
	root = json_pack("{s:o, s:s, s:{s:o, s:o, s:s, s:I, s:I, s:I, s:o?}}", "traceEvents", evs, "displayTimeUnit",
			 "ns", "otherData", "trace", d0_json_visible(m->trace), "kernel",
			 d0_json_visible(m->kernel ? m->kernel : "unknown"), "mode", d0_mode_name(tl->mode), "events",
			 (json_int_t)tl->events, "lost", (json_int_t)tl->lost, "violations", (json_int_t)tl->violations,
			 "incomplete", m->problem ? d0_json_visible(m->problem) : NULL);
	if (!root)
		return -1;
	rc = json_dumpf(root, f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', f);
	json_decref(root);
	return rc || ferror(f) ? -1 : 0;
}
