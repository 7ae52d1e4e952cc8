// SPDX-License-Identifier: GPL-2.0
/*
 * A violation as the user reads it (text and JSON): the verdict (verdict.c)
 * judges and keeps history, this file only renders; it never calls back into
 * the verdict.
 */
#include "model/violation_out.h"
#include "lib/escape.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "d0audit/event_facts.h"
#include "model/rules_meta.h"

#include <string.h>

void d0_event_describe(const struct d0_event *e, __u64 t0, char *buf, size_t len)
{
	const struct d0_hook_def *h = e->hook < D0_HOOK_COUNT ? &d0_hooks[e->hook] : NULL;
	struct d0_comm_text comm;
	int n = snprintf(buf, len, "+%.6fs %s %s in %s by pid %u (%s), power %s",
			 (double)(e->ts_ns - t0) / 1e9, d0_kind_name(e->kind) ? d0_kind_name(e->kind) : "?",
			 d0_phase_name(e->phase), h ? h->target : "?", e->pid, d0_comm_text(&comm, e->comm),
			 d0_power_name(e->power));

	if (d0_is_power_transition(e))
		snprintf(buf + n, len - n, " (was %s)", d0_power_name(e->power_before));
}

static void ctx_text(__u32 bits, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; d0_ctx_names[i] && o < len; i++)
		if (bits & (1u << i))
			o += snprintf(buf + o, len - o, "%s%s", o ? "," : "", d0_ctx_names[i]);
	if (!o)
		snprintf(buf, len, "none (not inside vfio, runtime PM or a reset)");
}

/* The seed's VMA explains the violation: the device was still judged mapped from it. */
static const struct d0_event *seed_of(const struct d0_violation *viol)
{
	const struct d0_event *s = &viol->before.seed;

	return s->ts_ns && (viol->first.state & D0_ST_SEEDED) && (viol->first.state & D0_ST_MAPPED) ? s : NULL;
}

bool d0_violation_seed_reason(const struct d0_violation *viol, char *buf, size_t len)
{
	const struct d0_event *s = seed_of(viol);
	struct d0_comm_text comm;

	if (!s)
		return false;
	snprintf(buf, len, "mapped before the audit started: pid %u comm %s vma %#llx-%#llx%s%s", s->pid,
		 d0_comm_text(&comm, s->comm), (unsigned long long)s->a2, (unsigned long long)s->a3,
		 s->a1 ? " (a DMABUF's)" : "",
		 s->a0 == D0_SEED_PTES_PRESENT ? ", PTEs present" : ", PTEs possibly present");
	return true;
}

/* The prior steps worth showing, oldest first (the seed's VMA first when it explains it). */
static int prior_events(const struct d0_violation *viol, const struct d0_event *out[4])
{
	const struct d0_dev_history *h = &viol->before;
	const struct d0_event *c[] = { seed_of(viol), &h->power, &h->fault, &h->zap, &h->revoke, &h->unrevoke };
	int n = 0;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (c[i] && c[i]->ts_ns && n < 4)
			out[n++] = c[i];
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j]->ts_ns < out[j - 1]->ts_ns; j--) {
			const struct d0_event *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

void d0_violation_text(FILE *f, const struct d0_verdict *v, const struct d0_violation *viol)
{
	const struct d0_event *e = &viol->first, *prior[4];
	char bdf[16], step[256], ctx[256], seed[192];
	int n = prior_events(viol, prior);

	d0_bdf_format(viol->bdf, bdf, sizeof(bdf));
	d0_event_describe(e, v->first_ts, step, sizeof(step));
	ctx_text(e->ctx, ctx, sizeof(ctx));
	fprintf(f, "%s rule %d %s on %s: %s\n", viol->allowed ? "ALLOWED" : "VIOLATION", viol->rule,
		d0_rule_meta[viol->rule].name, bdf, d0_rule_summary(viol->rule));
	fprintf(f, "  step:   %s\n", step);
	fprintf(f, "  inside: %s\n", ctx);
	fprintf(f, "  state:  %s%s%s%s, DMABUFs %u unrevoked of %u\n",
		e->state & D0_ST_OPEN ? "open" : "closed", e->state & D0_ST_MEM_ENABLED ? ", decode on" : ", decode off",
		e->state & D0_ST_IOMMU_MAPPED ? ", IOMMU entries (type1 MAP_DMA) point at its BARs" :
		e->state & D0_ST_MAPPED ? ", PTEs may exist" : "",
		e->state & D0_ST_LOCK_W_CURRENT ? ", memory_lock held" : ", memory_lock not held by the task",
		e->nr_unrevoked, e->nr_dmabufs);
	if (d0_violation_seed_reason(viol, seed, sizeof(seed)))
		fprintf(f, "  why:    %s\n", seed);
	for (int i = 0; i < n; i++) {
		d0_event_describe(prior[i], v->first_ts, step, sizeof(step));
		fprintf(f, "  before: %s\n", step);
	}
	fprintf(f, "  means:  %s\n", d0_rule_meta[viol->rule].means);
}

static json_t *event_brief(const struct d0_verdict *v, const struct d0_event *e)
{
	struct d0_comm_text comm;

	return json_pack("{s:I, s:f, s:s, s:s, s:s, s:s, s:I, s:s}", "seq", (json_int_t)e->seq,
			 "t", (double)(e->ts_ns - v->first_ts) / 1e9, "kind", d0_kind_name(e->kind),
			 "phase", d0_phase_name(e->phase), "function",
			 e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", "power", d0_power_name(e->power),
			 "pid", (json_int_t)e->pid, "comm", d0_comm_text(&comm, e->comm));
}

json_t *d0_violation_json(const struct d0_verdict *v, const struct d0_violation *viol)
{
	const struct d0_event *prior[4], *s = seed_of(viol);
	int n = prior_events(viol, prior);
	json_t *before = json_array(), *ctx = json_array(), *o;
	char bdf[16], reason[192], a[24], b[24];
	struct d0_comm_text comm;

	for (int i = 0; i < n; i++)
		json_array_append_new(before, event_brief(v, prior[i]));
	for (int i = 0; d0_ctx_names[i]; i++)
		if (viol->first.ctx & (1u << i))
			json_array_append_new(ctx, json_string(d0_ctx_names[i]));
	d0_bdf_format(viol->bdf, bdf, sizeof(bdf));
	o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:o, s:s}", "type", "violation",
		      "rule", viol->rule, "name", d0_rule_meta[viol->rule].name, "summary",
		      d0_rule_summary(viol->rule), "dev", bdf, "allowed", viol->allowed, "count",
		      (json_int_t)viol->count, "step", event_brief(v, &viol->first), "inside", ctx,
		      "before", before, "means", d0_rule_meta[viol->rule].means);
	if (o && s && d0_violation_seed_reason(viol, reason, sizeof(reason))) {
		snprintf(a, sizeof(a), "%#llx", (unsigned long long)s->a2);
		snprintf(b, sizeof(b), "%#llx", (unsigned long long)s->a3);
		json_object_set_new(o, "mapped_before_start",
				    json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "pid", (json_int_t)s->pid, "comm",
					      d0_comm_text(&comm, s->comm), "vma_start", a, "vma_end", b, "ptes",
					      s->a0 == D0_SEED_PTES_PRESENT ? "present" : "possible", "dmabuf",
					      s->a1 != 0, "reason", reason));
	}
	return o;
}
