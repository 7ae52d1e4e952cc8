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
summary faults
