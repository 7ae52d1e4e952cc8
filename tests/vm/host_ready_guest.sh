#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run --no-vfio --devices 3): d0audit starts
# before vfio-pci is loaded, attaches when it loads, audits three devices,
# one of them unbound and rebound while it runs, and holds the vfio modules
# while attached. Outputs in $D0AUDIT_VM_OUT; test_host_ready.sh asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
D0=build/static/d0audit
X=build/vfio-exercise
. tests/vm/guest_lib.sh
if command -v rmmod >/dev/null; then rmmod=rmmod; elif [[ -x /usr/sbin/rmmod ]]; then rmmod=/usr/sbin/rmmod; else rmmod="busybox rmmod"; fi
devmap_entries() { bpftool -j map dump name devices 2>/dev/null | jq length; }

[[ -d /sys/module/vfio_pci ]] && echo "vfio_pci loaded before the test" >>"$out/guest.log"
$D0 audit -j --wait-vfio --record "$out/late.ndjson" >"$out/audit.json" 2>"$out/audit.err" &
audit=$!
wait_for "$out/audit.err" 'hooks attached, mode' 120
$D0AUDIT_VM_LOAD_VFIO 2>>"$out/guest.log"
# modprobe loads vfio, vfio_iommu_type1, vfio_pci_core and vfio_pci in turn, and each
# late attach reloads every program (about 10 s under TCG): use the devices only once
# the round that saw vfio_pci_core is done (steps before it make the verdict incomplete)
wait_for "$out/audit.err" 'modules loaded after start \([^)]*vfio_pci_core[^)]*\): [0-9]+ more hooks attached' 120
for d in /sys/bus/pci/drivers/vfio-pci/0000:*; do echo "${d##*/}"; done >"$out/bound.txt"

# every device, through vfio: D3hot and back
mapfile -t devs <"$out/bound.txt"
for d in "${devs[@]}"; do
	$X -d "$d" pm-d3 >/dev/null 2>>"$out/guest.log"
	echo "$d $?" >>"$out/pm-d3.rc"
done

# modules are held while fentry programs are attached
$rmmod vfio_pci_core >"$out/rmmod-while.err" 2>&1
echo $? >"$out/rmmod-while.rc"

# unbind the last device (unregister), rebind it (register), use it again
last=${devs[-1]}
devmap_entries >"$out/devmap-before"
echo "$last" >/sys/bus/pci/drivers/vfio-pci/unbind
sleep 0.5
devmap_entries >"$out/devmap-unbound"
echo "$last" >/sys/bus/pci/drivers/vfio-pci/bind
sleep 0.5
$X -d "$last" pm-d3 >/dev/null 2>>"$out/guest.log"
echo $? >"$out/rebound.rc"

kill -INT "$audit"
wait "$audit"
echo $? >"$out/audit.rc"
# doctor --devices: kernel view vs PMCSR, idle, then with PM_CTRL written behind the PCI core
first=${devs[0]}
$D0 doctor --no-load --devices -j >"$out/devpower-idle.json"
pmctrl() { printf "\\x$1" | dd of="/sys/bus/pci/devices/$first/config" bs=1 seek=$((0xcc)) conv=notrunc status=none 2>>"$out/guest.log"; }
cat "/sys/bus/pci/devices/$first/power_state" >"$out/devpower-kernel-before"
if [[ $(cat "$out/devpower-kernel-before") == D3hot ]]; then pmctrl 00; else pmctrl 03; fi
$D0 doctor --no-load --devices -j >"$out/devpower-behind.json"
if [[ $(cat "$out/devpower-kernel-before") == D3hot ]]; then pmctrl 03; else pmctrl 00; fi
$D0 doctor --no-load --devices -j >"$out/devpower-restored.json"

# detached: the modules can go
$rmmod vfio_pci vfio_pci_core >"$out/rmmod-after.err" 2>&1
echo $? >"$out/rmmod-after.rc"

# the per-boot symbol cache (src/kernel/symbol_cache.h): the first start scans and keeps, the
# next one reads it, a module loaded since is a new key; the plan is the same as without it
plan() { jq -c '[.hooks[] | {name, status, symbol, reason}]'; }
rm -rf /run/d0audit
t0=$(date +%s%N); D0AUDIT_SYMBOL_CACHE=0 $D0 doctor --no-load -j | plan >"$out/sym-off.plan"; t1=$(date +%s%N)
$D0 -v doctor --no-load -j 2>"$out/sym-miss.err" | plan >"$out/sym-miss.plan"; t2=$(date +%s%N)
$D0 -v doctor --no-load -j 2>"$out/sym-hit.err" | plan >"$out/sym-hit.plan"; t3=$(date +%s%N)
echo "$(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000)) $(((t3 - t2) / 1000000))" >"$out/sym-ms"
$D0AUDIT_VM_LOAD_VFIO 2>>"$out/guest.log"
$D0 -v doctor --no-load -j 2>"$out/sym-reload.err" | plan >"$out/sym-reload.plan"
D0AUDIT_SYMBOL_CACHE=0 $D0 doctor --no-load -j | plan >"$out/sym-reload-off.plan"
$D0 -v doctor --no-load -j 2>"$out/sym-reload-hit.err" >/dev/null
exit 0
