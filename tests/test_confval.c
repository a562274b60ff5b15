#include "testutil.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "confval.h"

/* test_config.c feeds every key valid and invalid strings; this file checks
 * what the key table cannot reach: each type's storage, print and parse as
 * inverses, bounds at the edges of long long, and what a failed parse
 * leaves behind. */

/* What confval_print writes for v, in buf. */
static const char *printed(enum confval_type t, const struct confval *v, char *buf,
                           size_t len)
{
    struct tu_capture cap;
    confval_print(t, v, tu_capture_open(&cap));
    char *out = tu_capture_close(&cap);
    snprintf(buf, len, "%s", out);
    free(out);
    return buf;
}

/* Storage big enough and aligned for any type's field. */
union field {
    char *s;
    int i;
    long l;
    size_t z;
    bool b;
    int day[2];
};

struct rcase {
    enum confval_type type;
    long long min, max;
    const char *text;
    const char *printed; /* the canonical form */
};

static const struct rcase round_trips[] = {
    {CONFVAL_STR, 0, 0, "第一中学", "第一中学"},
    {CONFVAL_STR, 0, 0, " edge ", "\" edge \""},
    {CONFVAL_STR, 0, 0, "\"quoted\"", "\"\"quoted\"\""},
    {CONFVAL_URL, 0, 0, "HTTPS://example.org/f.json", "HTTPS://example.org/f.json"},
    {CONFVAL_OUTPUT, 0, 0, "/srv/feed.json", "/srv/feed.json"},
    {CONFVAL_DRIVER, 0, 0, "wayland,x11", "wayland,x11"},
    {CONFVAL_CMD, 0, 0, "cec-ctl --standby", "cec-ctl --standby"},
    {CONFVAL_INT, -5, 5, "-5", "-5"},
    {CONFVAL_INT, -5, 5, " +5", "5"}, /* strtoll's leading space and sign */
    {CONFVAL_INT, 0, INT_MAX, "2147483647", "2147483647"},
    /* long and size_t are 32 bits on a 32-bit Raspberry Pi OS. */
    {CONFVAL_LONG, 1, LONG_MAX, "2147483647", "2147483647"},
    {CONFVAL_SIZE, 0, 3LL << 30, "0", "0"},
    {CONFVAL_SIZE, 0, 3LL << 30, "1024", "1K"},
    {CONFVAL_SIZE, 0, 3LL << 30, "1536K", "1536K"},
    {CONFVAL_SIZE, 0, 3LL << 30, "2gib", "2G"},
    {CONFVAL_SIZE, 0, 3LL << 30, "1025", "1025"},
    {CONFVAL_SIZE, 0, 3LL << 30, "3G", "3G"},
    {CONFVAL_BOOL, 0, 0, "TRUE", "yes"},
    {CONFVAL_BOOL, 0, 0, "off", "no"},
    {CONFVAL_ROTATION, 0, 0, "180", "180"},
    {CONFVAL_LOGLEVEL, 0, 0, "error", "error"},
    {CONFVAL_LOGLEVEL, 0, 0, "Info", "info"},
    {CONFVAL_LANG, 0, 0, "zh", "zh-CN"},
    {CONFVAL_LANG, 0, 0, "", ""},
    {CONFVAL_DAY, 0, 0, "7:05-24:00", "07:05-00:00"},
    {CONFVAL_DAY, 0, 0, "23:59-00:01", "23:59-00:01"},
    {CONFVAL_DAY, 0, 0, "never", "off"},
};

/* parse, store, view, print; then the printed form parses to the same. */
static void test_round_trips(void **state)
{
    (void)state;
    for (size_t j = 0; j < sizeof(round_trips) / sizeof(round_trips[0]); j++) {
        const struct rcase *rc = &round_trips[j];
        struct confval v;
        char err[256] = "", got[256], again[256];
        if (confval_parse(rc->type, rc->min, rc->max, rc->text, &v, err, sizeof(err)))
            fail_msg("'%s' rejected: %s", rc->text, err);
        union field f;
        memset(&f, 0, sizeof(f));
        confval_store(rc->type, &f, &v);
        confval_free(&v);
        struct confval view;
        confval_view(rc->type, &f, &view);
        printed(rc->type, &view, got, sizeof(got));
        if (strcmp(got, rc->printed) != 0)
            fail_msg("'%s' prints as '%s', want '%s'", rc->text, got, rc->printed);

        /* The file reader strips one pair of quotes before parsing. */
        char text[256];
        size_t gl = strlen(got);
        if (gl >= 2 && got[0] == '"' && got[gl - 1] == '"')
            snprintf(text, sizeof(text), "%.*s", (int)gl - 2, got + 1);
        else
            snprintf(text, sizeof(text), "%s", got);
        assert_int_equal(confval_parse(rc->type, rc->min, rc->max, text, &v, err,
                                       sizeof(err)), 0);
        printed(rc->type, &v, again, sizeof(again));
        assert_string_equal(again, rc->printed);
        confval_free(&v);
        if (confval_is_text(rc->type))
            free(f.s);
    }
}

