// SPDX-License-Identifier: GPL-2.0
/* Issue 18: which own programs the second object loads, and when there is one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/parallel_load.h"

/* cost of each group: the first carries the cold program's weight */
static void costs(const bool own[D0_HOOK_COUNT], bool cold, const bool second[D0_HOOK_COUNT], int *a, int *b)
{
	*a = cold ? D0_COLD_LOAD_WEIGHT : 0;
	*b = 0;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		if (!own[i])
			assert_false(second[i]); /* a row with no program of its own is in neither */
		else if (second[i])
			(*b)++;
		else
			(*a)++;
	}
}

static void test_split_balances(void **state)
{
	bool own[D0_HOOK_COUNT] = {}, second[D0_HOOK_COUNT];
	int a, b, n;

	(void)state;
	/* every row its own program (6.1: no multi-attach) */
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		own[i] = true;
	n = d0_load_split(own, false, second);
	costs(own, false, second, &a, &b);
	assert_int_equal(n, b);
	assert_true(abs(a - b) <= 1);
	/* 7.2: 22 own programs and the cold one */
	memset(own, 0, sizeof(own));
	for (int i = 0; i < 22; i++)
		own[i * 3] = true;
	n = d0_load_split(own, true, second);
	costs(own, true, second, &a, &b);
	assert_int_equal(n, b);
	assert_int_equal(a + b, 22 + D0_COLD_LOAD_WEIGHT);
	assert_true(abs(a - b) <= 1);
	/* the cold program alone outweighs a few: they all go to the second object */
	memset(own, 0, sizeof(own));
	own[1] = own[5] = own[9] = true;
	assert_int_equal(d0_load_split(own, true, second), 3);
	assert_true(second[1] && second[5] && second[9]);
}

static void test_usable(void **state)
{
	const char *why;

	(void)state;
	unsetenv("D0AUDIT_PARALLEL_LOAD");
	assert_true(d0_parallel_load_usable(22, 2, &why));
	assert_null(why);
	assert_false(d0_parallel_load_usable(22, 1, &why));
	assert_string_equal(why, "one CPU to run on");
	assert_false(d0_parallel_load_usable(D0_PARALLEL_MIN_PROGRAMS - 1, 8, &why));
	assert_non_null(why);
	assert_true(d0_parallel_load_usable(D0_PARALLEL_MIN_PROGRAMS, 8, &why));
	setenv("D0AUDIT_PARALLEL_LOAD", "0", 1);
	assert_false(d0_parallel_load_usable(22, 8, &why));
	assert_string_equal(why, "D0AUDIT_PARALLEL_LOAD=0");
	setenv("D0AUDIT_PARALLEL_LOAD", "1", 1);
	assert_true(d0_parallel_load_usable(22, 8, &why));
	unsetenv("D0AUDIT_PARALLEL_LOAD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_balances),
		cmocka_unit_test(test_usable),
	};

	return cmocka_run_group_tests_name("parallel_load", tests, NULL, NULL);
}
