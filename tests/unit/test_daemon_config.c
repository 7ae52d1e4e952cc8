// SPDX-License-Identifier: GPL-2.0
/* The daemon's configuration: types, unknown keys, bad values, drop-in precedence, device patterns. */
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

#include "daemon/daemon_config.h"
#include <linux/types.h>
#include "d0audit/event.h"
#include "d0audit/rules.h"

static char err[D0_CONF_ERR_LEN];

static int parse(struct d0_daemon_config *c, const char *text)
{
	d0_config_defaults(c);
	err[0] = 0;
	return d0_config_parse_buffer(c, text, "t.conf", err, sizeof(err));
}

static void test_all_keys(void **state)
{
	struct d0_daemon_config c;

	(void)state;
	assert_int_equal(parse(&c, "[audit]\nmode = kernel\nringbuf_size = 1M\ndevices_allow = 0000:3b:* 0000:00:03.0\n"
				   "devices_deny = 0000:3b:00.1\n[output]\nfile = /var/log/d.jsonl\nstdout = no\n"
				   "violation_rate = 5\nviolation_burst = 2\n[metrics]\ntextfile = /m.prom\n"
				   "listen = unix:/run/m.sock\nlisten_any = yes\ninterval = 30s\ndevice_cap = 8\n"
				   "[privileges]\nuser = d0audit\n"), 0);
	assert_int_equal(c.mode, D0_MODE_KERNEL);
	assert_int_equal(c.ringbuf_bytes, 1 << 20);
	assert_int_equal(c.nallow, 2);
	assert_string_equal(c.allow[1], "0000:00:03.0");
	assert_int_equal(c.ndeny, 1);
	assert_string_equal(c.output_file, "/var/log/d.jsonl");
	assert_false(c.output_stdout);
	assert_int_equal(c.rate_per_min, 5);
	assert_int_equal(c.rate_burst, 2);
	assert_string_equal(c.metrics_textfile, "/m.prom");
	assert_string_equal(c.metrics_listen, "unix:/run/m.sock");
	assert_true(c.metrics_listen_any);
	assert_int_equal(c.metrics_interval_ms, 30000);
	assert_int_equal(c.metrics_device_cap, 8);
	assert_string_equal(c.user, "d0audit");
	assert_int_equal(d0_config_validate(&c, err, sizeof(err)), 0);
}

/* audit.pin: an absolute bpffs directory, empty = no pinning (--no-pin); the flag wins. */
static void test_pin_key(void **state)
{
	struct d0_daemon_config c;

	(void)state;
	assert_int_equal(parse(&c, "[output]\nstdout = yes\n"), 0);
	assert_string_equal(c.pin_dir, "");
	assert_int_equal(parse(&c, "[audit]\npin = /sys/fs/bpf/d0audit\n"), 0);
	assert_string_equal(c.pin_dir, "/sys/fs/bpf/d0audit");
	assert_int_equal(d0_config_set(&c, "audit.pin=/sys/fs/bpf/other", err, sizeof(err)), 0);
	assert_string_equal(c.pin_dir, "/sys/fs/bpf/other");
	assert_int_equal(d0_config_set(&c, "audit.pin=", err, sizeof(err)), 0);
	assert_string_equal(c.pin_dir, "");
	assert_int_equal(parse(&c, "[audit]\npin = sys/fs/bpf\n"), -1);
	assert_string_equal(err, "t.conf:2: audit.pin must be an absolute path, not 'sys/fs/bpf'");
}

