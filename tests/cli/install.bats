#!/usr/bin/env bats
# make install (PREFIX, DESTDIR), the man page cut from the README (tools/man/mkman), bash
# completion, the JSON schema.

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
	cmp tools/schema/d0audit-output.schema.json "$tmp/opt/d0/share/d0audit/d0audit-output.schema.json"
	run "$tmp/opt/d0/sbin/d0audit" --version
	[ "$status" -eq 0 ]
	command -v man >/dev/null || skip "man is not installed"
	run env MANWIDTH=100 man -l "$tmp/opt/d0/share/man/man8/d0audit.8"
	[ "$status" -eq 0 ]
	[[ $output == *"d0audit - eBPF auditor of the vfio-pci power-state ordering rules"* ]]
	# every section, in the man page's order, each with what the README says there
	local sections=(NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "JSON OUTPUT" "EXIT STATUS" ENVIRONMENT CONFIGURATION FILES
		DIAGNOSTICS EXAMPLES "SEE ALSO")
	[ "$(grep -E '^[A-Z][A-Z ]+$' <<<"$output" | paste -sd,)" = "$(IFS=,; echo "${sections[*]}")" ]
	# the text with man's line breaks and hyphenation undone
	local text
	text=$(sed -z 's/\xe2\x80\x90\n *//g' <<<"$output" | tr -s ' \n' '  ')
	output=$text
	[[ $output == *"report [--format text|svg|perfetto]"* ]]
	[[ $output == *"-q, --quiet"* ]]
	[[ $output == *"d0audit-output.schema.json"* ]]
	[[ $output == *"3: cannot audit, or the result is incomplete"* ]]
	[[ $output == *"NO_COLOR"* ]]
	[[ $output == *"kernel lockdown is 'confidentiality'"* ]]
	[[ $output == *"Resource temporarily unavailable"* ]]
	[[ $output == *"d0audit 0.1.0"* ]]
	[[ $output != *"<!--"* && $output != *"](#"* ]]
}

@test "man page: one source, the README; mkman refuses a missing or unclosed region" {
	[ ! -e tools/man/d0audit.8.md ]
	tools/man/mkman README.md 0.1.0 >"$tmp/ok.md"
	# the man page's text is the README's: the description paragraph appears in both
	grep -qF "keeps per-device state in the kernel and records or flags every" "$tmp/ok.md"
	sed '/<!-- man FILES -->/,/<!-- \/man -->/d' README.md >"$tmp/nofiles.md"
	run tools/man/mkman "$tmp/nofiles.md" 0.1.0
	[ "$status" -eq 1 ]
	[[ $output == *"no <!-- man FILES --> region"* ]]
	printf '<!-- man NAME -->\nd0audit - x\n' >"$tmp/open.md"
	run tools/man/mkman "$tmp/open.md" 0.1.0
	[ "$status" -eq 1 ]
	[[ $output == *"region NAME is not closed"* ]]
	printf '<!-- man NAMES -->\nx\n<!-- /man -->\n' >"$tmp/bad.md"
	run tools/man/mkman "$tmp/bad.md" 0.1.0
	[ "$status" -eq 1 ]
	[[ $output == *"unknown man section"* ]]
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
	[ "$(complete_words d0audit doctor --)" = "--no-load --devices --json --help --pretty --quiet --verbose" ]
	[ "$(complete_words d0audit help ch)" = "check" ]
	[ "$(complete_words d0audit h)" = "help" ]
	[ "$(complete_words d0audit daemon --check)" = "--check-config" ]
	[ "$(complete_words d0audit -)" = "-j --json -p --pretty -q --quiet -v --verbose -V --version -h --help" ]
}

@test "bash completion offers only flags that the command's --help documents" {
	global=$("${D0AUDIT:-build/d0audit}" --help)
	for cmd in doctor audit record check report rules daemon; do
		help=$("${D0AUDIT:-build/d0audit}" "$cmd" --help)
		for flag in $(complete_words d0audit "$cmd" -); do
			case $flag in --help | --json) continue ;; esac # accepted by every command that has them
			# the global options after the command: documented once, in d0audit --help
			case $flag in --pretty | --quiet | --verbose) [[ $global == *"$flag"* ]] && continue ;; esac
			[[ $help == *"$flag"* ]] || { echo "$cmd: $flag is not in its --help"; false; }
		done
	done
}
