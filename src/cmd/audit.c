// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit audit: attach, watch for a duration, around a command, or until
 * Ctrl-C, print each distinct violation as it happens, and a summary at the
 * end. The kernel judges every event (include/d0audit/rules.h); user space
 * judges the delivered ones again with the same code, and any disagreement
 * or verdict lost with dropped events makes the result incomplete.
 */
#include "cli/cli.h"
#include "lib/duration.h"
#include "kernel/host_info.h"
#include "lib/log.h"
#include "model/rules_meta.h"
#include "live/session.h"
#include "model/summary.h"
#include "trace/trace_writer.h"
#include "lib/json_out.h"
#include "model/violation_out.h"

#include <getopt.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_ALLOW 64

struct audit_ctx {
	struct d0_verdict verdict;
	struct d0_trace_writer *w;     /* --record */
};

static void print_violation(const struct d0_verdict *v, const struct d0_violation *viol, void *ctx)
{
	(void)ctx;
	if (d0_opts.json) {
		json_t *o = d0_violation_json(v, viol);

		d0_json_print(o);
	} else {
		d0_violation_text(stdout, v, viol);
	}
	fflush(stdout);
}

static int on_ready(struct d0_session *s, void *ctx)
{
	struct audit_ctx *a = ctx;
	struct d0_trace_start facts;
	char held[128];

	/* stderr in every mode (JSON with -j): scripts wait for this line before driving vfio */
	d0_info("audit: %d hooks attached, mode %s; watching", d0_session_hooks_attached(s),
		d0_mode_name(s->load.mode));
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		d0_verdict_hook_since(&a->verdict, i, d0_session_hook_since(s, i));
	if (d0_session_held_modules(s, held, sizeof(held)))
		d0_debug("while attached, modules %s cannot be unloaded (fentry programs hold them); "
			 "stop d0audit first", held);
	if (!a->w)
		return 0;
	d0_session_trace_start(s, &facts);
	return d0_trace_header(a->w, &facts);
}

static int on_event(const struct d0_event *e, void *ctx)
{
	struct audit_ctx *a = ctx;

	if (a->w)
		d0_trace_event(a->w, e);
	/* the kernel judged it in the same mode: a disagreement is a bug, and is reported */
	if (d0_verdict_event(&a->verdict, e, e->violations)) {
		d0_err("audit: out of memory keeping the verdict");
		return -ENOMEM;
	}
	return 0;
}

static void on_gap(__u64 first, __u64 count, void *ctx)
{
	struct audit_ctx *a = ctx;

	if (a->w)
		d0_trace_gap(a->w, first, count);
	d0_verdict_lost(&a->verdict, count);
}

