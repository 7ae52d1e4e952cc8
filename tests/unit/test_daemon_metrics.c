// SPDX-License-Identifier: GPL-2.0
/* Metrics: bounded device labels, violations by rule and device, HTTP answers, the report rate limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_output.h"
#include "metrics.h"
#include "metrics_http.h"

static struct d0_event power_change(__u32 bdf)
{
	struct d0_event e = { .kind = D0_EV_POWER_CHANGE, .phase = D0_PH_EXIT, .bdf = bdf,
			      .power_before = D0_PWR_D0, .power = D0_PWR_D3HOT };
	return e;
}

static char *render(struct d0_metrics *m, struct d0_verdict *v)
{
	struct d0_counters c = { .produced = 7, .delivered = 7 };
	struct d0_metrics_inputs in = { .counters = &c, .verdict = v, .hooks_attached = 20, .write_errors = 3,
					.now_wall = 100 };
	char *buf = NULL;

	c.violations[10] = 4;
	assert_true(d0_metrics_render(m, &in, &buf) > 0);
	return buf;
}

static void test_device_cap(void **state)
{
	struct d0_metrics m;
	struct d0_verdict v = {};
	struct d0_violation viols[3] = {
		{ .rule = 10, .bdf = 0x18, .count = 2 }, /* 0000:00:03.0, has its own label */
		{ .rule = 10, .bdf = 0x28, .count = 1 }, /* beyond the cap */
		{ .rule = 10, .bdf = 0x30, .count = 5 }, /* beyond the cap too: added up */
	};
	char *out;

	(void)state;
	d0_metrics_init(&m, 1);
	for (__u32 bdf = 0x18; bdf <= 0x30; bdf += 8) {
		struct d0_event e = power_change(bdf);

		d0_metrics_event(&m, &e, 90);
	}
	v.viols = viols;
	v.nviols = 3;
	out = render(&m, &v);
	assert_non_null(strstr(out, "d0audit_power_transitions_total{device=\"0000:00:03.0\"} 1\n"));
	assert_non_null(strstr(out, "d0audit_power_transitions_total{device=\"other\"} 3\n"));
	assert_null(strstr(out, "0000:00:05.0"));
	assert_non_null(strstr(out, "d0audit_violations_total{rule=\"10\",device=\"0000:00:03.0\"} 2\n"));
	assert_non_null(strstr(out, "d0audit_violations_total{rule=\"10\",device=\"other\"} 6\n"));
	assert_non_null(strstr(out, "d0audit_kernel_violations_total{rule=\"10\"} 4\n"));
	assert_non_null(strstr(out, "# TYPE d0audit_output_write_errors_total counter\nd0audit_output_write_errors_total 3\n"));
	assert_non_null(strstr(out, "d0audit_last_event_age_seconds 10\n"));
	assert_non_null(strstr(out, "d0audit_hooks_attached 20\n"));
	free(out);
	d0_metrics_free(&m);
}

/* The five per-device counters, each from its own events and with a value of its own. */
static void test_per_device_counters(void **state)
{
	struct d0_metrics m;
	struct d0_counters c = { .produced = 9, .delivered = 7, .drops = { 1, 2 } };
	struct d0_metrics_inputs in = { .counters = &c, .now_wall = 50 };
	static const char *const want[] = {
		"d0audit_power_transitions_total{device=\"0000:00:03.0\"} 2\n",
		"d0audit_zaps_total{device=\"0000:00:03.0\"} 3\n",
		"d0audit_dmabuf_moves_total{device=\"0000:00:03.0\"} 4\n",
		"d0audit_accesses_total{device=\"0000:00:03.0\"} 5\n",
		"d0audit_refused_attempts_total{device=\"0000:00:03.0\"} 6\n",
		"d0audit_zaps_total{device=\"0000:00:04.0\"} 1\n",
		"d0audit_power_transitions_total{device=\"0000:00:04.0\"} 0\n",
		"d0audit_zaps_total{device=\"other\"} 0\n",
		"d0audit_events_produced_total 9\n",
		"d0audit_events_delivered_total 7\n",
		"d0audit_drops_total{cause=\"ringbuf_full\"} 1\n",
		"d0audit_drops_total{cause=\"devmap_full\"} 2\n",
		"d0audit_last_event_age_seconds 5\n",
	};
	struct d0_event e;
	char *out = NULL;
	int i;

	(void)state;
	d0_metrics_init(&m, 4);
	for (i = 0; i < 3; i++) { /* two changes, one re-read of the same state */
		e = power_change(0x18);
		e.power_before = i == 2 ? D0_PWR_D3HOT : D0_PWR_D0;
		d0_metrics_event(&m, &e, 40);
	}
	for (i = 0; i < 3; i++)
		d0_metrics_event(&m, &(struct d0_event){ .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .bdf = 0x18 }, 40);
	for (i = 0; i < 5; i++) /* four moves: the exit of one is the same move */
		d0_metrics_event(&m, &(struct d0_event){ .kind = D0_EV_DMABUF_MOVE, .phase = i == 4 ? D0_PH_EXIT : D0_PH_ENTRY,
							  .a0 = i & 1, .bdf = 0x18 }, 40);
	for (i = 0; i < 5; i++)
		d0_metrics_event(&m, &(struct d0_event){ .kind = D0_EV_BAR_ACCESS, .phase = D0_PH_ENTRY, .bdf = 0x18,
							  .state = D0_ST_MEM_ENABLED }, 40);
	for (i = 0; i < 6; i++)
		d0_metrics_event(&m, &(struct d0_event){ .kind = D0_EV_BAR_RW_DONE, .phase = D0_PH_EXIT, .ret = -5,
							  .bdf = 0x18 }, 40);
	d0_metrics_event(&m, &(struct d0_event){ .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .bdf = 0x20 }, 45);
	assert_true(d0_metrics_render(&m, &in, &out) > 0);
	for (i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++)
		if (!strstr(out, want[i]))
			fail_msg("no line %s in:\n%s", want[i], out);
	free(out);
	d0_metrics_free(&m);
}

