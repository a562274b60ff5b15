/* layout: geometry checks of every screen at four screen sizes.
 *
 * Decks are built by hand.  A fake measure (CJK = px wide, ASCII = px / 2)
 * makes widths predictable; one test repeats the checks with the real
 * bundled fonts when they can be opened.
 */
#include "testutil.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <SDL_ttf.h>

#include "deck.h"
#include "feed.h"
#include "font.h"
#include "layout.h"
#include "paint.h"
#include "text.h"
#include "utf8.h"

/* ---- fixtures ---- */

static int fake_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    (void)ctx;
    (void)bold;
    (void)rtl;
    long halves = 0;
    size_t i = 0;
    while (i < len) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        halves += cp < 0x80 ? 1 : 2;
        i += adv;
    }
    return (int)((halves * px + 1) / 2);
}

static const struct text_measure fake = {fake_measure, NULL};

struct size {
    int w, h;
};
static const struct size sizes[] = {{1280, 720}, {1920, 1080}, {3840, 2160}, {1080, 1920}};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static const char *const SHORT = "教育强区";
static const char *const TYPICAL = "全面建成教育强区，基础教育发展质量处于全市先进行列";
static const char *const LONG =
    "到2035年，全面建成教育强区，基础教育发展质量、职业教育综合实力、数字教育整体水平"
    "处于全市先进行列，人民群众教育获得感显著增强，教育服务经济社会发展能力显著提升，"
    "为谱写中国式现代化新篇章提供坚实的人才支撑和智力保障。坚持立德树人根本任务，"
    "深化教育综合改革，建设高素质专业化教师队伍，推进教育数字化，办好人民满意的教育。"
    "Supercalifragilisticexpialidocious-without-any-space-to-break-at-all";

static unsigned char logo_bytes[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static struct deck_image logo_img = {.url = "images/logo.png", .data = logo_bytes,
                                     .len = sizeof(logo_bytes), .format = IMGHDR_PNG};

static char *ticker_lines[] = {"涪陵区召开教育大会", "尊师重教，共育未来"};

static void make_deck(struct deck *d, enum lang lang, bool ticker, enum alert_level level)
{
    memset(d, 0, sizeof(*d));
    d->refs = 1;
    d->school = "重庆市涪陵区教育委员会";
    d->lang = lang;
    d->theme.background = 0x0b3d91;
    d->theme.text = 0xffffff;
    d->theme.accent = 0xffc629;
    d->theme.logo = &logo_img;
    if (ticker) {
        d->ticker = ticker_lines;
        d->n_ticker = 2;
    }
    d->alert.level = level;
    d->alert.title = "寒潮预警";
    d->alert.text = "明日最低气温零下5度，请学生注意保暖，上学途中注意交通安全。";
}

/* 2026-11-29 14:05 local time (a Sunday). */
static time_t local_time(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_isdst = -1};
    return mktime(&tm);
}

static int group_setup(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    return 0;
}

/* ---- the geometry checker ---- */

static double scale_of(int w, int h) { return (w < h ? w : h) / 1080.0; }

/* Readable floor of each text role at 1080p. */
static int role_floor(const char *role)
{
    static const struct {
        const char *role;
        int px;
    } t[] = {
        {"title", 56},  {"subtitle", 36}, {"item", 32},    {"heading", 30}, {"label", 30},
        {"quote", 40},  {"caption", 30},  {"source", 30},  {"done", 56},    {"time", 96},
        {"school", 40}, {"number", 18},   {"footer", 28},  {"text", 28},    {"date", 28},
        {"days", 28},   {"unit", 44},     {"mark", 60},    {"level", 30},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(t[i].role, role) == 0)
            return t[i].px;
    return 28;
}

