#!/usr/bin/env python3
"""The editor page in a real browser (Debian's chromium, headless, driven by
chromedriver through python3-selenium) against the real edukiosk-editor on
127.0.0.1 with a temporary data directory and a signing key.

What a secretary does, clicked through: log in (a wrong password first),
reorder slides with Alt+Down and by dragging, add a list slide, type and
watch the big preview change, make errors (an empty title, a duration over
the limit) and read the Chinese message next to the field while 发布 is
disabled, fix them, set when/days/hours with the pickers and check the JSON
they make, switch the preview size, choose an emergency alert (asks for a
confirmation; cancel keeps none), publish (the public /feed.json changes,
signed), break the JSON in the raw tab and find the error at its line,
load another user's save after a conflict, roll back from the history
(/feed.json is the old text again), load a version into the draft, switch
to English and back.

Screenshots at 1366x768 go to BUILD/editor-browser/*.png (BUILD is the
directory of the edukiosk binary given).  Prints "N passed, M failed"; exit
status 1 on any failure.

Usage: editor_browser.py BUILD/edukiosk
"""

import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 30          # seconds for anything the page or the server does
VIEW_W, VIEW_H = 1366, 768
USER, PASSWORD = "secretary", "correct horse 42"
OTHER, OTHER_PASSWORD = "colleague", "battery staple 7"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name, flush=True)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail) if detail else ""), flush=True)
    return ok


def section(fn):
    """Runs one part of the walk-through; an exception fails it (and is
    shown) without stopping the parts after it."""
    def run(*a):
        try:
            fn(*a)
        except Exception as e:  # noqa: BLE001 -- any failure is a test failure
            check(fn.__name__, False, "%s: %s" % (type(e).__name__, e))
            traceback.print_exc()
            try:
                A.shot("fail-" + fn.__name__)
            except Exception:  # noqa: BLE001
                pass
    run.__name__ = fn.__name__
    return run


