#define LOG_MODULE "fetch"
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "cache.h"
#include "feed.h"
#include "fileutil.h"
#include "hash.h"
#include "log.h"

#ifndef EDUKIOSK_VERSION
#define EDUKIOSK_VERSION "dev"
#endif

#define MAX_REDIRS 5L
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

static bool is_http_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* A path or file:// URL: something a local feed may name. */
static bool is_local_ref(const char *url)
{
    if (strncasecmp(url, "file://", 7) == 0)
        return true;
    return !strstr(url, "://");
}

static void copy_str(char *dst, size_t dstlen, const char *src)
{
    snprintf(dst, dstlen, "%s", src ? src : "");
}

/* ------------------------------------------------------------------ */
/* Library set-up                                                       */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = -1;

static void global_init_once(void)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK)
        LOG_ERR("curl_global_init: %s", curl_easy_strerror(c));
    global_rc = c == CURLE_OK ? 0 : -1;
}

int fetch_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_rc;
}

void fetch_global_cleanup(void)
{
    if (global_rc == 0)
        curl_global_cleanup();
    global_rc = -1;
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
/* One HTTP GET                                                          */

enum http_outcome { HTTP_BODY, HTTP_NOT_MODIFIED, HTTP_FAILED };

struct resp {
    CURL *curl;
    atomic_bool *stop;
    size_t cap;
    char *body; /* NUL-terminated */
    size_t len, alloc;
    bool too_big;
    long status;
    char etag[256], last_modified[128];
    char url[2048]; /* after redirects */
    char error[512];
    char kind[64];  /* stable name of the error, for "did it change?" */
    bool transient; /* worth retrying before the content changes */
};

static void resp_free(struct resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = r->alloc = 0;
}

static void fail(struct resp *r, const char *kind, bool transient, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct resp *r, const char *kind, bool transient, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    copy_str(r->kind, sizeof(r->kind), kind);
    r->transient = transient;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct resp *r = ud;
    size_t n = size * nmemb;
    if (r->len == 0) {
        /* Refuse early what announces itself as too big (MAXFILESIZE
         * does this too; this also covers encodings it skips). */
        curl_off_t cl = -1;
        if (curl_easy_getinfo(r->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) ==
                CURLE_OK &&
            cl > 0 && (uint64_t)cl > r->cap) {
            r->too_big = true;
            return 0;
        }
    }
    /* Counted after decoding, so a small gzip bomb is stopped too. */
    if (n > r->cap - r->len) {
        r->too_big = true;
        return 0;
    }
    if (r->len + n + 1 > r->alloc) {
        size_t want = r->alloc ? r->alloc * 2 : 16384;
        if (want < r->len + n + 1)
            want = r->len + n + 1;
        if (want > r->cap + 1)
            want = r->cap + 1;
        char *nb = realloc(r->body, want);
        if (!nb)
            return 0;
        r->body = nb;
        r->alloc = want;
    }
    memcpy(r->body + r->len, ptr, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

/* Copies the value of header `name` from a raw header line.  A value
 * that is too long or has control characters is dropped: it could not be
 * sent back verbatim anyway. */
static bool header_value(const char *buf, size_t len, const char *name, char *dst,
                         size_t dstlen)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(buf, name, nl) != 0 || buf[nl] != ':')
        return false;
    const char *p = buf + nl + 1, *end = buf + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p &&
           (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vl = (size_t)(end - p);
    for (size_t i = 0; i < vl; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            vl = dstlen; /* reject */
    if (vl >= dstlen)
        vl = 0;
    memcpy(dst, p, vl);
    dst[vl] = '\0';
    return true;
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
    struct resp *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        /* A new response of a redirect chain: only the last one's
         * validators describe the body. */
        r->etag[0] = '\0';
        r->last_modified[0] = '\0';
    } else if (!header_value(buf, n, "ETag", r->etag, sizeof(r->etag))) {
        header_value(buf, n, "Last-Modified", r->last_modified, sizeof(r->last_modified));
    }
    return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    struct resp *r = ud;
    return r->stop && atomic_load(r->stop) ? 1 : 0;
}

static void classify(struct resp *r, CURLcode c, const char *errbuf,
                     const struct fetch_config *cfg)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(c);
    switch (c) {
    case CURLE_HTTP_RETURNED_ERROR: {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        bool transient = r->status >= 500 || r->status == 408 || r->status == 429;
        fail(r, kind, transient, "HTTP %ld", r->status);
        return;
    }
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (r->too_big || c == CURLE_FILESIZE_EXCEEDED) {
            fail(r, "too-big", false, "larger than the limit of %zu bytes", r->cap);
            return;
        }
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        fail(r, "stopped", true, "stopped");
        return;
    case CURLE_OPERATION_TIMEDOUT:
        if (strstr(errbuf, "too slow")) {
            fail(r, "too-slow", true, "too slow: under %ld bytes/s for %d s",
                 cfg->low_speed_bytes, cfg->low_speed_time_s);
            return;
        }
        fail(r, "timeout", true, "timed out: %s", detail);
        return;
    case CURLE_TOO_MANY_REDIRECTS:
        fail(r, "redirects", false, "more than %ld redirects", MAX_REDIRS);
        return;
    case CURLE_UNSUPPORTED_PROTOCOL:
        fail(r, "protocol", false,
             "refused (only http(s), and from https only https): %s", detail);
        return;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        fail(r, "dns", true, "name lookup failed: %s", detail);
        return;
    case CURLE_COULDNT_CONNECT:
        fail(r, "connect", true, "connect failed: %s", detail);
        return;
    case CURLE_PARTIAL_FILE:
        fail(r, "truncated", true, "body cut short: %s", detail);
        return;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        /* A Pi without an RTC may boot with a clock that makes every
         * certificate look invalid: retry, it may heal. */
        fail(r, "tls", true, "TLS: %s", detail);
        return;
    default:
        break;
    }
    char kind[32];
    snprintf(kind, sizeof(kind), "curl-%d", (int)c);
    fail(r, kind, true, "%s", detail);
}

/* Sets every option of one request: the handle is reset between requests
 * (connections, DNS and TLS session caches survive a reset). */
static CURLcode setup(CURL *h, const struct fetch_config *cfg, const char *url,
                      struct resp *r, struct curl_slist *headers, char *errbuf)
{
    static const char ua[] = "edukiosk/" EDUKIOSK_VERSION;
    CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                    \
    do {                                                                                 \
        if (c == CURLE_OK)                                                               \
            c = curl_easy_setopt(h, opt, val);                                           \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    /* What was asked for over https is not accepted over plain http:
     * on a school network anyone could then change what the screen says. */
    SET(CURLOPT_REDIR_PROTOCOLS_STR,
        strncasecmp(url, "https:", 6) == 0 ? "https" : "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, MAX_REDIRS);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout_s);
    SET(CURLOPT_TIMEOUT, (long)cfg->total_timeout_s);
    SET(CURLOPT_LOW_SPEED_LIMIT, cfg->low_speed_bytes);
    SET(CURLOPT_LOW_SPEED_TIME, (long)cfg->low_speed_time_s);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->ca_file)
        SET(CURLOPT_CAINFO, cfg->ca_file);
    SET(CURLOPT_USERAGENT, ua);
    SET(CURLOPT_FAILONERROR, 1L);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->cap);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, r);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, r);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, r);
    SET(CURLOPT_NOPROGRESS, 0L);
    if (headers)
        SET(CURLOPT_HTTPHEADER, headers);