static bool inside(struct lay_box in, struct lay_box out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

static bool overlap(struct lay_box a, struct lay_box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h &&
           a.w > 0 && a.h > 0 && b.w > 0 && b.h > 0;
}

static bool is_panel(const char *role)
{
    return strcmp(role, "panel") == 0 || strcmp(role, "pill") == 0 ||
           strcmp(role, "circle") == 0 || strcmp(role, "band") == 0 ||
           strcmp(role, "scrim") == 0;
}

static int widest_of(const struct lay_item *it)
{
    int w = 0;
    for (int i = 0; i < it->text.n; i++)
        w = it->text.widths[i] > w ? it->text.widths[i] : w;
    return w;
}

static const char *name_of(const struct lay_item *it)
{
    return it->role ? it->role : "(none)";
}

struct check {
    const char *what;
    int w, h;
    const struct lay_box *area; /* NULL: the whole screen */
    const struct text_measure *m;
    bool allow_ellipsis;
};

static void check_layout(const struct slide_layout *l, const struct check *c)
{
    struct lay_box screen = {0, 0, c->w, c->h};
    double u = scale_of(c->w, c->h);
    assert_int_equal(l->w, c->w);
    assert_int_equal(l->h, c->h);
    for (int i = 0; i < l->n_items; i++) {
        const struct lay_item *it = &l->items[i];
        if (!it->role)
            fail_msg("%s %dx%d: item %d has no role", c->what, c->w, c->h, i);
        if (it->box.w < 0 || it->box.h < 0 || !inside(it->box, screen))
            fail_msg("%s %dx%d: %s box %d,%d %dx%d leaves the screen", c->what, c->w, c->h,
                     name_of(it), it->box.x, it->box.y, it->box.w, it->box.h);
        if (c->area && strcmp(it->role, "scrim") != 0 && !inside(it->box, *c->area))
            fail_msg("%s %dx%d: %s box %d,%d %dx%d leaves the area %d,%d %dx%d", c->what,
                     c->w, c->h, name_of(it), it->box.x, it->box.y, it->box.w, it->box.h,
                     c->area->x, c->area->y, c->area->w, c->area->h);
        if (it->kind != LAY_TEXT)
            continue;
        const struct text_lines *t = &it->text;
        if (t->n < 1)
            fail_msg("%s: empty text item %s", c->what, name_of(it));
        if (t->n * t->line_h > it->box.h)
            fail_msg("%s %dx%d: %s: %d lines of %d px do not fit a box %d high", c->what, c->w,
                     c->h, name_of(it), t->n, t->line_h, it->box.h);
        for (int k = 0; k < t->n; k++) {
            int mw = c->m->fn(c->m->ctx, t->lines[k], strlen(t->lines[k]), t->px, it->bold,
                              t->rtl[k]);
            if (t->widths[k] > it->box.w || mw > it->box.w)
                fail_msg("%s %dx%d: %s line \"%s\" is %d px wide in a %d px box", c->what,
                         c->w, c->h, name_of(it), t->lines[k], mw, it->box.w);
        }
        int floor_px = (int)floor(role_floor(it->role) * u) - 1;
        if (t->px < floor_px)
            fail_msg("%s %dx%d: %s at %d px, below the floor %d", c->what, c->w, c->h,
                     name_of(it), t->px, floor_px);
        if (!c->allow_ellipsis && t->ellipsized)
            fail_msg("%s %dx%d: %s ellipsised (\"%s\")", c->what, c->w, c->h, name_of(it),
                     t->lines[t->n - 1]);
        for (int j = 0; j < l->n_items; j++) {
            const struct lay_item *o = &l->items[j];
            if (j == i || !overlap(it->box, o->box))
                continue;
            if (o->kind == LAY_TEXT && j > i)
                fail_msg("%s %dx%d: text %s (%d,%d %dx%d) overlaps text %s (%d,%d %dx%d)",
                         c->what, c->w, c->h, name_of(it), it->box.x, it->box.y, it->box.w,
                         it->box.h, name_of(o), o->box.x, o->box.y, o->box.w, o->box.h);
            if (o->kind == LAY_IMAGE)
                fail_msg("%s: text %s overlaps the image", c->what, name_of(it));
            if (o->kind == LAY_RECT && !(is_panel(o->role) && inside(it->box, o->box)))
                fail_msg("%s %dx%d: text %s (%d,%d %dx%d) overlaps %s (%d,%d %dx%d)", c->what,
                         c->w, c->h, name_of(it), it->box.x, it->box.y, it->box.w, it->box.h,
                         name_of(o), o->box.x, o->box.y, o->box.w, o->box.h);
        }
    }
    /* Cards, pills and circles never overlap one another, except one
     * placed on another (a pill on the banner band). */
    for (int i = 0; i < l->n_items; i++) {
        const struct lay_item *a = &l->items[i];
        if (a->kind != LAY_RECT || !is_panel(a->role) || strcmp(a->role, "scrim") == 0)
            continue;
        for (int j = i + 1; j < l->n_items; j++) {
            const struct lay_item *b = &l->items[j];
            if (b->kind == LAY_RECT && is_panel(b->role) && strcmp(b->role, "scrim") != 0 &&
                overlap(a->box, b->box) && !inside(a->box, b->box) &&
                !inside(b->box, a->box))
                fail_msg("%s %dx%d: %s overlaps %s", c->what, c->w, c->h, name_of(a),
                         name_of(b));
        }
    }
}

static int count_role(const struct slide_layout *l, const char *role)
{
    int n = 0;
    for (int i = 0; i < l->n_items; i++)
        if (l->items[i].role && strcmp(l->items[i].role, role) == 0)
            n++;
    return n;
}

static const struct lay_item *find_role(const struct slide_layout *l, const char *role,
                                        int nth)
{
    for (int i = 0; i < l->n_items; i++)
        if (l->items[i].role && strcmp(l->items[i].role, role) == 0 && nth-- == 0)
            return &l->items[i];
    return NULL;
}

/* The lines of a text item joined, for content assertions. */
static void joined(const struct lay_item *it, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t n = 0;
    for (int i = 0; i < it->text.n && n < size; i++) {
        int r = snprintf(buf + n, size - n, "%s", it->text.lines[i]);
        if (r < 0)
            break;
        n += (size_t)r;
    }
}

struct expect {
    const char *role;
    int count;
};

/* Lays out s at every size with both languages and checks it; content
 * must stay inside the chrome's content area, and each role of want
 * (NULL-terminated) must appear exactly that many times: no text is
 * dropped silently. */
static void check_slide_want(const char *what, struct slide *s, time_t now, bool ellipsis_ok,
                             const struct expect *want)
{
    for (int lang = 0; lang < 2; lang++) {
        for (size_t k = 0; k < N_SIZES; k++) {
            struct deck d;
            /* Every size once with ticker and banner squeezing it. */
            make_deck(&d, lang ? LANG_EN : LANG_ZH_CN, k % 2 == 0 || lang,
                      (k + lang) % 2 ? ALERT_WARNING : ALERT_NONE);
            d.slides = s;
            d.n_slides = 1;
            struct chrome_layout c;
            layout_chrome(&d, sizes[k].w, sizes[k].h, &c);
            struct slide_layout l;
            assert_int_equal(layout_slide(&d, s, sizes[k].w, sizes[k].h, now, &fake, &l), 0);
            struct check ck = {what, sizes[k].w, sizes[k].h, &c.content, &fake, ellipsis_ok};
            check_layout(&l, &ck);
            for (int i = 0; want && want[i].role; i++)
                if (count_role(&l, want[i].role) != want[i].count)
                    fail_msg("%s %dx%d: %d %s boxes, want %d", what, sizes[k].w, sizes[k].h,
                             count_role(&l, want[i].role), want[i].role, want[i].count);
            slide_layout_free(&l);
        }
    }
}

static void check_slide_all(const char *what, struct slide *s, time_t now, bool ellipsis_ok)
{
    check_slide_want(what, s, now, ellipsis_ok, NULL);
}

/* ---- clock and days ---- */

static void test_clock_text(void **state)
{
    (void)state;
    char buf[96];
    time_t t = local_time(2026, 11, 29, 14, 5);
    int n = layout_clock_text(t, LANG_ZH_CN, buf, sizeof(buf));
    assert_string_equal(buf, "2026年11月29日 星期日 14:05");
    assert_int_equal(n, (int)strlen(buf));
    layout_clock_text(t, LANG_EN, buf, sizeof(buf));
    assert_string_equal(buf, "Sun 29 Nov 2026 14:05");
    t = local_time(2027, 1, 5, 9, 3);
    layout_clock_text(t, LANG_ZH_CN, buf, sizeof(buf));
    assert_string_equal(buf, "2027年1月5日 星期二 09:03");
    layout_clock_text(t, LANG_EN, buf, sizeof(buf));
    assert_string_equal(buf, "Tue 5 Jan 2027 09:03");
    /* snprintf semantics: truncated, NUL-terminated, full length returned. */
    char small[8];
    n = layout_clock_text(t, LANG_EN, small, sizeof(small));
    assert_int_equal(n, (int)strlen("Tue 5 Jan 2027 09:03"));
    assert_string_equal(small, "Tue 5 J");
}

static void test_days_until(void **state)
{
    (void)state;
    time_t now = local_time(2026, 11, 29, 14, 5);
    assert_int_equal(layout_days_until(now, now), 0);
    assert_int_equal(layout_days_until(now, local_time(2026, 11, 29, 0, 0)), 0);
    assert_int_equal(layout_days_until(now, local_time(2026, 11, 29, 23, 59)), 0);
    assert_int_equal(layout_days_until(now, local_time(2026, 11, 30, 0, 1)), 1);
    assert_int_equal(layout_days_until(now, local_time(2026, 11, 28, 23, 59)), -1);
    assert_int_equal(layout_days_until(now, local_time(2026, 12, 1, 0, 0)), 2);
    assert_int_equal(layout_days_until(now, local_time(2027, 1, 1, 0, 0)), 33);
    assert_int_equal(layout_days_until(now, local_time(2027, 12, 31, 0, 0)), 397);
    assert_int_equal(layout_days_until(now, local_time(2025, 11, 29, 0, 0)), -365);
    /* Month and year ends, a leap day. */
    assert_int_equal(layout_days_until(local_time(2026, 12, 31, 23, 59),
                                       local_time(2027, 1, 1, 0, 0)), 1);
    assert_int_equal(layout_days_until(local_time(2028, 2, 28, 8, 0),
                                       local_time(2028, 3, 1, 8, 0)), 2);
    assert_int_equal(layout_days_until(local_time(2027, 2, 28, 8, 0),
                                       local_time(2027, 3, 1, 8, 0)), 1);
    assert_int_equal(layout_days_until(local_time(2026, 1, 31, 12, 0),
                                       local_time(2026, 2, 1, 0, 30)), 1);

    /* A zone with daylight saving: the 23- and 25-hour days still count
     * as one day each. */
    setenv("TZ", "America/New_York", 1);
    tzset();
    assert_int_equal(layout_days_until(local_time(2026, 3, 7, 23, 30),
                                       local_time(2026, 3, 9, 0, 30)), 2);
    assert_int_equal(layout_days_until(local_time(2026, 3, 8, 0, 30),
                                       local_time(2026, 3, 8, 23, 30)), 0);
    assert_int_equal(layout_days_until(local_time(2026, 10, 31, 23, 30),
                                       local_time(2026, 11, 2, 0, 10)), 2);
    assert_int_equal(layout_days_until(local_time(2026, 1, 1, 0, 0),
                                       local_time(2027, 1, 1, 0, 0)), 365);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

/* ---- chrome ---- */

static void test_chrome(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_SIZES; k++) {
        for (int v = 0; v < 16; v++) {
            int w = sizes[k].w, h = sizes[k].h;
            double u = scale_of(w, h);
            struct deck d;
            make_deck(&d, (v & 1) ? LANG_EN : LANG_ZH_CN, v & 2,
                      (v & 4) ? ((v & 8) ? ALERT_WARNING : ALERT_INFO) : ALERT_NONE);
            if (v & 8)
                d.theme.logo = NULL;
            struct chrome_layout c;
            layout_chrome(&d, w, h, &c);
            struct lay_box screen = {0, 0, w, h};
            assert_int_equal(c.w, w);
            assert_int_equal(c.h, h);
            assert_true(inside(c.header, screen));
            assert_int_equal(c.header.y, 0);
            assert_true(inside(c.progress, screen));
            assert_true(inside(c.content, screen));
            assert_true(inside(c.school, c.header));
            assert_true(inside(c.clock, c.header));
            assert_false(overlap(c.school, c.clock));
            if (d.theme.logo) {
                assert_true(c.logo.w > 0);
                assert_true(inside(c.logo, c.header));
                assert_false(overlap(c.logo, c.school));
                assert_false(overlap(c.logo, c.clock));
            } else {
                assert_int_equal(c.logo.w, 0);
            }
            const struct lay_box *parts[] = {&c.header, &c.progress, &c.content, &c.ticker,
                                             &c.banner};
            for (int i = 0; i < 5; i++)
                for (int j = i + 1; j < 5; j++)
                    if (overlap(*parts[i], *parts[j]))
                        fail_msg("%dx%d v%d: chrome parts %d and %d overlap", w, h, v, i, j);
            assert_true(c.progress.y >= c.header.y + c.header.h);
            assert_true(c.content.y >= c.progress.y + c.progress.h);
            if (v & 2) {
                assert_true(c.ticker.h > 0);
                assert_true(inside(c.ticker, screen));
                assert_int_equal(c.ticker.y + c.ticker.h, h);
                assert_true(c.content.y + c.content.h <= c.ticker.y);
                assert_true(c.ticker_px >= (int)(36 * u));
                assert_true(c.ticker_px * 6 / 5 <= c.ticker.h);
            } else {
                assert_int_equal(c.ticker.h, 0);
            }
            if (v & 4) {
                assert_true(c.banner.h > 0);
                assert_true(inside(c.banner, screen));
                /* At the foot of the content, above the ticker. */
                assert_true(c.banner.y >= c.content.y + c.content.h);
                assert_true(c.banner.y + c.banner.h <= (v & 2 ? c.ticker.y : h));
                assert_true(c.banner.h >= (int)(80 * u));
            } else {
                assert_int_equal(c.banner.h, 0);
            }
            /* Type sizes readable from a distance, scaled to the screen. */
            assert_true(c.school_px >= (int)(40 * u) && c.school_px <= (int)(56 * u) + 1);
            assert_true(c.clock_px >= (int)(36 * u) && c.clock_px <= (int)(40 * u) + 1);
            assert_true(c.school.h >= c.school_px && c.clock.h >= c.clock_px);
            /* The widest clock text fits its box. */
            char buf[96];
            layout_clock_text(local_time(2026, 12, 30, 23, 58), d.lang, buf, sizeof(buf));
            int cw = fake_measure(NULL, buf, strlen(buf), c.clock_px, false, false);
            if (cw > c.clock.w)
                fail_msg("%dx%d: clock \"%s\" is %d px, box %d", w, h, buf, cw, c.clock.w);
            /* Most of the screen is left for the slide. */
            assert_true(c.content.h >= h / 2);
            assert_true(c.content.w >= w * 3 / 4);
            assert_true(c.content.x >= (int)(48 * u));
        }
    }
}

/* ---- slides ---- */

#define N_VAR 3

static const char *variant(int v) { return v == 0 ? SHORT : v == 1 ? TYPICAL : LONG; }

static time_t now_fixed(void) { return local_time(2026, 11, 29, 14, 5); }

/* Lays out s once for checks of detail. */
static void lay_one(struct slide *s, int w, int h, enum lang lang, time_t now,
                    struct slide_layout *l, struct chrome_layout *c)
{
    static struct deck d;
    make_deck(&d, lang, true, ALERT_NONE);
    d.slides = s;
    d.n_slides = 1;
    layout_chrome(&d, w, h, c);
    assert_int_equal(layout_slide(&d, s, w, h, now, &fake, l), 0);
    struct check ck = {"detail", w, h, &c->content, &fake, true};
    check_layout(l, &ck);
}

static int atoi_safe(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= 0 && v < 16 ? (int)v : 0;
}

static int distinct(const int *v, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int j = 0; j < i; j++)
            seen = seen || v[j] == v[i];
        k += !seen;
    }
    return k;
}

