#define LOG_MODULE "kiosk"
#include "kiosk.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "clock.h"
#include "fetch.h"
#include "layout.h"
#include "log.h"
#include "platform.h"
#include "raster.h"
#include "render.h"
#include "schedule.h"
#include "show.h"
#include "stats.h"
#include "source.h"
#include "status.h"

#define TRANSITION_MS 800
#define FRAME_MS 16
#define MAX_DECKS 8

enum { EV_WAKE, EV_DECK, EV_SIGNAL };

/* Decks the loop knows, each with a serial so texture keys never confuse
 * a freed deck with a new one at the same address.  Holds a reference. */
struct known_deck {
    struct deck *d;
    uint32_t serial;
    const char *source; /* "builtin", "cache", "remote", "file" */
};

struct kiosk {
    const struct kiosk_opts *opts;
    struct config *cfg;
    Uint32 event_base;
    SDL_Window *win;
    SDL_Renderer *ren;
    struct render *rd;
    struct raster *raster;
    struct show *show;
    struct fetcher *fetcher;
    struct status *status;
    struct stats stats;
    int w, h;

    struct known_deck decks[MAX_DECKS];
    uint32_t next_serial;
    uint64_t inflight[16]; /* picture keys requested and not yet back */
    int n_inflight;

    /* chrome state, for the deck on screen */
    uint32_t chrome_serial;
    char clock_text[96];
    bool clock_requested;
    bool banner_on;
    int banner_level;

    struct schedule_ctx sched;
    time_t last_sync_check;
    bool display_on;
    bool dirty;
    bool quit;
    bool want_screenshot;
    bool reload;
    uint64_t ticker_start_ms;

    time_t local_mtime;    /* of a local feed file, to notice edits */
    time_t local_checked;

    pthread_mutex_t fetch_lock;
    struct fetch_status fetch_st; /* written by the fetch thread */
    bool fetch_changed;
};

/* ---- time --------------------------------------------------------- */

static time_t wall_now(void) { return clock_now(); }

/* ---- deck bookkeeping ---------------------------------------------- */

static struct known_deck *known(struct kiosk *k, const struct deck *d)
{
    for (int i = 0; i < MAX_DECKS; i++)
        if (k->decks[i].d == d)
            return &k->decks[i];
    return NULL;
}

static void remember(struct kiosk *k, struct deck *d, const char *source)
{
    if (known(k, d))
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
static void forget_unused(struct kiosk *k)
{
    for (int i = 0; i < MAX_DECKS; i++) {
        struct deck *d = k->decks[i].d;
        if (d && __atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) == 1) {
            deck_unref(d);
            k->decks[i].d = NULL;
        }
    }
}

enum pic_kind { PIC_SLIDE = 1, PIC_FALLBACK = 2, PIC_ALERT = 3 };

