/* font: the real bundled fonts, fontconfig fallback (needs a system CJK
 * font such as Debian's fonts-noto-cjk) and SDL_ttf; no window needed. */
#include "testutil.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <jansson.h>
#include <string.h>

#include "assets.h"
#include "font.h"
#include "text.h"
#include "text_bidi.h"
#include "utf8.h"

#define KUN "\xe5\xa0\x83"          /* 堃 U+5803: outside GB2312 */
#define EXT_B "\xf0\xa0\x80\x80"    /* 𠀀 U+20000: in no installed font */

static const SDL_Color white = {255, 255, 255, 255};

/* fontconfig 2.14 loses 288 bytes parsing its configuration in FcInit()
 * (a program doing nothing but FcInit() shows the same).  ASan's fast
 * unwinder stops inside the library, so the suppression names it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static int setup(void **state)
{
    if (TTF_Init() < 0)
        return -1;
    struct fontset *fs = fontset_new();
    if (!fs)
        return -1;
    *state = fs;
    return 0;
}

static int teardown(void **state)
{
    fontset_free(*state);
    fontset_free(NULL);
    TTF_Quit();
    return 0;
}

static int measure(struct fontset *fs, const char *s, int px, bool bold)
{
    return fontset_measure(fs, s, strlen(s), px, bold, false);
}

/* Rows [*top, *bottom] and columns [x0, x1) of a surface holding ink. */
static bool ink_rows(SDL_Surface *s, int x0, int x1, int *top, int *bottom)
{
    *top = -1;
    *bottom = -1;
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
        for (int x = x0; x < x1 && x < s->w; x++) {
            if ((row[x] >> 24) > 96) {
                if (*top < 0)
                    *top = y;
                *bottom = y;
                break;
            }
        }
    }
    return *top >= 0;
}

/* ---- every character of the built-in deck is in the bundled fonts ---- */

struct deck_check {
    struct fontset *fs;
    char missing[512];
    size_t n_missing;
    size_t n_chars;
};

static void check_string(struct deck_check *c, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        i += adv;
        if (cp < 0x20)
            continue; /* newlines in text fields are not drawn */
        c->n_chars++;
        if (!fontset_has_glyph(c->fs, cp, true)) {
            size_t o = strlen(c->missing);
            if (o + 16 < sizeof(c->missing))
                snprintf(c->missing + o, sizeof(c->missing) - o, " U+%04X", (unsigned)cp);
            c->n_missing++;
        }
    }
}

static void walk(struct deck_check *c, json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, key, item)
        {
            check_string(c, key, strlen(key));
            walk(c, item);
        }
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, item)
            walk(c, item);
        break;
    case JSON_STRING:
        check_string(c, json_string_value(v), json_string_length(v));
        break;
    default:
        break;
    }
}

static void check_deck(struct fontset *fs, json_t *root, const char *what)
{
    struct deck_check c = {.fs = fs};
    walk(&c, root);
    assert_true(c.n_chars > 0);
    if (c.n_missing)
        fail_msg("%s: %zu characters not in the bundled fonts:%s", what, c.n_missing,
                 c.missing);
}

static void test_deck_chars_bundled(void **state)
{
    struct fontset *fs = *state;
    /* The deck is read now, not when the test was built: it changes. */
    char path[4096];
    snprintf(path, sizeof(path), "%s/../../assets/default-feed.json", test_data_dir());
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fail_msg("%s:%d: %s", path, err.line, err.text);
    check_deck(fs, root, path);
    json_decref(root);

    root = json_loadb((const char *)asset_default_feed, asset_default_feed_size, 0, &err);
    if (!root)
        fail_msg("embedded deck:%d: %s", err.line, err.text);
    check_deck(fs, root, "embedded deck");
    json_decref(root);
}

