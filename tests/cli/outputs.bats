#!/usr/bin/env bats
# Issue 15: outputs that cannot be forged. Hostile strings (every byte 0x01..0xff in comm,
# every code point U+0001..U+00FF in the header's kernel string, a file name of every byte
# but '/') reach every format, and each format passes its own validator: xmllint and the
# Ant and Jenkins xUnit JUnit schemas, prove for TAP, the JSON schema, python's json for
# Perfetto; text and diagnostics carry no control byte and are valid UTF-8. And JUnit and
# TAP are red whenever check exits 3.

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces
SRC=$FIX/sysfs-cmd-mem-7.2.ndjson.gz
SCHEMA=tools/schema/d0audit-output.schema.json
PY=/usr/bin/python3

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# plain_text FILE...: valid UTF-8, no control byte but newline, no bidi/invisible format character
plain_text() {
	"$PY" - "$@" <<-'EOF'
		import re, sys
		bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
		for p in sys.argv[1:]:
		    t = open(p, "rb").read().decode("utf-8")  # raises on invalid UTF-8
		    m = bad.search(t)
		    assert not m, f"{p}: control or format character U+{ord(m.group()):04X} at {m.start()}"
	EOF
}

# tap_ok FILE: prove reads every test line (no bail-out, no parse error) and each YAML block is YAML
tap_ok() {
	local out
	out=$(prove -e cat "$1" 2>&1) || true
	[[ $out != *"Bail out"* && $out != *"Further testing stopped"* && $out != *"Parse errors"* ]] ||
		{ echo "$out"; return 1; }
	grep -Eq "Tests: $(sed -n 's/^1\.\.//p' "$1")|Files=1, Tests=$(sed -n 's/^1\.\.//p' "$1")" <<<"$out" ||
		{ echo "$out"; return 1; }
	"$PY" - "$1" <<-'EOF'
		import sys, yaml
		block = None
		for line in open(sys.argv[1], encoding="utf-8"):
		    if line == "  ---\n":
		        block = []
		    elif line == "  ...\n":
		        assert isinstance(yaml.safe_load("".join(block)), dict), block
		        block = None
		    elif block is not None:
		        block.append(line[2:])
		assert block is None, "unterminated YAML block"
	EOF
}

junit_ok() {
	for x in tests/cli/schema/ant-junit.xsd tests/cli/schema/jenkins-junit-10.xsd; do
		xmllint --noout --schema "$x" "$1" 2>&1 || return 1
	done
}

