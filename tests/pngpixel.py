#!/usr/bin/env python3
"""Prints the RGB of pixel X,Y of a PNG (8-bit RGB/RGBA, not interlaced,
as SDL_image writes them): pngpixel.py FILE X Y"""
import struct
import sys
import zlib


def rows(path, upto=None):
    """(width, height, bytes a pixel, and the unfiltered rows 0..upto, all
    when upto is None), each row 3 or 4 bytes a pixel."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w, h, bpp = 8, b"", 0, 0, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not interlace, "unsupported PNG"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out = []
    for y in range(h if upto is None else upto + 1):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(line)
        prev = line
    return w, h, bpp, out


def row(path, y):
    """The RGB bytes of row y, 3 or 4 bytes a pixel, and that count."""
    _, _, bpp, out = rows(path, y)
    return out[y], bpp


def pixel(path, x, y):
    line, bpp = row(path, y)
    return tuple(line[x * bpp:x * bpp + 3])


if __name__ == "__main__":
    print("%d %d %d" % pixel(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