static void test_title(void **state)
{
    (void)state;
    for (int v = 0; v < N_VAR; v++) {
        struct slide s = {.type = SLIDE_TITLE, .title = (char *)variant(v),
                          .subtitle = (char *)variant(v), .footer = (char *)variant(v)};
        struct expect want[] = {{"title", 1}, {"subtitle", 1}, {"footer", 1}, {NULL, 0}};
        check_slide_want("title", &s, now_fixed(), v == 2, want);
        struct slide s2 = {.type = SLIDE_TITLE, .title = (char *)variant(v)};
        check_slide_all("title only", &s2, now_fixed(), v == 2);
    }
    /* At 1080p: a big centred title over an accent rule over the subtitle. */
    struct slide s = {.type = SLIDE_TITLE, .title = "加快建设新时代教育强区",
                      .subtitle = "涪陵区教育大会：全力建成教育现代化区域样板",
                      .footer = "12月25日 · 涪陵区教育大会"};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    const struct lay_item *t = find_role(&l, "title", 0), *sub = find_role(&l, "subtitle", 0),
                          *rule = find_role(&l, "rule", 0), *foot = find_role(&l, "footer", 0);
    assert_non_null(t);
    assert_non_null(sub);
    assert_non_null(rule);
    assert_non_null(foot);
    assert_true(t->text.px >= 88 && t->text.px <= 104);
    assert_int_equal(t->text.n, 1);
    assert_int_equal(t->align, ALIGN_CENTER);
    assert_true(t->bold);
    assert_true(sub->text.px >= 44 && sub->text.px <= 56);
    assert_true(rule->box.y > t->box.y + t->box.h && sub->box.y > rule->box.y + rule->box.h);
    assert_int_equal(rule->color, LC_ACCENT);
    assert_int_equal(foot->color, LC_MUTED);
    assert_true(foot->box.y > sub->box.y);
    assert_true(abs(t->box.x + t->box.w / 2 - 960) <= 2);
    slide_layout_free(&l);
    /* Portrait has height to spare: title and subtitle grow past what
     * landscape allows them (two balanced lines), the footer stays at the
     * foot of the content. */
    lay_one(&s, 1080, 1920, LANG_ZH_CN, now_fixed(), &l, &c);
    t = find_role(&l, "title", 0);
    sub = find_role(&l, "subtitle", 0);
    foot = find_role(&l, "footer", 0);
    assert_true(t->text.px > 104 && t->text.px <= 120);
    assert_int_equal(t->text.n, 2);
    assert_true(sub->text.px > 52 && sub->text.px <= 64);
    assert_true(sub->text.px < t->text.px);
    assert_int_equal(foot->box.y + foot->box.h, c.content.y + c.content.h);
    assert_true(foot->box.y > sub->box.y + sub->box.h + 200);
    slide_layout_free(&l);
}

static void test_list(void **state)
{
    (void)state;
    static char *items[12];
    static const int counts[] = {1, 2, 3, 5, 6, 8, 12};
    for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int num = 0; num < 2; num++) {
                int n = counts[ci];
                for (int i = 0; i < n; i++)
                    items[i] = (char *)(v == 2 && i % 2 ? TYPICAL : variant(v));
                struct slide s = {.type = SLIDE_LIST, .title = (char *)variant(v),
                                  .items = items, .n_items = (size_t)n, .numbered = num};
                /* Twelve typical items may need a line cut on small screens. */
                char what[64];
                snprintf(what, sizeof(what), "list n=%d v=%d num=%d", n, v, num);
                struct expect want[] = {{"item", n}, {"title", 1},
                                        {num ? "number" : "bullet", n}, {NULL, 0}};
                check_slide_want(what, &s, now_fixed(), v == 2 || n >= 8, want);
            }
        }
    }
    /* Details at 1080p. */
    for (int i = 0; i < 12; i++)
        items[i] = (char *)TYPICAL;
    for (int portrait = 0; portrait < 2; portrait++) {
        struct slide s = {.type = SLIDE_LIST, .title = "努力实现「6个显著提升」", .items = items,
                          .n_items = 8, .numbered = true};
        struct slide_layout l;
        struct chrome_layout c;
        lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080, LANG_ZH_CN, now_fixed(),
                &l, &c);
        assert_int_equal(count_role(&l, "item"), 8);
        assert_int_equal(count_role(&l, "number"), 8);
        assert_int_equal(count_role(&l, "circle"), 8);
        int xs[8], px = find_role(&l, "item", 0)->text.px;
        int seen[16] = {0};
        for (int i = 0; i < 8; i++) {
            const struct lay_item *it = find_role(&l, "item", i);
            xs[i] = it->box.x;
            assert_int_equal(it->text.px, px); /* one size for all items */
            char buf[8];
            joined(find_role(&l, "number", i), buf, sizeof(buf));
            seen[atoi_safe(buf)]++;
            const struct lay_item *circ = find_role(&l, "circle", i);
            assert_int_equal(circ->color, LC_ACCENT);
            assert_true(circ->radius * 2 >= circ->box.h);
            assert_true(inside(find_role(&l, "number", i)->box, circ->box));
        }
        for (int i = 1; i <= 8; i++)
            assert_int_equal(seen[i], 1); /* numbers 1..8, each once */
        /* Many items on landscape use two columns; portrait one. */
        assert_int_equal(distinct(xs, 8), portrait ? 1 : 2);
        assert_true(px >= 32);
        /* The title sits where every slide type puts it. */
        const struct lay_item *t = find_role(&l, "title", 0);
        assert_int_equal(t->box.x, c.content.x);
        assert_int_equal(t->box.y, c.content.y);
        assert_true(t->text.px >= 72 && t->text.px <= 96);
        slide_layout_free(&l);
    }
    /* A short list reads as body text at full size, with bullets, and
     * larger than a long one: a sparse slide uses its room. */
    struct slide s = {.type = SLIDE_LIST, .title = "聚焦「2项创建」", .items = items,
                      .n_items = 3};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    assert_int_equal(count_role(&l, "bullet"), 3);
    assert_int_equal(count_role(&l, "number"), 0);
    int sparse = find_role(&l, "item", 0)->text.px;
    assert_true(sparse >= 60);
    assert_true(sparse <= 64); /* body text stays clearly under the title */
    slide_layout_free(&l);
    s.n_items = 12;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    assert_true(find_role(&l, "item", 0)->text.px < sparse);
    slide_layout_free(&l);
}