@test "hostile strings: every comm byte, header string and path byte stays valid in every format" {
	# a file name of every byte 0x01..0xff but '/' (254 bytes: fits NAME_MAX)
	name=$("$PY" -c 'import os, sys; sys.stdout.buffer.write(bytes(b for b in range(1, 256) if b != 0x2f))')
	for k in $(seq 0 23); do
		d="$tmp/$k"
		mkdir "$d"
		"$PY" tests/cli/hostile_trace.py "$SRC" "$d/t" "$k"
		t="$d/$name"
		mv "$d/t" "$t"
		for f in text json junit tap; do
			run --separate-stderr "$D0" check --format "$f" "$t"
			[ "$status" -eq 1 ]
			printf '%s\n' "$output" >"$d/check.$f"
			printf '%s\n' "$stderr" >>"$d/stderr"
		done
		run --separate-stderr "$D0" -j check "$t"
		printf '%s\n' "$stderr" >"$d/stderr.json"
		for f in text svg perfetto; do
			"$D0" report --format "$f" -o "$d/report.$f" "$t" 2>>"$d/stderr" || [ $? -eq 1 ]
		done
		plain_text "$d/check.text" "$d/report.text" "$d/stderr" "$d/check.tap"
		xmllint --noout "$d/check.junit" "$d/report.svg"
		junit_ok "$d/check.junit"
		tap_ok "$d/check.tap"
		"$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$d/report.perfetto"
	done
	"$PY" tests/cli/validate_json.py --def check "$SCHEMA" "$tmp"/*/check.json
	"$PY" tests/cli/validate_json.py --def report_perfetto "$SCHEMA" "$tmp"/*/report.perfetto
	# each byte arrives, visibly: chunk k is comm bytes 15k+1 .. 15k+15
	grep -qF '(\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f)' "$tmp/0/check.text"
	grep -qF '(\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e)' "$tmp/1/check.text"
	grep -qF '(\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff)' "$tmp/16/check.tap"
	# printable ASCII passes as it is, a backslash is doubled, well-formed UTF-8 is kept
	grep -qF '([\\]^_`abcdefghi)' "$tmp/6/check.text"
	grep -qF '(café☃)' "$tmp/23/check.text"
	# the forgeries of issue 15, each rendered inert
	grep -qF '(x\x0aBail out!)' "$tmp/17/check.tap"
	grep -qF '(\x01&lt;a&amp;b&gt;&quot;x\xff]]&gt;)' "$tmp/18/check.junit"
	grep -qF '(\x1b[2J\x1b]0;pwn\x07)' "$tmp/19/check.text"
	grep -qF '(\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80)' "$tmp/20/check.text"
	grep -qF '(\xe2\x80\xaeevil\xc2\x9b\xef\xbf\xbe)' "$tmp/21/check.text"
	# the kernel string (U+0001..U+00FF; the report keeps its first 127 bytes) in the report header
	grep -qF 'kernel \x01\x02' "$tmp/0/report.text"
	jq -e '.otherData.kernel | startswith("\\x01\\x02") and endswith("}~\\x7f")' "$tmp/0/report.perfetto"
	# -j diagnostics: JSON objects, path visible
	jq -e 'select(.type == "error") | .error | contains("\\x01\\x02")' "$tmp/0/stderr.json" >/dev/null ||
		[ ! -s "$tmp/0/stderr.json" ]
	jq -e '.trace | contains("\\x01\\x02\\x03")' "$tmp/0/check.json"
}

@test "hostile strings: a hostile device, --require and path in errors stay one visible line" {
	ev=$(zcat "$SRC" | sed -n 2p)
	{ zcat "$SRC" | head -1; printf '%s\n' "${ev/\"dev\":\"0000:00:03.0\"/\"dev\":\"\\u001b[2J\\n\\u00ff\"}"; } >"$tmp/dev.ndjson"
	run --separate-stderr "$D0" check "$tmp/dev.ndjson"
	[ "$status" -eq 3 ]
	printf '%s\n' "$stderr" >"$tmp/err"
	plain_text "$tmp/err"
	[ "$(wc -l <"$tmp/err")" -eq 1 ]
	run --separate-stderr "$D0" check --require $'zap:\e[2J\n:1' "$SRC"
	[ "$status" -eq 2 ]
	printf '%s\n' "$stderr" >"$tmp/err"
	plain_text "$tmp/err"
	[[ $stderr == *'zap:\x1b[2J\x0a:1'* ]]
}

# integrity CASE FILE [ARGS]: check exits 3; JUnit has the trace-integrity error and fits both
# schemas; TAP has it "not ok" and prove fails
integrity() {
	local why=$1 t=$2
	shift 2
	run "$D0" check "$@" "$t"
	[ "$status" -eq 3 ] || { echo "$why: exit $status"; return 1; }
	"$D0" check --format junit "$@" "$t" >"$tmp/$why.xml" || [ $? -eq 3 ]
	junit_ok "$tmp/$why.xml"
	xmllint --xpath 'string(//testcase[@name="trace integrity"]/error/@type)' "$tmp/$why.xml" | grep -qx incomplete ||
		{ echo "$why: no integrity error"; return 1; }
	[ "$(xmllint --xpath 'string(//testsuite/@errors)' "$tmp/$why.xml")" -ge 1 ]
	"$D0" check --format tap "$@" "$t" >"$tmp/$why.tap" || [ $? -eq 3 ]
	grep -Eq '^not ok [0-9]+ - trace integrity$' "$tmp/$why.tap" || { echo "$why: integrity ok in TAP"; return 1; }
	tap_ok "$tmp/$why.tap"
	! prove -e cat "$tmp/$why.tap" >/dev/null 2>&1 || { echo "$why: prove passed"; return 1; }
}

