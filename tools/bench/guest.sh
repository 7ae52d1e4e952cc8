#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (tools/bench/run boots it): the in-kernel benchmark
# figures 1, 2, 3 and 5 on one kernel in one boot. Raw samples go to
# $D0AUDIT_VM_OUT/raw.txt as "key value" lines; tools/bench/run reduces them.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/bench/run}
quick=${BENCH_QUICK:-0}
D0=build/d0audit
X=build/vfio-exercise
B=build/bench
raw=$out/raw.txt
: >"$raw"
log() { printf 'bench-guest: %s\n' "$*" >&2; }
put() { printf '%s %s\n' "$1" "$2" >>"$raw"; }
now_ns() { local t=$EPOCHREALTIME; echo $((${t/./} * 1000)); }

if ((quick)); then rounds=1 reps=3 npread=100000 nfault=1000 nfcmd=300 idle=10 flood=10 starts=3 lossdur=2; rates="20000 80000 0"
else rounds=2 reps=3 npread=200000 nfault=3000 nfcmd=1000 idle=30 flood=20 starts=2 lossdur=3; rates="10000 30000 60000 100000 0"; fi
# the programs' own time per fault needs more faults than the wall-time loops: 3000 faults are
# 1.5 ms of program time, and one guest interrupt taken inside a program adds milliseconds to it
# (a rep of 2 143 ns per fault beside 516 and 784); 30000 are as many program-milliseconds as the reads
nstatfault=$((quick ? 5000 : 30000))
put cfg.reps "$reps"; put cfg.npread "$npread"; put cfg.nfault "$nfault"; put cfg.nfaultcmd "$nfcmd"; put cfg.nfault_stats "$nstatfault"
put host.kernel "$(uname -r)"; put host.ncpu "$(nproc)"

. tools/bench/ready.sh
# start_tracer NAME READY-REGEX CMD...: launch, wait until ready, record the time
tracer_pid=''
start_tracer() {
	local name=$1 ready=$2 t0 t1
	shift 2
	t0=${EPOCHREALTIME/./}
	if ! ready_start "$name" "$ready" 300 "$@"; then
		log "no /$ready/ from $name: $(tail -q -n 3 "/tmp/$name.err" "/tmp/$name.out" 2>/dev/null)"
		kill -INT "$ready_pid" 2>/dev/null
		wait "$ready_pid"
		put "failed.$name" "$?"
		ready_done
		tracer_pid=''
		return 1
	fi
	t1=${EPOCHREALTIME/./}
	tracer_pid=$ready_pid
	put "startup.$name" $((t1 - t0))
}
stop_tracer() {
	local rc watchdog
	kill -INT "$tracer_pid" 2>/dev/null
	# a tracer still running 60 s after SIGINT is killed, and the log says so: the
	# bench hung here once, the guest idle, after bpftrace's program-time runs
	(sleep 60 && kill -KILL "$tracer_pid" 2>/dev/null && log "$1 still running 60 s after SIGINT: killed") &
	watchdog=$!
	wait "$tracer_pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	echo "$rc" >"/tmp/$1.rc"
	put "stop.$1.rc" "$rc"
	ready_done
	tracer_pid=''
}
loops() {
	local cfg=$1 i
	for ((i = 0; i < reps; i++)); do
		put "pread.$cfg" "$($X pread-loop "$npread" 2>/dev/null | sed -n 's/^elapsed_ns: //p')"
		put "fault.$cfg" "$($X fault-only-loop "$nfault" 2>/dev/null | sed -n 's/^elapsed_ns: //p')"
		put "faultcmd.$cfg" "$($X fault-loop "$nfcmd" 2>/dev/null | sed -n 's/^elapsed_ns: //p')"
	done
}

# ---- figure 1: hot-path overhead (and start-up samples) --------------------
# Configurations in rounds (a b c d e, a b c d e, ..., a): a drift of the
# shared host's speed spreads over all of them instead of biasing one.
$X pread-loop 20000 >/dev/null 2>&1 # warm up
# the bpftrace script, with vfio_pci_core_device.pdev's offset from module BTF
off=$(bpftool btf dump file /sys/kernel/btf/vfio_pci_core format raw 2>/dev/null |
	awk '/STRUCT .vfio_pci_core_device. / {s = 1; next} s && /^\[/ {s = 0} s && /.pdev. / {sub(/.*bits_offset=/, ""); print $1 / 8; exit}')
put bpftrace.pdev_off "${off:-none}"
bt=/tmp/d0check.bt
sed "s/PDEV_OFF/${off:-0}/" tools/bench/d0check.bt >$bt
for ((round = 1; round <= rounds; round++)); do
	log "figure 1, round $round/$rounds: a (nothing attached)"
	loops a
	log "figure 1, round $round/$rounds: b (empty fentry/fexit floor)"
	start_tracer floor 'programs attached' $B/floor && { loops b; stop_tracer floor; }
	cp /tmp/floor.err "$out/floor.err"
	log "figure 2, round $round/$rounds: floor with d0audit's attach mechanism (start-up only)"
	start_tracer floor_multi 'programs attached' $B/floor --multi && stop_tracer floor_multi
	cp /tmp/floor_multi.err "$out/floor-multi.err"
	log "figure 1, round $round/$rounds: c (d0audit audit)"
	start_tracer d0audit 'hooks attached.*watching' $D0 audit && { loops c; stop_tracer d0audit; }
	cp /tmp/d0audit.err "$out/audit-c.err"
	log "figure 1, round $round/$rounds: d (d0audit audit -a --record)"
	start_tracer d0audit 'hooks attached.*watching' $D0 audit -a --record /tmp/all.ndjson && { loops d; stop_tracer d0audit; }
	cp /tmp/d0audit.err "$out/audit-d.err"
	tail -1 /tmp/all.ndjson >>"$out/all-footer.json"
	rm -f /tmp/all.ndjson
	log "figure 1, round $round/$rounds: e (bpftrace)"
	start_tracer bpftrace 'bpftrace: attached' bpftrace -B line $bt && { loops e; stop_tracer bpftrace; }
	cp /tmp/bpftrace.out "$out/bpftrace.out"; cp /tmp/bpftrace.err "$out/bpftrace.err"
