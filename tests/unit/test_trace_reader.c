// SPDX-License-Identifier: GPL-2.0
/*
 * The trace reader's fast path for event lines (d0_event_from_line) against
 * the jansson path (json_loadb + d0_event_from_json): whatever the fast path
 * takes, it must read exactly as jansson does; the writer's own lines must
 * all take it; anything else must be declined (and so keep its old reading
 * or error message).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event_names.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"
#include "model/hook_table.h"
#include "d0audit/rules.h"

#define CANON "{\"type\":\"event\",\"seq\":7,\"t\":119478665009,\"kind\":\"zap\",\"phase\":\"entry\"," \
	"\"hook\":\"ZAP\",\"dev\":\"0000:00:03.0\",\"pid\":537,\"tid\":538,\"comm\":\"vfio-exercise\"," \
	"\"power\":\"D3hot\",\"power_before\":\"D0\",\"rpm\":\"suspended\",\"ctx\":[\"vfio-config\",\"vfio-ioctl\"]," \
	"\"state\":[\"open\",\"mapped-unknown\",\"vfio\"],\"dmabufs\":2,\"unrevoked\":1,\"a0\":4,\"a1\":4294967295," \
	"\"a2\":-9223372036854775808,\"a3\":9223372036854775807,\"ret\":-5,\"violations\":[1,12,3]}"

/* -1: jansson refuses the line (or it is not an event); 0: it reads it, into *e */
static int slow(const char *line, struct d0_event *e)
{
	json_error_t jerr;
	char why[256];
	json_t *o = json_loadb(line, strlen(line), 0, &jerr);
	const char *type = json_string_value(json_object_get(o, "type"));
	int rc = o && type && !strcmp(type, "event") ? d0_event_from_json(o, e, why, sizeof(why)) : -1;

	json_decref(o);
	return rc;
}

/* the fast path never disagrees with jansson; returns whether it took the line */
static bool agree(const char *line)
{
	struct d0_event f, s;
	bool took = d0_event_from_line(line, strlen(line), &f);

	if (took) {
		assert_int_equal(slow(line, &s), 0);
		assert_memory_equal(&f, &s, sizeof(f));
	}
	return took;
}

static void test_canonical(void **state)
{
	struct d0_event e;

	(void)state;
	assert_true(agree(CANON));
	assert_true(d0_event_from_line(CANON, strlen(CANON), &e));
	assert_int_equal(e.seq, 7);
	assert_string_equal(e.comm, "vfio-exercise");
	assert_int_equal(e.a2, 1ULL << 63);
	assert_int_equal(e.ret, -5);
	assert_int_equal(e.bdf, 3 << 3);
	assert_int_equal(e.violations, D0_RULE_BIT(1) | D0_RULE_BIT(3) | D0_RULE_BIT(12));
}

/* replace the first FROM in CANON by TO */
static const char *variant(const char *from, const char *to)
{
	static char buf[2048];
	const char *at = strstr(CANON, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - CANON), CANON, to, at + strlen(from));
	return buf;
}

/* Odd but valid JSON, or invalid: declined, so jansson reads it (or words the error) as before. */
static void test_declined(void **state)
{
	static const char *const edits[][2] = {
		{ "\"seq\":7", "\"seq\": 7" },              /* whitespace */
		{ "\"seq\":7", "\"seq\":07" },              /* leading zero: invalid JSON */
		{ "\"seq\":7", "\"seq\":-0" },              /* jansson reads 0: left to it */
		{ "\"seq\":7", "\"seq\":7.0" },             /* a real, not an integer */
		{ "\"seq\":7", "\"seq\":7e0" },
		{ "\"seq\":7", "\"seq\":-7" },              /* out of range */
		{ "\"seq\":7", "\"seq\":9223372036854775808" }, /* overflow */
		{ "\"seq\":7", "\"seq\":99999999999999999999" },
		{ "\"pid\":537", "\"pid\":4294967296" },
		{ "\"dmabufs\":2", "\"dmabufs\":65536" },
		{ "\"a2\":-9223372036854775808", "\"a2\":-9223372036854775809" },
		{ "\"seq\":7", "\"seq\":7,\"seq\":8" },      /* duplicate key: jansson keeps the last */
		{ "\"type\":\"event\",", "\"type\":\"event\",\"type\":\"event\"," },
		{ "\"kind\":\"zap\"", "\"kind\":\"zip\"" },  /* unknown name */
		{ "\"kind\":\"zap\"", "\"kind\":\"z\\u0061p\"" }, /* escape in a name */
		{ "\"dev\":\"0000:00:03.0\"", "\"dev\":\"0000:00:03.8\"" },
		{ "\"dev\":\"0000:00:03.0\"", "\"dev\":\"0000:00:20.0\"" },
		{ "\"dev\":\"0000:00:03.0\"", "\"dev\":\"0000:00:0A.0\"" }, /* sscanf takes it: jansson path */
		{ "\"dev\":\"0000:00:03.0\"", "\"dev\":\"0:0:3.0\"" },
		{ "\"comm\":\"vfio-exercise\"", "\"comm\":\"a\\u0000b\"" },
		{ "\"comm\":\"vfio-exercise\"", "\"comm\":\"a\\u0100b\"" },
		{ "\"comm\":\"vfio-exercise\"", "\"comm\":\"a\\nb\"" },
		{ "\"comm\":\"vfio-exercise\"", "\"comm\":\"\xc3\xa9t\xc3\xa9\"" }, /* raw UTF-8 */
		{ "\"comm\":\"vfio-exercise\"", "\"comm\":\"a\tb\"" },  /* raw control: invalid JSON */
		{ "\"ctx\":[\"vfio-config\",", "\"ctx\":[\"vfio-config\", " },
		{ "\"ctx\":[\"vfio-config\",", "\"ctx\":[\"nope\"," },
		{ "\"ctx\":[\"vfio-config\",", "\"ctx\":[1," },
		{ "\"violations\":[1,12,3]", "\"violations\":[0]" },
		{ "\"violations\":[1,12,3]", "\"violations\":[13]" },
		{ "\"violations\":[1,12,3]", "\"violations\":[1,]" },
		{ "\"violations\":[1,12,3]}", "\"violations\":[1]} " },
		{ "\"violations\":[1,12,3]}", "\"violations\":[1]}\r" },
		{ "\"violations\":[1,12,3]}", "\"violations\":[1],\"x\":1}" },
		{ "\"violations\":[1,12,3]}", "\"violations\":[1]}}" },
		{ ",\"violations\":[1,12,3]", "" },          /* violations is optional for jansson */
		{ "\"phase\":\"entry\",", "" },              /* missing key */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		const char *line = variant(edits[i][0], edits[i][1]);

		if (agree(line))
			fail_msg("fast path took edit %zu: %s", i, line);
	}
}

