// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF build of include/d0audit/rules.h, one event at a time: a syscall program
 * run with BPF_PROG_TEST_RUN (tests/vm/rule_table_bpf.c) takes a struct d0_event as
 * its context and returns the strict verdict in the low 16 bits, the kernel-mode
 * verdict in the high 16. Compiled with the product's BPF flags.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#include "d0audit/rules.h"

SEC("syscall")
int judge(struct d0_event *e)
{
	return d0_rules_eval(e, D0_MODE_STRICT) | d0_rules_eval(e, D0_MODE_KERNEL) << 16;
}

char LICENSE[] SEC("license") = "GPL";
