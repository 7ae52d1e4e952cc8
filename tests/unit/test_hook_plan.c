// SPDX-License-Identifier: GPL-2.0
/* The planner's decisions, with facts shaped like the real kernels (ground truth §3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "model/hook_plan.h"

static struct d0_kernel_facts k;
static struct d0_hook_plan plan[D0_HOOK_COUNT];

/* Every target present with BTF, symbol and ftrace site, few arguments. */
static void all_present(int major, int minor)
{
	memset(&k, 0, sizeof(k));
	k.major = major;
	k.minor = minor;
	k.vmlinux_btf = true;
	k.ftrace_list = true;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		k.t[i].module_present = true;
		k.t[i].btf_nargs = 2;
		k.t[i].sym_exact = true;
		k.t[i].ftrace_site = true;
	}
}

static void expect(int hook, enum d0_hook_decision d, const char *reason_part)
{
	assert_int_equal(plan[hook].decision, d);
	if (reason_part)
		assert_non_null(strstr(plan[hook].reason, reason_part));
}

static void test_everything_present_attaches_primaries(void **state)
{
	(void)state;
	all_present(7, 2);
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_ATTACH, NULL);
	assert_string_equal(plan[D0_HOOK_ZAP].symbol, "unmap_mapping_range");
	/* fallbacks stand down when their primary attaches */
	expect(D0_HOOK_PCI_SET_POWER_OLD, D0_PLAN_SUPERSEDED, "__pci_set_power_state");
	expect(D0_HOOK_FAULT_HUGE_RET, D0_PLAN_SUPERSEDED, "vfio_pci_vmf_insert_pfn");
	expect(D0_HOOK_BAR_IO_V61, D0_PLAN_SUPERSEDED, NULL);
}

/* The seed's iterator needs only its BTF target; no symbol or ftrace site (it traces nothing). */
static void test_seed_iterator(void **state)
{
	(void)state;
	all_present(6, 1);
	k.t[D0_HOOK_SEED_VMAS].sym_exact = false;
	k.t[D0_HOOK_SEED_VMAS].ftrace_site = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_SEED_VMAS, D0_PLAN_ATTACH, NULL);
	assert_string_equal(plan[D0_HOOK_SEED_VMAS].symbol, "bpf_iter_task_vma");
	k.t[D0_HOOK_SEED_VMAS].btf_nargs = -1;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_SEED_VMAS, D0_PLAN_UNAVAILABLE, "no task_vma iterator");
	k.vmlinux_btf = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_SEED_VMAS, D0_PLAN_UNAVAILABLE, "no kernel BTF");
}

static void test_module_not_loaded(void **state)
{
	(void)state;
	all_present(7, 2);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (strcmp(d0_hooks[i].module, "vmlinux"))
			k.t[i].module_present = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_DMABUF_MOVE, D0_PLAN_UNAVAILABLE, "module vfio_pci_core is not loaded");
	expect(D0_HOOK_ZAP, D0_PLAN_ATTACH, NULL);
}

static void test_inlined_function(void **state)
{
	(void)state;
	all_present(6, 12);
	/* 6.12: BTF knows vfio_pci_vmf_insert_pfn? No: it was added in 6.19. */
	k.t[D0_HOOK_FAULT_INSERT_RET].btf_nargs = -1;
	k.t[D0_HOOK_FAULT_INSERT_RET].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_FAULT_INSERT_RET, D0_PLAN_UNAVAILABLE, "not in this kernel");
	/* and the 6.12 huge_fault handler takes over */
	expect(D0_HOOK_FAULT_HUGE_RET, D0_PLAN_ATTACH, NULL);

	all_present(7, 2);
	k.t[D0_HOOK_VFIO_SET_POWER].sym_exact = false; /* BTF FUNC but no symbol */
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_VFIO_SET_POWER, D0_PLAN_UNAVAILABLE, "inlined");
}

