// SPDX-License-Identifier: GPL-2.0
/*
 * The hook table (include/d0audit/hooks.h) against the BPF object it
 * describes, opened with libbpf but never loaded (no privilege needed):
 * every row has its program, of the row's kind, and a program that names its
 * target in SEC() names the row's target. A mismatch would attach one
 * function while the planner checked another; a program no row names would
 * never attach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include <bpf/libbpf.h>
#include <string.h>

#include "d0audit.skel.h"
#include "kernel/fexit_multi.h"
#include "kernel/trace_target.h"
#include "model/hook_table.h"

/* The multi-attached programs: the cold rows' (src/kernel/cold_multi.c) and the fexit.multi rows'
 * (src/kernel/fexit_multi.c), with no row of their own. */
#define COLD_MULTI_PROG "cold_hook"
#define FEXIT_MULTI_PROG "fexit_multi"

struct kind_shape {
	enum bpf_prog_type type;
	enum bpf_attach_type attach; /* for TRACING programs */
	const char *sec;             /* SEC() prefix before the target */
};

static struct kind_shape shape_of(enum d0_hook_kind kind)
{
	switch (kind) {
	case D0_FENTRY: return (struct kind_shape){ BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "fentry" };
	case D0_FEXIT: return (struct kind_shape){ BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, "fexit" };
	case D0_KPROBE: return (struct kind_shape){ BPF_PROG_TYPE_KPROBE, 0, "kprobe" };
	case D0_KRETPROBE: return (struct kind_shape){ BPF_PROG_TYPE_KPROBE, 0, "kretprobe" };
	case D0_ITER: return (struct kind_shape){ BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "iter" };
	}
	return (struct kind_shape){ BPF_PROG_TYPE_UNSPEC, 0, "?" };
}

/* What SEC() says the program attaches to: after "fentry/", "" for a bare SEC("kprobe"); NULL if the kind differs. */
static const char *sec_target(const char *sec, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(sec, kind, n))
		return NULL;
	if (!sec[n])
		return "";
	return sec[n] == '/' ? sec + n + 1 : NULL;
}

/* The target as SEC() must spell it: iterators drop the bpf_iter_ of their BTF name. */
static const char *want_target(const struct d0_hook_def *h)
{
	static const char iter[] = "bpf_iter_";

	if (h->kind == D0_ITER && !strncmp(h->target, iter, strlen(iter)))
		return h->target + strlen(iter);
	return h->target;
}

static int check_row(struct bpf_object *obj, const struct d0_hook_def *h)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, h->prog);
	struct kind_shape want = shape_of(h->kind);
	const char *sec, *target;

	if (!p) {
		print_error("hook %s: the BPF object has no program %s\n", h->name, h->prog);
		return 1;
	}
	sec = bpf_program__section_name(p);
	target = sec_target(sec, want.sec);
	if (bpf_program__type(p) != want.type ||
	    (want.type == BPF_PROG_TYPE_TRACING && bpf_program__expected_attach_type(p) != want.attach) || !target) {
		print_error("hook %s: program %s is SEC(\"%s\"), the table says %s\n", h->name, h->prog, sec,
			    d0_hook_kind_name(h->kind));
		return 1;
	}
	if (target[0] && strcmp(target, want_target(h))) {
		print_error("hook %s: program %s attaches to %s (SEC(\"%s\")), the table and the planner say %s\n",
			    h->name, h->prog, target, sec, h->target);
		return 1;
	}
	return 0;
}

static void test_every_row_has_its_program_kind_and_target(void **state)
{
	struct d0audit_bpf *skel = d0audit_bpf__open();
	int bad = 0;

	(void)state;
	assert_non_null(skel);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		bad += check_row(skel->obj, &d0_hooks[i]);
	assert_int_equal(bad, 0);
	d0audit_bpf__destroy(skel);
}

static void test_every_program_has_a_row(void **state)
{
	struct d0audit_bpf *skel;
	struct bpf_program *p;
	int bad = 0, progs = 0;

	(void)state;
	/* as the loader does: the section libbpf 1.1 does not know, registered before the open */
	assert_int_equal(d0_fexit_multi_register(), 0);
	skel = d0audit_bpf__open();
	assert_non_null(skel);
	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);

		progs++;
		if (!strcmp(name, COLD_MULTI_PROG))
			continue;
		if (!strcmp(name, FEXIT_MULTI_PROG)) {
			/* a TRACING program (its attach type is the running kernel's, set at load) */
			if (bpf_program__type(p) != BPF_PROG_TYPE_TRACING) {
				print_error("program %s (SEC(\"%s\")) is no TRACING program: its section is not registered\n",
					    name, bpf_program__section_name(p));
				bad++;
			}
			continue;
		}
		if (!d0_hook_by_name(name) || strcmp(d0_hook_by_name(name)->prog, name)) {
			print_error("program %s (SEC(\"%s\")) is in no hook table row: it would never attach\n", name,
				    bpf_program__section_name(p));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* one program per row, and the two multi-attached ones */
	assert_int_equal(progs, D0_HOOK_COUNT + 2);
	d0audit_bpf__destroy(skel);
}

/*
 * The loader's own fentry/fexit section handlers (src/kernel/trace_target.h)
 * take the place of libbpf's: the programs keep their type, attach type and
 * target under them.
 */
static void test_rows_keep_their_shape_under_the_loaders_handlers(void **state)
{
	struct d0audit_bpf *skel;
	int bad = 0;

	(void)state;
	assert_int_equal(d0_trace_targets_register(), 0);
	skel = d0audit_bpf__open();
	assert_non_null(skel);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		bad += check_row(skel->obj, &d0_hooks[i]);
	assert_int_equal(bad, 0);
	d0audit_bpf__destroy(skel);
}

/* The checks themselves: a row whose target or kind disagrees with its program is caught. */
static void test_a_mismatch_is_caught(void **state)
{
	struct d0audit_bpf *skel = d0audit_bpf__open();
	struct d0_hook_def h = d0_hooks[D0_HOOK_ZAP];

	(void)state;
	assert_non_null(skel);
	assert_int_equal(check_row(skel->obj, &h), 0);
	h.target = "zap_page_range_single";
	assert_int_equal(check_row(skel->obj, &h), 1);
	h = d0_hooks[D0_HOOK_ZAP];
	h.kind = D0_FEXIT;
	assert_int_equal(check_row(skel->obj, &h), 1);
	h = d0_hooks[D0_HOOK_ZAP];
	h.prog = "fentry_no_such_program";
	assert_int_equal(check_row(skel->obj, &h), 1);
	h = d0_hooks[D0_HOOK_HOT_RESET_RET];
	h.kind = D0_KPROBE;
	assert_int_equal(check_row(skel->obj, &h), 1);
	d0audit_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_has_its_program_kind_and_target),
		cmocka_unit_test(test_every_program_has_a_row),
		cmocka_unit_test(test_rows_keep_their_shape_under_the_loaders_handlers),
		cmocka_unit_test(test_a_mismatch_is_caught),
	};

	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
