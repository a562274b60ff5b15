/* httprecv: what one GET receives, in the order libcurl hands it over:
 * the header lines of each response of the redirect chain (libcurl
 * follows the Location itself), the body in pieces, then libcurl's result
 * code, which becomes the outcome with its message and kind.  No curl
 * handle and no I/O: http.c calls these from its libcurl callbacks, and
 * the fuzz target calls them with a made-up transfer.  One transfer
 * belongs to one thread.
 */
#ifndef EDUKIOSK_HTTPRECV_H
#define EDUKIOSK_HTTPRECV_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

/* libcurl follows at most this many redirects. */
#define HTTP_MAX_REDIRS 5

struct http_recv {
    struct http_resp *r;
    size_t cap, alloc;
    bool too_big;      /* the body passed cap (or announced it would) */
    bool headers_done; /* the current response's header is complete */
};

/* Starts receiving into r (its body, validators and status; r->url is
 * left alone) with a cap of cap bytes. */
void http_recv_start(struct http_recv *x, struct http_resp *r, size_t cap);

/* One header line buf[0..n) as libcurl passes it (with its CRLF; the
 * status line of each response of a redirect chain, then its fields, then
 * an empty line).  Keeps the last response's ETag and Last-Modified when
 * they can be sent back verbatim.  Returns n. */
size_t http_recv_header(struct http_recv *x, const char *buf, size_t n);

/* The next n bytes of the (decoded) body; content_length is what the
 * response announced (-1 when it did not).  Returns n, or 0 to stop the
 * transfer (too big, or out of memory). */
size_t http_recv_body(struct http_recv *x, const char *buf, size_t n,
                      long long content_length);

/* The end of a transfer that was sent: curl_code is libcurl's result
 * (CURLcode), errbuf its error text ("" for none), r->status the last
 * response's status; connected: a connection was made; conditional: the
 * request carried a validator.  Fills r's error and kind on failure and
 * frees the body unless the outcome is HTTP_BODY (then r->body is set,
 * "" for an empty one). */
enum http_outcome http_recv_finish(struct http_recv *x, int curl_code, const char *errbuf,
                                   bool connected, bool conditional,
                                   const struct http_options *opt);

/* r->error from fmt, r->kind and r->transient. */
void http_resp_fail(struct http_resp *r, const char *kind, bool transient, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

#endif
