#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run --root-port, pcie_ports=native): the
# issue-14 scenarios (tools/exercise/scen_beyond.c) under `d0audit audit -j
# --record`, outputs into $D0AUDIT_VM_OUT. test_beyond.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
dev=${D0AUDIT_VM_DEVICES%% *}
. tests/vm/guest_lib.sh
# AER injection needs the module (CONFIG_PCIEAER_INJECT=m in Debian)
busybox modprobe aer_inject >"$out/aer_inject.modprobe" 2>&1
echo $? >"$out/aer_inject.rc"
{
	echo "cmdline: $(cat /proc/cmdline)"
	grep -E ' (pci_reset_function|pcibios_reset_secondary_bus|pci_try_reset_bridge|pci_bus_error_reset|pcie_do_recovery|dpc_reset_link|pcie_flr|pci_af_flr)$' /proc/kallsyms
	ls /sys/bus/pci_express/devices/ 2>&1
	ls -l /dev/aer_inject 2>&1
} >"$out/facts.txt"
for s in sysfs-reset reset-subordinate bridge-config aer-fatal; do
	audit_scenario "$s" "$s"
	audit_scenario "$s-mapped" "$s" --mapped
done
audit_scenario sysfs-bar-write sysfs-bar-write
# class 6: the ROM with decode off
audit_scenario rom-decode-off rom-decode-off
audit_scenario rom-info-decode-off rom-info-decode-off
# issue 14 class 3 under Debian's strict iomem checks (this boot has no iomem=relaxed): /dev/mem
# refuses BAR0 of a device vfio has requested, D3hot or not (tests/vm/test_raw.sh has the relaxed case)
audit_scenario raw-dev-mem-strict raw-dev-mem --mapped
# class 8 (audits started mid-stream) is tests/vm/test_seed.sh


dmesg >"$out/dmesg.txt"
exit 0
