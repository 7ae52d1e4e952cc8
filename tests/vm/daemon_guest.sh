#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/vm/run): d0audit daemon under the capability
# limits of tools/systemd/d0audit.service, driven through a clean scenario
# and a violating one, reloaded with a bad and a good config, rotated, given
# a full disk, then stopped. Outputs in $D0AUDIT_VM_OUT; test_daemon.sh asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
D0=$PWD/build/static/d0audit
X=$PWD/build/vfio-exercise
dev=${D0AUDIT_VM_DEVICES%% *}
log=/var/log/d0audit
sock=/run/d0audit/metrics.sock
. tests/vm/guest_lib.sh
metrics() { curl -s --max-time 5 --unix-socket "$sock" "http://localhost$1"; }

mkdir -p /etc/d0audit/conf.d "$log" /run/d0audit /var/lib/d0audit
cat >/etc/d0audit/d0audit.conf <<'CONF'
[audit]
mode = strict
[output]
file = /var/log/d0audit/events.jsonl
stdout = yes
[metrics]
textfile = /var/lib/d0audit/d0audit.prom
listen = unix:/run/d0audit/metrics.sock
interval = 1s
CONF

# the unit's limits: bounding set CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_ADMIN (module BTF
# lookup, src/kernel/privileges.h), no new privileges, umask 0077
(umask 0077 && exec setpriv --bounding-set=-all,+bpf,+perfmon,+sys_resource,+sys_admin --inh-caps=-all --no-new-privs \
	"$D0" daemon) >"$out/stdout" 2>"$out/stderr" &
pid=$!
wait_for "$out/stderr" 'every capability dropped' 120
grep -E '^Cap(Eff|Prm|Bnd|Amb)' "/proc/$pid/status" >"$out/caps"

# a clean scenario, then one that breaks rules 5 and 10
$X -d "$dev" pm-d3 >/dev/null 2>>"$out/guest.log"
echo $? >"$out/pm-d3.rc"
$X -d "$dev" sysfs-cmd-mem >/dev/null 2>>"$out/guest.log"
echo $? >"$out/cmd-mem.rc"
sleep 2.5 # two textfile refreshes
cp "$log/events.jsonl" "$out/events.jsonl"
stat -c %a "$log/events.jsonl" >"$out/events.mode"
cp /var/lib/d0audit/d0audit.prom "$out/textfile.prom"
metrics /metrics >"$out/http.prom"
metrics /healthz >"$out/healthz"
curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$sock" http://localhost/nope >"$out/http-404"
curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$sock" -X POST http://localhost/metrics >"$out/http-405"

# SIGHUP: a bad drop-in is rejected (old config in force), a good one applied
echo -e '[metrics]\ninterval = soon' >/etc/d0audit/conf.d/50-test.conf
kill -HUP "$pid"
wait_for "$out/stderr" 'reload rejected' 10
echo -e '[metrics]\ntextfile = /var/lib/d0audit/reloaded.prom' >/etc/d0audit/conf.d/50-test.conf
kill -HUP "$pid"
wait_for "$out/stderr" 'configuration reloaded' 10
sleep 0.3
[[ -s /var/lib/d0audit/reloaded.prom ]] && echo yes >"$out/reloaded" || echo no >"$out/reloaded"

# SIGUSR1: logrotate moved the file; a new one is created, 0600
mv "$log/events.jsonl" "$log/events.jsonl.1"
kill -USR1 "$pid"
sleep 0.3
$X -d "$dev" pm-d3 >/dev/null 2>>"$out/guest.log"
sleep 0.3
stat -c %a "$log/events.jsonl" >"$out/rotated.mode" 2>&1
cp "$log/events.jsonl" "$out/rotated.jsonl" 2>>"$out/guest.log"

# full disk: the output on a 64k tmpfs, filled up
# (filled before the log is opened: a page the log already has would take a few lines)
mkdir -p "$log/full"
mount -t tmpfs -o size=64k tmpfs "$log/full"
dd if=/dev/zero of="$log/full/filler" bs=4k count=64 2>/dev/null
echo -e '[output]\nfile = /var/log/d0audit/full/events.jsonl' >/etc/d0audit/conf.d/60-full.conf
kill -HUP "$pid"
wait_for "$out/stderr" 'configuration reloaded' 10 2
sleep 0.3
$X -d "$dev" pm-d3 >/dev/null 2>>"$out/guest.log"
$X -d "$dev" pm-d3 >/dev/null 2>>"$out/guest.log"
sleep 1.5
metrics /metrics >"$out/full.prom"
kill -0 "$pid" && echo alive >"$out/full-alive" || echo dead >"$out/full-alive"

# SIGTERM: drained, final counters, exit 0 within a second
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
echo $? >"$out/daemon.rc"
echo $((($(date +%s%N) - start) / 1000000)) >"$out/stop-ms"
cp /var/lib/d0audit/reloaded.prom "$out/final.prom" 2>>"$out/guest.log"
exit 0