@test "exit 3 is never green: JUnit errors and TAP fails for each cause of an incomplete verdict" {
	CLEAN=$FIX/dmabuf-7.2.ndjson.gz
	zcat "$CLEAN" | head -n -1 >"$tmp/truncated.ndjson"
	integrity truncated "$tmp/truncated.ndjson"
	{ zcat "$CLEAN" | head -n 5; echo '{"type":"event",'; } >"$tmp/corrupt.ndjson"
	integrity corrupt "$tmp/corrupt.ndjson"
	{ zcat "$CLEAN" | head -n 5; echo '{"type":"gap","first_seq":4,"lost":3}'; zcat "$CLEAN" | sed 1,5d; } >"$tmp/lost.ndjson"
	integrity lost "$tmp/lost.ndjson"
	# a rule's hook that did not attach: rule 7 not fully checked
	zcat "$CLEAN" | sed '1s/"name":"BAR_IO","target":"vfio_pci_core_do_io_rw","status":"attached"/"name":"BAR_IO","target":"vfio_pci_core_do_io_rw","status":"failed"/' >"$tmp/blind.ndjson"
	run "$D0" check "$tmp/blind.ndjson"
	[[ $output == *"NOT FULLY CHECKED"* ]]
	integrity blind "$tmp/blind.ndjson"
	integrity require "$CLEAN" --require hot-reset::5
	# and a clean trace is green everywhere
	run "$D0" check --format tap "$CLEAN"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$tmp/clean.tap"
	prove -e cat "$tmp/clean.tap"
	grep -Eq '^ok [0-9]+ - trace integrity$' "$tmp/clean.tap"
}

@test "JUnit: time, timestamp (UTC, no zone), hostname and failure@type, valid in both schemas" {
	run "$D0" check --format junit "$SRC"
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$tmp/j.xml"
	junit_ok "$tmp/j.xml"
	[[ $(xmllint --xpath 'string(//testsuite/@timestamp)' "$tmp/j.xml") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]
	[ "$(xmllint --xpath 'string(//testsuite/@hostname)' "$tmp/j.xml")" = "$(hostname)" ]
	[[ $(xmllint --xpath 'string(//testsuite/@time)' "$tmp/j.xml") =~ ^[0-9]+\.[0-9]{3}$ ]]
	[ "$(xmllint --xpath 'count(//failure[@type="violation"])' "$tmp/j.xml")" -eq 2 ]
	[ "$(xmllint --xpath 'count(//testcase[not(@time)])' "$tmp/j.xml")" -eq 0 ]
}

@test "not a trace: empty and non-trace files say so in one line; a bad gzip names the file" {
	: >"$tmp/empty"
	printf 'hello\nworld\n' >"$tmp/words.txt"
	for f in empty words.txt; do
		run --separate-stderr "$D0" check "$tmp/$f"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ $stderr == "d0audit: error: check: $tmp/$f:1: "*"not a d0audit trace"* ]]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		# CI formats still say so: the integrity case is errored
		integrity "nt-$f" "$tmp/$f"
	done
	printf '\x1f\x8b\x08\x00garbage' >"$tmp/bad.ndjson.gz"
	run "$D0" check "$tmp/bad.ndjson.gz"
	[ "$status" -eq 3 ]
	[[ $output == *"$tmp/bad.ndjson.gz:1: read error: "* ]]
	[[ $output != *"<fd:"* ]]
}
