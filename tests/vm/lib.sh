# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for VM tests that assert on recorded traces (sourced, not run).

passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# summary NAME: the line tests/run-vm adds up; exit status says pass/fail.
summary() {
	echo "$1: $passed passed, $failed failed"
	((failed == 0))
}

# events TRACE: one line per event, easy to match with grep -E:
#   "<seq> <kind> <phase> <hook> <before>><power> a0=.. a1=.. ret=.. un=<unrevoked>/<dmabufs> ctx=a,b st=c,d"
events() {
	jq -r 'select(.type=="event") | "\(.seq) \(.kind) \(.phase) \(.hook) \(.power_before)>\(.power) a0=\(.a0) a1=\(.a1) ret=\(.ret) un=\(.unrevoked)/\(.dmabufs) ctx=\(.ctx|join(",")) st=\(.state|join(","))"' "$1"
}

# expect_order NAME TRACE REGEX...: each REGEX matches an event after the
# event the previous REGEX matched. On failure, shows the events.
expect_order() {
	local name=$1 trace=$2 lines line=0 re n
	shift 2
	if [[ ! -s $trace ]]; then
		not_ok "$name: no trace $trace"
		return
	fi
	lines=$(events "$trace")
	for re in "$@"; do
		n=$(tail -n +"$((line + 1))" <<<"$lines" | grep -nE -m1 -- "$re" | cut -d: -f1)
		if [[ -z $n ]]; then
			not_ok "$name: no event matching /$re/ after event line $line"
			sed 's/^/#   /' <<<"$lines" | head -80
			return
		fi
		line=$((line + n))
	done
	ok "$name"
}

# expect_none NAME TRACE REGEX: no event matches.
expect_none() {
	local bad
	bad=$(events "$2" | grep -E -- "$3" | head -3)
	if [[ -n $bad ]]; then
		not_ok "$1: unexpected event(s): $bad"
	else
		ok "$1"
	fi
}

# expect_footer_clean NAME TRACE: produced == delivered, nothing dropped.
expect_footer_clean() {
	if jq -e 'select(.type=="footer") | .produced == .delivered and .drops.ringbuf_full == 0 and .drops.devmap_full == 0' "$2" >/dev/null; then
		ok "$1"
	else
		not_ok "$1: footer $(tail -1 "$2")"
	fi
}

# vm_test_args "$@": the options every VM test takes. Sets kernel, keep,
# from and out (the directory the guest writes and the host asserts on).
#   --kernel SERIES  (default 7.2)
#   --keep DIR       keep the guest's outputs in DIR
#   --from DIR       assert on outputs already in DIR (no VM)
#   --vfio-patches DIR  boot with vfio-pci built with these patches (the
#                    DMABUF-mmap series): sets series=1, the tests expect its paths
vm_test_args() {
	kernel=7.2 keep='' from='' vfio_patches='' series=0
	while (($#)); do
		case $1 in
		--kernel) kernel=$2; shift ;;
		--keep) keep=$2; shift ;;
		--from) from=$2; shift ;;
		--vfio-patches) vfio_patches=$(realpath "$2") series=1; shift ;;
		*) echo "usage: $0 [--kernel SERIES] [--keep DIR] [--from DIR] [--vfio-patches DIR]" >&2; exit 2 ;;
		esac
		shift
	done
	out=${from:-${keep:-$(mktemp -d)}}
	mkdir -p "$out"
	# shellcheck disable=SC2064 # expand now: out is fixed from here on
	[[ -n $keep || -n $from ]] || trap "rm -rf '$out'" EXIT
}

# vm_boot SUITE [RUN-OPTION...] -- CMD...: boot the guest into $out unless
# --from was given; if the guest fails, report it, print the summary, exit 1.
vm_boot() {
	local suite=$1
	shift
	[[ -z $from ]] || return 0
	tools/vm/run --kernel "$kernel" ${vfio_patches:+--vfio-patches "$vfio_patches"} --out "$out" "$@" && return 0
	# 77: the patches could not be built for this kernel (the reason is printed above): a skip on a
	# developer machine, a failure under CI=true; never a pass
	if [[ $? == 77 && ${CI:-} != true ]]; then
		echo "# SKIP $suite: --vfio-patches $vfio_patches cannot be built for $kernel"
		exit 77
	fi
	not_ok "guest run on $kernel failed (console: $out/console.log)"
	summary "$suite"
	exit 1
}

