/* minisig: signatures written by Debian's minisign 0.11 (tests/data/sign:
 * two test key pairs, a feed signed pre-hashed (ED) and legacy (Ed)),
 * verified; then every way a signature is wrong: another key, the feed
 * or the trusted comment changed by one byte, truncated at every length,
 * garbage, empty.  Each refusal must say what is wrong.  Then signing
 * (the editor's publish): secret keys parsed (encrypted and damaged ones
 * refused), signatures verified here and by the real minisign. */
#include "testutil.h"

#include <string.h>
#include <sys/wait.h>

#include <sodium.h>

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

/* ---- signing ------------------------------------------------------------ */

#define TC "timestamp:1796000100\tfile:feed.json"

static void secret_of(const char *key, struct minisig_secret *s)
{
    char *t, err[256] = "";
    size_t n;
    read_data(key, &t, &n);
    if (minisig_secret_parse(t, n, s, err, sizeof(err)) != 0)
        fail_msg("%s: %s", key, err);
    free(t);
}

static void test_sign_verifies(void **state)
{
    (void)state;
    struct minisig_secret s;
    secret_of("sign/a.key", &s);
    char id[17];
    minisig_key_id(s.id, id);
    assert_string_equal(id, "66AA3F7C0E776AD5");
    /* Its public half is a.pub's key. */
    struct minisig_keyring r;
    keyring_of("sign/a.pub", &r);
    struct minisig_key k;
    minisig_secret_public(&s, &k);
    assert_memory_equal(&k, &r.keys[0], sizeof(k));

    char *sig;
    size_t n;
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &n), 0);
    assert_int_equal(strlen(sig), n);
    assert_true(strncmp(sig, "untrusted comment: signature from edukiosk-editor secret key\n",
                        61) == 0);
    assert_non_null(strstr(sig, "\ntrusted comment: " TC "\n"));
    assert_int_equal(sig[n - 1], '\n');
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += sig[i] == '\n';
    assert_int_equal(lines, 4);
    struct minisig_info info;
    assert_string_equal(verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, &info), "");
    assert_true(info.prehashed);
    assert_string_equal(info.key_id, "66AA3F7C0E776AD5");
    assert_string_equal(info.comment, TC);
    assert_int_equal(info.timestamp, 1796000100LL);
    free(sig);

    /* feedsig (what a kiosk runs) takes it as newer than the feed in use. */
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &n), 0);
    struct feedsig fs;
    char err[512];
    assert_int_equal(feedsig_check(&r, feed_bytes, feed_len, sig, n, 1796000000LL, &fs, err,
                                   sizeof(err)), 0);
    free(sig);

    /* An empty file and an empty comment sign too. */
    assert_int_equal(minisig_sign(&s, "", 0, "", &sig, &n), 0);
    assert_string_equal(verify_with("sign/a.pub", sig, n, "", 0, &info), "");
    assert_string_equal(info.comment, "");
    free(sig);
    minisig_secret_wipe(&s);
    static const struct minisig_secret zero;
    assert_memory_equal(&s, &zero, sizeof(s));
}

static void test_sign_wrong_key(void **state)
{
    (void)state;
    struct minisig_secret s;
    secret_of("sign/b.key", &s);
    char *sig;
    size_t n;
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &n), 0);
    assert_string_equal(verify_with("sign/b.pub", sig, n, feed_bytes, feed_len, NULL), "");
    const char *e = verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, NULL);
    assert_non_null(strstr(e, "not a trusted key (66AA3F7C0E776AD5)"));
    free(sig);
    /* a.key's signature, with b.key's id put in its place: b's key
     * refuses it. */
    secret_of("sign/a.key", &s);
    struct minisig_secret forged = s;
    struct minisig_secret b;
    secret_of("sign/b.key", &b);
    memcpy(forged.id, b.id, sizeof(forged.id));
    assert_int_equal(minisig_sign(&forged, feed_bytes, feed_len, TC, &sig, &n), 0);
    e = verify_with("sign/b.pub", sig, n, feed_bytes, feed_len, NULL);
    assert_non_null(strstr(e, "does not match the feed"));
    free(sig);
    minisig_secret_wipe(&s);
    minisig_secret_wipe(&b);
    minisig_secret_wipe(&forged);
}

