#!/usr/bin/env bats
# Bad input everywhere (issue 7): every command, every kind of wrong value or
# file gets an exact message and exit code; nothing crashes, hangs or leaves
# half-written output behind without saying so. cli.bats has the basics.

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "every command: an unknown flag names the flag in one line with a pointer to --help, exit 2" {
	# issue 15: one line and "try --help", not the whole usage
	for c in doctor audit record check report rules daemon; do
		run "$D0" "$c" --no-such-flag
		[ "$status" -eq 2 ]
		[ "$output" = "d0audit: error: $c: unrecognized option '--no-such-flag'; try 'd0audit $c --help'" ]
	done
	run "$D0" check -x "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: check: invalid option -- 'x'; try 'd0audit check --help'" ]
}

@test "every command: a flag without its value says so, exit 2" {
	run "$D0" record -o
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "d0audit: error: record: option requires an argument -- 'o'; try 'd0audit record --help'" ]]
	run "$D0" audit --duration
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "d0audit: error: audit: option '--duration' requires an argument; try"* ]]
	run "$D0" check --require
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "d0audit: error: check: option '--require' requires an argument; try"* ]]
}

@test "bad durations: zero, negative, unknown unit, overflow; record and audit, exit 2" {
	for d in 0 0s -5s 10x 5d '5 s' '' 99999999999999999999s 18446744073709551615h; do
		for c in record audit; do
			run "$D0" "$c" -o "$tmp/t.ndjson" --duration "$d"
			[ "$status" -eq 2 ]
			[ "$output" = "d0audit: error: $c: bad --duration '$d' (examples: 90, 90s, 250ms, 2m)" ]
		done
	done
	[ ! -e "$tmp/t.ndjson" ]
}

@test "bad --ringbuf-size values, exit 2" {
	for v in 0 4MB 1k 2G 99999999999999999999 -4M; do
		run "$D0" record -o "$tmp/t.ndjson" --ringbuf-size "$v"
		[ "$status" -eq 2 ]
		[ "$output" = "d0audit: error: record: bad --ringbuf-size '$v': a power of two from 4k to 1G" ]
	done
}

@test "check: bad --require counts (overflow, zero, too long) and --allow, exit 2, each saying what is wrong" {
	try="(EVENT[:DEVICE][:MIN]); try 'd0audit check --help'"
	for q in "zap::99999999999999999999|the count 99999999999999999999 is too big (at most 18446744073709551615)" \
		"zap::0|a count of 0 is met by any trace: give 1 or more" \
		"zap:0000:00:03.0:0|a count of 0 is met by any trace: give 1 or more" \
		"zap::$(printf '1%.0s' {1..130})|longer than 127 characters" \
		"zapp:1|'zapp' is not an event kind (zap, fault, power-change, dmabuf-move, reset, ...: the kinds of the trace format)" \
		"zap:00:03:1|'00:03:1' is not a device: DDDD:BB:DD.F, lspci's BB:DD.F, or '*' or nothing for any" \
		"zap:xx:yy|'xx:yy' is not a device: DDDD:BB:DD.F, lspci's BB:DD.F, or '*' or nothing for any" \
		"zap:0000:00:03.0:x|the count 'x' is not a number"; do
		run "$D0" check --require "${q%%|*}" "$FIX/pm-d3-7.2.ndjson.gz"
		[ "$status" -eq 2 ]
		[ "$output" = "d0audit: error: check: bad --require '${q%%|*}': ${q#*|} $try" ]
	done
	for a in "0|'0' is not a rule: an id 1-12 or a name from 'd0audit rules'" "13|'13' is not a rule: an id 1-12 or a name from 'd0audit rules'" \
		"BYPASS:nowhere|'nowhere' is not a device: DDDD:BB:DD.F or lspci's BB:DD.F" \
		"BYPASS:|'' is not a device: DDDD:BB:DD.F or lspci's BB:DD.F"; do
		run "$D0" check --allow "${a%%|*}" "$FIX/pm-d3-7.2.ndjson.gz"
		[ "$status" -eq 2 ]
		[ "$output" = "d0audit: error: check: bad --allow '${a%%|*}': ${a#*|} (RULE[:DEVICE]); try 'd0audit check --help'" ]
	done
	# lspci's short form is taken, with its domain said
	run "$D0" check --require zap:00:03.0:2 --allow BYPASS:00:03.0 "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
	[[ ${lines[0]} == "d0audit: check: --require zap:00:03.0:2: device taken as 0000:00:03.0 (domain 0000)" ]]
	[[ ${lines[1]} == "d0audit: check: --allow BYPASS:00:03.0: device taken as 0000:00:03.0 (domain 0000)" ]]
	[[ $output == *"ALLOWED rule 10 BYPASS on 0000:00:03.0"* ]]
}

