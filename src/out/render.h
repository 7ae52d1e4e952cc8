/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The renderers' interface: text, SVG and Perfetto views of a built timeline
 * (src/model/timeline.h). Renderers depend on this header and the model only; cmd_report
 * (report.c) calls them, never the other way round.
 */
#ifndef D0AUDIT_RENDER_H
#define D0AUDIT_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include "model/timeline.h"

struct d0_report_meta {
	const char *trace;    /* path as given */
	const char *kernel;   /* from the trace header; NULL if unknown */
	const char *mapping_model; /* the header's mapping_model (mapping_model.h name); NULL if absent */
	const char *problem;  /* why the trace is incomplete (file:line: ...), or NULL */
	bool color;           /* text only: ANSI colours (a terminal, and NO_COLOR unset) */
};

/* Each returns 0, or -1 if writing failed (errno set). */
int d0_report_text(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m);
int d0_report_svg(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m);
int d0_report_perfetto(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m);

/* Seconds since the trace's first event. */
static inline double d0_report_secs(const struct d0_timeline *tl, __u64 t)
{
	return t >= tl->t0 ? (double)(t - tl->t0) / 1e9 : -(double)(tl->t0 - t) / 1e9;
}

#endif /* D0AUDIT_RENDER_H */
