#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, class 7: vfio-pci variant drivers, on a real kernel, one boot.
# virtio_vfio_pci is built from Debian's source (build-vfio-modules --variant
# virtio) and bound to a modern virtio-net-pci (1af4:1041, behind a PCIe root
# port); the e1000e stays on vfio-pci. Then, in the same boot, two mutant
# builds of the variant (tests/mutants/variant/*.mutant) replace its read op:
#   stock            plain ops, all vfio_pci_core_*: doctor says so, the D3hot
#                    read is refused, the audit is clean; the accessor programs
#                    never run (the stock path inlines the accessors)
#   accessor-no-gate read through vfio_pci_core_ioread32 with test_mem=false,
#                    no gate: rule 7 at the accessor's exit, and the read op
#                    named as the driver's own (incomplete as well)
#   private-ioread   read with a plain ioread32 no hook can see: no violation
#                    can be seen, so the audit must say incomplete (exit 3) and
#                    name the device and the op; check says the same offline
# Virtio's legacy I/O path (vfio_pci_core_ioread16/iowrite16 through the admin
# queue) needs a VF whose PF has VIRTIO_F_ADMIN_VQ legacy commands; QEMU
# emulates neither SR-IOV for virtio-net nor the admin queue (facts.txt).
#
# usage: tests/vm/test_variant.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
D0=${D0AUDIT:-build/d0audit}
S=tools/schema/d0audit-output.schema.json
mutants=(accessor-no-gate private-ioread)

# the variant builds (cached by their inputs; the first costs a new .config: ~2 min under load)
build() {
	local d rc=0
	d=$(tools/vm/build-vfio-modules --kernel "$kernel" --variant virtio "$@") || rc=$?
	if ((rc == 77)) && [[ ${CI:-} != true ]]; then
		echo "# SKIP variant: virtio_vfio_pci cannot be built for $kernel" >&2
		exit 77
	fi
	((rc == 0)) || { not_ok "build-vfio-modules --variant virtio $* failed (exit $rc)"; summary variant; exit 1; }
	echo "$d"
}
if [[ -z $from ]]; then
	stock=$(build) || exit $?
	envm=''
	for m in "${mutants[@]}"; do
		d=$(build --edit "tests/mutants/variant/$m.mutant") || exit $?
		envm+=" $m=$d"
	done
	vm_boot variant --virtio-net --vfio-modules "$stock" --timeout 1200 \
		--env D0AUDIT_VARIANT_MUTANTS="${envm# }" -- tests/vm/variant_guest.sh
fi
[[ ! -s $out/guest.log ]] || not_ok "guest: $(head -3 "$out/guest.log")"
vnet=$(sed -n 's/^virtio-net \([^,]*\),.*/\1/p' "$out/facts.txt")
e1000e=$(sed -n 's/.*, e1000e //p' "$out/facts.txt")

hits() { jq -r --arg h "$1" 'select(.type == "footer") | [.hits | to_entries[] | select(.key | test($h)) | .value] | add // 0' "$out/$2.ndjson"; }
# ops CASE BDF: "read=class,write=class,mmap=class,ioctl=class driver" from doctor -j
ops() {
	jq -r --arg b "$2" '.drivers[] | select(.bdf == $b) |
		"\([.ops | to_entries[] | "\(.key)=\(.value.class)"] | join(",")) \(.driver)"' "$out/$1.doctor.json"
}
unobserved() { jq -r --arg b "$2" '.drivers[] | select(.bdf == $b) | .not_observed // ""' "$out/$1.doctor.json"; }

all_core="read=core,write=core,mmap=core,ioctl=core"
[[ $(grep -c ' vfio_pci_core_io\(read\|write\)[0-9]*[[:space:]]' "$out/facts.txt") == 8 ]] &&
	ok "the eight core I/O accessors are real functions on $kernel (kallsyms)" ||
	not_ok "core I/O accessors in kallsyms: $(grep -c vfio_pci_core_io "$out/facts.txt") of 8"
