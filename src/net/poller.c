#define LOG_MODULE "fetch"
#include "poller.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "feed.h"
#include "feedsig.h"
#include "fetch_images.h"
#include "fileutil.h"
#include "hash.h"
#include "log.h"
#include "vclock.h"

struct poller {
    const struct fetch_config *cfg;
    struct http_client *http; /* NULL: a local feed (no cache, no validators) */
    const atomic_bool *stop;
    struct fetch_callbacks cb;

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
    struct feed_report bad_rep; /* its problems, for the log */
    char bad_source[2048];      /* where it came from (after redirects) */
    /* Signed feeds: the live feed's signature time (nothing older is
     * accepted), and the last signature downloaded with its validators. */
    long long live_signed_at;
    char sig_url[2100];
    char *sig_body; /* NULL: none yet */
    size_t sig_len;
    char sig_etag[256], sig_last_modified[128];
    struct fetch_status st;
    struct log_states seen; /* failures the log has reported */
    bool reported;          /* the log has said anything at all */
};

/* A failure that keeps coming back among others is summarised at most
 * this often. */
#define SUMMARY_INTERVAL_S 1800.0

static void copy_str(char *dst, size_t dstlen, const char *src)
{
    snprintf(dst, dstlen, "%s", src ? src : "");
}

/* One problem as --check prints it: "SRC[:L:C]: [warning: ][path: ]msg";
 * src is the first srclen bytes of source. */
static void diag_line(const struct feed_diag *dg, const char *source, int srclen,
                      char *out, size_t outlen)
{
    char pos[48] = "";
    if (dg->line > 0)
        snprintf(pos, sizeof(pos), ":%d:%d", dg->line, dg->col);
    const char *path = dg->path ? dg->path : "";
    snprintf(out, outlen, "%.*s%s: %s%s%s%s", srclen, source, pos,
             dg->warning ? "warning: " : "", path, *path ? ": " : "",
             dg->msg ? dg->msg : "invalid");
}

static const struct feed_diag *first_diag(const struct feed_report *rep)
{
    for (size_t i = 0; rep && i < rep->n; i++)
        if (!rep->diags[i].warning)
            return &rep->diags[i];
    return NULL;
}

/* "feed.json:3:14: slides[0].title: must be …" from the first error, for
 * the status file: the file name is enough there, the URL is beside it. */
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
    const struct feed_diag *dg = first_diag(rep);
    if (dg)
        diag_line(dg, name, (int)nlen, out, outlen);
    else
        snprintf(out, outlen, "%.*s: invalid feed", (int)nlen, name);
}

/* One log line per problem (errors: the first ten, then how many more),
 * in --check's wording with the full URL. */
static void log_diagnostics(const struct feed_report *rep, const char *source)
{
    int shown = 0;
    char line[1024];
    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct feed_diag *dg = &rep->diags[i];
        if (!dg->warning && shown == 10) {
            LOG_WARN("%s: … and %d more problem(s)", source, rep->errors - shown);
            break;
        }
        diag_line(dg, source, (int)strlen(source), line, sizeof(line));
        if (dg->warning) {
            /* Once per new feed: the editor may want to know. */
            LOG_INFO("%s", line);
            continue;
        }
        LOG_WARN("%s", line);
        shown++;
    }
}

static void deliver(struct poller *pl, struct deck *d)
{
    if (pl->cb.deck)
        pl->cb.deck(pl->cb.ud, d);
    else
        deck_unref(d);
}

static struct deck *parse(const struct fetch_config *cfg, const char *body, size_t len,
                          const char *base, struct feed_report *rep)
{
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = cfg->max_feed_bytes;
    lim.require_pins = cfg->signed_feeds;
    return feed_parse(body, len, base, &lim, rep);
}

/* A feed that was valid once, parsed again (it may not be: this build
 * may be newer).  NULL with the first error in err. */
static struct deck *reparse(const struct fetch_config *cfg, const char *body, size_t len,
                            const char *base, char *err, size_t errlen)
{
    struct feed_report rep = {0};
    struct deck *d = parse(cfg, body, len, base, &rep);
    if (!d)
        first_error(&rep, base, err, errlen);
    feed_report_free(&rep);
    return d;
}