/* Storing replaces and frees the old string; an empty text stores NULL. */
static void test_store_replaces_text(void **state)
{
    (void)state;
    char *field = NULL;
    struct confval v;
    char err[128];
    assert_int_equal(confval_parse(CONFVAL_STR, 0, 0, "first", &v, err, sizeof(err)), 0);
    confval_store(CONFVAL_STR, &field, &v);
    assert_null(v.s); /* ownership moved */
    assert_string_equal(field, "first");
    assert_int_equal(confval_parse(CONFVAL_STR, 0, 0, "", &v, err, sizeof(err)), 0);
    assert_null(v.s);
    confval_store(CONFVAL_STR, &field, &v);
    assert_null(field);
    confval_free(&v);
    confval_free(NULL);
}

struct bad {
    enum confval_type type;
    long long min, max;
    const char *text;
    const char *message;
};

static const struct bad rejected[] = {
    {CONFVAL_INT, 1, 10, "11", "must be an integer from 1 to 10"},
    {CONFVAL_INT, 1, 10, "5 ", "must be an integer from 1 to 10"},
    {CONFVAL_LONG, LLONG_MIN, LLONG_MAX, "9223372036854775808",
     "must be an integer from -9223372036854775808 to 9223372036854775807"},
    {CONFVAL_SIZE, 1024, 1LL << 62, "8589934592G",
     "must be a size from 1K to 4294967296G bytes (suffixes K, M, G)"},
    {CONFVAL_SIZE, 1024, 1LL << 62, "-1K",
     "must be a size from 1K to 4294967296G bytes (suffixes K, M, G)"},
    {CONFVAL_SIZE, 0, 100, "1KB2",
     "must be a size from 0 to 100 bytes (suffixes K, M, G)"},
    {CONFVAL_ROTATION, 0, 0, "90K", "must be 0, 90, 180 or 270"},
    {CONFVAL_BOOL, 0, 0, "y", "must be yes or no"},
    {CONFVAL_LANG, 0, 0, "zh-TW", "must be zh-CN or en (empty = the feed's)"},
    {CONFVAL_DAY, 0, 0, "24:00-08:00", "a window cannot start at 24:00"},
    {CONFVAL_DAY, 0, 0, "08:00-08:00",
     "start and end are the same time; write 'on' for all day or 'off' for none"},
    /* 24:00 is midnight, so this too is a window of no length. */
    {CONFVAL_DAY, 0, 0, "00:00-24:00",
     "start and end are the same time; write 'on' for all day or 'off' for none"},
    {CONFVAL_SITES, 0, 0, "a,b,,c", "empty site tag (two commas in a row?)"},
    {CONFVAL_URL, 0, 0, "gopher://x", "must be an http://, https:// or file:// URL or "
                                      "a path"},
    {CONFVAL_DRIVER, 0, 0, "x11;reboot", "must be an SDL driver name such as kmsdrm, "
                                         "wayland, x11, opengles2 or software"},
    /* Paths are looked at on this machine: only what every Linux has. */
    {CONFVAL_DIR, 0, 0, "var/cache/edukiosk",
     "var/cache/edukiosk: must be an absolute path (starting with /)"},
    {CONFVAL_DIR, 0, 0, "/dev/null", "/dev/null: is a character device, not a directory"},
    {CONFVAL_OUTPUT, 0, 0, "status.json",
     "status.json: must be an absolute path (starting with /)"},
    {CONFVAL_OUTPUT, 0, 0, "/tmp", "/tmp: is a directory, not a file"},
    {CONFVAL_OUTPUT, 0, 0, "/run/", "/run/: names a directory, not a file"},
    {CONFVAL_OUTPUT, 0, 0, "/dev/null/status.json",
     "/dev/null: is a character device, not a directory"},
    {CONFVAL_PEM, 0, 0, "ca.pem", "ca.pem: must be an absolute path (starting with /)"},
    {CONFVAL_PEM, 0, 0, "/nonexistent/ca.pem",
     "/nonexistent/ca.pem: No such file or directory"},
    {CONFVAL_PEM, 0, 0, "/dev/zero",
     "/dev/zero: is a character device, not a regular file"},
    {CONFVAL_PEM, 0, 0, "/proc/self/stat",
     "/proc/self/stat: holds no PEM certificate (-----BEGIN CERTIFICATE-----)"},
};

