#!/usr/bin/env python3
"""The real binary on simulated time (EDUKIOSK_SIM_TIME): minutes of a
kiosk's day in a fraction of a second, through the real loop.
Usage: simtime_harness.py BINARY"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from harness import check, failures

BIN = sys.argv[1]
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()
START = int(datetime.datetime(2026, 12, 15, 10, 0).timestamp())


def run(tmp, feed, seconds, extra=(), start=START):
    """Runs the kiosk for `seconds` of simulated time; (stats, real s)."""
    path = os.path.join(tmp, "feed.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(feed, f)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", EDUKIOSK_SIM_TIME=str(start))
    t0 = time.monotonic()
    try:
        p = subprocess.run([BIN, "--no-config", "--feed", path, "--window", "320x180",
                            "--exit-after", str(seconds), "--stats", *extra],
                           env=env, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - t0
    stats = None
    for line in p.stdout.decode().splitlines():
        if line.startswith("{"):
            stats = json.loads(line)
    return stats, time.monotonic() - t0


def slides(n, **common):
    return [dict({"type": "title", "id": "s%d" % i, "title": "Slide %d" % i}, **common)
            for i in range(n)]


with tempfile.TemporaryDirectory() as tmp:
    # A day in seconds: 5-second slides all day long.
    feed = {"format": "edukiosk/1", "defaults": {"duration": 5, "transition": "cut"},
            "slides": slides(3)}
    st, took = run(tmp, feed, 86400)
    check(st is not None, "a simulated day runs to --exit-after (%.1f s real)" % took)
    check(st is not None and st["slides_shown"] >= 86400 // 5,
          "slides change every 5 simulated seconds all day: %s" %
          (st and st["slides_shown"]))

    # An emergency alert that starts while a slide fades into the next: the
    # fade's frame held both picture slots and the alert could never get
    # one, so the screen froze (and the show with it) until the alert ended.
    # With 5 s slides and 0.8 s fades the second fade spans 10:00:10.8-11.6.
    feed = {"format": "edukiosk/1", "defaults": {"duration": 5, "transition": "fade"},
            "alert": {"level": "emergency", "title": "Evacuate",
                      "from": "2026-12-15 10:00:11", "until": "2026-12-15 10:05"},
            "slides": slides(3)}
    st, took = run(tmp, feed, 240)
    check(st is not None and st["slides_shown"] >= 40,
          "an emergency alert that starts during a fade shows, and the show goes on "
          "behind it: %s slides in 4 minutes" % (st and st["slides_shown"]))

    # The screen switched off by the schedule in the middle of a fade: that
    # fade's frame kept both picture slots, so the next slide never found
    # one and the show stood still (the raster thread making it again and
    # again) until the screen came back.  Fades take 0.8 s of every 5.8:
    # starting the clock a second later each time, some runs turn the
    # screen off (10:01) mid-fade.
    feed_fade = {"format": "edukiosk/1",
                 "defaults": {"duration": 5, "transition": "fade"}, "slides": slides(3)}
    least = None
    for x in range(1, 31):
        st, took = run(tmp, feed_fade, 300, ["--set", "schedule.tue=10:00-10:01"],
                       start=START - x)
        n = st["slides_shown"] if st else 0
        least = n if least is None else min(least, n)
    check(least >= 45, "the screen going off during a fade does not stop the show: "
          "at least %s slides in 5 minutes" % least)

    # The screen off all day: the show goes on, but black is drawn when a
    # picture comes in (once a slide), not at full speed through every
    # transition.
    off = []
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        off += ["--set", "schedule.%s=off" % d]
    st, took = run(tmp, feed_fade, 3600, off)
    check(st is not None and st["slides_shown"] >= 600,
          "with the screen off the slides still change: %s" % (st and st["slides_shown"]))
    check(st is not None and st["frames"] < 2 * st["slides_shown"],
          "with the screen off few frames are drawn: %s" % (st and st["frames"]))

sys.exit(1 if failures else 0)
