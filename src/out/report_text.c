// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal report: per device, a band chart over the trace's time (one
 * character column per slice of time), then what happened in order, with
 * accesses aggregated into runs and every violation explained in place.
 */
#include "lib/escape.h"
#include "out/render.h"
#include "model/mapping_model.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "model/rules_meta.h"

#include <stdlib.h>
#include <string.h>

#define BAND_WIDTH 64

#define C_RESET "\033[0m"
#define C_RED "\033[1;31m"
#define C_BOLD "\033[1m"

static const char *power_colour(int p)
{
	switch (p) {
	case D0_PWR_D0: return "\033[42;30m";
	case D0_PWR_D1:
	case D0_PWR_D2: return "\033[43;30m";
	case D0_PWR_D3HOT: return "\033[44;37m";
	case D0_PWR_D3COLD: return "\033[45;37m";
	default: return "\033[47;30m";
	}
}

static char power_char(int p)
{
	static const char c[] = "012hc";

	return p >= D0_PWR_D0 && p <= D0_PWR_D3COLD ? c[p] : '?';
}

static char map_char(int m)
{
	return m == D0_TL_MAP_MAPPED ? 'M' : m == D0_TL_MAP_ZAPPED ? '.' : '?';
}

static char dmabuf_char(const struct d0_tl_span *s)
{
	if (s->value < 0)
		return '?';
	if (s->value == 0)
		return '-';
	if (s->value2 == 0)
		return 'r';
	return s->value2 > 9 ? '+' : '0' + s->value2;
}

struct band {
	__u64 t0, span;
};

static int column_of(const struct band *b, __u64 t)
{
	__u64 c;

	if (!b->span)
		return 0;
	c = (t - b->t0) * BAND_WIDTH / b->span;
	return c >= BAND_WIDTH ? BAND_WIDTH - 1 : (int)c;
}

/* The span holding the middle of column c, or NULL outside the device's life. */
static const struct d0_tl_span *span_at(const struct band *b, const struct d0_tl_span *s, int n, int c)
{
	__u64 mid = b->t0 + (b->span * (2 * (__u64)c + 1)) / (2 * BAND_WIDTH);

	for (int i = 0; i < n; i++)
		if (mid >= s[i].start && (mid < s[i].end || (i == n - 1 && mid <= s[i].end)))
			return &s[i];
	/* a trace that is one instant long: every column shows the last value */
	return !b->span && n ? &s[n - 1] : NULL;
}

static void band_row(FILE *f, const struct band *b, const char *label, const struct d0_tl_span *s, int n,
		     char (*to_char)(const struct d0_tl_span *), bool colour, bool is_power)
{
	fprintf(f, "  %-8s|", label);
	for (int c = 0; c < BAND_WIDTH; c++) {
		const struct d0_tl_span *x = span_at(b, s, n, c);
		char ch = x ? to_char(x) : ' ';

		if (colour && x && is_power)
			fprintf(f, "%s%c" C_RESET, power_colour(x->value), ch);
		else
			fputc(ch, f);
	}
	fputs("|\n", f);
}

static char power_span_char(const struct d0_tl_span *s) { return power_char(s->value); }
static char map_span_char(const struct d0_tl_span *s) { return map_char(s->value); }

static void chart(FILE *f, const struct d0_timeline *tl, const struct d0_tl_device *d, bool colour)
{
	struct band b = { .t0 = tl->t0, .span = tl->t_end - tl->t0 };
	char access[BAND_WIDTH + 1], steps[BAND_WIDTH + 1], rules[BAND_WIDTH + 1];
	char left[32], right[32];

	memset(access, ' ', BAND_WIDTH);
	memset(steps, ' ', BAND_WIDTH);
	memset(rules, ' ', BAND_WIDTH);
	access[BAND_WIDTH] = steps[BAND_WIDTH] = rules[BAND_WIDTH] = 0;
	for (int i = 0; i < d->nruns; i++)
		for (int c = column_of(&b, d->runs[i].start); c <= column_of(&b, d->runs[i].end); c++)
			access[c] = d->runs[i].refused ? 'x' : access[c] == 'x' ? 'x' : '|';
	for (int i = 0; i < d->nmarks; i++)
		steps[column_of(&b, d->marks[i].ev.ts_ns)] = d0_tl_step_letter(d->marks[i].step);
	for (int i = 0; i < tl->ngaps; i++)
		for (int c = column_of(&b, tl->gaps[i].from); c <= column_of(&b, tl->gaps[i].to); c++)
			rules[c] = '~';
	for (int i = 0; i < d->nviols; i++)
		rules[column_of(&b, d->viols[i].ev.ts_ns)] = '^';

	band_row(f, &b, "power", d->power, d->npower, power_span_char, colour, true);
	band_row(f, &b, "mapping", d->map, d->nmap, map_span_char, false, false);
	band_row(f, &b, "dmabufs", d->dmabuf, d->ndmabuf, dmabuf_char, false, false);
	fprintf(f, "  %-8s|%s|\n", "access", access);
	fprintf(f, "  %-8s|%s|\n", "steps", steps);
	if (colour) {
		fprintf(f, "  %-8s|", "rules");
		for (int c = 0; c < BAND_WIDTH; c++)
			fprintf(f, rules[c] == '^' ? C_RED "^" C_RESET : "%c", rules[c]);
		fputs("|\n", f);
	} else {
		fprintf(f, "  %-8s|%s|\n", "rules", rules);
	}
	snprintf(left, sizeof(left), "+0s");
	snprintf(right, sizeof(right), "+%.6fs", d0_report_secs(tl, tl->t_end));
	fprintf(f, "  %-8s %-*s%s\n", "", (int)(BAND_WIDTH + 2 - strlen(right)), left, right);
}