class Server:
    """edukiosk-editor on 127.0.0.1 with a fresh data directory."""

    def __init__(self, editor, tmp):
        self.data = os.path.join(tmp, "data")
        os.makedirs(self.data)
        for name, pw in ((USER, PASSWORD), (OTHER, OTHER_PASSWORD)):
            subprocess.run([editor, "--data-dir", self.data, "--add-user", name],
                           input=(pw + "\n").encode(), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log = open(os.path.join(tmp, "editor.log"), "w+b")
        key = os.path.join(ROOT, "tests", "data", "sign", "a.key")
        self.proc = subprocess.Popen(
            [editor, "--data-dir", self.data, "--listen", "127.0.0.1:0",
             "--set", "signing_key=" + key],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = None
        buf = b""
        deadline = time.time() + WAIT
        while time.time() < deadline and self.url is None:
            r, _, _ = select.select([self.proc.stderr], [], [], 0.5)
            if not r:
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(self.proc.stderr.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            self.log.write(chunk)
            m = re.search(rb"listening on (http://127\.0\.0\.1:\d+/)", buf)
            if m:
                self.url = m.group(1).decode()
        if not self.url:
            raise RuntimeError("the editor did not start: " + buf.decode(errors="replace"))

    def draft(self):
        """The saved draft's feed text (DATA/draft.json holds it, bare or
        as {"rev", "by", "at", "text"})."""
        try:
            with open(os.path.join(self.data, "draft.json"), encoding="utf-8") as f:
                raw = f.read()
            d = json.loads(raw)
        except (OSError, ValueError):
            return ""
        return d["text"] if isinstance(d, dict) and isinstance(d.get("text"), str) else raw

    def draft_doc(self):
        try:
            return json.loads(self.draft())
        except ValueError:
            return None

    def get(self, path):
        """A public GET (the published feed): (status, bytes)."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=WAIT) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Api:
    """A second person's session, straight on the API (for a conflict)."""

    def __init__(self, url, user, password):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        r = self.call("POST", "api/login", json.dumps({"user": user, "password": password}).encode())
        self.csrf = r["csrf"]

    def call(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        with self.opener.open(req, timeout=WAIT) as r:
            return json.loads(r.read() or b"{}")


class Browser:
    """The page in headless Chromium, 1366x768, Chinese."""

    def __init__(self, url, shots):
        self.url = url
        self.shots = shots
        o = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                  "--disable-gpu", "--lang=zh-CN", "--force-device-scale-factor=1",
                  "--window-size=%d,%d" % (VIEW_W, VIEW_H)):
            o.add_argument(a)
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        if os.path.exists("/usr/bin/chromium"):
            o.binary_location = "/usr/bin/chromium"
        if os.path.exists("/usr/bin/chromedriver"):
            self.d = webdriver.Chrome(options=o, service=Service("/usr/bin/chromedriver"))
        else:
            self.d = webdriver.Chrome(options=o)
        self.d.set_page_load_timeout(WAIT)
        # The window's size includes nothing in headless mode in some
        # versions and a frame in others: size it so that the page itself
        # is 1366x768.
        for _ in range(3):
            iw, ih = self.d.execute_script("return [innerWidth, innerHeight]")
            if (iw, ih) == (VIEW_W, VIEW_H):
                break
            ww, wh = self.d.get_window_size()["width"], self.d.get_window_size()["height"]
            self.d.set_window_size(ww + VIEW_W - iw, wh + VIEW_H - ih)
        self.js_errors = []
        self.n = 0

    # -- finding and waiting

    def el(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def wait(self, cond, what, timeout=WAIT):
        """Waits until cond(driver) is truthy; returns its value, or None
        (and fails `what`) on timeout."""
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.2,
                                 ignored_exceptions=(WebDriverException,)).until(cond)
        except TimeoutException:
            check(what, False, "timed out after %d s" % timeout)
            return None

    def visible(self, css):
        return self.wait(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css)
                                         if e.is_displayed()), None),
                         "visible: " + css)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def click(self, css):
        e = self.visible(css)
        self.js("arguments[0].scrollIntoView({block: 'center'})", e)
        e.click()
        return e

    def field(self, label):
        """The input of the form field whose label starts with `label`."""
        for f in self.els("#form-pane .field"):
            lab = f.find_elements(By.CSS_SELECTOR, ":scope > .field-head .field-label")
            if lab and lab[0].text.replace("*", "").strip().startswith(label):
                return f
        raise AssertionError("no field " + label)

    def set_text(self, inp, text):
        """Replaces an input's text by typing, as a person does."""
        self.js("arguments[0].scrollIntoView({block: 'center'})", inp)
        inp.click()
        inp.send_keys(Keys.CONTROL, "a")
        inp.send_keys(Keys.BACKSPACE)
        if text:
            inp.send_keys(text)

    def set_value(self, inp, value):
        """Sets a date/time picker (their typed form depends on the
        browser's locale) and tells the page, as the picker does."""
        self.js("arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", inp, value)

    def no_hscroll(self):
        return self.js("return document.documentElement.scrollWidth <= innerWidth && "
                       "document.body.scrollWidth <= innerWidth")

    def shot(self, name):
        # A passing toast would hide part of the page.
        self.js("var t = document.getElementById('toast'); if (t) t.hidden = true")
        self.n += 1
        path = os.path.join(self.shots, "%02d-%s.png" % (self.n, name))
        self.d.save_screenshot(path)
        return path

    def collect_log(self):
        try:
            for e in self.d.get_log("browser"):
                # Network errors are answers the page handles (401 before
                # log-in, 422 for a slide with errors, 409 conflicts).
                if e.get("level") == "SEVERE" and e.get("source") != "network":
                    self.js_errors.append(e.get("message", ""))
        except WebDriverException:
            pass

    def quit(self):
        try:
            self.d.quit()
        except WebDriverException:
            pass


A = None   # the Browser
SRV = None  # the Server
FEEDS = {}  # published /feed.json texts, by name


def renders():
    return int(A.js("return Number(document.getElementById('preview-frame').dataset.renders || 0)"))


def preview_src():
    return A.js("var i = document.getElementById('preview-img'); return i.hidden ? '' : i.src")


def slide_titles():
    return [e.text for e in A.els("#slide-list .slide-title")]


def draft_where(pred, what):
    """Waits until the saved draft (autosave) satisfies pred(doc)."""
    def cond(_):
        doc = SRV.draft_doc()
        try:
            return doc if doc is not None and pred(doc) else None
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    doc = A.wait(cond, what)
    if doc is None:
        print("    the saved draft: " + SRV.draft()[:3000].replace("\n", "\n    "))
    return doc


def msgs_of(field):
    return [m.text for m in field.find_elements(By.CSS_SELECTOR, ":scope > .field-msgs .msg")]


def unlabeled():
    """Form controls on screen without an accessible name."""
    return A.js("""return [...document.querySelectorAll('input, select, textarea, button')]
        .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&
                     !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
        .map(e => e.outerHTML.slice(0, 100))""")


def publish_enabled():
    return A.js("return !document.getElementById('publish-btn').disabled")


def close_dialogs():
    A.js("for (const d of document.querySelectorAll('dialog[open]')) d.close()")


# ---------------------------------------------------------------- the walk