/* Fetches d's images and remembers which failed for good, and whether
 * another try may bring more.  False when stopped midway (d released). */
static bool fill_images(struct poller *pl, struct deck *d, struct image_pass *p)
{
    if (!fetch_images(pl->cfg, pl->http, pl->stop, d, p)) {
        url_list_clear(&p->perm);
        deck_unref(d);
        return false;
    }
    pl->retry_images = p->transient > 0;
    url_list_clear(&pl->skip);
    pl->skip = p->perm;
    p->perm = (struct url_list){0};
    return true;
}

static void forget_live(struct poller *pl)
{
    pl->have_live = false;
    pl->live_hash[0] = pl->etag[0] = pl->last_modified[0] = '\0';
    free(pl->live_body);
    pl->live_body = NULL;
    if (pl->cfg->cache_dir)
        cache_forget_meta(pl->cfg->cache_dir);
    pl->disk_hash[0] = '\0';
}

/* The feed has not changed, but its deck went live with images missing
 * for reasons that may pass (network, server errors).  Try those again
 * and hand over a new deck if any arrived. */
static void retry_images(struct poller *pl)
{
    if (!pl->retry_images || !pl->have_live)
        return;
    pl->retry_images = false;
    if (!pl->live_body && pl->cfg->cache_dir) {
        struct cache_meta m;
        char *body;
        size_t len;
        int e =
            cache_read_feed(pl->cfg->cache_dir, pl->cfg->max_feed_bytes, &body, &len, &m);
        if ((e == 0 || e == -ESTALE) && strcmp(m.hash, pl->live_hash) == 0) {
            pl->live_body = body;
            pl->live_len = len;
        } else {
            free(body);
        }
    }
    if (!pl->live_body)
        return;
    char err[512];
    struct deck *d =
        reparse(pl->cfg, pl->live_body, pl->live_len, pl->live_base, err, sizeof(err));
    if (!d) {
        LOG_WARN("the cached feed no longer parses (%s); fetching it again", err);
        forget_live(pl);
        return;
    }
    struct image_pass p = {.revalidate = false, .quiet = true, .skip = &pl->skip};
    if (!fill_images(pl, d, &p))
        return;
    if (p.downloaded == 0) {
        deck_unref(d);
        return;
    }
    LOG_INFO("%d more image(s) of the current feed arrived", p.downloaded);
    deliver(pl, d);
}

struct outcome {
    enum fetch_result result;
    long http_status;
    char error[512];
    char kind[600];
    bool backoff; /* a failure that the back-off schedule applies to */
    bool invalid; /* the feed of bad_hash: its problems are in bad_rep */
    bool signature; /* refused for its signature */
};

static void outcome_error(struct outcome *o, const struct http_resp *r)
{
    o->result = FETCH_ERROR;
    copy_str(o->error, sizeof(o->error), r->error);
    copy_str(o->kind, sizeof(o->kind), r->kind);
    o->backoff = true;
}

static void set_validators(struct poller *pl, const struct http_resp *r)
{
    copy_str(pl->etag, sizeof(pl->etag), r->etag);
    copy_str(pl->last_modified, sizeof(pl->last_modified), r->last_modified);
}

/* Writes the new feed as the last good one, then drops cached images
 * it no longer uses.  Failures are logged: the deck goes live anyway. */
