/* The screens that are not slides of the feed: the emergency alert (over
 * everything), the info/warning banner (over the slides) and the fallback
 * (school and clock, when no slide is eligible).
 */
#define LOG_MODULE "layout"
#include "log.h"

#include "layout.h"
#include "layout_priv.h"

#include <stdio.h>
#include <string.h>

/* The short accent rule under a centred heading that ends at y, centred
 * on cx; returns where what follows starts. */
static int centred_rule(struct lb *b, int cx, int y, enum lay_color c)
{
    int gap = sc(b, 40), rh = sc(b, 8);
    lb_rect(b, mkbox(cx - sc(b, 60), y + gap, sc(b, 120), rh), c, 255, sc(b, 4), "rule");
    return y + gap + rh + gap;
}

static int rule_block(const struct lb *b) { return 2 * sc(b, 40) + sc(b, 8); }

int layout_alert(const struct deck *d, const struct alert *al, int w, int h,
                 const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    struct chrome_layout c;
    if (!lb_begin(&b, out, d, w, h, m, &c) || !al)
        return lb_finish(&b);
    out->has_bg_color = true;
    out->bg_color = 0xc62828;
    /* Below the header band, clear of a ticker: whether or not the chrome
     * is drawn over it, nothing collides. */
    struct lay_box a = mkbox(c.content.x, c.header.h + sc(&b, 48), c.content.w, 0);
    a.h = imax(0, h - sc(&b, 80) - a.y - (c.ticker.h > 0 ? c.ticker.h : 0));
    bool en = d && d->lang == LANG_EN;
    const char *tag = en ? "EMERGENCY" : "紧急通知";
    int tpx = sc(&b, 48);
    struct text_lines tl;
    lb_fit(&b, (struct text_fit_req){.text = tag, .box_w = a.w,
                                     .box_h = line_h(tpx, 1.3f), .max_px = tpx,
                                     .min_px = tpx, .bold = true, .line_spacing = 1.3f,
                                     .max_lines = 1},
           &tl);
    int pill_h = (int)lround(tl.line_h * 1.5), pill_w = widest(&tl) + 2 * sc(&b, 32);
    /* An emergency must read from across the hall: title and text take
     * the whole screen width and as much height as they can use.  A few
     * title ceilings are tried; the text is fitted under each at up to
     * 5/7 of the title's size (the title must stay clearly the larger),
     * and the pair with the largest text wins (ties: the larger title). */
    int w2 = a.w;
    int rest = a.h - pill_h - sc(&b, 48);
    struct text_lines title, text;
    memset(&title, 0, sizeof(title));
    memset(&text, 0, sizeof(text));
    static const int title_max[] = {160, 140, 120, 104, 88};
    for (size_t i = 0; i < sizeof(title_max) / sizeof(title_max[0]) && !b.fail; i++) {
        struct text_lines t1, x1;
        lb_fit_title(&b, (struct text_fit_req){.text = al->title, .box_w = w2,
                                               .box_h = rest * 2 / 5,
                                               .max_px = sc(&b, title_max[i]),
                                               .min_px = sc(&b, 64), .bold = true,
                                               .line_spacing = 1.2f, .max_lines = 3,
                                               .balance = true},
                     &t1);
        int th1 = text_h(&t1);
        int xmax = t1.n ? imin(sc(&b, 104), t1.px * 5 / 7) : sc(&b, 104);
        lb_fit(&b, (struct text_fit_req){.text = al->text, .box_w = w2,
                                         .box_h = rest - th1 - (th1 ? rule_block(&b) : 0),
                                         .max_px = xmax, .min_px = sc(&b, 36),
                                         .line_spacing = 1.4f, .balance = true},
               &x1);
        bool first = i == 0;
        bool better = (text.ellipsized && !x1.ellipsized) ||
                      (x1.ellipsized == text.ellipsized &&
                       (x1.px > text.px || (x1.px == text.px && t1.px > title.px)));
        if (first || better) {
            text_lines_free(&title);
            text_lines_free(&text);
            title = t1;
            text = x1;
        } else {
            text_lines_free(&t1);
            text_lines_free(&x1);
        }
    }
    int th = text_h(&title);
    int rule = th ? rule_block(&b) : 0;
    int xh = text_h(&text);
    int y = settle(a.y, a.h, pill_h + sc(&b, 48) + th + rule + xh);
    int cx = a.x + a.w / 2;
    struct lay_box pill = mkbox(cx - pill_w / 2, y, pill_w, pill_h);
    lb_rect(&b, pill, LC_WHITE, 255, pill_h / 2, "pill");
    lb_text(&b, "level",
            mkbox(pill.x, pill.y + (pill_h - tl.line_h) / 2, pill_w, tl.line_h), &tl,
            LC_ALERT, ALIGN_CENTER, true);
    y += pill_h + sc(&b, 48);
    lb_text(&b, "title", mkbox(cx - w2 / 2, y, w2, th), &title, LC_WHITE, ALIGN_CENTER,
            true);
    if (th)
        y = centred_rule(&b, cx, y + th, LC_WHITE);
    lb_text(&b, "text", mkbox(cx - w2 / 2, y, w2, xh), &text, LC_WHITE, ALIGN_CENTER,
            false);
    return lb_finish(&b);
}

