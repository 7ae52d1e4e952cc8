// SPDX-License-Identifier: GPL-2.0
/*
 * The summary's exit code, the one every command ends with: 1 for an unwaived
 * violation, or a rule the kernel counted more often than user space saw it (the
 * rest were in lost events: live audits only); 3 for any problem; else 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "summary.h"
#include "verdict.h"
#include "cli.h"

static void test_exit_codes(void **state)
{
	struct d0_violation viol = { .rule = 5, .bdf = 0x18, .count = 2 };
	struct d0_verdict v = {};
	struct d0_summary s = { .v = &v };

	(void)state;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_OK);
	d0_summary_problem(&s, "%d events lost", 3);
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_CANNOT);
	/* a violation beats a problem; a waived one does not count */
	v.viols = &viol;
	v.nviols = 1;
	v.by_rule[5] = 2;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_VIOLATIONS);
	viol.allowed = true;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_CANNOT);
	s.nproblems = 0;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_OK);
	/* live: the kernel counted exactly what user space saw, or more (in lost events) */
	s.have_kernel_counts = true;
	s.kernel_by_rule[5] = 2;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_OK);
	s.kernel_by_rule[7] = 1;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_VIOLATIONS);
	s.kernel_by_rule[7] = 0;
	s.kernel_by_rule[5] = 3;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_VIOLATIONS);
	/* offline (check): no kernel counts, the same numbers mean nothing */
	s.have_kernel_counts = false;
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
