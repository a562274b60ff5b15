#!/usr/bin/env python3
"""Bad pictures against the real binary.  Every picture is made here:
decompression bombs (a 35-byte GIF whose frame is 30000x30000, a second
frame over the limit, PNG/JPEG/WebP headers over it), formats the kiosk
cannot bound (BMP, TGA) and damaged files (truncated JPEG/PNG/GIF, a wrong
CRC, garbage after the end).  --check must name each as an error (exit 1);
--render and the kiosk, from a local feed and from an HTTP feed with its
image cache, must show each such slide without its picture, log it once,
and stay within a bounded memory.  Usage: image_harness.py BINARY"""
import json
import os
import re
import resource
import struct
import subprocess
import sys
import tempfile
import zlib

from harness import check, failures

BIN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
# Whatever goes wrong, a test must not take the machine's memory: the
# unbounded decoder of old took 4.4 GB for the GIF below.
AS_LIMIT = 3 << 30
PEAK_RSS_MAX_KB = 200 * 1024


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + \
        struct.pack(">I", zlib.crc32(kind + body))


def png(w, h, claim=None):
    cw, ch = claim or (w, h)
    raw = b"".join(b"\0" + bytes((x * 9 + y * 5) & 0xff for x in range(3 * w))
                   for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            png_chunk(b"IHDR", struct.pack(">IIBBBBB", cw, ch, 8, 2, 0, 0, 0)) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def gif(screen, frames):
    out = b"GIF89a" + struct.pack("<HHBBB", screen[0], screen[1], 0x80, 0, 0)
    out += b"\0\0\0\xff\xff\xff"
    for w, h in frames:
        out += b"," + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02\x02\x44\x01\x00"
    return out + b";"


GIF_BOMB = (b"GIF89a" + struct.pack("<HHBBB", 16, 16, 0, 0, 0) +
            b"," + struct.pack("<HHHHB", 0, 0, 30000, 30000, 0) +
            b"\x02\x08\x4c\x01\0\0\0\0\0\0\0;")
WEBP_1X1 = (b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88"
            b"\xfe\x07\0")


def webp_canvas(w, h):
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + \
        struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    body = b"WEBP" + vp8x + WEBP_1X1[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg_claiming(jpg, w, h):
    i = 2
    while not (jpg[i] == 0xff and 0xc0 <= jpg[i + 1] <= 0xc2):
        i += 2 + struct.unpack(">H", jpg[i + 2:i + 4])[0]
    return jpg[:i + 5] + struct.pack(">HH", h, w) + jpg[i + 9:]


with open(os.path.join(HERE, "data", "render", "campus.jpg"), "rb") as f:
    JPG = f.read()
GOOD_PNG = png(64, 48)
BAD_CRC = bytearray(GOOD_PNG)
BAD_CRC[60] ^= 0x10

# name, bytes, what --check must say about it
CASES = [
    ("bomb.gif", GIF_BOMB, "GIF frame 1 is 30000x30000 pixels, more than the limit"),
    ("frame2.gif", gif((16, 16), [(1, 1), (8000, 8000)]), "GIF frame 2 is 8000x8000"),
    ("huge.png", png(2, 2, claim=(30000, 30000)), "PNG image is 30000x30000 pixels"),
    ("huge.jpg", jpeg_claiming(JPG, 30000, 30000), "JPEG image is 30000x30000 pixels"),
    ("huge.webp", webp_canvas(16000, 16000), "WebP canvas is 16000x16000 pixels"),
    ("picture.bmp", b"BM" + struct.pack("<IIII", 70, 0, 54, 40) +
     struct.pack("<iiHH", 30000, 30000, 1, 24) + b"\0" * 40,
     "BMP is not shown: only PNG, JPEG, GIF and WebP"),
    ("picture.tga", bytes([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]) +
     struct.pack("<HHBB", 30000, 30000, 24, 0) + b"\0" * 64,
     "not a PNG, JPEG, GIF or WebP image"),
    ("cut.jpg", JPG[:len(JPG) // 2], "truncated JPEG: no end-of-image marker"),
    ("cut.png", GOOD_PNG[:-30], "truncated PNG"),
    ("cut.gif", gif((16, 16), [(1, 1)])[:-2], "truncated GIF"),
    ("crc.png", bytes(BAD_CRC), "fails its CRC check"),
    ("tail.png", GOOD_PNG + b"<html>502</html>", "garbage after its end"),
]


def feed(srcs, good=None):
    slides = [{"type": "image", "src": s, "caption": "说明 " + s} for s in srcs]
    if good:
        slides.append({"type": "image", "src": good, "caption": "好图"})
    return json.dumps({"format": "edukiosk/1", "school": "图片测试",
                       "defaults": {"duration": 3}, "slides": slides}, ensure_ascii=False)


def run(args, **kw):
    own = [] if "--config" in args else ["--no-config"]
    return subprocess.run([BIN] + own + args, capture_output=True, text=True,
                          preexec_fn=limit_memory, timeout=120, **kw)


def once_each(log, names, where):
    for name, _, _ in CASES:
        n = len(re.findall(r"image \S*" + re.escape(name) + r": ", log))
        check(n == 1, f"{where}: {name} is logged once (got {n})")


def kiosk(args, env, where):
    r = run(["--window", "640x360", "--exit-after", "6", "--stats"] + args, env=env)
    check(r.returncode == 0, f"{where}: the kiosk runs and exits cleanly "
          f"(exit {r.returncode})")
    stats = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    peak = stats[-1]["peak_rss_kb"] if stats else -1
    print(f"     {where}: peak RSS {peak} kB")
    check(0 < peak < PEAK_RSS_MAX_KB, f"{where}: peak RSS {peak} kB < {PEAK_RSS_MAX_KB} kB")
    check(stats and stats[-1]["frames"] > 0, f"{where}: frames reach the screen")
    return r.stderr


with tempfile.TemporaryDirectory() as tmp:
    for name, data, _ in CASES:
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(data)
    with open(os.path.join(tmp, "good.png"), "wb") as f:
        f.write(GOOD_PNG)

    # --check: each bad picture is an error that names what is wrong.
    for name, _, words in CASES:
        path = os.path.join(tmp, "feed-" + name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(feed([name]))
        r = run(["--check", path])
        line = [l for l in r.stdout.splitlines() if name + ":" in l]
        check(r.returncode == 1, f"--check {name}: exit {r.returncode}, expected 1")
        check(line and words in line[0] and re.match(r".*:\d+:\d+: slides\[0\]\.src: ",
                                                     line[0]),
              f"--check {name}: a located error saying '{words}': {line}")
    good = os.path.join(tmp, "feed-good.json")
    with open(good, "w", encoding="utf-8") as f:
        f.write(feed([], good="good.png"))
    r = run(["--check", good])
    check(r.returncode == 0, f"--check of a good picture passes: {r.stdout}")

    # --render: each slide without its picture carries its caption; the
    # good picture is drawn.
    allfeed = os.path.join(tmp, "all.json")
    with open(allfeed, "w", encoding="utf-8") as f:
        f.write(feed([c[0] for c in CASES], good="good.png"))
    out = os.path.join(tmp, "render")
    r = run(["--render", out, "--size", "1280x720", "--feed", allfeed])
    check(r.returncode == 0, f"--render exits 0 (exit {r.returncode})")
    once_each(r.stderr, CASES, "--render")
    slides = json.load(open(os.path.join(out, "layout.json"), encoding="utf-8"))

    def caption_top(i):
        return [b["y"] for b in slides[i]["boxes"] if b["role"] == "caption"][0]
    # Under a picture the caption sits at the foot; without one it is the
    # slide's headline, in the middle.
    check(caption_top(len(CASES)) > 720 * 0.8,
          f"--render: the good picture is drawn, its caption under it "
          f"(y {caption_top(len(CASES))})")
    for i, (name, _, _) in enumerate(CASES):
        check(caption_top(i) < 720 * 0.6,
              f"--render: {name}'s slide shows its caption alone (y {caption_top(i)})")

    # The kiosk on the local feed.
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    once_each(kiosk(["--feed", allfeed], env, "local feed"), CASES, "local feed")

    # The kiosk on an HTTP feed with its image cache, started twice: what
    # the first run refused is not in the cache to hurt the second.
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "http_server.py"), tmp],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(srv.stdout.readline())
        url = f"http://127.0.0.1:{port}/files/"
        with open(os.path.join(tmp, "remote.json"), "w", encoding="utf-8") as f:
            f.write(feed([url + c[0] for c in CASES], good=url + "good.png"))
        conf = os.path.join(tmp, "edukiosk.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"[paths]\ncache_dir = {tmp}/cache\n")
        args = ["--config", conf, "--feed", url + "remote.json"]
        once_each(kiosk(args, env, "http feed"), CASES, "http feed")
        images = os.listdir(os.path.join(tmp, "cache", "images"))
        check(len(images) == 1, f"http feed: only the good picture is cached: {images}")
        kiosk(args, env, "http feed, restarted")
    finally:
        srv.stdin.close()
        srv.wait(timeout=30)

print("images: " + ("ok" if not failures else f"{len(failures)} problems"))
sys.exit(1 if failures else 0)
