#define LOG_MODULE "fetch"
#include "fetch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cache.h"
#include "feed.h"
#include "fetch_images.h"
#include "hash.h"
#include "http.h"
#include "imghdr.h"
#include "log.h"

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
        c->max_image_pixels = 16L << 20;
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

static void copy_str(char *dst, size_t dstlen, const char *src)
{
    snprintf(dst, dstlen, "%s", src ? src : "");
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
/* The fetcher                                                           */

struct fetcher {
    struct fetch_config cfg; /* strings below are our copies */
    char *url, *cache_dir, *ca_file;
    struct fetch_callbacks cb;
    struct http_client *http; /* NULL: a local feed (no cache, no validators) */

    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool poked; /* under lock */
    atomic_bool stop;
    uint64_t rng;

    /* Worker-only state. */
    bool have_live; /* the screen has the deck of live_hash */
    char live_hash[65];
    char etag[256], last_modified[128]; /* validators of live_hash */
    int live_refresh;
    char *live_body; /* NULL: read it back from the cache */
    size_t live_len;
    char live_base[2048];
    char disk_hash[65];   /* what the cache holds, consistently */
    bool retry_images;    /* the live deck lacks images that may come */
    struct url_list skip; /* its images that failed for good */
    char bad_hash[65];    /* the last invalid feed, not parsed twice */
    char bad_error[512];
    int failures;
    struct fetch_status st;
    char state[640]; /* logged state: "ok" or the error kind */
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

/* "feed.json:3:14: slides[0].title: must be …" from the first error. */
static void first_error(const struct feed_report *rep, const char *source, char *out,
                        size_t outlen)
{
    const char *name = source;
    const char *q = strpbrk(source, "?#");
    size_t nlen = q ? (size_t)(q - source) : strlen(source);
    for (size_t i = 0; i < nlen; i++)
        if (source[i] == '/' && i + 1 < nlen)
            name = source + i + 1;
    nlen -= (size_t)(name - source);
    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct feed_diag *dg = &rep->diags[i];
        if (dg->warning)
            continue;
        char pos[48] = "";
        if (dg->line > 0)
            snprintf(pos, sizeof(pos), ":%d:%d", dg->line, dg->col);
        const char *path = dg->path && *dg->path ? dg->path : NULL;
        snprintf(out, outlen, "%.*s%s: %s%s%s", (int)nlen, name, pos, path ? path : "",
                 path ? ": " : "", dg->msg ? dg->msg : "invalid");
        return;
    }
    snprintf(out, outlen, "%.*s: invalid feed", (int)nlen, name);
}

static void log_diagnostics(const struct feed_report *rep, const char *source)
{
    int shown = 0;
    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct feed_diag *dg = &rep->diags[i];
        if (shown == 10) {
            LOG_WARN("%s: … and more", source);
            break;
        }
        if (dg->warning) {
            /* Once per new feed: the editor may want to know. */
            LOG_INFO("%s:%d:%d: warning: %s: %s", source, dg->line, dg->col,
                     dg->path ? dg->path : "", dg->msg ? dg->msg : "");
            continue;
        }
        LOG_WARN("%s:%d:%d: %s: %s", source, dg->line, dg->col, dg->path ? dg->path : "",
                 dg->msg ? dg->msg : "");
        shown++;
    }
}

static void deliver(struct fetcher *f, struct deck *d)
{
    if (f->cb.deck)
        f->cb.deck(f->cb.ud, d);
    else
        deck_unref(d);
}

static struct deck *parse(const struct fetch_config *cfg, const char *body, size_t len,
                          const char *base, struct feed_report *rep)
{
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = cfg->max_feed_bytes;
    return feed_parse(body, len, base, &lim, rep);
}

static void forget_live(struct fetcher *f)
{
    f->have_live = false;
    f->live_hash[0] = f->etag[0] = f->last_modified[0] = '\0';
    free(f->live_body);
    f->live_body = NULL;
    if (f->cache_dir)
        cache_forget_meta(f->cache_dir);
    f->disk_hash[0] = '\0';
}

/* The feed has not changed, but its deck went live with images missing
 * for reasons that may pass (network, server errors).  Try those again
 * and hand over a new deck if any arrived. */
