#!/usr/bin/env python3
"""Draws Gitssy's icons from one geometry: resources/icons/icon.svg (the source for designers)
and the PNGs electron-builder and the tray use. Standard library only (zlib + struct write the
PNGs), so it runs anywhere python3 does:  python3 scripts/icons/make-icons.py
"""
import math
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'resources', 'icons')

# geometry in a 512-unit canvas
BG = dict(x0=32, y0=32, x1=480, y1=480, r=104)
GRAD = ((0x63, 0x66, 0xF1), (0x8B, 0x5C, 0xF6))  # indigo -> violet, top-left to bottom-right
TOP, BOTTOM, TIP = (184, 138), (184, 374), (330, 170)
RING_OUT, RING_IN, STROKE = 46, 23, 34
BRANCH_CTRL, BRANCH_END = (330, 300), (184, 300)  # quadratic curve from TIP into the trunk
STATUS = {
    'running': (0x22, 0xC5, 0x5E),
    'maintenance': (0xF5, 0x9E, 0x0B),
    'error': (0xEF, 0x44, 0x44),
    'stopped': (0x9C, 0xA3, 0xAF),
    'starting': (0x38, 0xBD, 0xF8),
}
DOT = dict(cx=392, cy=392, r=104, border=28)


def bezier(p0, p1, p2, n=32):
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0], (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]) for t in (i / n for i in range(n + 1))]


BRANCH = bezier(TIP, BRANCH_CTRL, BRANCH_END)


def seg_dist(px, py, a, b):
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def rrect_sd(px, py, b):
    cx, cy = (b['x0'] + b['x1']) / 2, (b['y0'] + b['y1']) / 2
    hx, hy = (b['x1'] - b['x0']) / 2 - b['r'], (b['y1'] - b['y0']) / 2 - b['r']
    qx, qy = abs(px - cx) - hx, abs(py - cy) - hy
    return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - b['r']


def cov(sd, aa):
    """Coverage of a pixel from a signed distance (negative inside), aa = pixel size in units."""
    return max(0.0, min(1.0, 0.5 - sd / aa))


def glyph(px, py, aa):
    line = min(seg_dist(px, py, TOP, BOTTOM), min(seg_dist(px, py, BRANCH[i], BRANCH[i + 1]) for i in range(len(BRANCH) - 1)))
    strokes = cov(line - STROKE / 2, aa)
    ring = 0.0
    hole = 0.0
    for c in (TOP, BOTTOM, TIP):
        d = math.hypot(px - c[0], py - c[1])
        ring = max(ring, cov(d - RING_OUT, aa) * (1 - cov(d - RING_IN, aa)))
        hole = max(hole, cov(d - RING_IN, aa))
    return max(ring, strokes * (1 - hole))


def over(dst, src, a):
    """src colour with alpha a over dst (r, g, b, alpha), straight alpha."""
    r, g, b, da = dst
    oa = a + da * (1 - a)
    if oa == 0:
        return (0, 0, 0, 0)
    mix = lambda s, d: (s * a + d * da * (1 - a)) / oa
    return (mix(src[0], r), mix(src[1], g), mix(src[2], b), oa)


def pixel(px, py, aa, status):
    t = max(0.0, min(1.0, ((px - 32) + (py - 32)) / (2 * 448)))
    bgc = tuple(GRAD[0][i] + (GRAD[1][i] - GRAD[0][i]) * t for i in range(3))
    out = (0, 0, 0, 0)
    out = over(out, bgc, cov(rrect_sd(px, py, BG), aa))
    out = over(out, (255, 255, 255), glyph(px, py, aa))
    if status:
        d = math.hypot(px - DOT['cx'], py - DOT['cy'])
        out = over(out, (255, 255, 255), cov(d - DOT['r'], aa))
        out = over(out, STATUS[status], cov(d - (DOT['r'] - DOT['border']), aa))
    return out


def render(size, status=None):
    scale = 512 / size
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            r, g, b, a = pixel((x + 0.5) * scale, (y + 0.5) * scale, scale, status)
            row += bytes((round(r), round(g), round(b), round(a * 255)))
        rows.append(bytes(row))
    return b''.join(rows)


def png(path, size, raw):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw, 9)))
        f.write(chunk(b'IEND', b''))


def svg():
    b = BG
    branch = f'M{TIP[0]} {TIP[1]} Q{BRANCH_CTRL[0]} {BRANCH_CTRL[1]} {BRANCH_END[0]} {BRANCH_END[1]}'
    rings = ''.join(f'<circle cx="{c[0]}" cy="{c[1]}" r="{(RING_OUT + RING_IN) / 2}" fill="none" stroke="#fff" stroke-width="{RING_OUT - RING_IN}"/>' for c in (TOP, BOTTOM, TIP))
    holes = ''.join(f'<circle cx="{c[0]}" cy="{c[1]}" r="{RING_IN}" fill="#000"/>' for c in (TOP, BOTTOM, TIP))
    hexc = lambda c: '#%02x%02x%02x' % c
    return f'''<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <!-- Gitssy app icon; the PNGs beside it are drawn from the same geometry by scripts/icons/make-icons.py -->
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{hexc(GRAD[0])}"/><stop offset="1" stop-color="{hexc(GRAD[1])}"/></linearGradient>
    <mask id="holes"><rect width="512" height="512" fill="#fff"/>{holes}</mask>
  </defs>
  <rect x="{b['x0']}" y="{b['y0']}" width="{b['x1'] - b['x0']}" height="{b['y1'] - b['y0']}" rx="{b['r']}" fill="url(#bg)"/>
  <g mask="url(#holes)" fill="none" stroke="#fff" stroke-width="{STROKE}" stroke-linecap="round">
    <path d="M{TOP[0]} {TOP[1]} V{BOTTOM[1]}"/>
    <path d="{branch}"/>
  </g>
  {rings}
</svg>
'''


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'icon.svg'), 'w') as f:
        f.write(svg())
    for size in (512, 256):
        png(os.path.join(OUT, f'icon-{size}.png'), size, render(size))
    for status in STATUS:
        png(os.path.join(OUT, f'tray-{status}.png'), 32, render(32, status))
        png(os.path.join(OUT, f'tray-{status}@2x.png'), 64, render(64, status))
    print('wrote', OUT)


if __name__ == '__main__':
    main()
