#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 15, section 1, end to end: a real task with a hostile comm (the kernel takes comm from
# the executable's file name: here a symlink to vfio-exercise named with control bytes, markup,
# a TAP line break and invalid UTF-8) breaks a rule on a 7.2 guest; the recording's comm bytes
# survive record -> check -> every format, and each format stays valid for its own validator.
# usage: tests/vm/test_hostile_comm.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh
vm_test_args "$@"
D0=build/static/d0audit
# 13 bytes: the kernel keeps at most 15 of a file name as comm
name=$'\x01<a&b>\n\x1b[2J\xff"'
vm_boot hostile --timeout 600 -- bash -c '
	dev=${D0AUDIT_VM_DEVICES%% *}
	ln -s "$PWD/build/vfio-exercise" "/tmp/$1"
	build/static/d0audit record -o "$D0AUDIT_VM_OUT/h.ndjson.gz" -- "/tmp/$1" -d "$dev" sysfs-cmd-mem \
		>"$D0AUDIT_VM_OUT/record.txt" 2>&1
	echo $? >"$D0AUDIT_VM_OUT/record.rc"' _ "$name"

[[ $(cat "$out/record.rc") == 0 ]] && ok "record with a hostile comm: exit 0" || not_ok "record: $(tail -3 "$out/record.txt")"
# the raw bytes reached the trace (the writer's \u00XX per byte) and the reader gives them back
want='\x01<a&b>\x0a\x1b[2J\xff"'
n=$("$D0" check -j "$out/h.ndjson.gz" | jq --arg w "$want" '[.violations[].step.comm | select(. == $w)] | length')
[[ $n -ge 1 ]] && ok "check -j: the comm as recorded, made visible ($want)" || not_ok "check -j comm: $("$D0" check -j "$out/h.ndjson.gz" | jq -c '[.violations[].step.comm]')"
for f in text json junit tap; do "$D0" check --format $f "$out/h.ndjson.gz" >"$out/c.$f" 2>>"$out/err"; done
for f in text svg perfetto; do "$D0" report --format $f -o "$out/r.$f" "$out/h.ndjson.gz" 2>>"$out/err"; done
xmllint --noout "$out/c.junit" "$out/r.svg" && xmllint --noout --schema tests/cli/schema/ant-junit.xsd "$out/c.junit" 2>/dev/null &&
	xmllint --noout --schema tests/cli/schema/jenkins-junit-10.xsd "$out/c.junit" 2>/dev/null &&
	ok "JUnit and SVG: well-formed, JUnit valid in both schemas" || not_ok "XML: $(xmllint --noout "$out/c.junit" "$out/r.svg" 2>&1 | head -3)"
p=$(prove -e cat "$out/c.tap" 2>&1)
[[ $p != *"Bail out"* && $p != *"Further testing stopped"* && $p == *"Tests: 13"* ]] &&
	ok "TAP: prove reads all 13 tests, no bail-out" || not_ok "prove: $(tail -3 <<<"$p")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/r.perfetto" && ok "Perfetto: valid JSON" || not_ok "Perfetto JSON"
schema_ok "check -j" --def check tools/schema/d0audit-output.schema.json "$out/c.json"
python3 - "$out/c.text" "$out/r.text" "$out/c.tap" "$out/err" <<-'PY' && ok "text, TAP, diagnostics: valid UTF-8, no control byte" || not_ok "text outputs carry raw bytes"
	import re, sys
	for p in sys.argv[1:]:
	    t = open(p, "rb").read().decode("utf-8")
	    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t), p
PY
grep -qF 'pid' "$out/c.text" && grep -qF "$want" "$out/c.text" && ok "text: the comm shown visibly" || not_ok "text: no visible comm"
summary hostile
