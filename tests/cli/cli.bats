#!/usr/bin/env bats
# The command-line contract, on the build host (no vfio, usually no BPF):
# exact messages and exit codes for good and bad input.

D0=${D0AUDIT:-build/d0audit}
bats_require_minimum_version 1.5.0

@test "--help lists the commands and the exit codes, exit 0" {
	run "$D0" --help
	[ "$status" -eq 0 ]
	[[ $output == *"doctor"*"audit"*"record"*"check"*"daemon"*"report"*"rules"* ]]
	[[ $output == *"3  cannot audit"* ]]
}

@test "--version names version, commit and libbpf; -j gives JSON" {
	run "$D0" --version
	[ "$status" -eq 0 ]
	[[ $output =~ ^d0audit\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]+|unknown ]]
	[[ $output == *"libbpf v1."* ]]
	run "$D0" -j --version
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.version and .libbpf and (.event_abi == 1)'
}

@test "no command: one line pointing to --help, exit 2" {
	run "$D0"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: no command given (commands: doctor audit record check daemon report rules help); try 'd0audit --help'" ]
}

@test "unknown command and unknown global option: exit 2 with the name" {
	run "$D0" frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command 'frobnicate'"* ]]
	run "$D0" --frob doctor
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--frob'"* ]]
}

@test "daemon --check-config: valid exits 0, invalid exits 2 naming file and line" {
	dir=$(mktemp -d)
	mkdir "$dir/conf.d"
	printf '[audit]\nmode = kernel\n[metrics]\nlisten = 127.0.0.1:9717\n' >"$dir/d0audit.conf"
	run "$D0" daemon --config "$dir/d0audit.conf" --check-config
	[ "$status" -eq 0 ]
	[[ $output == *"configuration valid: mode kernel"* ]]
	printf '[metrics]\n\ninterval = soon\n' >"$dir/conf.d/50-bad.conf"
	run "$D0" daemon --config "$dir/d0audit.conf" --check-config
	[ "$status" -eq 2 ]
	[[ $output == *"$dir/conf.d/50-bad.conf:3: metrics.interval must be a duration"* ]]
	rm -rf "$dir"
}

@test "daemon: metrics never on a non-loopback address unless asked" {
	run "$D0" daemon --check-config --config /dev/null --metrics-listen 0.0.0.0:9717
	[ "$status" -eq 2 ]
	[[ $output == *"is not a loopback address"* ]]
	run "$D0" daemon --check-config --config /dev/null --metrics-listen 0.0.0.0:9717 --metrics-listen-any
	[ "$status" -eq 0 ]
	run "$D0" daemon --check-config --config /dev/null --bogus
	[ "$status" -eq 2 ]
}

@test "doctor: bad option and stray argument exit 2" {
	run "$D0" doctor --bad
	[ "$status" -eq 2 ]
	run "$D0" doctor extra
	[ "$status" -eq 2 ]
	[[ $output == *"unexpected argument 'extra'"* ]]
}

@test "doctor --no-load on a host without vfio-pci: exit 3 and says why" {
	[ -e /sys/bus/pci/drivers/vfio-pci ] && skip "this host has vfio-pci"
	run "$D0" doctor --no-load
	[ "$status" -eq 3 ]
	[[ $output == *"nothing to audit: vfio-pci is not loaded"* ]]
	run "$D0" doctor --no-load -j
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '.verdict.can_audit == false and .verdict.exit_code == 3 and (.hooks | length) > 50'
	echo "$output" | jq -e '[.hooks[] | select(.module == "vfio_pci_core") | .status] | all(. == "unavailable" or . == "not-needed")'
}

@test "record: missing -o, bad duration, bad ring buffer size exit 2" {
	run "$D0" record
	[ "$status" -eq 2 ]
	[[ $output == *"-o FILE is required"* ]]
	run "$D0" record -o /tmp/x --duration 5parsecs
	[ "$status" -eq 2 ]
	[[ $output == *"bad --duration '5parsecs'"* ]]
	run "$D0" record -o /tmp/x --duration 0
	[ "$status" -eq 2 ]
	run "$D0" record -o /tmp/x --ringbuf-size 3000
	[ "$status" -eq 2 ]
	[[ $output == *"power of two"* ]]
}

@test "record: unwritable output is a setup error (exit 2), nothing attached" {
	run "$D0" record -o /nonexistent-dir/trace.ndjson --duration 1s
	[ "$status" -eq 2 ]
	[[ $output == *"cannot create trace file /nonexistent-dir/trace.ndjson"* ]]
}

@test "rules: twelve rules with stable ids, text and JSON" {
	run "$D0" rules
	[ "$status" -eq 0 ]
	[[ $output == *" 1  ZAP_BEFORE_POWER_DOWN"* ]]
	[[ $output == *"12  RUNTIME_SUSPEND_REQUESTED"* ]]
	run "$D0" rules -j
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "rules" and (.rules | length) == 12 and .rules[9].name == "BYPASS" and .rules[9].id == 10'
}