static void retry_images(struct fetcher *f)
{
    if (!f->retry_images || !f->have_live)
        return;
    f->retry_images = false;
    if (!f->live_body && f->cache_dir) {
        struct cache_meta m;
        char *body;
        size_t len;
        int e = cache_read_feed(f->cache_dir, f->cfg.max_feed_bytes, &body, &len, &m);
        if ((e == 0 || e == -ESTALE) && strcmp(m.hash, f->live_hash) == 0) {
            f->live_body = body;
            f->live_len = len;
        } else {
            free(body);
        }
    }
    if (!f->live_body)
        return;
    struct feed_report rep = {0};
    struct deck *d = parse(&f->cfg, f->live_body, f->live_len, f->live_base, &rep);
    if (!d) {
        char err[512];
        first_error(&rep, f->live_base, err, sizeof(err));
        LOG_WARN("the cached feed no longer parses (%s); fetching it again", err);
        feed_report_free(&rep);
        forget_live(f);
        return;
    }
    feed_report_free(&rep);
    struct image_pass p = {.revalidate = false, .quiet = true, .skip = &f->skip};
    if (!fetch_images(&f->cfg, f->http, &f->stop, d, &p)) {
        url_list_clear(&p.perm);
        deck_unref(d);
        return;
    }
    f->retry_images = p.transient > 0;
    url_list_clear(&f->skip);
    f->skip = p.perm;
    if (p.downloaded == 0) {
        deck_unref(d);
        return;
    }
    LOG_INFO("%d more image(s) of the current feed arrived", p.downloaded);
    deliver(f, d);
}

struct outcome {
    enum fetch_result result;
    long http_status;
    char error[512];
    char kind[600];
    bool backoff; /* a failure that the back-off schedule applies to */
};

static void outcome_error(struct outcome *o, const struct http_resp *r)
{
    o->result = FETCH_ERROR;
    copy_str(o->error, sizeof(o->error), r->error);
    copy_str(o->kind, sizeof(o->kind), r->kind);
    o->backoff = true;
}

static void set_validators(struct fetcher *f, const struct http_resp *r)
{
    copy_str(f->etag, sizeof(f->etag), r->etag);
    copy_str(f->last_modified, sizeof(f->last_modified), r->last_modified);
}

/* A body that differs from the live deck's: parse, images, cache, hand
 * over.  Takes r->body on success. */
static void new_feed(struct fetcher *f, struct http_resp *r, const char *hash,
                     struct outcome *o)
{
    if (strcmp(hash, f->bad_hash) == 0) {
        /* The same broken feed again: same verdict, no second parse. */
        o->result = FETCH_ERROR;
        copy_str(o->error, sizeof(o->error), f->bad_error);
        snprintf(o->kind, sizeof(o->kind), "invalid:%s", f->bad_error);
        return;
    }
    struct feed_report rep = {0};
    struct deck *d = parse(&f->cfg, r->body, r->len, r->url, &rep);
    if (!d) {
        /* A content problem, not a network one: keep the normal schedule
         * (no back-off) and keep the old deck and cache. */
        o->result = FETCH_ERROR;
        first_error(&rep, r->url, o->error, sizeof(o->error));
        snprintf(o->kind, sizeof(o->kind), "invalid:%s", o->error);
        if (strcmp(f->state, o->kind) != 0)
            log_diagnostics(&rep, r->url);
        feed_report_free(&rep);
        memcpy(f->bad_hash, hash, sizeof(f->bad_hash));
        copy_str(f->bad_error, sizeof(f->bad_error), o->error);
        return;
    }
    if (rep.warnings > 0)
        log_diagnostics(&rep, r->url);
    feed_report_free(&rep);

