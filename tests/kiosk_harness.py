#!/usr/bin/env python3
"""Runs the real edukiosk binary headless (SDL offscreen driver) and talks
to it the way systemd and an operator would: a NOTIFY_SOCKET that must
receive READY=1 and WATCHDOG=1, SIGUSR1 for a screenshot, SIGHUP to re-read
the configuration, SIGTERM to stop.  Usage: kiosk_harness.py BINARY"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from harness import check, failures, read_json, wait_for

BIN = sys.argv[1]


def png_size(path):
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


with tempfile.TemporaryDirectory() as tmp:
    sock_path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.1)
    messages = []
    stop = threading.Event()

    def receiver():
        # Like systemd: always listening, so the kiosk never blocks on us.
        while not stop.is_set():
            try:
                messages.append(sock.recv(4096).decode())
            except (socket.timeout, BlockingIOError):
                pass

    threading.Thread(target=receiver, daemon=True).start()

    def drain():
        pass

    status = os.path.join(tmp, "run", "status.json")
    conf = os.path.join(tmp, "edukiosk.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("[kiosk]\nticker = yes\n")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", NOTIFY_SOCKET=sock_path,
               WATCHDOG_USEC="2000000")
    errlog = open(os.path.join(tmp, "stderr.log"), "w+b")
    p = subprocess.Popen([BIN, "--config", conf, "--window", "640x360",
                          "--status-file", status, "--stats"],
                         env=env, stdout=subprocess.PIPE, stderr=errlog)
    env["WATCHDOG_PID"] = str(p.pid)  # informative; sd_notify checks the pid
    try:
        ready = wait_for(lambda: (drain(), any("READY=1" in m for m in messages))[1], 20)
        check(ready, "READY=1 reaches the notify socket after the first frame")
        wd = wait_for(lambda: (drain(), any("WATCHDOG=1" in m for m in messages))[1], 10)
        check(wd, "WATCHDOG=1 is sent from the render loop")
        summary = wait_for(lambda: any("STATUS=showing: builtin deck" in m for m in messages), 10)
        check(summary, "a STATUS= summary line names the deck on screen")
        st = wait_for(lambda: read_json(status), 10)
        check(st is not None and st.get("deck", {}).get("source") == "builtin",
              "status file names the built-in deck")
        check(st is not None and st.get("pid") == p.pid, "status file has our pid")
        check(st is not None and st.get("display", {}).get("driver") == "offscreen",
              "status file reports the video driver in use")

        shot = os.path.join(tmp, "run", "screenshot.png")
        os.kill(p.pid, signal.SIGUSR1)
        size = wait_for(lambda: png_size(shot), 10)
        check(size == (640, 360), f"SIGUSR1 writes a screenshot PNG of the screen ({size})")

        # SIGHUP: the edited file takes effect (here: a feed from disk).
        feed = os.path.join(tmp, "feed.json")
        with open(feed, "w", encoding="utf-8") as f:
            json.dump({"format": "edukiosk/1", "school": "测试学校",
                       "slides": [{"type": "title", "id": "only", "title": "重新加载"}]},
                      f, ensure_ascii=False)
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"[kiosk]\nticker = no\n[feed]\nurl = {feed}\n")
        os.kill(p.pid, signal.SIGHUP)
        swapped = wait_for(lambda: (read_json(status) or {}).get("deck", {}).get("slides") == 1,
                           30)
        check(swapped, "SIGHUP re-reads the configuration and shows the new feed")

        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        took = time.monotonic() - t0
        check(p.returncode == 0, f"SIGTERM exits 0 (exit {p.returncode}, {took:.2f} s)")
        check(took < 2.0, f"SIGTERM exits promptly ({took:.2f} s)")
        stats = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
        check(stats.get("frames", 0) > 0, "--stats prints frames")
        check(not any(n.endswith(".tmp") or ".tmp." in n
                      for n in os.listdir(os.path.join(tmp, "run"))),
              "no half-written files left behind")
    finally:
        stop.set()
        if p.poll() is None:
            p.kill()
            p.wait()
        errlog.seek(0)
        sys.stderr.write(errlog.read().decode(errors="replace"))
        errlog.close()

# The GPU back end (SDL_Renderer with textures), here on Mesa's software
# GL, turned 90 degrees as for a portrait-mounted TV.
with tempfile.TemporaryDirectory() as tmp:
    status = os.path.join(tmp, "status.json")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    p = subprocess.Popen([BIN, "--no-config", "--window", "640x360", "--set", "render_driver=opengl",
                          "--set", "rotation=90", "--status-file", status, "--exit-after", "20"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        st = wait_for(lambda: read_json(status), 15) or {}
        check(st.get("display", {}).get("renderer") == "opengl",
              f"render_driver=opengl uses the GPU back end ({st.get('display')})")
        shot = os.path.join(tmp, "screenshot.png")
        wait_for(lambda: (os.kill(p.pid, signal.SIGUSR1), png_size(shot))[1], 15, step=1.0)
        check(png_size(shot) == (640, 360), f"rotated GPU frame screenshot ({png_size(shot)})")
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=10) == 0, "GPU back end exits 0 on SIGTERM")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()

# No display at all: SDL would fall back to a driver that shows nothing;
# the kiosk says so and exits 3 (runtime failure) instead of running blind.
if not os.path.exists("/dev/dri"):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    r = subprocess.run([BIN, "--no-config", "--exit-after", "5"], env=env,
                       capture_output=True, timeout=30)
    check(r.returncode == 3 and b"no display" in r.stderr,
          f"no display: exit 3 with a clear message (exit {r.returncode})")

# An emergency alert takes over the whole screen.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngpixel  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    feed = os.path.join(tmp, "alert.json")
    with open(feed, "w", encoding="utf-8") as f:
        json.dump({"format": "edukiosk/1", "school": "测试学校",
                   "alert": {"level": "emergency", "title": "紧急疏散",
                             "text": "请按疏散路线有序撤离到操场集合。"},
                   "slides": [{"type": "title", "title": "欢迎"}]}, f, ensure_ascii=False)
    status = os.path.join(tmp, "status.json")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    p = subprocess.Popen([BIN, "--no-config", "--feed", feed, "--window", "640x360",
                          "--status-file", status, "--exit-after", "20"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: read_json(status), 15)
        shot = os.path.join(tmp, "screenshot.png")
        wait_for(lambda: (os.kill(p.pid, signal.SIGUSR1), png_size(shot))[1], 15, step=1.0)
        r, g, b = pngpixel.pixel(shot, 20, 180) if png_size(shot) else (0, 0, 0)
        check(r > 150 and g < 90 and b < 90,
              f"an emergency alert fills the screen in red (pixel {r},{g},{b})")
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()

print(f"kiosk: {len(failures)} failures")
sys.exit(1 if failures else 0)