#undef SET
    return c;
}

/* GET url into r (cap bytes at most).  etag / last_modified (NULL or "")
 * make it conditional. */
static enum http_outcome http_get(CURL *h, atomic_bool *stop,
                                  const struct fetch_config *cfg, const char *url,
                                  const char *etag, const char *last_modified, size_t cap,
                                  struct resp *r)
{
    memset(r, 0, sizeof(*r));
    r->curl = h;
    r->stop = stop;
    r->cap = cap;
    copy_str(r->url, sizeof(r->url), url);

    struct curl_slist *headers = NULL;
    char line[512];
    bool ok = true;
    if (etag && *etag) {
        snprintf(line, sizeof(line), "If-None-Match: %s", etag);
        struct curl_slist *n = curl_slist_append(headers, line);
        ok = n != NULL;
        headers = n ? n : headers;
    }
    if (ok && last_modified && *last_modified) {
        snprintf(line, sizeof(line), "If-Modified-Since: %s", last_modified);
        struct curl_slist *n = curl_slist_append(headers, line);
        ok = n != NULL;
        headers = n ? n : headers;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(h);
    CURLcode c = ok ? setup(h, cfg, url, r, headers, errbuf) : CURLE_OUT_OF_MEMORY;
    if (c != CURLE_OK) {
        curl_slist_free_all(headers);
        fail(r, "setup", true, "libcurl set-up: %s", curl_easy_strerror(c));
        return HTTP_FAILED;
    }
    c = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status) != CURLE_OK)
        r->status = 0;
    char *eff = NULL;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        copy_str(r->url, sizeof(r->url), eff);
    /* Unlink our stack buffers from the reused handle. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);

    if (c != CURLE_OK) {
        classify(r, c, errbuf, cfg);
        resp_free(r);
        return HTTP_FAILED;
    }
    if (r->status == 304) {
        resp_free(r);
        return HTTP_NOT_MODIFIED;
    }
    if (r->status != 200) {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        fail(r, kind, false, "unexpected HTTP status %ld", r->status);
        resp_free(r);
        return HTTP_FAILED;
    }
    if (!r->body) {
        r->body = malloc(1);
        if (!r->body) {
            fail(r, "memory", true, "out of memory");
            return HTTP_FAILED;
        }
        r->body[0] = '\0';
    }
    return HTTP_BODY;
}

/* A path or file:// URL read like a download (same cap, same errors). */
static enum http_outcome read_local(const char *ref, size_t cap, struct resp *r)
{
    memset(r, 0, sizeof(*r));
    r->cap = cap;
    copy_str(r->url, sizeof(r->url), ref);
    char path[4096];
    const char *p = ref;
    if (strncasecmp(p, "file://", 7) == 0) {
        p += 7;
        if (strncasecmp(p, "localhost/", 10) == 0)
            p += 9;
    }
    /* file:// URLs carry %XX escapes; plain paths are taken as they are. */
    size_t j = 0;
    bool url = p != ref;
    for (; *p && j + 1 < sizeof(path); p++) {
        unsigned int v;
        if (url && p[0] == '%' && sscanf(p + 1, "%2x", &v) == 1 && v != 0) {
            path[j++] = (char)v;
            p += 2;
        } else {
            path[j++] = *p;
        }
    }
    path[j] = '\0';
    int e = file_read(path, cap, &r->body, &r->len);
    if (e == -EFBIG) {
        fail(r, "too-big", false, "larger than the limit of %zu bytes", cap);
        return HTTP_FAILED;
    }
    if (e < 0) {
        fail(r, "file", e != -ENOENT, "%s: %s", path, strerror(-e));
        return HTTP_FAILED;
    }
    return HTTP_BODY;
}

