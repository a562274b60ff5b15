#!/usr/bin/python3
"""A small HTTP server for the fetcher's tests (Python standard library only).

Usage: http_server.py [--tls CERT KEY] DOCROOT
Listens on 127.0.0.1 on a free port and prints that port on the first line
of stdout.  With --tls it speaks HTTPS with that certificate.  Exits when stdin reaches end of file (the test closed its pipe or
died) or on SIGTERM.

Scenarios, chosen by path (GET only):
  /files/NAME[?etag=0&lm=0&gzip=1&chunked=1]
        DOCROOT/NAME with an ETag (a hash of the content) and Last-Modified
        (the file's mtime), answering If-None-Match / If-Modified-Since with
        304.  etag=0 / lm=0 leave a validator out.  gzip=1 sends the body
        gzip-encoded and answers 406 to a client that does not accept gzip.
        chunked=1 sends it with chunked transfer coding.
  /status/CODE                 that status with a short body
  /redirect/N?to=PATH          N redirects (302), then PATH
  /loop                        redirects to itself forever
  /tofile                      redirects to a file:// URL
  /drip?bytes=N&interval=S     Content-Length N, one byte every S seconds
  /stall?bytes=N               Content-Length N, half of it, then silence
  /big?bytes=N&cl=1&stall=0    N bytes, with Content-Length (cl=1) or
                               chunked (cl=0); stall=1 sends the headers
                               only and then nothing
  /truncated?bytes=N&send=M    Content-Length N, M bytes, then close
  /shortcl/NAME?n=N&cut=K&junk=K
                               the first N requests (default 1) for NAME get
                               DOCROOT/NAME without validators and with a
                               Content-Length K bytes short of it (cut=K:
                               its last K bytes follow later) or K bytes of
                               junk after it (junk=K); the rest of the body
                               is written once the client sends its next
                               request on that connection.  Later requests
                               are answered like /files/NAME.
  /nothttp                     bytes without a status line, then close
  /bigheader?bytes=N&lines=L   200 with L headers of N bytes in all, then a
                               short body
  /png/WxH[?etag=0]            a real W x H PNG, with ETag support
  /pngheader/WxH               a PNG whose header claims W x H pixels
                               (decompression bomb) but carries no pixels
  /garbage/N                   N bytes that are no image
  /flaky/KEY?fail=N&then=PATH  503 to the first N requests for KEY, then a
                               redirect to PATH
  /_log                        "STATUS PATH" per request so far, one a line
  /_reset                      forgets the log and the flaky counters
Every handler that waits does so in bounded steps (at most about a minute).
"""
import email.utils
import gzip
import hashlib
import http.server
import os
import ssl
import select
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

