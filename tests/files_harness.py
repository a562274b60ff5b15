#!/usr/bin/env python3
"""The files the real binary reads and writes, under hostile conditions.
A full disk is a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored): every
write past it fails with EFBIG, as on a full card, with no root needed.
A FIFO stands in place of a file the kiosk reads.
Usage: files_harness.py BINARY"""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile

from harness import check, failures, read_json, wait_for

BIN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
OLD = b"the previous, good file\n"


def limits(fsize=None):
    """preexec_fn: a full disk after fsize bytes, and never more than 1 GiB
    of address space (a reader without a cap must not eat the machine)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR", "CACHE_DIRECTORY")}
    env["SDL_VIDEODRIVER"] = "offscreen"
    return env


def run(args, fsize=None, timeout=30, env=None):
    """Runs the binary; (exit code or None on a timeout, stderr, peak RSS KiB)."""
    p = subprocess.Popen([BIN] + args, env=env or clean_env(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, preexec_fn=limits(fsize))
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, err.decode(errors="replace"), 0
    return p.returncode, err.decode(errors="replace"), 0


def run_rss(args, timeout=20):
    """Like run(), with the child's peak RSS from wait4()."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 2)
        limits()()
        os.execve(BIN, [BIN] + args, clean_env())
    os.close(w)
    err = b""
    signal.signal(signal.SIGALRM, lambda *a: os.kill(pid, signal.SIGKILL))
    signal.alarm(timeout)
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        err += chunk
    _, status, ru = os.wait4(pid, 0)
    signal.alarm(0)
    os.close(r)
    code = os.waitstatus_to_exitcode(status)
    return code, err.decode(errors="replace"), ru.ru_maxrss


def same(path, data):
    try:
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def no_temp_files(d):
    return not any(".tmp" in n for n in os.listdir(d))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def feed(n, words=1):
    return json.dumps({"format": "edukiosk/1", "school": "文件测试学校",
                       "defaults": {"duration": 3, "transition": "cut"},
                       "slides": [{"type": "title", "id": f"s{i}",
                                   "title": "标题 " * words + str(i)} for i in range(n)]},
                      ensure_ascii=False).encode()


# 1. SIGUSR1 screenshot on a full disk: the old picture stays, the log says so.
with tempfile.TemporaryDirectory() as tmp:
    run_dir = os.path.join(tmp, "run")
    os.mkdir(run_dir)
    status = os.path.join(run_dir, "status.json")
    shot = os.path.join(run_dir, "screenshot.png")
    write(shot, OLD)
    log = open(os.path.join(tmp, "stderr.log"), "w+b")
    p = subprocess.Popen([BIN, "--no-config", "--window", "640x360", "--status-file", status,
                          "--set", "cache_dir=" + os.path.join(tmp, "cache"),
                          "--exit-after", "60"],
                         env=clean_env(), stdout=subprocess.DEVNULL, stderr=log,
                         preexec_fn=limits(16 * 1024))
    try:
        wait_for(lambda: read_json(status), 20)

        def logged(text):
            log.seek(0)
            return text in log.read().decode(errors="replace")
        os.kill(p.pid, signal.SIGUSR1)
        failed = wait_for(lambda: logged("cannot write screenshot"), 15)
        check(failed, "a screenshot on a full disk is logged as not written")
        check(not logged("screenshot written"), "... and not as written")
        check(same(shot, OLD), "... and the previous screenshot stays as it was")
        check(no_temp_files(run_dir), "... and no temp file is left behind")
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        log.close()

# 2. --render on a full disk: an error, and the old slide PNG is untouched.
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    os.mkdir(out)
    write(os.path.join(out, "slide-01.png"), OLD)
    rc, err, _ = run(["--no-config", "--render", out, "--size", "1280x720"],
                     fsize=16 * 1024, timeout=120)
    check(rc not in (None, 0), f"--render on a full disk fails (exit {rc})")
    check("cannot write" in err and "slide-01.png" in err,
          "... and says which file it could not write")
    check(same(os.path.join(out, "slide-01.png"), OLD),
          "... and the previous slide-01.png is untouched")
    check(no_temp_files(out), "... and no temp file is left behind")

# 3. The status file on a full disk: the old one stays, the log says so.
with tempfile.TemporaryDirectory() as tmp:
    status = os.path.join(tmp, "status.json")
    write(status, OLD)
    rc, err, _ = run(["--no-config", "--window", "320x180", "--status-file", status,
                      "--set", "cache_dir=" + os.path.join(tmp, "cache"),
                      "--exit-after", "3"], fsize=64)
    check(rc == 0, f"the kiosk runs on with a full disk (exit {rc})")
    check("cannot write " + status in err, "a status file that cannot be written is logged")
    check(same(status, OLD) and no_temp_files(tmp), "... and the old status file stays")

