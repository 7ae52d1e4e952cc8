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

#include <string.h>

#include "model/iommu_coverage.h"
#include "model/hook_table.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "cli/cli.h"
#include "rule_table.h"

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

/*
 * vfio-pci loaded after the start: a rule whose needed hooks attached only
 * later cannot judge the steps before (the vfio context that excuses a
 * config write was not seen), so they make the verdict incomplete, naming
 * the hook and its module; the same step after the attach is a violation.
 */
static void test_before_late_attach(void **state)
{
	struct d0_event e = bases[D0_RULE_BYPASS];
	struct d0_verdict v;
	struct d0_summary s = {};
	int late = D0_HOOK_VFIO_CONFIG_RW;

	(void)state;
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	s.v = &v;
	assert_true(d0_rules_eval(&e, D0_MODE_STRICT) & D0_RULE_BIT(D0_RULE_BYPASS));
	/* a hook of the group never attached: coverage's business, not this check */
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		d0_verdict_hook_since(&v, i, D0_HOOK_NEVER);
	e.ts_ns = 1000;
	assert_int_equal(d0_rule_unwatched_at(D0_RULE_BYPASS, v.hook_since, e.ts_ns), -1);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		d0_verdict_hook_since(&v, i, 0);
	d0_verdict_hook_since(&v, late, 5000);
	assert_int_equal(d0_rule_unwatched_at(D0_RULE_BYPASS, v.hook_since, e.ts_ns), late);
	assert_int_equal(d0_verdict_event(&v, &e, -1), 0);
	assert_int_equal(v.nviols, 0);
	assert_int_equal(v.before_attach, 1);
	assert_int_equal(v.before_attach_by_rule[D0_RULE_BYPASS], 1);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		s.avail.of[i] = D0_AVAIL_WORKS;
	/* the kernel counted it too: not "more than user space saw", and no second problem */
	s.have_kernel_counts = true;
	s.kernel_by_rule[D0_RULE_BYPASS] = 1;
	d0_summary_coverage(&s);
	assert_int_equal(s.nproblems, 1);
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_CANNOT);
	assert_non_null(strstr(s.problems[0], "before hook VFIO_CONFIG_RW attached (module vfio_pci_core"));
	/* from the attach on (its time is taken once attached): judged */
	e.ts_ns = 4999;
	d0_verdict_event(&v, &e, -1);
	assert_int_equal(v.nviols, 0);
	e.ts_ns = 5000;
	d0_verdict_event(&v, &e, -1);
	assert_int_equal(v.nviols, 1);
	assert_int_equal(v.before_attach, 2);
	d0_verdict_free(&v);
}

/* Issue 14, class 4: IOMMU entries on BARs that this run could not see make it incomplete. */
static void test_iommu_coverage(void **state)
{
	struct d0_verdict v = {};
	struct d0_summary s = { .v = &v };
	int pin = D0_HOOK_IOMMU_PIN_RET, unmap = D0_HOOK_IOMMU_UNMAP_RET;

	(void)state;
	/* both hooks attached: nothing to say */
	s.avail.of[pin] = s.avail.of[unmap] = D0_AVAIL_WORKS;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 0);
	/* no type1 module: no type1 grant can exist */
	s.avail.of[pin] = s.avail.of[unmap] = D0_AVAIL_NO_MODULE;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 0);
	/* a trace recorded before the IOMMU hooks existed never claimed to see grants */
	s.avail.of[pin] = s.avail.of[unmap] = D0_AVAIL_UNRECORDED;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 0);
	/* type1 loaded, the grant hook not attached */
	s.avail.of[pin] = s.avail.of[unmap] = D0_AVAIL_MISSING;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 1);
	assert_string_equal(s.problems[0], "IOMMU entries on BARs are not tracked: IOMMU_PIN_RET (vfio_pin_pages_remote) "
			    "did not attach, so a VFIO_IOMMU_MAP_DMA of a BAR mmap goes unseen ('d0audit doctor' says why)");
	assert_int_equal(d0_summary_exit(&s), D0_EXIT_CANNOT);
	/* grants seen, removal not */
	s.nproblems = 0;
	s.avail.of[pin] = D0_AVAIL_WORKS;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 1);
	assert_non_null(strstr(s.problems[0], "not their removal (IOMMU_UNMAP_RET vfio_unmap_unpin did not attach)"));
	/* iommufd in the kernel */
	s.nproblems = 0;
	s.avail.of[unmap] = D0_AVAIL_WORKS;
	s.iommufd = true;
	d0_summary_iommu(&s);
	assert_int_equal(s.nproblems, 1);
	assert_non_null(strstr(s.problems[0], "iommufd is in this kernel"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_before_late_attach),
		cmocka_unit_test(test_iommu_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
