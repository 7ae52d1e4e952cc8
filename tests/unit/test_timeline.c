// SPDX-License-Identifier: GPL-2.0
/*
 * The report's timeline model (src/model/timeline.c): exact spans, runs, gaps and
 * violation positions on small hand-made event sequences, then on the real
 * 7.2 and 6.1 recordings, where it must agree with check's verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "model/timeline.h"
#include "trace/trace_reader.h"

#define A 0x18u  /* 0000:00:03.0 */
#define B 0x20u  /* 0000:00:04.0 */
#define VFIO (D0_ST_VDEV_KNOWN | D0_ST_OPEN | D0_ST_MEM_ENABLED)

static struct d0_event ev(__u64 seq, __u64 t, __u32 bdf, int kind, int phase, int power, __u32 state)
{
	struct d0_event e = { .seq = seq, .ts_ns = t, .bdf = bdf, .kind = kind, .phase = phase, .power = power,
			      .power_before = power, .state = state };

	return e;
}

static struct d0_event power_change(__u64 seq, __u64 t, __u32 bdf, int before, int after, __u32 state)
{
	struct d0_event e = ev(seq, t, bdf, D0_EV_POWER_CHANGE, D0_PH_EXIT, after, state);

	e.power_before = before;
	e.ctx = D0_CTX_VFIO_POWER | D0_CTX_PCI_POWER;
	return e;
}

#define SPAN(s, st, en, v) do { \
	assert_int_equal((s).start, (st)); assert_int_equal((s).end, (en)); assert_int_equal((s).value, (v)); \
} while (0)

