/* Layout: the display list builder, text fitting, dates, the chrome and
 * layout_slide(); the slide types live in layout_slides.c and
 * layout_time.c, the alert, banner and fallback in layout_screens.c.
 *
 * All sizes are written for a screen whose short side is 1080 px and
 * scaled by min(w, h) / 1080: a portrait screen is the same television
 * turned, so type keeps its physical size (readable from 3-5 m) and only
 * the arrangement changes.  Every text goes through text_fit() with a
 * floor, so long editor text shrinks, then ellipsises, and never leaves
 * its box.  Boxes of text are as tall as their lines, which lets the
 * slide functions stack them without overlap.
 */
#define LOG_MODULE "layout"
#include "log.h"

#include "layout.h"
#include "layout_priv.h"
#include "text_bidi.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double scale_for(int w, int h)
{
    int s = w < h ? w : h;
    return s > 0 ? s / 1080.0 : 1.0;
}

int lb_measure(struct lb *b, const char *s, int px, bool bold)
{
    if (!nonempty(s))
        return 0;
    size_t len = strlen(s);
    int r = b->m->fn(b->m->ctx, s, len, px, bold, text_bidi_rtl(s, len));
    return r < 0 ? 0 : r;
}

/* ---- the display list ---- */

void lb_init(struct lb *b, struct slide_layout *out, const struct deck *d, int w,
             int h, const struct text_measure *m)
{
    memset(out, 0, sizeof(*out));
    out->w = w;
    out->h = h;
    memset(b, 0, sizeof(*b));
    b->out = out;
    b->m = m;
    b->d = d;
    b->u = scale_for(w, h);
    b->fail = !m || !m->fn;
}

bool lb_begin(struct lb *b, struct slide_layout *out, const struct deck *d, int w, int h,
              const struct text_measure *m, struct chrome_layout *c)
{
    lb_init(b, out, d, w, h, m);
    if (w <= 0 || h <= 0 || b->fail)
        return false;
    layout_chrome(d, w, h, c);
    return true;
}

int lb_finish(struct lb *b)
{
    if (!b->fail)
        return 0;
    slide_layout_free(b->out);
    return -1;
}

struct lay_item *lb_push(struct lb *b, enum lay_kind kind, struct lay_box box,
                         const char *role)
{
    struct slide_layout *o = b->out;
    if (b->fail)
        return NULL;
    if (o->n_items == b->cap) {
        int nc = b->cap ? b->cap * 2 : 32;
        struct lay_item *ni = realloc(o->items, sizeof(*ni) * (size_t)nc);
        if (!ni) {
            LOG_ERR("out of memory");
            b->fail = true;
            return NULL;
        }
        o->items = ni;
        b->cap = nc;
    }
    struct lay_item *it = &o->items[o->n_items++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->box = box;
    it->role = role;
    it->color = LC_TEXT;
    it->alpha = 255;
    return it;
}

void lb_rect(struct lb *b, struct lay_box box, enum lay_color c, uint8_t alpha,
             int radius, const char *role)
{
    if (box.w <= 0 || box.h <= 0)
        return;
    struct lay_item *it = lb_push(b, LAY_RECT, box, role);
    if (it) {
        it->color = c;
        it->alpha = alpha;
        it->radius = radius;
    }
}

struct lay_item *lb_text(struct lb *b, const char *role, struct lay_box box,
                         struct text_lines *t, enum lay_color c,
                         enum lay_align align, bool bold)
{
    if (t->n <= 0) {
        text_lines_free(t);
        return NULL;
    }
    struct lay_item *it = lb_push(b, LAY_TEXT, box, role);
    if (!it) {
        text_lines_free(t);
        return NULL;
    }
    it->color = c;
    it->align = align;
    it->bold = bold;
    it->text = *t;
    memset(t, 0, sizeof(*t));
    return it;
}

void lb_fit(struct lb *b, struct text_fit_req r, struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (b->fail || !nonempty(r.text) || r.box_w <= 0 || r.box_h <= 0)
        return;
    if (r.min_px < 1)
        r.min_px = 1;
    if (r.max_px < r.min_px)
        r.max_px = r.min_px;
    if (text_fit(&r, b->m, out) < 0) {
        LOG_ERR("text layout failed");
        memset(out, 0, sizeof(*out));
        b->fail = true;
    }
}

/* Byte offset just after the comma, colon or full stop nearest the
 * middle of text (by width at px), if both sides keep at least a third of
 * it; 0 when there is none. */
static size_t punct_split(struct lb *b, const char *text, int px, bool bold)
{
    static const uint32_t marks[] = {0xff0c, 0xff1a, 0xff1b, 0x3002, 0xff01, 0xff1f, 0x3001};
    size_t len = strlen(text);
    if (memchr(text, '\n', len))
        return 0;
    bool rtl = text_bidi_rtl(text, len);
    int total = b->m->fn(b->m->ctx, text, len, px, bold, rtl);
    size_t best = 0;
    int best_d = INT_MAX;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(text + i, len - i, &adv);
        i += adv;
        bool mark = false;
        for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
            mark = mark || cp == marks[k];
        if (!mark || i >= len)
            continue;
        int left = b->m->fn(b->m->ctx, text, i, px, bold, rtl);
        if (left * 3 < total || (total - left) * 3 < total)
            continue;
        int dist = abs(2 * left - total);
        if (dist < best_d) {
            best_d = dist;
            best = i;
        }
    }
    return best;
}

