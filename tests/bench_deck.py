#!/usr/bin/env python3
"""The deck of `make bench`, for both contestants, from one feed.

    bench_deck.py FEED REPO OUT

Writes OUT/feed.json (the first 10 slides of FEED, each 3 s with a fade,
the ticker kept) with OUT/images/ beside it, and OUT/slides.html: the same
slides as an HTML/CSS slideshow for a browser kiosk, generated from the
same feed - every slide type of the feed format as HTML, the bundled
Noto Sans SC faces through @font-face (OUT/fonts/ links to REPO's), a
0.8 s cross-fade, a clock in the header, progress dots and a scrolling
ticker, at the sizes of edukiosk's layout for 1080p.  Nothing is fetched
from anywhere but OUT itself.
"""
import datetime
import html
import json
import os
import sys

SLIDES = 10
DURATION_S = 3


def esc(s):
    return html.escape(str(s or ""))


def days_to(date):
    try:
        d = datetime.date.fromisoformat(str(date)[:10])
    except ValueError:
        return None
    return (d - datetime.date.today()).days


def slide_html(s):
    t = s.get("type")
    title = f'<h1>{esc(s.get("title"))}</h1>' if s.get("title") else ""
    if t == "title":
        return (f'<div class="center"><h1 class="big">{esc(s.get("title"))}</h1>'
                f'<div class="rule"></div><p class="sub">{esc(s.get("subtitle"))}</p></div>'
                f'<p class="footer">{esc(s.get("footer"))}</p>')
    if t == "cards":
        cards = "".join(f'<div class="card"><h2>{esc(c.get("heading"))}</h2>'
                        f'<p>{esc(c.get("text"))}</p></div>' for c in s.get("cards", []))
        return f'{title}<div class="cards n{len(s.get("cards", []))}">{cards}</div>'
    if t == "list":
        tag = "ol" if s.get("numbered") else "ul"
        items = "".join(f"<li>{esc(i)}</li>" for i in s.get("items", []))
        return f'{title}<{tag} class="list">{items}</{tag}>'
    if t == "timeline":
        ms = "".join(f'<div class="ms"><div class="dot"></div><h2>{esc(m.get("label"))}</h2>'
                     f'<p>{esc(m.get("text"))}</p></div>' for m in s.get("milestones", []))
        return f'{title}<div class="timeline">{ms}</div>'
    if t == "countdown":
        n = days_to(s.get("target"))
        big = f"{n} 天" if n is not None and n >= 0 else esc(s.get("done_text"))
        return (f'{title}<div class="center"><div class="count">{big}</div>'
                f'<p class="sub">{esc(s.get("label"))}</p></div>')
    if t == "quote":
        return (f'<div class="center"><blockquote>「{esc(s.get("text"))}」</blockquote>'
                f'<p class="sub">— {esc(s.get("source"))}</p></div>')
    if t == "image":
        return f'{title}<img class="picture" src="{esc(s.get("src"))}">'
    return title


def page(feed):
    theme = feed.get("theme", {})
    bg = theme.get("background", "#0b3d91")
    fg = theme.get("text", "#ffffff")
    accent = theme.get("accent", "#ffc629")
    logo = theme.get("logo")
    slides = "".join(f'<section class="slide{" on" if i == 0 else ""}">{slide_html(s)}</section>'
                     for i, s in enumerate(feed["slides"]))
    dots = "".join(f'<i{" class=on" if i == 0 else ""}></i>' for i in range(len(feed["slides"])))
    items = "".join(f"<span>{esc(t)}</span><b></b>" for t in feed.get("ticker", []))
    logo_img = f'<img class="logo" src="{esc(logo)}">' if logo else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN" translate="no"><head><meta charset="utf-8"><meta name="google" content="notranslate"><title>slides</title>
<style>
@font-face {{ font-family: "Noto Sans SC"; font-weight: 400;
  src: url("fonts/NotoSansSC-Regular.otf") format("opentype"); }}
@font-face {{ font-family: "Noto Sans SC"; font-weight: 700;
  src: url("fonts/NotoSansSC-Bold.otf") format("opentype"); }}
html, body {{ margin: 0; width: 100%; height: 100%; overflow: hidden; cursor: none;
  background: {bg}; color: {fg}; font-family: "Noto Sans SC"; }}
#bg {{ position: absolute; inset: 0;
  background: linear-gradient({bg}, color-mix(in srgb, {bg} 78%, black)); }}
header {{ position: absolute; top: 0; left: 0; right: 0; height: 100px; display: flex;
  align-items: center; padding: 0 48px; box-sizing: border-box;
  background: color-mix(in srgb, {bg} 94%, white); border-bottom: 3px solid {accent}; }}
header .logo {{ height: 64px; margin-right: 20px; }}
header .school {{ font-size: 44px; font-weight: 700; flex: 1; }}
header .clock {{ font-size: 38px; }}
#dots {{ position: absolute; top: 118px; width: 100%; text-align: center; }}
#dots i {{ display: inline-block; width: 72px; height: 6px; margin: 0 3px;
  background: {fg}; opacity: .24; }}
