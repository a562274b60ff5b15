#!/usr/bin/env python3
"""The editor's HTTP API against the real server on 127.0.0.1 (a temporary
data directory, a free port, signing with the test key a.key): log-in,
wrong password and unknown user (the same answer), the rate limit per
account and per address, the session cookie's flags, CSRF on every change,
401 without a session, conflicts between two users, body caps and
malformed bodies, bad uploads (wrong type, a decompression bomb, truncated
files), path traversal, security headers, the published feed (ETag,
Last-Modified, 304, gzip), publish (validated exactly as the kiosk's
--check, signed so that minisign verifies), versions, history and
rollback, the audit log; then kill -9 during publishes of a large feed,
several rounds: the published feed is always one that was published,
whole, with its signature.  The server must still answer at the end.
Usage: editor_api_harness.py EDITOR_BINARY KIOSK_BINARY
(editor_e2e_harness.py imports its server and client helpers.)"""
import glob
import gzip
import hashlib
import http.client
import json
import os
import random
import re
import signal
import socket
import ssl
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from harness import check, failures, wait_for

EDITOR = os.path.abspath(sys.argv[1])
KIOSK = os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KEYS = os.path.join(HERE, "data", "sign")
PUB = os.path.join(KEYS, "a.pub")
CERT = os.path.join(HERE, "data", "fetch", "test-cert.pem")  # 127.0.0.1, self-signed
CERT_KEY = os.path.join(HERE, "data", "fetch", "test-key.pem")
HISTORY = 3
PASSWORDS = {"alice": "alice-correct-horse", "bob": "bob-battery-staple",
             "carol": "carol-secret-words", "dave": "dave-pass-phrase",
             "frank": "frank-many-tries"}
count = [0]


def ok(cond, what):
    """check() that also counts what passed."""
    count[0] += 1
    check(bool(cond), " / ".join(what.splitlines()))
    return bool(cond)


def sha(b):
    return hashlib.sha256(b).hexdigest()


# ---------------------------------------------------------------- images

