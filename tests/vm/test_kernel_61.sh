#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian 6.1 (bookworm): d0audit degrades with precise reasons and falls back
# to 6.1's own paths (per-VMA zap, 9-argument do_io_rw by kprobe, the old
# fault handler). Paths that do not exist (DMABUF) are "unavailable", never
# silently passing.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if ! tools/vm/run --kernel 6.1 --timeout 600 --out "$out" -- bash -c '
	build/static/d0audit doctor -j >/tmp/out/doctor.json; echo $? >/tmp/out/doctor.rc
	build/static/d0audit record -o /tmp/out/pm-d3.ndjson -- build/vfio-exercise pm-d3 >/dev/null 2>&1
	echo $? >/tmp/out/pm-d3.rc
	build/static/d0audit audit -j -- build/vfio-exercise low-power >/tmp/out/audit.json 2>/dev/null
	echo $? >/tmp/out/audit.rc
	build/static/d0audit audit -j -- build/vfio-exercise sysfs-cmd-mem >/tmp/out/bypass.json 2>/dev/null
	echo $? >/tmp/out/bypass.rc'; then
	not_ok "guest run on 6.1 failed (console: $out/console.log)"
	summary kernel-6.1
	exit 1
fi

d=$out/doctor.json
status() { jq -r --arg n "$1" '.hooks[] | select(.name == $n) | "\(.status) \(.reason)"' "$d"; }
want_status() {
	local got
	got=$(status "$1")
	if [[ $got =~ $2 ]]; then ok "6.1 $1: $got"; else not_ok "6.1 $1: '$got' !~ /$2/"; fi
}

[[ $(cat "$out/doctor.rc") == 0 ]] && ok "6.1 doctor: can audit" || not_ok "6.1 doctor exit $(cat "$out/doctor.rc"): $(jq -c .verdict "$d")"
want_status ZAP '^unavailable .*vfio_device.inode'
want_status ZAP_V61 '^attached'
want_status BAR_IO '^unavailable '
want_status BAR_IO_V61 '^attached'
want_status FAULT_INSERT_RET '^unavailable .*not in this kernel'
want_status FAULT_V61_RET '^attached'
want_status DMABUF_MOVE '^unavailable .*dmabufs'
want_status DMABUF_MOVE_NOTIFY '^unavailable .*dmabufs'
want_status HOT_RESET '^unavailable .*no symbol'
# no hook may fail to load: every one is attached, unavailable with a reason, or not needed
bad=$(jq -r '.hooks[] | select(.status == "failed" or (.status == "unavailable" and .reason == "")) | .name' "$d")
[[ -z $bad ]] && ok "6.1: no hook failed to load" || not_ok "6.1: hooks failed: $bad"

expect_order pm-d3-6.1 "$out/pm-d3.ndjson" \
	' zap exit ZAP_V61 D0>D0 .* ret=1 ' ' power-change exit PCI_SET_POWER_RET D0>D3hot ' \
	' bar-access entry BAR_IO_V61 D3hot>D3hot a0=0 a1=1 ' ' bar-rw-done exit BAR_RW_RET .* ret=-5 ' \
	' fault exit FAULT_V61_RET D3hot>D3hot .* ret=2 ' ' power-change exit PCI_SET_POWER_RET D3hot>D0 '
expect_footer_clean pm-d3-6.1-footer "$out/pm-d3.ndjson"

# the rules on 6.1: a correct flow is clean; DMABUF rules are not applicable, not silently passing
if [[ $(cat "$out/audit.rc") == 0 ]] &&
	jq -e 'select(.type == "summary") | ([.rules[] | select(.coverage == "not-applicable") | .id] == [2, 3, 4, 11]) and
		([.rules[] | select(.coverage == "blind")] == [])' "$out/audit.json" >/dev/null; then
	ok "6.1 audit: clean, DMABUF rules not applicable"
else
	not_ok "6.1 audit: exit $(cat "$out/audit.rc") $(tail -c 600 "$out/audit.json")"
fi
got=$(jq -r 'select(.type == "violation") | .rule' "$out/bypass.json" | sort -n | paste -sd, -)
[[ $(cat "$out/bypass.rc") == 1 && $got == 5,10 ]] && ok "6.1 audit: sysfs COMMAND write flagged (rules $got)" ||
	not_ok "6.1 audit bypass: exit $(cat "$out/bypass.rc"), rules '$got'"

summary kernel-6.1
