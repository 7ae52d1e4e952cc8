#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (one boot for every build): for each plan line
# (tests/mutants/build-kernel-mutants), swap that build of vfio-pci-core and
# vfio-pci in ($D0AUDIT_VM_SWAP_VFIO), then run its flows one after the
# other under one `d0audit audit -j`. Outputs go to $D0AUDIT_VM_OUT/runs/<name>@<base>/;
# test_kernel_mutants.sh judges them on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
plan=${1:?usage: kernel_mutants_guest.sh PLAN}
flow_timeout=${MUTANT_FLOW_TIMEOUT:-120}
while read -r name base dir flows _; do
	[[ -n $name && $dir != SKIP ]] || continue
	run=$out/runs/$name@$base
	mkdir -p "$run"
	start=$(date +%s.%N)
	dmesg -c >/dev/null 2>&1
	if ! "$D0AUDIT_VM_SWAP_VFIO" "$dir" >"$run/swap.out" 2>&1; then
		echo "swap failed" >"$run/swap.failed"
		continue
	fi
	# one audit per build (its start-up costs seconds under TCG), each flow's
	# exit status and output kept apart by the wrapper
	read -ra fl <<<"${flows//,/ }"
	RUN=$run timeout -k 5 $((flow_timeout * ${#fl[@]})) build/static/d0audit audit -j -- \
		bash -c 'for f; do build/vfio-exercise "$f" >"$RUN/$f.log" 2>&1; echo $? >"$RUN/$f.rc"; done' flows "${fl[@]}" \
		>"$run/audit.json" 2>"$run/audit.err"
	echo $? >"$run/audit.rc"
	awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f\n", b - a}' >"$run/seconds"
	# a mutant may leave the kernel unhappy: keep what it said
	dmesg -c >"$run/dmesg" 2>&1
done <"$plan"
exit 0
