/* Golden images: the built-in deck rendered at 1920x1080 (pinned clock,
 * same code as the screen) compared with the committed PNGs under
 * tests/golden/, so unintended visual changes fail.  A few pixels may
 * differ by a few levels (anti-aliasing); anything beyond the tolerance
 * fails and leaves the new image next to the old for a look.  Refresh on
 * purpose with `make golden`.  EDUKIOSK_GOLDEN_DIR compares with other
 * pictures of the same deck and clock instead (another machine's --render,
 * e.g. an ARM build's under qemu).
 *
 * Also: a cross-fade blends exactly, whichever way the compiler turned the
 * vector blend (SSE2, NEON, or plain code on a CPU without either); and on
 * the GPU back end, pictures beyond the largest texture size (drawn from
 * tiles) look exactly like the same pictures in one texture. */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deck.h"
#include "export.h"
#include "feed.h"
#include "font.h"
#include "raster.h"
#include "render.h"

/* 2026-11-29 14:05 in Asia/Shanghai: the clock and the countdown. */
#define GOLDEN_NOW 1795932300
#define LEVEL_TOLERANCE 24   /* per channel */
#define PIXEL_TOLERANCE 0.002 /* share of pixels allowed beyond it */

static bool all_matched;

static int setup(void **state)
{
    (void)state;
    if (tu_tmpdir_create("edukiosk-golden") < 0)
        return -1;
    if (TTF_Init() < 0)
        return -1;
    struct deck *d = feed_builtin();
    if (!d)
        return -1;
    int rc = export_render(d, tu_tmpdir(), 1920, 1080, GOLDEN_NOW);
    deck_unref(d);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    TTF_Quit();
    if (!all_matched)
        return 0; /* keep the new images for a look */
    return tu_tmpdir_remove();
}

/* The share of pixels beyond the level tolerance; *max_level: the largest
 * difference of any channel. */
static double differing_share(SDL_Surface *a, SDL_Surface *b, int *max_level)
{
    long bad = 0;
    *max_level = 0;
    for (int y = 0; y < a->h; y++) {
        const Uint32 *ra = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
        const Uint32 *rb = (const Uint32 *)((const Uint8 *)b->pixels + y * b->pitch);
        for (int x = 0; x < a->w; x++) {
            bool beyond = false;
            for (int sh = 0; sh < 24; sh += 8) {
                int ca = (int)((ra[x] >> sh) & 0xff), cb = (int)((rb[x] >> sh) & 0xff);
                int d = abs(ca - cb);
                if (d > *max_level)
                    *max_level = d;
                beyond = beyond || d > LEVEL_TOLERANCE;
            }
            bad += beyond;
        }
    }
    return (double)bad / ((double)a->w * a->h);
}

static SDL_Surface *load(const char *path)
{
    SDL_Surface *raw = IMG_Load(path);
    if (!raw)
        return NULL;
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    return s;
}

static void test_matches_golden(void **state)
{
    (void)state;
    const char *dir = getenv("EDUKIOSK_GOLDEN_DIR");
    if (!dir || !*dir)
        dir = tu_top_path("tests/golden");
    char golden[TU_PATH_MAX];
    snprintf(golden, sizeof(golden), "%s", dir);
    int n = 0;
    for (int i = 1;; i++) {
        char name[TU_PATH_MAX + 32], got[TU_PATH_MAX + 32];
        snprintf(name, sizeof(name), "%s/slide-%02d.png", golden, i);
        snprintf(got, sizeof(got), "%s/slide-%02d.png", tu_tmpdir(), i);
        if (access(got, F_OK) != 0)
            break;
        SDL_Surface *want = load(name);
        SDL_Surface *have = load(got);
        assert_non_null(have);
        if (!want)
            fail_msg("no golden image %s: run `make golden` and look at it", name);
        assert_int_equal(want->w, have->w);
        assert_int_equal(want->h, have->h);
        int max_level;
        double share = differing_share(want, have, &max_level);
        SDL_FreeSurface(want);
        SDL_FreeSurface(have);
        print_message("slide %02d: %.4f%% of pixels beyond %d levels, largest difference "
                      "%d\n",
                      i, share * 100.0, LEVEL_TOLERANCE, max_level);
        if (share > PIXEL_TOLERANCE)
            fail_msg("slide %d differs from %s in %.2f%% of pixels; the new one is %s", i,
                     name, share * 100.0, got);
        n++;
    }
    /* Every golden image has a slide, and the other way round. */
    char extra[TU_PATH_MAX + 32];
    snprintf(extra, sizeof(extra), "%s/slide-%02d.png", golden, n + 1);
    assert_int_not_equal(access(extra, F_OK), 0);
    assert_true(n >= 10);
    all_matched = true;
}

