#!/usr/bin/env bats
# make install (PREFIX, DESTDIR), the man page built from tools/man/d0audit.8.md, bash completion.

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "make install puts binary, man page and completion under DESTDIR/PREFIX" {
	command -v go-md2man >/dev/null || skip "go-md2man is not installed (make deps)"
	run make -s install DESTDIR="$tmp" PREFIX=/opt/d0
	[ "$status" -eq 0 ]
	[ -x "$tmp/opt/d0/sbin/d0audit" ]
	[ -f "$tmp/opt/d0/share/man/man8/d0audit.8" ]
	[ -f "$tmp/opt/d0/share/bash-completion/completions/d0audit" ]
	run "$tmp/opt/d0/sbin/d0audit" --version
	[ "$status" -eq 0 ]
	command -v man >/dev/null || skip "man is not installed"
	run env MANWIDTH=100 man -l "$tmp/opt/d0/share/man/man8/d0audit.8"
	[ "$status" -eq 0 ]
	[[ $output == *"d0audit - eBPF auditor of the vfio-pci power-state ordering rules"* ]]
	[[ $output == *"report [--format text|svg|perfetto]"* ]]
	[[ $output == *"NO_COLOR"* ]]
}

complete_words() { # WORD... -> COMPREPLY of the last word, space-separated
	# shellcheck source=/dev/null
	source tools/completion/d0audit
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_d0audit
	echo "${COMPREPLY[*]}"
}

@test "bash completion: subcommands, their flags, and flag values" {
	[ "$(complete_words d0audit re)" = "record report" ]
	[ "$(complete_words d0audit -j report --d)" = "--device" ]
	[ "$(complete_words d0audit report --format '')" = "text svg perfetto" ]
	[ "$(complete_words d0audit check --format '')" = "text json junit tap" ]
	[ "$(complete_words d0audit audit --mode k)" = "kernel" ]
	[ "$(complete_words d0audit doctor --)" = "--no-load --json --pretty --help" ]
}

@test "bash completion offers only flags that the command's --help documents" {
	for cmd in doctor audit record check report rules; do
		help=$("${D0AUDIT:-build/d0audit}" "$cmd" --help)
		for flag in $(complete_words d0audit "$cmd" -); do
			case $flag in --help | --json) continue ;; esac # accepted by every command that has them
			[[ $help == *"$flag"* ]] || { echo "$cmd: $flag is not in its --help"; false; }
		done
	done
}
