#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest (tools/vm/run): the README's example sessions, one per
# user group, as a user types them. Each session is a transcript in
# $D0AUDIT_VM_OUT/<name>.txt: "$ command" lines, then what the command wrote
# (stdout and stderr, in order), then "[exit N]". The README pastes them.
#
#   tools/vm/run --kernel 7.2 --out DIR -- tests/vm/examples_guest.sh
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
bin=/tmp/examples-bin
mkdir -p "$bin"
ln -sf "$PWD/build/static/d0audit" "$bin/d0audit"
ln -sf "$PWD/build/vfio-exercise" "$bin/vfio-exercise"
export PATH=$bin:$PATH
work=/tmp/ci
mkdir -p "$work"

# say FILE CMD...: the prompt line, the command's output (stdout and stderr merged), its exit status
say() {
	local f=$1
	shift
	printf '$ %s\n' "$*" >>"$f"
	(cd "$work" && "$@") >>"$f" 2>&1
	printf '[exit %d]\n' $? >>"$f"
}
# sh FILE 'SHELL LINE': the same for a pipeline
sh() {
	printf '$ %s\n' "$2" >>"$1"
	(cd "$work" && bash -c "$2") >>"$1" 2>&1
	printf '[exit %d]\n' $? >>"$1"
}

# --- one-shot CLI: doctor, then an audit around a command that writes config behind vfio's back
say "$out/cli.txt" d0audit audit -- vfio-exercise sysfs-pm-d3
say "$out/cli.txt" d0audit audit --duration 5s -- vfio-exercise pm-d3
d0audit -j doctor >"$out/doctor.json" 2>"$out/doctor.err"
d0audit -j audit -- vfio-exercise sysfs-cmd-mem >"$out/audit.json" 2>"$out/audit.err"

# --- progress while ~60 BPF programs load (seconds under TCG): on a terminal only (test_examples.sh)
script -qec 'd0audit doctor >/dev/null' /dev/null >"$out/progress.tty" 2>&1
d0audit doctor 2>"$out/progress.pipe" >/dev/null

# --- CI: record while the test suite drives vfio, then assert offline
say "$out/ci.txt" d0audit record -o run.ndjson.gz -- vfio-exercise all
cp "$work/run.ndjson.gz" "$out/run.ndjson.gz"
say "$out/ci.txt" d0audit check run.ndjson.gz --require reset::1 --require power-change::2 --require zap::1
say "$out/ci.txt" d0audit check run.ndjson.gz --require reset::1 --require hot-reset::1 --format junit

# --- ops: the daemon, a violation in its log, the metrics
mkdir -p /etc/d0audit /var/log/d0audit /run/d0audit
cat >/etc/d0audit/d0audit.conf <<'CONF'
[output]
file = /var/log/d0audit/events.jsonl
stdout = yes
[metrics]
listen = unix:/run/d0audit/metrics.sock
CONF
cp /etc/d0audit/d0audit.conf "$out/d0audit.conf"
d0audit daemon >"$out/daemon.stdout" 2>"$out/daemon.stderr" &
pid=$!
for ((i = 0; i < 1200; i++)); do
	grep -q 'hooks attached' "$out/daemon.stderr" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
vfio-exercise sysfs-cmd-mem >/dev/null 2>&1
sleep 1
sh "$out/ops.txt" "d0audit daemon --check-config"
sh "$out/ops.txt" "jq -c 'select(.type == \"violation\")' /var/log/d0audit/events.jsonl | head -1 | jq ."
sh "$out/ops.txt" "curl -s --unix-socket /run/d0audit/metrics.sock http://localhost/metrics | grep -E '^d0audit_(violations_total|kernel_violations_total|hooks_attached|drops_total|up)'"
cp /var/log/d0audit/events.jsonl "$out/events.jsonl"
kill -TERM "$pid"
wait "$pid"
echo "daemon exit $?" >>"$out/daemon.stderr"
exit 0