/* Body and heading sizes of a cards slide of n cards at w x h. */
static void card_sizes(int n, int w, int h, int *head_px, int *text_px)
{
    static struct card cards[12];
    for (int i = 0; i < n; i++) {
        cards[i].heading = i % 2 ? "全市居前列" : "群众有好评";
        cards[i].text = "以实干实绩推动教育事业迈上新台阶";
    }
    struct slide s = {.type = SLIDE_CARDS, .title = "教育现代化区域样板", .cards = cards,
                      .n_cards = (size_t)n};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, w, h, LANG_ZH_CN, now_fixed(), &l, &c);
    *head_px = find_role(&l, "heading", 0)->text.px;
    *text_px = find_role(&l, "text", 0)->text.px;
    slide_layout_free(&l);
}

static void test_sparse_cards(void **state)
{
    (void)state;
    /* Three cards on 1080p grow well past the size of a full grid. */
    int h3, t3, h6, t6, h12, t12;
    card_sizes(3, 1920, 1080, &h3, &t3);
    card_sizes(6, 1920, 1080, &h6, &t6);
    card_sizes(12, 1920, 1080, &h12, &t12);
    assert_true(h3 >= 64 && h3 <= 72);
    assert_true(t3 >= 52 && t3 <= 60);
    assert_true(h3 > h6 && t3 > t6);
    assert_true(h6 >= h12 && t6 >= t12);
    assert_true(t6 <= 44); /* a full grid keeps its proportions */
    /* Portrait: three cards stack, each as large as on landscape or more. */
    int hp, tp;
    card_sizes(3, 1080, 1920, &hp, &tp);
    assert_true(hp >= h3 && tp >= t3);
    /* Cards without text: large headings on few cards, still under the
     * slide title. */
    static struct card bare[3] = {{.heading = "全市基础教育高地"}, {.heading = "职业教育重镇"},
                                  {.heading = "教育科技人才一体推进新范例"}};
    struct slide s = {.type = SLIDE_CARDS, .title = "锚定「3个发展定位」", .cards = bare,
                      .n_cards = 3};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    int hd = find_role(&l, "heading", 0)->text.px;
    assert_true(hd >= 64 && hd < find_role(&l, "title", 0)->text.px);
    /* The grid sits in the middle band of the body, not at an edge. */
    const struct lay_item *rule = find_role(&l, "rule", 0), *p = find_role(&l, "panel", 0);
    int top_gap = p->box.y - (rule->box.y + rule->box.h);
    int bottom_gap = c.content.y + c.content.h - (p->box.y + p->box.h);
    assert_true(top_gap > 0 && bottom_gap > 0);
    assert_true(abs(top_gap - bottom_gap) < (top_gap + bottom_gap) / 2);
    slide_layout_free(&l);
}

static void test_cards(void **state)
{
    (void)state;
    static struct card cards[12];
    static const int counts[] = {1, 2, 3, 4, 5, 6, 8, 9, 12};
    for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int with_text = 0; with_text < 2; with_text++) {
                int n = counts[ci];
                for (int i = 0; i < n; i++) {
                    cards[i].heading = (char *)(v == 2 ? TYPICAL : SHORT);
                    cards[i].text = with_text ? (char *)(i % 3 ? TYPICAL : variant(v)) : NULL;
                }
                struct slide s = {.type = SLIDE_CARDS, .title = (char *)variant(v),
                                  .cards = cards, .n_cards = (size_t)n};
                char what[64];
                snprintf(what, sizeof(what), "cards n=%d v=%d text=%d", n, v, with_text);
                struct expect want[] = {{"heading", n}, {"panel", n},
                                        {"text", with_text ? n : 0}, {NULL, 0}};
                check_slide_want(what, &s, now_fixed(), v == 2 || n >= 8, want);
            }
        }
    }
    /* Grid shapes and uniform type at 1080p. */
    for (int portrait = 0; portrait < 2; portrait++) {
        for (int i = 0; i < 8; i++) {
            cards[i].heading = i % 2 ? "基础教育公平优质" : "五育融合";
            cards[i].text = i % 3 ? "整体推进，促进学生德智体美劳全面发展" : "提档升级";
        }
        struct slide s = {.type = SLIDE_CARDS, .title = "大力推进「8大行动」", .cards = cards,
                          .n_cards = 8};
        struct slide_layout l;
        struct chrome_layout c;
        lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080, LANG_ZH_CN, now_fixed(),
                &l, &c);
        assert_int_equal(count_role(&l, "panel"), 8);
        int xs[8], ys[8];
        for (int i = 0; i < 8; i++) {
            const struct lay_item *p = find_role(&l, "panel", i);
            xs[i] = p->box.x;
            ys[i] = p->box.y;
            assert_int_equal(p->color, LC_PANEL);
            assert_true(p->alpha < 80); /* a veil, not a slab */
            const struct lay_item *hd = find_role(&l, "heading", i), *tx = find_role(&l, "text", i);
            assert_true(inside(hd->box, p->box));
            assert_true(inside(tx->box, p->box));
            assert_int_equal(hd->text.px, find_role(&l, "heading", 0)->text.px);
            assert_int_equal(tx->text.px, find_role(&l, "text", 0)->text.px);
            assert_true(hd->text.px >= tx->text.px);
            assert_true(tx->text.px >= 28);
        }
        assert_int_equal(distinct(xs, 8), portrait ? 2 : 4);
        assert_int_equal(distinct(ys, 8), portrait ? 4 : 2);
        slide_layout_free(&l);
    }
    /* Six cards, the middle row fuller: on portrait each row takes its
     * own height (the cards of a row alike, one type size throughout);
     * landscape keeps one height for all. */
    for (int portrait = 0; portrait < 2; portrait++) {
        for (int i = 0; i < 6; i++) {
            cards[i].heading = i == 2 ? "教育事业整体跃升" : "五育融合";
            cards[i].text = i / 2 == 1 ? "学前普惠、义务均衡、高中特色、产教融合，"
                                         "整体推进促进学生全面发展"
                                       : "提档升级";
        }
        struct slide s = {.type = SLIDE_CARDS, .title = "六个聚焦 · 重点任务",
                          .cards = cards, .n_cards = 6};
        struct slide_layout l;
        struct chrome_layout c;
        lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080, LANG_ZH_CN, now_fixed(),
                &l, &c);
        int hs[6], ys[6];
        for (int i = 0; i < 6; i++) {
            const struct lay_item *p = find_role(&l, "panel", i);
            hs[i] = p->box.h;
            ys[i] = p->box.y;
            assert_int_equal(find_role(&l, "heading", i)->text.px,
                             find_role(&l, "heading", 0)->text.px);
            assert_int_equal(find_role(&l, "text", i)->text.px,
                             find_role(&l, "text", 0)->text.px);
            assert_true(inside(find_role(&l, "text", i)->box, p->box));
        }
        if (portrait) {
            assert_int_equal(distinct(ys, 6), 3);
            for (int r = 0; r < 3; r++)
                assert_int_equal(hs[2 * r], hs[2 * r + 1]);
            assert_true(hs[2] > hs[0]);
            assert_int_equal(hs[4], hs[0]);
            /* Rows do not overlap and keep the grid's gap. */
            assert_true(ys[2] > ys[0] + hs[0] && ys[4] > ys[2] + hs[2]);
            assert_int_equal(ys[2] - (ys[0] + hs[0]), ys[4] - (ys[2] + hs[2]));
        } else {
            assert_int_equal(distinct(hs, 6), 1);
        }
        slide_layout_free(&l);
    }
}

