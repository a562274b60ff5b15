#include "testutil.h"

#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "status.h"

static int setup_dir(void **state)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    return tu_tmpdir_setup(state);
}

/* A file the status module wrote: never empty. */
static char *slurp(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_true(len > 0);
    return text;
}

static json_t *load_json(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s:%d: %s", path, e.line, e.text);
    return j;
}

static const char *jstr(json_t *root, const char *obj, const char *key)
{
    json_t *o = obj ? json_object_get(root, obj) : root;
    assert_non_null(o);
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("%s.%s is not a string", obj ? obj : "", key);
    return json_string_value(v);
}

static long long jint(json_t *root, const char *obj, const char *key)
{
    json_t *v = json_object_get(json_object_get(root, obj), key);
    if (!json_is_integer(v))
        fail_msg("%s.%s is not an integer", obj, key);
    return json_integer_value(v);
}

static bool jnull(json_t *root, const char *obj, const char *key)
{
    json_t *o = json_object_get(root, obj);
    assert_non_null(o);
    json_t *v = json_object_get(o, key);
    assert_non_null(v); /* present, and null */
    return json_is_null(v);
}

/* 2026-03-02 08:00:00 in Shanghai. */
#define T0 ((time_t)1772409600)

static void test_json_before_anything(void **state)
{
    (void)state;
    const char *path = tu_tmp_path("empty.json");
    time_t before = time(NULL);
    struct status *st = status_new(path, NULL);
    time_t after = time(NULL);
    assert_non_null(st);
    assert_int_equal(status_flush(st, T0), 0);
    json_t *j = load_json(path);
    assert_string_equal(jstr(j, NULL, "version"), EDUKIOSK_VERSION);
    assert_int_equal(json_integer_value(json_object_get(j, "pid")), getpid());
    /* started: RFC 3339 with the local offset, the time of status_new. */
    const char *started = jstr(j, NULL, "started");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(started, "%Y-%m-%dT%H:%M:%S", &tm);
    assert_non_null(end);
    assert_string_equal(end, "+08:00");
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    assert_true(t >= before && t <= after);
    static const char *const deck_keys[] = {"source", "hash", "slides", "loaded_at"};
    for (size_t i = 0; i < 4; i++)
        assert_true(jnull(j, "deck", deck_keys[i]));
    static const char *const fetch_keys[] = {"url", "last_attempt", "last_success",
                                             "result", "http_status", "error"};
    for (size_t i = 0; i < 6; i++)
        assert_true(jnull(j, "fetch", fetch_keys[i]));
    assert_true(jnull(j, "display", "driver"));
    assert_true(jnull(j, "slide", "id"));
    assert_int_equal(jint(j, "slide", "index"), 0);
    json_decref(j);
    status_free(st);
    status_free(NULL);
}

static void fill(struct status *st)
{
    status_set_deck(st, "remote", "3f2a9c", 12, T0);
    struct fetch_status fs;
    memset(&fs, 0, sizeof(fs));
    snprintf(fs.url, sizeof(fs.url), "https://cdn.example.org/feed.json");
    fs.last_attempt = T0 + 300;
    fs.last_success = T0;
    fs.result = FETCH_ERROR;
    fs.http_status = 503;
    snprintf(fs.error, sizeof(fs.error), "HTTP 503 \"Service Unavailable\"");
    status_set_fetch(st, &fs);
    status_set_display(st, "KMSDRM", "opengles2", 1920, 1080);
    status_set_slide(st, 3, "plan-2035");
}

