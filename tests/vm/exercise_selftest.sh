#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of build/vfio-exercise against real kernels: usage errors on the
# host, then (through tools/vm/run, one guest boot per kernel) `all` and every
# failure-path check: exit codes, and the "refused as expected" lines in the
# order the kernel must produce them.
#
# usage: tests/vm/exercise_selftest.sh [--kernel VER]...
#   Without --kernel: the harness's default kernel. Repeat to test several.
#   Internal: --in-guest runs the guest half (called through tools/vm/run).
# Prints "N passed, N failed"; exits 1 if anything failed.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=build/vfio-exercise
SELF=tests/vm/exercise_selftest.sh
REFUSED_EIO='step: refused as expected (EIO)'
REFUSED_SIGBUS='step: refused as expected (SIGBUS)'

passed=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- checking helpers --------------------------------------------------------
# run ARGS...: run the exerciser; sets RC, OUT (stdout) and ERR (stderr).
run() {
	OUT=$("$BIN" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(<"$TMP/err")
	RAN="$BIN $*"
}

WHY=
want_rc() {
	[[ $RC == "$1" ]] && return 0
	WHY="exit $RC, expected $1"
	return 1
}

# want_count LINE N: LINE (exact) appears N times on stdout.
want_count() {
	local n
	n=$(grep -cxF -- "$1" <<<"$OUT")
	[[ $n == "$2" ]] && return 0
	WHY="'$1' appears $n times, expected $2"
	return 1
}

want_line() {
	grep -qxF -- "$1" <<<"$OUT" && return 0
	WHY="no line '$1'"
	return 1
}

want_err() {
	grep -qE -- "$1" <<<"$ERR" && return 0
	WHY="stderr does not match /$1/"
	return 1
}

# want_order S1 S2 ...: stdout has a line containing S1, a later one
# containing S2, and so on.
want_order() {
	local prev=0 s n
	for s in "$@"; do
		n=$(tail -n +$((prev + 1)) <<<"$OUT" | grep -nF -- "$s" | head -n1 | cut -d: -f1)
		if [[ -z $n ]]; then
			WHY="no line containing '$s' after line $prev"
			return 1
		fi
		prev=$((prev + n))
	done
}

# indent PREFIX TEXT: print each line of TEXT after PREFIX.
indent() {
	local line
	while IFS= read -r line; do
		printf '%s%s\n' "$1" "$line"
	done <<<"$2"
}

# t NAME FUNC: run one check, print PASS/FAIL (with the output on failure).
t() {
	WHY=
	RAN=
	if "$2"; then
		echo "PASS: $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1: $WHY"
		[[ -n $RAN ]] && echo "  ran: $RAN"
		[[ -n ${OUT:-} ]] && indent '  out: ' "$OUT"
		[[ -n ${ERR:-} ]] && indent '  err: ' "$ERR"
		failed=$((failed + 1))
	fi
	OUT=
	ERR=
}

summary() {
	echo "$passed passed, $failed failed"
	((failed == 0))
}

# ---- guest checks (run inside the VM) -----------------------------------------
# Linux >= 6.19 has VFIO_DEVICE_FEATURE_DMA_BUF.
kernel_has_dmabuf() {
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	((major > 6 || (major == 6 && minor >= 19)))
}

g_all() {
	run all
	want_rc 0 && want_line 'ok: all' &&
		want_line "$REFUSED_EIO" && want_line "$REFUSED_SIGBUS" || return 1
	if kernel_has_dmabuf; then
		want_line 'ok: dmabuf'
	else
		want_line 'skip: dmabuf (not supported here)'
	fi
}

g_pm_d3() {
	run pm-d3
	want_rc 0 && want_count "$REFUSED_EIO" 1 && want_count "$REFUSED_SIGBUS" 1 &&
		want_order '(D3hot) via vfio config region' "$REFUSED_EIO" \
			"$REFUSED_SIGBUS" '(D0) via vfio config region' \
			'touch mmapped BAR0' 'ok: pm-d3'
}

g_cmd_mem() {
	run cmd-mem
	want_rc 0 && want_count "$REFUSED_EIO" 1 && want_count "$REFUSED_SIGBUS" 1 &&
		want_order '(memory off) via vfio config region' "$REFUSED_EIO" \
			"$REFUSED_SIGBUS" '(memory on) via vfio config region' \
			'ok: cmd-mem'
}

g_low_power() {
	run low-power
	want_rc 0 && want_count "$REFUSED_SIGBUS" 1 &&
		want_order 'SET LOW_POWER_ENTRY' 'note: runtime_status suspended after' \
			"$REFUSED_SIGBUS" 'SET LOW_POWER_EXIT' 'ok: low-power'
}

g_low_power_wakeup() {
	run low-power-wakeup
	want_rc 0 && want_count "$REFUSED_SIGBUS" 1 &&
		want_order 'SET LOW_POWER_ENTRY_WITH_WAKEUP' \
			'note: runtime_status suspended after' "$REFUSED_SIGBUS" \
			'(wakes the device)' 'note: wakeup eventfd signalled' \
			'SET LOW_POWER_EXIT' 'ok: low-power-wakeup'
}

g_dmabuf() {
	run dmabuf
	if kernel_has_dmabuf; then
		want_rc 0 && want_order 'GET DMA_BUF region 0' 'note: dmabuf fd' \
			'(D3hot)' '(D0)' '(memory off)' '(memory on)' \
			'close dmabuf fd' 'close device fd' 'ok: dmabuf'
	else
		want_rc 3 && want_err '^vfio-exercise: dmabuf: .*not supported here: .*DMA_BUF'
	fi
}

g_hot_reset() {
	run hot-reset
	case $RC in
	0) want_line 'ok: hot-reset' ;;
	3) want_err '^vfio-exercise: hot-reset: .*not supported here: no slot or bus reset' &&
		echo "note: hot reset is not supported for this device here" ;;
	*) want_rc '0 or 3' ;;
	esac
}