static uint64_t pic_key(struct kiosk *k, const struct deck *d, enum pic_kind kind, int index)
{
    struct known_deck *kd = known(k, d);
    uint64_t serial = kd ? kd->serial : 0;
    return (serial << 24) | ((uint64_t)kind << 20) | (uint64_t)(index & 0xfffff);
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

/* Makes sure a picture exists or is on its way.  Pictures whose content
 * depends on the date are renewed when older than a minute. */
static bool want_picture(struct kiosk *k, struct deck *d, enum pic_kind kind, int index,
                         bool renew_old)
{
    uint64_t key = pic_key(k, d, kind, index);
    time_t made;
    time_t now = wall_now();
    bool have = render_has_picture(k->rd, key, &made);
    bool stale = have && renew_old && kind != PIC_ALERT &&
                 time_dependent(d, kind == PIC_SLIDE ? index : -1) && now - made >= 60;
    if ((have && !stale) || inflight(k, key) || k->n_inflight >= 16)
        return have;
    struct raster_job job = {.deck = d, .index = index, .w = k->w, .h = k->h,
                             .now = now, .key = key};
    job.kind = kind == PIC_SLIDE ? RASTER_SLIDE
               : kind == PIC_FALLBACK ? RASTER_FALLBACK : RASTER_ALERT;
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
    struct known_deck *kd = known(k, d);
    struct raster_job job = {.deck = d, .index = index, .w = k->w, .h = k->h,
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

static void take_results(struct kiosk *k)
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
                render_put_picture(k->rd, key, res[i].surface, wall_now());
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

static void update_chrome(struct kiosk *k, struct deck *d)
{
    struct known_deck *kd = known(k, d);
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

/* ---- schedule hooks -------------------------------------------------- */

static bool hook_eligible(void *ud, const struct deck *d, int index)
{
    struct kiosk *k = ud;
    return schedule_slide(&d->slides[index], &k->sched) == SCHED_ACTIVE;
}

static bool hook_ready(void *ud, const struct deck *d, int index)
{
    struct kiosk *k = ud;
    return want_picture(k, (struct deck *)d, index < 0 ? PIC_FALLBACK : PIC_SLIDE, index,
                        false);
}

static void update_schedule_ctx(struct kiosk *k, time_t now)
{
    k->sched.now = now;
    if (now - k->last_sync_check >= 60 || k->last_sync_check == 0) {
        k->last_sync_check = now;
        k->sched.clock_ok = clock_trusted();
    }
    if (k->sched.clock_ok)
        k->sched.last_good = now;
    k->sched.sites = (const char *const *)k->cfg->sites;
    k->sched.n_sites = k->cfg->n_sites;
}

/* ---- threads → main ------------------------------------------------ */

static void push(struct kiosk *k, int code, void *data)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = k->event_base;
    ev.user.code = code;
    ev.user.data1 = data;
    if (SDL_PushEvent(&ev) < 0 && code == EV_DECK)
        deck_unref(data);
}

static void on_raster_done(void *ud) { push(ud, EV_WAKE, NULL); }
static void on_fetch_deck(void *ud, struct deck *d) { push(ud, EV_DECK, d); }

static void on_fetch_status(void *ud, const struct fetch_status *st)
{
    struct kiosk *k = ud;
    pthread_mutex_lock(&k->fetch_lock);
    k->fetch_st = *st;
    k->fetch_changed = true;
    pthread_mutex_unlock(&k->fetch_lock);
    push(k, EV_WAKE, NULL);
}

static void on_signal(int sig, void *ud) { push(ud, EV_SIGNAL, (void *)(intptr_t)sig); }

/* ---- fetcher ----------------------------------------------------- */

void kiosk_fetch_config(struct fetch_config *fc, const struct config *cfg)
{
    memset(fc, 0, sizeof(*fc));
    fc->url = cfg->feed;
    fc->cache_dir = cfg->cache_dir;
    fc->ca_file = cfg->ca_file;
    fc->refresh_s = cfg->refresh_s;
    fc->refresh_min_s = cfg->refresh_min_s;
    fc->refresh_max_s = cfg->refresh_max_s;
    fc->max_feed_bytes = cfg->max_feed_bytes;
    fc->max_image_bytes = cfg->max_image_bytes;
    fc->max_image_pixels = cfg->max_image_pixels;
    fc->connect_timeout_s = cfg->connect_timeout_s;
    fc->total_timeout_s = cfg->timeout_s;
}

static void start_fetcher(struct kiosk *k)
{
    const char *url = k->cfg->feed;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return;
    struct fetch_config fc;
    kiosk_fetch_config(&fc, k->cfg);
    struct fetch_callbacks cb = {on_fetch_deck, on_fetch_status, k};
    k->fetcher = fetcher_new(&fc, &cb);
    if (!k->fetcher)
        LOG_ERR("cannot start fetching %s; showing what we have", url);
}

/* A local feed file is read at start, on SIGHUP and when it changes, so
 * an editor trying a feed on a test screen sees it within seconds. */
static void poll_local_feed(struct kiosk *k, time_t now, bool force)
{
    const char *src = k->cfg->feed;
    if (!src || source_is_remote(src))
        return;
    if (!force && now - k->local_checked < 5)
        return;
    k->local_checked = now;
    time_t m = source_mtime(src);
    if (!force && m == k->local_mtime)
        return;
    k->local_mtime = m;
    struct deck *d = source_load(k->cfg, src, stderr);
    if (!d) {
        LOG_ERR("%s is not a valid feed; the screen keeps what it shows", src);
        return;
    }
    remember(k, d, "file");
    show_set_deck(k->show, d);
    LOG_INFO("feed %s read: %zu slides", src, d->n_slides);
}

/* ---- screenshot (SIGUSR1) ----------------------------------------- */

static void screenshot(struct kiosk *k)
{
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    const char *sf = k->cfg->status_file;
    const char *slash = sf ? strrchr(sf, '/') : NULL;
    if (slash)
        snprintf(path, sizeof(path), "%.*s/screenshot.png", (int)(slash - sf), sf);
    else
        snprintf(path, sizeof(path), "screenshot.png");
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    SDL_Surface *s = render_read_pixels(k->rd);
    if (!s)
        return;
    if (IMG_SavePNG(s, tmp) < 0 || rename(tmp, path) < 0) {
        LOG_ERR("cannot write screenshot %s: %s", path, IMG_GetError());
        remove(tmp);
    } else {
        LOG_INFO("screenshot written to %s", path);
    }
    SDL_FreeSurface(s);
}

/* ---- events -------------------------------------------------------- */

static void handle_event(struct kiosk *k, const SDL_Event *ev, uint64_t now_ms)
{
    if (ev->type == SDL_QUIT) {
        k->quit = true;
    } else if (ev->type == k->event_base) {
        if (ev->user.code == EV_DECK) {
            struct deck *d = ev->user.data1;
            remember(k, d, "remote");
            show_set_deck(k->show, d);
            LOG_INFO("new deck %.12s (%zu slides) queued for the next slide",
                     d->hash, d->n_slides);
        } else if (ev->user.code == EV_SIGNAL) {
            int sig = (int)(intptr_t)ev->user.data1;
            if (sig == SIGTERM || sig == SIGINT)
                k->quit = true;
            else if (sig == SIGHUP)
                k->reload = true;
            else if (sig == SIGUSR1)
                k->want_screenshot = true;
        }
    } else if (ev->type == SDL_KEYDOWN) {
        SDL_Keycode key = ev->key.keysym.sym;
        if ((key == SDLK_ESCAPE || key == SDLK_q) && k->cfg->quit_keys)
            k->quit = true;
        else if (key == SDLK_RIGHT)
            show_step(k->show, 1, now_ms);
        else if (key == SDLK_LEFT)
            show_step(k->show, -1, now_ms);
        else if (key == SDLK_SPACE)
            show_toggle_pause(k->show, now_ms);
        k->dirty = true;
    } else if (ev->type == SDL_WINDOWEVENT) {
        k->dirty = true; /* exposed, restored: draw again */
    } else if (ev->type == SDL_RENDER_TARGETS_RESET || ev->type == SDL_RENDER_DEVICE_RESET) {
        /* Textures are gone (e.g. the TV was switched off and on). */
        render_drop_pictures(k->rd);
        k->chrome_serial = 0;
        k->n_inflight = 0;
        k->dirty = true;
    }
}

static void reload_config(struct kiosk *k)
{
    k->reload = false;
    platform_notify_reloading();
    struct config fresh;
    if (config_copy(&fresh, k->cfg) < 0)
        return;
    if (cli_reload_config(k->opts->cli, &fresh, stderr) < 0) {
        config_free(&fresh);
        LOG_ERR("SIGHUP: the configuration has errors; keeping the running one");
        platform_notify_ready("configuration has errors; kept the running one");
        if (k->fetcher)
            fetcher_poke(k->fetcher);
        return;
    }
    /* What needs a new window (size, driver, rotation) needs a restart. */
    fresh.width = k->cfg->width;
    fresh.height = k->cfg->height;
    fresh.rotation = k->cfg->rotation;
    bool new_feed = (fresh.feed == NULL) != (k->cfg->feed == NULL) ||
                    (fresh.feed && strcmp(fresh.feed, k->cfg->feed) != 0);
    if (new_feed) {
        fetcher_free(k->fetcher);
        k->fetcher = NULL;
    }
    config_free(k->cfg);
    *k->cfg = fresh;
    log_set_level(k->cfg->log_level);
    k->chrome_serial = 0; /* ticker on/off may have changed */
    if (!k->fetcher)
        start_fetcher(k);
    else
        fetcher_poke(k->fetcher);
    poll_local_feed(k, wall_now(), true);
    LOG_INFO("configuration reloaded");
    platform_notify_ready("configuration reloaded");
}

/* ---- the frame ----------------------------------------------------- */

static bool emergency(struct kiosk *k, struct deck *d)
{
    return d->alert.level == ALERT_EMERGENCY && schedule_alert_active(&d->alert, &k->sched);
}

/* Builds the frame; returns false when its pictures are not there yet. */
static bool build_frame(struct kiosk *k, uint64_t now_ms, struct frame *f)
{
    struct show_view v;
    show_view(k->show, now_ms, &v);
    memset(f, 0, sizeof(*f));
    f->blank = !k->display_on;
    if (f->blank)
        return true;
    if (emergency(k, v.deck)) {
        f->from_key = pic_key(k, v.deck, PIC_ALERT, 0);
        return want_picture(k, v.deck, PIC_ALERT, 0, false);
    }
    f->chrome = true;
    f->banner = k->banner_on;
    f->from_key = pic_key(k, v.deck, v.index < 0 ? PIC_FALLBACK : PIC_SLIDE, v.index);
    bool ok = want_picture(k, v.deck, v.index < 0 ? PIC_FALLBACK : PIC_SLIDE, v.index,
                           false);
    if (v.transition) {
        f->transition = true;
        f->kind = v.kind;
        f->progress = v.progress;
        f->to_key = pic_key(k, v.to_deck, v.to_index < 0 ? PIC_FALLBACK : PIC_SLIDE,
                            v.to_index);
    }
    f->slide_index = v.index;
    f->n_slides = v.index >= 0 ? (int)v.deck->n_slides : 0;
    if (v.transition && v.to_index >= 0 && v.progress > 0.5f) {
        f->slide_index = v.to_index;
        f->n_slides = (int)v.to_deck->n_slides;
    }
    f->ticker_ms = now_ms - k->ticker_start_ms;
    return ok;
}

static bool animating(struct kiosk *k, const struct frame *f)
{
    return !f->blank && (f->transition || (f->chrome && k->cfg->ticker &&
                                           render_ticker_speed(k->rd) > 0 &&
                                           show_deck(k->show)->n_ticker > 0));
}

static void set_display(struct kiosk *k, time_t now)
{
    /* A wrong clock at boot must never blank the screen. */
    bool on = !clock_trusted() || platform_display_on_now(k->cfg, now);
    if (on == k->display_on)
        return;
    k->display_on = on;
    LOG_INFO("display schedule: screen %s", on ? "on" : "off");
    platform_display_power(k->cfg, on);
    k->dirty = true;
}

static void publish_status(struct kiosk *k, time_t now)
{
    pthread_mutex_lock(&k->fetch_lock);
    if (k->fetch_changed) {
        status_set_fetch(k->status, &k->fetch_st);
        k->fetch_changed = false;
    }
    pthread_mutex_unlock(&k->fetch_lock);
    struct show_view v;
    show_view(k->show, 0, &v);
    const char *id = v.index >= 0 ? v.deck->slides[v.index].id : NULL;
    status_set_slide(k->status, v.index + 1, id);
    struct stats_summary sum;
    stats_summarize(&k->stats, &sum);
    struct status_counters c = {
        .slides_shown = show_slides_shown(k->show),
        .deck_swaps = show_deck_swaps(k->show),
        .frames = sum.frames,
        .frame_ms_p50 = sum.p50_ms,
        .frame_ms_p99 = sum.p99_ms,
        .frame_ms_sum = k->stats.sum_ms,
        .display_on = k->display_on,
    };
    status_set_counters(k->status, &c);
    status_flush(k->status, now);
}

/* ---- setup ----------------------------------------------------------- */

static int open_window(struct kiosk *k)
{
    const struct config *c = k->cfg;
    if (c->video_driver && SDL_VideoInit(c->video_driver) < 0) {
        LOG_ERR("video driver %s: %s", c->video_driver, SDL_GetError());
        return -1;
    }
    if (!c->video_driver && SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        LOG_ERR("no display: %s", SDL_GetError());
        return -1;
    }
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!c->video_driver && drv &&
        (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0) &&
        !getenv("SDL_VIDEODRIVER")) {
        LOG_WARN("SDL chose the '%s' video driver: nothing will be visible; set "
                 "video_driver (e.g. KMSDRM) in the configuration", drv);
    }
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();

    Uint32 flags = SDL_WINDOW_SHOWN;
    int w = k->opts->window ? k->opts->window_w : c->width;
    int h = k->opts->window ? k->opts->window_h : c->height;
    if (!k->opts->window && c->fullscreen) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_DisplayMode dm;
        if (w <= 0 || h <= 0) {
            if (SDL_GetDesktopDisplayMode(0, &dm) == 0) {
                w = dm.w;
                h = dm.h;
            } else {
                w = 1920;
                h = 1080;
            }
        }
    }
    if (w <= 0 || h <= 0) {
        w = 1920;
        h = 1080;
    }
    k->win = SDL_CreateWindow("edukiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                              w, h, flags);
    if (!k->win) {
        LOG_ERR("cannot open a window: %s", SDL_GetError());
        return -1;
    }
    /* "software" (or no working GPU renderer, unrotated): draw into the
     * window's surface and send only what changed to the screen. */
    bool surface = c->render_driver && strcmp(c->render_driver, "software") == 0;
    if (!surface) {
        if (c->render_driver)
            SDL_SetHint(SDL_HINT_RENDER_DRIVER, c->render_driver);
        Uint32 rflags = SDL_RENDERER_ACCELERATED | (c->vsync ? SDL_RENDERER_PRESENTVSYNC : 0);
        k->ren = SDL_CreateRenderer(k->win, -1, rflags);
        if (!k->ren && c->rotation == 0) {
            LOG_WARN("no GPU renderer (%s); drawing in software", SDL_GetError());
            surface = true;
        } else if (!k->ren) {
            LOG_WARN("no GPU renderer (%s); rotating in software", SDL_GetError());
            k->ren = SDL_CreateRenderer(k->win, -1, SDL_RENDERER_SOFTWARE);
        }
    }
    if (surface && c->rotation != 0) {
        LOG_WARN("rotation needs a renderer; using SDL's software renderer");
        surface = false;
        k->ren = SDL_CreateRenderer(k->win, -1, SDL_RENDERER_SOFTWARE);
    }
    const char *rname = "surface";
    int ow, oh;
    if (surface) {
        /* Else SDL emulates the window surface with a GL texture, which
         * on a machine without a GPU is a software GL: slow. */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        k->rd = render_new_surface(k->win, NULL);
        SDL_GetWindowSize(k->win, &ow, &oh);
    } else {
        if (!k->ren) {
            LOG_ERR("cannot create a renderer: %s", SDL_GetError());
            return -1;
        }
        SDL_RendererInfo info;
        SDL_GetRendererInfo(k->ren, &info);
        rname = info.name;
        SDL_GetRendererOutputSize(k->ren, &ow, &oh);
    }
    bool turned = c->rotation == 90 || c->rotation == 270;
    k->w = turned ? oh : ow;
    k->h = turned ? ow : oh;
    LOG_INFO("display: driver %s, renderer %s, %dx%d, rotation %d", drv ? drv : "?", rname,
             ow, oh, c->rotation);
    status_set_display(k->status, drv ? drv : "", rname, ow, oh);
    if (!surface)
        k->rd = render_new(k->ren, k->w, k->h, c->rotation);
    return k->rd ? 0 : -1;
}

static void teardown(struct kiosk *k)
{
    platform_notify_stopping();
    platform_signals_stop();
    platform_display_power_stop();
    fetcher_free(k->fetcher);
    raster_free(k->raster);
    show_free(k->show);
    render_free(k->rd);
    for (int i = 0; i < MAX_DECKS; i++)
        deck_unref(k->decks[i].d);
    if (k->ren)
        SDL_DestroyRenderer(k->ren);
    if (k->win)
        SDL_DestroyWindow(k->win);
    status_free(k->status);
    stats_free(&k->stats);
    pthread_mutex_destroy(&k->fetch_lock);
}

/* ---- the loop ------------------------------------------------------- */

static uint64_t ms_to_next_minute(time_t now)
{
    return (uint64_t)(60 - now % 60) * 1000u;
}

static void run_loop(struct kiosk *k)
{
    uint64_t start_ms = SDL_GetTicks64();
    uint64_t exit_at = k->opts->exit_after_s > 0
                           ? start_ms + (uint64_t)llround(k->opts->exit_after_s * 1000.0)
                           : UINT64_MAX;
    uint64_t wd_ms = platform_watchdog_interval_ms();
    uint64_t timeout = 0;
    uint64_t last_frame_ms = 0;
    bool ready_sent = false;
    time_t last_status = 0;
    k->ticker_start_ms = start_ms;

    while (!k->quit) {
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, (int)(timeout > 1000 ? 1000 : timeout))) {
            uint64_t t = SDL_GetTicks64();
            do
                handle_event(k, &ev, t);
            while (SDL_PollEvent(&ev));
        }
        uint64_t now_ms = SDL_GetTicks64();
        if (now_ms >= exit_at)
            break;
        time_t now = wall_now();
        if (k->reload)
            reload_config(k);
        update_schedule_ctx(k, now);
        poll_local_feed(k, now, false);
        set_display(k, now);
        take_results(k);

        if (show_tick(k->show, now_ms))
            k->dirty = true;
        struct deck *d = show_deck(k->show);
        update_chrome(k, d);
        struct deck *up;
        int upi = show_upcoming(k->show, &up);
        if (up) {
            want_picture(k, up, upi < 0 ? PIC_FALLBACK : PIC_SLIDE, upi, true);
        }

        struct frame f;
        bool complete = build_frame(k, now_ms, &f);
        bool anim = animating(k, &f);
        if ((k->dirty || anim) && complete) {
            uint64_t t0 = stats_now_us();
            render_frame(k->rd, &f);
            stats_frame(&k->stats, stats_now_us() - t0, f.transition);
            last_frame_ms = now_ms;
            k->dirty = false;
            if (!ready_sent) {
                ready_sent = true;
                stats_first_frame(&k->stats);
                platform_notify_ready("showing slides");
            }
            if (k->want_screenshot) {
                k->want_screenshot = false;
                render_compose(k->rd, &f);
                screenshot(k);
            }
        }
        platform_watchdog_kick();
        if (now != last_status) {
            last_status = now;
            publish_status(k, now);
            forget_unused(k);
        }

        /* Sleep until the next thing to do: never spin on a still slide. */
        timeout = show_wait_ms(k->show, now_ms);
        uint64_t minute = ms_to_next_minute(now);
        if (minute < timeout)
            timeout = minute;
        if (!complete) {
            timeout = 20; /* a picture is on its way from the raster thread */
        } else if (anim) {
            /* ~60 fps; with vsync the present itself paces us. */
            uint64_t due = last_frame_ms + FRAME_MS;
            uint64_t t = SDL_GetTicks64();
            timeout = due > t ? due - t : 0;
        }
        if (wd_ms && wd_ms / 2 < timeout)
            timeout = wd_ms / 2;
        if (exit_at != UINT64_MAX && exit_at - now_ms < timeout)
            timeout = exit_at - now_ms;
    }
}

