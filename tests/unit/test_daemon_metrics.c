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
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/daemon_output.h"
#include "daemon/journal.h"
#include "model/rules_meta.h"
#include "daemon/metrics.h"
#include "daemon/metrics_http.h"
#include "lib/version.h"

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
	/* the state each event carries; "other" has none */
	assert_non_null(strstr(out, "d0audit_device_power_state{device=\"0000:00:03.0\"} 3\n"));
	assert_null(strstr(out, "d0audit_device_power_state{device=\"other\"}"));
	free(out);
	d0_metrics_free(&m);
}

/* The five per-device counters, each from its own events and with a value of its own. */
static void test_per_device_counters(void **state)
{
	struct d0_metrics m;
	struct d0_counters c = { .produced = 9, .delivered = 7, .drops = { 1, 2, 4 } };
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
		"d0audit_drops_total{cause=\"exit_without_entry\"} 4\n",
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

/* A sysfs tree: 0000:00:03.0 on vfio-pci, 0000:00:04.0 on e1000e, vfio_pci_core loaded without BTF. */
static char *fake_sysfs(void)
{
	static char root[] = "/tmp/d0sysfs.XXXXXX";
	char cmd[1024];

	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p bus/pci/drivers/vfio-pci bus/pci/drivers/e1000e kernel/btf "
		 "module/vfio_pci_core devices/pci0000:00/0000:00:03.0 devices/pci0000:00/0000:00:04.0 "
		 "bus/pci/devices && touch kernel/btf/vmlinux module/vfio_pci_core/initstate && "
		 "echo D3hot >devices/pci0000:00/0000:00:03.0/power_state && "
		 "ln -s ../../../bus/pci/drivers/vfio-pci devices/pci0000:00/0000:00:03.0/driver && "
		 "ln -s ../../../bus/pci/drivers/e1000e devices/pci0000:00/0000:00:04.0/driver && "
		 "ln -s ../../../devices/pci0000:00/0000:00:03.0 bus/pci/devices/0000:00:03.0 && "
		 "ln -s ../../../devices/pci0000:00/0000:00:04.0 bus/pci/devices/0000:00:04.0", root);
	assert_int_equal(system(cmd), 0);
	return root;
}

static void rm_tree(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* issue 15: a vfio device's violation series are there at 0 before its first violation */
static void test_violation_series_at_zero(void **state)
{
	struct d0_metrics m;
	struct d0_verdict v = {};
	char *root = fake_sysfs(), *out;
	struct d0_metrics_inputs in = { .verdict = &v, .sysfs = root };

	(void)state;
	d0_metrics_init(&m, 64);
	assert_int_equal(d0_metrics_scan_vfio(&m, root), 1);
	assert_int_equal(d0_metrics_scan_vfio(&m, root), 0); /* once */
	assert_true(d0_metrics_render(&m, &in, &out) > 0);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		char want[96];

		snprintf(want, sizeof(want), "d0audit_violations_total{rule=\"%d\",device=\"0000:00:03.0\"} 0\n", r);
		assert_non_null(strstr(out, want));
		snprintf(want, sizeof(want), "d0audit_violations_total{rule=\"%d\",device=\"other\"} 0\n", r);
		assert_non_null(strstr(out, want));
	}
	assert_null(strstr(out, "0000:00:04.0")); /* not a vfio device */
	/* its power state before any event, from sysfs */
	assert_non_null(strstr(out, "d0audit_device_power_state{device=\"0000:00:03.0\"} 3\n"));
	/* BTF: vmlinux has it, the loaded vfio_pci_core has none */
	assert_non_null(strstr(out, "d0audit_btf_missing{module=\"vmlinux\"} 0\n"));
	assert_non_null(strstr(out, "d0audit_btf_missing{module=\"vfio_pci_core\"} 1\n"));
	assert_non_null(strstr(out, "\nd0audit_up 1\n"));
	free(out);
	m.cannot_audit = true;
	assert_true(d0_metrics_render(&m, &in, &out) > 0);
	assert_non_null(strstr(out, "\nd0audit_up 0\n"));
	free(out);
	d0_metrics_free(&m);
	rm_tree(root);
}