static void test_clone_only(void **state)
{
	(void)state;
	all_present(7, 2);
	k.t[D0_HOOK_HOT_RESET].sym_exact = false;
	k.t[D0_HOOK_HOT_RESET].btf_nargs = -1;
	strcpy(k.t[D0_HOOK_HOT_RESET].clone, "vfio_pci_dev_set_hot_reset.constprop.0");
	k.t[D0_HOOK_VFIO_PM_CONFIG].sym_exact = false;
	k.t[D0_HOOK_VFIO_PM_CONFIG].btf_nargs = -1;
	strcpy(k.t[D0_HOOK_VFIO_PM_CONFIG].clone, "vfio_pm_config_write.isra.0");
	d0_plan_hooks(&k, plan);
	/* kprobe rows that accept clones attach to them... */
	expect(D0_HOOK_HOT_RESET, D0_PLAN_ATTACH, "clone");
	assert_string_equal(plan[D0_HOOK_HOT_RESET].symbol, "vfio_pci_dev_set_hot_reset.constprop.0");
	/* ...fentry cannot: it resolves the exact name */
	expect(D0_HOOK_VFIO_PM_CONFIG, D0_PLAN_UNAVAILABLE, "only the compiler clone vfio_pm_config_write.isra.0");
}

static void test_notrace(void **state)
{
	(void)state;
	all_present(7, 2);
	k.t[D0_HOOK_PM_RESET].ftrace_site = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_PM_RESET, D0_PLAN_UNAVAILABLE, "notrace");
	/* without a readable ftrace list, do not guess: try it */
	k.ftrace_list = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_PM_RESET, D0_PLAN_ATTACH, NULL);
}

static void test_too_many_args_falls_back_to_kprobe(void **state)
{
	(void)state;
	/* 6.1: vfio_pci_core_do_io_rw does not exist; do_io_rw has 9 arguments */
	all_present(6, 1);
	k.t[D0_HOOK_BAR_IO].btf_nargs = -1;
	k.t[D0_HOOK_BAR_IO].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_BAR_IO, D0_PLAN_UNAVAILABLE, NULL);
	expect(D0_HOOK_BAR_IO_V61, D0_PLAN_ATTACH, NULL);
	assert_string_equal(plan[D0_HOOK_BAR_IO_V61].symbol, "do_io_rw");

	/* 10 arguments on a kernel whose trampolines take 6 */
	all_present(6, 1);
	k.t[D0_HOOK_BAR_IO].btf_nargs = 10;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_BAR_IO, D0_PLAN_UNAVAILABLE, "too many arguments");
	all_present(6, 12);
	k.t[D0_HOOK_BAR_IO].btf_nargs = 10;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_BAR_IO, D0_PLAN_ATTACH, NULL);
}

