#define LOG_MODULE "kiosk"
#include "kiosk_priv.h"

#include <SDL.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fileutil.h"
#include "log.h"
#include "platform.h"
#include "raster.h"
#include "render.h"
#include "schedule.h"
#include "show.h"
#include "source.h"
#include "status.h"
#include "vclock.h"

#define TRANSITION_MS 800
#define FRAME_MS 16
#define FADE_FRAME_MS 33
#define INPUT_POLL_MS 100

/* ---- time --------------------------------------------------------- */

static time_t wall_now(void)
{
    return clock_now();
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
    return kiosk_want_picture(k, (struct deck *)d, index < 0 ? PIC_FALLBACK : PIC_SLIDE,
                              index, false);
}

/* Before the clock is synchronised (a Pi has no RTC), dated content is
 * judged at the last time known to be right.  The cached feed was written
 * after a verified HTTPS fetch, which needs a roughly right clock, so its
 * mtime is such a time across reboots. */
static time_t last_known_good_time(const struct config *cfg)
{
    char path[4096];
    struct stat st;
    if (!cfg->cache_dir)
        return 0;
    if (file_join(path, sizeof(path), cfg->cache_dir, "feed.json") < 0)
        return 0;
    return stat(path, &st) == 0 ? st.st_mtime : 0;
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
    /* Wake the loop's poll(); a full counter still wakes it. */
    uint64_t one = 1;
    if (write(k->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        LOG_ERR("cannot wake the main loop: %s", strerror(errno));
}

/* Takes the doorbell's ring, waiting up to timeout_ms for one. */
static bool take_wake(struct kiosk *k, int timeout_ms)
{
    struct pollfd pfd = {.fd = k->wake_fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN)) {
        uint64_t n;
        if (read(k->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
            LOG_ERR("wake-up read failed: %s", strerror(errno));
        return true;
    }
    return false;
}

/* Sleeps until another thread wakes us or timeout_ms pass.  Not
 * SDL_WaitEventTimeout: without a native wait (offscreen, KMSDRM) it polls
 * every millisecond, a thousand wake-ups a second on a still slide.  Input
 * is pumped at least every INPUT_POLL_MS, fast enough for an operator's
 * key. */
static void wait_for_work(struct kiosk *k, uint64_t timeout_ms)
{
    if (vclock_simulated()) {
        /* Simulated time (tests): nothing sleeps.  What other threads owe
         * is waited for in real time, then the clock jumps; a pass of the
         * loop costs at least a millisecond, as a real one does. */
        bool rang = take_wake(k, 0);
        vclock_advance(rang || timeout_ms == 0 ? 1 : timeout_ms);
        take_wake(k, 0);
        return;
    }
    if (timeout_ms > INPUT_POLL_MS)
        timeout_ms = INPUT_POLL_MS;
    take_wake(k, (int)timeout_ms);
}

static void on_raster_done(void *ud)
{
    push(ud, EV_WAKE, NULL);
}
static void on_fetch_deck(void *ud, struct deck *d)
{
    push(ud, EV_DECK, d);
}

static void on_fetch_status(void *ud, const struct fetch_status *st)
{
    struct kiosk *k = ud;
    pthread_mutex_lock(&k->fetch_lock);
    k->fetch_st = *st;
    k->fetch_changed = true;
    pthread_mutex_unlock(&k->fetch_lock);
    push(k, EV_WAKE, NULL);
}

static void on_signal(int sig, void *ud)
{
    /* The event's pointer carries the signal number, an int. */
    /* NOLINTNEXTLINE(performance-no-int-to-ptr) */
    push(ud, EV_SIGNAL, (void *)(intptr_t)sig);
}

/* ---- fetcher ----------------------------------------------------- */

static void start_fetcher(struct kiosk *k)
{
    k->fetch_started = true;
    if (k->fetcher)
        return;
    const char *url = k->cfg->feed;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return;
    struct fetch_config fc;
    source_fetch_config(&fc, k->cfg);
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
    kiosk_remember(k, d, "file");
    show_set_deck(k->show, d);
    LOG_INFO("feed %s read: %zu slides", src, d->n_slides);
}

/* ---- events -------------------------------------------------------- */

static void handle_event(struct kiosk *k, const SDL_Event *ev, uint64_t now_ms)
{
    if (ev->type == SDL_QUIT) {
        k->quit = true;
    } else if (ev->type == k->event_base) {
        if (ev->user.code == EV_DECK) {
            struct deck *d = ev->user.data1;
            kiosk_remember(k, d, "remote");
            show_set_deck(k->show, d);
            LOG_INFO("new deck %.12s (%zu slides) queued for the next slide", d->hash,
                     d->n_slides);
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
    } else if (ev->type == SDL_RENDER_TARGETS_RESET ||
               ev->type == SDL_RENDER_DEVICE_RESET) {
        /* Textures are gone (e.g. the TV was switched off and on). */
        render_drop_pictures(k->rd);
        k->chrome_serial = 0;
        k->n_inflight = 0;
        k->dirty = true;
    }
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
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
    /* Another feed, or other keys to verify it with: a new fetcher. */
    bool new_feed = !same_str(fresh.feed, k->cfg->feed) ||
                    !same_str(fresh.feed_public_key, k->cfg->feed_public_key);
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
    return d->alert.level == ALERT_EMERGENCY &&
           schedule_alert_active(&d->alert, &k->sched);
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
        /* Full screen, with the time still in its corner. */
        f->chrome = f->clock_only = true;
        f->from_key = kiosk_pic_key(k, v.deck, PIC_ALERT, 0);
        return kiosk_want_picture(k, v.deck, PIC_ALERT, 0, false);
    }
    f->chrome = true;
    f->banner = k->banner_on;
    f->from_key =
        kiosk_pic_key(k, v.deck, v.index < 0 ? PIC_FALLBACK : PIC_SLIDE, v.index);
    /* A picture that shows the time is renewed while on screen. */
    bool ok = kiosk_want_picture(k, v.deck, v.index < 0 ? PIC_FALLBACK : PIC_SLIDE,
                                 v.index, !v.transition);
    if (v.transition) {
        f->transition = true;
        f->kind = v.kind;
        f->progress = v.progress;
        f->to_key = kiosk_pic_key(k, v.to_deck, v.to_index < 0 ? PIC_FALLBACK : PIC_SLIDE,
                                  v.to_index);
    }
    f->slide_index = v.pos;
    f->n_slides = v.count;
    if (v.transition && v.to_index >= 0 && v.progress > 0.5f) {
        f->slide_index = v.to_pos;
        f->n_slides = v.to_count;
    }
    f->ticker_ms = now_ms - k->ticker_start_ms;
    return ok;
}

static bool animating(struct kiosk *k, const struct frame *f)
{
    return !f->blank && (f->transition ||
                         (f->chrome && !f->clock_only && k->cfg->ticker &&
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

/* The one line `systemctl status` shows, sent when it changes. */
static void notify_summary(struct kiosk *k)
{
    struct deck *d = show_deck(k->show);
    struct known_deck *kd = kiosk_known(k, d);
    char line[256];
    pthread_mutex_lock(&k->fetch_lock);
    enum fetch_result r = k->fetch_st.result;
    pthread_mutex_unlock(&k->fetch_lock);
    snprintf(line, sizeof(line), "%s: %s deck %.12s, %zu slides%s%s%s",
             k->display_on ? "showing" : "screen off (schedule)",
             kd ? kd->source : "builtin", d->hash, d->n_slides,
             r == FETCH_NONE ? "" : ", last fetch ", r == FETCH_NONE ? "" : fetch_result_name(r),
             emergency(k, d) ? ", EMERGENCY ALERT" : "");
    if (strcmp(line, k->notified) != 0) {
        memcpy(k->notified, line, sizeof(line));
        platform_notify_status(line);
    }
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
    notify_summary(k);
}

/* ---- setup ----------------------------------------------------------- */

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
    if (k->wake_fd >= 0)
        close(k->wake_fd);
}

/* ---- the loop ------------------------------------------------------- */

static uint64_t ms_to_next_minute(time_t now)
{
    return (uint64_t)(60 - now % 60) * 1000u;
}

static void run_loop(struct kiosk *k)
{
    uint64_t start_ms = vclock_ms();
    uint64_t exit_at = k->opts->exit_after_s > 0
                           ? start_ms + (uint64_t)llround(k->opts->exit_after_s * 1000.0)
                           : UINT64_MAX;
    uint64_t wd_ms = platform_watchdog_interval_ms();
    uint64_t timeout = 0;
    uint64_t last_frame_ms = 0;
    bool ready_sent = false;
    bool repeat_first = false; /* the first frame goes out twice */
    time_t last_status = 0;
    unsigned last_status_shown = 0;
    k->ticker_start_ms = start_ms;

    while (!k->quit) {
        SDL_Event ev;
        wait_for_work(k, timeout);
        while (SDL_PollEvent(&ev))
            handle_event(k, &ev, vclock_ms());
        uint64_t now_ms = vclock_ms();
        if (now_ms >= exit_at)
            break;
        time_t now = wall_now();
        if (k->reload)
            reload_config(k);
        update_schedule_ctx(k, now);
        poll_local_feed(k, now, false);
        set_display(k, now);
        kiosk_take_results(k);

        /* With the screen off (schedule) the show goes on, but black
         * needs drawing only once (set_display). */
        if (show_tick(k->show, now_ms) && k->display_on)
            k->dirty = true;
        if (show_deck_swaps(k->show) != k->fonts_swaps) {
            k->fonts_swaps = show_deck_swaps(k->show);
            raster_new_deck(k->raster);
        }
        /* What the raster thread does first: the picture for the screen
         * (asked for by build_frame), its chrome, then the next one. */
        struct frame f;
        build_frame(k, now_ms, &f);
        struct deck *d = show_deck(k->show);
        kiosk_update_chrome(k, d);
        struct deck *up;
        int upi = show_upcoming(k->show, &up);
        enum pic_kind up_kind = upi < 0 ? PIC_FALLBACK : PIC_SLIDE;
        uint64_t up_key = up ? kiosk_pic_key(k, up, up_kind, upi) : f.from_key;
        render_keep_only(k->rd, f.from_key, f.transition ? f.to_key : up_key);
        if (up)
            kiosk_want_picture(k, up, up_kind, upi, true);
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
                /* On the console (KMSDRM, both back ends) the very first
                 * page presented after the mode is set stays black until
                 * the next one: a still slide would stay black until the
                 * clock's minute.  The same frame goes out once more. */
                render_redraw_all(k->rd);
                k->dirty = true;
                repeat_first = true;
            }
        }
        if (k->want_screenshot && complete) {
            /* The whole frame as it is on screen now, still or not. */
            k->want_screenshot = false;
            render_compose(k->rd, &f);
            kiosk_screenshot(k);
        }
        /* The fetcher (its thread, libcurl and the TLS libraries under
         * it) once the first frame is out, or after 2 s without one. */
        if (!k->fetch_started && (ready_sent || now_ms - start_ms > 2000))
            start_fetcher(k);
        platform_watchdog_kick();
        /* Once a second, and at once when another slide is on screen: a
         * still slide may be the last wake-up for many seconds. */
        if (now != last_status || show_slides_shown(k->show) != last_status_shown) {
            last_status = now;
            last_status_shown = show_slides_shown(k->show);
            publish_status(k, now);
            kiosk_forget_unused(k);
        }

        /* Sleep until the next thing to do: never spin on a still slide. */
        timeout = show_wait_ms(k->show, now_ms);
        uint64_t minute = ms_to_next_minute(now);
        if (minute < timeout)
            timeout = minute;
        if (repeat_first) {
            repeat_first = false;
            timeout = FRAME_MS;
        } else if (!complete) {
            timeout = 20; /* a picture is on its way from the raster thread */
        } else if (anim) {
            /* ~60 fps; with vsync the present itself paces us.  Without a
             * GPU a fade moves ~20 MB per frame: 30 fps looks the same for
             * a cross-fade and halves the cost (the ticker, which moves,
             * keeps 60). */
            bool slow = f.transition && f.kind == TRANSITION_FADE &&
                        strcmp(render_backend(k->rd), "surface") == 0;
            uint64_t due = last_frame_ms + (slow ? FADE_FRAME_MS : FRAME_MS);
            uint64_t t = vclock_ms();
            timeout = due > t ? due - t : 0;
        } else if (timeout == 0) {
            /* A transition with the screen off, or a deck waiting for its
             * first picture: nothing to draw now, no reason to spin (the
             * raster thread's result wakes us anyway). */
            timeout = FRAME_MS;
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
    k.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (k.wake_fd < 0) {
        LOG_ERR("eventfd: %s", strerror(errno));
        deck_unref(initial);
        teardown(&k);
        return 3;
    }
    int rc = 3;

    /* The raster thread opens its fonts and, where the size is known
     * before the display is up, draws the first picture while SDL
     * connects to the display: the longest two steps of a start. */
    k.raster = raster_new(on_raster_done, &k);
    if (!k.raster) {
        deck_unref(initial);
        goto out;
    }
    kiosk_remember(&k, initial, initial_source);
    k.local_mtime = source_mtime(cfg->feed);
    k.sched.last_good = last_known_good_time(cfg);
    k.local_checked = wall_now();
    update_schedule_ctx(&k, wall_now());
    struct show_hooks hooks = {hook_eligible, hook_ready, &k};
    k.show = show_new(initial, &hooks, vclock_ms(), TRANSITION_MS);
    if (!k.show) {
        deck_unref(initial);
        goto out;
    }
    struct frame f;
    if (kiosk_planned_size(&k, false, &k.w, &k.h))
        build_frame(&k, vclock_ms(), &f);
    if (kiosk_video_init(&k) < 0)
        goto out;
    if (k.w == 0 && kiosk_planned_size(&k, true, &k.w, &k.h))
        build_frame(&k, vclock_ms(), &f);
    if (kiosk_open_window(&k) < 0 || !raster_ready(k.raster))
        goto out;
    /* Meanwhile the window's memory is touched once, on both sides. */
    if (!build_frame(&k, vclock_ms(), &f))
        render_warm_up(k.rd);
    platform_signals_start(on_signal, &k);
    run_loop(&k); /* starts the fetcher after the first frame */
    rc = 0;
    LOG_INFO("stopping");
out:
    if (o->stats && rc == 0) {
        stats_set_counters(&k.stats, k.show ? show_slides_shown(k.show) : 0,
                           k.show ? show_deck_swaps(k.show) : 0);
        if (stats_print(&k.stats, stdout) < 0)
            LOG_WARN("--stats: cannot write the statistics to standard output");
    }
    teardown(&k);
    return rc;
}
