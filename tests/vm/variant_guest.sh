#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run --virtio-net --vfio-modules <build with
# --variant virtio>): the modern virtio-net bound to virtio_vfio_pci, the
# e1000e to vfio-pci. For the stock variant and then each mutant variant
# (D0AUDIT_VARIANT_MUTANTS="name=dir ...", swapped in this boot): doctor, and
# the variant-d3-read scenario under `d0audit audit -j --record`. Outputs in
# $D0AUDIT_VM_OUT; test_variant.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
vnet=${D0AUDIT_VM_VIRTIO_NET:?boot with tools/vm/run --virtio-net}
e1000e=${D0AUDIT_VM_DEVICES%% *}
D0=build/static/d0audit
log() { echo "$*" >>"$out/guest.log"; }
if command -v rmmod >/dev/null; then rm_mod=rmmod ins_mod=insmod; else rm_mod="busybox rmmod" ins_mod="busybox insmod"; fi

# bind_variant: the virtio-net from virtio-pci (or nothing) to virtio_vfio_pci
bind_variant() {
	local d=/sys/bus/pci/devices/$vnet drv
	echo virtio_vfio_pci >"$d/driver_override"
	[[ ! -e $d/driver ]] || echo "$vnet" >"$d/driver/unbind"
	echo "$vnet" >/sys/bus/pci/drivers_probe 2>/dev/null
	drv=$(readlink "$d/driver")
	[[ ${drv##*/} == virtio_vfio_pci ]] || { log "$vnet did not bind to virtio_vfio_pci (driver: ${drv##*/})"; return 1; }
}
# swap_variant DIR: load another build of virtio-vfio-pci.ko (vfio-pci-core stays: same build-id)
swap_variant() {
	local dir=$1
	echo "$vnet" >/sys/bus/pci/drivers/virtio_vfio_pci/unbind
	$rm_mod virtio_vfio_pci || { log "rmmod virtio_vfio_pci failed"; return 1; }
	cmp -s /sys/module/vfio_pci_core/notes/.note.gnu.build-id "$dir/vfio-pci-core.build-id" ||
		{ log "$dir was built against another vfio-pci-core"; return 1; }
	$ins_mod "$dir/virtio-vfio-pci.ko" || { log "insmod $dir/virtio-vfio-pci.ko failed"; return 1; }
	cmp -s /sys/module/virtio_vfio_pci/notes/.note.gnu.build-id "$dir/virtio-vfio-pci.build-id" ||
		{ log "the loaded virtio_vfio_pci is not $dir's"; return 1; }
	bind_variant
}
# run_case NAME TEXT: doctor (-j; and text if TEXT is 1), then audit the D3hot read through the variant
# (each doctor loads and attaches every hook: the text form only where the test reads it)
run_case() {
	local name=$1 text=$2
	if ((text)); then
		"$D0" doctor >"$out/$name.doctor.txt" 2>&1
		echo $? >"$out/$name.doctor.rc"
	fi
	"$D0" doctor -j >"$out/$name.doctor.json" 2>/dev/null
	"$D0" audit -j --record "$out/$name.ndjson" -- build/vfio-exercise -d "$vnet" variant-d3-read \
		>"$out/$name.audit.json" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
	# where tracing multi links serve the accessor rows (7.2+): once more on their own programs
	if [[ $name == accessor-no-gate ]]; then
		D0AUDIT_NO_MULTI=1 "$D0" -v audit -j --record "$out/$name-own.ndjson" -- build/vfio-exercise -d "$vnet" \
			variant-d3-read >"$out/$name-own.audit.json" 2>"$out/$name-own.err"
		echo $? >"$out/$name-own.rc"
	fi
}

{
	echo "virtio-net $vnet, e1000e $e1000e"
	grep -E ' (vfio_pci_core_io(read|write)(8|16|32|64)|virtiovf_vfio_pci_(lm_|tran_lm_)?ops)[[:space:]]' /proc/kallsyms
	# is it a VF, and does its PF offer the admin queue (legacy I/O)? QEMU's virtio-net is neither
	echo "is a VF: $([[ -e /sys/bus/pci/devices/$vnet/physfn ]] && echo yes || echo no)"
	echo "SR-IOV capable: $([[ -e /sys/bus/pci/devices/$vnet/sriov_totalvfs ]] && echo yes || echo no)"
	echo "vendor:device $(cat "/sys/bus/pci/devices/$vnet/vendor"):$(cat "/sys/bus/pci/devices/$vnet/device")"
} >"$out/facts.txt"
bind_variant || exit 1
run_case stock 1
# the same scenario on the e1000e through vfio-pci: every op is core
"$D0" audit -j --record "$out/vfio-pci.ndjson" -- build/vfio-exercise -d "$e1000e" variant-d3-read \
	>"$out/vfio-pci.audit.json" 2>"$out/vfio-pci.err"
echo $? >"$out/vfio-pci.rc"
for m in ${D0AUDIT_VARIANT_MUTANTS:-}; do
	swap_variant "${m#*=}" || exit 1
	run_case "${m%%=*}" "$([[ $m == private-ioread=* ]] && echo 1 || echo 0)"
done
dmesg >"$out/dmesg.txt"
exit 0
