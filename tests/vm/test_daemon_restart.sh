#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 6, restart continuity: a daemon stopped in the middle of a scenario
# and started again on its pins gives the same verdicts, state changes and
# kernel counts as one that ran throughout; the sequence carries on; what a
# tiny ring buffer lost while no daemon ran is a counted gap; a crash is
# survived; pins removed under the daemon are repaired; a stop with pins is
# fast; --release frees the pins and lets vfio unload; bad pin directories
# are refused precisely.
#
# usage: tests/vm/test_daemon_restart.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
# pins on two objects (the default where it pays: src/kernel/parallel_load.h)
vm_boot daemon-restart --env D0AUDIT_PARALLEL_LOAD=1 --timeout 900 -- tests/vm/daemon_restart_guest.sh
# rec NAME TYPE: the first record of that type in NAME's log (compact JSON)
rec() { jq -c --arg t "$2" 'select(.type == $t)' "$out/$1.jsonl" 2>/dev/null | head -1; }

if [[ -s $out/guest.log ]]; then not_ok "guest script: $(head -c 600 "$out/guest.log")"; else ok "guest script ran every step"; fi
for n in A B1 B2 C1 C2 C4; do
	[[ $(cat "$out/$n.rc" 2>/dev/null) == 0 ]] && ok "daemon $n: SIGTERM, exit 0" || not_ok "daemon $n: exit $(cat "$out/$n.rc" 2>&1); $(tail -3 "$out/$n.stderr")"
done

# stop: without pins the kernel detaches every trampoline; with pins nothing detaches
grep -qE 'detaching [0-9]+ hooks took [0-9]+ ms' "$out/A.stderr" && ok "without pins: hooks detached at stop ($(cat "$out/A.stop-ms") ms)" ||
	not_ok "without pins: $(tail -1 "$out/A.stderr")"
for n in B1 B2 C2; do
	ms=$(cat "$out/$n.stop-ms")
	((ms < 500)) && grep -q 'hooks stay attached, pinned in /sys/fs/bpf/d0audit' "$out/$n.stderr" &&
		ok "with pins: $n stopped in $ms ms, hooks stay attached" || not_ok "with pins: $n stop took $ms ms; $(tail -1 "$out/$n.stderr")"
done

# what is pinned: every map, the state record, one link per attached hook
att=$(jq -r 'select(.type == "start") | .hooks_attached' "$out/B1.jsonl")
links=$(grep -c '^link_' "$out/pins.txt")
grep -qx state "$out/pins.txt" && grep -qx map_events "$out/pins.txt" && grep -qx map_d0audit__bss "$out/pins.txt" && ((links == att)) &&
	ok "pinned: state, $(grep -c '^map_' "$out/pins.txt") maps, $links links (one per attached hook)" ||
	not_ok "pins: $links links for $att hooks; $(tr '\n' ' ' <"$out/pins.txt")"

# the restart: same verdicts, state changes and kernel counts as without it
stopA=$(rec A stop) stopB1=$(rec B1 stop) stopB2=$(rec B2 stop) res=$(rec B2 resume)
jq -e --argjson b1 "$stopB1" --argjson att "$att" '.previous == "stop" and .hooks_reopened == $att and
	.first_seq == $b1.delivered and .lost == 0 and .drained > 0' <<<"$res" >/dev/null &&
	ok "resume: $(jq -c '{previous, hooks_reopened, first_seq, drained, lost}' <<<"$res")" || not_ok "resume record: '$res' after '$stopB1'"
grep -qE "resumed from /sys/fs/bpf/d0audit after [0-9.]+ s \(clean stop\): $att hooks kept attached, [0-9]+ event\(s\) drained, 0 lost" "$out/B2.stderr" &&
	ok "resume reported on stderr" || not_ok "stderr at resume: $(grep -i resum "$out/B2.stderr")"
viol() { jq -r 'select(.type == "violation") | "\(.dev) rule \(.rule)"' "$@" | sort -u | tr '\n' ';'; }
va=$(viol "$out/A.jsonl") vb=$(viol "$out/B1.jsonl" "$out/B2.jsonl")
[[ -n $va && $va == "$vb" ]] && ok "violations per device the same with a restart: $va" || not_ok "violations: without restart '$va', with '$vb'"
states() { jq -r 'select(.type == "state") | "\(.dev) \(.from)>\(.to)"' "$@" | tr '\n' ';'; }
sa=$(states "$out/A.jsonl") sb=$(states "$out/B1.jsonl" "$out/B2.jsonl")
[[ -n $sa && $sa == "$sb" ]] && ok "the same $(grep -o ';' <<<"$sa" | wc -l) state changes in the same order" || not_ok "state changes: '$sa' vs '$sb'"
ka=$(jq -c '.kernel_violations' <<<"$stopA") kb=$(jq -c '.kernel_violations' <<<"$stopB2")
[[ $ka != '{}' && $ka == "$kb" ]] && ok "kernel violation counts the same: $kb" || not_ok "kernel counts: '$ka' vs '$kb'"
jq -e '.produced == .delivered and .lost == 0 and .pending == 0' <<<"$stopB2" >/dev/null &&
	ok "sequence continuous over the restart: $(jq -c '{produced, delivered, lost}' <<<"$stopB2") (without restart: $(jq -c '{produced, delivered}' <<<"$stopA"))" ||
	not_ok "final counts after restart: $stopB2"
