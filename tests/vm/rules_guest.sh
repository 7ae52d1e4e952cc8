#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: every exerciser scenario under `d0audit audit -j
# --record`, outputs into $D0AUDIT_VM_OUT. test_rules.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
scenario() {
	local name=$1
	shift
	build/static/d0audit audit -j --record "$out/$name.ndjson" -- build/vfio-exercise "$@" \
		>"$out/$name.audit.json" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}
for s in open-close mmap-touch pread-bar pm-d3 cmd-mem low-power low-power-wakeup reset dmabuf rom ioeventfd; do
	scenario "$s" "$s"
done
scenario sysfs-pm-d3 sysfs-pm-d3
scenario sysfs-pm-d3-dmabuf sysfs-pm-d3 --dmabuf
scenario sysfs-cmd-mem sysfs-cmd-mem
scenario sysfs-mmap sysfs-mmap
# doctor with every hook loaded for real, and record's -j outcome (output schema, test_rules.sh)
build/static/d0audit -j doctor >"$out/doctor.json" 2>"$out/doctor.err"
echo $? >"$out/doctor.rc"
build/static/d0audit record -j -o "$out/record-j.trace" -- build/vfio-exercise pm-d3 >"$out/record.json" 2>"$out/record.err"
echo $? >"$out/record.rc"
# kernel mode judges the same flows
build/static/d0audit audit -j --mode kernel -- build/vfio-exercise sysfs-pm-d3 >"$out/kernel-mode.audit.json" 2>/dev/null
echo $? >"$out/kernel-mode.rc"
exit 0
