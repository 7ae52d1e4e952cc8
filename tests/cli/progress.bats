#!/usr/bin/env bats
# Progress on stderr only when stderr is a terminal (script(1) gives it a pty), never
# with -j or -q, whatever NO_COLOR says; through pipes not one byte of it. The trace
# (tools/bench/synth.py: the 7.2 'vfio-exercise all' recording repeated) arrives through
# a FIFO that stalls for 1.5 s after 20000 lines, as a trace streamed from elsewhere would:
# the line appears after 0.5 s whatever the machine's speed (check reads 3 M events/s).

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}

setup_file() {
	export BIG=$BATS_FILE_TMPDIR/big.ndjson
	zcat tests/unit/fixtures/traces/all-7.2.ndjson.gz >"$BATS_FILE_TMPDIR/all.ndjson"
	python3 tools/bench/synth.py "$BATS_FILE_TMPDIR/all.ndjson" "$BIG" 150000 >/dev/null
}

setup() {
	command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
	tmp=$(mktemp -d)
}

slow() { # a FIFO that gives BIG's first 20000 lines, stalls, then the rest; prints its path
	local f
	f=$(mktemp -u "$tmp/slow-XXXXXX.ndjson")
	mkfifo "$f"
	# the writer lets go of $(...)'s pipe and bats' fd 3 before opening the FIFO blocks it
	(exec >/dev/null 2>&1 3>&-; { head -n 20000 "$BIG"; sleep 1.5; tail -n +20001 "$BIG"; } >"$f") &
	echo "$f"
}

teardown() {
	rm -rf "$tmp"
}

on_tty() { # FILE CMD: run CMD with stdout discarded and stderr on a pty; what the pty got into FILE.
	# CMD must exit 0 (script -e passes its status on): a crash fails the test.
	local f=$1 rc=0
	shift
	script -qec "$* >/dev/null" /dev/null >"$f" || rc=$?
	[ "$rc" -eq 0 ] || { echo "exit $rc from: $*"; cat "$f"; false; }
}

@test "progress: check and report show it on a terminal, then erase it" {
	on_tty "$tmp/check.tty" "$D0" check "$(slow)"
	grep -qE $'\rd0audit: check: reading slow-[A-Za-z0-9]+.ndjson: events [0-9]+ \\.\\.\\. [0-9]+s' "$tmp/check.tty"
	# erased at the end: the last thing on the line is blanks and a carriage return
	[[ $(tail -c 2 "$tmp/check.tty" | od -An -c | tr -d ' ') == '\r' ]]
	on_tty "$tmp/report.tty" "$D0" report "$(slow)"
	grep -qE $'\rd0audit: report: reading slow-[A-Za-z0-9]+.ndjson: events' "$tmp/report.tty"
}

@test "progress: NO_COLOR does not turn it off (it has no colour)" {
	on_tty "$tmp/nc.tty" env NO_COLOR=1 "$D0" check "$(slow)"
	grep -q 'd0audit: check: reading' "$tmp/nc.tty"
	run ! grep -q $'\033' "$tmp/nc.tty"
}

@test "progress: never with -j, -p or -q, even on a terminal" {
	for opt in -j -p -q; do
		on_tty "$tmp/o.tty" "$D0" "$opt" check "$(slow)"
		[ ! -s "$tmp/o.tty" ] || { echo "$opt: $(od -c "$tmp/o.tty" | head -3)"; false; }
	done
	on_tty "$tmp/q.tty" "$D0" -q report "$(slow)"
	[ ! -s "$tmp/q.tty" ]
}

@test "progress: not one byte of it through a pipe or into a file" {
	run --separate-stderr "$D0" check "$(slow)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	"$D0" report "$(slow)" 2>"$tmp/report.err" | tail -1 >/dev/null
	[ "${PIPESTATUS[0]}" -eq 0 ]
	[ ! -s "$tmp/report.err" ]
	[ "$("$D0" check "$(slow)" 2>&1 >/dev/null | wc -c)" -eq 0 ]
	"$D0" check "$(slow)" >/dev/null 2>&1
}
