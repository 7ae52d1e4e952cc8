// SPDX-License-Identifier: GPL-2.0
/* Restart continuity, the pure parts: the ABI tag that decides whether pins can be reused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/pin.h"
#include "model/hook_table.h"
#include "d0audit/rules.h"

static const char obj_a[] = "BPF object, build A", obj_b[] = "BPF object, build B";

static void test_same_build_and_settings_compatible(void **state)
{
	struct d0_pin_abi p, w;
	char why[256] = "untouched";

	(void)state;
	d0_pin_abi_make(&p, obj_a, sizeof(obj_a), D0_MODE_STRICT, false, 1 << 22);
	d0_pin_abi_make(&w, obj_a, sizeof(obj_a), D0_MODE_STRICT, false, 1 << 22);
	assert_true(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_string_equal(why, "untouched");
	assert_int_equal(p.event_size, sizeof(struct d0_event));
	assert_int_equal(p.hook_count, D0_HOOK_COUNT);
}

/* Each difference is named, first the one that matters most. */
static void test_each_difference_named(void **state)
{
	struct d0_pin_abi w, p;
	char why[256];

	(void)state;
	d0_pin_abi_make(&w, obj_a, sizeof(obj_a), D0_MODE_STRICT, false, 1 << 22);

	p = w;
	p.magic = 0;
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_non_null(strstr(why, "not one this build writes"));

	p = w;
	p.event_size += 8;
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_non_null(strstr(why, "event ABI differs"));

	d0_pin_abi_make(&p, obj_b, sizeof(obj_b), D0_MODE_STRICT, false, 1 << 22);
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_non_null(strstr(why, "pinned by another build"));

	d0_pin_abi_make(&p, obj_a, sizeof(obj_a), D0_MODE_KERNEL, false, 1 << 22);
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_string_equal(why, "audit.mode differs (pinned kernel, configured strict)");

	d0_pin_abi_make(&p, obj_a, sizeof(obj_a), D0_MODE_STRICT, true, 1 << 22);
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_non_null(strstr(why, "record-all differs"));

	d0_pin_abi_make(&p, obj_a, sizeof(obj_a), D0_MODE_STRICT, false, 4096);
	assert_false(d0_pin_abi_compatible(&p, &w, why, sizeof(why)));
	assert_string_equal(why, "audit.ringbuf_size differs (pinned 4096 bytes, configured 4194304)");
}

static void test_hash_sees_one_byte(void **state)
{
	(void)state;
	assert_int_not_equal(d0_pin_hash(obj_a, sizeof(obj_a)), d0_pin_hash(obj_b, sizeof(obj_b)));
	assert_int_equal(d0_pin_hash("", 0), 0xcbf29ce484222325ULL); /* FNV-1a offset basis */
	assert_int_equal(d0_pin_hash("a", 1), 0xaf63dc4c8601ec8cULL); /* FNV-1a 64 of "a" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_build_and_settings_compatible),
		cmocka_unit_test(test_each_difference_named),
		cmocka_unit_test(test_hash_sees_one_byte),
	};

	return cmocka_run_group_tests_name("pin_abi", tests, NULL, NULL);
}
