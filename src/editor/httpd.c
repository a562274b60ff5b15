#define LOG_MODULE "httpd"
#include "httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <zlib.h>

#include "log.h"

/* The page may load only itself: no inline script, no other origin. */
#define CSP                                                                               \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " \
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/* How much of a body over its cap is still read (and dropped) before the
 * 413; beyond that the connection is closed at once. */
#define DRAIN_MAX ((size_t)16 * 1024 * 1024)

struct httpd {
    struct MHD_Daemon *d;
    struct httpd_opts o;
    char *cert, *key; /* kept while the daemon runs */
    int port;
};

/* One request while its body arrives. */
struct pending {
    char *body;
    size_t len, cap, max;
    size_t drained; /* bytes read and dropped after the cap */
    bool too_large;
};

const char *httpd_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *httpd_cookie(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *httpd_arg(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static void common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
}

int httpd_reply(struct http_req *r, int status, const char *type, const void *data,
                size_t len, const char *const *extra)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    common_headers(resp);
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    for (size_t i = 0; extra && extra[i] && extra[i + 1]; i += 2)
        MHD_add_response_header(resp, extra[i], extra[i + 1]);
    int ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    return ret;
}

int httpd_json(struct http_req *r, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return httpd_reply(r, 500, "application/json", "{\"error\":\"out of memory\"}", 25,
                           NULL);
    static const char *const hdr[] = {"Cache-Control", "no-store", NULL};
    int ret = httpd_reply(r, status, "application/json; charset=utf-8", text, strlen(text),
                          hdr);
    free(text);
    return ret;
}

int httpd_error(struct http_req *r, int status, const char *code, const char *zh,
                const char *en)
{
    return httpd_json(r, status,
                      json_pack("{s:s, s:s, s:s}", "error", zh, "error_en", en, "code", code));
}

static bool accepts_gzip(const struct http_req *r)
{
    const char *ae = httpd_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (!ae)
        return false;
    /* "gzip" listed and not with q=0. */
    const char *g = strcasestr(ae, "gzip");
    if (!g)
        return false;
    const char *q = g + 4;
    while (*q == ' ')
        q++;
    return !(strncmp(q, ";q=0", 4) == 0 && (q[4] == '\0' || q[4] == ',' || q[4] == ' ' ||
                                            strncmp(q + 4, ".0", 2) == 0));
}