static void store_feed(struct poller *pl, const struct http_resp *r, const struct deck *d,
                       const char *hash)
{
    struct cache_meta m = {0};
    copy_str(m.url, sizeof(m.url), pl->cfg->url);
    copy_str(m.base, sizeof(m.base), r->url);
    copy_str(m.etag, sizeof(m.etag), r->etag);
    copy_str(m.last_modified, sizeof(m.last_modified), r->last_modified);
    m.refresh_s = d->refresh_s;
    const char *sig = pl->cfg->signed_feeds ? pl->sig_body : NULL;
    int e = cache_write_feed(pl->cfg->cache_dir, r->body, r->len, sig, sig ? pl->sig_len : 0,
                             &m);
    if (e < 0) {
        LOG_WARN("cannot write the cache in %s: %s; the previous cached feed is kept",
                 pl->cfg->cache_dir, file_strerror(e));
    } else {
        memcpy(pl->disk_hash, hash, sizeof(pl->disk_hash));
        const char **urls = calloc(d->n_images ? d->n_images : 1, sizeof(*urls));
        if (urls) {
            for (size_t i = 0; i < d->n_images; i++)
                urls[i] = d->images[i].url;
            int n = cache_prune_images(pl->cfg->cache_dir, urls, d->n_images);
            if (n > 0)
                LOG_DBG("removed %d cached image(s) no longer used", n);
            free(urls);
        }
    }
}

static void signature_refused(struct outcome *o, const char *hash, const char *why)
{
    o->result = FETCH_ERROR;
    o->signature = true;
    copy_str(o->error, sizeof(o->error), why);
    /* Said once per feed and reason. */
    snprintf(o->kind, sizeof(o->kind), "signature:%.16s:%.500s", hash, why);
}

/* The feed's signature: a conditional GET of FEED_URL.minisig (for a
 * local feed, the file beside it) into pl->sig_body.  False with o filled
 * when there is none to be had: missing or refused by the server (the
 * feed is not signed: a signature failure), or a network failure (the
 * back-off applies). */
static bool get_signature(struct poller *pl, const char *hash, struct outcome *o)
{
    struct http_resp r;
    enum http_outcome ho;
    bool cond = pl->http && pl->sig_body;
    if (pl->http)
        ho = http_get(pl->http, pl->sig_url, cond ? pl->sig_etag : NULL,
                      cond ? pl->sig_last_modified : NULL, MINISIG_MAX_FILE, &r);
    else
        ho = http_read_local(pl->sig_url, MINISIG_MAX_FILE, &r);
    if (ho == HTTP_NOT_MODIFIED)
        return true;
    if (ho == HTTP_FAILED) {
        if (pl->http && (r.status == 0 || r.status >= 500)) {
            outcome_error(o, &r);
            char e[sizeof(o->error)];
            snprintf(e, sizeof(e), "signature: %.480s", o->error);
            copy_str(o->error, sizeof(o->error), e);
            return false;
        }
        char why[512];
        snprintf(why, sizeof(why), "signature: %.200s: %.290s", pl->sig_url, r.error);
        signature_refused(o, hash, why);
        return false;
    }
    free(pl->sig_body);
    pl->sig_body = r.body;
    pl->sig_len = r.len;
    r.body = NULL;
    copy_str(pl->sig_etag, sizeof(pl->sig_etag), r.etag);
    copy_str(pl->sig_last_modified, sizeof(pl->sig_last_modified), r.last_modified);
    return true;
}

/* A body that differs from the live deck's: signature, parse, images,
 * cache, hand over.  Takes r->body on success. */
static void new_feed(struct poller *pl, struct http_resp *r, const char *hash,
                     struct outcome *o)
{
    struct feedsig sig = {0};
    if (pl->cfg->signed_feeds) {
        /* Nothing unverified reaches the parser. */
        if (!get_signature(pl, hash, o))
            return;
        char why[512];
        if (feedsig_check(&pl->cfg->keys, r->body, r->len, pl->sig_body, pl->sig_len,
                          pl->live_signed_at, &sig, why, sizeof(why)) < 0) {
            signature_refused(o, hash, why);
            return;
        }
    }
    if (strcmp(hash, pl->bad_hash) == 0) {
        /* The same broken feed again: same verdict, no second parse. */
        o->result = FETCH_ERROR;
        copy_str(o->error, sizeof(o->error), pl->bad_error);
        snprintf(o->kind, sizeof(o->kind), "invalid:%s", hash);
        o->invalid = true;
        return;
    }
    struct feed_report rep = {0};
    struct deck *d = parse(pl->cfg, r->body, r->len, r->url, &rep);
    if (!d) {
        /* A content problem, not a network one: keep the normal schedule
         * (no back-off) and keep the old deck and cache.  (The bytes may
         * be the start of a reply longer than it said: the connection
         * goes at the end of the poll, as every one does.) */
        o->result = FETCH_ERROR;
        first_error(&rep, r->url, o->error, sizeof(o->error));
        snprintf(o->kind, sizeof(o->kind), "invalid:%s", hash);
        o->invalid = true;
        feed_report_free(&pl->bad_rep);
        pl->bad_rep = rep;
        memcpy(pl->bad_hash, hash, sizeof(pl->bad_hash));
        copy_str(pl->bad_error, sizeof(pl->bad_error), o->error);
        copy_str(pl->bad_source, sizeof(pl->bad_source), r->url);
        return;
    }
    if (rep.warnings > 0)
        log_diagnostics(&rep, r->url);
    feed_report_free(&rep);
    d->signed_at = sig.timestamp;
    memcpy(d->signed_by, sig.key_id, sizeof(d->signed_by));

