#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 6 under a real service manager: the shipped tools/systemd unit and
# config, installed in a guest whose PID 1 is systemd (tools/vm/run
# --systemd), driven with systemctl. Type=notify start, capabilities after
# start, violations in the journal at warning priority, metrics (socket and
# textfile) allowed by the unit's sandbox, ExecReload, Restart=on-failure
# after a SIGKILL, a clean stop (Result=success), and the sandbox's exposure.
#
# usage: tests/vm/test_systemd.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
vm_boot systemd --systemd --timeout 600 -- tests/vm/systemd_guest.sh
dev=0000:00:03.0
# val FILE KEY: KEY=value line of a `systemctl show` dump
val() { sed -n "s/^$2=//p" "$out/$1"; }
metric() { awk -v m="$2" '$1 == m { print $2; f = 1 } END { if (!f) print "none" }' "$1"; }

if [[ -s $out/guest.log ]]; then not_ok "guest script: $(head -c 600 "$out/guest.log")"; else ok "guest script ran every step"; fi

# Type=notify: `systemctl start` returned once READY=1 came, and the service runs
[[ $(cat "$out/start.rc") == 0 && $(val after-start ActiveState) == active && $(val after-start SubState) == running &&
	$(val after-start Type) == notify ]] &&
	ok "systemctl start: ready and running after $(cat "$out/start-ms") ms (ExecStartPre --check-config passed)" ||
	not_ok "start: rc $(cat "$out/start.rc"), $(tr '\n' ' ' <"$out/after-start")"
grep -qE '^d0audit: daemon: [1-9][0-9] hooks attached' "$out/journal.txt" &&
	ok "journal: hooks attached under the unit's sandbox" || not_ok "journal: $(head -3 "$out/journal.txt")"

# privileges after start, from /proc/MAINPID/status
[[ $(awk '/^CapEff/ { print $2 }' "$out/caps") == 0000000000000000 && $(awk '/^CapPrm/ { print $2 }' "$out/caps") == 0000000000000000 &&
	$(awk '/^NoNewPrivs/ { print $2 }' "$out/caps") == 1 ]] &&
	ok "MainPID: CapEff and CapPrm zero, NoNewPrivs 1" || not_ok "MainPID status: $(tr '\n' ' ' <"$out/caps")"
# bounding set = exactly CAP_SYS_ADMIN(21) CAP_SYS_RESOURCE(24) CAP_PERFMON(38) CAP_BPF(39)
[[ $(awk '/^CapBnd/ { print $2 }' "$out/caps") == 000000c001200000 ]] &&
	ok "bounding set: CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_ADMIN only" || not_ok "CapBnd $(awk '/^CapBnd/ { print $2 }' "$out/caps")"
[[ $(cat "$out/log-perms") == $'755 root\n600 root' ]] &&
	ok "LogsDirectory and a 0600 log (UMask=0077)" || not_ok "log permissions: $(tr '\n' ' ' <"$out/log-perms")"

# the journal: human violation lines at warning (<4>), the rest at info (<6>)
for r in "5 ZAP_REVOKE_BEFORE_MEM_DISABLE" "10 BYPASS"; do
	n=$(jq -s --arg m "d0audit: VIOLATION rule $r on $dev: " '[.[] | select(.PRIORITY == "4" and (.MESSAGE | startswith($m)))] | length' "$out/journal.json")
	[[ $n == 1 ]] && ok "journal: rule ${r%% *} once at priority 4 (warning)" || not_ok "journal: rule ${r%% *} at priority 4: $n lines"
done
n=$(jq -s '[.[] | select(.PRIORITY != "4" and .PRIORITY != "6")] | length' "$out/journal.json")
[[ $n == 0 ]] && ok "journal: every other line at priority 6" || not_ok "journal: $n lines at other priorities"
jq -e -s '[.[] | select(.type == "violation")] | map(.rule) | sort == [5, 10]' "$out/events.jsonl" >/dev/null &&
	ok "JSON log: violations of rules 5 and 10" || not_ok "JSON log violations: $(grep -c violation "$out/events.jsonl")"

# metrics through the sandbox: socket in RuntimeDirectory, textfile in ReadWritePaths
for f in http.prom textfile.prom; do
	v5=$(metric "$out/$f" "d0audit_violations_total{rule=\"5\",device=\"$dev\"}")
	up=$(metric "$out/$f" d0audit_up)
	[[ $v5 == 1 && $up == 1 ]] && ok "$f: d0audit_up 1, rule 5 violation counted" || not_ok "$f: up=$up rule5=$v5"
done

# ExecReload, then Restart=on-failure after a SIGKILL
[[ $(cat "$out/reload.rc") == 0 ]] && grep -q '^d0audit: daemon: configuration reloaded' "$out/journal.txt" &&
	ok "systemctl reload: configuration reloaded" || not_ok "reload: rc $(cat "$out/reload.rc")"
