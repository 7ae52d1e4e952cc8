#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 4: verdicts on the real 7.2 kernel. Correct flows give zero
# violations; writes and mmaps behind vfio's back are flagged with the right
# rule and device; `check` on every recorded trace gives exactly the live
# verdict; check's formats, --require, --allow, and broken traces.
#
# usage: tests/vm/test_rules.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
# 1500 s: 6.12 took 807-903 s with 2 guests and 4 builds on 2 cores (it ends in about 400 s idle)
vm_boot rules --timeout 1500 -- tests/vm/rules_guest.sh
D0=${D0AUDIT:-build/d0audit}
# vfio DMABUF export exists from 6.19 on (the DMABUF flows are skipped before it, and must say so)
case $kernel in 6.*) has_dmabuf=0 ;; *) has_dmabuf=1 ;; esac
dev=0000:00:03.0

# offline: the rules check reports (live: live_rules, tests/vm/lib.sh)
check_rules() { "$D0" check -j "$out/$1.ndjson" 2>/dev/null | jq -r '.violations[] | "\(.rule)@\(.dev)"' | sort -u | paste -sd, -; }

for s in open-close mmap-touch pread-bar pm-d3 cmd-mem low-power low-power-wakeup reset dmabuf rom ioeventfd; do
	rc=$(cat "$out/$s.rc")
	got=$(live_rules "$s")
	if [[ $rc == 0 && -z $got ]]; then ok "correct flow $s: clean"; else not_ok "correct flow $s: exit $rc, violations '$got' $(head -c 600 "$out/$s.audit.json")"; fi
done

want_flagged() {
	local s=$1 want=$2 rc got
	rc=$(cat "$out/$s.rc")
	got=$(live_rules "$s")
	if [[ $rc == 1 && $got == "$want" ]]; then ok "bypass $s: flagged $got"; else not_ok "bypass $s: exit $rc, got '$got', want '$want'"; fi
}
want_flagged sysfs-pm-d3 "10@$dev"
if ((has_dmabuf)); then
	want_flagged sysfs-pm-d3-dmabuf "10@$dev"
elif grep -q 'kernel has no VFIO_DEVICE_FEATURE_DMA_BUF' "$out/sysfs-pm-d3-dmabuf.err"; then
	ok "bypass sysfs-pm-d3-dmabuf: no DMABUF export on $kernel (exerciser says so)"
else
	not_ok "bypass sysfs-pm-d3-dmabuf on $kernel: $(cat "$out/sysfs-pm-d3-dmabuf.err")"
fi
want_flagged sysfs-cmd-mem "10@$dev,5@$dev"
# the sysfs resource0 mapping stays live across the vfio open, whose reset it survives (vfio never
# zaps it): rule 6 since d0audit reads the iomem inode's live mappings (issue 14 class 3)
want_flagged sysfs-mmap "10@$dev,6@$dev"

