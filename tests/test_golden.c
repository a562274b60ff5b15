/* Golden images: the built-in deck rendered at 1920x1080 (pinned clock,
 * same code as the screen) compared with the committed PNGs under
 * tests/golden/, so unintended visual changes fail.  A few pixels may
 * differ by a few levels (anti-aliasing); anything beyond the tolerance
 * fails and leaves the new image next to the old for a look.  Refresh on
 * purpose with `make golden`. */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deck.h"
#include "export.h"
#include "feed.h"

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

static double differing_share(SDL_Surface *a, SDL_Surface *b)
{
    long bad = 0;
    for (int y = 0; y < a->h; y++) {
        const Uint32 *ra = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
        const Uint32 *rb = (const Uint32 *)((const Uint8 *)b->pixels + y * b->pitch);
        for (int x = 0; x < a->w; x++) {
            for (int sh = 0; sh < 24; sh += 8) {
                int ca = (int)((ra[x] >> sh) & 0xff), cb = (int)((rb[x] >> sh) & 0xff);
                if (abs(ca - cb) > LEVEL_TOLERANCE) {
                    bad++;
                    break;
                }
            }
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
    int n = 0;
    for (int i = 1;; i++) {
        char name[64], got[TU_PATH_MAX + 32];
        snprintf(name, sizeof(name), "../golden/slide-%02d.png", i);
        snprintf(got, sizeof(got), "%s/slide-%02d.png", tu_tmpdir(), i);
        if (access(got, F_OK) != 0)
            break;
        SDL_Surface *want = load(test_data(name));
        SDL_Surface *have = load(got);
        assert_non_null(have);
        if (!want)
            fail_msg("no golden image %s: run `make golden` and look at it", name);
        assert_int_equal(want->w, have->w);
        assert_int_equal(want->h, have->h);
        double share = differing_share(want, have);
        SDL_FreeSurface(want);
        SDL_FreeSurface(have);
        if (share > PIXEL_TOLERANCE)
            fail_msg("slide %d differs from its golden image in %.2f%% of pixels; "
                     "the new one is %s",
                     i, share * 100.0, got);
        n++;
    }
    /* Every golden image has a slide, and the other way round. */
    char extra[64];
    snprintf(extra, sizeof(extra), "../golden/slide-%02d.png", n + 1);
    assert_int_not_equal(access(test_data(extra), F_OK), 0);
    assert_true(n >= 10);
    all_matched = true;
}

int main(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_golden),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
