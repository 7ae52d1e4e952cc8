#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""png_colours.py PNG X0 Y0 X1 Y1 RRGGBB...: for each colour, how many pixels of the box
[X0,X1) x [Y0,Y1) have exactly that colour, as 'RRGGBB COUNT' lines. Uses python3-pil."""
import sys

from PIL import Image

img = Image.open(sys.argv[1]).convert("RGB")
x0, y0, x1, y1 = (int(v) for v in sys.argv[2:6])
want = {tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)): h.lower() for h in sys.argv[6:]}
counts = dict.fromkeys(want.values(), 0)
px = img.load()
for y in range(max(y0, 0), min(y1, img.height)):
    for x in range(max(x0, 0), min(x1, img.width)):
        name = want.get(px[x, y])
        if name:
            counts[name] += 1
for h in sys.argv[6:]:
    print(h.lower(), counts[h.lower()])
