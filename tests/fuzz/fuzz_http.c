/* http: a response as the fetcher receives it, without a socket.  The
 * input is a made-up transfer: a flags byte (conditional request, a
 * connection made, the byte cap), libcurl's result code and error text,
 * the size of the body's pieces, then the raw response stream: the
 * header of each response of a redirect chain (1xx and 3xx ones are
 * followed by the next when it starts with "HTTP/"), then the body.  This
 * file does libcurl's part (cuts the stream into header lines and body
 * pieces, reads the status and Content-Length, fails a 4xx/5xx, a short
 * body or a stopped one as libcurl would) and hands each piece to the
 * same functions http.c's libcurl callbacks call (httprecv.h), then
 * checks the outcome against http.h: the validators of the last response
 * only, a body only with 200 and never over the cap, a failure always
 * with a message and a stable kind. */
#include <ctype.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http.h"
#include "httprecv.h"

static const size_t caps[] = {0, 1, 16, 100, 1000, 4096, 65536, 2u << 20};

/* The value of header `name` on line l[0..n) as http.h promises to keep
 * it: trimmed, "" when it could not be sent back verbatim; NULL when the
 * line is another header. */
static const char *expect_value(const char *l, size_t n, const char *name, size_t room,
                                char *out)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(l, name, nl) != 0 || l[nl] != ':')
        return NULL;
    size_t a = nl + 1, b = n;
    while (a < b && (l[a] == ' ' || l[a] == '\t'))
        a++;
    while (b > a && memchr(" \t\r\n", l[b - 1], 4))
        b--;
    out[0] = '\0';
    if (b - a >= room)
        return out;
    for (size_t i = a; i < b; i++)
        if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
            return out;
    memcpy(out, l + a, b - a);
    out[b - a] = '\0';
    return out;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned flags = fuzz_byte(&in);
    bool conditional = flags & 1, connected = flags & 2;
    size_t cap = caps[flags >> 2 & 7];
    unsigned code_sel = fuzz_byte(&in);
    int code = code_sel < 128 ? CURLE_OK : (int)(code_sel - 128);
    char errbuf[CURL_ERROR_SIZE];
    size_t el = fuzz_byte(&in) % sizeof(errbuf);
    if (el > in.n)
        el = in.n;
    memcpy(errbuf, in.p, el);
    errbuf[el] = '\0';
    in.p += el, in.n -= el;
    size_t piece = 1 + fuzz_byte(&in);

    struct http_resp r;
    memset(&r, 0, sizeof(r));
    struct http_recv x;
    http_recv_start(&x, &r, cap);

    /* The header lines, each in a buffer of its own length. */
    char etag[256] = "", lastmod[128] = "";
    long long content_length = -1;
    bool more = in.n >= 5 && memcmp(in.p, "HTTP/", 5) == 0;
    bool weird = !more, ended = false;
    while (more && in.n > 0) {
        const uint8_t *nl = memchr(in.p, '\n', in.n);
        size_t n = nl ? (size_t)(nl - in.p) + 1 : in.n;
        char *line = malloc(n);
        if (!line)
            abort();
        memcpy(line, in.p, n);
        in.p += n, in.n -= n;
        FUZZ_ASSERT(http_recv_header(&x, line, n) == n);
        char v[256];
        ended = false;
        if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
            etag[0] = lastmod[0] = '\0';
            content_length = -1;
            const char *sp = memchr(line, ' ', n);
            r.status = 0; /* libcurl's CURLINFO_RESPONSE_CODE */
            if (sp && (size_t)(sp - line) + 4 <= n && isdigit((unsigned char)sp[1]) &&
                isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
                r.status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
            else
                weird = true;
        } else if (n <= 2 && (line[0] == '\r' || line[0] == '\n')) {
            /* The end of one response's header: another follows an
             * interim or redirect response when it starts right away. */
            ended = true;
            more = (r.status / 100 == 1 || r.status / 100 == 3) && in.n >= 5 &&
                   memcmp(in.p, "HTTP/", 5) == 0;
        } else if (expect_value(line, n, "ETag", sizeof(etag), v)) {
            strcpy(etag, v);
        } else if (expect_value(line, n, "Last-Modified", sizeof(lastmod), v)) {
            strcpy(lastmod, v);
        } else if (n > 15 && strncasecmp(line, "Content-Length:", 15) == 0) {
            size_t i = 15;
            while (i < n && line[i] == ' ')
                i++;
            content_length = 0;
            for (; i < n && isdigit((unsigned char)line[i]) && content_length < (1LL << 40);
                 i++)
                content_length = content_length * 10 + (line[i] - '0');
        }
        free(line);
    }
    weird = weird || !ended; /* a header cut short */
    FUZZ_ASSERT(strcmp(r.etag, etag) == 0);
    FUZZ_ASSERT(strcmp(r.last_modified, lastmod) == 0);

    /* libcurl's part: a reply it cannot read, FAILONERROR, the body. */
    if (weird && code == CURLE_OK)
        code = CURLE_WEIRD_SERVER_REPLY;
    if (code == CURLE_OK && r.status >= 400)
        code = CURLE_HTTP_RETURNED_ERROR;
    if (code == CURLE_OK) {
        size_t got = 0;
        while (in.n > 0) {
            size_t n = in.n < piece ? in.n : piece;
            char *buf = malloc(n);
            if (!buf)
                abort();
            memcpy(buf, in.p, n);
            size_t took = http_recv_body(&x, buf, n, content_length);
            free(buf);
            if (took != n) {
                FUZZ_ASSERT(took == 0 && x.too_big);
                code = CURLE_WRITE_ERROR;
                break;
            }
            got += n;
            in.p += n, in.n -= n;
        }
        if (code == CURLE_OK && content_length >= 0 && (long long)got < content_length)
            code = CURLE_PARTIAL_FILE;
    }
    bool too_big = x.too_big;
    long status = r.status;
    struct http_options opt = {.connect_timeout_s = 10, .total_timeout_s = 60,
                               .low_speed_bytes = 100, .low_speed_time_s = 30};
    enum http_outcome o = http_recv_finish(&x, code, errbuf, connected, conditional, &opt);

    FUZZ_ASSERT(printable(r.etag) && printable(r.last_modified));
    switch (o) {
    case HTTP_BODY:
        FUZZ_ASSERT(code == CURLE_OK && status == 200 && !too_big);
        FUZZ_ASSERT(r.body && r.len <= cap && r.body[r.len] == '\0');
        break;
    case HTTP_NOT_MODIFIED:
        FUZZ_ASSERT(code == CURLE_OK && status == 304 && conditional && !r.body);
        break;
    case HTTP_FAILED:
        FUZZ_ASSERT(!r.body && r.error[0] && r.kind[0]);
        for (const char *k = r.kind; *k; k++)
            FUZZ_ASSERT(*k == '-' || isalnum((unsigned char)*k));
        if (too_big)
            FUZZ_ASSERT(strcmp(r.kind, "too-big") == 0);
        break;
    default:
        FUZZ_ASSERT(!"an outcome http.h does not name");
    }
    http_resp_free(&r);
    return 0;
}
