#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run): issue 14 class 8, audits started
# mid-stream. A holder maps (and touches) BAR0 before d0audit starts; then
# an audit or the daemon starts, and the device is reset behind vfio's back,
# or vfio zaps first (correct). Outputs in $D0AUDIT_VM_OUT; test_seed.sh asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
D0=$PWD/build/static/d0audit
X=$PWD/build/vfio-exercise
dev=${D0AUDIT_VM_DEVICES%% *}
pin=/sys/fs/bpf/d0audit-seed
. tests/vm/guest_lib.sh
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# holder NAME SCENARIO: start the holder (hold or hold-untouched), wait until it mapped BAR0
holder() {
	"$X" -d "$dev" "$2" >"$out/$1.hold" 2>&1 &
	hp=$!
	echo "$hp" >"$out/$1.pid"
	wait_for "$out/$1.hold" '^hold: ready' 60
}
holder_end() {
	kill -TERM "$hp"
	wait "$hp"
	echo $? >"$out/$1.hold.rc"
}
# midstream NAME SCENARIO ZAP-FIRST: audit around a sysfs reset of the held device
midstream() {
	local name=$1 zap=$3
	holder "$name" "$2"
	"$D0" audit -j --record "$out/$name.ndjson" -- bash -c "
		if (($zap)); then kill -USR1 $hp; for i in \$(seq 600); do grep -q '^hold: zapped' '$out/$name.hold' && break; sleep 0.1; done; fi
		echo 1 > /sys/bus/pci/devices/$dev/reset" >"$out/$name.audit.json" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
	holder_end "$name"
}
midstream mid-reset hold 0
midstream mid-zapped hold 1
midstream mid-untouched hold-untouched 0
# as on a kernel where the seed cannot run: incomplete (exit 3), with the reason
D0AUDIT_NO_SEED=1 midstream mid-noseed hold 0
"$D0" doctor -j >"$out/doctor.json" 2>"$out/doctor.err"
# the seed's own cost: an audit of nothing, with and without a mapped holder
holder idle hold
"$D0" audit -j -v --record "$out/idle.ndjson" -- true >"$out/idle.audit.json" 2>"$out/idle.err"
echo $? >"$out/idle.rc"
holder_end idle

# the daemon: D started while the holder is mapped (fresh start, no pins); R1/R2 a restart on pins
# with the holder mapped while no daemon ran (the pinned hooks saw it: continuity, not the seed)
dstart() {
	local name=$1
	shift
	"$D0" daemon --no-stdout -o "$out/$name.jsonl" --metrics-interval 1s "$@" 2>"$out/$name.stderr" &
	dp=$!
	wait_for "$out/$name.stderr" 'every capability dropped' 120
}
dstop() {
	kill -TERM "$dp"
	wait "$dp"
	echo $? >"$out/$1.rc"
}
holder D hold
dstart D --no-pin
echo 1 >/sys/bus/pci/devices/$dev/reset
sleep 1.5
dstop D
holder_end D

dstart R1 --pin "$pin"
sleep 0.5
dstop R1
holder R hold
dstart R2 --pin "$pin"
echo 1 >/sys/bus/pci/devices/$dev/reset
sleep 1.5
dstop R2
holder_end R
"$D0" daemon --release --pin "$pin" >"$out/release.out" 2>&1
dmesg >"$out/dmesg.txt"
exit 0
