#define LOG_MODULE "kiosk"
/* What the kiosk must have rasterised, and when: pictures of slides ahead
 * of their turn (renewed when they show the date), the chrome of the deck
 * on screen, and the results coming back from the raster thread. */
#include <string.h>

#include "kiosk_priv.h"
#include "clock.h"
#include "layout.h"
#include "log.h"
#include "raster.h"
#include "status.h"

static time_t wall_now(void)
{
    return clock_now();
}

/* ---- deck bookkeeping ---------------------------------------------- */

struct known_deck *kiosk_known(struct kiosk *k, const struct deck *d)
{
    for (int i = 0; i < MAX_DECKS; i++)
        if (k->decks[i].d == d)
            return &k->decks[i];
    return NULL;
}

void kiosk_remember(struct kiosk *k, struct deck *d, const char *source)
{
    if (kiosk_known(k, d))
        return;
    for (int i = 0; i < MAX_DECKS; i++) {
        if (!k->decks[i].d) {
            k->decks[i] = (struct known_deck){deck_ref(d), ++k->next_serial, source};
            return;
        }
    }
    LOG_WARN("too many decks in flight; dropping the oldest");
    deck_unref(k->decks[0].d);
    memmove(&k->decks[0], &k->decks[1], sizeof(k->decks[0]) * (MAX_DECKS - 1));
    k->decks[MAX_DECKS - 1] = (struct known_deck){deck_ref(d), ++k->next_serial, source};
}

/* Forget decks nobody else holds any more. */
void kiosk_forget_unused(struct kiosk *k)
{
    for (int i = 0; i < MAX_DECKS; i++) {
        struct deck *d = k->decks[i].d;
        if (d && __atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) == 1) {
            deck_unref(d);
            k->decks[i].d = NULL;
        }
    }
}

uint64_t kiosk_pic_key(struct kiosk *k, const struct deck *d, enum pic_kind kind,
                       int index)
{
    struct known_deck *kd = kiosk_known(k, d);
    uint64_t serial = kd ? kd->serial : 0;
    return (serial << 24) | ((uint64_t)kind << 20) | (uint64_t)(index & 0xfffff);
}

/* The kind a key of kiosk_pic_key() was made for. */
static enum pic_kind pic_kind_of(uint64_t key)
{
    return (enum pic_kind)((key >> 20) & 0xf);
}

/* ---- rasterising ahead -------------------------------------------- */

static bool inflight(struct kiosk *k, uint64_t key)
{
    for (int i = 0; i < k->n_inflight; i++)
        if (k->inflight[i] == key)
            return true;
    return false;
}

static bool time_dependent(const struct deck *d, int index)
{
    if (index < 0)
        return true; /* fallback shows the date */
    enum slide_type t = d->slides[index].type;
    return t == SLIDE_COUNTDOWN || t == SLIDE_TIMELINE;
}

/* Makes sure a picture exists or is on its way.  With renew_old, a
 * picture showing the time (countdown, timeline, the fallback's clock) is
 * made again once the minute has changed; the old one stays on screen
 * until the new one is there. */
bool kiosk_want_picture(struct kiosk *k, struct deck *d, enum pic_kind kind, int index,
                        bool renew_old)
{
    uint64_t key = kiosk_pic_key(k, d, kind, index);
    time_t made;
    time_t now = wall_now();
    /* Before the window exists (k->rd NULL) nothing is drawn yet. */
    bool have = k->rd && render_has_picture(k->rd, key, &made);
    bool stale = have && renew_old && kind != PIC_ALERT &&
                 time_dependent(d, kind == PIC_SLIDE ? index : -1) && now / 60 != made / 60;
    if ((have && !stale) || inflight(k, key) || k->n_inflight >= 16)
        return have;
    struct raster_job job = {
        .deck = d, .index = index, .w = k->w, .h = k->h, .now = now, .key = key};
    job.kind = kind == PIC_SLIDE      ? RASTER_SLIDE
               : kind == PIC_FALLBACK ? RASTER_FALLBACK
                                      : RASTER_ALERT;
    raster_submit(k->raster, &job);
    k->inflight[k->n_inflight++] = key;
    return have;
}

/* Chrome keys live in their own space (serial 0 is never a deck's). */
enum { CHROME_HEADER = 1, CHROME_CLOCK, CHROME_BANNER, CHROME_TICKER = 16 };