/* One line of the chronological list: sorted by time, then by what it is. */
/* at one event: the step, then the state it left, then the verdict on it */
enum item_type { IT_GAP, IT_MARK, IT_RUN, IT_POWER, IT_MAP, IT_DMABUF, IT_VIOLATION };

struct item {
	__u64 t, seq;
	enum item_type type;
	int index;
};

static int by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->index - y->index;
}

static void who(FILE *f, const struct d0_event *e)
{
	struct d0_comm_text comm;

	fprintf(f, "in %s (%s %s), pid %u (%s)", e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?",
		d0_kind_name(e->kind), d0_phase_name(e->phase), e->pid, d0_comm_text(&comm, e->comm));
}

/* The power-transition steps of a device by (time, new state): a span start they announce is not repeated. */
struct power_step {
	__u64 t;
	int to;
};

static int by_step(const void *a, const void *b)
{
	const struct power_step *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->to - y->to;
}

/* Sorted once, looked up per span: n log n (a scan per span was quadratic: 40 s at 1M events). */
static struct power_step *power_steps(const struct d0_tl_device *d, int *n)
{
	struct power_step *p = malloc((d->nmarks ? d->nmarks : 1) * sizeof(*p));

	*n = 0;
	if (!p)
		return NULL;
	for (int i = 0; i < d->nmarks; i++)
		if (d->marks[i].step == D0_TL_POWER)
			p[(*n)++] = (struct power_step){ d->marks[i].ev.ts_ns, d->marks[i].ev.power };
	qsort(p, *n, sizeof(*p), by_step);
	return p;
}

/* Does a power-transition step at time t already say the band changed? */
static bool power_step_at(const struct power_step *steps, int n, __u64 t, int to)
{
	struct power_step key = { t, to };

	return steps && bsearch(&key, steps, n, sizeof(*steps), by_step);
}

static void dmabuf_text(FILE *f, const struct d0_tl_span *s)
{
	if (s->value < 0)
		fprintf(f, "unknown");
	else if (s->value == 0)
		fprintf(f, "none");
	else if (s->value2 == 0)
		fprintf(f, "%d, all revoked", s->value);
	else
		fprintf(f, "%d, %d unrevoked", s->value, s->value2);
}

/* Lines after the first get `indent`: they continue the first line's item. */
static void indented(FILE *f, const char *text, const char *indent)
{
	bool first = true;

	for (const char *p = text; *p; first = false) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "%s%.*s\n", first ? "" : indent, len, p);
		p += len + (nl != NULL);
	}
}

static void violation_block(FILE *f, const struct d0_timeline *tl, const struct d0_tl_violation *v, bool colour)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	d0_tl_violation_text(m, tl, v);
	fclose(m);
	if (colour)
		fputs(C_RED, f);
	indented(f, buf, "           ");
	if (colour)
		fputs(C_RESET, f);
	free(buf);
}

static void item_line(FILE *f, const struct d0_timeline *tl, const struct d0_tl_device *d, const struct item *it,
		      bool colour)
{
	const struct d0_tl_span *s;
	const struct d0_tl_mark *mk;
	const struct d0_tl_run *r;
	const struct d0_tl_gap *g;

	fprintf(f, "  %+.6fs ", d0_report_secs(tl, it->t));
	if (it->type == IT_VIOLATION) {
		violation_block(f, tl, &d->viols[it->index], colour);
		return;
	}
	switch (it->type) {
	case IT_GAP:
		g = &tl->gaps[it->index];
		fprintf(f, "LOST %llu events (seq %llu-%llu) before +%.6fs: state unknown until the next event\n",
			(unsigned long long)g->lost, (unsigned long long)g->first_seq,
			(unsigned long long)(g->first_seq + g->lost - 1), d0_report_secs(tl, g->to));
		break;
	case IT_POWER:
		s = &d->power[it->index];
		fprintf(f, "power    %s\n", d0_power_name(s->value));
		break;
	case IT_MAP:
		s = &d->map[it->index];
		fprintf(f, "mapping  %s\n", d0_tl_map_name(s->value));
		break;
	case IT_DMABUF:
		s = &d->dmabuf[it->index];
		fprintf(f, "dmabufs  ");
		dmabuf_text(f, s);
		fputc('\n', f);
		break;
	case IT_MARK:
		mk = &d->marks[it->index];
		if (mk->step == D0_TL_POWER)
			fprintf(f, "power    %s -> %s ", d0_power_name(mk->ev.power_before), d0_power_name(mk->ev.power));
		else
			fprintf(f, "%-8s ", d0_tl_step_name(mk->step));
		who(f, &mk->ev);
		fputc('\n', f);
		break;
	case IT_RUN:
		r = &d->runs[it->index];
		fprintf(f, "%s %llu %s (", r->refused ? "refused " : "accesses", (unsigned long long)r->count,
			r->refused ? "attempt(s)" : "access(es)");
		for (int k = 0, n = 0; k < D0_EV_COUNT; k++)
			if (r->kinds & (1ull << k))
				fprintf(f, "%s%s", n++ ? ", " : "", d0_kind_name(k));
		fprintf(f, ")");
		if (r->count > 1)
			fprintf(f, " until %+.6fs", d0_report_secs(tl, r->end));
		fputc('\n', f);
		break;
	default:
		break;
	}
}