static void test_bundled_coverage(void **state)
{
    struct fontset *fs = *state;
    static const uint32_t have[] = {'A', 'z', '0', ' ', 0x4e2d, 0x6559, 0x80b2, 0xff0c,
                                    0x3002, 0x3001, 0x201c, 0x201d, 0x2014, 0x2026,
                                    0x300a, 0x300b, 0x00b7, 0xff08, 0xff09, 0x6daa};
    for (size_t i = 0; i < sizeof(have) / sizeof(have[0]); i++)
        if (!fontset_has_glyph(fs, have[i], true))
            fail_msg("U+%04X not bundled", (unsigned)have[i]);
    assert_false(fontset_has_glyph(fs, 0x5803, true)); /* 堃 */
    assert_false(fontset_has_glyph(NULL, 'A', false));
}

/* ---- fallback ---- */

static void test_fallback_found(void **state)
{
    struct fontset *fs = *state;
    /* found through fontconfig in a system CJK font */
    assert_true(fontset_has_glyph(fs, 0x5803, false));
    for (int bold = 0; bold < 2; bold++) {
        int px = 64;
        /* an ideograph of the fallback face is one em wide like the
         * bundled ones, not a .notdef box */
        int wk = measure(fs, KUN, px, bold);
        assert_int_equal(wk, measure(fs, "中", px, bold));
        SDL_Surface *s = fontset_render(fs, KUN, strlen(KUN), px, bold, false, white);
        assert_non_null(s);
        assert_int_equal(s->w, wk);
        assert_int_equal(s->h, fontset_line_height(fs, px, bold));
        int top, bottom;
        assert_true(ink_rows(s, 0, s->w, &top, &bottom));
        SDL_FreeSurface(s);

        /* mixed runs share one baseline: 堃 and 中 ink at the same rows */
        const char *mix = "中" KUN "文";
        int w1 = measure(fs, "中", px, bold);
        s = fontset_render(fs, mix, strlen(mix), px, bold, false, white);
        assert_non_null(s);
        assert_int_equal(s->w, measure(fs, mix, px, bold));
        int t1, b1, t2, b2;
        assert_true(ink_rows(s, 0, w1, &t1, &b1));
        assert_true(ink_rows(s, w1, w1 + wk, &t2, &b2));
        if (abs(t1 - t2) > px / 8 || abs(b1 - b2) > px / 8)
            fail_msg("baseline mismatch: 中 rows %d..%d, 堃 rows %d..%d", t1, b1, t2, b2);
        SDL_FreeSurface(s);
    }
}

/* A cluster the bundled font lacks (H + combining ring) is drawn whole
 * by a Latin system font with other vertical metrics, on the same
 * baseline as the bundled H before it. */
static void test_fallback_baseline(void **state)
{
    struct fontset *fs = *state;
    assert_false(fontset_has_glyph(fs, 0x030a, true));
    assert_true(fontset_has_glyph(fs, 0x030a, false));
    const char *t = "H" "H\xcc\x8a";
    for (int px = 30; px <= 120; px += 45) {
        int wh = measure(fs, "H", px, false);
        SDL_Surface *s = fontset_render(fs, t, strlen(t), px, false, false, white);
        assert_non_null(s);
        int t1, b1, t2, b2;
        assert_true(ink_rows(s, 0, wh, &t1, &b1));
        assert_true(ink_rows(s, wh, s->w, &t2, &b2));
        if (abs(b1 - b2) > 1)
            fail_msg("@%d: bundled H ends at row %d, fallback H at %d", px, b1, b2);
        assert_true(t2 < t1); /* the ring is drawn above */
        SDL_FreeSurface(s);
    }
}

