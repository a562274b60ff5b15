"""edukiosk-editor under valgrind: log in, read and check the draft, draw a
preview, save, a conflicting save, publish (signed), fetch the feed with
gzip and a 304, upload an image, roll back, log out, and some bad
requests; then SIGTERM.  Passes when every answer is the expected one and
valgrind reports no error and no definite or indirect leak."""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def main():
    editor = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="ek-vg-")
    data = os.path.join(tmp, "data")
    subprocess.run([editor, "--data-dir", data, "--add-user", "alice"],
                   input=b"correct horse\n", check=True, stdout=subprocess.DEVNULL)
    log = open(os.path.join(tmp, "valgrind.log"), "w+")
    proc = subprocess.Popen(
        ["valgrind", "-q", "--error-exitcode=9", "--leak-check=full",
         "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
         "--suppressions=" + os.path.join(HERE, "valgrind.supp"), editor,
         "--data-dir", data, "--listen", "127.0.0.1:0",
         "--set", "signing_key=" + os.path.join(HERE, "data/sign/a.key")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    for line in proc.stderr:
        log.write(line)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    if not port:
        print("the editor did not start:\n" + open(log.name).read())
        return 1
    state = {"cookie": None, "csrf": None}

    def req(method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        h = dict(headers or {})
        if state["cookie"]:
            h["Cookie"] = state["cookie"]
        if state["csrf"]:
            h["X-CSRF-Token"] = state["csrf"]
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        d = r.read()
        c.close()
        return r.status, r, d

    s, r, d = req("POST", "/api/login", {"user": "alice", "password": "wrong password"})
    check(s == 401, "wrong password: 401 (%d)" % s)
    s, r, d = req("POST", "/api/login", b"{not json")
    check(s == 400, "malformed log-in: 400 (%d)" % s)
    s, r, d = req("POST", "/api/login", {"user": "alice", "password": "correct horse"})
    check(s == 200, "log-in: 200 (%d)" % s)
    state["cookie"] = r.getheader("Set-Cookie").split(";")[0]
    state["csrf"] = json.loads(d)["csrf"]
    s, r, d = req("GET", "/api/draft")
    draft = json.loads(d)
    check(s == 200 and draft["rev"] == 1, "draft: rev 1")
    s, r, d = req("POST", "/api/check", draft["text"])
    check(s == 200 and json.loads(d)["valid"], "the built-in deck checks valid")
    s, r, d = req("POST", "/api/preview?slide=2&w=1280&h=720", draft["text"])
    check(s == 200 and d[:8] == b"\x89PNG\r\n\x1a\n", "preview: a PNG (%d)" % s)
    s, r, d = req("POST", "/api/preview?slide=0&w=1280&h=720", b'{"format": "edukiosk/1", "slides": [{"type": "title"}]}')
    check(s == 422, "preview of a slide without its title: 422 (%d)" % s)
    text = draft["text"].replace("加快建设新时代教育强区", "valgrind 测试", 1)
    s, r, d = req("PUT", "/api/draft", text, {"If-Match": '"1"'})
    check(s == 200 and json.loads(d)["rev"] == 2, "save: rev 2 (%d)" % s)
    s, r, d = req("PUT", "/api/draft", text, {"If-Match": '"1"'})
    check(s == 409, "save from an old rev: 409 (%d)" % s)
    s, r, d = req("POST", "/api/publish", {"summary": "valgrind"}, {"If-Match": '"2"'})
    check(s == 200 and json.loads(d)["signed"], "publish, signed (%d)" % s)
    s, r, d = req("GET", "/feed.json", None, {"Accept-Encoding": "gzip"})
    etag = r.getheader("ETag")
    check(s == 200 and r.getheader("Content-Encoding") == "gzip", "feed with gzip")
    s, r, d = req("GET", "/feed.json", None, {"If-None-Match": etag})
    check(s == 304, "feed: 304 (%d)" % s)
    png = open(os.path.join(ROOT, "assets/images/logo.png"), "rb").read()
    s, r, d = req("POST", "/api/images", png, {"Content-Type": "image/png"})
    check(s == 200, "upload a PNG (%d)" % s)
    s, r, d = req("POST", "/api/images", png[:2000], {"Content-Type": "image/png"})
    check(s == 422, "a truncated PNG: 422 (%d)" % s)
    s, r, d = req("POST", "/api/images", b"GIF89a" + b"\0" * 100, {"Content-Type": "image/gif"})
    check(s == 415, "a GIF: 415 (%d)" % s)
    s, r, d = req("POST", "/api/check", b"x" * (3 << 20))
    check(s == 413, "a body over max_feed_bytes: 413 (%d)" % s)
    s, r, d = req("POST", "/api/versions/1/publish", None, {"If-Match": '"2"'})
    check(s == 200, "roll back to version 1 (%d)" % s)
    csrf, state["csrf"] = state["csrf"], None
    s, r, d = req("POST", "/api/publish", {}, {"If-Match": '"3"'})
    check(s == 403, "no CSRF token: 403 (%d)" % s)
    state["csrf"] = csrf
    s, r, d = req("GET", "/images/..%2f..%2fusers")
    check(s == 404, "a path out of images/: 404 (%d)" % s)
    s, r, d = req("POST", "/api/logout")
    check(s == 200, "log-out (%d)" % s)
    s, r, d = req("GET", "/api/draft")
    check(s == 401, "after log-out: 401 (%d)" % s)

    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    rc = proc.wait(timeout=300)
    log.write(rest)
    errors = [l for l in rest.splitlines() if l.startswith("==")]
    check(rc == 0 and not errors, "valgrind: exit %d, no errors or leaks" % rc)
    if errors:
        print("\n".join(errors[:60]))
    print("editor under valgrind: %d failed" % len(failures))
    log.close()
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
