// SPDX-License-Identifier: GPL-2.0
/* Issue 18: which rows the multi-attached programs serve, and the links' symbols and cookies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/cold_multi.h"
#include "d0audit/event.h"
#include "d0audit/rules.h"
#include "d0audit/cold_hooks.h"

static struct d0_hook_plan plan[D0_HOOK_COUNT];
static bool multi[D0_HOOK_COUNT];

static void plan_all(void)
{
	memset(plan, 0, sizeof(plan));
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		snprintf(plan[i].symbol, sizeof(plan[i].symbol), "%s", d0_hooks[i].target);
}

static int find(const char *const *syms, int n, const char *sym)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(syms[i], sym))
			return i;
	return -1;
}

/* Hot rows stay on their own fentry/fexit programs: the cold table must never list one. */
static void test_no_hot_row_is_cold(void **state)
{
	(void)state;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (d0_hooks[i].flags & D0_HF_HOT)
			assert_false(d0_cold_row(i));
	assert_true(d0_cold_row(D0_HOOK_VFIO_SET_POWER));
	assert_false(d0_cold_row(D0_HOOK_ZAP));
	assert_false(d0_cold_row(-1));
	assert_false(d0_cold_row(D0_HOOK_COUNT));
}

/* One symbol per function on each link; an entry cookie names the entry row and the exit row that needs its arguments. */
static void test_links(void **state)
{
	struct d0_cold_links c;
	int j;

	(void)state;
	plan_all();
	memset(multi, 0, sizeof(multi));
	multi[D0_HOOK_VFIO_SET_POWER] = multi[D0_HOOK_VFIO_SET_POWER_RET] = true;
	multi[D0_HOOK_TRY_RESET_BRIDGE_RET] = true; /* context only: keeps no arguments */
	multi[D0_HOOK_REGISTER_RET] = true;         /* exit row alone: its entry only keeps the arguments */
	d0_cold_links_build(plan, multi, &c);
	assert_int_equal(c.nentry, 2);
	assert_int_equal(c.nexit, 3);
	j = find(c.entry_syms, c.nentry, "vfio_pci_set_power_state");
	assert_true(j >= 0);
	assert_int_equal(c.entry_cookies[j], D0_COLD_COOKIE(D0_HOOK_VFIO_SET_POWER, D0_HOOK_VFIO_SET_POWER_RET));
	j = find(c.entry_syms, c.nentry, "vfio_pci_core_register_device");
	assert_true(j >= 0);
	assert_int_equal(c.entry_cookies[j], D0_COLD_COOKIE(D0_HOOK_NONE, D0_HOOK_REGISTER_RET));
	assert_int_equal(find(c.entry_syms, c.nentry, "pci_try_reset_bridge"), -1);
	j = find(c.exit_syms, c.nexit, "pci_try_reset_bridge");
	assert_true(j >= 0);
	assert_int_equal(c.exit_cookies[j], D0_COLD_EXIT | D0_HOOK_TRY_RESET_BRIDGE_RET);
}

/* A clone symbol from the plan (the hot-reset kprobes on 6.12+) is what the links attach to. */
static void test_clone_symbol(void **state)
{
	struct d0_cold_links c;

	(void)state;
	plan_all();
	memset(multi, 0, sizeof(multi));
	snprintf(plan[D0_HOOK_HOT_RESET].symbol, D0_SYM_LEN, "vfio_pci_dev_set_hot_reset.constprop.0");
	snprintf(plan[D0_HOOK_HOT_RESET_RET].symbol, D0_SYM_LEN, "vfio_pci_dev_set_hot_reset.constprop.0");
	multi[D0_HOOK_HOT_RESET] = multi[D0_HOOK_HOT_RESET_RET] = true;
	d0_cold_links_build(plan, multi, &c);
	assert_int_equal(c.nentry, 1);
	assert_string_equal(c.entry_syms[0], "vfio_pci_dev_set_hot_reset.constprop.0");
	assert_int_equal(c.entry_cookies[0], D0_COLD_COOKIE(D0_HOOK_HOT_RESET, D0_HOOK_HOT_RESET_RET));
	assert_int_equal(c.nexit, 1);
}

/* pci_user_write_config_*: the user and the bridge config-write rows share one entry on the link. */
static void test_two_entry_rows(void **state)
{
	struct d0_cold_links c;

	(void)state;
	plan_all();
	memset(multi, 0, sizeof(multi));
	multi[D0_HOOK_USER_CFG_BYTE] = multi[D0_HOOK_BRIDGE_CFG_BYTE] = true;
	d0_cold_links_build(plan, multi, &c);
	assert_int_equal(c.nentry, 1);
	assert_int_equal(c.nexit, 0);
	assert_string_equal(c.entry_syms[0], "pci_user_write_config_byte");
	assert_int_equal(c.entry_cookies[0],
			 D0_COLD_COOKIE2(D0_HOOK_USER_CFG_BYTE, D0_HOOK_NONE, D0_HOOK_BRIDGE_CFG_BYTE));
}

/* The entry cookie has room for two entry rows per function: the table must not list a third. */
static void test_at_most_two_entry_rows(void **state)
{
	(void)state;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		int n = 0;

		for (int j = 0; j < D0_HOOK_COUNT; j++)
			n += d0_cold_row(j) && !strcmp(d0_hooks[j].target, d0_hooks[i].target) &&
			     (d0_hooks[j].kind == D0_FENTRY || d0_hooks[j].kind == D0_KPROBE);
		assert_in_range(n, 0, 2);
	}
}

static void test_usable(void **state)
{
	struct d0_kernel_facts k = { .major = 6, .minor = 1 };
	const char *why;

	(void)state;
	unsetenv("D0AUDIT_NO_MULTI");
	assert_false(d0_cold_multi_usable(&k, &why));
	assert_non_null(why);
	k.minor = 12;
	assert_true(d0_cold_multi_usable(&k, &why));
	k.major = 7;
	k.minor = 2;
	assert_true(d0_cold_multi_usable(&k, &why));
	setenv("D0AUDIT_NO_MULTI", "1", 1);
	assert_false(d0_cold_multi_usable(&k, &why));
	assert_string_equal(why, "D0AUDIT_NO_MULTI=1");
	unsetenv("D0AUDIT_NO_MULTI");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_hot_row_is_cold),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_clone_symbol),
		cmocka_unit_test(test_two_entry_rows),
		cmocka_unit_test(test_at_most_two_entry_rows),
		cmocka_unit_test(test_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