@test "check: missing, directory and unreadable traces, exit 2 (cannot open) or 3 (cannot read)" {
	run "$D0" check "$tmp/missing.ndjson"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: cannot open trace $tmp/missing.ndjson: No such file or directory" ]
	run "$D0" check "$tmp"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: cannot open trace $tmp: Is a directory" ]
	# opens, but every read fails (EIO): the same path as a failing disk
	run "$D0" check /proc/self/mem
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == "d0audit: error: check: /proc/self/mem:1: read error: Input/output error" ]]
}

@test "check: a chmod 000 trace is refused with the reason (skipped as root)" {
	[ "$(id -u)" -eq 0 ] && skip "root reads mode-000 files; the directory and /proc cases above cover it"
	cp "$FIX/pm-d3-7.2.ndjson.gz" "$tmp/locked.ndjson.gz"
	chmod 000 "$tmp/locked.ndjson.gz"
	run "$D0" check "$tmp/locked.ndjson.gz"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: cannot open trace $tmp/locked.ndjson.gz: Permission denied" ]
}

@test "check: an empty file and a trace without header, exit 3" {
	: >"$tmp/empty.ndjson"
	run "$D0" check "$tmp/empty.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/empty.ndjson:1: empty file: not a d0audit trace (no header)" ]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | sed 1d >"$tmp/noheader.ndjson"
	run "$D0" check "$tmp/noheader.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/noheader.ndjson:1: first line is not a d0audit trace header" ]
	echo '{"type":"header"}' >"$tmp/noformat.ndjson"
	run "$D0" check "$tmp/noformat.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/noformat.ndjson:1: header has no valid \"format\": not a d0audit trace" ]
}

@test "check: a good header then a malformed line names the line, judges what came before, exit 3" {
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -n 5 >"$tmp/bad.ndjson"
	echo '{"type":"event",' >>"$tmp/bad.ndjson"
	run "$D0" check "$tmp/bad.ndjson"
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == "d0audit: error: check: $tmp/bad.ndjson:6: not valid JSON: "* ]]
	[[ $output == *"(verdict covers the 4 intact events before it)"* ]]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -n 3 >"$tmp/type.ndjson"
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | sed -n 4p | sed 's/"seq":[0-9]*/"seq":"four"/' >>"$tmp/type.ndjson"
	run "$D0" check "$tmp/type.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/type.ndjson:4: bad event: field 'seq' missing or not an integer" ]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -n 2 >"$tmp/kind.ndjson"
	echo '{"type":"teleport"}' >>"$tmp/kind.ndjson"
	run "$D0" check "$tmp/kind.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/kind.ndjson:3: unknown record type 'teleport'" ]
}

@test "check: fields of the wrong type or out of range name the field and the line, exit 3" {
	ev=$(zcat "$FIX/pm-d3-7.2.ndjson.gz" | sed -n 4p)
	for edit in 's/"pid":[0-9]*/"pid":4294967296/' 's/"seq":[0-9]*/"seq":-1/' 's/"dmabufs":[0-9]*/"dmabufs":70000/' \
		's/"a0":[0-9]*/"a0":"1"/' 's/"violations":\[[0-9,]*\]/"violations":7/'; do
		{ zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -n 3; sed "$edit" <<<"$ev"; } >"$tmp/t.ndjson"
		run "$D0" check "$tmp/t.ndjson"
		[ "$status" -eq 3 ]
		[[ ${lines[0]} == "d0audit: error: check: $tmp/t.ndjson:4: bad event: field '"* ]]
	done
	[[ ${lines[0]} == *"field 'violations' is not an array of rule ids" ]]
	pid=$(jq -r .pid <<<"$ev")
	{ zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -n 3; echo "${ev/\"pid\":$pid,/\"pid\":4294967296,}"; } >"$tmp/t.ndjson"
	run "$D0" check "$tmp/t.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/t.ndjson:4: bad event: field 'pid' out of range: 4294967296 (0 to 4294967295)" ]
}

