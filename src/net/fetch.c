#define LOG_MODULE "fetch"
#include "fetch.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "http.h"
#include "imghdr.h"
#include "log.h"
#include "poller.h"
#include "vclock.h"

#define BACKOFF_CAP_S 600.0
#define MAX_FAILURES 30 /* enough to reach the cap; keeps 2^n finite */

/* ------------------------------------------------------------------ */
/* Configuration                                                        */

static void apply_defaults(struct fetch_config *c)
{
    if (c->refresh_s <= 0)
        c->refresh_s = 300;
    if (c->refresh_min_s <= 0)
        c->refresh_min_s = 5;
    if (c->refresh_max_s <= 0)
        c->refresh_max_s = 86400;
    if (c->refresh_max_s < c->refresh_min_s)
        c->refresh_max_s = c->refresh_min_s;
    if (!c->max_feed_bytes)
        c->max_feed_bytes = 2u << 20;
    if (!c->max_image_bytes)
        c->max_image_bytes = 8u << 20;
    if (c->max_image_pixels <= 0)
        c->max_image_pixels = 12L << 20;
    if (c->connect_timeout_s <= 0)
        c->connect_timeout_s = 10;
    if (c->total_timeout_s <= 0)
        c->total_timeout_s = 60;
    if (c->low_speed_bytes <= 0)
        c->low_speed_bytes = 100;
    if (c->low_speed_time_s <= 0)
        c->low_speed_time_s = 30;
    if (!c->max_deck_image_bytes)
        c->max_deck_image_bytes = 64u << 20;
}

/* What the downloads of a fetcher, or of fetch_once, take from cfg. */
static struct http_options http_options_of(const struct fetch_config *c)
{
    return (struct http_options){.ca_file = c->ca_file,
                                 .connect_timeout_s = c->connect_timeout_s,
                                 .total_timeout_s = c->total_timeout_s,
                                 .low_speed_bytes = c->low_speed_bytes,
                                 .low_speed_time_s = c->low_speed_time_s};
}

/* ------------------------------------------------------------------ */
/* Library set-up and small pure helpers                                */

int fetch_global_init(void)
{
    return http_global_init();
}

void fetch_global_cleanup(void)
{
    http_global_cleanup();
}

int fetch_image_size(const unsigned char *data, size_t len, long *w, long *h)
{
    return imghdr_size(data, len, w, h);
}

const char *fetch_result_name(enum fetch_result r)
{
    switch (r) {
    case FETCH_OK:
        return "ok";
    case FETCH_NOT_MODIFIED:
        return "not-modified";
    case FETCH_ERROR:
        return "error";
    case FETCH_NONE:
        break;
    }
    return "none";
}

/* ------------------------------------------------------------------ */
/* The fetcher: its thread, wake-ups and schedule (poller.c polls)       */

struct fetcher {
    struct fetch_config cfg; /* strings below are our copies */
    char *url, *cache_dir, *ca_file;
    struct http_client *http; /* NULL: a local feed */

    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool poked; /* under lock */
    atomic_bool stop;
    uint64_t rng;

    /* Simulated time (vclock): the timer that ends the worker's wait, and
     * whether the worker owes the clock a release for the poll it runs
     * (under lock). */
    struct vclock_timer timer;
    bool held;

    /* Worker-only state. */
    int failures;
    struct poller *poll;
};

