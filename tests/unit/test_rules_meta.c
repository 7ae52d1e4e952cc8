// SPDX-License-Identifier: GPL-2.0
/*
 * The rule table's words and needs (src/model/rules_meta.c), and what follows the
 * rule table: the rule count in the output schema, the per-rule arrays, and
 * which rules a run can judge given the hooks it has (covered, not
 * applicable, blind), live and from a trace header's hook rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include <jansson.h>
#include <string.h>

#include "model/hook_plan.h"
#include "model/rules_meta.h"
#include "d0audit/rules.h"

#define SCHEMA FIXTURES "/../../../tools/schema/d0audit-output.schema.json"

static const char *const table_names[] = {
#define RULE_NAME(n, name, summary) [n] = #name,
	D0_RULE_TABLE(RULE_NAME)
#undef RULE_NAME
};

static void test_rows_follow_the_rule_table(void **state)
{
	(void)state;
	assert_int_equal(sizeof(table_names) / sizeof(table_names[0]), D0_RULE_MAX + 1);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		const struct d0_rule_meta *m = &d0_rule_meta[r];

		assert_int_equal(m->id, r);
		assert_string_equal(m->name, table_names[r]);
		assert_true(m->explain && m->explain[0] && m->means && m->means[0]);
		assert_true(d0_rule_summary(r)[0]);
		assert_int_equal(strspn(d0_rule_message_id[r], "0123456789abcdef"), 32);
		assert_int_equal(strlen(d0_rule_message_id[r]), 32);
		for (int o = 1; o < r; o++)
			assert_string_not_equal(d0_rule_message_id[r], d0_rule_message_id[o]);
		assert_in_range(m->n_needs, 1, D0_RULE_MAX_GROUPS);
		for (unsigned int g = 0; g < m->n_needs; g++) {
			assert_in_range(m->needs[g].n, 1, D0_GROUP_MAX_HOOKS);
			for (unsigned int i = 0; i < m->needs[g].n; i++)
				assert_in_range(m->needs[g].hook[i], 0, D0_HOOK_COUNT - 1);
		}
		assert_int_equal(d0_rule_parse(m->name), r);
	}
	assert_int_equal(d0_rule_parse("0"), 0);
}

/*
 * Every rule count in tools/schema/d0audit-output.schema.json: the rule_id
 * maximum and each "rules" array's min/maxItems. Returns how many it checked;
 * a wrong one is printed and counted in *bad.
 */
static int schema_counts(json_t *node, const char *key, int *bad)
{
	int seen = 0;

	if (json_is_object(node)) {
		const char *k;
		json_t *v;

		if (key && !strcmp(key, "rule_id")) {
			json_int_t max = json_integer_value(json_object_get(node, "maximum"));

			seen++;
			if (max != D0_RULE_MAX || json_integer_value(json_object_get(node, "minimum")) != 1) {
				print_error("schema: rule_id runs to %lld, the rule table to %d\n", (long long)max, D0_RULE_MAX);
				(*bad)++;
			}
		}
		if (key && !strcmp(key, "rules") && json_object_get(node, "minItems")) {
			json_int_t lo = json_integer_value(json_object_get(node, "minItems"));
			json_int_t hi = json_integer_value(json_object_get(node, "maxItems"));

			seen++;
			if (lo != D0_RULE_MAX || hi != D0_RULE_MAX) {
				print_error("schema: a rules array has %lld..%lld items, the rule table %d\n", (long long)lo,
					    (long long)hi, D0_RULE_MAX);
				(*bad)++;
			}
		}
		json_object_foreach(node, k, v)
			seen += schema_counts(v, k, bad);
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;

		json_array_foreach(node, i, v)
			seen += schema_counts(v, NULL, bad);
	}
	return seen;
}

static void test_schema_counts_follow_the_rule_table(void **state)
{
	json_error_t err;
	json_t *schema = json_load_file(SCHEMA, 0, &err);
	int bad = 0;

	(void)state;
	if (!schema)
		fail_msg("%s: %s (line %d)", SCHEMA, err.text, err.line);
	/* rule_id, and the rules arrays of `rules -j`, the summary and check's verdict */
	assert_int_equal(schema_counts(schema, NULL, &bad), 4);
	assert_int_equal(bad, 0);
	json_decref(schema);
}

static void all(struct d0_hook_availability *a, enum d0_hook_avail v)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		a->of[i] = v;
}