int layout_banner(const struct deck *d, const struct alert *al,
                  const struct chrome_layout *c, const struct text_measure *m,
                  struct slide_layout *out)
{
    struct lb b;
    lb_init(&b, out, d, c ? c->w : 0, c ? c->h : 0, m);
    if (!al || !c || c->banner.w <= 0 || c->banner.h <= 0 || b.fail)
        return lb_finish(&b);
    struct lay_box bb = c->banner;
    bool warn = al->level == ALERT_WARNING || al->level == ALERT_EMERGENCY;
    bool en = d && d->lang == LANG_EN;
    /* Fixed colours, not the theme's: the strip must read as "not part of
     * the slide" and keep its contrast whatever the editors pick.  The tag
     * pill inverts the pair. */
    enum lay_color fill = warn ? LC_WARNING : LC_INFO;
    enum lay_color ink = warn ? LC_ON_WARNING : LC_WHITE;
    lb_rect(&b, bb, fill, 255, sc(&b, 16), "band");
    int pad = sc(&b, 28);
    int x = bb.x + pad, right = bb.x + bb.w - pad;

    const char *tag = warn ? (en ? "Warning" : "注意") : (en ? "Notice" : "通知");
    int tpx = sc(&b, 32);
    struct text_lines tl;
    /* No tag on a band too low for its line inside the pill. */
    lb_fit(&b, (struct text_fit_req){.text = tag, .box_w = right - x,
                                     .box_h = imin(line_h(tpx, 1.3f),
                                                   bb.h - 2 * sc(&b, 16)),
                                     .max_px = tpx,
                                     .min_px = tpx, .bold = true, .line_spacing = 1.3f,
                                     .max_lines = 1},
           &tl);
    if (tl.n > 0) {
        int ph = imin(bb.h - 2 * sc(&b, 16), (int)lround(tl.line_h * 1.45));
        int pw = widest(&tl) + 2 * sc(&b, 22);
        struct lay_box pill = mkbox(x, bb.y + (bb.h - ph) / 2, pw, ph);
        lb_rect(&b, pill, ink, 255, ph / 2, "pill");
        lb_text(&b, "level",
                mkbox(pill.x, pill.y + (ph - tl.line_h) / 2, pw, imin(ph, tl.line_h)),
                &tl, fill, ALIGN_CENTER, true);
        x += pw + sc(&b, 24);
    }
    int inner_h = bb.h - 2 * sc(&b, 8);
    int iy = bb.y + sc(&b, 8);
    struct text_lines title, text;
    if (stacked_banner(bb.w, b.u)) {
        /* Narrow screens: the title over the text, both beside the tag. */
        int vpad = sc(&b, 14);
        lb_fit(&b, (struct text_fit_req){.text = al->title, .box_w = right - x,
                                         .box_h = line_h(sc(&b, 40), 1.3f),
                                         .max_px = sc(&b, 40), .min_px = sc(&b, 30),
                                         .bold = true, .line_spacing = 1.3f,
                                         .max_lines = 1},
               &title);
        int th = text_h(&title);
        int avail = bb.h - 2 * vpad - th;
        lb_fit(&b, (struct text_fit_req){.text = al->text, .box_w = right - x,
                                         .box_h = avail, .max_px = sc(&b, 36),
                                         .min_px = sc(&b, 28), .line_spacing = 1.25f,
                                         .max_lines = 2, .balance = true},
               &text);
        int xh = text_h(&text);
        int y = bb.y + (bb.h - th - xh) / 2;
        lb_text(&b, "heading", mkbox(x, y, right - x, th), &title, ink, ALIGN_LEFT, true);
        lb_text(&b, "text", mkbox(x, y + th, right - x, xh), &text, ink, ALIGN_LEFT, false);
        return lb_finish(&b);
    }
    int title_w = nonempty(al->text) ? (right - x) * 2 / 5 : right - x;
    lb_fit(&b, (struct text_fit_req){.text = al->title, .box_w = title_w, .box_h = inner_h,
                                     .max_px = sc(&b, 40), .min_px = sc(&b, 30),
                                     .bold = true, .line_spacing = 1.3f, .max_lines = 1},
           &title);
    if (title.n > 0) {
        int tw = widest(&title);
        struct lay_item *ti = lb_text(&b, "heading", mkbox(x, iy, tw, inner_h), &title,
                                      ink, ALIGN_LEFT, true);
        if (ti)
            ti->vcenter = true;
        x += tw + sc(&b, 28);
    }
    lb_fit(&b, (struct text_fit_req){.text = al->text, .box_w = right - x,
                                     .box_h = inner_h, .max_px = sc(&b, 38),
                                     .min_px = sc(&b, 28), .line_spacing = 1.25f,
                                     .max_lines = 2, .balance = true},
           &text);
    struct lay_item *it = lb_text(&b, "text", mkbox(x, iy, right - x, inner_h), &text,
                                  ink, ALIGN_LEFT, false);
    if (it)
        it->vcenter = true;
    return lb_finish(&b);
}