static long fake_metrics(void *ctx, char **out)
{
	(void)ctx;
	*out = strdup("d0audit_up 1\n");
	return 13;
}

static bool fake_health(void *ctx, char *msg, size_t len)
{
	snprintf(msg, len, "%s", (const char *)ctx);
	return !strncmp(ctx, "ok", 2);
}

static void test_http_answers(void **state)
{
	struct d0_http s;
	struct d0_http_handlers h = { .metrics = fake_metrics, .health = fake_health, .ctx = "ok: 3 hooks" };
	size_t len;
	char *r;

	(void)state;
	assert_int_equal(d0_http_open(&s, "", &h), 0);
	r = d0_http_respond(&s, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &len);
	assert_true(len > 13 && !strncmp(r, "HTTP/1.1 200 OK\r\n", 17));
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(r, "Content-Length: 13\r\n"));
	assert_memory_equal(r + len - 13, "d0audit_up 1\n", 13);
	free(r);
	r = d0_http_respond(&s, "HEAD /metrics HTTP/1.0\r\n\r\n", &len);
	assert_true(strstr(r, "\r\n\r\n") + 4 == r + len); /* no body */
	free(r);
	r = d0_http_respond(&s, "GET /healthz HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "200 OK"));
	assert_non_null(strstr(r, "ok: 3 hooks\n"));
	free(r);
	s.h.ctx = "no hook attached";
	r = d0_http_respond(&s, "GET /healthz HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "503 Service Unavailable"));
	free(r);
	r = d0_http_respond(&s, "POST /metrics HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "405"));
	free(r);
	r = d0_http_respond(&s, "GET /../etc/passwd HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "404"));
	free(r);
	r = d0_http_respond(&s, "GET /metrics\r\n\r\n", &len);
	assert_non_null(strstr(r, "400"));
	free(r);
	d0_http_close(&s);
}

static void test_rate_limit(void **state)
{
	struct d0_output o;
	int allowed = 0;

	(void)state;
	/* 60 per minute = 1 per second, burst 3 */
	assert_int_equal(d0_output_open(&o, "", false, 60, 3), 0);
	for (int i = 0; i < 10; i++)
		allowed += d0_output_rate_allow(&o, 1000);
	assert_int_equal(allowed, 3);
	assert_int_equal(o.suppressed, 7);
	assert_true(d0_output_rate_allow(&o, 2000));  /* one token back after a second */
	assert_false(d0_output_rate_allow(&o, 2500));
	d0_output_flush_suppressed(&o, 100000, false);
	assert_int_equal(o.suppressed_pending, 0);
	assert_int_equal(o.suppressed, 8);
	d0_output_set_rate(&o, 0, 1);                 /* 0 = unlimited */
	for (int i = 0; i < 100; i++)
		assert_true(d0_output_rate_allow(&o, 3000));
	d0_output_close(&o);
}

static void test_output_file_mode_and_errors(void **state)
{
	char path[] = "/tmp/d0out.XXXXXX";
	struct d0_output o;
	struct stat st;
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	unlink(path);
	umask(0);
	assert_int_equal(d0_output_open(&o, path, false, 0, 1), 0);
	d0_output_json(&o, json_pack("{s:s}", "type", "x"), -1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, strlen("{\"type\":\"x\"}\n"));
	assert_int_equal(o.write_errors, 0);
	d0_output_close(&o);
	unlink(path);
	/* /dev/full: every write fails with ENOSPC, counted */
	assert_int_equal(d0_output_open(&o, "/dev/full", false, 0, 1), 0);
	d0_output_json(&o, json_pack("{s:s}", "type", "x"), -1);
	d0_output_json(&o, json_pack("{s:s}", "type", "y"), -1);
	assert_int_equal(o.write_errors, 2);
	assert_int_equal(o.lines, 0);
	assert_true(o.file_health.failing);
	d0_output_close(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_cap),
		cmocka_unit_test(test_per_device_counters),
		cmocka_unit_test(test_http_answers),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_output_file_mode_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