grep -q '^is a VF: no' "$out/facts.txt" && grep -q '^SR-IOV capable: no' "$out/facts.txt" &&
	ok "QEMU's virtio-net is no VF and has no SR-IOV: virtio's legacy I/O path cannot be exercised here" ||
	not_ok "facts: $(grep -E 'VF|SR-IOV' "$out/facts.txt")"

# stock variant: plain ops, all core; the D3hot read refused; clean; the accessors never ran
got=$(ops stock "$vnet")
[[ $got == "$all_core virtio_vfio_pci" && -z $(unobserved stock "$vnet") ]] &&
	ok "doctor, stock virtio_vfio_pci on $vnet: $got, every BAR path observed" || not_ok "doctor, stock variant: '$got' '$(unobserved stock "$vnet")'"
got=$(ops stock "$e1000e")
[[ $got == "$all_core vfio-pci" && -z $(unobserved stock "$e1000e") ]] &&
	ok "doctor, vfio-pci on $e1000e: $got" || not_ok "doctor, vfio-pci: '$got'"
grep -q 'virtio_vfio_pci    read=core write=core mmap=core ioctl=core' "$out/stock.doctor.txt" &&
	[[ $(cat "$out/stock.doctor.rc") == 0 ]] && ok "doctor text, stock: all core, exit 0" ||
	not_ok "doctor text, stock: exit $(cat "$out/stock.doctor.rc"): $(grep -A2 'vfio device drivers' "$out/stock.doctor.txt")"
for c in stock vfio-pci; do
	rc=$(cat "$out/$c.rc")
	if [[ $rc == 0 && -z $(live_rules "$c") && -z $(incomplete "$c") ]] && grep -q '^ok: variant-d3-read' "$out/$c.err" &&
		grep -q 'refused as expected (EIO)' "$out/$c.err"; then
		ok "correct flow $c: D3hot read refused, audit clean"
	else
		not_ok "correct flow $c: exit $rc, violations '$(live_rules "$c")', incomplete '$(incomplete "$c")': $(grep -v '^step' "$out/$c.err" | tail -2)"
	fi
	n=$(hits 'CORE_IO' "$c") b=$(hits '^BAR_IO$' "$c")
	((n == 0 && b >= 3)) && ok "$c: the stock BAR path ran BAR_IO $b times and no accessor program (inlined)" ||
		not_ok "$c: accessor programs ran $n times, BAR_IO $b: the stock path would pay twice"
done

# accessor-no-gate: the D3hot read reaches the device through vfio_pci_core_ioread32: rule 7 there
c=accessor-no-gate
got=$(ops $c "$vnet")
[[ $got == "read=private,write=core,mmap=core,ioctl=core virtio_vfio_pci" &&
	$(unobserved $c "$vnet") == "d0mut_pci_read [virtio_vfio_pci] is the driver's own read op"* ]] &&
	ok "doctor, $c: $got, names d0mut_pci_read" || not_ok "doctor, $c: '$got' '$(unobserved $c "$vnet")'"
rc=$(cat "$out/$c.rc")
first=$(jq -r 'select(.type == "violation") | .step.function' "$out/$c.audit.json" | head -1)
if [[ $rc == 1 && $(live_rules $c) == "7@$vnet" && $first == vfio_pci_core_ioread32 ]] &&
	grep -q 'the read in D3hot reached the device' "$out/$c.err"; then
	ok "violating flow $c: rule 7 on $vnet at vfio_pci_core_ioread32 (exit 1)"
else
	not_ok "violating flow $c: exit $rc, violations '$(live_rules $c)' at '$first'"
fi
[[ $(incomplete $c) == "device $vnet (driver virtio_vfio_pci): d0mut_pci_read [virtio_vfio_pci] is the driver's own read op"* ]] &&
	ok "$c: also incomplete, naming the device and the op" || not_ok "$c: incomplete '$(incomplete $c)'"
