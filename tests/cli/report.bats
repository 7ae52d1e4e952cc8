#!/usr/bin/env bats
# d0audit report: the three formats on real recordings and on the synthetic two-device trace
# (tests/unit/fixtures/synthetic/README), exact messages and exit codes on bad input.
# The SVG is rendered in headless Chromium and the picture checked pixel by pixel.

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces
SYN=tests/unit/fixtures/synthetic/two-devices-gap.ndjson
PY=/usr/bin/python3   # Debian's, which has python3-jsonschema and python3-pil

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "report: usage errors exit 2 with the reason" {
	run --separate-stderr "$D0" report
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: report: exactly one TRACE file expected (see 'd0audit report --help')" ]
	run --separate-stderr "$D0" report --format pdf "$SYN"
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: report: --format must be text, svg or perfetto, not 'pdf'" ]
	run --separate-stderr "$D0" report --device 00:03 "$SYN"
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: report: bad --device '00:03': give a PCI address like 0000:00:03.0" ]
	run --separate-stderr "$D0" report --mode lenient "$SYN"
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: report: --mode must be strict or kernel, not 'lenient'" ]
	run --separate-stderr "$D0" report --device 0000:00:09.0 "$SYN"
	[ "$status" -eq 2 ]
	[[ $stderr == *"device 0000:00:09.0 does not appear in $SYN"* ]]
	[ -z "$output" ]
	run --separate-stderr "$D0" report -o /nonexistent-dir/r.svg --format svg "$FIX/pm-d3-7.2.ndjson.gz"
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: report: cannot create /nonexistent-dir/r.svg: No such file or directory" ]
}

@test "report: a missing trace exits 2 naming the file; -j makes the error JSON" {
	run --separate-stderr "$D0" report /nonexistent/trace.ndjson
	[ "$status" -eq 2 ]
	[ "$stderr" = "d0audit: error: cannot open trace /nonexistent/trace.ndjson: No such file or directory" ]
	run --separate-stderr "$D0" -j report /nonexistent/trace.ndjson
	[ "$status" -eq 2 ]
	echo "$stderr" | jq -e '.type == "error" and .command == "report" and
		.error == "cannot open trace /nonexistent/trace.ndjson: No such file or directory"'
	run --separate-stderr "$D0" -j report --format pdf "$SYN"
	[ "$status" -eq 2 ]
	echo "$stderr" | jq -e '.error == "report: --format must be text, svg or perfetto, not '"'pdf'"'"'
}

@test "report: corrupt and cut-off traces exit 3 with file:line, and what was intact is still drawn" {
	printf 'hello\n' >"$tmp/text.ndjson"
	run --separate-stderr "$D0" report "$tmp/text.ndjson"
	[ "$status" -eq 3 ]
	[ "$stderr" = "d0audit: error: report: $tmp/text.ndjson:1: not valid JSON: '[' or '{' expected near 'hello' (column 5): not a d0audit trace (the report covers the 0 intact events before it)" ]
	# a 7.2 recording cut in the middle of line 12: 10 intact events, no violation yet, so exit 3
	{ zcat "$FIX/sysfs-cmd-mem-7.2.ndjson.gz" | head -n 11
	  zcat "$FIX/sysfs-cmd-mem-7.2.ndjson.gz" | sed -n 12p | head -c 100; } | gzip >"$tmp/cut.ndjson.gz"
	run --separate-stderr "$D0" report "$tmp/cut.ndjson.gz"
	[ "$status" -eq 3 ]
	[ "$stderr" = "d0audit: error: report: $tmp/cut.ndjson.gz:12: last line is cut off (no newline): truncated trace (the report covers the 10 intact events before it)" ]
	[[ $output == *"INCOMPLETE: $tmp/cut.ndjson.gz:"* ]]
	[[ $output == *"device 0000:00:03.0"* ]]
	[[ $output == *"power    D3hot -> D0 in pci_power_up"* ]]
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -20 >"$tmp/nofooter.ndjson"
	run --separate-stderr "$D0" report --format svg "$tmp/nofooter.ndjson"
	[ "$status" -eq 3 ]
	[ "$stderr" = "d0audit: error: report: $tmp/nofooter.ndjson has no footer: the recording did not finish (truncated?)" ]
	echo "$output" | xmllint --noout -
	: >"$tmp/empty.ndjson"
	run --separate-stderr "$D0" report "$tmp/empty.ndjson"
	[ "$status" -eq 3 ]
	[ "$stderr" = "d0audit: error: report: $tmp/empty.ndjson:1: empty file: not a d0audit trace (no header) (the report covers the 0 intact events before it)" ]
}

