#define LOG_MODULE "fetch" /* one prefix for all of the feed download */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileutil.h"
#include "log.h"

#ifndef EDUKIOSK_VERSION
#define EDUKIOSK_VERSION "dev"
#endif

#define MAX_REDIRS 5L

struct http_client {
    CURL *curl;
    const atomic_bool *stop;
    struct http_options opt; /* opt.ca_file is ca_file */
    char *ca_file;
};

/* One transfer in progress: what the libcurl callbacks see. */
struct xfer {
    struct http_resp *r;
    CURL *curl;
    const atomic_bool *stop;
    size_t cap, alloc;
    bool too_big;
};

static void copy_str(char *dst, size_t dstlen, const char *src)
{
    snprintf(dst, dstlen, "%s", src ? src : "");
}

bool http_is_http_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

bool http_is_local_ref(const char *url)
{
    if (strncasecmp(url, "file://", 7) == 0)
        return true;
    return !strstr(url, "://");
}

/* ------------------------------------------------------------------ */
/* Library and client set-up                                            */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = -1;

static void global_init_once(void)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK)
        LOG_ERR("curl_global_init: %s", curl_easy_strerror(c));
    global_rc = c == CURLE_OK ? 0 : -1;
}

int http_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_rc;
}

void http_global_cleanup(void)
{
    if (global_rc == 0)
        curl_global_cleanup();
    global_rc = -1;
}

struct http_client *http_client_new(const struct http_options *opt,
                                    const atomic_bool *stop)
{
    if (http_global_init() < 0)
        return NULL;
    struct http_client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->stop = stop;
    c->opt = *opt;
    bool ok = true;
    if (opt->ca_file) {
        c->ca_file = strdup(opt->ca_file);
        ok = c->ca_file != NULL;
    }
    c->opt.ca_file = c->ca_file;
    c->curl = ok ? curl_easy_init() : NULL;
    if (!c->curl) {
        http_client_free(c);
        return NULL;
    }
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c->ca_file);
    free(c);
}

void http_resp_free(struct http_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

static void fail(struct http_resp *r, const char *kind, bool transient, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

static void fail(struct http_resp *r, const char *kind, bool transient, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    copy_str(r->kind, sizeof(r->kind), kind);
    r->transient = transient;
}

/* ------------------------------------------------------------------ */
/* libcurl callbacks                                                     */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    struct http_resp *r = x->r;
    size_t n = size * nmemb;
    if (r->len == 0) {
        /* Refuse early what announces itself as too big (MAXFILESIZE
         * does this too; this also covers encodings it skips). */
        curl_off_t cl = -1;
        if (curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) ==
                CURLE_OK &&
            cl > 0 && (uint64_t)cl > x->cap) {
            x->too_big = true;
            return 0;
        }
    }
    /* Counted after decoding, so a small gzip bomb is stopped too. */
    if (n > x->cap - r->len) {
        x->too_big = true;
        return 0;
    }
    if (r->len + n + 1 > x->alloc) {
        size_t want = x->alloc ? x->alloc * 2 : 16384;
        if (want < r->len + n + 1)
            want = r->len + n + 1;
        if (want > x->cap + 1)
            want = x->cap + 1;
        char *nb = realloc(r->body, want);
        if (!nb)
            return 0;
        r->body = nb;
        x->alloc = want;
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
    struct http_resp *r = ((struct xfer *)ud)->r;
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
    struct xfer *x = ud;
    return x->stop && atomic_load(x->stop) ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* One GET                                                               */

static void classify(const struct xfer *x, CURLcode c, const char *errbuf,
                     const struct http_options *opt)
{
    struct http_resp *r = x->r;
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
        if (x->too_big || c == CURLE_FILESIZE_EXCEEDED) {
            fail(r, "too-big", false, "larger than the limit of %zu bytes", x->cap);
            return;
        }
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        fail(r, "stopped", true, "stopped");
        return;
    case CURLE_OPERATION_TIMEDOUT:
        if (strstr(errbuf, "too slow")) {
            fail(r, "too-slow", true, "too slow: under %ld bytes/s for %d s",
                 opt->low_speed_bytes, opt->low_speed_time_s);
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
static CURLcode setup(CURL *h, const struct http_options *opt, const char *url,
                      struct xfer *x, struct curl_slist *headers, char *errbuf)
{
    static const char ua[] = "edukiosk/" EDUKIOSK_VERSION;
    CURLcode c = CURLE_OK;
#define SET(o, val)                                                                      \
    do {                                                                                 \
        if (c == CURLE_OK)                                                               \
            c = curl_easy_setopt(h, o, val);                                             \
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
    SET(CURLOPT_CONNECTTIMEOUT, (long)opt->connect_timeout_s);
    SET(CURLOPT_TIMEOUT, (long)opt->total_timeout_s);
    SET(CURLOPT_LOW_SPEED_LIMIT, opt->low_speed_bytes);
    SET(CURLOPT_LOW_SPEED_TIME, (long)opt->low_speed_time_s);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (opt->ca_file)
        SET(CURLOPT_CAINFO, opt->ca_file);
    SET(CURLOPT_USERAGENT, ua);
    SET(CURLOPT_FAILONERROR, 1L);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->cap);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, x);
    SET(CURLOPT_NOPROGRESS, 0L);
    if (headers)
        SET(CURLOPT_HTTPHEADER, headers);
#undef SET
    return c;
}

/* Appends "name: value" unless value is NULL or ""; false when out of
 * memory (the list is then unchanged). */
static bool add_header(struct curl_slist **headers, const char *name, const char *value)
{
    if (!value || !*value)
        return true;
    char line[512];
    snprintf(line, sizeof(line), "%s: %s", name, value);
    struct curl_slist *n = curl_slist_append(*headers, line);
    if (!n)
        return false;
    *headers = n;
    return true;
}

enum http_outcome http_get(struct http_client *cl, const char *url, const char *etag,
                           const char *last_modified, size_t cap, struct http_resp *r)
{
    memset(r, 0, sizeof(*r));
    copy_str(r->url, sizeof(r->url), url);
    struct xfer x = {.r = r, .curl = cl->curl, .stop = cl->stop, .cap = cap};
    CURL *h = cl->curl;

    struct curl_slist *headers = NULL;
    bool ok = add_header(&headers, "If-None-Match", etag) &&
              add_header(&headers, "If-Modified-Since", last_modified);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(h);
    CURLcode c = ok ? setup(h, &cl->opt, url, &x, headers, errbuf) : CURLE_OUT_OF_MEMORY;
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
        classify(&x, c, errbuf, &cl->opt);
        http_resp_free(r);
        return HTTP_FAILED;
    }
    if (r->status == 304) {
        http_resp_free(r);
        if (!etag && !last_modified) {
            fail(r, "http-304", false, "HTTP 304 to an unconditional request");
            return HTTP_FAILED;
        }
        return HTTP_NOT_MODIFIED;
    }
    if (r->status != 200) {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        fail(r, kind, false, "unexpected HTTP status %ld", r->status);
        http_resp_free(r);
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

/* ------------------------------------------------------------------ */
/* A local file                                                          */

enum http_outcome http_read_local(const char *ref, size_t cap, struct http_resp *r)
{
    memset(r, 0, sizeof(*r));
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
        fail(r, "file", e != -ENOENT, "%s: %s", path, file_strerror(e));
        return HTTP_FAILED;
    }
    return HTTP_BODY;
}
