// SPDX-License-Identifier: GPL-2.0
#include "lib/escape.h"
#include "out/check_output.h"
#include "lib/exit_codes.h"
#include "model/event_names.h"
#include "lib/json_out.h"
#include "model/violation_out.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int d0_check_format_parse(const char *s, enum d0_check_format *f)
{
	static const char *const names[] = { "text", "json", "junit", "tap" };

	for (int i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*f = i;
			return 0;
		}
	}
	return -1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A count: digits only, no overflow, at least 1 (0 would be met by any trace). */
static int parse_min(const char *s, struct d0_requirement *q)
{
	char *end;

	if (!all_digits(s))
		return snprintf(q->why, sizeof(q->why), "the count '%.64s' is not a number", s), -1;
	errno = 0;
	q->min = strtoull(s, &end, 10);
	if (errno)
		return snprintf(q->why, sizeof(q->why), "the count %.64s is too big (at most %llu)", s, ULLONG_MAX), -1;
	if (!q->min)
		return snprintf(q->why, sizeof(q->why), "a count of 0 is met by any trace: give 1 or more"), -1;
	return 0;
}

static int parse_device(const char *s, struct d0_requirement *q)
{
	if (!*s || !strcmp(s, "*")) {
		q->bdf = 0xffffffffu;
		return 0;
	}
	if (d0_bdf_parse_arg(s, &q->bdf, &q->short_bdf))
		return snprintf(q->why, sizeof(q->why), "'%.64s' is not a device: DDDD:BB:DD.F, lspci's BB:DD.F, "
				"or '*' or nothing for any", s), -1;
	return 0;
}

/* EVENT[:DEVICE][:MIN]; DEVICE itself has colons (0000:00:03.0, 00:03.0) */
int d0_require_parse(const char *s, struct d0_requirement *q)
{
	char buf[sizeof(q->text)], *rest, *last;

	q->why[0] = 0;
	q->short_bdf = false;
	/* never judge a silently shortened requirement */
	if (strlen(s) >= sizeof(buf))
		return snprintf(q->why, sizeof(q->why), "longer than %zu characters", sizeof(buf) - 1), -1;
	snprintf(buf, sizeof(buf), "%s", s);
	snprintf(q->text, sizeof(q->text), "%s", s);
	q->bdf = 0xffffffffu;
	q->min = 1;
	rest = strchr(buf, ':');
	if (rest)
		*rest++ = 0;
	q->kind = d0_kind_from_name(buf);
	if (q->kind < 0)
		return snprintf(q->why, sizeof(q->why), "'%.64s' is not an event kind (zap, fault, power-change, "
				"dmabuf-move, reset, ...: the kinds of the trace format)", buf), -1;
	if (!rest)
		return 0;
	if (all_digits(rest))
		return parse_min(rest, q);
	if (!parse_device(rest, q))
		return 0;
	/* DEVICE:MIN: a device before the last colon, then the count (which says if it is wrong) */
	last = strrchr(rest, ':');
	if (!last)
		return -1; /* parse_device said why */
	*last = 0;
	if (parse_device(rest, q)) {
		*last = ':';
		return parse_device(rest, q); /* neither: the whole is not a device */
	}
	return parse_min(last + 1, q);
}

void d0_check_count_requirements(struct d0_check_result *res, const struct d0_event *e)
{
	for (int i = 0; i < res->nreq; i++) {
		struct d0_requirement *q = &res->req[i];

		if (q->kind == e->kind && (q->bdf == 0xffffffffu || q->bdf == e->bdf))
			q->seen++;
	}
}

void d0_check_requirements_judge(struct d0_check_result *res)
{
	for (int i = 0; i < res->nreq; i++) {
		struct d0_requirement *q = &res->req[i];

		q->met = q->seen >= q->min;
		if (!q->met)
			d0_summary_problem(&res->sum, "--require %s: the trace has %llu such event(s), needs %llu",
					   q->text, q->seen, q->min);
	}
}

/*
 * How one line of detail is written: XML text, or a line of a YAML literal block in
 * TAP 13 diagnostics (a block, not a list of quoted strings: prove's YAMLish reader takes
 * a list item whose first word ends in ':' for a mapping). The line is visible, so it
 * cannot end the block early with a line break.
 */
enum detail_sink { DETAIL_XML, DETAIL_YAML };

/* A YAML double-quoted scalar of an already visible string (no line break, no control character). */
static void yaml_str(const char *visible)
{
	putchar('"');
	for (const char *c = visible; *c; c++)
		printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
	putchar('"');
}

static void yaml_quoted(const char *s)
{
	char *v = malloc(D0_ESC_SIZE(strlen(s)));

	if (!v)
		return;
	d0_escape(v, D0_ESC_SIZE(strlen(s)), s, strlen(s));
	yaml_str(v);
	free(v);
}

