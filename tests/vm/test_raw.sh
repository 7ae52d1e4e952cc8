#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, classes 3 and 5: a vfio device's BARs reached from outside vfio
# (sysfs resourceN, /dev/port, /dev/mem, raw mappings), and decode as the
# hardware COMMAND register was last written. One boot: e1000e behind a PCIe
# root port, iomem=relaxed (so /dev/mem and sysfs mmaps reach a BAR vfio has
# requested; Debian's strict default refuses them, see test_beyond.sh). Each
# class has a correct flow, which must stay clean, and a violating one, which
# must be flagged with exactly the right rules; every new hook must be seen
# firing; check replays every trace to the same verdict.
#
# usage: tests/vm/test_raw.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
D0AUDIT_VM_APPEND="iomem=relaxed ${D0AUDIT_VM_APPEND:-}" vm_boot raw --root-port --timeout 2400 -- tests/vm/raw_guest.sh
D0=${D0AUDIT:-build/d0audit}
dev=0000:01:00.0

# first violation of RULE: the function it was seen in
first_fn() { jq -r --argjson r "$2" 'select(.type == "violation" and .rule == $r) | .step.function' "$out/$1.audit.json" | head -1; }

# verdict NAME SCENARIO WANT-RULES [RULE FUNCTION]: exit status and exactly WANT (empty: clean);
# RULE first seen in FUNCTION (a regex: the name differs per kernel)
verdict() {
	local s=$1 want=$3 rc got fn want_rc=1
	rc=$(cat "$out/$s.rc")
	got=$(live_rules "$s")
	[[ -n $want ]] || want_rc=0
	fn=${5:+$(first_fn "$s" "$4")}
	if [[ $rc == "$want_rc" && $got == "$want" && ${fn:-} =~ ^(${5:-})$ ]] && exercised "$s" "$2"; then
		ok "$s: ${want:-clean}${5:+ (rule $4 at $5)}"
	else
		not_ok "$s: exit $rc, violations '$got' (rule ${4:-} at '${fn:-}'), want '${want:-clean}'${5:+ at $5}: $(grep -v '^step' "$out/$s.err" | tail -3)"
	fi
}
grep -q 'iomem=relaxed' "$out/facts.txt" && ok "guest booted with iomem=relaxed" || not_ok "no iomem=relaxed: $(head -1 "$out/facts.txt")"

# class 3: raw reads of the I/O BAR (no power gate in the kernel)
verdict raw-sysfs-io raw-sysfs-io ''
verdict raw-sysfs-io-mapped raw-sysfs-io "7@$dev" 7 'pci_read_resource|pci_read_resource_io'
fired "SYSFS_IO_READ_RET|SYSFS_IO_READ_OLD_RET" raw-sysfs-io raw-sysfs-io-mapped
verdict raw-dev-port raw-dev-port ''
verdict raw-dev-port-mapped raw-dev-port "7@$dev" 7 read_port
fired DEV_PORT_READ_RET raw-dev-port raw-dev-port-mapped
# /dev/mem: a read of BAR0 is refused even with iomem=relaxed (x86 read_mem cannot map MMIO: EFAULT),
# seen and attributed to the device; an mmap of it reaches the D3hot device: rules 10 and 7
verdict raw-dev-mem raw-dev-mem ''
verdict raw-dev-mem-mapped raw-dev-mem "10@$dev,7@$dev" 7 'mmap_mem_prepare|mmap_mem'
n=$(jq -r --arg d "$dev" 'select(.type == "event" and .kind == "raw-access" and .hook == "DEV_MEM_READ_RET" and .dev == $d and .ret < 0) | .seq' "$out/raw-dev-mem-mapped.ndjson" | wc -l)
((n == 1)) && ok "raw-dev-mem: the refused read is attributed to $dev (one raw-access event, ret < 0)" ||
	not_ok "raw-dev-mem: $n refused raw-access events on $dev, want 1"
fired DEV_MEM_READ_RET raw-dev-mem raw-dev-mem-mapped
fired "DEV_MEM_MMAP_RET|DEV_MEM_MMAP_OLD_RET" raw-dev-mem-mapped
# a sysfs mapping vfio's zap never removes: any mmap is rule 10; live when the device leaves D0, rule 1
verdict raw-mmap raw-mmap "10@$dev" 10 pci_mmap_resource_range
verdict raw-mmap-mapped raw-mmap "10@$dev,1@$dev" 1 "__pci_set_power_state|pci_set_power_state"
expect_order "raw-mmap --mapped: the power-down names the raw mapping" "$out/raw-mmap-mapped.ndjson" \
	' power-change exit PCI_SET_POWER_RET D0>D3hot .*raw-mapped'

# class 5: decode as the hardware was told, not vfio's copy
verdict hw-decode-off hw-decode-off ''
verdict hw-decode-off-mapped hw-decode-off "10@$dev,7@$dev" 7 vfio_pci_bar_rw
fired "CORE_CFG_WORD" hw-decode-off hw-decode-off-mapped
verdict hw-bus-reset hw-bus-reset ''
verdict hw-bus-reset-mapped hw-bus-reset "10@$dev,7@$dev" 7 vfio_pci_bar_rw
fired RESTORE_STATE_RET hw-bus-reset hw-bus-reset-mapped
# the rule-7 verdicts above come from the hardware state: without it (hw-known dropped from every
# event, as a d0audit that read only vfio's copy would record) check sees only the config writes
for s in hw-decode-off-mapped hw-bus-reset-mapped; do
	got=$(jq -c 'if .type == "event" then .state -= ["hw-known"] else . end' "$out/$s.ndjson" |
		"$D0" check -j - 2>/dev/null | jq -r '[.violations[].rule] | sort | map(tostring) | join(",")')
	[[ $got == 10 ]] && ok "$s without the hardware state: only rule 10 (the check exists for this)" ||
		not_ok "$s without the hardware state: rules '$got', want 10"
done

replay_all

summary raw
