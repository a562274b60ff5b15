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
 * vector blend (SSE2, NEON, or plain code on a CPU without either). */
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

int main(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_golden),
        cmocka_unit_test(test_fade_blends_exactly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