/* Titles and other display lines: one line when that costs at most a
 * fifth of the size; two lines broken after a comma or colon when one is
 * near the middle and it costs at most a fifth; else text_fit()'s own
 * (balanced) choice. */
void lb_fit_title(struct lb *b, struct text_fit_req r, struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (b->fail || !nonempty(r.text))
        return;
    struct text_fit_req one = r;
    one.max_lines = 1;
    one.min_px = imax(r.min_px, r.max_px * 4 / 5);
    lb_fit(b, one, out);
    if (out->n == 1 && !out->ellipsized)
        return;
    text_lines_free(out);
    lb_fit(b, r, out);
    if (out->n < 2 || r.max_lines == 1)
        return;
    size_t cut = punct_split(b, r.text, out->px, r.bold);
    if (cut == 0)
        return;
    size_t len = strlen(r.text);
    char *two = malloc(len + 2);
    if (!two) {
        b->fail = true;
        return;
    }
    memcpy(two, r.text, cut);
    two[cut] = '\n';
    memcpy(two + cut + 1, r.text + cut, len - cut + 1);
    struct text_fit_req p = r;
    p.text = two;
    p.max_lines = 2;
    p.balance = false;
    struct text_lines alt;
    lb_fit(b, p, &alt);
    free(two);
    if (alt.n == 2 && !alt.ellipsized && alt.px * 5 >= out->px * 4) {
        text_lines_free(out);
        *out = alt;
    } else {
        text_lines_free(&alt);
    }
}

/* Common size of a role over several texts: the largest every one allows
 * in r's box. */
static int common_px(struct lb *b, const char *const *texts, int n, struct text_fit_req r)
{
    int px = r.max_px;
    for (int i = 0; i < n; i++) {
        r.text = texts[i];
        struct text_lines t;
        lb_fit(b, r, &t);
        if (t.n > 0)
            px = imin(px, t.px);
        text_lines_free(&t);
    }
    return px;
}

int lb_fit_common(struct lb *b, struct text_fit_req *r, const char *const *texts, int n,
                  struct text_lines *out)
{
    r->max_px = r->min_px = common_px(b, texts, n, *r);
    int most = 0;
    for (int i = 0; i < n; i++) {
        r->text = texts[i];
        lb_fit(b, *r, &out[i]);
        most = imax(most, out[i].n);
    }
    return most;
}

/* ---- dates and clocks ---- */

static const char *const zh_wday[] = {"日", "一", "二", "三", "四", "五", "六"};
static const char *const en_wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const en_mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int lay_fmt_date(const struct tm *tm, enum lang lang, bool weekday, char *buf,
                 size_t size)
{
    int wd = tm->tm_wday >= 0 && tm->tm_wday < 7 ? tm->tm_wday : 0;
    int mo = tm->tm_mon >= 0 && tm->tm_mon < 12 ? tm->tm_mon : 0;
    if (lang == LANG_EN) {
        if (weekday)
            return snprintf(buf, size, "%s %d %s %d", en_wday[wd], tm->tm_mday,
                            en_mon[mo], tm->tm_year + 1900);
        return snprintf(buf, size, "%d %s %d", tm->tm_mday, en_mon[mo], tm->tm_year + 1900);
    }
    if (weekday)
        return snprintf(buf, size, "%d年%d月%d日 星期%s", tm->tm_year + 1900, mo + 1,
                        tm->tm_mday, zh_wday[wd]);
    return snprintf(buf, size, "%d年%d月%d日", tm->tm_year + 1900, mo + 1, tm->tm_mday);
}