/* issue 15 and 19: build info, rule names for joins, and which rules are fully checked */
static void test_build_info_and_rule_coverage(void **state)
{
	struct d0_metrics m;
	struct d0_hook_availability all = {};
	struct d0_metrics_inputs in = { .avail = &all, .sysfs = "/nonexistent" };
	char *out;

	(void)state;
	d0_metrics_init(&m, 64);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		all.of[i] = D0_AVAIL_WORKS;
	assert_true(d0_metrics_render(&m, &in, &out) > 0);
	/* the commit is the one metrics.o was built at (objects outlive commits): only its shape */
	assert_non_null(strstr(out, "# TYPE d0audit_build_info gauge\nd0audit_build_info{version=\""
				    D0AUDIT_VERSION "\",commit=\""));
	assert_true(strstr(out, "d0audit_build_info{") < strstr(out, "\"} 1\n# HELP d0audit_up"));
	assert_non_null(strstr(out, "d0audit_rule_info{rule=\"10\",name=\"BYPASS\"} 1\n"));
	assert_non_null(strstr(out, "d0audit_rule_checked{rule=\"10\"} 1\n"));
	assert_non_null(strstr(out, "d0audit_btf_missing{module=\"vmlinux\"} 1\n"));
	free(out);
	in.avail = NULL; /* nothing works: every rule is incomplete */
	assert_true(d0_metrics_render(&m, &in, &out) > 0);
	assert_non_null(strstr(out, "d0audit_rule_checked{rule=\"10\"} 0\n"));
	assert_non_null(strstr(out, "d0audit_rule_checked{rule=\"1\"} 0\n"));
	free(out);
	d0_metrics_free(&m);
}