g_sysfs_pm_d3() {
	run sysfs-pm-d3
	want_rc 0 && want_order '(D3hot) via sysfs config' '(D0) via sysfs config' \
		'ok: sysfs-pm-d3'
}

g_sysfs_cmd_mem() {
	run sysfs-cmd-mem
	want_rc 0 && want_order '(memory off) via sysfs config' \
		'(memory on) via sysfs config' 'ok: sysfs-cmd-mem'
}

# With --dmabuf: exported before the bypass, or exit 3 where unsupported.
g_sysfs_dmabuf() {
	local s
	for s in sysfs-pm-d3 sysfs-cmd-mem; do
		run "$s" --dmabuf
		if kernel_has_dmabuf; then
			want_rc 0 && want_order 'note: dmabuf fd' 'via sysfs config' \
				'close dmabuf fd' "ok: $s" || return 1
		else
			want_rc 3 || return 1
		fi
	done
}

g_sysfs_mmap() {
	run sysfs-mmap
	want_rc 0 && want_order 'mmap sysfs resource0' \
		'touch mmapped sysfs resource0' 'VFIO_GROUP_GET_DEVICE_FD' \
		'after the vfio open' 'ok: sysfs-mmap'
}

want_elapsed() {
	grep -qE '^elapsed_ns: [0-9]+$' <<<"$OUT" && return 0
	WHY="no elapsed_ns line"
	return 1
}

g_loops() {
	run pread-loop 100
	want_rc 0 && want_elapsed || return 1
	run fault-loop 20
	want_rc 0 && want_elapsed
}

g_missing_device() {
	run -d 0000:ff:1f.7 open-close
	want_rc 1 &&
		want_err '^vfio-exercise: open-close: readlink .*: No such file or directory \(device 0000:ff:1f\.7\)$'
}

in_guest() {
	cd "$ROOT" || exit 1
	echo "guest kernel: $(uname -r)"
	t all g_all
	t pm-d3 g_pm_d3
	t cmd-mem g_cmd_mem
	t low-power g_low_power
	t low-power-wakeup g_low_power_wakeup
	t dmabuf g_dmabuf
	t hot-reset g_hot_reset
	t sysfs-pm-d3 g_sysfs_pm_d3
	t sysfs-cmd-mem g_sysfs_cmd_mem
	t sysfs-dmabuf g_sysfs_dmabuf
	t sysfs-mmap g_sysfs_mmap
	t loops g_loops
	t missing-device g_missing_device
	summary
}

# ---- host checks: usage errors need no device ---------------------------------
h_list() {
	run list
	want_rc 0 && want_line pm-d3 && want_line all && want_count dmabuf 1
}
h_unknown() { run no-such-scenario; want_rc 2; }
h_missing_count() { run pread-loop; want_rc 2; }
h_zero_count() { run fault-loop 0; want_rc 2; }
h_extra_arg() { run pm-d3 --dmabuf; want_rc 2; }
h_bad_bdf() { run -d ../../etc open-close; want_rc 2; }

# Count the PASS/FAIL lines of a guest run into passed/failed.
tally_guest() {
	local p f
	p=$(grep -c '^PASS: ' "$1")
	f=$(grep -c '^FAIL: ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$1"; then
		echo "FAIL: guest run$2 did not complete (see above)"
		failed=$((failed + 1))
	fi
}

on_host() {
	local kernels=() k log
	while (($#)); do
		case $1 in
		--kernel) kernels+=("${2:?--kernel needs a version}"); shift 2 ;;
		*) echo "usage: $SELF [--kernel VER]..." >&2; exit 2 ;;
		esac
	done
	((${#kernels[@]})) || kernels=("")

	cd "$ROOT" || exit 1
	if [[ ! -x $BIN ]]; then
		mkdir -p build
		gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -o "$BIN" \
			tools/exercise/*.c || exit 1
	fi
	t list h_list
	t unknown-scenario h_unknown
	t missing-count h_missing_count
	t zero-count h_zero_count
	t extra-argument h_extra_arg
	t bad-bdf h_bad_bdf

	for k in "${kernels[@]}"; do
		log=$TMP/guest-${k:-default}.log
		echo "== guest kernel ${k:-default} =="
		tools/vm/run ${k:+--kernel "$k"} -- "$SELF" --in-guest 2>&1 | tee "$log"
		tally_guest "$log" "${k:+ (kernel $k)}"
	done
	summary
}

if [[ ${1:-} == --in-guest ]]; then
	in_guest
else
	on_host "$@"
fi
