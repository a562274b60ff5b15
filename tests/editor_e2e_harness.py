#!/usr/bin/env python3
"""End to end: publish in the editor, see it on the real kiosk.  The real
edukiosk-editor (signing with the test key a.key) and the real kiosk
binary (headless, trusting a.pub) polling the editor's own
http://127.0.0.1:PORT/feed.json.  A deck published through the API goes
on screen (the status file's deck hash is the published hash, signed by
the key) and the kiosk's SIGUSR1 screenshot shows its text: it matches a
--render of the same feed and differs from the previous deck's picture.
Its pinned logo comes from the editor's /images/.  A rollback brings the
old deck (its hash, its picture) back, signed anew so that the kiosk's
replay floor lets it in.
Usage: editor_e2e_harness.py EDITOR_BINARY KIOSK_BINARY"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from editor_api_harness import KEYS, KIOSK, PUB, Server, count, ok, png, sha
from harness import failures, read_json, wait_for
import pngpixel  # noqa: E402

W, H = 640, 360
KEY_ID = "66AA3F7C0E776AD5"
ENV = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")


def decode(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB/RGBA PNG."""
    w, h, bpp, lines = pngpixel.rows(path)
    rows = []
    for line in lines:
        if bpp == 4:
            rgb = bytearray(3 * w)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[0::4], line[1::4], line[2::4]
            line = rgb
        rows.append(bytes(line))
    return w, h, rows


def differ(a, b):
    """The share of pixels that differ clearly (R+G+B apart by more than
    96) between two PNGs of one size; 1.0 when the sizes differ."""
    wa, ha, ra = decode(a)
    wb, hb, rb = decode(b)
    if (wa, ha) != (wb, hb):
        return 1.0
    n = 0
    for la, lb in zip(ra, rb):
        if la == lb:
            continue
        for x in range(0, 3 * wa, 3):
            if abs(la[x] - lb[x]) + abs(la[x + 1] - lb[x + 1]) + abs(la[x + 2] - lb[x + 2]) > 96:
                n += 1
    return n / (wa * ha)


