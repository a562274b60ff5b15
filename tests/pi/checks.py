#!/usr/bin/env python3
"""The emulated Pi's checks: boots the disk made by tests/pi/image.sh in
QEMU four times and checks the kiosk from outside, through screendumps and
the guest agent.  Prints ok/FAIL lines, the timings, and at the end
"test-pi vm: N passed, N failed".

  checks.py WORK_DIR IMAGE_DIR EDUKIOSK(host build) IMGDIFF

1. first boot (1 GiB, 1280x800, the feed server reachable): the service
   comes up by itself on KMSDRM, --doctor's verdict, the first and the next
   slide against --render; the software and GLES back ends and a 90 degree
   rotation; the watchdog on SIGSTOP, SIGKILL; the display schedule off
   and on; the editor service (log-in, preview, publish) beside it; a new
   feed, then the plug pulled at once.
2. power back, network down: the cached deck (old or new, never none).
3. clock at 1970, 512 MiB, 1920x1080, network down: dated slides and the
   schedule as docs/feed.md and docs/operations.md promise; memory; no
   OOM killer for a few minutes.
4. clock a year ahead: the same promises, then the clock synchronised."""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import failures, wait_for  # noqa: E402
from qemu import FEED_HOST, VM  # noqa: E402

if len(sys.argv) == 5:
    WORK, IMAGE, EDUKIOSK, IMGDIFF = sys.argv[1:5]
STATUS = "/run/edukiosk/status.json"
CONF = "/etc/edukiosk/edukiosk.conf"
# A slide matches its --render picture when at most this share of pixels
# differs visibly (anti-aliasing, the fade's last steps) and the mean
# difference per channel stays small.
MAX_DIFFER = 0.02
MAX_MEAN = 4.0
timings = []
passed = 0


def check(cond, what):
    global passed
    harness.check(cond, what)
    passed += bool(cond)


def note(what, seconds):
    timings.append((what, seconds))
    print("     %s: %.0f s" % (what, seconds))


def day(delta):
    return (datetime.date.today() + datetime.timedelta(days=delta)).isoformat()


# Deck A: slides long enough to be caught still on screen.  Deck B: short
# slides, one dated (valid now, expired in a year), one bound to hours of
# the day; it arrives last, just before the plug is pulled.
DECK_A = {
    "format": "edukiosk/1", "school": "示范中学", "lang": "zh-CN", "refresh": 600,
    "defaults": {"duration": 30, "transition": "fade"},
    "slides": [
        {"type": "title", "id": "a-title", "title": "教育强区建设规划",
         "subtitle": "2025—2035年 · 办好人民满意的教育"},
        {"type": "list", "id": "a-list", "title": "重点任务",
         "items": ["扩大优质学位供给，办好家门口的好学校", "建设高素质专业化教师队伍",
                   "推进数字校园建设", "促进学生德智体美劳全面发展"]},
        {"type": "cards", "id": "a-cards", "title": "三个定位",
         "cards": [{"heading": "高地", "text": "基础教育优质均衡"},
                   {"heading": "重镇", "text": "职业教育产教融合"},
                   {"heading": "窗口", "text": "教育对外开放交流"}]},
    ],
}
DECK_B = {
    "format": "edukiosk/1", "school": "示范中学", "lang": "zh-CN", "refresh": 600,
    "defaults": {"duration": 6, "transition": "cut"},
    "slides": [
        {"type": "title", "id": "b-undated", "title": "新学期 新气象"},
        {"type": "list", "id": "b-dated", "title": "本学期安排",
         "items": ["期中家长会", "冬季运动会"],
         "when": {"from": day(-60), "until": day(120)}},
        {"type": "quote", "id": "b-hours", "text": "尊师重教，共育未来", "source": "校训",
         "when": {"hours": "00:00-23:59"}},
    ],
}


def config(**display):
    """The kiosk's configuration as an admin writes it; display and
    schedule keys given as display_KEY / schedule_KEY."""
    lines = ["[kiosk]", "log_level = info", "", "[feed]",
             "url = http://%s/files/feed.json" % FEED_HOST, "refresh_min = 5", "",
             "[display]", "video_driver = kmsdrm"]
    sched = []
    for k, v in display.items():
        sect, key = k.split("_", 1)
        (lines if sect == "display" else sched).append("%s = %s" % (key, v))
    return "\n".join(lines + ["", "[schedule]"] + sched) + "\n"