#dots i.on {{ background: {accent}; opacity: 1; }}
.slide {{ position: absolute; top: 150px; left: 96px; right: 96px; bottom: 100px;
  opacity: 0; transition: opacity .8s linear; }}
.slide.on {{ opacity: 1; }}
h1 {{ font-size: 72px; font-weight: 700; margin: 40px 0 48px; }}
h1.big {{ font-size: 96px; margin: 0; }}
.center {{ position: absolute; inset: 0 0 120px; display: flex; flex-direction: column;
  align-items: center; justify-content: center; text-align: center; }}
.rule {{ width: 120px; height: 8px; background: {accent}; margin: 40px; }}
.sub {{ font-size: 48px; margin: 0; }}
.footer {{ position: absolute; bottom: 20px; width: 100%; text-align: center;
  font-size: 36px; opacity: .72; }}
.cards {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 40px; }}
.cards.n4, .cards.n8 {{ grid-template-columns: repeat(4, 1fr); }}
.card {{ background: rgba(255,255,255,.1); border-top: 8px solid {accent};
  padding: 32px; border-radius: 12px; }}
.card h2 {{ font-size: 48px; margin: 0 0 16px; }}
.card p {{ font-size: 36px; margin: 0; opacity: .85; }}
.list {{ font-size: 56px; line-height: 1.7; }}
.timeline {{ display: flex; gap: 80px; border-top: 6px solid {accent}; padding-top: 40px; }}
.ms {{ flex: 1; }} .ms h2 {{ font-size: 52px; color: {accent}; margin: 0 0 16px; }}
.ms p {{ font-size: 40px; margin: 0; }}
.count {{ font-size: 200px; font-weight: 700; color: {accent}; }}
blockquote {{ font-size: 72px; font-weight: 700; margin: 0 0 40px; }}
.picture {{ max-width: 100%; max-height: 70%; }}
#ticker {{ position: absolute; left: 0; right: 0; bottom: 0; height: 80px; overflow: hidden;
  background: color-mix(in srgb, color-mix(in srgb, {bg} 78%, black) 73%, black);
  font-size: 40px; line-height: 80px; white-space: nowrap; }}
#ticker div {{ display: inline-block; padding-left: 40px;
  animation: scroll var(--ticker-s, 60s) linear infinite; }}
#ticker span {{ margin-right: 60px; }}
#ticker b {{ display: inline-block; width: 13px; height: 13px; background: {accent};
  margin: 0 60px 6px 0; }}
@keyframes scroll {{ from {{ transform: translateX(0); }} to {{ transform: translateX(-50%); }} }}
</style></head>
<body><div id="bg"></div>
<header>{logo_img}<div class="school">{esc(feed.get("school"))}</div><div class="clock" id="clock"></div></header>
<div id="dots">{dots}</div>
{slides}
<div id="ticker"><div id="strip">{items}{items}</div></div>
<script>
const slides = document.querySelectorAll(".slide"), dots = document.querySelectorAll("#dots i");
let cur = 0;
setInterval(() => {{
  slides[cur].classList.remove("on"); dots[cur].classList.remove("on");
  cur = (cur + 1) % slides.length;
  slides[cur].classList.add("on"); dots[cur].classList.add("on");
}}, {DURATION_S * 1000});
const week = "日一二三四五六";
function tick() {{
  const d = new Date(), p = n => String(n).padStart(2, "0");
  document.getElementById("clock").textContent =
    `${{d.getFullYear()}}年${{d.getMonth() + 1}}月${{d.getDate()}}日 星期${{week[d.getDay()]}} ${{p(d.getHours())}}:${{p(d.getMinutes())}}`;
  setTimeout(tick, 60000 - d.getSeconds() * 1000 - d.getMilliseconds());
}}
tick();
/* ~112 px/s like the kiosk's ticker at 1080p */
const strip = document.getElementById("strip");
strip.style.setProperty("--ticker-s", (strip.scrollWidth / 2 / 112) + "s");
</script></body></html>
"""


def main():
    feed_path, repo, out = sys.argv[1:4]
    with open(feed_path, encoding="utf-8") as f:
        feed = json.load(f)
    feed["slides"] = feed["slides"][:SLIDES]
    for s in feed["slides"]:
        s["duration"] = DURATION_S
        s["transition"] = "fade"
    with open(os.path.join(out, "feed.json"), "w", encoding="utf-8") as f:
        json.dump(feed, f, ensure_ascii=False)
    os.makedirs(os.path.join(out, "fonts"), exist_ok=True)
    for name in ("NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf"):
        os.symlink(os.path.join(repo, "assets", "fonts", name),
                   os.path.join(out, "fonts", name))
    src_images = os.path.join(os.path.dirname(os.path.abspath(feed_path)), "images")
    if os.path.isdir(src_images):
        os.symlink(src_images, os.path.join(out, "images"))
    with open(os.path.join(out, "slides.html"), "w", encoding="utf-8") as f:
        f.write(page(feed))


if __name__ == "__main__":
    main()
