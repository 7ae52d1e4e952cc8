// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit record: write the raw event stream as a trace file (NDJSON,
 * gzip by extension). For developers and CI: every event, every gap, and a
 * footer whose counters prove nothing went missing unaccounted.
 */
#include "cli/cli.h"
#include "lib/duration.h"
#include "model/event_names.h"
#include "lib/log.h"
#include "live/session.h"
#include "trace/trace_writer.h"
#include "lib/json_out.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct record_ctx {
	struct d0_trace_writer *w;
};

static int write_header(struct d0_session *s, void *ctx)
{
	struct record_ctx *r = ctx;
	struct d0_trace_start facts;

	d0_session_trace_start(s, &facts);
	return d0_trace_header(r->w, &facts);
}

static int on_event(const struct d0_event *e, void *ctx)
{
	struct record_ctx *r = ctx;

	d0_trace_event(r->w, e);
	return 0;
}

static void on_gap(__u64 first, __u64 count, void *ctx)
{
	struct record_ctx *r = ctx;

	d0_trace_gap(r->w, first, count);
}

static void on_attached(int hook, __u64 ts_ns, void *ctx)
{
	struct record_ctx *r = ctx;

	d0_trace_attach(r->w, hook, ts_ns);
}

/*
 * -j: the outcome as one JSON object on stdout, unless the trace itself goes
 * to stdout (-o -), where its footer carries the same counters.
 */
static int result(const char *out, const struct d0_session_result *res, int code)
{
	json_t *o;

	if (!d0_opts.json || !strcmp(out, "-"))
		return code;
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:i}", "type", "record", "trace", out,
		      "produced", (json_int_t)res->counters.produced, "delivered", (json_int_t)res->counters.delivered,
		      "lost", (json_int_t)res->counters.drops[D0_DROP_RINGBUF_FULL],
		      "untracked", (json_int_t)res->counters.drops[D0_DROP_DEVMAP_FULL],
		      "exit_without_entry", (json_int_t)res->counters.drops[D0_DROP_NO_ENTRY], "ended_by",
		      res->ended_by ? res->ended_by : "", "exit_code", code);
	if (res->cmd_status >= 0 && WIFEXITED(res->cmd_status))
		json_object_set_new(o, "command_exit", json_integer(WEXITSTATUS(res->cmd_status)));
	else if (res->cmd_status >= 0 && WIFSIGNALED(res->cmd_status))
		json_object_set_new(o, "command_signal", json_integer(WTERMSIG(res->cmd_status)));
	d0_json_print(o);
	return code;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit record -o FILE [--duration D] [--all] [--ringbuf-size N] [-- CMD [ARGS]]\n"
		"\n"
		"Attach every hook this kernel allows and write the raw event stream to FILE\n"
		"(newline-delimited JSON; gzip when FILE ends in .gz; '-' is stdout). Stops when\n"
		"CMD exits, after the duration, or on SIGINT/SIGTERM; then drains every event.\n"
		"\n"
		"  -o, --output FILE     trace file (required)\n"
		"  -d, --duration D      stop after D (90, 90s, 250ms, 2m, 1h)\n"
		"  -a, --all             also record BAR accesses and faults in D0 (hot paths)\n"
		"      --ringbuf-size N  ring buffer bytes (power of two, e.g. 4M; default 4M)\n"
		"  -j, --json            the outcome (counters, exit code) as JSON on stdout, and\n"
		"                        diagnostics as JSON on stderr\n"
		"With -j or -o -, CMD's own stdout goes to stderr: stdout is only d0audit's.\n"
		"\n"
		"Exit: 0 complete, 2 usage/setup error, 3 events were lost (counted in the footer).\n"
		"Examples:\n"
		"  d0audit record -o run.ndjson.gz -- ./my-vfio-test\n"
		"  d0audit record -o - --duration 10s | jq -c 'select(.kind==\"zap\")'\n");
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	struct d0_session_run_opts so = {};
	struct d0_session s = { .probe_variants = true };
	struct d0_session_result res;
	struct d0_trace_end end;
	struct record_ctx r = {};
	struct d0_consumer_ops ops = { .event = on_event, .gap = on_gap, .attached = on_attached, .ctx = &r };
	const char *out = NULL;
	char why[96];
	unsigned long long v;
	int c, err, write_err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:d:ajh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd':
			if (d0_opt_duration(optarg, &so.duration_ms))
				return D0_EXIT_USAGE;
			break;
		case 'a': s.load.record_all = true; break;
		case 'r':
			if (d0_opt_ringbuf_size(optarg, &v))
				return D0_EXIT_USAGE;
			s.load.ringbuf_bytes = v;
			break;
		case 'j': d0_opts.json = true; break;
		case 'h': usage(stdout); return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "+o:d:ajh" D0_GLOBAL_SHORT, opts);
		}
	}
	if (!out) {
		d0_usage_error("record: -o FILE is required");
		return D0_EXIT_USAGE;
	}
	if (optind < argc)
		so.cmd = argv + optind;
	/* our stdout carries the trace (-o -) or the -j outcome: the command's own output goes to stderr */
	so.cmd_stdout_to_stderr = d0_opts.json || !strcmp(out, "-");
	r.w = d0_trace_open(out);
	if (!r.w)
		return D0_EXIT_USAGE;
	so.ready = write_header;
	so.ready_ctx = &r;
	err = d0_session_run(&s, &so, &ops, &res);
	if (err) {
		d0_session_close(&s);
		d0_trace_abandon(r.w);
		return D0_EXIT_CANNOT;
	}
	d0_session_trace_end(&s, &res, &end);
	d0_trace_footer(r.w, &end);
	d0_session_close(&s);
	write_err = d0_trace_close(r.w);
	d0_info("record: %llu events produced, %llu delivered, %llu lost (ring buffer full), "
		"%llu untracked (device map full), %llu exits without their entry; ended by %s",
		(unsigned long long)res.counters.produced, (unsigned long long)res.counters.delivered,
		(unsigned long long)res.counters.drops[D0_DROP_RINGBUF_FULL],
		(unsigned long long)res.counters.drops[D0_DROP_DEVMAP_FULL],
		(unsigned long long)res.counters.drops[D0_DROP_NO_ENTRY], res.ended_by);
	if (res.cmd_status >= 0 && WIFEXITED(res.cmd_status) && WEXITSTATUS(res.cmd_status))
		d0_warn("record: the command exited with status %d", WEXITSTATUS(res.cmd_status));
	if (write_err)
		return result(out, &res, D0_EXIT_CANNOT);
	if (res.bad_records)
		d0_err("record: %lu records from the kernel were malformed (wrong size, unknown kind or hook) and "
		       "are not in the trace: BPF object and d0audit from different builds?", res.bad_records);
	if (d0_session_cmd_killed(&res, why, sizeof(why))) {
		d0_err("record: the command was %s: the trace covers only what it did before", why);
		return result(out, &res, D0_EXIT_CANNOT);
	}
	if (res.unaccounted) /* said by the session's stop */
		return result(out, &res, D0_EXIT_CANNOT);
	for (int c = 0; c < D0_DROP_CAUSES; c++)
		if (res.counters.drops[c])
			return result(out, &res, D0_EXIT_CANNOT);
	return result(out, &res, D0_EXIT_OK);
}