static void test_json_content(void **state)
{
    (void)state;
    const char *path = tu_tmp_path("status.json");
    struct status *st = status_new(path, NULL);
    fill(st);
    assert_int_equal(status_flush(st, T0 + 301), 0);
    json_t *j = load_json(path);
    assert_string_equal(jstr(j, "deck", "source"), "remote");
    assert_string_equal(jstr(j, "deck", "hash"), "3f2a9c");
    assert_int_equal(jint(j, "deck", "slides"), 12);
    assert_string_equal(jstr(j, "deck", "loaded_at"), "2026-03-02T08:00:00+08:00");
    assert_string_equal(jstr(j, "fetch", "url"), "https://cdn.example.org/feed.json");
    assert_string_equal(jstr(j, "fetch", "last_attempt"), "2026-03-02T08:05:00+08:00");
    assert_string_equal(jstr(j, "fetch", "last_success"), "2026-03-02T08:00:00+08:00");
    assert_string_equal(jstr(j, "fetch", "result"), "error");
    assert_int_equal(jint(j, "fetch", "http_status"), 503);
    assert_string_equal(jstr(j, "fetch", "error"), "HTTP 503 \"Service Unavailable\"");
    assert_string_equal(jstr(j, "display", "driver"), "KMSDRM");
    assert_string_equal(jstr(j, "display", "renderer"), "opengles2");
    assert_int_equal(jint(j, "display", "width"), 1920);
    assert_int_equal(jint(j, "display", "height"), 1080);
    assert_true(json_is_true(json_object_get(json_object_get(j, "display"), "on")));
    assert_int_equal(jint(j, "slide", "index"), 3);
    assert_string_equal(jstr(j, "slide", "id"), "plan-2035");
    assert_true(jnull(j, "deck", "signed_at"));
    assert_true(jnull(j, "deck", "signed_by"));
    assert_string_equal(jstr(j, "fetch", "signature"), "off");
    json_decref(j);

    /* Signed feeds: a refusal, with the signed deck still on screen. */
    status_set_deck_signature(st, T0 - 60, "66AA3F7C0E776AD5");
    struct fetch_status sf;
    memset(&sf, 0, sizeof(sf));
    sf.result = FETCH_ERROR;
    sf.signed_feeds = sf.signature_failed = true;
    sf.signature_failures = 3;
    snprintf(sf.error, sizeof(sf.error), "signature: not a trusted key");
    status_set_fetch(st, &sf);
    assert_int_equal(status_flush(st, T0 + 302), 0);
    j = load_json(path);
    assert_string_equal(jstr(j, "deck", "signed_at"), "2026-03-02T07:59:00+08:00");
    assert_string_equal(jstr(j, "deck", "signed_by"), "66AA3F7C0E776AD5");
    assert_string_equal(jstr(j, "fetch", "signature"), "refused");
    assert_int_equal(jint(j, "fetch", "signature_failures"), 3);
    json_decref(j);
    char *m = status_metrics(st, T0 + 302);
    assert_non_null(strstr(m, "\nedukiosk_feed_signature_failures_total 3\n"));
    assert_non_null(strstr(m, "\nedukiosk_feed_signatures_required 1\n"));
    char want[96];
    snprintf(want, sizeof(want), "\nedukiosk_deck_signed_timestamp_seconds %lld\n",
             (long long)T0 - 60);
    assert_non_null(strstr(m, want));
    free(m);
    status_set_deck_signature(st, 0, NULL);

    /* A fresh success; the fallback slide has no id. */
    struct fetch_status fs;
    memset(&fs, 0, sizeof(fs));
    snprintf(fs.url, sizeof(fs.url), "https://cdn.example.org/feed.json");
    fs.last_attempt = fs.last_success = T0 + 600;
    fs.result = FETCH_NOT_MODIFIED;
    fs.http_status = 304;
    status_set_fetch(st, &fs);
    status_set_slide(st, 0, NULL);
    assert_int_equal(status_flush(st, T0 + 601), 0);
    j = load_json(path);
    assert_string_equal(jstr(j, "fetch", "result"), "not-modified");
    assert_true(jnull(j, "fetch", "error"));
    assert_true(jnull(j, "slide", "id"));
    json_decref(j);
    status_free(st);
}

