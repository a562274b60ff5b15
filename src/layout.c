/* Geometry of every screen: chrome, the seven slide types, the emergency
 * alert, the alert banner and the fallback screen.
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
#include "utf8.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 12
#define MAX_MILESTONES 8

/* Vertical metrics of the bundled face (Noto Sans SC), in em.  The painter
 * centres a glyph strip of ascent + descent in each line slot, so the
 * baseline sits at slot_h / 2 + (ASCENT - DESCENT) / 2 * px. */
#define FONT_ASCENT 1.16
#define FONT_DESCENT 0.288

#define PANEL_ALPHA 26 /* LC_PANEL is the text colour: a faint veil */

struct lb {
    struct slide_layout *out;
    int cap;
    const struct text_measure *m;
    const struct deck *d;
    double u; /* screen scale: 1.0 for a 1080-px short side */
    bool fail;
};

/* ---- small helpers ---- */

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }
static bool nonempty(const char *s) { return s && *s; }

static double scale_for(int w, int h)
{
    int s = w < h ? w : h;
    return s > 0 ? s / 1080.0 : 1.0;
}

static int ulen(double u, double v)
{
    double r = v * u;
    if (r > INT_MAX / 8)
        return INT_MAX / 8;
    long l = lround(r);
    return l < 1 ? 1 : (int)l;
}

/* Scaled design length. */
static int sc(const struct lb *b, double v) { return ulen(b->u, v); }

/* Must round exactly like text.c so heights computed here match. */
static int line_h(int px, float spacing)
{
    long h = lround((double)px * (double)spacing);
    return h < 1 ? 1 : (int)h;
}

static int text_h(const struct text_lines *t) { return t->n * t->line_h; }

static int widest(const struct text_lines *t)
{
    int w = 0;
    for (int i = 0; i < t->n; i++)
        w = imax(w, t->widths[i]);
    return w;
}

static struct lay_box mkbox(int x, int y, int w, int h)
{
    return (struct lay_box){x, y, w, h};
}

static int measure(struct lb *b, const char *s, int px, bool bold)
{
    if (!nonempty(s))
        return 0;
    int r = b->m->fn(b->m->ctx, s, strlen(s), px, bold);
    return r < 0 ? 0 : r;
}

/* ---- the display list ---- */