/* Deterministic bytes that vary in every channel. */
static SDL_Surface *noise(int w, int h, Uint32 seed)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    for (int y = 0; y < h; y++) {
        Uint8 *row = (Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch;
        for (int x = 0; x < w * 4; x++) {
            seed = seed * 1664525u + 1013904223u;
            row[x] = (Uint8)(seed >> 24);
        }
    }
    return s;
}

/* Every byte of a fade frame is (a * (256 - w) + b * w) >> 8: the vector
 * part of the blend and the plain tail (a row of 1001 pixels is not a
 * multiple of 16 bytes) agree with the formula to the bit. */
static void test_fade_blends_exactly(void **state)
{
    (void)state;
    const int w = 1001, h = 37;
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Surface *a = noise(w, h, 1), *b = noise(w, h, 2);
    SDL_Surface *ka = SDL_DuplicateSurface(a), *kb = SDL_DuplicateSurface(b);
    assert_non_null(target);
    assert_non_null(ka);
    assert_non_null(kb);
    struct render *rd = render_new_surface(NULL, target);
    assert_non_null(rd);
    render_put_picture(rd, 1, a, 0);
    render_put_picture(rd, 2, b, 0);
    const float progress[] = {0.0f, 0.3f, 0.5f, 0.999f, 1.0f};
    for (size_t p = 0; p < sizeof(progress) / sizeof(progress[0]); p++) {
        struct frame f = {.from_key = 1, .to_key = 2, .transition = true,
                          .kind = TRANSITION_FADE, .progress = progress[p]};
        render_compose(rd, &f);
        unsigned wt = (unsigned)lroundf(progress[p] * 256.0f);
        long wrong = 0;
        for (int y = 0; y < h; y++) {
            size_t off = (size_t)y * (size_t)target->pitch;
            const Uint8 *o = (const Uint8 *)target->pixels + off;
            const Uint8 *pa = (const Uint8 *)ka->pixels + (size_t)y * (size_t)ka->pitch;
            const Uint8 *pb = (const Uint8 *)kb->pixels + (size_t)y * (size_t)kb->pitch;
            for (int x = 0; x < w * 4; x++)
                wrong += o[x] != (Uint8)((pa[x] * (256 - wt) + pb[x] * wt) >> 8);
        }
        if (wrong)
            fail_msg("fade at %.3f: %ld of %d bytes differ from the formula", progress[p],
                     wrong, w * h * 4);
    }
    render_free(rd);
    SDL_FreeSurface(ka);
    SDL_FreeSurface(kb);
    SDL_FreeSurface(target);
}

/* A fade on screen holds both picture slots.  A slide's picture that
 * comes meanwhile waits (it is dropped and asked for again later); an
 * emergency alert's takes the place of the picture fading out and is
 * kept from the slides' pictures until a frame shows it (before, the
 * screen froze on the fade until the alert expired). */
static void test_urgent_picture_during_fade(void **state)
{
    (void)state;
    const int w = 64, h = 36;
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(target);
    struct render *rd = render_new_surface(NULL, target);
    assert_non_null(rd);
    render_put_picture(rd, 1, noise(w, h, 1), 0);
    render_put_picture(rd, 2, noise(w, h, 2), 0);
    struct frame fade = {.from_key = 1, .to_key = 2, .transition = true,
                         .kind = TRANSITION_FADE, .progress = 0.4f};
    render_compose(rd, &fade);

    render_put_picture(rd, 3, noise(w, h, 3), 0); /* the next slide: waits */
    assert_false(render_has_picture(rd, 3, NULL));
    assert_true(render_has_picture(rd, 1, NULL));
    assert_true(render_has_picture(rd, 2, NULL));

    render_put_urgent_picture(rd, 9, noise(w, h, 9), 0); /* the alert */
    assert_true(render_has_picture(rd, 9, NULL));
    assert_false(render_has_picture(rd, 1, NULL)); /* the one fading out */
    assert_true(render_has_picture(rd, 2, NULL));
    render_put_picture(rd, 3, noise(w, h, 3), 0); /* cannot push the alert out */
    assert_true(render_has_picture(rd, 9, NULL));

    struct frame alert = {.from_key = 9};
    render_compose(rd, &alert);
    SDL_Surface *want = noise(w, h, 9);
    assert_non_null(want);
    assert_int_equal(memcmp(target->pixels, want->pixels, (size_t)target->pitch * (size_t)h),
                     0);
    render_put_picture(rd, 3, noise(w, h, 3), 0); /* now the slides go on behind */
    assert_true(render_has_picture(rd, 3, NULL));
    assert_true(render_has_picture(rd, 9, NULL));
    SDL_FreeSurface(want);
    render_free(rd);
    SDL_FreeSurface(target);
}

