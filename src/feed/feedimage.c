#include "feedimage.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <stdio.h>

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
                      const struct jsonpos *p, const char *pin)
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
    snprintf(c->refs[c->n_refs].pin, sizeof(c->refs[c->n_refs].pin), "%s", pin);
    c->n_refs++;
}

bool feedimage_pin(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, char pin[65])
{
    char name[64];
    snprintf(name, sizeof(name), "%s_sha256", key);
    pin[0] = '\0';
    struct feedval_field f;
    bool ok = true;
    if (feedval_field(c, obj, po, name, &f)) {
        const char *s = json_string_value(f.v);
        size_t n = s ? strlen(s) : 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = isxdigit((unsigned char)s[i]);
        if (!ok || n != 64) {
            feedval_err(c, f.p,
                        "must be the image's SHA-256: 64 hexadecimal digits, as "
                        "sha256sum prints them");
            ok = false;
        } else {
            for (size_t i = 0; i < 64; i++)
                pin[i] = (char)tolower((unsigned char)s[i]);
            pin[64] = '\0';
        }
    }
    feedval_field_end(c, &f);
    return ok;
}

void feedimage_get(struct feedval *c, json_t *v, const struct jsonpos *p,
                   struct deck_image **slot, const char *pin)
{
    char *ref = NULL;
    if (!feedval_string(c, v, p, true, &ref))
        return;
    char *url = resolve_image(c, ref, p);
    free(ref);
    if (!url)
        return;
    if (!pin[0] && c->lim->require_pins) {
        /* The path ends in the image's own key ("slides[2].src"). */
        const char *dot = strrchr(c->path, '.');
        feedval_err(c, p,
                    "a signed feed must pin every image: add \"%s_sha256\" with the "
                    "file's SHA-256 (sha256sum prints it)",
                    dot ? dot + 1 : c->path);
    }
    add_image(c, slot, url, p, pin);
}

void feedimage_opt(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, bool required, struct deck_image **slot)
{
    char pin[65];
    bool pinned = feedimage_pin(c, obj, po, key, pin) && pin[0];
    struct feedval_field f;
    if (feedval_field(c, obj, po, key, &f)) {
        feedimage_get(c, f.v, f.p, slot, pin);
    } else if (required) {
        feedval_missing(c, &f);
    } else if (pinned) {
        feedval_err(c, f.p, "has \"%s_sha256\" but no \"%s\" image", key, key);
    }
    feedval_field_end(c, &f);
}

void feedimage_collect(struct feedval *c)
{
    struct deck *d = c->d;
    if (c->n_refs == 0)
        return;
    d->images = calloc(c->n_refs, sizeof(*d->images));
    d->n_images = 0;
    if (!d->images) {
        feedval_oom(c);
        return;
    }
    for (size_t i = 0; i < c->n_refs; i++) {
        size_t k = 0;
        while (k < d->n_images && strcmp(d->images[k].url, c->refs[i].url) != 0)
            k++;
        struct deck_image *im = &d->images[k];
        const char *pin = c->refs[i].pin;
        if (k < d->n_images && pin[0] && im->sha256[0] && strcmp(pin, im->sha256) != 0) {
            /* Reported at the second reference, under its own path. */
            struct jsonpos at = {.line = c->refs[i].line, .col = c->refs[i].col};
            char saved[sizeof(c->path)];
            size_t saved_len = c->plen;
            memcpy(saved, c->path, sizeof(saved));
            snprintf(c->path, sizeof(c->path), "%s", c->refs[i].field ? c->refs[i].field : "");
            c->plen = strlen(c->path);
            feedval_err(c, at.line ? &at : NULL,
                        "this image is pinned to another SHA-256 at %s (%.12s… here, "
                        "%.12s… there)",
                        im->field ? im->field : "an earlier field", pin, im->sha256);
            memcpy(c->path, saved, sizeof(saved));
            c->plen = saved_len;
        }
        if (pin[0] && !im->sha256[0])
            memcpy(im->sha256, pin, sizeof(im->sha256));
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