/* ------------------------------------------------------------------ */
/* Image checks                                                          */

static unsigned long be16(const unsigned char *p)
{
    return (unsigned long)p[0] << 8 | p[1];
}
static unsigned long le16(const unsigned char *p)
{
    return (unsigned long)p[1] << 8 | p[0];
}
static unsigned long le24(const unsigned char *p)
{
    return le16(p) | (unsigned long)p[2] << 16;
}
static unsigned long be32(const unsigned char *p)
{
    return be16(p) << 16 | be16(p + 2);
}

static int jpeg_size(const unsigned char *d, size_t len, long *w, long *h)
{
    size_t i = 2;
    while (i + 1 < len) {
        if (d[i] != 0xff)
            return -1;
        while (i < len && d[i] == 0xff)
            i++; /* fill bytes */
        if (i >= len)
            return -1;
        unsigned m = d[i++];
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8))
            continue; /* markers without a length */
        if (m == 0xd9 || m == 0xda)
            return -1; /* image data before any frame header */
        if (i + 2 > len)
            return -1;
        size_t seg = be16(d + i);
        if (seg < 2)
            return -1;
        bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof) {
            if (seg < 7 || i + 7 > len)
                return -1;
            *h = (long)be16(d + i + 3);
            *w = (long)be16(d + i + 5);
            return 0;
        }
        i += seg;
    }
    return -1;
}

