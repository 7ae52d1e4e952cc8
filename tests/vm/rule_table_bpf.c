// SPDX-License-Identifier: GPL-2.0
/*
 * rule-table-bpf OBJECT: the table of tests/unit/rule_table.h against the BPF build of
 * rules.h. Every row's event, and every row's event with each state and context bit
 * flipped, goes through the BPF program (BPF_PROG_TEST_RUN) and through the user-space
 * build; the two verdicts must be equal in both modes, and each row's verdict the one
 * the table expects. Prints one line per disagreement and "rule_table_bpf: N passed,
 * N failed" (tests/vm/test_rule_table_bpf.sh runs it in a guest).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rule_table.h"

static int prog_fd;
static unsigned long passed, failed;

static int bpf_judge(const struct d0_event *e, __u32 *strict, __u32 *kernel)
{
	struct d0_event ctx = *e;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err)
		return err;
	*strict = opts.retval & 0xffff;
	*kernel = opts.retval >> 16;
	return 0;
}

/* want_rule 0: compare with user space only; else also the row's expected verdicts */
static void check(const struct d0_event *e, const char *what, int want_rule, int want_strict, int want_kernel)
{
	__u32 s, k, us = d0_rules_eval(e, D0_MODE_STRICT), uk = d0_rules_eval(e, D0_MODE_KERNEL);
	int err = bpf_judge(e, &s, &k);

	if (err) {
		printf("not ok - %s: BPF_PROG_TEST_RUN failed: %s\n", what, strerror(-err));
		failed++;
	} else if (s != us || k != uk) {
		printf("not ok - %s: BPF verdict strict 0x%x kernel 0x%x, user space 0x%x 0x%x\n", what, s, k, us, uk);
		failed++;
	} else if (want_rule && (!!(s & D0_RULE_BIT(want_rule)) != want_strict ||
				 !!(k & D0_RULE_BIT(want_rule)) != want_kernel)) {
		printf("not ok - rule %d, %s: BPF strict %d kernel %d, the table wants %d %d\n", want_rule, what,
		       !!(s & D0_RULE_BIT(want_rule)), !!(k & D0_RULE_BIT(want_rule)), want_strict, want_kernel);
		failed++;
	} else {
		passed++;
	}
}

static void run(const struct row *r, size_t n, const struct d0_event *override, int flip_unnamed)
{
	char what[160];

	for (size_t i = 0; i < n; i++) {
		struct d0_event e = rt_row_event(&r[i], override);

		check(&e, r[i].what, r[i].rule, r[i].strict, r[i].kernel);
		for (int b = 0; flip_unnamed && b < 32; b++)
			for (int which = 0; which < 2; which++) {
				__u32 bit = 1u << b, named = which ? rule_ctx[r[i].rule] : rule_state[r[i].rule];
				struct d0_event x = e;

				if (named & bit)
					continue;
				*(which ? &x.ctx : &x.state) ^= bit;
				snprintf(what, sizeof(what), "rule %d, %s, %s bit %d flipped", r[i].rule, r[i].what,
					 which ? "ctx" : "state", b);
				check(&x, what, 0, 0, 0);
			}
	}
}

int main(int argc, char **argv)
{
	struct d0_event fault = rt_base7_fault(), d0 = rt_base7_d0();
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: rule-table-bpf OBJECT.bpf.o\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	err = libbpf_get_error(obj);
	if (!err)
		err = bpf_object__load(obj);
	prog = err ? NULL : bpf_object__find_program_by_name(obj, "judge");
	if (!prog) {
		printf("not ok - cannot load %s: %s\nrule_table_bpf: 0 passed, 1 failed\n", argv[1],
		       strerror(err ? -err : ENOENT));
		return 1;
	}
	prog_fd = bpf_program__fd(prog);
	for (int r = 1; r <= D0_RULE_MAX; r++)
		check(&bases[r], "base", r, 1, 1);
	run(rows, RT_N(rows), NULL, 1);
	run(rows7, RT_N(rows7), &fault, 0);
	run(rows7_d0, RT_N(rows7_d0), &d0, 0);
	run(rows_rest, RT_N(rows_rest), NULL, 1);
	printf("rule_table_bpf: %lu passed, %lu failed\n", passed, failed);
	bpf_object__close(obj);
	return failed ? 1 : 0;
}