/* One line of detail, already visible (the verdict's step texts are). */
static void detail(enum detail_sink sink, const char *line)
{
	if (sink == DETAIL_XML) {
		d0_xml_text(stdout, line);
		putchar('\n');
	} else {
		printf("    %s\n", line);
	}
}

/* The violations of one rule, one line each (JUnit failure bodies, TAP diagnostics). */
static void rule_details(const struct d0_check_result *res, int rule, enum detail_sink sink)
{
	for (int i = 0; i < res->verdict.nviols; i++) {
		const struct d0_violation *v = &res->verdict.viols[i];
		char bdf[16], step[256], line[320];

		if (v->rule != rule)
			continue;
		d0_bdf_format(v->bdf, bdf, sizeof(bdf));
		d0_event_describe(&v->first, res->verdict.first_ts, step, sizeof(step));
		snprintf(line, sizeof(line), "%s %s: %llu time(s); first: %s", v->allowed ? "allowed on" : "on", bdf,
			 (unsigned long long)v->count, step);
		detail(sink, line);
	}
}

/* Why the verdict is incomplete, one line each (the problems are raw: made visible here). */
static void problems(const struct d0_check_result *res, enum detail_sink sink)
{
	for (int i = 0; i < res->sum.nproblems; i++) {
		char v[D0_ESC_SIZE(sizeof(res->sum.problems[0]))];

		d0_escape(v, sizeof(v), res->sum.problems[i], sizeof(res->sum.problems[0]));
		detail(sink, v);
	}
}

static __u64 rule_unwaived(const struct d0_check_result *res, int rule)
{
	__u64 n = 0;

	for (int i = 0; i < res->verdict.nviols; i++)
		n += res->verdict.viols[i].rule == rule && !res->verdict.viols[i].allowed;
	return n;
}

/* The trace-integrity case: errored exactly when the verdict is incomplete (the causes of exit 3). */
static const char *integrity_message(const struct d0_check_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "the verdict is incomplete (%d problem(s)): exit 3 unless violations were found",
		 res->sum.nproblems);
	return buf;
}

static void junit_header(const struct d0_check_result *res, int tests, int failures, int errors, int skipped)
{
	char host[256] = "", stamp[32];
	struct tm tm;

	if (gethostname(host, sizeof(host) - 1) || !host[0])
		snprintf(host, sizeof(host), "localhost");
	gmtime_r(&res->started, &tm);
	/* Ant's schema: no time zone in the timestamp; it is UTC */
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites><testsuite name=\"d0audit\" package=\"d0audit\" id=\"0\" tests=\"%d\" failures=\"%d\" "
	       "errors=\"%d\" skipped=\"%d\" time=\"%.3f\" timestamp=\"%s\" hostname=\"", tests, failures, errors,
	       skipped, res->elapsed_s, stamp);
	d0_xml_escape(stdout, host);
	printf("\">\n  <properties><property name=\"trace\" value=\"");
	d0_xml_escape(stdout, res->trace);
	printf("\"/><property name=\"mode\" value=\"%s\"/></properties>\n", d0_mode_name(res->verdict.mode));
}

#define JUNIT_CASE "  <testcase classname=\"%s\" name=\"%s\" time=\"0\">"

static void out_junit(const struct d0_check_result *res)
{
	int failures = 0, skipped = 0, errors = 0, tests = D0_RULE_MAX + res->nreq + 1;
	char msg[128];

	for (int r = 1; r <= D0_RULE_MAX; r++) {
		failures += rule_unwaived(res, r) > 0;
		skipped += res->sum.coverage[r] == D0_NOT_APPLICABLE;
		errors += res->sum.coverage[r] == D0_BLIND && !rule_unwaived(res, r);
	}
	for (int i = 0; i < res->nreq; i++)
		failures += !res->req[i].met;
	errors += res->sum.nproblems > 0;
	junit_header(res, tests, failures, errors, skipped);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		char name[64];

		snprintf(name, sizeof(name), "%d %s", r, d0_rule_meta[r].name);
		printf(JUNIT_CASE, "d0audit.rules", name);
		if (rule_unwaived(res, r)) {
			printf("<failure type=\"violation\" message=\"");
			d0_xml_escape(stdout, d0_rule_summary(r));
			printf("\">");
			rule_details(res, r, DETAIL_XML);
			printf("</failure>");
		} else if (res->sum.coverage[r] == D0_NOT_APPLICABLE) {
			printf("<skipped message=\"not applicable on the recorded kernel\"/>");
		} else if (res->sum.coverage[r] == D0_BLIND) {
			printf("<error type=\"not-fully-checked\" message=\"not fully checked: no working hook for ");
			d0_xml_escape(stdout, res->sum.missing[r]);
			printf("\"/>");
		}
		printf("</testcase>\n");
	}
	for (int i = 0; i < res->nreq; i++) {
		printf("  <testcase classname=\"d0audit.require\" name=\"");
		d0_xml_escape(stdout, res->req[i].text);
		printf("\" time=\"0\">");
		if (!res->req[i].met)
			printf("<failure type=\"require-unmet\" message=\"%llu event(s), need %llu\"/>", res->req[i].seen,
			       res->req[i].min);
		printf("</testcase>\n");
	}
	printf(JUNIT_CASE, "d0audit.trace", "trace integrity");
	if (res->sum.nproblems) {
		printf("<error type=\"incomplete\" message=\"%s\">", integrity_message(res, msg, sizeof(msg)));
		problems(res, DETAIL_XML);
		printf("</error>");
	}
	printf("</testcase>\n  <system-out/>\n  <system-err/>\n</testsuite></testsuites>\n");
}