@section
def login():
    A.d.get(SRV.url)
    user = A.visible("#login-user")
    check("the log-in screen comes first, in Chinese",
          user is not None and A.el("#login-submit").text == "登录")
    A.shot("login")
    user.send_keys(USER)
    A.el("#login-pass").send_keys("not the password")
    A.el("#login-submit").click()
    err = A.wait(lambda d: d.find_element(By.ID, "login-error").text or None, "a wrong password is refused")
    check("a wrong password is refused in Chinese", err and "密码" in err, err)
    A.set_text(A.el("#login-pass"), PASSWORD)
    A.el("#login-pass").send_keys(Keys.ENTER)
    A.visible("#app")
    n = len(json.loads(OTHER_API.call("GET", "api/draft")["text"])["slides"])
    ok = A.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slide-list .slide-item")) == n,
                "the slide list")
    check("the slide list shows the draft's %d slides" % n, ok)
    check("the big preview is drawn by the server", A.wait(lambda d: renders() >= 1, "big preview"))
    ok = A.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slide-list .thumb img:not([hidden])")) >= min(n, 6),
                "thumbnails")
    check("thumbnails are drawn", ok)
    url = A.el("#feed-url").text
    check("the feed URL for the kiosks is shown", url == SRV.url + "feed.json", url)
    note = A.el("#signing-note").text
    check("signed publishing is shown with its key", "签名" in note and "66AA3F7C0E776AD5" in note, note)
    check("no horizontal scrolling at 1366x768 (slide list)", A.no_hscroll())
    check("every control of the title slide's form has a label", not unlabeled(), unlabeled())
    A.shot("list")


def do_publish(summary, enter=False):
    """Presses 发布, writes the summary, publishes (with the button, or
    with Enter in the summary); returns the new /feed.json bytes."""
    before = SRV.get("feed.json")
    A.wait(lambda d: publish_enabled(), "发布 enabled")
    A.click("#publish-btn")
    A.visible("#dlg-publish")
    s = A.el("#publish-summary")
    if enter:
        s.send_keys(summary, Keys.ENTER)
    else:
        s.send_keys(summary)
        A.el("#publish-go").click()
    A.wait(lambda d: not d.find_element(By.ID, "dlg-publish").get_attribute("open"), "the publish dialog closes")
    got = A.wait(lambda d: (lambda r: r if r[0] == 200 and r != before else None)(SRV.get("feed.json")),
                 "/feed.json changes after 发布")
    return got[1] if got else b""


@section
def publish_initial():
    status, _ = SRV.get("feed.json")
    check("nothing is published at first", status == 404, status)
    FEEDS["v1"] = do_publish("开学初始内容")
    check("发布 writes /feed.json", FEEDS["v1"].startswith(b"{"), FEEDS["v1"][:40])
    st, sig = SRV.get("feed.json.minisig")
    check("发布 signs it (feed.json.minisig)", st == 200 and b"untrusted comment" in sig, st)
    toast = A.wait(lambda d: A.js("return document.getElementById('toast').textContent") or None,
                   "a toast after publishing")
    check("publishing is confirmed in Chinese", toast and "已发布" in toast, toast)


@section
def reorder_keyboard():
    first = slide_titles()[0]
    A.click("#slide-opt-0")
    A.wait(lambda d: d.switch_to.active_element.get_attribute("id") == "slide-opt-0", "slide 1 focused")
    A.d.switch_to.active_element.send_keys(Keys.ALT, Keys.ARROW_DOWN)
    ok = A.wait(lambda d: slide_titles()[1] == first, "Alt+Down moves the slide")
    check("Alt+↓ moves the focused slide down in the list", ok, slide_titles()[:3])
    check("the moved slide keeps the focus",
          A.d.switch_to.active_element.get_attribute("id") == "slide-opt-1")
    doc = draft_where(lambda d: d["slides"][1].get("id") == "conference", "the reorder is saved")
    check("Alt+↓ reorders the saved draft (autosave)", doc is not None)


