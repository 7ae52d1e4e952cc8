// SPDX-License-Identifier: GPL-2.0
/*
 * The per-boot symbol cache (src/kernel/symbol_cache.h): what is stored is
 * what is loaded, and anything not exactly this user's complete file for
 * this key is a miss that leaves the facts untouched (the scan then runs).
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
#include <unistd.h>

#include "kernel/symbol_cache.h"
#include "model/hook_table.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/d0audit-symcache-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/sub/symbols", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void facts(struct d0_kernel_facts *k)
{
	memset(k, 0, sizeof(*k));
	k->ftrace_list = true;
	k->t[D0_HOOK_VFIO_SET_POWER].sym_exact = true;
	k->t[D0_HOOK_VFIO_SET_POWER].ftrace_site = true;
	snprintf(k->t[D0_HOOK_ZAP].clone, sizeof(k->t[0].clone), "unmap_mapping_range.part.0");
	k->kdata[D0_KDATA_IOMEM_INODE] = 0xffffffffa72b3068ULL;
	/* the BTF facts (issue 18: a warm start parses no BTF of its own) */
	k->vmlinux_btf = true;
	k->fexit_multi_type = 60;
	k->mapping_model = D0_MAP_MODEL_DMABUF;
	k->t[D0_HOOK_DMABUF_MOVE].module_present = true;
	k->t[D0_HOOK_DMABUF_MOVE].btf_nargs = 2;
	k->t[D0_HOOK_DMABUF_MOVE].btf_id = 71234;
	k->t[D0_HOOK_DMABUF_MOVE].btf_obj_id = 4000000123u;
	k->t[D0_HOOK_ZAP].requires_missing = true;
	k->t[D0_HOOK_ZAP].btf_nargs = -1;
}

/* Rewrites the stored file through sed, to make it what a test needs. */
static void edit(const char *sed)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "sed -i '%s' '%s'", sed, path);
	assert_int_equal(system(cmd), 0);
}

static void test_round_trip(void **state)
{
	struct d0_kernel_facts in, out = {};

	(void)state;
	facts(&in);
	assert_int_equal(d0_symbol_cache_store(path, "00000000000000aa", &in), 0);
	out.major = 7; /* what the cache does not hold stays */
	assert_true(d0_symbol_cache_load(path, "00000000000000aa", &out));
	assert_int_equal(out.major, 7);
	assert_true(out.ftrace_list);
	assert_true(out.t[D0_HOOK_VFIO_SET_POWER].sym_exact && out.t[D0_HOOK_VFIO_SET_POWER].ftrace_site);
	assert_string_equal(out.t[D0_HOOK_ZAP].clone, "unmap_mapping_range.part.0");
	assert_false(out.t[D0_HOOK_ZAP].sym_exact);
	assert_string_equal(out.t[D0_HOOK_VFIO_SET_POWER].clone, "");
	/* the programs read these by address: a wrong one would read another variable */
	assert_true(out.kdata[D0_KDATA_IOMEM_INODE] == 0xffffffffa72b3068ULL);
	assert_true(out.kdata[D0_KDATA_STRICT_IOMEM_CHECKS] == 0);
	/* the BTF facts: the plan and the fexit.multi link's ids come from them */
	assert_true(out.vmlinux_btf);
	assert_false(out.iommufd);
	assert_int_equal(out.fexit_multi_type, 60);
	assert_int_equal(out.mapping_model, D0_MAP_MODEL_DMABUF);
	assert_true(out.t[D0_HOOK_DMABUF_MOVE].module_present);
	assert_false(out.t[D0_HOOK_DMABUF_MOVE].requires_missing);
	assert_int_equal(out.t[D0_HOOK_DMABUF_MOVE].btf_nargs, 2);
	assert_int_equal(out.t[D0_HOOK_DMABUF_MOVE].btf_id, 71234);
	assert_true(out.t[D0_HOOK_DMABUF_MOVE].btf_obj_id == 4000000123u);
	assert_true(out.t[D0_HOOK_ZAP].requires_missing);
	assert_int_equal(out.t[D0_HOOK_ZAP].btf_nargs, -1);
	assert_false(out.t[D0_HOOK_ZAP].module_present);
}

static void assert_miss(const char *key)
{
	struct d0_kernel_facts out = {};

	out.t[D0_HOOK_ZAP].sym_exact = true;
	assert_false(d0_symbol_cache_load(path, key, &out));
	assert_true(out.t[D0_HOOK_ZAP].sym_exact);
	assert_false(out.ftrace_list);
}

static void test_misses(void **state)
{
	struct d0_kernel_facts in;

	(void)state;
	facts(&in);
	assert_int_equal(d0_symbol_cache_store(path, "00000000000000aa", &in), 0);
	assert_miss("00000000000000ab");          /* another boot, module set or hook table */
	assert_miss("00000000000000a");           /* a key's prefix is not the key */
	edit("/^end$/d");                         /* cut short */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("/^hook ZAP /d");                    /* a hook missing */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("s/^hook ZAP /hook NO_SUCH_HOOK /"); /* a name this d0audit does not know */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("3a\\\nhook ZAP 1 1 - 0 0 -1 0 0");   /* a hook twice */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("/^kdata 1 /d");                     /* a kernel variable missing */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("s/^kdata 1 /kdata 9 /");            /* a variable this d0audit does not know */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("s/^d0audit-symbols 3$/d0audit-symbols 4/");
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("s/^d0audit-symbols 3$/d0audit-symbols 2/"); /* an older d0audit's file: no BTF facts */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("/^btf /d");                         /* the BTF facts missing */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	edit("s/^\\(hook ZAP .*\\) [0-9]*$/\\1/");   /* a hook line without all its BTF columns */
	assert_miss("00000000000000aa");
	d0_symbol_cache_store(path, "00000000000000aa", &in);
	assert_int_equal(chmod(path, 0666), 0);   /* anyone could have written it */
	assert_miss("00000000000000aa");
	unlink(path);
	assert_miss("00000000000000aa");
}

static void test_live_key(void **state)
{
	char a[32], b[32];

	(void)state;
	/* the running system's key is stable between two looks, and says whether tracefs is readable */
	assert_int_equal(d0_symbol_cache_key(a, sizeof(a), NULL), 0);
	assert_int_equal(d0_symbol_cache_key(b, sizeof(b), NULL), 0);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(d0_symbol_cache_key(b, sizeof(b), "/proc/self/status"), 0);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misses, setup, teardown),
		cmocka_unit_test(test_live_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