def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png(w, h, rgb=None, seed=1):
    """A real w x h RGB PNG: one colour, or noise (which does not
    compress, so that a cut lands inside the picture data)."""
    if rgb is None:
        rnd = random.Random(seed)
        raw = b"".join(b"\0" + rnd.randbytes(3 * w) for _ in range(h))
    else:
        raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_bomb(w=20000, h=20000):
    """A small, complete and valid PNG that decodes to w x h pixels
    (1-bit grey, every row zero): a few tens of KB on the wire."""
    co = zlib.compressobj(9)
    rows = (b"\0" + b"\0" * ((w + 7) // 8)) * 500
    idat = b"".join(co.compress(rows) for _ in range(h // 500)) + co.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_declaring(data, w, h):
    """The JPEG with its frame header (SOF0/SOF2) saying w x h."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        i = data.find(marker)
        if i > 0:
            return data[:i + 5] + struct.pack(">HH", h, w) + data[i + 9:]
    raise ValueError("no SOF marker")


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
with open(os.path.join(HERE, "data", "render", "campus.jpg"), "rb") as _f:
    JPEG = _f.read()  # 1600 x 900


# ---------------------------------------------------------------- feeds

def feed(title, n=1, extra=None):
    d = {"format": "edukiosk/1", "school": "编辑器测试学校", "refresh": 60,
         "defaults": {"duration": 10, "transition": "cut"},
         "slides": [{"type": "title", "id": f"s{i}", "title": f"{title} {i}"} for i in range(n)]}
    if extra:
        d.update(extra)
    return json.dumps(d, ensure_ascii=False, indent=1).encode()


NOTICE = "各位同学请注意：本周五下午学校举行运动会，请提前做好准备。"


def big_feed(tag, nbytes=1_500_000):
    """A valid feed of about nbytes: list slides of 12 long items."""
    item = (NOTICE * 40)[:1000]  # 3000 bytes
    per_slide = 12 * 3000
    slides = [{"type": "list", "id": f"l{i}", "title": f"{tag} 第{i}页",
               "items": [item] * 12} for i in range(max(1, nbytes // per_slide))]
    return json.dumps({"format": "edukiosk/1", "school": f"大文件 {tag}",
                       "slides": slides}, ensure_ascii=False).encode()


# ---------------------------------------------------------------- HTTP

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def h(self, name):
        """One header's value (the first), or ""."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return ""

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def code(self):
        j = self.json()
        return j.get("code") if isinstance(j, dict) else None

    def __repr__(self):
        return f"{self.status} {self.body[:200]!r}"


class Client:
    """One browser: its session cookie and CSRF token, its source address
    (any 127.x.y.z reaches the server, so each can be its own client
    address for the rate limit)."""

    def __init__(self, port, source=None, tls=False):
        self.port, self.source, self.tls = port, source, tls
        self.cookie = None
        self.csrf = None
        self.user = None

    def req(self, method, path, body=None, headers=None, csrf=True, timeout=120):
        h = {}
        if self.cookie:
            h["Cookie"] = "ek_session=" + self.cookie
        if csrf and self.csrf and method in ("POST", "PUT", "DELETE", "PATCH"):
            h["X-CSRF-Token"] = self.csrf
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode()
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        src = (self.source, 0) if self.source else None
        if self.tls:
            ctx = ssl.create_default_context(cafile=CERT)
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               source_address=src, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                              source_address=src)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Resp(r.status, r.getheaders(), data)
        except (OSError, http.client.HTTPException) as e:
            return Resp(0, [], repr(e).encode())
        finally:
            conn.close()

    def login(self, user, password=None):
        r = self.req("POST", "/api/login",
                     {"user": user, "password": password or PASSWORDS[user]})
        if r.status == 200:
            m = re.search(r"ek_session=([^;]*)", " ".join(r.all("Set-Cookie")))
            self.cookie = m.group(1) if m else None
            self.csrf = (r.json() or {}).get("csrf")
            self.user = user
        return r

    def draft(self):
        return self.req("GET", "/api/draft").json() or {}

    def put_draft(self, text, rev, **kw):
        return self.req("PUT", "/api/draft", text,
                        {"If-Match": f'"{rev}"', "Content-Type": "application/json"}, **kw)

    def publish(self, rev, summary=None, **kw):
        body = {"summary": summary} if summary is not None else {}
        return self.req("POST", "/api/publish", body, {"If-Match": f'"{rev}"'}, **kw)

    def save_and_publish(self, text, summary=None):
        rev = self.draft().get("rev")
        r = self.put_draft(text, rev)
        if r.status != 200:
            return r
        return self.publish(r.json()["rev"], summary)


def raw(port, data, body=b"", source=None, timeout=60):
    """Sends bytes as they are (no client-side clean-up of the path),
    the body from a thread (a server may answer before it has read it
    all), and reads until the answer is whole or the server closes.
    Returns Resp; status 0 when no answer came."""
    s = socket.socket()
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    try:
        s.connect(("127.0.0.1", port))
    except OSError as e:
        return Resp(0, [], repr(e).encode())

    def send():
        try:
            s.sendall(data)
            for i in range(0, len(body), 65536):
                s.sendall(body[i:i + 65536])
        except OSError:
            pass
    t = threading.Thread(target=send, daemon=True)
    t.start()
    buf = b""
    try:
        while True:
            r = parse_raw(buf)
            if r is not None:
                break
            b = s.recv(65536)
            if not b:
                break
            buf += b
    except OSError:
        pass
    s.close()
    t.join(5)
    return parse_raw(buf, final=True) or Resp(0, [], buf)


def parse_raw(buf, final=False):
    """A whole response in buf (Content-Length or chunked), or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", head[0])
    if not m:
        return Resp(0, [], buf) if final else None
    status = int(m.group(1))
    headers = [tuple(x.strip() for x in ln.split(":", 1)) for ln in head[1:] if ":" in ln]
    r = Resp(status, headers, b"")
    rest = buf[end + 4:]
    if status == 304 or status < 200:
        r.body = b""
        return r
    if "chunked" in r.h("Transfer-Encoding").lower():
        body, pos = b"", 0
        while True:
            nl = rest.find(b"\r\n", pos)
            if nl < 0:
                return r if final else None
            n = int(rest[pos:nl].split(b";")[0] or b"0", 16)
            if n == 0:
                r.body = body
                return r
            if len(rest) < nl + 2 + n + 2:
                return r if final else None
            body += rest[nl + 2:nl + 2 + n]
            pos = nl + 2 + n + 2
    if r.h("Content-Length"):
        n = int(r.h("Content-Length"))
        if len(rest) < n and not final:
            return None
        r.body = rest[:n]
        return r
    if final:
        r.body = rest
        return r
    return None


def get_raw(port, path, extra=""):
    return raw(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}"
                     f"Connection: close\r\n\r\n".encode("latin-1"))


# ---------------------------------------------------------------- server

class Server:
    def __init__(self, tmp, name, data_dir, conf_lines=()):
        self.tmp, self.name, self.data = tmp, name, data_dir
        self.conf = os.path.join(tmp, name + ".conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("[editor]\n" + "".join(ln + "\n" for ln in conf_lines))
        self.proc = None
        self.port = None
        self.logs = []
        self.published = os.path.join(data_dir, "published")

    def add_user(self, name, password):
        r = subprocess.run([EDITOR, "--add-user", name, "--config", self.conf,
                            "--data-dir", self.data], input=(password + "\n").encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        return r.returncode, r.stderr.decode(errors="replace")

    def start(self):
        path = os.path.join(self.tmp, f"{self.name}-{len(self.logs)}.log")
        self.logs.append(path)
        log = open(path, "w+b")
        self.proc = subprocess.Popen([EDITOR, "--config", self.conf, "--listen", "127.0.0.1:0",
                                      "--data-dir", self.data],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        pat = re.compile(r"listening on https?://127\.0\.0\.1:(\d+)/")

        def port():
            m = pat.search(self.log_text(-1))
            return int(m.group(1)) if m else (None if self.proc.poll() is None else -1)
        p = wait_for(port, 120, step=0.1)
        self.port = p if p and p > 0 else None
        return self.port is not None

    def log_text(self, which=None):
        paths = self.logs if which is None else [self.logs[which]]
        out = ""
        for p in paths:
            with open(p, "rb") as f:
                out += f.read().decode(errors="replace")
        return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "timeout"

    def client(self, source=None, tls=False):
        return Client(self.port, source, tls)

    def feed_bytes(self):
        try:
            with open(os.path.join(self.published, "feed.json"), "rb") as f:
                return f.read()
        except OSError:
            return None


def minisign_ok(path):
    r = subprocess.run(["minisign", "-Vm", path, "-p", PUB], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return r.returncode == 0, r.stdout.decode(errors="replace").strip()


def kiosk_check(text, tmp):
    """The kiosk's --check (signed mode: pins required) of text: the
    diagnostics "L:C: [warning: ]REST" and the error/warning counts."""
    path = os.path.join(tmp, "check", "feed.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text)
    r = subprocess.run([KIOSK, "--no-config", "--feed-key", PUB, "--check", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = r.stdout.decode(errors="replace")
    diags = []
    for ln in out.splitlines():
        m = re.match(re.escape(path) + r":(\d+):(\d+): (warning: )?(.*)$", ln)
        if m:
            diags.append((int(m.group(1)), int(m.group(2)), bool(m.group(3)), m.group(4)))
    m = re.search(r"(\d+) errors?, (\d+) warnings?", out)
    w = re.search(r"valid, .*?(\d+) warnings?$", out, re.M)
    errors = int(m.group(1)) if m else 0
    warnings = int(m.group(2)) if m else (int(w.group(1)) if w else 0)
    # Its exit status also counts the missing signature: the summary
    # line says whether the feed itself is valid.
    valid = re.search(re.escape(path) + r": valid\b", out) is not None
    return valid, diags, errors, warnings, out


SEC_HEADERS_WHERE = []


def security_headers(r, where, api=False):
    csp = r.h("Content-Security-Policy")
    missing = [what for what, good in (
        ("CSP default-src 'none'", "default-src 'none'" in csp),
        ("CSP script-src 'self'", "script-src 'self'" in csp),
        ("CSP frame-ancestors 'none'", "frame-ancestors 'none'" in csp),
        ("no unsafe-inline", "unsafe-inline" not in csp),
        ("no unsafe-eval", "unsafe-eval" not in csp),
        ("X-Content-Type-Options: nosniff", r.h("X-Content-Type-Options").lower() == "nosniff"),
        ("X-Frame-Options: DENY", r.h("X-Frame-Options").upper() == "DENY"),
        ("Referrer-Policy", r.h("Referrer-Policy") != ""),
        ("Cache-Control: no-store", not api or "no-store" in r.h("Cache-Control"))) if not good]
    ok(not missing, f"security headers on {where} (CSP, nosniff, DENY, referrer"
                    f"{', no-store' if api else ''}){' missing: ' + ', '.join(missing) if missing else ''}")


def json_error(r, where, status=None):
    j = r.json()
    good = isinstance(j, dict) and isinstance(j.get("error"), str) and j["error"] \
        and isinstance(j.get("error_en"), str) and "json" in r.h("Content-Type").lower()
    if status is not None:
        good = good and (r.status == status if isinstance(status, int) else r.status in status)
    ok(good, f"{where}: {r.status} with a JSON error ({r.body[:160]!r})")


# ================================================================ tests

def test_users_file(srv):
    rc, err = srv.add_user("bad name!", "whatever-long")
    ok(rc != 0, f"--add-user refuses a bad name (exit {rc})")
    rc, err = srv.add_user("eve", "short")
    ok(rc != 0, f"--add-user refuses a short password (exit {rc})")
    for name, pw in PASSWORDS.items():
        rc, err = srv.add_user(name, pw)
        ok(rc == 0, f"--add-user {name} (password on stdin) ({err.strip()[:120]})")
    path = os.path.join(srv.data, "users")
    st = os.stat(path) if os.path.exists(path) else None
    ok(st is not None and stat.S_IMODE(st.st_mode) == 0o600,
       f"the users file is mode 0600 ({oct(stat.S_IMODE(st.st_mode)) if st else 'missing'})")
    text = open(path, encoding="utf-8").read() if st else ""
    lines = text.splitlines()
    ok(len(lines) == len(PASSWORDS) and all(re.match(r"^[a-z]+:\$argon2id\$", ln) for ln in lines),
       "one name:$argon2id$ line per user")
    ok(not any(pw in text for pw in PASSWORDS.values()), "no password in the users file")


def test_before_login(srv, c):
    r = c.req("GET", "/")
    ok(r.status == 200 and "text/html" in r.h("Content-Type"), f"GET / serves the page ({r.status})")
    security_headers(r, "the page")
    page = r.body.decode("utf-8", errors="replace")
    ok(not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page, re.I),
       "the page has no inline script (the CSP would block it)")
    ok(not re.search(r"\sstyle\s*=", page, re.I) and not re.search(r"\son[a-z]+\s*=", page, re.I),
       "the page has no style= or on*= attributes")
    for asset, ctype in (("/app.js", "javascript"), ("/app.css", "text/css")):
        r = c.req("GET", asset)
        ok(r.status == 200 and ctype in r.h("Content-Type") and r.h("ETag"),
           f"GET {asset}: 200, {ctype}, ETag ({r.status} {r.h('Content-Type')})")
        security_headers(r, asset)
        if asset == "/app.js":
            js = r.body.decode("utf-8", errors="replace")
            ok(not re.search(r"\beval\s*\(|new\s+Function\s*\(", js), "app.js uses no eval")
        et = r.h("ETag")
        if et:
            r2 = c.req("GET", asset, headers={"If-None-Match": et})
            ok(r2.status == 304, f"GET {asset} with its ETag: 304 ({r2.status})")

    r = c.req("GET", "/feed.json")
    ok(r.status == 404, f"nothing published yet: /feed.json is 404 ({r.status})")
    security_headers(r, "a 404 of the feed")

    # Every /api route but log-in wants a session.
    routes = [("GET", "/api/session"), ("GET", "/api/info"), ("GET", "/api/draft"),
              ("PUT", "/api/draft"), ("POST", "/api/check"), ("POST", "/api/preview?slide=0&w=480&h=270"),
              ("POST", "/api/publish"), ("GET", "/api/versions"), ("GET", "/api/versions/1"),
              ("POST", "/api/versions/1/publish"), ("POST", "/api/versions/1/load"),
              ("POST", "/api/images"), ("GET", "/api/audit?limit=5"), ("POST", "/api/logout")]
    body = feed("未登录")
    for cookie in (None, "0" * 64):
        bad = []
        for method, path in routes:
            c.cookie = cookie
            r = c.req(method, path, body if method != "GET" else None,
                      {"If-Match": '"1"', "X-CSRF-Token": "0" * 64})
            if r.status != 401 or r.code() != "login":
                bad.append(f"{method} {path}: {r}")
        c.cookie = None
        ok(not bad, f"every /api route but log-in is 401 {{code: login}} "
                    f"{'without a session' if cookie is None else 'with an unknown session'}"
                    f" {bad[:3]}")
    # Without a session an upload is not kept in memory: 20 connections
    # sending 8 MB each, not yet whole, must not grow the server by 160 MB.
    r = raw(srv.port, b"POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                      b"Content-Length: 8000000\r\nConnection: close\r\n\r\n", b"\0" * 8000000)
    ok(r.status == 401, f"an 8 MB upload without a session: 401 ({r.status})")
    ok(srv.alive() and held_mb(srv, 20, 8000000) < 64,
       f"20 unfinished 8 MB uploads without a session hold little memory "
       f"({held_mb.last:.0f} MB more)")
    r = c.req("GET", "/api/draft")
    security_headers(r, "a 401 API answer", api=True)
    json_error(r, "401 without a session", 401)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        return 0


def held_mb(srv, n, size):
    """MB the server grows by while n connections each send all but the
    last KB of a size-byte upload without a session."""
    before = rss_kb(srv.proc.pid)
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(60)
        try:
            s.connect(("127.0.0.1", srv.port))
            s.sendall(b"POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                      + f"Content-Length: {size}\r\n\r\n".encode() + b"\0" * (size - 1024))
        except OSError:
            pass  # answered and closed early: nothing held
        socks.append(s)
    peak = 0
    for _ in range(15):  # until the server has read what was sent
        time.sleep(0.2)
        peak = max(peak, rss_kb(srv.proc.pid) - before)
    for s in socks:
        s.close()
    held_mb.last = peak / 1024
    return held_mb.last


held_mb.last = 0.0


def test_login(srv, tmp):
    ip = iter(range(2, 250))

    def fresh():
        return srv.client(f"127.0.0.{next(ip)}")

    c = fresh()
    r = c.login("alice")
    j = r.json() or {}
    ok(r.status == 200 and j.get("user") == "alice" and re.fullmatch(r"[0-9a-f]{64}", j.get("csrf") or ""),
       f"log-in: 200 with user and a CSRF token ({r})")
    security_headers(r, "the log-in answer", api=True)
    cookies = r.all("Set-Cookie")
    ck = next((x for x in cookies if x.startswith("ek_session=")), "")
    attrs = [a.strip().lower() for a in ck.split(";")[1:]]
    ok(re.match(r"ek_session=[0-9A-Za-z_-]{32,};", ck), f"the session cookie ek_session ({ck[:40]}…)")
    ok("httponly" in attrs, f"the cookie is HttpOnly ({attrs})")
    ok("samesite=strict" in attrs, f"the cookie is SameSite=Strict ({attrs})")
    ok("path=/" in attrs, f"the cookie has Path=/ ({attrs})")
    ok("secure" not in attrs, f"no Secure on plain http ({attrs})")
    r = c.req("GET", "/api/session")
    ok(r.status == 200 and (r.json() or {}).get("user") == "alice"
       and (r.json() or {}).get("csrf") == c.csrf, f"/api/session: the user and the same CSRF ({r})")

    # Wrong password and unknown user: the same answer.
    r1 = fresh().login("alice", "not-the-password")
    r2 = fresh().login("nobody-here", "not-the-password")
    ok(r1.status == 401 and r1.code() == "bad_login", f"wrong password: 401 bad_login ({r1})")
    ok(r2.status == r1.status and r2.body == r1.body,
       f"unknown user: the very same answer ({r2.body!r} / {r1.body!r})")
    ok(not any(x.startswith("ek_session=") and len(x.split(";")[0]) > 12 for x in r1.all("Set-Cookie")),
       "no session cookie after a failed log-in")
    json_error(r1, "wrong password", 401)
    # Timing: an unknown name costs as much as a wrong password (else the
    # names of the accounts can be found by timing).
    tw, tu = [], []
    for i in range(3):
        t = time.monotonic()
        fresh().login("dave", f"wrong-password-{i}")
        tw.append(time.monotonic() - t)
        t = time.monotonic()
        fresh().login(f"ghost{i}", f"wrong-password-{i}")
        tu.append(time.monotonic() - t)
    mw, mu = sorted(tw)[1], sorted(tu)[1]
    ok(mw < 0.02 or mu > 0.3 * mw,
       f"an unknown user takes about as long as a wrong password ({mu:.3f} s / {mw:.3f} s)")

    # Malformed log-in bodies: 4xx with a JSON error.
    for what, body, ctype in (("bad JSON", b'{"user": "alice", "password": ', "application/json"),
                              ("empty body", b"", "application/json"),
                              ("a JSON array", b'["alice", "x"]', "application/json"),
                              ("numbers for strings", b'{"user": 5, "password": 6}', "application/json"),
                              ("no password", b'{"user": "alice"}', "application/json"),
                              ("not UTF-8", b'{"user": "\xff\xfe", "password": "\xc3("}', "application/json"),
                              ("a form, not JSON", b"user=alice&password=x", "application/x-www-form-urlencoded"),
                              ("a NUL in the name", b'{"user": "alice\\u0000x", "password": "x"}',
                               "application/json")):
        r = fresh().req("POST", "/api/login", body, {"Content-Type": ctype})
        json_error(r, f"log-in with {what}", range(400, 500))
        ok(r.status != 200, f"log-in with {what} does not log in")
    r = fresh().req("POST", "/api/login", {"user": "a" * 100000, "password": "b" * 100000})
    ok(400 <= r.status < 500, f"log-in with 100 KB names: 4xx ({r.status})")
    r = fresh().req("GET", "/api/login")
    ok(r.status == 405, f"GET /api/login: 405 ({r.status})")
    json_error(r, "wrong method", 405)

    # Rate limit per account: 5 failures from 5 addresses lock carol out,
    # even with her right password, and for nobody else.
    for i in range(5):
        r = fresh().login("carol", f"wrong-{i}")
        if i == 4:
            ok(r.status == 401, f"the 5th failure is still 401 ({r.status})")
    cl = fresh()
    r = cl.login("carol")
    j = r.json() or {}
    ok(r.status == 429 and j.get("code") == "rate_limited"
       and isinstance(j.get("retry_after"), int) and 0 < j["retry_after"] <= 15 * 60,
       f"per account: after 5 failures even the right password is 429 with retry_after ({r})")
    ok(cl.cookie is None and not r.all("Set-Cookie"), "no cookie with a 429")
    json_error(r, "rate limited", 429)
    r = fresh().login("bob")
    ok(r.status == 200, f"another account from another address still logs in ({r.status})")

    # Failures at the same moment cannot get past the limit: of 12 wrong
    # passwords for frank at once (12 addresses), at most 5 are checked.
    out = []
    barrier = threading.Barrier(12)

    def attempt(i):
        cl = srv.client(f"127.0.1.{i + 1}")
        barrier.wait()
        out.append(cl.login("frank", f"guess-{i}-wrong").status)
    ts = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ok(out.count(401) <= 5 and out.count(401) + out.count(429) == 12,
       f"12 wrong passwords at once: at most 5 checked, the rest 429 ({sorted(out)})")
    r = srv.client("127.0.1.100").login("frank")
    ok(r.status == 429, f"and then frank's right password is 429 ({r.status})")

    # Rate limit per address: 5 failures for 5 names from one address lock
    # that address out, for every account; other addresses go on.
    addr = "127.0.0.251"
    for i in range(5):
        srv.client(addr).login(f"stranger{i}", "wrong-password")
    r = srv.client(addr).login("bob")
    ok(r.status == 429 and r.code() == "rate_limited",
       f"per address: 5 failures from one address, then bob's right password: 429 ({r})")
    r = srv.client(addr).login("nobody", "x-wrong-password")
    ok(r.status == 429, f"and a 6th wrong one is 429 too, not 401 ({r.status})")
    r = srv.client("127.0.0.252").login("bob")
    ok(r.status == 200, f"bob from another address logs in ({r.status})")
    # A forged X-Forwarded-For does not give an address a fresh count.
    r = Client(srv.port, addr).req("POST", "/api/login", {"user": "bob", "password": PASSWORDS["bob"]},
                                   {"X-Forwarded-For": "10.9.8.7", "X-Real-IP": "10.9.8.7"})
    ok(r.status == 429, f"X-Forwarded-For from the client does not lift the limit ({r.status})")
    return c


def test_csrf(srv, alice, bob, v):
    d = alice.draft()
    rev = d.get("rev")
    vers = alice.req("GET", "/api/versions").json() or {}
    live_before = srv.feed_bytes()
    images_dir = os.path.join(srv.published, "images")
    imgs_before = sorted(os.listdir(images_dir)) if os.path.isdir(images_dir) else []
    pic = png(33, 21, (10, 200, 10))
    changing = [("PUT", "/api/draft", feed("跨站请求"), {"If-Match": f'"{rev}"'}),
                ("POST", "/api/check", feed("跨站请求"), {}),
                ("POST", "/api/preview?slide=0&w=480&h=270", feed("跨站请求"), {}),
                ("POST", "/api/publish", {"summary": "csrf"}, {"If-Match": f'"{rev}"'}),
                ("POST", f"/api/versions/{v}/publish", b"", {"If-Match": f'"{rev}"'}),
                ("POST", f"/api/versions/{v}/load", b"", {"If-Match": f'"{rev}"'}),
                ("POST", "/api/images", pic, {"Content-Type": "image/png"}),
                ("POST", "/api/logout", b"", {})]
    tokens = [("missing", None), ("wrong", "f" * 64), ("empty", ""),
              ("bob's (another session's)", bob.csrf), ("too short", (alice.csrf or "x")[:-1])]
    for what, tok in tokens:
        bad = []
        for method, path, body, hdr in changing:
            r = alice.req(method, path, body, dict(hdr, **{"X-CSRF-Token": tok}), csrf=False)
            if r.status != 403 or r.code() != "csrf":
                bad.append(f"{method} {path}: {r}")
        ok(not bad, f"{what} CSRF token: every change is 403 {{code: csrf}} {bad[:3]}")
    r = alice.req("PUT", "/api/draft", feed("跨站请求"), {"If-Match": f'"{rev}"'}, csrf=False)
    json_error(r, "CSRF refused", 403)
    security_headers(r, "a 403", api=True)
    # The token in a query string or a cookie is no token.
    r = alice.req("PUT", f"/api/draft?csrf={alice.csrf}", feed("跨站请求"), {"If-Match": f'"{rev}"'},
                  csrf=False)
    ok(r.status == 403, f"the CSRF token in the query string is refused ({r.status})")
    ok(alice.draft().get("rev") == rev, "nothing refused changed the draft")
    v2 = alice.req("GET", "/api/versions").json() or {}
    ok(v2.get("versions") == vers.get("versions") and srv.feed_bytes() == live_before,
       "nothing refused was published")
    now = sorted(os.listdir(images_dir)) if os.path.isdir(images_dir) else []
    ok(now == imgs_before, "nothing refused was uploaded")
    r = alice.req("GET", "/api/session")
    ok(r.status == 200, f"a refused log-out leaves the session ({r.status})")


def test_draft_and_conflict(srv, alice, bob, info):
    d = alice.draft()
    ok(isinstance(d.get("rev"), int) and isinstance(d.get("text"), str) and "live" in d,
       f"GET /api/draft: rev, text, live ({str(d)[:120]})")
    with open(os.path.join(ROOT, "assets", "default-feed.json"), encoding="utf-8") as f:
        builtin = json.load(f)
    try:
        first = json.loads(d.get("text") or "")
    except ValueError:
        first = None
    # Its logo copied into the published images and pinned (a signing
    # editor could not publish it otherwise).
    with open(os.path.join(ROOT, "assets", "images", "logo.png"), "rb") as f:
        logo = f.read()
    builtin["theme"]["logo"] = f"images/{sha(logo)}.png"
    builtin["theme"]["logo_sha256"] = sha(logo)
    ok(first == builtin, "the first draft is the kiosk's built-in deck, its logo pinned")
    stored = os.path.join(srv.published, "images", sha(logo) + ".png")
    ok(os.path.exists(stored) and open(stored, "rb").read() == logo,
       "the built-in logo is in the published images")
    rev = d["rev"]

    a_text = feed("爱丽丝的修改")
    b_text = feed("鲍勃的修改")
    r = alice.put_draft(a_text, rev)
    j = r.json() or {}
    ok(r.status == 200 and j.get("rev") == rev + 1 and (j.get("report") or {}).get("valid") is True,
       f"alice saves rev {rev}: 200, rev {rev + 1}, a report ({r})")
    security_headers(r, "an API answer", api=True)
    t_save = time.time()
    r = bob.put_draft(b_text, rev)
    j = r.json() or {}
    ok(r.status == 409 and j.get("code") == "conflict" and j.get("rev") == rev + 1
       and j.get("by") == "alice" and isinstance(j.get("at"), (int, float))
       and abs(j["at"] - t_save) < 120,
       f"bob saves the same rev {rev}: 409 conflict, by alice, when ({r})")
    json_error(r, "conflict", 409)
    d = bob.draft()
    ok(d.get("text", "").encode() == a_text and d.get("rev") == rev + 1 and d.get("by") == "alice",
       "nothing overwritten: the draft is alice's")
    r = bob.req("PUT", "/api/draft", b_text, {"Content-Type": "application/json"})
    ok(r.status == 428 and r.code() == "if_match", f"a save without If-Match: 428 ({r})")
    for bad in ("*", '"abc"', "", '"-1"', '"99999999999999999999999"'):
        r = bob.req("PUT", "/api/draft", b_text, {"If-Match": bad})
        ok(r.status in (400, 409, 412, 428), f"If-Match {bad!r}: refused ({r.status})")
    ok(bob.draft().get("text", "").encode() == a_text, "still alice's draft")

    # Both at once, many times: exactly one wins each time.
    wins = []
    for i in range(5):
        rev = alice.draft()["rev"]
        out = {}
        barrier = threading.Barrier(2)

        def save(who, c, text):
            barrier.wait()
            out[who] = c.put_draft(text, rev)
        ts = [threading.Thread(target=save, args=("a", alice, feed(f"同时 A{i}"))),
              threading.Thread(target=save, args=("b", bob, feed(f"同时 B{i}")))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        st = sorted([out["a"].status, out["b"].status])
        winner = "a" if out["a"].status == 200 else "b"
        final = alice.draft()
        wins.append(st == [200, 409] and final.get("rev") == rev + 1
                    and final.get("text", "").encode() == feed(f"同时 {winner.upper()}{i}"))
    ok(all(wins), f"two saves of one rev at the same moment: one 200, one 409, the winner kept {wins}")

    # Bodies: too big, not UTF-8, empty.
    rev = alice.draft()["rev"]
    cap = info.get("limits", {}).get("max_feed_bytes") or 2 * 1024 * 1024
    big = b'{"format": "edukiosk/1", "school": "' + b"x" * cap + b'", "slides": []}'
    auth = f"Cookie: ek_session={alice.cookie}\r\nX-CSRF-Token: {alice.csrf}\r\n"

    def over(what, head, body, chunked=False):
        rv = alice.draft()["rev"]
        head = head.replace("REV", str(rv))
        if chunked:
            head += "Transfer-Encoding: chunked\r\n"
            body = b"".join(b"%x\r\n" % len(body[i:i + 60000]) + body[i:i + 60000] + b"\r\n"
                            for i in range(0, len(body), 60000)) + b"0\r\n\r\n"
        else:
            head += f"Content-Length: {len(body)}\r\n"
        r = raw(srv.port, (head + "Connection: close\r\n\r\n").encode(), body)
        ok(r.status == 413, f"{what}: 413 ({r})")
        return r
    r = over(f"a draft over max_feed_bytes ({cap})",
             f"PUT /api/draft HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}If-Match: \"REV\"\r\n"
             "Content-Type: application/json\r\n", big)
    json_error(r, "413", 413)
    security_headers(r, "a 413", api=True)
    over("the same draft sent chunked (no Content-Length)",
         f"PUT /api/draft HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}If-Match: \"REV\"\r\n", big, True)
    over("a check over max_feed_bytes", f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}", big)
    over("a preview over max_feed_bytes",
         f"POST /api/preview?slide=0&w=480&h=270 HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}", big)
    over("a log-in body over the cap", "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "Content-Type: application/json\r\n", big)
    r = raw(srv.port, (f"PUT /api/draft HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}If-Match: \"{rev}\"\r\n"
                       f"Content-Length: 99999999999999999999\r\nConnection: close\r\n\r\n").encode())
    ok(400 <= r.status < 500, f"an absurd Content-Length: 4xx ({r.status})")
    d = alice.draft()
    ok(d.get("rev") == rev, f"nothing over the cap was saved (rev {rev} -> {d.get('rev')})")
    rev = d["rev"]
    bad_utf8 = feed("坏字节").replace("坏".encode(), b"\xff\xfe")
    r = alice.put_draft(bad_utf8, rev)
    ok(400 <= r.status < 500, f"a draft that is not UTF-8: 4xx ({r})")
    json_error(r, "not UTF-8", range(400, 500))
    r = alice.put_draft(feed("半个字").replace("字".encode(), "字".encode()[:2]), rev)
    ok(400 <= r.status < 500, f"a draft cut inside a character: 4xx ({r.status})")
    d = alice.draft()
    ok(d.get("rev") == rev, f"refused drafts changed nothing (rev {d.get('rev')})")
    r = alice.req("POST", "/api/check", bad_utf8)
    j = r.json() or {}
    ok((r.status == 200 and j.get("valid") is False) or 400 <= r.status < 500,
       f"a check of bytes that are not UTF-8: invalid or 4xx ({r.status})")
    r = alice.req("POST", "/api/check", b"")
    j = r.json() or {}
    ok((r.status == 200 and j.get("valid") is False) or 400 <= r.status < 500,
       f"a check of an empty body: invalid or 4xx ({r})")
    # An unfinished draft is saved (and reported).
    r = alice.put_draft(b'{"format": "edukiosk/1", "slides": [', rev)
    j = r.json() or {}
    ok(r.status == 200 and (j.get("report") or {}).get("valid") is False
       and (j.get("report") or {}).get("errors", 0) >= 1,
       f"an unfinished draft is saved, reported invalid ({r})")


def test_check(srv, alice, tmp):
    files = sorted(glob.glob(os.path.join(HERE, "data", "feeds", "*", "*.json")))
    files.append(os.path.join(KEYS, "feed.json"))
    mismatches, refused = [], []
    for path in files:
        with open(path, "rb") as f:
            text = f.read()
        kvalid, diags, errors, warnings, out = kiosk_check(text, tmp)
        r = alice.req("POST", "/api/check", text)
        rep = r.json() or {}
        name = os.path.relpath(path, HERE)
        if r.status == 400 and r.code() in ("encoding", "empty") and not kvalid:
            refused.append(name)  # a body the API takes for no feed at all
            continue
        if r.status != 200:
            mismatches.append(f"{name}: {r}")
            continue
        if rep.get("valid") != kvalid or rep.get("errors") != errors or \
                rep.get("warnings") != warnings:
            mismatches.append(f"{name}: editor valid={rep.get('valid')} {rep.get('errors')}e "
                              f"{rep.get('warnings')}w, kiosk valid={kvalid} {errors}e {warnings}w")
            continue
        got = rep.get("diagnostics") or []
        for line, col, warn, rest in diags:
            if not any(g.get("line") == line and g.get("col") == col
                       and bool(g.get("warning")) == warn and g.get("msg")
                       and rest.endswith(g["msg"])
                       and (not g.get("path") or rest.startswith(g["path"]))
                       for g in got):
                mismatches.append(f"{name}: {line}:{col}: {rest[:80]} not in the report")
                break
    ok(not mismatches, f"/api/check agrees with the kiosk's --check on {len(files)} feeds "
                       f"{mismatches[:8]}")
    print(f"note: /api/check refused as bodies (400, the kiosk finds them invalid too): {refused}")


def test_preview(srv, alice):
    text = feed("预览", 2)
    r = alice.req("POST", "/api/preview?slide=1&w=480&h=270", text)
    ok(r.status == 200 and r.h("Content-Type").startswith("image/png") and png_size(r.body) == (480, 270),
       f"preview of slide 1 at 480x270: a 480x270 PNG ({r.status} {png_size(r.body)})")
    security_headers(r, "a preview", api=True)
    r = alice.req("POST", "/api/preview?slide=0&w=1080&h=1920", text)
    ok(r.status == 200 and png_size(r.body) == (1080, 1920), f"portrait 1080x1920 ({r.status})")
    for q in ("slide=0&w=123&h=45", "slide=0&w=99999&h=99999", "slide=9&w=480&h=270",
              "slide=-1&w=480&h=270", "slide=abc&w=480&h=270"):
        r = alice.req("POST", "/api/preview?" + q, text)
        ok(400 <= r.status < 500 and r.json() is not None, f"preview ?{q}: 4xx JSON ({r.status})")
    mixed = json.dumps({"format": "edukiosk/1", "slides": [
        {"type": "countdown", "id": "bad", "target": "2026-13-01"},
        {"type": "title", "id": "good", "title": "好的一张"}]}, ensure_ascii=False).encode()
    r = alice.req("POST", "/api/preview?slide=1&w=480&h=270", mixed)
    ok(r.status == 200 and png_size(r.body) == (480, 270),
       f"a valid slide renders when another slide has errors ({r.status})")
    r = alice.req("POST", "/api/preview?slide=0&w=480&h=270", mixed)
    j = r.json() or {}
    ok(r.status == 422 and j.get("code") == "invalid" and (j.get("report") or {}).get("errors", 0) >= 1,
       f"the invalid slide: 422 with a report ({r.status})")
    # Two at once for one user: each is a picture or 429 busy.
    out = []
    barrier = threading.Barrier(3)

    def one():
        barrier.wait()
        out.append(alice.req("POST", "/api/preview?slide=0&w=1920&h=1080", feed("同时预览", 1)))
    ts = [threading.Thread(target=one) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ok(all((r.status == 200 and png_size(r.body) == (1920, 1080))
           or (r.status == 429 and r.code() == "busy") for r in out) and any(r.status == 200 for r in out),
       f"three previews at once: each a picture or 429 busy ({[r.status for r in out]})")


def test_publish(srv, alice, bob, tmp):
    pub = srv.published
    rev = alice.draft()["rev"]
    # The built-in deck's logo is not pinned: a signing editor refuses it.
    with open(os.path.join(ROOT, "assets", "default-feed.json"), "rb") as f:
        builtin = f.read()
    r = alice.put_draft(builtin, rev)
    rev = (r.json() or {}).get("rev", rev)
    r = alice.publish(rev)
    j = r.json() or {}
    diags = (j.get("report") or {}).get("diagnostics") or []
    ok(r.status == 422 and j.get("code") == "invalid"
       and any("pin" in (d.get("msg") or "") and "logo" in (d.get("path") or d.get("msg") or "")
               for d in diags),
       f"signing: an unpinned image is refused, 422 with the pin error ({str(j)[:200]})")
    ok(srv.feed_bytes() is None, "nothing written")

    # An invalid draft: 422 with the parser's report, nothing written.
    invalid = json.dumps({"format": "edukiosk/1", "slides": [
        {"type": "countdown", "id": "x", "target": "2026-02-29"}]}).encode()
    r = alice.put_draft(invalid, rev)
    rev = (r.json() or {}).get("rev", rev)
    r = alice.publish(rev)
    j = r.json() or {}
    rep = j.get("report") or {}
    _, kd, ke, _, _ = kiosk_check(invalid, tmp)
    ok(r.status == 422 and j.get("code") == "invalid" and rep.get("errors") == ke
       and any(d.get("line") == kd[0][0] and d.get("col") == kd[0][1] for d in rep.get("diagnostics", [])),
       f"an invalid draft: 422 with the parser's report, the kiosk's line:column ({str(j)[:200]})")
    json_error(r, "422", 422)
    ok(srv.feed_bytes() is None and not os.path.exists(os.path.join(pub, "feed.json.minisig")),
       "nothing written")
    ok((alice.req("GET", "/api/versions").json() or {}).get("versions") in ([], None),
       "no version recorded")

    # A valid draft: published, signed, served.
    v1 = feed("第一次发布", 2)
    r = alice.put_draft(v1, rev)
    rev = (r.json() or {}).get("rev", rev)
    r = bob.publish(rev, "第一版")
    j = r.json() or {}
    ok(r.status == 200 and isinstance(j.get("version"), int) and j.get("hash") == sha(v1)
       and j.get("signed") is True, f"publish: 200, a version, the feed's sha256, signed ({r})")
    ok(srv.feed_bytes() == v1, "feed.json holds exactly the saved draft")
    good, out = minisign_ok(os.path.join(pub, "feed.json"))
    ok(good, f"minisign -Vm feed.json -p a.pub verifies ({out[-160:]})")
    ok(os.path.exists(os.path.join(pub, "feed.json.minisig"))
       and "timestamp:" in open(os.path.join(pub, "feed.json.minisig"), encoding="utf-8",
                                errors="replace").read(),
       "the signature's trusted comment has a timestamp (the kiosk's replay floor)")
    sigcheck = subprocess.run([KIOSK, "--no-config", "--feed-key", PUB, "--check",
                               os.path.join(pub, "feed.json")], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)
    ok(sigcheck.returncode == 0, "the kiosk's --check --feed-key accepts the published feed "
                                 f"({sigcheck.stdout.decode(errors='replace').strip()[-160:]})")
    v1n = j.get("version")
    return v1, v1n


def test_served_feed(srv, c, v1):
    r = c.req("GET", "/feed.json")
    etag, lm = r.h("ETag"), r.h("Last-Modified")
    ok(r.status == 200 and r.body == v1 and "json" in r.h("Content-Type"),
       f"GET /feed.json without a session: the published bytes ({r.status} {r.h('Content-Type')})")
    ok(sha(v1) in etag, f"ETag is the sha256 ({etag})")
    ok(re.match(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$", lm), f"Last-Modified ({lm})")
    ok("no-cache" in r.h("Cache-Control"), f"Cache-Control: no-cache ({r.h('Cache-Control')})")
    security_headers(r, "the published feed")
    r = c.req("GET", "/feed.json", headers={"If-None-Match": etag})
    ok(r.status == 304 and r.body == b"" and r.h("ETag") == etag,
       f"If-None-Match: 304, no body, the ETag ({r.status})")
    r = c.req("GET", "/feed.json", headers={"If-None-Match": f'"{"0" * 64}"'})
    ok(r.status == 200 and r.body == v1, f"another ETag: 200 ({r.status})")
    r = c.req("GET", "/feed.json", headers={"If-Modified-Since": lm})
    ok(r.status == 304, f"If-Modified-Since: 304 ({r.status})")
    r = c.req("GET", "/feed.json", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    ok(r.status == 200 and r.body == v1, f"an older If-Modified-Since: 200 ({r.status})")
    r = c.req("GET", "/feed.json", headers={"Accept-Encoding": "gzip"})
    body = None
    try:
        body = gzip.decompress(r.body)
    except (OSError, EOFError, zlib.error):
        pass
    ok(r.status == 200 and r.h("Content-Encoding") == "gzip" and body == v1 and len(r.body) < len(v1),
       f"Accept-Encoding: gzip: gzip, the same bytes unpacked ({r.status} "
       f"{r.h('Content-Encoding')!r} {len(r.body)} of {len(v1)})")
    ok("accept-encoding" in r.h("Vary").lower(), f"Vary: Accept-Encoding ({r.h('Vary')!r})")
    r = c.req("GET", "/feed.json", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    ok(r.status == 304 or (r.status == 200 and r.h("ETag") != etag),
       f"gzip and the ETag: 304 ({r.status})")
    for ae in ("identity", "gzip;q=0", "br"):
        r = c.req("GET", "/feed.json", headers={"Accept-Encoding": ae})
        ok(r.status == 200 and r.body == v1 and not r.h("Content-Encoding"),
           f"Accept-Encoding: {ae}: not compressed ({r.h('Content-Encoding')!r})")
    r = c.req("GET", "/feed.json.minisig")
    with open(os.path.join(srv.published, "feed.json.minisig"), "rb") as f:
        sig = f.read()
    ok(r.status == 200 and r.body == sig, f"GET /feed.json.minisig: the signature ({r.status})")
    for method in ("POST", "PUT", "DELETE"):
        r = c.req(method, "/feed.json", b"x")
        ok(r.status == 405, f"{method} /feed.json: 405 ({r.status})")
    return etag


def test_versions(srv, alice, bob, v1, v1n, etag1):
    pub = srv.published
    texts = {v1n: v1}
    summaries = {v1n: "第一版"}
    for i in range(2, 6):
        t = feed(f"第{i}次发布", 1 + i % 3)
        summary = None if i == 3 else f"第{i}版"
        r = (alice if i % 2 else bob).save_and_publish(t, summary)
        j = r.json() or {}
        ok(r.status == 200 and j.get("hash") == sha(t), f"publish {i}: 200 ({r})")
        texts[j.get("version")] = t
        summaries[j.get("version")] = summary
        ok(srv.feed_bytes() == t and minisign_ok(os.path.join(pub, "feed.json"))[0],
           f"publish {i}: feed.json and a signature that verifies")
    nums = sorted(texts)
    ok(nums == list(range(nums[0], nums[0] + 5)), f"versions count up by one ({nums})")
    r = alice.req("GET", "/feed.json", headers={"If-None-Match": etag1})
    ok(r.status == 200 and r.body == texts[nums[-1]], "after a new publish the old ETag gets the new feed")

    r = alice.req("GET", "/api/versions")
    j = r.json() or {}
    vs = j.get("versions") or []
    ok(r.status == 200 and [v.get("n") for v in vs] == nums[::-1][:HISTORY],
       f"history = {HISTORY}: the newest {HISTORY} versions, newest first ({[v.get('n') for v in vs]})")
    ok(j.get("live") == nums[-1], f"live is the newest ({j.get('live')})")
    ok(all(v.get("by") in ("alice", "bob") and isinstance(v.get("at"), (int, float))
           and abs(v["at"] - time.time()) < 3600 and v.get("hash") == sha(texts[v["n"]]) for v in vs),
       "each version says who, when and the feed's sha256")
    ok(all(isinstance(v.get("summary"), str) and v["summary"].strip() and "\n" not in v["summary"]
           for v in vs), "each version has a one-line summary")
    ok(all(v["summary"] == summaries[v["n"]] for v in vs if summaries.get(v["n"])),
       "a given summary is kept")
    vfiles = [f for f in os.listdir(os.path.join(srv.data, "versions")) if f != "index.json"]
    ok(len(vfiles) <= HISTORY, f"only {HISTORY} version files kept ({sorted(vfiles)})")
    r = alice.req("GET", f"/api/versions/{nums[0]}")
    ok(r.status == 404, f"a version beyond the history: 404 ({r.status})")
    r = alice.req("GET", f"/api/versions/{nums[-2]}")
    j = r.json() or {}
    ok(r.status == 200 and (j.get("text") or "").encode() == texts[nums[-2]] and j.get("n") == nums[-2],
       f"GET /api/versions/{nums[-2]}: its text ({r.status})")
    for bad in ("abc", "-1", "0", "99999999", "1.5", "%2e%2e"):
        r = alice.req("GET", f"/api/versions/{bad}")
        ok(r.status in (400, 404) and r.json() is not None, f"GET /api/versions/{bad}: 4xx JSON ({r.status})")

    # Rollback: the old text published again as a new version.
    target = nums[-3]
    live_before = srv.feed_bytes()
    rev = alice.draft()["rev"]
    r = alice.req("POST", f"/api/versions/{target}/publish", b"", {"If-Match": f'"{rev - 1}"'})
    ok(r.status == 409 and srv.feed_bytes() == live_before,
       f"a rollback from a stale rev: 409, nothing published ({r.status})")
    r = alice.req("POST", f"/api/versions/{nums[0]}/publish", b"", {"If-Match": f'"{rev}"'})
    ok(r.status == 404 and srv.feed_bytes() == live_before,
       f"a rollback to a version no longer kept: 404 ({r.status})")
    time.sleep(1.1)  # a later signature timestamp than the last publish
    r = alice.req("POST", f"/api/versions/{target}/publish", b"", {"If-Match": f'"{rev}"'})
    j = r.json() or {}
    ok(r.status == 200 and j.get("version") == nums[-1] + 1 and j.get("rev") == rev + 1,
       f"rollback to {target}: 200, a new version, the draft's new rev ({r})")
    ok(srv.feed_bytes() == texts[target], "feed.json is the old text again")
    good, out = minisign_ok(os.path.join(pub, "feed.json"))
    ok(good, f"and its new signature verifies ({out[-100:]})")
    d = alice.draft()
    ok(d.get("text", "").encode() == texts[target] and d.get("rev") == rev + 1,
       "the draft is the rolled-back text")
    vs = (alice.req("GET", "/api/versions").json() or {}).get("versions") or [{}]
    ok(vs[0].get("n") == nums[-1] + 1 and "回滚" in (vs[0].get("summary") or "")
       and str(target) in (vs[0].get("summary") or "") and vs[0].get("by") == "alice",
       f"the new version says 回滚到版本 {target}, by alice ({vs[0]})")
    # Load: the draft only.
    live = srv.feed_bytes()
    rev = d["rev"]
    r = bob.req("POST", f"/api/versions/{nums[-1]}/load", b"", {"If-Match": f'"{rev}"'})
    ok(r.status == 200 and (r.json() or {}).get("rev") == rev + 1, f"load {nums[-1]} into the draft ({r})")
    d = bob.draft()
    ok(d.get("text", "").encode() == texts[nums[-1]] and srv.feed_bytes() == live,
       "the draft is that version's text, nothing published")
    r = bob.req("POST", f"/api/versions/{nums[-1]}/load", b"", {"If-Match": f'"{rev}"'})
    ok(r.status == 409, f"a load from a stale rev: 409 ({r.status})")
    # A publish from a stale rev.
    r = alice.publish(rev)
    ok(r.status == 409 and r.code() == "conflict" and srv.feed_bytes() == live,
       f"a publish of a stale rev: 409, nothing published ({r.status})")
    r = alice.req("POST", "/api/publish", {"summary": "x"})
    ok(r.status == 428, f"a publish without If-Match: 428 ({r.status})")
    return texts


def test_uploads(srv, alice, info):
    imgdir = os.path.join(srv.published, "images")

    def upload(data, ctype="image/png", extra=None, path="/api/images"):
        return alice.req("POST", path, data, dict({"Content-Type": ctype}, **(extra or {})))

    pic = png(120, 80, (220, 40, 40))
    r = upload(pic)
    j = r.json() or {}
    ok(r.status == 200 and j.get("sha256") == sha(pic) and j.get("path") == f"images/{sha(pic)}.png"
       and j.get("width") == 120 and j.get("height") == 80 and j.get("bytes") == len(pic),
       f"a PNG: 200 with sha256, path, size, bytes ({r})")
    stored = os.path.join(imgdir, sha(pic) + ".png")
    ok(os.path.exists(stored) and open(stored, "rb").read() == pic, "stored by its SHA-256 name")
    r = Client(srv.port).req("GET", f"/images/{sha(pic)}.png")
    ok(r.status == 200 and r.body == pic and r.h("Content-Type") == "image/png"
       and sha(pic) in r.h("ETag"), f"served at /images/<sha>.png without a session ({r.status})")
    security_headers(r, "an image")
    r2 = Client(srv.port).req("GET", f"/images/{sha(pic)}.png", headers={"If-None-Match": r.h("ETag")})
    ok(r2.status == 304, f"the image with its ETag: 304 ({r2.status})")
    r = upload(pic)
    ok(r.status == 200 and (r.json() or {}).get("sha256") == sha(pic), "the same image again: the same name")
    r = upload(JPEG, "image/jpeg")
    j = r.json() or {}
    ok(r.status == 200 and j.get("path") == f"images/{sha(JPEG)}.jpg" and j.get("width") == 1600
       and j.get("height") == 900, f"a JPEG: 200, .jpg, 1600x900 ({r})")
    # Judged by content, not by the header.
    pic2 = png(10, 10, (1, 2, 3))
    r = upload(pic2, "image/jpeg")
    ok(r.status == 200 and (r.json() or {}).get("path") == f"images/{sha(pic2)}.png",
       f"a PNG sent as image/jpeg is stored as the PNG it is ({r})")
    # Never named by the client.
    pic3 = png(11, 10, (9, 9, 9))
    r = upload(pic3, extra={"Content-Disposition": 'attachment; filename="../../users"',
                            "X-File-Name": "../../users"},
               path="/api/images?name=../../users&filename=x.php")
    ok(r.status == 200 and (r.json() or {}).get("path") == f"images/{sha(pic3)}.png",
       f"a client's file name is ignored ({r})")
    for what, data, ctype in (("text", "这不是图片\n".encode() * 50, "image/png"),
                              ("HTML", b"<html><script>alert(1)</script></html>", "image/png"),
                              ("a GIF", GIF, "image/gif"),
                              ("a GIF sent as image/png", GIF, "image/png"),
                              ("a WebP", WEBP, "image/png"),
                              ("an SVG", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml")):
        r = upload(data, ctype)
        ok(r.status == 415, f"{what}: 415 ({r.status})")
        json_error(r, f"upload of {what}", 415)
    r = upload(b"", "image/png")
    ok(400 <= r.status < 500, f"an empty upload: 4xx ({r.status})")
    bomb = png_bomb()
    r = upload(bomb)
    ok(r.status == 422, f"a decompression bomb ({len(bomb)} bytes declaring 20000x20000): 422 ({r})")
    json_error(r, "bomb", 422)
    big = png(4097, 3073, (5, 5, 5))  # 12589081 pixels, just over the cap
    r = upload(big)
    ok(r.status == 422, f"just over max_image_pixels (4097x3073): 422 ({r.status})")
    r = upload(jpeg_declaring(JPEG, 20000, 20000), "image/jpeg")
    ok(r.status == 422, f"a JPEG declaring 20000x20000: 422 ({r.status})")
    noise = png(300, 200, seed=7)
    for what, data in (("a truncated PNG (cut in its data)", noise[:len(noise) * 3 // 5]),
                       ("a PNG without its end", noise[:-12]),
                       ("a PNG of its header only", noise[:33]),
                       ("a PNG with a bad checksum", noise[:60] + bytes([noise[60] ^ 0x55]) + noise[61:]),
                       ("a PNG whose picture data is not zlib (checksums intact)",
                        noise[:33] + chunk(b"IDAT", random.Random(3).randbytes(5000))
                        + chunk(b"IEND", b"")),
                       ("a PNG whose picture data stops short (checksums intact)",
                        noise[:33] + chunk(b"IDAT", zlib.compress(b"\0" * 901 * 10))
                        + chunk(b"IEND", b"")),
                       ("a truncated JPEG", JPEG[:len(JPEG) // 2]),
                       ("a JPEG of its header only", JPEG[:200])):
        r = upload(data, "image/jpeg" if "JPEG" in what else "image/png")
        ok(r.status == 422, f"{what}: 422 ({r.status})")
        json_error(r, f"upload of {what}", (415, 422))
    cap = info.get("limits", {}).get("max_image_bytes") or 8 * 1024 * 1024
    huge = noise + b"\0" * (cap + 1 - len(noise))
    r = raw(srv.port, (f"POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ek_session={alice.cookie}\r\n"
                       f"X-CSRF-Token: {alice.csrf}\r\nContent-Type: image/png\r\n"
                       f"Content-Length: {len(huge)}\r\nConnection: close\r\n\r\n").encode(), huge)
    ok(r.status == 413, f"an image over max_image_bytes ({cap}): 413 ({r.status})")
    names = sorted(os.listdir(imgdir))
    with open(os.path.join(ROOT, "assets", "images", "logo.png"), "rb") as f:
        logo = f.read()
    want = sorted([sha(pic) + ".png", sha(JPEG) + ".jpg", sha(pic2) + ".png", sha(pic3) + ".png",
                   sha(logo) + ".png"])
    ok(names == want, f"only the good images are in images/ ({len(names)} files: "
                      f"{[n for n in names if n not in want][:3]})")
    return pic


def test_traversal(srv, c, known):
    secret = "CANARY-" + sha(b"outside")[:16]
    with open(os.path.join(srv.data, "secret.txt"), "w") as f:
        f.write(secret + "\n")
    with open(os.path.join(os.path.dirname(srv.data), "outside.txt"), "w") as f:
        f.write(secret + "\n")
    h = "a" * 64
    paths = ["/images/../users", "/images/../../users", "/images/%2e%2e/%2e%2e/users",
             "/images/..%2f..%2fusers", "/images/%2e%2e%2f%2e%2e%2fusers", "/images/..%5c..%5cusers",
             "/images/..\\..\\users", "/images/%252e%252e/%252e%252e/users",
             "/../../etc/passwd", "/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
             "/..%2f..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/images//etc/passwd",
             "/images/%2fetc%2fpasswd", "/feed.json/..", "/feed.json/../users",
             "/feed.json/../../users", "/feed.json%2f..%2f..%2fusers", "/feed.json%00",
             "/feed.json%00.png", "/users", "/draft.json", "/draft.meta", "/audit.log",
             "/versions/index.json", "/secret.txt", "/published/feed.json", "/../secret.txt",
             "/images/../secret.txt", "/images/../../secret.txt", "/images/%2e%2e/%2e%2e/secret.txt",
             "/images/../../../outside.txt", f"/images/{h}.png/../../users",
             f"/images/..%2f..%2f{h}.png", f"/images/{h[:63]}.png", f"/images/{h.upper()}.png",
             f"/images/{h}.gif", f"/images/{h}.png.bak", "/images/", "/images", "/images/.",
             "/images/..", "/images/....//....//users", "/images/%c0%ae%c0%ae/users",
             "/images/%u002e%u002e/users", "/api/../users", "/api/../../users",
             "/app.js/../../users", "/./users", "/.%2fusers", "/%2e/users",
             "http://127.0.0.1/../users", "/feed.json?../../users", "/images/%00/../../users",
             "/proc/self/environ", "/images/../../../../../../proc/self/environ"]
    leaks, bad = [], []
    for p in paths:
        r = get_raw(srv.port, p)
        text = r.body.decode("latin-1")
        if r.body not in known and (secret in text or "$argon2id$" in text
                                    or "root:x:0:0" in text or '"event"' in text):
            leaks.append(p)
        if r.status == 200 and r.body not in known:
            bad.append(f"{p}: 200 {r.body[:40]!r}")
        if r.status == 0 or r.status >= 500:
            bad.append(f"{p}: {r.status}")
    ok(not leaks, f"{len(paths)} traversal attempts: none shows the users file, the data "
                  f"directory or /etc {leaks[:5]}")
    ok(not bad, f"each is a 4xx or a file that is public anyway {bad[:5]}")
    r = get_raw(srv.port, "/images/../../users")
    ok(400 <= r.status < 500, f"/images/../../users: 4xx ({r.status})")
    r = c.req("GET", "/no/such/page")
    ok(r.status == 404, f"an unknown route: 404 ({r.status})")
    json_error(r, "404", 404)
    security_headers(r, "a 404")
    r = c.req("DELETE", "/")
    ok(r.status == 405, f"DELETE /: 405 ({r.status})")
    security_headers(r, "a 405")


def test_garbage(srv):
    reqs = [b"GARBAGE\r\n\r\n", b"\x00\x01\x02\x03\xff\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n", b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n",
            b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789",
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n\r\n",
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"ffffffffffffffff\r\nxx\r\n\r\n",
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"user\":",
            b"GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: ek_session=" + b"\xff" * 5000 + b"\r\n\r\n",
            b"GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: ek_session=; ek_session=a;;;=\r\n\r\n",
            b"PUT /api/draft HTTP/1.1\r\nHost: x\r\nIf-Match: \"\r\n\r\n",
            b"GET /feed.json HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + b"\"x\"," * 20000 + b"\r\n\r\n",
            b"GET /feed.json HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: garbage\r\n\r\n",
            b"GET /feed.json HTTP/1.1\r\nHost: x\r\nRange: bytes=-99999999999\r\n\r\n",
            b"GET /feed.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + b"gzip;q=," * 10000 + b"\r\n\r\n",
            b"POST /api/preview?slide=99999999999999999999&w=480&h=270 HTTP/1.1\r\nHost: x\r\n\r\n"]
    answered = 0
    for data in reqs:
        s = socket.socket()
        s.settimeout(30)
        try:
            s.connect(("127.0.0.1", srv.port))
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = s.recv(100)
            answered += got.startswith(b"HTTP/1.")
        except OSError:
            pass
        s.close()
    ok(srv.alive(), f"{len(reqs)} malformed requests: the server is still running ({answered} answered)")
    r = srv.client().req("GET", "/")
    ok(r.status == 200, f"and still answers ({r.status})")
    # Many connections opened and dropped.
    socks = []
    for _ in range(50):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", srv.port))
            s.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            socks.append(s)
        except OSError:
            s.close()
    for s in socks:
        s.close()
    r = wait_for(lambda: srv.client().req("GET", "/").status == 200, 60, step=0.5)
    ok(srv.alive() and r, "50 dropped half-sent requests: still answering")


def test_audit(srv, alice):
    path = os.path.join(srv.data, "audit.log")
    try:
        with open(path, "rb") as f:
            raw_log = f.read()
    except OSError:
        raw_log = b""
    entries, bad = [], 0
    for ln in raw_log.decode("utf-8", errors="replace").splitlines():
        try:
            entries.append(json.loads(ln))
        except ValueError:
            bad += 1
    ok(entries and not bad, f"audit.log: one JSON object a line ({len(entries)} lines, {bad} not JSON)")
    ok(all(isinstance(e.get("at"), (int, float)) and "user" in e and e.get("addr") and e.get("event")
           for e in entries), "each entry has at, user, addr, event")
    events = {e.get("event") for e in entries}
    for ev in ("login", "login_failed", "publish", "rollback", "upload"):
        ok(ev in events, f"the audit log has {ev} entries")
    ok(any(e.get("event") == "login_failed" and e.get("addr") == "127.0.0.251" for e in entries),
       "a failed log-in names the client address")
    ok(any(e.get("event") == "publish" and e.get("user") == "bob" for e in entries),
       "a publish names who")
    ok(any(e.get("event") == "rollback" and e.get("user") == "alice" for e in entries),
       "a rollback names who")
    text = raw_log.decode("utf-8", errors="replace") + srv.log_text()
    ok(not any(pw in text for pw in PASSWORDS.values()) and "wrong-password" not in text,
       "no password (right or wrong) in the audit log or the server's log")
    r = alice.req("GET", "/api/audit?limit=5")
    es = (r.json() or {}).get("entries") or []
    ok(r.status == 200 and 0 < len(es) <= 5 and all(es[i]["at"] >= es[i + 1]["at"] for i in range(len(es) - 1)),
       f"GET /api/audit?limit=5: at most 5, newest first ({len(es)})")
    for q in ("limit=-1", "limit=abc", "limit=99999999999"):
        r = alice.req("GET", "/api/audit?" + q)
        ok(r.status in (200, 400) and r.json() is not None, f"/api/audit?{q}: 200 or 400 ({r.status})")
    return raw_log


def test_logout(srv, alice):
    cookie = alice.cookie
    r = alice.req("POST", "/api/logout", b"")
    ok(r.status == 200, f"log-out: 200 ({r.status})")
    c = srv.client()
    c.cookie = cookie
    r = c.req("GET", "/api/session")
    ok(r.status == 401, f"the session is gone after log-out ({r.status})")


def test_session_details(srv, tmp):
    # A session id the client brings is never adopted (session fixation).
    c = srv.client("127.0.0.240")
    planted = "ab" * 32
    c.cookie = planted
    r = c.login("bob")
    ok(r.status == 200 and c.cookie and c.cookie != planted,
       "log-in gives a new session id, never the one the client sent")
    c2 = srv.client()
    c2.cookie = planted
    ok(c2.req("GET", "/api/session").status == 401, "the planted id is no session")
    # --add-user while the editor runs takes effect without a restart.
    rc, err = srv.add_user("erin", "erin-added-later")
    r = srv.client("127.0.0.241").login("erin", "erin-added-later")
    ok(rc == 0 and r.status == 200, f"a user added while the editor runs can log in ({r.status})")
    rc, err = srv.add_user("erin", "erin-new-password")
    r1 = srv.client("127.0.0.242").login("erin", "erin-added-later")
    r2 = srv.client("127.0.0.243").login("erin", "erin-new-password")
    ok(rc == 0 and r1.status == 401 and r2.status == 200,
       f"--add-user again changes the password ({r1.status}, {r2.status})")


def test_tls(tmp):
    """With tls_cert/tls_key the editor speaks HTTPS itself; the session
    cookie is then Secure."""
    data = os.path.join(tmp, "tls-data")
    os.makedirs(data)
    srv = Server(tmp, "tls", data, [f"tls_cert = {CERT}", f"tls_key = {CERT_KEY}"])
    try:
        srv.add_user("alice", PASSWORDS["alice"])
        ok(srv.start() and "listening on https://127.0.0.1:" in srv.log_text(),
           "with a certificate the editor listens on https://")
        if not srv.port:
            return
        c = srv.client(tls=True)
        r = c.login("alice")
        ck = next((x for x in r.all("Set-Cookie") if x.startswith("ek_session=")), "")
        attrs = [a.strip().lower() for a in ck.split(";")[1:]]
        ok(r.status == 200 and "secure" in attrs and "httponly" in attrs and "samesite=strict" in attrs,
           f"under TLS the session cookie is Secure; HttpOnly; SameSite=Strict ({r.status} {attrs})")
        r = c.req("GET", "/api/session")
        ok(r.status == 200, f"the session works over HTTPS ({r.status})")
        security_headers(r, "an HTTPS API answer", api=True)
        r = Client(srv.port).req("GET", "/api/info", timeout=30)
        ok(r.status != 200, f"plain http to the HTTPS port gets nothing ({r.status})")
        ok(srv.alive() and c.req("GET", "/").status == 200, "and the editor goes on over HTTPS")
    finally:
        srv.stop()


def kill_rounds(tmp, rounds):
    """Publishes of a 1.5 MB feed in a loop; the server is killed with
    SIGKILL at random moments; after a restart the published feed is
    one that was published, whole, and its signature matches."""
    data = os.path.join(tmp, "kill-data")
    os.makedirs(data)
    srv = Server(tmp, "kill", data, [f"signing_key = {os.path.join(KEYS, 'a.key')}", "history = 4"])
    rc, _ = srv.add_user("alice", PASSWORDS["alice"])
    ok(rc == 0, "kill -9: a user")
    sent, published = set(), set()
    rnd = random.Random(int(time.time()))
    pub_times = []
    problems = []
    tmp_files = set()
    seq = [0]
    for rnd_i in range(rounds):
        if not srv.start():
            problems.append(f"round {rnd_i}: no restart: {srv.log_text(-1)[-300:]}")
            break
        c = srv.client()
        if c.login("alice").status != 200:
            problems.append(f"round {rnd_i}: no log-in")
            srv.kill9()
            continue
        # After the restart: the state the last kill left.
        if rnd_i > 0:
            fb = srv.feed_bytes()
            if fb is None and not published:
                pass
            elif fb not in published | sent:
                problems.append(f"round {rnd_i}: feed.json ({len(fb or b'')} bytes) is no feed sent")
            else:
                good, out = minisign_ok(os.path.join(srv.published, "feed.json"))
                if not good:
                    problems.append(f"round {rnd_i}: the signature does not match feed.json: {out[-120:]}")
                r = c.req("GET", "/feed.json")
                if r.body != fb:
                    problems.append(f"round {rnd_i}: /feed.json is not feed.json")
            d = c.req("GET", "/api/draft")
            if d.status != 200:
                problems.append(f"round {rnd_i}: GET /api/draft after a kill: {d}")
            v = c.req("GET", "/api/versions")
            vj = v.json() or {}
            live = [x for x in vj.get("versions", []) if x.get("n") == vj.get("live")]
            if v.status != 200:
                problems.append(f"round {rnd_i}: GET /api/versions after a kill: {v}")
            elif fb is not None and (not live or live[0].get("hash") != sha(fb)):
                problems.append(f"round {rnd_i}: the live version is not feed.json "
                                f"(live {vj.get('live')})")
            for name in os.listdir(srv.published):
                if name not in ("feed.json", "feed.json.minisig", "images", "feed.json.tmp.99999"):
                    tmp_files.add(name)
        stop = threading.Event()
        started = threading.Event()

        def loop():
            while not stop.is_set():
                seq[0] += 1
                text = big_feed(f"第{seq[0]}版")
                d = c.req("GET", "/api/draft", timeout=60)
                rev = (d.json() or {}).get("rev")
                if rev is None:
                    return
                r = c.put_draft(text, rev, timeout=60)
                if r.status != 200:
                    return
                sent.add(text)
                t = time.monotonic()
                started.set()
                r = c.publish(r.json()["rev"], f"大文件 {seq[0]}", timeout=60)
                if r.status == 200:
                    published.add(text)
                    pub_times.append(time.monotonic() - t)
                elif r.status != 0:
                    problems.append(f"publish: {r}")
                    return
                else:
                    return
        th = threading.Thread(target=loop, daemon=True)
        th.start()
        started.wait(120)
        # Mostly inside the first publish (up to about the time one
        # takes), every third round anywhere in the next few.
        typical = sorted(pub_times)[len(pub_times) // 2] if pub_times else 0.5
        time.sleep(rnd.uniform(0, typical * (8 if rnd_i % 3 == 2 else 1.5)))
        srv.kill9()
        stop.set()
        th.join(120)
    # A temp file as a kill during its writing leaves it is never taken
    # for the feed.
    with open(os.path.join(srv.published, "feed.json.tmp.99999"), "wb") as f:
        f.write('{"format": "edukiosk/1", "slides": [{"type": "title", "title": "半'.encode())
    if srv.start():
        c = srv.client()
        c.login("alice")
        fb = srv.feed_bytes()
        r = c.req("GET", "/feed.json")
        ok(r.status == 200 and r.body == fb, "kill -9: a leftover temp file is not taken for the feed")
        ok(fb in published | sent and minisign_ok(os.path.join(srv.published, "feed.json"))[0],
           "kill -9: after the last kill the feed is one that was published, signed")
        r = c.save_and_publish(big_feed("最后"))
        ok(r.status == 200 and srv.feed_bytes() == big_feed("最后"),
           f"kill -9: publishing works again after the kills ({r.status})")
        rc = srv.stop()
        ok(rc == 0, f"kill -9: the editor stops on SIGTERM with 0 ({rc})")
    else:
        ok(False, "kill -9: the editor starts after the last kill")
    ok(len(published) >= rounds // 2, f"kill -9: {len(published)} publishes went through, "
                                      f"{len(sent)} were sent, in {rounds} rounds")
    ok(not problems, f"kill -9 during publish, {rounds} rounds: the published feed is always "
                     f"a whole one that was published, signed {problems[:4]}")
    print(f"note: kill -9: files other than the feed left in the published directory: "
          f"{sorted(tmp_files)[:5]} ({len(tmp_files)}); a publish takes about "
          f"{sorted(pub_times)[len(pub_times) // 2] if pub_times else 0:.2f} s")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        srv = Server(tmp, "editor", data, [f"signing_key = {os.path.join(KEYS, 'a.key')}",
                                           f"history = {HISTORY}"])
        try:
            test_users_file(srv)
            if not ok(srv.start(), f"the editor starts and says where it listens "
                                   f"({srv.log_text()[-300:] if srv.logs else ''})"):
                return
            anon = srv.client()
            test_before_login(srv, anon)
            alice = test_login(srv, tmp)
            bob = srv.client("127.0.0.250")
            ok(bob.login("bob").status == 200, "bob logs in")
            r = alice.req("GET", "/api/info")
            info = r.json() or {}
            ok(r.status == 200 and info.get("signing") is True and info.get("key_id") == "66AA3F7C0E776AD5"
               and isinstance(info.get("limits"), dict) and info.get("version"),
               f"/api/info: signing, the key id, limits, version ({str(info)[:200]})")
            test_draft_and_conflict(srv, alice, bob, info)
            test_check(srv, alice, tmp)
            test_preview(srv, alice)
            v1, v1n = test_publish(srv, alice, bob, tmp)
            etag = test_served_feed(srv, anon, v1)
            test_csrf(srv, alice, bob, v1n)
            texts = test_versions(srv, alice, bob, v1, v1n, etag)
            pic = test_uploads(srv, alice, info)
            known = set(texts.values()) | {pic, JPEG} | set(
                open(p, "rb").read() for p in glob.glob(os.path.join(srv.published, "images", "*")))
            for p in ("/", "/app.js", "/app.css", "/feed.json", "/feed.json.minisig"):
                known.add(anon.req("GET", p).body)
            test_traversal(srv, anon, known)
            test_garbage(srv)
            test_session_details(srv, tmp)
            log1 = test_audit(srv, alice)
            test_logout(srv, alice)
            r = bob.req("GET", "/api/session")
            ok(r.status == 200, f"bob's session is untouched by alice's log-out ({r.status})")
            with open(os.path.join(data, "audit.log"), "rb") as f:
                log2 = f.read()
            ok(log2.startswith(log1) and len(log2) > len(log1), "the audit log only grows (append-only)")
            last = json.loads(log2.decode().splitlines()[-1]) if log2.strip() else {}
            ok(last.get("event") == "logout" and last.get("user") == "alice",
               f"the log-out is in the audit log ({last})")
            ok(srv.alive(), "the editor never crashed")
            rc = srv.stop()
            ok(rc == 0, f"the editor stops on SIGTERM with 0 ({rc})")
            ok(srv.start(), "the editor starts again on the same data")
            c = srv.client()
            c.cookie, c.csrf = bob.cookie, bob.csrf
            ok(c.req("GET", "/api/session").status == 401, "a restart ends the sessions")
            ok(c.login("bob").status == 200, "log-in again after the restart")
            ok(Client(srv.port).req("GET", "/feed.json").body == srv.feed_bytes(),
               "the published feed is served after the restart")
            srv.stop()

            test_tls(tmp)
            rounds = int(os.environ.get("EDITOR_KILL_ROUNDS", "20"))
            kill_rounds(tmp, rounds)
        finally:
            if srv.proc is not None and srv.alive():
                srv.proc.kill()
                srv.proc.wait()
            if failures and srv.logs:
                sys.stderr.write("--- editor log (tail) ---\n" + srv.log_text()[-4000:] + "\n")


if __name__ == "__main__":
    main()
    print(f"editor api: {count[0] - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)