static void test_time_zones(void **state)
{
    (void)state;
    static const struct {
        const char *tz, *want;
    } cases[] = {
        {"UTC", "2026-03-02T00:00:00Z"},
        {"Asia/Shanghai", "2026-03-02T08:00:00+08:00"},
        {"America/St_Johns", "2026-03-01T20:30:00-03:30"},
    };
    for (size_t i = 0; i < 3; i++) {
        setenv("TZ", cases[i].tz, 1);
        tzset();
        struct status *st = status_new(NULL, NULL);
        status_set_deck(st, "cache", "h", 1, T0);
        char *s = status_json(st);
        json_t *j = json_loads(s, 0, NULL);
        assert_non_null(j);
        assert_string_equal(jstr(j, "deck", "loaded_at"), cases[i].want);
        json_decref(j);
        free(s);
        status_free(st);
    }
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

static size_t count_entries(const char *dir)
{
    char **names;
    size_t n = tu_list_dir(dir, "", &names);
    tu_list_free(names, n);
    return n;
}

/* Rewritten (a new file renamed over the old) only when content changes. */
static void test_rewrite_only_on_change(void **state)
{
    (void)state;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s", tu_tmp_path("run/edukiosk")); /* created on demand */
    char path[700];
    snprintf(path, sizeof(path), "%s/status.json", dir);
    struct status *st = status_new(path, NULL);
    fill(st);
    assert_int_equal(status_flush(st, T0), 0);
    ino_t first = tu_inode(path);
    char *text1 = slurp(path);
    for (int i = 1; i < 5; i++)
        assert_int_equal(status_flush(st, T0 + i * 60), 0);
    assert_true(tu_inode(path) == first);
    /* The same value again is no change either. */
    status_set_slide(st, 3, "plan-2035");
    assert_int_equal(status_flush(st, T0 + 400), 0);
    assert_true(tu_inode(path) == first);

    status_set_slide(st, 4, "budget");
    assert_int_equal(status_flush(st, T0 + 401), 0);
    assert_true(tu_inode(path) != first);
    char *text2 = slurp(path);
    assert_string_not_equal(text1, text2);
    assert_non_null(strstr(text2, "\"id\": \"budget\""));
    assert_int_equal(text2[strlen(text2) - 1], '\n');
    /* No temporary files are left behind. */
    assert_int_equal(count_entries(dir), 1);
    free(text1);
    free(text2);
    status_free(st);
}

static void test_write_failure(void **state)
{
    (void)state;
    const char *blocker = tu_tmp_path("plainfile");
    tu_write_file(blocker, "");
    char path[700];
    snprintf(path, sizeof(path), "%s/status.json", blocker); /* under a file */
    struct status *st = status_new(path, NULL);
    assert_int_equal(status_flush(st, T0), -1);
    assert_int_equal(status_flush(st, T0 + 1), -1); /* retried, still failing */
    status_free(st);

    /* Nothing to write is fine. */
    st = status_new(NULL, NULL);
    fill(st);
    assert_int_equal(status_flush(st, T0), 0);
    status_free(st);
}

/* ---- metrics ------------------------------------------------------------ */

static void expect_line(const char *text, const char *line)
{
    char want[512];
    snprintf(want, sizeof(want), "\n%s\n", line);
    if (!strstr(text, want))
        fail_msg("metrics lack the line: %s\n--- metrics:\n%s", line, text);
}

/* Runs `promtool check metrics` on text; returns its output ("" = clean)
 * and its exit status in *rc. */
static char *promtool(const char *text, int *rc)
{
    const char *in = tu_tmp_path("promtool.in");
    const char *out = tu_tmp_path("promtool.out");
    tu_write_file(in, text);
    char cmd[1500];
    snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' > '%s' 2>&1", in, out);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    *rc = WEXITSTATUS(st);
    if (*rc == 127)
        fail_msg("promtool is missing (Debian package prometheus)");
    return tu_read_file(out, NULL);
}

static void test_metrics_format(void **state)
{
    (void)state;
    struct status *st = status_new(NULL, NULL);
    fill(st);
    struct status_counters c = {
        .slides_shown = 1234, .deck_swaps = 7, .frames = 5000,
        .frame_ms_p50 = 2.5, .frame_ms_p99 = 16.0, .frame_ms_sum = 12500.0,
        .display_on = false,
    };
    status_set_counters(st, &c);
    char *text = status_metrics(st, T0 + 3600);
    assert_non_null(text);
    assert_non_null(strstr(text, "edukiosk_up_since_seconds "));
    expect_line(text, "# TYPE edukiosk_up_since_seconds gauge");
    expect_line(text, "edukiosk_build_info{version=\"" EDUKIOSK_VERSION "\"} 1");
    expect_line(text, "edukiosk_deck_info{hash=\"3f2a9c\",source=\"remote\"} 1");
    expect_line(text, "edukiosk_deck_slides 12");
    expect_line(text, "edukiosk_deck_loaded_timestamp_seconds 1772409600");
    expect_line(text, "edukiosk_feed_last_success_timestamp_seconds 1772409600");
    expect_line(text, "edukiosk_feed_age_seconds 3600");
    expect_line(text, "edukiosk_fetch_result{result=\"ok\"} 0");
    expect_line(text, "edukiosk_fetch_result{result=\"not-modified\"} 0");
    expect_line(text, "edukiosk_fetch_result{result=\"error\"} 1");
    expect_line(text, "edukiosk_fetch_http_status 503");
    expect_line(text, "# TYPE edukiosk_slides_shown_total counter");
    expect_line(text, "edukiosk_slides_shown_total 1234");
    expect_line(text, "edukiosk_deck_swaps_total 7");
    expect_line(text, "# TYPE edukiosk_frame_time_seconds summary");
    expect_line(text, "edukiosk_frame_time_seconds{quantile=\"0.5\"} 0.0025");
    expect_line(text, "edukiosk_frame_time_seconds{quantile=\"0.99\"} 0.016");
    expect_line(text, "edukiosk_frame_time_seconds_sum 12.5");
    expect_line(text, "edukiosk_frame_time_seconds_count 5000");
    expect_line(text, "edukiosk_display_on 0");
    /* Every metric has HELP and TYPE, and promtool agrees. */
    int rc;
    char *out = promtool(text, &rc);
    if (rc != 0 || out[0])
        fail_msg("promtool check metrics (exit %d):\n%s\n--- metrics:\n%s", rc, out,
                 text);
    free(out);
    free(text);
    status_free(st);
}

static void test_metrics_edge_cases(void **state)
{
    (void)state;
    /* Before any frame, deck or fetch: no feed metrics, NaN quantiles. */
    time_t before = time(NULL);
    struct status *st = status_new(NULL, NULL);
    time_t after = time(NULL);
    char *text = status_metrics(st, T0);
    assert_null(strstr(text, "edukiosk_feed_"));
    assert_null(strstr(text, "edukiosk_deck_info"));
    expect_line(text, "edukiosk_frame_time_seconds{quantile=\"0.5\"} NaN");
    expect_line(text, "edukiosk_display_on 1");
    int rc;
    char *out = promtool(text, &rc);
    if (rc != 0 || out[0])
        fail_msg("promtool (exit %d):\n%s\n%s", rc, out, text);
    free(out);
    free(text);

    /* Label values are escaped; a fetch that never succeeded ages from
     * the start. */
    status_set_deck(st, "cache", "we\"ird\\hash\n", 2, T0);
    struct fetch_status fs;
    memset(&fs, 0, sizeof(fs));
    fs.last_attempt = T0;
    fs.result = FETCH_ERROR;
    status_set_fetch(st, &fs);
    time_t now = T0 + 100000000; /* any time after the start */
    text = status_metrics(st, now);
    expect_line(text, "edukiosk_deck_info{hash=\"we\\\"ird\\\\hash\\n\",source=\"cache\"} 1");
    expect_line(text, "edukiosk_feed_last_success_timestamp_seconds 0");
    const char *age = strstr(text, "\nedukiosk_feed_age_seconds ");
    assert_non_null(age);
    long long a = atoll(age + strlen("\nedukiosk_feed_age_seconds "));
    assert_true(a >= now - after && a <= now - before);
    out = promtool(text, &rc);
    if (rc != 0 || out[0])
        fail_msg("promtool (exit %d):\n%s\n%s", rc, out, text);
    free(out);
    free(text);
    status_free(st);
}

static void test_metrics_file_rate_limit(void **state)
{
    (void)state;
    const char *path = tu_tmp_path("metrics.prom");
    struct status *st = status_new(NULL, path);
    fill(st);
    struct status_counters c = {.slides_shown = 1, .display_on = true};
    status_set_counters(st, &c);
    assert_int_equal(status_flush(st, T0), 0);
    ino_t first = tu_inode(path);
    char *text = slurp(path);
    char *want = status_metrics(st, T0);
    assert_string_equal(text, want);
    free(text);
    free(want);

    /* Counters alone wait for the interval. */
    c.slides_shown = 2;
    status_set_counters(st, &c);
    assert_int_equal(status_flush(st, T0 + STATUS_METRICS_INTERVAL_S - 1), 0);
    assert_true(tu_inode(path) == first);
    assert_int_equal(status_flush(st, T0 + STATUS_METRICS_INTERVAL_S), 0);
    ino_t second = tu_inode(path);
    assert_true(second != first);
    text = slurp(path);
    expect_line(text, "edukiosk_slides_shown_total 2");
    free(text);

    /* The display turning off is written at once... */
    c.display_on = false;
    status_set_counters(st, &c);
    assert_int_equal(status_flush(st, T0 + STATUS_METRICS_INTERVAL_S + 1), 0);
    ino_t third = tu_inode(path);
    assert_true(third != second);
    text = slurp(path);
    expect_line(text, "edukiosk_display_on 0");
    free(text);

    /* ...and so is a new deck. */
    status_set_deck(st, "remote", "newhash", 9, T0 + 20);
    assert_int_equal(status_flush(st, T0 + STATUS_METRICS_INTERVAL_S + 2), 0);
    assert_true(tu_inode(path) != third);
    text = slurp(path);
    expect_line(text, "edukiosk_deck_info{hash=\"newhash\",source=\"remote\"} 1");
    int rc;
    char *out = promtool(text, &rc);
    assert_int_equal(rc, 0);
    free(out);
    free(text);
    status_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_before_anything),
        cmocka_unit_test(test_json_content),
        cmocka_unit_test(test_time_zones),
        cmocka_unit_test(test_rewrite_only_on_change),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_metrics_format),
        cmocka_unit_test(test_metrics_edge_cases),
        cmocka_unit_test(test_metrics_file_rate_limit),
    };
    return cmocka_run_group_tests(tests, setup_dir, tu_tmpdir_teardown);
}