static double next_random(struct fetcher *f)
{
    /* xorshift64*: jitter only needs to differ between kiosks */
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (double)((f->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

double fetch_next_delay(const struct fetch_config *in, int hint_s, int failures, double r)
{
    struct fetch_config cfg = *in;
    apply_defaults(&cfg);
    if (r < 0 || r >= 1)
        r = 0.5;
    if (failures > 0) {
        double d = cfg.refresh_min_s;
        for (int i = 1; i < failures && d < BACKOFF_CAP_S; i++)
            d *= 2;
        if (d > BACKOFF_CAP_S)
            d = BACKOFF_CAP_S > cfg.refresh_min_s ? BACKOFF_CAP_S : cfg.refresh_min_s;
        return d * (0.5 + 0.5 * r);
    }
    double d = hint_s > 0 ? hint_s : cfg.refresh_s;
    if (d < cfg.refresh_min_s)
        d = cfg.refresh_min_s;
    if (d > cfg.refresh_max_s)
        d = cfg.refresh_max_s;
    return d * (0.9 + 0.2 * r);
}

static enum fetch_result cycle(struct fetcher *f, double *next_delay_s)
{
    enum fetch_result res;
    bool backoff;
    if (!poller_poll(f->poll, &res, &backoff)) {
        if (next_delay_s)
            *next_delay_s = 0;
        return res;
    }
    if (!backoff)
        f->failures = 0;
    else if (f->failures < MAX_FAILURES)
        f->failures++;
    double d = fetch_next_delay(&f->cfg, poller_refresh_hint(f->poll), f->failures,
                                next_random(f));
    if (next_delay_s)
        *next_delay_s = d;
    return res;
}

enum fetch_result fetch_cycle(struct fetcher *f, double *next_delay_s)
{
    if (!f || f->threaded)
        return FETCH_NONE; /* the worker owns the state */
    return cycle(f, next_delay_s);
}

/* Simulated time: the poll is due.  Runs on the thread advancing the
 * clock, which then waits for the poll to finish. */
static void timer_fired(void *ud)
{
    struct fetcher *f = ud;
    pthread_mutex_lock(&f->lock);
    if (!f->held) {
        f->held = true;
        vclock_hold();
    }
    f->poked = true;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

/* Simulated time: no sleeping; a timer of the simulated clock pokes us. */
static void wait_simulated(struct fetcher *f, double d)
{
    pthread_mutex_lock(&f->lock);
    vclock_timer_arm(&f->timer, vclock_ms() + (uint64_t)llround(d * 1000.0));
    if (f->held) {
        f->held = false;
        vclock_release();
    }
    while (!f->poked && !atomic_load(&f->stop))
        pthread_cond_wait(&f->cond, &f->lock);
    f->poked = false;
    pthread_mutex_unlock(&f->lock);
}

static void *worker(void *arg)
{
    struct fetcher *f = arg;
    while (!atomic_load(&f->stop)) {
        double d = 0;
        cycle(f, &d);
        if (vclock_simulated()) {
            wait_simulated(f, d);
            continue;
        }
        struct timespec dl;
        clock_gettime(CLOCK_MONOTONIC, &dl);
        long long ns = (long long)(d * 1e9);
        dl.tv_sec += (time_t)(ns / 1000000000LL);
        dl.tv_nsec += (long)(ns % 1000000000LL);
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&f->lock);
        while (!f->poked && !atomic_load(&f->stop))
            if (pthread_cond_timedwait(&f->cond, &f->lock, &dl) == ETIMEDOUT)
                break;
        f->poked = false;
        pthread_mutex_unlock(&f->lock);
    }
    return NULL;
}

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

struct fetcher *fetcher_new_manual(const struct fetch_config *cfg,
                                   const struct fetch_callbacks *cb)
{
    if (!cfg || !cfg->url || fetch_global_init() < 0)
        return NULL;
    struct fetcher *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    bool ok = true;
    f->cfg = *cfg;
    apply_defaults(&f->cfg);
    f->url = dup_or_null(cfg->url, &ok);
    f->ca_file = dup_or_null(cfg->ca_file, &ok);
    bool http = http_is_http_url(cfg->url);
    /* Local feeds are read where they are; nothing to cache. */
    f->cache_dir = http ? dup_or_null(cfg->cache_dir, &ok) : NULL;
    f->cfg.url = f->url;
    f->cfg.ca_file = f->ca_file;
    f->cfg.cache_dir = f->cache_dir;
    atomic_init(&f->stop, false);
    if (getrandom(&f->rng, sizeof(f->rng), GRND_NONBLOCK) != (ssize_t)sizeof(f->rng))
        f->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    f->rng |= 1; /* xorshift must not start at 0 */

    pthread_condattr_t ca;
    bool lock_ok = pthread_mutex_init(&f->lock, NULL) == 0;
    bool cond_ok = false;
    if (pthread_condattr_init(&ca) == 0) {
        cond_ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
                  pthread_cond_init(&f->cond, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    if (ok && http) {
        struct http_options ho = http_options_of(&f->cfg);
        f->http = http_client_new(&ho, &f->stop);
    }
    if (ok && lock_ok && cond_ok && (!http || f->http))
        f->poll = poller_new(&f->cfg, f->http, &f->stop, cb);
    if (!f->poll) {
        LOG_ERR("cannot set up the fetcher");
        if (lock_ok)
            pthread_mutex_destroy(&f->lock);
        if (cond_ok)
            pthread_cond_destroy(&f->cond);
        http_client_free(f->http);
        free(f->url);
        free(f->ca_file);
        free(f->cache_dir);
        free(f);
        return NULL;
    }
    return f;
}

struct fetcher *fetcher_new(const struct fetch_config *cfg,
                            const struct fetch_callbacks *cb)
{
    struct fetcher *f = fetcher_new_manual(cfg, cb);
    if (!f)
        return NULL;
    f->threaded = true;
    f->timer.fire = timer_fired;
    f->timer.ud = f;
    if (vclock_simulated()) {
        f->held = true; /* the first poll, at once */
        vclock_hold();
    }
    int e = pthread_create(&f->thread, NULL, worker, f);
    if (e != 0) {
        LOG_ERR("cannot start the fetch thread: %s", strerror(e));
        f->threaded = false;
        if (f->held)
            vclock_release();
        fetcher_free(f);
        return NULL;
    }
    return f;
}

void fetcher_poke(struct fetcher *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->poked = true;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

void fetcher_free(struct fetcher *f)
{
    if (!f)
        return;
    if (f->threaded) {
        pthread_mutex_lock(&f->lock);
        atomic_store(&f->stop, true);
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->thread, NULL);
        vclock_timer_cancel(&f->timer);
        if (f->held)
            vclock_release();
    }
    http_client_free(f->http);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    poller_free(f->poll);
    free(f->url);
    free(f->ca_file);
    free(f->cache_dir);
    free(f);
}

/* ------------------------------------------------------------------ */
/* Cached deck and one-shot fetch                                        */

struct deck *fetch_load_cached(const struct fetch_config *in)
{
    if (!in || !in->url || !in->cache_dir || !http_is_http_url(in->url))
        return NULL;
    struct fetch_config cfg = *in;
    apply_defaults(&cfg);
    return poller_load_cached(&cfg);
}

int fetch_once(const struct fetch_config *in, const char *url, char **data, size_t *len,
               char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    struct fetch_config cfg = *in;
    apply_defaults(&cfg);
    struct http_resp r;
    enum http_outcome o;
    if (http_is_http_url(url)) {
        struct http_options ho = http_options_of(&cfg);
        struct http_client *c = http_client_new(&ho, NULL);
        if (!c) {
            snprintf(err, errlen, "libcurl initialisation failed");
            return -1;
        }
        /* Unconditional: a 304 comes back as a failure. */
        o = http_get(c, url, NULL, NULL, cfg.max_feed_bytes, &r);
        http_client_free(c);
    } else {
        o = http_read_local(url, cfg.max_feed_bytes, &r);
    }
    if (o != HTTP_BODY) {
        snprintf(err, errlen, "%s", r.error);
        return -1;
    }
    *data = r.body;
    *len = r.len;
    return 0;
}
