#!/usr/bin/python3
"""The soak's feed server: tests/http_server.py (every scenario of it) plus
a feed that changes at every poll, with faults mixed in.

Usage: soak_server.py DOCROOT START METRICS [SEED]
  START    unix seconds the kiosk's simulated clock starts at
  METRICS  the kiosk's metrics file, read to learn its simulated time
           (dated slides and alerts are written around it); START until
           the file is there
Listens on 127.0.0.1, prints the port on the first line of stdout; exits
when stdin reaches end of file, like http_server.py.

  /soak/feed.json     the next answer of the schedule below
  /soak/feed.json.minisig  its signature (minisign, test key A of
                      tests/data/sign, the trusted comment's timestamp the
                      kiosk's simulated time), or a bad one (the faults)
  /soak/img/NAME.png  a PNG whose size and colour follow from NAME
  /soak/_counts       JSON: how many answers of each kind were given
  /soak/_refused      JSON: the SHA-256 of every feed served with a bad
                      signature (none of them may ever be on screen)

Each feed request draws one answer from FAULTS (weights); "new" serves the
next version of the deck, "same" the current one again (a 304 to a client
with its validators).  To add a fault: write a method fault_NAME(self)
below and add (NAME, weight) to FAULTS.  The signature faults serve a new
feed that no one signed (a marked school name, never stored as the
current deck) or an older signed pair again (a replay).
"""
import datetime
import hashlib
import json
import os
import subprocess
import tempfile
import random
import sys
import threading
import time

import http_server
from http_server import Handler, Server, make_png

# (answer, weight): one is drawn per feed request.
FAULTS = [
    ("new", 70),
    ("same", 8),
    ("http500", 4),
    ("drop", 3),        # the connection closes before any answer
    ("truncated", 3),   # Content-Length promises more than comes
    ("badjson", 3),     # a broken edit: not JSON at all
    ("badfeed", 3),     # JSON, but no valid feed (slides missing, bad type)
    ("slow", 3),        # a good answer, sent slowly (about a second)
    ("missingimg", 3),  # a new deck whose image is not on the server
    # Signatures (the kiosk has test key A as feed_public_key):
    ("unsigned", 2),    # a new feed, its .minisig missing (404)
    ("badsig", 2),      # a new feed with the signature of the one before
    ("wrongkey", 2),    # a new feed signed by key B, not configured
    ("garbagesig", 1),  # a new feed, its .minisig random bytes
    ("replay", 2),      # an older feed and its good signature again
]
KEYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sign")

START = 0
METRICS = ""
RNG = random.Random(1)
LOCK = threading.Lock()
# body/sig: the current deck and the signature the next .minisig request
# gets; history: (timestamp, body, sig) of the decks served, for replays.
STATE = {"version": 0, "body": None, "sig": None, "good_sig": None, "requests": 0,
         "history": []}
COUNTS = {}
REFUSED = set()
NOW_LOCK = threading.Lock()
LAST_NOW = [0]

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TYPES = ["title", "list", "cards", "quote", "timeline", "countdown", "image"]