static int webp_size(const unsigned char *d, size_t len, long *w, long *h)
{
    if (len < 30)
        return -1;
    if (memcmp(d + 12, "VP8 ", 4) == 0) {
        if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a)
            return -1;
        *w = (long)(le16(d + 26) & 0x3fff);
        *h = (long)(le16(d + 28) & 0x3fff);
        return 0;
    }
    if (memcmp(d + 12, "VP8L", 4) == 0) {
        if (d[20] != 0x2f)
            return -1;
        unsigned long bits = (unsigned long)d[21] | (unsigned long)d[22] << 8 |
                             (unsigned long)d[23] << 16 | (unsigned long)d[24] << 24;
        *w = (long)(bits & 0x3fff) + 1;
        *h = (long)((bits >> 14) & 0x3fff) + 1;
        return 0;
    }
    if (memcmp(d + 12, "VP8X", 4) == 0) {
        *w = (long)le24(d + 24) + 1;
        *h = (long)le24(d + 27) + 1;
        return 0;
    }
    return -1;
}

int fetch_image_size(const unsigned char *d, size_t len, long *w, long *h)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int r = -1;
    *w = *h = 0;
    if (len >= 24 && memcmp(d, png_sig, 8) == 0) {
        if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
            return -1;
        unsigned long pw = be32(d + 16), ph = be32(d + 20);
        if (pw > 0x7fffffffUL || ph > 0x7fffffffUL)
            return -1; /* the PNG spec's own limit */
        *w = (long)pw;
        *h = (long)ph;
        r = 0;
    } else if (len >= 4 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
        r = jpeg_size(d, len, w, h);
    } else if (len >= 10 &&
               (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        *w = (long)le16(d + 6);
        *h = (long)le16(d + 8);
        r = 0;
    } else if (len >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        r = webp_size(d, len, w, h);
    }
    if (r == 0 && (*w <= 0 || *h <= 0))
        r = -1;
    return r;
}

/* Decides, before anyone decodes them, whether the bytes may be shown. */
static bool image_acceptable(const struct fetch_config *cfg, const unsigned char *d,
                             size_t len, char *why, size_t whylen)
{
    long w, h;
    if (fetch_image_size(d, len, &w, &h) < 0) {
        snprintf(why, whylen,
                 "not a PNG, JPEG, GIF or WebP image, or its header is damaged");
        return false;
    }
    if ((long long)w * h > cfg->max_image_pixels) {
        snprintf(why, whylen, "%ldx%ld pixels is more than the limit of %ld", w, h,
                 cfg->max_image_pixels);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* The fetcher                                                           */

/* A growable list of owned strings. */
struct strv {
    char **v;
    size_t n, cap;
};

static void strv_clear(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static bool strv_has(const struct strv *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], str) == 0)
            return true;
    return false;
}

/* Best effort: on out-of-memory the entry is just not remembered. */
static void strv_add(struct strv *s, const char *str)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        char **nv = realloc(s->v, ncap * sizeof(*nv));
        if (!nv)
            return;
        s->v = nv;
        s->cap = ncap;
    }
    char *d = strdup(str);
    if (d)
        s->v[s->n++] = d;
}

