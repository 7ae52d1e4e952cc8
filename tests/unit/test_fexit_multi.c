// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 18: which rows the fexit.multi program serves (the eight core
 * accessors, the DMABUF export and map exits), when the kernel has
 * tracing multi links, and the attach type's value read from vmlinux BTF
 * (built here with libbpf's BTF writer: the value must come from the BTF,
 * not from a header that predates it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel/fexit_multi.h"

/* fexit_multi (bpf/fexit_multi.bpf.h) serves these rows and no other */
static bool expected_row(int hook)
{
	return (hook >= D0_HOOK_CORE_IOREAD8_RET && hook <= D0_HOOK_CORE_IOWRITE64_RET) ||
	       hook == D0_HOOK_DMABUF_EXPORT_RET || hook == D0_HOOK_DMABUF_MAP_RET;
}

static void test_rows_are_fexits_of_one_module(void **state)
{
	const char *module = NULL;
	int n = 0;

	(void)state;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		assert_int_equal(d0_fexit_multi_row(i), expected_row(i));
		if (!d0_fexit_multi_row(i))
			continue;
		n++;
		assert_int_equal(d0_hooks[i].kind, D0_FEXIT);
		/* one link resolves its BTF ids in one module's BTF */
		if (!module)
			module = d0_hooks[i].module;
		assert_string_equal(d0_hooks[i].module, module);
		/* one link names each function once (the kernel refuses a repeated BTF id) */
		for (int j = 0; j < i; j++)
			assert_false(d0_fexit_multi_row(j) && !strcmp(d0_hooks[j].target, d0_hooks[i].target));
	}
	assert_int_equal(n, 10);
	assert_false(d0_fexit_multi_row(-1));
	assert_false(d0_fexit_multi_row(D0_HOOK_COUNT));
}

static void test_usable(void **state)
{
	struct d0_kernel_facts k = { .major = 7, .minor = 2 };
	const char *why;

	(void)state;
	unsetenv("D0AUDIT_NO_MULTI");
	k.fexit_multi_type = -1;
	assert_false(d0_fexit_multi_usable(&k, &why));
	assert_non_null(strstr(why, "no tracing multi links"));
	k.fexit_multi_type = 0; /* facts collected without BTF */
	assert_false(d0_fexit_multi_usable(&k, &why));
	k.fexit_multi_type = 59;
	assert_true(d0_fexit_multi_usable(&k, &why));
	assert_null(why);
	setenv("D0AUDIT_NO_MULTI", "1", 1);
	assert_false(d0_fexit_multi_usable(&k, &why));
	assert_string_equal(why, "D0AUDIT_NO_MULTI=1");
	unsetenv("D0AUDIT_NO_MULTI");
}

/* A vmlinux-like BTF: enum bpf_attach_type with these members, and bpf_multi_func if asked. */
static struct btf *vmlinux_btf(const char *const *names, const int *vals, int n, bool multi_func)
{
	struct btf *btf = btf__new_empty();
	int e, proto, i32;

	assert_non_null(btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	assert_true(i32 > 0);
	e = btf__add_enum(btf, "bpf_attach_type", 4);
	assert_true(e > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(btf__add_enum_value(btf, names[i], vals[i]), 0);
	if (multi_func) {
		proto = btf__add_func_proto(btf, i32);
		assert_true(proto > 0);
		assert_true(btf__add_func(btf, "bpf_multi_func", BTF_FUNC_GLOBAL, proto) > 0);
	}
	return btf;
}

static void test_type_from_btf(void **state)
{
	static const char *const with[] = { "BPF_TRACE_FENTRY", "BPF_TRACE_FENTRY_MULTI", "BPF_TRACE_FEXIT_MULTI" };
	static const char *const without[] = { "BPF_TRACE_FENTRY", "BPF_TRACE_KPROBE_SESSION" };
	/* 7.2's values, and others: whatever the BTF says is taken */
	static const int v72[] = { 24, 58, 59 }, vother[] = { 24, 61, 77 }, vold[] = { 24, 56 };
	struct btf *b;

	(void)state;
	b = vmlinux_btf(with, v72, 3, true);
	assert_int_equal(d0_fexit_multi_type(b), 59);
	btf__free(b);
	b = vmlinux_btf(with, vother, 3, true);
	assert_int_equal(d0_fexit_multi_type(b), 77);
	btf__free(b);
	/* the attach type without the prototype the kernel gives such programs: not usable */
	b = vmlinux_btf(with, v72, 3, false);
	assert_int_equal(d0_fexit_multi_type(b), -1);
	btf__free(b);
	/* 6.12: no such attach type */
	b = vmlinux_btf(without, vold, 2, true);
	assert_int_equal(d0_fexit_multi_type(b), -1);
	btf__free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_fexits_of_one_module),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_type_from_btf),
	};

	return cmocka_run_group_tests_name("fexit_multi", tests, NULL, NULL);
}
