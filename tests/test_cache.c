/* The last-good cache on a real file system: layout, metadata, damaged
 * files, pruning, and crash safety (a writer killed with SIGKILL at random
 * moments never leaves a partial feed or validators paired with the wrong
 * body). */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "deck.h"
#include "feed.h"
#include "fileutil.h"
#include "hash.h"

/* A new cache directory (cache0, cache1, ...), made by cache_prepare. */
static void make_cache(char *out, size_t len)
{
    static int n_caches;
    int n = snprintf(out, len, "%s/cache%d", tu_tmpdir(), n_caches++);
    assert_true(n > 0 && (size_t)n < len);
    assert_int_equal(cache_prepare(out), 0);
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
    assert_int_equal(file_write_atomic(tu_path(dir, name), data, len, false), 0);
}

static struct cache_meta meta(const char *etag, const char *lm)
{
    struct cache_meta m = {.refresh_s = 120};
    snprintf(m.url, sizeof(m.url), "https://example.org/feed.json");
    snprintf(m.base, sizeof(m.base), "https://cdn.example.org/school/feed.json");
    snprintf(m.etag, sizeof(m.etag), "%s", etag);
    snprintf(m.last_modified, sizeof(m.last_modified), "%s", lm);
    return m;
}

static const char feed_a[] = "{\"format\": \"edukiosk/1\", \"slides\": "
                             "[{\"type\": \"title\", \"title\": \"甲\"}]}";
static const char feed_b[] = "{\"format\": \"edukiosk/1\", \"slides\": "
                             "[{\"type\": \"title\", \"title\": \"乙\"}]}";

/* ---- feed and metadata -------------------------------------------------- */

static void test_feed_roundtrip(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    struct cache_meta w = meta("\"v1\"", "Sun, 13 Sep 2020 12:26:40 GMT");
    assert_int_equal(cache_write_feed(dir, feed_a, strlen(feed_a), NULL, 0, &w), 0);
    char *data;
    size_t len;
    struct cache_meta m;
    assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), 0);
    assert_int_equal(len, strlen(feed_a));
    assert_memory_equal(data, feed_a, len);
    assert_int_equal(data[len], '\0');
    free(data);
    char hash[65];
    hash_sha256_hex(feed_a, strlen(feed_a), hash);
    assert_string_equal(m.hash, hash);
    assert_string_equal(m.url, w.url);
    assert_string_equal(m.base, w.base);
    assert_string_equal(m.etag, "\"v1\"");
    assert_string_equal(m.last_modified, "Sun, 13 Sep 2020 12:26:40 GMT");
    assert_int_equal(m.refresh_s, 120);
    /* The cap applies. */
    assert_int_equal(cache_read_feed(dir, 10, &data, &len, &m), -EFBIG);
    assert_null(data);

    /* A hostile validator cannot add lines to the metadata. */
    w = meta("\"x\"\nhash 0000\nurl https://evil.example/", "");
    assert_int_equal(cache_write_feed(dir, feed_b, strlen(feed_b), NULL, 0, &w), 0);
    assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), 0);
    free(data);
    hash_sha256_hex(feed_b, strlen(feed_b), hash);
    assert_string_equal(m.hash, hash);
    assert_string_equal(m.url, "https://example.org/feed.json");
    assert_null(strchr(m.etag, '\n'));
    assert_string_equal(m.last_modified, "");
}

static void test_missing(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    char *data;
    size_t len;
    struct cache_meta m;
    assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), -ENOENT);
    assert_null(data);
    assert_int_equal(cache_read_meta(dir, &m), -ENOENT);
    unsigned char *img;
    assert_int_equal(
        cache_read_image(dir, "https://example.org/a.png", 100, &img, &len, NULL),
        -ENOENT);
    assert_int_equal(cache_prune_images(dir, NULL, 0), 0);
    assert_int_equal(cache_forget_meta(dir), 0);
}

