#!/usr/bin/env bats
# -j output against its one documented schema, tools/schema/d0audit-output.schema.json:
# every subcommand that runs on this host (no BPF here: doctor plans only), every
# command's error objects, and that with -j stderr holds JSON objects only.
# audit -j and doctor -j with hooks loaded are validated in a guest (tests/vm/test_rules.sh).

bats_require_minimum_version 1.5.0

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces
SCHEMA=tools/schema/d0audit-output.schema.json
PY=/usr/bin/python3 # Debian's, which has python3-jsonschema

setup() {
	"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

valid() { # [--lines] DEF FILE...
	local lines=()
	[[ $1 == --lines ]] && { lines=(--lines); shift; }
	"$PY" tests/cli/validate_json.py "${lines[@]}" --def "$1" "$SCHEMA" "${@:2}"
}

@test "schema: a valid 2020-12 schema whose enums match the sources" {
	"$PY" - "$SCHEMA" <<-'EOF'
		import json, re, sys
		from jsonschema.validators import validator_for
		s = json.load(open(sys.argv[1]))
		validator_for(s).check_schema(s)
		d = s["$defs"]
		kinds = re.findall(r'X\(\w+,\s*"([a-z0-9-]+)"\)', open("include/d0audit/event.h").read())
		assert d["kind"]["enum"] == kinds, "kind enum differs from include/d0audit/event.h"
		names = open("src/model/event_names.c").read()
		for key, var in (("context", "d0_ctx_names"), ("state", "d0_state_names")):
		    src = re.findall(r'"([a-z0-9-]+)"', names.split(var + "[] = {")[1].split("};")[0])
		    got = d[key]["enum"] if key == "context" else d["trace_line"]["oneOf"][1]["properties"]["state"]["items"]["enum"]
		    assert got == src, f"{key} enum differs from {var}"
		for n in ("version", "rules", "doctor", "audit_line", "record", "check", "report_perfetto", "config", "daemon_log", "diagnostic", "trace_line"):
		    assert n in d, n
	EOF
	# the version the binary reports is the schema's
	v=$("$D0" -j --version | jq .output_schema)
	[[ $(jq -r '."$id"' "$SCHEMA") == */"$v" ]]
	[[ $(jq -r .title "$SCHEMA") == *"schema version $v" ]]
}

@test "schema: --version, rules" {
	"$D0" -j --version >"$tmp/v.json"
	valid version "$tmp/v.json"
	"$D0" rules -j >"$tmp/r.json"
	valid rules "$tmp/r.json"
	"$D0" -p rules >"$tmp/rp.json"
	valid rules "$tmp/rp.json"
}

@test "schema: check -j and --format json on every recorded trace, with requirements and waivers" {
	for f in "$FIX"/*.ndjson.gz; do
		run --separate-stderr "$D0" check -j --require zap::1 --allow BYPASS "$f"
		[ "$status" -ne 2 ]
		printf '%s\n' "$output" >"$tmp/c.json"
		valid check "$tmp/c.json"
		valid --lines trace_line "$f"
	done
	rc=0; "$D0" check --format json "$FIX/sysfs-cmd-mem-7.2.ndjson.gz" >"$tmp/f.json" || rc=$?
	[ "$rc" -eq 1 ]
	valid check "$tmp/f.json"
	jq -e '.type == "check" and .exit_code == 1 and (.violations | length) == 2' "$tmp/f.json"
	# a truncated trace: incomplete, still the same document
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -20 >"$tmp/cut.ndjson"
	run --separate-stderr "$D0" -j check "$tmp/cut.ndjson"
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" >"$tmp/cut.json"
	valid check "$tmp/cut.json"
}

@test "schema: report -j is the Perfetto document (unless --format says otherwise)" {
	run --separate-stderr "$D0" -j report "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$tmp/p.json"
	valid report_perfetto "$tmp/p.json"
	run --separate-stderr "$D0" report -j --format text "$FIX/sysfs-cmd-mem-7.2.ndjson.gz"
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "trace $FIX/sysfs-cmd-mem-7.2.ndjson.gz: kernel 7.2.13+deb14-amd64, mode strict" ]]
	# the problem of a cut-off trace is a JSON diagnostic beside it
	zcat "$FIX/pm-d3-7.2.ndjson.gz" | head -20 >"$tmp/cut.ndjson"
	run --separate-stderr "$D0" -j report "$tmp/cut.ndjson"
	[ "$status" -eq 3 ]
	printf '%s\n' "$stderr" >"$tmp/err.jsonl"
	valid --lines diagnostic "$tmp/err.jsonl"
}

@test "schema: doctor -j (plan only on this host, and with --devices)" {
	for args in "--no-load" "--no-load --devices" ""; do
		# shellcheck disable=SC2086 # options
		run --separate-stderr "$D0" -j doctor $args
		[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
		printf '%s\n' "$output" >"$tmp/d.json"
		valid doctor "$tmp/d.json"
		if [[ -n $stderr ]]; then
			printf '%s\n' "$stderr" >"$tmp/d.err"
			valid --lines diagnostic "$tmp/d.err"
		fi
	done
	rc=0; "$D0" -p doctor --no-load >"$tmp/dp.json" || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
	valid doctor "$tmp/dp.json"
	jq -e '.device_power == null' "$tmp/d.json"
}

@test "schema: daemon -j --check-config" {
	printf '[audit]\nmode = kernel\ndevices_allow = 0000:00:03.* 0000:01:*\n[metrics]\nlisten = 127.0.0.1:9717\n' >"$tmp/d0audit.conf"
	run --separate-stderr "$D0" -j daemon --config "$tmp/d0audit.conf" --check-config
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$tmp/c.json"
	valid config "$tmp/c.json"
	jq -e '.audit.mode == "kernel" and .audit.devices_allow == ["0000:00:03.*", "0000:01:*"] and .metrics.listen == "127.0.0.1:9717"' "$tmp/c.json"
	run --separate-stderr "$D0" daemon -j --config tools/systemd/d0audit.conf --check-config
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$tmp/shipped.json"
	valid config "$tmp/shipped.json"
	# invalid: exit 2, nothing on stdout, the error object names file and line
	printf '[metrics]\ninterval = soon\n' >"$tmp/bad.conf"
	run --separate-stderr "$D0" -j daemon --config "$tmp/bad.conf" --check-config
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	printf '%s\n' "$stderr" >"$tmp/bad.err"
	valid --lines diagnostic "$tmp/bad.err"
	jq -e '.command == "daemon" and (.error | contains("bad.conf:2: metrics.interval"))' "$tmp/bad.err"
}

# every command's errors: usage errors (getopt's and ours), setup errors; -j before or after the command
@test "schema: the error objects of all 7 commands; with -j, stderr is JSON only (no usage text)" {
	while IFS= read -r c; do
		[[ -z $c ]] && continue
		for where in before after; do
			# shellcheck disable=SC2086 # a command and its arguments
			if [[ $where == before ]]; then
				run --separate-stderr "$D0" -j $c
			else
				set -- $c
				run --separate-stderr "$D0" "$1" -j "${@:2}"
			fi
			[ "$status" -eq 2 ] || { echo "$c ($where): exit $status"; false; }
			[ -z "$output" ] || { echo "$c ($where): stdout: $output"; false; }
			printf '%s\n' "$stderr" >"$tmp/e.jsonl"
			valid --lines diagnostic "$tmp/e.jsonl" || { echo "$c ($where): $stderr"; false; }
			[ "$(wc -l <"$tmp/e.jsonl")" -eq 1 ] || { echo "$c ($where): more than one line: $stderr"; false; }
			[[ $stderr != *Usage* ]]
			jq -e --arg c "${c%% *}" '.type == "error" and .command == $c' "$tmp/e.jsonl" >/dev/null
		done
	done <<-EOF
		doctor --bogus
		doctor extra
		audit --duration
		audit --mode lenient
		audit --no-such-flag
		record
		record -o
		record --bogus
		check --format xml x
		check
		check /nonexistent
		check -x y
		report
		report --format pdf x
		report /nonexistent
		report --no-such-flag x
		rules extra
		rules --help=3
		daemon --config /nonexistent --check-config
		daemon --bogus
		daemon --metrics-listen 0.0.0.0:1 --config /dev/null --check-config
	EOF
}

@test "schema: no command, unknown command and unknown global option are error objects too" {
	for args in "-j" "-j frob" "-j --frob rules"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$D0" $args
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		printf '%s\n' "$stderr" >"$tmp/e.jsonl"
		valid --lines diagnostic "$tmp/e.jsonl"
		[[ $stderr != *Usage* ]]
	done
	# without -j a human gets the pointer to --help
	run --separate-stderr "$D0"
	[ "$status" -eq 2 ]
	[[ $stderr == "d0audit: error: no command given"*"try 'd0audit --help'" ]]
}

@test "schema: it rejects what it should (a missing type, an unknown field, a bad enum)" {
	"$D0" rules -j | jq 'del(.type)' >"$tmp/a.json"
	run valid rules "$tmp/a.json"
	[ "$status" -eq 1 ]
	"$D0" -j --version | jq '.extra = 1' >"$tmp/b.json"
	run valid version "$tmp/b.json"
	[ "$status" -eq 1 ]
	"$D0" check -j "$FIX/pm-d3-7.2.ndjson.gz" | jq '.mode = "lenient"' >"$tmp/c.json"
	run valid check "$tmp/c.json"
	[ "$status" -eq 1 ]
	echo '{"type":"error","command":"check"}' >"$tmp/d.jsonl"
	run valid --lines diagnostic "$tmp/d.jsonl"
	[ "$status" -eq 1 ]
}

@test "schema: setup errors (no vfio-pci, no BPF here) are error objects too; stdout stays empty or valid" {
	for c in "audit --duration 1s" "audit --wait-vfio --duration 1s" "record -o $tmp/t.ndjson --duration 1s" \
		"daemon --config /dev/null --no-stdout --output $tmp/d.jsonl"; do
		# shellcheck disable=SC2086 # a command and its arguments
		run --separate-stderr timeout 60 "$D0" -j $c
		[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || { echo "$c: exit $status"; false; }
		if [[ -n $stderr ]]; then
			printf '%s\n' "$stderr" >"$tmp/e.jsonl"
			valid --lines diagnostic "$tmp/e.jsonl" || { echo "$c: $stderr"; false; }
		fi
		if [[ -n $output ]]; then
			printf '%s\n' "$output" >"$tmp/o.jsonl"
			case $c in audit*) valid --lines audit_line "$tmp/o.jsonl" ;; record*) valid record "$tmp/o.jsonl" ;; esac
		fi
	done
}

@test "schema: -p indents the single documents, and they stay valid" {
	rc=0; "$D0" -p check "$FIX/sysfs-cmd-mem-7.2.ndjson.gz" >"$tmp/c.json" || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(wc -l <"$tmp/c.json")" -gt 20 ]
	valid check "$tmp/c.json"
	"$D0" -p daemon --config /dev/null --check-config >"$tmp/d.json"
	[ "$(wc -l <"$tmp/d.json")" -gt 5 ]
	valid config "$tmp/d.json"
}
