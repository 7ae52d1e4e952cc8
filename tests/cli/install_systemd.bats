#!/usr/bin/env bats
# Issue 15, section 5: make install-systemd (unit with the installed path, example config kept if
# present, logrotate snippet), the unit's hardening score, and the deps split.

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "make install-systemd: the unit names the installed binary, the config is kept, logrotate is there" {
	command -v go-md2man >/dev/null || skip "go-md2man is not installed (make deps)"
	run make -s install-systemd DESTDIR="$tmp" PREFIX=/opt/d0
	[ "$status" -eq 0 ]
	u=$tmp/etc/systemd/system/d0audit.service
	[ -x "$tmp/opt/d0/sbin/d0audit" ]
	grep -qx 'ExecStart=/opt/d0/sbin/d0audit daemon --pin /sys/fs/bpf/d0audit' "$u"
	grep -qx 'ExecStartPre=/opt/d0/sbin/d0audit daemon --check-config --pin /sys/fs/bpf/d0audit' "$u"
	! grep -q /usr/local/sbin "$u"
	cmp tools/systemd/d0audit.conf "$tmp/etc/d0audit/d0audit.conf"
	grep -q '^/var/log/d0audit/\*.jsonl {' "$tmp/etc/logrotate.d/d0audit"
	grep -q 'kill.*USR1 d0audit.service' "$tmp/etc/logrotate.d/d0audit"
	# a second install keeps the admin's configuration
	echo '# mine' >"$tmp/etc/d0audit/d0audit.conf"
	make -s install-systemd DESTDIR="$tmp" PREFIX=/opt/d0
	[ "$(cat "$tmp/etc/d0audit/d0audit.conf")" = "# mine" ]
	# the man page documents it and lists the config keys
	man_txt=$(zcat -f "$tmp/opt/d0/share/man/man8/d0audit.8" 2>/dev/null || cat "$tmp/opt/d0/share/man/man8/d0audit.8")
	[[ $man_txt == *"install-systemd"* && $man_txt == *"metrics.listen"* && $man_txt == *"privileges.user"* ]]
}

@test "the shipped unit: systemd-analyze security at most 2.0, no restart on exit 2 or 3, a watchdog" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	u=tools/systemd/d0audit.service
	grep -qx 'RestartPreventExitStatus=2 3' "$u"
	grep -qx 'WatchdogSec=30s' "$u"
	run systemd-analyze security --offline=true "$u"
	exp=$(sed -n 's/.*Overall exposure level for d0audit.service: \([0-9.]*\).*/\1/p' <<<"$output")
	echo "exposure $exp"
	awk -v e="${exp:-99}" 'BEGIN { exit !(e <= 2.0) }'
}

@test "make deps-build installs only the build's packages (no chromium, qemu, bpftrace)" {
	run bash -c 'source <(sed -n "/^build_packages=(/,/^)/p" tools/install-deps); echo "${build_packages[*]}"'
	[[ $output == *clang* && $output == *libbpf-dev* ]]
	[[ $output != *chromium* && $output != *qemu* && $output != *bpftrace* ]]
	run tools/install-deps nonsense
	[ "$status" -eq 2 ]
	grep -q '^deps-build:' Makefile
}
