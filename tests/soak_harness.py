#!/usr/bin/env python3
"""The soak: the real kiosk loop through DAYS simulated days in minutes.

Usage: soak_harness.py BINARY [--leak-binary LSAN_BINARY] [--days N]
                              [--start "YYYY-MM-DD HH:MM"] [--seed N]

Runs BINARY headless (SDL offscreen, software drawing, 320x180) on
simulated time (EDUKIOSK_SIM_TIME), fetching from tests/soak_server.py:
a signed feed (test key A of tests/data/sign is the kiosk's
feed_public_key) that changes at every poll with faults mixed in, bad
signatures and replays among them, dated slides and alerts that come and
go, a display schedule that turns the screen off and on every day.  Samples the process from /proc once it is warmed up and
again near the end.  With --leak-binary, a LeakSanitizer build runs the
same days alongside and reports leaks at its exit.  Details go to
stderr; stdout gets exactly one line:

  soak: days=D slide_changes=N deck_swaps=N rss_growth_kb=N leaks=N fds_leaked=N

slide_changes and deck_swaps are the kiosk's own counters (its --stats
line).  The exit status is 1 when a limit below is broken: fewer slide
changes or deck swaps than 200 000 and 5 000 per 30 days, peak RSS
(VmHWM) growing more than 1 MiB from warm-up to the end, any leak, a
file descriptor or thread more at the end than at warm-up, a kiosk that
fails, stalls or misses the screen's daily off/on, a feed with a bad
signature on screen (status.json's deck hash), a deck signed earlier than
the one before it (a replay taken), bad signatures not counted.
"""
import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from soak_server import metrics_now as sim_now, read_metrics

HERE = os.path.dirname(os.path.abspath(__file__))

RSS_GROWTH_LIMIT_KB = 1024
# The feed, its metadata and a deck's images (the server names a new
# image every 13th version, a few hundred in a month).
CACHE_FILES_LIMIT = 40
# Real seconds without the simulated clock moving: the kiosk hangs or spins.
STALL_S = 60
# Per simulated day: 200 000 slides and 5 000 decks in 30 days.
SLIDES_PER_DAY = 200000 / 30
SWAPS_PER_DAY = 5000 / 30
# The soak server's answers with a bad signature (soak_server.py FAULTS).
SIGNATURE_FAULTS = ("unsigned", "badsig", "wrongkey", "garbagesig", "replay")


def log(msg):
    sys.stderr.write("soak: " + msg + "\n")
    sys.stderr.flush()


def proc_sample(pid):
    """VmHWM and VmRSS (kB), open fds and threads of pid, or None."""
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as f:
            text = f.read()
        fds = len(os.listdir("/proc/%d/fd" % pid))
        tasks = len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return None
    hwm = re.search(r"^VmHWM:\s+(\d+)", text, re.M)
    rss = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
    if not hwm or not rss:
        return None
    return {"hwm": int(hwm.group(1)), "rss": int(rss.group(1)), "fds": fds,
            "tasks": tasks}


def write_config(path, url, tmp):
    power = os.path.join(tmp, "power.log")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""[kiosk]
ticker = yes
log_level = warning

[feed]
url = {url}
feed_public_key = {os.path.join(HERE, "data", "sign", "a.pub")}
refresh = 240
connect_timeout = 5
timeout = 20

[schedule]
mon = 06:30-22:00
tue = 06:30-22:00
wed = 06:30-22:00
thu = 06:30-22:00
fri = 06:30-23:30
sat = 08:00-02:00
sun = 09:00-20:00
off_cmd = echo off >> {power}
on_cmd = echo on >> {power}

[paths]
cache_dir = {tmp}/cache
status_file = {tmp}/run/status.json
metrics_file = {tmp}/run/metrics.prom
""")
    return power


def read_status(path):
    """status.json, or None while missing or half written."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def count_leaks(stderr_text):
    """Leak reports of LeakSanitizer (direct and indirect)."""
    return len(re.findall(r"^(Direct|Indirect) leak of ", stderr_text, re.M))


