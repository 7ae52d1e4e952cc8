#!/usr/bin/env bats
# Issue 15, section 4: one command line for every command. Global flags after the command,
# `d0audit help [COMMAND]`, usage errors in one line, and audit/record -- CMD that cannot
# audit say that CMD was not run (this host has no vfio-pci and no BPF privileges).

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "-p, -q and -v work after the command, as -j does" {
	run --separate-stderr "$D0" rules -p
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "{" ]]
	echo "$output" | jq -e '.type == "rules"'
	# -q: no info note about the domain, wherever -q is
	for args in "--allow BYPASS:00:03.0 -q" "-q --allow BYPASS:00:03.0" "--require zap:00:03.0 -q"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$D0" check $args "$FIX/dmabuf-7.2.ndjson.gz"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ] || { echo "$args: $stderr"; false; }
	done
	run --separate-stderr "$D0" check --allow BYPASS:00:03.0 "$FIX/dmabuf-7.2.ndjson.gz"
	[ "$stderr" = "d0audit: check: --allow BYPASS:00:03.0: device taken as 0000:00:03.0 (domain 0000)" ]
	run --separate-stderr "$D0" doctor --no-load -v
	[[ $stderr == *"debug"* || $status -ne 2 ]]
	[ "$status" -ne 2 ]
	# and after the command's own '--', -q belongs to CMD, not to d0audit
	run --separate-stderr "$D0" audit --duration 1s -- echo -q
	[[ $stderr == *"the command was not run: echo -q"* ]]
}

@test "d0audit help [COMMAND]" {
	run "$D0" help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Usage: d0audit "* ]]
	[[ $output == *"help [COMMAND]"* ]]
	for c in doctor audit record check report rules daemon; do
		run "$D0" help "$c"
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "Usage: d0audit $c"* ]]
		[ "$output" = "$("$D0" "$c" --help)" ]
	done
	run "$D0" help frobnicate
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: help: unknown command 'frobnicate'; try 'd0audit --help'" ]
}

@test "a usage error is one line plus try --help, also as JSON with -j" {
	for args in "check" "check a b" "record" "doctor extra" "check --frob x" "report --format pdf x" "--frob"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$D0" $args
		[ "$status" -eq 2 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "$args: $stderr"; false; }
		[[ $stderr != *Usage* ]]
	done
	run --separate-stderr "$D0" check
	[[ $stderr == *"; try 'd0audit check --help'" ]]
	run --separate-stderr "$D0" -j check
	echo "$stderr" | jq -e '.error == "check: exactly one TRACE file expected; try '"'d0audit check --help'"'"'
}

@test "audit -- CMD and record -- CMD that cannot audit say CMD was not run" {
	run --separate-stderr "$D0" audit --duration 1s -- touch "$tmp/ran"
	[ "$status" -eq 3 ]
	[[ $stderr == *"audit: nothing was audited, so the command was not run: touch $tmp/ran"* ]]
	[[ $stderr == *"'make demo'"* ]]
	run --separate-stderr "$D0" record -o "$tmp/t.ndjson" -- touch "$tmp/ran"
	[ "$status" -eq 3 ]
	[[ $stderr == *"record: nothing was audited, so the command was not run: touch $tmp/ran"* ]]
	[ ! -e "$tmp/ran" ]
}

@test "the exit table promises no case that no path returns" {
	run grep -i "not implemented" README.md src/main.c
	[ "$status" -eq 1 ]
}
