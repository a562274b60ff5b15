/* minisig: signatures written by Debian's minisign 0.11 (tests/data/sign:
 * two test key pairs, a feed signed pre-hashed (ED) and legacy (Ed)),
 * verified; then every way a signature is wrong: another key, the feed
 * or the trusted comment changed by one byte, truncated at every length,
 * garbage, empty.  Each refusal must say what is wrong. */
#include "testutil.h"

#include <string.h>

#include "feedsig.h"
#include "keyring.h"
#include "minisig.h"

static char *feed_bytes;
static size_t feed_len;

static void read_data(const char *name, char **text, size_t *len)
{
    *text = tu_read_file(test_data(name), len);
}

static void keyring_of(const char *pub, struct minisig_keyring *r)
{
    char *t, err[256];
    size_t n;
    read_data(pub, &t, &n);
    memset(r, 0, sizeof(*r));
    assert_int_equal(minisig_keyring_add(r, t, n, err, sizeof(err)), 0);
    free(t);
}

/* Verifies sig against the feed with key a; returns the error ("" = ok). */
static const char *verify_with(const char *pub, const char *sig, size_t siglen,
                               const void *msg, size_t len, struct minisig_info *info)
{
    static char err[512];
    struct minisig_keyring r;
    keyring_of(pub, &r);
    err[0] = '\0';
    if (minisig_verify(&r, sig, siglen, msg, len, info, err, sizeof(err)) == 0) {
        assert_string_equal(err, "");
        return "";
    }
    assert_true(err[0] != '\0');
    return err;
}

static void test_prehashed_verifies(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.minisig", &sig, &n);
    struct minisig_info info;
    assert_string_equal(verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, &info), "");
    assert_true(info.prehashed);
    assert_int_equal(info.timestamp, 1796000000LL);
    assert_string_equal(info.comment, "timestamp:1796000000\tfile:feed.json\thashed");
    assert_string_equal(info.key_id, "66AA3F7C0E776AD5");
    free(sig);
}

static void test_legacy_verifies(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.legacy.minisig", &sig, &n);
    struct minisig_info info;
    assert_string_equal(verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, &info), "");
    assert_false(info.prehashed);
    assert_int_equal(info.timestamp, 1796000000LL);
    free(sig);
}

static void test_wrong_key(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.b.minisig", &sig, &n);
    const char *e = verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, NULL);
    assert_non_null(strstr(e, "not a trusted key (66AA3F7C0E776AD5)"));
    assert_string_equal(verify_with("sign/b.pub", sig, n, feed_bytes, feed_len, NULL), "");
    free(sig);
}

/* Key rotation: both keys trusted, either signature verifies. */
static void test_two_keys(void **state)
{
    (void)state;
    char *a, *b, err[256];
    size_t an, bn;
    read_data("sign/a.pub", &a, &an);
    read_data("sign/b.pub", &b, &bn);
    /* The config's form: bare keys, separated by a comma or spaces. */
    char line[256];
    const char *ka = strchr(a, '\n') + 1, *kb = strchr(b, '\n') + 1;
    snprintf(line, sizeof(line), "%.56s, %.56s  %.56s", ka, kb, ka);
    struct minisig_keyring r = {0};
    assert_int_equal(minisig_keyring_add(&r, line, strlen(line), err, sizeof(err)), 0);
    assert_int_equal(r.n, 2);
    const char *sigs[] = {"sign/feed.json.minisig", "sign/feed.json.b.minisig"};
    for (int i = 0; i < 2; i++) {
        char *sig;
        size_t n;
        read_data(sigs[i], &sig, &n);
        assert_int_equal(minisig_verify(&r, sig, n, feed_bytes, feed_len, NULL, err, sizeof(err)), 0);
        free(sig);
    }
    free(a);
    free(b);
}

static void test_bad_keys(void **state)
{
    (void)state;
    const char *bad[] = {"", "   ", "RWQ", "hello world",
                         /* right length, wrong algorithm ("Xd") */
                         "WGTVancOfD+qZrTDEqdAIwo5YGxhaVZKgJkDJZ5d2dZtQkRfgsNyfJoi",
                         "untrusted comment: x\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct minisig_keyring r = {0};
        char err[256] = "";
        assert_int_equal(minisig_keyring_add(&r, bad[i], strlen(bad[i]), err, sizeof(err)), -1);
        assert_int_equal(r.n, 0);
        assert_true(strstr(err, "public key") != NULL);
    }
}

