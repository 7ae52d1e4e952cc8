#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's example sessions, run again in a guest (tests/vm/examples_guest.sh):
# each session ends the way the README shows (exit codes, the lines that matter),
# and the JSON it wrote - the daemon's log, audit -j, doctor -j, the trace - follows
# the output schema. The transcripts are in DIR with --keep: the README pastes them
# (timings and pids change from run to run; the rest must not).
#
# usage: tests/vm/test_examples.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
vm_boot examples --timeout 900 -- tests/vm/examples_guest.sh

# expect_in NAME FILE FIXED-STRING...: each string is a line of FILE, in that order
expect_in() {
	local name=$1 f=$2 want rest
	shift 2
	rest=$(cat "$f" 2>/dev/null)
	for want; do
		if ! grep -qxF -- "$want" <<<"$rest"; then
			not_ok "$name: no line '$want' (in order) in $f"
			return
		fi
		rest=$(sed -n "\\|^$(printf '%s' "$want" | sed 's/[]\/$*.^[|]/\\&/g')\$|,\$p" <<<"$rest" | tail -n +2)
	done
	ok "$name"
}

expect_in "cli: bypass flagged, exit 1" "$out/cli.txt" '$ d0audit audit -- vfio-exercise sysfs-pm-d3' \
	"VIOLATION rule 10 BYPASS on 0000:00:03.0: PM_CTRL, COMMAND, a BAR or FLR written, or BARs mmapped, behind vfio's back, or a bridge above it reset or cut off" \
	'verdict: VIOLATIONS' '[exit 1]'
expect_in "cli: vfio's own path clean, exit 0" "$out/cli.txt" '$ d0audit audit --duration 5s -- vfio-exercise pm-d3' \
	'verdict: clean' '[exit 0]'
expect_in "ci: record complete" "$out/ci.txt" '$ d0audit record -o run.ndjson.gz -- vfio-exercise all' 'ok: all' '[exit 0]'
expect_in "ci: check with requirements met" "$out/ci.txt" \
	'$ d0audit check run.ndjson.gz --require reset::1 --require power-change::2 --require zap::1' 'verdict: clean' '[exit 0]'
expect_in "ci: junit names the unmet requirement, exit 3" "$out/ci.txt" \
	'  <testcase classname="d0audit.require" name="hot-reset::1" time="0"><failure type="require-unmet" message="0 event(s), need 1"/></testcase>' '[exit 3]'
expect_in "ops: config valid" "$out/ops.txt" '$ d0audit daemon --check-config' '[exit 0]'
grep -q '^<4>d0audit: VIOLATION rule 10 BYPASS on 0000:00:03.0' "$out/daemon.stdout" &&
	ok "ops: violation on the daemon's stdout at warning level" || not_ok "ops: no <4> violation line: $(head -c 300 "$out/daemon.stdout")"
grep -qE '^d0audit_violations_total\{rule="10",device="0000:00:03.0"\} [1-9]' "$out/ops.txt" &&
	ok "ops: metrics count the violation" || not_ok "ops: metrics: $(grep violations "$out/ops.txt")"
grep -q '^daemon exit 0$' "$out/daemon.stderr" && ok "ops: daemon stopped cleanly" || not_ok "ops: $(tail -2 "$out/daemon.stderr")"

# progress: the loader's steps on a terminal, then erased; through a pipe not a byte
if grep -q $'\rd0audit: loading BPF programs (the kernel verifies each) ... [0-9]*s' "$out/progress.tty" &&
	grep -q $'\rd0audit: attaching [0-9]*/[0-9]* ... [0-9]*s' "$out/progress.tty" &&
	[[ $(tail -c 1 "$out/progress.tty" | od -An -c | tr -d ' ') == '\r' ]]; then
	ok "progress on a terminal: $(tr '\r' '\n' <"$out/progress.tty" | grep -c 'd0audit: ') redraws, erased at the end"
else
	not_ok "progress on a terminal: $(od -c "$out/progress.tty" | head -5)"
fi
[[ ! -s $out/progress.pipe ]] && ok "no progress through a pipe" || not_ok "progress through a pipe: $(od -c "$out/progress.pipe" | head -3)"

schema_ok "daemon log" --lines --def daemon_log "$S" "$out/events.jsonl"
sed 's/^<[0-9]>//' "$out/daemon.stdout" | grep '^{' >"$out/daemon-stdout.jsonl"
schema_ok "daemon stdout's JSON lines" --lines --def daemon_log "$S" "$out/daemon-stdout.jsonl"
schema_ok "audit -j" --lines --def audit_line "$S" "$out/audit.json"
schema_ok "doctor -j" --def doctor "$S" "$out/doctor.json"
schema_ok "the CI trace" --lines --def trace_line "$S" "$out/run.ndjson.gz"

summary examples
