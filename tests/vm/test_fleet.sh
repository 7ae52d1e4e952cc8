#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 19 end to end with the real engines, in a guest whose PID 1 is
# systemd (tests/vm/fleet_guest.sh): Prometheus scrapes the daemon's
# /metrics (with params:, so a query string) and node_exporter's textfile,
# evaluates tools/prometheus/d0audit.rules.yml and sends to Alertmanager.
# A write behind vfio's back (rule 10) must reach Alertmanager within the
# rule's for: (none) plus two scrape intervals; stopping the daemon raises
# the down alert; a restart with pins loses no count; the violation is a
# journald record selected by its MESSAGE_ID. Prints the measured times.
#
# usage: tests/vm/test_fleet.sh [--kernel 7.2] [--keep DIR] [--from DIR]
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

vm_test_args "$@"
start=$SECONDS
vm_boot fleet --systemd --mem 1536 --timeout 900 -- tests/vm/fleet_guest.sh
dev=0000:00:03.0
scrape=$(cat "$out/scrape-interval" 2>/dev/null || echo 0) # the guest's Prometheus config
budget_ms=$((0 + 2 * scrape * 1000)) # D0auditViolation has no for:
kv() { sed -n "s/^$2=//p" "$out/$1"; }

if [[ -s $out/guest.log ]]; then not_ok "guest script: $(head -c 600 "$out/guest.log")"; else ok "guest script ran every step"; fi
[[ $(cat "$out/start.rc") == 0 ]] && ok "systemctl start with the fleet drop-ins (TCP listener, textfile)" ||
	not_ok "start: rc $(cat "$out/start.rc")"
sed 's/^/# /' "$out/timings"

# the live scrape: promtool says nothing; the series rules depend on are there from the start
[[ $(cat "$out/promtool-metrics.rc") == 0 && ! -s $out/promtool-metrics.txt ]] &&
	ok "promtool check metrics on the live daemon's /metrics: nothing to report" ||
	not_ok "promtool check metrics: rc $(cat "$out/promtool-metrics.rc"): $(head -c 400 "$out/promtool-metrics.txt")"
n=$(grep -cE "^d0audit_violations_total\{rule=\"([1-9]|1[0-2])\",device=\"$dev\"\} 0$" "$out/live.prom")
[[ $n == 12 ]] && grep -q '^d0audit_build_info{version="' "$out/live.prom" &&
	grep -q "^d0audit_device_power_state{device=\"$dev\"} " "$out/live.prom" &&
	ok "live scrape (/metrics?source=fleet-test): build_info, power state, all 12 rules at 0 for $dev" ||
	not_ok "live scrape: $n of 12 violation series at 0 for $dev; $(grep -c . "$out/live.prom") lines"
grep -q '^HTTP/1.1 405 ' "$out/post.txt" && grep -qi '^Allow: GET, HEAD' "$out/post.txt" &&
	ok "POST /metrics: 405 with Allow: GET, HEAD" || not_ok "POST: $(head -3 "$out/post.txt" | tr '\r\n' '  ')"
[[ $(cat "$out/textfile-mtime-series") == 1 ]] && ok "node_exporter serves the textfile (node_textfile_mtime_seconds)" ||
	not_ok "node_exporter's textfile series: '$(cat "$out/textfile-mtime-series")'"

# the rules and the dashboard use only names the live daemon (or node_exporter) serves
awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$out/live.prom" >"$out/names"
printf '%s\n' up node_textfile_mtime_seconds >>"$out/names"
missing=$(tools/prometheus/exprs tools/prometheus/d0audit.rules.yml tools/grafana/d0audit.json |
	grep -oE '\b(d0audit_[a-z0-9_]+|node_[a-z0-9_]+|up)\b' | sort -u | grep -vxFf "$out/names")
[[ -z $missing ]] && ok "the alert rules and the dashboard query only metrics the live daemon serves" ||
	not_ok "not in the live scrape: $missing"

# rule 10 in Alertmanager, in time, with what on-call needs
a=$out/alert-violation.json
v_ms=$(jq -r --arg d "$dev" 'select(.type == "violation" and .rule == 10 and .dev == $d) | .time * 1000 | floor' \
	"$out/events.jsonl" | head -1)
