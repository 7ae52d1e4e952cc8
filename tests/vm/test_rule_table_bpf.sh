#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The rule table of tests/unit/rule_table.h against the BPF build of rules.h, in a guest
# kernel (the verifier and JIT of the kernels d0audit targets): build/static/rule-table-bpf
# runs every row's event, and each with every unnamed state/context bit flipped, through
# a syscall program with BPF_PROG_TEST_RUN and through the user-space build; both must
# agree in both modes, and every row must give the verdict the table expects.
#   tests/vm/test_rule_table_bpf.sh [--kernel SERIES]   (make rule-table-bpf first)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh
vm_test_args "$@"
for f in build/static/rule-table-bpf build/tests/rule_table.bpf.o; do
	[[ -e $f ]] || { not_ok "$f missing: run 'make rule-table-bpf'"; summary rule_table_bpf; exit 1; }
done
vm_boot rule_table_bpf --no-vfio --timeout 600 -- \
	bash -c 'build/static/rule-table-bpf build/tests/rule_table.bpf.o >/tmp/out/table.out 2>&1; echo $? >/tmp/out/table.rc'
if [[ ! -s $out/table.out ]]; then
	not_ok "no output from the guest ($kernel; console: $(tail -3 "$out/console.log" 2>/dev/null))"
	summary rule_table_bpf
	exit 1
fi
grep '^not ok' "$out/table.out" | head -20
line=$(grep -E '^rule_table_bpf: [0-9]+ passed, [0-9]+ failed$' "$out/table.out")
n=$(sed -E 's/^rule_table_bpf: ([0-9]+) passed.*/\1/' <<<"$line")
f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
if [[ -n $line && $f == 0 && $n -gt 10000 && $(cat "$out/table.rc") == 0 ]]; then
	ok "$kernel: the BPF build of rules.h agrees with user space and the table on $n events, both modes"
else
	not_ok "$kernel: ${line:-no summary line}, exit $(cat "$out/table.rc" 2>/dev/null)"
fi
summary rule_table_bpf
