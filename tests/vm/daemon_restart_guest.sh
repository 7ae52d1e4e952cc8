#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run): restart continuity. One scenario
# with the daemon running throughout (A, no pins), the same one with the
# daemon stopped in the middle and part of it run while no daemon runs
# (B1, B2, pinned); a pin removed and a link detached under B2; a tiny ring
# buffer (incompatible with B's pins) overflowed while down (C1, C2); bad
# pin directories; --release, then vfio unloads. Outputs in
# $D0AUDIT_VM_OUT; test_daemon_restart.sh asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
D0=$PWD/build/static/d0audit
X=$PWD/build/vfio-exercise
dev=${D0AUDIT_VM_DEVICES%% *}
pin=/sys/fs/bpf/d0audit
log=/var/log/d0r
if command -v rmmod >/dev/null; then rmmod=rmmod; elif [[ -x /usr/sbin/rmmod ]]; then rmmod=/usr/sbin/rmmod; else rmmod="busybox rmmod"; fi
mkdir -p "$log" /etc/d0audit
: >/etc/d0audit/d0audit.conf

. tests/vm/guest_lib.sh
# start NAME FLAG...: the daemon under the unit's capability limits; waits for
# $ready (default: every capability dropped, i.e. nothing waits for vfio)
start() {
	local name=$1
	shift
	(umask 0077 && exec setpriv --bounding-set=-all,+bpf,+perfmon,+sys_resource,+sys_admin --inh-caps=-all \
		--no-new-privs "$D0" daemon --no-stdout -o "$log/$name.jsonl" --metrics-interval 1s "$@") \
		2>"$out/$name.stderr" &
	pid=$!
	wait_for "$out/$name.stderr" "${ready:-every capability dropped}" 120
}
# stop NAME: SIGTERM, exit status and milliseconds to exit
stop() {
	local t0=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid"
	echo $? >"$out/$1.rc"
	echo $((($(date +%s%N) - t0) / 1000000)) >"$out/$1.stop-ms"
	cp "$log/$1.jsonl" "$out/$1.jsonl"
}
scenario() {
	local s
	for s; do
		$X -d "$dev" "$s" >/dev/null 2>>"$out/guest.log" || echo "exerciser $s failed" >>"$out/guest.log"
	done
}

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# A: the reference, no pins
start A --no-pin
scenario pm-d3 sysfs-cmd-mem sysfs-pm-d3 pm-d3
sleep 0.5
stop A

# B: the same, stopped after two steps; one step while no daemon runs
start B1 --pin "$pin"
scenario pm-d3 sysfs-cmd-mem
sleep 0.5
stop B1
ls "$pin" >"$out/pins.txt"
awk '$1 == "vfio_pci_core" { print $3 }' /proc/modules >"$out/core-refs-pinned"
scenario sysfs-pm-d3
start B2 --pin "$pin"
scenario pm-d3
sleep 0.5
# self-monitoring: a pin removed, a link detached
rm "$pin/link_PCI_RPM_SUSPEND"
bpftool link detach pinned "$pin/link_PCI_RPM_RESUME" >"$out/detach.out" 2>&1
echo $? >"$out/detach.rc"
sleep 2.5
ls "$pin" >"$out/pins-after.txt"
# which link kinds can be detached at all (fentry, fexit, kprobe, kretprobe)?
for h in PCI_SET_POWER PCI_SET_POWER_RET HOT_RESET HOT_RESET_RET; do
	msg=$(bpftool link detach pinned "$pin/link_$h" 2>&1)
	echo "$h $? $msg" >>"$out/detach-kinds"
done
sleep 1.5
"$D0" daemon --release --pin "$pin" >"$out/release-busy.out" 2>&1
echo $? >"$out/release-busy.rc"
cp /dev/null "$out/B2.prom"
stop B2

