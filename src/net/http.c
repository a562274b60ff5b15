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
#include "httprecv.h"
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
    struct http_recv rc; /* the response as it arrives */
    CURL *curl;
    const atomic_bool *stop;
    bool connected; /* set after the transfer: a connection was made */
    bool performed; /* the request was sent (set-up went well) */
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

/* ------------------------------------------------------------------ */
/* libcurl callbacks                                                     */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    curl_off_t cl = -1;
    if (x->rc.r->len == 0 &&
        curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) != CURLE_OK)
        cl = -1;
    return http_recv_body(&x->rc, ptr, size * nmemb, (long long)cl);
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    return http_recv_header(&x->rc, buf, size * nmemb);
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
    SET(CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRS);
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
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->rc.cap);
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
    *x = (struct xfer){.curl = h, .stop = cl->stop};
    http_recv_start(&x->rc, r, cap);
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
        if (c != CURLE_OK && pooled && stale_connection(c) && !x.rc.too_big) {
            LOG_DBG("%s: %s on a reused connection; trying a new one", url,
                    errbuf[0] ? errbuf : curl_easy_strerror(c));
            http_resp_free(r);
            http_client_drop(cl);
            c = perform(cl, url, headers, cap, r, &x, errbuf);
        }
    } else {
        memset(r, 0, sizeof(*r));
        copy_str(r->url, sizeof(r->url), url);
        x = (struct xfer){0};
        http_recv_start(&x.rc, r, cap);
    }
    curl_slist_free_all(headers);
    /* A connection that saw an error is not trusted with the next
     * request: what is left on it would be read as the next reply. */
    if (c != CURLE_OK || (r->status != 200 && r->status != 304))
        http_client_drop(cl);
    else
        cl->pooled = true;

    if (c != CURLE_OK && !x.performed) {
        http_resp_fail(r, "setup", true, "libcurl set-up: %s", curl_easy_strerror(c));
        http_resp_free(r);
        return HTTP_FAILED;
    }
    return http_recv_finish(&x.rc, c, errbuf, x.connected, etag || last_modified, &cl->opt);
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
        http_resp_fail(r, "too-big", false, "larger than the limit of %zu bytes", cap);
        return HTTP_FAILED;
    }
    if (e < 0) {
        http_resp_fail(r, "file", e != -ENOENT, "%s: %s", path, file_strerror(e));
        return HTTP_FAILED;
    }
    return HTTP_BODY;
}
