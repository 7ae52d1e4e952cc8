// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 18: the BTF name index answers as btf__find_by_name_kind does (first
 * match; a split BTF's own types, then its base's), on a split BTF built with
 * libbpf's BTF writer and on this machine's own vmlinux BTF when it has one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "kernel/btf_index.h"

static int add_func(struct btf *b, const char *name, int proto)
{
	int id = btf__add_func(b, name, BTF_FUNC_GLOBAL, proto);

	assert_true(id > 0);
	return id;
}

static void test_split_btf(void **state)
{
	struct btf *base = btf__new_empty(), *mod;
	struct d0_btf_index *bix, *mix;
	int in, proto, f_base, f_dup_base, f_mod, f_dup_mod, s_base, f_twice;

	(void)state;
	assert_non_null(base);
	in = btf__add_int(base, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(base, in);
	assert_true(in > 0 && proto > 0);
	f_base = add_func(base, "pci_set_power_state", proto);
	f_dup_base = add_func(base, "helper", proto);
	f_twice = add_func(base, "twice", proto);
	add_func(base, "twice", proto); /* a second static of the same name: the first one counts */
	s_base = btf__add_struct(base, "pci_dev", 4);
	assert_true(s_base > 0);
	assert_int_equal(btf__add_field(base, "current_state", in, 0, 0), 0);

	mod = btf__new_empty_split(base);
	assert_non_null(mod);
	f_mod = add_func(mod, "vfio_pci_set_power_state", proto);
	f_dup_mod = add_func(mod, "helper", proto); /* the module's own static of a vmlinux name */

	bix = d0_btf_index_new(base, NULL);
	mix = d0_btf_index_new(mod, bix);
	assert_non_null(bix);
	assert_non_null(mix);

	assert_int_equal(d0_btf_index_find(bix, "pci_set_power_state", BTF_KIND_FUNC), f_base);
	assert_int_equal(d0_btf_index_find(bix, "twice", BTF_KIND_FUNC), f_twice);
	assert_int_equal(d0_btf_index_find(bix, "twice", BTF_KIND_FUNC),
			 btf__find_by_name_kind(base, "twice", BTF_KIND_FUNC));
	/* kinds are apart: a STRUCT is no FUNC */
	assert_int_equal(d0_btf_index_find(bix, "pci_dev", BTF_KIND_STRUCT), s_base);
	assert_int_equal(d0_btf_index_find(bix, "pci_dev", BTF_KIND_FUNC), -ENOENT);
	assert_int_equal(d0_btf_index_find(bix, "pci_set_power_state", BTF_KIND_STRUCT), -ENOENT);
	/* a base index never sees the module's types */
	assert_int_equal(d0_btf_index_find(bix, "vfio_pci_set_power_state", BTF_KIND_FUNC), -ENOENT);

	/* the module's own first, then its base */
	assert_int_equal(d0_btf_index_find(mix, "vfio_pci_set_power_state", BTF_KIND_FUNC), f_mod);
	assert_int_equal(d0_btf_index_find(mix, "helper", BTF_KIND_FUNC), f_dup_mod);
	assert_int_not_equal(f_dup_mod, f_dup_base);
	assert_int_equal(d0_btf_index_find(mix, "pci_set_power_state", BTF_KIND_FUNC), f_base);
	assert_int_equal(d0_btf_index_find(mix, "pci_dev", BTF_KIND_STRUCT), s_base);
	assert_int_equal(d0_btf_index_find(mix, "no_such_function", BTF_KIND_FUNC), -ENOENT);
	/* kinds it does not index */
	assert_int_equal(d0_btf_index_find(mix, "int", BTF_KIND_INT), -ENOENT);

	d0_btf_index_free(mix);
	d0_btf_index_free(bix);
	d0_btf_index_free(NULL);
	btf__free(mod);
	btf__free(base);
}

/* Every 97th FUNC and STRUCT of a real vmlinux BTF: the index and libbpf's scan agree. */
static void test_matches_libbpf_on_vmlinux(void **state)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct d0_btf_index *ix;
	struct btf *btf;
	int n, checked = 0;

	(void)state;
	if (access(path, R_OK)) {
		skip();
		return;
	}
	btf = btf__parse(path, NULL);
	assert_non_null(btf);
	ix = d0_btf_index_new(btf, NULL);
	assert_non_null(ix);
	n = (int)btf__type_cnt(btf);
	for (int id = 1; id < n; id += 97) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);
		int kind = btf_kind(t);

		if ((kind != BTF_KIND_FUNC && kind != BTF_KIND_STRUCT) || !name || !name[0])
			continue;
		assert_int_equal(d0_btf_index_find(ix, name, kind), btf__find_by_name_kind(btf, name, kind));
		checked++;
	}
	assert_true(checked > 100);
	d0_btf_index_free(ix);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_btf),
		cmocka_unit_test(test_matches_libbpf_on_vmlinux),
	};

	return cmocka_run_group_tests_name("btf_index", tests, NULL, NULL);
}