done
log "figure 1: a (nothing attached), last"
loops a

# ---- figure 1, program run time (kernel.bpf_stats_enabled) -----------------
# Wall time under TCG moves with the shared host; the kernel's own per-program
# run time (run_time_ns, what the programs themselves cost, trampolines
# excluded) does not. Separate runs: the stats add two clock reads per call.
# Snapshots progstats.CFG.REP.K (tools/bench/snapshots.sh).
. tools/bench/snapshots.sh
if sysctl -qw kernel.bpf_stats_enabled=1 2>/dev/null; then
	for cfg in b c e; do
		log "figure 1: program run time, $cfg"
		case $cfg in
		b) start_tracer floor 'programs attached' $B/floor ;;
		c) start_tracer d0audit 'hooks attached.*watching' $D0 audit ;;
		e) start_tracer bpftrace 'bpftrace: attached' bpftrace -B line $bt ;;
		esac || continue
		marginal_snapshots "$cfg" "$reps" "$npread" "$nstatfault"
		case $cfg in b) stop_tracer floor ;; c) stop_tracer d0audit ;; e) stop_tracer bpftrace ;; esac
	done
	sysctl -qw kernel.bpf_stats_enabled=0
fi

# ---- figure 4's input: a real record-everything trace of a pread loop ------
log "figure 4: recording pread-loop 50000 with record -a"
$D0 record -a -o /tmp/fig4.ndjson -- $X pread-loop 50000 >/dev/null 2>"$out/fig4-record.err"
cp /tmp/fig4.ndjson "$out/fig4.ndjson" && rm -f /tmp/fig4.ndjson

# ---- figure 2: more start-up samples, and d0audit's breakdown ---------------
for ((s = 1; s < starts; s++)); do
	log "figure 2: start-up sample $((s + 1))"
	start_tracer d0audit 'hooks attached.*watching' $D0 audit && stop_tracer d0audit
	start_tracer bpftrace 'bpftrace: attached' bpftrace -B line $bt && stop_tracer bpftrace
	start_tracer floor_multi 'programs attached' $B/floor --multi && stop_tracer floor_multi
done
log "figure 2: d0audit start-up under strace"
# -D: strace runs as a detached grandchild, so $! is d0audit itself. As the parent,
# strace also had ready.sh's line readers as children and waited for them while
# they waited for its stdout to close: the bench hung here.
start_tracer strace 'hooks attached.*watching' strace -D -f --seccomp-bpf -ttt -s 128 -o /tmp/strace.txt \
	-e trace=execve,openat,bpf,perf_event_open,write $D0 audit && stop_tracer strace
cp /tmp/strace.txt "$out/strace.txt"

# ---- figure 3: loss with the default 4M ring buffer, 2 threads ------------
for rate in $rates; do
	log "figure 3: audit -a --record, preadrate 2 threads at $rate/s (0: unpaced) for ${lossdur}s"
	rm -f /tmp/loss.ndjson
	start_tracer loss 'hooks attached.*watching' $D0 audit -a --record /tmp/loss.ndjson || continue
	r=$($B/preadrate 2 "$rate" "$lossdur" 2>/dev/null | grep '^reads ')
	stop_tracer loss
	f=$(tail -1 /tmp/loss.ndjson)
	g=$(grep -c '"type":"gap"' /tmp/loss.ndjson)
	gl=$(grep '"type":"gap"' /tmp/loss.ndjson | sed -n 's/.*"lost":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
	echo "loss $rate $r footer $f gaps $g gaplost $gl" >>"$out/loss.txt"
done
rm -f /tmp/loss.ndjson

# ---- figure 5: daemon footprint -----------------------------------------
log "figure 5: daemon idle ${idle}s, then flooded ${flood}s"
: >/tmp/empty.conf
start_tracer daemon 'daemon: [0-9]+ hooks attached' $D0 daemon --config /tmp/empty.conf --no-stdout -o /tmp/daemon.jsonl
dpid=$tracer_pid
sample() { # NAME: VmRSS kB and utime+stime ticks
	put "daemon.$1.rss_kb" "$(awk '/^VmRSS/ {print $2}' /proc/$dpid/status)"
	put "daemon.$1.ticks" "$(awk '{print $14 + $15}' /proc/$dpid/stat)"
	put "daemon.$1.t_us" $(($(now_ns) / 1000))
}
sleep 2
sample idle0; sleep "$idle"; sample idle1
$B/preadrate 1 0 "$flood" >/dev/null 2>&1 &
fl=$!
fe=$(($(date +%s) + flood))
while (($(date +%s) < fe)); do $X fault-loop 100 >/dev/null 2>&1; done
wait $fl
sample flood1
put daemon.hz "$(getconf CLK_TCK)"
put daemon.flood_lines "$(wc -l </tmp/daemon.jsonl)"
stop_tracer daemon
cp /tmp/daemon.err "$out/daemon.err"
log done
