#!/usr/bin/env bats
# A hook that attached late (its module loaded after the start) watches only from its
# attach record on: a rule needing it cannot judge the steps before, so check makes them
# incomplete, naming the hook, instead of violations; steps after it are judged as ever.
# Trace: a real 7.2 recording of a sysfs COMMAND write (rules 5 and 10 on 0000:00:03.0).

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces/sysfs-cmd-mem-7.2.ndjson.gz

# with_attach HOOK TS: the trace with {"type":"attach"} for HOOK at TS right after its header
with_attach() {
	zcat "$FIX" | jq -c --arg h "$1" --argjson ts "$2" \
		'if .type == "header" then ., {type: "attach", hook: $h, ts_ns: $ts} else . end'
}

setup_file() {
	zcat "$FIX" | jq -r 'select(.type == "event") | .t' | sort -n | sed -n '1p;$p' >"$BATS_FILE_TMPDIR/span"
}

first_t() { sed -n 1p "$BATS_FILE_TMPDIR/span"; }
last_t() { sed -n 2p "$BATS_FILE_TMPDIR/span"; }

@test "late attach after the violating step: rule 10 not judged there, incomplete with the hook and its module" {
	with_attach VFIO_CONFIG_RW $(($(last_t) + 1)) >"$BATS_TEST_TMPDIR/t.ndjson"
	run -1 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -c '[.violations[].rule] | sort' <<<"$output") == '[5]' ]]
	jq -e '.incomplete | any(test("rule 10 BYPASS not judged at [0-9]+ step\\(s\\) made before hook VFIO_CONFIG_RW attached \\(module vfio_pci_core"))' <<<"$output"
}

@test "late attach of every hook rules 5 and 10 need: no violation, exit 3" {
	zcat "$FIX" | jq -c --argjson ts $(($(last_t) + 1)) \
		'if .type == "header" then ., ({type: "attach", ts_ns: $ts} + (["VFIO_CONFIG_RW", "ZAP", "VFIO_CMD_WRITE", "USER_CFG_WORD"][] | {hook: .})) else . end' \
		>"$BATS_TEST_TMPDIR/t.ndjson"
	run -3 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -c '.violations' <<<"$output") == '[]' ]]
	jq -e '.incomplete | any(test("not judged at [0-9]+ step\\(s\\) made before hook"))' <<<"$output"
}

@test "late attach before the first step: judged as if attached from the start" {
	run -1 "$D0" check -j "$FIX"
	plain=$(jq -c '[.violations[].rule] | sort' <<<"$output")
	with_attach VFIO_CONFIG_RW $(first_t) >"$BATS_TEST_TMPDIR/t.ndjson"
	run -1 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -c '[.violations[].rule] | sort' <<<"$output") == "$plain" && $plain == '[5,10]' ]]
	[[ $(jq -c '.incomplete' <<<"$output") == '[]' ]]
}

@test "report honours the attach record as check does" {
	with_attach VFIO_CONFIG_RW $(($(last_t) + 1)) >"$BATS_TEST_TMPDIR/t.ndjson"
	run "$D0" report "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $output != *"rule 10"* ]]
	[[ $output == *"rule 5"* ]]
}

@test "a hook this d0audit does not know (a newer recorder's): ignored" {
	with_attach NO_SUCH_HOOK_YET $(($(last_t) + 1)) >"$BATS_TEST_TMPDIR/t.ndjson"
	run -1 "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -c '[.violations[].rule] | sort' <<<"$output") == '[5,10]' ]]
}

@test "a malformed attach record: a clear error naming it, not a crash" {
	zcat "$FIX" | jq -c 'if .type == "header" then ., {type: "attach", hook: "ZAP"} else . end' >"$BATS_TEST_TMPDIR/t.ndjson"
	run "$D0" check "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $status -ne 0 && $status -ne 1 ]]
	[[ $output == *"bad attach"*"ts_ns"* ]]
	zcat "$FIX" | jq -c 'if .type == "header" then ., {type: "attach", hook: 7, ts_ns: 1} else . end' >"$BATS_TEST_TMPDIR/t.ndjson"
	run "$D0" check "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $status -ne 0 && $status -ne 1 && $output == *'bad attach: "hook" is not a string'* ]]
}

@test "the attach record and the incomplete check document follow the output schema" {
	python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
	with_attach VFIO_CONFIG_RW $(($(last_t) + 1)) >"$BATS_TEST_TMPDIR/t.ndjson"
	python3 tests/cli/validate_json.py --lines --def trace_line tools/schema/d0audit-output.schema.json "$BATS_TEST_TMPDIR/t.ndjson"
	run -1 --separate-stderr "$D0" check -j "$BATS_TEST_TMPDIR/t.ndjson"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.json"
	python3 tests/cli/validate_json.py --def check tools/schema/d0audit-output.schema.json "$BATS_TEST_TMPDIR/c.json"
	# and the schema refuses a malformed one
	echo '{"type":"attach","hook":"ZAP"}' >"$BATS_TEST_TMPDIR/bad.ndjson"
	run ! python3 tests/cli/validate_json.py --lines --def trace_line tools/schema/d0audit-output.schema.json "$BATS_TEST_TMPDIR/bad.ndjson"
}