# 4. The cache on a full disk: the new feed shows, the old cache stays.
with tempfile.TemporaryDirectory() as tmp:
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    small, big = feed(2), feed(40, words=60)
    write(os.path.join(www, "feed.json"), small)
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "http_server.py"), www],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{int(srv.stdout.readline())}/files/feed.json"
        cache = os.path.join(tmp, "cache")
        status = os.path.join(tmp, "status.json")
        args = ["--no-config", "--feed", url, "--window", "320x180", "--status-file", status,
                "--set", "cache_dir=" + cache, "--exit-after", "10"]
        rc, err, _ = run(args)
        check(rc == 0 and same(os.path.join(cache, "feed.json"), small),
              f"a first run caches the feed (exit {rc})")
        write(os.path.join(www, "feed.json"), big)
        os.unlink(status)
        rc, err, _ = run(args, fsize=len(big) // 2)
        st = read_json(status) or {}
        check(rc == 0 and st.get("deck", {}).get("slides") == 40,
              f"with a full disk the new feed still goes on screen ({st.get('deck')})")
        check("cannot write the cache" in err and os.strerror(27) in err,
              "... the failed cache write is logged with its reason")
        check(same(os.path.join(cache, "feed.json"), small) and no_temp_files(cache),
              "... and the previous cached feed stays whole")
    finally:
        srv.stdin.close()
        srv.wait(timeout=10)


# 5. A FIFO in place of a file the kiosk reads: it starts within seconds,
#    shows a deck, and the log names the path and what it is.
def kiosk_with(args, tmp):
    status = os.path.join(tmp, "status.json")
    rc, err, _ = run(["--window", "320x180", "--status-file", status, "--exit-after", "3"]
                     + args, timeout=30)
    return rc, err, read_json(status) or {}


with tempfile.TemporaryDirectory() as tmp:
    cache = os.path.join(tmp, "cache")
    os.mkdir(cache)
    os.mkfifo(os.path.join(cache, "feed.json"))
    os.mkfifo(os.path.join(cache, "feed.meta"))
    rc, err, st = kiosk_with(["--no-config", "--feed", "http://127.0.0.1:9/feed.json",
                              "--set", "cache_dir=" + cache], tmp)
    check(rc == 0 and st.get("deck", {}).get("source") == "builtin",
          f"a FIFO as the cached feed: the kiosk starts with the built-in deck (exit {rc})")
    check(os.path.join(cache, "feed.json") + ": is a FIFO, not a regular file" in err,
          "... and the log names the cached feed and says it is a FIFO")

with tempfile.TemporaryDirectory() as tmp:
    fifo = os.path.join(tmp, "feed.json")
    os.mkfifo(fifo)
    rc, err, st = kiosk_with(["--no-config", "--feed", fifo], tmp)
    check(rc == 0 and st.get("deck", {}).get("source") == "builtin",
          f"a FIFO as the local feed: the kiosk starts with the built-in deck (exit {rc})")
    check(fifo + ": is a FIFO, not a regular file" in err, "... and the log says why")

with tempfile.TemporaryDirectory() as tmp:
    pic = os.path.join(tmp, "photo.png")
    os.mkfifo(pic)
    local = os.path.join(tmp, "feed.json")
    write(local, json.dumps({"format": "edukiosk/1", "school": "文件测试学校",
                             "slides": [{"type": "image", "src": "photo.png",
                                         "caption": "照片"},
                                        {"type": "title", "title": "欢迎"}]},
                            ensure_ascii=False).encode())
    rc, err, st = kiosk_with(["--no-config", "--feed", local], tmp)
    check(rc == 0 and st.get("deck", {}).get("source") == "file",
          f"a FIFO as a picture: the local feed shows (exit {rc}, {st.get('deck')})")
    check("is a FIFO, not a regular file" in err and "photo.png" in err,
          "... and the log names the picture")

with tempfile.TemporaryDirectory() as tmp:
    fifo = os.path.join(tmp, "edukiosk.conf")
    os.mkfifo(fifo)
    rc, err, _ = run(["--config", fifo, "--print-config"], timeout=20)
    check(rc == 2 and fifo + ": is a FIFO, not a regular file" in err,
          f"a FIFO as the configuration: exit 2 at once with a clear message (exit {rc})")

# 6. --config /dev/zero: exit 2 at once, in bounded memory.
rc, err, rss = run_rss(["--config", "/dev/zero", "--print-config"])
check(rc == 2 and "/dev/zero: is a character device, not a regular file" in err,
      f"--config /dev/zero: exit 2 with a clear message (exit {rc}: {err.strip()[:120]})")
check(0 < rss < 100 * 1024, f"... in bounded memory (peak RSS {rss} KiB)")

# 7. --print-config checks paths on this machine (what the roll-out
#    validates a file with).
with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "edukiosk.conf")
    missing = os.path.join(tmp, "district-ca.pem")
    write(conf, f"[feed]\nca_file = {missing}\n[paths]\ncache_dir = cache\n".encode())
    rc, err, _ = run(["--config", conf, "--print-config"])
    check(rc == 2, f"--print-config rejects a bad file (exit {rc})")
    check(f"{conf}:2: ca_file: {missing}: No such file or directory" in err,
          "... a ca_file that does not exist, with FILE:LINE")
    check(f"{conf}:4: cache_dir: cache: must be an absolute path" in err,
          "... and a relative cache_dir, with FILE:LINE")
    write(conf, ("[feed]\nca_file = " + os.path.join(HERE, "data", "fetch", "test-cert.pem")
                 + "\n[paths]\ncache_dir = " + os.path.join(tmp, "cache") + "\n").encode())
    rc, err, _ = run(["--config", conf, "--print-config"])
    check(rc == 0, f"... and accepts the same keys done right (exit {rc}: {err.strip()})")

print(f"files: {len(failures)} failures")
sys.exit(1 if failures else 0)