    struct image_pass p = {.revalidate = true, .quiet = false};
    if (!fill_images(pl, d, &p))
        return;
    pl->bad_hash[0] = '\0';
    feed_report_free(&pl->bad_rep);
    if (pl->cfg->cache_dir && strcmp(hash, pl->disk_hash) != 0)
        store_feed(pl, r, d, hash);
    memcpy(pl->live_hash, hash, sizeof(pl->live_hash));
    set_validators(pl, r);
    pl->live_refresh = d->refresh_s;
    pl->have_live = true;
    pl->live_signed_at = sig.timestamp;
    free(pl->live_body);
    pl->live_body = r->body;
    pl->live_len = r->len;
    r->body = NULL;
    copy_str(pl->live_base, sizeof(pl->live_base), r->url);
    if (pl->cfg->signed_feeds) {
        char when[40];
        feedsig_time(sig.timestamp, when, sizeof(when));
        LOG_INFO("new feed %.12s: %zu slides, %zu images (%d failed), signed %s by key %s",
                 hash, d->n_slides, d->n_images, p.failed, when, sig.key_id);
    } else {
        LOG_INFO("new feed %.12s: %zu slides, %zu images (%d failed)", hash, d->n_slides,
                 d->n_images, p.failed);
    }
    o->result = FETCH_OK;
    deliver(pl, d);
}

static void poll_feed(struct poller *pl, struct outcome *o)
{
    struct http_resp r;
    enum http_outcome ho;
    bool cond = pl->http && pl->have_live;
    if (pl->http)
        ho = http_get(pl->http, pl->cfg->url, cond ? pl->etag : NULL,
                      cond ? pl->last_modified : NULL, pl->cfg->max_feed_bytes, &r);
    else
        ho = http_read_local(pl->cfg->url, pl->cfg->max_feed_bytes, &r);
    o->http_status = r.status;
    if (ho == HTTP_FAILED) {
        outcome_error(o, &r);
        return;
    }
    if (ho == HTTP_NOT_MODIFIED) {
        o->result = FETCH_NOT_MODIFIED;
        retry_images(pl);
        return;
    }
    char hash[65];
    hash_sha256_hex(r.body, r.len, hash);
    if (pl->have_live && strcmp(hash, pl->live_hash) == 0) {
        /* Same bytes (a server without validators, or new ones for the
         * same content): nothing to parse or write. */
        if (pl->http)
            set_validators(pl, &r);
        o->result = pl->http ? FETCH_OK : FETCH_NOT_MODIFIED;
        http_resp_free(&r);
        retry_images(pl);
        return;
    }
    new_feed(pl, &r, hash, o);
    http_resp_free(&r);
}

static double monotonic_s(void)
{
    return (double)vclock_ms() / 1e3;
}

/* A failure's line: in full when the log has not reported it lately, as
 * a summary when it keeps coming back among other results, else none. */