int layout_clock_text(time_t now, enum lang lang, char *buf, size_t size)
{
    struct tm tm;
    if (!localtime_r(&now, &tm)) {
        if (size > 0)
            buf[0] = '\0';
        return 0;
    }
    char date[64];
    lay_fmt_date(&tm, lang, true, date, sizeof(date));
    return snprintf(buf, size, "%s %02d:%02d", date, tm.tm_hour, tm.tm_min);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); pure arithmetic, so DST and leap seconds cannot
 * disturb it. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int layout_days_until(time_t now, time_t t)
{
    struct tm a, b;
    if (!localtime_r(&now, &a) || !localtime_r(&t, &b))
        return 0;
    long da = days_from_civil(a.tm_year + 1900L, a.tm_mon + 1L, a.tm_mday);
    long db = days_from_civil(b.tm_year + 1900L, b.tm_mon + 1L, b.tm_mday);
    long diff = db - da;
    return diff > INT_MAX ? INT_MAX : diff < INT_MIN ? INT_MIN : (int)diff;
}

/* ---- chrome ---- */

static bool has_banner(const struct deck *d)
{
    return d && (d->alert.level == ALERT_INFO || d->alert.level == ALERT_WARNING);
}

void layout_chrome(const struct deck *d, int w, int h, struct chrome_layout *c)
{
    memset(c, 0, sizeof(*c));
    c->w = w;
    c->h = h;
    if (w <= 0 || h <= 0)
        return;
    double u = scale_for(w, h);
    bool portrait = h > w;
    enum lang lang = d ? d->lang : LANG_ZH_CN;
    int mx = ulen(u, portrait ? 64 : 80);

    c->school_px = ulen(u, 44);
    c->clock_px = ulen(u, 38);
    int school_h = line_h(c->school_px, 1.45f);
    int clock_h = line_h(c->clock_px, 1.45f);
    /* The clock is drawn later from layout_clock_text(): reserve its
     * widest form ("2026年12月31日 星期三 23:59" is ~14.5 em in Noto Sans SC). */
    int clock_w = (int)lround(c->clock_px * (lang == LANG_EN ? 11.5 : 15.5));
    bool logo = d && image_usable(d->theme.logo);
    int logo_sz = logo ? ulen(u, 76) : 0;
    int sx = mx + (logo ? logo_sz + ulen(u, 28) : 0);
    int gap = ulen(u, 40);
    int school_w = w - mx - clock_w - gap - sx;

    if (school_w >= ulen(u, 420)) {
        int hh = ulen(u, 120);
        c->header = mkbox(0, 0, w, hh);
        if (logo)
            c->logo = mkbox(mx, (hh - logo_sz) / 2, logo_sz, logo_sz);
        c->school = mkbox(sx, (hh - school_h) / 2, school_w, school_h);
        c->clock = mkbox(w - mx - clock_w, (hh - clock_h) / 2, clock_w, clock_h);
    } else {
        /* Narrow (portrait) screens: the clock goes under the name. */
        int hh = ulen(u, 176);
        if (logo) {
            logo_sz = ulen(u, 96);
            sx = mx + logo_sz + ulen(u, 28);
        }
        c->header = mkbox(0, 0, w, hh);
        if (logo)
            c->logo = mkbox(mx, (hh - logo_sz) / 2, logo_sz, logo_sz);
        int rows = school_h + ulen(u, 4) + clock_h;
        int y = (hh - rows) / 2;
        c->school = mkbox(sx, y, imax(0, w - mx - sx), school_h);
        c->clock = mkbox(sx, y + school_h + ulen(u, 4), imax(0, w - mx - sx), clock_h);
    }

    int y = c->header.h;
    c->progress = mkbox(0, y, w, ulen(u, 6));
    y += c->progress.h;

    int bottom = h;
    if (d && d->n_ticker > 0) {
        int th = ulen(u, 80);
        c->ticker = mkbox(0, h - th, w, th);
        bottom = c->ticker.y;
    } else {
        c->ticker = mkbox(0, h, w, 0);
    }
    c->ticker_px = ulen(u, 40);

    /* The banner sits at the foot of the content: while the alert is not
     * in force the strip reads as a bottom margin, and titles keep their
     * place on every slide. */
    if (has_banner(d)) {
        int bh = ulen(u, stacked_banner(w - 2 * mx, u) ? 168 : 96);
        int below = ulen(u, d->n_ticker > 0 ? 24 : 40);
        c->banner = mkbox(mx, bottom - below - bh, w - 2 * mx, bh);
        bottom = c->banner.y;
    } else {
        c->banner = mkbox(mx, bottom, w - 2 * mx, 0);
    }

    int top = y + ulen(u, 48);
    int bot = bottom - ulen(u, has_banner(d) ? 32 : 48);
    c->content = mkbox(mx, top, w - 2 * mx, imax(0, bot - top));
}

