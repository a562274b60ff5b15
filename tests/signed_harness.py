#!/usr/bin/env python3
"""Signed feeds end to end: the real kiosk binary (headless) with a trusted
minisign key, against the real HTTP test server on 127.0.0.1, feeds signed
by Debian's minisign here and now.  A signed feed is shown; an unsigned,
tampered, wrong-key, truncated or garbage signature and a replayed older
feed are refused with one clear log line and a status/metrics entry, and
the deck on screen stays; an image whose bytes differ from its pin is
refused; across a restart the cache is verified again (a cache edited on
the card is not shown) and keeps the replay floor.  Without a key the
kiosk warns once.  --check verifies too.
Usage: signed_harness.py BINARY"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import check, failures, read_json, wait_for

BIN = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "data", "sign")
ID_A = "66AA3F7C0E776AD5"
NOW = int(time.time())


def png(w, h, rgb):
    """A real w x h PNG of one colour (zlib, CRCs)."""
    import struct
    import zlib

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def feed(title, pin=None):
    image = {"type": "image", "id": "pic", "src": "pic.png", "caption": title}
    if pin is not None:
        image["src_sha256"] = pin
    return json.dumps({
        "format": "edukiosk/1", "school": "签名测试学校", "refresh": 5,
        "defaults": {"duration": 3, "transition": "cut"},
        "slides": [{"type": "title", "id": "t", "title": title}, image]},
        ensure_ascii=False).encode()


def write(path, data):
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def sign(path, key="a", timestamp=None, legacy=False, out=None):
    """Signs path with Debian's minisign; the trusted comment carries
    timestamp (default: minisign's own, now)."""
    cmd = ["minisign", "-S", "-s", os.path.join(KEYS, key + ".key"), "-m", path]
    if out:
        cmd += ["-x", out]
    if legacy:
        cmd.append("-l")
    if timestamp is not None:
        cmd += ["-t", f"timestamp:{timestamp}\tfile:{os.path.basename(path)}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out or path + ".minisig", "rb") as f:
        return f.read()


def sha(b):
    return hashlib.sha256(b).hexdigest()


with tempfile.TemporaryDirectory() as tmp:
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    feed_path = os.path.join(www, "feed.json")
    sig_path = feed_path + ".minisig"
    pic = png(64, 48, (200, 30, 30))
    write(os.path.join(www, "pic.png"), pic)

    server = subprocess.Popen([sys.executable, os.path.join(HERE, "http_server.py"), www],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(server.stdout.readline())
    url = f"http://127.0.0.1:{port}/files/feed.json"
    st_path = os.path.join(tmp, "run", "status.json")
    metrics_path = os.path.join(tmp, "run", "metrics.prom")
    cache = os.path.join(tmp, "cache")
    base_args = [BIN, "--no-config", "--feed", url, "--window", "320x180",
                 "--set", "refresh=5", "--set", "refresh_min=5",
                 "--set", f"cache_dir={cache}", "--set", f"metrics_file={metrics_path}",
                 "--set", "render_driver=software", "--status-file", st_path]
    signed_args = base_args + ["--feed-key", os.path.join(KEYS, "a.pub")]
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    log_path = os.path.join(tmp, "kiosk.log")
    log = open(log_path, "w+b")
    procs = [server]

    def start(args):
        if os.path.exists(st_path):
            os.remove(st_path)
        p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
        procs.append(p)
        return p

    def stop(p):
        p.send_signal(signal.SIGTERM)
        return p.wait(timeout=15)

    def st():
        return read_json(st_path, {})

    def logtext():
        log.flush()
        with open(log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def deck_is(h, timeout=25):
        return wait_for(lambda: st().get("deck", {}).get("hash") == h, timeout)

    def refused(kiosk, what, needle, keep):
        """Pokes the kiosk (SIGHUP: fetch now) until the fetch is refused
        for its signature; the deck stays keep; the reason says needle."""
        before = st().get("fetch", {}).get("signature_failures", 0)
        kiosk.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: st().get("fetch", {}).get("signature_failures", 0) > before, 25)
        s = st()
        f = s.get("fetch", {})
        check(ok and f.get("signature") == "refused" and f.get("result") == "error",
              f"{what}: refused ({f.get('error')})")
        check(needle in (f.get("error") or ""), f"{what}: the status says \"{needle}\"")
        check(s.get("deck", {}).get("hash") == keep, f"{what}: the deck on screen stays")
        lines = [ln for ln in logtext().splitlines() if needle in ln]
        check(len(lines) == 1, f"{what}: one log line ({len(lines)})")

    try:
        # 1. A signed feed (minisign's default trusted comment) with a
        #    pinned image goes on screen.
        v1 = feed("第一版", sha(pic))
        write(feed_path, v1)
        sig1 = sign(feed_path)
        kiosk = start(signed_args)
        check(deck_is(sha(v1)), "a signed feed goes on screen")
        s = st()
        check(s["deck"]["signed_by"] == ID_A, f"status names the key ({s['deck']['signed_by']})")
        check(s["deck"]["signed_at"] is not None and s["fetch"]["signature"] == "ok",
              f"status says when it was signed ({s['deck']['signed_at']})")
        check(wait_for(lambda: re.search(r"1 images \(0 failed\), signed .* by key " + ID_A,
                                         logtext()), 5),
              "the log says signed, by which key, and the pinned image came")

        # 2. Refusals, each with the last good deck kept.
        v2 = feed("第二版", sha(pic))
        write(feed_path, v2)
        os.remove(sig_path)
        refused(kiosk, "unsigned", "HTTP 404", sha(v1))
        write(sig_path, sig1)
        refused(kiosk, "tampered (the old signature)", "does not match the feed", sha(v1))
        sign(feed_path, key="b", timestamp=NOW + 50)
        refused(kiosk, "wrong key", "not a trusted key", sha(v1))
        good2 = sign(feed_path, timestamp=NOW + 60)
        # Cut in the trusted comment, as a dropped transfer leaves it.
        write(sig_path, good2[:good2.index(b"trusted comment") + 20])
        refused(kiosk, "truncated", "truncated", sha(v1))
        write(sig_path, good2[:len(good2) // 3])
        refused(kiosk, "cut in the signature line", "damaged", sha(v1))
        write(sig_path, b"<html><body>Not here</body></html>\n")
        refused(kiosk, "garbage", "not a minisign signature", sha(v1))
        lines = good2.split(b"\n")
        lines[2] = lines[2].replace(str(NOW + 60).encode(), str(NOW + 99999).encode())
        write(sig_path, b"\n".join(lines))
        refused(kiosk, "trusted comment edited", "trusted comment does not verify", sha(v1))
        m = open(metrics_path).read() if os.path.exists(metrics_path) else ""
        mm = re.search(r"^edukiosk_feed_signature_failures_total (\d+)$", m, re.M)
        check(mm is not None and int(mm.group(1)) >= 7,
              f"metrics count the refusals ({mm.group(1) if mm else 'none'})")
        check("edukiosk_feed_signatures_required 1" in m, "metrics say signatures are required")

        # 3. The legacy signature kind (Ed) verifies; a newer feed goes live.
        sign(feed_path, timestamp=NOW + 100, legacy=True)
        kiosk.send_signal(signal.SIGHUP)
        check(deck_is(sha(v2)), "a legacy (Ed) signature verifies")
        check(st()["fetch"]["signature"] == "ok", "and the status says ok again")

        # 4. Replay: the first feed with its own valid, older signature.
        write(feed_path, v1)
        write(sig_path, sig1)
        refused(kiosk, "replayed older feed", "an older feed is not shown again", sha(v2))

        # 5. An image that changed after signing is refused; the feed shows.
        pic2 = png(64, 48, (30, 30, 200))
        v3 = feed("第三版", sha(pic2))
        write(feed_path, v3)
        sign(feed_path, timestamp=NOW + 200)
        kiosk.send_signal(signal.SIGHUP)
        check(deck_is(sha(v3)), "a newer signed feed goes live")
        check(wait_for(lambda: "the feed pins" in logtext(), 5),
              "an image whose bytes differ from its pin is refused")
        write(os.path.join(www, "pic.png"), pic2)

        # 6. A signed feed with an unpinned image is invalid.
        v4 = feed("第四版")
        write(feed_path, v4)
        sign(feed_path, timestamp=NOW + 300)
        kiosk.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: "must pin every image" in (st().get("fetch", {}).get("error") or ""), 25)
        check(ok and st()["deck"]["hash"] == sha(v3), "an unpinned image makes a signed feed invalid")

        # 7. v5, properly pinned, is the last good one.
        v5 = feed("第五版", sha(pic2))
        write(feed_path, v5)
        sig5 = sign(feed_path, timestamp=NOW + 400)
        kiosk.send_signal(signal.SIGHUP)
        check(deck_is(sha(v5)), "the fifth version goes live with its image")
        check(open(os.path.join(cache, "feed.json.minisig"), "rb").read() == sig5,
              "the cache keeps the signature beside the feed")
        check(stop(kiosk) == 0, "kiosk stops cleanly")

        # 8. Restart with the server serving a replay of v1: the cache is
        #    verified and shown, and its timestamp is the floor.
        write(feed_path, v1)
        write(sig_path, sig1)
        kiosk = start(signed_args)
        check(deck_is(sha(v5), 15) and st()["deck"]["source"] == "cache",
              "after a restart the verified cache is shown")
        ok = wait_for(lambda: "older feed" in (st().get("fetch", {}).get("error") or ""), 25)
        check(ok and st()["deck"]["hash"] == sha(v5),
              "and a replayed older feed is refused across the restart")
        check(stop(kiosk) == 0, "kiosk stops cleanly")

        # 9. The cache edited on the card is not shown after a restart.
        server.stdin.close()
        server.wait(timeout=10)
        cached = os.path.join(cache, "feed.json")
        body = open(cached, "rb").read()
        write(cached, body.replace("第五版".encode(), "假消息".encode()))
        kiosk = start(signed_args)
        ok = wait_for(lambda: st().get("deck", {}).get("source") is not None, 15)
        check(ok and st()["deck"]["source"] == "builtin",
              f"an edited cache is not shown ({st().get('deck', {}).get('source')})")
        check("is not shown: signature: the signature does not match" in logtext(),
              "and the log says why")
        check(stop(kiosk) == 0, "kiosk stops cleanly")

        # 10. The same cache without a key: shown, and one warning.
        write(cached, body)
        before = logtext().count("without a signature check")
        kiosk = start(base_args)
        check(deck_is(sha(v5), 15), "without a key the kiosk shows feeds as before")
        time.sleep(1)
        check(logtext().count("without a signature check") == before + 1,
              "and warns once at start")
        check(st()["fetch"].get("signature") in ("off", None), "status: signature off")
        check(stop(kiosk) == 0, "kiosk stops cleanly")

        # 11. --check with --feed-key, on local files.
        local = os.path.join(tmp, "local")
        os.mkdir(local)
        lf = os.path.join(local, "feed.json")
        write(os.path.join(local, "pic.png"), pic2)
        write(lf, v5)
        sign(lf, timestamp=NOW)
        r = subprocess.run([BIN, "--no-config", "--feed-key", os.path.join(KEYS, "a.pub"),
                            "--check", lf], capture_output=True, text=True, env=env)
        check(r.returncode == 0 and f"by key {ID_A}" in r.stdout,
              f"--check --feed-key: a signed local feed is valid ({r.returncode})")
        write(lf, v5.replace("第五版".encode(), "第六版".encode()))
        r = subprocess.run([BIN, "--no-config", "--feed-key", os.path.join(KEYS, "a.pub"),
                            "--check", lf], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and "feed.json.minisig: signature: the signature does not match"
              in r.stdout, f"--check --feed-key: a changed feed is refused ({r.stdout.strip()})")
        write(lf, v4)
        sign(lf, timestamp=NOW)
        r = subprocess.run([BIN, "--no-config", "--feed-key", os.path.join(KEYS, "a.pub"),
                            "--check", lf], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and "slides[1].src: a signed feed must pin every image" in r.stdout,
              "--check --feed-key: an unpinned image is an error at its field")
        # A wrong pin, found when --check reads the image.
        write(lf, feed("第七版", sha(pic)))
        sign(lf, timestamp=NOW)
        r = subprocess.run([BIN, "--no-config", "--feed-key", os.path.join(KEYS, "a.pub"),
                            "--check", lf], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and "the feed pins" in r.stdout,
              f"--check --feed-key: an image that is not the pinned one is an error ({r.stdout.strip()[-120:]})")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if failures:
            sys.stderr.write(logtext())

print(f"signed: {len(failures)} failures")
sys.exit(1 if failures else 0)