@test "audit on a host without vfio-pci: nothing to audit, exit 3" {
	[ -e /sys/bus/pci/drivers/vfio-pci ] && skip "this host has vfio-pci"
	run "$D0" audit --duration 1s
	[ "$status" -eq 3 ]
	[[ $output == *"nothing to audit: vfio-pci is not loaded"* ]]
}

@test "audit: bad flags exit 2" {
	run "$D0" audit --duration soon
	[ "$status" -eq 2 ]
	[[ $output == *"bad --duration 'soon'"* ]]
	run "$D0" audit --mode lenient
	[ "$status" -eq 2 ]
	[[ $output == *"--mode must be strict or kernel"* ]]
	run "$D0" audit --allow 99
	[ "$status" -eq 2 ]
	[[ $output == *"bad --allow '99'"* ]]
}

FIX=tests/unit/fixtures/traces

@test "check: usage errors exit 2 with the reason" {
	run "$D0" check
	[ "$status" -eq 2 ]
	[[ $output == *"exactly one TRACE file expected"* ]]
	run "$D0" check --format xml "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	[[ $output == *"--format must be text, json, junit or tap"* ]]
	run "$D0" check --require teleport "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	[[ $output == *"bad --require 'teleport'"* ]]
	run "$D0" check --require zap:0000:00:03.0:x "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	run "$D0" check --allow NO_SUCH_RULE "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	run "$D0" check /nonexistent/trace.ndjson
	[ "$status" -eq 2 ]
	[[ $output == *"cannot open trace /nonexistent/trace.ndjson"* ]]
}

@test "check: a correct 7.2 flow is clean (exit 0); a bypass is flagged (exit 1)" {
	run "$D0" check "$FIX/dmabuf-7.2.ndjson.gz"
	[ "$status" -eq 0 ]
	[[ $output == *"verdict: clean"* ]]
	run "$D0" check "$FIX/sysfs-pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 1 ]
	[[ $output == *"VIOLATION rule 10 BYPASS on 0000:00:03.0"* ]]
	run "$D0" check --require zap:0000:00:03.0:1 --require power-change::2 "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 0 ]
}

@test "check: a 6.1 recording reports DMABUF rules as not applicable, not as passing blind" {
	run "$D0" check -j "$FIX/pm-d3-6.1.ndjson.gz"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.rules[] | select(.coverage == "not-applicable") | .id] == [2, 3, 4, 11]'
}

@test "check: traces that are not traces, from the future, or cut off" {
	tmp=$(mktemp -d)
	echo '{"type":"header","format":99}' >"$tmp/future.ndjson"
	run "$D0" check "$tmp/future.ndjson"
	[ "$status" -eq 3 ]
	[[ $output == *"future.ndjson:1: trace format 99 is newer than this d0audit reads (1)"* ]]
	printf 'hello\n' >"$tmp/text.ndjson"
	run "$D0" check "$tmp/text.ndjson"
	[ "$status" -eq 3 ]
	[[ $output == *"text.ndjson:1: not valid JSON"* ]]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -20 >"$tmp/nofooter.ndjson"
	run "$D0" check "$tmp/nofooter.ndjson"
	[ "$status" -eq 3 ]
	[[ $output == *"has no footer"* ]]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -c 3000 | gzip >"$tmp/cut.ndjson.gz"
	run "$D0" check "$tmp/cut.ndjson.gz"
	[ "$status" -eq 3 ]
	[[ $output == *"cut.ndjson.gz:"*": last line is cut off"* ]]
	head -c 2000 "$FIX/pm-d3-7.2.ndjson.gz" >"$tmp/badgz.ndjson.gz"
	run "$D0" check "$tmp/badgz.ndjson.gz"
	[ "$status" -eq 3 ]
	rm -rf "$tmp"
}

@test "check: golden outputs in all four formats (regenerate: see tests/cli/golden/README)" {
	for f in text json junit tap; do
		run "$D0" check --format "$f" "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
		[ "$status" -eq 1 ]
		# JUnit's run time, timestamp and host differ per run: the golden file has "…" there
		diff -u "tests/cli/golden/sysfs-cmd-mem.$f" <(printf '%s\n' "$output" | sed -E '1,3s/ (time|timestamp|hostname)="[^"]*"/ \1="…"/g')
	done
}

@test "-j: every subcommand's error is one JSON object on stderr naming the command" {
	for c in "doctor extra" "audit --duration 0" "record" "check /nonexistent" "report /nonexistent" \
		"rules nosuchrule" "daemon --config /nonexistent --check-config"; do
		# shellcheck disable=SC2086 # a command and its arguments
		run --separate-stderr "$D0" -j $c
		[ "$status" -eq 2 ]
		head -1 <<<"$stderr" | jq -e --arg c "${c%% *}" \
			'.type == "error" and .command == $c and (.error | length > 10)' >/dev/null
		[[ $stderr != *"d0audit: error:"* ]]
	done
}
