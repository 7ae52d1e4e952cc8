// SPDX-License-Identifier: GPL-2.0
/* kallsyms and available_filter_functions parsing, on fixtures cut from a 7.2 guest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_facts.h"

static FILE *fixture(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	return f;
}

static void test_kallsyms_exact_and_clones(void **state)
{
	struct d0_kernel_facts k = {};
	FILE *f = fixture("kallsyms");

	(void)state;
	d0_scan_kallsyms(f, &k);
	fclose(f);
	assert_true(k.t[D0_HOOK_VFIO_SET_POWER].sym_exact);
	assert_true(k.t[D0_HOOK_ZAP].sym_exact);
	/* a longer name with the same prefix is not the function */
	assert_string_equal(k.t[D0_HOOK_ZAP].clone, "");
	assert_false(k.t[D0_HOOK_HOT_RESET].sym_exact);
	assert_string_equal(k.t[D0_HOOK_HOT_RESET].clone, "vfio_pci_dev_set_hot_reset.constprop.0");
	/* .cold parts are not entry points */
	assert_false(k.t[D0_HOOK_PM_RESET].sym_exact);
	assert_string_equal(k.t[D0_HOOK_PM_RESET].clone, "");
	assert_false(k.t[D0_HOOK_DMABUF_MOVE].sym_exact);
	/* the kernel variables the programs read: vmlinux's, not a module's of the same name */
	assert_true(k.kdata[D0_KDATA_IOMEM_INODE] == 0xffffffffa72b3068ULL);
	assert_true(k.kdata[D0_KDATA_STRICT_IOMEM_CHECKS] == 0xffffffffa6662868ULL);
}

static void test_ftrace_list(void **state)
{
	struct d0_kernel_facts k = {};
	FILE *f = fixture("available_filter_functions");

	(void)state;
	d0_scan_ftrace(f, &k);
	fclose(f);
	assert_true(k.ftrace_list);
	assert_true(k.t[D0_HOOK_VFIO_SET_POWER].ftrace_site);
	assert_true(k.t[D0_HOOK_PCI_SET_POWER].ftrace_site);
	assert_false(k.t[D0_HOOK_PM_RESET].ftrace_site);
}

static void test_release(void **state)
{
	int major = 0, minor = 0;

	(void)state;
	assert_int_equal(d0_parse_release("7.2.13+deb14-amd64", &major, &minor), 0);
	assert_int_equal(major, 7);
	assert_int_equal(minor, 2);
	assert_int_equal(d0_parse_release("6.1.0-50-amd64", &major, &minor), 0);
	assert_int_equal(minor, 1);
	assert_int_not_equal(d0_parse_release("garbage", &major, &minor), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_exact_and_clones),
		cmocka_unit_test(test_ftrace_list),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests_name("kernel_facts", tests, NULL, NULL);
}