static void on_attached(int hook, __u64 ts_ns, void *ctx)
{
	struct audit_ctx *a = ctx;

	if (a->w)
		d0_trace_attach(a->w, hook, ts_ns);
	d0_verdict_hook_since(&a->verdict, hook, ts_ns);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit audit [OPTIONS] [-- CMD [ARGS]]\n"
		"\n"
		"Attach to this host's kernel and report every break of the D0 ordering rules\n"
		"('d0audit rules'), each distinct (rule, device) once with the steps that led to\n"
		"it. Runs until CMD exits, for --duration, or until Ctrl-C; then prints a summary.\n"
		"\n"
		"  -d, --duration D       stop after D (90, 90s, 250ms, 2m, 1h)\n"
		"  -m, --mode strict|kernel  strict (default): D1/D2 count as not D0; kernel: D3hot+\n"
		"  -o, --record FILE      also keep the trace (NDJSON, .gz compresses) for 'check'\n"
		"      --allow RULE[:DEV] waive a known violation\n"
		"  -a, --all              also record hot-path events in D0 (with --record)\n"
		"      --ringbuf-size N   ring buffer bytes (default 4M)\n"
		"      --wait-vfio        start even if vfio-pci is not loaded yet; its hooks attach\n"
		"                         when it loads (always, for modules loading later)\n"
		"  -j, --json             violations and the summary as JSON lines on stdout\n"
		"                         (the command's own stdout then goes to stderr)\n"
		"\n"
		"Exit: 0 clean, 1 violations, 2 usage/setup error, 3 cannot audit or incomplete\n"
		"(lost events, hooks missing for a rule).\n"
		"Examples:\n"
		"  sudo d0audit audit --duration 10m\n"
		"  sudo d0audit audit --record run.ndjson.gz -- ./vmm-test-suite\n");
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "record", required_argument, NULL, 'o' },
		{ "allow", required_argument, NULL, 'A' },
		{ "all", no_argument, NULL, 'a' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait-vfio", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	struct d0_session_run_opts so = {};
	struct d0_session s = {};
	struct d0_session_result res;
	struct audit_ctx a = {};
	struct d0_consumer_ops ops = { .event = on_event, .gap = on_gap, .attached = on_attached, .ctx = &a };
	struct d0_allow allow[MAX_ALLOW];
	struct d0_summary sum = {};
	struct d0_host_info host;
	struct d0_trace_end end;
	const char *record = NULL;
	char why[96];
	unsigned long long v;
	int c, nallow = 0, code, err;
	bool wait_vfio = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:m:o:ajh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (d0_opt_duration(optarg, &so.duration_ms))
				return D0_EXIT_USAGE;
			break;
		case 'm':
			if (d0_opt_mode(optarg, &s.load.mode))
				return D0_EXIT_USAGE;
			break;
		case 'o': record = optarg; break;
		case 'A':
			if (d0_opt_allow(optarg, allow, &nallow, MAX_ALLOW))
				return D0_EXIT_USAGE;
			break;
		case 'a': s.load.record_all = true; break;
		case 'r':
			if (d0_opt_ringbuf_size(optarg, &v))
				return D0_EXIT_USAGE;
			s.load.ringbuf_bytes = v;
			break;
		case 'j': d0_opts.json = true; break;
		case 'W': wait_vfio = true; break;
		case 'h': usage(stdout); return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "+d:m:o:ajh" D0_GLOBAL_SHORT, opts);
		}
	}
	for (int i = 0; i < nallow; i++)
		d0_note_short_bdf("--allow", allow[i].text, allow[i].short_bdf, allow[i].bdf);
	if (optind < argc)
		so.cmd = argv + optind;
	so.cmd_stdout_to_stderr = d0_opts.json;

	d0_host_info_collect(&host, NULL);
	if (!host.vfio_pci_loaded && !wait_vfio) {
		d0_err("audit: nothing to audit: vfio-pci is not loaded on this host (modprobe vfio-pci, then bind a "
		       "device to it; or --wait-vfio to attach when it loads; 'd0audit doctor' tells more; no device? "
		       "'make demo' in the source tree audits one in a VM)");
		d0_session_cmd_not_run(so.cmd);
		return D0_EXIT_CANNOT;
	}
	s.probe_variants = true;
	if (record && !(a.w = d0_trace_open(record)))
		return D0_EXIT_USAGE;
	d0_verdict_init(&a.verdict, s.load.mode, print_violation, &a);
	a.verdict.allow = allow;
	a.verdict.nallow = nallow;
	so.ready = on_ready;
	so.ready_ctx = &a;
	err = d0_session_run(&s, &so, &ops, &res);
	if (err) {
		d0_session_close(&s);
		d0_trace_abandon(a.w);
		d0_verdict_free(&a.verdict);
		return D0_EXIT_CANNOT;
	}
	if (a.w) {
		d0_session_trace_end(&s, &res, &end);
		d0_trace_footer(a.w, &end);
		if (d0_trace_close(a.w))
			d0_summary_problem(&sum, "the trace %s is incomplete: writing it failed", record);
	}

	sum.v = &a.verdict;
	d0_session_availability(&s, &sum.avail);
	memcpy(sum.kernel_by_rule, res.counters.violations, sizeof(sum.kernel_by_rule));
	sum.iommufd = d0_session_iommufd(&s);
	d0_session_close(&s);
	sum.have_kernel_counts = true;
	d0_summary_drops(&sum, res.counters.drops);
	if (res.unaccounted)
		d0_summary_problem(&sum, "the kernel produced %llu events, but %llu were delivered and %llu dropped: "
				   "events were lost without a count (said above)", (unsigned long long)res.counters.produced,
				   (unsigned long long)res.counters.delivered,
				   (unsigned long long)res.counters.drops[D0_DROP_RINGBUF_FULL]);
	if (res.bad_records)
		d0_summary_problem(&sum, "%lu records from the kernel were malformed (wrong size, unknown kind or hook): "
				   "BPF object and d0audit from different builds?", res.bad_records);
	/* a variant driver's own BAR paths are not observed: never a clean pass on its device */
	for (int i = 0; i < res.nunobserved; i++)
		d0_summary_problem(&sum, "%s", res.unobserved[i]);
	if (d0_session_cmd_killed(&res, why, sizeof(why)))
		d0_summary_problem(&sum, "the command was %s: the audit covers only what it did before", why);
	d0_summary_coverage(&sum);
	code = d0_summary_exit(&sum);
	if (d0_opts.json) {
		json_t *o = d0_summary_json(&sum);

		d0_json_print(o);
	} else {
		d0_summary_text(stdout, &sum);
	}
	if (res.cmd_status >= 0 && WIFSIGNALED(res.cmd_status))
		d0_warn("audit: the command was killed by signal %d", WTERMSIG(res.cmd_status));
	else if (res.cmd_status > 0)
		d0_warn("audit: the command exited with status %d", WEXITSTATUS(res.cmd_status));
	d0_verdict_free(&a.verdict);
	return code;
}