static void test_timeline(void **state)
{
    (void)state;
    static struct milestone ms[8];
    static const char *const dates[] = {"2020", "2025-09-01", "2026-12-09", "2027",
                                        "2028-06", "2030", "2035-12-31", "2050"};
    time_t now = now_fixed();
    for (int n = 1; n <= 8; n++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int i = 0; i < n; i++) {
                ms[i].date = (char *)dates[i];
                ms[i].when.set = i != 3;
                ms[i].when.t = local_time(2020 + i * 4, 1 + i, 1 + i, 0, 0);
                ms[i].label = (char *)(v == 2 ? TYPICAL : "到2027年");
                ms[i].text = i == 5 ? NULL : (char *)variant(v);
            }
            struct slide s = {.type = SLIDE_TIMELINE, .title = (char *)variant(v),
                              .milestones = ms, .n_milestones = (size_t)n};
            char what[64];
            snprintf(what, sizeof(what), "timeline n=%d v=%d", n, v);
            int with_text = n > 5 ? n - 1 : n; /* milestone 6 has no text */
            struct expect want[] = {{"label", n}, {"date", n}, {"text", with_text},
                                    {NULL, 0}};
            check_slide_want(what, &s, now, v == 2 || n >= 7, want);
        }
    }
    /* Days to go: only for future milestones, live from `now`. */
    ms[0] = (struct milestone){.date = "2025", .label = "起步", .text = "已完成",
                               .when = {.set = true, .t = local_time(2025, 1, 1, 0, 0)}};
    ms[1] = (struct milestone){.date = "2026-12-09", .label = "阶段评估", .text = "十天后",
                               .when = {.set = true, .t = local_time(2026, 12, 9, 0, 0)}};
    ms[2] = (struct milestone){.date = "2027-12-31", .label = "到2027年",
                               .text = "教育强区建设取得阶段性成效",
                               .when = {.set = true, .t = local_time(2027, 12, 31, 0, 0)}};
    ms[3] = (struct milestone){.date = "远期", .label = "到2035年", .text = "全面建成"};
    for (int portrait = 0; portrait < 2; portrait++) {
        for (int lang = 0; lang < 2; lang++) {
            struct slide s = {.type = SLIDE_TIMELINE, .title = "教育强区建设时间表",
                              .milestones = ms, .n_milestones = 4};
            struct slide_layout l;
            struct chrome_layout c;
            lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080,
                    lang ? LANG_EN : LANG_ZH_CN, now, &l, &c);
            assert_int_equal(count_role(&l, "days"), 2);
            char buf[64];
            joined(find_role(&l, "days", 0), buf, sizeof(buf));
            assert_string_equal(buf, lang ? "10 days to go" : "还有 10 天");
            joined(find_role(&l, "days", 1), buf, sizeof(buf));
            assert_string_equal(buf, lang ? "397 days to go" : "还有 397 天");
            assert_int_equal(count_role(&l, "date"), 4);
            assert_int_equal(count_role(&l, "label"), 4);
            assert_int_equal(count_role(&l, "halo"), 1); /* the next milestone */
            /* Dots line up along the rail: a row on landscape, a column on
             * portrait. */
            int n_dots = count_role(&l, "dot");
            assert_true(n_dots >= 4);
            int cx0 = 0, cy0 = 0;
            for (int i = 0; i < n_dots; i++) {
                struct lay_box b = find_role(&l, "dot", i)->box;
                int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
                if (i == 0) {
                    cx0 = cx;
                    cy0 = cy;
                }
                if (portrait)
                    assert_true(abs(cx - cx0) <= 1);
                else
                    assert_true(abs(cy - cy0) <= 1);
            }
            slide_layout_free(&l);
        }
    }
    /* Two milestones get larger type than six; on portrait the date and
     * label stay at least as large as the text under them. */
    for (int i = 0; i < 6; i++)
        ms[i] = (struct milestone){.date = "2027-12-31", .label = "到2027年",
                                   .text = "教育强区建设取得阶段性成效",
                                   .when = {.set = true,
                                            .t = local_time(2027 + i, 12, 31, 0, 0)}};
    int text_px[2][2], label_px[2][2];
    for (int portrait = 0; portrait < 2; portrait++) {
        for (int sparse = 0; sparse < 2; sparse++) {
            struct slide s = {.type = SLIDE_TIMELINE, .title = "教育强区建设时间表",
                              .milestones = ms, .n_milestones = sparse ? 2 : 6};
            struct slide_layout l;
            struct chrome_layout c;
            lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080, LANG_ZH_CN, now,
                    &l, &c);
            text_px[portrait][sparse] = find_role(&l, "text", 0)->text.px;
            label_px[portrait][sparse] = find_role(&l, "label", 0)->text.px;
            assert_true(find_role(&l, "date", 0)->text.px >= text_px[portrait][sparse]);
            assert_true(label_px[portrait][sparse] >= text_px[portrait][sparse]);
            slide_layout_free(&l);
        }
        assert_true(text_px[portrait][1] > text_px[portrait][0]);
        assert_true(label_px[portrait][1] > label_px[portrait][0]);
    }
    assert_true(text_px[0][1] >= 44 && label_px[0][1] >= 52);
    /* Four milestones with room also grow past the dense sizes (label
     * 44, text 36, portrait date and label 42, text 38); texts too long
     * for that on landscape keep the dense sizes, and every word. */
    for (int portrait = 0; portrait < 2; portrait++) {
        for (int longer = 0; longer < 2; longer++) {
            for (int i = 0; i < 4; i++)
                ms[i].text = longer ? "教育强区建设取得阶段性成效，优质均衡发展水平显著提升，"
                                      "人民群众满意度持续提高，教育现代化区域样板基本建成，"
                                      "教育强区建设取得阶段性成效"
                                    : "教育强区建设取得阶段性成效";
            struct slide s = {.type = SLIDE_TIMELINE, .title = "教育强区建设时间表",
                              .milestones = ms, .n_milestones = 4};
            struct slide_layout l;
            struct chrome_layout c;
            lay_one(&s, portrait ? 1080 : 1920, portrait ? 1920 : 1080, LANG_ZH_CN, now,
                    &l, &c);
            int tp = find_role(&l, "text", 0)->text.px;
            int lp = find_role(&l, "label", 0)->text.px;
            if (!longer) {
                assert_true(tp > (portrait ? 38 : 36));
                assert_true(lp > (portrait ? 42 : 44));
            } else if (!portrait) {
                assert_true(tp <= 36);
                assert_true(lp <= 44);
            } else {
                assert_true(tp >= 38); /* a tall screen still has the room */
            }
            for (int i = 0; i < 4; i++)
                assert_false(find_role(&l, "text", i)->text.ellipsized);
            assert_true(lp >= tp);
            slide_layout_free(&l);
        }
    }
    ms[0] = (struct milestone){.date = "2025", .label = "起步", .text = "已完成",
                               .when = {.set = true, .t = local_time(2025, 1, 1, 0, 0)}};
    ms[1] = (struct milestone){.date = "2026-12-09", .label = "阶段评估", .text = "十天后",
                               .when = {.set = true, .t = local_time(2026, 12, 9, 0, 0)}};
    ms[2] = (struct milestone){.date = "2027-12-31", .label = "到2027年",
                               .text = "教育强区建设取得阶段性成效",
                               .when = {.set = true, .t = local_time(2027, 12, 31, 0, 0)}};
    /* A day later, the count follows. */
    struct slide s = {.type = SLIDE_TIMELINE, .milestones = ms, .n_milestones = 3};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now + 86400, &l, &c);
    char buf[64];
    joined(find_role(&l, "days", 0), buf, sizeof(buf));
    assert_string_equal(buf, "还有 9 天");
    slide_layout_free(&l);
}

static void test_countdown(void **state)
{
    (void)state;
    time_t now = now_fixed();
    struct slide s = {.type = SLIDE_COUNTDOWN, .title = "距2027年阶段目标",
                      .label = "教育强区建设取得阶段性成效",
                      .done_text = "阶段目标之年已到，继续奋进！",
                      .target = {.set = true, .date_only = true,
                                 .t = local_time(2027, 12, 31, 0, 0)}};
    for (int v = 0; v < N_VAR; v++) {
        s.title = (char *)variant(v);
        s.label = (char *)variant(v);
        s.done_text = (char *)variant(v);
        check_slide_all("countdown", &s, now, v == 2);
        check_slide_all("countdown hours", &s, s.target.t - 5 * 3600, v == 2);
        check_slide_all("countdown done", &s, s.target.t + 3600, v == 2);
    }
    s.title = "距2027年阶段目标";
    s.label = "教育强区建设取得阶段性成效";
    s.done_text = "阶段目标之年已到，继续奋进！";
    struct slide_layout l;
    struct chrome_layout c;
    char buf[128];
    for (size_t k = 0; k < N_SIZES; k++) {
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now, &l, &c);
        const struct lay_item *days = find_role(&l, "days", 0);
        assert_non_null(days);
        joined(days, buf, sizeof(buf));
        assert_string_equal(buf, "397");
        joined(find_role(&l, "unit", 0), buf, sizeof(buf));
        assert_string_equal(buf, "天");
        /* Huge: the hero of the slide. */
        assert_true(days->text.px >= 200 * scale_of(sizes[k].w, sizes[k].h));
        assert_int_equal(days->color, LC_ACCENT);
        joined(find_role(&l, "date", 0), buf, sizeof(buf));
        assert_string_equal(buf, "2027年12月31日");
        assert_null(find_role(&l, "done", 0));
        slide_layout_free(&l);
    }
    /* Less than a day: hours and minutes (a timed target). */
    s.target.date_only = false;
    s.target.t = now + 5 * 3600 + 20 * 60;
    lay_one(&s, 1920, 1080, LANG_EN, now, &l, &c);
    assert_int_equal(count_role(&l, "days"), 2);
    joined(find_role(&l, "days", 0), buf, sizeof(buf));
    assert_string_equal(buf, "5");
    joined(find_role(&l, "unit", 0), buf, sizeof(buf));
    assert_string_equal(buf, "h");
    joined(find_role(&l, "days", 1), buf, sizeof(buf));
    assert_string_equal(buf, "20");
    slide_layout_free(&l);
    /* Passed: the done text instead of a number. */
    lay_one(&s, 1920, 1080, LANG_ZH_CN, s.target.t + 1, &l, &c);
    assert_null(find_role(&l, "days", 0));
    joined(find_role(&l, "done", 0), buf, sizeof(buf));
    assert_string_equal(buf, "阶段目标之年已到，继续奋进！");
    slide_layout_free(&l);
    /* Date-only target on its day counts as reached. */
    s.target.date_only = true;
    s.target.t = local_time(2026, 11, 29, 0, 0);
    s.done_text = NULL;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now, &l, &c);
    assert_null(find_role(&l, "days", 0));
    assert_non_null(find_role(&l, "done", 0));
    slide_layout_free(&l);
}

