#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14 class 10: on PREEMPT_RT, vfio's memory_lock is the rtmutex-based
# rwsem (rwbase_rt), read through CO-RE flavours (bpf/device.h). The rules
# suite on 7.2-rt shows the read finds the lock held where vfio holds it (no
# false positive); this shows it finds it NOT held where a kernel bug drops
# it: the two lock-discipline kernel mutants, built for Debian's 7.2.13-rt
# (stock base), swapped into one 7.2-rt guest, must each be flagged, and the
# unmutated RT build must stay clean.
#
# usage: tests/vm/test_preempt_rt.sh [--kernel 7.2-rt] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
args=("$@")
[[ " ${args[*]} " == *" --kernel "* ]] || args=(--kernel 7.2-rt "${args[@]}")
export D0AUDIT_MUTANT_BASE=stock
export D0AUDIT_MUTANTS="pmctrl-unlocked-power-down lowpower-unrevoke-unlocked"
exec tests/vm/test_kernel_mutants.sh "${args[@]}"