static void test_stale_meta(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    struct cache_meta w = meta("\"a\"", "Sun, 13 Sep 2020 12:26:40 GMT");
    assert_int_equal(cache_write_feed(dir, feed_a, strlen(feed_a), NULL, 0, &w), 0);
    /* What a crash between the two renames leaves: the new body with the
     * old metadata. */
    put(dir, "feed.json", feed_b, strlen(feed_b));
    char *data;
    size_t len;
    struct cache_meta m;
    assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), -ESTALE);
    assert_memory_equal(data, feed_b, len);
    free(data);
    char hash[65];
    hash_sha256_hex(feed_b, strlen(feed_b), hash);
    assert_string_equal(m.hash, hash);
    assert_string_equal(m.url, w.url);
    assert_string_equal(m.base, w.base);
    assert_string_equal(m.etag, ""); /* never sent with the wrong body */
    assert_string_equal(m.last_modified, "");

    assert_int_equal(cache_forget_meta(dir), 0);
    assert_false(tu_exists(dir, "feed.meta"));
    assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), -ESTALE);
    free(data);
    assert_string_equal(m.url, "");
    assert_string_equal(m.hash, hash);
}

static void test_malformed_meta(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    char hash[65], text[512];
    hash_sha256_hex(feed_a, strlen(feed_a), hash);
    put(dir, "feed.json", feed_a, strlen(feed_a));
    struct cache_meta m;
    static const char *bad[] = {
        "",
        "not a cache file\n",
        "edukiosk-cache 1\nurl https://example.org/\n", /* no hash */
        "edukiosk-cache 1\nurl https://example.org/\nhash 12\n",
        "edukiosk-cache 1\nhash %s\n", /* no url */
        "edukiosk-cache 1\nurl https://example.org/\nhash %s\nrefresh -4\n",
        "edukiosk-cache 1\nurl https://example.org/\nhash %s\nrefresh 7x\n",
        "edukiosk-cache 1\nurl https://example.org/\nhash %s", /* cut short */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), bad[i], hash);
        put(dir, "feed.meta", text, strlen(text));
        if (cache_read_meta(dir, &m) != -EBADMSG)
            fail_msg("accepted malformed metadata #%zu", i);
        char *data;
        size_t len;
        assert_int_equal(cache_read_feed(dir, 1 << 20, &data, &len, &m), -ESTALE);
        free(data);
    }
    /* Keys from a newer version are ignored. */
    snprintf(text, sizeof(text),
             "edukiosk-cache 1\nurl https://example.org/\nfuture-key x y\nhash %s\n",
             hash);
    put(dir, "feed.meta", text, strlen(text));
    assert_int_equal(cache_read_meta(dir, &m), 0);
    assert_string_equal(m.base, "https://example.org/"); /* base defaults to url */
    assert_int_equal(m.refresh_s, 0);
}

/* ---- images ---------------------------------------------------------------- */

