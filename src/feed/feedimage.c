#include "feedimage.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlfn.h"

enum src_kind { SRC_PATH, SRC_FILE_URL, SRC_HTTP, SRC_BUILTIN };

static enum src_kind source_kind(const char *source)
{
    if (!source)
        return SRC_PATH;
    if (strcmp(source, "builtin") == 0)
        return SRC_BUILTIN;
    if (strncasecmp(source, "http://", 7) == 0 || strncasecmp(source, "https://", 8) == 0)
        return SRC_HTTP;
    if (strncasecmp(source, "file://", 7) == 0)
        return SRC_FILE_URL;
    return SRC_PATH;
}

/* The scheme of an absolute URL, lower-cased into buf; false if s is a
 * relative reference.  One letter is a Windows drive, not a scheme. */
static bool url_scheme(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return false;
    while (s[i] && s[i] != ':') {
        char ch = s[i];
        bool ok = ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.';
        if (!ok)
            return false;
        i++;
    }
    if (s[i] != ':' || i < 2 || i >= len)
        return false;
    for (size_t k = 0; k < i; k++)
        buf[k] = (char)(s[k] | ((s[k] >= 'A' && s[k] <= 'Z') ? 0x20 : 0));
    buf[i] = '\0';
    return true;
}

/* libcurl's URL parser resolves relative references (RFC 3986) and
 * normalises; its message explains a refusal. */
static char *curl_resolve(const char *base, const char *ref, const char **why)
{
    *why = "libcurl cannot be loaded";
    if (!curlfn())
        return NULL;
    CURLU *h = curl_url();
    char *got = NULL, *r = NULL;
    *why = "out of memory";
    if (!h)
        return NULL;
    CURLUcode rc = CURLUE_OK;
    if (base)
        rc = curl_url_set(h, CURLUPART_URL, base, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_set(h, CURLUPART_URL, ref, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_get(h, CURLUPART_URL, &got, 0);
    if (rc == CURLUE_OK) {
        r = strdup(got);
    } else {
        *why = curl_url_strerror(rc);
    }
    curl_free(got);
    curl_url_cleanup(h);
    return r;
}

static char *resolve_image(struct feedval *c, const char *ref, const struct jsonpos *p)
{
    char scheme[16];
    const char *why = NULL;
    char *r = NULL;
    bool has_scheme = url_scheme(ref, scheme, sizeof(scheme));
    enum src_kind kind = source_kind(c->source);
    bool local = kind == SRC_PATH || kind == SRC_FILE_URL;
    if (has_scheme) {
        bool web = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
        if (!web && !(local && strcmp(scheme, "file") == 0)) {
            if (local)
                feedval_err(
                    c, p,
                    "must be an http(s) or file URL, or a path relative to the feed");
            else
                feedval_err(c, p,
                            "must be an http(s) URL or a path relative to the feed "
                            "(a feed from the network may not use \"%s:\" images)",
                            scheme);
            return NULL;
        }
        r = curl_resolve(NULL, ref, &why);
    } else if (kind == SRC_HTTP || kind == SRC_FILE_URL) {
        r = curl_resolve(c->source, ref, &why);
    } else if (kind == SRC_BUILTIN || ref[0] == '/' || !c->source) {
        r = strdup(ref);
    } else {
        /* A local path: next to the feed file; the OS resolves "..". */
        const char *slash = strrchr(c->source, '/');
        size_t dl = slash ? (size_t)(slash - c->source) + 1 : 0;
        size_t rl = strlen(ref);
        r = malloc(dl + rl + 1);
        if (r) {
            memcpy(r, c->source, dl);
            memcpy(r + dl, ref, rl + 1);
        }
    }
    if (!r) {
        if (why && strcmp(why, "out of memory") != 0) {
            char q[64];
            feedval_err(c, p, "%s is not a valid URL (%s)", feedval_quote(ref, q), why);
        } else {
            feedval_oom(c);
        }
    }
    return r;
}

/* Where the reference is goes with it, so that --check can point at the
 * field when the picture behind it cannot be shown. */
static void add_image(struct feedval *c, struct deck_image **slot, char *url,
                      const struct jsonpos *p)
{
    if (c->n_refs == c->cap_refs) {
        size_t ncap = c->cap_refs ? c->cap_refs * 2 : 8;
        struct feedimage_ref *nf = realloc(c->refs, ncap * sizeof(*nf));
        if (!nf) {
            free(url);
            feedval_oom(c);
            return;
        }
        c->refs = nf;
        c->cap_refs = ncap;
    }
    c->refs[c->n_refs] = (struct feedimage_ref){.slot = slot,
                                                .url = url,
                                                .field = strdup(c->path),
                                                .line = p ? p->line : 0,
                                                .col = p ? p->col : 0};
    c->n_refs++;
}

void feedimage_get(struct feedval *c, json_t *v, const struct jsonpos *p,
                   struct deck_image **slot)
{
    char *ref = NULL;
    if (!feedval_string(c, v, p, true, &ref))
        return;
    char *url = resolve_image(c, ref, p);
    free(ref);
    if (url)
        add_image(c, slot, url, p);
}

void feedimage_opt(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, bool required, struct deck_image **slot)
{
    struct feedval_field f;
    if (feedval_field(c, obj, po, key, &f))
        feedimage_get(c, f.v, f.p, slot);
    else if (required)
        feedval_missing(c, &f);
    feedval_field_end(c, &f);
}

void feedimage_collect(struct feedval *c)
{
    struct deck *d = c->d;
    if (c->n_refs == 0)
        return;
    d->images = calloc(c->n_refs, sizeof(*d->images));
    if (!d->images) {
        feedval_oom(c);
        return;
    }
    for (size_t i = 0; i < c->n_refs; i++) {
        size_t k = 0;
        while (k < d->n_images && strcmp(d->images[k].url, c->refs[i].url) != 0)
            k++;
        if (k == d->n_images) {
            d->images[k].url = c->refs[i].url;
            d->images[k].field = c->refs[i].field;
            d->images[k].line = c->refs[i].line;
            d->images[k].col = c->refs[i].col;
            d->n_images++;
        } else {
            free(c->refs[i].url);
            free(c->refs[i].field);
        }
        c->refs[i].url = c->refs[i].field = NULL;
        *c->refs[i].slot = &d->images[k];
    }
}

void feedimage_release(struct feedval *c)
{
    for (size_t i = 0; i < c->n_refs; i++) {
        free(c->refs[i].url);
        free(c->refs[i].field);
    }
    free(c->refs);
    c->refs = NULL;
    c->n_refs = c->cap_refs = 0;
}