@section
def reorder_drag():
    src = A.el("#slide-opt-1")
    dst = A.el("#slide-opt-0")
    h = dst.size["height"]
    ActionChains(A.d).click_and_hold(src).move_by_offset(0, -12).pause(0.2) \
        .move_to_element_with_offset(dst, 0, -h // 2 + 6).pause(0.2).release().perform()
    doc = draft_where(lambda d: d["slides"][0].get("id") == "conference", "dragging is saved")
    check("dragging a slide to the top reorders the saved draft", doc is not None)
    check("after the drag the list shows the new order",
          slide_titles()[0] == (doc or {"slides": [{"title": "?"}]})["slides"][0].get("title"))


@section
def add_list_slide():
    A.click("#slide-opt-0")
    A.click("#add-slide-btn")
    A.visible("#dlg-add")
    check("新增幻灯片 asks for the type (7 kinds)", len(A.els("#type-grid .type-card")) == 7)
    r0, src0 = renders(), preview_src()
    A.click('#type-grid [data-type="list"]')
    ok = A.wait(lambda d: d.find_element(By.ID, "form-title").text.startswith("第 2 张"), "the new slide's form")
    check("the new list slide is added after the selected one", ok)
    title = A.field("标题").find_element(By.CSS_SELECTOR, "input")
    check("its title box has the focus", A.d.switch_to.active_element == title)
    title.send_keys("秋季运动会")
    item = A.field("列表项").find_element(By.CSS_SELECTOR, ".row input")
    A.set_text(item, "10月15日（周三）全天举行")
    ok = A.wait(lambda d: renders() > r0 and preview_src() not in ("", src0) and
                "stale" not in d.find_element(By.ID, "preview-img").get_attribute("class"),
                "the preview shows the new slide")
    check("the big preview shows the new slide once it is valid", ok)
    cnt = A.field("标题").find_element(By.CSS_SELECTOR, ".counter").text
    check("the title has a counter against its limit (标题 5/40)", cnt == "5/40", cnt)
    r1, src1 = renders(), preview_src()
    title.send_keys(Keys.END, "通知")
    ok = A.wait(lambda d: renders() > r1 and preview_src() not in ("", src1), "the preview follows typing")
    check("the big preview changes as the user types", ok)
    doc = draft_where(lambda d: d["slides"][1].get("title") == "秋季运动会通知" and
                      d["slides"][1].get("items") == ["10月15日（周三）全天举行"] and
                      d["slides"][1].get("type") == "list", "the new slide is saved")
    check("the new slide is in the saved draft", doc is not None)
    ok = A.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#slide-opt-1 .thumb img").is_displayed(),
                "the new slide's thumbnail")
    check("the new slide gets a thumbnail", ok)


@section
def validation_error():
    title = A.field("标题").find_element(By.CSS_SELECTOR, "input")
    A.set_text(title, "")
    msg = A.wait(lambda d: " ".join(msgs_of(A.field("标题"))) or None, "a message next to the title")
    check("an emptied title gets a Chinese message next to it", msg and "不能为空" in msg, msg)
    check("the title box is marked invalid", title.get_attribute("aria-invalid") == "true")
    ok = A.wait(lambda d: not publish_enabled(), "发布 disabled")
    check("发布 is disabled while there is an error", ok)
    check("发布 shows the error count", "错误" in A.el("#publish-btn").text, A.el("#publish-btn").text)
    check("the slide is marked in the list", len(A.els("#slide-opt-1 .badge.err")) == 1)
    dur = A.field("显示秒数").find_element(By.CSS_SELECTOR, "input")
    A.set_text(dur, "700")
    msg = A.wait(lambda d: " ".join(msgs_of(A.field("显示秒数"))) or None, "a message next to the duration")
    check("a duration over the limit gets its Chinese message next to it", msg and "3 到 600" in msg, msg)
    A.js("document.getElementById('form-pane').scrollTop = 0")
    A.shot("form-errors")
    A.set_text(dur, "")
    A.set_text(title, "秋季运动会通知")
    ok = A.wait(lambda d: not msgs_of(A.field("标题")) and not msgs_of(A.field("显示秒数")) and publish_enabled(),
                "errors fixed")
    check("once fixed, the messages go and 发布 is enabled again", ok)
    ph = dur.get_attribute("placeholder")
    check("an empty duration shows the default (默认 12)", ph == "默认 12", ph)


def open_section(title):
    for s in A.els("#form-pane details.form-section"):
        summ = s.find_element(By.CSS_SELECTOR, "summary")
        if summ.text.startswith(title):
            if not s.get_attribute("open"):
                A.js("arguments[0].scrollIntoView({block: 'center'})", summ)
                summ.click()
            return s
    raise AssertionError("no section " + title)


