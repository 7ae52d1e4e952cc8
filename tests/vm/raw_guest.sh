#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run --root-port, iomem=relaxed): the issue-14
# class 3 and 5 scenarios (tools/exercise/scen_raw.c) under `d0audit audit -j
# --record`, outputs into $D0AUDIT_VM_OUT. test_raw.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
dev=${D0AUDIT_VM_DEVICES%% *}
. tests/vm/guest_lib.sh
{
	echo "cmdline: $(cat /proc/cmdline)"
	grep -E ' (pci_read_resource|pci_write_resource|pci_read_resource_io|pci_write_resource_io|read_port|write_port|read_mem|write_mem|mmap_mem|mmap_mem_prepare|pci_write_config_(byte|word|dword)|pci_restore_state|iomem_inode|strict_iomem_checks)$' /proc/kallsyms
	cat "/sys/bus/pci/devices/$dev/resource"
} >"$out/facts.txt"
for s in raw-sysfs-io raw-dev-port raw-dev-mem raw-mmap hw-decode-off hw-bus-reset; do
	audit_scenario "$s" "$s"
	audit_scenario "$s-mapped" "$s" --mapped
done
dmesg >"$out/dmesg.txt"
exit 0