[[ $(val after-crash ActiveState) == active && $(val after-crash NRestarts) == 1 && $(val after-crash MainPID) != "$(val after-start MainPID)" ]] &&
	ok "SIGKILL: restarted by Restart=on-failure (new MainPID $(val after-crash MainPID))" ||
	not_ok "after SIGKILL: $(tr '\n' ' ' <"$out/after-crash")"

# pins, and the SIGKILLed daemon's successor resumed from them
n=$(grep -c '^link_' "$out/pins")
((n > 10)) && grep -qx state "$out/pins" && ok "pinned in /sys/fs/bpf/d0audit: $n links and the state record" ||
	not_ok "pins: $(tr '\n' ' ' <"$out/pins" | head -c 300)"
jq -e -s 'any(.[]; .type == "resume" and .previous == "crash")' "$out/events.jsonl" "$out/events-after-restart.jsonl" >/dev/null &&
	ok "after SIGKILL the restarted daemon resumed from the pins (previous: crash)" ||
	not_ok "no resume record after the crash: $(grep -h resume "$out"/events*.jsonl | head -c 400)"

# stop: exit 0 within a second: pinned links are not detached
ms=$(cat "$out/stop-ms")
[[ $(cat "$out/stop.rc") == 0 && $(val after-stop Result) == success && $(val after-stop ExecMainStatus) == 0 && $ms -lt 1000 ]] &&
	ok "systemctl stop: Result=success, exit 0, $ms ms (pinned: nothing detached)" ||
	not_ok "stop: rc $(cat "$out/stop.rc") $ms ms $(tr '\n' ' ' <"$out/after-stop")"

# a step made while stopped is drained at the next start, none lost
res=$(jq -c 'select(.type == "resume" and .previous == "stop")' "$out/events-after-restart.jsonl" | tail -1)
[[ $(cat "$out/restart.rc") == 0 && -n $res ]] && jq -e '.drained > 0 and .lost == 0' <<<"$res" >/dev/null &&
	jq -e -s --arg d "$dev" '[.[] | select(.type == "state" and .dev == $d and .to == "D3hot")] | length >= 2' "$out/events-after-restart.jsonl" >/dev/null &&
	ok "systemctl start after a stop: steps made meanwhile drained ($(jq -c '{drained, lost}' <<<"$res")), their state changes logged" ||
	not_ok "restart: rc $(cat "$out/restart.rc"), resume '$res'"

# stopping for good: --release, then vfio unloads
[[ $(cat "$out/release.rc") == 0 && $(cat "$out/vfio-pci-after") == unloaded ]] &&
	ok "stop + d0audit daemon --release: $(head -1 "$out/release.out"); vfio_pci unloads" ||
	not_ok "release: rc $(cat "$out/release.rc") $(head -c 300 "$out/release.out"), vfio_pci $(cat "$out/vfio-pci-after"): $(tr '\n' ' ' <"$out/rmmod.out")"

# the sandbox: systemd-analyze security's exposure (0 best .. 10 worst); issue 15's goal: at most 2.0
exp=$(sed -n 's/.*Overall exposure level for d0audit.service: \([0-9.]*\).*/\1/p' "$out/security.txt")
awk -v e="${exp:-99}" 'BEGIN { exit !(e <= 2.0) }' && ok "systemd-analyze security: exposure $exp (<= 2.0)" ||
	not_ok "exposure '${exp}': $(tail -3 "$out/security.txt")"

# WatchdogSec=: the loop's WATCHDOG=1 kept it alive through the whole run (no watchdog kill)
[[ $(val after-start WatchdogUSec) == 30s ]] && ! grep -qi 'watchdog timeout' "$out/journal.txt" &&
	ok "WatchdogSec=30s, no watchdog timeout over the run" ||
	not_ok "watchdog: $(val after-start WatchdogUSec), $(grep -i watchdog "$out/journal.txt" | head -2)"

# cannot audit (EPERM): exit 3, not restarted, the last log record and the status say why
[[ $(val after-eperm ActiveState) == failed && $(val after-eperm ExecMainStatus) == 3 && $(val after-eperm NRestarts) == 0 ]] &&
	jq -e '.type == "cannot_audit" and (.reason | contains("EPERM")) and .exit_code == 3' "$out/eperm-last.jsonl" >/dev/null &&
	[[ $(val after-eperm StatusText) == "cannot audit: "*EPERM* ]] &&
	ok "cannot audit (EPERM): failed with exit 3, 0 restarts in 8 s, last record and status say why" ||
	not_ok "cannot audit: $(tr '\n' ' ' <"$out/after-eperm") last: $(head -c 300 "$out/eperm-last.jsonl")"
schema_ok "the cannot_audit record" --lines --def daemon_log "$S" "$out/eperm-last.jsonl"

schema_ok "daemon log, before and after the restarts" --lines --def daemon_log "$S" "$out/events.jsonl" "$out/events-after-restart.jsonl"

summary systemd