    struct image_pass p = {.revalidate = true, .quiet = false};
    if (!fetch_images(&f->cfg, f->http, &f->stop, d, &p)) {
        url_list_clear(&p.perm);
        deck_unref(d);
        return;
    }
    f->bad_hash[0] = '\0';
    if (f->cache_dir && strcmp(hash, f->disk_hash) != 0) {
        struct cache_meta m = {0};
        copy_str(m.url, sizeof(m.url), f->url);
        copy_str(m.base, sizeof(m.base), r->url);
        copy_str(m.etag, sizeof(m.etag), r->etag);
        copy_str(m.last_modified, sizeof(m.last_modified), r->last_modified);
        m.refresh_s = d->refresh_s;
        int e = cache_write_feed(f->cache_dir, r->body, r->len, &m);
        if (e < 0) {
            LOG_WARN("writing the cache in %s: %s", f->cache_dir, strerror(-e));
        } else {
            memcpy(f->disk_hash, hash, sizeof(f->disk_hash));
            const char **urls = calloc(d->n_images ? d->n_images : 1, sizeof(*urls));
            if (urls) {
                for (size_t i = 0; i < d->n_images; i++)
                    urls[i] = d->images[i].url;
                int n = cache_prune_images(f->cache_dir, urls, d->n_images);
                if (n > 0)
                    LOG_DBG("removed %d cached image(s) no longer used", n);
                free(urls);
            }
        }
    }
    memcpy(f->live_hash, hash, sizeof(f->live_hash));
    set_validators(f, r);
    f->live_refresh = d->refresh_s;
    f->have_live = true;
    f->retry_images = p.transient > 0;
    url_list_clear(&f->skip);
    f->skip = p.perm;
    free(f->live_body);
    f->live_body = r->body;
    f->live_len = r->len;
    r->body = NULL;
    copy_str(f->live_base, sizeof(f->live_base), r->url);
    LOG_INFO("new feed %.12s: %zu slides, %zu images (%d failed)", hash, d->n_slides,
             d->n_images, p.failed);
    o->result = FETCH_OK;
    deliver(f, d);
}

static void poll_feed(struct fetcher *f, struct outcome *o)
{
    struct http_resp r;
    enum http_outcome ho;
    bool cond = f->http && f->have_live;
    if (f->http)
        ho = http_get(f->http, f->url, cond ? f->etag : NULL,
                      cond ? f->last_modified : NULL, f->cfg.max_feed_bytes, &r);
    else
        ho = http_read_local(f->url, f->cfg.max_feed_bytes, &r);
    o->http_status = r.status;
    if (ho == HTTP_FAILED) {
        outcome_error(o, &r);
        return;
    }
    if (ho == HTTP_NOT_MODIFIED) {
        o->result = FETCH_NOT_MODIFIED;
        retry_images(f);
        return;
    }
    char hash[65];
    hash_sha256_hex(r.body, r.len, hash);
    if (f->have_live && strcmp(hash, f->live_hash) == 0) {
        /* Same bytes (a server without validators, or new ones for the
         * same content): nothing to parse or write. */
        if (f->http)
            set_validators(f, &r);
        o->result = f->http ? FETCH_OK : FETCH_NOT_MODIFIED;
        http_resp_free(&r);
        retry_images(f);
        return;
    }
    new_feed(f, &r, hash, o);
    http_resp_free(&r);
}

/* Status callback after every attempt; one log line per change of state. */
static void report(struct fetcher *f, const struct outcome *o)
{
    struct fetch_status *st = &f->st;
    st->result = o->result;
    st->http_status = o->http_status;
    if (o->result == FETCH_ERROR) {
        copy_str(st->error, sizeof(st->error), o->error);
    } else {
        st->error[0] = '\0';
        st->last_success = st->last_attempt;
    }
    const char *key = o->result == FETCH_ERROR ? o->kind : "ok";
    if (strcmp(key, f->state) != 0) {
        if (o->result == FETCH_ERROR)
            LOG_WARN("%s: %s", f->url, o->error);
        else if (f->state[0])
            LOG_INFO("%s: working again (%s)", f->url, fetch_result_name(o->result));
        else
            LOG_INFO("%s: %s", f->url, fetch_result_name(o->result));
        copy_str(f->state, sizeof(f->state), key);
    }
    if (f->cb.status)
        f->cb.status(f->cb.ud, st);
}

static enum fetch_result cycle(struct fetcher *f, double *next_delay_s)
{
    struct outcome o = {0};
    f->st.last_attempt = time(NULL);
    poll_feed(f, &o);
    if (atomic_load(&f->stop)) {
        /* Interrupted by fetcher_free: not a state worth reporting. */
        if (next_delay_s)
            *next_delay_s = 0;
        return o.result;
    }
    report(f, &o);
    if (!o.backoff)
        f->failures = 0;
    else if (f->failures < MAX_FAILURES)
        f->failures++;
    double d = fetch_next_delay(&f->cfg, f->live_refresh, f->failures, next_random(f));
    if (next_delay_s)
        *next_delay_s = d;
    return o.result;
}

