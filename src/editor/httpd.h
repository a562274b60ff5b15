/* httpd: the editor's HTTP server on libmicrohttpd: one thread per
 * connection, bodies collected up to a cap, every response with the same
 * security headers, files served with ETag, Last-Modified and gzip.
 * What a request means is api.c's business: httpd hands it a whole
 * request and answers what the handler queues. */
#ifndef EDUKIOSK_HTTPD_H
#define EDUKIOSK_HTTPD_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

struct http_req {
    struct MHD_Connection *conn;
    const char *method;  /* "GET", "POST", … */
    const char *path;    /* the URL's path, as sent (no query) */
    char *body;          /* NUL-terminated; NULL when empty */
    size_t len;
    bool tls;
    char addr[64];       /* the client's address (X-Forwarded-For of a trusted proxy) */
    int status;          /* what was answered, for the log */
};

/* The handler answers every request with one of the httpd_* calls below
 * and returns what that call returned. */
typedef int (*http_handler)(void *ctx, struct http_req *req);

struct httpd_opts {
    const char *listen;        /* "ADDR:PORT" or "[V6]:PORT" */
    const char *tls_cert, *tls_key; /* PEM text, or NULL */
    const char *trusted_proxy; /* or NULL */
    size_t max_body;           /* larger bodies: 413 */
    const char *upload_path;   /* this path takes up to max_upload instead */
    size_t max_upload;
    http_handler handler;
    /* Asked before a body is read (req->body NULL): answers and returns
     * non-zero to refuse the request at once (no log-in: its upload is not
     * read), or returns 0 to go on.  May be NULL. */
    int (*early)(void *ctx, struct http_req *req, int *ret);
    void *ctx;
};

struct httpd;
/* Starts serving (threads of its own).  NULL with err set. */
struct httpd *httpd_start(const struct httpd_opts *o, char *err, size_t errlen);
/* The port it listens on (the one picked for port 0). */
int httpd_port(const struct httpd *h);
void httpd_stop(struct httpd *h); /* accepts NULL */

/* Request header / cookie / query argument, or NULL. */
const char *httpd_header(const struct http_req *r, const char *name);
const char *httpd_cookie(const struct http_req *r, const char *name);
const char *httpd_arg(const struct http_req *r, const char *name);

/* Answers with a copy of data[0..len); extra_headers: NULL-terminated
 * name, value pairs (may be NULL). */
int httpd_reply(struct http_req *r, int status, const char *type, const void *data,
                size_t len, const char *const *extra_headers);
/* Answers with j (a reference is taken over: it is freed). */
int httpd_json(struct http_req *r, int status, json_t *j);
/* {"error": zh, "error_en": en, "code": code} */
int httpd_error(struct http_req *r, int status, const char *code, const char *zh,
                const char *en);
/* Answers with bytes that may be cached: ETag (etag, quoted here),
 * Last-Modified (mtime, 0 = none), 304 to a matching If-None-Match or
 * If-Modified-Since, gzip when `compress` and the client accepts it. */
int httpd_cached(struct http_req *r, const char *type, const void *data, size_t len,
                 const char *etag, long long mtime, bool compress, const char *cache_control);
#endif