def deck(title, subtitle, logo=None):
    theme = {"background": "#0b3d91", "text": "#ffffff", "accent": "#ffc629"}
    if logo:
        theme["logo"], theme["logo_sha256"] = logo
    return json.dumps({
        "format": "edukiosk/1", "school": "端到端测试学校", "refresh": 5, "theme": theme,
        "defaults": {"duration": 8, "transition": "cut"},
        "slides": [{"type": "title", "id": "only", "title": title, "subtitle": subtitle}]},
        ensure_ascii=False, indent=1).encode()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        srv = Server(tmp, "editor", data, [f"signing_key = {os.path.join(KEYS, 'a.key')}"])
        kiosk = None
        klog_path = os.path.join(tmp, "kiosk.log")
        try:
            rc, err = srv.add_user("alice", "alice-correct-horse")
            ok(rc == 0, f"a user ({err.strip()[:100]})")
            if not ok(srv.start(), "the editor starts"):
                return
            c = srv.client()
            ok(c.login("alice", "alice-correct-horse").status == 200, "log-in")
            url = f"http://127.0.0.1:{srv.port}/feed.json"
            st_path = os.path.join(tmp, "run", "status.json")
            shot_path = os.path.join(tmp, "run", "screenshot.png")
            klog = open(klog_path, "w+b")
            kiosk = subprocess.Popen(
                [KIOSK, "--no-config", "--feed", url, "--feed-key", PUB, "--window", f"{W}x{H}",
                 "--set", "refresh=5", "--set", "refresh_min=5",
                 "--set", f"cache_dir={os.path.join(tmp, 'cache')}",
                 "--set", "render_driver=software", "--status-file", st_path],
                env=ENV, stdout=subprocess.DEVNULL, stderr=klog)

            def st():
                return read_json(st_path, {}) or {}

            def on_screen(h, timeout=240):
                return wait_for(lambda: st().get("deck", {}).get("hash") == h, timeout, step=0.2)

            def screenshot(name):
                """A whole new screenshot, copied to tmp/NAME.png."""
                time.sleep(1.5)  # the swapped-in deck's first frame is drawn
                if os.path.exists(shot_path):
                    os.remove(shot_path)

                def whole():
                    try:
                        with open(shot_path, "rb") as f:
                            b = f.read()
                        return b.endswith(b"IEND\xaeB`\x82")
                    except OSError:
                        return False
                for _ in range(10):
                    kiosk.send_signal(signal.SIGUSR1)
                    if wait_for(whole, 30, step=0.2):
                        break
                out = os.path.join(tmp, name + ".png")
                if whole():
                    shutil.copy(shot_path, out)
                return out if os.path.exists(out) else None

            def render(name):
                out = os.path.join(tmp, "render-" + name)
                r = subprocess.run([KIOSK, "--no-config", "--render", out, "--size", f"{W}x{H}",
                                    "--feed", os.path.join(srv.published, "feed.json")], env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
                path = os.path.join(out, "slide-01.png")
                ok(r.returncode == 0 and os.path.exists(path),
                   f"--render of the published {name} ({r.stderr.decode(errors='replace')[-200:]})")
                return path if os.path.exists(path) else None

            # Nothing published yet: the built-in deck, a 404 reported.
            ok(wait_for(lambda: st().get("fetch", {}).get("http_status") == 404, 240, step=0.2),
               f"before a publish the kiosk shows its built-in deck and reports 404 "
               f"({st().get('deck', {}).get('source')}, {st().get('fetch', {}).get('error')})")

            # Deck A.
            text_a = deck("第一版：校园开放日", "欢迎家长参观")
            r = c.save_and_publish(text_a, "第一版")
            ja = r.json() or {}
            ok(r.status == 200 and ja.get("hash") == sha(text_a) and ja.get("signed") is True,
               f"deck A published, signed ({r})")
            t0 = time.monotonic()
            ok(on_screen(sha(text_a)), f"the kiosk shows deck A "
                                       f"({time.monotonic() - t0:.0f} s after the publish)")
            s = st()
            ok(s.get("deck", {}).get("source") == "remote" and s.get("deck", {}).get("signed_by") == KEY_ID
               and s.get("fetch", {}).get("signature") == "ok",
               f"fetched from the editor, signed by {KEY_ID} ({s.get('deck')}, {s.get('fetch')})")
            shot_a = screenshot("shot-a")
            render_a = render("deck-a")

            # Deck B: new text and a logo uploaded to the editor.
            logo = png(96, 96, (250, 200, 30))
            r = c.req("POST", "/api/images", logo, {"Content-Type": "image/png"})
            jl = r.json() or {}
            ok(r.status == 200 and jl.get("sha256") == sha(logo), f"a logo uploaded ({r})")
            text_b = deck("第二版：春季运动会报名", "报名截止本周五下午五点", (jl.get("path"), sha(logo)))
            r = c.save_and_publish(text_b, "第二版")
            jb = r.json() or {}
            ok(r.status == 200 and jb.get("hash") == sha(text_b), f"deck B published ({r})")
            t0 = time.monotonic()
            ok(on_screen(sha(text_b)), f"the kiosk swaps to deck B "
                                       f"({time.monotonic() - t0:.0f} s after the publish)")
            shot_b = screenshot("shot-b")
            render_b = render("deck-b")
            logo_url = f"http://127.0.0.1:{srv.port}/{jl.get('path')}"
            cached = os.path.join(tmp, "cache", "images", sha(logo_url.encode()))
            ok(os.path.exists(cached) and open(cached, "rb").read().endswith(logo),
               "the kiosk fetched the pinned logo from the editor's /images/ (in its cache)")
            if shot_a and shot_b and render_a and render_b:
                d_ab = differ(shot_a, shot_b)
                d_b_rb = differ(shot_b, render_b)
                d_b_ra = differ(shot_b, render_a)
                d_a_ra = differ(shot_a, render_a)
                print(f"note: pixels apart: shot A/shot B {d_ab:.4f}, shot B/render B {d_b_rb:.4f}, "
                      f"shot B/render A {d_b_ra:.4f}, shot A/render A {d_a_ra:.4f}")
                ok(d_ab > 0.01, f"deck B's screenshot differs substantially from deck A's ({d_ab:.2%})")
                ok(d_b_rb < 0.01 and d_b_rb * 4 < d_b_ra,
                   f"deck B's screenshot is its --render ({d_b_rb:.2%} apart; "
                   f"{d_b_ra:.2%} from deck A's)")
                ok(d_a_ra < 0.01, f"deck A's screenshot was its --render ({d_a_ra:.2%} apart)")
            else:
                ok(False, "screenshots and renders of both decks")

            # Roll back to A: a new version with A's text, signed now.
            signed_b = st().get("deck", {}).get("signed_at")
            rev = c.draft().get("rev")
            r = c.req("POST", f"/api/versions/{ja.get('version')}/publish", b"", {"If-Match": f'"{rev}"'})
            jr = r.json() or {}
            ok(r.status == 200 and jr.get("version", 0) > jb.get("version", 0),
               f"rollback to version {ja.get('version')} ({r})")
            ok(srv.feed_bytes() == text_a, "the editor publishes deck A's text again")
            t0 = time.monotonic()
            ok(on_screen(sha(text_a)), f"the kiosk shows deck A again "
                                       f"({time.monotonic() - t0:.0f} s after the rollback)")
            s = st()
            ok(s.get("deck", {}).get("signed_at") not in (None, signed_b),
               f"signed anew ({signed_b} -> {s.get('deck', {}).get('signed_at')})")
            shot_a2 = screenshot("shot-a2")
            if shot_a2 and shot_a and shot_b and render_a:
                d1, d2, d3 = differ(shot_a2, render_a), differ(shot_a2, shot_a), differ(shot_a2, shot_b)
                print(f"note: rolled back: /render A {d1:.4f}, /shot A {d2:.4f}, /shot B {d3:.4f}")
                ok(d1 < 0.01 and d2 < 0.01 and d3 > 0.01,
                   f"the picture is deck A's again ({d1:.2%} from its render, {d2:.2%} from its "
                   f"first screenshot, {d3:.2%} from deck B's)")
            else:
                ok(False, "a screenshot after the rollback")
            s = st()
            ok(s.get("fetch", {}).get("signature_failures") == 0,
               f"no signature was refused on the way ({s.get('fetch')})")
            ok(kiosk.poll() is None and srv.alive(), "kiosk and editor still running")
            kiosk.send_signal(signal.SIGTERM)
            ok(kiosk.wait(timeout=60) == 0, "the kiosk stops cleanly")
            ok(srv.stop() == 0, "the editor stops cleanly")
        finally:
            if kiosk is not None and kiosk.poll() is None:
                kiosk.kill()
                kiosk.wait()
            if srv.alive():
                srv.proc.kill()
                srv.proc.wait()
            if failures:
                if os.path.exists(klog_path):
                    with open(klog_path, "rb") as f:
                        sys.stderr.write("--- kiosk log (tail) ---\n"
                                         + f.read().decode(errors="replace")[-3000:] + "\n")
                if srv.logs:
                    sys.stderr.write("--- editor log (tail) ---\n" + srv.log_text()[-3000:] + "\n")


main()
print(f"editor e2e: {count[0] - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