seqs=$(jq -r 'select(.type == "state") | .seq' "$out/B1.jsonl" "$out/B2.jsonl" | tr '\n' ' ')
sort -nc <<<"$(tr ' ' '\n' <<<"$seqs" | grep .)" 2>/dev/null && ok "state seq numbers increase across both processes" || not_ok "seqs: $seqs"

# self-monitoring
jq -s -e 'any(.[]; .type == "pin_repaired" and .hook == "PCI_RPM_SUSPEND" and .problem == "removed")' "$out/B2.jsonl" >/dev/null &&
	grep -qx link_PCI_RPM_SUSPEND "$out/pins-after.txt" && ok "a removed link pin is noticed, logged and pinned again" ||
	not_ok "removed pin: $(grep -i pin "$out/B2.stderr" | head -3); pins after: $(grep -c link_ "$out/pins-after.txt")"
while read -r h rc msg; do
	if [[ $rc == 0 ]]; then
		jq -s -e --arg h "$h" 'any(.[]; .type == "gap" and .cause == "hook_detached" and .hook == $h)' "$out/B2.jsonl" >/dev/null &&
			ok "hook $h detached by bpftool: gap record" || not_ok "hook $h detached, no gap record"
	else
		ok "hook $h: this kernel refuses 'bpftool link detach': $msg"
	fi
done <"$out/detach-kinds"
grep -q 'failed link detach: Operation not supported' "$out/detach.out" && ok "fentry link detach: EOPNOTSUPP on this kernel" ||
	{ [[ $(cat "$out/detach.rc") == 0 ]] && jq -s -e 'any(.[]; .cause == "hook_detached" and .hook == "PCI_RPM_RESUME")' "$out/B2.jsonl" >/dev/null &&
		ok "fentry link detached: gap recorded"; } || not_ok "detach: rc $(cat "$out/detach.rc") $(cat "$out/detach.out")"
[[ $(cat "$out/release-busy.rc") == 2 ]] && grep -q 'another d0audit daemon is using /sys/fs/bpf/d0audit' "$out/release-busy.out" &&
	ok "--release refused while a daemon runs" || not_ok "--release while running: $(cat "$out/release-busy.rc") $(cat "$out/release-busy.out")"

# incompatible pins: released, a gap of unknown size
gap=$(rec C1 gap)
jq -e '.cause == "pins_incompatible" and .lost == null and (.reason | test("audit.ringbuf_size differs \\(pinned 4194304 bytes, configured 4096\\)"))' <<<"$gap" >/dev/null &&
	grep -q 'could not be reused: audit.ringbuf_size differs' "$out/C1.stderr" && ok "incompatible pins released: $(jq -r .reason <<<"$gap")" ||
	not_ok "incompatible pins: '$gap'"

# overflow while no daemon ran: a counted gap, and the totals still add up
gap=$(rec C2 gap) res=$(rec C2 resume) stop=$(rec C2 stop)
jq -e --argjson r "$res" '.cause == "ringbuf_full" and .window == "restart" and .lost > 0 and .lost == $r.lost' <<<"$gap" >/dev/null &&
	ok "overflow while down: gap record, $(jq .lost <<<"$gap") lost, $(jq .drained <<<"$res") drained" || not_ok "overflow gap: '$gap' resume '$res'"
jq -e '.produced == .delivered + .lost + .pending and .lost > 0' <<<"$stop" >/dev/null &&
	ok "produced = delivered + lost after an overflow: $(jq -c '{produced, delivered, lost}' <<<"$stop")" || not_ok "after overflow: $stop"

# a crash: the next start carries on from the last save
res=$(rec C4 resume) stop=$(rec C4 stop)
jq -e '.previous == "crash" and .drained > 0' <<<"$res" >/dev/null && jq -e '.produced == .delivered + .lost + .pending' <<<"$stop" >/dev/null &&
	ok "after SIGKILL and a step while down: resumed ($(jq -c '{previous, first_seq, drained, lost}' <<<"$res")), totals add up: $(jq -c '{produced, delivered, lost, pending}' <<<"$stop")" ||
	not_ok "after crash: '$res' '$stop'"

# bad pin directories
[[ $(cat "$out/bad-notbpf.rc") == 2 ]] && grep -q 'pin directory /tmp/notbpf is not on a BPF filesystem (bpffs)' "$out/bad-notbpf.out" &&
	ok "not bpffs: exit 2, $(cat "$out/bad-notbpf.out")" || not_ok "not bpffs: $(cat "$out/bad-notbpf.rc") $(cat "$out/bad-notbpf.out")"
