#define LOG_MODULE "fetch" /* one prefix for all of the feed download */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlfn.h"
#include "fileutil.h"
#include "log.h"

#ifndef EDUKIOSK_VERSION
#define EDUKIOSK_VERSION "dev"
#endif

struct http_client {
    CURL *curl;  /* NULL after http_client_drop: made again on the next GET */
    bool pooled; /* curl may hold a connection from an earlier request */
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
    bool headers_done; /* the current response's header is complete */
    bool connected;    /* set after the transfer: a connection was made */
    bool performed;    /* the request was sent (set-up went well) */
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
    if (!curlfn())
        return; /* logged */
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
    struct xfer *x = ud;
    struct http_resp *r = x->r;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        /* A new response of a redirect chain: only the last one's
         * validators describe the body. */
        r->etag[0] = '\0';
        r->last_modified[0] = '\0';
        x->headers_done = false;
    } else if (n <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
        x->headers_done = true;
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

/* How libcurl's failures read in the log and the status file: plain words
 * for whoever looks after the screen, curl's own text after them where it
 * names the detail (host, port, certificate problem). */
struct curl_error_text {
    CURLcode code;
    const char *kind; /* the state key: a change of kind is logged */
    bool transient;   /* may pass by itself: worth a retry */
    const char *text;
    bool detail; /* append curl's message */
};

#define STR_(x) #x
#define STR(x) STR_(x)
#define MAX_REDIRS 5
#define CERT_WORDS                                                                       \
    "the server's TLS certificate was not accepted (wrong name, expired, "               \
    "unknown issuer, or this device's clock is wrong)"

static const struct curl_error_text curl_errors[] = {
    {CURLE_COULDNT_RESOLVE_HOST, "dns", true, "the server's name could not be looked up",
     true},
    {CURLE_COULDNT_RESOLVE_PROXY, "dns", true, "the proxy's name could not be looked up",
     true},
    {CURLE_COULDNT_CONNECT, "connect", true,
     "connect failed: the server refused the connection or could not be reached", true},
    {CURLE_TOO_MANY_REDIRECTS, "redirects", false,
     "more than " STR(MAX_REDIRS) " redirects", false},
    {CURLE_UNSUPPORTED_PROTOCOL, "protocol", false,
     "refused (only http(s), and from https only https)", true},
    {CURLE_WEIRD_SERVER_REPLY, "bad-reply", true, "the server's reply is not valid HTTP",
     true},
    {CURLE_GOT_NOTHING, "empty-reply", true,
     "the server closed the connection without replying", false},
    {CURLE_SEND_ERROR, "network", true, "the connection broke while sending the request",
     true},
    {CURLE_RECV_ERROR, "network", true, "the connection broke while receiving the reply",
     true},
    {CURLE_PARTIAL_FILE, "truncated", true,
     "body cut short: the connection closed before all of it arrived", true},
    /* A Pi without an RTC may boot with a clock that makes every
     * certificate look invalid: retry, it may heal. */
    {CURLE_PEER_FAILED_VERIFICATION, "tls-cert", true, CERT_WORDS, true},
    {CURLE_SSL_ISSUER_ERROR, "tls-cert", true, CERT_WORDS, true},
    {CURLE_SSL_INVALIDCERTSTATUS, "tls-cert", true, CERT_WORDS, true},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, "tls-cert", false,
     "the server's TLS key is not the pinned one", true},
    {CURLE_SSL_CONNECT_ERROR, "tls", true, "the TLS handshake with the server failed",
     true},
    {CURLE_SSL_CACERT_BADFILE, "tls-ca", false,
     "the CA certificate file could not be read", true},
    {CURLE_SSL_CERTPROBLEM, "tls", false, "the local client certificate is unusable",
     true},
    {CURLE_BAD_CONTENT_ENCODING, "encoding", false,
     "the body could not be decompressed (damaged gzip or deflate data)", true},
    {CURLE_HTTP2, "http2", true, "HTTP/2 protocol error", true},
    {CURLE_HTTP2_STREAM, "http2", true, "HTTP/2 protocol error", true},
    {CURLE_URL_MALFORMAT, "url", false, "the URL is not valid", true},
    {CURLE_ABORTED_BY_CALLBACK, "stopped", true, "stopped", false},
    {CURLE_WRITE_ERROR, "memory", true, "out of memory while receiving the body", false},
    {CURLE_OUT_OF_MEMORY, "memory", true, "out of memory in libcurl", false},
};

static void fail_with(struct http_resp *r, const struct curl_error_text *e,
                      const char *detail)
{
    if (e->detail && detail[0])
        fail(r, e->kind, e->transient, "%s (%s)", e->text, detail);
    else
        fail(r, e->kind, e->transient, "%s", e->text);
}

/* libcurl keeps its header limits (100 kB a line, 300 kB in all before
 * 8.6) by failing with "out of memory" or a receive error: said as it is,
 * that sends an admin looking for RAM. */
static bool header_too_large(const struct xfer *x, CURLcode c, const char *errbuf)
{
    if (x->headers_done)
        return false;
#if LIBCURL_VERSION_NUM >= 0x080600
    if (c == CURLE_TOO_LARGE)
        return true;
#endif
    return c == CURLE_OUT_OF_MEMORY ||
           (c == CURLE_RECV_ERROR && strstr(errbuf, "header"));
}