# schema_ok NAME VALIDATE-ARGS...: the documents follow the output schema
# (tools/schema/d0audit-output.schema.json; Debian's python3-jsonschema, which
# `make deps` installs: without it this fails, never skips).
schema_ok() {
	local name=$1 log
	shift
	if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		not_ok "schema: $name: python3-jsonschema is not installed (make deps)"
	elif log=$(/usr/bin/python3 tests/cli/validate_json.py "$@" 2>&1); then
		ok "schema: $name"
	else
		not_ok "schema: $name: $(grep -v ': valid' <<<"$log" | head -5)"
	fi
}
S=tools/schema/d0audit-output.schema.json

# Scenario runs of a guest script (NAME.rc, NAME.err, NAME.audit.json, NAME.ndjson in $out):
# audit_out NAME|FILE: NAME's live audit output ($out/NAME.audit.json), or FILE if it is a path (a daemon's .jsonl)
audit_out() { if [[ $1 == */* ]]; then echo "$1"; else echo "$out/$1.audit.json"; fi; }
# live_rules NAME|FILE: the rules the live audit flagged, "rule@dev" sorted, comma-separated
live_rules() { jq -r 'select(.type == "violation") | "\(.rule)@\(.dev)"' "$(audit_out "$1")" | sort -u | paste -sd, -; }
# incomplete NAME|FILE: why the summary says the verdict is incomplete, a reason a line
incomplete() { jq -r 'select(.type == "summary") | .incomplete[]' "$(audit_out "$1")"; }
# exercised NAME SCENARIO: vfio-exercise ran SCENARIO to its end
exercised() { grep -q "^ok: $2\$" "$out/$1.err"; }
# clean NAME SCENARIO: the correct flow ran to its end and nothing was flagged
clean() {
	local s=$1 rc got
	rc=$(cat "$out/$s.rc")
	got=$(live_rules "$s")
	if [[ $rc == 0 && -z $got ]] && exercised "$s" "$2"; then ok "correct flow $s: clean"; else
		not_ok "correct flow $s: exit $rc, violations '$got': $(grep -v '^step' "$out/$s.err" | tail -3)"; fi
}
# hits HOOK[|HOOK...] NAME: how often the hooks ran in NAME's trace (its footer)
hits() { jq -r --arg h "$1" 'select(.type == "footer") | [.hits[($h | split("|"))[]] // 0] | add' "$out/$2.ndjson"; }
# fired HOOK NAME...: the hook ran in each named trace
fired() {
	local h=$1 t n
	shift
	for t in "$@"; do
		n=$(hits "$h" "$t")
		if ((n > 0)); then ok "hook $h fired in $t ($n)"; else not_ok "hook $h never ran in $t"; fi
	done
}
# replay_all: check replays every recording in $out to the live verdict, none judged differently;
# the audit lines and traces follow the schema
replay_all() {
	local f s crc mism
	for f in "$out"/*.ndjson; do
		s=$(basename "$f" .ndjson)
		"$D0" check "$f" >/dev/null 2>&1
		crc=$?
		mism=$("$D0" check -j "$f" 2>/dev/null | jq -r '[.incomplete[] | select(test("judged differently"))] | length')
		if [[ $crc == $(cat "$out/$s.rc") && $mism == 0 ]]; then ok "replay $s: same verdict ($crc)"; else
			not_ok "replay $s: live exit $(cat "$out/$s.rc"), check exit $crc, mismatches $mism"; fi
	done
	schema_ok "audit -j lines of $(ls "$out"/*.audit.json | wc -l) runs" --lines --def audit_line "$S" "$out"/*.audit.json
	schema_ok "traces" --lines --def trace_line "$S" "$out"/*.ndjson
}
