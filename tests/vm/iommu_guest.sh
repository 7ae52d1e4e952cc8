#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run: q35, intel-iommu, vfio_iommu_type1):
# the class-4 scenarios (tools/exercise/scen_iommu.c) under `d0audit audit
# -j --record`, outputs into $D0AUDIT_VM_OUT. test_iommu.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
dev=${D0AUDIT_VM_DEVICES%% *}
. tests/vm/guest_lib.sh
# which type1 functions are real here, and whether the kernel has iommufd at all
{
	for f in vaddr_get_pfns vfio_pin_pages_remote vfio_unmap_unpin vfio_remove_dma follow_fault_pfn vfio_pin_map_dma; do
		echo "$f ftrace=$(grep -cE "^$f( |$)" /sys/kernel/tracing/available_filter_functions)"
	done
	echo "iommufd_btf=$(test -e /sys/kernel/btf/iommufd && echo yes || echo no) dev_iommu=$(test -e /dev/iommu && echo yes || echo no)"
} >"$out/facts.txt"
build/static/d0audit doctor -j >"$out/doctor.json" 2>"$out/doctor.err"
audit_scenario iommu-bar-low-power iommu-bar-low-power
audit_scenario iommu-bar-low-power-mapped iommu-bar-low-power --mapped
audit_scenario iommu-bar-teardown iommu-bar-teardown
audit_scenario iommu-bar-map-low-power iommu-bar-map-low-power
dmesg >"$out/dmesg.txt"
exit 0