DOCROOT = "."
LOG = []
LOG_LOCK = threading.Lock()
FLAKY = {}
MAX_WAIT_S = 60.0


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def make_png(w, h, with_pixels=True):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    if with_pixels:
        row = b"\x00" + bytes([0x20, 0x60, 0xC0]) * w
        idat = zlib.compress(row * h, 9)
    else:
        idat = zlib.compress(b"\x00" * 16)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def parse_size(s):
    w, _, h = s.partition("x")
    return int(w), int(h)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "edukiosk-test/1"

    def log_message(self, fmt, *args):  # quiet: the test output stays readable
        pass

    def record(self, status):
        with LOG_LOCK:
            LOG.append("%d %s" % (status, self.path))

    def reply(self, status, body=b"", headers=None, ctype="text/plain"):
        self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_chunked(self, body, step=4096):
        for i in range(0, len(body), step):
            part = body[i:i + step]
            self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def wait_quietly(self, seconds):
        """Sleeps in small steps; gives up early once the client is gone."""
        end = time.monotonic() + min(seconds, MAX_WAIT_S)
        while time.monotonic() < end:
            ready, _, _ = select.select([self.connection], [], [], 0.1)
            if ready and not self.connection.recv(1, socket.MSG_PEEK):
                return

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        parts = url.path.split("/")[1:]
        head = parts[0] if parts else ""
        try:
            handler = getattr(self, "route_" + head.lstrip("_"), None)
            if head.startswith("_"):
                handler = getattr(self, "ctl_" + head[1:], None)
            if handler is None:
                self.reply(404, b"no such scenario\n")
                return
            handler(parts[1:], q)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ---- control
    def ctl_log(self, parts, q):
        with LOG_LOCK:
            text = "".join(line + "\n" for line in LOG)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text.encode())))
        self.end_headers()
        self.wfile.write(text.encode())

    def ctl_reset(self, parts, q):
        with LOG_LOCK:
            LOG.clear()
            FLAKY.clear()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ---- scenarios
    def conditional(self, body, mtime, q):
        """Sends 304 when the request's validators match; returns the
        validator headers to send otherwise (None after a 304)."""
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        headers = {}
        use_etag = q.get("etag") != "0"
        use_lm = q.get("lm") != "0" and mtime is not None
        if use_etag:
            headers["ETag"] = etag
        if use_lm:
            headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if use_etag and inm is not None:
            if etag in [t.strip() for t in inm.split(",")]:
                self.reply(304, headers=headers)
                return None
        elif use_lm and ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                since = None
            if since is not None and int(mtime) <= since:
                self.reply(304, headers=headers)
                return None
        return headers

    def route_files(self, parts, q):
        name = "/".join(parts)
        path = os.path.join(DOCROOT, name)
        if ".." in parts or not os.path.isfile(path):
            self.reply(404, b"not found\n")
            return
        with open(path, "rb") as f:
            body = f.read()
        headers = self.conditional(body, os.stat(path).st_mtime, q)
        if headers is None:
            return
        ctype = "application/json" if name.endswith(".json") else "application/octet-stream"
        if q.get("gzip") == "1":
            if "gzip" not in self.headers.get("Accept-Encoding", ""):
                self.reply(406, b"gzip only\n")
                return
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if q.get("chunked") == "1":
            self.record(200)
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", ctype)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.send_chunked(body)
            return
        self.reply(200, body, headers, ctype)

    def route_status(self, parts, q):
        code = int(parts[0]) if parts and parts[0].isdigit() else 500
        self.reply(code, b"status %d\n" % code)

    def route_redirect(self, parts, q):
        n = int(parts[0]) if parts and parts[0].isdigit() else 1
        to = q.get("to", "/files/feed.json")
        if n > 1:
            loc = "/redirect/%d?%s" % (n - 1, urllib.parse.urlencode({"to": to}))
        else:
            loc = to
        self.reply(302, b"", {"Location": loc})

    def route_loop(self, parts, q):
        self.reply(302, b"", {"Location": "/loop"})

    def route_tofile(self, parts, q):
        self.reply(302, b"", {"Location": "file:///etc/hostname"})

    def route_drip(self, parts, q):
        n = int(q.get("bytes", "100000"))
        interval = float(q.get("interval", "0.25"))
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        end = time.monotonic() + MAX_WAIT_S
        for _ in range(n):
            if time.monotonic() > end:
                break
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(interval)
        self.close_connection = True

    def route_stall(self, parts, q):
        n = int(q.get("bytes", "100000"))
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(b" " * (n // 2))
        self.wfile.flush()
        self.wait_quietly(MAX_WAIT_S)
        self.close_connection = True

    def route_big(self, parts, q):
        n = int(q.get("bytes", "1000000"))
        cl = q.get("cl", "1") == "1"
        stall = q.get("stall") == "1"
        body = b" " * n
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if cl:
            self.send_header("Content-Length", str(n))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if stall:
            self.wfile.flush()
            self.wait_quietly(MAX_WAIT_S)
            self.close_connection = True
            return
        if cl:
            self.wfile.write(body)
        else:
            self.send_chunked(body)

    def route_truncated(self, parts, q):
        n = int(q.get("bytes", "1000"))
        m = int(q.get("send", "100"))
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(b"{" + b" " * (m - 1))
        self.wfile.flush()
        self.close_connection = True

    def route_flaky(self, parts, q):
        key = parts[0] if parts else ""
        with LOG_LOCK:
            seen = FLAKY.get(key, 0)
            FLAKY[key] = seen + 1
        if seen < int(q.get("fail", "1")):
            self.reply(503, b"try again later\n")
        else:
            self.reply(302, b"", {"Location": q.get("then", "/png/8x8")})

    def route_shortcl(self, parts, q):
        name = "/".join(parts)
        path = os.path.join(DOCROOT, name)
        with LOG_LOCK:
            seen = FLAKY.get("shortcl:" + name, 0)
            FLAKY["shortcl:" + name] = seen + 1
        if seen >= int(q.get("n", "1")) or ".." in parts or not os.path.isfile(path):
            self.route_files(parts, q)
            return
        with open(path, "rb") as f:
            body = f.read()
        cut = min(int(q.get("cut", "0")), len(body))
        junk = int(q.get("junk", "0"))
        told = len(body) - cut
        body += (b"\x01junk\x7f" * (junk // 6 + 1))[:junk]
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(told))
        self.end_headers()
        self.wfile.write(body[:told])
        self.wfile.flush()
        # The excess comes when the client asks again on this connection:
        # it then reads it as the start of the next response.
        select.select([self.connection], [], [], MAX_WAIT_S)
        self.wfile.write(body[told:])
        self.wfile.flush()

    def route_nothttp(self, parts, q):
        self.record(0)
        self.wfile.write(b"<html>no status line here</html>\r\n")
        self.wfile.flush()
        self.close_connection = True

    def route_bigheader(self, parts, q):
        n = int(q.get("bytes", "1000000"))
        lines = max(1, int(q.get("lines", "1")))
        self.record(200)
        self.send_response(200)
        for i in range(lines):
            self.send_header("X-Filler-%d" % i, "a" * max(1, n // lines))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"{}\n")

    def route_png(self, parts, q):
        w, h = parse_size(parts[0] if parts else "2x2")
        if w * h > 4000000:
            self.reply(400, b"too big for a test\n")
            return
        body = make_png(w, h)
        headers = self.conditional(body, None, q)
        if headers is not None:
            self.reply(200, body, headers, "image/png")

    def route_pngheader(self, parts, q):
        w, h = parse_size(parts[0] if parts else "100000x100000")
        self.reply(200, make_png(w, h, with_pixels=False), None, "image/png")

    def route_garbage(self, parts, q):
        n = int(parts[0]) if parts and parts[0].isdigit() else 1000
        body = bytes((i * 7 + 3) & 0xFF for i in range(n))
        self.reply(200, body, None, "image/png")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up early are part of the scenarios.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def watch_stdin():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    global DOCROOT
    args = sys.argv[1:]
    tls = None
    if len(args) == 4 and args[0] == "--tls":
        tls = args[1:3]
        args = args[3:]
    if len(args) != 1:
        sys.stderr.write("usage: http_server.py [--tls CERT KEY] DOCROOT\n")
        return 2
    DOCROOT = args[0]
    srv = Server(("127.0.0.1", 0), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        # The handshake happens in the handler's thread, not in accept().
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=watch_stdin, daemon=True).start()
    srv.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
