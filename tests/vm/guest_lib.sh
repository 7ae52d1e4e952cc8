# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that run inside a guest (sourced; $out is the
# guest's output directory, where guest.log collects what went wrong).

# wait_for FILE REGEX SECONDS [N]: until N (default 1) lines of FILE match;
# on timeout says so in guest.log (which the host-side test reports) and fails
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		(($(grep -cE -- "$2" "$1" 2>/dev/null) >= ${4:-1})) && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$2/ in $1" >>"$out/guest.log"
	return 1
}

# audit_scenario NAME ARGS...: `vfio-exercise -d $dev ARGS` under `d0audit audit -j --record`:
# $out/NAME.{ndjson,audit.json,err,rc} for the host side
audit_scenario() {
	local name=$1
	shift
	build/static/d0audit audit -j --record "$out/$name.ndjson" -- build/vfio-exercise -d "$dev" "$@" \
		>"$out/$name.audit.json" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}