/* issue 19: Prometheus' own linter finds nothing to say about a scrape with devices and violations */
static void test_promtool_check_metrics(void **state)
{
	struct d0_metrics m;
	struct d0_violation viols[2] = { { .rule = 10, .bdf = 0x18, .count = 2 }, { .rule = 7, .bdf = 0x20, .count = 1 } };
	struct d0_verdict v = { .viols = viols, .nviols = 2 };
	struct d0_counters c = { .produced = 9, .delivered = 9 };
	struct d0_metrics_inputs in = { .counters = &c, .verdict = &v, .hooks_attached = 20, .now_wall = 5 };
	char path[] = "/tmp/d0scrape.XXXXXX", cmd[256], said[4096];
	int fd = mkstemp(path);
	size_t n;
	char *out;
	long len;
	FILE *p;

	(void)state;
	d0_metrics_init(&m, 1);
	d0_metrics_slot(&m, 0x18);
	len = d0_metrics_render(&m, &in, &out);
	assert_true(len > 0);
	assert_int_equal(write(fd, out, len), len);
	close(fd);
	free(out);
	/* tests/cli/prometheus.bats checks the alert rules and the dashboard against this scrape */
	if (getenv("D0AUDIT_SCRAPE_OUT")) {
		snprintf(cmd, sizeof(cmd), "cp %s \"$D0AUDIT_SCRAPE_OUT\"", path);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1; echo \"exit $?\"", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(said, 1, sizeof(said) - 1, p);
	said[n] = 0;
	pclose(p);
	unlink(path);
	d0_metrics_free(&m);
	if (strcmp(said, "exit 0\n"))
		fail_msg("promtool check metrics (Debian package prometheus; tools/install-deps) said: %s", said);
}

static void test_http_query_and_allow(void **state)
{
	struct d0_http s;
	struct d0_http_handlers h = { .metrics = fake_metrics, .health = fake_health, .ctx = "ok" };
	char req[1200];
	size_t len;
	char *r;

	(void)state;
	assert_int_equal(d0_http_open(&s, "", &h), 0);
	/* Prometheus' scrape config params: adds a query string */
	r = d0_http_respond(&s, "GET /metrics?module=d0audit&x=1 HTTP/1.1\r\n\r\n", &len);
	assert_true(!strncmp(r, "HTTP/1.1 200 OK\r\n", 17));
	assert_memory_equal(r + len - 13, "d0audit_up 1\n", 13);
	free(r);
	snprintf(req, sizeof(req), "GET /healthz?%01000d HTTP/1.1\r\n\r\n", 7);
	r = d0_http_respond(&s, req, &len);
	assert_non_null(strstr(r, "200 OK"));
	free(r);
	r = d0_http_respond(&s, "GET /metricsx?a HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "404"));
	free(r);
	/* RFC 9110 15.5.6: a 405 says which methods are allowed */
	r = d0_http_respond(&s, "DELETE /metrics HTTP/1.1\r\n\r\n", &len);
	assert_non_null(strstr(r, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(r, "\r\nAllow: GET, HEAD\r\n"));
	free(r);
	d0_http_close(&s);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Run the server's side for a few rounds of poll. */
static void serve(struct d0_http *s, unsigned long long now_ms)
{
	for (int round = 0; round < 8; round++) {
		struct pollfd pfd[D0_HTTP_MAX_CONNS + 1];
		int n = d0_http_pollfds(s, pfd, D0_HTTP_MAX_CONNS + 1);

		if (poll(pfd, n, 20) > 0)
			d0_http_handle(s, pfd, n, now_ms);
	}
}

/* issue 15: clients that connect and say nothing cannot keep /healthz from answering */
static void test_idle_connections_cannot_block_healthz(void **state)
{
	char path[] = "/tmp/d0http.XXXXXX", listen[64], buf[512] = "";
	struct d0_http s;
	struct d0_http_handlers h = { .metrics = fake_metrics, .health = fake_health, .ctx = "ok: 3 hooks" };
	int idle[D0_HTTP_MAX_CONNS + 2], fd;
	ssize_t n, got = 0;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(listen, sizeof(listen), "unix:%s/m.sock", path);
	assert_int_equal(d0_http_open(&s, listen, &h), 0);
	for (int i = 0; i < D0_HTTP_MAX_CONNS + 2; i++) {
		idle[i] = connect_unix(listen + 5);
		serve(&s, 1000);
	}
	fd = connect_unix(listen + 5);
	serve(&s, 1000);
	/* refused, the request fails (EPIPE) or the answer never comes */
	assert_int_equal(send(fd, "GET /healthz HTTP/1.1\r\n\r\n", 26, MSG_NOSIGNAL), 26);
	serve(&s, 1001);
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	assert_non_null(strstr(buf, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(buf, "ok: 3 hooks"));
	assert_true(s.evicted >= 3);
	close(fd);
	for (int i = 0; i < D0_HTTP_MAX_CONNS + 2; i++)
		close(idle[i]);
	d0_http_close(&s);
	rmdir(path);
}

/* One field of a native-protocol datagram (binary form: NAME\n le64 VALUE\n); NULL if absent. */
static char *journal_field(const char *dgram, size_t len, const char *name, char *out, size_t outlen)
{
	size_t off = 0, nl = strlen(name);

	while (off < len) {
		const char *eol = memchr(dgram + off, '\n', len - off);
		__u64 vl;

		assert_non_null(eol);
		assert_true((size_t)(eol - dgram) + 9 <= len);
		memcpy(&vl, eol + 1, 8);
		if ((size_t)(eol - dgram - off) == nl && !memcmp(dgram + off, name, nl)) {
			assert_true(vl < outlen);
			memcpy(out, eol + 9, vl);
			out[vl] = 0;
			return out;
		}
		off = eol - dgram + 9 + vl + 1;
	}
	return NULL;
}

/* issue 19: a violation is a journald record with its rule's MESSAGE_ID and D0AUDIT_* fields */
static void test_journal_violation_record(void **state)
{
	char dir[] = "/tmp/d0jrn.XXXXXX", sockpath[64], dgram[4096], v[256];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct d0_violation viol = { .rule = 10, .bdf = 0x18, .count = 1 };
	struct d0_output o;
	int fd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sockpath, sizeof(sockpath), "%s/socket", dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	viol.first.kind = D0_EV_USER_CONFIG_WRITE;
	viol.first.pid = 42;
	viol.first.seq = 7;
	/* a hostile comm: a newline must not start a forged field */
	memcpy(viol.first.comm, "x\nMESSAGE_ID=0", 15);
	assert_int_equal(d0_output_open(&o, "", true, 0, 1), 0);
	o.journal = true;
	o.journal_socket = sockpath;
	d0_output_violation(&o, &viol, "VIOLATION rule 10 BYPASS on 0000:00:03.0: test");
	n = recv(fd, dgram, sizeof(dgram), MSG_DONTWAIT);
	assert_true(n > 0);
	assert_string_equal(journal_field(dgram, n, "MESSAGE_ID", v, sizeof(v)), d0_rule_message_id[10]);
	assert_string_equal(journal_field(dgram, n, "MESSAGE", v, sizeof(v)),
			    "d0audit: VIOLATION rule 10 BYPASS on 0000:00:03.0: test");
	assert_string_equal(journal_field(dgram, n, "PRIORITY", v, sizeof(v)), "4");
	assert_string_equal(journal_field(dgram, n, "D0AUDIT_RULE", v, sizeof(v)), "10");
	assert_string_equal(journal_field(dgram, n, "D0AUDIT_RULE_NAME", v, sizeof(v)), "BYPASS");
	assert_string_equal(journal_field(dgram, n, "D0AUDIT_DEV", v, sizeof(v)), "0000:00:03.0");
	assert_string_equal(journal_field(dgram, n, "D0AUDIT_PID", v, sizeof(v)), "42");
	assert_string_equal(journal_field(dgram, n, "D0AUDIT_COMM", v, sizeof(v)), "x\nMESSAGE_ID=0");
	assert_int_equal(o.lines, 1);
	assert_int_equal(o.journal_errors, 0);
	/* journald gone: counted, and the line goes to stdout instead */
	unlink(sockpath);
	d0_output_violation(&o, &viol, "VIOLATION rule 10 BYPASS on 0000:00:03.0: test");
	assert_int_equal(o.journal_errors, 1);
	close(fd);
	rmdir(dir);
}

/* $JOURNAL_STREAM names the device and inode of the stream systemd gave us */
static void test_journal_stream_detection(void **state)
{
	char path[] = "/tmp/d0js.XXXXXX", env[64];
	int fd = mkstemp(path);
	struct stat st;

	(void)state;
	assert_int_equal(fstat(fd, &st), 0);
	unsetenv("JOURNAL_STREAM");
	assert_false(d0_journal_is_stream(fd));
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	assert_true(d0_journal_is_stream(fd));
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1);
	assert_false(d0_journal_is_stream(fd));
	unsetenv("JOURNAL_STREAM");
	close(fd);
	unlink(path);
}

/* every rule has its own fixed 128-bit MESSAGE_ID */
static void test_rule_message_ids(void **state)
{
	(void)state;
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		const char *id = d0_rule_message_id[r];

		assert_non_null(id);
		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (int q = 1; q < r; q++)
			assert_string_not_equal(id, d0_rule_message_id[q]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_cap),
		cmocka_unit_test(test_per_device_counters),
		cmocka_unit_test(test_http_answers),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_output_file_mode_and_errors),
		cmocka_unit_test(test_violation_series_at_zero),
		cmocka_unit_test(test_build_info_and_rule_coverage),
		cmocka_unit_test(test_promtool_check_metrics),
		cmocka_unit_test(test_http_query_and_allow),
		cmocka_unit_test(test_idle_connections_cannot_block_healthz),
		cmocka_unit_test(test_journal_violation_record),
		cmocka_unit_test(test_journal_stream_detection),
		cmocka_unit_test(test_rule_message_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