n=$(hits '^CORE_IOREAD32_RET$' $c)
((n > 0)) && ok "hook CORE_IOREAD32_RET fired in $c ($n)" || not_ok "hook CORE_IOREAD32_RET never ran in $c"
expect_order "$c: the accessor's exit in D3hot, ret 0" "$out/$c.ndjson" \
	' bar-access exit CORE_IOREAD32_RET D3hot>D3hot a0=0 a1=0 ret=0 '

# the same judgement from both ways of serving the accessor rows: fexit_multi on one fexit.multi
# link (7.2's tracing multi links, the default here) and one program per row (6.12, pins, NO_MULTI)
served=$(jq -r '.hooks[] | select(.name == "CORE_IOREAD32_RET") | .served' "$out/$c.doctor.json")
[[ $served == multi ]] && ok "$c: doctor says CORE_IOREAD32_RET is served by the multi link" ||
	not_ok "$c: CORE_IOREAD32_RET served '$served', not by fexit_multi's link"
c=accessor-no-gate-own
grep -q 'fexit.multi rows (accessors, DMABUF exits) served by their own programs: D0AUDIT_NO_MULTI=1' "$out/$c.err" &&
	ok "$c: the accessor rows on their own programs" || not_ok "$c: $(grep -m1 'fexit.multi rows' "$out/$c.err")"
rc=$(cat "$out/$c.rc")
first=$(jq -r 'select(.type == "violation") | .step.function' "$out/$c.audit.json" | head -1)
[[ $rc == 1 && $(live_rules $c) == "7@$vnet" && $first == vfio_pci_core_ioread32 ]] &&
	ok "violating flow $c: rule 7 on $vnet at vfio_pci_core_ioread32 (exit 1)" ||
	not_ok "violating flow $c: exit $rc, violations '$(live_rules $c)' at '$first'"
expect_order "$c: the accessor's exit in D3hot, ret 0" "$out/$c.ndjson" \
	' bar-access exit CORE_IOREAD32_RET D3hot>D3hot a0=0 a1=0 ret=0 '

# private-ioread: nothing can see the read; the verdict must not be clean
c=private-ioread
got=$(ops $c "$vnet")
[[ $got == "read=private,write=core,mmap=core,ioctl=core virtio_vfio_pci" ]] &&
	ok "doctor, $c: $got" || not_ok "doctor, $c: '$got'"
grep -q "but audits will be incomplete (exit 3) for $vnet (driver virtio_vfio_pci)" "$out/$c.doctor.txt" &&
	ok "doctor text, $c: says audits will be incomplete for $vnet" || not_ok "doctor text, $c: $(grep -A3 '^verdict' "$out/$c.doctor.txt")"
rc=$(cat "$out/$c.rc")
why=$(incomplete $c)
if [[ $rc == 3 && -z $(live_rules $c) && $why == "device $vnet (driver virtio_vfio_pci): d0mut_private_read [virtio_vfio_pci] is the driver's own read op"* ]] &&
	grep -q 'the read in D3hot reached the device' "$out/$c.err"; then
	ok "unobservable flow $c: incomplete (exit 3): $why"
else
	not_ok "unobservable flow $c: exit $rc, violations '$(live_rules $c)', incomplete '$why'"
fi

# check replays every recording to the same verdict (the footer carries what was not observed)
for f in "$out"/*.ndjson; do
	s=$(basename "$f" .ndjson)
	"$D0" check "$f" >/dev/null 2>&1
	crc=$?
	[[ $crc == $(cat "$out/$s.rc") ]] && ok "replay $s: same verdict ($crc)" || not_ok "replay $s: live exit $(cat "$out/$s.rc"), check exit $crc"
done
schema_ok "doctor -j with drivers" "$S" "$out"/*.doctor.json
schema_ok "audit -j lines" --lines --def audit_line "$S" "$out"/*.audit.json
schema_ok "traces" --lines --def trace_line "$S" "$out"/*.ndjson

summary variant