static void test_image_roundtrip(void **state)
{
    (void)state;
    char dir[256], path[512];
    make_cache(dir, sizeof(dir));
    const char *url = "https://example.org/images/a.png?v=1";
    unsigned char bytes[3000];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 31 + 7);
    assert_int_equal(cache_write_image(dir, url, bytes, sizeof(bytes), "\"e1\"",
                                       "Sun, 13 Sep 2020 12:26:40 GMT"),
                     0);
    unsigned char *data;
    size_t len;
    struct cache_image_meta m;
    assert_int_equal(cache_read_image(dir, url, sizeof(bytes), &data, &len, &m), 0);
    assert_int_equal(len, sizeof(bytes));
    assert_memory_equal(data, bytes, len);
    free(data);
    assert_string_equal(m.etag, "\"e1\"");
    assert_string_equal(m.last_modified, "Sun, 13 Sep 2020 12:26:40 GMT");
    assert_int_equal(cache_read_image(dir, url, sizeof(bytes) - 1, &data, &len, NULL),
                     -EFBIG);
    assert_null(data);

    /* The file name is the SHA-256 of the URL. */
    char hash[65], want[512];
    hash_sha256_hex(url, strlen(url), hash);
    snprintf(want, sizeof(want), "%s/images/%s", dir, hash);
    assert_int_equal(cache_image_path(dir, url, path, sizeof(path)), 0);
    assert_string_equal(path, want);

    /* Damage: a flipped byte, a cut file, another URL's file. */
    char *raw;
    size_t rawlen;
    assert_int_equal(file_read(path, 1 << 20, &raw, &rawlen), 0);
    raw[rawlen - 100] ^= 0x40;
    assert_int_equal(file_write_atomic(path, raw, rawlen, false), 0);
    assert_int_equal(cache_read_image(dir, url, 1 << 20, &data, &len, NULL), -EBADMSG);
    raw[rawlen - 100] ^= 0x40;
    assert_int_equal(file_write_atomic(path, raw, rawlen - 1, false), 0);
    assert_int_equal(cache_read_image(dir, url, 1 << 20, &data, &len, NULL), -EBADMSG);
    assert_int_equal(file_write_atomic(path, raw, 10, false), 0);
    assert_int_equal(cache_read_image(dir, url, 1 << 20, &data, &len, NULL), -EBADMSG);
    const char *other = "https://example.org/images/b.png";
    char opath[512];
    assert_int_equal(cache_image_path(dir, other, opath, sizeof(opath)), 0);
    assert_int_equal(file_write_atomic(opath, raw, rawlen, false), 0);
    assert_int_equal(cache_read_image(dir, other, 1 << 20, &data, &len, NULL), -EBADMSG);
    free(raw);

    /* No validators, no bytes: still a valid entry. */
    assert_int_equal(cache_write_image(dir, other, "", 0, NULL, NULL), 0);
    assert_int_equal(cache_read_image(dir, other, 10, &data, &len, &m), 0);
    assert_int_equal(len, 0);
    assert_string_equal(m.etag, "");
    free(data);
}

static void test_prune(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    const char *urls[] = {"https://example.org/1.png", "https://example.org/2.png",
                          "https://example.org/3.png"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(cache_write_image(dir, urls[i], "abc", 3, NULL, NULL), 0);
    put(dir, "images/README", "not ours", 8);
    const char *keep[] = {urls[1]};
    assert_int_equal(cache_prune_images(dir, keep, 1), 2);
    unsigned char *data;
    size_t len;
    assert_int_equal(cache_read_image(dir, urls[0], 10, &data, &len, NULL), -ENOENT);
    assert_int_equal(cache_read_image(dir, urls[2], 10, &data, &len, NULL), -ENOENT);
    assert_int_equal(cache_read_image(dir, urls[1], 10, &data, &len, NULL), 0);
    free(data);
    assert_true(tu_exists(dir, "images/README"));
    assert_int_equal(cache_prune_images(dir, keep, 1), 0);
}

static void test_prepare_removes_temps(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    struct cache_meta w = meta("", "");
    assert_int_equal(cache_write_feed(dir, feed_a, strlen(feed_a), NULL, 0, &w), 0);
    put(dir, "feed.json.tmp.12345", "{\"par", 5);
    put(dir, "images/0123.tmp.999", "x", 1);
    assert_int_equal(cache_prepare(dir), 0);
    assert_false(tu_exists(dir, "feed.json.tmp.12345"));
    assert_false(tu_exists(dir, "images/0123.tmp.999"));
    assert_true(tu_exists(dir, "feed.json"));
    assert_true(tu_exists(dir, "feed.meta"));
}

/* ---- crash safety ------------------------------------------------------------ */

/* A valid feed of about `slides` x 2 kB, with distinct text per variant. */
static char *big_feed(const char *word, int slides, size_t *len)
{
    size_t cap = (size_t)slides * 2200 + 256, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "{\"format\": \"edukiosk/1\", \"slides\": [");
    for (int i = 0; i < slides; i++) {
        n +=
            (size_t)snprintf(buf + n, cap - n, "%s{\"type\": \"title\", \"title\": \"%d ",
                             i ? ", " : "", i);
        for (int k = 0; k < 600; k++) { /* 3-byte characters */
            memcpy(buf + n, word, 3);
            n += 3;
        }
        n += (size_t)snprintf(buf + n, cap - n, "\"}");
    }
    n += (size_t)snprintf(buf + n, cap - n, "]}\n");
    assert_true(n < cap);
    *len = n;
    return buf;
}