static void test_quote(void **state)
{
    (void)state;
    for (int v = 0; v < N_VAR; v++) {
        struct slide s = {.type = SLIDE_QUOTE, .text = (char *)variant(v),
                          .source = (char *)variant(v)};
        struct expect want[] = {{"quote", 1}, {"source", 1}, {"mark", 2}, {NULL, 0}};
        check_slide_want("quote", &s, now_fixed(), v == 2, want);
    }
    /* A source wider than a short quote: it still fits its box, which
     * then reaches further than the quote. */
    struct slide wide = {.type = SLIDE_QUOTE, .text = (char *)SHORT,
                         .source = (char *)TYPICAL};
    struct expect want[] = {{"quote", 1}, {"source", 1}, {"mark", 2}, {NULL, 0}};
    check_slide_want("quote with a long source", &wide, now_fixed(), false, want);
    for (size_t k = 0; k < N_SIZES; k++) {
        struct slide s = {.type = SLIDE_QUOTE,
                          .text = "肩负时代使命，勇挑时代重任，争当名师、名校长，"
                                  "为涪陵建设教育强区贡献力量！",
                          .source = "致全区广大教育工作者"};
        struct slide_layout l;
        struct chrome_layout c;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        assert_int_equal(count_role(&l, "mark"), 2);
        char buf[256];
        joined(find_role(&l, "mark", 0), buf, sizeof(buf));
        assert_string_equal(buf, "“");
        joined(find_role(&l, "mark", 1), buf, sizeof(buf));
        assert_string_equal(buf, "”");
        assert_int_equal(find_role(&l, "mark", 0)->color, LC_ACCENT);
        const struct lay_item *q = find_role(&l, "quote", 0), *src = find_role(&l, "source", 0);
        joined(q, buf, sizeof(buf));
        assert_string_equal(buf, s.text);
        assert_true(q->text.px >= 76 * scale_of(sizes[k].w, sizes[k].h));
        joined(src, buf, sizeof(buf));
        assert_string_equal(buf, "—— 致全区广大教育工作者");
        assert_int_equal(src->align, ALIGN_RIGHT);
        assert_true(src->box.y >= q->box.y + q->box.h);
        slide_layout_free(&l);
    }
}

/* The first bytes of a PNG: layout reads only the IHDR size. */
static unsigned char png_1600x900[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0,    0,   0x06, 0x40, 0, 0, 0x03, 0x84, 8, 6, 0, 0, 0, 0, 0, 0,
};
/* A JPEG with an APP0 segment before its SOF0 (300 wide, 600 high). */
static unsigned char jpeg_300x600[] = {
    0xff, 0xd8, 0xff, 0xe0, 0, 6, 'J', 'F', 'I', 'F',
    0xff, 0xc0, 0, 11, 8, 0x02, 0x58, 0x01, 0x2c, 3, 0, 0, 0, 0,
};

static void test_image(void **state)
{
    (void)state;
    struct deck_image png = {.url = "https://example.org/a.png", .data = png_1600x900,
                             .len = sizeof(png_1600x900), .format = IMGHDR_PNG};
    struct deck_image jpg = {.url = "https://example.org/b.jpg", .data = jpeg_300x600,
                             .len = sizeof(jpeg_300x600), .format = IMGHDR_JPEG};
    struct deck_image missing = {.url = "https://example.org/c.png"};
    struct deck_image failed = {.url = "https://example.org/d.png", .data = png_1600x900,
                                .len = sizeof(png_1600x900), .format = IMGHDR_PNG,
                                .failed = true};
    struct deck_image *imgs[] = {&png, &jpg, &missing, &failed, NULL};
    for (int i = 0; i < 5; i++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int f = 0; f < 2; f++) {
                struct slide s = {.type = SLIDE_IMAGE, .image = imgs[i],
                                  .caption = (char *)variant(v),
                                  .fit = f ? FIT_COVER : FIT_CONTAIN};
                check_slide_all("image", &s, now_fixed(), v == 2);
            }
        }
    }
    for (size_t k = 0; k < N_SIZES; k++) {
        struct slide s = {.type = SLIDE_IMAGE, .image = &png, .caption = "校园开放日",
                          .fit = FIT_CONTAIN};
        struct slide_layout l;
        struct chrome_layout c;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        const struct lay_item *im = find_role(&l, "image", 0), *cap = find_role(&l, "caption", 0);
        assert_non_null(im);
        assert_int_equal(im->kind, LAY_IMAGE);
        assert_ptr_equal(im->image, &png);
        /* Contain: the box takes the picture's 16:9 shape, caption below. */
        assert_true(fabs((double)im->box.w / im->box.h - 16.0 / 9.0) < 0.02);
        assert_non_null(cap);
        assert_true(cap->box.y >= im->box.y + im->box.h);
        assert_true(cap->box.y - (im->box.y + im->box.h) <= 40 * scale_of(sizes[k].w, sizes[k].h));
        slide_layout_free(&l);

        s.image = &jpg;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        im = find_role(&l, "image", 0);
        assert_true(fabs((double)im->box.w / im->box.h - 0.5) < 0.02);
        slide_layout_free(&l);

        s.image = &png;
        s.fit = FIT_COVER;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        im = find_role(&l, "image", 0);
        assert_int_equal(im->fit, FIT_COVER);
        assert_int_equal(im->box.w, c.content.w);
        slide_layout_free(&l);

        /* No picture: the caption carries the slide, no empty frame. */
        s.image = &missing;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        assert_null(find_role(&l, "image", 0));
        cap = find_role(&l, "caption", 0);
        assert_non_null(cap);
        assert_true(cap->text.px >= 64 * scale_of(sizes[k].w, sizes[k].h));
        slide_layout_free(&l);

        s.caption = NULL;
        lay_one(&s, sizes[k].w, sizes[k].h, LANG_ZH_CN, now_fixed(), &l, &c);
        assert_int_equal(l.n_items, 0);
        slide_layout_free(&l);
    }
}

static void test_background(void **state)
{
    (void)state;
    struct deck_image bg = {.url = "bg.png", .data = png_1600x900, .len = sizeof(png_1600x900),
                            .format = IMGHDR_PNG};
    struct slide s = {.type = SLIDE_TITLE, .title = "教育强区", .has_bg_color = true,
                      .bg_color = 0x123456, .bg_image = &bg};
    struct slide_layout l;
    struct chrome_layout c;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    assert_true(l.has_bg_color);
    assert_int_equal(l.bg_color, 0x123456);
    assert_ptr_equal(l.bg_image, &bg);
    /* A veil first, so text keeps its contrast over a photo. */
    assert_string_equal(l.items[0].role, "scrim");
    assert_int_equal(l.items[0].box.w, 1920);
    slide_layout_free(&l);
    bg.failed = true;
    lay_one(&s, 1920, 1080, LANG_ZH_CN, now_fixed(), &l, &c);
    assert_null(l.bg_image);
    assert_int_equal(count_role(&l, "scrim"), 0);
    slide_layout_free(&l);
}

/* ---- alert, banner, fallback ---- */