static void lb_init(struct lb *b, struct slide_layout *out, const struct deck *d, int w,
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

static int lb_finish(struct lb *b)
{
    if (!b->fail)
        return 0;
    slide_layout_free(b->out);
    return -1;
}

static struct lay_item *push(struct lb *b, enum lay_kind kind, struct lay_box box,
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

static void add_rect(struct lb *b, struct lay_box box, enum lay_color c, uint8_t alpha,
                     int radius, const char *role)
{
    if (box.w <= 0 || box.h <= 0)
        return;
    struct lay_item *it = push(b, LAY_RECT, box, role);
    if (it) {
        it->color = c;
        it->alpha = alpha;
        it->radius = radius;
    }
}

/* Moves *t into a new text item (t is emptied either way).  The item
 * pointer is valid until the next push. */
static struct lay_item *add_text(struct lb *b, const char *role, struct lay_box box,
                                 struct text_lines *t, enum lay_color c,
                                 enum lay_align align, bool bold)
{
    if (t->n <= 0) {
        text_lines_free(t);
        return NULL;
    }
    struct lay_item *it = push(b, LAY_TEXT, box, role);
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

/* text_fit() for r; empty text or a degenerate box gives no lines.  A
 * failure marks the layout failed and also gives no lines. */
static void fit(struct lb *b, struct text_fit_req r, struct text_lines *out)
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

/* Line count of text wrapped at width (no box limit). */
static int wrap_count(struct lb *b, const char *text, int width, int px, bool bold,
                      float spacing)
{
    if (!nonempty(text) || b->fail)
        return 0;
    if (width <= 0)
        return 1000;
    struct text_lines l;
    if (text_wrap(text, width, px, bold, spacing, b->m, &l) < 0) {
        LOG_ERR("text wrap failed");
        b->fail = true;
        return 0;
    }
    int n = l.n;
    text_lines_free(&l);
    return n;
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
    int total = b->m->fn(b->m->ctx, text, len, px, bold);
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
        int left = b->m->fn(b->m->ctx, text, i, px, bold);
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
static void fit_title(struct lb *b, struct text_fit_req r, struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (b->fail || !nonempty(r.text))
        return;
    struct text_fit_req one = r;
    one.max_lines = 1;
    one.min_px = imax(r.min_px, r.max_px * 4 / 5);
    fit(b, one, out);
    if (out->n == 1 && !out->ellipsized)
        return;
    text_lines_free(out);
    fit(b, r, out);
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
    fit(b, p, &alt);
    free(two);
    if (alt.n == 2 && !alt.ellipsized && alt.px * 5 >= out->px * 4) {
        text_lines_free(out);
        *out = alt;
    } else {
        text_lines_free(&alt);
    }
}

/* ---- dates and clocks ---- */

static const char *const zh_wday[] = {"日", "一", "二", "三", "四", "五", "六"};
static const char *const en_wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const en_mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int fmt_date(const struct tm *tm, enum lang lang, bool weekday, char *buf,
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
    fmt_date(&tm, lang, true, date, sizeof(date));
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

/* "还有 12 天" / "12 days to go"; the short form drops the words. */
static void days_text(enum lang lang, int days, bool short_form, char *buf, size_t size)
{
    if (lang == LANG_EN) {
        if (days == 0)
            snprintf(buf, size, "Today");
        else
            snprintf(buf, size, "%d day%s%s", days, days == 1 ? "" : "s",
                     short_form ? "" : " to go");
    } else {
        if (days == 0)
            snprintf(buf, size, "今天");
        else
            snprintf(buf, size, short_form ? "%d 天" : "还有 %d 天", days);
    }
}

/* ---- chrome ---- */

static bool image_usable(const struct deck_image *img)
{
    return img && img->data && img->len > 0 && !img->failed;
}

static bool has_banner(const struct deck *d)
{
    return d && (d->alert.level == ALERT_INFO || d->alert.level == ALERT_WARNING);
}

/* Banners narrower than this stack their title over their text. */
static bool stacked_banner(int w, double u) { return w < ulen(u, 1400); }

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
static struct lay_box place_title(struct lb *b, const char *title, struct lay_box a)
{
    if (!nonempty(title))
        return a;
    struct text_lines t;
    fit_title(b, (struct text_fit_req){.text = title, .box_w = a.w, .box_h = a.h / 3,
                                       .max_px = sc(b, 80), .min_px = sc(b, 56), .bold = true,
                                       .line_spacing = 1.25f, .max_lines = 2, .balance = true},
              &t);
    if (t.n == 0) {
        text_lines_free(&t);
        return a;
    }
    int th = text_h(&t);
    add_text(b, "title", mkbox(a.x, a.y, a.w, th), &t, LC_TEXT, ALIGN_LEFT, true);
    int ry = a.y + th + sc(b, 18);
    add_rect(b, mkbox(a.x, ry, sc(b, 96), sc(b, 8)), LC_ACCENT, 255, sc(b, 4), "rule");
    int by = ry + sc(b, 8) + sc(b, 44);
    return mkbox(a.x, by, a.w, imax(0, a.y + a.h - by));
}

/* A centred hero block: big title, accent rule, subtitle; footer pinned
 * to the bottom.  Used by title slides and image slides without image. */
static void place_hero(struct lb *b, struct lay_box a, const char *title,
                       const char *title_role, const char *sub, const char *sub_role,
                       const char *footer)
{
    int bottom = a.y + a.h;
    if (nonempty(footer)) {
        struct text_lines f;
        fit(b, (struct text_fit_req){.text = footer, .box_w = a.w,
                                     .box_h = line_h(sc(b, 38), 1.35f) * 2,
                                     .max_px = sc(b, 38), .min_px = sc(b, 28),
                                     .line_spacing = 1.35f, .max_lines = 2, .balance = true},
            &f);
        int fh = text_h(&f);
        if (fh > 0) {
            add_text(b, "footer", mkbox(a.x, bottom - fh, a.w, fh), &f, LC_MUTED,
                     ALIGN_CENTER, false);
            bottom -= fh + sc(b, 40);
        }
    }
    int avail = bottom - a.y;
    int w = imin(a.w, sc(b, 1560));
    int x = a.x + (a.w - w) / 2;
    int rule_gap = sc(b, 40), rule_h = sc(b, 8);

    struct text_lines t, s;
    fit_title(b, (struct text_fit_req){.text = title, .box_w = w, .box_h = avail * 3 / 5,
                                       .max_px = sc(b, 104), .min_px = sc(b, 64), .bold = true,
                                       .line_spacing = 1.25f, .max_lines = 3, .balance = true},
              &t);
    int th = text_h(&t);
    int rule_block = th > 0 ? 2 * rule_gap + rule_h : 0;
    fit_title(b, (struct text_fit_req){.text = sub, .box_w = w,
                                       .box_h = avail - th - rule_block, .max_px = sc(b, 52),
                                       .min_px = sc(b, 36), .line_spacing = 1.4f,
                                       .max_lines = 3, .balance = true},
              &s);
    int sh = text_h(&s);
    if (th == 0)
        rule_block = sh > 0 ? rule_gap : 0;
    int block = th + rule_block + sh;
    int y = a.y + (int)lround((avail - block) * 0.45);
    if (th > 0) {
        add_text(b, title_role, mkbox(x, y, w, th), &t, LC_TEXT, ALIGN_CENTER, true);
        y += th + rule_gap;
        int rw = sc(b, 120);
        add_rect(b, mkbox(a.x + (a.w - rw) / 2, y, rw, rule_h), LC_ACCENT, 255, rule_h / 2,
                 "rule");
        y += rule_h + rule_gap;
    } else if (sh > 0) {
        y += rule_block;
    }
    text_lines_free(&t);
    if (sh > 0)
        add_text(b, sub_role, mkbox(x, y, w, sh), &s, LC_TEXT, ALIGN_CENTER, false);
    text_lines_free(&s);
}

/* Where a block of height h goes in an area of height avail: a little
 * above the middle, which reads as centred on a wall-mounted screen. */
static int settle(int y, int avail, int h)
{
    return y + imax(0, (int)lround((avail - h) * 0.42));
}

/* ---- a flow: a grid of wrapped texts with a common size ---- */

struct flow {
    const char *text[MAX_ENTRIES];
    int fixed_h[MAX_ENTRIES]; /* height each entry needs besides its text */
    int n, cols, col_w;
    double indent_em; /* text starts this many em (of its size) into the column */
    int indent_px;    /* and the column loses this much more (padding) */
    int min_lines;    /* an entry is at least this many lines tall */
    bool bold;
    float spacing;
    double gap_em; /* between rows */
};

static int flow_rows(const struct flow *f) { return (f->n + f->cols - 1) / f->cols; }

static int flow_text_w(const struct flow *f, int px)
{
    return f->col_w - f->indent_px - (int)lround(px * f->indent_em);
}

static int flow_gap(const struct flow *f, int px) { return (int)lround(px * f->gap_em); }

#define CAP_NONE 0  /* entries take the lines they need */
#define CAP_HIDE -1 /* entries show no text at all (last resort) */

/* Height of the grid at size px with at most cap lines an entry;
 * lines[] (may be NULL) receives each entry's line count. */
static long flow_height(struct lb *b, const struct flow *f, int px, int cap, int *lines)
{
    int rows = flow_rows(f);
    int lh = line_h(px, f->spacing);
    long total = 0;
    for (int r = 0; r < rows; r++) {
        int rh = 0;
        for (int c = 0; c < f->cols; c++) {
            int i = c * rows + r;
            if (i >= f->n)
                break;
            int nl = 0;
            if (cap != CAP_HIDE)
                nl = wrap_count(b, f->text[i], flow_text_w(f, px), px, f->bold, f->spacing);
            if (cap > 0 && nl > cap)
                nl = cap;
            nl = imax(nl, f->min_lines);
            if (lines)
                lines[i] = nl;
            rh = imax(rh, f->fixed_h[i] + nl * lh);
        }
        total += rh;
    }
    return total + (long)(rows - 1) * flow_gap(f, px);
}

struct flow_sol {
    int px, cap;
    bool fits;
};

/* The largest size in [lo, hi] at which the flow fits avail.  If none,
 * at lo: the largest line cap per entry that fits, then tighter rows,
 * then (when entries may be empty) no text.  May narrow f->gap_em. */
static struct flow_sol flow_solve(struct lb *b, struct flow *f, int lo, int hi, int avail)
{
    struct flow_sol s = {lo, CAP_NONE, true};
    if (hi < lo)
        hi = lo;
    if (flow_height(b, f, hi, CAP_NONE, NULL) <= avail) {
        s.px = hi;
        return s;
    }
    int lines[MAX_ENTRIES];
    if (flow_height(b, f, lo, CAP_NONE, lines) <= avail) {
        while (hi - lo > 1 && !b->fail) {
            int mid = lo + (hi - lo) / 2;
            if (flow_height(b, f, mid, CAP_NONE, NULL) <= avail)
                lo = mid;
            else
                hi = mid;
        }
        s.px = lo;
        return s;
    }
    int most = 1;
    for (int i = 0; i < f->n; i++)
        most = imax(most, lines[i]);
    for (int tight = 0; tight < 2; tight++) {
        if (tight)
            f->gap_em *= 0.4;
        for (int k = most - 1; k >= 1; k--) {
            if (flow_height(b, f, lo, k, NULL) <= avail) {
                s.cap = k;
                return s;
            }
        }
    }
    if (f->min_lines == 0 && flow_height(b, f, lo, CAP_HIDE, NULL) <= avail) {
        s.cap = CAP_HIDE;
        return s;
    }
    s.cap = 1;
    s.fits = false;
    return s;
}

/* Whether solution a reads better than b: it fits, cuts no text, has
 * larger type, cuts less. */
static bool flow_better(struct flow_sol a, struct flow_sol b)
{
    if (a.fits != b.fits)
        return a.fits;
    if ((a.cap == CAP_NONE) != (b.cap == CAP_NONE))
        return a.cap == CAP_NONE;
    if (a.px != b.px)
        return a.px > b.px;
    return a.cap > b.cap;
}

/* Final line breaking of entry i at px, capped like flow_height. */
static void flow_fit(struct lb *b, const struct flow *f, int i, int px, int cap,
                     struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (cap == CAP_HIDE)
        return;
    int lh = line_h(px, f->spacing);
    int nl = cap > 0 ? cap : 1000;
    fit(b, (struct text_fit_req){.text = f->text[i], .box_w = flow_text_w(f, px),
                                 .box_h = nl * lh, .max_px = px, .min_px = px,
                                 .bold = f->bold, .line_spacing = f->spacing,
                                 .max_lines = cap > 0 ? cap : 0, .balance = true},
        out);
}

/* Extra row gap that spreads a short flow a little, up to `most`. */
static int spread(int avail, long used, int gaps, int most)
{
    if (gaps <= 0 || used >= avail)
        return 0;
    long e = (avail - used) / gaps;
    return (int)(e > most ? most : e);
}

/* ---- list ---- */

static void lay_list(struct lb *b, const struct slide *s, struct lay_box a, bool portrait)
{
    struct lay_box body = place_title(b, s->title, a);
    int n = (int)(s->n_items > MAX_ENTRIES ? MAX_ENTRIES : s->n_items);
    if (n <= 0 || body.h <= 0)
        return;
    /* A few items each get a panel: the slide reads as designed rather
     * than empty; many items stay plain so type can stay large. */
    bool boxed = n <= 5;
    int padx = boxed ? sc(b, 36) : 0, pady = boxed ? sc(b, 22) : 0;
    struct flow f = {.n = n, .cols = 1, .col_w = body.w, .min_lines = 1,
                     .spacing = 1.4f, .gap_em = boxed ? 0.35 : 0.55,
                     .indent_em = s->numbered ? 1.75 : 1.0, .indent_px = 2 * padx};
    for (int i = 0; i < n; i++) {
        f.text[i] = s->items[i] ? s->items[i] : "";
        f.fixed_h[i] = 2 * pady;
    }
    int lo = sc(b, 32), hi = sc(b, 56);
    struct flow_sol sol = flow_solve(b, &f, lo, hi, body.h);
    if (!portrait && n >= 5) {
        struct flow f2 = f;
        f2.cols = 2;
        f2.col_w = (body.w - sc(b, 80)) / 2;
        f2.gap_em = boxed ? 0.35 : 0.55;
        struct flow_sol sol2 = flow_solve(b, &f2, lo, hi, body.h);
        /* Two columns when they give clearly larger type, or type as
         * large without wrapping any item. */
        bool clearly = sol2.px * 100 >= sol.px * 108 ||
                       (sol2.px >= sol.px && flow_height(b, &f2, sol2.px, sol2.cap, NULL) <=
                                                 flow_height(b, &f2, sol2.px, 1, NULL));
        if (flow_better(sol2, sol) && (clearly || !sol.fits || sol.cap != CAP_NONE)) {
            f = f2;
            sol = sol2;
        }
    }
    int px = sol.px, cap = sol.cap;
    int colgap = f.cols > 1 ? body.w - 2 * f.col_w : 0;
    int rows = flow_rows(&f);
    int lh = line_h(px, f.spacing);
    int lines[MAX_ENTRIES];
    long used = flow_height(b, &f, px, cap, lines);
    int gap = flow_gap(&f, px) + spread(body.h, used, rows - 1, px * (boxed ? 4 : 6) / 10);
    used += (long)(rows - 1) * (gap - flow_gap(&f, px));
    int y = settle(body.y, body.h, (int)used);

    for (int r = 0; r < rows && !b->fail; r++) {
        int rh = 0;
        for (int c = 0; c < f.cols && c * rows + r < n; c++)
            rh = imax(rh, lines[c * rows + r] * lh + 2 * pady);
        if (y + rh > body.y + body.h) {
            LOG_WARN("list: %d of %d items do not fit the screen", n - r, n);
            break;
        }
        for (int c = 0; c < f.cols; c++) {
            int i = c * rows + r;
            if (i >= n)
                break;
            int px0 = body.x + c * (f.col_w + colgap);
            if (boxed)
                add_rect(b, mkbox(px0, y, f.col_w, rh), LC_PANEL, PANEL_ALPHA, sc(b, 16),
                         "panel");
            int x = px0 + padx, ty = y + pady;
            int tx = x + (int)lround(px * f.indent_em);
            if (s->numbered) {
                int d = (int)lround(px * 1.2);
                struct lay_box circ = mkbox(x, ty + (lh - d) / 2, d, d);
                add_rect(b, circ, LC_ACCENT, 255, d, "circle");
                char num[16];
                snprintf(num, sizeof(num), "%d", i + 1);
                int npx = (int)lround(d * 0.55);
                /* Digits sit low in their line: lift them optically. */
                int lift = (int)lround(npx * 0.14);
                struct text_lines t;
                fit(b, (struct text_fit_req){.text = num, .box_w = d, .box_h = d - lift,
                                             .max_px = npx, .min_px = npx, .bold = true,
                                             .line_spacing = 1.0f, .max_lines = 1},
                    &t);
                struct lay_item *it = add_text(b, "number", mkbox(x, circ.y, d, d - lift), &t,
                                               LC_ON_ACCENT, ALIGN_CENTER, true);
                if (it)
                    it->vcenter = true;
            } else {
                int d = imax(4, (int)lround(px * 0.3));
                add_rect(b, mkbox(x + d / 2, ty + (lh - d) / 2, d, d), LC_ACCENT, 255, d,
                         "bullet");
            }
            struct text_lines t;
            flow_fit(b, &f, i, px, cap, &t);
            int th = text_h(&t);
            add_text(b, "item", mkbox(tx, ty, px0 + f.col_w - padx - tx, th), &t, LC_TEXT,
                     ALIGN_LEFT, false);
        }
        y += rh + gap;
    }
}

/* ---- cards ---- */

/* Columns for n cards in W x H: cards close to a 1.2 aspect, few empty
 * cells, none too narrow to read (8 cards: 4x2 landscape, 2x4 portrait). */
static void card_grid(struct lb *b, int n, int W, int H, int gap, int *cols, int *rows)
{
    double best = 1e9;
    *cols = 1;
    *rows = n;
    for (int c = 1; c <= n; c++) {
        int r = (n + c - 1) / c;
        int empty = r * c - n;
        if (empty >= c)
            continue;
        int cw = (W - (c - 1) * gap) / c;
        int ch = (H - (r - 1) * gap) / r;
        if (cw <= 0 || ch <= 0)
            continue;
        double score = fabs(log((double)cw / ch / 1.2)) + 0.35 * empty;
        if (cw < sc(b, 340) && c > 1)
            score += 10;
        if (score < best) {
            best = score;
            *cols = c;
            *rows = r;
        }
    }
}

/* Common size of a role over several texts: the largest every one allows
 * in the request's box. */
static int common_px(struct lb *b, const char *const *texts, int n, struct text_fit_req r)
{
    int px = r.max_px;
    for (int i = 0; i < n; i++) {
        r.text = texts[i];
        struct text_lines t;
        fit(b, r, &t);
        if (t.n > 0)
            px = imin(px, t.px);
        text_lines_free(&t);
    }
    return px;
}

/* The inside of every card at one set of proportions: common heading and
 * text sizes, their lines, and the card height the content needs. */
struct card_fit {
    int pad, top, tgap; /* padding; where the heading starts; heading-text gap */
    bool bar;
    int need;
    bool cut;     /* some text was ellipsised */
    bool dropped; /* some card text found no room at all */
    struct text_lines head[MAX_ENTRIES], text[MAX_ENTRIES];
};

static void card_fit_free(struct card_fit *cf, int n)
{
    for (int i = 0; i < n; i++) {
        text_lines_free(&cf->head[i]);
        text_lines_free(&cf->text[i]);
    }
}

/* Roomy (0) to tight (2): the accent bar, padding and a second heading
 * line give way before any text is cut. */
static void card_fit(struct lb *b, const struct slide *s, int n, int cw, int ch,
                     bool any_text, int tight, struct card_fit *cf)
{
    memset(cf, 0, sizeof(*cf));
    cf->pad = imin(sc(b, tight == 2 ? 20 : 32), cw / 10);
    cf->bar = tight == 0 && ch >= sc(b, 150);
    cf->top = cf->pad + (cf->bar ? sc(b, 6) + sc(b, 18) : 0);
    cf->tgap = sc(b, tight == 2 ? 8 : 14);
    int inner_w = cw - 2 * cf->pad;
    int inner_h = imax(1, ch - cf->top - cf->pad);
    float tsp = tight == 2 ? 1.35f : 1.45f;

    /* Headings: one size for all cards, the largest every card allows. */
    struct text_fit_req hr = {.box_w = inner_w, .max_px = sc(b, any_text ? 46 : 56),
                              .min_px = sc(b, 30), .bold = true, .line_spacing = 1.3f,
                              .max_lines = any_text ? (tight == 2 ? 1 : 2) : 3,
                              .balance = true,
                              .box_h = any_text ? inner_h * 11 / 20 : inner_h};
    const char *heads[MAX_ENTRIES], *texts[MAX_ENTRIES];
    for (int i = 0; i < n; i++) {
        heads[i] = s->cards[i].heading;
        texts[i] = s->cards[i].text;
    }
    int hp = hr.max_px = hr.min_px = common_px(b, heads, n, hr);
    int hl = 0;
    for (int i = 0; i < n; i++) {
        hr.text = heads[i];
        fit(b, hr, &cf->head[i]);
        hl = imax(hl, cf->head[i].n);
        cf->cut = cf->cut || cf->head[i].ellipsized;
    }
    /* Texts get the room under the tallest heading, so one size suits
     * every card; each then follows its own heading. */
    struct text_fit_req tr = {.box_w = inner_w,
                              .box_h = inner_h - hl * line_h(hp, 1.3f) - cf->tgap,
                              .max_px = imin(sc(b, 40), hp), .min_px = imin(sc(b, 28), hp),
                              .line_spacing = tsp, .balance = true};
    if (any_text && tr.box_h >= line_h(tr.min_px, tsp)) {
        tr.max_px = tr.min_px = common_px(b, texts, n, tr);
        for (int i = 0; i < n; i++) {
            tr.text = texts[i];
            fit(b, tr, &cf->text[i]);
            cf->cut = cf->cut || cf->text[i].ellipsized;
        }
    }
    for (int i = 0; i < n; i++) {
        int need = cf->top + text_h(&cf->head[i]) + cf->pad;
        if (cf->text[i].n > 0)
            need += cf->tgap + text_h(&cf->text[i]);
        else if (nonempty(texts[i]))
            cf->dropped = true;
        cf->need = imax(cf->need, need);
    }
    if (!any_text)
        cf->need = imax(cf->need, sc(b, 168));
    cf->need = imin(cf->need, ch);
}

static void lay_cards(struct lb *b, const struct slide *s, struct lay_box a)
{
    struct lay_box body = place_title(b, s->title, a);
    int n = (int)(s->n_cards > MAX_ENTRIES ? MAX_ENTRIES : s->n_cards);
    if (n <= 0 || body.h <= 0)
        return;
    int gap = sc(b, 28);
    int cols, rows;
    card_grid(b, n, body.w, body.h, gap, &cols, &rows);
    int cw = imin((body.w - (cols - 1) * gap) / cols, sc(b, 900));
    int ch = (body.h - (rows - 1) * gap) / rows;
    bool any_text = false;
    for (int i = 0; i < n; i++)
        any_text = any_text || nonempty(s->cards[i].text);

    struct card_fit *cf = calloc(1, sizeof(*cf));
    if (!cf) {
        b->fail = true;
        return;
    }
    for (int tight = 0; tight < 3; tight++) {
        card_fit(b, s, n, cw, ch, any_text, tight, cf);
        if ((!cf->cut && !cf->dropped) || tight == 2)
            break;
        card_fit_free(cf, n);
    }
    if (cf->dropped)
        LOG_WARN("cards: some card texts do not fit the screen");
    int card_h = cf->need;
    int inner_w = cw - 2 * cf->pad;
    int grid_h = rows * card_h + (rows - 1) * gap;
    int gy = settle(body.y, body.h, grid_h);
    int full_w = cols * cw + (cols - 1) * gap;
    int bar_h = sc(b, 6);

    for (int i = 0; i < n; i++) {
        int r = i / cols, c = i % cols;
        int in_row = imin(cols, n - r * cols);
        int row_w = in_row * cw + (in_row - 1) * gap;
        int x = body.x + (body.w - full_w) / 2 + (full_w - row_w) / 2 + c * (cw + gap);
        int y = gy + r * (card_h + gap);
        add_rect(b, mkbox(x, y, cw, card_h), LC_PANEL, PANEL_ALPHA, sc(b, 20), "panel");
        if (cf->bar)
            add_rect(b, mkbox(x + cf->pad, y + cf->pad, sc(b, 48), bar_h), LC_ACCENT, 255,
                     bar_h / 2, "rule");
        int hh = text_h(&cf->head[i]);
        struct lay_box hb = mkbox(x + cf->pad, y + cf->top, inner_w, hh);
        if (!any_text)
            hb.h = imax(hh, card_h - cf->top - cf->pad);
        struct lay_item *it =
            add_text(b, "heading", hb, &cf->head[i], LC_TEXT, ALIGN_LEFT, true);
        if (it && !any_text)
            it->vcenter = true;
        int th = text_h(&cf->text[i]);
        add_text(b, "text", mkbox(x + cf->pad, y + cf->top + hh + cf->tgap, inner_w, th),
                 &cf->text[i], LC_TEXT, ALIGN_LEFT, false);
    }
    card_fit_free(cf, n);
    free(cf);
}

/* ---- timeline ---- */

struct ms_state {
    bool dated;
    int days; /* from today, when dated */
};

/* Which milestone is the next one ahead (-1: none), and each one's days. */
static int milestone_days(const struct slide *s, int n, time_t now, struct ms_state *st)
{
    int next = -1;
    for (int i = 0; i < n; i++) {
        const struct milestone *m = &s->milestones[i];
        st[i].dated = m->when.set;
        st[i].days = m->when.set ? layout_days_until(now, m->when.t) : 0;
        if (st[i].dated && st[i].days >= 0 && (next < 0 || st[i].days < st[next].days))
            next = i;
    }
    return next;
}

/* The "days to go" pills of n milestones, fitted to width w at size px:
 * all in the long form ("还有 12 天") or, if one does not fit, all in the
 * short one, so they read alike.  pill[i] false: none for that one. */
struct pills {
    bool on[MAX_MILESTONES];
    struct text_lines t[MAX_MILESTONES];
    int w[MAX_MILESTONES], h;
};

static void pills_free(struct pills *p, int n)
{
    for (int i = 0; i < n; i++)
        text_lines_free(&p->t[i]);
}

static void make_pills(struct lb *b, const struct ms_state *st, int n, int w, int px,
                       struct pills *p)
{
    memset(p, 0, sizeof(*p));
    enum lang lang = b->d ? b->d->lang : LANG_ZH_CN;
    int padx = (int)lround(px * 0.6);
    for (int form = 0; form < 2; form++) {
        bool cut = false;
        for (int i = 0; i < n; i++) {
            if (!st[i].dated || st[i].days < 0)
                continue;
            char buf[64];
            days_text(lang, st[i].days, form == 1, buf, sizeof(buf));
            fit(b, (struct text_fit_req){.text = buf, .box_w = w - 2 * padx,
                                         .box_h = line_h(px, 1.3f), .max_px = px,
                                         .min_px = imin(px, sc(b, 28)), .bold = true,
                                         .line_spacing = 1.3f, .max_lines = 1},
                &p->t[i]);
            cut = cut || p->t[i].ellipsized;
        }
        if (!cut || form == 1)
            break;
        pills_free(p, n);
    }
    for (int i = 0; i < n; i++) {
        p->on[i] = p->t[i].n > 0;
        if (p->on[i]) {
            p->w[i] = widest(&p->t[i]) + 2 * padx;
            p->h = imax(p->h, (int)lround(p->t[i].line_h * 1.3));
        }
    }
}

static void add_pill(struct lb *b, struct lay_box pill, struct text_lines *t, bool next)
{
    add_rect(b, pill, next ? LC_ACCENT : LC_PANEL, next ? 255 : 48, pill.h / 2, "pill");
    int tw = widest(t);
    struct lay_box tb = mkbox(pill.x + (pill.w - tw) / 2, pill.y + (pill.h - t->line_h) / 2,
                              tw, t->line_h);
    add_text(b, "days", tb, t, next ? LC_ON_ACCENT : LC_TEXT, ALIGN_CENTER, true);
}

/* Dot of a milestone: past ones solid, the next one accent with a halo,
 * later ones hollow. */
static void add_dot(struct lb *b, int cx, int cy, const struct ms_state *st, bool next)
{
    if (next) {
        int h = sc(b, 56), d = sc(b, 30);
        add_rect(b, mkbox(cx - h / 2, cy - h / 2, h, h), LC_ACCENT, 70, h, "halo");
        add_rect(b, mkbox(cx - d / 2, cy - d / 2, d, d), LC_ACCENT, 255, d, "dot");
        return;
    }
    int d = sc(b, 26);
    add_rect(b, mkbox(cx - d / 2, cy - d / 2, d, d), LC_TEXT, 255, d, "dot");
    if (st->dated && st->days > 0) {
        int i = sc(b, 14);
        add_rect(b, mkbox(cx - i / 2, cy - i / 2, i, i), LC_BACKGROUND, 255, i, "dot");
    }
}

/* Landscape: milestones in columns along a horizontal line; date and
 * days above it, label and text below. */
static void lay_timeline_h(struct lb *b, const struct slide *s, struct lay_box body,
                           int n, const struct ms_state *st, int next)
{
    int colw = body.w / n;
    int tw = imin(colw - sc(b, 28), sc(b, 640));
    const char *dates[MAX_MILESTONES], *labels[MAX_MILESTONES], *texts[MAX_MILESTONES];
    for (int i = 0; i < n; i++) {
        dates[i] = s->milestones[i].date;
        labels[i] = s->milestones[i].label;
        texts[i] = s->milestones[i].text;
    }
    struct text_fit_req dr = {.box_w = tw, .box_h = line_h(sc(b, 40), 1.3f) * 2,
                              .max_px = sc(b, 40), .min_px = sc(b, 28), .bold = true,
                              .line_spacing = 1.3f, .max_lines = 2, .balance = true};
    struct text_fit_req lr = {.box_w = tw, .box_h = line_h(sc(b, 44), 1.3f) * 2,
                              .max_px = sc(b, 44), .min_px = sc(b, 30), .bold = true,
                              .line_spacing = 1.3f, .max_lines = 2, .balance = true};
    dr.max_px = dr.min_px = common_px(b, dates, n, dr);
    lr.max_px = lr.min_px = common_px(b, labels, n, lr);

    struct text_lines dt[MAX_MILESTONES], lt[MAX_MILESTONES], xt[MAX_MILESTONES];
    struct pills pl;
    make_pills(b, st, n, tw, sc(b, 30), &pl);
    int dl = 0, ll = 0;
    for (int i = 0; i < n; i++) {
        dr.text = dates[i];
        fit(b, dr, &dt[i]);
        lr.text = labels[i];
        fit(b, lr, &lt[i]);
        dl = imax(dl, dt[i].n);
        ll = imax(ll, lt[i].n);
    }
    int date_h = dl * line_h(dr.max_px, 1.3f);
    int label_h = ll * line_h(lr.max_px, 1.3f);
    int g = sc(b, 16);
    int dot_zone = sc(b, 56);
    int above = date_h + (pl.h ? g + pl.h : 0) + sc(b, 24);
    int fixed = above + dot_zone + sc(b, 24) + label_h + g;
    struct text_fit_req xr = {.box_w = tw, .box_h = body.h - fixed, .max_px = sc(b, 36),
                              .min_px = sc(b, 28), .line_spacing = 1.4f, .balance = true};
    xr.max_px = xr.min_px = common_px(b, texts, n, xr);
    int xl = 0;
    for (int i = 0; i < n; i++) {
        xr.text = texts[i];
        fit(b, xr, &xt[i]);
        xl = imax(xl, xt[i].n);
    }
    int total = fixed + xl * line_h(xr.max_px, 1.4f) - (xl ? 0 : g);
    int y = settle(body.y, body.h, total);
    int line_y = y + above + dot_zone / 2;

    int lt_h = sc(b, 4);
    int x0 = body.x + colw / 2, x1 = body.x + colw * (n - 1) + colw / 2;
    if (n == 1) {
        x0 = body.x;
        x1 = body.x + body.w;
    }
    add_rect(b, mkbox(x0, line_y - lt_h / 2, x1 - x0, lt_h), LC_TEXT, 90, lt_h / 2, "line");
    for (int i = 0; i < n; i++) {
        int cx = body.x + colw * i + colw / 2;
        int tx = cx - tw / 2;
        int dh = text_h(&dt[i]);
        add_text(b, "date", mkbox(tx, y + date_h - dh, tw, dh), &dt[i], LC_ACCENT,
                 ALIGN_CENTER, true);
        if (pl.on[i])
            add_pill(b, mkbox(cx - pl.w[i] / 2, y + date_h + g, pl.w[i], pl.h), &pl.t[i],
                     i == next);
        add_dot(b, cx, line_y, &st[i], i == next);
        int ly = line_y + dot_zone / 2 + sc(b, 24);
        add_text(b, "label", mkbox(tx, ly, tw, text_h(&lt[i])), &lt[i], LC_TEXT, ALIGN_CENTER,
                 true);
        add_text(b, "text", mkbox(tx, ly + label_h + g, tw, text_h(&xt[i])), &xt[i], LC_TEXT,
                 ALIGN_CENTER, false);
    }
    for (int i = 0; i < n; i++) {
        text_lines_free(&dt[i]);
        text_lines_free(&lt[i]);
        text_lines_free(&xt[i]);
    }
    pills_free(&pl, n);
}

/* Portrait: a vertical rail on the left, one row a milestone: date and
 * label on the first line (days pill at its end), the text under them. */
static void lay_timeline_v(struct lb *b, const struct slide *s, struct lay_box body,
                           int n, const struct ms_state *st, int next)
{
    int rail = body.x + sc(b, 28);
    int tx = body.x + sc(b, 80);
    int tw = body.x + body.w - tx;
    int gap_x = sc(b, 24);
    const char *dates[MAX_MILESTONES], *labels[MAX_MILESTONES];
    for (int i = 0; i < n; i++) {
        dates[i] = s->milestones[i].date;
        labels[i] = s->milestones[i].label;
    }
    struct pills pl;
    make_pills(b, st, n, tw / 2, sc(b, 30), &pl);
    int pill_room = 0;
    for (int i = 0; i < n; i++)
        if (pl.on[i])
            pill_room = imax(pill_room, pl.w[i] + gap_x);

    /* Date and label share one size, the largest every row allows. */
    struct text_fit_req dr = {.box_w = (tw - pill_room) * 2 / 5,
                              .box_h = line_h(sc(b, 42), 1.3f), .max_px = sc(b, 42),
                              .min_px = sc(b, 30), .bold = true, .line_spacing = 1.3f,
                              .max_lines = 1};
    int hp = common_px(b, dates, n, dr);
    int date_w = 0;
    struct text_lines dt[MAX_MILESTONES], lt[MAX_MILESTONES];
    dr.max_px = dr.min_px = hp;
    for (int i = 0; i < n; i++) {
        dr.text = dates[i];
        fit(b, dr, &dt[i]);
        date_w = imax(date_w, widest(&dt[i]));
    }
    int lx = tx + (date_w ? date_w + gap_x : 0);
    int lw = tx + tw - pill_room - lx;
    int hlh = line_h(hp, 1.3f);
    int g = sc(b, 8);
    struct flow f;
    struct flow_sol sol;
    int head_h[MAX_MILESTONES];
    /* Crowded: labels go down to one line before any text is cut. */
    for (int label_lines = 2; label_lines >= 1; label_lines--) {
        struct text_fit_req lr = {.box_w = lw, .box_h = hlh * label_lines, .max_px = hp,
                                  .min_px = hp, .bold = true, .line_spacing = 1.3f,
                                  .max_lines = label_lines, .balance = true};
        f = (struct flow){.n = n, .cols = 1, .col_w = tw, .spacing = 1.4f, .gap_em = 1.0};
        for (int i = 0; i < n; i++) {
            lr.text = labels[i];
            fit(b, lr, &lt[i]);
            head_h[i] = imax(imax(hlh, text_h(&lt[i])), pl.on[i] ? pl.h : 0);
            f.text[i] = s->milestones[i].text;
            f.fixed_h[i] = head_h[i] + (nonempty(f.text[i]) ? g : 0);
        }
        sol = flow_solve(b, &f, sc(b, 28), sc(b, 38), body.h);
        if ((sol.fits && sol.cap != CAP_HIDE) || label_lines == 1)
            break;
        for (int i = 0; i < n; i++)
            text_lines_free(&lt[i]);
    }
    int px = sol.px, cap = sol.cap;
    int lines[MAX_ENTRIES];
    long used = flow_height(b, &f, px, cap, lines);
    int gap = flow_gap(&f, px) + spread(body.h, used, n - 1, sc(b, 48));
    used += (long)(n - 1) * (gap - flow_gap(&f, px));
    int y = settle(body.y, body.h, (int)used);

    int first_cy = 0, last_cy = 0;
    /* The rail goes first so the dots paint over it. */
    int rail_at = b->out->n_items;
    add_rect(b, mkbox(rail - sc(b, 2), y, sc(b, 4), 1), LC_TEXT, 90, sc(b, 2), "line");
    for (int i = 0; i < n && !b->fail; i++) {
        int row_h = f.fixed_h[i] + lines[i] * line_h(px, f.spacing);
        if (y + row_h > body.y + body.h) {
            LOG_WARN("timeline: %d of %d milestones do not fit the screen", n - i, n);
            break;
        }
        int cy = y + hlh / 2;
        if (i == 0)
            first_cy = cy;
        last_cy = cy;
        add_dot(b, rail, cy, &st[i], i == next);
        add_text(b, "date", mkbox(tx, y, date_w, text_h(&dt[i])), &dt[i], LC_ACCENT, ALIGN_LEFT,
                 true);
        add_text(b, "label", mkbox(lx, y, lw, text_h(&lt[i])), &lt[i], LC_TEXT, ALIGN_LEFT,
                 true);
        if (pl.on[i])
            add_pill(b, mkbox(tx + tw - pl.w[i], y + imax(0, (hlh - pl.h) / 2), pl.w[i], pl.h),
                     &pl.t[i], i == next);
        struct text_lines t;
        flow_fit(b, &f, i, px, cap, &t);
        add_text(b, "text", mkbox(tx, y + head_h[i] + g, tw, text_h(&t)), &t, LC_TEXT,
                 ALIGN_LEFT, false);
        y += row_h + gap;
    }
    if (!b->fail && rail_at < b->out->n_items) {
        struct lay_item *r = &b->out->items[rail_at];
        r->box.y = first_cy;
        r->box.h = n > 1 ? imax(1, last_cy - first_cy) : 0; /* a lone dot needs no rail */
    }
    for (int i = 0; i < n; i++) {
        text_lines_free(&dt[i]);
        text_lines_free(&lt[i]);
    }
    pills_free(&pl, n);
}

static void lay_timeline(struct lb *b, const struct slide *s, struct lay_box a, time_t now,
                         bool portrait)
{
    struct lay_box body = place_title(b, s->title, a);
    int n = (int)(s->n_milestones > MAX_MILESTONES ? MAX_MILESTONES : s->n_milestones);
    if (n <= 0 || body.h <= 0)
        return;
    struct ms_state st[MAX_MILESTONES];
    int next = milestone_days(s, n, now, st);
    if (portrait)
        lay_timeline_v(b, s, body, n, st, next);
    else
        lay_timeline_h(b, s, body, n, st, next);
}

/* ---- countdown ---- */

struct seg {
    char num[24];
    const char *unit;
};

/* Baseline of a line of size px in a slot of slot_h, from the slot top. */
static int baseline(int px, int slot_h)
{
    return (int)lround(slot_h / 2.0 + (FONT_ASCENT - FONT_DESCENT) / 2.0 * px);
}

static int countdown_segs(const struct slide *s, time_t now, enum lang lang,
                          struct seg *seg)
{
    if (!s->target.set)
        return 0;
    bool en = lang == LANG_EN;
    time_t t = s->target.t;
    if (s->target.date_only || difftime(t, now) >= 86400.0) {
        int days = layout_days_until(now, t);
        if (days <= 0)
            return 0;
        snprintf(seg[0].num, sizeof(seg[0].num), "%d", days);
        seg[0].unit = en ? (days == 1 ? "day" : "days") : "天";
        return 1;
    }
    double left = difftime(t, now);
    if (left <= 0)
        return 0;
    long mins = (long)ceil(left / 60.0);
    long hours = mins / 60;
    mins %= 60;
    int k = 0;
    if (hours > 0) {
        snprintf(seg[k].num, sizeof(seg[k].num), "%ld", hours);
        seg[k++].unit = en ? "h" : "小时";
    }
    if (mins > 0 || k == 0) {
        snprintf(seg[k].num, sizeof(seg[k].num), "%ld", mins);
        seg[k++].unit = en ? "min" : "分钟";
    }
    return k;
}

static void lay_countdown(struct lb *b, const struct slide *s, struct lay_box a, time_t now)
{
    struct lay_box body = place_title(b, s->title, a);
    if (body.h <= 0)
        return;
    enum lang lang = b->d ? b->d->lang : LANG_ZH_CN;
    struct seg seg[2];
    int k = countdown_segs(s, now, lang, seg);

    char datebuf[64] = "";
    if (s->target.set) {
        struct tm tm;
        if (localtime_r(&s->target.t, &tm)) {
            int n = fmt_date(&tm, lang, false, datebuf, sizeof(datebuf));
            if (!s->target.date_only && n > 0 && (size_t)n < sizeof(datebuf))
                snprintf(datebuf + n, sizeof(datebuf) - (size_t)n, " %02d:%02d", tm.tm_hour,
                         tm.tm_min);
        }
    }
    struct text_lines label, date, done;
    fit_title(b, (struct text_fit_req){.text = s->label, .box_w = body.w, .box_h = body.h / 4,
                                       .max_px = sc(b, 52), .min_px = sc(b, 36),
                                       .line_spacing = 1.35f, .max_lines = 2, .balance = true},
              &label);
    fit(b, (struct text_fit_req){.text = datebuf, .box_w = body.w,
                                 .box_h = line_h(sc(b, 40), 1.4f), .max_px = sc(b, 40),
                                 .min_px = sc(b, 28), .line_spacing = 1.4f, .max_lines = 1},
        &date);
    int lab_h = text_h(&label), date_h = text_h(&date);
    int g1 = lab_h ? sc(b, 36) : 0, g2 = date_h ? sc(b, 36) : 0;
    int room = body.h - lab_h - g1 - g2 - date_h;
    /* The figure (or done text) comes first: on a cramped screen the
     * date, then the label give way to it. */
    int least = line_h(sc(b, k ? 120 : 56), 1.25f);
    if (room < least && date_h) {
        room += date_h + g2;
        date_h = g2 = 0;
        text_lines_free(&date);
    }
    if (room < least && lab_h) {
        room += lab_h + g1;
        lab_h = g1 = 0;
        text_lines_free(&label);
    }
    memset(&done, 0, sizeof(done));

    if (k == 0) {
        const char *txt = nonempty(s->done_text) ? s->done_text
                          : lang == LANG_EN      ? "The day has come"
                                                 : "目标时刻已到";
        fit_title(b, (struct text_fit_req){.text = txt, .box_w = imin(body.w, sc(b, 1560)),
                                           .box_h = room, .max_px = sc(b, 120),
                                           .min_px = sc(b, 56), .bold = true,
                                           .line_spacing = 1.25f, .max_lines = 3,
                                           .balance = true},
                  &done);
        int dh = text_h(&done);
        int y = settle(body.y, body.h, lab_h + g1 + dh + g2 + date_h);
        add_text(b, "label", mkbox(body.x, y, body.w, lab_h), &label, LC_TEXT, ALIGN_CENTER,
                 false);
        y += lab_h + g1;
        int dw = imin(body.w, sc(b, 1560));
        add_text(b, "done", mkbox(body.x + (body.w - dw) / 2, y, dw, dh), &done, LC_ACCENT,
                 ALIGN_CENTER, true);
        y += dh + g2;
        add_text(b, "date", mkbox(body.x, y, body.w, date_h), &date, LC_MUTED, ALIGN_CENTER,
                 false);
        return;
    }

    /* The number row: as large as width and height allow. */
    int P = imax(4, imin(sc(b, 300), room)), Q = 0;
    int wn[2], wu[2], gap_nu = 0, gap_seg = 0, row_w = 0;
    for (;;) {
        Q = imin(imin(imax((int)lround(P * 0.28), sc(b, 44)), sc(b, 84)), P);
        gap_nu = (int)lround(P * 0.08);
        gap_seg = (int)lround(P * 0.3);
        row_w = 0;
        for (int i = 0; i < k; i++) {
            wn[i] = measure(b, seg[i].num, P, true);
            wu[i] = measure(b, seg[i].unit, Q, false);
            row_w += wn[i] + gap_nu + wu[i] + (i ? gap_seg : 0);
        }
        if ((row_w <= body.w && line_h(P, 1.0f) <= room) || P <= 4)
            break;
        P = imax(4, imin(P - 1, (int)(P * 0.94)));
    }
    int num_h = line_h(P, 1.0f);
    int unit_h = line_h(Q, 1.3f);
    /* Units share the numbers' baseline. */
    int unit_dy = baseline(P, num_h) - baseline(Q, unit_h);
    int row_top = imin(0, unit_dy), row_bot = imax(num_h, unit_dy + unit_h);
    int row_h = row_bot - row_top;
    int y = settle(body.y, body.h, lab_h + g1 + row_h + g2 + date_h);
    add_text(b, "label", mkbox(body.x, y, body.w, lab_h), &label, LC_TEXT, ALIGN_CENTER,
             false);
    y += lab_h + g1;
    int ny = y - row_top;
    int x = body.x + imax(0, (body.w - row_w) / 2);
    for (int i = 0; i < k; i++) {
        if (i)
            x += gap_seg;
        struct text_lines t;
        fit(b, (struct text_fit_req){.text = seg[i].num, .box_w = wn[i] + 1, .box_h = num_h,
                                     .max_px = P, .min_px = P, .bold = true,
                                     .line_spacing = 1.0f, .max_lines = 1},
            &t);
        add_text(b, "days", mkbox(x, ny, wn[i] + 1, num_h), &t, LC_ACCENT, ALIGN_LEFT, true);
        x += wn[i] + gap_nu;
        fit(b, (struct text_fit_req){.text = seg[i].unit, .box_w = wu[i] + 1,
                                     .box_h = unit_h, .max_px = Q, .min_px = Q,
                                     .line_spacing = 1.3f, .max_lines = 1},
            &t);
        add_text(b, "unit", mkbox(x, ny + unit_dy, wu[i] + 1, unit_h), &t, LC_TEXT,
                 ALIGN_LEFT, false);
        x += wu[i];
    }
    y += row_h + g2;
    add_text(b, "date", mkbox(body.x, y, body.w, date_h), &date, LC_MUTED, ALIGN_CENTER,
             false);
}

/* ---- quote ---- */

static void lay_quote(struct lb *b, const struct slide *s, struct lay_box a)
{
    struct lay_box body = place_title(b, s->title, a);
    if (!nonempty(s->text) || body.h <= 0)
        return;
    /* Landscape has width to spare: the marks stand beside the text;
     * portrait puts them above and below. */
    bool beside = body.w > body.h;
    int M = sc(b, beside ? 170 : 130);
    const char *open = "\xe2\x80\x9c", *close = "\xe2\x80\x9d";
    int mw = imax(measure(b, open, M, true), measure(b, close, M, true));
    int mh = line_h(M, 0.8f);
    int mgap = sc(b, 24);

    char *src = NULL;
    struct text_lines st;
    memset(&st, 0, sizeof(st));
    if (nonempty(s->source)) {
        bool dashed = strncmp(s->source, "\xe2\x80\x94", 3) == 0 || s->source[0] == '-';
        size_t len = strlen(s->source) + 16;
        src = malloc(len);
        if (!src) {
            b->fail = true;
            return;
        }
        snprintf(src, len, "%s%s", dashed ? "" : "\xe2\x80\x94\xe2\x80\x94 ", s->source);
        fit(b, (struct text_fit_req){.text = src, .box_w = body.w * 4 / 5,
                                     .box_h = line_h(sc(b, 44), 1.35f) * 2,
                                     .max_px = sc(b, 44), .min_px = sc(b, 30),
                                     .line_spacing = 1.35f, .max_lines = 2},
            &st);
        free(src);
    }
    int sh = text_h(&st);
    int sgap = sh ? sc(b, 40) : 0;
    int tw = imin(beside ? body.w - 2 * (mw + mgap) : body.w, sc(b, 1480));
    int tavail = body.h - sh - sgap - (beside ? mh / 2 : 2 * mh);
    struct text_lines t;
    int th = 0, block = 0, top = 0, open_dy = 0, close_dy = 0;
    for (int tries = 0; tries < 4; tries++) {
        fit(b, (struct text_fit_req){.text = s->text, .box_w = tw, .box_h = tavail,
                                     .max_px = sc(b, 68), .min_px = sc(b, 40),
                                     .line_spacing = 1.5f, .balance = true},
            &t);
        th = text_h(&t);
        if (th == 0)
            break;
        /* Beside the text, a mark's ink top lines up with the ink top of
         * the first (opening) or last (closing) line; quote marks sit
         * near the top of their em box, ideographs fill it. */
        int q = t.px, qlh = t.line_h;
        int dy = (int)lround(qlh / 2.0 - 0.404 * q - mh / 2.0 + 0.324 * M);
        open_dy = beside ? dy : -mh;
        close_dy = beside ? th - qlh + dy : th;
        top = imin(0, open_dy);
        block = imax(th, close_dy + mh) - top;
        int over = block + sgap + sh - body.h;
        if (over <= 0 || tries == 3)
            break;
        text_lines_free(&t);
        tavail -= over;
    }
    if (th == 0) {
        text_lines_free(&t);
        text_lines_free(&st);
        return;
    }
    int lw = widest(&t);
    int cx = body.x + body.w / 2;
    int tx = cx - lw / 2;
    int y = settle(body.y, body.h, block + sgap + sh);
    int ty = y - top;
    struct text_lines mo, mc;
    struct text_fit_req mr = {.box_w = mw, .box_h = mh, .max_px = M, .min_px = M,
                              .bold = true, .line_spacing = 0.8f, .max_lines = 1};
    mr.text = open;
    fit(b, mr, &mo);
    mr.text = close;
    fit(b, mr, &mc);
    int right;
    if (beside) {
        add_text(b, "mark", mkbox(tx - mgap - mw, ty + open_dy, mw, mh), &mo, LC_ACCENT,
                 ALIGN_LEFT, true);
        add_text(b, "mark", mkbox(tx + lw + mgap, ty + close_dy, mw, mh), &mc, LC_ACCENT,
                 ALIGN_LEFT, true);
        right = tx + lw + mgap + mw;
    } else {
        add_text(b, "mark", mkbox(tx, ty + open_dy, mw, mh), &mo, LC_ACCENT, ALIGN_LEFT, true);
        add_text(b, "mark", mkbox(tx + lw - mw, ty + close_dy, mw, mh), &mc, LC_ACCENT,
                 ALIGN_LEFT, true);
        right = tx + lw;
    }
    /* A short quote is centred; a paragraph reads better ragged-right. */
    enum lay_align qa = t.n >= 3 ? ALIGN_LEFT : ALIGN_CENTER;
    add_text(b, "quote", mkbox(tx, ty, lw, th), &t, LC_TEXT, qa, false);
    int sy = y + block + sgap;
    right = imin(right, body.x + body.w);
    add_text(b, "source", mkbox(body.x, sy, right - body.x, sh), &st, LC_MUTED, ALIGN_RIGHT,
             false);
}

/* ---- image ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Pixel size from a PNG or JPEG header, so a "contain" image box can take
 * the picture's shape and its caption sit right under it. */
static bool image_size(const struct deck_image *img, int *w, int *h)
{
    const unsigned char *p = img->data;
    size_t n = img->len;
    if (n >= 24 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0) {
        uint32_t pw = be32(p + 16), ph = be32(p + 20);
        if (pw == 0 || ph == 0 || pw > 100000 || ph > 100000)
            return false;
        *w = (int)pw;
        *h = (int)ph;
        return true;
    }
    if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
        return false;
    size_t i = 2;
    while (i + 4 <= n) {
        if (p[i] != 0xff)
            return false;
        unsigned mk = p[i + 1];
        if (mk == 0xff) {
            i++;
            continue;
        }
        if (mk == 0x01 || (mk >= 0xd0 && mk <= 0xd8)) {
            i += 2;
            continue;
        }
        unsigned len = be16(p + i + 2);
        if (len < 2)
            return false;
        if (mk >= 0xc0 && mk <= 0xcf && mk != 0xc4 && mk != 0xc8 && mk != 0xcc) {
            if (i + 9 > n)
                return false;
            unsigned ph = be16(p + i + 5), pw = be16(p + i + 7);
            if (pw == 0 || ph == 0)
                return false;
            *w = (int)pw;
            *h = (int)ph;
            return true;
        }
        i += 2 + (size_t)len;
    }
    return false;
}

static void lay_image(struct lb *b, const struct slide *s, struct lay_box a)
{
    if (!image_usable(s->image)) {
        /* No picture: never an empty frame, the words carry the slide. */
        if (nonempty(s->title))
            place_hero(b, a, s->title, "title", s->caption, "caption", NULL);
        else if (nonempty(s->caption))
            place_hero(b, a, s->caption, "caption", NULL, NULL, NULL);
        return;
    }
    struct lay_box body = place_title(b, s->title, a);
    if (body.h <= 0)
        return;
    struct text_lines cap;
    fit(b, (struct text_fit_req){.text = s->caption, .box_w = imin(body.w, sc(b, 1560)),
                                 .box_h = line_h(sc(b, 44), 1.35f) * 2, .max_px = sc(b, 44),
                                 .min_px = sc(b, 30), .line_spacing = 1.35f, .max_lines = 2,
                                 .balance = true},
        &cap);
    int ch = text_h(&cap);
    int cgap = ch ? sc(b, 24) : 0;
    struct lay_box ib = mkbox(body.x, body.y, body.w, imax(0, body.h - ch - cgap));
    int iw, ih;
    if (s->fit == FIT_CONTAIN && ib.h > 0 && image_size(s->image, &iw, &ih)) {
        double k = fmin((double)ib.w / iw, (double)ib.h / ih);
        int w = imax(1, (int)floor(iw * k)), h = imax(1, (int)floor(ih * k));
        ib = mkbox(body.x + (body.w - w) / 2, settle(body.y, body.h, h + cgap + ch), w, h);
    }
    if (ib.h > 0) {
        struct lay_item *it = push(b, LAY_IMAGE, ib, "image");
        if (it) {
            it->image = s->image;
            it->fit = s->fit;
        }
    }
    int cw = imin(body.w, sc(b, 1560));
    add_text(b, "caption", mkbox(body.x + (body.w - cw) / 2, ib.y + ib.h + cgap, cw, ch), &cap,
             LC_TEXT, ALIGN_CENTER, false);
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

/* ---- the public entry points ---- */

int layout_slide(const struct deck *d, const struct slide *s, int w, int h, time_t now,
                 const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    lb_init(&b, out, d, w, h, m);
    if (!s || w <= 0 || h <= 0 || b.fail)
        return lb_finish(&b);
    struct chrome_layout c;
    layout_chrome(d, w, h, &c);
    struct lay_box a = c.content;
    bool portrait = h > w;
    out->has_bg_color = s->has_bg_color;
    out->bg_color = s->bg_color;
    if (image_usable(s->bg_image)) {
        out->bg_image = s->bg_image;
        /* A photo behind text needs a veil to keep the contrast. */
        add_rect(&b, mkbox(0, 0, w, h), LC_BACKGROUND, 150, 0, "scrim");
    }
    switch (s->type) {
    case SLIDE_TITLE:
        place_hero(&b, a, s->title, "title", s->subtitle, "subtitle", s->footer);
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

int layout_alert(const struct deck *d, const struct alert *al, int w, int h,
                 const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    lb_init(&b, out, d, w, h, m);
    if (!al || w <= 0 || h <= 0 || b.fail)
        return lb_finish(&b);
    out->has_bg_color = true;
    out->bg_color = 0xc62828;
    struct chrome_layout c;
    layout_chrome(d, w, h, &c);
    /* Below the header band, clear of a ticker: whether or not the chrome
     * is drawn over it, nothing collides. */
    struct lay_box a = mkbox(c.content.x, c.header.h + sc(&b, 48), c.content.w, 0);
    a.h = imax(0, h - sc(&b, 80) - a.y - (c.ticker.h > 0 ? c.ticker.h : 0));
    bool en = d && d->lang == LANG_EN;
    const char *tag = en ? "EMERGENCY" : "紧急通知";
    int tpx = sc(&b, 40);
    struct text_lines tl;
    fit(&b, (struct text_fit_req){.text = tag, .box_w = a.w, .box_h = line_h(tpx, 1.3f),
                                  .max_px = tpx, .min_px = tpx, .bold = true,
                                  .line_spacing = 1.3f, .max_lines = 1},
        &tl);
    int pill_h = (int)lround(tl.line_h * 1.5), pill_w = widest(&tl) + 2 * sc(&b, 32);
    int w2 = imin(a.w, sc(&b, 1600));
    int rest = a.h - pill_h - sc(&b, 48);
    struct text_lines title, text;
    fit_title(&b, (struct text_fit_req){.text = al->title, .box_w = w2, .box_h = rest / 2,
                                        .max_px = sc(&b, 120), .min_px = sc(&b, 64),
                                        .bold = true, .line_spacing = 1.2f, .max_lines = 3,
                                        .balance = true},
              &title);
    int th = text_h(&title);
    int rule = th ? sc(&b, 8) + 2 * sc(&b, 40) : 0;
    fit_title(&b, (struct text_fit_req){.text = al->text, .box_w = w2,
                                        .box_h = rest - th - rule, .max_px = sc(&b, 60),
                                        .min_px = sc(&b, 36), .line_spacing = 1.45f,
                                        .balance = true},
              &text);
    int xh = text_h(&text);
    int y = settle(a.y, a.h, pill_h + sc(&b, 48) + th + rule + xh);
    int cx = a.x + a.w / 2;
    struct lay_box pill = mkbox(cx - pill_w / 2, y, pill_w, pill_h);
    add_rect(&b, pill, LC_WHITE, 255, pill_h / 2, "pill");
    add_text(&b, "level", mkbox(pill.x, pill.y + (pill_h - tl.line_h) / 2, pill_w, tl.line_h),
             &tl, LC_ALERT, ALIGN_CENTER, true);
    y += pill_h + sc(&b, 48);
    add_text(&b, "title", mkbox(cx - w2 / 2, y, w2, th), &title, LC_WHITE, ALIGN_CENTER, true);
    if (th) {
        y += th + sc(&b, 40);
        add_rect(&b, mkbox(cx - sc(&b, 60), y, sc(&b, 120), sc(&b, 8)), LC_WHITE, 255,
                 sc(&b, 4), "rule");
        y += sc(&b, 8) + sc(&b, 40);
    }
    add_text(&b, "text", mkbox(cx - w2 / 2, y, w2, xh), &text, LC_WHITE, ALIGN_CENTER, false);
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
    /* Until the palette has an info blue, info is a white strip: both
     * read as "not part of the slide" against any theme background. */
    enum lay_color fill = warn ? LC_WARNING : LC_WHITE;
    add_rect(&b, bb, fill, 255, sc(&b, 16), "band");
    int pad = sc(&b, 28);
    int x = bb.x + pad, right = bb.x + bb.w - pad;

    const char *tag = warn ? (en ? "Warning" : "注意") : (en ? "Notice" : "通知");
    int tpx = sc(&b, 32);
    struct text_lines tl;
    fit(&b, (struct text_fit_req){.text = tag, .box_w = right - x, .box_h = line_h(tpx, 1.3f),
                                  .max_px = tpx, .min_px = tpx, .bold = true,
                                  .line_spacing = 1.3f, .max_lines = 1},
        &tl);
    if (tl.n > 0) {
        int ph = imin(bb.h - 2 * sc(&b, 16), (int)lround(tl.line_h * 1.45));
        int pw = widest(&tl) + 2 * sc(&b, 22);
        struct lay_box pill = mkbox(x, bb.y + (bb.h - ph) / 2, pw, ph);
        add_rect(&b, pill, LC_BACKGROUND, 255, ph / 2, "pill");
        add_text(&b, "level",
                 mkbox(pill.x, pill.y + (ph - tl.line_h) / 2, pw, imin(ph, tl.line_h)), &tl,
                 fill, ALIGN_CENTER, true);
        x += pw + sc(&b, 24);
    }
    int inner_h = bb.h - 2 * sc(&b, 8);
    int iy = bb.y + sc(&b, 8);
    struct text_lines title, text;
    if (stacked_banner(bb.w, b.u)) {
        /* Narrow screens: the title over the text, both beside the tag. */
        int vpad = sc(&b, 14);
        fit(&b, (struct text_fit_req){.text = al->title, .box_w = right - x,
                                      .box_h = line_h(sc(&b, 40), 1.3f), .max_px = sc(&b, 40),
                                      .min_px = sc(&b, 30), .bold = true,
                                      .line_spacing = 1.3f, .max_lines = 1},
            &title);
        int th = text_h(&title);
        int avail = bb.h - 2 * vpad - th;
        fit(&b, (struct text_fit_req){.text = al->text, .box_w = right - x, .box_h = avail,
                                      .max_px = sc(&b, 36), .min_px = sc(&b, 28),
                                      .line_spacing = 1.25f, .max_lines = 2,
                                      .balance = true},
            &text);
        int xh = text_h(&text);
        int y = bb.y + (bb.h - th - xh) / 2;
        add_text(&b, "heading", mkbox(x, y, right - x, th), &title, LC_BACKGROUND, ALIGN_LEFT,
                 true);
        add_text(&b, "text", mkbox(x, y + th, right - x, xh), &text, LC_BACKGROUND,
                 ALIGN_LEFT, false);
        return lb_finish(&b);
    }
    fit(&b, (struct text_fit_req){.text = al->title,
                                  .box_w = nonempty(al->text) ? (right - x) * 2 / 5 : right - x,
                                  .box_h = inner_h, .max_px = sc(&b, 40), .min_px = sc(&b, 30),
                                  .bold = true, .line_spacing = 1.3f, .max_lines = 1},
        &title);
    if (title.n > 0) {
        int tw = widest(&title);
        struct lay_item *ti = add_text(&b, "heading", mkbox(x, iy, tw, inner_h), &title,
                                       LC_BACKGROUND, ALIGN_LEFT, true);
        if (ti)
            ti->vcenter = true;
        x += tw + sc(&b, 28);
    }
    fit(&b, (struct text_fit_req){.text = al->text, .box_w = right - x, .box_h = inner_h,
                                  .max_px = sc(&b, 38), .min_px = sc(&b, 28),
                                  .line_spacing = 1.25f, .max_lines = 2, .balance = true},
        &text);
    struct lay_item *it = add_text(&b, "text", mkbox(x, iy, right - x, inner_h), &text,
                                   LC_BACKGROUND, ALIGN_LEFT, false);
    if (it)
        it->vcenter = true;
    return lb_finish(&b);
}

int layout_fallback(const struct deck *d, int w, int h, time_t now,
                    const struct text_measure *m, struct slide_layout *out)
{
    struct lb b;
    lb_init(&b, out, d, w, h, m);
    if (w <= 0 || h <= 0 || b.fail)
        return lb_finish(&b);
    struct chrome_layout c;
    layout_chrome(d, w, h, &c);
    struct lay_box a = c.content;
    enum lang lang = d ? d->lang : LANG_ZH_CN;
    struct tm tm;
    char tbuf[16] = "", dbuf[64] = "";
    if (localtime_r(&now, &tm)) {
        snprintf(tbuf, sizeof(tbuf), "%02d:%02d", tm.tm_hour, tm.tm_min);
        fmt_date(&tm, lang, true, dbuf, sizeof(dbuf));
    }
    struct text_lines school, tt, dt;
    fit(&b, (struct text_fit_req){.text = d ? d->school : NULL,
                                  .box_w = imin(a.w, sc(&b, 1560)), .box_h = a.h / 4,
                                  .max_px = sc(&b, 64), .min_px = sc(&b, 40), .bold = true,
                                  .line_spacing = 1.3f, .max_lines = 2, .balance = true},
        &school);
    int sh = text_h(&school);
    int rule = sh ? 2 * sc(&b, 40) + sc(&b, 8) : 0;
    fit(&b, (struct text_fit_req){.text = dbuf, .box_w = a.w,
                                  .box_h = line_h(sc(&b, 52), 1.4f), .max_px = sc(&b, 52),
                                  .min_px = sc(&b, 32), .line_spacing = 1.4f, .max_lines = 1},
        &dt);
    int dh = text_h(&dt);
    fit(&b, (struct text_fit_req){.text = tbuf, .box_w = a.w,
                                  .box_h = imax(1, a.h - sh - rule - dh - sc(&b, 16)),
                                  .max_px = sc(&b, 240), .min_px = sc(&b, 96), .bold = true,
                                  .line_spacing = 1.05f, .max_lines = 1},
        &tt);
    int th = text_h(&tt);
    int y = settle(a.y, a.h, sh + rule + th + sc(&b, 16) + dh);
    int sw = imin(a.w, sc(&b, 1560));
    add_text(&b, "school", mkbox(a.x + (a.w - sw) / 2, y, sw, sh), &school, LC_TEXT,
             ALIGN_CENTER, true);
    if (sh) {
        y += sh + sc(&b, 40);
        add_rect(&b, mkbox(a.x + a.w / 2 - sc(&b, 60), y, sc(&b, 120), sc(&b, 8)), LC_ACCENT,
                 255, sc(&b, 4), "rule");
        y += sc(&b, 8) + sc(&b, 40);
    }
    add_text(&b, "time", mkbox(a.x, y, a.w, th), &tt, LC_TEXT, ALIGN_CENTER, true);
    y += th + sc(&b, 16);
    add_text(&b, "date", mkbox(a.x, y, a.w, dh), &dt, LC_MUTED, ALIGN_CENTER, false);
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