int kiosk_run(const struct kiosk_opts *o, struct config *cfg, struct deck *initial,
              const char *initial_source)
{
    struct kiosk k;
    memset(&k, 0, sizeof(k));
    k.opts = o;
    k.cfg = cfg;
    k.display_on = true;
    k.banner_level = -1;
    pthread_mutex_init(&k.fetch_lock, NULL);
    stats_init(&k.stats);
    k.status = status_new(cfg->status_file, cfg->metrics_file);
    k.event_base = SDL_RegisterEvents(1);
    int rc = 3;

    if (open_window(&k) < 0) {
        deck_unref(initial);
        goto out;
    }
    k.raster = raster_new(on_raster_done, &k);
    if (!k.raster) {
        deck_unref(initial);
        goto out;
    }
    remember(&k, initial, initial_source);
    k.local_mtime = source_mtime(cfg->feed);
    k.local_checked = wall_now();
    update_schedule_ctx(&k, wall_now());
    struct show_hooks hooks = {hook_eligible, hook_ready, &k};
    k.show = show_new(initial, &hooks, SDL_GetTicks64(), TRANSITION_MS);
    if (!k.show)
        goto out;
    platform_signals_start(on_signal, &k);
    start_fetcher(&k);
    run_loop(&k);
    rc = 0;
    LOG_INFO("stopping");
out:
    if (o->stats && rc == 0) {
        stats_set_counters(&k.stats, k.show ? show_slides_shown(k.show) : 0,
                           k.show ? show_deck_swaps(k.show) : 0);
        stats_print(&k.stats, stdout);
    }
    teardown(&k);
    return rc;
}
