// SPDX-License-Identifier: GPL-2.0
/*
 * The PMCSR cross-check of `doctor --devices`: the capability walk on config
 * space shaped like QEMU's e1000e (PM capability at 0xc8), malformed lists,
 * and the comparison against a fake sysfs tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/device_power.h"

/* e1000e-like: status has a cap list, 0x34 -> 0xc8 (PM) -> 0xd0 (MSI) -> 0xe0 (PCIe) -> 0 */
static void e1000e_config(unsigned char *cfg, int d_state)
{
	memset(cfg, 0, 256);
	cfg[0] = 0x86; cfg[1] = 0x80; cfg[2] = 0xd3; cfg[3] = 0x10;
	cfg[0x06] = 0x10;
	cfg[0x34] = 0xc8;
	cfg[0xc8] = 0x01; cfg[0xc9] = 0xd0;
	cfg[0xcc] = (unsigned char)d_state; cfg[0xcd] = 0x00;
	cfg[0xd0] = 0x05; cfg[0xd1] = 0xe0;
	cfg[0xe0] = 0x10; cfg[0xe1] = 0x00;
}

static void test_walks_to_the_pm_capability(void **s)
{
	unsigned char cfg[256];

	(void)s;
	for (int d = 0; d <= 3; d++) {
		e1000e_config(cfg, d);
		assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), d);
	}
	/* other PMCSR bits (PME status, no-soft-reset) do not change the state */
	e1000e_config(cfg, 3);
	cfg[0xcd] = 0x81;
	cfg[0xcc] |= 0x08;
	assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), 3);
}

static void test_malformed_config(void **s)
{
	unsigned char cfg[256];

	(void)s;
	e1000e_config(cfg, 0);
	cfg[0x06] = 0; /* no capability list */
	assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), -1);
	e1000e_config(cfg, 0);
	cfg[0xc8] = 0x05; cfg[0xc9] = 0xd0; cfg[0xd0] = 0x05; cfg[0xd1] = 0xc8; /* loop, no PM */
	assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), -1);
	memset(cfg, 0xff, sizeof(cfg)); /* device gone / D3cold */
	assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), -1);
	e1000e_config(cfg, 0);
	assert_int_equal(d0_pmcsr_power_state(cfg, 64), -1); /* unprivileged read: 64 bytes only */
	e1000e_config(cfg, 0);
	cfg[0x34] = 0x10; /* pointer into the header */
	assert_int_equal(d0_pmcsr_power_state(cfg, sizeof(cfg)), -1);
}

static char root[64];

static void fake_device(const char *bdf, const char *kernel, int pmcsr)
{
	char path[256];
	unsigned char cfg[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/power", root, bdf);
	assert_int_equal(mkdir(path, 0755) == 0 || 1, 1);
	snprintf(path, sizeof(path), "%s/%s/power_state", root, bdf);
	f = fopen(path, "w");
	fprintf(f, "%s\n", kernel);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s/power/runtime_status", root, bdf);
	f = fopen(path, "w");
	fprintf(f, "active\n");
	fclose(f);
	e1000e_config(cfg, pmcsr);
	snprintf(path, sizeof(path), "%s/%s/config", root, bdf);
	f = fopen(path, "w");
	fwrite(cfg, 1, sizeof(cfg), f);
	fclose(f);
}

static void test_cross_check_against_sysfs(void **s)
{
	struct d0_device_power p;
	char dir[256];

	(void)s;
	snprintf(root, sizeof(root), "/tmp/d0audit-devpower-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/0000:00:03.0", root);
	mkdir(dir, 0755);
	fake_device("0000:00:03.0", "D0", 0);
	d0_device_power_check(root, "0000:00:03.0", &p);
	assert_true(p.agree);
	assert_int_equal(p.pmcsr, 0);
	assert_string_equal(p.runtime, "active");
	/* PM_CTRL written through sysfs behind the PCI core: kernel D0, device D3hot */
	fake_device("0000:00:03.0", "D0", 3);
	d0_device_power_check(root, "0000:00:03.0", &p);
	assert_false(p.agree);
	assert_non_null(strstr(p.note, "kernel says D0, PMCSR says D3hot"));
	/* D3cold: config is not read (it would power the device up) */
	fake_device("0000:00:03.0", "D3cold", 0);
	d0_device_power_check(root, "0000:00:03.0", &p);
	assert_int_equal(p.pmcsr, -1);
	assert_true(p.agree);
	/* a device that vanished */
	d0_device_power_check(root, "0000:00:09.0", &p);
	assert_string_equal(p.kernel, "?");
	assert_false(p.agree);
	snprintf(dir, sizeof(dir), "rm -rf %s", root);
	assert_int_equal(system(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walks_to_the_pm_capability),
		cmocka_unit_test(test_malformed_config),
		cmocka_unit_test(test_cross_check_against_sysfs),
	};

	return cmocka_run_group_tests_name("device_power", tests, NULL, NULL);
}
