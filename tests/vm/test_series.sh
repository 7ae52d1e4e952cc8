#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 13 §2: verdicts on the DMABUF-mmap series ("vfio/pci: Add mmap() for
# DMABUFs") on Debian 7.2.13, vfio-pci built from ../shared's rebased patches
# (tools/vm/build-vfio-modules). One boot runs the whole capture and rules
# suites' guest halves and the series' own flows; a second (root port) the
# hot reset. The capture and rules assertions are those suites' own, told the
# mapping model (--vfio-patches); then the series flows: every one clean, each
# new hook seen firing, the zap of every buffer before the device leaves D0.
#
# usage: tests/vm/test_series.sh [--kernel 7.2] [--keep DIR] [--from DIR] [--vfio-patches DIR]
#   --vfio-patches DIR  default: $D0AUDIT_SERIES_PATCHES, else ../shared/kernel/series-v4/rebased-7.2.13
#                       beside the (main) checkout
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

# ../shared beside the checkout (the main one, for a git worktree)
top=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/..
patches=${D0AUDIT_SERIES_PATCHES:-$top/../shared/kernel/series-v4/rebased-7.2.13}
[[ " $* " == *" --vfio-patches "* ]] || set -- "$@" --vfio-patches "$patches"
for ((i = 1; i < $#; i++)); do [[ ${!i} == --vfio-patches ]] && j=$((i + 1)) && patches=${!j}; done
if [[ ! -d $patches ]]; then
	echo "# SKIP series: no patch series at $patches (set D0AUDIT_SERIES_PATCHES or pass --vfio-patches DIR)"
	exit 77
fi
vm_test_args "$@"

# the negative control: the series with its DMABUF PTE zap dropped (built on the host, swapped in last)
neg=''
if [[ -z $from ]]; then
	neg=$(tools/vm/build-vfio-modules --kernel "$kernel" --patches "$vfio_patches" --edit tests/vm/series/zap-dropped.edit) ||
		not_ok "build of the zap-dropped negative control failed (see above)"
fi
vm_boot series --timeout 2400 ${neg:+--env D0AUDIT_SERIES_NEGATIVE="$neg"} -- 'mkdir -p /tmp/out/capture /tmp/out/rules
D0AUDIT_VM_OUT=/tmp/out/capture tests/vm/capture_guest.sh
D0AUDIT_VM_OUT=/tmp/out/rules tests/vm/rules_guest.sh
tests/vm/series_guest.sh'
if [[ -z $from ]]; then
	mkdir -p "$out/capture/rp"
	tools/vm/run --kernel "$kernel" --vfio-patches "$vfio_patches" --root-port --timeout 300 --out "$out/capture/rp" -- \
		build/static/d0audit record -o /tmp/out/hot-reset.ndjson -- build/vfio-exercise hot-reset \
		>"$out/capture/rp/hot-reset.out" 2>"$out/capture/rp/hot-reset.err"
fi

# The two suites' own assertions on this boot's outputs; their counts join ours.
for suite in capture rules; do
	log=$(tests/vm/test_$suite.sh --kernel "$kernel" --vfio-patches "$vfio_patches" --from "$out/$suite")
	sed "s/^/$suite: /" <<<"$log" | grep -v ": $suite: [0-9]* passed"
	line=$(grep -oE "^$suite: [0-9]+ passed, [0-9]+ failed" <<<"$log" | tail -1)
	if [[ -z $line ]]; then
		not_ok "$suite suite on the series: no summary line"
		continue
	fi
	p=${line#*: } p=${p%% passed*} f=${line##*passed, } f=${f%% failed}
	passed=$((passed + p)) failed=$((failed + f))
done

s=$out/series
dev=0000:00:03.0
t() { echo "$s/$1.ndjson"; }

# doctor: the DMABUF-backed model, every series hook attached (set_status through its clone)
grep -q '^mapping model:     DMABUF-backed PTEs' "$s/doctor.txt" && [[ $(cat "$s/doctor.rc") == 0 ]] &&
	ok "doctor (text): DMABUF-backed mapping model, ready" || not_ok "doctor text: $(head -12 "$s/doctor.txt")"
new_hooks='["MMAP_PREP_DMABUF_RET","DMABUF_MMAP_RET","DMABUF_REVOKE","DMABUF_REVOKE_RET","DMABUF_MEMATTR_RET",
	"DMABUF_SET_STATUS","LOCK_REVOKE_BARS","LOCK_REVOKE_BARS_RET","UNREVOKE_BARS","DMABUF_FIND_PFN_RET","FAULT_REFUSED_RET"]'
if jq -e --argjson want "$new_hooks" '.mapping_model == "dmabuf" and
	([.hooks[] | select(.name as $n | $want | index($n))] | length == ($want | length) and all(.status == "attached")) and
	(.hooks[] | select(.name == "DMABUF_SET_STATUS") | .symbol == "vfio_pci_dma_buf_set_status.part.0") and
	(.hooks[] | select(.name == "REVOKE_BARS") | .status == "unavailable" and (.reason | test("inlined")))' \
	"$s/doctor.json" >/dev/null; then
	ok "doctor -j: mapping_model dmabuf, the 11 series hooks attached, REVOKE_BARS explained (inlined)"
else
	not_ok "doctor -j: $(jq -c '{mapping_model, hooks: [.hooks[] | select(.status != "attached") | {name, status, reason}]}' "$s/doctor.json")"
fi
schema_ok "doctor -j on the series" --def doctor "$S" "$s/doctor.json"
schema_ok "series traces" --lines --def trace_line "$S" "$s"/*.ndjson

# every series flow: exit 0, no violation, a complete trace whose header names the model
for n in dmabuf-mmap dmabuf-revoke dmabuf-memattr dmabuf-mmap-reset dmabuf-d3hot; do
	rc=$(cat "$s/$n.rc")
	v=$(jq -r 'select(.type == "violation") | "\(.rule)@\(.dev)"' "$s/$n.audit.json" | sort -u | paste -sd, -)
	if [[ $rc == 0 && -z $v ]] && head -1 "$(t "$n")" | jq -e '.mapping_model == "dmabuf"' >/dev/null; then
		ok "series flow $n: clean ($(grep "^$n " "$s/durations" | cut -d' ' -f2-))"
	else
		not_ok "series flow $n: exit $rc, violations '$v': $(tail -3 "$s/$n.err")"
	fi
	expect_footer_clean "footer-clean:$n" "$(t "$n")"
done

# DMABUF mmap: export (learned), mmap of its fd is a grant, the fault through it maps that buffer
expect_order dmabuf-mmap "$(t dmabuf-mmap)" \
	' dmabuf-export exit DMABUF_EXPORT_RET .* un=1/1 ' ' dmabuf-mmap exit DMABUF_MMAP_RET D0>D0 a0=0 a1=0 ret=0 ' \
	' fault exit FAULT_INSERT_RET D0>D0 a0=0 a1=0 ret=256 .*st=.*mapped' ' dmabuf-release entry DMABUF_RELEASE '
# permanent revoke: one status change to PERM (2), importers told, the buffer's own zap, then refused
expect_order dmabuf-revoke "$(t dmabuf-revoke)" \
	' fault exit FAULT_INSERT_RET D0>D0 .* ret=256 .*st=.*mapped' \
	' dmabuf-revoke entry DMABUF_REVOKE D0>D0 a0=[0-9]+ ' ' dmabuf-status point DMABUF_SET_STATUS D0>D0 a0=2 a1=0 .*st=.*lock-held' \
	' dmabuf-flip point DMABUF_INVALIDATE D0>D0 a0=1 ' ' zap entry ZAP D0>D0 a0=1 .*st=.*lock-held' \
	' dmabuf-revoke exit DMABUF_REVOKE_RET D0>D0 .* ret=0 un=0/1 ' \
	' fault exit FAULT_REFUSED_RET D0>D0 a0=0 a1=3 ret=2 ' \
	' dmabuf-revoke exit DMABUF_REVOKE_RET .* ret=-77 ' \
	' dmabuf-create exit MMAP_PREP_DMABUF_RET D0>D0 a0=1 .* ret=0 un=1/2 ' ' fault exit FAULT_INSERT_RET .* ret=256 '
expect_none dmabuf-revoke-no-second-status "$(t dmabuf-revoke)" ' dmabuf-status point .* a0=2 a1=2 '
# the revoked buffer's fault was refused before any insert, and counted as refused
jq -e 'select(.type == "summary") | .refused >= 1' "$s/dmabuf-revoke.audit.json" >/dev/null &&
	ok "dmabuf-revoke: the refused fault is counted ($(jq -c 'select(.type == "summary") | {accesses, refused}' "$s/dmabuf-revoke.audit.json"))" ||
	not_ok "dmabuf-revoke summary: $(grep summary "$s/dmabuf-revoke.audit.json")"
expect_order dmabuf-memattr "$(t dmabuf-memattr)" \
	' dmabuf-memattr exit DMABUF_MEMATTR_RET D0>D0 a0=[0-9]+ a1=1 ret=0 ' ' dmabuf-mmap exit DMABUF_MMAP_RET .* ret=0 ' \
	' fault exit FAULT_INSERT_RET .* ret=256 '
# reset (the series' order): lock, D0, revoke with each buffer's zap (after D0), reset with nothing mapped, unrevoke
expect_order dmabuf-mmap-reset "$(t dmabuf-mmap-reset)" \
	' dmabuf-create exit MMAP_PREP_DMABUF_RET .* un=2/2 ' \
	' ioctl entry VFIO_IOCTL .* a0=15215 ' ' power-request entry VFIO_SET_POWER .* a0=0 ' \
	' dmabuf-move entry DMABUF_MOVE D0>D0 a0=1 .* un=2/2 .*st=.*lock-held,mapped' \
	' zap entry ZAP D0>D0 a0=1 .*ctx=.*dmabuf-move' ' zap entry ZAP D0>D0 a0=1 .*ctx=.*dmabuf-move' \
	' reset entry TRY_RESET D0>D0 .* un=0/2 ' ' dmabuf-move entry DMABUF_MOVE D0>D0 a0=0 ' \
	' dmabuf-move exit DMABUF_MOVE_RET D0>D0 a0=0 .* un=2/2 ' ' fault exit FAULT_INSERT_RET .* ret=256 '
expect_none dmabuf-mmap-reset-nothing-mapped-at-reset "$(t dmabuf-mmap-reset)" ' reset entry .*st=.*[,=]mapped(,|$)'
# D3hot with live DMABUF mappings: both buffers zapped under the lock before D0 is left; both refused
expect_order dmabuf-d3hot "$(t dmabuf-d3hot)" \
	' pm-ctrl-write entry VFIO_PM_CONFIG .* a1=3 ' ' revoke-bars entry LOCK_REVOKE_BARS D0>D0 a0=1 a1=0 .*st=.*mapped' \
	' zap entry ZAP D0>D0 a0=1 .*st=.*lock-held' ' zap entry ZAP D0>D0 a0=1 .*st=.*lock-held' \
	' revoke-bars exit LOCK_REVOKE_BARS_RET D0>D0 .* un=0/2 ' \
	' power-change exit PCI_SET_POWER_RET D0>D3hot .* un=0/2 ' \
	' fault exit FAULT_REFUSED_RET D3hot>D3hot a0=0 a1=3 ret=2 ' ' fault exit FAULT_REFUSED_RET D3hot>D3hot a0=0 a1=3 ret=2 ' \
	' power-change exit PCI_SET_POWER_RET D3hot>D0 ' ' dmabuf-move exit DMABUF_MOVE_RET D0>D0 a0=0 .* un=2/2 '
expect_none dmabuf-d3hot-unmapped-at-d3 "$(t dmabuf-d3hot)" ' power-change exit PCI_SET_POWER_RET D0>D3hot .*st=.*[,=]mapped(,|$)'
# no zap is inferred: without a zap event on it, a buffer stays mapped (the device inode is never zapped here)
expect_none no-device-inode-zap "$s"/dmabuf-d3hot.ndjson ' zap entry ZAP .* a0=0 '

# every new hook fired in the VM: events, or (no-event hot paths) the footer's hit counts
hooks_seen=$(cat "$s"/*.ndjson "$out"/capture/*.ndjson 2>/dev/null | jq -r 'select(.type == "event") | .hook' | sort -u)
hits=$(cat "$s"/*.ndjson | jq -s '[.[] | select(.type == "footer") | .hits | to_entries[]] | group_by(.key) |
	map({(.[0].key): (map(.value) | add)}) | add')
for h in MMAP_PREP_DMABUF_RET DMABUF_MMAP_RET DMABUF_REVOKE DMABUF_REVOKE_RET DMABUF_MEMATTR_RET DMABUF_SET_STATUS \
	LOCK_REVOKE_BARS LOCK_REVOKE_BARS_RET UNREVOKE_BARS FAULT_REFUSED_RET; do
	n=$(cat "$s"/*.ndjson "$out"/capture/*.ndjson 2>/dev/null | jq -r --arg h "$h" 'select(.type == "event" and .hook == $h) | .seq' | wc -l)
	grep -qx "$h" <<<"$hooks_seen" && ok "hook $h fired: $n events" || not_ok "hook $h: no event in any trace"
done
for h in DMABUF_FIND_PFN_RET FAULT_REFUSED_RET; do
	n=$(jq -r --arg h "$h" '.[$h] // 0' <<<"$hits")
	((n > 0)) && ok "hook $h ran $n times (footer hits)" || not_ok "hook $h: no hits ($hits)"
done

# Negative control: without the DMABUF PTE zap every flow that leaves D0, clears decode or resets
# with a mapped buffer is flagged, with the rule for that step (nothing is inferred from the revoke)
n=$s/zap-dropped
if [[ -f $n/swap.rc && $(cat "$n/swap.rc") == 0 ]]; then
	for want in pm-d3=1 cmd-mem=5 low-power=1 dmabuf-d3hot=1 dmabuf-mmap-reset=6; do
		f=${want%=*} r=${want#*=}
		got=$(jq -r 'select(.type == "violation") | "\(.rule)"' "$n/$f.audit.json" | sort -un | paste -sd, -)
		[[ ,$got, == *,$r,* ]] && ok "zap dropped: $f flagged rule $r (rules $got)" ||
			not_ok "zap dropped: $f not flagged with rule $r: rules '$got', exit $(cat "$n/$f.rc")"
	done
else
	not_ok "zap dropped: the negative control did not load: $(cat "$n/swap.out" 2>/dev/null | tail -3)"
fi

# report and the trace header name the mapping model
grep -q '^mapping model: DMABUF-backed PTEs' "$s/report.txt" && ok "report: mapping model line" ||
	not_ok "report: $(head -3 "$s/report.txt")"

summary series