static void test_sign_tampered(void **state)
{
    (void)state;
    struct minisig_secret s;
    secret_of("sign/a.key", &s);
    char *sig;
    size_t n;
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &n), 0);
    char *copy = malloc(feed_len);
    assert_non_null(copy);
    for (size_t at = 0; at < feed_len; at += feed_len / 5 + 1) {
        memcpy(copy, feed_bytes, feed_len);
        copy[at] ^= 0x20;
        const char *e = verify_with("sign/a.pub", sig, n, copy, feed_len, NULL);
        assert_non_null(strstr(e, "does not match the feed"));
    }
    free(copy);
    /* The trusted comment's timestamp moved on: refused. */
    char *p = strstr(sig, "timestamp:1796000100");
    assert_non_null(p);
    p[19] = '9';
    assert_non_null(strstr(verify_with("sign/a.pub", sig, n, feed_bytes, feed_len, NULL),
                           "trusted comment does not verify"));
    free(sig);
    minisig_secret_wipe(&s);
}

static void test_sign_comment(void **state)
{
    (void)state;
    struct minisig_secret s;
    secret_of("sign/a.key", &s);
    char *sig = (char *)1;
    size_t n = 7;
    assert_int_equal(minisig_sign(&s, "x", 1, "two\nlines", &sig, &n), -1);
    assert_null(sig);
    assert_int_equal(n, 0);
    assert_int_equal(minisig_sign(&s, "x", 1, "cr\r", &sig, &n), -1);
    assert_int_equal(minisig_sign(&s, "x", 1, NULL, &sig, &n), -1);
    char longest[MINISIG_MAX_COMMENT + 2];
    memset(longest, 'c', sizeof(longest));
    longest[MINISIG_MAX_COMMENT + 1] = '\0';
    assert_int_equal(minisig_sign(&s, "x", 1, longest, &sig, &n), -1);
    longest[MINISIG_MAX_COMMENT] = '\0';
    assert_int_equal(minisig_sign(&s, "x", 1, longest, &sig, &n), 0);
    struct minisig_info info;
    assert_string_equal(verify_with("sign/a.pub", sig, n, "x", 1, &info), "");
    assert_string_equal(info.comment, longest);
    free(sig);
    minisig_secret_wipe(&s);
}

/* The .key text of a.key with its decoded bytes passed through edit(). */
static char *edited_key(void (*edit)(uint8_t *raw), size_t *len)
{
    char *t;
    size_t n;
    read_data("sign/a.key", &t, &n);
    char *b64 = strchr(t, '\n') + 1;
    uint8_t raw[158];
    size_t got;
    assert_int_equal(sodium_base642bin(raw, sizeof(raw), b64, strcspn(b64, "\n"), NULL, &got,
                                       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    assert_int_equal(got, sizeof(raw));
    edit(raw);
    char *out = malloc(512);
    assert_non_null(out);
    int m = snprintf(out, 512, "untrusted comment: edited\n");
    sodium_bin2base64(out + m, 512 - (size_t)m, raw, sizeof(raw),
                      sodium_base64_VARIANT_ORIGINAL);
    strcat(out, "\n");
    *len = strlen(out);
    free(t);
    return out;
}

/* Offsets in a secret key: the KDF, the checksum algorithm, key id,
 * secret key (seed, public half), checksum. */
enum { K_KDF = 2, K_CHKALG = 4, K_ID = 54, K_SK = 62, K_PK = 94, K_CHK = 126 };

static void set_kdf_sc(uint8_t *raw)
{
    raw[K_KDF] = 'S';
    raw[K_KDF + 1] = 'c';
}
static void set_kdf_other(uint8_t *raw)
{
    raw[K_KDF] = 'X';
}
static void set_chkalg(uint8_t *raw)
{
    raw[K_CHKALG] = 'B';
    raw[K_CHKALG + 1] = '3';
}
static void bad_checksum(uint8_t *raw)
{
    raw[K_CHK + 5] = 0x5a;
}
static void good_checksum(uint8_t *raw)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, raw, 2);
    crypto_generichash_update(&h, raw + K_ID, 8 + 64);
    crypto_generichash_final(&h, raw + K_CHK, 32);
}
static void flip_seed(uint8_t *raw)
{
    raw[K_SK + 3] ^= 1;
}
static void flip_pk(uint8_t *raw)
{
    raw[K_PK + 3] ^= 1;
}
static void flip_seed_checksummed(uint8_t *raw)
{
    /* A checksum over the damaged key still leaves the public half wrong. */
    raw[K_SK] ^= 0x80;
    good_checksum(raw);
}
static void flip_id_checksummed(uint8_t *raw)
{
    good_checksum(raw);
    raw[K_ID] ^= 1;
}