struct fetcher {
    struct fetch_config cfg; /* strings below are our copies */
    char *url, *cache_dir, *ca_file;
    struct fetch_callbacks cb;
    CURL *curl;
    bool http; /* url is http(s): cached, conditional */

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
    char disk_hash[65]; /* what the cache holds, consistently */
    bool retry_images;  /* the live deck lacks images that may come */
    struct strv skip;   /* its images that failed for good */
    char bad_hash[65];  /* the last invalid feed, not parsed twice */
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

struct image_pass {
    size_t budget; /* bytes left for this deck's images */
    int failed, downloaded, transient;
    bool revalidate;         /* ask the server about cached images too */
    bool quiet;              /* a retry pass: failures were logged before */
    const struct strv *skip; /* failed for good last time: not asked again */
    struct strv perm;        /* failed for good this time */
};

static void image_failed(struct deck_image *img, struct image_pass *p, bool transient,
                         const char *why)
{
    img->failed = true;
    p->failed++;
    if (transient)
        p->transient++;
    else
        strv_add(&p->perm, img->url);
    if (p->quiet)
        LOG_DBG("image %s: %s", img->url, why);
    else
        LOG_WARN("image %s: %s", img->url, why);
}

static void image_use(struct deck_image *img, struct image_pass *p, unsigned char *data,
                      size_t len)
{
    img->data = data;
    img->len = len;
    img->failed = false;
    p->budget -= len;
}

static void fetch_image(struct fetcher *f, struct deck_image *img, struct image_pass *p)
{
    size_t cap = f->cfg.max_image_bytes < p->budget ? f->cfg.max_image_bytes : p->budget;
    char why[256];
    if (cap == 0) {
        image_failed(img, p, false, "the deck's images exceed their total limit");
        return;
    }
    struct resp r;
    if (!is_http_url(img->url)) {
        if (f->http || !is_local_ref(img->url)) {
            image_failed(img, p, false, "not an http(s) URL");
            return;
        }
        if (read_local(img->url, cap, &r) != HTTP_BODY) {
            image_failed(img, p, r.transient, r.error);
            return;
        }
        if (!image_acceptable(&f->cfg, (unsigned char *)r.body, r.len, why,
                              sizeof(why))) {
            resp_free(&r);
            image_failed(img, p, false, why);
            return;
        }
        image_use(img, p, (unsigned char *)r.body, r.len);
        return;
    }

    unsigned char *cdata = NULL;
    size_t clen = 0;
    struct cache_image_meta cm = {0};
    bool cached = f->cache_dir &&
                  cache_read_image(f->cache_dir, img->url, cap, &cdata, &clen, &cm) == 0;
    if (!cached && p->skip && strv_has(p->skip, img->url)) {
        img->failed = true; /* 404, too big, not an image…: until the feed changes */
        p->failed++;
        strv_add(&p->perm, img->url);
        return;
    }
    if (cached && !image_acceptable(&f->cfg, cdata, clen, why, sizeof(why))) {
        free(cdata); /* limits may have changed since it was stored */
        cdata = NULL;
        cached = false;
    }
    if (cached && !p->revalidate) {
        image_use(img, p, cdata, clen);
        return;
    }
    enum http_outcome o =
        http_get(f->curl, &f->stop, &f->cfg, img->url, cached ? cm.etag : NULL,
                 cached ? cm.last_modified : NULL, cap, &r);
    if (o == HTTP_NOT_MODIFIED && cached) {
        image_use(img, p, cdata, clen);
        return;
    }
    if (o == HTTP_BODY) {
        free(cdata);
        if (!image_acceptable(&f->cfg, (unsigned char *)r.body, r.len, why,
                              sizeof(why))) {
            resp_free(&r);
            image_failed(img, p, false, why);
            return;
        }
        if (f->cache_dir) {
            int e = cache_write_image(f->cache_dir, img->url, r.body, r.len, r.etag,
                                      r.last_modified);
            if (e < 0)
                LOG_WARN("caching image %s: %s", img->url, strerror(-e));
        }
        p->downloaded++;
        image_use(img, p, (unsigned char *)r.body, r.len);
        return;
    }
    if (o == HTTP_NOT_MODIFIED)
        fail(&r, "http-304", false, "HTTP 304 to an unconditional request");
    if (cached && r.transient) {
        /* The server is having a bad moment; the copy we have is the
         * best there is. */
        LOG_DBG("image %s: %s; using the cached copy", img->url, r.error);
        image_use(img, p, cdata, clen);
        return;
    }
    free(cdata);
    image_failed(img, p, r.transient, r.error);
}

/* Fills every image of d; false if stopped midway. */
static bool fetch_images(struct fetcher *f, struct deck *d, struct image_pass *p)
{
    p->budget = f->cfg.max_deck_image_bytes;
    for (size_t i = 0; i < d->n_images; i++) {
        if (atomic_load(&f->stop))
            return false;
        fetch_image(f, &d->images[i], p);
    }
    return !atomic_load(&f->stop);
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
    if (!fetch_images(f, d, &p)) {
        strv_clear(&p.perm);
        deck_unref(d);
        return;
    }
    f->retry_images = p.transient > 0;
    strv_clear(&f->skip);
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

static void outcome_error(struct outcome *o, const struct resp *r)
{
    o->result = FETCH_ERROR;
    copy_str(o->error, sizeof(o->error), r->error);
    copy_str(o->kind, sizeof(o->kind), r->kind);
    o->backoff = true;
}

static void set_validators(struct fetcher *f, const struct resp *r)
{
    copy_str(f->etag, sizeof(f->etag), r->etag);
    copy_str(f->last_modified, sizeof(f->last_modified), r->last_modified);
}

/* A body that differs from the live deck's: parse, images, cache, hand
 * over.  Takes r->body on success. */
static void new_feed(struct fetcher *f, struct resp *r, const char *hash,
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
    if (!fetch_images(f, d, &p)) {
        strv_clear(&p.perm);
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
    strv_clear(&f->skip);
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
    struct resp r;
    enum http_outcome ho;
    bool cond = f->http && f->have_live;
    if (f->http)
        ho = http_get(f->curl, &f->stop, &f->cfg, f->url, cond ? f->etag : NULL,
                      cond ? f->last_modified : NULL, f->cfg.max_feed_bytes, &r);
    else
        ho = read_local(f->url, f->cfg.max_feed_bytes, &r);
    o->http_status = r.status;
    if (ho == HTTP_FAILED) {
        outcome_error(o, &r);
        return;
    }
    if (ho == HTTP_NOT_MODIFIED) {
        if (!cond) {
            fail(&r, "http-304", false, "HTTP 304 to an unconditional request");
            outcome_error(o, &r);
            return;
        }
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
        resp_free(&r);
        retry_images(f);
        return;
    }
    new_feed(f, &r, hash, o);
    resp_free(&r);
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
    f->http = is_http_url(cfg->url);
    /* Local feeds are read where they are; nothing to cache. */
    f->cache_dir = f->http ? dup_or_null(cfg->cache_dir, &ok) : NULL;
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
    f->curl = f->http ? curl_easy_init() : NULL;
    if (!ok || !lock_ok || !cond_ok || (f->http && !f->curl)) {
        LOG_ERR("cannot set up the fetcher");
        if (lock_ok)
            pthread_mutex_destroy(&f->lock);
        if (cond_ok)
            pthread_cond_destroy(&f->cond);
        curl_easy_cleanup(f->curl);
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
    curl_easy_cleanup(f->curl);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f->live_body);
    strv_clear(&f->skip);
    free(f->url);
    free(f->ca_file);
    free(f->cache_dir);
    free(f);
}

/* ------------------------------------------------------------------ */
/* Cached deck and one-shot fetch                                        */

struct deck *fetch_load_cached(const struct fetch_config *in)
{
    if (!in || !in->url || !in->cache_dir || !is_http_url(in->url))
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
    size_t budget = cfg.max_deck_image_bytes;
    int missing = 0;
    for (size_t i = 0; i < d->n_images; i++) {
        struct deck_image *img = &d->images[i];
        size_t cap = cfg.max_image_bytes < budget ? cfg.max_image_bytes : budget;
        unsigned char *data;
        size_t dlen;
        char why[256];
        if (is_http_url(img->url) &&
            cache_read_image(cfg.cache_dir, img->url, cap, &data, &dlen, NULL) == 0) {
            if (image_acceptable(&cfg, data, dlen, why, sizeof(why))) {
                img->data = data;
                img->len = dlen;
                budget -= dlen;
                continue;
            }
            free(data);
        }
        img->failed = true;
        missing++;
    }
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
    struct resp r;
    enum http_outcome o;
    if (is_http_url(url)) {
        if (fetch_global_init() < 0) {
            snprintf(err, errlen, "libcurl initialisation failed");
            return -1;
        }
        CURL *h = curl_easy_init();
        if (!h) {
            snprintf(err, errlen, "libcurl initialisation failed");
            return -1;
        }
        o = http_get(h, NULL, &cfg, url, NULL, NULL, cfg.max_feed_bytes, &r);
        curl_easy_cleanup(h);
    } else {
        o = read_local(url, cfg.max_feed_bytes, &r);
    }
    if (o != HTTP_BODY) {
        if (o == HTTP_NOT_MODIFIED)
            snprintf(r.error, sizeof(r.error), "HTTP 304 to an unconditional request");
        snprintf(err, errlen, "%s", r.error);
        return -1;
    }
    *data = r.body;
    *len = r.len;
    return 0;
}