static void log_failure(struct poller *pl, const struct outcome *o)
{
    unsigned long n;
    enum log_verdict v =
        log_states_note(&pl->seen, o->kind, monotonic_s(), SUMMARY_INTERVAL_S, &n);
    if (v == LOG_VERDICT_QUIET)
        return;
    const struct feed_diag *dg = o->invalid ? first_diag(&pl->bad_rep) : NULL;
    if (v == LOG_VERDICT_NEW && o->invalid) {
        log_diagnostics(&pl->bad_rep, pl->bad_source);
    } else if (v == LOG_VERDICT_NEW) {
        LOG_WARN("%s: %s", pl->cfg->url, o->error);
    } else if (dg) {
        char line[1024];
        diag_line(dg, pl->bad_source, (int)strlen(pl->bad_source), line, sizeof(line));
        LOG_WARN("%s (still invalid: %lu times since last said)", line, n);
    } else {
        LOG_WARN("%s: %s (again: %lu times since last said)", pl->cfg->url, o->error, n);
    }
}

/* Status callback after every attempt; the log hears of changes only. */
static void report(struct poller *pl, const struct outcome *o)
{
    struct fetch_status *st = &pl->st;
    st->result = o->result;
    st->http_status = o->http_status;
    st->signature_failed = o->signature;
    if (o->signature)
        st->signature_failures++;
    if (o->result == FETCH_ERROR) {
        copy_str(st->error, sizeof(st->error), o->error);
        log_failure(pl, o);
    } else {
        st->error[0] = '\0';
        st->last_success = st->last_attempt;
        if (log_states_ok(&pl->seen))
            LOG_INFO("%s: working again (%s)", pl->cfg->url,
                     fetch_result_name(o->result));
        else if (!pl->reported)
            LOG_INFO("%s: %s", pl->cfg->url, fetch_result_name(o->result));
    }
    pl->reported = true;
    if (pl->cb.status)
        pl->cb.status(pl->cb.ud, st);
}

/* A cached feed is shown only as it was when it came: with feeds signed,
 * its signature (kept beside it) is checked again, so a feed edited on
 * the SD card is not shown.  0 with *sig filled (zeros when feeds are not
 * signed), or -1 with why. */
static int verify_cached(const struct fetch_config *cfg, const char *body, size_t len,
                         struct feedsig *sig, char *why, size_t whylen)
{
    memset(sig, 0, sizeof(*sig));
    if (!cfg->signed_feeds)
        return 0;
    char *s;
    size_t slen;
    int e = cache_read_sig(cfg->cache_dir, &s, &slen);
    if (e < 0) {
        snprintf(why, whylen, "signature: %s/feed.json.minisig: %s", cfg->cache_dir,
                 e == -ENOENT ? "missing" : file_strerror(e));
        return -1;
    }
    int r = feedsig_check(&cfg->keys, body, len, s, slen, 0, sig, why, whylen);
    free(s);
    return r;
}

/* Picks up the validators of the cache written by an earlier run: the
 * screen shows that deck (fetch_load_cached), so a 304 is enough. */
static void adopt_cache(struct poller *pl)
{
    int e = cache_prepare(pl->cfg->cache_dir);
    if (e < 0) {
        LOG_WARN("cache directory %s: %s", pl->cfg->cache_dir, file_strerror(e));
        return;
    }
    struct cache_meta m;
    char *body;
    size_t len;
    e = cache_read_feed(pl->cfg->cache_dir, pl->cfg->max_feed_bytes, &body, &len, &m);
    struct feedsig sig;
    char why[512];
    bool verified = e < 0 || verify_cached(pl->cfg, body, len, &sig, why, sizeof(why)) == 0;
    free(body);
    if (!verified) {
        /* Not on screen (poller_load_cached said why): download it all. */
        return;
    }
    if (e == -ESTALE) {
        /* Body without matching metadata: unknown whether it was shown
         * (fetch_load_cached drops the metadata of a feed it rejects),
         * so the next download is parsed and the cache made whole. */
        LOG_DBG("cache metadata missing or stale; not sending validators");
        return;
    }
    if (e < 0 || strcmp(m.url, pl->cfg->url) != 0)
        return;
    pl->have_live = true;
    memcpy(pl->live_hash, m.hash, sizeof(pl->live_hash));
    memcpy(pl->disk_hash, m.hash, sizeof(pl->disk_hash));
    copy_str(pl->etag, sizeof(pl->etag), m.etag);
    copy_str(pl->last_modified, sizeof(pl->last_modified), m.last_modified);
    copy_str(pl->live_base, sizeof(pl->live_base), m.base);
    pl->live_refresh = m.refresh_s;
    pl->live_signed_at = sig.timestamp;
    /* Images that failed last time are not in the cache: look once. */
    pl->retry_images = true;
}