static unsigned char *gzip(const void *data, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

/* Whether an If-None-Match list names tag (either encoding's). */
static bool etag_matches(const char *inm, const char *tag)
{
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    size_t tl = strlen(tag);
    for (const char *p = inm; (p = strstr(p, tag)); p += tl)
        if (p > inm && p[-1] == '"' && (p[tl] == '"' || strncmp(p + tl, "-gz\"", 4) == 0))
            return true;
    return false;
}

int httpd_cached(struct http_req *r, const char *type, const void *data, size_t len,
                 const char *etag, long long mtime, bool compress, const char *cache_control)
{
    char lm[64] = "";
    if (mtime > 0) {
        time_t t = (time_t)mtime;
        struct tm tm;
        gmtime_r(&t, &tm);
        if (strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
            lm[0] = '\0';
    }
    bool gz = compress && accepts_gzip(r) && len > 256;
    char quoted[160];
    snprintf(quoted, sizeof(quoted), "\"%s%s\"", etag, gz ? "-gz" : "");
    const char *inm = httpd_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = httpd_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    bool fresh = inm ? etag_matches(inm, etag) : (ims && lm[0] && strcmp(ims, lm) == 0);
    const char *hdr[12];
    size_t n = 0;
    hdr[n++] = "ETag";
    hdr[n++] = quoted;
    if (lm[0]) {
        hdr[n++] = "Last-Modified";
        hdr[n++] = lm;
    }
    hdr[n++] = "Cache-Control";
    hdr[n++] = cache_control;
    if (compress) {
        hdr[n++] = "Vary";
        hdr[n++] = "Accept-Encoding";
    }
    if (fresh) {
        hdr[n] = NULL;
        return httpd_reply(r, 304, NULL, "", 0, hdr);
    }
    /* HEAD: MHD sends the headers (with the true length) and no body. */
    size_t zlen = 0;
    unsigned char *z = gz ? gzip(data, len, &zlen) : NULL;
    if (z) {
        hdr[n++] = "Content-Encoding";
        hdr[n++] = "gzip";
    }
    hdr[n] = NULL;
    int ret = z ? httpd_reply(r, 200, type, z, zlen, hdr) : httpd_reply(r, 200, type, data, len,
                                                                         hdr);
    free(z);
    return ret;
}

/* The client, or the last hop a trusted proxy names. */
static void client_addr(struct httpd *h, struct http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->addr, sizeof(r->addr), "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->addr, sizeof(r->addr));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->addr, sizeof(r->addr));
    }
    const char *xff = httpd_header(r, "X-Forwarded-For");
    const char *proto = httpd_header(r, "X-Forwarded-Proto");
    bool trusted = h->o.trusted_proxy && strcmp(r->addr, h->o.trusted_proxy) == 0;
    if (trusted && proto && strcmp(proto, "https") == 0)
        r->tls = true; /* the proxy speaks TLS for us: cookies get Secure */
    if (trusted && xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        if (*last && strlen(last) < sizeof(r->addr) && strspn(last, "0123456789abcdefABCDEF.:") ==
                                                            strlen(last))
            snprintf(r->addr, sizeof(r->addr), "%s", last);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct httpd *h = cls;
    struct pending *p = *con_cls;
    if (!p) {
        p = calloc(1, sizeof(*p));
        if (!p)
            return MHD_NO;
        *con_cls = p;
        p->max = h->o.upload_path && strcmp(url, h->o.upload_path) == 0 ? h->o.max_upload
                                                                         : h->o.max_body;
        /* A declared length beyond the cap is refused.  Up to a bound the
         * body is read and dropped first: a reverse proxy still sending it
         * would otherwise meet a closed connection and answer 502 instead
         * of our 413. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > p->max)
            p->too_large = true;
        if (h->o.early && !p->too_large) {
            struct http_req r = {.conn = conn, .method = method, .path = url,
                                 .tls = h->o.tls_cert != NULL};
            client_addr(h, &r);
            int ret;
            if (h->o.early(h->o.ctx, &r, &ret)) {
                LOG_DBG("%s %s %s -> %d (before the body)", r.addr, method, url, r.status);
                return ret == MHD_YES ? MHD_YES : MHD_NO;
            }
        }
        if (declared <= p->max + DRAIN_MAX)
            return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (p->too_large || n > p->max - p->len) {
            p->too_large = true;
            free(p->body);
            p->body = NULL;
            p->cap = 0;
            p->drained += n;
            /* Dropped bytes are only counted; past the bound, hang up. */
            return p->drained > p->max + DRAIN_MAX ? MHD_NO : MHD_YES;
        }
        if (!p->body || p->len + n + 1 > p->cap) {
            size_t cap = p->cap ? p->cap : 16384;
            while (cap < p->len + n + 1)
                cap *= 2;
            char *nb = realloc(p->body, cap);
            if (!nb)
                return MHD_NO;
            p->body = nb;
            p->cap = cap;
        }
        memcpy(p->body + p->len, upload_data, n);
        p->len += n;
        p->body[p->len] = '\0';
        return MHD_YES;
    }
    struct http_req r = {.conn = conn, .method = method, .path = url, .body = p->body,
                         .len = p->len, .tls = h->o.tls_cert != NULL};
    client_addr(h, &r);
    int ret;
    if (p->too_large) {
        char en[96], zh[128];
        snprintf(en, sizeof(en), "the request is larger than %zu KiB", p->max / 1024);
        snprintf(zh, sizeof(zh), "请求太大（上限 %zu KiB）", p->max / 1024);
        static const char *const close_hdr[] = {"Connection", "close", "Cache-Control",
                                                "no-store", NULL};
        char *text = NULL;
        json_t *j = json_pack("{s:s, s:s, s:s}", "error", zh, "error_en", en, "code",
                              "too_large");
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        ret = httpd_reply(&r, 413, "application/json; charset=utf-8", text ? text : "{}",
                          text ? strlen(text) : 2, close_hdr);
        free(text);
    } else {
        ret = h->o.handler(h->o.ctx, &r);
    }
    LOG_DBG("%s %s %s -> %d", r.addr, method, url, r.status);
    return ret == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct pending *p = *con_cls;
    if (p) {
        free(p->body);
        free(p);
        *con_cls = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    LOG_WARN("%s", msg);
}

struct httpd *httpd_start(const struct httpd_opts *o, char *err, size_t errlen)
{
    /* "host:port", "[v6]:port" */
    char host[128];
    const char *colon = strrchr(o->listen, ':');
    if (!colon || colon == o->listen || (size_t)(colon - o->listen) >= sizeof(host)) {
        snprintf(err, errlen, "listen %s: must be ADDRESS:PORT", o->listen);
        return NULL;
    }
    memcpy(host, o->listen, (size_t)(colon - o->listen));
    host[colon - o->listen] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int gr = getaddrinfo(host, colon + 1, &hints, &ai);
    if (gr != 0) {
        snprintf(err, errlen, "listen %s: %s (an IP address and a port are needed)",
                 o->listen, gai_strerror(gr));
        return NULL;
    }
    struct httpd *h = calloc(1, sizeof(*h));
    if (!h) {
        freeaddrinfo(ai);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->o = *o;
    unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (o->tls_cert) {
        flags |= MHD_USE_TLS;
        h->cert = strdup(o->tls_cert);
        h->key = strdup(o->tls_key);
    }
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
        {MHD_OPTION_END, 0, NULL},
    };
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, h, MHD_OPTION_CONNECTION_LIMIT, 64u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_ARRAY,
        o->tls_cert ? tls : &tls[2], MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!h->d) {
        snprintf(err, errlen, "cannot serve on %s (in use, or not an address of this machine%s)",
                 o->listen, o->tls_cert ? ", or the TLS certificate and key do not match" : "");
        httpd_stop(h);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : 0;
    return h;
}

int httpd_port(const struct httpd *h)
{
    return h->port;
}

void httpd_stop(struct httpd *h)
{
    if (!h)
        return;
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->cert);
    free(h->key);
    free(h);
}