class Soak:
    """One run of BINARY through the simulated days, sampled from /proc."""

    def __init__(self, binary, args, label, check_rss=True):
        self.binary, self.args, self.label = binary, args, label
        self.check_rss = check_rss
        self.failures = []
        self.slides = self.swaps = self.leaks = 0
        self.rss_growth = self.fds_leaked = -1

    def log(self, msg):
        log("%s%s" % (self.label and self.label + ": ", msg))

    def run(self):
        args, days = self.args, self.args.days
        # A day of warm-up (a fifth of a short run), then the comparison.
        warm_day = min(1.0, days / 5)
        # The end window stops short of the exit, whose teardown ends threads.
        end_day = days - min(0.5, days / 10)
        last_day = days - min(0.02, days / 100)
        start = int(datetime.datetime.strptime(args.start, "%Y-%m-%d %H:%M").timestamp())
        failures = self.failures
        # Status, metrics and cache on a RAM file system, as /run is: the
        # cache's fsyncs on a busy disk would set the pace otherwise.
        ram = "/dev/shm" if os.path.isdir("/dev/shm") else None
        with tempfile.TemporaryDirectory(prefix="edukiosk-soak-", dir=ram) as tmp:
            self.run_in(tmp, start, days, warm_day, end_day, last_day, failures)

    def run_in(self, tmp, start, days, warm_day, end_day, last_day, failures):
        args = self.args
        metrics_path = os.path.join(tmp, "run", "metrics.prom")
        docroot = os.path.join(tmp, "www")
        os.makedirs(docroot)
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "soak_server.py"),
                                docroot, str(start), metrics_path, str(args.seed)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        port = int(srv.stdout.readline())
        url = "http://127.0.0.1:%d/soak/feed.json" % port
        conf = os.path.join(tmp, "edukiosk.conf")
        power_log = write_config(conf, url, tmp)

        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy",
                   EDUKIOSK_SIM_TIME=str(start))
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        env.setdefault("LSAN_OPTIONS", "suppressions=%s:print_suppressions=0" %
                       os.path.join(HERE, "lsan.supp"))
        env.pop("NOTIFY_SOCKET", None)
        env.pop("WATCHDOG_USEC", None)
        errlog = open(os.path.join(tmp, "stderr.log"), "w+b")
        t0 = time.monotonic()
        kiosk = subprocess.Popen([self.binary, "--config", conf, "--window", "320x180",
                                  "--set", "display.render_driver=software",
                                  "--exit-after", str(int(days * 86400)), "--stats"],
                                 env=env, stdout=subprocess.PIPE, stderr=errlog)
        warm, end = [], []
        status_path = os.path.join(tmp, "run", "status.json")
        shown = set()         # deck hashes seen on screen (status.json)
        last_signed = None    # the deck's signed_at; never goes back
        last_report = 0
        last_now, moved_at = None, time.monotonic()
        try:
            while kiosk.poll() is None:
                m = read_metrics(metrics_path)
                now = sim_now(m)
                moved = now != last_now
                if moved:
                    last_now, moved_at = now, time.monotonic()
                elif time.monotonic() - moved_at > STALL_S:
                    failures.append("simulated time stood still for %d s (at %s)" % (
                        STALL_S, now and datetime.datetime.fromtimestamp(now)))
                    break
                st = read_status(status_path)
                deck = (st or {}).get("deck") or {}
                if deck.get("hash"):
                    shown.add(deck["hash"])
                signed = m.get("edukiosk_deck_signed_timestamp_seconds")
                if signed and last_signed and signed < last_signed:
                    failures.append("the deck on screen went back from one signed at %d "
                                    "to one signed at %d (a replay shown)" % (
                                        last_signed, signed))
                if signed:
                    last_signed = signed
                if now is not None:
                    d = (now - start) / 86400
                    # One sample per simulated moment: while the clock waits
                    # for a slow poll, samples would all see its sockets.
                    s = proc_sample(kiosk.pid) if moved else None
                    if s and warm_day <= d < warm_day + min(0.5, days / 10):
                        warm.append(s)
                    elif s and end_day <= d < last_day:
                        end.append(s)
                    if d - last_report >= 1 or (days < 3 and d - last_report >= 0.25):
                        last_report = d
                        self.log("day %.2f (%s) after %.0f s: %d slides, %d decks" % (
                            d, datetime.datetime.fromtimestamp(now).strftime("%Y-%m-%d %H:%M"),
                            time.monotonic() - t0,
                            m.get("edukiosk_slides_shown_total", 0),
                            m.get("edukiosk_deck_swaps_total", 0)))
                time.sleep(0.1)
        finally:
            if kiosk.poll() is None:
                kiosk.send_signal(signal.SIGTERM)
                try:
                    kiosk.wait(30)
                except subprocess.TimeoutExpired:
                    kiosk.kill()
                    kiosk.wait()
            out = kiosk.stdout.read().decode(errors="replace")
            counts, refused = "{}", "[]"
            try:
                counts = urllib.request.urlopen(
                    "http://127.0.0.1:%d/soak/_counts" % port, timeout=10).read().decode()
                refused = urllib.request.urlopen(
                    "http://127.0.0.1:%d/soak/_refused" % port, timeout=10).read().decode()
            except OSError:
                pass
            final_metrics = read_metrics(metrics_path)
            srv.stdin.close()
            srv.wait(10)
        elapsed = time.monotonic() - t0
        errlog.seek(0)
        err_text = errlog.read().decode(errors="replace")
        errlog.close()
        rc = kiosk.returncode

        stats = {}
        for line in out.splitlines():
            if line.startswith("{"):
                try:
                    stats = json.loads(line)
                except ValueError:
                    pass
        self.slides = int(stats.get("slides_shown", 0))
        self.swaps = int(stats.get("deck_swaps", 0))
        self.leaks = count_leaks(err_text)
        try:
            with open(power_log, encoding="utf-8") as f:
                power = f.read().split()
        except OSError:
            power = []
        cache_files = sum(len(f) for _, _, f in os.walk(os.path.join(tmp, "cache")))

        self.log("run time %.1f s for %g simulated days; kiosk exit status %s" % (
            elapsed, days, rc))
        self.log("server answers: %s" % counts)
        self.log("screen on/off commands: %d on, %d off; %d files in the cache" % (
            power.count("on"), power.count("off"), cache_files))
        tasks_leaked = -1
        if warm and end:
            for name, ss in (("warm-up", warm), ("end", end)):
                self.log("%-7s VmHWM %d kB, VmRSS %d kB, fds %d-%d, threads %d-%d "
                         "(%d samples)" % (
                             name + ":", max(s["hwm"] for s in ss), ss[-1]["rss"],
                             min(s["fds"] for s in ss), max(s["fds"] for s in ss),
                             min(s["tasks"] for s in ss), max(s["tasks"] for s in ss),
                             len(ss)))
            self.rss_growth = max(s["hwm"] for s in end) - max(s["hwm"] for s in warm)
            # The fewest seen in each window: a socket or a command's pipe
            # open at the moment of a sample is no leak, one that stays is.
            self.fds_leaked = max(0, min(s["fds"] for s in end) - min(s["fds"] for s in warm))
            tasks_leaked = max(0, min(s["tasks"] for s in end) -
                               min(s["tasks"] for s in warm))
        else:
            failures.append("no /proc samples at warm-up (%d) or at the end (%d)" % (
                len(warm), len(end)))

        # Signed feeds: what was refused for its signature never showed,
        # and every refusal was counted (a replay of a deck the kiosk had
        # missed may be taken: it is newer than the one on screen).
        answers = json.loads(counts)
        bad_sig = sum(answers.get(k, 0) for k in SIGNATURE_FAULTS)
        sig_failures = int(final_metrics.get("edukiosk_feed_signature_failures_total", -1))
        seen_refused = shown & set(json.loads(refused))
        self.log("signatures: %d bad ones served, %d refused by the kiosk, %d decks "
                 "seen on screen, %d of them unsigned" % (
                     bad_sig, sig_failures, len(shown), len(seen_refused)))
        if seen_refused:
            failures.append("%d feeds with a bad signature were shown" % len(seen_refused))
        if bad_sig and sig_failures <= 0:
            failures.append("no signature failure counted for %d bad signatures" % bad_sig)
        if sig_failures > bad_sig:
            failures.append("%d signature failures for %d bad signatures (good ones "
                            "refused)" % (sig_failures, bad_sig))
        if not shown:
            failures.append("no deck hash in status.json")

        if rc != 0:
            failures.append("the kiosk exited with status %s" % rc)
            sys.stderr.write(err_text[-3000:])
        if not stats:
            failures.append("no --stats line from the kiosk")
        if self.slides < SLIDES_PER_DAY * days:
            failures.append("%d slide changes < %d" % (self.slides, SLIDES_PER_DAY * days))
        if self.swaps < SWAPS_PER_DAY * days:
            failures.append("%d deck swaps < %d" % (self.swaps, SWAPS_PER_DAY * days))
        if self.check_rss and self.rss_growth > RSS_GROWTH_LIMIT_KB:
            failures.append("peak RSS grew by %d kB after warm-up" % self.rss_growth)
        if self.leaks:
            failures.append("LeakSanitizer: %d leaks" % self.leaks)
            sys.stderr.write(err_text[-6000:])
        if self.fds_leaked > 0:
            failures.append("%d file descriptors leaked" % self.fds_leaked)
        if tasks_leaked > 0:
            failures.append("%d threads leaked" % tasks_leaked)
        # The cache keeps the deck on screen, not every image ever seen.
        if cache_files > CACHE_FILES_LIMIT:
            failures.append("%d files in the cache" % cache_files)
        # Each simulated day turns the screen off once and on once.
        if min(power.count("on"), power.count("off")) < int(days) - 1:
            failures.append("only %d on and %d off commands in %g days" % (
                power.count("on"), power.count("off"), days))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--leak-binary", help="a LeakSanitizer build, run alongside")
    ap.add_argument("--days", type=float, default=30)
    ap.add_argument("--start", default="2026-12-15 05:00")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.environ.setdefault("TZ", "Asia/Shanghai")
    time.tzset()
    # SIGTERM (a timeout) ends the runs through their clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    runs = [Soak(args.binary, args, "normal build" if args.leak_binary else "")]
    if args.leak_binary:
        # Leaks from the sanitizer build; its allocator is not the one a
        # screen runs, so its RSS is not judged.
        runs.append(Soak(args.leak_binary, args, "LeakSanitizer build", check_rss=False))
    threads = [threading.Thread(target=r.run) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    main_run = runs[0]
    leaks = sum(r.leaks for r in runs)
    failures = [(r.label + ": " if r.label else "") + f for r in runs for f in r.failures]
    for f in failures:
        log("FAIL " + f)
    print("soak: days=%g slide_changes=%d deck_swaps=%d rss_growth_kb=%d leaks=%d "
          "fds_leaked=%d" % (args.days, main_run.slides, main_run.swaps,
                             main_run.rss_growth, leaks,
                             max(r.fds_leaked for r in runs)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
