// SPDX-License-Identifier: GPL-2.0
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int verbose;

static const char *cur_scenario = "startup";
static const char *cur_bdf = "";
static char cur_step[256] = "start";

void report_begin(const char *scenario, const char *bdf)
{
	cur_scenario = scenario;
	cur_bdf = bdf ? bdf : "";
	snprintf(cur_step, sizeof(cur_step), "start");
}

void step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cur_step, sizeof(cur_step), fmt, ap);
	va_end(ap);
	printf("step: %s\n", cur_step);
	fflush(stdout);
}

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("note: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vline("info: ", fmt, ap);
	va_end(ap);
}

void refused_as_expected(const char *how)
{
	printf("step: refused as expected (%s)\n", how);
	fflush(stdout);
}

static noreturn void die(int code, const char *prefix, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "vfio-exercise: %s: %s: %s%s", cur_scenario, cur_step,
		prefix, msg);
	if (cur_bdf[0])
		fprintf(stderr, " (device %s)", cur_bdf);
	fputc('\n', stderr);
	exit(code);
}

noreturn void fail_errno(int err)
{
	die(EXIT_FAIL, "", strerror(err));
}

noreturn void fail(void)
{
	fail_errno(errno);
}

noreturn void fail_msg(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die(EXIT_FAIL, "", msg);
}

noreturn void unsupported(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die(EXIT_UNSUPPORTED, "not supported here: ", msg);
}
