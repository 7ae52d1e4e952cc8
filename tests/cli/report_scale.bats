#!/usr/bin/env bats
# Issue 15, section 3: report scales like check (n log n, not a scan of every mark per power
# span), the SVG labels its step markers and puts axis ticks at round times, and Perfetto
# timestamps are exact microseconds (no 47425.771000000001).

D0=${D0AUDIT:-build/d0audit}
FIX=tests/unit/fixtures/traces

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "report --format text of 200k events takes at most 4x check's CPU time (quadratic: 16x)" {
	zcat "$FIX/all-7.2.ndjson.gz" >"$tmp/real.ndjson"
	python3 tools/bench/synth.py "$tmp/real.ndjson" "$tmp/big.ndjson" 200000 >/dev/null
	python3 - "$D0" "$tmp/big.ndjson" <<-'EOF'
		import resource, subprocess, sys
		d0, trace = sys.argv[1:3]
		def cpu(args):
		    before = resource.getrusage(resource.RUSAGE_CHILDREN)
		    rc = subprocess.run([d0] + args + [trace], stdout=subprocess.DEVNULL).returncode
		    after = resource.getrusage(resource.RUSAGE_CHILDREN)
		    assert rc in (0, 1, 3), (args, rc)
		    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
		check = min(cpu(["check"]) for _ in range(2))
		report = min(cpu(["report", "--format", "text"]) for _ in range(2))
		print(f"check {check:.2f}s, report {report:.2f}s CPU")
		assert report <= 4 * max(check, 0.05), f"report {report:.2f}s > 4 x check {check:.2f}s"
	EOF
}

@test "Perfetto timestamps and durations are exact microseconds: at most 3 decimals" {
	for t in sysfs-cmd-mem-7.2 all-7.2 low-power-7.2; do
		"$D0" report --format perfetto -o "$tmp/p.json" "$FIX/$t.ndjson.gz" || [ $? -eq 1 ]
		python3 - "$tmp/p.json" "$FIX/$t.ndjson.gz" <<-'EOF'
			import gzip, json, re, sys
			text = open(sys.argv[1]).read()
			bad = re.findall(r'"(?:ts|dur)":(-?[0-9]+\.[0-9]{4,}|[0-9.]+e[-+]?[0-9]+)', text)
			assert not bad, f"float noise: {bad[:5]}"
			# and they are the trace's nanoseconds, exactly
			t0 = None
			ns = set()
			for line in gzip.open(sys.argv[2], "rt"):
			    o = json.loads(line)
			    if o["type"] == "event":
			        t0 = o["t"] if t0 is None else min(t0, o["t"])
			        ns.add(o["t"])
			ts = {round(e["ts"] * 1000) for e in json.loads(text)["traceEvents"] if "ts" in e and e.get("ph") == "i"}
			assert ts and ts <= {t - t0 for t in ns}, "an instant's ts is not an event's time"
		EOF
	done
}

@test "SVG: each step marker has its letter, the legend explains steps apart from accesses, ticks are round" {
	"$D0" report --format svg -o "$tmp/r.svg" "$FIX/sysfs-cmd-mem-7.2.ndjson.gz" || [ $? -eq 1 ]
	xmllint --noout "$tmp/r.svg"
	python3 - "$tmp/r.svg" <<-'EOF'
		import re, sys
		svg = open(sys.argv[1]).read()
		# a step: <g><title>NAME at ...</title><rect .../><text ...>LETTER</text></g>
		steps = re.findall(r'<g><title>([a-z-]+) at [^<]*</title><rect [^>]*fill="#000000"/>(?:<text [^>]*>(.)</text>)?</g>', svg)
		assert steps, "no step markers"
		letters = {"zap": "z", "revoke": "r", "unrevoke": "u", "dmabuf-export": "e", "reset": "R", "open": "o", "close": "c"}
		for name, letter in steps:
		    assert letter == letters.get(name, "?"), f"step {name} marked {letter!r}"
		legend = re.search(r'<g class="legend-steps">.*?</g>', svg)
		assert legend and "z zap" in legend.group() and "R reset" in legend.group() and "o open" in legend.group()
		ticks = [float(v) for v in re.findall(r'text-anchor="(?:middle|end)">\+([0-9.]+)s</text>', svg)]
		assert len(ticks) >= 4, ticks
		step = ticks[1] - ticks[0]
		mant = step / 10 ** __import__("math").floor(__import__("math").log10(step))
		assert any(abs(mant - m) < 1e-6 for m in (1, 2, 5)), f"tick step {step} is not 1, 2 or 5 x 10^n"
		for i, t in enumerate(ticks):
		    assert abs(t - i * step) < 1e-9, f"tick {t} is not {i} x {step}"
	EOF
}