static void test_errors_name_file_and_line(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "[audit]\nmode = lenient\n", "t.conf:2: audit.mode must be strict or kernel, not 'lenient'" },
		{ "[output]\nstdout = maybe\n", "t.conf:2: output.stdout must be yes or no" },
		{ "[metrics]\n\ndevice_cap = -1\n", "t.conf:3: metrics.device_cap must be a number" },
		{ "[metrics]\ndevice_cap = 12abc\n", "t.conf:2: metrics.device_cap" },
		{ "[metrics]\ninterval = 10ms\n", "t.conf:2: metrics.interval must be a duration from 1s" },
		{ "[audit]\nringbuf_size = 3000\n", "t.conf:2: audit.ringbuf_size must be a power of two" },
		{ "[audit]\nringbuf_size = 12k\n", "t.conf:2: audit.ringbuf_size must be a power of two" }, /* in range, not 2^n */
		{ "[output]\nfile = relative.log\n", "t.conf:2: output.file must be an absolute path" },
		{ "[output]\nviolation_burst = 0\n", "t.conf:2: output.violation_burst" },
		{ "[audit]\ndevices_allow = /etc/passwd\n", "t.conf:2: audit.devices_allow: '/etc/passwd' is not a PCI" },
		{ "[audit]\nmood = strict\n", "t.conf:2: unknown key 'mood' in section [audit]" },
		{ "[metric]\nlisten = 127.0.0.1:1\n", "t.conf:2: unknown key 'listen' in section [metric]" },
		{ "[privileges]\nuser = root;rm\n", "t.conf:2: privileges.user" },
		{ "[audit\n", "t.conf:1: section header [audit has no closing ']'" },
		{ "[audit]\nmode = strict\n\nmode = kernel\n", "t.conf:4: duplicate key audit.mode (first set on line 2)" },
		{ "just words\n[audit]\nmood = strict\n", "t.conf:1: not INI syntax" },
		{ "[metrics]\nlisten = 1.2.3.4\n", "t.conf:2: metrics.listen '1.2.3.4': expected" },
		{ "just words\n", "t.conf:1: not INI syntax" },
	};
	struct d0_daemon_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&c, cases[i].text), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want))) {
			print_error("case %zu: got '%s', want '%s...'\n", i, err, cases[i].want);
			fail();
		}
	}
}

static void test_first_error_reported(void **state)
{
	struct d0_daemon_config c;

	(void)state;
	assert_int_equal(parse(&c, "[audit]\nmode = kernel\nbad = 1\n[output]\nstdout = x\n"), -1);
	assert_string_equal(err, "t.conf:3: unknown key 'bad' in section [audit] (keys: audit.mode ringbuf_size pin "
				 "devices_allow devices_deny; output.file stdout violation_rate violation_burst; "
				 "metrics.textfile listen listen_any interval device_cap; privileges.user)");
}