/* ---- shared pieces of slides ---- */

/* The slide title at the top of area, left aligned, with the accent rule
 * under it; the same place on every slide type.  Returns the body area. */
struct lay_box lb_title(struct lb *b, const char *title, struct lay_box a)
{
    if (!nonempty(title))
        return a;
    struct text_lines t;
    lb_fit_title(b, (struct text_fit_req){.text = title, .box_w = a.w, .box_h = a.h / 3,
                                          .max_px = sc(b, 80), .min_px = sc(b, 56),
                                          .bold = true, .line_spacing = 1.25f,
                                          .max_lines = 2, .balance = true},
                 &t);
    if (t.n == 0) {
        text_lines_free(&t);
        return a;
    }
    int th = text_h(&t);
    lb_text(b, "title", mkbox(a.x, a.y, a.w, th), &t, LC_TEXT, ALIGN_LEFT, true);
    int ry = a.y + th + sc(b, 18);
    lb_rect(b, mkbox(a.x, ry, sc(b, 96), sc(b, 8)), LC_ACCENT, 255, sc(b, 4), "rule");
    int by = ry + sc(b, 8) + sc(b, 44);
    return mkbox(a.x, by, a.w, imax(0, a.y + a.h - by));
}

/* Last line of defence on screens too small for the design: an item
 * that would leave the area is dropped (and logged), never clipped. */
static void keep_inside(struct lb *b, struct lay_box a)
{
    struct slide_layout *o = b->out;
    int kept = 0, dropped = 0;
    for (int i = 0; i < o->n_items; i++) {
        struct lay_item *it = &o->items[i];
        struct lay_box x = it->box;
        bool in = x.x >= a.x && x.y >= a.y && x.x + x.w <= a.x + a.w && x.y + x.h <= a.y + a.h;
        if (!in && strcmp(it->role, "scrim") != 0) {
            if (it->kind == LAY_TEXT)
                text_lines_free(&it->text);
            dropped++;
            continue;
        }
        o->items[kept++] = *it;
    }
    o->n_items = kept;
    if (dropped)
        LOG_WARN("%d items do not fit a %dx%d screen", dropped, o->w, o->h);
}

/* ---- slides ---- */

int layout_slide(const struct deck *d, const struct slide *s, int w, int h, time_t now,
                 const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    struct chrome_layout c;
    if (!lb_begin(&b, out, d, w, h, m, &c) || !s)
        return lb_finish(&b);
    struct lay_box a = c.content;
    bool portrait = h > w;
    out->has_bg_color = s->has_bg_color;
    out->bg_color = s->bg_color;
    if (image_usable(s->bg_image)) {
        out->bg_image = s->bg_image;
        /* A photo behind text needs a veil to keep the contrast. */
        lb_rect(&b, mkbox(0, 0, w, h), LC_BACKGROUND, 150, 0, "scrim");
    }
    switch (s->type) {
    case SLIDE_TITLE:
        lay_title(&b, s, a);
        break;
    case SLIDE_LIST:
        lay_list(&b, s, a, portrait);
        break;
    case SLIDE_CARDS:
        lay_cards(&b, s, a);
        break;
    case SLIDE_TIMELINE:
        lay_timeline(&b, s, a, now, portrait);
        break;
    case SLIDE_COUNTDOWN:
        lay_countdown(&b, s, a, now);
        break;
    case SLIDE_QUOTE:
        lay_quote(&b, s, a);
        break;
    case SLIDE_IMAGE:
        lay_image(&b, s, a);
        break;
    }
    keep_inside(&b, a);
    return lb_finish(&b);
}

void slide_layout_free(struct slide_layout *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n_items; i++)
        if (l->items[i].kind == LAY_TEXT)
            text_lines_free(&l->items[i].text);
    free(l->items);
    l->items = NULL;
    l->n_items = 0;
}