struct poller *poller_new(const struct fetch_config *cfg, struct http_client *http,
                          const atomic_bool *stop, const struct fetch_callbacks *cb)
{
    struct poller *pl = calloc(1, sizeof(*pl));
    if (!pl)
        return NULL;
    pl->cfg = cfg;
    pl->http = http;
    pl->stop = stop;
    if (cb)
        pl->cb = *cb;
    copy_str(pl->st.url, sizeof(pl->st.url), cfg->url);
    pl->st.signed_feeds = cfg->signed_feeds;
    if (feedsig_url(cfg->url, pl->sig_url, sizeof(pl->sig_url)) < 0)
        pl->sig_url[0] = '\0'; /* cannot be fetched: refused as unsigned */
    if (cfg->cache_dir)
        adopt_cache(pl);
    return pl;
}

void poller_free(struct poller *pl)
{
    if (!pl)
        return;
    free(pl->live_body);
    free(pl->sig_body);
    url_list_clear(&pl->skip);
    feed_report_free(&pl->bad_rep);
    free(pl);
}

bool poller_poll(struct poller *pl, enum fetch_result *result, bool *backoff)
{
    struct outcome o = {0};
    pl->st.last_attempt = vclock_wall();
    poll_feed(pl, &o);
    /* Nothing stays open between polls: the next is minutes away, longer
     * than servers keep an idle connection (an idle socket they closed
     * would wait in CLOSE_WAIT until then), and a refused reply may have
     * left bytes on it.  Within a poll the feed, its signature and its
     * images share one connection. */
    http_client_drop(pl->http);
    *result = o.result;
    *backoff = o.backoff;
    if (atomic_load(pl->stop))
        return false; /* interrupted by fetcher_free: not a state worth reporting */
    report(pl, &o);
    return true;
}

int poller_refresh_hint(const struct poller *pl)
{
    return pl->live_refresh;
}

struct deck *poller_load_cached(const struct fetch_config *cfg)
{
    struct cache_meta m;
    char *body;
    size_t len;
    int e = cache_read_feed(cfg->cache_dir, cfg->max_feed_bytes, &body, &len, &m);
    if (e == -ENOENT)
        return NULL;
    if (e < 0 && e != -ESTALE) {
        LOG_WARN("cannot read the cached feed %s/feed.json: %s", cfg->cache_dir,
                 file_strerror(e));
        return NULL;
    }
    if (m.url[0] && strcmp(m.url, cfg->url) != 0) {
        LOG_INFO("the cache in %s holds another feed (%s); ignoring it", cfg->cache_dir,
                 m.url);
        free(body);
        return NULL;
    }
    const char *base = m.base[0] ? m.base : cfg->url;
    char err[512];
    struct feedsig sig;
    if (verify_cached(cfg, body, len, &sig, err, sizeof(err)) < 0) {
        LOG_WARN("the cached feed in %s is not shown: %s", cfg->cache_dir, err);
        free(body);
        cache_forget_meta(cfg->cache_dir);
        return NULL;
    }
    struct deck *d = reparse(cfg, body, len, base, err, sizeof(err));
    free(body);
    if (!d) {
        LOG_WARN("ignoring the cached feed: %s", err);
        cache_forget_meta(cfg->cache_dir);
        return NULL;
    }
    d->signed_at = sig.timestamp;
    memcpy(d->signed_by, sig.key_id, sizeof(d->signed_by));
    int missing = fetch_images_cached(cfg, d);
    LOG_INFO("cached feed %.12s: %zu slides, %zu images (%d missing)", d->hash,
             d->n_slides, d->n_images, missing);
    return d;
}
