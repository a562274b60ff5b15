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
    return fontset_measure(fs, s, strlen(s), px, bold);
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
        SDL_Surface *s = fontset_render(fs, KUN, strlen(KUN), px, bold, white);
        assert_non_null(s);
        assert_int_equal(s->w, wk);
        assert_int_equal(s->h, fontset_line_height(fs, px, bold));
        int top, bottom;
        assert_true(ink_rows(s, 0, s->w, &top, &bottom));
        SDL_FreeSurface(s);

        /* mixed runs share one baseline: 堃 and 中 ink at the same rows */
        const char *mix = "中" KUN "文";
        int w1 = measure(fs, "中", px, bold);
        s = fontset_render(fs, mix, strlen(mix), px, bold, white);
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
        SDL_Surface *s = fontset_render(fs, t, strlen(t), px, false, white);
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
        SDL_Surface *surf = fontset_render(fs, s, strlen(s), 40, false, white);
        assert_non_null(surf);
        assert_int_equal(surf->w, w);
        SDL_FreeSurface(surf);
    }
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
                int w = measure(fs, t, px, bold);
                int h = fontset_line_height(fs, px, bold);
                assert_true(w > 0);
                assert_true(h >= px);
                SDL_Color c = {20, 40, 200, 255};
                SDL_Surface *s = fontset_render(fs, t, strlen(t), px, bold, c);
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
            int whole = fontset_measure(fs, t, len, px, false);
            for (int k = 0; k < n; k++) {
                int a = fontset_measure(fs, t, bp[k], px, false);
                int b = fontset_measure(fs, t + bp[k], len - bp[k], px, false);
                /* kerning and rounding across one cut: a few pixels */
                if (abs(a + b - whole) > 2 + px / 10)
                    fail_msg("\"%s\" @%d cut at %zu: %d + %d vs %d", t, px, bp[k], a, b,
                             whole);
            }
            /* and widths grow with the size */
            assert_true(fontset_measure(fs, t, len, px + 10, false) > whole);
        }
        free(bp);
    }
}

static void test_odd_input(void **state)
{
    struct fontset *fs = *state;
    assert_null(fontset_render(fs, "", 0, 30, false, white));
    assert_null(fontset_render(fs, "abc", 0, 30, false, white));
    assert_int_equal(fontset_measure(fs, "", 0, 30, false), 0);
    assert_int_equal(fontset_measure(NULL, "abc", 3, 30, false), 0);
    assert_null(fontset_render(NULL, "abc", 3, 30, false, white));

    /* malformed UTF-8: measured and drawn, equal widths, no crash */
    static const char *const bad[] = {
        "\xff\xfe", "\xe4\xb8", "中\xc0\xaf文", "\xed\xa0\x80 abc", "\xf4\x90\x80\x80",
        "\x80\x80\x80",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int w = fontset_measure(fs, bad[i], strlen(bad[i]), 30, false);
        assert_true(w > 0);
        SDL_Surface *s = fontset_render(fs, bad[i], strlen(bad[i]), 30, false, white);
        assert_non_null(s);
        assert_int_equal(s->w, w);
        SDL_FreeSurface(s);
    }
    /* an embedded NUL does not cut the text short */
    assert_int_equal(fontset_measure(fs, "中\0文", 7, 30, false), measure(fs, "中文", 30, false));
    /* only invisible characters: nothing to draw */
    assert_null(fontset_render(fs, "\xe2\x80\x8b", 3, 30, false, white));
    /* absurd sizes are clamped, not crashed on */
    assert_true(fontset_measure(fs, "中", 3, 0, false) > 0);
    assert_true(fontset_measure(fs, "中", 3, -5, true) > 0);
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
                                                true, white);
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
        cmocka_unit_test(test_measure_equals_render),
        cmocka_unit_test(test_measure_additive),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_fit_with_real_fonts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
