// SPDX-License-Identifier: GPL-2.0
/* The one escaping policy (src/lib/escape.c), and a hostile comm surviving record -> check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"

static void expect(const char *in, size_t n, const char *want)
{
	char out[256];

	d0_escape(out, sizeof(out), in, n);
	assert_string_equal(out, want);
}

static void test_policy(void **state)
{
	(void)state;
	expect("vfio-exercise", 64, "vfio-exercise");
	expect("a\\b", 64, "a\\\\b");                          /* unambiguous: a literal "\x01" differs from byte 1 */
	expect("x\nBail out!", 64, "x\\x0aBail out!");
	expect("\x1b[2J\x7f", 64, "\\x1b[2J\\x7f");
	expect("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", 64, "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
	expect("\xc2\x80\xc2\x9b\xc2\xa0", 64, "\\xc2\\x80\\xc2\\x9b\xc2\xa0");   /* C1 controls, then NBSP */
	expect("\xff\xfe\x80", 64, "\\xff\\xfe\\x80");                             /* never valid */
	expect("\xc0\xaf\xe0\x80\xaf", 64, "\\xc0\\xaf\\xe0\\x80\\xaf");           /* overlong '/' */
	expect("\xed\xa0\x80", 64, "\\xed\\xa0\\x80");                             /* a surrogate */
	expect("\xf4\x90\x80\x80", 64, "\\xf4\\x90\\x80\\x80");                     /* beyond U+10FFFF */
	expect("\xef\xbf\xbe\xef\xbf\xbf", 64, "\\xef\\xbf\\xbe\\xef\\xbf\\xbf");   /* U+FFFE, U+FFFF */
	expect("\xe2\x80\xae\xe2\x81\xa6\xef\xbb\xbf", 64,
	       "\\xe2\\x80\\xae\\xe2\\x81\\xa6\\xef\\xbb\\xbf");                    /* RLO, LRI, BOM */
	expect("\xe2\x98", 64, "\\xe2\\x98");                                      /* cut-off sequence */
	expect("abcdef", 3, "abc");                                                /* max bytes */
	expect("\xc3\xa9", 1, "\\xc3");                                            /* max cuts a sequence */
}

static void test_no_split_when_full(void **state)
{
	char out[6];

	(void)state;
	/* "ab" + \x01 needs 7 bytes with the NUL: the escape is left out whole */
	assert_int_equal(d0_escape(out, sizeof(out), "ab\x01", 3), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(d0_escape(out, sizeof(out), "abc\xc3\xa9", 5), 5);
	assert_string_equal(out, "abc\xc3\xa9");
	assert_int_equal(d0_escape(out, 5, "abc\xc3\xa9", 5), 3);
}

static void test_json_and_comm(void **state)
{
	struct d0_comm_text t;
	char comm[D0_COMM_LEN];
	json_t *j;

	(void)state;
	memset(comm, 'A', sizeof(comm)); /* not NUL-terminated: all 16 bytes, no further */
	assert_string_equal(d0_comm_text(&t, comm), "AAAAAAAAAAAAAAAA");
	j = d0_json_visible("\xff\x01ok");
	assert_non_null(j); /* jansson refuses invalid UTF-8: the visible form never is */
	assert_string_equal(json_string_value(j), "\\xff\\x01ok");
	json_decref(j);
}

/* Every byte a task can put in its comm survives the trace writer and both reader paths. */
static void test_hostile_comm_round_trip(void **state)
{
	(void)state;
	for (int start = 1; start < 256; start += 15) {
		struct d0_event e = { .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .bdf = 0x18, .seq = 7 }, fast, slow;
		char line[1024], why[128];
		json_error_t jerr;
		json_t *o;
		int n;

		for (int i = 0; i < 15 && start + i < 256; i++)
			e.comm[i] = (char)(start + i);
		n = d0_event_to_json(&e, line, sizeof(line));
		assert_true(d0_event_from_line(line, n, &fast));
		assert_memory_equal(fast.comm, e.comm, D0_COMM_LEN);
		o = json_loadb(line, n, 0, &jerr);
		assert_non_null(o);
		memset(&slow, 0, sizeof(slow));
		assert_int_equal(d0_event_from_json(o, &slow, why, sizeof(why)), 0);
		assert_memory_equal(slow.comm, e.comm, D0_COMM_LEN);
		json_decref(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_no_split_when_full),
		cmocka_unit_test(test_json_and_comm),
		cmocka_unit_test(test_hostile_comm_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
