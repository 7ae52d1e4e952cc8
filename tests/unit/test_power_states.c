// SPDX-License-Identifier: GPL-2.0
/*
 * D3cold, PCI_UNKNOWN and PCI_POWER_ERROR cannot be produced by QEMU's
 * emulated devices (no platform power resources, no surprise removal), so
 * the state machine's handling of them is proven here: every one of them is
 * "not D0" in both modes, leaving D0 for them needs the zap and revoke first,
 * nothing may reach the device in them, and they survive a trace round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/event_names.h"
#include "trace/trace_reader.h"
#include "model/verdict.h"
#include "d0audit/rules.h"

#define VFIO_OPEN (D0_ST_VDEV_KNOWN | D0_ST_OPEN | D0_ST_MEM_ENABLED)

static const int low_power[] = { D0_PWR_D3COLD, D0_PWR_UNKNOWN, D0_PWR_ERROR };

static struct d0_event ev(int kind, int phase, int before, int power, __u32 state, __u32 ctx)
{
	struct d0_event e = { .kind = kind, .phase = phase, .power_before = before, .power = power,
			      .state = state, .ctx = ctx, .bdf = 0x18 };

	return e;
}

static int breaks(struct d0_event e, int rule, __u32 mode)
{
	return (d0_rules_eval(&e, mode) & D0_RULE_BIT(rule)) != 0;
}

static void test_not_d0_in_both_modes(void **s)
{
	(void)s;
	for (unsigned i = 0; i < sizeof(low_power) / sizeof(low_power[0]); i++) {
		assert_true(d0_not_d0(low_power[i], D0_MODE_STRICT));
		assert_true(d0_not_d0(low_power[i], D0_MODE_KERNEL));
	}
	assert_false(d0_not_d0(D0_PWR_D0, D0_MODE_STRICT));
	assert_false(d0_not_d0(D0_PWR_D0, D0_MODE_KERNEL));
}

/* Runtime suspend into D3cold, or a device that reads back as unknown (all-ones PMCSR). */
static void test_leaving_d0_needs_zap_and_revoke(void **s)
{
	(void)s;
	for (unsigned i = 0; i < sizeof(low_power) / sizeof(low_power[0]); i++) {
		int p = low_power[i];
		struct d0_event e = ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D0, p,
				       VFIO_OPEN | D0_ST_MAPPED, D0_CTX_RPM_SUSPEND);

		assert_true(breaks(e, 1, D0_MODE_STRICT));
		assert_true(breaks(e, 1, D0_MODE_KERNEL));
		e.state &= ~D0_ST_MAPPED;
		assert_false(breaks(e, 1, D0_MODE_STRICT));
		e.nr_dmabufs = 1;
		e.nr_unrevoked = 1;
		assert_true(breaks(e, 2, D0_MODE_KERNEL));
		e.nr_unrevoked = 0;
		assert_false(breaks(e, 2, D0_MODE_KERNEL));
		/* coming back up to D0 with mappings is don't-care (nothing was mapped while down) */
		e = ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, p, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED, D0_CTX_RPM_RESUME);
		assert_false(breaks(e, 1, D0_MODE_STRICT));
	}
}

static void test_nothing_reaches_the_device(void **s)
{
	(void)s;
	for (unsigned i = 0; i < sizeof(low_power) / sizeof(low_power[0]); i++) {
		int p = low_power[i];
		struct d0_event e = ev(D0_EV_BAR_ACCESS, D0_PH_ENTRY, p, p, VFIO_OPEN, 0);

		e.a1 = 0; /* not gated by vfio's test_mem: reaches the device */
		assert_true(breaks(e, 7, D0_MODE_KERNEL));
		e.a1 = 1; /* vfio's gate refuses D3hot and above; PCI_POWER_ERROR (-1) passes it */
		assert_int_equal(breaks(e, 7, D0_MODE_KERNEL), p == D0_PWR_ERROR);
		e = ev(D0_EV_FAULT, D0_PH_EXIT, p, p, VFIO_OPEN, 0);
		e.ret = D0_VM_FAULT_NOPAGE; /* a PTE granted */
		assert_true(breaks(e, 7, D0_MODE_KERNEL));
		e.ret = 0x2; /* SIGBUS */
		assert_false(breaks(e, 7, D0_MODE_KERNEL));
		assert_true(d0_refused(&e));
		e = ev(D0_EV_ROM_MAP, D0_PH_ENTRY, p, p, VFIO_OPEN, 0);
		assert_true(breaks(e, 7, D0_MODE_STRICT));
		/* unrevoking a DMABUF before the device is back in D0 */
		e = ev(D0_EV_DMABUF_MOVE, D0_PH_ENTRY, p, p, VFIO_OPEN | D0_ST_LOCK_W_CURRENT, 0);
		e.a0 = 0;
		assert_true(breaks(e, 3, D0_MODE_KERNEL));
	}
}

/* The verdict counts a transition into D3cold and flags the mapped one once. */
static void test_verdict_sequence_through_d3cold(void **s)
{
	struct d0_verdict v;
	struct d0_event seq[] = {
		ev(D0_EV_FAULT, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED, 0),
		ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D3COLD, VFIO_OPEN | D0_ST_MAPPED,
		   D0_CTX_RPM_SUSPEND),
		ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D3COLD, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED,
		   D0_CTX_RPM_RESUME),
	};

	(void)s;
	seq[0].ret = D0_VM_FAULT_NOPAGE;
	d0_verdict_init(&v, D0_MODE_KERNEL, NULL, NULL);
	for (unsigned i = 0; i < 3; i++) {
		seq[i].seq = i;
		seq[i].dev = 0xffff888000001000ULL;
		d0_verdict_event(&v, &seq[i], -1);
	}
	assert_int_equal(v.by_rule[1], 1);
	assert_int_equal(v.nviols, 1);
	assert_int_equal(v.transitions, 2);
	d0_verdict_free(&v);
}

/* The names in traces round-trip, and "error" stays apart from "unknown". */
static void test_power_names_round_trip(void **s)
{
	int all[] = { D0_PWR_ERROR, D0_PWR_D0, D0_PWR_D1, D0_PWR_D2, D0_PWR_D3HOT, D0_PWR_D3COLD, D0_PWR_UNKNOWN };
	int p;

	(void)s;
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(d0_power_from_name(d0_power_name(all[i]), &p), 0);
		assert_int_equal(p, all[i]);
	}
	assert_string_equal(d0_power_name(D0_PWR_D3COLD), "D3cold");
	assert_string_equal(d0_power_name(D0_PWR_ERROR), "error");
	assert_int_equal(d0_power_from_name("D4", &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_d0_in_both_modes),
		cmocka_unit_test(test_leaving_d0_needs_zap_and_revoke),
		cmocka_unit_test(test_nothing_reaches_the_device),
		cmocka_unit_test(test_verdict_sequence_through_d3cold),
		cmocka_unit_test(test_power_names_round_trip),
	};

	return cmocka_run_group_tests_name("power_states", tests, NULL, NULL);
}
