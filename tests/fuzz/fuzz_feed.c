/* feed: the whole way from a feed's bytes to a deck: the raw-byte checks
 * and the position index (jsonpos), jansson, every field's validation
 * (feedval, feedtime, feedimage), the report and --check's summary with
 * the schedule.  The input is the feed itself, so any JSON file seeds it;
 * its length picks the feed's source (a URL, a path, a file:// URL: the
 * base of relative image references), whether tight limits apply and
 * whether images must be pinned by SHA-256 (a signed feed). */
#include <string.h>

#include "deck.h"
#include "feed.h"
#include "fuzz.h"
#include "schedule.h"

static const char *const sources[] = {
    "https://school.example.org/lobby/feed.json",
    "/srv/edukiosk/feeds/feed.json",
    "file:///srv/edukiosk/%E6%A0%A1/feed.json",
};

static bool in_images(const struct deck *d, const struct deck_image *img)
{
    for (size_t i = 0; i < d->n_images; i++)
        if (img == &d->images[i])
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *source = sources[size % 3];
    struct feed_limits lim;
    feed_limits_default(&lim);
    if (size % 2) { /* small enough for short inputs to reach them */
        lim.max_depth = 6;
        lim.max_string = 40;
        lim.max_slides = 4;
        lim.max_bytes = 3000;
    }
    lim.require_pins = size % 5 == 0;
    /* Exactly size bytes, not NUL-terminated: ASan sees any read past. */
    char *bytes = malloc(size ? size : 1);
    if (!bytes)
        return 0;
    memcpy(bytes, data, size);

    /* Each line's length in characters (UTF-8 lead bytes, as columns
     * count them): no diagnostic points past the end of its line. */
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += bytes[i] == '\n';
    int *chars = calloc(lines + 1, sizeof(*chars));
    if (!chars)
        abort();
    for (size_t i = 0, l = 1; i < size; i++) {
        if (bytes[i] == '\n')
            l++;
        else if (((unsigned char)bytes[i] & 0xc0) != 0x80)
            chars[l]++;
    }

    struct feed_report rep = {0};
    struct deck *d = feed_parse(bytes, size, source, &lim, &rep);
    FUZZ_ASSERT((d != NULL) == (rep.errors == 0));
    FUZZ_ASSERT((size_t)rep.errors + (size_t)rep.warnings <= rep.n + 1);
    for (size_t i = 0; i < rep.n; i++) {
        const struct feed_diag *g = &rep.diags[i];
        FUZZ_ASSERT(g->path && g->msg && g->msg[0]);
        FUZZ_ASSERT(g->line >= 0 && g->col >= 0 && (size_t)g->line <= lines);
        if (g->line > 0)
            FUZZ_ASSERT(g->col <= chars[g->line] + 1);
        if (i > 0) {
            const struct feed_diag *p = &rep.diags[i - 1];
            FUZZ_ASSERT(p->line < g->line || (p->line == g->line && p->col <= g->col));
        }
    }
    feed_report_print(&rep, source, fuzz_devnull());
    feed_report_free(&rep);

    struct schedule_ctx sched = {.now = 1795000000, .clock_ok = true};
    if (d) {
        FUZZ_ASSERT(d->n_slides <= lim.max_slides);
        FUZZ_ASSERT(d->n_ticker <= DECK_MAX_TICKER_LINES);
        for (size_t i = 0; i < d->n_slides; i++) {
            const struct slide *sl = &d->slides[i];
            FUZZ_ASSERT(sl->duration_s >= 3 && sl->duration_s <= 600);
            FUZZ_ASSERT(sl->type != SLIDE_IMAGE || sl->image);
            FUZZ_ASSERT(!sl->image || in_images(d, sl->image));
            FUZZ_ASSERT(!sl->bg_image || in_images(d, sl->bg_image));
            for (size_t j = 0; j < i && sl->id; j++)
                FUZZ_ASSERT(!d->slides[j].id || strcmp(d->slides[j].id, sl->id) != 0);
            (void)schedule_slide(sl, &sched);
        }
        FUZZ_ASSERT(!d->theme.logo || in_images(d, d->theme.logo));
        for (size_t i = 0; i < d->n_images; i++)
            FUZZ_ASSERT(d->images[i].url && d->images[i].url[0]);
        (void)schedule_alert_active(&d->alert, &sched);
    }
    int rc = feed_check(bytes, size, source, &lim, &sched, fuzz_devnull());
    FUZZ_ASSERT(rc == (d ? 0 : 1));
    deck_unref(d);
    free(chars);
    free(bytes);
    return 0;
}