static void test_listen_loopback_only(void **state)
{
	static const struct { const char *listen; bool any; int rc; } cases[] = {
		{ "127.0.0.1:9717", false, 0 }, { "127.1.2.3:80", false, 0 }, { "[::1]:9717", false, 0 },
		{ "localhost:9717", false, 0 }, { "unix:/run/d0audit/m.sock", false, 0 },
		{ "0.0.0.0:9717", false, -1 }, { "[::]:9717", false, -1 }, { "10.1.1.1:9717", false, -1 },
		{ "0.0.0.0:9717", true, 0 }, { "127.0.0.1", false, -1 }, { "127.0.0.1:0", false, -1 },
		{ "127.0.0.1:65536", false, -1 }, { "unix:relative.sock", false, -1 }, { "example.org:80", false, -1 },
	};
	struct d0_daemon_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d0_config_defaults(&c);
		strcpy(c.metrics_listen, cases[i].listen);
		c.metrics_listen_any = cases[i].any;
		if (d0_config_validate(&c, err, sizeof(err)) != cases[i].rc) {
			print_error("listen '%s' any=%d: want %d (%s)\n", cases[i].listen, cases[i].any, cases[i].rc, err);
			fail();
		}
	}
	d0_config_defaults(&c);
	c.output_stdout = false;
	assert_int_equal(d0_config_validate(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no output"));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_dropins_and_flags(void **state)
{
	char dir[] = "/tmp/d0conf.XXXXXX", path[128], dropins[128];
	const char *flags[] = { "metrics.device_cap=3" };
	struct d0_config_sources s = { .main_path = path, .main_required = true };
	struct d0_daemon_config c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d0audit.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s/conf.d", dir);
	mkdir(dropins, 0700);
	write_file(path, "[audit]\nmode = kernel\ndevices_allow = 0000:3b:* 0000:5e:*\ndevices_deny = 0000:00:04.0\n"
			 "[metrics]\ndevice_cap = 10\ninterval = 5s\n");
	snprintf(path + strlen(path) - strlen("d0audit.conf"), 64, "conf.d/20-b.conf");
	write_file(path, "[metrics]\ninterval = 20s\n[audit]\ndevices_deny =\n");
	snprintf(path + strlen(path) - strlen("20-b.conf"), 64, "10-a.conf");
	write_file(path, "[metrics]\ninterval = 10s\ndevice_cap = 7\n[audit]\nmode = strict\ndevices_allow = 0000:00:0[34].0\n");
	snprintf(path + strlen(path) - strlen("10-a.conf"), 64, "ignored.txt");
	write_file(path, "garbage\n");
	snprintf(path, sizeof(path), "%s/d0audit.conf", dir);

	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), 0);
	assert_int_equal(c.metrics_interval_ms, 20000); /* 20-b after 10-a */
	assert_int_equal(c.metrics_device_cap, 7);      /* drop-in over the main file */
	assert_int_equal(c.mode, D0_MODE_STRICT);
	/* a list in a later file replaces the whole list, never adds to it; empty empties it */
	assert_int_equal(c.nallow, 1);
	assert_string_equal(c.allow[0], "0000:00:0[34].0");
	assert_int_equal(c.ndeny, 0);
	assert_false(d0_config_device_reported(&c, "0000:3b:00.0"));
	assert_true(d0_config_device_reported(&c, "0000:00:04.0"));
	assert_false(d0_config_device_reported(&c, "0000:00:05.0"));
	s.overrides = flags;
	s.noverrides = 1;
	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), 0);
	assert_int_equal(c.metrics_device_cap, 3);      /* flag over every file */

	/* a bad drop-in names itself and its line */
	snprintf(path, sizeof(path), "%s/conf.d/30-bad.conf", dir);
	write_file(path, "[output]\n\nstdout = sometimes\n");
	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "conf.d/30-bad.conf:3: output.stdout must be yes or no"));
	unlink(path);

	/* a missing --config is an error; a missing default file is not */
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "none.conf: cannot open"));
	s.main_required = false;
	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), 0);

	/* flags are checked like file lines */
	flags[0] = "metrics.device_cap=many";
	assert_int_equal(d0_config_load(&c, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "command line: metrics.device_cap"));
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_device_patterns(void **state)
{
	struct d0_daemon_config c;

	(void)state;
	assert_int_equal(parse(&c, ""), 0);
	assert_true(d0_config_device_reported(&c, "0000:00:03.0"));
	assert_int_equal(parse(&c, "[audit]\ndevices_allow = 0000:3b:*, 0000:00:03.0\ndevices_deny = 0000:3b:00.[1-3]\n"), 0);
	assert_true(d0_config_device_reported(&c, "0000:3b:00.0"));
	assert_false(d0_config_device_reported(&c, "0000:3b:00.2"));
	assert_true(d0_config_device_reported(&c, "0000:00:03.0"));
	assert_false(d0_config_device_reported(&c, "0000:00:04.0"));
	assert_int_equal(parse(&c, "[audit]\ndevices_deny = 0000:00:04.0\n"), 0);
	assert_false(d0_config_device_reported(&c, "0000:00:04.0"));
	assert_true(d0_config_device_reported(&c, "0000:00:05.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_pin_key),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_first_error_reported),
		cmocka_unit_test(test_listen_loopback_only),
		cmocka_unit_test(test_dropins_and_flags),
		cmocka_unit_test(test_device_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