static void test_power_down_while_mapped(void **state)
{
	struct d0_timeline tl;
	const struct d0_tl_device *d;
	struct d0_event e[] = {
		ev(0, 100, A, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(1, 200, A, D0_EV_FAULT, D0_PH_EXIT, D0_PWR_D0, VFIO | D0_ST_MAPPED),
		power_change(2, 300, A, D0_PWR_D0, D0_PWR_D3HOT, VFIO | D0_ST_MAPPED | D0_ST_LOCK_W_CURRENT),
		ev(3, 400, A, D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D3HOT, VFIO | D0_ST_MAPPED),
		ev(4, 500, A, D0_EV_CLOSE, D0_PH_ENTRY, D0_PWR_D3HOT, VFIO | D0_ST_MAPPED),
	};

	(void)state;
	e[1].ret = D0_VM_FAULT_NOPAGE;
	d0_timeline_init(&tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		assert_int_equal(d0_timeline_add_event(&tl, &e[i]), 0);
	d0_timeline_build(&tl);

	assert_int_equal(tl.ndevs, 1);
	assert_int_equal(tl.t0, 100);
	assert_int_equal(tl.t_end, 500);
	d = d0_timeline_device(&tl, A);
	assert_non_null(d);
	assert_int_equal(d->npower, 2);
	SPAN(d->power[0], 100, 300, D0_PWR_D0);
	SPAN(d->power[1], 300, 500, D0_PWR_D3HOT);
	assert_int_equal(d->nmap, 2);
	SPAN(d->map[0], 100, 200, D0_TL_MAP_ZAPPED);
	SPAN(d->map[1], 200, 500, D0_TL_MAP_MAPPED);
	assert_int_equal(d->ndmabuf, 1);
	SPAN(d->dmabuf[0], 100, 500, 0);

	/* rule 1 where the device left D0, rule 7 at the access that followed */
	assert_int_equal(tl.violations, 2);
	assert_int_equal(d->nviols, 2);
	assert_int_equal(d->viols[0].rule, D0_RULE_ZAP_BEFORE_POWER_DOWN);
	assert_int_equal(d->viols[0].ev.seq, 2);
	assert_true(d->viols[0].first);
	assert_int_equal(d->viols[0].before.fault.seq, 1);   /* the explanation: the fault before it */
	assert_int_equal(d->viols[1].rule, D0_RULE_NO_ACCESS_OUTSIDE_D0);
	assert_int_equal(d->viols[1].ev.seq, 3);
	assert_int_equal(d->viols[1].before.power.seq, 2);

	/* the power change splits the accesses into two runs */
	assert_int_equal(d->nruns, 2);
	assert_int_equal(d->runs[0].count, 1);
	assert_int_equal(d->runs[0].start, 200);
	assert_int_equal(d->runs[1].start, 400);
	assert_int_equal(d->accesses, 2);

	/* steps: open, power, close */
	assert_int_equal(d->nmarks, 3);
	assert_int_equal(d->marks[0].step, D0_TL_OPEN);
	assert_int_equal(d->marks[1].step, D0_TL_POWER);
	assert_int_equal(d->marks[2].step, D0_TL_CLOSE);
	d0_timeline_free(&tl);
}

/* Which events are steps on the lane, and which are not: failed exports and opens, zap exits,
 * power re-reads that changed nothing; revoke and unrevoke told apart; D3cold and a device open
 * before d0audit saw it (mapping unknown) drawn as they are; a second violation is not "first". */
static void test_steps_and_states(void **state)
{
	struct d0_timeline tl;
	const struct d0_tl_device *d;
	struct d0_event e[] = {
		ev(0, 100, A, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(1, 110, A, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(2, 120, A, D0_EV_DMABUF_EXPORT, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(3, 130, A, D0_EV_DMABUF_EXPORT, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(4, 140, A, D0_EV_ZAP, D0_PH_ENTRY, D0_PWR_D0, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(5, 150, A, D0_EV_ZAP, D0_PH_EXIT, D0_PWR_D0, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(6, 160, A, D0_EV_DMABUF_MOVE, D0_PH_ENTRY, D0_PWR_D0, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(7, 170, A, D0_EV_DMABUF_MOVE, D0_PH_ENTRY, D0_PWR_D0, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(8, 180, A, D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D0, VFIO),
		power_change(9, 190, A, D0_PWR_D0, D0_PWR_D3COLD, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(10, 200, A, D0_EV_ROM_MAP, D0_PH_ENTRY, D0_PWR_D3COLD, VFIO),
		ev(11, 210, A, D0_EV_ROM_MAP, D0_PH_ENTRY, D0_PWR_D3COLD, VFIO | D0_ST_MAPPED_UNKNOWN),
	};

	(void)state;
	e[0].ret = -16;  /* EBUSY: not opened */
	e[2].ret = -22;  /* EINVAL: no DMABUF */
	e[3].ret = 7;    /* fd 7 */
	e[6].a0 = 1;     /* revoke */
	e[7].a0 = 0;     /* unrevoke */
	d0_timeline_init(&tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		assert_int_equal(d0_timeline_add_event(&tl, &e[i]), 0);
	d0_timeline_build(&tl);
	d = d0_timeline_device(&tl, A);
	assert_non_null(d);
	assert_int_equal(d->nmarks, 6);
	assert_int_equal(d->marks[0].step, D0_TL_OPEN);
	assert_int_equal(d->marks[0].ev.seq, 1);
	assert_int_equal(d->marks[1].step, D0_TL_EXPORT);
	assert_int_equal(d->marks[1].ev.seq, 3);
	assert_int_equal(d->marks[2].step, D0_TL_ZAP);
	assert_int_equal(d->marks[2].ev.seq, 4);
	assert_int_equal(d->marks[3].step, D0_TL_REVOKE);
	assert_int_equal(d->marks[4].step, D0_TL_UNREVOKE);
	assert_int_equal(d->marks[5].step, D0_TL_POWER);
	assert_int_equal(d->marks[5].ev.seq, 9);
	SPAN(d->power[d->npower - 1], 190, 210, D0_PWR_D3COLD);
	SPAN(d->map[d->nmap - 2], 100, 210, D0_TL_MAP_ZAPPED);
	SPAN(d->map[d->nmap - 1], 210, 210, D0_TL_MAP_UNKNOWN);
	/* two ROM reads in D3cold: rule 7 twice, the first one first */
	assert_int_equal(d->nviols, 2);
	assert_int_equal(d->viols[0].rule, D0_RULE_NO_ACCESS_OUTSIDE_D0);
	assert_true(d->viols[0].first);
	assert_int_equal(d->viols[1].rule, D0_RULE_NO_ACCESS_OUTSIDE_D0);
	assert_false(d->viols[1].first);
	d0_timeline_free(&tl);
}

/* A gap ends a run of accesses (nothing is known across it); an event naming no device that
 * broke nothing gets no lane. */
static void test_gap_ends_a_run_and_deviceless_events(void **state)
{
	struct d0_timeline tl;
	const struct d0_tl_device *d;
	struct d0_event a = ev(0, 100, A, D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D0, VFIO);
	struct d0_event none = ev(1, 150, D0_TL_ANY_DEVICE, D0_EV_IOCTL, D0_PH_ENTRY, D0_PWR_D0, 0);
	struct d0_event b = ev(4, 300, A, D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D0, VFIO);

	(void)state;
	d0_timeline_init(&tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	assert_int_equal(d0_timeline_add_event(&tl, &a), 0);
	assert_int_equal(d0_timeline_add_event(&tl, &none), 0);
	d0_timeline_add_gap(&tl, 2, 2);
	assert_int_equal(d0_timeline_add_event(&tl, &b), 0);
	d0_timeline_build(&tl);
	assert_int_equal(tl.ndevs, 1);
	d = d0_timeline_device(&tl, A);
	assert_non_null(d);
	assert_int_equal(d->accesses, 2);
	assert_int_equal(d->nruns, 2);
	d0_timeline_free(&tl);
}

static void test_access_runs_aggregate(void **state)
{
	struct d0_timeline tl;
	const struct d0_tl_device *d;
	__u64 seq = 0, t = 1000;
	struct d0_event e;

	(void)state;
	d0_timeline_init(&tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	for (int i = 0; i < 5; i++) {
		e = ev(seq++, t += 10, A, D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D0, VFIO);
		d0_timeline_add_event(&tl, &e);
		/* the completion of a granted access is hot path too: the run goes on */
		e = ev(seq++, t += 10, A, D0_EV_BAR_RW_DONE, D0_PH_EXIT, D0_PWR_D0, VFIO);
		d0_timeline_add_event(&tl, &e);
	}
	e = ev(seq++, t += 10, A, D0_EV_ZAP, D0_PH_ENTRY, D0_PWR_D0, VFIO | D0_ST_LOCK_W_CURRENT);
	d0_timeline_add_event(&tl, &e);
	e = ev(seq++, t += 10, A, D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D0, VFIO);
	d0_timeline_add_event(&tl, &e);
	for (int i = 0; i < 3; i++) {
		e = ev(seq++, t += 10, A, D0_EV_BAR_RW_DONE, D0_PH_EXIT, D0_PWR_D0, VFIO);
		e.ret = -5; /* -EIO: refused by vfio */
		d0_timeline_add_event(&tl, &e);
	}
	d0_timeline_build(&tl);
	d = d0_timeline_device(&tl, A);

	assert_int_equal(d->nruns, 3);
	assert_int_equal(d->runs[0].count, 5);
	assert_false(d->runs[0].refused);
	assert_int_equal(d->runs[0].start, 1010);
	assert_int_equal(d->runs[0].end, 1090);
	assert_int_equal(d->runs[0].kinds, 1ull << D0_EV_BAR_ACCESS);
	assert_int_equal(d->runs[1].count, 1);
	assert_int_equal(d->runs[1].first_seq, 11);
	assert_int_equal(d->runs[2].count, 3);
	assert_true(d->runs[2].refused);
	assert_int_equal(d->accesses, 6);
	assert_int_equal(d->refused, 3);
	assert_int_equal(d->nmarks, 1);
	assert_int_equal(d->marks[0].step, D0_TL_ZAP);
	assert_int_equal(tl.violations, 0);
	d0_timeline_free(&tl);
}

static void test_gap_makes_every_device_unknown(void **state)
{
	struct d0_timeline tl;
	const struct d0_tl_device *a, *b;
	/* out of seq order on purpose: per-CPU buffers deliver like this */
	struct d0_event e[] = {
		ev(1, 200, B, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(0, 100, A, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		power_change(4, 400, A, D0_PWR_D0, D0_PWR_D3HOT, VFIO | D0_ST_LOCK_W_CURRENT),
		ev(5, 600, B, D0_EV_CLOSE, D0_PH_ENTRY, D0_PWR_D0, VFIO),
	};

	(void)state;
	d0_timeline_init(&tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		d0_timeline_add_event(&tl, &e[i]);
	d0_timeline_add_gap(&tl, 2, 2);
	d0_timeline_build(&tl);

	assert_int_equal(tl.ndevs, 2);
	assert_int_equal(tl.devs[0].bdf, A);     /* lanes in order of first appearance (by seq) */
	assert_int_equal(tl.lost, 2);
	assert_int_equal(tl.ngaps, 1);
	assert_int_equal(tl.gaps[0].from, 200);  /* the last event before seq 2 */
	assert_int_equal(tl.gaps[0].to, 400);    /* the first after seq 3 */

	a = d0_timeline_device(&tl, A);
	assert_int_equal(a->npower, 3);
	SPAN(a->power[0], 100, 200, D0_PWR_D0);
	SPAN(a->power[1], 200, 400, D0_PWR_UNKNOWN);
	SPAN(a->power[2], 400, 600, D0_PWR_D3HOT);
	assert_int_equal(a->nmap, 3);
	SPAN(a->map[1], 200, 400, D0_TL_MAP_UNKNOWN);
	assert_int_equal(a->dmabuf[1].value, -1);

	/* B's only state before the gap lasted no time: it is replaced, not kept zero-length */
	b = d0_timeline_device(&tl, B);
	assert_int_equal(b->npower, 2);
	SPAN(b->power[0], 200, 600, D0_PWR_UNKNOWN);
	SPAN(b->power[1], 600, 600, D0_PWR_D0);
	d0_timeline_free(&tl);
}

static void test_device_filter_keeps_one_lane(void **state)
{
	struct d0_timeline tl;
	struct d0_event e[] = {
		ev(0, 100, A, D0_EV_OPEN, D0_PH_EXIT, D0_PWR_D0, VFIO),
		ev(1, 200, B, D0_EV_SYSFS_MMAP, D0_PH_ENTRY, D0_PWR_D0, VFIO), /* rule 10, on B */
		ev(2, 300, A, D0_EV_CLOSE, D0_PH_ENTRY, D0_PWR_D0, VFIO),
	};

	(void)state;
	d0_timeline_init(&tl, D0_MODE_STRICT, A);
	for (size_t i = 0; i < 3; i++)
		d0_timeline_add_event(&tl, &e[i]);
	d0_timeline_build(&tl);
	assert_int_equal(tl.ndevs, 1);
	assert_null(d0_timeline_device(&tl, B));
	assert_int_equal(tl.violations, 0);   /* B's violation is not this report's */
	assert_int_equal(tl.t0, 100);
	d0_timeline_free(&tl);

	d0_timeline_init(&tl, D0_MODE_STRICT, B);
	for (size_t i = 0; i < 3; i++)
		d0_timeline_add_event(&tl, &e[i]);
	d0_timeline_build(&tl);
	assert_int_equal(tl.ndevs, 1);
	assert_int_equal(tl.violations, 1);
	assert_int_equal(tl.devs[0].viols[0].rule, D0_RULE_BYPASS);
	d0_timeline_free(&tl);
}

/* ---- real recordings ---------------------------------------------------- */

static void load(struct d0_timeline *tl, const char *name, struct d0_verdict *check)
{
	char path[512];
	struct d0_trace_reader *r;
	struct d0_record rec;
	int n;

	snprintf(path, sizeof(path), "%s/traces/%s", FIXTURES, name);
	r = d0_trace_reader_open(path);
	assert_non_null(r);
	d0_timeline_init(tl, D0_MODE_STRICT, D0_TL_ANY_DEVICE);
	d0_verdict_init(check, D0_MODE_STRICT, NULL, NULL);
	while ((n = d0_trace_next(r, &rec)) == 1) {
		if (rec.type != D0_REC_EVENT)
			continue;
		assert_int_equal(d0_timeline_add_event(tl, &rec.ev), 0);
		/* what check does, independently, in file order */
		d0_verdict_event(check, &rec.ev, rec.ev.violations);
	}
	assert_int_equal(n, 0);
	d0_trace_reader_close(r);
	d0_timeline_build(tl);
}

/* Spans tile the device's life without holes or overlaps; runs add up to the counts. */
static void assert_well_formed(const struct d0_timeline *tl)
{
	for (int i = 0; i < tl->ndevs; i++) {
		const struct d0_tl_device *d = &tl->devs[i];
		const struct d0_tl_span *tracks[] = { d->power, d->map, d->dmabuf };
		int ns[] = { d->npower, d->nmap, d->ndmabuf };
		__u64 runs = 0;

		for (int k = 0; k < 3; k++) {
			assert_true(ns[k] > 0);
			assert_int_equal(tracks[k][0].start, d->first_t);
			assert_int_equal(tracks[k][ns[k] - 1].end, tl->t_end);
			for (int j = 0; j < ns[k]; j++) {
				assert_true(tracks[k][j].start <= tracks[k][j].end);
				if (j)
					assert_int_equal(tracks[k][j].start, tracks[k][j - 1].end);
			}
		}
		for (int j = 0; j < d->nruns; j++)
			runs += d->runs[j].count;
		assert_int_equal(runs, d->accesses + d->refused);
	}
}

static void test_real_sysfs_cmd_mem_violations_in_place(void **state)
{
	struct d0_timeline tl;
	struct d0_verdict check;
	const struct d0_tl_device *d;
	const __u64 t0 = 363218379330ull;

	(void)state;
	load(&tl, "sysfs-cmd-mem-7.2.ndjson.gz", &check);
	assert_well_formed(&tl);
	assert_int_equal(tl.ndevs, 1);
	d = d0_timeline_device(&tl, A);
	assert_int_equal(tl.t0, t0);

	/* D3hot -> D0 at seq 1, D0 -> D3hot at seq 30 (runtime suspend at the end) */
	assert_int_equal(d->npower, 3);
	SPAN(d->power[0], t0, 363231114570ull, D0_PWR_D3HOT);
	SPAN(d->power[1], 363231114570ull, 363332343243ull, D0_PWR_D0);
	assert_int_equal(d->power[2].value, D0_PWR_D3HOT);

	/* COMMAND.MEMORY cleared through sysfs while mapped: rules 5 and 10 at seq 11, 10 again at seq 12 */
	assert_int_equal(d->nviols, 3);
	assert_int_equal(d->viols[0].rule, 5);
	assert_int_equal(d->viols[0].ev.seq, 11);
	assert_int_equal(d->viols[1].rule, 10);
	assert_int_equal(d->viols[1].ev.seq, 11);
	assert_true(d->viols[1].first);
	assert_int_equal(d->viols[2].rule, 10);
	assert_int_equal(d->viols[2].ev.seq, 12);
	assert_false(d->viols[2].first);
	/* the explanation is the one check prints: the power-up before it */
	assert_int_equal(d->viols[0].before.power.seq, 1);

	/* and the same count check gets, rule by rule */
	for (int r = 1; r <= D0_RULE_MAX; r++)
		assert_int_equal(tl.verdict.by_rule[r], check.by_rule[r]);
	assert_int_equal(check.mismatches, 0);
	d0_verdict_free(&check);
	d0_timeline_free(&tl);
}

static void test_real_dmabuf_flow_clean(void **state)
{
	struct d0_timeline tl;
	struct d0_verdict check;
	const struct d0_tl_device *d;
	int zaps = 0, revokes = 0, unrevokes = 0, exports = 0;
	bool saw_unrevoked = false, saw_all_revoked = false;

	(void)state;
	load(&tl, "dmabuf-7.2.ndjson.gz", &check);
	assert_well_formed(&tl);
	d = d0_timeline_device(&tl, A);
	assert_int_equal(tl.violations, 0);
	for (int i = 0; i < d->nmarks; i++) {
		zaps += d->marks[i].step == D0_TL_ZAP;
		revokes += d->marks[i].step == D0_TL_REVOKE;
		unrevokes += d->marks[i].step == D0_TL_UNREVOKE;
		exports += d->marks[i].step == D0_TL_EXPORT;
	}
	/* zaps at seq 15 and 34; revokes at 16, 35, 49; unrevokes at 29, 42, 52; one export that returned an fd */
	assert_int_equal(zaps, 2);
	assert_int_equal(revokes, 3);
	assert_int_equal(unrevokes, 3);
	assert_int_equal(exports, 1);
	for (int i = 0; i < d->ndmabuf; i++) {
		saw_unrevoked |= d->dmabuf[i].value == 1 && d->dmabuf[i].value2 == 1;
		saw_all_revoked |= d->dmabuf[i].value == 1 && d->dmabuf[i].value2 == 0;
	}
	assert_true(saw_unrevoked);
	assert_true(saw_all_revoked);
	/* the device went to D3hot with its DMABUF revoked: D3hot span while (1, 0) */
	for (int i = 0; i < d->npower; i++)
		if (d->power[i].value == D0_PWR_D3HOT && d->power[i].start > tl.t0)
			for (int j = 0; j < d->ndmabuf; j++)
				if (d->dmabuf[j].start <= d->power[i].start && d->power[i].start < d->dmabuf[j].end)
					assert_int_equal(d->dmabuf[j].value2, 0);
	d0_verdict_free(&check);
	d0_timeline_free(&tl);
}

static void test_real_fixtures_agree_with_check(void **state)
{
	static const char *const names[] = {
		"cmd-mem-7.2.ndjson.gz", "dmabuf-7.2.ndjson.gz", "low-power-6.1.ndjson.gz", "low-power-7.2.ndjson.gz",
		"low-power-wakeup-7.2.ndjson.gz", "open-close-7.2.ndjson.gz", "pm-d3-6.1.ndjson.gz",
		"pm-d3-7.2.ndjson.gz", "reset-7.2.ndjson.gz", "rom-7.2.ndjson.gz", "sysfs-cmd-mem-7.2.ndjson.gz",
		"sysfs-mmap-7.2.ndjson.gz", "sysfs-pm-d3-7.2.ndjson.gz",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct d0_timeline tl;
		struct d0_verdict check;
		__u64 total = 0, accesses = 0, refused = 0;

		load(&tl, names[i], &check);
		assert_well_formed(&tl);
		for (int r = 1; r <= D0_RULE_MAX; r++)
			total += check.by_rule[r];
		assert_int_equal(tl.violations, total);
		for (int d = 0; d < tl.ndevs; d++) {
			accesses += tl.devs[d].accesses;
			refused += tl.devs[d].refused;
		}
		assert_int_equal(accesses, check.accesses);
		assert_int_equal(refused, check.refused);
		assert_int_equal(tl.events, check.events);
		d0_verdict_free(&check);
		d0_timeline_free(&tl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_down_while_mapped),
		cmocka_unit_test(test_steps_and_states),
		cmocka_unit_test(test_gap_ends_a_run_and_deviceless_events),
		cmocka_unit_test(test_access_runs_aggregate),
		cmocka_unit_test(test_gap_makes_every_device_unknown),
		cmocka_unit_test(test_device_filter_keeps_one_lane),
		cmocka_unit_test(test_real_sysfs_cmd_mem_violations_in_place),
		cmocka_unit_test(test_real_dmabuf_flow_clean),
		cmocka_unit_test(test_real_fixtures_agree_with_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