int layout_fallback(const struct deck *d, int w, int h, time_t now,
                    const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    struct chrome_layout c;
    if (!lb_begin(&b, out, d, w, h, m, &c))
        return lb_finish(&b);
    struct lay_box a = c.content;
    enum lang lang = d ? d->lang : LANG_ZH_CN;
    struct tm tm;
    char tbuf[16] = "", dbuf[64] = "";
    if (localtime_r(&now, &tm)) {
        snprintf(tbuf, sizeof(tbuf), "%02d:%02d", tm.tm_hour, tm.tm_min);
        lay_fmt_date(&tm, lang, true, dbuf, sizeof(dbuf));
    }
    struct text_lines school, tt, dt;
    lb_fit(&b, (struct text_fit_req){.text = d ? d->school : NULL,
                                     .box_w = imin(a.w, sc(&b, 1560)), .box_h = a.h / 4,
                                     .max_px = sc(&b, 64), .min_px = sc(&b, 40),
                                     .bold = true, .line_spacing = 1.3f, .max_lines = 2,
                                     .balance = true},
           &school);
    int sh = text_h(&school);
    int rule = sh ? rule_block(&b) : 0;
    lb_fit(&b, (struct text_fit_req){.text = dbuf, .box_w = a.w,
                                     .box_h = line_h(sc(&b, 52), 1.4f),
                                     .max_px = sc(&b, 52), .min_px = sc(&b, 32),
                                     .line_spacing = 1.4f, .max_lines = 1},
           &dt);
    int dh = text_h(&dt);
    lb_fit(&b, (struct text_fit_req){.text = tbuf, .box_w = a.w,
                                     .box_h = imax(1, a.h - sh - rule - dh - sc(&b, 16)),
                                     .max_px = sc(&b, 240), .min_px = sc(&b, 96),
                                     .bold = true, .line_spacing = 1.05f, .max_lines = 1},
           &tt);
    int th = text_h(&tt);
    int y = settle(a.y, a.h, sh + rule + th + sc(&b, 16) + dh);
    int sw = imin(a.w, sc(&b, 1560));
    lb_text(&b, "school", mkbox(a.x + (a.w - sw) / 2, y, sw, sh), &school, LC_TEXT,
            ALIGN_CENTER, true);
    if (sh)
        y = centred_rule(&b, a.x + a.w / 2, y + sh, LC_ACCENT);
    lb_text(&b, "time", mkbox(a.x, y, a.w, th), &tt, LC_TEXT, ALIGN_CENTER, true);
    y += th + sc(&b, 16);
    lb_text(&b, "date", mkbox(a.x, y, a.w, dh), &dt, LC_MUTED, ALIGN_CENTER, false);
    return lb_finish(&b);
}
