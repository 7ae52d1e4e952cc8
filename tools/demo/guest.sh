#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo, inside the guest (tools/demo/run): d0audit audit around a scripted
# vfio flow on the emulated e1000e. First a correct power cycle through vfio
# (PM_CTRL D3hot and back: BAR access refused while in D3hot, allowed in D0),
# then root clears COMMAND.MEMORY through sysfs config while vfio has BAR0
# mapped: vfio did not zap, so d0audit reports rules 5 and 10.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
dev=${D0AUDIT_VM_DEVICES%% *}
X=$PWD/build/vfio-exercise
flow() {
	echo "demo: 1) a correct power cycle through vfio: PM_CTRL D3hot, access refused, back to D0" >&2
	"$X" -d "$dev" pm-d3 >&2 || return 1
	echo "demo: 2) behind vfio's back: root clears COMMAND.MEMORY in sysfs config while BAR0 is mapped" >&2
	"$X" -d "$dev" sysfs-cmd-mem >&2 || return 1
}
export -f flow
export X dev
echo "demo: d0audit audit --record demo.ndjson.gz -- (the flow): live lines, then the summary"
build/static/d0audit audit --record "$out/demo.ndjson.gz" -- bash -c flow 2>&1
echo $? >"$out/audit.rc"
exit 0
