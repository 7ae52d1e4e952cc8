#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (via tools/vm/run): record one trace per exerciser
# scenario into $D0AUDIT_VM_OUT. The host half (test_capture.sh) asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
d0=build/static/d0audit
ex=build/vfio-exercise

build/static/d0audit doctor -j >"$out/doctor.json"
echo "doctor exit $?" >"$out/doctor.rc"

# scenario [--all] NAME ARGS...: trace in $out/NAME.ndjson, outputs beside it.
scenario() {
	local all=() name
	[[ $1 == --all ]] && { all=(--all); shift; }
	name=$1
	shift
	"$d0" record "${all[@]}" -o "$out/$name.ndjson" -- "$ex" "$@" >"$out/$name.out" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}

scenario open-close open-close
scenario --all mmap-touch mmap-touch
scenario --all pread-bar pread-bar
scenario pm-d3 pm-d3
scenario cmd-mem cmd-mem
scenario low-power low-power
scenario low-power-wakeup low-power-wakeup
scenario reset reset
scenario hot-reset hot-reset
scenario dmabuf dmabuf
scenario rom rom
scenario --all ioeventfd ioeventfd
scenario sysfs-pm-d3 sysfs-pm-d3
scenario sysfs-pm-d3-dmabuf sysfs-pm-d3 --dmabuf
scenario sysfs-cmd-mem sysfs-cmd-mem
scenario sysfs-mmap sysfs-mmap
# gzip by extension
"$d0" -v record -o "$out/gz.ndjson.gz" -- "$ex" pread-bar >/dev/null 2>"$out/gz.err"
echo $? >"$out/gz.rc"
# a ring buffer too small for a flood: drops must be counted exactly
"$d0" record --all --ringbuf-size 4k -o "$out/overflow.ndjson" -- "$ex" pread-loop 20000 >/dev/null 2>"$out/overflow.err"
echo $? >"$out/overflow.rc"
# -p on audit: every JSON object it prints (violations, the summary) indented
"$d0" -j -p audit -- "$ex" sysfs-pm-d3 >"$out/audit-p.json" 2>"$out/audit-p.err"
echo $? >"$out/audit-p.rc"
exit 0
