// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit report TRACE: render a recorded trace as a per-device timeline,
 * in the terminal (text), as a self-contained SVG, or as Chrome trace-event
 * JSON for Perfetto. Like check, a cut-off or corrupt trace is still drawn up
 * to its last intact record, and the exit code says so.
 */
#include "cli/cli.h"
#include "model/event_names.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "out/render.h"
#include "trace/trace_reader.h"
#include "trace/trace_replay.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum report_format { FMT_TEXT, FMT_SVG, FMT_PERFETTO };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit report [OPTIONS] TRACE\n"
		"\n"
		"Render a recorded trace as a per-device timeline: power-state bands, mapping state,\n"
		"DMABUF count and revoked state, accesses and refused attempts, lost events, and each\n"
		"violation where it happened with the steps that led to it. TRACE may be gzip-compressed;\n"
		"'-' reads stdin.\n"
		"\n"
		"  --format text|svg|perfetto  text: terminal timeline (default); svg: a self-contained\n"
		"                              SVG image; perfetto: Chrome trace-event JSON for\n"
		"                              ui.perfetto.dev or chrome://tracing\n"
		"  -o, --output FILE           write there instead of stdout\n"
		"  --device BDF                only this device (e.g. 0000:00:03.0)\n"
		"  --mode strict|kernel        judge D1/D2 as not D0 (strict) or only D3hot+ (kernel);\n"
		"                              default: the mode the trace was recorded in\n"
		"  -j, --json                  JSON: --format perfetto unless --format is given, and\n"
		"                              diagnostics as JSON on stderr\n"
		"\n"
		"Colour only when writing text to a terminal and NO_COLOR is unset.\n"
		"Exit: 0 written, no violations; 1 written, the trace has violations; 2 usage error;\n"
		"3 written, but the trace is truncated, corrupt or lost events.\n");
}

static bool want_colour(enum report_format fmt, const char *out)
{
	const char *no = getenv("NO_COLOR");

	return fmt == FMT_TEXT && (!out || !strcmp(out, "-")) && isatty(STDOUT_FILENO) && !(no && *no);
}

/* Replaying the trace into the timeline: the header's mode (unless --mode), kernel and mapping model. */
struct replay {
	struct d0_timeline *tl;
	bool mode_given;
	char *kernel, *model;
	size_t klen, mlen;
};

static void on_header(json_t *hdr, void *ctx)
{
	struct replay *rp = ctx;
	const char *m = json_string_value(json_object_get(hdr, "mode"));
	const char *k = json_string_value(json_object_get(hdr, "kernel"));
	const char *mm = json_string_value(json_object_get(hdr, "mapping_model"));
	__u32 rec_mode;

	if (!rp->mode_given && m && !d0_mode_from_name(m, &rec_mode))
		rp->tl->mode = rp->tl->verdict.mode = rec_mode;
	d0_replay_hook_since(hdr, &rp->tl->verdict);
	snprintf(rp->kernel, rp->klen, "%s", k ? k : "unknown");
	snprintf(rp->model, rp->mlen, "%s", mm ? mm : "");
}

static int on_event(const struct d0_event *e, void *ctx)
{
	return d0_timeline_add_event(((struct replay *)ctx)->tl, e);
}

static int on_gap(__u64 first, __u64 lost, void *ctx)
{
	return d0_timeline_add_gap(((struct replay *)ctx)->tl, first, lost);
}

static void on_attach(int hook, __u64 ts_ns, void *ctx)
{
	d0_verdict_hook_since(&((struct replay *)ctx)->tl->verdict, hook, ts_ns);
}

static const struct d0_replay_ops replay_ops = {
	.header = on_header, .event = on_event, .gap = on_gap, .attach = on_attach,
};

