// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG report: one self-contained image (no scripts, fonts or links), one
 * lane per device on a shared time axis. A lane has a power band, a mapping
 * band, a DMABUF band and a row of access ticks; violations are red markers
 * across the lane whose <title> (the browser tooltip) names the rule and the
 * step. The colours are fixed and distinct: tests count them in a render.
 */
#include "lib/escape.h"
#include "out/render.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "model/rules_meta.h"
#include "model/violation_out.h"

#include <string.h>

#define WIDTH 1200.0
#define PLOT_X 170.0
#define PLOT_W (WIDTH - PLOT_X - 20.0)
#define AXIS_Y 78.0
#define LANE_Y0 96.0
#define LANE_H 136.0

/* Lane rows, relative to the lane's top. */
#define ROW_POWER 22.0
#define ROW_POWER_H 28.0
#define ROW_MAP 56.0
#define ROW_DMABUF 74.0
#define ROW_BAND_H 14.0
#define ROW_ACCESS 92.0
#define ROW_ACCESS_H 14.0
#define ROW_STEPS 117.0   /* baseline of the step letters */

#define COL_UNKNOWN "#c7c7c7"
#define COL_VIOLATION "#ff0000"

static const char *power_fill(int p)
{
	switch (p) {
	case D0_PWR_D0: return "#2ca02c";
	case D0_PWR_D1: return "#bcbd22";
	case D0_PWR_D2: return "#dbdb8d";
	case D0_PWR_D3HOT: return "#1f77b4";
	case D0_PWR_D3COLD: return "#6a3d9a";
	default: return COL_UNKNOWN;
	}
}

static const char *map_fill(int m)
{
	return m == D0_TL_MAP_MAPPED ? "#ff7f0e" : m == D0_TL_MAP_ZAPPED ? "#e8eef2" : COL_UNKNOWN;
}

static const char *dmabuf_fill(const struct d0_tl_span *s)
{
	if (s->value < 0)
		return COL_UNKNOWN;
	if (s->value == 0)
		return "#f4f4f4";
	return s->value2 ? "#e377c2" : "#17becf";
}

struct scale {
	__u64 t0, span;
};

static double x_of(const struct scale *sc, __u64 t)
{
	if (!sc->span)
		return PLOT_X;
	return PLOT_X + PLOT_W * (double)(t - sc->t0) / (double)sc->span;
}

/* A span as a rectangle at least one pixel wide, so that short states stay visible. */
static void span_rect(FILE *f, const struct scale *sc, const struct d0_tl_span *s, double y, double h,
		      const char *fill)
{
	double x0 = x_of(sc, s->start), x1 = sc->span ? x_of(sc, s->end) : PLOT_X + PLOT_W;

	fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>\n", x0, y,
		x1 - x0 < 1 ? 1 : x1 - x0, h, fill);
}

/* A round tick step (1, 2 or 5 times a power of ten) giving at most about ten ticks over total. */
static double tick_step(double total, int *decimals)
{
	static const double mult[] = { 1, 2, 5 };
	double mag = 1;
	int dec = 0;

	/* mag: the power of ten at or below total / 10 (no libm: loops over a few decades) */
	while (mag > total / 10 && dec < 12) {
		mag /= 10;
		dec++;
	}
	while (mag * 10 <= total / 10) {
		mag *= 10;
		dec = dec > 0 ? dec - 1 : 0;
	}
	*decimals = dec;
	for (int i = 0; i < 3; i++)
		if (mult[i] * mag * 10 >= total)
			return mult[i] * mag;
	*decimals = dec > 0 ? dec - 1 : 0;
	return mag * 10;
}

static void axis(FILE *f, const struct d0_timeline *tl, const struct scale *sc, double bottom)
{
	double total = d0_report_secs(tl, tl->t_end), step;
	int decimals;

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", PLOT_X, AXIS_Y,
		PLOT_X + PLOT_W, AXIS_Y);
	if (total <= 0) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">+0s</text>\n", PLOT_X, AXIS_Y - 6);
		return;
	}
	/* ticks at round times (+0.002s, +0.004s...), not at tenths of the span (+0.0149s) */
	step = tick_step(total, &decimals);
	for (int i = 0; i * step <= total * (1 + 1e-9); i++) {
		double x = PLOT_X + PLOT_W * (i * step / total);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, AXIS_Y, x,
			bottom);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">+%.*fs</text>\n", x,
			AXIS_Y - 6, x > PLOT_X + PLOT_W - 30 ? "end" : "middle", decimals, i * step);
	}
	(void)sc;
}