@section
def when_pickers():
    sec = open_section("什么时候显示")
    dates = sec.find_elements(By.CSS_SELECTOR, "input[type=date]")
    times = sec.find_elements(By.CSS_SELECTOR, "input[type=time]")
    check("when: two date pickers and time pickers", len(dates) == 2 and len(times) == 4, (len(dates), len(times)))
    A.set_value(dates[0], "2026-12-01")
    A.set_value(dates[1], "2026-12-05")
    A.set_value(times[1], "18:00")
    for day in ("mon", "fri"):
        lab = sec.find_element(By.CSS_SELECTOR, 'input[data-day="%s"]' % day).find_element(By.XPATH, "..")
        lab.click()
    A.set_value(times[2], "07:30")
    A.set_value(times[3], "18:00")
    want = {"from": "2026-12-01", "until": "2026-12-05 18:00", "days": ["mon", "fri"], "hours": "07:30-18:00"}
    check("every control of the list form, when and sites included, has a label", not unlabeled(), unlabeled())
    doc = draft_where(lambda d: d["slides"][1].get("when") == want, "when saved")
    check("the when pickers write {from, until, days, hours} as the format wants", doc is not None,
          SRV.draft()[:600])
    check("the slide is flagged as timed in the list", len(A.els("#slide-opt-1 .flag-when")) == 1)
    for b in sec.find_elements(By.CSS_SELECTOR, ".presets button"):
        if b.text == "周一到周五":
            b.click()
            break
    doc = draft_where(lambda d: d["slides"][1].get("when", {}).get("days") == ["mon", "tue", "wed", "thu", "fri"],
                      "周一到周五 saved")
    check("周一到周五 ticks Monday to Friday", doc is not None)
    sites = open_section("在哪些屏幕显示")
    inp = sites.find_element(By.CSS_SELECTOR, "input[type=text]")
    A.js("arguments[0].scrollIntoView({block: 'center'})", inp)
    inp.send_keys("north-campus", Keys.ENTER)
    doc = draft_where(lambda d: d["slides"][1].get("sites") == ["north-campus"], "a site tag saved")
    check("a site tag is added with Enter", doc is not None)
    A.js("document.getElementById('form-pane').scrollTop = 0")
    A.shot("form")
    A.click("#form-pane .chip-x")
    doc = draft_where(lambda d: "sites" not in d["slides"][1], "the site tag removed")
    check("a site tag is removed with its ×", doc is not None)


def natural_size():
    return A.js("var i = document.getElementById('preview-img');"
                "return i.hidden || !i.complete ? null : [i.naturalWidth, i.naturalHeight]")


@section
def preview_size():
    sel = Select(A.el("#preview-size"))
    for value, size in (("1080x1920", [1080, 1920]), ("1280x720", [1280, 720]), ("1920x1080", [1920, 1080])):
        sel.select_by_value(value)
        ok = A.wait(lambda d: natural_size() == size, "preview at " + value)
        check("the preview size switch draws at %s" % value, ok, natural_size())
        if value == "1080x1920":
            A.shot("portrait")
            check("no horizontal scrolling with the portrait preview", A.no_hscroll())


@section
def emergency_alert():
    A.click("#deck-item")
    A.wait(lambda d: d.find_element(By.ID, "form-title").text == "整体设置", "the deck settings")
    for summ in A.els("#form-pane details.addr summary"):
        A.js("arguments[0].click()", summ)
    check("every control of the deck settings has a label", not unlabeled(), unlabeled())
    level = A.field("通知级别").find_element(By.CSS_SELECTOR, "select")
    A.js("arguments[0].scrollIntoView({block: 'center'})", level)
    Select(level).select_by_value("emergency")
    dlg = A.visible("#dlg-confirm")
    text = A.el("#dlg-confirm-text").text
    check("choosing 紧急 asks for a confirmation", dlg is not None and "紧急" in A.el("#dlg-confirm-title").text, text)
    A.el("#dlg-confirm-cancel").click()
    ok = A.wait(lambda d: A.field("通知级别").find_element(By.CSS_SELECTOR, "select").get_attribute("value") == "",
                "cancel keeps no alert")
    check("cancelling keeps the alert off", ok and "alert" not in (SRV.draft_doc() or {}))
    level = A.field("通知级别").find_element(By.CSS_SELECTOR, "select")
    Select(level).select_by_value("emergency")
    A.visible("#dlg-confirm")
    A.el("#dlg-confirm-ok").click()
    A.wait(lambda d: A.field("通知标题"), "the alert's fields")
    A.set_text(A.field("通知标题").find_element(By.CSS_SELECTOR, "input"), "消防疏散演练")
    doc = draft_where(lambda d: d.get("alert") == {"level": "emergency", "title": "消防疏散演练"}, "the alert saved")
    check("confirming makes an emergency alert in the draft", doc is not None)
    A.click("#publish-btn")
    A.visible("#dlg-publish")
    check("publishing an emergency asks to tick a confirmation",
          A.el("#publish-emergency").is_displayed() and not A.el("#publish-go").is_enabled())
    A.el("#publish-emergency-ok").click()
    check("ticking it enables 发布", A.el("#publish-go").is_enabled())
    A.click("#dlg-publish button[value=cancel]")
    Select(A.field("通知级别").find_element(By.CSS_SELECTOR, "select")).select_by_value("")
    doc = draft_where(lambda d: "alert" not in d, "the alert removed")
    check("没有通知 removes the alert", doc is not None)