static void classify(const struct xfer *x, CURLcode c, const char *errbuf,
                     const struct http_options *opt)
{
    struct http_resp *r = x->r;
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(c);
    if (c == CURLE_HTTP_RETURNED_ERROR) {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        bool transient = r->status >= 500 || r->status == 408 || r->status == 429;
        fail(r, kind, transient, "HTTP %ld", r->status);
        return;
    }
    if (x->too_big || c == CURLE_FILESIZE_EXCEEDED) {
        fail(r, "too-big", false, "larger than the limit of %zu bytes", x->cap);
        return;
    }
    if (header_too_large(x, c, errbuf)) {
        fail(r, "header-too-big", false,
             "the server's response header is too large (%s): a misconfigured server "
             "or proxy?",
             errbuf[0] ? errbuf : "over libcurl's limit of 100 kB a line");
        return;
    }
    if (c == CURLE_OPERATION_TIMEDOUT) {
        if (strstr(errbuf, "too slow"))
            fail(r, "too-slow", true, "too slow: under %ld bytes/s for %d s",
                 opt->low_speed_bytes, opt->low_speed_time_s);
        else if (x->connected)
            fail(r, "timeout", true, "timed out: no complete reply within %d s (%s)",
                 opt->total_timeout_s, detail);
        else
            fail(r, "timeout", true, "timed out connecting to the server (%s)", detail);
        return;
    }
    if (c == CURLE_UNSUPPORTED_PROTOCOL && !strstr(errbuf, "Protocol \"")) {
        /* Not a refused scheme but a reply libcurl cannot read (HTTP/0.9,
         * an unknown version): a broken server, or one whose previous
         * reply was longer than it said. */
        fail(r, "bad-reply", true, "the server's reply is not valid HTTP (%s)", detail);
        return;
    }
    for (size_t i = 0; i < sizeof(curl_errors) / sizeof(curl_errors[0]); i++) {
        if (curl_errors[i].code == c) {
            fail_with(r, &curl_errors[i], detail);
            return;
        }
    }
    char kind[32];
    snprintf(kind, sizeof(kind), "curl-%d", (int)c);
    fail(r, kind, true, "download failed (%s)", detail);
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
    SET(CURLOPT_MAXREDIRS, (long)MAX_REDIRS);
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

void http_client_drop(struct http_client *c)
{
    if (!c)
        return;
    /* The only way libcurl 7.88 offers to close an easy handle's cached
     * connections; its DNS and TLS session caches go with them. */
    curl_easy_cleanup(c->curl);
    c->curl = NULL;
    c->pooled = false;
}

/* Failures that may only mean the reused connection was out of step with
 * the server (the rest of an earlier, longer reply waiting on it, or a
 * close libcurl did not see): worth one more try on a new connection. */
static bool stale_connection(CURLcode c)
{
    return c == CURLE_UNSUPPORTED_PROTOCOL || c == CURLE_WEIRD_SERVER_REPLY ||
           c == CURLE_GOT_NOTHING || c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR ||
           c == CURLE_PARTIAL_FILE;
}

/* One request on the client's handle (made if needed); fills r and x. */
static CURLcode perform(struct http_client *cl, const char *url,
                        struct curl_slist *headers, size_t cap, struct http_resp *r,
                        struct xfer *x, char *errbuf)
{
    memset(r, 0, sizeof(*r));
    copy_str(r->url, sizeof(r->url), url);
    errbuf[0] = '\0';
    if (!cl->curl)
        cl->curl = curl_easy_init();
    CURL *h = cl->curl;
    *x = (struct xfer){.r = r, .curl = h, .stop = cl->stop, .cap = cap};
    if (!h)
        return CURLE_OUT_OF_MEMORY;
    curl_easy_reset(h);
    CURLcode c = setup(h, &cl->opt, url, x, headers, errbuf);
    if (c != CURLE_OK)
        return c;
    x->performed = true;
    c = curl_easy_perform(h);
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status) != CURLE_OK)
        r->status = 0;
    char *eff = NULL;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        copy_str(r->url, sizeof(r->url), eff);
    curl_off_t connect_us = 0;
    x->connected =
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK &&
        connect_us > 0;
    /* Unlink our stack buffers from the reused handle. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    return c;
}

enum http_outcome http_get(struct http_client *cl, const char *url, const char *etag,
                           const char *last_modified, size_t cap, struct http_resp *r)
{
    struct curl_slist *headers = NULL;
    bool ok = add_header(&headers, "If-None-Match", etag) &&
              add_header(&headers, "If-Modified-Since", last_modified);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct xfer x;
    CURLcode c = CURLE_OUT_OF_MEMORY;
    if (ok) {
        bool pooled = cl->pooled;
        c = perform(cl, url, headers, cap, r, &x, errbuf);
        if (c != CURLE_OK && pooled && stale_connection(c) && !x.too_big) {
            LOG_DBG("%s: %s on a reused connection; trying a new one", url,
                    errbuf[0] ? errbuf : curl_easy_strerror(c));
            http_resp_free(r);
            http_client_drop(cl);
            c = perform(cl, url, headers, cap, r, &x, errbuf);
        }
    } else {
        memset(r, 0, sizeof(*r));
        copy_str(r->url, sizeof(r->url), url);
        x = (struct xfer){.r = r, .cap = cap};
    }
    curl_slist_free_all(headers);
    /* A connection that saw an error is not trusted with the next
     * request: what is left on it would be read as the next reply. */
    if (c != CURLE_OK || (r->status != 200 && r->status != 304))
        http_client_drop(cl);
    else
        cl->pooled = true;

    if (c != CURLE_OK) {
        if (!x.performed)
            fail(r, "setup", true, "libcurl set-up: %s", curl_easy_strerror(c));
        else
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

/* The byte of the %XX escape at p: exactly two hex digits, else -1 (a
 * lone '%' stays as it is). */
static int pct_byte(const char *p)
{
    if (p[0] != '%' || !isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
        return -1;
    const char hex[3] = {p[1], p[2], '\0'};
    return (int)strtol(hex, NULL, 16);
}

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
        int v = url ? pct_byte(p) : -1;
        if (v > 0) {
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
