/* httprecv: a response as libcurl hands it over, piece by piece, each in
 * a buffer of exactly its size (so a read past one fails under ASan). */
#include "testutil.h"

#include <curl/curl.h>

#include "http.h"
#include "httprecv.h"

static void header(struct http_recv *x, const char *line)
{
    size_t n = strlen(line);
    char *buf = malloc(n);
    assert_non_null(buf);
    memcpy(buf, line, n);
    assert_int_equal(http_recv_header(x, buf, n), n);
    free(buf);
}

static const struct http_options opt = {.connect_timeout_s = 10, .total_timeout_s = 60};

static void test_validators(void **state)
{
    (void)state;
    struct http_resp r = {0};
    struct http_recv x;
    http_recv_start(&x, &r, 1000);
    header(&x, "HTTP/1.1 301 Moved\r\n");
    header(&x, "ETag: \"old\"\r\n");
    header(&x, "\r\n");
    assert_string_equal(r.etag, "\"old\"");
    /* the last response's validators only */
    header(&x, "HTTP/1.1 200 OK\r\n");
    assert_string_equal(r.etag, "");
    header(&x, "etag:  \"v1\" \r\n");
    header(&x, "Last-Modified: Sat, 05 Dec 2026 04:00:00 GMT\r\n");
    assert_string_equal(r.etag, "\"v1\"");
    assert_string_equal(r.last_modified, "Sat, 05 Dec 2026 04:00:00 GMT");
    /* a value with a control character is dropped, not cut */
    header(&x, "ETag: \"a\x01" "b\"\r\n");
    assert_string_equal(r.etag, "");
    header(&x, "Last-Modified: x\x7f\r\n");
    assert_string_equal(r.last_modified, "");
    /* too long to send back: dropped */
    char line[400];
    snprintf(line, sizeof(line), "ETag: \"%0300d\"\r\n", 7);
    header(&x, line);
    assert_string_equal(r.etag, "");
    header(&x, "\r\n");
    assert_true(x.headers_done);
}

static void test_body_cap(void **state)
{
    (void)state;
    struct http_resp r = {0};
    struct http_recv x;
    http_recv_start(&x, &r, 10);
    r.status = 200;
    assert_int_equal(http_recv_body(&x, "12345", 5, -1), 5);
    assert_int_equal(http_recv_body(&x, "67890", 5, -1), 5);
    assert_int_equal(http_recv_body(&x, "!", 1, -1), 0);
    assert_true(x.too_big);
    assert_int_equal(http_recv_finish(&x, CURLE_WRITE_ERROR, "", true, false, &opt),
                     HTTP_FAILED);
    assert_string_equal(r.kind, "too-big");
    assert_null(r.body);

    /* announced too big: refused before any byte */
    http_recv_start(&x, &r, 10);
    assert_int_equal(http_recv_body(&x, "1", 1, 11), 0);
    assert_true(x.too_big);

    /* within the cap: a NUL-terminated body */
    http_recv_start(&x, &r, 10);
    r.status = 200;
    assert_int_equal(http_recv_body(&x, "{}", 2, 2), 2);
    assert_int_equal(http_recv_finish(&x, CURLE_OK, "", true, false, &opt), HTTP_BODY);
    assert_string_equal(r.body, "{}");
    assert_int_equal(r.len, 2);
    http_resp_free(&r);
}

static void test_outcomes(void **state)
{
    (void)state;
    struct http_resp r = {0};
    struct http_recv x;
    http_recv_start(&x, &r, 10);
    r.status = 304;
    assert_int_equal(http_recv_finish(&x, CURLE_OK, "", true, true, &opt),
                     HTTP_NOT_MODIFIED);
    http_recv_start(&x, &r, 10);
    r.status = 304;
    assert_int_equal(http_recv_finish(&x, CURLE_OK, "", true, false, &opt), HTTP_FAILED);
    assert_string_equal(r.kind, "http-304");
    http_recv_start(&x, &r, 10);
    r.status = 503;
    assert_int_equal(http_recv_finish(&x, CURLE_HTTP_RETURNED_ERROR, "", true, false, &opt),
                     HTTP_FAILED);
    assert_string_equal(r.kind, "http-503");
    assert_true(r.transient);
    http_recv_start(&x, &r, 10);
    r.status = 200;
    assert_int_equal(http_recv_finish(&x, CURLE_OK, "", true, false, &opt), HTTP_BODY);
    assert_string_equal(r.body, "");
    http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