[[ $(cat "$out/bad-missing.rc") == 2 ]] && grep -q 'pin directory /nonexistent/a/b cannot be created: /nonexistent/a does not exist' "$out/bad-missing.out" &&
	ok "missing parent: exit 2, $(cat "$out/bad-missing.out")" || not_ok "missing: $(cat "$out/bad-missing.rc") $(cat "$out/bad-missing.out")"

# release: vfio held by pinned links with no daemon, free after --release
[[ $(cat "$out/rmmod-pinned.rc") != 0 ]] && ok "pinned links hold vfio_pci_core with no daemon running ($(cat "$out/core-refs-before") references): $(cat "$out/rmmod-pinned.out")" ||
	not_ok "vfio_pci_core unloaded while pinned"
[[ $(cat "$out/release.rc") == 0 && $(cat "$out/pin-dir-after") == gone ]] && grep -qE '^released /sys/fs/bpf/d0audit: [0-9]+ pin\(s\) removed' "$out/release.out" &&
	ok "$(cat "$out/release.out")" || not_ok "release: $(cat "$out/release.rc") $(cat "$out/release.out") dir $(cat "$out/pin-dir-after")"
[[ $(cat "$out/release-again.rc") == 2 ]] && grep -q 'nothing pinned: /sys/fs/bpf/d0audit does not exist' "$out/release-again.out" &&
	ok "release with nothing pinned: exit 2, says so" || not_ok "release again: $(cat "$out/release-again.rc") $(cat "$out/release-again.out")"
[[ $(cat "$out/rmmod.rc") == 0 ]] && ok "vfio_pci_core unloads after --release ($(cat "$out/rmmod-ms") ms for the kernel to free the links)" ||
	not_ok "rmmod after release: $(cat "$out/rmmod.out")"

# late attach with pins: vfio's new links are pinned too, and the next start re-opens them all
att=$(jq -r 'select(.type == "attach") | .hooks_attached' "$out/L1.jsonl" 2>/dev/null | tail -1)
links=$(grep -c '^link_' "$out/pins-late.txt")
[[ $(cat "$out/L1.rc") == 0 && -n $att ]] && ((links == att)) && jq -s -e 'any(.[]; .type == "start" and .hooks_waiting > 0)' "$out/L1.jsonl" >/dev/null &&
	ok "late attach (vfio loaded after start): $links links pinned for $att hooks" || not_ok "late attach: $links links for '${att}' hooks, rc $(cat "$out/L1.rc")"
res=$(rec L2 resume) stop=$(rec L2 stop)
jq -e --argjson a "${att:-0}" '.hooks_reopened == $a and .lost == 0' <<<"$res" >/dev/null && ! grep -q 'have no pin' "$out/L2.stderr" &&
	jq -e '.produced == .delivered + .lost + .pending and .lost == 0' <<<"$stop" >/dev/null &&
	[[ $(jq -s '[.[] | select(.type == "state" and .to == "D3hot")] | length' "$out/L2.jsonl") -ge 1 ]] &&
	ok "restart after a late attach: all $att links re-opened, D3hot seen" || not_ok "after late attach: '$res' '$stop'; $(grep -i pin "$out/L2.stderr")"
waiting=$(jq -r 'select(.type == "start") | .hooks_waiting' "$out/L3.jsonl")
att4=$(jq -r 'select(.type == "start") | .hooks_attached' "$out/L4.jsonl") links=$(grep -c '^link_' "$out/pins-L4.txt")
[[ $waiting -gt 0 ]] && grep -q 'planned hook(s) have no pin in /sys/fs/bpf/d0audit: reloading and re-attaching every hook on the pinned maps' "$out/L4.stderr" &&
	[[ $att4 == "$att" ]] && ((links == att4)) && [[ -n $(rec L4 resume) ]] &&
	ok "vfio loaded while no daemon ran: the next start re-attaches every hook on the pinned maps ($att4 hooks, $links pins)" ||
	not_ok "vfio loaded while down: waiting '$waiting', attached '$att4' (want '$att'), $links pins; $(grep -iE 'pin|warn' "$out/L4.stderr" | head -3)"
stop=$(rec L4 stop)
jq -e '.produced == .delivered + .lost + .pending and .lost == 0' <<<"$stop" >/dev/null &&
	[[ $(jq -s '[.[] | select(.type == "state" and .to == "D3hot")] | length' "$out/L4.jsonl") -ge 1 ]] &&
	ok "after the re-attach: D3hot seen, $(jq -c '{produced, delivered, lost}' <<<"$stop")" || not_ok "after re-attach: '$stop'"

# every daemon log line of every run (start, state, violation, gap, resume, pin_repaired, stop)
schema_ok "daemon logs of $(ls "$out"/*.jsonl | wc -l) runs" --lines --def daemon_log "$S" "$out"/*.jsonl

summary daemon-restart