static void test_nobody_has_it(void **state)
{
    struct fontset *fs = *state;
    assert_false(fontset_has_glyph(fs, 0x20000, true));
    assert_false(fontset_has_glyph(fs, 0x20000, false));
    assert_false(fontset_has_glyph(fs, 0x10fffd, false));
    /* measured and drawn as the bundled font's box, twice (the second
     * time from the cache of missing characters) */
    for (int k = 0; k < 2; k++) {
        const char *s = "中" EXT_B "文";
        int w = measure(fs, s, 40, false);
        assert_true(w > measure(fs, "中文", 40, false));
        SDL_Surface *surf = fontset_render(fs, s, strlen(s), 40, false, false, white);
        assert_non_null(surf);
        assert_int_equal(surf->w, w);
        SDL_FreeSurface(surf);
    }
}


/* ---- fallback state stays bounded and never hides drawable text ---- */

static long ink_count(SDL_Surface *s)
{
    long n = 0;
    for (int y = 0; s && y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
        for (int x = 0; x < s->w; x++)
            n += (row[x] >> 24) > 96;
    }
    return n;
}

static long render_ink(struct fontset *fs, const char *t, int px)
{
    SDL_Surface *s = fontset_render(fs, t, strlen(t), px, false, false, white);
    long n = ink_count(s);
    SDL_FreeSurface(s);
    return n;
}

/* 한국어 안내 */
#define KOREAN "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xec\x95\x88\xeb\x82\xb4"

/* 200 different combining marks from many blocks, stacked four to a
 * base letter: each is another lookup, many in faces of their own. */
static char *stacked_marks(void)
{
    static const uint32_t blocks[][2] = {
        {0x1dc0, 0x1dff}, {0x0591, 0x05c7}, {0x064b, 0x065f}, {0x20d0, 0x20f0},
        {0x1ab0, 0x1ace}, {0x0483, 0x0489}, {0x0610, 0x061a}, {0x0300, 0x036f},
    };
    char *buf = malloc(200 * 5 + 1);
    assert_non_null(buf);
    size_t n = 0;
    int count = 0;
    for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]) && count < 200; b++) {
        for (uint32_t cp = blocks[b][0]; cp <= blocks[b][1] && count < 200; cp++, count++) {
            if (count % 4 == 0)
                buf[n++] = 'a';
            n += utf8_encode(cp, buf + n);
        }
    }
    buf[n] = '\0';
    return buf;
}

static void test_fallback_not_exhausted(void **state)
{
    (void)state;
    struct fontset *fresh = fontset_new();
    assert_non_null(fresh);
    long want = render_ink(fresh, KOREAN, 48);
    assert_true(want > 500); /* Korean is in a system CJK font */
    fontset_free(fresh);

    struct fontset *fs = fontset_new();
    assert_non_null(fs);
    char *marks = stacked_marks();
    for (int bold = 0; bold < 2; bold++) {
        SDL_Surface *s = fontset_render(fs, marks, strlen(marks), 48, bold, false, white);
        assert_non_null(s);
        SDL_FreeSurface(s);
    }
    /* the same characters again cost no new faces */
    int open = fontset_open_faces(fs);
    assert_true(open >= 1 && open <= 16);
    SDL_FreeSurface(fontset_render(fs, marks, strlen(marks), 30, false, false, white));
    assert_int_equal(fontset_open_faces(fs), open);
    /* Korean still renders as it does on a fresh fontset */
    assert_int_equal(render_ink(fs, KOREAN, 48), want);
    assert_true(fontset_open_faces(fs) <= 16);

    /* a new deck starts clean and still finds every face */
    fontset_reset(fs);
    assert_int_equal(fontset_open_faces(fs), 0);
    assert_int_equal(render_ink(fs, KOREAN, 48), want);
    assert_int_equal(fontset_open_faces(fs), 1);
    assert_int_equal(render_ink(fs, "中" KUN "文", 48) > 0, true);
    fontset_reset(NULL);
    assert_int_equal(fontset_open_faces(NULL), 0);
    free(marks);
    fontset_free(fs);
}

/* ---- right-to-left text ---- */

/* The x where small (one glyph drawn alone) matches big best, by the sum
 * of alpha differences over small's columns. */