static int device_section(FILE *f, const struct d0_timeline *tl, const struct d0_tl_device *d, bool colour)
{
	int n = d->npower + d->nmap + d->ndmabuf + d->nmarks + d->nruns + d->nviols + tl->ngaps, k = 0;
	struct item *items = calloc(n ? n : 1, sizeof(*items));
	struct power_step *steps;
	char bdf[16];
	int nsteps;

	if (!items)
		return -1;
	d0_bdf_format(d->bdf, bdf, sizeof(bdf));
	fprintf(f, "\n%sdevice %s%s: %llu events, %llu accesses, %llu refused attempts, %d violation(s)\n",
		colour ? C_BOLD : "", bdf, colour ? C_RESET : "", (unsigned long long)d->events,
		(unsigned long long)d->accesses, (unsigned long long)d->refused, d->nviols);
	chart(f, tl, d, colour);
	fputc('\n', f);

	/* a span start that a power step already announces is not repeated */
	steps = power_steps(d, &nsteps);
	for (int i = 0; i < d->npower; i++)
		if (!power_step_at(steps, nsteps, d->power[i].start, d->power[i].value))
			items[k++] = (struct item){ d->power[i].start, d->power[i].seq, IT_POWER, i };
	free(steps);
	for (int i = 0; i < d->nmap; i++)
		items[k++] = (struct item){ d->map[i].start, d->map[i].seq, IT_MAP, i };
	for (int i = 0; i < d->ndmabuf; i++)
		items[k++] = (struct item){ d->dmabuf[i].start, d->dmabuf[i].seq, IT_DMABUF, i };
	for (int i = 0; i < d->nmarks; i++)
		items[k++] = (struct item){ d->marks[i].ev.ts_ns, d->marks[i].ev.seq, IT_MARK, i };
	for (int i = 0; i < d->nruns; i++)
		items[k++] = (struct item){ d->runs[i].start, d->runs[i].first_seq, IT_RUN, i };
	for (int i = 0; i < d->nviols; i++)
		items[k++] = (struct item){ d->viols[i].ev.ts_ns, d->viols[i].ev.seq, IT_VIOLATION, i };
	/* gaps only while the device was known; earlier ones do not concern it */
	for (int i = 0; i < tl->ngaps; i++)
		if (tl->gaps[i].from >= d->first_t)
			items[k++] = (struct item){ tl->gaps[i].from, tl->gaps[i].first_seq, IT_GAP, i };
	qsort(items, k, sizeof(*items), by_time);
	for (int i = 0; i < k; i++)
		item_line(f, tl, d, &items[i], colour);
	free(items);
	return 0;
}

int d0_report_text(FILE *f, const struct d0_timeline *tl, const struct d0_report_meta *m)
{
	fputs("trace ", f);
	d0_escape_fputs(f, m->trace);
	fputs(": kernel ", f);
	d0_escape_fputs(f, m->kernel ? m->kernel : "unknown");
	fprintf(f, ", mode %s\n", d0_mode_name(tl->mode));
	if (m->mapping_model)
		fprintf(f, "mapping model: %s\n", d0_mapping_model_text(d0_mapping_model_parse(m->mapping_model)));
	fprintf(f, "%llu events over %.6fs, %d device(s), %llu lost, %llu violation(s)\n",
		(unsigned long long)tl->events, d0_report_secs(tl, tl->t_end), tl->ndevs,
		(unsigned long long)tl->lost, (unsigned long long)tl->violations);
	if (m->problem) {
		fputs("INCOMPLETE: ", f);
		d0_escape_fputs(f, m->problem);
		fputc('\n', f);
	}
	fprintf(f, "legend: power 0=D0 1=D1 2=D2 h=D3hot c=D3cold ?=unknown; mapping M=mapped .=zapped ?=unknown;\n"
		   "        dmabufs -=none r=all revoked N=unrevoked ?=unknown; access |=accesses x=refused;\n"
		   "        steps z=zap r=revoke u=unrevoke e=export R=reset o=open c=close p=power; rules ^=violation ~=lost\n");
	if (!tl->ndevs)
		fprintf(f, "\nno device events in this trace\n");
	for (int i = 0; i < tl->ndevs; i++)
		if (device_section(f, tl, &tl->devs[i], m->color))
			return -1;
	return ferror(f) ? -1 : 0;
}
