#!/usr/bin/env python3
"""pixels.py - what a screenshot shows, for the desktop tests (grim -t ppm).

  pixels.py FILE rows RRGGBB   the first and last row with a pixel of that
                               colour, "FIRST LAST", or "none"
"""
import sys


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, at = [], 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        if data[at:at + 1] == b"#":
            at = data.index(b"\n", at) + 1
            continue
        end = at
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    if fields[0] != b"P6" or fields[3] != b"255":
        sys.exit("pixels.py: %s is not an 8-bit binary PPM" % path)
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[at + 1:at + 1 + 3 * w * h]


def main():
    if len(sys.argv) != 4 or sys.argv[2] != "rows":
        sys.exit(__doc__.strip())
    w, h, px = read_ppm(sys.argv[1])
    want = bytes.fromhex(sys.argv[3])
    rows = [y for y in range(h) if px.find(want, 3 * w * y, 3 * w * (y + 1)) >= 0
            and any(px[i:i + 3] == want for i in range(3 * w * y, 3 * w * (y + 1), 3))]
    print("%d %d" % (rows[0], rows[-1]) if rows else "none")


main()