static int best_match(SDL_Surface *big, SDL_Surface *small)
{
    int best_x = -1;
    long best = -1;
    int h = big->h < small->h ? big->h : small->h;
    for (int x = 0; x + small->w <= big->w; x++) {
        long d = 0;
        for (int y = 0; y < h; y++) {
            const Uint32 *rb = (const Uint32 *)((const Uint8 *)big->pixels + y * big->pitch);
            const Uint32 *rs =
                (const Uint32 *)((const Uint8 *)small->pixels + y * small->pitch);
            for (int k = 0; k < small->w; k++)
                d += labs((long)(rb[x + k] >> 24) - (long)(rs[k] >> 24));
        }
        if (best < 0 || d < best) {
            best = d;
            best_x = x;
        }
    }
    return best_x;
}

/* Where each of parts (drawn alone) appears in text drawn whole. */
static void positions(struct fontset *fs, const char *text, bool rtl,
                      const char *const *parts, int n, int *x)
{
    SDL_Surface *whole = fontset_render(fs, text, strlen(text), 60, false, rtl, white);
    assert_non_null(whole);
    assert_int_equal(whole->w, fontset_measure(fs, text, strlen(text), 60, false, rtl));
    for (int i = 0; i < n; i++) {
        SDL_Surface *p =
            fontset_render(fs, parts[i], strlen(parts[i]), 60, false, rtl, white);
        assert_non_null(p);
        x[i] = best_match(whole, p);
        SDL_FreeSurface(p);
    }
    SDL_FreeSurface(whole);
}

#define ALEF "\xd7\x90"
#define BET "\xd7\x91"
#define GIMEL "\xd7\x92"

static void test_hebrew_visual_order(void **state)
{
    struct fontset *fs = *state;
    assert_true(text_bidi_rtl(ALEF BET GIMEL, 6));
    /* the first letter read is the rightmost */
    const char *const letters[] = {ALEF, BET, GIMEL};
    int x[3];
    positions(fs, ALEF BET GIMEL, true, letters, 3, x);
    if (!(x[0] > x[1] && x[1] > x[2]))
        fail_msg("alef at %d, bet at %d, gimel at %d: not right to left", x[0], x[1], x[2]);
    /* the same inside a left-to-right paragraph */
    positions(fs, "x " ALEF BET GIMEL, false, letters, 3, x);
    assert_true(x[0] > x[1] && x[1] > x[2]);
}

static void test_mixed_visual_order(void **state)
{
    struct fontset *fs = *state;
    /* a Hebrew paragraph: the number keeps its digits left to right and
     * sits left of the letters before it; the Latin word further left */
    const char *t = ALEF BET " 12 xy";
    const char *const parts[] = {ALEF, BET, "1", "2", "x", "y"};
    int x[6];
    positions(fs, t, true, parts, 6, x);
    if (!(x[0] > x[1] && x[1] > x[3] && x[3] > x[2] && x[2] > x[5] && x[5] > x[4]))
        fail_msg("visual order wrong: alef %d bet %d 1 %d 2 %d x %d y %d", x[0], x[1],
                 x[2], x[3], x[4], x[5]);
    /* a Latin paragraph with a Hebrew word: Latin first on the left, the
     * Hebrew word right of it and itself right to left */
    const char *u = "xy " ALEF BET;
    positions(fs, u, false, parts, 2, x);
    int lx[2];
    const char *const latin[] = {"x", "y"};
    positions(fs, u, false, latin, 2, lx);
    assert_true(lx[0] < lx[1] && lx[1] < x[1] && x[1] < x[0]);
}

#define BEH "\xd8\xa8"
#define ZWNJ "\xe2\x80\x8c"

/* Arabic letters join: beh drawn three times in a word takes its initial,
 * medial and final forms, not three isolated ones (HarfBuzz shapes it as
 * Arabic, right to left). */
