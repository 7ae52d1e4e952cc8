#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The shipped unit passes systemd-analyze verify; the shipped config is valid.

setup() {
	D0=${D0AUDIT:-build/d0audit}
	D0=$(realpath "$D0")
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "tools/systemd/d0audit.service passes systemd-analyze verify" {
	command -v systemd-analyze || skip "systemd-analyze not installed (apt-get install systemd)"
	# the binary where this build put it; the man page is checked once installed (--man=no)
	sed "s|/usr/local/sbin/d0audit|$D0|g" tools/systemd/d0audit.service >"$tmp/d0audit.service"
	run systemd-analyze verify --man=no "$tmp/d0audit.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *"Unknown"* && $output != *"warning"* ]]
}

@test "the unit keeps the limits the daemon was tested under" {
	grep -qx 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_ADMIN' tools/systemd/d0audit.service
	grep -qx 'NoNewPrivileges=yes' tools/systemd/d0audit.service
	grep -qx 'RestrictAddressFamilies=AF_UNIX' tools/systemd/d0audit.service
	grep -qx 'Type=notify' tools/systemd/d0audit.service
	run grep -x 'ProtectKernelTunables=yes' tools/systemd/d0audit.service
	[ "$status" -ne 0 ] # it hides /proc/kallsyms
}

@test "the unit pins for restart continuity, and keeps bpffs writable" {
	grep -qx 'ExecStart=/usr/local/sbin/d0audit daemon --pin /sys/fs/bpf/d0audit' tools/systemd/d0audit.service
	grep -qx 'ReadWritePaths=-/sys/fs/bpf' tools/systemd/d0audit.service
	# the check-config step sees the same pin setting as the daemon
	grep -qx 'ExecStartPre=/usr/local/sbin/d0audit daemon --check-config --pin /sys/fs/bpf/d0audit' tools/systemd/d0audit.service
}

@test "tools/systemd/d0audit.conf is a valid configuration" {
	run "$D0" daemon --config tools/systemd/d0audit.conf --conf-dir "$tmp" --check-config
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"output /var/log/d0audit/events.jsonl + stdout"* ]]
}
