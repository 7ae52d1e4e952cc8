#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 6, the daemon in one guest under the unit's capability limits:
# JSON log (violations once per rule and device, state changes), metrics as
# textfile and over HTTP on a unix socket, CapEff zero after start, SIGHUP
# with a bad then a good config, SIGUSR1 after rotation, a full disk, and
# SIGTERM: exit 0 within a second with the final counters.
#
# usage: tests/vm/test_daemon.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
vm_boot daemon --timeout 600 -- tests/vm/daemon_guest.sh
dev=0000:00:03.0
ev=$out/events.jsonl
# metric FILE NAME{LABELS}: its value, or "none"
metric() { awk -v m="$2" '$1 == m { print $2; f = 1 } END { if (!f) print "none" }' "$1"; }

if [[ -s $out/guest.log ]]; then not_ok "guest script: $(cat "$out/guest.log")"; else ok "guest script ran every step"; fi

# privileges: everything dropped once attached (vfio-pci was loaded: nothing waits)
[[ $(awk '/^CapEff/ { print $2 }' "$out/caps") == 0000000000000000 && $(awk '/^CapPrm/ { print $2 }' "$out/caps") == 0000000000000000 ]] &&
	ok "CapEff and CapPrm zero after start" || not_ok "capabilities after start: $(tr '\n' ' ' <"$out/caps")"

# the JSON log
[[ $(cat "$out/events.mode") == 600 ]] && ok "output file mode 0600" || not_ok "output file mode $(cat "$out/events.mode")"
jq -e -s 'all(.[]; type == "object" and (.type | type) == "string" and (.time | type) == "number")' "$ev" >/dev/null &&
	ok "every output line is a JSON object with type and time" || not_ok "bad JSON lines in $ev: $(head -c 600 "$ev")"
jq -e -s '.[0].type == "start" and .[0].hooks_attached > 10 and .[0].hooks_waiting == 0' "$ev" >/dev/null &&
	ok "start record: $(head -1 "$ev" | jq -c '{hooks_attached, hooks_waiting}')" || not_ok "start record: $(head -1 "$ev")"
for r in 5 10; do
	n=$(jq -s --argjson r "$r" --arg d "$dev" '[.[] | select(.type == "violation" and .rule == $r and .dev == $d)] | length' "$ev")
	[[ $n == 1 ]] && ok "rule $r on $dev reported exactly once" || not_ok "rule $r on $dev reported $n times"
done
other=$(jq -r -s '[.[] | select(.type == "violation" and .rule != 5 and .rule != 10) | .rule] | join(",")' "$ev")
[[ -z $other ]] && ok "no other rule reported (pm-d3 is clean)" || not_ok "unexpected violations: rules $other"
jq -e -s '[.[] | select(.type == "violation")][0] | .step.function and .means and (.before | type) == "array"' "$ev" >/dev/null &&
	ok "violation lines carry audit -j's explanation" || not_ok "violation JSON: $(grep -m1 violation "$ev")"
[[ $(jq -s --arg d "$dev" '[.[] | select(.type == "state" and .dev == $d and .from == "D0" and .to == "D3hot")] | length' "$ev") -ge 1 ]] &&
	ok "state change D0 -> D3hot logged" || not_ok "no D0->D3hot state line: $(grep -c state "$ev") state lines"
grep -qE '^<4>d0audit: VIOLATION rule 10 BYPASS on 0000:00:03.0: ' "$out/stdout" &&
	ok "stdout: <4> human summary of the violation" || not_ok "stdout has no <4> violation line: $(head -5 "$out/stdout")"
grep -qE '^<6>\{"type":"state"' "$out/stdout" && ok "stdout: <6> JSON state lines" || not_ok "stdout: no <6> state line"

# metrics: textfile and HTTP agree on the series
for f in textfile.prom http.prom; do
	v5=$(metric "$out/$f" "d0audit_violations_total{rule=\"5\",device=\"$dev\"}")
	v10=$(metric "$out/$f" "d0audit_violations_total{rule=\"10\",device=\"$dev\"}")
	tr=$(metric "$out/$f" "d0audit_power_transitions_total{device=\"$dev\"}")
	hooks=$(metric "$out/$f" d0audit_hooks_attached)
	if [[ $v5 != none && $v5 -ge 1 && $v10 != none && $v10 -ge 1 && $tr != none && $tr -ge 2 && $hooks -gt 10 ]]; then
		ok "$f: violations rule 5=$v5 rule 10=$v10, transitions $tr, hooks $hooks"
	else
		not_ok "$f: rule 5=$v5 rule 10=$v10 transitions=$tr hooks=$hooks"
	fi
