#define LOG_MODULE "fetch"
#include "fetch_images.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fileutil.h"
#include "imghdr.h"
#include "log.h"

void url_list_clear(struct url_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static bool url_list_has(const struct url_list *l, const char *url)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], url) == 0)
            return true;
    return false;
}

/* Best effort: on out-of-memory the entry is just not remembered. */
static void url_list_add(struct url_list *l, const char *url)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        char **nv = realloc(l->v, ncap * sizeof(*nv));
        if (!nv)
            return;
        l->v = nv;
        l->cap = ncap;
    }
    char *d = strdup(url);
    if (d)
        l->v[l->n++] = d;
}

/* The most one more image may take: its own cap or what is left of the
 * deck's budget. */
static size_t image_cap(const struct fetch_config *cfg, size_t budget)
{
    return cfg->max_image_bytes < budget ? cfg->max_image_bytes : budget;
}

/* The same judgement as every other way in (deck_image_attach). */
static bool acceptable(const struct fetch_config *cfg, const unsigned char *d, size_t len,
                       char *why, size_t whylen)
{
    return imghdr_check(d, len, cfg->max_image_pixels, NULL, why, whylen) == 0;
}

/* img has failed (img->why says why): counted, remembered, logged once. */
static void count_failure(const struct deck_image *img, struct image_pass *p,
                          bool transient)
{
    p->failed++;
    if (transient)
        p->transient++;
    else
        url_list_add(&p->perm, img->url);
    const char *why = img->why ? img->why : "out of memory";
    if (p->quiet)
        LOG_DBG("image %s: %s", img->url, why);
    else
        LOG_WARN("image %s: %s", img->url, why);
}

static void image_failed(struct deck_image *img, struct image_pass *p, bool transient,
                         const char *why)
{
    deck_image_fail(img, false, why);
    count_failure(img, p, transient);
}

static void image_use(const struct fetch_config *cfg, struct deck_image *img,
                      struct image_pass *p, unsigned char *data, size_t len)
{
    if (deck_image_attach(img, data, len, cfg->max_image_pixels))
        p->budget -= len;
    else
        count_failure(img, p, false);
}

/* Bytes just read or downloaded: false (freed, img failed) when they
 * may not be shown. */
static bool check_body(const struct fetch_config *cfg, struct deck_image *img,
                       struct image_pass *p, struct http_resp *r)
{
    char why[256];
    if (acceptable(cfg, (unsigned char *)r->body, r->len, why, sizeof(why)))
        return true;
    http_resp_free(r);
    deck_image_fail(img, true, why);
    count_failure(img, p, false);
    return false;
}

/* An image of a local feed: a file next to it (or anywhere on disk). */
static void read_image(const struct fetch_config *cfg, struct deck_image *img,
                       struct image_pass *p, size_t cap)
{
    struct http_resp r;
    if (http_read_local(img->url, cap, &r) != HTTP_BODY)
        image_failed(img, p, r.transient, r.error);
    else if (check_body(cfg, img, p, &r))
        image_use(cfg, img, p, (unsigned char *)r.body, r.len);
}

static void fetch_image(const struct fetch_config *cfg, struct http_client *http,
                        struct deck_image *img, struct image_pass *p)
{
    size_t cap = image_cap(cfg, p->budget);
    char why[256];
    if (cap == 0) {
        image_failed(img, p, false, "the deck's images exceed their total limit");
        return;
    }
    if (!http_is_http_url(img->url)) {
        if (http || !http_is_local_ref(img->url))
            image_failed(img, p, false, "not an http(s) URL");
        else
            read_image(cfg, img, p, cap);
        return;
    }

    unsigned char *cdata = NULL;
    size_t clen = 0;
    struct cache_image_meta cm = {0};
    bool cached = cfg->cache_dir && cache_read_image(cfg->cache_dir, img->url, cap,
                                                     &cdata, &clen, &cm) == 0;
    if (!cached && p->skip && url_list_has(p->skip, img->url)) {
        img->failed = true; /* 404, too big, not an image…: until the feed changes */
        p->failed++;
        url_list_add(&p->perm, img->url);
        return;
    }
    if (cached && !acceptable(cfg, cdata, clen, why, sizeof(why))) {
        free(cdata); /* limits may have changed since it was stored */
        cdata = NULL;
        cached = false;
    }
    if (cached && !p->revalidate) {
        image_use(cfg, img, p, cdata, clen);
        return;
    }
    struct http_resp r;
    enum http_outcome o = http_get(http, img->url, cached ? cm.etag : NULL,
                                   cached ? cm.last_modified : NULL, cap, &r);
    if (o == HTTP_NOT_MODIFIED) {
        image_use(cfg, img, p, cdata, clen);
        return;
    }
    if (o == HTTP_BODY) {
        free(cdata);
        if (!check_body(cfg, img, p, &r))
            return;
        if (cfg->cache_dir) {
            int e = cache_write_image(cfg->cache_dir, img->url, r.body, r.len, r.etag,
                                      r.last_modified);
            if (e < 0)
                LOG_WARN("caching image %s: %s", img->url, file_strerror(e));
        }
        p->downloaded++;
        image_use(cfg, img, p, (unsigned char *)r.body, r.len);
        return;
    }
    if (cached && r.transient) {
        /* The server is having a bad moment; the copy we have is the
         * best there is. */
        LOG_DBG("image %s: %s; using the cached copy", img->url, r.error);
        image_use(cfg, img, p, cdata, clen);
        return;
    }
    free(cdata);
    image_failed(img, p, r.transient, r.error);
}

bool fetch_images(const struct fetch_config *cfg, struct http_client *http,
                  const atomic_bool *stop, struct deck *d, struct image_pass *p)
{
    p->budget = cfg->max_deck_image_bytes;
    for (size_t i = 0; i < d->n_images; i++) {
        if (atomic_load(stop))
            return false;
        fetch_image(cfg, http, &d->images[i], p);
    }
    return !atomic_load(stop);
}

int fetch_images_cached(const struct fetch_config *cfg, struct deck *d)
{
    size_t budget = cfg->max_deck_image_bytes;
    int missing = 0;
    for (size_t i = 0; i < d->n_images; i++) {
        struct deck_image *img = &d->images[i];
        size_t cap = image_cap(cfg, budget);
        unsigned char *data;
        size_t dlen;
        if (http_is_http_url(img->url) &&
            cache_read_image(cfg->cache_dir, img->url, cap, &data, &dlen, NULL) == 0) {
            if (deck_image_attach(img, data, dlen, cfg->max_image_pixels)) {
                budget -= dlen;
                continue;
            }
            LOG_WARN("cached image %s: %s", img->url, img->why ? img->why : "refused");
        }
        img->failed = true;
        missing++;
    }
    return missing;
}
