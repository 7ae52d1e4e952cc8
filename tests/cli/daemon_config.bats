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

@test "a daemon that cannot audit this host logs a last record saying why, with an RFC 3339 timestamp, and exits 3" {
	python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
	run timeout 60 "$D0" daemon --config /dev/null --conf-dir "$tmp/conf.d" --no-stdout -o "$tmp/log.jsonl"
	[ "$status" -ne 124 ] || skip "this host can be audited: the daemon ran (the VM test covers the failure under systemd)"
	[ "$status" -eq 3 ]
	tail -n 1 "$tmp/log.jsonl" >"$tmp/last.jsonl"
	jq -e '.type == "cannot_audit" and .exit_code == 3 and (.reason | length > 20)' "$tmp/last.jsonl"
	jq -e '.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")' "$tmp/last.jsonl"
	# the two clocks agree
	jq -e '((.timestamp | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) - .time | fabs) < 1' "$tmp/last.jsonl"
	python3 tests/cli/validate_json.py --lines --def daemon_log tools/schema/d0audit-output.schema.json "$tmp/last.jsonl"
	# the reason is the error the daemon printed
	[[ $output == *"$(jq -r .reason "$tmp/last.jsonl")"* ]]
}
