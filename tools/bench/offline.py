#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark figure 4, on the host: d0audit check on a trace of >= MIN events,
plain and gzip, against jq -c . over the same file, and d0audit report (text,
SVG, Perfetto) on the plain file, each pinned to CPU 0 and run REPS times;
then a perf profile of check (shares of time per library).
usage: offline.py D0AUDIT REAL_TRACE WORKDIR MIN REPS  -> JSON on stdout"""
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

d0, real, work, want, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
here = os.path.dirname(os.path.abspath(__file__))
plain = os.path.join(work, "big.ndjson")
gz = plain + ".gz"
n = int(subprocess.check_output([sys.executable, os.path.join(here, "synth.py"), real, plain, str(want)]))
with open(plain, "rb") as f, gzip.open(gz, "wb", compresslevel=6) as g:
    shutil.copyfileobj(f, g, 1 << 20)


def timed(cmd, expect=(0,)):
    """wall and CPU (user+sys) seconds of one run of cmd on CPU 0"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.run(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc not in expect:
        sys.exit(f"offline: {' '.join(cmd)}: exit {rc}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


res = {"events": n, "bytes_plain": os.path.getsize(plain), "bytes_gz": os.path.getsize(gz)}
# check and report exit 1 on violations, 3 on an incomplete verdict: both are finished runs
done = (0, 1, 3)
for name, cmd in (("check_plain", [d0, "check", plain]), ("check_gz", [d0, "check", gz]),
                  ("jq", ["jq", "-c", ".", plain]),
                  ("report_text", [d0, "report", "--format", "text", plain]),
                  ("report_svg", [d0, "report", "--format", "svg", plain]),
                  ("report_perfetto", [d0, "report", "--format", "perfetto", plain])):
    runs = [timed(cmd, done) for _ in range(reps)]
    res[name] = {"wall_s": [round(w, 3) for w, _ in runs], "cpu_s": [round(c, 3) for _, c in runs]}
    res[name]["eps_cpu"] = n / statistics.median(c for _, c in runs)
    res[name]["eps_wall"] = n / statistics.median(w for w, _ in runs)

# issue 18: check and report text against the trace size (goal: linear, i.e. flat CPU time per event)
scale = {}
for size in (int(x) for x in os.environ.get("BENCH_TRACE_SIZES", "100000 1000000 3000000").split()):
    path = os.path.join(work, f"scale-{size}.ndjson")
    got = int(subprocess.check_output([sys.executable, os.path.join(here, "synth.py"), real, path, str(size)]))
    scale[got] = {}
    for name, cmd in (("check", [d0, "check", path]), ("report_text", [d0, "report", "--format", "text", path])):
        cpu = statistics.median(c for _, c in (timed(cmd, done) for _ in range(reps)))
        scale[got][name] = {"cpu_s": round(cpu, 3), "ns_per_event": round(cpu * 1e9 / got, 1)}
    os.unlink(path)
res["scale"] = scale

# where check's time goes (perf, if it can sample here)
prof = {}
data = os.path.join(work, "perf.data")
if shutil.which("perf") and subprocess.run(["perf", "record", "-q", "-o", data, "--", d0, "check", plain],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode in (0, 1, 3):
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso", "--stdio", "-g", "none"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith("%"):
            prof[parts[1]] = float(parts[0][:-1])
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio", "-g", "none"],
                         capture_output=True, text=True).stdout
    res["profile_top"] = [" ".join(l.split()) for l in out.splitlines() if l.strip() and l.split()[0].endswith("%")][:12]
res["profile_dso"] = prof
print(json.dumps(res))
