# SPDX-License-Identifier: GPL-2.0
# Sourced by the bench's guest scripts (needs $out and $X): the programs' own
# run time (kernel.bpf_stats_enabled on) around each loop, run once with 1
# operation and once with N, so that what a run costs besides its operations
# (open, reset, close: the cold hooks) cancels in the difference.
# Snapshots progstats.PREFIX.REP.K: K 0 start, 1 after pread-loop 1, 2 after
# pread-loop N, 3 after fault-only-loop 1, 4 after fault-only-loop N.
stats() { bpftool prog show -j >"$out/progstats.$1.json" 2>/dev/null; }

# marginal_snapshots PREFIX REPS NPREAD NFAULT [vfio-exercise options...]
marginal_snapshots() {
	local prefix=$1 reps=$2 npread=$3 nfault=$4 r
	shift 4
	for ((r = 0; r < reps; r++)); do
		stats "$prefix.$r.0"
		$X "$@" pread-loop 1 >/dev/null 2>&1
		stats "$prefix.$r.1"
		$X "$@" pread-loop "$npread" >/dev/null 2>&1
		stats "$prefix.$r.2"
		$X "$@" fault-only-loop 1 >/dev/null 2>&1
		stats "$prefix.$r.3"
		$X "$@" fault-only-loop "$nfault" >/dev/null 2>&1
		stats "$prefix.$r.4"
	done
}