static void test_arabic_joining(void **state)
{
    struct fontset *fs = *state;
    const char *joined = BEH BEH BEH;
    const char *apart = BEH ZWNJ BEH ZWNJ BEH; /* ZWNJ forbids joining */
    int wj = fontset_measure(fs, joined, strlen(joined), 60, false, true);
    int wa = fontset_measure(fs, apart, strlen(apart), 60, false, true);
    if (wj >= wa)
        fail_msg("joined beh is %d px wide, isolated ones %d px", wj, wa);
    SDL_Surface *s = fontset_render(fs, joined, strlen(joined), 60, false, true, white);
    assert_non_null(s);
    assert_int_equal(s->w, wj);
    int top, bottom;
    assert_true(ink_rows(s, 0, s->w, &top, &bottom));
    SDL_FreeSurface(s);
}

/* ---- measure and render agree ---- */

static const char *const samples[] = {
    "全力建成全国有声音、全市居前列、群众有好评的教育现代化区域样板",
    "到2027年，学前教育普惠率达到95%以上。",
    "“五育并举”——办好人民满意的教育……",
    "Education is not the filling of a pail, but the lighting of a fire.",
    "AV Ta Wo 1/2",
    "Mixed 中英文 GPT-4o 《规划》（一）",
    "e\xcc\x81 n\xcc\x83 H\xcc\x8a",       /* combining marks */
    "涪陵" KUN "区",
    "gjpqy ÁÉÍ",
    "בית הספר פתוח ב-8:00",          /* Hebrew with numbers */
    "مرحبا بكم في المدرسة",           /* Arabic */
    "مەكتەپكە خۇش كېلىپسىز",          /* Uyghur */
    "Mixed שלום 123 abc",
};

static void test_measure_equals_render(void **state)
{
    struct fontset *fs = *state;
    static const int sizes[] = {9, 16, 24, 37, 48, 96, 160};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            for (int bold = 0; bold < 2; bold++) {
                int px = sizes[k];
                const char *t = samples[i];
                bool rtl = text_bidi_rtl(t, strlen(t));
                int w = fontset_measure(fs, t, strlen(t), px, bold, rtl);
                int h = fontset_line_height(fs, px, bold);
                assert_true(w > 0);
                assert_true(h >= px);
                SDL_Color c = {20, 40, 200, 255};
                SDL_Surface *s = fontset_render(fs, t, strlen(t), px, bold, rtl, c);
                assert_non_null(s);
                if (s->w != w || s->h != h)
                    fail_msg("\"%s\" @%d%s: render %dx%d, measure %dx%d", t, px,
                             bold ? " bold" : "", s->w, s->h, w, h);
                assert_int_equal(s->format->format, SDL_PIXELFORMAT_ARGB8888);
                /* ink in the requested colour */
                int top, bottom;
                assert_true(ink_rows(s, 0, s->w, &top, &bottom));
                const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels);
                for (int y = 0; y < s->h; y++) {
                    row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
                    for (int x = 0; x < s->w; x++)
                        if ((row[x] >> 24) == 255)
                            assert_int_equal(row[x] & 0xffffff, 0x1428c8);
                }
                SDL_FreeSurface(s);
            }
        }
    }
    /* a measure must be the same when repeated after other sizes */
    int a = measure(fs, samples[0], 48, false);
    measure(fs, samples[0], 20, true);
    measure(fs, samples[0], 70, false);
    assert_int_equal(measure(fs, samples[0], 48, false), a);
}

static void test_measure_additive(void **state)
{
    struct fontset *fs = *state;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        const char *t = samples[i];
        size_t len = strlen(t);
        size_t *bp;
        int n = text_break_points(t, len, &bp);
        assert_true(n >= 0);
        for (int px = 20; px <= 100; px += 40) {
            int whole = fontset_measure(fs, t, len, px, false, false);
            for (int k = 0; k < n; k++) {
                int a = fontset_measure(fs, t, bp[k], px, false, false);
                int b = fontset_measure(fs, t + bp[k], len - bp[k], px, false, false);
                /* kerning and rounding across one cut: a few pixels */
                if (abs(a + b - whole) > 2 + px / 10)
                    fail_msg("\"%s\" @%d cut at %zu: %d + %d vs %d", t, px, bp[k], a, b,
                             whole);
            }
            /* and widths grow with the size */
            assert_true(fontset_measure(fs, t, len, px + 10, false, false) > whole);
        }
        free(bp);
    }
}

