/* http: one download of a feed or an image.  A client keeps one libcurl
 * easy handle, so connections, DNS and TLS sessions are reused between
 * requests; a failed request closes them, and one that failed on a reused
 * connection in a way that suggests it was out of step with the server is
 * tried once more on a new one.  Each GET: http(s) only and, once asked
 * over https, https only (redirects included), at most 5 redirects, a byte
 * cap counted after decoding, connect / total / low-speed timeouts,
 * optional conditional headers; every failure becomes a message in plain
 * words (libcurl's own text appended where it names the detail) and a
 * stable kind.
 *
 * A local feed (a path or file:// URL) is read into the same result, with
 * the same cap and error kinds, so the poller treats both alike. */
#ifndef EDUKIOSK_HTTP_H
#define EDUKIOSK_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct http_options {
    const char *ca_file; /* NULL = system default; copied */
    int connect_timeout_s, total_timeout_s;
    /* Abort a transfer slower than low_speed_bytes per second for
     * low_speed_time_s seconds. */
    long low_speed_bytes;
    int low_speed_time_s;
};

enum http_outcome { HTTP_BODY, HTTP_NOT_MODIFIED, HTTP_FAILED };

struct http_resp {
    char *body; /* HTTP_BODY: NUL-terminated, owned; otherwise NULL */
    size_t len;
    long status;                        /* 0 when there was no HTTP response */
    char etag[256], last_modified[128]; /* the body's validators; "" = none */
    char url[2048];                     /* after redirects */
    /* HTTP_FAILED only: */
    char error[512]; /* for the log and the status file */
    char kind[64];   /* stable name ("http-404", "timeout"…): did it change? */
    bool transient;  /* may pass by itself (network, server): worth a retry */
};

/* curl_global_init, once (later calls are no-ops).  0 or -1. */
int http_global_init(void);
/* curl_global_cleanup, after every client is freed; nothing here works
 * after it. */
void http_global_cleanup(void);

struct http_client;

/* A client with its own easy handle; opt is copied.  A transfer stops
 * soon after *stop (NULL = never) becomes true.  NULL on failure.  One
 * thread at a time. */
struct http_client *http_client_new(const struct http_options *opt,
                                    const atomic_bool *stop);
void http_client_free(struct http_client *c);
/* Closes the client's connections (and forgets its DNS and TLS sessions),
 * so the next request starts afresh: after a reply that did not add up,
 * whatever is left on the connection must not be read as the next one.
 * http_get does this itself after every failure.  Accepts NULL. */
void http_client_drop(struct http_client *c);

/* GET url into r (cap bytes at most).  etag / last_modified make the
 * request conditional: "" sends no header for that validator; both NULL
 * make it unconditional, and a 304 to it is then a failure.  r->body is
 * set only with HTTP_BODY; free it with http_resp_free. */
enum http_outcome http_get(struct http_client *c, const char *url, const char *etag,
                           const char *last_modified, size_t cap, struct http_resp *r);

/* A path or file:// URL (%XX escapes decoded) read like a download: the
 * same cap and error texts.  HTTP_BODY or HTTP_FAILED. */
enum http_outcome http_read_local(const char *ref, size_t cap, struct http_resp *r);

/* Frees r->body; r stays usable.  Accepts a response without a body. */
void http_resp_free(struct http_resp *r);

/* An http:// or https:// URL (any case). */
bool http_is_http_url(const char *url);
/* A path or file:// URL: something a local feed may name. */
bool http_is_local_ref(const char *url);

#endif
