// SPDX-License-Identifier: GPL-2.0
/* Durations, sizes and the names shared by every output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <jansson.h>
#include "out/check_output.h"
#include "lib/duration.h"
#include "model/event_names.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"
#include "model/verdict.h"

static void test_durations(void **state)
{
	unsigned long long ms;

	(void)state;
	assert_int_equal(d0_parse_duration("90", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(d0_parse_duration("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(d0_parse_duration("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(d0_parse_duration("1h", &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_not_equal(d0_parse_duration("", &ms), 0);
	assert_int_not_equal(d0_parse_duration("-5s", &ms), 0);
	assert_int_not_equal(d0_parse_duration("5 s", &ms), 0);
	assert_int_not_equal(d0_parse_duration("5d", &ms), 0);
	assert_int_not_equal(d0_parse_duration("99999999999999999999", &ms), 0);
	assert_int_not_equal(d0_parse_duration("18446744073709551615h", &ms), 0);
}

static void test_sizes(void **state)
{
	unsigned long long b;

	(void)state;
	assert_int_equal(d0_parse_size("4M", &b), 0);
	assert_int_equal(b, 4u << 20);
	assert_int_equal(d0_parse_size("64k", &b), 0);
	assert_int_equal(b, 65536);
	assert_int_not_equal(d0_parse_size("4MB", &b), 0);
}

static void test_require_and_allow(void **state)
{
	struct d0_requirement q;
	struct d0_allow a;
	char longarg[200];

	(void)state;
	assert_int_equal(d0_require_parse("zap:0000:00:03.0:2", &q), 0);
	assert_int_equal(q.kind, D0_EV_ZAP);
	assert_int_equal(q.bdf, 3 << 3);
	assert_int_equal(q.min, 2);
	assert_int_equal(d0_require_parse("reset::3", &q), 0);
	assert_int_equal(q.bdf, 0xffffffffu);
	assert_int_equal(q.min, 3);
	assert_int_equal(d0_require_parse("fault:0000:00:03.0", &q), 0);
	assert_int_equal(q.min, 1);
	/* overflow was taken as ULLONG_MAX, 0 as "always met" */
	assert_int_not_equal(d0_require_parse("zap::99999999999999999999", &q), 0);
	assert_int_not_equal(d0_require_parse("zap:0000:00:03.0:99999999999999999999", &q), 0);
	assert_int_not_equal(d0_require_parse("zap::0", &q), 0);
	assert_int_not_equal(d0_require_parse("zap:0000:00:03.0:x", &q), 0);
	/* too long to keep whole: refused, not judged cut short */
	memset(longarg, '1', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = 0;
	memcpy(longarg, "zap::", 5);
	assert_int_not_equal(d0_require_parse(longarg, &q), 0);
	memcpy(longarg, "10:::", 5);
	assert_int_not_equal(d0_allow_parse(longarg, &a), 0);
	assert_int_equal(d0_allow_parse("BYPASS:0000:00:03.0", &a), 0);
	assert_int_equal(a.rule, 10);
}

static void test_names_cover_every_bit(void **state)
{
	int n = 0;

	(void)state;
	while (d0_ctx_names[n])
		n++;
	/* highest context bit + 1 */
	assert_int_equal(1u << (n - 1), D0_CTX_ERR_RECOVERY);
	n = 0;
	while (d0_state_names[n])
		n++;
	assert_int_equal(1u << (n - 1), D0_ST_RAW_MAPPED);
	for (int k = 0; k < D0_EV_COUNT; k++) {
		assert_non_null(d0_kind_name(k));
		assert_int_equal(d0_kind_from_name(d0_kind_name(k)), k);
	}
	assert_null(d0_kind_name(D0_EV_COUNT));
}

static void test_event_json_roundtrip(void **state)
{
	struct d0_event e = {
		.seq = 42, .ts_ns = 1000, .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .hook = 0,
		.bdf = (0 << 16) | (0 << 8) | (3 << 3), .power = D0_PWR_D3HOT, .power_before = D0_PWR_D0,
		.ctx = D0_CTX_VFIO_PM_CTRL | D0_CTX_PCI_POWER, .state = D0_ST_OPEN | D0_ST_LOCK_W_CURRENT,
		.a2 = 0, .a3 = 6ULL << 40, .ret = -5,
	};
	char buf[1024];
	json_error_t err;
	json_t *o;

	(void)state;
	/* a comm with characters that must be escaped */
	memcpy(e.comm, "a\"b\\c\x01", 7);
	d0_event_to_json(&e, buf, sizeof(buf));
	o = json_loads(buf, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "zap");
	assert_string_equal(json_string_value(json_object_get(o, "dev")), "0000:00:03.0");
	assert_string_equal(json_string_value(json_object_get(o, "power")), "D3hot");
	assert_string_equal(json_string_value(json_object_get(o, "comm")), "a\"b\\c\x01");
	assert_int_equal(json_integer_value(json_object_get(o, "a3")), 6LL << 40);
	assert_int_equal(json_integer_value(json_object_get(o, "ret")), -5);
	assert_int_equal(json_array_size(json_object_get(o, "ctx")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "state"), 1)), "lock-held");
	/* and back: every byte of comm, non-ASCII ones included, and 64-bit a2/a3 survive the trace */
	e.a2 = 1ULL << 63;
	e.a3 = ~0ULL;
	memcpy(e.comm, "caf\xc3\xa9-\xff\x80\x01", 10);
	d0_event_to_json(&e, buf, sizeof(buf));
	json_decref(o);
	o = json_loads(buf, 0, &err);
	assert_non_null(o);
	{
		struct d0_event back;
		char why[128];

		assert_int_equal(d0_event_from_json(o, &back, why, sizeof(why)), 0);
		assert_string_equal(back.comm, e.comm);
		assert_true(back.a2 == 1ULL << 63);
		assert_true(back.a3 == ~0ULL);
	}
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_require_and_allow),
		cmocka_unit_test(test_names_cover_every_bit),
		cmocka_unit_test(test_event_json_roundtrip),
	};

	return cmocka_run_group_tests_name("cli_parse", tests, NULL, NULL);
}