@test "report: text golden output of a real 7.2 bypass (regenerate: see tests/cli/golden/README)" {
	run --separate-stderr "$D0" report "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	diff -u tests/cli/golden/report-sysfs-cmd-mem.text <(printf '%s\n' "$output")
}

@test "report: text marks violations in place, aggregates accesses, shows the gap; exit 1 beats lost events" {
	run --separate-stderr "$D0" report "$SYN"
	[ "$status" -eq 1 ]
	[[ $output == *"20 events over 0.020000s, 2 device(s), 3 lost, 2 violation(s)"* ]]
	[[ $output == *"  +0.002000s accesses 3 access(es) (fault, bar-access) until +0.002200s"* ]]
	[[ $output == *"  +0.005000s VIOLATION rule 1 ZAP_BEFORE_POWER_DOWN on 0000:00:03.0"* ]]
	[[ $output == *"             before: +0.002000s fault exit in vfio_pci_vmf_insert_pfn by pid 100 (vmm), power D0"* ]]
	[[ $output == *"  +0.006000s VIOLATION rule 7 NO_ACCESS_OUTSIDE_D0 on 0000:00:03.0"* ]]
	[[ $output == *"  +0.006600s refused  1 attempt(s) (bar-rw-done)"* ]]
	[[ $output == *"  +0.006600s LOST 3 events (seq 10-12) before +0.010000s: state unknown until the next event"* ]]
	[[ $output == *"  +0.010600s dmabufs  1, all revoked"* ]]
	[[ $output == *"  power   |0000000000000000hhhhh?????????????????00000000000000000000000000|"* ]]
	[[ $output == *"  rules   |                ^  ^ ~~~~~~~~~~~~                               |"* ]]
	# one line per run, never one per access
	[ "$(grep -Ec '^  \+[0-9.]+s accesses ' <<<"$output")" -eq 2 ]
	# the second device broke nothing; its report alone is incomplete (lost events): exit 3
	run --separate-stderr "$D0" report --device 0000:00:04.0 "$SYN"
	[ "$status" -eq 3 ]
	[[ $output != *"0000:00:03.0"* ]]
	[[ $output == *"0 violation(s)"* ]]
	# a correct flow is clean
	run --separate-stderr "$D0" report "$FIX/dmabuf-7.2.ndjson.gz"
	[ "$status" -eq 0 ]
	[[ $output == *"revoke   in vfio_pci_dma_buf_move (dmabuf-move entry)"* ]]
}

@test "report: colour only on a terminal, never with NO_COLOR" {
	run --separate-stderr "$D0" report "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
	[ "$status" -eq 1 ]
	[[ $output != *$'\033['* ]]
	command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
	# script -e passes the exit status on: 1 (the violation), never a crash
	run script -qec "$D0 report $FIX/sysfs-cmd-mem-7.2.ndjson.gz" /dev/null
	[ "$status" -eq 1 ]
	printf '%s' "$output" >"$tmp/tty.txt"
	grep -q $'\033\\[' "$tmp/tty.txt"
	run env NO_COLOR=1 script -qec "$D0 report $FIX/sysfs-cmd-mem-7.2.ndjson.gz" /dev/null
	[ "$status" -eq 1 ]
	printf '%s' "$output" >"$tmp/nocolor.txt"
	run ! grep -q $'\033\\[' "$tmp/nocolor.txt"
	grep -q 'VIOLATION rule 5' "$tmp/nocolor.txt"
}

