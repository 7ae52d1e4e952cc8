#!/usr/bin/env bats
# The command-line contract, on the build host (no vfio, usually no BPF):
# exact messages and exit codes for good and bad input.

D0=${D0AUDIT:-build/d0audit}

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

@test "no command: usage on stderr, exit 2" {
	run "$D0"
	[ "$status" -eq 2 ]
	[[ $output == *"Usage: d0audit"* ]]
}

@test "unknown command and unknown global option: exit 2 with the name" {
	run "$D0" frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command 'frobnicate'"* ]]
	run "$D0" --frob doctor
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--frob'"* ]]
}

@test "commands not written yet say so and exit 2" {
	for c in audit check daemon report rules; do
		run "$D0" "$c"
		[ "$status" -eq 2 ]
		[[ $output == *"'$c' is not implemented yet"* ]]
	done
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
