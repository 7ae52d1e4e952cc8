// SPDX-License-Identifier: GPL-2.0
/*
 * A full disk while writing a trace: reported with the path and the reason, never silent.
 * A whole trace written and read back: every header, event, gap and footer field, each
 * with a value of its own (so a field written from the wrong source cannot pass).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/trace_reader.h"
#include "trace/trace_writer.h"
#include "model/hook_table.h"
#include "kernel/loader.h"
#include "live/session.h"
#include "d0audit/rules.h"

/* name must end in .gz to take the gzip path, so link the name to /dev/full */
static void full_disk(const char *name)
{
	char dir[] = "/tmp/d0audit-full-XXXXXX", path[256];
	struct d0_trace_writer *w;
	struct d0_event e = { .kind = D0_EV_ZAP, .comm = "test" };
	int first = 0, err;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink("/dev/full", path), 0);
	w = d0_trace_open(path);
	assert_non_null(w);
	for (int i = 0; i < 2000 && !first; i++) {
		e.seq = i;
		first = d0_trace_event(w, &e);
	}
	err = d0_trace_close(w);
	/* the first failed write, or the final flush at close, says why */
	assert_int_equal(first ? first : err, -ENOSPC);
	assert_int_not_equal(err, 0);
	unlink(path);
	rmdir(dir);
}

static void test_full_disk_plain(void **state)
{
	(void)state;
	full_disk("trace.ndjson");
}

static void test_full_disk_gzip(void **state)
{
	(void)state;
	full_disk("trace.ndjson.gz");
}

static json_int_t jint(json_t *o, const char *path)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	assert_non_null(o);
	return json_integer_value(o);
}

static void test_round_trip(void **state)
{
	static struct d0_loader l;
	/* the header's and footer's facts come from the session, as audit and record write them */
	struct d0_session s = { .loader = &l, .load = { .mode = D0_MODE_KERNEL, .record_all = true } };
	struct d0_trace_start start;
	struct d0_trace_end end;
	char dir[] = "/tmp/d0audit-rt-XXXXXX", path[256];
	struct d0_session_result res = { .ended_by = "duration", .bad_records = 6 };
	struct d0_event e = { .seq = 40, .ts_ns = 123456789, .kind = D0_EV_USER_CONFIG_WRITE, .phase = D0_PH_EXIT,
			      .hook = 3, .bdf = 0x23b << 8 | 0x1f << 3 | 7, .pid = 101, .tid = 102, .comm = "qemu \"x\"",
			      .power = D0_PWR_D3HOT, .power_before = D0_PWR_D1, .rpm_status = 2,
			      .ctx = D0_CTX_VFIO_CONFIG | D0_CTX_RESET, .state = D0_ST_OPEN | D0_ST_MAPPED | D0_ST_VDEV_KNOWN,
			      .nr_dmabufs = 3, .nr_unrevoked = 2, .a0 = 4, .a1 = 0x10002, .a2 = -7, .a3 = 2, .ret = -5,
			      .violations = D0_RULE_BIT(1) | D0_RULE_BIT(5) | D0_RULE_BIT(12) };
	struct d0_trace_writer *w;
	struct d0_trace_reader *r;
	struct d0_record rec;
	json_t *o;

	(void)state;
	e.dev = e.bdf;
	l.plan[0] = (struct d0_hook_plan){ .decision = D0_PLAN_ATTACH, .symbol = "clone.isra.0", .attached = true };
	l.plan[1] = (struct d0_hook_plan){ .decision = D0_PLAN_UNAVAILABLE, .reason = "inlined" };
	l.plan[2].late_ns = 777;
	res.counters = (struct d0_counters){ .produced = 100, .delivered = 93, .drops = { 4, 3, 6 } };
	res.counters.drops_by_hook[2] = 5;
	res.counters.hits[0] = 11;
	res.counters.hits[3] = 13;
	res.counters.violations[5] = 2;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.ndjson.gz", dir);
	w = d0_trace_open(path);
	assert_non_null(w);
	d0_session_trace_start(&s, &start);
	assert_int_equal(d0_trace_header(w, &start), 0);
	assert_int_equal(d0_trace_event(w, &e), 0);
	assert_int_equal(d0_trace_gap(w, 41, 7), 0);
	d0_session_trace_end(&s, &res, &end);
	assert_int_equal(d0_trace_footer(w, &end), 0);
	assert_int_equal(d0_trace_close(w), 0);

	r = d0_trace_reader_open(path);
	assert_non_null(r);
	assert_int_equal(d0_trace_next(r, &rec), 1);
	assert_int_equal(rec.type, D0_REC_HEADER);
	o = rec.json;
	assert_int_equal(jint(o, "format"), D0_TRACE_FORMAT);
	assert_string_equal(json_string_value(json_object_get(o, "mode")), "kernel");
	assert_true(json_is_true(json_object_get(o, "record_all")));
	assert_int_equal(json_array_size(json_object_get(o, "hooks")), D0_HOOK_COUNT);
	o = json_array_get(json_object_get(rec.json, "hooks"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "target")), "clone.isra.0");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "attached");
	o = json_array_get(json_object_get(rec.json, "hooks"), 1);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "unavailable");
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "inlined");
	assert_string_equal(json_string_value(json_object_get(o, "target")), d0_hooks[1].target);

	/* the event comes back field for field, through the reader's fast path */
	assert_int_equal(d0_trace_next(r, &rec), 1);
	assert_int_equal(rec.type, D0_REC_EVENT);
	assert_memory_equal(&rec.ev, &e, sizeof(e));

	assert_int_equal(d0_trace_next(r, &rec), 1);
	assert_int_equal(rec.type, D0_REC_GAP);
	assert_int_equal(rec.gap_first, 41);
	assert_int_equal(rec.gap_lost, 7);

	assert_int_equal(d0_trace_next(r, &rec), 1);
	assert_int_equal(rec.type, D0_REC_FOOTER);
	o = rec.json;
	assert_int_equal(jint(o, "produced"), 100);
	assert_int_equal(jint(o, "delivered"), 93);
	assert_int_equal(jint(o, "drops.ringbuf_full"), 4);
	assert_int_equal(jint(o, "drops.devmap_full"), 3);
	assert_int_equal(jint(o, "drops.exit_without_entry"), 6);
	assert_int_equal(json_object_size(json_object_get(o, "drops_by_hook")), 1);
	assert_int_equal(jint(json_object_get(o, "drops_by_hook"), d0_hooks[2].name), 5);
	assert_int_equal(json_object_size(json_object_get(o, "hits")), 2);
	assert_int_equal(jint(json_object_get(o, "hits"), d0_hooks[0].name), 11);
	assert_int_equal(jint(json_object_get(o, "hits"), d0_hooks[3].name), 13);
	assert_int_equal(json_object_size(json_object_get(o, "kernel_violations")), 1);
	assert_int_equal(jint(o, "kernel_violations.5"), 2);
	assert_int_equal(json_array_size(json_object_get(o, "late_attached")), 1);
	assert_int_equal(jint(json_array_get(json_object_get(o, "late_attached"), 0), "ts_ns"), 777);
	assert_int_equal(jint(o, "bad_records"), 6);
	assert_string_equal(json_string_value(json_object_get(o, "ended_by")), "duration");
	assert_int_equal(d0_trace_next(r, &rec), 0);
	d0_trace_reader_close(r);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_full_disk_plain),
		cmocka_unit_test(test_full_disk_gzip),
	};

	return cmocka_run_group_tests_name("trace_writer", tests, NULL, NULL);
}