def read_metrics(path):
    """The numbers of a metrics file (name -> value), {} while missing."""
    vals = {}
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return vals
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            try:
                vals[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return vals


def metrics_now(vals):
    """The kiosk's (simulated) time when it wrote these metrics, or None."""
    since = vals.get("edukiosk_feed_last_success_timestamp_seconds") or \
        vals.get("edukiosk_up_since_seconds")
    age = vals.get("edukiosk_feed_age_seconds")
    if not since or age is None:
        return None
    return int(since + age)


def sim_now():
    """The kiosk's simulated time, from its metrics file (START before);
    never earlier than an answer before (the file's figures can lag), so
    a signature's timestamp never goes back by accident."""
    t = metrics_now(read_metrics(METRICS))
    t = START if t is None else t
    with NOW_LOCK:
        LAST_NOW[0] = max(LAST_NOW[0], t)
        return LAST_NOW[0]


def day(t, delta=0):
    d = datetime.datetime.fromtimestamp(t) + datetime.timedelta(days=delta)
    return d.strftime("%Y-%m-%d")


def slide(v, i, now):
    kind = TYPES[(v + i) % len(TYPES)]
    s = {"id": "s%d" % ((v + i) % 11), "type": kind}
    if kind == "title":
        s.update(title="第%d版 · 幻灯片 %d" % (v, i), subtitle="Version %d" % v,
                 footer=day(now))
    elif kind == "list":
        s.update(title="List %d" % v, numbered=bool(v % 2),
                 items=["项目 %d" % k for k in range(1 + (v + i) % 6)])
    elif kind == "cards":
        s.update(title="Cards", cards=[{"heading": "卡片 %d" % k, "text": "v%d" % v}
                                       for k in range(1 + (v + i) % 4)])
    elif kind == "quote":
        s.update(text="尊师重教，共育未来 %d" % v, source="Soak")
    elif kind == "timeline":
        s.update(title="Timeline", milestones=[
            {"date": day(now, -3), "label": "past"},
            {"date": day(now, 2), "label": "soon"},
            {"date": "2027-01", "label": "new month"},
            {"date": "2027", "label": "new year"}])
    elif kind == "countdown":
        s.update(title="New year", target="2027-01-01", label="days to go",
                 done_text="Happy new year")
    else:
        # Images come and go: a few names shared by many versions, now and
        # then a new one (the cache must not keep them all).
        name = "p%d" % (v % 7) if v % 13 else "u%d" % v
        s.update(src="img/%s.png" % name, src_sha256=image_sha256(name),
                 caption="image %s" % name, fit="cover" if v % 2 else "contain")
    return s


def image(name):
    """The PNG served as img/NAME.png: its size follows from NAME."""
    k = sum(name.encode()) % 5
    return make_png(16 + 8 * k, 9 + 4 * k)


def image_sha256(name):
    """The pin of img/NAME.png (the feed is signed: every image is pinned)."""
    return hashlib.sha256(image(name)).hexdigest()


def dated_slides(v, now):
    """Slides with `when` that come and go during a day, at midnight, at
    the month's and the year's end."""
    today = datetime.datetime.fromtimestamp(now)
    return [
        {"id": "morning", "type": "title", "title": "Good morning",
         "when": {"hours": "07:00-11:00"}},
        {"id": "night", "type": "title", "title": "Night shift",
         "when": {"hours": "22:00-02:00"}},
        {"id": "weekday", "type": "quote", "text": WEEKDAYS[today.weekday()],
         "when": {"days": [WEEKDAYS[today.weekday()], WEEKDAYS[(today.weekday() + 1) % 7]]}},
        {"id": "today", "type": "title", "title": "Only today",
         "when": {"from": day(now), "until": day(now)}},
        {"id": "tomorrow", "type": "title", "title": "From tomorrow",
         "when": {"from": day(now, 1), "until": day(now, 2)}},
        {"id": "yearend", "type": "title", "title": "新年快乐 %d" % v,
         "when": {"from": "2026-12-31 18:00", "until": "2027-01-02"}},
        {"id": "monthend", "type": "list", "title": "Month end",
         "items": ["reports due"], "when": {"from": "2027-01-30", "until": "2027-02-01"}},
    ]


def alert(v, now):
    """Alerts that come and go: each day a window of its own; on every third
    day an emergency that expires after half an hour; sometimes none."""
    if v % 5 == 4:
        return None
    t = datetime.datetime.fromtimestamp(now)
    n = t.toordinal()
    if n % 3 == 0:
        start = t.replace(hour=10, minute=(n * 7) % 50, second=0)
        level, length = "emergency", 30
    else:
        start = t.replace(hour=13 + n % 5, minute=0, second=0)
        level, length = ("warning" if n % 2 else "info"), 120
    until = start + datetime.timedelta(minutes=length)
    return {"level": level, "title": "%s %d" % (level, v), "text": "soak alert",
            "from": start.strftime("%Y-%m-%d %H:%M"),
            "until": until.strftime("%Y-%m-%d %H:%M")}


def feed(v, now):
    n = 3 + v % 6
    slides = [slide(v, i, now) for i in range(n)]
    # Mostly cuts (cheap); one slide a deck fades or slides in.
    slides[v % len(slides)]["transition"] = "fade" if v % 2 else "slide"
    slides += dated_slides(v, now)[: 1 + v % 7]
    d = {"format": "edukiosk/1", "school": "Soak school %d" % (v % 3),
         "lang": "en" if v % 4 == 0 else "zh-CN", "refresh": 240,
         "defaults": {"duration": 9 + v % 4, "transition": "cut"},
         "slides": slides}
    if v % 40 == 0:
        d["ticker"] = ["ticker line %d" % v, "尊师重教"]
    a = alert(v, now)
    if a:
        d["alert"] = a
    return d


class SoakHandler(Handler):
    def route_soak(self, parts, q):
        if parts == ["feed.json"]:
            self.soak_feed()
        elif parts == ["feed.json.minisig"]:
            with LOCK:
                sig = STATE["sig"]
            if sig is None:
                self.reply(404, b"not found\n")
            else:
                headers = self.conditional(sig, None, {})
                if headers is not None:
                    self.reply(200, sig, headers, "text/plain")
        elif parts == ["_counts"]:
            with LOCK:
                body = json.dumps(COUNTS).encode()
            self.reply(200, body, None, "application/json")
        elif parts == ["_refused"]:
            with LOCK:
                body = json.dumps(sorted(REFUSED)).encode()
            self.reply(200, body, None, "application/json")
        elif len(parts) == 2 and parts[0] == "img" and parts[1].endswith(".png"):
            name = parts[1][:-4]
            if name.startswith("missing"):
                self.reply(404, b"not found\n")
                return
            self.reply(200, image(name), {"ETag": '"%s"' % name}, "image/png")
        else:
            self.reply(404, b"no such soak path\n")

    def soak_feed(self):
        with LOCK:
            STATE["requests"] += 1
            names = [n for n, _ in FAULTS]
            kind = RNG.choices(names, weights=[w for _, w in FAULTS])[0]
            if STATE["body"] is None:
                kind = "new"
            COUNTS[kind] = COUNTS.get(kind, 0) + 1
            STATE["sig"] = STATE["good_sig"]  # unless the answer says otherwise
        getattr(self, "fault_" + kind)()

    def serve_body(self, body, slow=False):
        headers = self.conditional(body, None, {})
        if headers is None:
            return
        if not slow:
            self.reply(200, body, headers, "application/json")
            return
        self.record(200)
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = max(1, len(body) // 10)
        for i in range(0, len(body), step):
            self.wfile.write(body[i:i + step])
            self.wfile.flush()
            time.sleep(0.1)

    def next_version(self):
        with LOCK:
            STATE["version"] += 1
            v = STATE["version"]
        now = sim_now()
        body = json.dumps(feed(v, now), ensure_ascii=False).encode()
        self.set_current(body, now)
        return body

    def set_current(self, body, now):
        """body becomes the current deck, signed now with key A."""
        sig = sign(body, "a", now)
        with LOCK:
            STATE["body"], STATE["sig"], STATE["good_sig"] = body, sig, sig
            STATE["history"] = (STATE["history"] + [(now, body, sig)])[-30:]

    def unsigned_feed(self, kind):
        """A new feed no one signed: never the current deck, never shown."""
        with LOCK:
            v = STATE["version"] + 1
        d = feed(v, sim_now())
        d["school"] = "not signed (%s %d)" % (kind, v)
        body = json.dumps(d, ensure_ascii=False).encode()
        with LOCK:
            REFUSED.add(hashlib.sha256(body).hexdigest())
        return body

    # ---- the answers (FAULTS)
    def fault_new(self):
        self.serve_body(self.next_version())

    def fault_same(self):
        with LOCK:
            body = STATE["body"]
        self.serve_body(body)

    def fault_http500(self):
        self.reply(500, b"internal error\n")

    def fault_drop(self):
        self.record(0)
        self.close_connection = True
        self.connection.shutdown(2)

    def fault_truncated(self):
        body = self.next_version()
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def fault_badjson(self):
        body = self.next_version()
        self.serve_signed_broken(body[: len(body) // 3] + b"\n,,}")

    def serve_signed_broken(self, body):
        """A broken edit the office signed: the signature is good, the
        feed is refused when parsed."""
        sig = sign(body, "a", sim_now())
        with LOCK:
            STATE["sig"] = sig
        self.reply(200, body, None, "application/json")

    def fault_badfeed(self):
        with LOCK:
            v = STATE["version"]
        d = feed(v, sim_now())
        d["slides"][0]["type"] = "no-such-type"
        d["format"] = "edukiosk/1" if v % 2 else "edukiosk/99"
        self.serve_signed_broken(json.dumps(d).encode())

    def fault_slow(self):
        self.serve_body(self.next_version(), slow=True)

    def fault_missingimg(self):
        body = self.next_version()
        d = json.loads(body)
        name = "missing%d" % (len(body) % 3)
        d["slides"].append({"type": "image", "src": "img/%s.png" % name,
                            "src_sha256": image_sha256(name)})
        body = json.dumps(d, ensure_ascii=False).encode()
        self.set_current(body, sim_now())
        self.serve_body(body)

    # ---- signature faults: the current deck stays as it was
    def serve_unsigned(self, kind, sig_of):
        body = self.unsigned_feed(kind)
        with LOCK:
            STATE["sig"] = sig_of(body)
        self.serve_body(body)

    def fault_unsigned(self):
        self.serve_unsigned("unsigned", lambda body: None)

    def fault_badsig(self):
        with LOCK:
            sig = STATE["sig"]
        self.serve_unsigned("badsig", lambda body: sig)

    def fault_wrongkey(self):
        self.serve_unsigned("wrongkey", lambda body: sign(body, "b", sim_now()))

    def fault_garbagesig(self):
        self.serve_unsigned("garbagesig", lambda body: RNG.randbytes(RNG.randrange(1, 400)))

    def fault_replay(self):
        """An older feed with its own good signature: refused as older
        than the deck on screen (rollback)."""
        with LOCK:
            hist = STATE["history"]
            older = [h for h in hist[:-1] if h[0] < hist[-1][0]]
            pick = RNG.choice(older) if older else None
            if pick:
                STATE["sig"] = pick[2]
        if not pick:
            self.fault_new()
            return
        self.serve_body(pick[1])
        # The kiosk is asked for this signature next; the current deck's
        # comes back with the next good answer.


def sign(body, key, timestamp):
    """body's minisign signature (Debian's minisign, ED), trusted comment
    "timestamp:T<TAB>file:feed.json"."""
    with tempfile.TemporaryDirectory(prefix="soak-sign-") as d:
        path = os.path.join(d, "feed.json")
        with open(path, "wb") as f:
            f.write(body)
        subprocess.run(["minisign", "-S", "-s", os.path.join(KEYS, key + ".key"), "-m", path,
                        "-t", "timestamp:%d\tfile:feed.json" % timestamp],
                       check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        with open(path + ".minisig", "rb") as f:
            return f.read()


def main():
    global START, METRICS, RNG
    if len(sys.argv) not in (4, 5):
        sys.stderr.write("usage: soak_server.py DOCROOT START METRICS [SEED]\n")
        return 2
    http_server.DOCROOT = sys.argv[1]
    START = int(sys.argv[2])
    METRICS = sys.argv[3]
    RNG = random.Random(int(sys.argv[4]) if len(sys.argv) == 5 else 1)
    srv = Server(("127.0.0.1", 0), SoakHandler)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=http_server.watch_stdin, daemon=True).start()
    srv.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
