#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Pin directory errors that need no BPF: they are caught before anything loads.

setup() {
	D0=${D0AUDIT:-build/d0audit}
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "daemon --pin: a directory not on bpffs is refused with exit 2, saying how to fix it" {
	mountpoint -q "$tmp" && skip "tmp is a mount point"
	[[ $(stat -f -c %T "$tmp") != bpf_fs ]] || skip "$tmp is on bpffs"
	run "$D0" daemon --no-stdout -o "$tmp/e.jsonl" --pin "$tmp"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"pin directory $tmp is not on a BPF filesystem (bpffs): mount one with 'mount -t bpf bpf /sys/fs/bpf'"* ]]
}

@test "daemon --pin: a missing parent is named" {
	run "$D0" daemon --no-stdout -o "$tmp/e.jsonl" --pin "$tmp/no/such"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"pin directory $tmp/no/such cannot be created: $tmp/no does not exist"* ]]
}

@test "daemon --release outside bpffs: exit 2 with the reason" {
	run "$D0" daemon --release --pin "$tmp"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"daemon --release: pin directory $tmp is not on a BPF filesystem"* ]]
}

@test "audit.pin must be absolute; --no-pin empties it; --check-config shows it" {
	run "$D0" daemon --no-stdout -o "$tmp/e.jsonl" --pin relative/dir --check-config
	[ "$status" -eq 2 ]
	[[ $output == *"audit.pin must be an absolute path, not 'relative/dir'"* ]]
	printf '[audit]\npin = /sys/fs/bpf/x\n[output]\nstdout = yes\n' >"$tmp/c.conf"
	run "$D0" daemon --config "$tmp/c.conf" --conf-dir "$tmp" --check-config
	# --check-config checks what start would: the pin directory must be creatable on bpffs
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
		[ "$status" -eq 0 ]
		[[ $output == *", pin /sys/fs/bpf/x"* ]]
	else
		[ "$status" -eq 2 ]
		[[ $output == *"pin directory /sys/fs/bpf"*"not on a BPF filesystem"* || $output == *"/sys/fs/bpf does not exist"* ]]
	fi
	run "$D0" daemon --config "$tmp/c.conf" --conf-dir "$tmp" --no-pin --check-config
	[ "$status" -eq 0 ]
	[[ $output == *", pin none"* ]]
}
