#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest booted with systemd as PID 1 (tools/vm/run --systemd):
# the shipped unit and config, made to listen on 127.0.0.1:9717, and the real
# engines of a fleet on loopback: prometheus (scraping the daemon's /metrics,
# and node_exporter's textfile through prometheus-node-exporter) with the
# shipped alerting rules, and prometheus-alertmanager. Then: a write behind
# vfio's back (rule 10) until the alert is in Alertmanager; the daemon stopped
# until the down alert is; a step made meanwhile; a restart with pins.
# Outputs in $D0AUDIT_VM_OUT; test_fleet.sh asserts.
set -u
out=${D0AUDIT_VM_OUT:?run me through tools/vm/run --systemd}
. tests/vm/guest_lib.sh
X=$PWD/build/vfio-exercise
dev=${D0AUDIT_VM_DEVICES%% *}
# seconds: the test config's scrape interval. Short keeps the test lean; not shorter, or the
# fixed costs (an evaluation every second, TCG on a loaded machine) eat the 2-interval budget
scrape=5
prom=http://127.0.0.1:9090 am=http://127.0.0.1:9093
note() { echo "$*" >>"$out/guest.log"; }
ms() { date +%s%3N; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

# query EXPR [TIME]: the value of an instant query's first sample ("" if none), now or at TIME
# (Unix seconds: queries with a range that must start at a given moment all use the same TIME)
query() {
	curl -s --max-time 5 "$prom/api/v1/query" --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"} |
		jq -r '.data.result[0].value[1] // empty'
}
# alerts NAME: Alertmanager's active alerts of that name (API v2), as JSON
alerts() {
	curl -s --max-time 5 "$am/api/v2/alerts" --data-urlencode "filter=alertname=\"$1\"" -G
}
# wait_alert NAME JQ-FILTER SECONDS: until Alertmanager holds a matching alert; its JSON on stdout
# (the waits are bounded by the clock: under TCG one query alone can take a second)
wait_alert() {
	local end=$((SECONDS + $3)) a
	while ((SECONDS < end)); do
		a=$(alerts "$1" | jq -c "[.[] | select($2)] | .[0] // empty" 2>/dev/null)
		[[ -n $a ]] && { echo "$a"; return 0; }
		sleep 0.2
	done
	note "no $1 alert matching $2 in Alertmanager after $3 s: $(alerts "$1" | head -c 300)"
	return 1
}
# wait_query EXPR VALUE SECONDS
wait_query() {
	local end=$((SECONDS + $3))
	while ((SECONDS < end)); do
		[[ $(query "$1") == "$2" ]] && return 0
		sleep 0.2
	done
	note "query $1 is '$(query "$1")', not $2, after $3 s"
	return 1
}

# d0audit as shipped, plus what a fleet deployment adds: a TCP listener and the textfile
install -D -m 0755 build/static/d0audit /usr/local/sbin/d0audit
install -D -m 0644 tools/systemd/d0audit.service /etc/systemd/system/d0audit.service
install -D -m 0644 tools/systemd/d0audit.conf /etc/d0audit/d0audit.conf
mkdir -p /var/lib/prometheus/node-exporter /etc/d0audit/conf.d /etc/systemd/system/d0audit.service.d
printf '[metrics]\nlisten = 127.0.0.1:9717\ntextfile = /var/lib/prometheus/node-exporter/d0audit.prom\ninterval = 1s\n' \
	>/etc/d0audit/conf.d/20-fleet.conf
# the README's drop-in for a TCP listener
printf '[Service]\nPrivateNetwork=no\nRestrictAddressFamilies=AF_UNIX AF_INET\nIPAddressAllow=localhost\n' \
	>/etc/systemd/system/d0audit.service.d/fleet.conf
systemctl daemon-reload

# the engines, as their Debian packages ship them, on loopback only
cat >/tmp/am.yml <<'EOF'
route: { receiver: none, group_wait: 1s, group_interval: 1s }
receivers: [ { name: none } ]
EOF
cat >/tmp/prom.yml <<EOF
global: { scrape_interval: ${scrape}s, evaluation_interval: 1s, external_labels: { d0audit_docs: "README.md" } }
rule_files: [ $PWD/tools/prometheus/d0audit.rules.yml ]
alerting: { alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:9093" ] } ] } ] }
scrape_configs:
  - job_name: d0audit
    # params: makes Prometheus ask for /metrics?source=fleet-test (a query string must be served)
    params: { source: [ fleet-test ] }
    static_configs: [ { targets: [ "127.0.0.1:9717" ] } ]
  - job_name: node
    static_configs: [ { targets: [ "127.0.0.1:9100" ] } ]
EOF
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory=/var/lib/prometheus/node-exporter >"$out/node-exporter.log" 2>&1 &
pids+=($!)
prometheus-alertmanager --config.file=/tmp/am.yml --storage.path=/tmp/am --web.listen-address=127.0.0.1:9093 \
	--cluster.listen-address= >"$out/alertmanager.log" 2>&1 &
pids+=($!)
prometheus --config.file=/tmp/prom.yml --storage.tsdb.path=/tmp/prom --web.listen-address=127.0.0.1:9090 \
	>"$out/prometheus.log" 2>&1 &
pids+=($!)

t0=$(ms)
systemctl start d0audit 2>>"$out/guest.log"
echo $? >"$out/start.rc"
for u in "$prom/-/ready" "$am/-/ready" http://127.0.0.1:9100/metrics; do
	end=$((SECONDS + 120))
	until curl -sf --max-time 2 -o /dev/null "$u"; do
		((SECONDS < end)) || { note "$u not ready after 120 s"; break; }
		sleep 0.2
	done
done
wait_query 'sum(up)' 2 60
echo "$scrape" >"$out/scrape-interval"
echo "engines up and both jobs scraped $(($(ms) - t0)) ms after the start" >"$out/timings"

# a live scrape for promtool and the host's checks; the query string and 405 by hand
curl -s --max-time 5 'http://127.0.0.1:9717/metrics?source=fleet-test' >"$out/live.prom"
promtool check metrics <"$out/live.prom" >"$out/promtool-metrics.txt" 2>&1
echo $? >"$out/promtool-metrics.rc"
curl -s --max-time 5 -i -X POST http://127.0.0.1:9717/metrics >"$out/post.txt"
# node_exporter reads the textfile at each scrape: the first scrape after "up" can predate the
# daemon's first write (a CI run saw ''), so wait for the series, bounded like the other waits
tf='count(node_textfile_mtime_seconds{file=~"(.*/)?d0audit[.]prom"})'
wait_query "$tf" 1 60
cp /var/lib/prometheus/node-exporter/d0audit.prom "$out/textfile.prom"
query "$tf" >"$out/textfile-mtime-series"

# the device's rule-10 series is there at 0 before anything happens, through both jobs
sel="rule=\"10\",device=\"$dev\""
wait_query "d0audit_violations_total{$sel,job=\"d0audit\"}" 0 30
wait_query "d0audit_violations_total{$sel,job=\"node\"}" 0 30
sleep $((2 * scrape)) # a few samples at 0

# rule 10: PM_CTRL written through sysfs behind vfio's back
# (the clock starts at the violation's own timestamp in the JSON log, not before the scenario:
# the scenario's other steps take a while under TCG)
t_viol=$(ms)
$X -d "$dev" sysfs-pm-d3 >/dev/null 2>>"$out/guest.log"
echo "scenario sysfs-pm-d3: $(($(ms) - t_viol)) ms" >>"$out/timings"
wait_alert D0auditViolation ".labels.rule == \"10\" and .labels.device == \"$dev\" and .labels.job == \"d0audit\"" 60 \
	>"$out/alert-violation.json"
echo "alert_ms=$(ms)" >"$out/alert-times"
wait_alert D0auditViolation ".labels.rule == \"10\" and .labels.device == \"$dev\" and .labels.job == \"node\"" 60 \
	>"$out/alert-violation-node.json"
echo "alert_node_ms=$(ms)" >>"$out/alert-times"
# the violation's own time: test_fleet.sh reads it from the JSON log (events.jsonl)
sleep $((2 * scrape))
query "d0audit_violations_total{$sel,job=\"d0audit\"}" >"$out/count-first"
query 'd0audit_kernel_violations_total{rule="10",job="d0audit"}' >"$out/kernel-first"
t_settled_s=$(date +%s) # the counts are steady from here: the restart's window starts here

# the journal: the violation as a structured record, selected by its rule's MESSAGE_ID
id=$(sed -n 's/.*\[D0_RULE_BYPASS\] = "\([0-9a-f]\{32\}\)".*/\1/p' src/model/rules_meta.c)
echo "$id" >"$out/message-id"
journalctl MESSAGE_ID="$id" -o json --no-pager >"$out/journal-by-id.json" 2>>"$out/guest.log"

# stop: the down alert; a step made meanwhile waits in the pinned ring buffer
sleep $((2 * scrape)) # samples of the steady counts before the stop
t_stop=$(ms)
systemctl stop d0audit 2>>"$out/guest.log"
$X -d "$dev" sysfs-pm-d3 >/dev/null 2>>"$out/guest.log"
wait_alert D0auditDown '.labels.job == "d0audit"' 120 >"$out/alert-down.json"
echo "stop to down alert (for: 1m): $(($(ms) - t_stop)) ms" >>"$out/timings"

# restart on the pins; the step made while stopped is drained and counted
systemctl start d0audit 2>>"$out/guest.log"
echo $? >"$out/restart.rc"
wait_query "up{job=\"d0audit\"}" 1 60
sleep $((3 * scrape))
at=$(date +%s)
r=$((at - t_settled_s)) # from the steady counts before the stop to now, the same window for every query
{
	echo "range=${r}s"
	echo "first=$(cat "$out/count-first")"
	echo "now=$(query "d0audit_violations_total{$sel,job=\"d0audit\"}" "$at")"
	echo "increase=$(query "round(increase(d0audit_violations_total{$sel,job=\"d0audit\"}[${r}s]))" "$at")"
	echo "resets=$(query "resets(d0audit_violations_total{$sel,job=\"d0audit\"}[${r}s])" "$at")"
	echo "kernel_increase=$(query "round(increase(d0audit_kernel_violations_total{rule=\"10\",job=\"d0audit\"}[${r}s]))" "$at")"
	echo "kernel_first=$(cat "$out/kernel-first")"
	echo "kernel_now=$(query 'd0audit_kernel_violations_total{rule="10",job="d0audit"}' "$at")"
	echo "textfile_increase=$(query "round(increase(d0audit_violations_total{$sel,job=\"node\"}[${r}s]))" "$at")"
} >"$out/restart-counts"
curl -s --max-time 5 http://127.0.0.1:9717/metrics >"$out/live-after-restart.prom"
curl -s --max-time 5 "$prom/api/v1/query" --data-urlencode \
	"query=d0audit_kernel_violations_total{rule=\"10\",job=\"d0audit\"}[${r}s]" --data-urlencode "time=$at" \
	>"$out/kernel-samples.json"
systemctl stop d0audit 2>>"$out/guest.log"
journalctl -u d0audit -o cat --no-pager >"$out/journal.txt" 2>>"$out/guest.log"
cp /var/log/d0audit/events.jsonl "$out/events.jsonl" 2>>"$out/guest.log"
exit 0
