# SPDX-License-Identifier: GPL-2.0
# Sourced by the bench's guest scripts: launch a tracer and wait for its
# ready line without forking. A grep every 10 ms ran on the guest's vCPUs,
# which single-threaded TCG runs on one host thread with the tracer being
# timed: it stretched every start-up (d0audit's by about 60%: 12.3 s
# measured against 7.3 s unwatched, the floor's 4.8 s against 2.7 s).
# Each of the tracer's two streams goes through a bash read loop (builtins
# only) into its file; the loop says "ready" at the first matching line and
# "eof" at the end, on a FIFO the caller holds open.

# ready_lines FILE REGEX FD: copy stdin to FILE, report on FD
ready_lines() {
	local file=$1 re=$2 fd=$3 line seen=0
	: >"$file"
	while IFS= read -r line || [[ -n $line ]]; do
		printf '%s\n' "$line" >>"$file"
		if ((!seen)) && [[ $line =~ $re ]]; then
			seen=1
			echo ready >&"$fd"
		fi
	done
	echo eof >&"$fd"
}

# ready_start NAME REGEX SECONDS CMD...: sets ready_pid; 0 once a line of
# /tmp/NAME.out or /tmp/NAME.err matches, 1 if both end first or time is up
ready_pid='' ready_fd='' ready_eofs=0
ready_start() {
	local name=$1 re=$2 secs=$3 fifo=/tmp/ready.$$.$1 word
	shift 3
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	# read-write: the open does not wait for a writer, and the FIFO outlives the readers
	exec {ready_fd}<>"$fifo"
	rm -f "$fifo"
	"$@" > >(ready_lines "/tmp/$name.out" "$re" "$ready_fd") 2> >(ready_lines "/tmp/$name.err" "$re" "$ready_fd") &
	ready_pid=$! ready_eofs=0
	while read -r -t "$secs" -u "$ready_fd" word; do
		[[ $word == ready ]] && return 0
		((++ready_eofs == 2)) && break
	done
	return 1
}

# ready_done: after the tracer exited, until both copies are complete
ready_done() {
	local word
	while ((ready_eofs < 2)) && read -r -t 10 -u "$ready_fd" word; do
		[[ $word == eof ]] && ((ready_eofs++))
	done
	exec {ready_fd}<&-
}
