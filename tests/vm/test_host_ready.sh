#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5, real-host readiness: d0audit started before vfio-pci (a daemon at
# boot) attaches when the modules load; three devices audited at once; one
# unbound (its state leaves the device map) and rebound while it runs; the
# vfio modules are held while attached and free once it stops.
#
# usage: tests/vm/test_host_ready.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
# late rounds on two objects (the default where it pays: src/kernel/parallel_load.h)
vm_boot host-ready --env D0AUDIT_PARALLEL_LOAD=1 --no-vfio --devices 3 --timeout 600 -- tests/vm/host_ready_guest.sh
D0=${D0AUDIT:-build/d0audit}
t=$out/late.ndjson

if [[ -s $out/guest.log ]]; then not_ok "guest script: $(cat "$out/guest.log")"; else ok "guest script ran every step"; fi

# late load: started with only the PCI-core hooks, the vfio ones attached when the modules appeared
# (audit ran with -j: its progress notes are JSON diagnostics, {"type":"info",...,"info":"audit: ..."})
if grep -qE '"info":"audit: [0-9]+ hooks attached' "$out/audit.err" &&
	grep -qE '"info":"modules loaded after start \([^)]*vfio_pci_core[^)]*\): [0-9]+ more hooks attached' "$out/audit.err"; then
	ok "late load: $(tr '\n' ' ' <"$out/audit.err")"
else
	not_ok "late load: $(cat "$out/audit.err")"
fi
late=$(jq -r 'select(.type == "footer") | [.late_attached[].name] | join(",")' "$t")
[[ ,$late, == *,VFIO_SET_POWER,* && ,$late, == *,ZAP,* && ,$late, == *,FAULT_INSERT_RET,* && ,$late, == *,REGISTER_RET,* ]] &&
	ok "footer lists the late hooks" || not_ok "footer late_attached: '$late'"
# each late hook's attach is in the stream, where check and report learn since when it watched
n_attach=$(jq -r 'select(.type == "attach" and .hook == "VFIO_CONFIG_RW") | .ts_ns' "$t" | wc -l)
[[ $n_attach == 1 ]] && ok "trace: VFIO_CONFIG_RW's late attach recorded once" || not_ok "trace: $n_attach attach records for VFIO_CONFIG_RW"
[[ $(jq -r 'select(.type == "header") | .hooks[] | select(.name == "VFIO_SET_POWER") | .status' "$t") == unavailable ]] &&
	ok "header: vfio hooks unavailable at start" || not_ok "header: VFIO_SET_POWER not unavailable at start"

# a correct kernel and client: clean, complete, live and offline
if [[ $(cat "$out/audit.rc") == 0 ]] &&
	jq -e 'select(.type == "summary") | .violations == [] and .incomplete == [] and .devices == 3' "$out/audit.json" >/dev/null; then
	ok "audit: 3 devices, clean and complete"
else
	not_ok "audit: exit $(cat "$out/audit.rc") $(jq -c 'select(.type == "summary") | {devices, violations, incomplete}' "$out/audit.json")"
fi
"$D0" check "$t" >/dev/null 2>&1 && ok "check on the late-attach trace: clean and complete" ||
	not_ok "check on the late-attach trace: exit $? $("$D0" check "$t" 2>&1 | tail -5)"

# many devices: each went D3hot and back through vfio, each tracked apart
for d in $(cat "$out/bound.txt"); do
	n=$(jq -r --arg d "$d" 'select(.type == "event" and .dev == $d and .kind == "power-change" and
		.power_before == "D0" and .power == "D3hot" and (.ctx | index("vfio-power")))' "$t" | grep -c '"seq"')
	if ((n >= 1)) && grep -q "^$d 0$" "$out/pm-d3.rc"; then ok "device $d: D0>D3hot via vfio seen"; else not_ok "device $d: $n transitions, $(grep "^$d" "$out/pm-d3.rc")"; fi
done
[[ $(wc -l <"$out/bound.txt") == 3 ]] && ok "3 devices bound" || not_ok "bound: $(cat "$out/bound.txt")"

# rebinding: unregister, then register, then the device works and is audited again
last=$(tail -1 "$out/bound.txt")
dev_events() { jq -r --arg d "$last" 'select(.type == "event" and .dev == $d) | "\(.seq) \(.kind) \(.phase) \(.hook) \(.power_before)>\(.power)"' "$t"; }
if dev_events | grep -nE ' unregister entry | register exit | power-change exit .* D0>D3hot' | cut -d' ' -f2-3 |
	tr '\n' ' ' | grep -qE 'unregister entry .*register exit .*power-change exit'; then
	ok "rebind $last: unregister, register, audited again"
