#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 15, section 6: `make demo` (tools/demo/run) from this checkout, as a new user runs it
# after the README's first command: boots the 7.2 guest, audits the scripted vfio flow, shows
# the live violation lines, the summary and the text report, with progress, and exits 0.
# usage: tests/vm/test_demo.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dev=0000:00:03.0

start=$SECONDS
make -s demo >"$out/demo.txt" 2>&1
rc=$?
secs=$((SECONDS - start))
[[ $rc == 0 ]] && ok "make demo: exit 0 in $secs s" || not_ok "make demo: exit $rc after $secs s: $(tail -5 "$out/demo.txt")"
# progress: the four steps, in order
[[ $(grep -oE '^\[[1-4]/4\]' "$out/demo.txt" | tr -d '\n') == '[1/4][2/4][3/4][4/4]' ]] &&
	ok "progress: four numbered steps" || not_ok "progress: $(grep -E '^\[' "$out/demo.txt" | tr '\n' ' ')"
# the flow, the live violation lines (before the summary), the summary, the report
grep -q '^demo: 1) a correct power cycle' "$out/demo.txt" && grep -q "^demo: 2) behind vfio's back" "$out/demo.txt" &&
	ok "the scripted flow: a correct power cycle, then a write behind vfio's back" || not_ok "flow lines missing"
live=$(grep -n "^VIOLATION rule 10 BYPASS on $dev" "$out/demo.txt" | head -1 | cut -d: -f1)
sum=$(grep -n '^summary (mode strict' "$out/demo.txt" | head -1 | cut -d: -f1)
[[ -n $live && -n $sum && $live -lt $sum ]] && grep -q "^VIOLATION rule 5 ZAP_REVOKE_BEFORE_MEM_DISABLE on $dev" "$out/demo.txt" &&
	ok "live lines: rules 5 and 10 reported as they happen, before the summary" ||
	not_ok "live lines: rule 10 at line '${live}', summary at '${sum}'"
# the correct cycle broke nothing: no power-ordering rule (1-4, 7) in the summary
grep -q '^verdict: VIOLATIONS' "$out/demo.txt" && ! grep -qE '^  violated rule (1|2|3|4|7) ' "$out/demo.txt" &&
	ok "summary: VIOLATIONS, only from the write behind vfio's back" || not_ok "summary: $(grep -A12 '^summary' "$out/demo.txt" | tr '\n' '|')"
grep -q "^device $dev: " "$out/demo.txt" && grep -q 'power    D3hot' "$out/demo.txt" &&
	grep -qE '^  \+[0-9.]+s VIOLATION rule 10 BYPASS' "$out/demo.txt" &&
	ok "report: the device's timeline with the D3hot cycle and the violation" || not_ok "report: $(grep -A3 '^device' "$out/demo.txt" | head -5)"
summary demo
