#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark figure 4's input: repeat the events of a real d0audit trace until
there are at least MIN events, seq renumbered from 0 and times shifted so they
keep increasing; gaps are dropped and the footer says what the new trace holds
(no loss). usage: synth.py IN OUT MIN"""
import json
import re
import sys

src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
header, events, footer = None, [], None
with open(src) as f:
    for line in f:
        if line.startswith('{"type":"event"'):
            events.append(line)
        elif line.startswith('{"type":"header"'):
            header = line
        elif line.startswith('{"type":"footer"'):
            footer = json.loads(line)
if not header or not footer or not events:
    sys.exit(f"synth: {src}: no header, footer or events")
t = re.compile(r'"seq":(\d+),"t":(\d+),')
t0 = int(t.search(events[0]).group(2))
span = int(t.search(events[-1]).group(2)) - t0 + 1000
seq, rounds = 0, -(-want // len(events))
with open(dst, "w") as out:
    out.write(header)
    for r in range(rounds):
        shift = r * span
        for e in events:
            m = t.search(e)
            out.write(e[:m.start()] + f'"seq":{seq},"t":{int(m.group(2)) + shift},' + e[m.end():])
            seq += 1
    footer.update(produced=seq, delivered=seq, drops={k: 0 for k in footer["drops"]}, drops_by_hook={},
                  hits={k: v * rounds for k, v in footer.get("hits", {}).items()})
    out.write(json.dumps(footer, separators=(",", ":")) + "\n")
print(seq)
