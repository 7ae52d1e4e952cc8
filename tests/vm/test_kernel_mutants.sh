#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 13: kernel mutants prove that d0audit catches real ordering bugs.
# Each tests/mutants/kernel/*.mutant is one small scripted edit of
# drivers/vfio/pci (on Debian's 7.2 source, "stock", and/or on it plus Matt
# Evans' DMABUF-mmap series, "series") with the rules it must trigger and the
# vfio-exercise flows that drive the edited path. This test
#  - builds the unmutated modules of each base and every mutant
#    (tests/mutants/build-kernel-mutants, cached by input hash);
#  - boots ONE 7.2 guest, swaps each build in (swap-vfio) and runs its flows
#    under `d0audit audit -j`;
#  - requires zero violations and clean flows from the unmutated builds (no
#    false positive), and every expected rule flagged for every mutant;
#  - prints the kill table: mutant, base, expected rules, flagged rules,
#    verdict (KILLED / SURVIVED). A surviving mutant fails the test (it is a
#    d0audit bug) unless its file says `unobservable: REASON`.
# The series comes from ../shared (never this repo): when it cannot be built
# for the archive's kernel (exit 77) its rows SKIP, and fail under CI=true.
#
# usage: tests/vm/test_kernel_mutants.sh [--kernel 7.2] [--keep DIR] [--from DIR]
# D0AUDIT_MUTANTS (names) and D0AUDIT_MUTANT_BASE (stock|series): only those
# (tests/vm/test_preempt_rt.sh runs the lock mutants on the RT kernel this way).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
t0=$SECONDS
if [[ -z $from ]]; then
	# shellcheck disable=SC2086 # D0AUDIT_MUTANTS is a list of names
	if ! tests/mutants/build-kernel-mutants --kernel "$kernel" ${D0AUDIT_MUTANT_BASE:+--base "$D0AUDIT_MUTANT_BASE"} \
		${D0AUDIT_MUTANTS:-} >"$out/plan" 2>"$out/build.log"; then
		tail -n 20 "$out/build.log"
		not_ok "building the mutants failed (log above; full: $out/build.log)"
		summary kernel-mutants
		exit 1
	fi
fi
build_s=$((SECONDS - t0))
ok "built $(grep -vc '^unmutated' "$out/plan") mutant builds and the unmutated bases in ${build_s}s"

t1=$SECONDS
vm_boot kernel-mutants --timeout 3000 -- tests/vm/kernel_mutants_guest.sh /tmp/out/plan
vm_s=$((SECONDS - t1))

# the rules a run flagged: sorted unique ids over its flows, comma-separated
flagged() { jq -r 'select(.type == "violation") | .rule' "$1/audit.json" 2>/dev/null | sort -nu | paste -sd, -; }
contains_all() { # WANT(ids) GOT(ids)
	local w
	for w in ${1//,/ }; do [[ ,$2, == *,$w,* ]] || return 1; done
}
flow_report() { # RUN FLOWS: "flow=rc" for each flow
	local f r=''
	for f in ${2//,/ }; do r+="$f=$(cat "$1/$f.rc" 2>/dev/null || echo none) "; done
	echo "${r}audit=$(cat "$1/audit.rc" 2>/dev/null || echo none)"
}

table=$out/kill-table.txt
printf '%-32s %-7s %-10s %-10s %s\n' mutant base expected flagged verdict >"$table"
skipped=0
while read -r name base dir flows rules; do
	run=$out/runs/$name@$base
	if [[ $dir == SKIP ]]; then
		skipped=$((skipped + 1))
		if [[ ${CI:-} == true ]]; then
			not_ok "$name@$base: the series could not be built for this kernel (see $out/build.log); CI needs it"
		else
			echo "skip - $name@$base: the series could not be built for this kernel ($(grep -m1 SKIP "$out/build.log"))"
		fi
		printf '%-32s %-7s %-10s %-10s %s\n' "$name" "$base" "$rules" - SKIP >>"$table"
		continue
	fi
	if [[ -f $run/swap.failed || ! -d $run ]]; then
		not_ok "$name@$base: swapping the build in failed: $(tail -c 300 "$run/swap.out" 2>/dev/null)"
		printf '%-32s %-7s %-10s %-10s %s\n' "$name" "$base" "$rules" - ERROR >>"$table"
		continue
	fi
	got=$(flagged "$run")
	if [[ $name == unmutated ]]; then
		bad=''
		for f in ${flows//,/ }; do [[ $(cat "$run/$f.rc" 2>/dev/null) == 0 ]] || bad+=" $f"; done
		[[ $(cat "$run/audit.rc" 2>/dev/null) == 0 ]] || bad+=" (audit exit $(cat "$run/audit.rc" 2>/dev/null))"
		if [[ -z $got && -z $bad ]]; then
			ok "unmutated $base: ${flows//,/ } clean, exit 0 (no false positive)"
		else
			not_ok "unmutated $base: violations '${got:-none}', flows not clean:${bad:- none} ($(flow_report "$run" "$flows"))"
			for f in $bad; do [[ -f $run/$f.log ]] && sed 's/^/#   /' "$run/$f.log" | tail -n 5; done
			grep -v '^{' "$run/audit.err" 2>/dev/null | sed 's/^/#   /' | tail -n 5
		fi
		printf '%-32s %-7s %-10s %-10s %s\n' "$name" "$base" - "${got:--}" "$([[ -z $got && -z $bad ]] && echo CLEAN || echo FALSE-POSITIVE)" >>"$table"
		continue
	fi
	why=$(sed -n 's/^unobservable:[[:space:]]*//p' "tests/mutants/kernel/$name.mutant")
	if contains_all "$rules" "$got"; then
		verdict=KILLED
		ok "$name@$base: KILLED (expected $rules, flagged $got)"
	elif [[ -n $why ]]; then
		verdict=UNOBSERVABLE
		ok "$name@$base: known unobservable ($why); flagged '${got:-none}'"
	else
		verdict=SURVIVED
		not_ok "$name@$base: SURVIVED: expected rules $rules, flagged '${got:-none}' ($(flow_report "$run" "$flows"))"
	fi
	printf '%-32s %-7s %-10s %-10s %s\n' "$name" "$base" "$rules" "${got:--}" "$verdict" >>"$table"
done <"$out/plan"

echo "kill table (rule ids as in 'd0audit rules'; kernel $kernel):"
cat "$table"
phases=$(cat "$out"/runs/*/seconds 2>/dev/null | awk '{s += $2; a += $4; n++} END {printf "%d builds: swap %.0fs, audits %.0fs", n, s, a}')
echo "timing: builds ${build_s}s, guest ${vm_s}s ($phases)"
summary kernel-mutants