done
grep -q '^# TYPE d0audit_drops_total counter' "$out/http.prom" && [[ $(metric "$out/http.prom" 'd0audit_drops_total{cause="ringbuf_full"}') == 0 ]] &&
	ok "drops by cause exported, none" || not_ok "drops: $(grep drops "$out/http.prom")"
age=$(metric "$out/http.prom" d0audit_last_event_age_seconds)
awk -v a="$age" 'BEGIN { exit !(a >= 0 && a < 30) }' && ok "last event age $age s" || not_ok "last event age '$age'"
grep -q '^ok: ' "$out/healthz" && ok "/healthz: $(cat "$out/healthz")" || not_ok "/healthz: $(cat "$out/healthz")"
[[ $(cat "$out/http-404") == 404 && $(cat "$out/http-405") == 405 ]] && ok "HTTP: other paths 404, other methods 405" ||
	not_ok "HTTP codes: /nope $(cat "$out/http-404"), POST $(cat "$out/http-405")"

# SIGHUP
grep -qE 'reload rejected: /etc/d0audit/conf.d/50-test.conf:2: metrics.interval' "$out/stderr" &&
	ok "bad config rejected with file:line" || not_ok "bad reload: $(grep -i reload "$out/stderr")"
[[ $(cat "$out/reloaded") == yes ]] && ok "good config applied (new textfile written)" || not_ok "good config not applied"

# SIGUSR1
[[ $(cat "$out/rotated.mode") == 600 ]] && jq -e -s 'any(.[]; .type == "state")' "$out/rotated.jsonl" >/dev/null &&
	ok "SIGUSR1: new output file, 0600, written" || not_ok "after rotation: mode $(cat "$out/rotated.mode"), $(head -c 300 "$out/rotated.jsonl" 2>&1)"

# full disk
we=$(metric "$out/full.prom" d0audit_output_write_errors_total)
[[ $we != none && $we -ge 1 && $(cat "$out/full-alive") == alive ]] && grep -q 'writing /var/log/d0audit/full/events.jsonl failed: No space left on device' "$out/stderr" &&
	ok "full disk: $we write errors counted, reported, daemon alive" || not_ok "full disk: errors=$we $(cat "$out/full-alive"); $(grep -i writing "$out/stderr")"
[[ $(grep -c 'writing /var/log/d0audit/full/events.jsonl failed' "$out/stderr") == 1 ]] &&
	ok "full disk reported once per burst" || not_ok "full disk reported $(grep -c 'full/events.jsonl failed' "$out/stderr") times"

# SIGTERM
[[ $(cat "$out/daemon.rc") == 0 ]] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit $(cat "$out/daemon.rc")"
# the kernel's own detach cost (trampolines, kprobes: ~50 ms a hook under TCG) is reported apart
detach=$(grep -oE 'detaching [0-9]+ hooks took [0-9]+ ms' "$out/stderr" | grep -oE '[0-9]+ ms' | grep -oE '[0-9]+')
stopms=$(cat "$out/stop-ms")
[[ -n $detach ]] && ((stopms - detach < 1000)) && ok "stopped in $stopms ms, of which the kernel's detach $detach ms" ||
	not_ok "stop took $stopms ms (detach '${detach}' ms)"
stop=$(grep -E '^<6>\{"type":"stop"' "$out/stdout" | cut -c4-)
[[ -n $stop ]] && jq -e '.produced == .delivered and .lost == 0 and .kernel_violations.BYPASS >= 1' <<<"$stop" >/dev/null &&
	ok "final counters: $(jq -c '{produced, delivered, lost, kernel_violations}' <<<"$stop")" || not_ok "final record: '$stop'"
grep -qE 'd0audit: daemon: stopped by Terminated: [0-9]+ events produced' "$out/stderr" && ok "final counters on stderr" ||
	not_ok "stderr at stop: $(tail -3 "$out/stderr")"
[[ $(metric "$out/final.prom" d0audit_events_produced_total) == $(metric "$out/final.prom" d0audit_events_delivered_total) ]] &&
	[[ $(metric "$out/final.prom" d0audit_events_produced_total) != 0 ]] && ok "final textfile written" || not_ok "final textfile: $(grep events_ "$out/final.prom")"

schema_ok "daemon log, and after rotation" --lines --def daemon_log "$S" "$out/events.jsonl" "$out/rotated.jsonl"

summary daemon