static void test_coverage(void **state)
{
	struct d0_hook_availability a;
	const char *missing = NULL;
	int r = D0_RULE_LOCK_DISCIPLINE; /* NEEDS(ZAP_HOOKS, ONE_OF(VFIO_SET_POWER)) */

	(void)state;
	all(&a, D0_AVAIL_WORKS);
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_COVERED);
	/* one hook of a group is enough */
	a.of[D0_HOOK_ZAP] = D0_AVAIL_MISSING;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_COVERED);
	/* none of the group: blind, named by the group's first hook */
	a.of[D0_HOOK_ZAP_V61] = D0_AVAIL_NO_MODULE;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_BLIND);
	assert_string_equal(missing, "ZAP");
	/* the path does not exist here, for every hook of the group: not applicable */
	a.of[D0_HOOK_ZAP] = a.of[D0_HOOK_ZAP_V61] = D0_AVAIL_NO_PATH;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_NOT_APPLICABLE);
	/* ... for only one of them: blind */
	a.of[D0_HOOK_ZAP_V61] = D0_AVAIL_MISSING;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_BLIND);
	/* a trace older than every hook of the group is not held against it; older than one is */
	a.of[D0_HOOK_ZAP] = a.of[D0_HOOK_ZAP_V61] = D0_AVAIL_UNRECORDED;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_COVERED);
	a.of[D0_HOOK_ZAP_V61] = D0_AVAIL_MISSING;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_BLIND);
	/* the second group */
	all(&a, D0_AVAIL_WORKS);
	a.of[D0_HOOK_VFIO_SET_POWER] = D0_AVAIL_MISSING;
	assert_int_equal(d0_rule_coverage(r, &a, &missing), D0_BLIND);
	assert_string_equal(missing, "VFIO_SET_POWER");
	/* nothing attached at all (metrics before the loader ran): every rule blind */
	all(&a, D0_AVAIL_MISSING);
	for (int rule = 1; rule <= D0_RULE_MAX; rule++)
		assert_int_equal(d0_rule_coverage(rule, &a, NULL), D0_BLIND);
}

/* A trace header row carries the planner's words; each cause must read back as the planner meant it. */
static void test_recorded_rows_read_back_the_planners_cause(void **state)
{
	static struct d0_kernel_facts k;
	static struct d0_hook_plan plan[D0_HOOK_COUNT];
	struct d0_hook_availability live;

	(void)state;
	/* 7.2, every target a function of its own, but for the three cases */
	k = (struct d0_kernel_facts){ .major = 7, .minor = 2, .vmlinux_btf = true };
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		k.t[i] = (struct d0_target_facts){ .module_present = true, .btf_nargs = 2, .sym_exact = true };
	k.t[D0_HOOK_IOMMU_UNMAP_RET].module_present = false;
	k.t[D0_HOOK_DMABUF_MOVE].requires_missing = true;
	k.t[D0_HOOK_VGA_RW].sym_exact = false; /* inlined */
	d0_plan_hooks(&k, plan);
	plan[D0_HOOK_ZAP].attached = true;
	assert_int_equal(plan[D0_HOOK_IOMMU_UNMAP_RET].cause, D0_CAUSE_MODULE_ABSENT);
	assert_int_equal(plan[D0_HOOK_DMABUF_MOVE].cause, D0_CAUSE_PATH_ABSENT);
	assert_int_equal(plan[D0_HOOK_VGA_RW].cause, D0_CAUSE_OTHER);
	d0_availability_live(&live, plan, &k);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const char *status = d0_hook_status_name(d0_plan_status(&plan[i], true));

		assert_int_equal(d0_plan_cause_of(plan[i].reason), plan[i].cause);
		/* check, from the header, sees what the live summary saw */
		assert_int_equal(d0_avail_recorded(status, plan[i].reason), live.of[i]);
	}
	assert_int_equal(live.of[D0_HOOK_ZAP], D0_AVAIL_WORKS);
	assert_int_equal(live.of[D0_HOOK_IOMMU_UNMAP_RET], D0_AVAIL_NO_MODULE);
	assert_int_equal(live.of[D0_HOOK_DMABUF_MOVE], D0_AVAIL_NO_PATH);
	assert_int_equal(live.of[D0_HOOK_VGA_RW], D0_AVAIL_MISSING);
	/* planned but not attached (the loader failed it) */
	assert_int_equal(live.of[D0_HOOK_BAR_IO], D0_AVAIL_MISSING);
	assert_int_equal(d0_avail_recorded("unavailable", "some other reason"), D0_AVAIL_MISSING);
	assert_int_equal(d0_avail_recorded("bogus", ""), D0_AVAIL_MISSING);
}

static void test_status_names(void **state)
{
	(void)state;
	for (int s = D0_HS_ATTACHED; s <= D0_HS_NOT_NEEDED; s++)
		assert_int_equal(d0_hook_status_parse(d0_hook_status_name(s)), s);
	assert_string_equal(d0_hook_status_name(D0_HS_NOT_NEEDED), "not-needed");
	assert_int_equal(d0_hook_status_parse("Attached"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_follow_the_rule_table),
		cmocka_unit_test(test_schema_counts_follow_the_rule_table),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_recorded_rows_read_back_the_planners_cause),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