/* Escapes the writer makes in comm; the 16th byte on is cut as comm_from_json cuts it. */
static void test_comm(void **state)
{
	static const char *const comms[] = {
		"\"a\\\"b\\\\c\"", "\"\\u0001\\u001f\\u007f\\u0080\\u00ff\\u00C3\\u00a9\"",
		"\"0123456789abcdefghij\"", "\"0123456789abcd\\u00e9\\u00e9\"", "\"\"",
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", comms[i]);
		if (!agree(variant("\"vfio-exercise\"", buf)))
			fail_msg("fast path declined comm %s", comms[i]);
	}
}

/* Every event the writer can make takes the fast path and comes back unchanged. */
static void test_writer_roundtrip(void **state)
{
	char buf[1024];
	struct d0_event e = { 0 }, back;
	unsigned int seed = 1, ctx_mask = 0, st_mask = 0;

	(void)state;
	/* every named bit of each list (include/d0audit/event.h), whatever their number */
	for (int b = 0; d0_ctx_names[b]; b++)
		ctx_mask |= 1u << b;
	for (int b = 0; d0_state_names[b]; b++)
		st_mask |= 1u << b;
	for (int i = 0; i < 20000; i++) {
		memset(&e, 0, sizeof(e));
		e.seq = (__u64)rand_r(&seed) << 31 | (unsigned)rand_r(&seed);
		e.ts_ns = (__u64)rand_r(&seed) * 977;
		e.kind = rand_r(&seed) % D0_EV_COUNT;
		e.phase = rand_r(&seed) % 3;
		e.hook = rand_r(&seed) % D0_HOOK_COUNT;
		e.bdf = i % 7 ? (unsigned)(rand_r(&seed) & 0xffffff) : 0xffffffffu;
		e.dev = e.bdf;
		e.pid = rand_r(&seed) * 3u;
		e.tid = rand_r(&seed) * 5u;
		/* a NUL-terminated comm of 0 to 15 bytes, zero after it (as the kernel's) */
		for (int c = 0, len = rand_r(&seed) % D0_COMM_LEN; c < len; c++)
			e.comm[c] = (char)(1 + rand_r(&seed) % 255);
		e.power = rand_r(&seed) % 7 - 1;
		e.power_before = rand_r(&seed) % 7 - 1;
		e.rpm_status = rand_r(&seed) % 6;
		if (e.rpm_status == 5)
			e.rpm_status = 0xff;
		e.ctx = rand_r(&seed) & ctx_mask;
		e.state = rand_r(&seed) & st_mask;
		e.nr_dmabufs = rand_r(&seed);
		e.nr_unrevoked = rand_r(&seed);
		e.a0 = rand_r(&seed) * 7u;
		e.a1 = rand_r(&seed) * 11u;
		e.a2 = (__u64)rand_r(&seed) << 40 ^ (unsigned)rand_r(&seed) * (i % 3 ? 1ULL : ~0ULL);
		e.a3 = i % 5 ? (__u64)rand_r(&seed) : 1ULL << 63;
		e.ret = -(__s64)(rand_r(&seed) % 200);
		e.violations = rand_r(&seed) & ((1u << D0_RULE_MAX) - 1);
		int n = d0_event_to_json(&e, buf, sizeof(buf));

		assert_true(n > 0 && n < (int)sizeof(buf));
		if (!agree(buf))
			fail_msg("fast path declined the writer's line %s", buf);
		assert_true(d0_event_from_line(buf, n, &back));
		assert_memory_equal(&back, &e, sizeof(e));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_declined),
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_writer_roundtrip),
	};

	return cmocka_run_group_tests_name("trace_reader", tests, NULL, NULL);
}