@test "check: garbage, NUL bytes and a corrupt gzip stream name the line, exit 3" {
	printf '\x00\x01\x02garbage\n' >"$tmp/nul.ndjson"
	run "$D0" check "$tmp/nul.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/nul.ndjson:1: NUL byte in the line: not a d0audit trace" ]
	cp "$FIX/pm-d3-7.2.ndjson.gz" "$tmp/flipped.ndjson.gz"
	printf '\xff\xff\xff\xff' | dd of="$tmp/flipped.ndjson.gz" bs=1 seek=700 conv=notrunc status=none
	run "$D0" check "$tmp/flipped.ndjson.gz"
	[ "$status" -eq 3 ]
	[[ ${lines[0]} =~ ^d0audit:\ error:\ check:\ $tmp/flipped.ndjson.gz:[0-9]+:\ read\ error:\ .*\(corrupt\ compressed\ data\?\)$ ]]
	head -c 2000 "$FIX/pm-d3-7.2.ndjson.gz" >"$tmp/cut.ndjson.gz"
	run "$D0" check "$tmp/cut.ndjson.gz"
	[ "$status" -eq 3 ]
	[[ ${lines[0]} =~ ^d0audit:\ error:\ check:\ $tmp/cut.ndjson.gz:[0-9]+:\ (last\ line\ is\ cut\ off|read\ error) ]]
}

@test "check: a trace from a future format version in gzip, and a second header, exit 3" {
	echo '{"type":"header","format":2,"d0audit":"9.0.0"}' | gzip >"$tmp/future.ndjson.gz"
	run "$D0" check "$tmp/future.ndjson.gz"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/future.ndjson.gz:1: trace format 2 is newer than this d0audit reads (1): upgrade d0audit" ]
	{ zcat "$FIX/pm-d3-7.2.ndjson.gz"; zcat "$FIX/pm-d3-7.2.ndjson.gz"; } >"$tmp/twice.ndjson"
	n=$(zcat "$FIX/pm-d3-7.2.ndjson.gz" | wc -l)
	run "$D0" check "$tmp/twice.ndjson"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: $tmp/twice.ndjson:$((n + 1)): a second header: two traces concatenated?" ]
}

@test "check: stdin works and an empty stdin is an empty trace" {
	run bash -c "zcat $FIX/dmabuf-7.2.ndjson.gz | $D0 check -"
	[ "$status" -eq 0 ]
	run bash -c "$D0 check - </dev/null"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "d0audit: error: check: -:1: empty file: not a d0audit trace (no header)" ]
}

@test "a full disk under the output is an error with the reason, never a silent short result (exit 2)" {
	for f in text json junit tap; do
		run bash -c "$D0 check --format $f $FIX/sysfs-cmd-mem-7.2.ndjson.gz >/dev/full"
		[ "$status" -eq 2 ]
		[ "$output" = "d0audit: error: writing the output to stdout failed: No space left on device; what was written is incomplete" ]
	done
	for c in "rules -j" "--help" "--version" "doctor --help"; do
		run bash -c "$D0 $c >/dev/full"
		[ "$status" -eq 2 ]
		[[ $output == *"writing the output to stdout failed: No space left on device"* ]]
	done
}

@test "record: an output path that is a directory is a setup error, exit 2" {
	run "$D0" record -o "$tmp" --duration 1s
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: cannot create trace file $tmp: Is a directory" ]
}

@test "record: when nothing could be recorded, no empty trace file is left behind" {
	run "$D0" record -o "$tmp/t.ndjson.gz" --duration 1s
	[ "$status" -eq 0 ] && skip "this host can record (BPF works): the failure path is not reachable here"
	[ "$status" -eq 3 ]
	[[ $output == *"d0audit: error: nothing was recorded: removed the empty trace file $tmp/t.ndjson.gz"* ]]
	[ ! -e "$tmp/t.ndjson.gz" ]
}
