/* text and layout with a fake font: UTF-8 decoding, ICU's line breaks
 * with the kinsoku rules, wrapping, fitting to a box with ellipsis, the
 * bidi runs, and the layout of whole screens, all measured by a
 * deterministic measure instead of SDL_ttf, so that it runs fast.
 *
 * The first byte picks the mode.  Even: a text with the box and sizes
 * from the next bytes, checked against text.h, text_bidi.h and utf8.h.
 * Odd: the rest, cut at NUL bytes into texts, fills one slide of a feed
 * (type, screen size, language, alert from the next bytes) that goes
 * through the real feed parser; every screen of its deck is laid out and
 * checked against layout.h ("the lines fit inside box"). */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "deck.h"
#include "feed.h"
#include "fuzz.h"
#include "layout.h"
#include "text.h"
#include "text_bidi.h"
#include "utf8.h"

/* ASCII half an em (spaces a third), combining marks nothing, CJK and the
 * rest a full em, bold a tenth wider: additive, like a real font. */
static int fake_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    (void)ctx, (void)rtl;
    long w = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        i += adv;
        if (cp >= 0x300 && cp < 0x370)
            continue;
        int cw = cp == ' ' ? px / 3 : cp < 0x80 ? px / 2 : px;
        w += bold ? cw + px / 10 : cw;
    }
    return w > 1000000000 ? 1000000000 : (int)w;
}

static const struct text_measure fake = {fake_measure, NULL};

static int measured(const char *s, int px, bool bold)
{
    return fake_measure(NULL, s, strlen(s), px, bold, false);
}

static void check_utf8(const char *s, size_t len)
{
    bool valid = true;
    for (size_t i = 0; i < len;) {
        size_t adv = 0;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        FUZZ_ASSERT(adv >= 1 && adv <= len - i && cp <= 0x10ffff);
        if (cp == 0xfffd && !(adv == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0))
            valid = false;
        char enc[4];
        size_t n = utf8_encode(cp, enc);
        FUZZ_ASSERT(n >= 1 && n <= 4);
        if (cp != 0xfffd)
            FUZZ_ASSERT(n == adv && memcmp(enc, s + i, n) == 0);
        i += adv;
    }
    FUZZ_ASSERT(utf8_valid(s, len) == valid);
    for (size_t pos = len; pos > 0;) {
        size_t prev = utf8_prev(s, 0, pos);
        FUZZ_ASSERT(prev < pos && pos - prev <= 4);
        pos = prev;
    }
}

static void check_lines(const struct text_lines *l, int px, bool bold)
{
    FUZZ_ASSERT(l->n >= 0);
    for (int i = 0; i < l->n; i++) {
        FUZZ_ASSERT(l->lines[i]);
        FUZZ_ASSERT(l->widths[i] == measured(l->lines[i], px, bold));
    }
}

static void text_mode(struct fuzz_in *in)
{
    int box_w = (int)(fuzz_u16(in) % 3000);
    int box_h = (int)(fuzz_u16(in) % 2000);
    int max_px = 1 + (int)(fuzz_byte(in) % 200);
    int min_px = 1 + (int)(fuzz_byte(in) % 200);
    if (min_px > max_px) {
        int t = min_px;
        min_px = max_px;
        max_px = t;
    }
    unsigned flags = fuzz_byte(in);
    float spacing = 1.0f + (float)(fuzz_byte(in) % 16) / 10.0f;
    char *s = malloc(in->n + 1);
    if (!s)
        return;
    memcpy(s, in->p, in->n);
    s[in->n] = '\0';
    size_t len = strlen(s);
    bool bold = flags & 1;

    check_utf8(s, in->n); /* all of it, NULs too */

    size_t *bp = NULL;
    int nb = text_break_points(s, len, &bp);
    FUZZ_ASSERT(nb >= -1);
    for (int i = 0; i < nb; i++) {
        FUZZ_ASSERT(bp[i] > 0 && bp[i] < len);
        FUZZ_ASSERT(i == 0 || bp[i] > bp[i - 1]);
    }
    free(bp);

    struct text_lines l;
    memset(&l, 0, sizeof(l));
    if (text_wrap(s, box_w, max_px, bold, spacing, &fake, &l) == 0) {
        check_lines(&l, max_px, bold);
        text_lines_free(&l);
    }

    struct text_fit_req r = {.text = s, .box_w = box_w, .box_h = box_h, .max_px = max_px,
                             .min_px = min_px, .bold = bold, .line_spacing = spacing,
                             .max_lines = (int)(flags >> 1 & 7),
                             .balance = flags & 16};
    memset(&l, 0, sizeof(l));
    if (text_fit(&r, &fake, &l) == 0) {
        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "fit %dx%d px %d..%d max_lines %d balance %d: px %d%s\n", box_w,
                    box_h, min_px, max_px, r.max_lines, r.balance, l.px,
                    l.ellipsized ? ", ellipsized" : "");
            for (int i = 0; i < l.n; i++)
                fprintf(stderr, "  %d: \"%s\"\n", l.widths[i], l.lines[i]);
        }
        check_lines(&l, l.px, bold);
        if (l.n > 0) {
            FUZZ_ASSERT(l.px >= min_px && l.px <= max_px);
            FUZZ_ASSERT(l.n * l.line_h <= box_h);
            FUZZ_ASSERT(r.max_lines == 0 || l.n <= r.max_lines);
            for (int i = 0; i < l.n; i++)
                FUZZ_ASSERT(l.widths[i] <= box_w);
        }
        if (l.ellipsized && l.n > 0) {
            const char *last = l.lines[l.n - 1];
            size_t ll = strlen(last);
            FUZZ_ASSERT(ll >= 3 && strcmp(last + ll - 3, "\xe2\x80\xa6") == 0);
        }
        text_lines_free(&l);
    }

    bool rtl = text_bidi_rtl(s, len);
    struct text_bidi_run *runs = NULL;
    int nr = text_bidi_runs(s, len, rtl, &runs);
    FUZZ_ASSERT(nr >= -1);
    if (nr >= 0) {
        size_t covered = 0;
        for (int i = 0; i < nr; i++) {
            FUZZ_ASSERT(runs[i].start < runs[i].end && runs[i].end <= len);
            covered += runs[i].end - runs[i].start;
        }
        FUZZ_ASSERT(covered == len);
    }
    free(runs);
    free(s);
}

