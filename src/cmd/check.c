// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit check TRACE: the offline verdict for CI. Replays a recorded trace
 * through the same rules the kernel evaluated, asserts that the trace
 * exercised what it should (--require), waives known issues (--allow), and
 * says "incomplete" rather than "clean" when it could not see enough.
 */
#include "out/check_output.h"
#include "cli/cli.h"
#include "model/event_names.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "model/rules_meta.h"
#include "model/summary.h"
#include "trace/trace_reader.h"
#include "trace/trace_replay.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ARGS 64

/* Which hooks worked when the trace was recorded, from its header. */
static void availability_from_header(json_t *hdr, struct d0_hook_availability *a)
{
	json_t *hooks = json_object_get(hdr, "hooks"), *h;
	size_t i;

	/* a hook the trace does not list did not exist when it was recorded */
	for (i = 0; i < D0_HOOK_COUNT; i++)
		a->of[i] = D0_AVAIL_UNRECORDED;
	json_array_foreach(hooks, i, h) {
		const struct d0_hook_def *d = d0_hook_by_name(json_string_value(json_object_get(h, "name")) ?: "");
		const char *status = json_string_value(json_object_get(h, "status")) ?: "";
		const char *reason = json_string_value(json_object_get(h, "reason")) ?: "";

		if (d)
			a->of[d->id] = d0_avail_recorded(status, reason);
	}
}

/* Hooks attached after the header (their module loaded later) worked from then on. */
static void availability_add_late(json_t *footer, struct d0_hook_availability *a)
{
	json_t *late = json_object_get(footer, "late_attached"), *h;
	size_t i;

	json_array_foreach(late, i, h) {
		const struct d0_hook_def *d = d0_hook_by_name(json_string_value(json_object_get(h, "name")) ?: "");

		if (d)
			a->of[d->id] = D0_AVAIL_WORKS;
	}
}

/* Devices whose driver's own BAR paths no hook saw (variant drivers): as incomplete as live. */
static void unobserved_from_footer(json_t *footer, struct d0_summary *sum)
{
	json_t *u = json_object_get(footer, "unobserved"), *s;
	size_t i;

	json_array_foreach(u, i, s)
		if (json_is_string(s))
			d0_summary_problem(sum, "%s", json_string_value(s));
}

/* Events the kernel dropped without a sequence number (no gap record shows them): as incomplete as live. */
static void drops_from_footer(json_t *footer, struct d0_summary *sum)
{
	json_t *drops = json_object_get(footer, "drops");
	__u64 n[D0_DROP_CAUSES] = {};

	for (int c = 0; c < D0_DROP_CAUSES; c++) {
		json_t *v = json_object_get(drops, d0_drop_cause_name(c));

		if (json_is_integer(v) && json_integer_value(v) > 0)
			n[c] = json_integer_value(v);
	}
	d0_summary_drops(sum, n);
}

/* Replaying the trace: the header decides the default mode; each event is judged and counted. */
struct replay {
	struct d0_check_result *res;
	bool mode_given;
	__u32 rec_mode;        /* the mode the trace was recorded in */
};

static void on_header(json_t *hdr, void *ctx)
{
	struct replay *rp = ctx;
	const char *m = json_string_value(json_object_get(hdr, "mode"));

	if (m && d0_mode_from_name(m, &rp->rec_mode))
		rp->rec_mode = D0_MODE_STRICT;
	if (!rp->mode_given)
		rp->res->verdict.mode = rp->rec_mode;
	availability_from_header(hdr, &rp->res->sum.avail);
	d0_replay_hook_since(hdr, &rp->res->verdict);
	rp->res->sum.iommufd = json_is_true(json_object_get(hdr, "iommufd"));
}

static int on_event(const struct d0_event *e, void *ctx)
{
	struct replay *rp = ctx;
	struct d0_verdict *v = &rp->res->verdict;

	if (d0_verdict_event(v, e, v->mode == rp->rec_mode ? (long long)e->violations : -1))
		return -ENOMEM;
	d0_check_count_requirements(rp->res, e);
	return 0;
}

static int on_gap(__u64 first, __u64 lost, void *ctx)
{
	struct replay *rp = ctx;

	(void)first;
	d0_verdict_lost(&rp->res->verdict, lost);
	return 0;
}

static void on_footer(json_t *footer, void *ctx)
{
	struct replay *rp = ctx;

	availability_add_late(footer, &rp->res->sum.avail);
	unobserved_from_footer(footer, &rp->res->sum);
	drops_from_footer(footer, &rp->res->sum);
}

static void on_attach(int hook, __u64 ts_ns, void *ctx)
{
	d0_verdict_hook_since(&((struct replay *)ctx)->res->verdict, hook, ts_ns);
}

