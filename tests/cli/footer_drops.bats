#!/usr/bin/env bats
# Events the kernel dropped without a sequence number leave no gap record: only the
# footer's drops count them (devmap_full: a device beyond the device map; exit_without_entry:
# an exit on the multi-attached link whose entry was not seen). check must not call such a
# trace clean. Trace: a real 7.2 recording of a sysfs COMMAND write (rules 5 and 10).

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces/sysfs-cmd-mem-7.2.ndjson.gz
CLEAN=tests/unit/fixtures/traces/pm-d3-7.2.ndjson.gz

# with_drops FILE JSON: the trace with its footer's drops replaced
with_drops() {
	zcat "$1" | jq -c --argjson d "$2" 'if .type == "footer" then .drops = $d else . end'
}

@test "footer drops: the fixture itself is clean, so the drops below are what changes the verdict" {
	with_drops "$CLEAN" '{"ringbuf_full":0,"devmap_full":0,"exit_without_entry":0}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run -0 "$D0" check "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $output == *"verdict: clean"* ]]
}

@test "footer drops: exits without their entry make a clean trace incomplete, with the cause and what to do" {
	with_drops "$CLEAN" '{"ringbuf_full":0,"devmap_full":0,"exit_without_entry":2}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run -3 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	jq -e '.incomplete | any(test("^2 event\\(s\\) not judged \\(exit_without_entry\\): .*D0AUDIT_NO_MULTI=1"))' <<<"$output"
}

@test "footer drops: untracked devices (devmap_full) make a clean trace incomplete" {
	with_drops "$CLEAN" '{"ringbuf_full":0,"devmap_full":5}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run -3 "$D0" check "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $output == *"5 event(s) not judged (devmap_full): more devices than the device map holds"* ]]
}

@test "footer drops: violations stay violations (exit 1) and the drop is still said" {
	with_drops "$FIX" '{"ringbuf_full":0,"devmap_full":0,"exit_without_entry":1}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run -1 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -c '[.violations[].rule] | sort | unique' <<<"$output") == '[5,10]' ]]
	jq -e '.incomplete | any(test("not judged \\(exit_without_entry\\)"))' <<<"$output"
}

@test "footer drops: ringbuf_full alone is the gap records' business, not counted twice" {
	with_drops "$CLEAN" '{"ringbuf_full":3,"devmap_full":0}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	! jq -e '.incomplete | any(test("not judged \\(ringbuf_full\\)"))' <<<"$output"
}

@test "footer drops: the schema takes the new cause and a trace without it" {
	with_drops "$CLEAN" '{"ringbuf_full":0,"devmap_full":0,"exit_without_entry":2}' >"$BATS_TEST_TMPDIR/t.ndjson"
	run -0 python3 tests/cli/validate_json.py --lines --def trace_line tools/schema/d0audit-output.schema.json "$BATS_TEST_TMPDIR/t.ndjson"
	with_drops "$CLEAN" '{"ringbuf_full":0,"devmap_full":0}' >"$BATS_TEST_TMPDIR/old.ndjson"
	run -0 python3 tests/cli/validate_json.py --lines --def trace_line tools/schema/d0audit-output.schema.json "$BATS_TEST_TMPDIR/old.ndjson"
}
