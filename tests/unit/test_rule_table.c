// SPDX-License-Identifier: GPL-2.0
/*
 * The rules of include/d0audit/rules.h, table-driven: for each rule a base event
 * that breaks exactly that rule, then one row per input that should matter (kind,
 * phase, power before/after, each state bit, each context bit, a0..a3, ret, the
 * DMABUF count), flipped alone or with the others it needs, and the verdict
 * asserted in both modes (strict: anything but D0 is not D0; kernel: D3hot and
 * below, and PCI_POWER_ERROR). A second pass flips every state and context bit a
 * rule does not name, one at a time: its verdict must not move. An extra or a
 * missing conjunct in a rule changes some row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "rule_table.h"

static int verdict(const struct d0_event *e, int rule, __u32 mode)
{
	return (d0_rules_eval(e, mode) & D0_RULE_BIT(rule)) != 0;
}

/* Each row against BASE, both modes; a mismatch names the row and the mode. */
static int run_rows(const struct row *r, size_t n, const struct d0_event *base_override)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct d0_event e = rt_row_event(&r[i], base_override);
		int s = verdict(&e, r[i].rule, D0_MODE_STRICT), kk = verdict(&e, r[i].rule, D0_MODE_KERNEL);

		if (s != r[i].strict || kk != r[i].kernel) {
			print_error("rule %d, %s: strict %d (want %d), kernel %d (want %d)\n", r[i].rule, r[i].what, s,
				    r[i].strict, kk, r[i].kernel);
			bad++;
		}
	}
	return bad;
}

static void test_each_base_breaks_exactly_its_rule(void **s)
{
	int bad = 0;

	(void)s;
	for (int r = 1; r <= D0_RULE_MAX; r++)
		for (__u32 mode = D0_MODE_STRICT; mode <= D0_MODE_KERNEL; mode++) {
			__u32 v = d0_rules_eval(&bases[r], mode);

			if (v != D0_RULE_BIT(r)) {
				print_error("rule %d base, mode %u: verdict 0x%x, want 0x%x\n", r, mode, v, D0_RULE_BIT(r));
				bad++;
			}
		}
	assert_int_equal(bad, 0);
}

static void test_rows(void **s)
{
	struct d0_event fault = rt_base7_fault(), d0 = rt_base7_d0();

	(void)s;
	assert_int_equal(run_rows(rows, RT_N(rows), NULL), 0);
	assert_int_equal(run_rows(rows7, RT_N(rows7), &fault), 0);
	assert_int_equal(run_rows(rows7_d0, RT_N(rows7_d0), &d0), 0);
	assert_int_equal(run_rows(rows_rest, RT_N(rows_rest), NULL), 0);
}

/* Every rule is tested at every power value in both modes: the two modes' not-D0 sets. */
static void test_modes_power_sets(void **s)
{
	static const struct {
		int power, strict, kernel;
	} want[] = {
		{ D0_PWR_ERROR, 1, 1 }, { D0_PWR_D0, 0, 0 }, { D0_PWR_D1, 1, 0 }, { D0_PWR_D2, 1, 0 },
		{ D0_PWR_D3HOT, 1, 1 }, { D0_PWR_D3COLD, 1, 1 }, { D0_PWR_UNKNOWN, 1, 1 },
	};

	(void)s;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(d0_not_d0(want[i].power, D0_MODE_STRICT), want[i].strict);
		assert_int_equal(d0_not_d0(want[i].power, D0_MODE_KERNEL), want[i].kernel);
	}
}

/* What the kernel's own gate refused: counted as refused, never as a violation. */
static void test_refused(void **s)
{
	static const struct {
		int kind;
		long long ret;
		int refused;
	} want[] = {
		{ D0_EV_BAR_RW_DONE, -5, 1 },   { D0_EV_BAR_RW_DONE, -14, 0 }, { D0_EV_BAR_RW_DONE, -22, 0 },
		{ D0_EV_BAR_RW_DONE, 0, 0 },    { D0_EV_BAR_RW_DONE, 4, 0 },   { D0_EV_FAULT, 0, 0 },
		{ D0_EV_FAULT, D0_VM_FAULT_NOPAGE, 0 }, { D0_EV_FAULT, 0x1, 1 }, { D0_EV_FAULT, 0x2, 1 },
		{ D0_EV_FAULT, 0x10, 1 },        { D0_EV_FAULT, 0x20, 1 },     { D0_EV_FAULT, 0x40, 1 },
		{ D0_EV_FAULT, 0x800, 1 },       { D0_EV_FAULT, 0x400, 1 },    { D0_EV_FAULT, 0x200, 0 },
		{ D0_EV_BAR_ACCESS, -5, 0 },     { D0_EV_DMABUF_MAP, -5, 0 },
	};

	(void)s;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct d0_event e = { .kind = want[i].kind, .phase = D0_PH_EXIT, .ret = want[i].ret };

		if (d0_refused(&e) != want[i].refused)
			fail_msg("kind %d ret %lld: refused %d, want %d", want[i].kind, want[i].ret, d0_refused(&e),
				 want[i].refused);
	}
}

/* Bits a rule does not name, flipped one at a time on every row's event, never move its verdict. */
static void test_unnamed_bits_do_not_matter(void **s)
{
	const struct row *tables[] = { rows, rows_rest };
	const size_t sizes[] = { sizeof(rows) / sizeof(rows[0]), sizeof(rows_rest) / sizeof(rows_rest[0]) };
	int bad = 0, checked = 0;

	(void)s;
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; i < sizes[t]; i++) {
			const struct row *r = &tables[t][i];
			struct d0_event e = bases[r->rule];

			for (size_t k = 0; k < D0_RT_FLIPS; k++)
				apply(&e, &r->flips[k]);
			for (int b = 0; b < 32; b++)
				for (int which = 0; which < 2; which++) {
					__u32 bit = 1u << b, named = which ? rule_ctx[r->rule] : rule_state[r->rule];
					struct d0_event x = e;

					if (named & bit)
						continue;
					if (which)
						x.ctx ^= bit;
					else
						x.state ^= bit;
					for (__u32 mode = D0_MODE_STRICT; mode <= D0_MODE_KERNEL; mode++) {
						checked++;
						if (verdict(&x, r->rule, mode) != verdict(&e, r->rule, mode)) {
							print_error("rule %d, %s: flipping %s bit %d moved the verdict (mode %u)\n",
								    r->rule, r->what, which ? "ctx" : "state", b, mode);
							bad++;
						}
					}
				}
		}
	assert_int_equal(bad, 0);
	assert_true(checked > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_base_breaks_exactly_its_rule),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_modes_power_sets),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unnamed_bits_do_not_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
