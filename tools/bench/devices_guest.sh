#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest with N vfio devices (tools/bench/run boots one per N):
# issue 18's "cost that grows with the work". audit's start-up, then the
# programs' own run time (kernel.bpf_stats_enabled) per BAR read and per fault
# on the first device, with every device known to audit (each opened once so
# its per-device state exists). Raw "key value" lines to $D0AUDIT_VM_OUT/raw.txt.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/bench/run}
quick=${BENCH_QUICK:-0}
D0=build/d0audit
X=build/vfio-exercise
raw=$out/raw.txt
: >"$raw"
put() { printf '%s %s\n' "$1" "$2" >>"$raw"; }
now_us() { local t=$EPOCHREALTIME; echo $((${t/./})); }
if ((quick)); then npread=50000 nfault=5000; else npread=200000 nfault=30000; fi # nfault: as guest.sh nstatfault
read -r -a devs <<<"${D0AUDIT_VM_DEVICES//,/ }"
put devices "${#devs[@]}"
put cfg.npread "$npread"
put cfg.nfault "$nfault"
put cfg.reps 5
. tools/bench/ready.sh
t0=${EPOCHREALTIME/./}
ready_start audit 'hooks attached.*watching' 600 $D0 audit || { put failed 1; cat /tmp/audit.err >&2; exit 1; }
pid=$ready_pid
put startup_ms $((($(now_us) - t0) / 1000))
# every device gets its per-device state (a few reads each)
for d in "${devs[@]}"; do $X -d "$d" pread-loop 10 >/dev/null 2>&1; done
# the marginal cost per read and per fault, as figure 1 measures it (5 reps: one device of 16 is noisier)
. tools/bench/snapshots.sh
sysctl -qw kernel.bpf_stats_enabled=1
marginal_snapshots dev 5 "$npread" "$nfault" -d "${devs[0]}"
sysctl -qw kernel.bpf_stats_enabled=0
kill -INT $pid
wait $pid
ready_done
cp /tmp/audit.err "$out/audit.err"
