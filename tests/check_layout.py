#!/usr/bin/env python3
"""Checks a layout.json written by `edukiosk --render DIR --size WxH`.

Every text box lies inside the screen, has at least one line, uses a font
size readable at the screen's scale, and overlaps no other text box.
Usage: check_layout.py LAYOUT.json WIDTH HEIGHT EXPECTED_SLIDES
"""
import json
import sys


def overlap(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
            a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


def main():
    path, w, h, expected = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with open(path, encoding="utf-8") as f:
        slides = json.load(f)
    problems = []
    if len(slides) != expected:
        problems.append(f"{len(slides)} slides in layout.json, expected {expected}")
    # Smallest type at 1080p is ~24 px; scale with the shorter side.
    floor = 22 * min(w, h) / 1080
    for s in slides:
        where = f"slide {s['slide']} ({s.get('id')}, {s['type']})"
        for k in ("slide", "type", "boxes"):
            if k not in s:
                problems.append(f"{where}: no '{k}'")
        boxes = s["boxes"]
        if not any(b["role"] not in ("school", "clock", "ticker") for b in boxes):
            problems.append(f"{where}: no slide text at all")
        for b in boxes:
            name = f"{where} {b['role']} {b['lines'][:1]}"
            if b["x"] < 0 or b["y"] < 0 or b["x"] + b["w"] > w or b["y"] + b["h"] > h:
                problems.append(f"{name}: box {b['x']},{b['y']} {b['w']}x{b['h']} leaves the {w}x{h} screen")
            if not b["lines"] or any(not l for l in b["lines"]):
                problems.append(f"{name}: empty line")
            if b["font_px"] < floor:
                problems.append(f"{name}: {b['font_px']} px is too small to read (< {floor:.0f})")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if overlap(a, b):
                    problems.append(f"{where}: {a['role']} {a['lines'][:1]} overlaps {b['role']} {b['lines'][:1]}")
    for p in problems:
        print(p)
    print(f"{path}: {len(slides)} slides, {sum(len(s['boxes']) for s in slides)} boxes, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
