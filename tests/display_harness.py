#!/usr/bin/env python3
"""The real binary on a window that has no framebuffer of its own, the way
SDL 2's KMSDRM (the Pi's console) and Wayland drivers are: drawing in
software must still reach the screen, through a renderer, instead of
exiting into a restart loop with a black screen.  No such driver runs
headless here, so the offscreen driver is given that behaviour by a
preloaded test double (tests/shim/no-window-surface.c), which also reads
back every presented frame.  Usage: display_harness.py BINARY"""
import json
import os
import struct
import subprocess
import sys
import tempfile

from harness import check, failures, read_json

BIN = sys.argv[1]
SHIM = os.path.join(os.path.dirname(os.path.abspath(BIN)), "tests", "no-window-surface.so")
HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "..", "assets", "default-feed.json"), encoding="utf-8") as f:
    bg = f.read()
bg = json.loads(bg)["theme"]["background"]
BACKGROUND = tuple(int(bg[i:i + 2], 16) for i in (1, 3, 5))


def presented(path):
    """(w, h, pixel(x, y)) of the last frame the double saw presented."""
    with open(path, "rb") as f:
        data = f.read()
    head, body = data.split(b"\n", 1)
    w, h = (int(v) for v in head.split())
    assert len(body) == w * h * 4, "short frame"

    def pixel(x, y):
        (v,) = struct.unpack_from("<I", body, (y * w + x) * 4)
        return ((v >> 16) & 255, (v >> 8) & 255, v & 255)

    return w, h, pixel


def run(tmp, extra, env_extra):
    status = os.path.join(tmp, "status.json")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", LD_PRELOAD=SHIM, **env_extra)
    r = subprocess.run([BIN, "--no-config", "--window", "640x360", "--status-file", status,
                        "--exit-after", "3", "--stats"] + extra,
                       env=env, capture_output=True, timeout=120)
    return r, read_json(status) or {}


check(os.path.exists(SHIM), f"test double built ({SHIM})")
near = lambda a, b: sum(abs(p - q) for p, q in zip(a, b)) < 30

# SDL's choice of back end (no /dev/dri here: software), and software
# asked for by name: both draw in memory and stream it to a renderer.
for name, extra in (("default", []), ("render_driver=software",
                                      ["--set", "render_driver=software"])):
    with tempfile.TemporaryDirectory() as tmp:
        shown = os.path.join(tmp, "presented.raw")
        r, st = run(tmp, extra, {"NWS_PRESENTED": shown})
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, f"{name}: runs and exits 0 without a window surface "
                                 f"(exit {r.returncode}) {err[-300:]}")
        renderer = st.get("display", {}).get("renderer", "")
        check(renderer.startswith("surface"),
              f"{name}: draws in software, streamed to a renderer ({renderer!r})")
        check(err.count("has no window surface") == 1,
              f"{name}: the fallback is logged once")
        stats = {}
        for line in r.stdout.decode().splitlines():
            if line.startswith("{"):
                stats = json.loads(line)
        check(stats.get("frames", 0) > 0, f"{name}: frames presented ({stats.get('frames')})")
        if os.path.exists(shown):
            w, h, px = presented(shown)
            check((w, h) == (640, 360), f"{name}: presented frame is 640x360 ({w}x{h})")
            # Left edge below the header: the slide's background, not black.
            check(near(px(4, 200), BACKGROUND),
                  f"{name}: the slide reached the screen (pixel {px(4, 200)}, "
                  f"background {BACKGROUND})")
            # Some text on it: white or gold somewhere in the middle band.
            lit = sum(1 for x in range(0, 640, 2) for y in range(120, 240, 4)
                      if min(px(x, y)) > 200)
            check(lit > 20, f"{name}: the slide's text reached the screen ({lit} bright samples)")
        else:
            check(False, f"{name}: nothing was presented")

# No window surface and no renderer at all: nothing can be shown; a clear
# message and exit 3, never a crash.
with tempfile.TemporaryDirectory() as tmp:
    r, _ = run(tmp, [], {"NWS_NO_RENDERER": "1"})
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 3 and "no window surface, and no renderer works" in err,
          f"no window surface and no renderer: exit 3 with a clear message "
          f"(exit {r.returncode}) {err[-300:]}")

print(f"display: {len(failures)} failures")
sys.exit(1 if failures else 0)