def png_bytes(w, h):
    """A small real PNG (a blue-to-yellow gradient)."""
    import struct
    import zlib
    rows = b"".join(b"\0" + b"".join(bytes((x * 255 // w, x * 200 // w, 180 - x * 180 // w))
                                      for x in range(w)) for _ in range(h))

    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload(path):
    """Presses 上传图片… and gives the browser a file, as the file chooser
    would (headless Chromium shows none)."""
    A.click("#form-pane .upload-btn")
    A.js("document.getElementById('file-input').hidden = false")
    A.el("#file-input").send_keys(path)
    A.js("document.getElementById('file-input').hidden = true")


@section
def image_upload():
    import hashlib
    A.click("#slide-opt-1")
    A.click("#add-slide-btn")
    A.click('#type-grid [data-type="image"]')
    A.wait(lambda d: d.find_element(By.ID, "form-title").text.startswith("第 3 张"), "the image slide's form")
    tmp = tempfile.mkdtemp(prefix="ek-img-")
    try:
        bad = os.path.join(tmp, "notes.png")
        with open(bad, "w") as f:
            f.write("this is not a picture\n")
        upload(bad)
        msg = A.wait(lambda d: " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".upload-status.bad")) or None,
                     "a refused upload is explained")
        check("a file that is not PNG/JPEG is refused with a Chinese reason", msg and "PNG" in msg and "JPEG" in msg, msg)
        good = os.path.join(tmp, "campus.png")
        data = png_bytes(320, 180)
        with open(good, "wb") as f:
            f.write(data)
        sha = hashlib.sha256(data).hexdigest()
        r0 = renders()
        upload(good)
        doc = draft_where(lambda d: d["slides"][2].get("src") == "images/%s.png" % sha and
                          d["slides"][2].get("src_sha256") == sha, "the uploaded image in the draft")
        check("an uploaded image sets src and its src_sha256 pin", doc is not None)
        ok = A.wait(lambda d: A.js("var i = document.querySelector('#form-pane .img-thumb img');"
                                   "return i && i.complete && i.naturalWidth") == 320, "the image in the form")
        check("the form shows the uploaded image", ok)
        ok = A.wait(lambda d: renders() > r0 and "stale" not in d.find_element(By.ID, "preview-img").get_attribute("class"),
                    "the image slide drawn")
        check("the image slide is drawn by the preview", ok)
        for summ in A.els("#form-pane details"):
            if not summ.get_attribute("open"):
                A.js("arguments[0].open = true", summ)
        check("every control of the image form has a label", not unlabeled(), unlabeled())
        A.set_text(A.field("图片说明").find_element(By.CSS_SELECTOR, "input"), "新操场")
        draft_where(lambda d: d["slides"][2].get("caption") == "新操场", "the caption saved")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@section
def publish_change():
    FEEDS["v2"] = do_publish("新增秋季运动会通知", enter=True)
    check("发布 puts the change into /feed.json",
          "秋季运动会通知" in FEEDS["v2"].decode("utf-8", "replace") and FEEDS["v2"] != FEEDS.get("v1"))
    st, _ = SRV.get("feed.json.minisig")
    check("the new feed is signed", st == 200, st)
    check("the published feed pins the uploaded image", b'"src_sha256"' in FEEDS["v2"])
    m = re.search(rb'"src": "(images/[0-9a-f]{64}\.png)"', FEEDS["v2"])
    st = SRV.get(m.group(1).decode())[0] if m else 0
    check("the uploaded image is served next to the feed", st == 200, st)


def caret_line():
    return A.js("var t = document.getElementById('json-text');"
                "return t.value.slice(0, t.selectionStart).split('\\n').length")


@section
def json_error():
    A.click("#tab-btn-json")
    ta = A.visible("#json-text")
    lines = ta.get_attribute("value").split("\n")
    check("the JSON tab shows the draft", lines[1].strip() == '"format": "edukiosk/1",', lines[1])
    ta.click()
    ta.send_keys(Keys.CONTROL, Keys.HOME)
    ta.send_keys(Keys.DOWN, Keys.END, Keys.BACKSPACE)
    btn = A.wait(lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, ".json-err-btn")
                                 if b.get_attribute("data-line") == "3"), None),
                 "the error at line 3")
    text = btn.text if btn else ""
    check("a missing comma is listed at its line:column (第 3 行第 3 列)", "第 3 行第 3 列" in text, text)
    check("… in plain Chinese", "逗号" in text, text)
    marks = [g.text for g in A.els("#json-gutter .gl.err")]
    check("the erroneous line is marked in the gutter", marks == ["3"], marks)
    check("发布 is disabled by the JSON error", A.wait(lambda d: not publish_enabled(), "发布 disabled"))
    ta.send_keys(Keys.CONTROL, Keys.END)
    btn.click()
    check("clicking the error puts the cursor on line 3", caret_line() == 3, caret_line())
    A.shot("json")
    A.click("#tab-btn-edit")
    notice = A.visible("#form-pane .big-notice")
    check("the form says the JSON must be fixed first", notice is not None and "JSON" in notice.text)
    A.click("#tab-btn-json")
    ta = A.visible("#json-text")
    btn = A.visible('.json-err-btn[data-line="3"]')
    btn.click()
    ta.send_keys(Keys.UP, Keys.END, ",")
    ok = A.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#json-errors .json-ok") and publish_enabled(),
                "the JSON fixed")
    check("fixing the comma clears the error and enables 发布", ok)
    # Text pasted from a Chinese word processor: curly quotes.
    A.js("var t = document.getElementById('json-text');"
         "t.value = t.value.replace(/\"school\": \"([^\"]*)\"/, '\"school\": \u201c$1\u201d');"
         "t.dispatchEvent(new Event('input', {bubbles: true}))")
    fix = A.wait(lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, ".fix-btn") if b.is_displayed()), None),
                 "自动改正 offered")
    msg = A.el("#json-errors .json-err-msg").text if fix else ""
    check("Chinese quotes are explained (请用英文双引号)", "英文双引号" in msg, msg)
    if fix:
        fix.click()
    ok = A.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#json-errors .json-ok") and publish_enabled(),
                "自动改正 fixed it")
    school = (SRV.draft_doc() or {}).get("school") if ok else None
    check("自动改正 puts straight quotes back and keeps the text",
          ok and '"school": "重庆市涪陵区教育委员会"' in A.el("#json-text").get_attribute("value"), school)
    A.click("#tab-btn-edit")


