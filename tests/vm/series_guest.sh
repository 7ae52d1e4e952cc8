#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest on the DMABUF-mmap series' vfio modules: the series'
# own flows under `d0audit audit -j --all --record` (hot-path events kept, to
# assert on the grants), doctor in both forms, and with D0AUDIT_SERIES_NEGATIVE
# a build without the DMABUF zap swapped in (last: it stays loaded). Outputs into
# $D0AUDIT_VM_OUT/series; test_series.sh asserts on the host.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}/series
mkdir -p "$out"
for s in dmabuf-mmap dmabuf-revoke dmabuf-memattr dmabuf-mmap-reset dmabuf-d3hot; do
	start=$(date +%s%N)
	build/static/d0audit audit -j --all --record "$out/$s.ndjson" -- build/vfio-exercise "$s" \
		>"$out/$s.audit.json" 2>"$out/$s.err"
	echo $? >"$out/$s.rc"
	echo "$s $((($(date +%s%N) - start) / 1000000)) ms" >>"$out/durations"
done
# Negative control (D0AUDIT_SERIES_NEGATIVE: a build of the series without the
# DMABUF PTE zap, tests/vm/series/zap-dropped.edit): the same flows must be flagged.
if [[ -n ${D0AUDIT_SERIES_NEGATIVE:-} ]]; then
	neg=$out/zap-dropped
	mkdir -p "$neg"
	"$D0AUDIT_VM_SWAP_VFIO" "$D0AUDIT_SERIES_NEGATIVE" >"$neg/swap.out" 2>&1
	echo $? >"$neg/swap.rc"
	for s in pm-d3 cmd-mem low-power dmabuf-d3hot dmabuf-mmap-reset; do
		build/static/d0audit audit -j --record "$neg/$s.ndjson" -- build/vfio-exercise "$s" \
			>"$neg/$s.audit.json" 2>"$neg/$s.err"
		echo $? >"$neg/$s.rc"
	done
fi
build/static/d0audit doctor >"$out/doctor.txt" 2>&1
echo $? >"$out/doctor.rc"
build/static/d0audit -j doctor >"$out/doctor.json" 2>/dev/null
build/static/d0audit report "$out/dmabuf-d3hot.ndjson" >"$out/report.txt" 2>&1
exit 0