/* ---- layout ---- */

/* The next NUL-terminated text of the input as a JSON string, bad UTF-8
 * replaced (the feed parser refuses it, and the layout only ever sees
 * what the parser lets through). */
static json_t *next_text(struct fuzz_in *in)
{
    const uint8_t *nul = memchr(in->p, 0, in->n);
    size_t len = nul ? (size_t)(nul - in->p) : in->n;
    char *buf = malloc(len * 3 + 1), *o = buf;
    if (!buf)
        return json_string("");
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode((const char *)in->p + i, len - i, &adv);
        i += adv;
        o += utf8_encode(cp, o);
    }
    *o = '\0';
    in->p += nul ? len + 1 : len;
    in->n -= nul ? len + 1 : len;
    json_t *j = json_string(buf);
    free(buf);
    return j ? j : json_string("");
}

static json_t *texts(struct fuzz_in *in, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, next_text(in));
    return a;
}

static const char *const types[] = {"title", "list", "cards", "timeline",
                                    "countdown", "quote", "image"};
static const char *const dates[] = {"2026-12-01", "2027", "2027-09",
                                    "2026-11-20 08:00", "2026-11-19T17:30:00+08:00",
                                    "明年秋季"};
static const char *const levels[] = {"none", "info", "warning", "emergency"};

static json_t *slide(struct fuzz_in *in, unsigned type, unsigned n)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string(types[type]));
    if (type != 5 && type != 6)
        json_object_set_new(s, "title", next_text(in));
    switch (type) {
    case 0:
        json_object_set_new(s, "subtitle", next_text(in));
        json_object_set_new(s, "footer", next_text(in));
        break;
    case 1:
        json_object_set_new(s, "items", texts(in, (int)n));
        json_object_set_new(s, "numbered", json_boolean(n & 1));
        break;
    case 2:
    case 3: {
        json_t *a = json_array();
        for (unsigned i = 0; i < n; i++) {
            json_t *e = json_object();
            if (type == 2) {
                json_object_set_new(e, "heading", next_text(in));
            } else {
                json_object_set_new(e, "date", json_string(dates[(i + n) % 6]));
                json_object_set_new(e, "label", next_text(in));
            }
            json_object_set_new(e, "text", next_text(in));
            json_array_append_new(a, e);
        }
        json_object_set_new(s, type == 2 ? "cards" : "milestones", a);
        break;
    }
    case 4:
        json_object_set_new(s, "target", json_string(dates[n % 5]));
        json_object_set_new(s, "label", next_text(in));
        json_object_set_new(s, "done_text", next_text(in));
        break;
    case 5:
        json_object_set_new(s, "text", next_text(in));
        json_object_set_new(s, "source", next_text(in));
        break;
    default:
        json_object_set_new(s, "src", json_string("campus.jpg"));
        json_object_set_new(s, "caption", next_text(in));
        json_object_set_new(s, "fit", json_string(n & 1 ? "cover" : "contain"));
        break;
    }
    return s;
}