@section
def conflict():
    d = OTHER_API.call("GET", "api/draft")
    text = d["text"].replace("秋季运动会通知", "秋季运动会（改期）")
    OTHER_API.call("PUT", "api/draft", text.encode(), {"If-Match": '"%d"' % d["rev"]})
    A.click("#slide-opt-1")
    title = A.field("标题").find_element(By.CSS_SELECTOR, "input")
    title.send_keys("！")
    A.click("#save-btn")
    banner = A.visible("#conflict-banner")
    check("a conflicting save shows a clear banner", banner is not None and "别人" in banner.text,
          banner.text if banner else "")
    check("… and says the change is not saved", "冲突" in A.el("#save-status").text, A.el("#save-status").text)
    A.shot("conflict")
    A.click("#conflict-load")
    ok = A.wait(lambda d: not d.find_elements(By.ID, "conflict-banner") and
                A.field("标题").find_element(By.CSS_SELECTOR, "input").get_attribute("value") == "秋季运动会（改期）",
                "theirs loaded")
    check("载入对方的版本 loads the other person's draft", ok)


def version_rows():
    return {int(r.get_attribute("data-version")): r for r in A.els("#history-rows tr")}


@section
def history_rollback():
    A.click("#tab-btn-history")
    rows = A.wait(lambda d: (lambda r: r if len(r) >= 2 else None)(version_rows()), "two versions listed")
    check("the history lists both publishes", rows and sorted(rows) == [1, 2], sorted(rows or {}))
    live = A.els("#history-rows tr.live")
    check("the live version is marked", len(live) == 1 and live[0].get_attribute("data-version") == "2"
          and "正在使用" in live[0].text)
    check("each version shows who and the summary",
          USER in rows[1].text and "开学初始内容" in rows[1].text and "秋季运动会" in rows[2].text, rows[2].text)
    rows[1].find_element(By.CSS_SELECTOR, '[data-act="view"]').click()
    ok = A.wait(lambda d: d.find_element(By.ID, "hp-img").is_displayed() and
                d.find_element(By.ID, "hp-img").get_attribute("src").startswith("blob:"), "the version's preview")
    check("预览 shows a version's slide", ok)
    A.shot("history")
    A.visible('#history-rows tr[data-version="1"] [data-act="republish"]').click()
    A.visible("#dlg-confirm")
    check("重新发布 asks first", "版本 1" in A.el("#dlg-confirm-title").text, A.el("#dlg-confirm-title").text)
    A.el("#dlg-confirm-ok").click()
    got = A.wait(lambda d: SRV.get("feed.json")[1] == FEEDS.get("v1"), "/feed.json back to version 1")
    check("rolling back makes /feed.json the old text again", got)
    rows = A.wait(lambda d: (lambda r: r if len(r) >= 3 else None)(version_rows()), "three versions")
    live = A.els("#history-rows tr.live")
    check("the rollback is a new live version", rows and len(live) == 1 and
          live[0].get_attribute("data-version") == "3" and "回滚" in live[0].text,
          live[0].text if live else "")
    doc = draft_where(lambda d: "秋季运动会" not in json.dumps(d, ensure_ascii=False), "the draft is version 1")
    check("the draft becomes the rolled-back text", doc is not None)
    A.shot("history-rolled-back")