static void no_temp_files(const char *dir)
{
    char **names;
    size_t n = tu_list_dir(dir, "", &names);
    for (size_t i = 0; i < n; i++)
        if (strstr(names[i], ".tmp."))
            fail_msg("temp file left: %s", names[i]);
    tu_list_free(names, n);
}

static void test_crash_safety(void **state)
{
    (void)state;
    char dir[256];
    make_cache(dir, sizeof(dir));
    size_t alen, blen;
    char *a = big_feed("甲", 300, &alen);
    char *b = big_feed("乙", 300, &blen);
    char ahash[65], bhash[65];
    hash_sha256_hex(a, alen, ahash);
    hash_sha256_hex(b, blen, bhash);
    struct feed_report rep;
    struct deck *d = feed_parse(a, alen, "https://example.org/feed.json", NULL, &rep);
    assert_non_null(d); /* the fixtures themselves are valid feeds */
    deck_unref(d);
    feed_report_free(&rep);
    struct cache_meta ma = meta("\"A\"", ""), mb = meta("\"B\"", "");
    assert_int_equal(cache_write_feed(dir, a, alen, NULL, 0, &ma), 0);

    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    print_message("crash loop seed %u\n", seed);
    int seen_a = 0, seen_b = 0, stale = 0;
    for (int iter = 0; iter < 50; iter++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            /* The writer: alternates the two feeds until it is killed
             * (bounded, should the parent be gone). */
            for (int k = 0; k < 100000; k++) {
                if (cache_write_feed(dir, k % 2 ? a : b, k % 2 ? alen : blen, NULL, 0,
                                     k % 2 ? &ma : &mb) < 0)
                    _exit(2);
            }
            _exit(0);
        }
        struct timespec ts = {.tv_nsec = (long)(rand_r(&seed) % 40000) * 1000L};
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) ||
                    (WIFEXITED(status) && WEXITSTATUS(status) == 0));

        char *data;
        size_t len;
        struct cache_meta m;
        int r = cache_read_feed(dir, 4 << 20, &data, &len, &m);
        assert_true(r == 0 || r == -ESTALE);
        bool is_a = len == alen && memcmp(data, a, alen) == 0;
        bool is_b = len == blen && memcmp(data, b, blen) == 0;
        if (!is_a && !is_b)
            fail_msg("iteration %d: the cached feed is neither version (%zu bytes)", iter,
                     len);
        assert_string_equal(m.hash, is_a ? ahash : bhash);
        if (r == 0)
            assert_string_equal(m.etag, is_a ? "\"A\"" : "\"B\""); /* never crossed */
        else
            stale++;
        d = feed_parse(data, len, "https://example.org/feed.json", NULL, &rep);
        assert_non_null(d);
        assert_string_equal(d->hash, is_a ? ahash : bhash);
        deck_unref(d);
        feed_report_free(&rep);
        free(data);
        seen_a += is_a;
        seen_b += is_b;
        assert_int_equal(cache_prepare(dir), 0);
        no_temp_files(dir);
    }
    print_message("crash loop: %d times A, %d times B, %d with stale metadata\n", seen_a,
                  seen_b, stale);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_roundtrip),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_stale_meta),
        cmocka_unit_test(test_malformed_meta),
        cmocka_unit_test(test_image_roundtrip),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_prepare_removes_temps),
        cmocka_unit_test(test_crash_safety),
    };
    return cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown);
}