enum fetch_result fetch_cycle(struct fetcher *f, double *next_delay_s)
{
    if (!f || f->threaded)
        return FETCH_NONE; /* the worker owns the state */
    return cycle(f, next_delay_s);
}

static void *worker(void *arg)
{
    struct fetcher *f = arg;
    while (!atomic_load(&f->stop)) {
        double d = 0;
        cycle(f, &d);
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

/* Picks up the validators of the cache written by an earlier run: the
 * screen shows that deck (fetch_load_cached), so a 304 is enough. */
static void adopt_cache(struct fetcher *f)
{
    int e = cache_prepare(f->cache_dir);
    if (e < 0) {
        LOG_WARN("cache directory %s: %s", f->cache_dir, strerror(-e));
        return;
    }
    struct cache_meta m;
    char *body;
    size_t len;
    e = cache_read_feed(f->cache_dir, f->cfg.max_feed_bytes, &body, &len, &m);
    free(body);
    if (e == -ESTALE) {
        /* Body without matching metadata: unknown whether it was shown
         * (fetch_load_cached drops the metadata of a feed it rejects),
         * so the next download is parsed and the cache made whole. */
        LOG_DBG("cache metadata missing or stale; not sending validators");
        return;
    }
    if (e < 0 || strcmp(m.url, f->url) != 0)
        return;
    f->have_live = true;
    memcpy(f->live_hash, m.hash, sizeof(f->live_hash));
    memcpy(f->disk_hash, m.hash, sizeof(f->disk_hash));
    copy_str(f->etag, sizeof(f->etag), m.etag);
    copy_str(f->last_modified, sizeof(f->last_modified), m.last_modified);
    copy_str(f->live_base, sizeof(f->live_base), m.base);
    f->live_refresh = m.refresh_s;
    /* Images that failed last time are not in the cache: look once. */
    f->retry_images = true;
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
    if (cb)
        f->cb = *cb;
    atomic_init(&f->stop, false);
    if (getrandom(&f->rng, sizeof(f->rng), GRND_NONBLOCK) != (ssize_t)sizeof(f->rng))
        f->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    f->rng |= 1; /* xorshift must not start at 0 */
    copy_str(f->st.url, sizeof(f->st.url), cfg->url);

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
    if (!ok || !lock_ok || !cond_ok || (http && !f->http)) {
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
    if (f->cache_dir)
        adopt_cache(f);
    return f;
}

struct fetcher *fetcher_new(const struct fetch_config *cfg,
                            const struct fetch_callbacks *cb)
{
    struct fetcher *f = fetcher_new_manual(cfg, cb);
    if (!f)
        return NULL;
    f->threaded = true;
    int e = pthread_create(&f->thread, NULL, worker, f);
    if (e != 0) {
        LOG_ERR("cannot start the fetch thread: %s", strerror(e));
        f->threaded = false;
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
    }
    http_client_free(f->http);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f->live_body);
    url_list_clear(&f->skip);
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
    struct cache_meta m;
    char *body;
    size_t len;
    int e = cache_read_feed(cfg.cache_dir, cfg.max_feed_bytes, &body, &len, &m);
    if (e == -ENOENT)
        return NULL;
    if (e < 0 && e != -ESTALE) {
        LOG_WARN("cannot read the cached feed in %s: %s", cfg.cache_dir, strerror(-e));
        return NULL;
    }
    if (m.url[0] && strcmp(m.url, cfg.url) != 0) {
        LOG_INFO("the cache in %s holds another feed (%s); ignoring it", cfg.cache_dir,
                 m.url);
        free(body);
        return NULL;
    }
    const char *base = m.base[0] ? m.base : cfg.url;
    struct feed_report rep = {0};
    struct deck *d = parse(&cfg, body, len, base, &rep);
    free(body);
    if (!d) {
        char err[512];
        first_error(&rep, base, err, sizeof(err));
        feed_report_free(&rep);
        LOG_WARN("ignoring the cached feed: %s", err);
        cache_forget_meta(cfg.cache_dir);
        return NULL;
    }
    feed_report_free(&rep);
    int missing = fetch_images_cached(&cfg, d);
    LOG_INFO("cached feed %.12s: %zu slides, %zu images (%d missing)", d->hash,
             d->n_slides, d->n_images, missing);
    return d;
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
