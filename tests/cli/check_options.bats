#!/usr/bin/env bats
# d0audit check: what its options do, not only their shape. --allow waives one rule on
# one device or on all; --require counts events of a kind on one device or any, at its
# exact threshold; JUnit and TAP count requirements, skips (rules not applicable on the
# recorded kernel) and errors (rules not fully checked) as the summary does; and the exit
# code follows. Traces: the synthetic two-device trace (tests/unit/fixtures/synthetic/README:
# rule 1 and rule 7 broken on 0000:00:03.0, nothing on 0000:00:04.0, 3 events lost), real
# 7.2 and 6.1 recordings, and copies whose header says hooks failed.

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces
SYN=tests/unit/fixtures/synthetic/two-devices-gap.ndjson

setup_file() {
	# the same recordings with hooks failed in the header: their rules are not fully checked
	jq -c 'if .type == "header" then (.hooks |= map(if .name == "BAR_IO" or .name == "DMABUF_MOVE" then .status = "failed" else . end)) else . end' \
		"$SYN" >"$BATS_FILE_TMPDIR/syn-blind.ndjson"
	zcat "$FIX/dmabuf-7.2.ndjson.gz" |
		jq -c 'if .type == "header" then (.hooks |= map(if .name == "BAR_IO" or .name == "ZAP" then .status = "failed" else . end)) else . end' \
			>"$BATS_FILE_TMPDIR/dmabuf-blind.ndjson"
}

# suite_line FILE: the JUnit testsuite element's counts
suite_line() {
	sed -n 's/.*<testsuite name="d0audit" [^>]*\(tests="[0-9]*" failures="[0-9]*" errors="[0-9]*" skipped="[0-9]*"\).*/\1/p' <<<"$1"
}

@test "check --allow: a rule waived on its device or on all; another device's waiver waives nothing" {
	run --separate-stderr "$D0" check -j "$SYN"
	[ "$status" -eq 1 ]
	jq -e '[.violations[] | [.rule, .allowed]] == [[1, false], [7, false]]' <<<"$output"
	# on the device that broke it
	run --separate-stderr "$D0" check -j --allow 1:0000:00:03.0 "$SYN"
	[ "$status" -eq 1 ]
	jq -e '[.violations[] | [.rule, .allowed]] == [[1, true], [7, false]]' <<<"$output"
	# on any device, by name
	run --separate-stderr "$D0" check -j --allow ZAP_BEFORE_POWER_DOWN "$SYN"
	[ "$status" -eq 1 ]
	jq -e '[.violations[] | [.rule, .allowed]] == [[1, true], [7, false]]' <<<"$output"
	# on the other device: nothing waived
	run --separate-stderr "$D0" check -j --allow 1:0000:00:04.0 --allow 7:0000:00:04.0 "$SYN"
	[ "$status" -eq 1 ]
	jq -e '[.violations[] | .allowed] == [false, false]' <<<"$output"
	# both waived: what is left is the lost events, so incomplete, not clean and not violated
	run --separate-stderr "$D0" check --allow 1 --allow 7:0000:00:03.0 "$SYN"
	[ "$status" -eq 3 ]
	[[ $output == *"verdict: INCOMPLETE"* ]]
}

@test "check --require: device-scoped, any device, and exactly at its threshold" {
	T=$FIX/dmabuf-7.2.ndjson.gz # 2 zaps and 12 dmabuf-moves, all on 0000:00:03.0
	run --separate-stderr "$D0" check --require zap:0000:00:03.0:2 --require dmabuf-move::12 --require reset "$T"
	[ "$status" -eq 0 ]
	[[ $output == *"require zap:0000:00:03.0:2: 2 seen, met"* ]]
	[[ $output == *"require dmabuf-move::12: 12 seen, met"* ]]
	# one more than there are
	run --separate-stderr "$D0" check --require zap:0000:00:03.0:3 "$T"
	[ "$status" -eq 3 ]
	[[ $output == *"require zap:0000:00:03.0:3: 2 seen, NOT MET"* ]]
	[[ $output == *"--require zap:0000:00:03.0:3: the trace has 2 such event(s), needs 3"* ]]
	# another device saw none of them
	run --separate-stderr "$D0" check -j --require zap:0000:00:04.0 --require "zap:*" "$T"
	[ "$status" -eq 3 ]
	jq -e '[.requirements[] | [.require, .seen, .min, .met]] == [["zap:0000:00:04.0", 0, 1, false], ["zap:*", 2, 1, true]]' <<<"$output"
}