static uint64_t chrome_key(uint32_t serial, int what)
{
    return (1ull << 63) | ((uint64_t)serial << 24) | (uint64_t)what;
}

static void request_chrome(struct kiosk *k, struct deck *d, int what, int index)
{
    struct known_deck *kd = kiosk_known(k, d);
    struct raster_job job = {.deck = d,
                             .index = index,
                             .w = k->w,
                             .h = k->h,
                             .now = wall_now(),
                             .key = chrome_key(kd ? kd->serial : 0, what + index)};
    job.kind = what == CHROME_HEADER   ? RASTER_HEADER
               : what == CHROME_CLOCK  ? RASTER_CLOCK
               : what == CHROME_BANNER ? RASTER_BANNER
                                       : RASTER_TICKER;
    if (what == CHROME_CLOCK)
        memcpy(job.text, k->clock_text, sizeof(job.text));
    raster_submit(k->raster, &job);
}

void kiosk_take_results(struct kiosk *k)
{
    struct raster_result res[8];
    int n;
    while ((n = raster_take(k->raster, res, 8)) > 0) {
        for (int i = 0; i < n; i++) {
            uint64_t key = res[i].key;
            for (int j = 0; j < k->n_inflight; j++) {
                if (k->inflight[j] == key) {
                    k->inflight[j] = k->inflight[--k->n_inflight];
                    break;
                }
            }
            if (!(key >> 63)) {
                SDL_Surface *s = res[i].surface;
                if (s && (s->w != k->w || s->h != k->h)) {
                    /* Drawn before the window opened, at a size it did
                     * not get: asked for again at the right one. */
                    SDL_FreeSurface(s);
                    continue;
                }
                /* An emergency alert replaces whatever is on screen,
                 * even a transition holding every picture slot. */
                if (pic_kind_of(key) == PIC_ALERT)
                    render_put_urgent_picture(k->rd, key, s, wall_now());
                else
                    render_put_picture(k->rd, key, s, wall_now());
                k->dirty = true;
                continue;
            }
            uint32_t serial = (uint32_t)((key >> 24) & 0xffffffffu);
            int what = (int)(key & 0xffffff);
            if (serial != k->chrome_serial) {
                SDL_FreeSurface(res[i].surface); /* for a deck gone by */
                continue;
            }
            if (what == CHROME_HEADER)
                render_put_header(k->rd, res[i].surface);
            else if (what == CHROME_CLOCK)
                render_put_clock(k->rd, res[i].surface);
            else if (what == CHROME_BANNER)
                render_put_banner(k->rd, res[i].surface);
            else
                render_put_ticker(k->rd, what - CHROME_TICKER, res[i].surface);
            k->dirty = true;
        }
    }
}

/* ---- chrome -------------------------------------------------------- */

void kiosk_update_chrome(struct kiosk *k, struct deck *d)
{
    struct known_deck *kd = kiosk_known(k, d);
    uint32_t serial = kd ? kd->serial : 0;
    time_t now = wall_now();
    if (serial != k->chrome_serial) {
        k->chrome_serial = serial;
        render_set_chrome(k->rd, d);
        request_chrome(k, d, CHROME_HEADER, 0);
        int n = k->cfg->ticker ? (int)d->n_ticker : 0;
        render_set_ticker_count(k->rd, n);
        for (int i = 0; i < n && i < RENDER_MAX_TICKER; i++)
            request_chrome(k, d, CHROME_TICKER, i);
        k->clock_text[0] = '\0';
        k->banner_level = -1;
        status_set_deck(k->status, kd ? kd->source : "builtin", d->hash, (int)d->n_slides,
                        now);
        status_set_deck_signature(k->status, d->signed_at, d->signed_by);
    }
    char text[96];
    layout_clock_text(now, d->lang, text, sizeof(text));
    if (strcmp(text, k->clock_text) != 0) {
        memcpy(k->clock_text, text, sizeof(text));
        request_chrome(k, d, CHROME_CLOCK, 0);
    }
    bool banner = d->alert.level == ALERT_INFO || d->alert.level == ALERT_WARNING;
    banner = banner && schedule_alert_active(&d->alert, &k->sched);
    if (banner != k->banner_on || (banner && k->banner_level != (int)d->alert.level)) {
        k->banner_on = banner;
        k->banner_level = (int)d->alert.level;
        if (banner)
            request_chrome(k, d, CHROME_BANNER, 0);
        else
            render_put_banner(k->rd, NULL);
        k->dirty = true;
    }
}