# check replays every recording to the same verdict, and finds no disagreement with the kernel's
for f in "$out"/*.ndjson; do
	s=$(basename "$f" .ndjson)
	live=$(live_rules "$s")
	off=$(check_rules "$s")
	"$D0" check "$f" >/dev/null 2>&1
	crc=$?
	mism=$("$D0" check -j "$f" 2>/dev/null | jq -r '[.incomplete[] | select(test("judged differently"))] | length')
	if [[ $live == "$off" && $crc == $(cat "$out/$s.rc") && $mism == 0 ]]; then
		ok "replay $s: same verdict ($crc)"
	else
		not_ok "replay $s: live '$live' exit $(cat "$out/$s.rc"), check '$off' exit $crc, mismatches $mism"
	fi
done

# kernel mode: the bypass is flagged in either mode
[[ $(cat "$out/kernel-mode.rc") == 1 ]] && jq -e 'select(.type == "summary") | .mode == "kernel"' "$out/kernel-mode.audit.json" >/dev/null &&
	ok "kernel mode" || not_ok "kernel mode: exit $(cat "$out/kernel-mode.rc")"

# check's formats on the flagged recording
t=$out/sysfs-cmd-mem.ndjson
"$D0" check "$t" >"$out/c.txt"; rc=$?
[[ $rc == 1 ]] && grep -q '^VIOLATION rule 10 BYPASS on 0000:00:03.0' "$out/c.txt" && grep -q '^verdict: VIOLATIONS' "$out/c.txt" &&
	ok "check text" || not_ok "check text (exit $rc)"
"$D0" check --format junit "$t" >"$out/c.xml"
if command -v xmllint >/dev/null; then xmllint --noout "$out/c.xml" && ok "junit is well-formed XML" || not_ok "junit XML"; fi
grep -q 'failures="2"' "$out/c.xml" && grep -q '<testcase classname="d0audit.rules" name="10 BYPASS" time="0"><failure type="violation"' "$out/c.xml" &&
	ok "check junit" || not_ok "check junit: $(head -c 400 "$out/c.xml")"
"$D0" check --format tap "$t" >"$out/c.tap"
grep -q '^1\.\.13$' "$out/c.tap" && grep -q '^not ok 10 - rule 10 BYPASS' "$out/c.tap" && grep -q '^ok 1 - rule 1 ' "$out/c.tap" &&
	ok "check tap" || not_ok "check tap: $(head -5 "$out/c.tap")"
"$D0" check --format json "$t" | jq -e '.type == "check" and .exit_code == 1 and ([.violations[].rule] | sort) == [5, 10]' >/dev/null &&
	ok "check json" || not_ok "check json"

# --allow waives, --require asserts the path was exercised
"$D0" check --allow 10 --allow ZAP_REVOKE_BEFORE_MEM_DISABLE:$dev "$t" >/dev/null; rc=$?
[[ $rc == 0 ]] && ok "--allow waives known violations" || not_ok "--allow: exit $rc"
req=(--require "zap:$dev:1" --require power-change::2)
((has_dmabuf)) && req+=(--require dmabuf-move)
"$D0" check "${req[@]}" "$out/pm-d3.ndjson" >/dev/null; rc=$?
[[ $rc == 0 ]] && ok "--require met" || not_ok "--require met: exit $rc"
"$D0" check --require dmabuf-export:$dev:1 "$out/pm-d3.ndjson" >"$out/req.txt" 2>&1; rc=$?
[[ $rc == 3 ]] && grep -q "require dmabuf-export:0000:00:03.0:1: 0 seen, NOT MET" "$out/req.txt" && ok "--require not met: exit 3" ||
	not_ok "--require not met: exit $rc"

# broken traces: every intact record judged, then a precise error, exit 3
mkdir -p "$out/broken"
head -c -200 "$out/sysfs-pm-d3.ndjson" >"$out/broken/trunc.ndjson"
"$D0" check "$out/broken/trunc.ndjson" >"$out/trunc.txt" 2>&1; rc=$?
[[ $rc != 0 ]] && grep -q "trunc.ndjson:[0-9]*: last line is cut off" "$out/trunc.txt" && grep -q 'VIOLATION rule 10' "$out/trunc.txt" &&
	ok "truncated trace: intact records judged, error with line, exit $rc" || not_ok "truncated trace: exit $rc $(tail -3 "$out/trunc.txt")"
{ head -5 "$out/pm-d3.ndjson"; echo '{"type":"event","kind":"zap"'; tail -1 "$out/pm-d3.ndjson"; } >"$out/broken/corrupt.ndjson"
"$D0" check "$out/broken/corrupt.ndjson" >"$out/corrupt.txt" 2>&1; rc=$?
[[ $rc == 3 ]] && grep -q "corrupt.ndjson:6: not valid JSON" "$out/corrupt.txt" && ok "corrupt trace: exit 3, line 6" ||
	not_ok "corrupt trace: exit $rc $(head -3 "$out/corrupt.txt")"
# every -j document the guest wrote follows the output schema (tools/schema/d0audit-output.schema.json):
# audit's lines (violations, summary), doctor with hooks loaded, record's outcome, the JSON diagnostics
# on stderr (audit -j sends the command's own output there too: only the lines that are JSON objects)
schema_ok "audit -j lines of $(ls "$out"/*.audit.json | wc -l) runs" --lines --def audit_line "$S" "$out"/*.audit.json
schema_ok "doctor -j, hooks loaded (exit $(cat "$out/doctor.rc"))" --def doctor "$S" "$out/doctor.json"
schema_ok "record -j (exit $(cat "$out/record.rc"))" --def record "$S" "$out/record.json"
schema_ok "record's trace" --lines --def trace_line "$S" "$out/record-j.trace"
cat "$out"/*.err | grep '^{' >"$out/diagnostics.jsonl"
schema_ok "stderr diagnostics ($(wc -l <"$out/diagnostics.jsonl") lines)" --lines --def diagnostic "$S" "$out/diagnostics.jsonl"

summary rules