@test "check --format junit: tests, failures, errors and skips counted as the summary judges them" {
	run --separate-stderr "$D0" check --format junit --require zap:0000:00:04.0:2 --require "zap:*" "$SYN"
	[ "$status" -eq 1 ]
	# 12 rules + 2 requirements + trace integrity; failures: rules 1 and 7 and the unmet requirement;
	# the error: this trace has a gap (events lost), so its integrity case is an error
	[ "$(suite_line "$output")" = 'tests="15" failures="3" errors="1" skipped="0"' ]
	[ "$(grep -c '<testcase classname="d0audit.require"' <<<"$output")" -eq 2 ]
	[[ $output == *'name="zap:0000:00:04.0:2" time="0"><failure type="require-unmet" message="1 event(s), need 2"/></testcase>'* ]]
	[[ $output == *'name="zap:*" time="0"></testcase>'* ]]
	# a waived rule is no failure
	run --separate-stderr "$D0" check --format junit --allow 1 "$SYN"
	[ "$(suite_line "$output")" = 'tests="13" failures="1" errors="1" skipped="0"' ]
	# not fully checked: an error, unless the rule failed anyway (then it is that failure)
	run --separate-stderr "$D0" check --format junit "$BATS_FILE_TMPDIR/syn-blind.ndjson"
	[ "$status" -eq 1 ]
	[ "$(suite_line "$output")" = 'tests="13" failures="2" errors="4" skipped="0"' ]
	run --separate-stderr "$D0" check --format junit --allow 7 "$BATS_FILE_TMPDIR/syn-blind.ndjson"
	[ "$(suite_line "$output")" = 'tests="13" failures="1" errors="5" skipped="0"' ]
	[[ $output == *'name="7 NO_ACCESS_OUTSIDE_D0" time="0"><error type="not-fully-checked" message="not fully checked: no working hook for BAR_IO"/>'* ]]
	# rules with no path on 6.1 (no vfio DMABUFs) are skipped
	run --separate-stderr "$D0" check --format junit "$FIX/pm-d3-6.1.ndjson.gz"
	[ "$status" -eq 0 ]
	[ "$(suite_line "$output")" = 'tests="13" failures="0" errors="0" skipped="4"' ]
	[ "$(grep -c '<skipped message="not applicable on the recorded kernel"/>' <<<"$output")" -eq 4 ]
	xmllint --noout - <<<"$output"
}

@test "check --format tap: the plan counts requirements, not fully checked is not ok, skips say SKIP" {
	run --separate-stderr "$D0" check --format tap --require zap:0000:00:04.0 --require "reset::9" "$FIX/dmabuf-7.2.ndjson.gz"
	[ "$status" -eq 3 ]
	[ "${lines[1]}" = "TAP version 13" ] || [ "${lines[0]}" = "TAP version 13" ]
	[[ $output == *$'\n1..15\n'* ]]
	[[ $output == *"not ok 13 - require zap:0000:00:04.0 (0 seen)"* ]]
	[[ $output == *"not ok 14 - require reset::9 (8 seen)"* ]]
	[[ $output == *"not ok 15 - trace integrity"* ]]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 12 ]
	run --separate-stderr "$D0" check --format tap "$BATS_FILE_TMPDIR/dmabuf-blind.ndjson"
	[ "$status" -eq 3 ]
	[ "$(grep -c '^not ok ' <<<"$output")" -eq 6 ]
	[[ $output == *$'not ok 7 - rule 7 NO_ACCESS_OUTSIDE_D0\n  ---\n  message: "not fully checked"\n  severity: incomplete'* ]]
	[[ $output == *'no working hook for BAR_IO'* ]]
	run --separate-stderr "$D0" check --format tap "$FIX/pm-d3-6.1.ndjson.gz"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok [0-9]* - rule [0-9]* [A-Z0-9_]* # SKIP not applicable on the recorded kernel$' <<<"$output")" -eq 4 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 13 ]
}

@test "check --mode: the option judges the trace in that mode, whatever it was recorded in" {
	# a D0 -> D1 transition while mapped: a violation in strict mode only
	{ head -n 1 "$SYN" | jq -c '.mode = "kernel"'
	  jq -c 'select(.type == "event" and .seq == 4) | .kind = "power-change" | .phase = "exit" | .power_before = "D0" |
		.power = "D1" | .hook = "PCI_SET_POWER_RET" | .ctx = ["vfio-power", "pci-power"] | .state = ["open", "lock-held", "mapped", "vfio"] | .violations = []' "$SYN"
	  echo '{"type":"footer","produced":1,"delivered":1,"drops":{"ringbuf_full":0,"devmap_full":0},"drops_by_hook":{},"hits":{},"kernel_violations":{},"bad_records":0,"ended_by":"command"}'
	} >"$BATS_FILE_TMPDIR/d1.ndjson"
	run --separate-stderr "$D0" check -j "$BATS_FILE_TMPDIR/d1.ndjson"
	[ "$status" -eq 0 ]
	jq -e '.mode == "kernel" and .violations == []' <<<"$output"
	run --separate-stderr "$D0" check -j --mode strict "$BATS_FILE_TMPDIR/d1.ndjson"
	[ "$status" -eq 1 ]
	jq -e '.mode == "strict" and [.violations[].rule] == [1]' <<<"$output"
}