/* A failed parse explains itself and leaves nothing to free (the list that
 * the site parser had begun is released: ASan and valgrind check). */
static void test_rejected(void **state)
{
    (void)state;
    for (size_t j = 0; j < sizeof(rejected) / sizeof(rejected[0]); j++) {
        const struct bad *b = &rejected[j];
        struct confval v;
        char err[256] = "";
        if (confval_parse(b->type, b->min, b->max, b->text, &v, err, sizeof(err)) == 0)
            fail_msg("'%s' accepted", b->text);
        assert_string_equal(err, b->message);
        assert_null(v.s);
        assert_null(v.list);
        assert_int_equal(v.n, 0);
    }
}

/* A text at the limit is taken; one byte more is not. */
static void test_text_limit(void **state)
{
    (void)state;
    char *text = malloc(CONFVAL_MAX_TEXT + 2);
    assert_non_null(text);
    memset(text, 'x', CONFVAL_MAX_TEXT + 1);
    text[CONFVAL_MAX_TEXT + 1] = '\0';
    struct confval v;
    char err[128];
    assert_int_equal(confval_parse(CONFVAL_CMD, 0, 0, text, &v, err, sizeof(err)), -1);
    assert_string_equal(err, "longer than 4096 bytes");
    text[CONFVAL_MAX_TEXT] = '\0';
    assert_int_equal(confval_parse(CONFVAL_CMD, 0, 0, text, &v, err, sizeof(err)), 0);
    assert_int_equal(strlen(v.s), CONFVAL_MAX_TEXT);
    confval_free(&v);
    free(text);
}

/* The site list keeps order, drops repeats, stops at 64 tags. */
static void test_sites(void **state)
{
    (void)state;
    char text[1024] = "";
    size_t len = 0;
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%st%d", i ? "," : "", i);
    snprintf(text + len, sizeof(text) - len, ",t0, t63");
    struct confval v;
    char err[128], got[1024];
    assert_int_equal(confval_parse(CONFVAL_SITES, 0, 0, text, &v, err, sizeof(err)), 0);
    assert_int_equal(v.n, 64);
    assert_string_equal(v.list[0], "t0");
    assert_string_equal(v.list[63], "t63");
    printed(CONFVAL_SITES, &v, got, sizeof(got));
    assert_int_equal(strncmp(got, "t0, t1, t2, ", 12), 0);
    confval_free(&v);
    snprintf(text + len, sizeof(text) - len, ",t64");
    assert_int_equal(confval_parse(CONFVAL_SITES, 0, 0, text, &v, err, sizeof(err)), -1);
    assert_string_equal(err, "more than 64 site tags");
}

static void test_type_doc(void **state)
{
    (void)state;
    char buf[96];
    assert_string_equal(confval_type_doc(CONFVAL_INT, 1, 300, buf, sizeof(buf)),
                        "1 – 300");
    assert_string_equal(confval_type_doc(CONFVAL_SIZE, 1024, 64LL << 20, buf,
                                         sizeof(buf)), "1K – 64M bytes");
    assert_string_equal(confval_type_doc(CONFVAL_DAY, 0, 0, buf, sizeof(buf)),
                        "HH:MM-HH:MM, on, off");
    assert_true(confval_is_text(CONFVAL_LANG));
    assert_false(confval_is_text(CONFVAL_SITES));
    assert_false(confval_is_text(CONFVAL_DAY));
    assert_true(confval_is_text(CONFVAL_PEM));
    assert_string_equal(confval_type_doc(CONFVAL_DIR, 0, 0, buf, sizeof(buf)),
                        "absolute path of a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_store_replaces_text),
        cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_text_limit),
        cmocka_unit_test(test_sites),
        cmocka_unit_test(test_type_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
