#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Issue 19: the alerting rules (promtool check rules, promtool test rules on
# synthetic series, and a broken rule makes the tests fail), the runbook
# anchors in the README, and the Grafana dashboard (valid JSON, sane
# structure, valid PromQL, only metric names a real rendering has).

setup() {
	command -v promtool || skip "promtool not installed (apt-get install prometheus; tools/install-deps)"
	D0=$(realpath "${D0AUDIT:-build/d0audit}")
	R=tools/prometheus/d0audit.rules.yml
	T=tools/prometheus/d0audit.rules.test.yml
	G=tools/grafana/d0audit.json
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# The metric names of a real rendering (src/daemon/metrics.c through the unit test's scrape),
# plus the ones Prometheus and node_exporter make.
scrape_names() {
	D0AUDIT_SCRAPE_OUT=$tmp/scrape.prom "$(dirname "$D0")/tests/test_daemon_metrics" >/dev/null 2>&1
	[ -s "$tmp/scrape.prom" ]
	awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$tmp/scrape.prom" >"$tmp/names"
	printf '%s\n' up node_textfile_mtime_seconds >>"$tmp/names"
	(($(wc -l <"$tmp/names") > 20))
}

# metric names the expressions of a rule file or dashboard use (labels and functions never
# start with d0audit_ or node_; "up" is Prometheus' own)
used_names() {
	tools/prometheus/exprs "$@" | grep -oE '\b(d0audit_[a-z0-9_]+|node_[a-z0-9_]+|up)\b' | sort -u
}

# the test file with the rule file swapped for $1
test_with_rules() {
	cp "$1" "$tmp/d0audit.rules.yml"
	cp "$T" "$tmp/test.yml"
	(cd "$tmp" && promtool test rules test.yml)
}

@test "promtool check rules: the alerting rules lint clean" {
	run promtool check rules "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"SUCCESS: 9 rules found"* ]]
}

@test "promtool test rules: every alert on synthetic series" {
	run promtool test rules "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *SUCCESS* ]]
	# every alert of the rule file is tested
	for a in $(sed -n 's/^ *- alert: //p' "$R"); do grep -q "alertname: $a\$" "$T" || { echo "untested: $a"; false; }; done
}

@test "promtool test rules fails on a broken rule" {
	# each mutant is a plausible mistake; the tests must catch every one
	local mutants=(
		's/(increase(d0audit_violations_total\[10m\]) > 0)/(increase(d0audit_violations_total[10m]) > 1)/'
		's/d0audit_violations_total\[10m\]/d0audit_violation_total[10m]/'
		's/ unless on (instance, job) d0audit_hooks_waiting > 0//'
		'/alert: D0auditDown/,/for:/s/for: 1m/for: 0s/'
		's/group_left (name) d0audit_rule_info/group_left d0audit_rule_info/'
		's/increase(d0audit_drops_total\[10m\]) > 0/increase(d0audit_monitoring_gaps_total[10m]) > 0/'
		's/d0audit_btf_missing == 1 or //'
		's/severity: critical/severity: warning/'
	)
	for m in "${mutants[@]}"; do
		sed "$m" "$R" >"$tmp/mutant.yml"
		! cmp -s "$R" "$tmp/mutant.yml" || { echo "mutant did not apply: $m"; false; }
		run test_with_rules "$tmp/mutant.yml"
		[ "$status" -ne 0 ] || { echo "mutant survived: $m"; false; }
	done
	# and a syntax error is caught by the lint
	sed 's/> 0/>/' "$R" >"$tmp/broken.yml"
	run promtool check rules "$tmp/broken.yml"
	[ "$status" -ne 0 ]
}

@test "the rules use only metrics a real scrape has" {
	scrape_names
	for n in $(used_names "$R"); do grep -qx "$n" "$tmp/names" || { echo "rules use $n, not in the scrape"; false; }; done
}

@test "the README lists every rule's journald MESSAGE_ID as the code defines it" {
	n=0
	while read -r name id; do
		grep -qE "^\| [0-9]+ $name \| \`$id\` \|$" README.md || { echo "README: no row for $name $id"; false; }
		n=$((n + 1))
	done < <(sed -n 's/^\t\[D0_RULE_\([A-Z0-9_]*\)\] = "\([0-9a-f]\{32\}\)",$/\1 \2/p' src/model/rules_meta.c)
	[ "$n" -eq 12 ]
}

@test "every runbook_url points at an anchor that exists in the README" {
	local anchors
	anchors=$(sed -n 's/.*runbook_url: .*#\([a-z0-9-]*\)".*/\1/p' "$R" | sort -u)
	[ -n "$anchors" ]
	for a in $anchors; do grep -q "<a id=\"$a\"></a>" README.md || { echo "README has no anchor $a"; false; }; done
}

@test "the Grafana dashboard: valid JSON, every panel titled, typed, placed and querying" {
	jq -e '.title and .uid and (.panels | length >= 8)' "$G"
	jq -e 'all(.panels[]; (.title | length > 0) and (.type | IN("timeseries", "table", "state-timeline", "stat"))
		and (.gridPos | .w > 0 and .h > 0) and (.targets | length > 0) and all(.targets[]; .expr | length > 0))' "$G"
	jq -e '[.panels[].id] | length == (unique | length)' "$G"
	# what the issue asks to see
	for t in "Violations per rule" "Device power states" "Events lost, by cause" "Hook health"; do
		jq -e --arg t "$t" 'any(.panels[]; .title == $t)' "$G" || { echo "no panel '$t'"; false; }
	done
}

