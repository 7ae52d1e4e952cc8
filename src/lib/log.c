// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* vasprintf */
#include "lib/log.h"
#include "lib/global_opts.h"
#include "lib/escape.h"
#include "lib/progress.h"
#include "lib/json_out.h"

#include <bpf/libbpf.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Global options (set by main from the command line); logging reads verbose. */
struct d0_global_opts d0_opts;

/*
 * Text: "d0audit: error: what failed". With -j, one JSON object per line on
 * stderr, {"type":"error","command":"check","error":"what failed"} (type and
 * key are "warning", "info" or "debug" for those), so stdout stays the command's own
 * JSON and scripts can still parse every diagnostic.
 */
static char last_error[1024];

const char *d0_last_error(void)
{
	return last_error;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char raw[2048], msg[D0_ESC_SIZE(sizeof(raw))];
	json_t *o;

	if (d0_opts.quiet && !strcmp(level, "info"))
		return;
	d0_progress_hide();
	/* messages quote paths, comms and trace strings: one line, nothing a terminal acts on */
	vsnprintf(raw, sizeof(raw), fmt, ap);
	d0_escape(msg, sizeof(msg), raw, sizeof(raw));
	if (!strcmp(level, "error"))
		snprintf(last_error, sizeof(last_error), "%.1000s", msg);
	if (!d0_opts.json) {
		/* progress notes ("info") read as before: "d0audit: audit: 54 hooks attached ..." */
		fprintf(stderr, strcmp(level, "info") ? "d0audit: %s: %s\n" : "d0audit: %s%s\n",
			strcmp(level, "info") ? level : "", msg);
		return;
	}
	o = json_pack("{s:s, s:s, s:s}", "type", level, "command", d0_opts.command ? d0_opts.command : "", level, msg);
	d0_json_line(stderr, o);
}

void d0_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}

void d0_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", fmt, ap);
	va_end(ap);
}

void d0_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}

void d0_debug(const char *fmt, ...)
{
	va_list ap;

	if (!d0_opts.verbose)
		return;
	va_start(ap, fmt);
	vlog("debug", fmt, ap);
	va_end(ap);
}

static void (*libbpf_tap)(const char *msg, void *ctx);
static void *libbpf_tap_ctx;

void d0_log_tap_libbpf(void (*tap)(const char *msg, void *ctx), void *ctx)
{
	libbpf_tap = tap;
	libbpf_tap_ctx = ctx;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (libbpf_tap && level == LIBBPF_WARN) {
		char *msg = NULL;
		va_list copy;

		va_copy(copy, ap);
		if (vasprintf(&msg, fmt, copy) >= 0)
			libbpf_tap(msg, libbpf_tap_ctx);
		va_end(copy);
		free(msg);
	}
	if (level == LIBBPF_DEBUG && d0_opts.verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && !d0_opts.verbose)
		return 0;
	/* Expected probe failures are reported by us, per hook, with a reason. */
	if (level == LIBBPF_WARN && !d0_opts.verbose)
		return 0;
	if (d0_opts.json) {
		char msg[2048];
		size_t n;

		vsnprintf(msg, sizeof(msg), fmt, ap);
		n = strlen(msg);
		if (n && msg[n - 1] == '\n')
			msg[n - 1] = 0;
		d0_debug("libbpf: %s", msg);
		return 0;
	}
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void d0_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