# C: a 4k ring buffer: B's pins do not fit (released), then overflowed while down
start C1 --pin "$pin" --ringbuf-size 4k
stop C1
scenario pm-d3 pm-d3 pm-d3 sysfs-cmd-mem
start C2 --pin "$pin" --ringbuf-size 4k
sleep 0.5
stop C2
# a crash (no clean stop), one step while down: the next start carries on from the last save
start C3 --pin "$pin" --ringbuf-size 4k
scenario pm-d3
sleep 1.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null
cp "$log/C3.jsonl" "$out/C3.jsonl"
scenario pm-d3
start C4 --pin "$pin" --ringbuf-size 4k
sleep 0.5
stop C4

# bad pin directories
mkdir -p /tmp/notbpf
"$D0" daemon --no-stdout -o "$log/bad1.jsonl" --pin /tmp/notbpf >"$out/bad-notbpf.out" 2>&1
echo $? >"$out/bad-notbpf.rc"
"$D0" daemon --no-stdout -o "$log/bad2.jsonl" --pin /nonexistent/a/b >"$out/bad-missing.out" 2>&1
echo $? >"$out/bad-missing.rc"

# release: pins go, hooks detach, vfio unloads (held while pinned, with no daemon running)
$rmmod vfio_pci >"$out/rmmod-pci.out" 2>&1
echo $? >"$out/rmmod-pci.rc"
$rmmod vfio_pci_core >"$out/rmmod-pinned.out" 2>&1
echo $? >"$out/rmmod-pinned.rc"
awk '$1 == "vfio_pci_core" { print $3 }' /proc/modules >"$out/core-refs-before"
"$D0" daemon --release --pin "$pin" >"$out/release.out" 2>&1
echo $? >"$out/release.rc"
[[ -e $pin ]] && echo present >"$out/pin-dir-after" || echo gone >"$out/pin-dir-after"
"$D0" daemon --release --pin "$pin" >"$out/release-again.out" 2>&1
echo $? >"$out/release-again.rc"
# the kernel frees released links in a work item: the module reference goes a moment later
t0=$(date +%s%N)
rc=1
for ((i = 0; i < 150 && rc != 0; i++)); do
	$rmmod vfio_pci_core >"$out/rmmod.out" 2>&1
	rc=$?
	((rc == 0)) || sleep 0.1
done
echo $rc >"$out/rmmod.rc"
echo $((($(date +%s%N) - t0) / 1000000)) >"$out/rmmod-ms"

# late attach with pins: vfio loads after start; its new links are pinned too
ready='hooks attached, mode' start L1 --pin "$pin"
$D0AUDIT_VM_LOAD_VFIO 2>>"$out/guest.log"
# the round that saw vfio_pci_core (vfio_iommu_type1 may get a round of its own first)
wait_for "$out/L1.stderr" 'modules loaded after start \([^)]*vfio_pci_core[^)]*\): [0-9]+ more hooks attached' 90
sleep 0.3
ls "$pin" >"$out/pins-late.txt"
stop L1
start L2 --pin "$pin"
scenario pm-d3
sleep 0.5
stop L2
# vfio loaded while no daemon ran: its hooks have no pin, so everything is re-attached on the pinned maps
"$D0" daemon --release --pin "$pin" >/dev/null 2>>"$out/guest.log"
$rmmod vfio_pci >>"$out/guest.log" 2>&1
for ((i = 0; i < 150; i++)); do $rmmod vfio_pci_core 2>/dev/null && break; sleep 0.1; done
[[ -d /sys/module/vfio_pci_core ]] && echo "vfio_pci_core still loaded before L3" >>"$out/guest.log"
ready='hooks attached, mode' start L3 --pin "$pin"
stop L3
$D0AUDIT_VM_LOAD_VFIO 2>>"$out/guest.log"
sleep 0.5
start L4 --pin "$pin"
scenario pm-d3
sleep 0.5
ls "$pin" >"$out/pins-L4.txt"
stop L4
"$D0" daemon --release --pin "$pin" >/dev/null 2>>"$out/guest.log"
exit 0