static void test_odd_input(void **state)
{
    struct fontset *fs = *state;
    assert_null(fontset_render(fs, "", 0, 30, false, false, white));
    assert_null(fontset_render(fs, "abc", 0, 30, false, false, white));
    assert_int_equal(fontset_measure(fs, "", 0, 30, false, false), 0);
    assert_int_equal(fontset_measure(NULL, "abc", 3, 30, false, false), 0);
    assert_null(fontset_render(NULL, "abc", 3, 30, false, false, white));

    /* malformed UTF-8: measured and drawn, equal widths, no crash */
    static const char *const bad[] = {
        "\xff\xfe", "\xe4\xb8", "中\xc0\xaf文", "\xed\xa0\x80 abc", "\xf4\x90\x80\x80",
        "\x80\x80\x80",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int w = fontset_measure(fs, bad[i], strlen(bad[i]), 30, false, false);
        assert_true(w > 0);
        SDL_Surface *s = fontset_render(fs, bad[i], strlen(bad[i]), 30, false, false, white);
        assert_non_null(s);
        assert_int_equal(s->w, w);
        SDL_FreeSurface(s);
    }
    /* an embedded NUL does not cut the text short */
    assert_int_equal(fontset_measure(fs, "中\0文", 7, 30, false, false),
                     measure(fs, "中文", 30, false));
    /* only invisible characters: nothing to draw */
    assert_null(fontset_render(fs, "\xe2\x80\x8b", 3, 30, false, false, white));
    /* absurd sizes are clamped, not crashed on */
    assert_true(fontset_measure(fs, "中", 3, 0, false, false) > 0);
    assert_true(fontset_measure(fs, "中", 3, -5, true, false) > 0);
    assert_true(fontset_line_height(fs, 20, false) < fontset_line_height(fs, 40, false));
}

/* text_fit with the real fonts: every line drawn fits the box. */
static void test_fit_with_real_fonts(void **state)
{
    struct fontset *fs = *state;
    struct text_measure m = {fontset_measure, fs};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        for (int bw = 300; bw <= 1500; bw += 400) {
            struct text_fit_req r = {
                .text = samples[i], .box_w = bw, .box_h = 300, .max_px = 120,
                .min_px = 24, .line_spacing = 1.3f, .balance = true, .bold = true,
            };
            struct text_lines l;
            assert_int_equal(text_fit(&r, &m, &l), 0);
            assert_true(l.n >= 1);
            for (int k = 0; k < l.n; k++) {
                SDL_Surface *s = fontset_render(fs, l.lines[k], strlen(l.lines[k]), l.px,
                                                true, false, white);
                assert_non_null(s);
                assert_int_equal(s->w, l.widths[k]);
                assert_true(s->w <= bw);
                SDL_FreeSurface(s);
            }
            assert_true(l.n * l.line_h <= r.box_h);
            text_lines_free(&l);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deck_chars_bundled),
        cmocka_unit_test(test_bundled_coverage),
        cmocka_unit_test(test_fallback_found),
        cmocka_unit_test(test_fallback_baseline),
        cmocka_unit_test(test_nobody_has_it),
        cmocka_unit_test(test_fallback_not_exhausted),
        cmocka_unit_test(test_hebrew_visual_order),
        cmocka_unit_test(test_mixed_visual_order),
        cmocka_unit_test(test_arabic_joining),
        cmocka_unit_test(test_measure_equals_render),
        cmocka_unit_test(test_measure_additive),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_fit_with_real_fonts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