/* The planner at its edges: the 6.5 trampoline threshold, six arguments, clones per row kind. */
static void test_edges(void **state)
{
	static const struct {
		int major, minor, nargs;
		enum d0_hook_decision want;
	} bar[] = {
		{ 6, 4, 7, D0_PLAN_UNAVAILABLE }, { 6, 5, 7, D0_PLAN_ATTACH }, { 6, 1, 6, D0_PLAN_ATTACH },
		{ 6, 1, 7, D0_PLAN_UNAVAILABLE }, { 7, 0, 9, D0_PLAN_ATTACH },  { 5, 15, 9, D0_PLAN_UNAVAILABLE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bar) / sizeof(bar[0]); i++) {
		all_present(bar[i].major, bar[i].minor);
		k.t[D0_HOOK_BAR_IO].btf_nargs = bar[i].nargs;
		d0_plan_hooks(&k, plan);
		if (plan[D0_HOOK_BAR_IO].decision != bar[i].want)
			fail_msg("%d.%d, %d arguments: decision %d, want %d (%s)", bar[i].major, bar[i].minor,
				 bar[i].nargs, plan[D0_HOOK_BAR_IO].decision, bar[i].want, plan[D0_HOOK_BAR_IO].reason);
		/* the kprobe fallback is needed exactly when the fentry row is not attached */
		expect(D0_HOOK_BAR_IO_V61, bar[i].want == D0_PLAN_ATTACH ? D0_PLAN_SUPERSEDED : D0_PLAN_ATTACH, NULL);
	}
	/* a kprobe row without D0_HF_CLONE does not take a clone; one with it takes the clone's name */
	all_present(6, 1);
	k.t[D0_HOOK_BAR_IO].btf_nargs = -1;
	k.t[D0_HOOK_BAR_IO].sym_exact = false;
	k.t[D0_HOOK_BAR_IO_V61].sym_exact = false;
	strcpy(k.t[D0_HOOK_BAR_IO_V61].clone, "do_io_rw.constprop.0");
	k.t[D0_HOOK_HOT_RESET_RET].sym_exact = false;
	strcpy(k.t[D0_HOOK_HOT_RESET_RET].clone, "vfio_pci_dev_set_hot_reset.isra.0");
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_BAR_IO_V61, D0_PLAN_UNAVAILABLE, "only the compiler clone do_io_rw.constprop.0 exists and this hook does not accept clones");
	expect(D0_HOOK_HOT_RESET_RET, D0_PLAN_ATTACH, "attaching to the compiler clone vfio_pci_dev_set_hot_reset.isra.0");
	assert_string_equal(plan[D0_HOOK_HOT_RESET_RET].symbol, "vfio_pci_dev_set_hot_reset.isra.0");
	/* a trampoline row in BTF with no symbol of its own is inlined, with or without a clone */
	all_present(7, 2);
	k.t[D0_HOOK_ZAP].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_UNAVAILABLE, "inlined: ");
	strcpy(k.t[D0_HOOK_ZAP].clone, "zap.part.0");
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_UNAVAILABLE, "inlined: only the compiler clone zap.part.0 has a symbol");
	/* a path the kernel does not have is never planned, even with its function present */
	all_present(7, 2);
	k.t[D0_HOOK_ZAP].requires_missing = true;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_UNAVAILABLE, "would never fire");
}

static void test_zap_source_by_kernel(void **state)
{
	(void)state;
	/* 6.1: no vfio_device.inode, so unmap_mapping_range never zaps vfio; the per-VMA zap does */
	all_present(6, 1);
	k.t[D0_HOOK_ZAP].requires_missing = true;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_UNAVAILABLE, "vfio:vfio_device.inode");
	expect(D0_HOOK_ZAP_V61, D0_PLAN_ATTACH, NULL);
	/* 7.2: the other way round */
	all_present(7, 2);
	k.t[D0_HOOK_ZAP_V61].btf_nargs = -1;
	k.t[D0_HOOK_ZAP_V61].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_ATTACH, NULL);
	expect(D0_HOOK_ZAP_V61, D0_PLAN_SUPERSEDED, NULL);
}

/* The DMABUF-mmap series (ground truth 5.1): its revoke path shows up when it lands. */
static void test_dmabuf_mmap_series_probe(void **state)
{
	(void)state;
	/* 7.2/7.3: no such function, no such field */
	all_present(7, 3);
	k.t[D0_HOOK_REVOKE_BARS].btf_nargs = -1;
	k.t[D0_HOOK_REVOKE_BARS].sym_exact = false;
	k.t[D0_HOOK_REVOKE_BARS].ftrace_site = false;
	k.t[D0_HOOK_REVOKE_BARS].requires_missing = true;
	d0_plan_hooks(&k, plan);
	assert_int_equal(plan[D0_HOOK_REVOKE_BARS].decision, D0_PLAN_UNAVAILABLE);
	expect(D0_HOOK_DMABUF_MOVE, D0_PLAN_ATTACH, NULL);
	/* a kernel with the series: it attaches, next to the DMABUF move it calls */
	all_present(7, 4);
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_REVOKE_BARS, D0_PLAN_ATTACH, NULL);
	expect(D0_HOOK_DMABUF_MOVE, D0_PLAN_ATTACH, NULL);
	/* the function without the field is some other change: say so */
	k.t[D0_HOOK_REVOKE_BARS].requires_missing = true;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_REVOKE_BARS, D0_PLAN_UNAVAILABLE, "zap_bars_on_revoke");
}