/* ---- GPU back end: pictures beyond the largest texture ------------ */

/* Smaller than any real GPU's limit, so the software renderer (which has
 * none) tiles as a Pi would. */
#define TEST_MAX_TEXTURE 1024

struct gpu {
    SDL_Window *win;
    SDL_Renderer *r;
    struct render *tiled, *whole; /* same pictures, limit and no limit */
};

static void gpu_open(struct gpu *g, int w, int h)
{
    /* The software renderer draws into the window's own surface; SDL
     * would otherwise back that with an OpenGL texture (and load Mesa). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    assert_int_equal(SDL_InitSubSystem(SDL_INIT_VIDEO), 0);
    g->win = SDL_CreateWindow("tiles", 0, 0, w, h, SDL_WINDOW_HIDDEN);
    assert_non_null(g->win);
    int drv = -1;
    for (int i = 0; i < SDL_GetNumRenderDrivers(); i++) {
        SDL_RendererInfo info;
        if (SDL_GetRenderDriverInfo(i, &info) == 0 && strcmp(info.name, "software") == 0)
            drv = i;
    }
    assert_int_not_equal(drv, -1);
    g->r = SDL_CreateRenderer(g->win, drv, 0);
    assert_non_null(g->r);
    g->tiled = render_new(g->r, w, h, 0);
    g->whole = render_new(g->r, w, h, 0);
    assert_non_null(g->tiled);
    assert_non_null(g->whole);
    assert_string_equal(render_backend(g->tiled), "gpu");
    render_set_max_texture(g->tiled, TEST_MAX_TEXTURE, TEST_MAX_TEXTURE);
}

static void gpu_close(struct gpu *g)
{
    render_free(g->tiled);
    render_free(g->whole);
    SDL_DestroyRenderer(g->r);
    SDL_DestroyWindow(g->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

/* Rows of a and b (ARGB8888, same size) that differ, with the first one. */
static int rows_differing(SDL_Surface *a, SDL_Surface *b, int *first)
{
    int n = 0;
    *first = -1;
    for (int y = 0; y < a->h; y++) {
        const Uint8 *ra = (const Uint8 *)a->pixels + (size_t)y * (size_t)a->pitch;
        const Uint8 *rb = (const Uint8 *)b->pixels + (size_t)y * (size_t)b->pitch;
        if (memcmp(ra, rb, (size_t)a->w * 4) != 0) {
            if (*first < 0)
                *first = y;
            n++;
        }
    }
    return n;
}

/* Frame f composed by both renders: read back pixel for pixel the same.
 * Returns the untiled read-back for further checks. */
static SDL_Surface *assert_same_frame(struct gpu *g, const struct frame *f, const char *what)
{
    render_compose(g->whole, f);
    SDL_Surface *want = render_read_pixels(g->whole);
    render_compose(g->tiled, f);
    SDL_Surface *have = render_read_pixels(g->tiled);
    assert_non_null(want);
    assert_non_null(have);
    int first, n = rows_differing(want, have, &first);
    SDL_FreeSurface(have);
    if (n)
        fail_msg("%s: %d rows differ from the untiled picture, the first at y=%d", what, n,
                 first);
    return want;
}

/* Opaque, every pixel different from its neighbours across tile edges. */
static SDL_Surface *gradient(int w, int h)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    for (int y = 0; y < h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < w; x++)
            row[x] = 0xff000000u | (Uint32)(x & 0xff) << 16 | (Uint32)((x >> 4) & 0xff) << 8 |
                     (Uint32)((y * 7 + x / 3) & 0xff);
    }
    return s;
}

static void put_both(struct gpu *g, uint64_t key, SDL_Surface *s)
{
    SDL_Surface *copy = SDL_DuplicateSurface(s);
    assert_non_null(copy);
    render_put_picture(g->tiled, key, s, 0);
    render_put_picture(g->whole, key, copy, 0);
    assert_true(render_has_picture(g->tiled, key, NULL));
}

/* A row (5000 × 40) and a grid (2500 × 1100) of tiles: plain, faded
 * (alpha) and sliding (clipped at the screen's edges). */