static void test_tampered_feed(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.minisig", &sig, &n);
    char *copy = malloc(feed_len);
    assert_non_null(copy);
    for (size_t at = 0; at < feed_len; at += feed_len / 7 + 1) {
        memcpy(copy, feed_bytes, feed_len);
        copy[at] ^= 0x01;
        const char *e = verify_with("sign/a.pub", sig, n, copy, feed_len, NULL);
        assert_non_null(strstr(e, "does not match the feed"));
    }
    /* One byte shorter, and one longer. */
    assert_non_null(strstr(verify_with("sign/a.pub", sig, n, feed_bytes, feed_len - 1, NULL),
                           "does not match"));
    free(copy);
    free(sig);
}

static void test_tampered_comment(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.minisig", &sig, &n);
    /* A replayed feed with its timestamp moved forward. */
    char *p = strstr(sig, "timestamp:1796");
    assert_non_null(p);
    p[13] = '9';
    const char *e = verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, NULL);
    assert_non_null(strstr(e, "trusted comment does not verify"));
    free(sig);
}

static void test_crlf(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.minisig", &sig, &n);
    char *crlf = malloc(2 * n + 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (sig[i] == '\n')
            crlf[m++] = '\r';
        crlf[m++] = sig[i];
    }
    assert_string_equal(verify_with("sign/a.pub", crlf, m, feed_bytes, feed_len, NULL), "");
    free(crlf);
    free(sig);
}

/* Cut anywhere, a signature never verifies and always says why. */
static void test_truncated(void **state)
{
    (void)state;
    char *sig;
    size_t n;
    read_data("sign/feed.json.minisig", &sig, &n);
    /* The last line may lose its newline and stay whole. */
    size_t whole = n;
    while (whole > 0 && sig[whole - 1] == '\n')
        whole--;
    for (size_t cut = 0; cut < whole; cut++) {
        const char *e = verify_with("sign/a.pub", sig, cut, feed_bytes, feed_len, NULL);
        assert_true(*e);
    }
    assert_string_equal(verify_with("sign/a.pub", sig, whole, feed_bytes, feed_len, NULL), "");
    free(sig);
}

static void test_garbage(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"", "empty"},
        {"<html><body>404 Not Found</body></html>\n", "not a minisign signature"},
        {"untrusted comment: x\n", "truncated"},
        {"untrusted comment: x\n!!!!\n", "damaged"},
        {"untrusted comment: x\nRUTVancOfD+qZhEa3+Hc\n", "truncated"},
        /* base64 of 74 bytes starting "XX" */
        {"untrusted comment: x\nWFgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
         "unknown signature algorithm"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *e = verify_with("sign/a.pub", cases[i][0], strlen(cases[i][0]),
                                    feed_bytes, feed_len, NULL);
        if (!strstr(e, cases[i][1]))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e, cases[i][1]);
    }
    char big[MINISIG_MAX_FILE + 10];
    memset(big, 'A', sizeof(big));
    assert_non_null(strstr(verify_with("sign/a.pub", big, sizeof(big), feed_bytes, feed_len, NULL),
                           "not a minisign signature"));
}

static void test_comment_timestamp(void **state)
{
    (void)state;
    assert_int_equal(minisig_comment_timestamp("timestamp:1\tfile:x"), 1);
    assert_int_equal(minisig_comment_timestamp("file:x\ttimestamp:42\thashed"), 42);
    assert_int_equal(minisig_comment_timestamp("timestamp:42"), 42);
    assert_int_equal(minisig_comment_timestamp("timestamp:"), -1);
    assert_int_equal(minisig_comment_timestamp("timestamp:12x"), -1);
    assert_int_equal(minisig_comment_timestamp("a timestamp:12"), -1);
    assert_int_equal(minisig_comment_timestamp("signed by the office"), -1);
    assert_int_equal(minisig_comment_timestamp(""), -1);
    assert_int_equal(minisig_comment_timestamp("timestamp:9999999999999999999999"), -1);
}