@test "report: perfetto JSON is valid against the output schema (report_perfetto), one track per device" {
	"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
	run --separate-stderr "$D0" report --format perfetto -o "$tmp/p.json" "$SYN"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	"$PY" tests/cli/validate_json.py --def report_perfetto tools/schema/d0audit-output.schema.json "$tmp/p.json"
	p=$tmp/p.json
	# one named track per device, each with its power slices
	jq -e '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] == ["0000:00:03.0", "0000:00:04.0"]' "$p"
	jq -e '[.traceEvents[] | select(.ph == "X" and .tid == 1) | [.name, .ts, .dur]] ==
		[["D0", 0, 5000], ["D3hot", 5000, 1600], ["unknown", 6600, 5400], ["D0", 12000, 8000]]' "$p"
	jq -e '[.traceEvents[] | select(.ph == "X" and .tid == 2) | .name] == ["D0", "unknown", "D0", "D3hot", "D0"]' "$p"
	# instants: violations where they happened (µs), zaps, DMABUF moves, accesses, the gap
	jq -e '[.traceEvents[] | select(.cat == "violation") | [.tid, .ts, .name, .args.before[0].kind]] ==
		[[1, 5000, "VIOLATION rule 1 ZAP_BEFORE_POWER_DOWN", "fault"], [1, 6000, "VIOLATION rule 7 NO_ACCESS_OUTSIDE_D0", "fault"]]' "$p"
	jq -e '[.traceEvents[] | select(.name == "zap") | [.tid, .ts]] == [[1, 14000], [2, 10000]]' "$p"
	jq -e '[.traceEvents[] | select(.cat == "dmabuf" and .ph == "i") | [.name, .ts]] ==
		[["dmabuf-export", 1500], ["revoke", 10500], ["unrevoke", 16200]]' "$p"
	jq -e '[.traceEvents[] | select(.cat == "access") | [.name, .args.count]] == [["access x3", 3], ["access x1", 1], ["refused x1", 1]]' "$p"
	jq -e '[.traceEvents[] | select(.cat == "gap")] | length == 1 and .[0].s == "g" and .[0].args.lost == 3' "$p"
	jq -e '.otherData.lost == 3 and .otherData.violations == 2' "$p"
	# every real recording too
	for f in "$FIX"/*.ndjson.gz; do
		"$D0" report --format perfetto -o "$tmp/r.json" "$f" || [ $? -eq 1 ]
		"$PY" tests/cli/validate_json.py --def report_perfetto tools/schema/d0audit-output.schema.json "$tmp/r.json"
		jq -e '[.traceEvents[] | select(.name == "thread_name")] | length == 1' "$tmp/r.json"
	done
}

@test "report: the schema rejects what Perfetto would not load" {
	"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
	run -1 "$D0" report --format perfetto -o "$tmp/p.json" "$SYN"
	jq '(.traceEvents[] | select(.ph == "X") | .ts) |= -1' "$tmp/p.json" >"$tmp/bad.json"
	run "$PY" tests/cli/validate_json.py --def report_perfetto tools/schema/d0audit-output.schema.json "$tmp/bad.json"
	[ "$status" -eq 1 ]
	[[ $output == *"-1 is less than the minimum of 0"* ]]
	jq '.traceEvents[1].ph = "B"' "$tmp/p.json" >"$tmp/bad.json"
	run "$PY" tests/cli/validate_json.py --def report_perfetto tools/schema/d0audit-output.schema.json "$tmp/bad.json"
	[ "$status" -eq 1 ]
}

@test "report: SVG is well-formed, self-contained, one lane per device, violations titled with the rule" {
	run --separate-stderr "$D0" report --format svg -o "$tmp/r.svg" "$SYN"
	[ "$status" -eq 1 ]
	xmllint --noout "$tmp/r.svg"
	[ "$(grep -c '<g class="lane"' "$tmp/r.svg")" -eq 2 ]
	[ "$(grep -c '<g class="violation"><title>VIOLATION rule 1 ZAP_BEFORE_POWER_DOWN' "$tmp/r.svg")" -eq 1 ]
	[ "$(grep -c '<g class="violation"><title>VIOLATION rule 7 NO_ACCESS_OUTSIDE_D0' "$tmp/r.svg")" -eq 1 ]
	[ "$(grep -c '<g class="gap"><title>3 events lost (seq 10-12)' "$tmp/r.svg")" -eq 1 ]
	# nothing fetched from anywhere: no scripts, no links, no external images or fonts
	run ! grep -Eq '<script|href=|@import|url\((http|file|//)' "$tmp/r.svg"
}

@test "report: SVG rendered in headless Chromium has the lanes, the state colours and the violation markers" {
	command -v chromium >/dev/null || skip "chromium is not installed (make deps)"
	"$PY" -c 'import PIL' 2>/dev/null || skip "python3-pil is not installed (make deps)"
	"$D0" report --format svg -o "$tmp/r.svg" "$SYN" 2>/dev/null || [ $? -eq 1 ]
	"$D0" report --format svg -o "$tmp/clean.svg" "$FIX/dmabuf-7.2.ndjson.gz"
	for f in r clean; do
		# the SVG's own size: 1200 wide, 96 + 136 per lane + 40 high
		h=$(sed -n 's/.*<svg [^>]*height="\([0-9]*\)".*/\1/p' "$tmp/$f.svg")
		timeout 30 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
			--user-data-dir="$tmp/profile" --window-size="1200,$h" --screenshot="$tmp/$f.png" \
			"file://$tmp/$f.svg" 2>/dev/null
		[ -s "$tmp/$f.png" ]
	done
	count() { # PNG X0 Y0 X1 Y1 COLOUR -> pixels of exactly that colour in the box
		"$PY" tests/cli/png_colours.py "$@" | awk '{print $2}'
	}
	p=$tmp/r.png
	# lane 1 (0000:00:03.0, y 96-232): power band D0 green, D3hot blue, unknown grey after the gap
	[ "$(count "$p" 170 118 1180 146 2ca02c)" -gt 10000 ]
	[ "$(count "$p" 170 118 1180 146 1f77b4)" -gt 1000 ]
	[ "$(count "$p" 170 118 1180 146 c7c7c7)" -gt 500 ]
	# mapped (orange) between the fault and the gap, only on lane 1
	[ "$(count "$p" 170 152 1180 166 ff7f0e)" -gt 1000 ]
	[ "$(count "$p" 170 288 1180 302 ff7f0e)" -eq 0 ]
	# violation markers: red on lane 1, none on lane 2 (y 232-368), none in the clean render
	[ "$(count "$p" 170 96 1180 232 ff0000)" -gt 150 ]
	[ "$(count "$p" 170 232 1180 368 ff0000)" -eq 0 ]
	[ "$(count "$tmp/clean.png" 0 96 1200 232 ff0000)" -eq 0 ]
	# lane 2's DMABUF band: unrevoked (pink), then revoked (cyan) across its D3hot
	[ "$(count "$p" 170 306 1180 320 e377c2)" -gt 1000 ]
	[ "$(count "$p" 170 306 1180 320 17becf)" -gt 1000 ]
	[ "$(count "$p" 170 254 1180 282 1f77b4)" -gt 1000 ]
	# the gap (6.6-10 ms of 20: x 503-675) hatched in black across both lanes, and nowhere else
	[ "$(count "$p" 505 96 673 368 000000)" -gt 500 ]
	[ "$(count "$p" 1000 254 1170 282 000000)" -eq 0 ]
	# the clean real recording: one lane, D3hot then D0
	[ "$(count "$tmp/clean.png" 170 118 1180 146 2ca02c)" -gt 10000 ]
	[ "$(count "$tmp/clean.png" 170 118 1180 146 1f77b4)" -gt 100 ]
}