/* area: where every item but a scrim must stay (NULL: the screen). */
static void check_layout(const struct slide_layout *l, int w, int h,
                         const struct lay_box *area)
{
    for (int i = 0; i < l->n_items; i++) {
        const struct lay_item *it = &l->items[i];
        if (area && strcmp(it->role, "scrim") != 0) {
            const struct lay_box *a = area, *b = &it->box;
            bool in = b->x >= a->x && b->y >= a->y && b->x + b->w <= a->x + a->w &&
                      b->y + b->h <= a->y + a->h;
            if (!in)
                fprintf(stderr, "screen %dx%d: %s at %d,%d %dx%d leaves %d,%d %dx%d\n", w, h,
                        it->role, b->x, b->y, b->w, b->h, a->x, a->y, a->w, a->h);
            FUZZ_ASSERT(in);
        }
        if (it->kind != LAY_TEXT)
            continue;
        const struct text_lines *t = &it->text;
        bool fits = t->n * t->line_h <= it->box.h;
        for (int k = 0; k < t->n; k++)
            fits = fits && t->widths[k] <= it->box.w;
        if (!fits) { /* what, before the assertion below stops it */
            fprintf(stderr, "screen %dx%d, %s at %d,%d %dx%d, px %d, line_h %d:\n", w, h,
                    it->role, it->box.x, it->box.y, it->box.w, it->box.h, t->px, t->line_h);
            for (int k = 0; k < t->n; k++)
                fprintf(stderr, "  %d: \"%s\"\n", t->widths[k], t->lines[k]);
        }
        FUZZ_ASSERT(it->box.x >= 0 && it->box.y >= 0);
        FUZZ_ASSERT(it->box.x + it->box.w <= w && it->box.y + it->box.h <= h);
        FUZZ_ASSERT(t->n * t->line_h <= it->box.h);
        for (int k = 0; k < t->n; k++)
            FUZZ_ASSERT(t->widths[k] <= it->box.w);
        check_lines(t, t->px, it->bold);
    }
}

static void layout_mode(struct fuzz_in *in)
{
    int w = 16 + (int)(fuzz_u16(in) % 3825);
    int h = 16 + (int)(fuzz_u16(in) % 2385);
    unsigned type = fuzz_byte(in) % 7;
    unsigned n = 1 + fuzz_byte(in) % 14;
    unsigned flags = fuzz_byte(in);
    time_t now = 1795000000 + (time_t)(fuzz_byte(in) % 64) * 37 * 3600;

    json_t *feed = json_object();
    json_object_set_new(feed, "format", json_string("edukiosk/1"));
    json_object_set_new(feed, "school", next_text(in));
    json_object_set_new(feed, "lang", json_string(flags & 1 ? "en" : "zh-CN"));
    if (flags & 2)
        json_object_set_new(feed, "ticker", texts(in, 1 + (int)(flags >> 5)));
    unsigned level = flags >> 2 & 3;
    if (level) {
        json_t *a = json_object();
        json_object_set_new(a, "level", json_string(levels[level]));
        json_object_set_new(a, "title", next_text(in));
        json_object_set_new(a, "text", next_text(in));
        json_object_set_new(feed, "alert", a);
    }
    json_t *slides = json_array();
    json_array_append_new(slides, slide(in, type, n));
    json_object_set_new(feed, "slides", slides);
    char *text = json_dumps(feed, JSON_COMPACT);
    json_decref(feed);
    if (!text)
        return;
    struct deck *d =
        feed_parse(text, strlen(text), "https://school.example.org/feed.json", NULL, NULL);
    free(text);
    if (!d) /* an empty or over-long text: the parser said no */
        return;

    struct chrome_layout c;
    layout_chrome(d, w, h, &c);
    struct slide_layout l;
    for (size_t i = 0; i < d->n_slides; i++) {
        if (layout_slide(d, &d->slides[i], w, h, now, &fake, &l) == 0) {
            check_layout(&l, w, h, &c.content);
            slide_layout_free(&l);
        }
    }
    if (layout_fallback(d, w, h, now, &fake, &l) == 0) {
        check_layout(&l, w, h, &c.content);
        slide_layout_free(&l);
    }
    if (d->alert.level == ALERT_EMERGENCY && layout_alert(d, &d->alert, w, h, &fake, &l) == 0) {
        check_layout(&l, w, h, NULL);
        slide_layout_free(&l);
    }
    if ((d->alert.level == ALERT_INFO || d->alert.level == ALERT_WARNING) &&
        layout_banner(d, &d->alert, &c, &fake, &l) == 0) {
        check_layout(&l, w, h, &c.banner);
        slide_layout_free(&l);
    }
    deck_unref(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    if (fuzz_byte(&in) & 1)
        layout_mode(&in);
    else
        text_mode(&in);
    return 0;
}