static void test_alert(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_SIZES; k++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int lang = 0; lang < 2; lang++) {
                int w = sizes[k].w, h = sizes[k].h;
                struct deck d;
                make_deck(&d, lang ? LANG_EN : LANG_ZH_CN, true, ALERT_EMERGENCY);
                d.alert.title = (char *)variant(v);
                d.alert.text = (char *)variant(v);
                struct chrome_layout c;
                layout_chrome(&d, w, h, &c);
                struct slide_layout l;
                assert_int_equal(layout_alert(&d, &d.alert, w, h, &fake, &l), 0);
                /* Clear of the header and ticker, should they be drawn. */
                struct lay_box area = {0, c.header.h, w, c.ticker.y - c.header.h};
                struct check ck = {"alert", w, h, &area, &fake, v == 2};
                check_layout(&l, &ck);
                assert_true(l.has_bg_color);
                assert_int_equal(l.bg_color, 0xc62828);
                const struct lay_item *t = find_role(&l, "title", 0);
                assert_non_null(t);
                assert_int_equal(t->color, LC_WHITE);
                assert_true(t->text.px >= 64 * scale_of(w, h));
                const struct lay_item *x = find_role(&l, "text", 0);
                assert_non_null(x);
                /* The title stays the larger of the two. */
                assert_true(t->text.px > x->text.px);
                char buf[64];
                joined(find_role(&l, "level", 0), buf, sizeof(buf));
                assert_string_equal(buf, lang ? "EMERGENCY" : "紧急通知");
                slide_layout_free(&l);
            }
        }
        /* A real-length alert reads from across the hall: its text at
         * least 72 px a 1080-px side, the title larger still. */
        int w = sizes[k].w, h = sizes[k].h;
        struct deck d;
        make_deck(&d, LANG_ZH_CN, true, ALERT_EMERGENCY);
        struct slide_layout l;
        assert_int_equal(layout_alert(&d, &d.alert, w, h, &fake, &l), 0);
        const struct lay_item *t = find_role(&l, "title", 0), *x = find_role(&l, "text", 0);
        if (x->text.px < 72 * scale_of(w, h) || t->text.px < 100 * scale_of(w, h))
            fail_msg("alert %dx%d: text %d px, title %d px", w, h, x->text.px, t->text.px);
        slide_layout_free(&l);
    }
}

/* WCAG 2 contrast ratio of two opaque colours. */
static double channel_lin(Uint8 v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double contrast(SDL_Color a, SDL_Color b)
{
    double la = 0.2126 * channel_lin(a.r) + 0.7152 * channel_lin(a.g) +
                0.0722 * channel_lin(a.b);
    double lb = 0.2126 * channel_lin(b.r) + 0.7152 * channel_lin(b.g) +
                0.0722 * channel_lin(b.b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* The banner's colours are its own, not the theme's: info blue with white
 * text, warning amber with dark text, the tag pill the pair inverted. */
static void check_banner_colours(const struct slide_layout *l, bool warn)
{
    enum lay_color fill = warn ? LC_WARNING : LC_INFO;
    enum lay_color ink = warn ? LC_ON_WARNING : LC_WHITE;
    assert_int_equal(find_role(l, "band", 0)->color, fill);
    assert_int_equal(find_role(l, "pill", 0)->color, ink);
    assert_int_equal(find_role(l, "level", 0)->color, fill);
    for (int i = 0; i < l->n_items; i++) {
        const struct lay_item *it = &l->items[i];
        if (strcmp(it->role, "heading") == 0 || strcmp(it->role, "text") == 0)
            assert_int_equal(it->color, ink);
        assert_int_equal(it->alpha, 255);
    }
}

static void test_banner(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_SIZES; k++) {
        for (int v = 0; v < N_VAR; v++) {
            for (int warn = 0; warn < 2; warn++) {
                int w = sizes[k].w, h = sizes[k].h;
                struct deck d;
                make_deck(&d, LANG_ZH_CN, false, warn ? ALERT_WARNING : ALERT_INFO);
                d.alert.title = (char *)(v == 2 ? TYPICAL : SHORT);
                d.alert.text = (char *)variant(v);
                struct chrome_layout c;
                layout_chrome(&d, w, h, &c);
                struct slide_layout l;
                assert_int_equal(layout_banner(&d, &d.alert, &c, &fake, &l), 0);
                struct check ck = {"banner", w, h, &c.banner, &fake, v == 2};
                check_layout(&l, &ck);
                const struct lay_item *band = find_role(&l, "band", 0);
                assert_non_null(band);
                assert_int_equal(band->color, warn ? LC_WARNING : LC_INFO);
                assert_non_null(find_role(&l, "heading", 0));
                assert_non_null(find_role(&l, "text", 0));
                check_banner_colours(&l, warn);
                char buf[32];
                joined(find_role(&l, "level", 0), buf, sizeof(buf));
                assert_string_equal(buf, warn ? "注意" : "通知");
                slide_layout_free(&l);
            }
        }
    }
    /* English tags; and the painted colours keep a readable contrast
     * (WCAG AA, 4.5:1) under a dark and a light theme alike. */
    for (int warn = 0; warn < 2; warn++) {
        for (int light = 0; light < 2; light++) {
            struct deck d;
            make_deck(&d, LANG_EN, true, warn ? ALERT_WARNING : ALERT_INFO);
            if (light) {
                d.theme.background = 0xffffff;
                d.theme.text = 0x1a1a1a;
                d.theme.accent = 0x0b3d91;
            }
            struct chrome_layout c;
            layout_chrome(&d, 1920, 1080, &c);
            struct slide_layout l;
            assert_int_equal(layout_banner(&d, &d.alert, &c, &fake, &l), 0);
            check_banner_colours(&l, warn);
            char buf[32];
            joined(find_role(&l, "level", 0), buf, sizeof(buf));
            assert_string_equal(buf, warn ? "Warning" : "Notice");
            struct palette p;
            paint_palette(&d, &p);
            for (int i = 0; i < l.n_items; i++) {
                const struct lay_item *it = &l.items[i];
                if (it->kind != LAY_TEXT)
                    continue;
                /* The rectangle a text sits on: the last one under it. */
                const struct lay_item *under = NULL;
                for (int j = 0; j < i; j++)
                    if (l.items[j].kind == LAY_RECT && inside(it->box, l.items[j].box))
                        under = &l.items[j];
                assert_non_null(under);
                double cr =
                    contrast(paint_color(&p, it->color), paint_color(&p, under->color));
                if (cr < 4.5)
                    fail_msg("banner %s: %s on its %s has contrast %.2f",
                             warn ? "warning" : "info", it->role, under->role, cr);
            }
            slide_layout_free(&l);
        }
    }
}

static void test_fallback(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_SIZES; k++) {
        for (int lang = 0; lang < 2; lang++) {
            int w = sizes[k].w, h = sizes[k].h;
            struct deck d;
            make_deck(&d, lang ? LANG_EN : LANG_ZH_CN, k % 2, ALERT_NONE);
            struct chrome_layout c;
            layout_chrome(&d, w, h, &c);
            struct slide_layout l;
            assert_int_equal(layout_fallback(&d, w, h, now_fixed(), &fake, &l), 0);
            struct check ck = {"fallback", w, h, &c.content, &fake, false};
            check_layout(&l, &ck);
            char buf[96];
            joined(find_role(&l, "school", 0), buf, sizeof(buf));
            assert_string_equal(buf, "重庆市涪陵区教育委员会");
            const struct lay_item *t = find_role(&l, "time", 0);
            joined(t, buf, sizeof(buf));
            assert_string_equal(buf, "14:05");
            assert_true(t->text.px >= 160 * scale_of(w, h));
            joined(find_role(&l, "date", 0), buf, sizeof(buf));
            assert_string_equal(buf, lang ? "Sun 29 Nov 2026" : "2026年11月29日 星期日");
            slide_layout_free(&l);
        }
    }
    /* No school name: still a clock. */
    struct deck d;
    make_deck(&d, LANG_ZH_CN, false, ALERT_NONE);
    d.school = NULL;
    struct slide_layout l;
    assert_int_equal(layout_fallback(&d, 1920, 1080, now_fixed(), &fake, &l), 0);
    assert_null(find_role(&l, "school", 0));
    assert_non_null(find_role(&l, "time", 0));
    slide_layout_free(&l);
}

/* Degenerate input must not crash or allocate what it cannot free. */
static void test_degenerate(void **state)
{
    (void)state;
    struct deck d;
    make_deck(&d, LANG_ZH_CN, true, ALERT_INFO);
    struct slide_layout l;
    struct slide empty[] = {
        {.type = SLIDE_TITLE},       {.type = SLIDE_LIST},     {.type = SLIDE_CARDS},
        {.type = SLIDE_TIMELINE},    {.type = SLIDE_COUNTDOWN}, {.type = SLIDE_QUOTE},
        {.type = SLIDE_IMAGE},
    };
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        assert_int_equal(layout_slide(&d, &empty[i], 1920, 1080, now_fixed(), &fake, &l), 0);
        struct chrome_layout c;
        layout_chrome(&d, 1920, 1080, &c);
        struct check ck = {"empty", 1920, 1080, &c.content, &fake, false};
        check_layout(&l, &ck);
        slide_layout_free(&l);
        slide_layout_free(&l);
    }
    /* Tiny and extreme screens: whatever fits, nothing leaves them. */
    static const struct size odd[] = {{64, 48}, {320, 240}, {3840, 720}, {600, 2400}};
    static char *items[12];
    static struct card cards[12];
    static struct milestone ms[8];
    for (int i = 0; i < 12; i++) {
        items[i] = (char *)TYPICAL;
        cards[i] = (struct card){.heading = (char *)SHORT, .text = (char *)TYPICAL};
    }
    for (int i = 0; i < 8; i++)
        ms[i] = (struct milestone){.date = "2027", .label = (char *)SHORT,
                                   .text = (char *)TYPICAL,
                                   .when = {.set = true, .t = now_fixed() + 86400 * i}};
    struct slide full[] = {
        {.type = SLIDE_TITLE, .title = (char *)TYPICAL, .subtitle = (char *)LONG,
         .footer = (char *)SHORT},
        {.type = SLIDE_LIST, .title = (char *)TYPICAL, .items = items, .n_items = 12,
         .numbered = true},
        {.type = SLIDE_CARDS, .title = (char *)TYPICAL, .cards = cards, .n_cards = 12},
        {.type = SLIDE_TIMELINE, .title = (char *)TYPICAL, .milestones = ms,
         .n_milestones = 8},
        {.type = SLIDE_COUNTDOWN, .title = (char *)TYPICAL, .label = (char *)TYPICAL,
         .target = {.set = true, .date_only = true, .t = now_fixed() + 86400 * 4000}},
        {.type = SLIDE_QUOTE, .text = (char *)LONG, .source = (char *)TYPICAL},
    };
    for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
        for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
            int w = odd[k].w, h = odd[k].h;
            struct chrome_layout c;
            layout_chrome(&d, w, h, &c);
            assert_int_equal(layout_slide(&d, &full[i], w, h, now_fixed(), &fake, &l), 0);
            struct lay_box screen = {0, 0, w, h};
            for (int j = 0; j < l.n_items; j++) {
                const struct lay_item *it = &l.items[j];
                if (!inside(it->box, screen) || !inside(it->box, c.content))
                    fail_msg("%dx%d slide %zu: %s box %d,%d %dx%d outside", w, h, i,
                             name_of(it), it->box.x, it->box.y, it->box.w, it->box.h);
                if (it->kind == LAY_TEXT &&
                    (it->text.n * it->text.line_h > it->box.h || widest_of(it) > it->box.w))
                    fail_msg("%dx%d slide %zu: %s text overflows its box", w, h, i,
                             name_of(it));
            }
            slide_layout_free(&l);
        }
    }
    /* The alert banner too, down to a screen too small for its tag. */
    static const struct size tiny[] = {{64, 48}, {56, 18}, {320, 240}, {3840, 720}};
    for (size_t k = 0; k < sizeof(tiny) / sizeof(tiny[0]); k++) {
        for (int warn = 0; warn < 2; warn++) {
            int w = tiny[k].w, h = tiny[k].h;
            struct deck bd;
            make_deck(&bd, LANG_EN, false, warn ? ALERT_WARNING : ALERT_INFO);
            struct chrome_layout c;
            layout_chrome(&bd, w, h, &c);
            assert_int_equal(layout_banner(&bd, &bd.alert, &c, &fake, &l), 0);
            for (int j = 0; j < l.n_items; j++) {
                const struct lay_item *it = &l.items[j];
                if (!inside(it->box, c.banner))
                    fail_msg("%dx%d banner: %s box %d,%d %dx%d outside", w, h,
                             name_of(it), it->box.x, it->box.y, it->box.w, it->box.h);
                if (it->kind == LAY_TEXT &&
                    (it->text.n * it->text.line_h > it->box.h || widest_of(it) > it->box.w))
                    fail_msg("%dx%d banner: %s text overflows its box %dx%d", w, h,
                             name_of(it), it->box.w, it->box.h);
            }
            slide_layout_free(&l);
        }
    }
    assert_int_equal(layout_slide(&d, NULL, 1920, 1080, now_fixed(), &fake, &l), 0);
    assert_int_equal(l.n_items, 0);
    slide_layout_free(&l);
    slide_layout_free(NULL);
    struct chrome_layout c;
    layout_chrome(NULL, 1920, 1080, &c);
    assert_int_equal(c.ticker.h, 0);
    assert_true(c.content.h > 0);
}

