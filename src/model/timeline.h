/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-device timeline behind `d0audit report`: power-state, mapping and
 * DMABUF spans, access runs, steps (zaps, moves, resets) and violations,
 * built from a trace's events. Pure: no I/O, so the renderers
 * (report_text, report_svg, report_perfetto) only draw what this computes.
 * Violations come from the verdict machinery (src/model/verdict.c), never from a
 * second copy of the rules.
 */
#ifndef D0AUDIT_TIMELINE_H
#define D0AUDIT_TIMELINE_H

#include <stdbool.h>
#include <linux/types.h>
#include "model/verdict.h"

#define D0_TL_ANY_DEVICE 0xffffffffu

enum d0_tl_map {
	D0_TL_MAP_UNKNOWN = 0, /* no vfio state, opened before d0audit looked, or after lost events */
	D0_TL_MAP_ZAPPED = 1,  /* no PTE granted since the last full zap (or never mapped) */
	D0_TL_MAP_MAPPED = 2,  /* a PTE was granted since the last full zap */
};

/* One track kept one value over [start, end). Times are trace ns. */
struct d0_tl_span {
	__u64 start, end;
	int value;   /* power: enum d0_power (D0_PWR_UNKNOWN after a gap); map: enum d0_tl_map; dmabuf: count or -1 */
	int value2;  /* dmabuf: unrevoked count, or -1 when unknown */
	__u64 seq;   /* the event that started it; for spans a gap started, the gap's first_seq */
};

enum d0_tl_step {
	D0_TL_ZAP,
	D0_TL_REVOKE,
	D0_TL_UNREVOKE,
	D0_TL_EXPORT,
	D0_TL_RESET,
	D0_TL_OPEN,
	D0_TL_CLOSE,
	D0_TL_POWER,    /* a power transition (power_before -> power) */
	D0_TL_STEP_COUNT,
};

struct d0_tl_mark {
	enum d0_tl_step step;
	struct d0_event ev;
};

/* Consecutive accesses (or refused attempts) with no other step of the device between them. */
struct d0_tl_run {
	__u64 start, end, count;
	bool refused;
	__u64 kinds;       /* 1ull << enum d0_event_kind of the accesses in the run */
	__u64 first_seq;
};

struct d0_tl_violation {
	int rule;
	bool first;        /* first time this rule broke on this device (what check reports) */
	struct d0_event ev;
	struct d0_dev_history before; /* the device's history just before: the explain input */
};

/* Lost events: numbers first_seq .. first_seq+lost-1, somewhere between from and to. */
struct d0_tl_gap {
	__u64 first_seq, lost, from, to;
};

struct d0_tl_device {
	__u32 bdf;
	__u64 first_t, last_t, events, accesses, refused;
	struct d0_tl_span *power, *map, *dmabuf;
	int npower, nmap, ndmabuf, cpower, cmap, cdmabuf;
	struct d0_tl_mark *marks;
	int nmarks, cmarks;
	struct d0_tl_run *runs;
	int nruns, cruns;
	bool run_open;
	struct d0_tl_violation *viols;
	int nviols, cviols;
};

struct d0_timeline {
	__u32 mode;
	__u32 only_bdf;            /* D0_TL_ANY_DEVICE, or the one device to keep (--device) */
	struct d0_event *pending;  /* events as read; sorted by seq when built */
	size_t npending, cpending;
	struct d0_tl_gap *gaps;
	int ngaps, cgaps;
	struct d0_tl_device *devs; /* in order of first appearance */
	int ndevs, cdevs;
	struct d0_verdict verdict; /* the same judge check uses; counts, explain input */
	__u64 t0, t_end;           /* first and last event time */
	__u64 events, lost, violations;
	bool built;
};

void d0_timeline_init(struct d0_timeline *tl, __u32 mode, __u32 only_bdf);
void d0_timeline_free(struct d0_timeline *tl);
/* Collect records in file order; events may arrive out of seq order (per-CPU buffers). */
int d0_timeline_add_event(struct d0_timeline *tl, const struct d0_event *e);
int d0_timeline_add_gap(struct d0_timeline *tl, __u64 first_seq, __u64 lost);
/* Order by seq, judge each event, and build every device's tracks. Once. 0, or -ENOMEM (then only free it). */
int d0_timeline_build(struct d0_timeline *tl);

const struct d0_tl_device *d0_timeline_device(const struct d0_timeline *tl, __u32 bdf);
const char *d0_tl_map_name(int map);
const char *d0_tl_step_name(enum d0_tl_step s);
/* The one-letter mark of a step in the text chart and the SVG (z zap, r revoke, R reset...). */
char d0_tl_step_letter(enum d0_tl_step s);
/* The explain text of one violation, exactly as check prints it. */
void d0_tl_violation_text(FILE *f, const struct d0_timeline *tl, const struct d0_tl_violation *v);

#endif /* D0AUDIT_TIMELINE_H */