ms=$(($(kv alert-times alert_ms) - ${v_ms:-0})) node_ms=$(($(kv alert-times alert_node_ms) - ${v_ms:-0}))
echo "# violation (its JSON log timestamp) to alert in Alertmanager: $ms ms via /metrics, $node_ms ms via the textfile"
jq -e --arg d "$dev" '.labels.rule == "10" and .labels.name == "BYPASS" and .labels.device == $d and
	.labels.severity == "critical" and .annotations.runbook_url == "README.md#alert-d0auditviolation" and
	(.annotations.description | contains("journalctl -u d0audit D0AUDIT_RULE=10 D0AUDIT_DEV=" + $d))' "$a" >/dev/null &&
	ok "Alertmanager: D0auditViolation rule 10 BYPASS on $dev, critical, runbook and journalctl line" ||
	not_ok "violation alert: $(head -c 500 "$a")"
[[ -n $v_ms ]] && ((ms > 0 && ms <= budget_ms)) && ok "violation to alert in Alertmanager: $ms ms (budget: for: 0 + 2 scrape intervals = $budget_ms ms)" ||
	not_ok "violation to alert: '${ms}' ms, budget $budget_ms ms"
jq -e --arg d "$dev" '.labels.job == "node" and .labels.device == $d' "$out/alert-violation-node.json" >/dev/null &&
	ok "the same alert through node_exporter's textfile: $node_ms ms (textfile every 1 s, then a scrape)" ||
	not_ok "textfile-job alert: $(head -c 300 "$out/alert-violation-node.json")"

# the journal: selected by MESSAGE_ID, fields without parsing text
id=$(cat "$out/message-id")
jq -e -s --arg d "$dev" 'map(select(.D0AUDIT_RULE == "10" and .D0AUDIT_DEV == $d and .D0AUDIT_RULE_NAME == "BYPASS"
	and .PRIORITY == "4" and ._SYSTEMD_UNIT == "d0audit.service" and (.D0AUDIT_PID | test("^[0-9]+$"))
	and (.MESSAGE | startswith("d0audit: VIOLATION rule 10 BYPASS on " + $d)))) | length >= 1' \
	"$out/journal-by-id.json" >/dev/null &&
	ok "journalctl MESSAGE_ID=$id: the rule-10 record on $dev with D0AUDIT_* fields, from d0audit.service" ||
	not_ok "journal by MESSAGE_ID $id: $(head -c 600 "$out/journal-by-id.json")"
jq -e -s 'all(.[]; .D0AUDIT_RULE == "10")' "$out/journal-by-id.json" >/dev/null &&
	ok "MESSAGE_ID selects only rule 10 (the scenario breaks others too)" || not_ok "MESSAGE_ID matched other rules"
jq -e -s '[.[] | select(.type == "violation" and .rule == 10)] | length >= 1' "$out/events.jsonl" >/dev/null &&
	ok "the JSON log still has the violation records" || not_ok "JSON log: no rule-10 violation"

# down, and the restart on pins: increase() over it equals what was made meanwhile
jq -e '.labels.job == "d0audit" and .labels.severity == "critical" and .annotations.runbook_url == "README.md#alert-d0auditdown"' \
	"$out/alert-down.json" >/dev/null && ok "stopped: D0auditDown in Alertmanager ($(sed -n 's/^stop to down alert (for: 1m): //p' "$out/timings"))" ||
	not_ok "down alert: $(head -c 300 "$out/alert-down.json")"
first=$(kv restart-counts first)
[[ $(cat "$out/restart.rc") == 0 && $first =~ ^[1-9][0-9]*$ && $(kv restart-counts increase) == "$first" &&
	$(kv restart-counts resets) == 0 && $(kv restart-counts now) == $((2 * first)) ]] &&
	ok "restart on pins: increase() over $(kv restart-counts range) = $first, the violations made while stopped; no reset" ||
	not_ok "restart counts: $(tr '\n' ' ' <"$out/restart-counts")"
[[ $(kv restart-counts kernel_increase) == "$first" && $(kv restart-counts textfile_increase) == "$first" ]] &&
	ok "the kernel's counter and the textfile job agree ($first)" ||
	not_ok "kernel/textfile increase: $(tr '\n' ' ' <"$out/restart-counts")"

echo "# test_fleet: $((SECONDS - start)) s (boot included)"
summary fleet
