// SPDX-License-Identifier: GPL-2.0
#include "xml_escape.h"
#include "check_output.h"
#include "cli.h"
#include "event_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static int parse_min(const char *s, unsigned long long *min)
{
	char *end;

	if (!all_digits(s))
		return -1;
	errno = 0;
	*min = strtoull(s, &end, 10);
	return errno || !*min ? -1 : 0;
}

static int parse_device(const char *s, __u32 *bdf)
{
	if (!*s || !strcmp(s, "*")) {
		*bdf = 0xffffffffu;
		return 0;
	}
	return d0_bdf_parse(s, bdf);
}

/* EVENT[:DEVICE][:MIN]; DEVICE itself has colons (0000:00:03.0) */
int d0_require_parse(const char *s, struct d0_requirement *q)
{
	char buf[sizeof(q->text)], *rest, *last;

	/* never judge a silently shortened requirement */
	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	snprintf(q->text, sizeof(q->text), "%s", s);
	q->bdf = 0xffffffffu;
	q->min = 1;
	rest = strchr(buf, ':');
	if (rest)
		*rest++ = 0;
	q->kind = d0_kind_from_name(buf);
	if (q->kind < 0)
		return -1;
	if (!rest)
		return 0;
	if (all_digits(rest))
		return parse_min(rest, &q->min);
	if (!parse_device(rest, &q->bdf))
		return 0;
	last = strrchr(rest, ':');
	if (!last || parse_min(last + 1, &q->min))
		return -1;
	*last = 0;
	return parse_device(rest, &q->bdf);
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

/* The violations of one rule as text (for JUnit failure bodies and TAP diagnostics). */
static void rule_details(FILE *f, const struct d0_check_result *res, int rule, const char *prefix)
{
	for (int i = 0; i < res->verdict.nviols; i++) {
		const struct d0_violation *v = &res->verdict.viols[i];
		char bdf[16], step[256];

		if (v->rule != rule)
			continue;
		d0_bdf_format(v->bdf, bdf, sizeof(bdf));
		d0_event_describe(&v->first, res->verdict.first_ts, step, sizeof(step));
		fprintf(f, "%s%s %s: %llu time(s); first: %s\n", prefix, v->allowed ? "allowed on" : "on", bdf,
			(unsigned long long)v->count, step);
	}
}

static __u64 rule_unwaived(const struct d0_check_result *res, int rule)
{
	__u64 n = 0;

	for (int i = 0; i < res->verdict.nviols; i++)
		n += res->verdict.viols[i].rule == rule && !res->verdict.viols[i].allowed;
	return n;
}

static void out_junit(const struct d0_check_result *res)
{
	int failures = 0, skipped = 0, errors = 0, tests = D0_RULE_MAX + res->nreq;

	for (int r = 1; r <= D0_RULE_MAX; r++) {
		failures += rule_unwaived(res, r) > 0;
		skipped += res->sum.coverage[r] == D0_NOT_APPLICABLE;
		errors += res->sum.coverage[r] == D0_BLIND && !rule_unwaived(res, r);
	}
	for (int i = 0; i < res->nreq; i++)
		failures += !res->req[i].met;
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites><testsuite name=\"d0audit\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">\n",
	       tests, failures, errors, skipped);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		printf("  <testcase classname=\"d0audit.rules\" name=\"%d %s\">", r, d0_rule_meta[r].name);
		if (rule_unwaived(res, r)) {
			printf("<failure message=\"");
			d0_xml_escape(stdout, d0_rule_summary(r));
			printf("\">");
			rule_details(stdout, res, r, "");
			printf("</failure>");
		} else if (res->sum.coverage[r] == D0_NOT_APPLICABLE) {
			printf("<skipped message=\"not applicable on the recorded kernel\"/>");
		} else if (res->sum.coverage[r] == D0_BLIND) {
			printf("<error message=\"not fully checked: no working hook for %s\"/>", res->sum.missing[r]);
		}
		printf("</testcase>\n");
	}
	for (int i = 0; i < res->nreq; i++) {
		printf("  <testcase classname=\"d0audit.require\" name=\"");
		d0_xml_escape(stdout, res->req[i].text);
		printf("\">");
		if (!res->req[i].met)
			printf("<failure message=\"%llu event(s), need %llu\"/>", res->req[i].seen, res->req[i].min);
		printf("</testcase>\n");
	}
	printf("</testsuite></testsuites>\n");
}

static void out_tap(const struct d0_check_result *res)
{
	int n = 0;

	printf("TAP version 13\n1..%d\n", D0_RULE_MAX + res->nreq);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		bool fail = rule_unwaived(res, r) || res->sum.coverage[r] == D0_BLIND;

		printf("%s %d - rule %d %s", fail ? "not ok" : "ok", ++n, r, d0_rule_meta[r].name);
		if (res->sum.coverage[r] == D0_NOT_APPLICABLE)
			printf(" # SKIP not applicable on the recorded kernel");
		printf("\n");
		if (res->sum.coverage[r] == D0_BLIND)
			printf("# not fully checked: no working hook for %s\n", res->sum.missing[r]);
		rule_details(stdout, res, r, "# ");
	}
	for (int i = 0; i < res->nreq; i++)
		printf("%s %d - require %s (%llu seen)\n", res->req[i].met ? "ok" : "not ok", ++n, res->req[i].text,
		       res->req[i].seen);
}

int d0_check_output(struct d0_check_result *res)
{
	int code = d0_summary_exit(&res->sum);
	json_t *o;

	switch (res->format) {
	case D0_FMT_TEXT:
		for (int i = 0; i < res->verdict.nviols; i++)
			d0_violation_text(stdout, &res->verdict, &res->verdict.viols[i]);
		for (int i = 0; i < res->nreq; i++)
			printf("require %s: %llu seen, %s\n", res->req[i].text, res->req[i].seen,
			       res->req[i].met ? "met" : "NOT MET");
		d0_summary_text(stdout, &res->sum);
		break;
	case D0_FMT_JSON:
		o = d0_summary_json(&res->sum);
		json_object_set_new(o, "type", json_string("check"));
		json_object_set_new(o, "trace", json_string(res->trace));
		{
			json_t *reqs = json_array();

			for (int i = 0; i < res->nreq; i++)
				json_array_append_new(reqs, json_pack("{s:s, s:I, s:I, s:b}", "require", res->req[i].text,
					"seen", (json_int_t)res->req[i].seen, "min", (json_int_t)res->req[i].min,
					"met", res->req[i].met));
			json_object_set_new(o, "requirements", reqs);
		}
		json_dumpf(o, stdout, (d0_opts.pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
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