static const char *parse_error(const char *text, size_t len)
{
    static char err[512];
    struct minisig_secret s;
    memset(&s, 0xab, sizeof(s));
    err[0] = '\0';
    if (minisig_secret_parse(text, len, &s, err, sizeof(err)) == 0) {
        minisig_secret_wipe(&s);
        return "";
    }
    static const struct minisig_secret zero;
    assert_memory_equal(&s, &zero, sizeof(s)); /* wiped on failure */
    assert_true(err[0] != '\0');
    return err;
}

static void test_secret_encrypted(void **state)
{
    (void)state;
    /* A real `minisign -G` key (password edukiosk-test). */
    char *t;
    size_t n;
    read_data("sign/c.key", &t, &n);
    const char *e = parse_error(t, n);
    assert_non_null(strstr(e, "encrypted with a password"));
    assert_non_null(strstr(e, "`minisign -G -W`"));
    free(t);
    /* a.key marked as encrypted. */
    t = edited_key(set_kdf_sc, &n);
    assert_non_null(strstr(parse_error(t, n), "minisign -G -W"));
    free(t);
}

static void test_secret_damaged(void **state)
{
    (void)state;
    static const struct {
        void (*edit)(uint8_t *);
        const char *want;
    } cases[] = {
        {good_checksum, ""},
        {bad_checksum, "damaged"},
        {flip_seed, "damaged"},
        {flip_pk, "damaged"},
        {flip_seed_checksummed, "damaged"},
        {flip_id_checksummed, "damaged"},
        {set_kdf_other, "unknown key derivation"},
        {set_chkalg, "unknown checksum algorithm"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        char *t = edited_key(cases[i].edit, &n);
        const char *e = parse_error(t, n);
        if (cases[i].want[0] ? !strstr(e, cases[i].want) : e[0] != '\0')
            fail_msg("case %zu: \"%s\", expected \"%s\"", i, e, cases[i].want);
        free(t);
    }
    /* A correct checksum (which other minisign writers may put in an
     * unencrypted key) signs like the zeros minisign -W writes. */
    size_t n;
    char *t = edited_key(good_checksum, &n);
    struct minisig_secret s;
    char err[256], *sig;
    size_t sn;
    assert_int_equal(minisig_secret_parse(t, n, &s, err, sizeof(err)), 0);
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &sn), 0);
    assert_string_equal(verify_with("sign/a.pub", sig, sn, feed_bytes, feed_len, NULL), "");
    free(sig);
    free(t);
    minisig_secret_wipe(&s);
}