/* Read every intact record into the timeline; the problem that cut it short, if any, into problem[]. */
/* model: the header's mapping_model, "" when the trace predates it */
static int read_trace(const char *path, struct d0_timeline *tl, __u32 mode, bool mode_given, char *kernel,
		      size_t klen, char *model, size_t mlen, char *problem, size_t plen)
{
	struct d0_trace_reader *r = d0_trace_reader_open(path);
	struct replay rp = { tl, mode_given, kernel, model, klen, mlen };
	struct d0_replay_end end;

	if (!r)
		return -1;
	tl->mode = tl->verdict.mode = mode;
	d0_trace_replay(r, &replay_ops, &rp, &end);
	if (end.stopped)
		snprintf(problem, plen, "%s: out of memory after %zu events", path, tl->npending);
	else if (end.error)
		snprintf(problem, plen, "%s (the report covers the %zu intact events before it)",
			 d0_trace_reader_error(r), tl->npending);
	else if (!kernel[0])
		snprintf(problem, plen, "%s is empty: not a d0audit trace", path);
	else if (!end.footer)
		snprintf(problem, plen, "%s has no footer: the recording did not finish (truncated?)", path);
	d0_trace_reader_close(r);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	enum report_format fmt = FMT_TEXT;
	bool fmt_given = false;
	const char *out = NULL, *trace;
	__u32 bdf = D0_TL_ANY_DEVICE, mode = D0_MODE_STRICT;
	bool mode_given = false;
	char kernel[128] = "", model[32] = "", problem[1024] = "";
	struct d0_timeline tl;
	struct d0_report_meta meta;
	FILE *f = stdout;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt_given = true;
			if (!strcmp(optarg, "text")) {
				fmt = FMT_TEXT;
			} else if (!strcmp(optarg, "svg")) {
				fmt = FMT_SVG;
			} else if (!strcmp(optarg, "perfetto")) {
				fmt = FMT_PERFETTO;
			} else {
				d0_err("report: --format must be text, svg or perfetto, not '%s'", optarg);
				return D0_EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'd':
			if (d0_bdf_parse(optarg, &bdf) || bdf == D0_TL_ANY_DEVICE) {
				d0_err("report: bad --device '%s': give a PCI address like 0000:00:03.0", optarg);
				return D0_EXIT_USAGE;
			}
			break;
		case 'm':
			if (d0_opt_mode(optarg, &mode))
				return D0_EXIT_USAGE;
			mode_given = true;
			break;
		case 'j': d0_opts.json = true; break;
		case 'h': usage(stdout); return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "o:jh" D0_GLOBAL_SHORT, opts);
		}
	}
	if (optind != argc - 1) {
		d0_err("report: exactly one TRACE file expected (see 'd0audit report --help')");
		return D0_EXIT_USAGE;
	}
	trace = argv[optind];
	/* -j: the JSON form of the report is the Perfetto trace-event document */
	if (d0_opts.json && !fmt_given)
		fmt = FMT_PERFETTO;
	/*
	 * The reader would say it too, but not as JSON under -j. Not an open+close: on a
	 * FIFO that drops what the writer had already sent (the reader then opened the
	 * rest: "first line is not a d0audit trace header").
	 */
	if (strcmp(trace, "-") && faccessat(AT_FDCWD, trace, R_OK, AT_EACCESS)) {
		d0_err("cannot open trace %s: %s", trace, strerror(errno));
		return D0_EXIT_USAGE;
	}

	d0_timeline_init(&tl, mode, bdf);
	d0_progress_begin("report: reading %s: events", strrchr(trace, '/') ? strrchr(trace, '/') + 1 : trace);
	if (read_trace(trace, &tl, mode, mode_given, kernel, sizeof(kernel), model, sizeof(model), problem,
		       sizeof(problem))) {
		d0_timeline_free(&tl);
		d0_progress_end();
		return D0_EXIT_USAGE;
	}
	d0_progress_step("report: building the timeline");
	if (d0_timeline_build(&tl)) {
		d0_progress_end();
		d0_err("report: out of memory building the timeline of %s", trace);
		d0_timeline_free(&tl);
		return D0_EXIT_CANNOT;
	}
	d0_progress_end();
	if (bdf != D0_TL_ANY_DEVICE && !tl.ndevs) {
		char b[16];

		d0_bdf_format(bdf, b, sizeof(b));
		d0_err("report: device %s does not appear in %s (without --device, every device is shown)", b,
			     trace);
		d0_timeline_free(&tl);
		return D0_EXIT_USAGE;
	}
	if (!problem[0] && tl.lost)
		snprintf(problem, sizeof(problem), "%s: %llu events were lost (ring buffer full): shown as gaps",
			 trace, (unsigned long long)tl.lost);

	if (out && strcmp(out, "-")) {
		f = fopen(out, "w");
		if (!f) {
			d0_err("report: cannot create %s: %s", out, strerror(errno));
			d0_timeline_free(&tl);
			return D0_EXIT_USAGE;
		}
	}
	meta = (struct d0_report_meta){ .trace = trace, .kernel = kernel[0] ? kernel : NULL,
					.mapping_model = model[0] ? model : NULL,
					.problem = problem[0] ? problem : NULL, .color = want_colour(fmt, out) };
	switch (fmt) {
	case FMT_SVG: rc = d0_report_svg(f, &tl, &meta); break;
	case FMT_PERFETTO: rc = d0_report_perfetto(f, &tl, &meta); break;
	default: rc = d0_report_text(f, &tl, &meta); break;
	}
	if ((f == stdout ? fflush(f) : fclose(f)) || rc) {
		d0_err("report: writing %s failed: %s", out && strcmp(out, "-") ? out : "stdout",
			     strerror(errno ? errno : EIO));
		d0_timeline_free(&tl);
		return D0_EXIT_USAGE;
	}
	if (problem[0])
		d0_err("report: %s", problem);
	rc = tl.violations ? D0_EXIT_VIOLATIONS : problem[0] ? D0_EXIT_CANNOT : D0_EXIT_OK;
	d0_timeline_free(&tl);
	return rc;
}
