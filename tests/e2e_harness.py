#!/usr/bin/env python3
"""End to end: the real kiosk binary (headless) against a real HTTP server
on 127.0.0.1.  A feed edit shows up within the refresh interval; a broken
edit changes nothing on screen and is reported; with the server gone, a
restarted kiosk shows the cached deck at once.
Usage: e2e_harness.py BINARY"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from harness import check, failures, read_json, wait_for

BIN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))


def status(path):
    return read_json(path, {})


def feed(title, n):
    return json.dumps({
        "format": "edukiosk/1", "school": "端到端测试学校", "refresh": 5,
        "defaults": {"duration": 3, "transition": "cut"},
        "slides": [{"type": "title", "id": f"s{i}", "title": f"{title} {i}"}
                   for i in range(n)]}, ensure_ascii=False).encode()


def write(path, data):
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


with tempfile.TemporaryDirectory() as tmp:
    docroot = os.path.join(tmp, "www")
    os.mkdir(docroot)
    v1, v2 = feed("第一版", 2), feed("第二版", 3)
    write(os.path.join(docroot, "feed.json"), v1)
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "http_server.py"), docroot],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(server.stdout.readline())
    url = f"http://127.0.0.1:{port}/files/feed.json"
    st_path = os.path.join(tmp, "run", "status.json")
    args = [BIN, "--no-config", "--feed", url, "--window", "480x270",
            "--set", "refresh=5", "--set", "refresh_min=5",
            "--set", f"cache_dir={os.path.join(tmp, 'cache')}",
            "--set", "render_driver=software", "--status-file", st_path]
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    log = open(os.path.join(tmp, "kiosk.log"), "w+b")
    kiosk = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        h1, h2 = hashlib.sha256(v1).hexdigest(), hashlib.sha256(v2).hexdigest()
        ok = wait_for(lambda: status(st_path).get("deck", {}).get("hash") == h1, 30)
        st = status(st_path)
        check(ok and st["deck"]["source"] == "remote" and st["deck"]["slides"] == 2,
              "the remote feed replaces the built-in deck")
        check(st.get("fetch", {}).get("result") in ("ok", "not-modified"),
              "fetch result reported")

        t0 = time.monotonic()
        write(os.path.join(docroot, "feed.json"), v2)
        # refresh 5 s ±10 %, then the next slide boundary (3 s slides)
        ok = wait_for(lambda: status(st_path).get("deck", {}).get("hash") == h2, 20)
        check(ok, f"an edited feed is on screen {time.monotonic() - t0:.1f} s later")

        write(os.path.join(docroot, "feed.json"), b'{"format": "edukiosk/1", "slides": [')
        ok = wait_for(lambda: status(st_path).get("fetch", {}).get("result") == "error", 20)
        st = status(st_path)
        check(ok, "a broken edit is reported as a fetch error")
        check(st.get("deck", {}).get("hash") == h2, "a broken edit changes nothing on screen")
        check("feed.json:1:" in (st.get("fetch", {}).get("error") or ""),
              f"the error names line:column ({st.get('fetch', {}).get('error')})")
        cached = os.path.join(tmp, "cache", "feed.json")
        check(os.path.exists(cached) and open(cached, "rb").read() == v2,
              "the cache holds the last good feed")

        kiosk.send_signal(signal.SIGTERM)
        check(kiosk.wait(timeout=10) == 0, "kiosk stops cleanly")
        server.stdin.close()
        server.wait(timeout=10)

        os.remove(st_path)
        kiosk = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
        ok = wait_for(lambda: status(st_path).get("deck", {}).get("hash") == h2, 20)
        st = status(st_path)
        check(ok and st["deck"]["source"] == "cache",
              "with the server down, a restarted kiosk shows the cached deck")
        ok = wait_for(lambda: status(st_path).get("fetch", {}).get("result") == "error", 20)
        check(ok, "and reports that the server cannot be reached")
        check(kiosk.poll() is None, "and keeps running")
    finally:
        for p in (kiosk, server):
            if p.poll() is None:
                p.kill()
                p.wait()
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace"))

print(f"e2e: {len(failures)} failures")
sys.exit(1 if failures else 0)
