#!/usr/bin/env bash
# shellcheck disable=SC2016 # guest scripts are single-quoted on purpose
# Self-test of the VM harness (tools/vm/run): boots the VM a few times and
# checks vfio-pci binding, /dev/vfio, the out share, stdout/stderr, exit
# status propagation, 124 on timeout, 125 on a failed boot, and that no qemu
# process survives a timeout or a signal.
#
#   tests/vm/harness_selftest.sh [--kernel SERIES]...   (default: run's default)
#
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
run=$root/tools/vm/run
kernels=()
while (($#)); do
	case $1 in
	--kernel) kernels+=("${2:?}"); shift ;;
	*) echo "usage: $0 [--kernel SERIES]..." >&2; exit 2 ;;
	esac
	shift
done
((${#kernels[@]})) || kernels=("")

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { # check NAME COND-STATUS [DETAIL]
	if (($2 == 0)); then ok "$1"; else not_ok "$1${3:+: $3}"; fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# qemu processes started by the run with shell pid $1 (run names them so).
vm_procs() { pgrep -f -- "-name d0audit-vm-$1," || true; }

# --- 1. one boot per kernel: modules, binding, /dev/vfio, out share, streams ---
guest_probe='
echo "kernel=$D0AUDIT_VM_KERNEL"
echo "vm=$D0AUDIT_VM out=$D0AUDIT_VM_OUT"
[ -d /sys/module/vfio_pci ] && echo "vfio_pci=loaded"
echo "bound=$(ls /sys/bus/pci/drivers/vfio-pci | grep -c "^0000:")"
n=0; for g in $D0AUDIT_VM_GROUPS; do [ -c /dev/vfio/$g ] && n=$((n+1)); done
echo "vfio_nodes=$n"
echo "bpffs=$(stat -f -c %T /sys/fs/bpf) tracefs=$(stat -f -c %T /sys/kernel/tracing)"
echo "from_host=$(cat /tmp/out/from-host)"
echo "from guest" > /tmp/out/from-guest
echo "cwd=$(pwd)"
echo "to-stderr" >&2
'
for k in "${kernels[@]}"; do
	for n in 1 2; do
		name="boot kernel=${k:-default} devices=$n"
		out=$work/out-${k:-default}-$n
		mkdir -p "$out"
		echo "host data" >"$out/from-host"
		args=(--devices "$n" --out "$out")
		[[ -z $k ]] || args+=(--kernel "$k")
		rc=0
		(cd "$root" && "$run" "${args[@]}" -- "$guest_probe") >"$work/stdout" 2>"$work/stderr" || rc=$?
		if ((rc != 0)); then
			not_ok "$name: run exited $rc"
			tail -n 15 "$work/stderr" | sed 's/^/#   /'
			continue
		fi
		s=$(<"$work/stdout")
		check "$name: vfio-pci loaded" "$(grep -qx 'vfio_pci=loaded' <<<"$s"; echo $?)"
		check "$name: exactly $n device(s) bound to vfio-pci" "$(grep -qx "bound=$n" <<<"$s"; echo $?)" \
			"$(grep '^bound=' <<<"$s")"
		check "$name: /dev/vfio/<group> for each device" "$(grep -qx "vfio_nodes=$n" <<<"$s"; echo $?)"
		check "$name: bpffs and tracefs mounted" \
			"$(grep -qx 'bpffs=bpf_fs tracefs=tracefs' <<<"$s"; echo $?)" "$(grep '^bpffs' <<<"$s")"
		check "$name: env D0AUDIT_VM*" "$(grep -qx 'vm=1 out=/tmp/out' <<<"$s" &&
			grep -q '^kernel=[0-9]' <<<"$s"; echo $?)"
		check "$name: host->guest file via out dir" "$(grep -qx 'from_host=host data' <<<"$s"; echo $?)"
		check "$name: guest->host file via out dir" \
			"$([[ $(cat "$out/from-guest" 2>/dev/null) == "from guest" ]]; echo $?)"
		check "$name: cwd is the host's cwd" "$(grep -qx "cwd=$root" <<<"$s"; echo $?)"
		check "$name: stderr kept apart from stdout" \
			"$(! grep -q to-stderr <<<"$s" && grep -qx to-stderr "$work/stderr"; echo $?)"
		check "$name: console.log written" "$([[ -s $out/console.log ]]; echo $?)"
	done
done

# --- 2. exit status propagation ------------------------------------------------
rc=0
"$run" -- 'exit 7' >/dev/null 2>&1 || rc=$?
check "exit status of a script (exit 7)" "$((rc != 7))" "got $rc"
rc=0
"$run" --no-bind -- bash -c 'echo "$1"; exit 3' _ 'two words' >"$work/stdout" 2>/dev/null || rc=$?
check "exit status and argv of a command (bash -c ... exit 3)" \
	"$( ((rc == 3)) && [[ $(<"$work/stdout") == "two words" ]]; echo $?)" "got $rc: $(<"$work/stdout")"

# --- 3. --no-vfio: test loads vfio itself, devices bind on load ---------------
rc=0
"$run" --no-vfio -- '
	[ ! -d /sys/module/vfio_pci ] || { echo "vfio_pci already loaded"; exit 1; }
	"$D0AUDIT_VM_LOAD_VFIO" || exit 2
	for b in $D0AUDIT_VM_DEVICES; do
		[ "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" = vfio-pci ] || { echo "$b not bound"; exit 3; }
	done' >"$work/stdout" 2>&1 || rc=$?
check "--no-vfio + \$D0AUDIT_VM_LOAD_VFIO binds the devices" "$rc" "$(tail -n 3 "$work/stdout")"

# --- 4. 125 when the guest never reaches the command ---------------------------
rc=0
D0AUDIT_VM_APPEND=rdinit=/nonexistent "$run" --timeout 120 --out "$work/bad" -- true >/dev/null 2>"$work/stderr" || rc=$?
check "boot failure gives 125 with a message" \
	"$( ((rc == 125)) && grep -q 'did not reach the command' "$work/stderr"; echo $?)" "got $rc"

# --- 5. timeout: 124 and no qemu left -------------------------------------------
start=$SECONDS rc=0
"$run" --timeout 20 --out "$work/to" -- 'sleep 600' >/dev/null 2>&1 &
pid=$!
wait "$pid" || rc=$?
check "timeout gives 124" "$((rc != 124))" "got $rc after $((SECONDS - start))s"
sleep 1
check "no qemu left after timeout" "$([[ -z $(vm_procs "$pid") ]]; echo $?)" "$(vm_procs "$pid")"

# --- 6. signals: TERM/INT to the harness kill the VM ------------------------------
for sig in TERM INT; do
	rm -rf "$work/sig"
	mkdir -p "$work/sig"
	# Job control: without it a background job starts with SIGINT ignored,
	# and an ignored signal cannot be trapped by run.
	set -m
	"$run" --timeout 200 --out "$work/sig" -- 'touch /tmp/out/ready; sleep 600' >/dev/null 2>&1 &
	pid=$!
	set +m
	for _ in $(seq 120); do [[ -e $work/sig/ready ]] && break; sleep 0.5; done
	had=$(vm_procs "$pid")
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	sleep 1
	left=$(vm_procs "$pid")
	check "SIG$sig to run kills the VM (status $rc)" \
		"$([[ -e $work/sig/ready && -n $had && -z $left ]]; echo $?)" \
		"ready=$([[ -e $work/sig/ready ]] && echo y || echo n) qemu-before=${had:-none} qemu-after=${left:-none}"
done

echo "$passed passed, $failed failed"
((failed == 0))