@section
def load_version():
    A.visible('#history-rows tr[data-version="2"] [data-act="load"]').click()
    A.visible("#dlg-confirm")
    A.el("#dlg-confirm-ok").click()
    ok = A.wait(lambda d: "秋季运动会通知" in slide_titles(), "version 2 in the draft")
    check("载入草稿 puts a version into the draft (the edit view shows it)", ok)
    doc = draft_where(lambda d: "秋季运动会通知" in json.dumps(d, ensure_ascii=False), "version 2 saved as the draft")
    check("… saved as the draft", doc is not None)
    check("… without publishing it", SRV.get("feed.json")[1] == FEEDS.get("v1"))


@section
def language():
    A.wait(lambda d: not d.find_element(By.ID, "save-btn").is_enabled(), "everything saved")
    A.click(".top-actions .lang-toggle")
    ok = A.wait(lambda d: d.find_element(By.ID, "tab-btn-edit").text == "Edit", "English")
    check("English can be chosen", ok and "Publish" in A.el("#publish-btn").text)
    A.shot("english")
    A.d.refresh()
    ok = A.wait(lambda d: d.find_element(By.ID, "tab-btn-edit").is_displayed() and
                d.find_element(By.ID, "tab-btn-edit").text == "Edit", "English after a reload")
    check("the language is remembered", ok)
    A.wait(lambda d: len(slide_titles()) > 0, "the list after the reload")
    A.click(".top-actions .lang-toggle")
    ok = A.wait(lambda d: d.find_element(By.ID, "tab-btn-edit").text == "编辑", "Chinese again")
    check("中文 again", ok)


@section
def session_expiry():
    A.click("#slide-opt-0")
    A.d.delete_all_cookies()
    title = A.field("标题").find_element(By.CSS_SELECTOR, "input")
    title.send_keys(Keys.END, "！")
    note = A.visible("#login-expired")
    check("an expired session brings the log-in back over the page", note is not None and "修改还在" in note.text)
    pw = A.el("#login-pass")
    pw.send_keys(PASSWORD, Keys.ENTER)
    A.wait(lambda d: not d.find_element(By.ID, "login").is_displayed(), "the log-in layer closes")
    doc = draft_where(lambda d: d["slides"][0].get("title", "").endswith("！"), "the change saved after log-in")
    check("the change made while logged out is saved after logging in again", doc is not None)


@section
def log_out():
    A.click("#logout-btn")
    ok = A.visible("#login-user")
    check("退出 logs out (the log-in screen again)", ok is not None)


def main():
    global A, SRV, OTHER_API
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    build = os.path.dirname(os.path.abspath(sys.argv[1]))
    editor = os.path.join(build, "edukiosk-editor")
    shots = os.path.join(build, "editor-browser")
    shutil.rmtree(shots, ignore_errors=True)
    os.makedirs(shots)
    tmp = tempfile.mkdtemp(prefix="ek-browser-")
    try:
        SRV = Server(editor, tmp)
        OTHER_API = Api(SRV.url, OTHER, OTHER_PASSWORD)
        try:
            A = Browser(SRV.url, shots)
        except WebDriverException as e:
            check("headless Chromium starts (chromium, chromium-driver)", False, str(e).strip()[:300])
            print("editor browser: %d passed, %d failed" % (passed, failed))
            return 1
        try:
            for part in (login, publish_initial, reorder_keyboard, reorder_drag, add_list_slide,
                         validation_error, when_pickers, preview_size, emergency_alert, image_upload,
                         publish_change, json_error, conflict, history_rollback, load_version, language,
                         session_expiry, log_out):
                part()
            A.collect_log()
            check("no JavaScript errors in the console", not A.js_errors, A.js_errors[:5])
        finally:
            A.quit()
    finally:
        if SRV:
            SRV.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots: " + shots)
    print("editor browser: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


OTHER_API = None

if __name__ == "__main__":
    sys.exit(main())