/* The built-in deck and the fixtures above, measured with the bundled
 * fonts that will draw them. */
static void test_real_fonts(void **state)
{
    (void)state;
    assert_int_equal(TTF_Init(), 0);
    struct fontset *fs = fontset_new();
    assert_non_null(fs);
    struct text_measure real = {fontset_measure, fs};
    struct deck *d = feed_builtin();
    assert_non_null(d);
    time_t now = now_fixed();
    for (size_t k = 0; k < N_SIZES; k++) {
        int w = sizes[k].w, h = sizes[k].h;
        struct chrome_layout c;
        layout_chrome(d, w, h, &c);
        for (size_t i = 0; i < d->n_slides; i++) {
            struct slide_layout l;
            assert_int_equal(layout_slide(d, &d->slides[i], w, h, now, &real, &l), 0);
            char what[64];
            snprintf(what, sizeof(what), "builtin slide %zu", i + 1);
            /* The built-in deck is the showcase: nothing may be cut. */
            struct check ck = {what, w, h, &c.content, &real, false};
            check_layout(&l, &ck);
            assert_true(l.n_items > 0);
            slide_layout_free(&l);
        }
        /* The widest clock text fits its box in the real face. */
        for (int lang = 0; lang < 2; lang++) {
            struct deck dd;
            make_deck(&dd, lang ? LANG_EN : LANG_ZH_CN, true, ALERT_NONE);
            struct chrome_layout cc;
            layout_chrome(&dd, w, h, &cc);
            char buf[96];
            layout_clock_text(local_time(2026, 12, 30, 23, 58), dd.lang, buf, sizeof(buf));
            int cw = fontset_measure(fs, buf, strlen(buf), cc.clock_px, false, false);
            if (cw > cc.clock.w)
                fail_msg("%dx%d: clock \"%s\" is %d px, box %d", w, h, buf, cw, cc.clock.w);
        }
        /* Every kind of fixture once, with long text allowed to ellipsise. */
        static char *items[12];
        static struct card cards[12];
        static struct milestone ms[8];
        for (int i = 0; i < 12; i++) {
            items[i] = (char *)(i % 2 ? TYPICAL : LONG);
            cards[i].heading = (char *)(i % 2 ? SHORT : TYPICAL);
            cards[i].text = (char *)(i % 3 ? TYPICAL : LONG);
        }
        for (int i = 0; i < 8; i++)
            ms[i] = (struct milestone){.date = "2027-12-31", .label = (char *)TYPICAL,
                                       .text = (char *)(i % 2 ? TYPICAL : LONG),
                                       .when = {.set = true, .t = now + 86400 * (i * 40 - 60)}};
        struct slide slides[] = {
            {.type = SLIDE_LIST, .title = (char *)LONG, .items = items, .n_items = 12,
             .numbered = true},
            {.type = SLIDE_CARDS, .title = (char *)TYPICAL, .cards = cards, .n_cards = 12},
            {.type = SLIDE_TIMELINE, .title = (char *)TYPICAL, .milestones = ms,
             .n_milestones = 8},
            {.type = SLIDE_QUOTE, .text = (char *)LONG, .source = (char *)TYPICAL},
            {.type = SLIDE_COUNTDOWN, .title = (char *)LONG, .label = (char *)LONG,
             .target = {.set = true, .t = now + 3600 * 5}},
            {.type = SLIDE_TITLE, .title = (char *)LONG, .subtitle = (char *)LONG,
             .footer = (char *)LONG},
        };
        for (size_t i = 0; i < sizeof(slides) / sizeof(slides[0]); i++) {
            struct slide_layout l;
            assert_int_equal(layout_slide(d, &slides[i], w, h, now, &real, &l), 0);
            struct check ck = {"real fixture", w, h, &c.content, &real, true};
            check_layout(&l, &ck);
            slide_layout_free(&l);
        }
        struct slide_layout l;
        assert_int_equal(layout_fallback(d, w, h, now, &real, &l), 0);
        struct check ck = {"real fallback", w, h, &c.content, &real, false};
        check_layout(&l, &ck);
        slide_layout_free(&l);
    }
    deck_unref(d);
    fontset_free(fs);
    TTF_Quit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_text), cmocka_unit_test(test_days_until),
        cmocka_unit_test(test_chrome),     cmocka_unit_test(test_title),
        cmocka_unit_test(test_list),       cmocka_unit_test(test_cards),
        cmocka_unit_test(test_sparse_cards),
        cmocka_unit_test(test_timeline),   cmocka_unit_test(test_countdown),
        cmocka_unit_test(test_quote),      cmocka_unit_test(test_image),
        cmocka_unit_test(test_background), cmocka_unit_test(test_alert),
        cmocka_unit_test(test_banner),     cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_degenerate), cmocka_unit_test(test_real_fonts),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