static void test_secret_garbage(void **state)
{
    (void)state;
    char *pub;
    size_t pn;
    read_data("sign/a.pub", &pub, &pn);
    assert_non_null(strstr(parse_error(pub, pn), "public key"));
    free(pub);
    const char *cases[][2] = {
        {"", "no minisign secret key"},
        {"untrusted comment: x\n", "no minisign secret key"},
        {"untrusted comment: x\n\n  \n", "no minisign secret key"},
        {"untrusted comment: x\n!!!!\n", "not base64"},
        {"untrusted comment: x\nRWQAAEIy\n", "wrong length"},
        {"<html>404</html>\n", "not base64"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *e = parse_error(cases[i][0], strlen(cases[i][0]));
        if (!strstr(e, cases[i][1]))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e, cases[i][1]);
    }
    char big[2048];
    memset(big, 'A', sizeof(big));
    assert_non_null(strstr(parse_error(big, sizeof(big)), "not base64"));
    /* CRLF line ends and a missing last newline are fine. */
    char *t;
    size_t n;
    read_data("sign/a.key", &t, &n);
    char crlf[600];
    size_t m = 0;
    for (size_t i = 0; i < n && m + 2 < sizeof(crlf); i++) {
        if (t[i] == '\n')
            crlf[m++] = '\r';
        crlf[m++] = t[i];
    }
    assert_string_equal(parse_error(crlf, m), "");
    assert_string_equal(parse_error(t, n - 1), "");
    free(t);
}

/* Runs a shell command; returns its exit status (-1 when it did not
 * exit) and its output in out. */
static int run(const char *cmd, char *out, size_t outlen)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The real minisign takes what we sign, and refuses it for another file. */
static void test_sign_minisign_cli(void **state)
{
    (void)state;
    char out[2048], cmd[2 * TU_PATH_MAX + 64];
    if (run("command -v minisign", out, sizeof(out)) != 0) {
        print_message("minisign is not installed (deploy/deps.sh test): skipped\n");
        skip();
    }
    struct minisig_secret s;
    secret_of("sign/a.key", &s);
    char *sig;
    size_t n;
    assert_int_equal(minisig_sign(&s, feed_bytes, feed_len, TC, &sig, &n), 0);
    minisig_secret_wipe(&s);
    char feed[TU_PATH_MAX], pub[TU_PATH_MAX], other[TU_PATH_MAX];
    snprintf(feed, sizeof(feed), "%s", tu_tmp_path("feed.json"));
    snprintf(pub, sizeof(pub), "%s", test_data("sign/a.pub"));
    snprintf(other, sizeof(other), "%s", tu_tmp_path("other.json"));
    assert_null(strchr(feed, '\''));
    assert_null(strchr(pub, '\''));
    FILE *f = fopen(feed, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(feed_bytes, 1, feed_len, f), feed_len);
    assert_int_equal(fclose(f), 0);
    tu_write_file(tu_tmp_path("feed.json.minisig"), sig);
    tu_write_file(tu_tmp_path("other.json.minisig"), sig);
    free(sig);

    snprintf(cmd, sizeof(cmd), "minisign -Vm '%s' -p '%s' 2>&1", feed, pub);
    int st = run(cmd, out, sizeof(out));
    if (st != 0)
        fail_msg("minisign -V exited %d: %s", st, out);
    assert_non_null(strstr(out, "Signature and comment signature verified"));
    assert_non_null(strstr(out, "Trusted comment: " TC));

    /* The same signature beside another file: minisign refuses it. */
    tu_write_file(other, "{}\n");
    snprintf(cmd, sizeof(cmd), "minisign -Vm '%s' -p '%s' 2>&1", other, pub);
    assert_int_not_equal(run(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "verification failed"));
}

static int setup(void **state)
{
    (void)state;
    read_data("sign/feed.json", &feed_bytes, &feed_len);
    return tu_tmpdir_create("test_minisig");
}

static int teardown(void **state)
{
    (void)state;
    free(feed_bytes);
    return tu_tmpdir_remove();
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
        cmocka_unit_test(test_sign_verifies),      cmocka_unit_test(test_sign_wrong_key),
        cmocka_unit_test(test_sign_tampered),      cmocka_unit_test(test_sign_comment),
        cmocka_unit_test(test_secret_encrypted),   cmocka_unit_test(test_secret_damaged),
        cmocka_unit_test(test_secret_garbage),     cmocka_unit_test(test_sign_minisign_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
