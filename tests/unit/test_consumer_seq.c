// SPDX-License-Identifier: GPL-2.0
/* Sequence tracking: gaps are exactly the numbers never delivered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_no_gap),
		cmocka_unit_test(test_reordering_is_not_loss),
		cmocka_unit_test(test_drops_reported_exactly),
		cmocka_unit_test(test_hole_split_by_late_event),
	};

	return cmocka_run_group_tests_name("consumer_seq", tests, NULL, NULL);
}