else
	not_ok "rebind $last: $(dev_events | tail -20 | tr '\n' ';')"
fi
[[ $(cat "$out/rebound.rc") == 0 ]] && ok "rebound device works" || not_ok "rebound device: exerciser exit $(cat "$out/rebound.rc")"
b=$(cat "$out/devmap-before") u=$(cat "$out/devmap-unbound")
[[ $b == 3 && $u == 2 ]] && ok "unregister removes the device's state ($b -> $u entries)" || not_ok "device map entries: $b before unbind, $u after"

# module references: held while attached (fentry links), released on exit
[[ $(cat "$out/rmmod-while.rc") != 0 ]] && grep -qiE 'in use|unavailable|busy' "$out/rmmod-while.err" &&
	ok "vfio_pci_core held while attached: $(cat "$out/rmmod-while.err")" || not_ok "rmmod while attached: exit $(cat "$out/rmmod-while.rc") $(cat "$out/rmmod-while.err")"
[[ $(cat "$out/rmmod-after.rc") == 0 ]] && ok "vfio modules unload once d0audit stopped" || not_ok "rmmod after: $(cat "$out/rmmod-after.err")"

# the per-boot symbol cache: scanned once, then read; a module loaded since is a miss; same plan
read -r ms_off ms_miss ms_hit <"$out/sym-ms"
if grep -q 'symbols: cached in /run/d0audit/symbols' "$out/sym-miss.err" && grep -q 'symbols: from /run/d0audit/symbols' "$out/sym-hit.err" &&
	cmp -s "$out/sym-off.plan" "$out/sym-hit.plan" && cmp -s "$out/sym-off.plan" "$out/sym-miss.plan"; then
	ok "symbol cache: kept, then read, the same plan (doctor --no-load: $ms_off ms off, $ms_miss ms first, $ms_hit ms cached)"
else
	not_ok "symbol cache: miss '$(grep symbols: "$out/sym-miss.err")' hit '$(grep symbols: "$out/sym-hit.err")'; plans $(md5sum "$out"/sym-{off,miss,hit}.plan | cut -c1-8 | tr '\n' ' ')"
fi
if ! grep -q 'symbols: from' "$out/sym-reload.err" && grep -q 'symbols: from' "$out/sym-reload-hit.err" &&
	cmp -s "$out/sym-reload.plan" "$out/sym-reload-off.plan" && ! cmp -s "$out/sym-reload.plan" "$out/sym-off.plan"; then
	ok "symbol cache: vfio loaded since is a new key (rescanned, the same plan as without the cache)"
else
	not_ok "symbol cache after a module load: '$(grep symbols: "$out/sym-reload.err")' / '$(grep symbols: "$out/sym-reload-hit.err")'"
fi

# doctor --devices: the kernel's current_state against PMCSR from config space
agree() { jq -r '[.device_power[] | "\(.bdf)=\(.kernel)/\(.pmcsr)/\(.agree)"] | join(" ")' "$out/$1"; }
n_agree=$(jq '[.device_power[] | select(.agree)] | length' "$out/devpower-idle.json")
[[ $n_agree == 3 ]] && ok "doctor --devices idle: all agree ($(agree devpower-idle.json))" || not_ok "doctor --devices idle: $(agree devpower-idle.json)"
first=$(head -1 "$out/bound.txt")
if jq -e --arg d "$first" '[.device_power[] | select(.agree | not) | .bdf] == [$d] and
	(.device_power[] | select(.bdf == $d) | .note | test("kernel says D[03](hot)?, PMCSR says D[03]"))' "$out/devpower-behind.json" >/dev/null; then
	ok "doctor --devices flags PM_CTRL written behind the PCI core: $(jq -r --arg d "$first" '.device_power[] | select(.bdf == $d) | .note' "$out/devpower-behind.json")"
else
	not_ok "doctor --devices behind: $(agree devpower-behind.json)"
fi
[[ $(jq '[.device_power[] | select(.agree)] | length' "$out/devpower-restored.json") == 3 ]] && ok "doctor --devices restored: all agree" ||
	not_ok "doctor --devices restored: $(agree devpower-restored.json)"

summary host-ready
