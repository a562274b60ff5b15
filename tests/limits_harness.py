#!/usr/bin/env python3
"""Memory that follows content stays bounded: the real binary, headless,
with the largest texts a valid feed may hold (a 100 KB and a 400 KB
ticker, 12 cards and 12 list items of 4 KiB strings) at 1080p and 4K.
--check names the place where the ticker is cut; the kiosk's peak RSS
stays within the built-in deck's plus a generous margin; the kept ticker
text still scrolls.  Usage: limits_harness.py BINARY"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from harness import check, failures, wait_for
from pngpixel import row

BIN = sys.argv[1]
MARGIN_KB = 40 * 1024
SIZES = ["1920x1080", "3840x2160"]
# 29 characters, 87 bytes of UTF-8.
NOTICE = "各位同学请注意：本周五下午学校举行运动会，请提前做好准备。"
ENV = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")


def ticker_feed(path, nbytes):
    """One 232-character text a line from line 3 on, column 3, until the
    texts hold nbytes of UTF-8."""
    text = NOTICE * 8
    n = -(-nbytes // len(text.encode()))
    lines = ['{"format": "edukiosk/1", "school": "测试学校",', ' "ticker": [']
    lines += ['  ' + json.dumps(text, ensure_ascii=False) + ',' for _ in range(n - 1)]
    lines += ['  ' + json.dumps(text, ensure_ascii=False), ' ],',
              ' "slides": [{"type": "title", "id": "a", "title": "你好"}]}']
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return n


def grid_feed(path):
    """The largest card grid and list: 12 of each, every string 4 KiB."""
    big = (NOTICE * 46)[:1365]  # 4095 bytes
    feed = {"format": "edukiosk/1", "school": big, "defaults": {"duration": 3},
            "slides": [{"type": "cards", "title": big,
                        "cards": [{"heading": big, "text": big} for _ in range(12)]},
                       {"type": "list", "title": big, "items": [big] * 12}]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(feed, f, ensure_ascii=False)


def peak_kb(size, feed=None, seconds=10):
    args = [BIN, "--no-config", "--set", "ticker=yes", "--window", size,
            "--exit-after", str(seconds), "--stats"]
    if feed:
        args += ["--feed", feed]
    out = subprocess.run(args, env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=300).stdout.decode()
    lines = out.strip().splitlines()
    return json.loads(lines[-1]).get("peak_rss_kb", -1) if lines else -1


with tempfile.TemporaryDirectory() as tmp:
    feeds = {}
    for kb in (100, 400):
        path = os.path.join(tmp, f"ticker-{kb}k.json")
        n = ticker_feed(path, kb * 1000)
        feeds[f"{kb} KB ticker"] = path
        r = subprocess.run([BIN, "--no-config", "--check", path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = r.stdout.decode()
        # 600 characters: two whole texts and 136 of the third (line 5).
        want = (f"{path}:5:3: warning: ticker[2]: the ticker shows at most 600 characters"
                f" in all: this text is cut after 136 characters and the {n - 3} after it"
                " are not shown")
        check(r.returncode == 0 and want in out,
              f"--check: the {kb} KB ticker is valid, with one located warning where it is cut"
              f" (exit {r.returncode}: {out[:300]!r})")

    many = os.path.join(tmp, "ticker-lines.json")
    with open(many, "w", encoding="utf-8") as f:
        f.write('{"format": "edukiosk/1",\n "ticker": [\n')
        f.write(",\n".join(f'  "第{i}条"' for i in range(70)))
        f.write('\n ],\n "slides": [{"type": "title", "title": "你好"}]}\n')
    out = subprocess.run([BIN, "--no-config", "--check", many], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    check(f"{many}:67:3: warning: ticker[64]: the ticker shows at most 64 texts: this one"
          " and the 5 after it are not shown" in out,
          f"--check: texts past the 64th are a located warning ({out[:300]!r})")

    grid = os.path.join(tmp, "grid.json")
    grid_feed(grid)
    feeds["12 cards and 12 items of 4 KiB"] = grid

    for size in SIZES:
        base = peak_kb(size)
        check(base > 0, f"{size}: the built-in deck runs ({base} kB peak)")
        for name, path in feeds.items():
            kb = peak_kb(size, path)
            check(0 < kb <= base + MARGIN_KB,
                  f"{size}: {name}: peak RSS {kb} kB within the built-in deck's"
                  f" {base} kB + {MARGIN_KB} kB")

    # The kept text scrolls: the ticker band changes between two screenshots
    # and has text on it.
    status = os.path.join(tmp, "run", "status.json")
    shot = os.path.join(tmp, "run", "screenshot.png")
    p = subprocess.Popen([BIN, "--no-config", "--set", "ticker=yes", "--window", "960x540",
                          "--feed", feeds["100 KB ticker"], "--status-file", status,
                          "--exit-after", "60"],
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def band():
        """Row 520 (the middle of the 40 px ticker band) of a new screenshot."""
        if os.path.exists(shot):
            os.unlink(shot)
        os.kill(p.pid, signal.SIGUSR1)
        if not wait_for(lambda: os.path.exists(shot) and os.path.getsize(shot) > 0, 10):
            return None
        line, bpp = row(shot, 520)
        px = [bytes(line[i:i + 3]) for i in range(0, len(line), bpp)]
        ground = max(set(px), key=px.count)
        return px, sum(1 for c in px if c != ground)

    try:
        wait_for(lambda: os.path.exists(status), 30)
        first = wait_for(lambda: (lambda b: b if b and b[1] > 20 else None)(band()), 30,
                         step=1.0)
        check(first is not None, "the ticker band shows text")
        time.sleep(1.5)
        second = band()
        check(first is not None and second is not None and first[0] != second[0]
              and second[1] > 20, "the kept ticker text scrolls")
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

print(f"limits: {len(failures)} failures")
sys.exit(1 if failures else 0)