static void lane(FILE *f, const struct d0_timeline *tl, const struct scale *sc, const struct d0_tl_device *d,
		 double y)
{
	char bdf[16];

	d0_bdf_format(d->bdf, bdf, sizeof(bdf));
	fprintf(f, "<g class=\"lane\" id=\"lane-%s\">\n", bdf);
	fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"#ffffff\" stroke=\"#bbbbbb\"/>\n",
		y, WIDTH, LANE_H - 4);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", y + 16, bdf);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\">%llu events, %llu accesses, %llu refused,"
		" %d violation(s)</text>\n", PLOT_X, y + ROW_STEPS + 12, (unsigned long long)d->events,
		(unsigned long long)d->accesses, (unsigned long long)d->refused, d->nviols);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">power</text>\n", y + ROW_POWER + 18);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">mapping</text>\n", y + ROW_MAP + 11);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">DMABUFs</text>\n", y + ROW_DMABUF + 11);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">accesses</text>\n", y + ROW_ACCESS + 11);
	fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">steps</text>\n", y + ROW_STEPS);

	for (int i = 0; i < d->npower; i++) {
		const struct d0_tl_span *s = &d->power[i];
		double w = x_of(sc, s->end) - x_of(sc, s->start);

		fprintf(f, "<g><title>%s from %+.6fs to %+.6fs</title>", d0_power_name(s->value),
			d0_report_secs(tl, s->start), d0_report_secs(tl, s->end));
		span_rect(f, sc, s, y + ROW_POWER, ROW_POWER_H, power_fill(s->value));
		if (w > 40 || !sc->span)
			fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" font-size=\"12\" fill=\"#ffffff\">%s</text>",
				x_of(sc, s->start) + 4, y + ROW_POWER + 19, d0_power_name(s->value));
		fputs("</g>\n", f);
	}
	for (int i = 0; i < d->nmap; i++) {
		fprintf(f, "<g><title>mapping %s from %+.6fs</title>", d0_tl_map_name(d->map[i].value),
			d0_report_secs(tl, d->map[i].start));
		span_rect(f, sc, &d->map[i], y + ROW_MAP, ROW_BAND_H, map_fill(d->map[i].value));
		fputs("</g>\n", f);
	}
	for (int i = 0; i < d->ndmabuf; i++) {
		const struct d0_tl_span *s = &d->dmabuf[i];

		fprintf(f, "<g><title>DMABUFs: %d, %d unrevoked, from %+.6fs</title>", s->value, s->value2,
			d0_report_secs(tl, s->start));
		span_rect(f, sc, s, y + ROW_DMABUF, ROW_BAND_H, dmabuf_fill(s));
		fputs("</g>\n", f);
	}
	for (int i = 0; i < d->nruns; i++) {
		const struct d0_tl_run *r = &d->runs[i];
		double x0 = x_of(sc, r->start), x1 = x_of(sc, r->end);

		fprintf(f, "<g><title>%llu %s from %+.6fs to %+.6fs</title>", (unsigned long long)r->count,
			r->refused ? "refused attempt(s)" : "access(es)", d0_report_secs(tl, r->start),
			d0_report_secs(tl, r->end));
		fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/></g>\n", x0 - 1,
			y + ROW_ACCESS, x1 - x0 + 2, ROW_ACCESS_H, r->refused ? "#8c564b" : "#333333");
	}
	/* steps: a black bar across the mapping and DMABUF bands, its letter in the steps row below the accesses */
	for (int i = 0; i < d->nmarks; i++) {
		const struct d0_tl_mark *m = &d->marks[i];

		if (m->step == D0_TL_POWER)
			continue;
		fprintf(f, "<g><title>%s at %+.6fs by %s in %s, pid %u (", d0_tl_step_name(m->step),
			d0_report_secs(tl, m->ev.ts_ns), d0_kind_name(m->ev.kind),
			m->ev.hook < D0_HOOK_COUNT ? d0_hooks[m->ev.hook].target : "?", m->ev.pid);
		d0_xml_escape_n(f, m->ev.comm, D0_COMM_LEN);
		fprintf(f, ")</title><rect x=\"%.2f\" y=\"%.1f\" width=\"2\" height=\"%.1f\" fill=\"#000000\"/>"
			"<text x=\"%.2f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%c</text></g>\n",
			x_of(sc, m->ev.ts_ns) - 1, y + ROW_MAP - 2, ROW_BAND_H * 2 + 6, x_of(sc, m->ev.ts_ns), y + ROW_STEPS,
			d0_tl_step_letter(m->step));
	}
	for (int i = 0; i < d->nviols; i++) {
		const struct d0_tl_violation *v = &d->viols[i];
		double x = x_of(sc, v->ev.ts_ns);
		char step[256];
		int same = 0;

		/* several rules broken by one event: their numbers side by side */
		for (int j = i - 1; j >= 0 && d->viols[j].ev.seq == v->ev.seq; j--)
			same++;

		d0_event_describe(&v->ev, tl->t0, step, sizeof(step));
		fprintf(f, "<g class=\"violation\"><title>VIOLATION rule %d %s: ", v->rule, d0_rule_meta[v->rule].name);
		d0_xml_escape(f, d0_rule_summary(v->rule));
		fputs("\nstep: ", f);
		d0_xml_text(f, step); /* d0_event_describe's text is visible already */
		fputs("</title>", f);
		fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"3\" height=\"%.1f\" fill=\"%s\"/>", x - 1.5,
			y + ROW_POWER - 4, ROW_ACCESS + ROW_ACCESS_H - ROW_POWER + 4, COL_VIOLATION);
		fprintf(f, "<path d=\"M%.2f %.1f l-8 -12 h16 z\" fill=\"%s\"/>", x, y + ROW_POWER - 2, COL_VIOLATION);
		fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" fill=\"%s\">%d</text>",
			x + 9 + 18 * same, y + ROW_POWER - 5, COL_VIOLATION, v->rule);
		fputs("</g>\n", f);
	}
	fputs("</g>\n", f);
}