def render(deck, size, name):
    """--render of a deck on this machine: the pictures and the clock's box."""
    d = os.path.join(WORK, "render-" + name)
    shutil.rmtree(d, ignore_errors=True)
    feed = os.path.join(WORK, name + ".json")
    with open(feed, "w", encoding="utf-8") as f:
        json.dump(deck, f, ensure_ascii=False)
    subprocess.run([EDUKIOSK, "--no-config", "--feed", feed, "--render", d,
                    "--size", "%dx%d" % size], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(d, "layout.json"), encoding="utf-8") as f:
        layout = json.load(f)
    masks = []
    for box in find_boxes(layout):
        if box.get("role") == "clock":
            # The clock's right-aligned line, with room for a wider minute.
            x = max(0, box["x"] - box["w"] // 2)
            masks.append("%d,%d,%d,%d" % (x, max(0, box["y"] - 8),
                                          size[0] - x, box["h"] + 16))
    pics = sorted(p for p in os.listdir(d) if p.endswith(".png"))
    return [os.path.join(d, p) for p in pics], sorted(set(masks))


def find_boxes(node):
    if isinstance(node, dict):
        if "role" in node and "x" in node:
            yield node
        for v in node.values():
            yield from find_boxes(v)
    elif isinstance(node, list):
        for v in node:
            yield from find_boxes(v)


def diff(shot, pic, masks, rotate=0):
    argv = [IMGDIFF, shot, pic] + (["--rotate", str(rotate)] if rotate else [])
    for m in masks:
        argv += ["--mask", m]
    r = subprocess.run(argv, capture_output=True, text=True)
    m = re.match(r"mean=([\d.]+) differ=([\d.]+)", r.stdout)
    if not m:
        return None
    return float(m.group(1)), float(m.group(2))


def best_match(shot, rendered, rotate=0):
    """(slide number from 1, mean, differ) of the closest --render picture."""
    pics, masks = rendered
    best = None
    for i, pic in enumerate(pics):
        d = diff(shot, pic, masks, rotate)
        if d and (best is None or d[1] < best[2]):
            best = (i + 1, d[0], d[1])
    return best


def status(vm):
    rc, out = vm.sh("cat " + STATUS, 30)
    try:
        return json.loads(out) if rc == 0 else {}
    except ValueError:
        return {}


def main_pid(vm):
    out = vm.out("systemctl show -p MainPID --value edukiosk")
    return int(out) if out.isdigit() else 0


def wait_active(vm, timeout, old_pid=0):
    """Waits for the service to run (a new process when old_pid is given)
    and its status to name a slide; returns the status or {}."""
    def ready():
        pid = main_pid(vm)
        if not pid or pid == old_pid:
            return None
        st = status(vm)
        return st if st.get("pid") == pid and st.get("slide") else None
    return wait_for(ready, timeout, 2) or {}


def shot_matches(vm, rendered, label, rotate=0, want=None):
    """A screendump taken while one slide is steady, against --render.
    Returns the slide number seen (from 1) or 0."""
    for attempt in range(8):
        before = status(vm).get("slide", {}).get("index")
        time.sleep(3)  # past a fade
        shot = vm.screendump(os.path.join(WORK, "%s-%d.ppm" % (label, attempt)))
        after = status(vm).get("slide", {}).get("index")
        if before is None or before != after:
            continue
        m = best_match(shot, rendered, rotate)
        if m is None:
            break
        n, mean, differ = m
        ok = n == before and differ <= MAX_DIFFER and mean <= MAX_MEAN
        if want is not None:
            ok = ok and n == want
        check(ok, "%s: the screen shows slide %d as --render draws it "
                  "(status says %d; %.2f%% of pixels differ, mean %.2f)"
              % (label, n, before, differ * 100, mean))
        shutil.copy(shot, os.path.join(WORK, label + ".ppm"))
        return n if ok else 0
    check(False, "%s: no steady slide to compare (status %s)" % (label, status(vm)))
    return 0


def is_black(vm, label):
    shot = vm.screendump(os.path.join(WORK, label + ".ppm"))
    with open(shot, "rb") as f:
        data = f.read()
    # P6 header: "P6\nW H\n255\n"
    body = data[data.index(b"255\n") + 4:]
    return max(body) < 16 if body else False


def last_line(text):
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "(nothing)"


def journal(vm, since="", grep=""):
    cmd = "journalctl -q -o cat -u edukiosk --no-pager" + (" --since '%s'" % since if since else "")
    out = vm.out(cmd, 60)
    return [ln for ln in out.splitlines() if grep in ln]


def shown_ids(vm, seconds):
    seen = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sid = status(vm).get("slide", {}).get("id")
        if sid:
            seen.add(sid)
        time.sleep(1)
    return seen


def boot(vm, label):
    vm.start()
    t = vm.wait_agent(240)
    check(t is not None, "%s: the machine boots and its guest agent answers" % label)
    if t is None:
        return False
    note("%s: boot to guest agent" % label, t)
    return True


# The editor's API spoken from inside the guest with bash's /dev/tcp (the
# image has no curl): one HTTP/1.0 request per call, the answer on stdout.
EDITOR_CLIENT = r"""#!/bin/bash
set -u
req() { # METHOD PATH BODYFILE|- [HEADER]...
    local m=$1 p=$2 body=$3
    shift 3
    exec 3<>/dev/tcp/127.0.0.1/8080 || return 1
    {
        printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n' "$m" "$p"
        for h in "$@"; do printf '%s\r\n' "$h"; done
        if [ "$body" != - ]; then
            printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$body")"
            cat "$body"
        else
            printf '\r\n'
        fi
    } >&3
    cat <&3
    exec 3>&-
}
cd /tmp
req GET / - >page.txt
echo "page: $(head -n1 page.txt | tr -d '\r') csp=$(grep -c '^Content-Security-Policy:' page.txt)"
printf '{"user":"pi","password":"raspberry-pie-1"}' >login.json
req POST /api/login login.json 'Content-Type: application/json' >login.txt
echo "login: $(head -n1 login.txt | tr -d '\r')"
cookie=$(sed -n 's/^Set-Cookie: \(ek_session=[0-9a-f]*\);.*/\1/p' login.txt)
csrf=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' login.txt)
auth="Cookie: $cookie"
tok="X-CSRF-Token: $csrf"
printf '%s' '{"format": "edukiosk/1", "school": "树莓派", "slides": [{"type": "title", "title": "树莓派上的编辑器"}]}' >feed.json
req POST '/api/preview?slide=0&w=480&h=270' feed.json "$auth" "$tok" >preview.txt
echo "preview: $(head -n1 preview.txt | tr -d '\r') $(grep -a -i '^Content-Type:' preview.txt | tr -d '\r')"
req GET /api/draft - "$auth" >draft.txt
rev=$(sed -n 's/.*"rev":\([0-9]*\).*/\1/p' draft.txt)
req PUT /api/draft feed.json "$auth" "$tok" "If-Match: \"$rev\"" >save.txt
rev=$(sed -n 's/.*"rev":\([0-9]*\).*/\1/p' save.txt)
echo "save: $(head -n1 save.txt | tr -d '\r') rev=$rev"
printf '{"summary":"pi"}' >summary.json
req POST /api/publish summary.json "$auth" "$tok" "If-Match: \"$rev\"" >publish.txt
echo "publish: $(head -n1 publish.txt | tr -d '\r')"
req GET /feed.json - >published.txt
if sed '1,/^\r$/d' published.txt | cmp -s - feed.json; then same=yes; else same=no; fi
echo "feed: $(head -n1 published.txt | tr -d '\r') same=$same"
"""


def editor_on_pi(vm):
    """edukiosk-editor as installed by install.sh --editor, under its
    hardened unit on arm64: it came up at boot, an account added as the
    docs say, then log-in, a preview drawn by the kiosk's renderer, save,
    publish, and the published feed served, with no restart or seccomp
    kill on the way."""
    active = vm.out("systemctl is-active edukiosk-editor")
    check(active == "active", "editor: edukiosk-editor.service came up at boot (%s)" % active)
    rc, out = vm.sh("edukiosk-editor --add-user pi", stdin="raspberry-pie-1\n")
    check(rc == 0, "editor: --add-user as root: exit %d, %s" % (rc, last_line(out)))
    vm.write("/tmp/editor-client.sh", EDITOR_CLIENT)
    rc, out = vm.sh("bash /tmp/editor-client.sh", 300)
    with open(os.path.join(WORK, "editor-on-pi.txt"), "w") as f:
        f.write(out)
    got = dict(ln.split(": ", 1) for ln in out.splitlines() if ": " in ln)
    check("200" in got.get("page", "") and got.get("page", "").endswith("csp=1"),
          "editor: the page, with its CSP (%s)" % got.get("page"))
    check("200" in got.get("login", ""), "editor: log-in (%s)" % got.get("login"))
    check("200" in got.get("preview", "") and "image/png" in got.get("preview", ""),
          "editor: a preview drawn on arm64 under the unit's system-call filter (%s)"
          % got.get("preview"))
    check("200" in got.get("save", "") and "200" in got.get("publish", ""),
          "editor: save and publish (%s; %s)" % (got.get("save"), got.get("publish")))
    check("200" in got.get("feed", "") and got.get("feed", "").endswith("same=yes"),
          "editor: /feed.json is what was published (%s)" % got.get("feed"))
    restarts = vm.out("systemctl show -p NRestarts --value edukiosk-editor")
    killed = vm.out("journalctl -u edukiosk-editor -b --no-pager | grep -ci 'SIGSYS\\|code=killed\\|core-dump' || true")
    check(restarts == "0" and killed == "0",
          "editor: no restart and no kill by the unit's hardening (NRestarts=%s, %s kill lines)"
          % (restarts, killed))


def first_boot(disk, kernel, initrd, port, docroot, feeds):
    vm = VM(WORK, disk, kernel, initrd, feed_port=port, name="boot1")
    if not boot(vm, "boot 1"):
        vm.pull_plug()
        return False
    try:
        t0 = time.monotonic()
        st = wait_active(vm, 240)
        check(str(st.get("display", {}).get("driver")).lower() == "kmsdrm",
              "boot 1: edukiosk.service came up by itself on KMSDRM (status %s)" % st.get("display"))
        note("boot 1: guest agent to first slide", time.monotonic() - t0)
        lines = journal(vm, grep="display: driver")
        check(bool(lines) and "KMSDRM" in lines[-1] and "renderer" in lines[-1],
              "boot 1: the journal names driver, renderer and back end: %s"
              % (lines[-1] if lines else "nothing"))
        back = journal(vm, grep="software")
        print("     journal: " + " | ".join(back[-2:]))
        st = wait_for(lambda: (lambda s: s if s.get("deck", {}).get("slides") == 3
                               and s.get("fetch", {}).get("result") == "ok" else None)(status(vm)),
                      120, 2) or status(vm)
        check(st.get("deck", {}).get("source") == "remote",
              "boot 1: deck A came from the feed server through QEMU's guestfwd (%s)"
              % st.get("deck", {}).get("source"))
        rend = feeds["A-1280x800"]
        first = shot_matches(vm, rend, "kms-auto")
        if first:
            wait_for(lambda: status(vm).get("slide", {}).get("index", first) != first, 45, 2)
            shot_matches(vm, rend, "kms-auto-next", want=first % 3 + 1)

        # --doctor as an admin would run it: next to the running kiosk, and
        # with the service stopped (when the screen is black).
        rc, out = vm.sh("edukiosk --doctor --config %s 2>/dev/null" % CONF, 180)
        with open(os.path.join(WORK, "doctor-running.txt"), "w") as f:
            f.write(out)
        check(rc == 0 and "FAIL" not in out and "the kiosk running now" in out,
              "--doctor beside the running kiosk: exit %d, %s" % (rc, last_line(out)))
        rc, out = vm.sh("systemctl stop edukiosk; edukiosk --doctor --config %s 2>/dev/null" % CONF,
                        180)
        with open(os.path.join(WORK, "doctor-stopped.txt"), "w") as f:
            f.write(out)
        check(rc == 0 and "FAIL" not in out and "video: driver KMSDRM" in out
              and "renderer:" in out,
              "--doctor with the service stopped: exit %d, %s" % (rc, last_line(out)))
        print("\n".join("     " + ln for ln in out.splitlines()))
        vm.sh("systemctl start edukiosk")
        wait_active(vm, 180)
        editor_on_pi(vm)

        # The two back ends by name, and a portrait screen.
        # software: drawn in memory, shown through a GL renderer (KMSDRM has
        # no window surface); opengles2: drawn by GLES (llvmpipe here).
        for rd, want in (("software", "renderer surface"), ("opengles2", "renderer opengles2")):
            vm.write(CONF, config(display_render_driver=rd))
            vm.sh("systemctl restart edukiosk")
            st = wait_active(vm, 180)
            line = (journal(vm, grep="display: driver") or ["?"])[-1]
            check(want in line, "render_driver=%s: %s" % (rd, line))
            shot_matches(vm, rend, "kms-" + rd)
        vm.write(CONF, config(display_rotation=90))
        vm.sh("systemctl restart edukiosk")
        wait_active(vm, 180)
        shot_matches(vm, feeds["A-800x1280"], "kms-rotation-90", rotate=90)

        # Faults: frozen, killed.
        vm.write(CONF, config())
        vm.sh("systemctl restart edukiosk")
        wait_active(vm, 180)
        pid = main_pid(vm)
        t0 = time.monotonic()
        vm.sh("kill -STOP %d" % pid)
        st = wait_active(vm, 240, old_pid=pid)
        note("SIGSTOP to slides again", time.monotonic() - t0)
        wd = vm.out("journalctl -q -u edukiosk --no-pager | grep -ci watchdog")
        check(bool(st) and wd not in ("", "0"),
              "a frozen kiosk (SIGSTOP) is killed by the watchdog and restarted "
              "(pid %d -> %s)" % (pid, st.get("pid")))
        shot_matches(vm, rend, "after-watchdog")
        pid = main_pid(vm)
        t0 = time.monotonic()
        vm.sh("kill -KILL %d" % pid)
        st = wait_active(vm, 180, old_pid=pid)
        check(bool(st), "SIGKILL: systemd restarts the kiosk (pid %d -> %s)" % (pid, st.get("pid")))
        note("SIGKILL to slides again", time.monotonic() - t0)

        schedule_on_console(vm, rend)

        # A new feed arrives; the plug is pulled at once.
        vm.write(CONF, config())
        vm.sh("systemctl restart edukiosk")
        wait_active(vm, 180)
        with open(os.path.join(docroot, "feed.json.new"), "w", encoding="utf-8") as f:
            json.dump(DECK_B, f, ensure_ascii=False)
        os.replace(os.path.join(docroot, "feed.json.new"), os.path.join(docroot, "feed.json"))
        vm.sh("systemctl reload edukiosk")
        st = wait_for(lambda: (lambda s: s if str(s.get("slide", {}).get("id", "")).startswith("b-")
                               else None)(status(vm)), 120, 0.5)
        check(bool(st), "deck B arrived and is on screen")
        vm.pull_plug()
        print("     the plug was pulled")
        return True
    finally:
        vm.pull_plug()


def schedule_on_console(vm, rend):
    """Today's window ends at the next minute: black and off_cmd; then a
    window that opens a minute later: slides and on_cmd."""
    # NTP is out of reach here; this is the file systemd-timesyncd leaves.
    vm.sh("mkdir -p /run/systemd/timesync && touch /run/systemd/timesync/synchronized")
    now = vm.out("date +%s")
    now = int(now) if now.isdigit() else int(time.time())
    if now % 86400 > 86400 - 300:  # too close to midnight for one day's window
        time.sleep(86400 - now % 86400 + 5)
        now = int(vm.out("date +%s"))
    wd = time.strftime("%a", time.gmtime(now)).lower()
    off_at = (now // 60 + 2) * 60
    on_at = off_at + 60
    hm = lambda t: time.strftime("%H:%M", time.gmtime(t))  # noqa: E731
    cmds = {"schedule_off_cmd": "echo off >> /run/edukiosk/schedule.log",
            "schedule_on_cmd": "echo on >> /run/edukiosk/schedule.log"}
    vm.sh("rm -f /run/edukiosk/schedule.log")
    vm.write(CONF, config(**{"schedule_" + wd: "00:00-" + hm(off_at)}, **cmds))
    vm.sh("systemctl restart edukiosk")
    wait_active(vm, 180)
    check(status(vm).get("display", {}).get("on") is True,
          "schedule: on inside today's window 00:00-%s" % hm(off_at))
    wait_for(lambda: time.time() > off_at + 5, 400, 1)
    off = wait_for(lambda: status(vm).get("display", {}).get("on") is False, 60, 2)
    log = vm.out("cat /run/edukiosk/schedule.log")
    check(bool(off) and is_black(vm, "schedule-off") and "off" in log,
          "schedule: at %s the console goes black and off_cmd runs (%r)" % (hm(off_at), log))
    vm.write(CONF, config(**{"schedule_" + wd: hm(on_at) + "-24:00"}, **cmds))
    vm.sh("systemctl reload edukiosk")
    time.sleep(5)
    check(status(vm).get("display", {}).get("on") is False and is_black(vm, "schedule-still-off"),
          "schedule: still black before %s" % hm(on_at))
    wait_for(lambda: time.time() > on_at + 5, 200, 1)
    on = wait_for(lambda: status(vm).get("display", {}).get("on") is True, 60, 2)
    log = vm.out("cat /run/edukiosk/schedule.log")
    check(bool(on) and log.endswith("on"),
          "schedule: at %s the slides come back and on_cmd runs (%r)" % (hm(on_at), log))
    shot_matches(vm, rend, "schedule-on")
    vm.sh("rm -f /run/systemd/timesync/synchronized")


def cached_boot(disk, kernel, initrd, feeds):
    """After the power cut, with no network: the cached deck within seconds."""
    vm = VM(WORK, disk, kernel, initrd, feed_port=None, name="boot2")
    if not boot(vm, "boot 2"):
        vm.pull_plug()
        return
    try:
        t0 = time.monotonic()
        st = wait_active(vm, 240)
        ids = {s["id"] for s in DECK_A["slides"] + DECK_B["slides"]}
        src = st.get("deck", {}).get("source")
        check(src == "cache" and st.get("slide", {}).get("id") in ids,
              "boot 2 (network down, after the power cut): a cached deck is shown "
              "(source %s, slide %s)" % (src, st.get("slide", {}).get("id")))
        note("boot 2: guest agent to cached slide", time.monotonic() - t0)
        rc, out = vm.sh("edukiosk --no-config --check /var/cache/edukiosk/feed.json")
        deck = "B (the new one)" if str(st.get("slide", {}).get("id")).startswith("b-") \
            else "A (the old one)"
        check(rc == 0, "boot 2: the cached feed is whole and valid (edukiosk --check: exit %d); "
                       "deck %s survived the power cut" % (rc, deck))
        fsck = vm.out("journalctl -b -q --no-pager | grep -ci 'recovery complete\\|orphan'")
        print("     ext4 journal recovery after the power cut: %s lines in the journal" % fsck)
        rend = feeds["B-1280x800"] if str(st.get("slide", {}).get("id")).startswith("b-") \
            else feeds["A-1280x800"]
        shot_matches(vm, rend, "cached-deck")
    finally:
        vm.shutdown()


def clock_boot(disk, kernel, initrd, rtc, label, mem=1024, size=(1280, 800)):
    vm = VM(WORK, disk, kernel, initrd, mem=mem, size=size, rtc=rtc, name=label)
    if not boot(vm, label):
        vm.pull_plug()
        return None
    try:
        # Every day "off": only a synchronised clock may blank the screen.
        vm.write(CONF, config(**{"schedule_" + d: "off" for d in
                                 ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}))
        vm.sh("systemctl restart edukiosk")
        st = wait_active(vm, 240)
        print("     guest clock: %s" % vm.out("date -u '+%F %T'"))
        return vm, st
    except Exception:
        vm.pull_plug()
        raise


def main():
    sys.stdout.reconfigure(line_buffering=True)
    os.makedirs(WORK, exist_ok=True)
    disk = os.path.join(IMAGE, "disk.img")
    kernel, initrd = os.path.join(IMAGE, "vmlinuz"), os.path.join(IMAGE, "initrd.img")
    feeds = {"A-1280x800": render(DECK_A, (1280, 800), "A-1280x800"),
             "A-800x1280": render(DECK_A, (800, 1280), "A-800x1280"),
             "B-1280x800": render(DECK_B, (1280, 800), "B-1280x800")}
    docroot = os.path.join(WORK, "www")
    os.makedirs(docroot, exist_ok=True)
    with open(os.path.join(docroot, "feed.json"), "w", encoding="utf-8") as f:
        json.dump(DECK_A, f, ensure_ascii=False)
    server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(HERE), "http_server.py"),
                               docroot], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    try:
        if first_boot(disk, kernel, initrd, port, docroot, feeds):
            cached_boot(disk, kernel, initrd, feeds)
        run_clock_boots(disk, kernel, initrd)
    finally:
        server.stdin.close()
        server.wait()
    print("timings:")
    for what, s in timings:
        print("  %-40s %5.0f s" % (what, s))
    print("test-pi vm: %d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


def run_clock_boots(disk, kernel, initrd):
    # 1970: systemd moves a clock that old up to its own release date;
    # still before the cache was saved, so "plainly wrong".
    r = clock_boot(disk, kernel, initrd, "1970-01-01T00:00:00", "boot3-1970",
                   mem=512, size=(1920, 1080))
    if r:
        vm, st = r
        try:
            seen = shown_ids(vm, 30)
            check(st.get("display", {}).get("on") is True and "b-undated" in seen
                  and "b-dated" in seen and "b-hours" not in seen,
                  "clock at 1970: screen on despite the schedule, the dated slide judged at "
                  "the cache's time, the hours slide waits (shown %s)" % sorted(seen))
            memory(vm)
        finally:
            vm.shutdown()
    ahead = (datetime.datetime.utcnow() + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S")
    r = clock_boot(disk, kernel, initrd, ahead, "boot4-year-ahead")
    if r:
        vm, st = r
        try:
            seen = shown_ids(vm, 30)
            check(st.get("display", {}).get("on") is True and seen >= {"b-undated", "b-dated", "b-hours"},
                  "clock a year ahead: screen on despite the schedule, the dated slide judged "
                  "at the cache's time, the hours slide shows (shown %s)" % sorted(seen))
            vm.sh("mkdir -p /run/systemd/timesync && touch /run/systemd/timesync/synchronized")
            off = wait_for(lambda: status(vm).get("display", {}).get("on") is False, 60, 2)
            check(bool(off) and is_black(vm, "year-ahead-synced"),
                  "the same clock once synchronised: the schedule's 'off' blanks the screen")
        finally:
            vm.shutdown()


def memory(vm):
    """The kiosk's memory at 1920x1080 on 512 MiB, then a few minutes
    without the OOM killer."""
    pid = main_pid(vm)
    roll = vm.out("cat /proc/%d/smaps_rollup" % pid)
    kb = {k: int(v) for k, v in re.findall(r"^(Rss|Pss):\s+(\d+) kB", roll, re.M)}
    mem = vm.out("free -k | awk '/^Mem:/ {print $2, $3}'").split()
    print("     kiosk at 1920x1080: RSS %s MiB, PSS %s MiB; system: %s of %s MiB used"
          % (kb.get("Rss", 0) // 1024, kb.get("Pss", 0) // 1024,
             int(mem[1]) // 1024 if len(mem) == 2 else "?", int(mem[0]) // 1024 if len(mem) == 2 else "?"))
    time.sleep(180)
    oom = vm.out("journalctl -k -q --no-pager | grep -ci 'out of memory\\|oom-kill'")
    restarts = vm.out("systemctl show -p NRestarts --value edukiosk")
    check(oom == "0" and main_pid(vm) == pid,
          "512 MiB at 1920x1080: 3 minutes without the OOM killer or a restart "
          "(oom lines %s, restarts %s)" % (oom, restarts))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write-config":  # the first boot's, for image.sh
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(config())
        sys.exit(0)
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main())
