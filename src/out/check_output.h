/* SPDX-License-Identifier: GPL-2.0 */
/* check's requirements and its four output formats (text, JSON, JUnit XML, TAP). */
#ifndef D0AUDIT_CHECK_OUTPUT_H
#define D0AUDIT_CHECK_OUTPUT_H

#include "model/summary.h"

#include <time.h>

enum d0_check_format { D0_FMT_TEXT, D0_FMT_JSON, D0_FMT_JUNIT, D0_FMT_TAP };

struct d0_requirement {
	char text[128];      /* as given */
	int kind;            /* enum d0_event_kind */
	__u32 bdf;           /* 0xffffffff = any device */
	unsigned long long min, seen;
	bool met;
	bool short_bdf;      /* DEVICE given in lspci's BB:DD.F form: domain 0000 assumed */
	char why[256];       /* what is wrong, when d0_require_parse fails */
};

struct d0_check_result {
	const char *trace;
	time_t started;      /* wall clock at the start (JUnit timestamp) */
	double elapsed_s;    /* how long the check took (JUnit time) */
	bool not_a_trace;    /* no header: text output is the error line only */
	enum d0_check_format format;
	struct d0_verdict verdict;
	struct d0_summary sum;
	struct d0_requirement req[64];
	int nreq;
};

int d0_check_format_parse(const char *s, enum d0_check_format *f);
/* --require EVENT[:DEVICE][:MIN]; 0, or -1 if malformed with q->why saying what is wrong. */
int d0_require_parse(const char *s, struct d0_requirement *q);
void d0_check_count_requirements(struct d0_check_result *res, const struct d0_event *e);
/* Unmet requirements make the result incomplete. */
void d0_check_requirements_judge(struct d0_check_result *res);
/* Prints in the chosen format; returns the exit code. */
int d0_check_output(struct d0_check_result *res);

#endif