static void legend(FILE *f, double y)
{
	static const struct { const char *fill, *label; } items[] = {
		{ "#2ca02c", "D0" }, { "#bcbd22", "D1" }, { "#dbdb8d", "D2" }, { "#1f77b4", "D3hot" },
		{ "#6a3d9a", "D3cold" }, { COL_UNKNOWN, "unknown" }, { "#ff7f0e", "mapped" }, { "#e8eef2", "zapped" },
		{ "#17becf", "DMABUFs revoked" }, { "#e377c2", "DMABUF unrevoked" }, { "#333333", "accesses" },
		{ "#8c564b", "refused" }, { COL_VIOLATION, "violation" },
	};
	double x = 10;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\" stroke=\"#888\" "
			"stroke-width=\"0.5\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n", x, y, items[i].fill,
			x + 14, y + 9, items[i].label);
		x += 14 + 7.0 * strlen(items[i].label) + 12;
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"url(#lost)\" stroke=\"#888\" "
		"stroke-width=\"0.5\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">lost events</text>\n", x, y, x + 14,
		y + 9);
	/* a second row: steps are thin bars with a letter, not the accesses' solid swatch */
	y += 18;
	fprintf(f, "<g class=\"legend-steps\"><rect x=\"14\" y=\"%.1f\" width=\"2\" height=\"12\" fill=\"#000000\"/>"
		"<text x=\"22\" y=\"%.1f\" font-size=\"11\">step, its letter below the accesses:", y - 1, y + 9);
	for (int s = 0; s < D0_TL_POWER; s++)
		fprintf(f, "%s %c %s", s ? "," : "", d0_tl_step_letter(s), d0_tl_step_name(s));
	fputs(" (power steps show in the power band)</text></g>\n", f);
}

int d0_report_svg(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m)
{
	struct scale sc = { .t0 = tl->t0, .span = tl->t_end - tl->t0 };
	double lanes_end = LANE_Y0 + LANE_H * (tl->ndevs ? tl->ndevs : 1);
	double height = lanes_end + 58;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"font-family=\"sans-serif\">\n", WIDTH, height, WIDTH, height);
	fputs("<title>d0audit report: ", f);
	d0_xml_escape(f, m->trace);
	fputs("</title>\n", f);
	fputs("<defs><pattern id=\"lost\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#000000\"/></pattern></defs>\n", f);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\"/>\n", WIDTH, height);
	fputs("<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">d0audit report: ", f);
	d0_xml_escape(f, m->trace);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"10\" y=\"44\" font-size=\"12\">kernel ");
	d0_xml_escape(f, m->kernel ? m->kernel : "unknown");
	fprintf(f, ", mode %s: %llu events over %.6fs, %d device(s), %llu lost, %llu violation(s)</text>\n",
		d0_mode_name(tl->mode), (unsigned long long)tl->events, d0_report_secs(tl, tl->t_end), tl->ndevs,
		(unsigned long long)tl->lost, (unsigned long long)tl->violations);
	if (m->problem) {
		fputs("<text x=\"10\" y=\"60\" font-size=\"12\" fill=\"#b00000\">INCOMPLETE: ", f);
		d0_xml_escape(f, m->problem);
		fputs("</text>\n", f);
	}
	axis(f, tl, &sc, lanes_end);
	for (int i = 0; i < tl->ndevs; i++)
		lane(f, tl, &sc, &tl->devs[i], LANE_Y0 + LANE_H * i);
	if (!tl->ndevs)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\">no device events in this trace</text>\n", PLOT_X,
			LANE_Y0 + 30);
	for (int i = 0; i < tl->ngaps; i++) {
		const struct d0_tl_gap *g = &tl->gaps[i];
		double x0 = x_of(&sc, g->from), x1 = x_of(&sc, g->to);

		fprintf(f, "<g class=\"gap\"><title>%llu events lost (seq %llu-%llu) between %+.6fs and %+.6fs</title>"
			"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"url(#lost)\"/></g>\n",
			(unsigned long long)g->lost, (unsigned long long)g->first_seq,
			(unsigned long long)(g->first_seq + g->lost - 1), d0_report_secs(tl, g->from),
			d0_report_secs(tl, g->to), x0, LANE_Y0, x1 - x0 < 2 ? 2 : x1 - x0, lanes_end - LANE_Y0);
	}
	legend(f, lanes_end + 12);
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}
