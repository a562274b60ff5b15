#include "httprecv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlfn.h"

void http_resp_fail(struct http_resp *r, const char *kind, bool transient, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    snprintf(r->kind, sizeof(r->kind), "%s", kind);
    r->transient = transient;
}

void http_recv_start(struct http_recv *x, struct http_resp *r, size_t cap)
{
    *x = (struct http_recv){.r = r, .cap = cap};
}

/* ------------------------------------------------------------------ */
/* What libcurl hands over                                              */

size_t http_recv_body(struct http_recv *x, const char *buf, size_t n,
                      long long content_length)
{
    struct http_resp *r = x->r;
    /* Refuse early what announces itself as too big (MAXFILESIZE does
     * this too; this also covers encodings it skips). */
    if (r->len == 0 && content_length > 0 && (unsigned long long)content_length > x->cap) {
        x->too_big = true;
        return 0;
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
    memcpy(r->body + r->len, buf, n);
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
    for (size_t i = 0; i < vl; i++) {
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
            vl = 0; /* reject */
            break;
        }
    }
    if (vl >= dstlen)
        vl = 0;
    memcpy(dst, p, vl);
    dst[vl] = '\0';
    return true;
}

size_t http_recv_header(struct http_recv *x, const char *buf, size_t n)
{
    struct http_resp *r = x->r;
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

/* ------------------------------------------------------------------ */
/* Failures in plain words                                              */

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
     "more than " STR(HTTP_MAX_REDIRS) " redirects", false},
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
        http_resp_fail(r, e->kind, e->transient, "%s (%s)", e->text, detail);
    else
        http_resp_fail(r, e->kind, e->transient, "%s", e->text);
}

/* libcurl keeps its header limits (100 kB a line, 300 kB in all before
 * 8.6) by failing with "out of memory" or a receive error: said as it is,
 * that sends an admin looking for RAM. */
static bool header_too_large(const struct http_recv *x, CURLcode c, const char *errbuf)
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

static void classify(const struct http_recv *x, CURLcode c, const char *errbuf,
                     bool connected, const struct http_options *opt)
{
    struct http_resp *r = x->r;
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(c);
    if (c == CURLE_HTTP_RETURNED_ERROR) {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        bool transient = r->status >= 500 || r->status == 408 || r->status == 429;
        http_resp_fail(r, kind, transient, "HTTP %ld", r->status);
        return;
    }
    if (x->too_big || c == CURLE_FILESIZE_EXCEEDED) {
        http_resp_fail(r, "too-big", false, "larger than the limit of %zu bytes", x->cap);
        return;
    }
    if (header_too_large(x, c, errbuf)) {
        http_resp_fail(r, "header-too-big", false,
             "the server's response header is too large (%s): a misconfigured server "
             "or proxy?",
             errbuf[0] ? errbuf : "over libcurl's limit of 100 kB a line");
        return;
    }
    if (c == CURLE_OPERATION_TIMEDOUT) {
        if (strstr(errbuf, "too slow"))
            http_resp_fail(r, "too-slow", true, "too slow: under %ld bytes/s for %d s",
                 opt->low_speed_bytes, opt->low_speed_time_s);
        else if (connected)
            http_resp_fail(r, "timeout", true, "timed out: no complete reply within %d s (%s)",
                 opt->total_timeout_s, detail);
        else
            http_resp_fail(r, "timeout", true, "timed out connecting to the server (%s)", detail);
        return;
    }
    if (c == CURLE_UNSUPPORTED_PROTOCOL && !strstr(errbuf, "Protocol \"")) {
        /* Not a refused scheme but a reply libcurl cannot read (HTTP/0.9,
         * an unknown version): a broken server, or one whose previous
         * reply was longer than it said. */
        http_resp_fail(r, "bad-reply", true, "the server's reply is not valid HTTP (%s)", detail);
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
    http_resp_fail(r, kind, true, "download failed (%s)", detail);
}

/* ------------------------------------------------------------------ */
/* The verdict                                                          */

enum http_outcome http_recv_finish(struct http_recv *x, int curl_code, const char *errbuf,
                                   bool connected, bool conditional,
                                   const struct http_options *opt)
{
    struct http_resp *r = x->r;
    CURLcode c = (CURLcode)curl_code;
    if (c != CURLE_OK) {
        classify(x, c, errbuf, connected, opt);
        http_resp_free(r);
        return HTTP_FAILED;
    }
    if (r->status == 304) {
        http_resp_free(r);
        if (!conditional) {
            http_resp_fail(r, "http-304", false, "HTTP 304 to an unconditional request");
            return HTTP_FAILED;
        }
        return HTTP_NOT_MODIFIED;
    }
    if (r->status != 200) {
        char kind[32];
        snprintf(kind, sizeof(kind), "http-%ld", r->status);
        http_resp_fail(r, kind, false, "unexpected HTTP status %ld", r->status);
        http_resp_free(r);
        return HTTP_FAILED;
    }
    if (!r->body) {
        r->body = malloc(1);
        if (!r->body) {
            http_resp_fail(r, "memory", true, "out of memory");
            return HTTP_FAILED;
        }
        r->body[0] = '\0';
    }
    return HTTP_BODY;
}
