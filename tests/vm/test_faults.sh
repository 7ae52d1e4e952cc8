#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 7 faults around a live session (tests/cli/faults.bats: the command
# under audit crashes or is killed, the output disk fills, the reader
# stalls), run in a 7.2 guest where they cannot skip: every skip is a failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tools/vm/run --kernel "${1:-7.2}" --timeout 900 --out "$out" --env D0AUDIT=build/static/d0audit -- \
	bash -c 'bats --tap tests/cli/faults.bats >/tmp/out/faults.tap 2>&1; echo $? >/tmp/out/faults.rc'
if [[ ! -s $out/faults.tap ]]; then
	not_ok "guest run failed (console: $(tail -5 "$out/console.log" 2>/dev/null))"
	summary faults
	exit 1
fi
while IFS= read -r line; do
	case $line in
	"ok "*"# skip"*) not_ok "skipped in the guest: $line" ;;
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) not_ok "${line#not ok }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$out/faults.tap"
# bats' own verdict counts too: its exit status, and every planned test reported
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out/faults.tap" | head -1)
reported=$(grep -cE '^(not )?ok ' "$out/faults.tap")
rc=$(cat "$out/faults.rc" 2>/dev/null || echo none)
if [[ -n $plan && $plan == "$reported" ]]; then ok "bats ran all $plan planned tests"; else not_ok "bats planned '${plan:-none}' tests, reported $reported"; fi
if [[ $rc == 0 ]]; then ok "bats exit 0"; else not_ok "bats exit $rc"; fi
summary faults