/* feedsig: the freshness rules on top of a valid signature. */
static void test_feedsig(void **state)
{
    (void)state;
    struct minisig_keyring r;
    keyring_of("sign/a.pub", &r);
    char *sig, *nots, err[512];
    size_t n, nn;
    read_data("sign/feed.json.minisig", &sig, &n);
    read_data("sign/feed.json.nots.minisig", &nots, &nn);
    struct feedsig fs;
    /* Same time as the feed in use: fine (the same feed again). */
    assert_int_equal(feedsig_check(&r, feed_bytes, feed_len, sig, n, 1796000000LL, &fs, err,
                                   sizeof(err)), 0);
    assert_int_equal(fs.timestamp, 1796000000LL);
    assert_string_equal(fs.key_id, "66AA3F7C0E776AD5");
    assert_int_equal(feedsig_check(&r, feed_bytes, feed_len, sig, n, 1796000001LL, &fs, err,
                                   sizeof(err)), -1);
    assert_string_equal(err, "signature: signed 2026-11-30 00:53:20 UTC, before the feed in "
                             "use (signed 2026-11-30 00:53:21 UTC): an older feed is not "
                             "shown again");
    assert_int_equal(feedsig_check(&r, feed_bytes, feed_len, nots, nn, 0, &fs, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "has no \"timestamp:\""));
    assert_int_equal(feedsig_check(&r, feed_bytes, feed_len, NULL, 0, 0, &fs, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "not signed"));
    /* No keys (a key file gone): nothing verifies. */
    struct minisig_keyring none = {0};
    assert_int_equal(feedsig_check(&none, feed_bytes, feed_len, sig, n, 0, &fs, err, sizeof(err)),
                     -1);
    free(sig);
    free(nots);

    char url[128];
    assert_int_equal(feedsig_url("https://x.org/feed.json", url, sizeof(url)), 0);
    assert_string_equal(url, "https://x.org/feed.json.minisig");
    assert_int_equal(feedsig_url("https://x.org/feed?site=n", url, sizeof(url)), 0);
    assert_string_equal(url, "https://x.org/feed.minisig?site=n");
    assert_int_equal(feedsig_url("/srv/feed.json", url, sizeof(url)), 0);
    assert_string_equal(url, "/srv/feed.json.minisig");
    assert_int_equal(feedsig_url("https://x.org/feed.json", url, 20), -1);
}

/* keyring: keys written out and .pub files, mixed. */
static void test_keyring(void **state)
{
    (void)state;
    struct minisig_keyring r;
    char err[512], spec[TU_PATH_MAX + 80], ids[64];
    char *b;
    size_t bn;
    read_data("sign/b.pub", &b, &bn);
    snprintf(spec, sizeof(spec), "%s, %.56s", test_data("sign/a.pub"), strchr(b, '\n') + 1);
    free(b);
    assert_int_equal(keyring_load(&r, spec, err, sizeof(err)), 0);
    assert_int_equal(r.n, 2);
    keyring_ids(&r, ids, sizeof(ids));
    assert_non_null(strstr(ids, "66AA3F7C0E776AD5, "));
    assert_int_equal(keyring_load(&r, "", err, sizeof(err)), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(keyring_load(&r, test_data("sign/a.key"), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "a.key: "));
    assert_int_equal(keyring_load(&r, "/nonexistent/k.pub", err, sizeof(err)), -1);
    assert_string_equal(err, "cannot read the key file /nonexistent/k.pub: No such file or directory");
    assert_int_equal(keyring_load(&r, "hello", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "neither a minisign public key"));
}

static int setup(void **state)
{
    (void)state;
    read_data("sign/feed.json", &feed_bytes, &feed_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(feed_bytes);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prehashed_verifies), cmocka_unit_test(test_legacy_verifies),
        cmocka_unit_test(test_wrong_key),          cmocka_unit_test(test_two_keys),
        cmocka_unit_test(test_bad_keys),           cmocka_unit_test(test_tampered_feed),
        cmocka_unit_test(test_tampered_comment),   cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_truncated),          cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_comment_timestamp), cmocka_unit_test(test_feedsig),
        cmocka_unit_test(test_keyring),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
