#!/usr/bin/env python3
"""pixels.py - what a screenshot shows, for the desktop tests (grim -t ppm).

  pixels.py FILE rows RRGGBB   the first and last row with a pixel of that
                               colour, "FIRST LAST", or "none"
  pixels.py FILE cols RRGGBB   the first and last column, likewise
  pixels.py FILE count RRGGBB  how many pixels have exactly that colour
  pixels.py FILE doubled RRGGBB
                               of the 2x2 blocks (at even coordinates) that
                               hold that colour, the share whose four
                               pixels are alike: 1.00 for a picture drawn
                               at half the size and doubled, less when
                               drawn at full size
  pixels.py FILE contrast RRGGBB
                               text of that colour against what is behind
                               it: for each pixel of exactly that colour
                               (the inside of glyphs), the colour most
                               common within 8 pixels, other than it, is
                               its background; the lowest WCAG 2 contrast
                               ratio of those pairs, "RATIO BACKGROUND",
                               or "none"
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


def where(px, want):
    """Offsets of the pixels of colour want."""
    at = px.find(want)
    while at >= 0:
        if at % 3 == 0:
            yield at
            at = px.find(want, at + 3)
        else:
            at = px.find(want, at + 1)


def luminance(c):
    def lin(v):
        v /= 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def ratio(a, b):
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def contrast(w, h, px, want):
    spots = list(where(px, want))
    if not spots:
        return "none"
    step = max(1, len(spots) // 2000)
    worst, behind = None, None
    for at in spots[::step]:
        x, y = (at // 3) % w, at // 3 // w
        seen = {}
        for yy in range(max(0, y - 8), min(h, y + 9)):
            row = 3 * w * yy
            for xx in range(max(0, x - 8), min(w, x + 9)):
                c = px[row + 3 * xx:row + 3 * xx + 3]
                if c != want:
                    seen[c] = seen.get(c, 0) + 1
        if not seen:
            continue
        bg = max(seen, key=seen.get)
        r = ratio(want, bg)
        if worst is None or r < worst:
            worst, behind = r, bg
    return "%.2f %s" % (worst, behind.hex()) if worst is not None else "none"


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("rows", "cols", "count", "contrast", "doubled"):
        sys.exit(__doc__.strip())
    w, h, px = read_ppm(sys.argv[1])
    want = bytes.fromhex(sys.argv[3])
    if sys.argv[2] == "doubled":
        blocks = {(a // 3 % w // 2, a // 3 // w // 2) for a in where(px, want)}
        alike = 0
        for bx, by in blocks:
            x, y = 2 * bx, 2 * by
            if x + 1 >= w or y + 1 >= h:
                continue
            o = 3 * (w * y + x)
            c = px[o:o + 3]
            alike += c == px[o + 3:o + 6] == px[o + 3 * w:o + 3 * w + 3] == px[o + 3 * w + 3:o + 3 * w + 6]
        print("%.2f" % (alike / len(blocks)) if blocks else "none")
    elif sys.argv[2] == "count":
        print(sum(1 for _ in where(px, want)))
    elif sys.argv[2] == "contrast":
        print(contrast(w, h, px, want))
    else:
        at = (lambda a: a // 3 // w) if sys.argv[2] == "rows" else (lambda a: a // 3 % w)
        lines = sorted({at(a) for a in where(px, want)})
        print("%d %d" % (lines[0], lines[-1]) if lines else "none")


main()