static const struct d0_replay_ops replay_ops = {
	.header = on_header, .event = on_event, .gap = on_gap, .footer = on_footer, .attach = on_attach,
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit check [OPTIONS] TRACE\n"
		"\n"
		"Judge a recorded trace (d0audit record / audit --record) offline with the same rules\n"
		"the kernel evaluated. TRACE may be gzip-compressed; '-' reads stdin.\n"
		"\n"
		"  --mode strict|kernel       judge D1/D2 as not D0 (strict) or only D3hot+ (kernel);\n"
		"                             default: the mode the trace was recorded in\n"
		"  --require EVENT[:DEV][:N]  incomplete unless the trace has N (default 1) events of kind\n"
		"                             EVENT on device DEV (or any: '*' or empty); e.g.\n"
		"                             --require zap:0000:00:03.0:2  --require reset::3\n"
		"  --allow RULE[:DEV]         waive a known violation (rule id or name)\n"
		"  --format text|json|junit|tap   output (default text; -j = json)\n"
		"\n"
		"Exit: 0 clean, 1 violations, 2 usage error, 3 incomplete (lost events, truncated or\n"
		"corrupt trace, a rule's hooks missing, or a --require not met).\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "require", required_argument, NULL, 'r' },
		{ "allow", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	struct d0_check_result res = { .format = d0_opts.json ? D0_FMT_JSON : D0_FMT_TEXT };
	struct d0_allow allow[MAX_ARGS];
	struct d0_trace_reader *r;
	struct replay rp;
	struct d0_replay_end end;
	__u32 mode = D0_MODE_STRICT;
	bool mode_given = false;
	struct timespec t0, t1;
	int c, nallow = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	res.started = time(NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (d0_opt_mode(optarg, &mode))
				return D0_EXIT_USAGE;
			mode_given = true;
			break;
		case 'r':
			if (d0_opt_require(optarg, res.req, &res.nreq, MAX_ARGS))
				return D0_EXIT_USAGE;
			break;
		case 'a':
			if (d0_opt_allow(optarg, allow, &nallow, MAX_ARGS))
				return D0_EXIT_USAGE;
			break;
		case 'f':
			if (d0_check_format_parse(optarg, &res.format)) {
				d0_err("check: --format must be text, json, junit or tap, not '%s'", optarg);
				return D0_EXIT_USAGE;
			}
			break;
		case 'j': res.format = D0_FMT_JSON; d0_opts.json = true; break;
		case 'h': usage(stdout); return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "jh" D0_GLOBAL_SHORT, opts);
		}
	}
	for (int i = 0; i < res.nreq; i++)
		d0_note_short_bdf("--require", res.req[i].text, res.req[i].short_bdf, res.req[i].bdf);
	for (int i = 0; i < nallow; i++)
		d0_note_short_bdf("--allow", allow[i].text, allow[i].short_bdf, allow[i].bdf);
	if (optind != argc - 1) {
		d0_usage_error("check: exactly one TRACE file expected");
		return D0_EXIT_USAGE;
	}
	res.trace = argv[optind];
	d0_progress_begin("check: reading %s: events", strrchr(res.trace, '/') ? strrchr(res.trace, '/') + 1 : res.trace);
	r = d0_trace_reader_open(res.trace);
	if (!r) {
		d0_progress_end();
		return D0_EXIT_USAGE;
	}

	d0_verdict_init(&res.verdict, mode, NULL, NULL);
	res.verdict.allow = allow;
	res.verdict.nallow = nallow;
	res.sum.v = &res.verdict;
	rp = (struct replay){ .res = &res, .mode_given = mode_given, .rec_mode = D0_MODE_STRICT };
	d0_trace_replay(r, &replay_ops, &rp, &end);
	if (end.stopped) {
		d0_err("check: out of memory keeping the verdict of %s", res.trace);
		d0_summary_problem(&res.sum, "%s: out of memory after %llu events (the verdict covers those)",
				   res.trace, (unsigned long long)res.verdict.events);
	} else if (end.error) {
		d0_err("check: %s", d0_trace_reader_error(r));
		d0_summary_problem(&res.sum, "%s (verdict covers the %llu intact events before it)",
				   d0_trace_reader_error(r), (unsigned long long)res.verdict.events);
	} else if (!end.footer) {
		d0_summary_problem(&res.sum, "%s has no footer: the recording did not finish (truncated?)", res.trace);
	}
	res.not_a_trace = !d0_trace_reader_saw_header(r);
	d0_trace_reader_close(r);
	d0_progress_end();
	d0_summary_coverage(&res.sum);
	d0_check_requirements_judge(&res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res.elapsed_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	c = d0_check_output(&res);
	d0_verdict_free(&res.verdict);
	return c;
}