@test "the dashboard's queries are valid PromQL on metrics a real scrape has" {
	scrape_names
	# Grafana's variables replaced by what they expand to, each query made a recording rule for the linter
	tools/prometheus/exprs "$G" | sed 's/\$__rate_interval/5m/g; s/\$instance/.*/g' >"$tmp/exprs"
	{
		echo 'groups: [{name: dashboard, rules: ['
		n=0
		while IFS= read -r e; do
			n=$((n + 1))
			printf '  {record: "dashboard:q%d", expr: %s},\n' "$n" "$(jq -Rn --arg e "$e" '$e')"
		done <"$tmp/exprs"
		echo ']}]'
	} >"$tmp/dash.rules.yml"
	run promtool check rules "$tmp/dash.rules.yml"
	echo "$output"
	[ "$status" -eq 0 ]
	for n in $(used_names "$G"); do grep -qx "$n" "$tmp/names" || { echo "dashboard uses $n, not in the scrape"; false; }; done
	# and it found them: the four things the dashboard must show
	for n in d0audit_violations_total d0audit_device_power_state d0audit_drops_total d0audit_hooks_attached; do
		used_names "$G" | grep -qx "$n"
	done
	# a misspelt name is caught
	sed 's/d0audit_drops_total/d0audit_drop_total/' "$tmp/exprs" >"$tmp/bad"
	run bash -c "for n in \$(grep -oE '\\bd0audit_[a-z0-9_]+' $tmp/bad | sort -u); do grep -qx \$n $tmp/names || exit 1; done"
	[ "$status" -ne 0 ]
}

@test "a daemon that cannot audit writes d0audit_up 0 to its textfile (D0auditCannotAudit), lint clean" {
	# as nobody, bpf(2) is refused: the daemon exits 3, and the fleet must see why
	chmod 0777 "$tmp"
	printf '[output]\nstdout = no\nfile = %s/events.jsonl\n[metrics]\ntextfile = %s/d0audit.prom\n' "$tmp" "$tmp" >"$tmp/c.conf"
	chmod 0644 "$tmp/c.conf"
	run timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$D0" daemon -c "$tmp/c.conf"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -qx 'd0audit_up 0' "$tmp/d0audit.prom"
	grep -q '^d0audit_btf_missing{module="vmlinux"} [01]$' "$tmp/d0audit.prom"
	run promtool check metrics <"$tmp/d0audit.prom"
	[ "$status" -eq 0 ] && [ -z "$output" ]
}
