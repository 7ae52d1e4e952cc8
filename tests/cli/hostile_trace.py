#!/usr/bin/env python3
"""Writes a hostile copy of a real trace: every event's comm replaced by hostile
bytes, and the header's kernel string by every code point U+0001..U+00FF.

  hostile_trace.py IN.ndjson.gz OUT.ndjson CHUNK

CHUNK 0..16 sets comm to the 15 bytes 15*CHUNK+1 .. 15*CHUNK+15 (a task's comm
is at most 15 bytes and a NUL): the 17 traces together carry every byte
0x01..0xff. CHUNK 17.. (up to 16 + len(FORGE)) uses one of the
forgeries of issue 15 (a TAP "Bail out!", a terminal clear, a CDATA end,
invalid and overlong UTF-8, a bidi override, a TAP directive). comm is written exactly as d0audit's trace writer writes the raw
kernel bytes (src/trace/trace_writer.c json_str: \\uXXXX per control or >= 0x7f
byte), so the reader hands the same raw bytes on, as for a real recording.
"""
import gzip
import json
import sys

FORGE = [
    b"x\nBail out!",
    b"\x01<a&b>\"x\xff]]>",
    b"\x1b[2J\x1b]0;pwn\x07",
    b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",   # overlong '/', a surrogate, beyond U+10FFFF
    b"\xe2\x80\xaeevil\xc2\x9b\xef\xbf\xbe",  # RLO, C1 CSI, U+FFFE
    b"ok 1 - # SKIP\r",
    "caf\u00e9\u2603".encode(),                # valid UTF-8 stays as it is
]


def comm_json(raw):
    out = []
    for c in raw[:15]:
        if c in (0x22, 0x5C):
            out.append("\\" + chr(c))
        elif c < 0x20 or c >= 0x7F:
            out.append("\\u%04x" % c)
        else:
            out.append(chr(c))
    return '"' + "".join(out) + '"'


def main():
    src, dst, chunk = sys.argv[1:4]
    k = int(chunk)
    if k >= 17:
        comms = [FORGE[k - 17]]
    else:
        comms = [bytes(range(15 * k + 1, 15 * k + 16))]
    lines = gzip.open(src, "rt").read().splitlines()
    n = 0
    with open(dst, "w") as out:
        for line in lines:
            o = json.loads(line)
            if o["type"] == "header":
                o["kernel"] = "".join(chr(c) for c in range(1, 256))
                line = json.dumps(o, separators=(",", ":"))
            elif o["type"] == "event":
                # keep the writer's exact line (its fast reader path), swap only comm
                old = '"comm":' + json.dumps(o["comm"], separators=(",", ":"))
                assert old in line, line
                line = line.replace(old, '"comm":' + comm_json(comms[n % len(comms)]))
                n += 1
            out.write(line + "\n")


main()
