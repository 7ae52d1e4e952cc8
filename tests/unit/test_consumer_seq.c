// SPDX-License-Identifier: GPL-2.0
/* Sequence tracking: gaps are exactly the numbers never delivered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/consumer.h"

struct gaps {
	__u64 first[16], count[16];
	int n;
};

static void on_gap(__u64 first, __u64 count, void *ctx)
{
	struct gaps *g = ctx;

	assert_true(g->n < 16);
	g->first[g->n] = first;
	g->count[g->n++] = count;
}

static void test_in_order_no_gap(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};

	(void)state;
	for (__u64 s = 0; s < 100; s++)
		d0_seq_see(&t, s, &ops, false);
	d0_seq_flush(&t, &ops, 100);
	assert_int_equal(g.n, 0);
	assert_int_equal(t.lost_reported, 0);
	free(t.holes);
}

static void test_reordering_is_not_loss(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};
	__u64 order[] = { 0, 2, 1, 5, 3, 4, 6 };

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		d0_seq_see(&t, order[i], &ops, false);
	d0_seq_flush(&t, &ops, 7);
	assert_int_equal(g.n, 0);
	free(t.holes);
}

static void test_drops_reported_exactly(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};
	__u64 seen[] = { 0, 1, 5, 7, 6 }; /* 2,3,4 lost; 8,9 lost at the tail */

	(void)state;
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
		d0_seq_see(&t, seen[i], &ops, false);
	d0_seq_flush(&t, &ops, 10);
	assert_int_equal(t.lost_reported, 5);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.first[0], 2);
	assert_int_equal(g.count[0], 3);
	assert_int_equal(g.first[1], 8);
	assert_int_equal(g.count[1], 2);
	free(t.holes);
}

static void test_hole_split_by_late_event(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};

	(void)state;
	d0_seq_see(&t, 0, &ops, false);
	d0_seq_see(&t, 10, &ops, false); /* hole 1..9 */
	d0_seq_see(&t, 5, &ops, false);  /* splits it: 1..4 and 6..9 */
	d0_seq_flush(&t, &ops, 11);
	assert_int_equal(t.lost_reported, 8);
	assert_int_equal(g.n, 2);
	free(t.holes);
}

static int count_event(const struct d0_event *e, void *ctx)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

/* A sample of any other size, or with a kind or hook this build lacks, is counted, never read. */
static void test_bad_samples_counted_not_trusted(void **state)
{
	struct gaps g = {};
	int events = 0;
	struct d0_consumer_ops ops = { .event = count_event, .gap = on_gap, .ctx = &events };
	struct d0_consumer c = { .ops = ops };
	struct d0_event e = { .kind = D0_EV_ZAP, .hook = 0, .phase = D0_PH_ENTRY };
	unsigned char big[sizeof(e) + 8] = {};

	(void)state;
	c.ops.ctx = &events;
	assert_int_equal(d0_consumer_sample(&c, &e, sizeof(e)), 0);
	e.seq = 1;
	d0_consumer_sample(&c, &e, sizeof(e) - 1);       /* short: was already refused */
	memcpy(big, &e, sizeof(e));
	d0_consumer_sample(&c, big, sizeof(big));         /* long: was accepted as an event */
	e.seq = 2;
	e.kind = D0_EV_COUNT;
	d0_consumer_sample(&c, &e, sizeof(e));            /* unknown kind: was written as "invalid" */
	e.kind = D0_EV_ZAP;
	e.hook = D0_HOOK_COUNT;
	d0_consumer_sample(&c, &e, sizeof(e));
	e.seq = 3;
	e.hook = 0;
	d0_consumer_sample(&c, &e, sizeof(e));
	assert_int_equal(events, 2);
	assert_int_equal(c.delivered, 2);
	assert_int_equal(c.bad_records, 4);
	/* the refused numbers are gaps: produced = delivered + lost still holds */
	c.ops.ctx = &g;
	d0_seq_flush(&c.seq, &c.ops, 4);
	assert_int_equal(c.seq.lost_reported, 2);
	free(c.seq.holes);
}

/* A restarted daemon starts where the previous one stopped, not at 0. */
static void test_start_mid_stream(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};
	const __u64 pending[2][2] = { { 990, 991 }, { 995, 997 } };

	(void)state;
	d0_seq_start(&t, 1000, pending, 2);
	assert_int_equal(t.next, 1000);
	d0_seq_see(&t, 1000, &ops, false);
	d0_seq_see(&t, 996, &ops, false);   /* late event of the previous process's window */
	d0_seq_see(&t, 1003, &ops, false);  /* 1001, 1002 lost while no daemon ran */
	d0_seq_flush(&t, &ops, 1004);
	/* 990, 995 and 1001-1002 lost; nothing below 990 counted as lost */
	assert_int_equal(t.lost_reported, 4);
	assert_int_equal(g.n, 3);
	free(t.holes);
}

/* Pending holes go to the next process; beyond what it can take, they are lost now. */
static void test_hand_over(void **state)
{
	struct gaps g = {};
	struct d0_consumer_ops ops = { .gap = on_gap, .ctx = &g };
	struct d0_seq_tracker t = {};
	__u64 holes[2][2];

	(void)state;
	for (__u64 s = 0; s < 10; s += 2)       /* holes at 1, 3, 5, 7 */
		d0_seq_see(&t, s, &ops, false);
	assert_int_equal(t.nholes, 4);
	assert_int_equal(d0_seq_hand_over(&t, &ops, holes, 2), 2);
	assert_int_equal(t.nholes, 0);
	assert_int_equal(t.lost_reported, 2);   /* the two that did not fit */
	assert_int_equal(holes[0][1] - holes[0][0], 1);
	/* the next process: start with the two, a late 1 or 3 fills one, no double count */
	{
		struct d0_seq_tracker n = {};

		d0_seq_start(&n, t.next, (const __u64(*)[2])holes, 2);
		d0_seq_see(&n, holes[0][0], &ops, false);
		d0_seq_flush(&n, &ops, t.next);
		assert_int_equal(n.lost_reported, 1);
		free(n.holes);
	}
	free(t.holes);
}

/* Holes that make no sense (beyond next, empty) are not trusted. */
static void test_start_ignores_bad_holes(void **state)
{
	struct d0_seq_tracker t = {};
	const __u64 bad[3][2] = { { 5, 5 }, { 8, 3 }, { 50, 60 } };

	(void)state;
	d0_seq_start(&t, 10, bad, 3);
	assert_int_equal(t.nholes, 0);
	free(t.holes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_no_gap),
		cmocka_unit_test(test_reordering_is_not_loss),
		cmocka_unit_test(test_drops_reported_exactly),
		cmocka_unit_test(test_hole_split_by_late_event),
		cmocka_unit_test(test_bad_samples_counted_not_trusted),
		cmocka_unit_test(test_start_mid_stream),
		cmocka_unit_test(test_hand_over),
		cmocka_unit_test(test_start_ignores_bad_holes),
	};

	return cmocka_run_group_tests_name("consumer_seq", tests, NULL, NULL);
}
