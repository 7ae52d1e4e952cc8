#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, class 4: IOMMU entries that point at a BAR, on a real kernel, one
# boot (q35 with intel-iommu, vfio_iommu_type1). VFIO_IOMMU_MAP_DMA of the
# device's own BAR0 mmap, then low power: the entry survives vfio's zap, so
# leaving D0 with it live is flagged (rule 1, state iommu-mapped); unmapping
# first, or the container's teardown, removes it and the flow stays clean.
# Both type1 hooks must be seen firing; check replays every trace to the
# same verdict; doctor says whether the kernel has iommufd.
#
# usage: tests/vm/test_iommu.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
vm_boot iommu --timeout 900 -- tests/vm/iommu_guest.sh
D0=${D0AUDIT:-build/d0audit}
dev=${D0AUDIT_VM_FIRST_DEVICE:-0000:00:03.0}

hits() { jq -r --arg h "$1" 'select(.type == "footer") | .hits[$h] // 0' "$out/$2.ndjson"; }

# the type1 functions the hooks need are real here; the ones they stand in for are inlined
for f in vfio_pin_pages_remote vfio_unmap_unpin vaddr_get_pfns; do
	grep -q "^$f ftrace=1$" "$out/facts.txt" && ok "$kernel: $f is a real function (ftrace site)" ||
		not_ok "$kernel: $f: $(grep "^$f " "$out/facts.txt")"
done
for f in follow_fault_pfn vfio_pin_map_dma; do
	grep -q "^$f ftrace=0$" "$out/facts.txt" && ok "$kernel: $f is inlined (no ftrace site)" ||
		not_ok "$kernel: $f: $(grep "^$f " "$out/facts.txt")"
done
for h in IOMMU_PIN_RET IOMMU_UNMAP_RET; do
	st=$(jq -r --arg h "$h" '.hooks[] | select(.name == $h) | .status' "$out/doctor.json")
	[[ $st == attached ]] && ok "doctor: $h attached" || not_ok "doctor: $h is '$st': $(cat "$out/doctor.err")"
done
# iommufd: off in every Debian config; the BTF the guest sees must agree, and doctor says so
if [[ $(jq -r .iommufd "$out/doctor.json") == false ]] && grep -q 'iommufd_btf=no dev_iommu=no' "$out/facts.txt"; then
	ok "doctor: no iommufd in $kernel (no BTF, no /dev/iommu)"
else
	not_ok "doctor: iommufd $(jq -r .iommufd "$out/doctor.json"), guest: $(tail -1 "$out/facts.txt")"
fi

# correct: VFIO_IOMMU_UNMAP_DMA before LOW_POWER_ENTRY
clean iommu-bar-low-power iommu-bar-low-power
expect_order "iommu-bar-low-power: granted, removed, then D3hot with nothing mapped in the IOMMU" \
	"$out/iommu-bar-low-power.ndjson" \
	' iommu-map exit IOMMU_PIN_RET D0>D0 a0=0 a1=32 ret=32 .*st=open,mem-enabled,mapped,vfio,iommu-mapped(,hw-[a-z-]+)*$' \
	' iommu-unmap exit IOMMU_UNMAP_RET D0>D0 a0=0 a1=32 ret=0 .*st=open,mem-enabled,mapped,vfio(,hw-[a-z-]+)*$' \
	' power-change exit [A-Z_]+ D0>D3hot .*ctx=rpm-suspend'
expect_none "iommu-bar-low-power: no D0 exit with a live IOMMU grant" "$out/iommu-bar-low-power.ndjson" \
	' power-.* D0>D3hot .*iommu-mapped'

# violating: the IOMMU entry is live when the device leaves D0
s=iommu-bar-low-power-mapped
rc=$(cat "$out/$s.rc")
got=$(live_rules $s)
first=$(jq -r 'select(.type == "violation") | .step.function' "$out/$s.audit.json" | head -1)
if [[ $rc == 1 && $got == "1@$dev" && $first =~ ^_?_?pci_set_power_state$ ]] && exercised $s iommu-bar-low-power; then
	ok "violating flow $s: $got at $first"
else
	not_ok "violating flow $s: exit $rc, got '$got' at '$first', want '1@$dev' at a power-state change: $(grep -v '^step' "$out/$s.err" | tail -3)"
fi
expect_order "$s: D3hot with the IOMMU entry live, removed only after low power" "$out/$s.ndjson" \
	' iommu-map exit IOMMU_PIN_RET D0>D0 a0=0 a1=32 ' \
	' zap (entry ZAP|exit ZAP_V61) ' \
	' power-change exit [A-Z_]+ D0>D3hot .*ctx=rpm-suspend.* st=.*mapped,vfio,iommu-mapped(,hw-[a-z-]+)*$' \
	' low-power exit VFIO_LP_FEATURE_RET .* a0=5 ' \
	' iommu-unmap exit IOMMU_UNMAP_RET D0>D0 .*st=open,mem-enabled,mapped,vfio(,hw-[a-z-]+)*$'
n=$("$D0" check -j "$out/$s.ndjson" 2>/dev/null | jq '[.violations[] | select(.rule == 1) | .count] | add')
[[ $n == 1 ]] && ok "$s: one rule-1 violation (the D0 exit), none while it stays in D3hot" || not_ok "$s: $n rule-1 violations, want 1"
"$D0" check "$out/$s.ndjson" 2>/dev/null | grep -q 'state:  open, decode on, IOMMU entries (type1 MAP_DMA) point at its BARs' &&
	ok "$s: the report names the IOMMU entry" || not_ok "$s: report: $("$D0" check "$out/$s.ndjson" 2>&1 | grep state: | head -1)"

# correct: the container's teardown removes the entry; the device reopened goes to low power clean
clean iommu-bar-teardown iommu-bar-teardown
expect_order "iommu-bar-teardown: removed at the container's teardown, before the next low power" \
	"$out/iommu-bar-teardown.ndjson" \
	' iommu-map exit IOMMU_PIN_RET ' \
	' close entry ' \
	' iommu-unmap exit IOMMU_UNMAP_RET .* a1=32 ' \
	' open exit ' \
	' power-change exit [A-Z_]+ D0>D3hot .*ctx=rpm-suspend'

# a map in low power: vfio's zap removed the PTE, so type1 cannot resolve the PFNs (vfio's fault
# refuses, EFAULT): clean. (A kernel that keeps the PTE grants a BAR of a D3hot device: rule 7 at
# the grant, the kernel mutant iommu-map-lowpower-zap-dropped in test_kernel_mutants.sh.)
clean iommu-bar-map-low-power iommu-bar-map-low-power
grep -q '^step: refused as expected (EFAULT)' "$out/iommu-bar-map-low-power.err" &&
	ok "iommu-bar-map-low-power: type1 refused the map (EFAULT)" ||
	not_ok "iommu-bar-map-low-power: $(grep -v '^step' "$out/iommu-bar-map-low-power.err" | tail -2)"
expect_none "iommu-bar-map-low-power: no grant" "$out/iommu-bar-map-low-power.ndjson" ' iommu-map '

for t in iommu-bar-low-power iommu-bar-low-power-mapped iommu-bar-teardown; do
	for h in IOMMU_PIN_RET IOMMU_UNMAP_RET; do
		n=$(hits $h $t)
		((n > 0)) && ok "hook $h fired in $t ($n)" || not_ok "hook $h never ran in $t"
	done
	expect_footer_clean "$t: nothing lost" "$out/$t.ndjson"
done

# check replays every recording to the same verdict
replay_all
schema_ok "doctor -j" --def doctor "$S" "$out/doctor.json"

summary iommu