static void test_no_kernel_btf(void **state)
{
	(void)state;
	all_present(6, 1);
	k.vmlinux_btf = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_ZAP, D0_PLAN_UNAVAILABLE, "no kernel BTF");
	/* kprobes do not need BTF */
	expect(D0_HOOK_HOT_RESET, D0_PLAN_ATTACH, NULL);
}

/*
 * PREEMPT_RT (Debian 7.2.13-rt): no THP, so vfio_pci_mmap_huge_fault has no body of its own
 * (inlined into vfio_pci_mmap_page_fault, with vfio_pci_vmf_insert_pfn), while the exported
 * vfio_pci_vmf_insert_pfn still attaches. The page-fault row is used there and nowhere else.
 */
static void test_fault_path_inlined_on_rt(void **state)
{
	(void)state;
	all_present(7, 2);
	k.t[D0_HOOK_FAULT_V61_RET].btf_nargs = -1;
	k.t[D0_HOOK_FAULT_V61_RET].sym_exact = false;
	/* stock 7.2: huge_fault is a function: the page-fault row stands down */
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_FAULT_INSERT_RET, D0_PLAN_ATTACH, NULL);
	assert_string_equal(plan[D0_HOOK_FAULT_INSERT_RET].reason, "");
	expect(D0_HOOK_FAULT_PAGE_RET, D0_PLAN_SUPERSEDED, "vfio_pci_mmap_huge_fault is not inlined");
	/* a clone of huge_fault is a body of its own too */
	k.t[D0_HOOK_FAULT_HUGE_RET].btf_nargs = -1;
	k.t[D0_HOOK_FAULT_HUGE_RET].sym_exact = false;
	snprintf(k.t[D0_HOOK_FAULT_HUGE_RET].clone, D0_SYM_LEN, "vfio_pci_mmap_huge_fault.isra.0");
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_FAULT_PAGE_RET, D0_PLAN_SUPERSEDED, NULL);
	/* 7.2-rt: no symbol, no BTF for huge_fault */
	k.t[D0_HOOK_FAULT_HUGE_RET].clone[0] = 0;
	k.t[D0_HOOK_FAULT_HUGE_RET].ftrace_site = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_FAULT_PAGE_RET, D0_PLAN_ATTACH, NULL);
	assert_string_equal(plan[D0_HOOK_FAULT_PAGE_RET].symbol, "vfio_pci_mmap_page_fault");
	expect(D0_HOOK_FAULT_HUGE_RET, D0_PLAN_UNAVAILABLE, "inlined into vfio_pci_mmap_page_fault (FAULT_PAGE_RET");
	expect(D0_HOOK_FAULT_INSERT_RET, D0_PLAN_ATTACH, "this kernel's vfio path does not call it");
	/* 6.1: neither exists; its own fault handler is used */
	all_present(6, 1);
	for (int h = D0_HOOK_FAULT_INSERT_RET; h <= D0_HOOK_FAULT_HUGE_RET; h++) {
		k.t[h].btf_nargs = -1;
		k.t[h].sym_exact = false;
	}
	k.t[D0_HOOK_FAULT_PAGE_RET].btf_nargs = -1;
	k.t[D0_HOOK_FAULT_PAGE_RET].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_FAULT_V61_RET, D0_PLAN_ATTACH, NULL);
	expect(D0_HOOK_FAULT_PAGE_RET, D0_PLAN_UNAVAILABLE, "vfio_pci_mmap_page_fault is not in this kernel");
}

