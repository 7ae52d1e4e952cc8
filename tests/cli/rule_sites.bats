#!/usr/bin/env bats
# tools/check-rule-sites: events of a known kind are judged by that kind's rules, inlined
# (bpf/emit.h, event_submit), not by the whole rule set each program verifies again (issue 18).

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "only the sites of an unknown kind call d0_rules_judge in the built object" {
	run tools/check-rule-sites build/bpf/d0audit.bpf.o
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ]
}

@test "a call between event_begin and event_submit is found, with the program named" {
	cp -r Makefile bpf include "$tmp/"
	# the BAR-access event: a helper call after event_begin() (what a payload read would add)
	sed -i '/event_begin(&e, D0_EV_BAR_ACCESS, D0_PH_ENTRY, hook/a\	e.a2 = bpf_get_prandom_u32();' "$tmp/bpf/d0audit.bpf.c"
	grep -q 'e.a2 = bpf_get_prandom_u32();' "$tmp/bpf/d0audit.bpf.c"
	# built by the project's own rule, with its flags
	make -s -C "$tmp" build/bpf/d0audit.bpf.o
	run tools/check-rule-sites "$tmp/build/bpf/d0audit.bpf.o"
	[ "$status" -eq 1 ]
	[[ $output == *"fentry_bar_io judges its events with d0_rules_judge"* ]]
}

@test "a missing object is a clear error" {
	run tools/check-rule-sites "$tmp/none.o"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot read $tmp/none.o"* ]]
}
