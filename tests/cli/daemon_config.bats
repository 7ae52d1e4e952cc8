#!/usr/bin/env bats
# Issue 15, section 5: daemon --check-config checks everything start would, with file:line.

D0=${D0AUDIT:-build/d0audit}

setup() {
	tmp=$(mktemp -d)
	mkdir "$tmp/conf.d"
}

teardown() {
	rm -rf "$tmp"
}

check() { # CONFIG-TEXT -> run --check-config on it
	printf "$1" >"$tmp/d.conf"
	run "$D0" daemon --config "$tmp/d.conf" --conf-dir "$tmp/conf.d" --check-config
}

@test "an inline '# comment' is not part of the value" {
	check '[output]\nfile = /var/log/d0audit/x.jsonl # trailing\n'
	[ "$status" -eq 0 ]
	[[ $output == *"output /var/log/d0audit/x.jsonl + stdout"* ]]
	# a '#' inside a word stays
	check '[output]\nfile = /var/log/a#b.jsonl\n'
	[[ $output == *"output /var/log/a#b.jsonl + stdout"* ]]
}

@test "a duplicate key, a missing ']' and a bad listen address name file and line" {
	check '[output]\nfile = /var/log/a\n\n[output]\nfile = /var/log/b\n'
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: daemon: invalid configuration: $tmp/d.conf:5: duplicate key output.file (first set on line 2)" ]
	check '[audit\nmode = strict\n'
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: daemon: invalid configuration: $tmp/d.conf:1: section header [audit has no closing ']'" ]
	check '[output]\nstdout = yes\n[metrics]\nlisten = 127.0.0.1:99999\n'
	[ "$status" -eq 2 ]
	[[ $output == "d0audit: error: daemon: invalid configuration: $tmp/d.conf:4: metrics.listen '127.0.0.1:99999': expected"* ]]
	check '[metrics]\n\nlisten = unix:relative.sock\n'
	[[ $output == *"$tmp/d.conf:3: metrics.listen 'unix:relative.sock': needs an absolute socket path"* ]]
	# an error on a later line than the first key's names its own line
	check '[output]\nstdout = yes\n\n\nstdout = maybe\n'
	[[ $output == *"$tmp/d.conf:5: duplicate key output.stdout (first set on line 2)"* ]]
}

@test "the pin directory must be on bpffs and the user must exist, as start needs" {
	check "[audit]\npin = $tmp/pins\n"
	[ "$status" -eq 2 ]
	[ "$output" = "d0audit: error: daemon: the configuration would not start: pin directory $tmp is not on a BPF filesystem (bpffs): mount one with 'mount -t bpf bpf /sys/fs/bpf' or choose a directory under it (--pin DIR)" ]
	check '[privileges]\nuser = no-such-user-d0\n'
	[ "$status" -eq 2 ]
	[[ $output == *"user 'no-such-user-d0' (privileges.user) is not in /etc/passwd"* ]]
	check '[privileges]\nuser = root\n'
	[ "$status" -eq 0 ]
}
