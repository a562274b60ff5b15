#!/usr/bin/python3
"""edukiosk --doctor, headless: the video driver, the configuration's
provenance, and the feed through a real HTTP server on 127.0.0.1.

Usage: doctor_harness.py EDUKIOSK"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1]
failures = []


def check(ok, what, out=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        print(out)


def doctor(args, env_extra=None):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    env.update(env_extra or {})
    p = subprocess.run([BIN, "--doctor"] + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, text=True)
    return p.returncode, p.stdout


def lines(out, level, topic):
    return [ln for ln in out.splitlines() if ln.startswith(level) and
            ln[4:].lstrip().startswith(topic + ":")]


def well_formed(out):
    ls = out.splitlines()
    return bool(ls) and all(re.match(r"^(OK|WARN|FAIL) ", ln) for ln in ls)


FEED = {"format": "edukiosk/1", "school": "第一中学",
        "slides": [{"type": "title", "title": "欢迎"}, {"type": "quote", "text": "学而时习之"}]}

with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "edukiosk.conf")

    # 1. A console driver asked for where there is none: FAIL, exit 3.
    with open(conf, "w") as f:
        f.write("[display]\nvideo_driver = KMSDRM\n")
    rc, out = doctor(["-c", conf])
    check(rc == 3, f"KMSDRM unavailable: exit 3 (got {rc})", out)
    check(len(lines(out, "FAIL", "video")) == 1, "a FAIL line names the video driver", out)
    last = (out.splitlines() or [""])[-1]
    check(last.startswith("FAIL") and "KMSDRM" in last,
          "the last line gives the reason", out)
    check(well_formed(out), "every line starts with OK, WARN or FAIL", out)

    # 2. SDL's offscreen driver, nothing demanded: fonts, config, feed OK, exit 0.
    rc, out = doctor(["--no-config"])
    check(rc == 0, f"offscreen, no driver demanded: exit 0 (got {rc})", out)
    for topic in ("fonts", "config", "feed"):
        check(lines(out, "OK", topic) and not lines(out, "FAIL", topic) and
              not lines(out, "WARN", topic), f"{topic}: only OK lines", out)
    check(well_formed(out), "every line starts with OK, WARN or FAIL", out)

    # 3. A key that differs from its default: the line names file:line; one
    #    from the command line says so.
    with open(conf, "w") as f:
        f.write("# screen\n[display]\nrotation = 90\n[kiosk]\nticker = no\n")
    rc, out = doctor(["-c", conf, "--set", "refresh=120"])
    check(any(f"rotation = 90 ({conf}:3)" in ln for ln in lines(out, "OK", "config")),
          "rotation names FILE:3", out)
    check(any(f"ticker = no ({conf}:5)" in ln for ln in lines(out, "OK", "config")),
          "ticker names FILE:5", out)
    check(any("refresh = 120 (command line)" in ln for ln in lines(out, "OK", "config")),
          "a --set key names the command line", out)
    check(not any("fullscreen" in ln for ln in out.splitlines()),
          "keys at their default are not listed", out)

    # 4. The feed through a real HTTP server: 200 with an ETag, then 404.
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    with open(os.path.join(www, "feed.json"), "w") as f:
        json.dump(FEED, f, ensure_ascii=False)
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "http_server.py"), www],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{int(srv.stdout.readline())}"
        cache = os.path.join(tmp, "cache")
        rc, out = doctor(["--no-config", "-f", base + "/files/feed.json",
                          "--set", "cache_dir=" + cache])
        ok = lines(out, "OK", "feed")
        check(rc == 0, f"a good feed: exit 0 (got {rc})", out)
        check(any("HTTP 200" in ln and re.search(r'ETag "[^"]+"', ln) and
                  "valid feed of 2 slides" in ln for ln in ok),
              "an OK feed line with status, ETag and validity", out)
        check(lines(out, "WARN", "cache"), "an empty cache is a WARN line", out)
        rc, out = doctor(["--no-config", "-f", base + "/status/404"])
        bad = lines(out, "WARN", "feed") + lines(out, "FAIL", "feed")
        check(any("404" in ln for ln in bad), "a 404 gives a WARN/FAIL feed line with it",
              out)
        with open(os.path.join(www, "big.json"), "w") as f:
            json.dump(dict(FEED, school="校" * 2000), f, ensure_ascii=False)
        rc, out = doctor(["--no-config", "-f", base + "/files/big.json",
                          "--set", "max_feed_bytes=1K"])
        check(lines(out, "WARN", "feed") and not lines(out, "OK", "feed"),
              "a feed over max_feed_bytes is not fetched whole", out)
        # Signatures: none configured is a WARN; a good one an OK line with
        # the key; a feed changed after signing a WARN that says so.
        rc, out = doctor(["--no-config", "-f", base + "/files/feed.json"])
        check(lines(out, "WARN", "signature"), "no feed_public_key: a WARN signature line",
              out)
        keys = os.path.join(HERE, "data", "sign")
        feed_file = os.path.join(www, "feed.json")
        subprocess.run(["minisign", "-S", "-s", os.path.join(keys, "a.key"), "-m", feed_file],
                       check=True, stdout=subprocess.DEVNULL)
        signed = ["--no-config", "-f", base + "/files/feed.json",
                  "--feed-key", os.path.join(keys, "a.pub")]
        rc, out = doctor(signed)
        check(any("by key 66AA3F7C0E776AD5" in ln for ln in lines(out, "OK", "signature")),
              "a signed feed: an OK signature line names the key", out)
        with open(feed_file, "a") as f:
            f.write(" ")
        rc, out = doctor(signed)
        check(any("does not match the feed" in ln for ln in lines(out, "WARN", "signature")),
              "a feed changed after signing: a WARN signature line says so", out)
    finally:
        srv.stdin.close()
        srv.wait(timeout=30)

    # 5. A kiosk that runs now holds the display (on the console, DRM
    #    master): the doctor reports it from its status file instead of
    #    opening the display a second time; once it has stopped, the
    #    stale status file is ignored.
    st = os.path.join(tmp, "status.json")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    kiosk = subprocess.Popen([BIN, "--no-config", "--window", "320x180", "--exit-after", "60",
                              "--status-file", st], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                with open(st) as f:
                    if json.load(f).get("slide"):
                        break
            except (OSError, ValueError):
                pass
            subprocess.run(["sleep", "0.1"])
        # The kiosk's own video driver demanded: it would FAIL offscreen.
        rc, out = doctor(["--no-config", "--set", "status_file=" + st,
                          "--set", "video_driver=KMSDRM"])
        running = lines(out, "OK", "video")
        check(rc == 0 and any(f"running now (pid {kiosk.pid})" in ln and "offscreen" in ln
                              for ln in running) and not lines(out, "FAIL", "video"),
              "a running kiosk: one OK video line from its status file, exit 0", out)
    finally:
        kiosk.terminate()
        kiosk.wait(timeout=30)
    rc, out = doctor(["--no-config", "--set", "status_file=" + st,
                      "--set", "video_driver=KMSDRM"])
    check(rc == 3 and lines(out, "FAIL", "video"),
          "a stopped kiosk's status file is not taken for a running one", out)

print(f"doctor: {len(failures)} problems")
sys.exit(1 if failures else 0)