/* A TAP test description: visible, and a '#' escaped so no text turns into a SKIP or TODO directive. */
static void tap_description(const char *s)
{
	char v[D0_ESC_SIZE(sizeof(((struct d0_requirement *)0)->text))];

	d0_escape(v, sizeof(v), s, strlen(s));
	for (const char *c = v; *c; c++)
		printf(*c == '#' ? "\\#" : "%c", *c);
}

/* TAP 13 diagnostics: a YAML block under the test line. */
static void yaml_begin(const char *message, const char *severity)
{
	printf("  ---\n  message: ");
	yaml_quoted(message);
	printf("\n  severity: %s\n", severity);
}

static void out_tap(const struct d0_check_result *res)
{
	int n = 0;
	char msg[128];

	printf("TAP version 13\n1..%d\n", D0_RULE_MAX + res->nreq + 1);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		bool viol = rule_unwaived(res, r), blind = res->sum.coverage[r] == D0_BLIND;

		printf("%s %d - rule %d %s", viol || blind ? "not ok" : "ok", ++n, r, d0_rule_meta[r].name);
		if (res->sum.coverage[r] == D0_NOT_APPLICABLE)
			printf(" # SKIP not applicable on the recorded kernel");
		printf("\n");
		if (!viol && !blind)
			continue;
		yaml_begin(viol ? d0_rule_summary(r) : "not fully checked", viol ? "fail" : "incomplete");
		if (blind) {
			printf("  missing_hook: ");
			yaml_quoted(res->sum.missing[r]);
			putchar('\n');
		}
		if (viol) {
			printf("  violations: |\n");
			rule_details(res, r, DETAIL_YAML);
		}
		printf("  ...\n");
	}
	for (int i = 0; i < res->nreq; i++) {
		printf("%s %d - require ", res->req[i].met ? "ok" : "not ok", ++n);
		tap_description(res->req[i].text);
		printf(" (%llu seen)\n", res->req[i].seen);
		if (!res->req[i].met)
			printf("  ---\n  message: \"%llu event(s), need %llu\"\n  severity: fail\n  ...\n", res->req[i].seen,
			       res->req[i].min);
	}
	printf("%s %d - trace integrity\n", res->sum.nproblems ? "not ok" : "ok", ++n);
	if (res->sum.nproblems) {
		yaml_begin(integrity_message(res, msg, sizeof(msg)), "incomplete");
		printf("  problems: |\n");
		problems(res, DETAIL_YAML);
		printf("  ...\n");
	}
}

int d0_check_output(struct d0_check_result *res)
{
	int code = d0_summary_exit(&res->sum);
	json_t *o;

	switch (res->format) {
	case D0_FMT_TEXT:
		/* the error line said it: a summary of rules never checked would only bury it */
		if (res->not_a_trace)
			break;
		for (int i = 0; i < res->verdict.nviols; i++)
			d0_violation_text(stdout, &res->verdict, &res->verdict.viols[i]);
		for (int i = 0; i < res->nreq; i++)
		{
			fputs("require ", stdout);
			d0_escape_fputs(stdout, res->req[i].text);
			printf(": %llu seen, %s\n", res->req[i].seen, res->req[i].met ? "met" : "NOT MET");
		}
		d0_summary_text(stdout, &res->sum);
		break;
	case D0_FMT_JSON:
		o = d0_summary_json(&res->sum);
		json_object_set_new(o, "type", json_string("check"));
		json_object_set_new(o, "trace", d0_json_visible(res->trace));
		{
			json_t *reqs = json_array();

			for (int i = 0; i < res->nreq; i++)
				json_array_append_new(reqs, json_pack("{s:o, s:I, s:I, s:b}", "require", d0_json_visible(res->req[i].text),
					"seen", (json_int_t)res->req[i].seen, "min", (json_int_t)res->req[i].min,
					"met", res->req[i].met));
			json_object_set_new(o, "requirements", reqs);
		}
		d0_json_print(o);
		break;
	case D0_FMT_JUNIT:
		out_junit(res);
		break;
	case D0_FMT_TAP:
		out_tap(res);
		break;
	}
	return code;
}
