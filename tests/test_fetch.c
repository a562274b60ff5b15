/* The fetcher against a real HTTP server (tests/http_server.py on
 * 127.0.0.1): status codes, validators, redirects, encodings, slow and
 * broken transfers, caps, invalid feeds, images, the cache on disk, and
 * the worker thread.  Every wait is bounded; nothing asserts durations. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "deck.h"
#include "fetch.h"
#include "fileutil.h"
#include "hash.h"
#include "http.h"
#include "log.h"

/* ---- the server ------------------------------------------------------- */

struct server {
    pid_t pid;
    int in_fd, out_fd; /* its stdin (closing it stops it) and stdout */
    char base[64];     /* "http://127.0.0.1:PORT" */
};

/* srv speaks HTTP, tls_srv HTTPS; both serve docroot. */
static struct server srv = {.pid = -1, .in_fd = -1, .out_fd = -1};
static struct server tls_srv = {.pid = -1, .in_fd = -1, .out_fd = -1};
static char docroot[256];

static int server_start(struct server *sv, bool tls)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
        return -1;
    char script[4096], cert[4096], key[4096];
    snprintf(script, sizeof(script), "%s/../http_server.py", test_data_dir());
    snprintf(cert, sizeof(cert), "%s/fetch/test-cert.pem", test_data_dir());
    snprintf(key, sizeof(key), "%s/fetch/test-key.pem", test_data_dir());
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        if (tls)
            execl("/usr/bin/python3", "python3", script, "--tls", cert, key, docroot,
                  (char *)NULL);
        else
            execl("/usr/bin/python3", "python3", script, docroot, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    sv->pid = pid;
    sv->in_fd = in[1];
    sv->out_fd = out[0];
    /* The first line is the port (wait up to 30 s for a slow start). */
    char line[32];
    size_t n = 0;
    for (int tries = 0; tries < 300 && n < sizeof(line) - 1; tries++) {
        struct pollfd p = {.fd = sv->out_fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = read(sv->out_fd, line + n, 1);
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    char *end;
    long port = strtol(line, &end, 10);
    if (end == line || port <= 0 || port > 65535)
        return -1;
    snprintf(sv->base, sizeof(sv->base), "%s://127.0.0.1:%ld", tls ? "https" : "http",
             port);
    return 0;
}

static void server_stop(struct server *sv)
{
    if (sv->in_fd >= 0)
        close(sv->in_fd);
    if (sv->pid > 0) {
        kill(sv->pid, SIGTERM);
        waitpid(sv->pid, NULL, 0);
    }
    if (sv->out_fd >= 0)
        close(sv->out_fd);
    sv->pid = -1;
    sv->in_fd = sv->out_fd = -1;
}

static int group_setup(void **state)
{
    (void)state;
    /* Talk to 127.0.0.1 directly, whatever the environment says. */
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");
    if (tu_tmpdir_create("test_fetch") < 0)
        return -1;
    int n = snprintf(docroot, sizeof(docroot), "%s/docroot", tu_tmpdir());
    if (n < 0 || (size_t)n >= sizeof(docroot) || mkdir(docroot, 0755) < 0)
        return -1;
    if (fetch_global_init() < 0)
        return -1;
    if (server_start(&srv, false) < 0)
        return -1;
    return server_start(&tls_srv, true);
}

static int group_teardown(void **state)
{
    (void)state;
    server_stop(&srv);
    server_stop(&tls_srv);
    fetch_global_cleanup();
    return tu_tmpdir_remove();
}

/* ---- helpers ------------------------------------------------------------ */

static void url_of(char *out, size_t len, const char *path)
{
    snprintf(out, len, "%s%s", srv.base, path);
}

static char *read_data(const char *name, size_t *len)
{
    return tu_read_file(tu_path(test_data("fetch"), name), len);
}

/* Serves test data file `src` as docroot/name, with the given mtime (the
 * server's Last-Modified). */
static void serve(const char *name, const char *src, time_t mtime)
{
    size_t len;
    char *data = read_data(src, &len);
    const char *path = tu_path(docroot, name);
    assert_int_equal(file_write_atomic(path, data, len, false), 0);
    free(data);
    struct timespec ts[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void unserve(const char *name)
{
    assert_int_equal(unlink(tu_path(docroot, name)), 0);
}

static struct fetch_config test_cfg(const char *url, const char *cache_dir)
{
    return (struct fetch_config){
        .url = url,
        .cache_dir = cache_dir,
        .refresh_s = 300,
        .refresh_min_s = 5,
        .refresh_max_s = 3600,
        .max_feed_bytes = 100000,
        .max_image_bytes = 100000,
        .max_image_pixels = 4000000,
        .connect_timeout_s = 20,
        .total_timeout_s = 60,
        .low_speed_bytes = 1000,
        .low_speed_time_s = 5,
    };
}

struct rec {
    pthread_mutex_t lock;
    struct deck *decks[16];
    int n_decks;
    struct fetch_status last;
    int n_status;
};

static void on_deck(void *ud, struct deck *d)
{
    struct rec *r = ud;
    pthread_mutex_lock(&r->lock);
    if (r->n_decks < 16)
        r->decks[r->n_decks++] = d;
    else
        deck_unref(d);
    pthread_mutex_unlock(&r->lock);
}

static void on_status(void *ud, const struct fetch_status *st)
{
    struct rec *r = ud;
    pthread_mutex_lock(&r->lock);
    r->last = *st;
    r->n_status++;
    pthread_mutex_unlock(&r->lock);
}

static struct fetch_callbacks callbacks(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    return (struct fetch_callbacks){.deck = on_deck, .status = on_status, .ud = r};
}

static void rec_free(struct rec *r)
{
    for (int i = 0; i < r->n_decks; i++)
        deck_unref(r->decks[i]);
    r->n_decks = 0;
    pthread_mutex_destroy(&r->lock);
}

static int rec_count(struct rec *r, bool decks)
{
    pthread_mutex_lock(&r->lock);
    int n = decks ? r->n_decks : r->n_status;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* The server's request log ("STATUS PATH" lines). */
static char *server_log(void)
{
    char url[256], err[256];
    url_of(url, sizeof(url), "/_log");
    struct fetch_config cfg = test_cfg(url, NULL);
    char *data;
    size_t len;
    assert_int_equal(fetch_once(&cfg, url, &data, &len, err, sizeof(err)), 0);
    return data;
}

static void server_reset(void)
{
    char url[256], err[256];
    url_of(url, sizeof(url), "/_reset");
    struct fetch_config cfg = test_cfg(url, NULL);
    char *data;
    size_t len;
    assert_int_equal(fetch_once(&cfg, url, &data, &len, err, sizeof(err)), 0);
    free(data);
}

static int log_count(const char *log, const char *line)
{
    int n = 0;
    size_t l = strlen(line);
    for (const char *p = log; (p = strstr(p, line)); p += l)
        if ((p == log || p[-1] == '\n') && p[l] == '\n')
            n++;
    return n;
}

/* Captures what the program logs (stderr) between err_begin and err_end. */
static int saved_stderr = -1;

static void err_begin(void)
{
    const char *path = tu_tmp_path("stderr.log");
    log_flush();
    fflush(stderr);
    saved_stderr = dup(2);
    assert_true(saved_stderr >= 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    close(fd);
}

static char *err_end(void)
{
    log_flush(); /* a pending "repeated N times" line would count */
    fflush(stderr);
    assert_int_equal(dup2(saved_stderr, 2), 2);
    close(saved_stderr);
    return tu_read_file(tu_tmp_path("stderr.log"), NULL);
}

static int count_substr(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The cache holds exactly test data file `src`, with consistent metadata. */
static void assert_cached(const char *dir, const char *src, struct cache_meta *m)
{
    size_t len, clen;
    char *want = read_data(src, &len);
    char *got;
    assert_int_equal(cache_read_feed(dir, 1 << 20, &got, &clen, m), 0);
    assert_int_equal(clen, len);
    assert_memory_equal(got, want, len);
    free(got);
    free(want);
}

static void assert_deck_is(const struct deck *d, const char *src)
{
    size_t len;
    char *want = read_data(src, &len);
    char hash[65];
    hash_sha256_hex(want, len, hash);
    free(want);
    assert_non_null(d);
    assert_string_equal(d->hash, hash);
}

static const struct deck_image *image_ending(const struct deck *d, const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t i = 0; i < d->n_images; i++) {
        size_t ul = strlen(d->images[i].url);
        if (ul >= sl && strcmp(d->images[i].url + ul - sl, suffix) == 0)
            return &d->images[i];
    }
    fail_msg("no image ending in %s", suffix);
    return NULL;
}

/* One manual fetcher, one cycle; returns the result. */
static enum fetch_result one_cycle(const struct fetch_config *cfg, struct rec *r)
{
    struct fetch_callbacks cb = callbacks(r);
    struct fetcher *f = fetcher_new_manual(cfg, &cb);
    assert_non_null(f);
    enum fetch_result res = fetch_cycle(f, NULL);
    fetcher_free(f);
    return res;
}

/* A failure that leaves no deck, no cache and an error status. */
static void expect_failure(const char *path, const struct fetch_config *base,
                           const char *what)
{
    char url[512], cache[256];
    url_of(url, sizeof(url), path);
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = base ? *base : test_cfg(url, cache);
    cfg.url = url;
    cfg.cache_dir = cache;
    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_ERROR);
    assert_int_equal(r.n_decks, 0);
    assert_int_equal(r.n_status, 1);
    assert_int_equal(r.last.result, FETCH_ERROR);
    assert_string_equal(r.last.url, url);
    assert_int_equal(r.last.last_success, 0);
    assert_true(r.last.last_attempt > 0);
    if (!strstr(r.last.error, what))
        fail_msg("%s: error \"%s\" lacks \"%s\"", path, r.last.error, what);
    assert_false(tu_exists(cache, "feed.json"));
    assert_false(tu_exists(cache, "feed.meta"));
    rec_free(&r);
}

/* A manual fetcher of srv's `path` with its own cache, and what it reports. */
struct poll_fix {
    char url[512], cache[256];
    struct fetch_config cfg;
    struct rec r;
    struct fetcher *f;
};

static struct poll_fix *fix_open(const char *path)
{
    struct poll_fix *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    url_of(x->url, sizeof(x->url), path);
    tu_tmp_subdir(x->cache, sizeof(x->cache));
    x->cfg = test_cfg(x->url, x->cache);
    struct fetch_callbacks cb = callbacks(&x->r);
    x->f = fetcher_new_manual(&x->cfg, &cb);
    assert_non_null(x->f);
    return x;
}

static void fix_close(struct poll_fix *x)
{
    fetcher_free(x->f);
    rec_free(&x->r);
    free(x);
}

/* ---- status codes and validators ---------------------------------------- */

static void test_ok_then_304_by_etag(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t1.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/files/t1.json?lm=0");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_non_null(f);

    double delay = 0;
    assert_int_equal(fetch_cycle(f, &delay), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-a.json");
    assert_int_equal(r.decks[0]->n_slides, 1);
    assert_int_equal(r.decks[0]->refresh_s, 60);
    assert_int_equal(r.last.result, FETCH_OK);
    assert_int_equal(r.last.http_status, 200);
    assert_string_equal(r.last.error, "");
    assert_string_equal(r.last.url, url);
    assert_true(r.last.last_success > 0);
    assert_true(r.last.last_success == r.last.last_attempt);
    /* The feed's refresh hint (60 s), ±10 %. */
    assert_true(delay >= 54 && delay <= 66);
    struct cache_meta m;
    assert_cached(cache, "feed-a.json", &m);
    assert_string_equal(m.url, url);
    assert_true(m.etag[0] == '"');
    assert_string_equal(m.last_modified, "");
    assert_int_equal(m.refresh_s, 60);

    assert_int_equal(fetch_cycle(f, &delay), FETCH_NOT_MODIFIED);
    assert_int_equal(r.n_decks, 1);
    assert_int_equal(r.last.result, FETCH_NOT_MODIFIED);
    assert_int_equal(r.last.http_status, 304);
    assert_int_equal(r.n_status, 2);
    assert_true(delay >= 54 && delay <= 66);
    fetcher_free(f);
    rec_free(&r);

    /* A restart sends the persisted ETag. */
    assert_int_equal(one_cycle(&cfg, &r), FETCH_NOT_MODIFIED);
    assert_int_equal(r.n_decks, 0);
    assert_int_equal(r.last.http_status, 304);
    rec_free(&r);

    char *log = server_log();
    assert_int_equal(log_count(log, "304 /files/t1.json?lm=0"), 2);
    free(log);

    /* Without the cached feed the validators are worthless: full GET. */
    char path[512];
    snprintf(path, sizeof(path), "%s/feed.json", cache);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_int_equal(r.last.http_status, 200);
    assert_cached(cache, "feed-a.json", &m);
    rec_free(&r);
}

static void test_304_by_last_modified(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t2.json", "feed-b.json", 1600000000);
    url_of(url, sizeof(url), "/files/t2.json?etag=0");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-b.json");
    struct cache_meta m;
    assert_cached(cache, "feed-b.json", &m);
    assert_string_equal(m.etag, "");
    assert_string_equal(m.last_modified, "Sun, 13 Sep 2020 12:26:40 GMT");
    assert_int_equal(fetch_cycle(f, NULL), FETCH_NOT_MODIFIED);
    assert_int_equal(r.last.http_status, 304);
    assert_int_equal(r.n_decks, 1);
    fetcher_free(f);
    rec_free(&r);

    assert_int_equal(one_cycle(&cfg, &r), FETCH_NOT_MODIFIED);
    rec_free(&r);

    /* A newer file is a new deck. */
    serve("t2.json", "feed-a.json", 1600000100);
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-a.json");
    assert_cached(cache, "feed-a.json", &m);
    assert_string_equal(m.last_modified, "Sun, 13 Sep 2020 12:28:20 GMT");
    rec_free(&r);
}

static void test_same_content_without_validators(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t3.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/files/t3.json?etag=0&lm=0");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    ino_t feed_ino = tu_inode(tu_path(cache, "feed.json"));
    ino_t meta_ino = tu_inode(tu_path(cache, "feed.meta"));

    /* 200 with the same bytes: no new deck, no cache write. */
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.last.http_status, 200);
    assert_int_equal(r.n_decks, 1);
    assert_true(tu_inode(tu_path(cache, "feed.json")) == feed_ino);
    assert_true(tu_inode(tu_path(cache, "feed.meta")) == meta_ino);

    serve("t3.json", "feed-b.json", 1600000000);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 2);
    assert_deck_is(r.decks[1], "feed-b.json");
    assert_int_equal(r.decks[1]->n_slides, 2);
    struct cache_meta m;
    assert_cached(cache, "feed-b.json", &m);
    fetcher_free(f);
    rec_free(&r);
}

static void test_404_keeps_old_deck_and_backs_off(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t4.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/files/t4.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    time_t success = r.last.last_success;

    unserve("t4.json");
    err_begin();
    double d1, d2, d3;
    assert_int_equal(fetch_cycle(f, &d1), FETCH_ERROR);
    assert_int_equal(r.last.result, FETCH_ERROR);
    assert_int_equal(r.last.http_status, 404);
    assert_string_equal(r.last.error, "HTTP 404");
    assert_true(r.last.last_success == success);
    assert_int_equal(r.n_decks, 1);
    struct cache_meta m;
    assert_cached(cache, "feed-a.json", &m);
    /* Back-off from refresh_min_s = 5 s, doubling, jitter in [50 %, 100 %]. */
    assert_true(d1 >= 2.5 && d1 <= 5);
    assert_int_equal(fetch_cycle(f, &d2), FETCH_ERROR);
    assert_true(d2 >= 5 && d2 <= 10);
    assert_int_equal(fetch_cycle(f, &d3), FETCH_ERROR);
    assert_true(d3 >= 10 && d3 <= 20);

    /* Back again: the normal schedule, and no new deck for old bytes. */
    serve("t4.json", "feed-a.json", 1600000000);
    assert_int_equal(fetch_cycle(f, &d1), FETCH_NOT_MODIFIED);
    assert_true(d1 >= 54 && d1 <= 66);
    assert_int_equal(r.n_decks, 1);
    assert_string_equal(r.last.error, "");
    /* One log line when it broke, one when it healed; none per retry. */
    char *log = err_end();
    assert_int_equal(count_substr(log, "HTTP 404"), 1);
    assert_int_equal(count_substr(log, "working again"), 1);
    assert_int_equal(count_substr(log, "repeated"), 0);
    free(log);
    fetcher_free(f);
    rec_free(&r);
}

static void test_500(void **state)
{
    (void)state;
    expect_failure("/status/500", NULL, "HTTP 500");
    expect_failure("/status/403", NULL, "HTTP 403");
}

/* ---- redirects ---------------------------------------------------------- */

static void test_redirect_chain(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t6.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/redirect/5?to=/files/t6.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-a.json");
    assert_int_equal(r.last.http_status, 200);
    struct cache_meta m;
    assert_cached(cache, "feed-a.json", &m);
    assert_string_equal(m.url, url);
    /* Relative image URLs resolve against where the feed really is. */
    char want[512];
    url_of(want, sizeof(want), "/files/t6.json");
    assert_string_equal(m.base, want);
    assert_string_equal(r.decks[0]->source, want);
    rec_free(&r);
}

static void test_redirect_limits(void **state)
{
    (void)state;
    expect_failure("/redirect/6?to=/files/t6.json", NULL, "more than 5 redirects");
    expect_failure("/loop", NULL, "more than 5 redirects");
    expect_failure("/tofile", NULL, "refused");
}

/* ---- encodings and transfers --------------------------------------------- */

static void test_gzip(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t10.json", "feed-b.json", 1600000000);
    /* The server answers 406 unless the client accepts gzip. */
    url_of(url, sizeof(url), "/files/t10.json?gzip=1");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-b.json");
    struct cache_meta m;
    assert_cached(cache, "feed-b.json", &m);
    rec_free(&r);

    /* Chunked transfer coding is no different. */
    url_of(url, sizeof(url), "/files/t10.json?chunked=1");
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    rec_free(&r);
}

static void test_gzip_bomb(void **state)
{
    (void)state;
    /* 300 kB of spaces compress to a few hundred bytes; the cap counts
     * what comes out of the decoder. */
    char path[512];
    snprintf(path, sizeof(path), "%s/spaces.json", docroot);
    char *spaces = malloc(300000);
    assert_non_null(spaces);
    memset(spaces, ' ', 300000);
    assert_int_equal(file_write_atomic(path, spaces, 300000, false), 0);
    free(spaces);
    expect_failure("/files/spaces.json?gzip=1", NULL,
                   "larger than the limit of 100000 bytes");
    expect_failure("/files/spaces.json?chunked=1", NULL, "larger than the limit");
}

static void test_slow_drip(void **state)
{
    (void)state;
    /* 5 bytes/s against a limit of 1000 bytes/s over 5 s. */
    expect_failure("/drip?bytes=100000&interval=0.2", NULL, "too slow");
}

static void test_stall_mid_body(void **state)
{
    (void)state;
    char url[8] = "";
    struct fetch_config cfg = test_cfg(url, NULL);
    cfg.total_timeout_s = 3; /* the total timeout fires first here */
    cfg.low_speed_time_s = 50;
    expect_failure("/stall?bytes=60000", &cfg, "timed out");
    /* With the defaults for the rest, the low-speed rule catches it. */
    expect_failure("/stall?bytes=60000", NULL, "too slow");
}

static void test_oversized(void **state)
{
    (void)state;
    expect_failure("/big?bytes=300000&cl=1", NULL,
                   "larger than the limit of 100000 bytes");
    expect_failure("/big?bytes=300000&cl=0", NULL,
                   "larger than the limit of 100000 bytes");
    /* The announced length is enough: the body never comes here, so only
     * the early check can end this before a timeout. */
    expect_failure("/big?bytes=300000&cl=1&stall=1", NULL, "larger than the limit");
}

static void test_truncated(void **state)
{
    (void)state;
    expect_failure("/truncated?bytes=1000&send=100", NULL, "body cut short");
}

static void test_server_down(void **state)
{
    (void)state;
    /* A bound socket that does not listen: connections are refused, and
     * no other process can take the port meanwhile. */
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    char url[128], cache[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed.json", ntohs(a.sin_port));
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    double d1, d2;
    assert_int_equal(fetch_cycle(f, &d1), FETCH_ERROR);
    assert_int_equal(r.last.http_status, 0);
    assert_non_null(strstr(r.last.error, "connect failed"));
    assert_int_equal(r.n_decks, 0);
    assert_int_equal(fetch_cycle(f, &d2), FETCH_ERROR);
    assert_true(d1 >= 2.5 && d1 <= 5);
    assert_true(d2 >= 5 && d2 <= 10);
    assert_int_equal(r.n_status, 2);
    assert_false(tu_exists(cache, "feed.json"));
    fetcher_free(f);
    rec_free(&r);
    close(s);
}

/* ---- replies that do not add up ------------------------------------------ */

/* Polls `path` n times with one manual fetcher; every poll must succeed
 * and the log must not speak of errors. */
static void expect_all_ok(const char *path, const char *src, int n)
{
    struct poll_fix *x = fix_open(path);
    char first[600] = "";
    err_begin();
    for (int i = 0; i < n; i++)
        if (fetch_cycle(x->f, NULL) == FETCH_ERROR && !first[0])
            snprintf(first, sizeof(first), "poll %d: %s", i + 1, x->r.last.error);
    char *log = err_end(); /* assertions after it: their messages are seen */
    if (first[0])
        fail_msg("%s: %s", path, first);
    assert_int_equal(x->r.n_decks, 1);
    assert_deck_is(x->r.decks[0], src);
    assert_null(strstr(log, "<4>"));
    free(log);
    fix_close(x);
}

static void test_content_length_short(void **state)
{
    (void)state;
    serve("t40.json", "feed-a.json", 1600000000);
    /* Every reply is followed by junk its Content-Length leaves out; the
     * junk waits on the connection as the start of the next reply. */
    expect_all_ok("/shortcl/t40.json?junk=40&n=20", "feed-a.json", 8);

    /* The first reply says 20 bytes less than it sends: that feed is
     * cut (invalid); the next poll, on a fresh connection, is fine. */
    serve("t41.json", "feed-a.json", 1600000000);
    struct poll_fix *x = fix_open("/shortcl/t41.json?cut=20");
    char first[600] = "", later[600] = "";
    err_begin();
    fetch_cycle(x->f, NULL);
    snprintf(first, sizeof(first), "%s", x->r.last.error);
    for (int i = 0; i < 4; i++)
        if (fetch_cycle(x->f, NULL) == FETCH_ERROR && !later[0])
            snprintf(later, sizeof(later), "poll %d: %s", i + 2, x->r.last.error);
    char *log = err_end();
    assert_non_null(strstr(first, "invalid JSON"));
    if (later[0])
        fail_msg("%s", later);
    assert_int_equal(x->r.n_decks, 1);
    assert_deck_is(x->r.decks[0], "feed-a.json");
    assert_int_equal(count_substr(log, "<4>"), 1); /* the cut feed, once */
    assert_null(strstr(log, "refused"));
    assert_int_equal(count_substr(log, "working again"), 1);
    free(log);
    fix_close(x);
}

static void test_not_http(void **state)
{
    (void)state;
    /* A reply without a status line is a bad reply, not a refused
     * protocol: "refused" is for schemes other than http(s). */
    char url[512], cache[256];
    url_of(url, sizeof(url), "/nothttp");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_ERROR);
    if (!strstr(r.last.error, "reply is not valid HTTP") ||
        strstr(r.last.error, "refused"))
        fail_msg("error \"%s\"", r.last.error);
    rec_free(&r);
}

static void test_big_header(void **state)
{
    (void)state;
    /* One 1 MB header line, and a thousand of 1 kB. */
    static const char *const paths[] = {"/bigheader?bytes=1000000",
                                        "/bigheader?bytes=1000000&lines=1000"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct poll_fix *x = fix_open(paths[i]);
        err_begin();
        enum fetch_result res = fetch_cycle(x->f, NULL);
        char *log = err_end();
        assert_int_equal(res, FETCH_ERROR);
        /* The status file's fetch.error and the log say what happened;
         * neither sends anyone looking for RAM. */
        const char *e = x->r.last.error;
        if (!strstr(e, "response header is too large") || strstr(e, "memory"))
            fail_msg("%s: error \"%s\"", paths[i], e);
        if (count_substr(log, "response header is too large") != 1 ||
            strstr(log, "memory"))
            fail_msg("%s: log \"%s\"", paths[i], log);
        free(log);
        fix_close(x);
    }
}

/* ---- invalid feeds -------------------------------------------------------- */

static void test_invalid_json_keeps_old_deck(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t15.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/files/t15.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);

    serve("t15.json", "bad-json.json", 1600000100);
    double delay;
    assert_int_equal(fetch_cycle(f, &delay), FETCH_ERROR);
    assert_int_equal(r.last.http_status, 200);
    assert_true(strncmp(r.last.error, "t15.json:", 9) == 0);
    int line = 0, col = 0;
    assert_int_equal(sscanf(r.last.error, "t15.json:%d:%d: ", &line, &col), 2);
    assert_true(line >= 4 && col >= 1);
    assert_int_equal(r.n_decks, 1);
    struct cache_meta m;
    assert_cached(cache, "feed-a.json", &m);
    /* A content error is not a network error: normal schedule. */
    assert_true(delay >= 54 && delay <= 66);
    /* The same broken bytes again: the same verdict. */
    char first[512];
    memcpy(first, r.last.error, sizeof(first));
    assert_int_equal(fetch_cycle(f, NULL), FETCH_ERROR);
    assert_string_equal(r.last.error, first);

    serve("t15.json", "bad-feed.json", 1600000200);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_ERROR);
    assert_non_null(strstr(r.last.error, "slides[0].duration"));
    assert_int_equal(r.n_decks, 1);
    assert_cached(cache, "feed-a.json", &m);

    serve("t15.json", "feed-b.json", 1600000300);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 2);
    assert_deck_is(r.decks[1], "feed-b.json");
    assert_cached(cache, "feed-b.json", &m);
    assert_string_equal(r.last.error, "");
    fetcher_free(f);
    rec_free(&r);
}

static void test_validation_failure(void **state)
{
    (void)state;
    serve("t16.json", "bad-feed.json", 1600000000);
    expect_failure("/files/t16.json", NULL, "t16.json:4:");
    expect_failure("/files/t16.json", NULL,
                   "slides[0].duration: must be a number from 3 to 600");
}

static void test_invalid_feed_logged_once(void **state)
{
    (void)state;
    static const char feed[] =
        "{\"format\": \"edukiosk/1\", \"slides\": [\n"
        "  {\"type\": \"title\", \"title\": \"甲\", \"duration\": 1},\n"
        "  {\"type\": \"list\", \"title\": \"乙\"},\n"
        "  {\"type\": \"quote\", \"colour\": \"red\"}\n"
        "]}\n";
    const char *path = tu_path(docroot, "t43.json");
    assert_int_equal(file_write_atomic(path, feed, sizeof(feed) - 1, false), 0);
    struct poll_fix *x = fix_open("/files/t43.json");
    err_begin();
    enum fetch_result r1 = fetch_cycle(x->f, NULL), r2 = fetch_cycle(x->f, NULL);
    char *log = err_end();
    assert_int_equal(r1, FETCH_ERROR);
    assert_int_equal(r2, FETCH_ERROR);
    assert_true(strncmp(x->r.last.error, "t43.json:2:", 11) == 0);
    /* Three errors, three lines, each naming the URL and the place. */
    static const char *const problems[] = {"slides[0].duration", "slides[1].items",
                                           "slides[2].text"};
    for (size_t i = 0; i < 3; i++) {
        char want[600];
        snprintf(want, sizeof(want), "%s:%zu:", x->url, i + 2);
        if (count_substr(log, problems[i]) != 1 || !strstr(log, want))
            fail_msg("%s: log \"%s\"", problems[i], log);
    }
    assert_int_equal(count_substr(log, "<4>"), 3);
    assert_int_equal(count_substr(log, "warning: slides[2].colour"), 1);
    free(log);
    fix_close(x);
}

/* Two failures taking turns are each logged once, not once a poll. */
static void test_alternating_errors(void **state)
{
    (void)state;
    serve("t44.json", "feed-a.json", 1600000000);
    struct poll_fix *x = fix_open("/files/t44.json");
    assert_int_equal(fetch_cycle(x->f, NULL), FETCH_OK);
    int wrong = 0;
    err_begin();
    for (int i = 0; i < 20; i++) {
        if (i % 2)
            serve("t44.json", "bad-feed.json", 1600000100);
        else
            unserve("t44.json");
        wrong += fetch_cycle(x->f, NULL) != FETCH_ERROR ||
                 !strstr(x->r.last.error, i % 2 ? "slides[0].duration" : "HTTP 404");
    }
    /* The same with a success between the failures. */
    for (int i = 0; i < 10; i++) {
        if (i % 2)
            serve("t44.json", "feed-a.json", 1600000000);
        else
            unserve("t44.json");
        wrong += fetch_cycle(x->f, NULL) != (i % 2 ? FETCH_NOT_MODIFIED : FETCH_ERROR);
    }
    char *log = err_end();
    assert_int_equal(wrong, 0);
    assert_int_equal(x->r.n_decks, 1);
    if (count_substr(log, "HTTP 404") != 1 ||
        count_substr(log, "slides[0].duration") != 1 ||
        count_substr(log, "working again") != 1)
        fail_msg("log \"%s\"", log);
    assert_int_equal(count_substr(log, "<4>"), 2);
    free(log);
    fix_close(x);
}

/* ---- images -------------------------------------------------------------- */

static void assert_image_size(const struct deck_image *img, long w, long h)
{
    long gw, gh;
    assert_non_null(img->data);
    assert_false(img->failed);
    assert_int_equal(fetch_image_size(img->data, img->len, &gw, &gh), 0);
    assert_int_equal(gw, w);
    assert_int_equal(gh, h);
}

static void test_images(void **state)
{
    (void)state;
    char url[512], cache[256];
    server_reset();
    serve("t17.json", "feed-images.json", 1600000000);
    url_of(url, sizeof(url), "/files/t17.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    const struct deck *d = r.decks[0];
    assert_int_equal(d->n_images, 6);
    const struct deck_image *ok = image_ending(d, "/png/64x48");
    assert_image_size(ok, 64, 48);
    assert_ptr_equal(d->theme.logo, ok);
    const char *bad[] = {"/big?bytes=300000", "/garbage/5000", "/pngheader/100000x100000",
                         "/status/404", "/flaky/img1?fail=1&then=/png/8x8"};
    for (size_t i = 0; i < 5; i++) {
        const struct deck_image *img = image_ending(d, bad[i]);
        assert_true(img->failed);
        assert_null(img->data);
        unsigned char *data;
        size_t len;
        assert_int_equal(cache_read_image(cache, img->url, 1 << 20, &data, &len, NULL),
                         -ENOENT);
    }
    unsigned char *data;
    size_t len;
    struct cache_image_meta im;
    assert_int_equal(cache_read_image(cache, ok->url, 1 << 20, &data, &len, &im), 0);
    assert_int_equal(len, ok->len);
    assert_memory_equal(data, ok->data, len);
    assert_true(im.etag[0] == '"');
    free(data);

    /* The feed is unchanged (304), but one image failed for a reason
     * that passes: it is tried again, and a deck with it goes live. */
    assert_int_equal(fetch_cycle(f, NULL), FETCH_NOT_MODIFIED);
    assert_int_equal(r.n_decks, 2);
    assert_image_size(image_ending(r.decks[1], "/flaky/img1?fail=1&then=/png/8x8"), 8, 8);
    assert_image_size(image_ending(r.decks[1], "/png/64x48"), 64, 48);
    assert_true(image_ending(r.decks[1], "/status/404")->failed);
    /* Nothing left worth retrying. */
    assert_int_equal(fetch_cycle(f, NULL), FETCH_NOT_MODIFIED);
    assert_int_equal(r.n_decks, 2);

    /* A changed feed revalidates its images instead of downloading. */
    serve("t17.json", "feed-images-2.json", 1600000100);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 3);
    assert_image_size(image_ending(r.decks[2], "/png/64x48"), 64, 48);
    assert_image_size(image_ending(r.decks[2], "/flaky/img1?fail=1&then=/png/8x8"), 8, 8);
    fetcher_free(f);

    char *log = server_log();
    assert_int_equal(log_count(log, "200 /png/64x48"), 1);
    assert_int_equal(log_count(log, "304 /png/64x48"), 1);
    assert_int_equal(log_count(log, "200 /png/8x8"), 1);
    assert_int_equal(log_count(log, "304 /png/8x8"), 1);
    free(log);

    /* What the next start shows at once: cached feed and images. */
    struct deck *c = fetch_load_cached(&cfg);
    assert_non_null(c);
    assert_deck_is(c, "feed-images-2.json");
    assert_image_size(image_ending(c, "/png/64x48"), 64, 48);
    assert_image_size(image_ending(c, "/flaky/img1?fail=1&then=/png/8x8"), 8, 8);
    assert_true(image_ending(c, "/garbage/5000")->failed);
    deck_unref(c);

    /* A picture cached by an older kiosk that did not look past the
     * GIF's screen (16 x 16) to its frame (30000 x 30000): refused at
     * start, before anyone decodes it. */
    static const unsigned char bomb[35] =
        "GIF89a\x10\0\x10\0\0\0\0\x2c\0\0\0\0\x30\x75\x30\x75\0"
        "\x02\x08\x4c\x01\0\0\0\0\0\0\0\x3b";
    const char *small = image_ending(r.decks[2], "/flaky/img1?fail=1&then=/png/8x8")->url;
    assert_int_equal(cache_write_image(cache, small, bomb, sizeof(bomb), NULL, NULL), 0);
    c = fetch_load_cached(&cfg);
    assert_non_null(c);
    const struct deck_image *planted = image_ending(c, "/flaky/img1?fail=1&then=/png/8x8");
    assert_true(planted->failed);
    assert_null(planted->data);
    assert_non_null(strstr(planted->why, "GIF frame 1 is 30000x30000 pixels"));
    assert_image_size(image_ending(c, "/png/64x48"), 64, 48);
    deck_unref(c);
    rec_free(&r);
}

static void test_image_budget(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t18.json", "feed-images.json", 1600000000);
    url_of(url, sizeof(url), "/files/t18.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    cfg.max_deck_image_bytes = 10; /* smaller than any image */
    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    for (size_t i = 0; i < r.decks[0]->n_images; i++)
        assert_true(r.decks[0]->images[i].failed);
    rec_free(&r);
}

/* ---- TLS ------------------------------------------------------------------ */

static void test_tls(void **state)
{
    (void)state;
    char url[512], cache[256], ca[4096];
    serve("t30.json", "feed-a.json", 1600000000);
    snprintf(url, sizeof(url), "%s/files/t30.json", tls_srv.base);
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    struct rec r;
    /* Verification is always on: a certificate nobody vouches for fails. */
    assert_int_equal(one_cycle(&cfg, &r), FETCH_ERROR);
    if (!strstr(r.last.error, "TLS certificate was not accepted ("))
        fail_msg("error \"%s\"", r.last.error);
    assert_int_equal(r.last.http_status, 0);
    assert_int_equal(r.n_decks, 0);
    assert_false(tu_exists(cache, "feed.json"));
    rec_free(&r);

    /* With its CA named in the configuration it is trusted. */
    snprintf(ca, sizeof(ca), "%s/fetch/test-cert.pem", test_data_dir());
    cfg.ca_file = ca;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-a.json");
    struct cache_meta m;
    assert_cached(cache, "feed-a.json", &m);
    rec_free(&r);

    /* No way down from HTTPS to plain HTTP. */
    snprintf(url, sizeof(url), "%s/redirect/1?to=%s/files/t30.json", tls_srv.base,
             srv.base);
    assert_int_equal(one_cycle(&cfg, &r), FETCH_ERROR);
    assert_non_null(strstr(r.last.error, "refused"));
    assert_int_equal(r.n_decks, 0);
    rec_free(&r);
    /* Up is fine. */
    snprintf(url, sizeof(url), "%s/redirect/1?to=%s/files/t30.json", srv.base,
             tls_srv.base);
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    rec_free(&r);
}

/* ---- the cached deck ------------------------------------------------------ */

static void test_load_cached(void **state)
{
    (void)state;
    char url[512], other[512], cache[256];
    serve("t24.json", "feed-b.json", 1600000000);
    url_of(url, sizeof(url), "/files/t24.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    assert_null(fetch_load_cached(&cfg)); /* nothing yet */

    struct rec r;
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    rec_free(&r);
    struct deck *d = fetch_load_cached(&cfg);
    assert_deck_is(d, "feed-b.json");
    assert_int_equal(d->n_slides, 2);
    assert_string_equal(d->source, url);
    deck_unref(d);

    /* Another feed's cache is not shown. */
    url_of(other, sizeof(other), "/files/other.json");
    struct fetch_config ocfg = test_cfg(other, cache);
    assert_null(fetch_load_cached(&ocfg));

    /* A damaged cache is ignored, and its validators are dropped so the
     * next fetch downloads (and repairs) it instead of getting a 304. */
    char path[512];
    snprintf(path, sizeof(path), "%s/feed.json", cache);
    assert_int_equal(file_write_atomic(path, "{\"format\": ", 11, false), 0);
    assert_null(fetch_load_cached(&cfg));
    struct cache_meta m;
    assert_int_equal(cache_read_meta(cache, &m), -ENOENT);
    assert_int_equal(one_cycle(&cfg, &r), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_int_equal(r.last.http_status, 200);
    assert_cached(cache, "feed-b.json", &m);
    rec_free(&r);
    d = fetch_load_cached(&cfg);
    assert_deck_is(d, "feed-b.json");
    deck_unref(d);
}

static void test_fetch_once(void **state)
{
    (void)state;
    char url[512], err[256];
    serve("t21.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/redirect/2?to=/files/t21.json");
    struct fetch_config cfg = test_cfg(url, NULL);
    char *data;
    size_t len, wlen;
    assert_int_equal(fetch_once(&cfg, url, &data, &len, err, sizeof(err)), 0);
    char *want = read_data("feed-a.json", &wlen);
    assert_int_equal(len, wlen);
    assert_memory_equal(data, want, len);
    free(data);
    free(want);

    url_of(url, sizeof(url), "/status/404");
    assert_int_equal(fetch_once(&cfg, url, &data, &len, err, sizeof(err)), -1);
    assert_null(data);
    assert_string_equal(err, "HTTP 404");
    url_of(url, sizeof(url), "/big?bytes=300000&cl=0");
    assert_int_equal(fetch_once(&cfg, url, &data, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "larger than the limit"));
}

static void test_local_feed(void **state)
{
    (void)state;
    char path[512], png[512];
    /* A feed on disk with an image next to it (a real PNG fetched from
     * the test server and stored as a file). */
    char url[256], err[256];
    url_of(url, sizeof(url), "/png/16x16");
    struct fetch_config cfg0 = test_cfg(url, NULL);
    char *data;
    size_t len;
    assert_int_equal(fetch_once(&cfg0, url, &data, &len, err, sizeof(err)), 0);
    snprintf(png, sizeof(png), "%s/local.png", docroot);
    assert_int_equal(file_write_atomic(png, data, len, false), 0);
    free(data);
    static const char feed[] = "{\"format\": \"edukiosk/1\", \"slides\": ["
                               "{\"type\": \"image\", \"src\": \"local.png\"}]}";
    snprintf(path, sizeof(path), "%s/local.json", docroot);
    assert_int_equal(file_write_atomic(path, feed, sizeof(feed) - 1, false), 0);

    struct fetch_config cfg = test_cfg(path, NULL);
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new_manual(&cfg, &cb);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_OK);
    assert_int_equal(r.n_decks, 1);
    assert_int_equal(r.decks[0]->n_images, 1);
    assert_image_size(&r.decks[0]->images[0], 16, 16);
    assert_int_equal(fetch_cycle(f, NULL), FETCH_NOT_MODIFIED);
    assert_int_equal(r.n_decks, 1);
    fetcher_free(f);
    rec_free(&r);
}

/* file:// URLs decode %XX escapes of exactly two hex digits; anything
 * else after a '%' is part of the name (no sign, space or single digit
 * taken for an escape). */
static void test_local_escapes(void **state)
{
    (void)state;
    static const struct {
        const char *name, *url_name;
    } cases[] = {
        {"a b.json", "a%20b.json"}, {"A.json", "%41.json"},   {"%4g.json", "%4g.json"},
        {"% 41.json", "% 41.json"}, {"%+4.json", "%+4.json"}, {"50%", "50%"},
        {"%2.json", "%2.json"},     {"%.json", "%25.json"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[512], url[600];
        snprintf(path, sizeof(path), "%s/%s", docroot, cases[i].name);
        tu_write_file(path, cases[i].name);
        snprintf(url, sizeof(url), "file://%s/%s", docroot, cases[i].url_name);
        struct http_resp r;
        enum http_outcome o = http_read_local(url, 1024, &r);
        if (o != HTTP_BODY)
            fail_msg("%s: %s", url, r.error);
        assert_int_equal(r.len, strlen(cases[i].name));
        assert_memory_equal(r.body, cases[i].name, r.len);
        http_resp_free(&r);
        assert_int_equal(unlink(path), 0);
    }
}

/* ---- the worker thread ---------------------------------------------------- */

/* Waits (bounded) until the recorder has at least n decks or statuses. */
static bool wait_count(struct rec *r, bool decks, int n)
{
    for (int i = 0; i < 1200; i++) { /* at most two minutes */
        if (rec_count(r, decks) >= n)
            return true;
        sleep_ms(100);
    }
    return false;
}

static void test_worker_and_poke(void **state)
{
    (void)state;
    char url[512], cache[256];
    serve("t22.json", "feed-a.json", 1600000000);
    url_of(url, sizeof(url), "/files/t22.json");
    tu_tmp_subdir(cache, sizeof(cache));
    struct fetch_config cfg = test_cfg(url, cache);
    cfg.refresh_min_s = 3000; /* so that only a poke can bring a second poll */
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new(&cfg, &cb);
    assert_non_null(f);
    assert_true(wait_count(&r, true, 1));
    assert_true(wait_count(&r, false, 1));
    /* The next poll is 45 minutes away: only the poke brings it now. */
    fetcher_poke(f);
    assert_true(wait_count(&r, false, 2));
    fetcher_free(f);
    assert_int_equal(r.n_decks, 1);
    assert_deck_is(r.decks[0], "feed-a.json");
    assert_int_equal(r.last.result, FETCH_NOT_MODIFIED);
    rec_free(&r);
}

static void test_free_interrupts_transfer(void **state)
{
    (void)state;
    char url[512];
    server_reset();
    /* Half a byte a second; no limit would end it for minutes. */
    url_of(url, sizeof(url), "/drip?bytes=100000&interval=2");
    struct fetch_config cfg = test_cfg(url, NULL);
    cfg.low_speed_bytes = 1;
    cfg.low_speed_time_s = 500;
    cfg.total_timeout_s = 600;
    struct rec r;
    struct fetch_callbacks cb = callbacks(&r);
    struct fetcher *f = fetcher_new(&cfg, &cb);
    assert_non_null(f);
    bool started = false;
    for (int i = 0; i < 600 && !started; i++) {
        char *log = server_log();
        started = strstr(log, "200 /drip") != NULL;
        free(log);
        if (!started)
            sleep_ms(100);
    }
    assert_true(started);
    fetcher_free(f); /* must return although the transfer is endless */
    assert_int_equal(r.n_decks, 0);
    assert_int_equal(r.n_status, 0); /* a stop is not a fetch result */
    rec_free(&r);
}

/* ---- pure parts ------------------------------------------------------------ */

static void test_next_delay(void **state)
{
    (void)state;
    struct fetch_config c = {.refresh_s = 300, .refresh_min_s = 5, .refresh_max_s = 3600};
    assert_true(fetch_next_delay(&c, 0, 0, 0.0) == 270.0);
    assert_true(fetch_next_delay(&c, 0, 0, 0.999999) > 329.9);
    assert_true(fetch_next_delay(&c, 0, 0, 0.999999) <= 330.0);
    assert_true(fetch_next_delay(&c, 60, 0, 0.5) == 60.0);
    assert_true(fetch_next_delay(&c, 1, 0, 0.5) == 5.0);         /* clamped up */
    assert_true(fetch_next_delay(&c, 999999, 0, 0.5) == 3600.0); /* and down */
    assert_true(fetch_next_delay(&c, 60, 1, 0.0) == 2.5);
    assert_true(fetch_next_delay(&c, 60, 1, 0.999999) <= 5.0);
    assert_true(fetch_next_delay(&c, 60, 4, 0.0) == 20.0);
    assert_true(fetch_next_delay(&c, 60, 7, 0.0) == 160.0);
    assert_true(fetch_next_delay(&c, 60, 8, 0.0) == 300.0); /* capped at 600 */
    assert_true(fetch_next_delay(&c, 60, 30, 0.999999) <= 600.0);
    struct fetch_config z = {0}; /* built-in defaults */
    assert_true(fetch_next_delay(&z, 0, 0, 0.5) == 300.0);
    assert_true(fetch_next_delay(&z, 0, 1, 0.0) == 2.5);
    struct fetch_config slow = {.refresh_min_s = 900};
    assert_true(fetch_next_delay(&slow, 0, 3, 0.0) == 450.0); /* never below the floor */
}

static void test_image_size(void **state)
{
    (void)state;
    long w, h;
    static const unsigned char png[] = {
        0x89, 'P', 'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0, 0, 13, 'I', 'H', 'D',
        'R',  0,   0x01, 0x86, 0xa0, 0,    0x01, 0x86, 0xa0, 8, 2, 0,  0,   0};
    assert_int_equal(fetch_image_size(png, sizeof(png), &w, &h), 0);
    assert_int_equal(w, 100000);
    assert_int_equal(h, 100000);
    assert_int_equal(fetch_image_size(png, 20, &w, &h), -1); /* cut short */
    unsigned char png0[sizeof(png)];
    memcpy(png0, png, sizeof(png));
    memset(png0 + 16, 0, 4); /* zero width */
    assert_int_equal(fetch_image_size(png0, sizeof(png0), &w, &h), -1);

    /* SOI, an APP0 segment, then SOF0 with 480 x 640 (height first). */
    static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0,    6, 'J',  'F',
                                        'I',  'F',  0xff, 0xff, 0xc0, 0, 11,   8,
                                        0x01, 0xe0, 0x02, 0x80, 1,    1, 0x11, 0};
    assert_int_equal(fetch_image_size(jpg, sizeof(jpg), &w, &h), 0);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    static const unsigned char jpg_sos[] = {0xff, 0xd8, 0xff, 0xda, 0, 2, 0, 0};
    assert_int_equal(fetch_image_size(jpg_sos, sizeof(jpg_sos), &w, &h), -1);
    assert_int_equal(fetch_image_size(jpg, 12, &w, &h), -1);

    static const unsigned char gif[] = {'G', 'I',  'F',  '8',  '9',
                                        'a', 0x20, 0x03, 0x58, 0x02};
    assert_int_equal(fetch_image_size(gif, sizeof(gif), &w, &h), 0);
    assert_int_equal(w, 800);
    assert_int_equal(h, 600);

    unsigned char webp[30] = {'R', 'I', 'F', 'F', 0,   0,   0,   0,
                              'W', 'E', 'B', 'P', 'V', 'P', '8', 'X'};
    webp[24] = 0x7f, webp[25] = 0x07; /* width - 1 = 1919 */
    webp[27] = 0x37, webp[28] = 0x04; /* height - 1 = 1079 */
    assert_int_equal(fetch_image_size(webp, sizeof(webp), &w, &h), 0);
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    memcpy(webp + 12, "VP8L", 4);
    webp[20] = 0x2f;
    /* 14 bits width - 1, 14 bits height - 1: 99 x 49 */
    unsigned long bits = 98UL | (48UL << 14);
    webp[21] = bits & 0xff, webp[22] = (bits >> 8) & 0xff, webp[23] = (bits >> 16) & 0xff,
    webp[24] = (bits >> 24) & 0xff;
    assert_int_equal(fetch_image_size(webp, sizeof(webp), &w, &h), 0);
    assert_int_equal(w, 99);
    assert_int_equal(h, 49);
    memcpy(webp + 12, "VP8 ", 4);
    memset(webp + 20, 0, 10);
    webp[23] = 0x9d, webp[24] = 0x01, webp[25] = 0x2a;
    webp[26] = 0x40, webp[27] = 0x01, webp[28] = 0xf0, webp[29] = 0x00;
    assert_int_equal(fetch_image_size(webp, sizeof(webp), &w, &h), 0);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);

    static const unsigned char junk[] = "<html>not an image</html>";
    assert_int_equal(fetch_image_size(junk, sizeof(junk), &w, &h), -1);
    assert_int_equal(fetch_image_size(junk, 0, &w, &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_delay),
        cmocka_unit_test(test_image_size),
        cmocka_unit_test(test_ok_then_304_by_etag),
        cmocka_unit_test(test_304_by_last_modified),
        cmocka_unit_test(test_same_content_without_validators),
        cmocka_unit_test(test_404_keeps_old_deck_and_backs_off),
        cmocka_unit_test(test_500),
        cmocka_unit_test(test_redirect_chain),
        cmocka_unit_test(test_redirect_limits),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_slow_drip),
        cmocka_unit_test(test_stall_mid_body),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_server_down),
        cmocka_unit_test(test_content_length_short),
        cmocka_unit_test(test_not_http),
        cmocka_unit_test(test_big_header),
        cmocka_unit_test(test_invalid_json_keeps_old_deck),
        cmocka_unit_test(test_validation_failure),
        cmocka_unit_test(test_invalid_feed_logged_once),
        cmocka_unit_test(test_alternating_errors),
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_image_budget),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_load_cached),
        cmocka_unit_test(test_fetch_once),
        cmocka_unit_test(test_local_feed),
        cmocka_unit_test(test_local_escapes),
        cmocka_unit_test(test_worker_and_poke),
        cmocka_unit_test(test_free_interrupts_transfer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