static void test_table_is_consistent(void **state)
{
	(void)state;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		assert_int_equal(d0_hooks[i].id, i);
		assert_non_null(d0_hooks[i].prog);
		/* a fallback names an earlier row, so the planner has decided it already */
		if (d0_hooks[i].alt != D0_HOOK_NONE)
			assert_true(d0_hooks[i].alt < (enum d0_hook_id)i);
		assert_ptr_equal(d0_hook_by_name(d0_hooks[i].name), &d0_hooks[i]);
		/* the first row of its module: no earlier row has the module, and that row has it */
		int first = d0_hook_module_first(i);

		assert_true(first <= i);
		assert_string_equal(d0_hooks[first].module, d0_hooks[i].module);
		for (int j = 0; j < first; j++)
			assert_string_not_equal(d0_hooks[j].module, d0_hooks[i].module);
	}
	assert_int_equal(d0_hook_module_first(D0_HOOK_VFIO_SET_POWER_RET), D0_HOOK_VFIO_SET_POWER);
}

/* Issue 14, class 4: a type1 grant hook without its removal would keep every grant live forever. */
static void test_iommu_grant_needs_its_removal(void **state)
{
	(void)state;
	all_present(7, 2);
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_IOMMU_PIN_RET, D0_PLAN_ATTACH, NULL);
	expect(D0_HOOK_IOMMU_UNMAP_RET, D0_PLAN_ATTACH, NULL);
	/* vfio_unmap_unpin inlined on some kernel: the grants are not taken at all */
	k.t[D0_HOOK_IOMMU_UNMAP_RET].sym_exact = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_IOMMU_UNMAP_RET, D0_PLAN_UNAVAILABLE, "inlined");
	expect(D0_HOOK_IOMMU_PIN_RET, D0_PLAN_UNAVAILABLE,
	       "its removal cannot be observed here (IOMMU_UNMAP_RET vfio_unmap_unpin: inlined");
	/* no type1 module: both say so, the grant hook for its own reason */
	all_present(7, 2);
	k.t[D0_HOOK_IOMMU_PIN_RET].module_present = k.t[D0_HOOK_IOMMU_UNMAP_RET].module_present = false;
	d0_plan_hooks(&k, plan);
	expect(D0_HOOK_IOMMU_PIN_RET, D0_PLAN_UNAVAILABLE, "module vfio_iommu_type1 is not loaded");
}

/* The one release comparison the planner, the multi-link choice and the loader's rodata use. */
static void test_kernel_at_least(void **state)
{
	struct d0_kernel_facts v = { .major = 6, .minor = 17 };

	(void)state;
	assert_true(d0_kernel_at_least(&v, 6, 17));
	assert_true(d0_kernel_at_least(&v, 6, 1));
	assert_true(d0_kernel_at_least(&v, 5, 30));
	assert_false(d0_kernel_at_least(&v, 6, 18));
	assert_false(d0_kernel_at_least(&v, 7, 0));
	v.major = 7;
	v.minor = 0;
	assert_true(d0_kernel_at_least(&v, 6, 17));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_present_attaches_primaries),
		cmocka_unit_test(test_kernel_at_least),
		cmocka_unit_test(test_seed_iterator),
		cmocka_unit_test(test_module_not_loaded),
		cmocka_unit_test(test_inlined_function),
		cmocka_unit_test(test_clone_only),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_notrace),
		cmocka_unit_test(test_too_many_args_falls_back_to_kprobe),
		cmocka_unit_test(test_zap_source_by_kernel),
		cmocka_unit_test(test_dmabuf_mmap_series_probe),
		cmocka_unit_test(test_no_kernel_btf),
		cmocka_unit_test(test_fault_path_inlined_on_rt),
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_iommu_grant_needs_its_removal),
	};

	return cmocka_run_group_tests_name("hook_plan", tests, NULL, NULL);
}