static void check_tiled_pictures(int w, int h)
{
    struct gpu g;
    gpu_open(&g, w, h);
    SDL_Surface *a = gradient(w, h), *want = SDL_DuplicateSurface(a);
    assert_non_null(want);
    put_both(&g, 1, a);
    put_both(&g, 2, noise(w, h, 3));

    struct frame still = {.from_key = 1};
    SDL_Surface *got = assert_same_frame(&g, &still, "still picture");
    /* Not two empty screens: the picture itself, every pixel. */
    int first;
    assert_int_equal(rows_differing(got, want, &first), 0);
    SDL_FreeSurface(got);

    const struct {
        enum transition kind;
        float progress;
    } moves[] = {{TRANSITION_FADE, 0.4f}, {TRANSITION_SLIDE, 0.37f}, {TRANSITION_SLIDE, 0.8f}};
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        struct frame f = {.from_key = 1, .to_key = 2, .transition = true,
                          .kind = moves[i].kind, .progress = moves[i].progress};
        SDL_FreeSurface(assert_same_frame(&g, &f, "transition"));
    }
    SDL_FreeSurface(want);
    gpu_close(&g);
}

static void test_tiled_pictures(void **state)
{
    (void)state;
    check_tiled_pictures(5000, 40);
    check_tiled_pictures(2500, 1100);
}

/* The longest ticker the feed allows is one item ~24,000 px wide at
 * 1080p, far beyond a Pi's largest texture: it scrolls across the tile
 * edges exactly as from one texture. */
static void test_tiled_ticker(void **state)
{
    (void)state;
    char long_text[600 * 3 + 1] = "";
    const char *words = "涪陵区召开教育大会，加快建设新时代教育强区。";
    while (strlen(long_text) + strlen(words) < 580 * 3)
        strncat(long_text, words, sizeof(long_text) - strlen(long_text) - 1);
    char feed[4096];
    snprintf(feed, sizeof(feed),
             "{\"format\": \"edukiosk/1\", \"school\": \"示例中学\","
             " \"ticker\": [\"%s\", \"尊师重教\"],"
             " \"slides\": [{\"type\": \"title\", \"id\": \"a\", \"title\": \"欢迎\"}]}",
             long_text);
    struct deck *d = feed_parse(feed, strlen(feed), "ticker.json", NULL, NULL);
    assert_non_null(d);
    struct fontset *fs = fontset_new();
    assert_non_null(fs);

    struct gpu g;
    gpu_open(&g, 1920, 1080);
    struct render *both[] = {g.tiled, g.whole};
    for (int r = 0; r < 2; r++) {
        render_set_chrome(both[r], d);
        render_set_ticker_count(both[r], (int)d->n_ticker);
        for (int i = 0; i < (int)d->n_ticker; i++) {
            struct raster_job job = {.kind = RASTER_TICKER, .deck = d, .index = i,
                                     .w = 1920, .h = 1080};
            SDL_Surface *s = raster_make(fs, &job, NULL);
            assert_non_null(s);
            if (i == 0)
                assert_true(s->w > 8 * TEST_MAX_TEXTURE);
            render_put_ticker(both[r], i, s);
        }
    }
    struct chrome_layout c;
    layout_chrome(d, 1920, 1080, &c);
    double speed = render_ticker_speed(g.whole);
    assert_true(speed > 0);
    /* Scroll positions putting tile edges across the band. */
    const long offsets[] = {0, 700, TEST_MAX_TEXTURE - 300, 3 * TEST_MAX_TEXTURE + 17,
                            10 * TEST_MAX_TEXTURE - 1900, 21000};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        struct frame f = {.chrome = true,
                          .ticker_ms = (uint64_t)((double)offsets[i] * 1000.0 / speed)};
        SDL_Surface *got = assert_same_frame(&g, &f, "ticker");
        /* Text in the band, not just the band: some pixel differs from
         * its first. */
        const Uint32 *row = (const Uint32 *)((const Uint8 *)got->pixels +
                                             (size_t)(c.ticker.y + c.ticker.h / 2) *
                                                 (size_t)got->pitch);
        int other = 0;
        for (int x = 0; x < got->w; x++)
            other += row[x] != row[0];
        assert_true(other > 50);
        SDL_FreeSurface(got);
    }
    gpu_close(&g);
    fontset_free(fs);
    deck_unref(d);
}

int main(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_golden),
        cmocka_unit_test(test_fade_blends_exactly),
        cmocka_unit_test(test_urgent_picture_during_fade),
        cmocka_unit_test(test_tiled_pictures),
        cmocka_unit_test(test_tiled_ticker),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
