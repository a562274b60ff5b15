#include "testutil.h"

#include <SDL.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fileutil.h"
#include "pngfile.h"

/* ---- helpers ------------------------------------------------------------ */

/* A disk that fills up after `bytes`: the file size limit makes write()
 * fail with EFBIG from there on (SIGXFSZ ignored), with no root and no
 * real disk to fill.  full_disk_end() lifts it again. */
static void full_disk_begin(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = bytes;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void full_disk_end(void)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* A fresh directory holding only `name` with `text`; its path in dir. */
static const char *dir_with(char *dir, size_t len, const char *name, const char *text)
{
    tu_tmp_subdir(dir, len);
    return tu_write_file(tu_path(dir, name), text);
}

static void assert_only_file(const char *dir, const char *name, const char *text)
{
    char **names;
    size_t n = tu_list_dir(dir, "", &names);
    if (n != 1 || strcmp(names[0], name) != 0)
        fail_msg("%s holds %zu entries, first %s; want only %s", dir, n,
                 n ? names[0] : "-", name);
    tu_list_free(names, n);
    size_t len;
    char *got = tu_read_file(tu_path(dir, name), &len);
    assert_string_equal(got, text);
    free(got);
}

/* ---- reads -------------------------------------------------------------- */

/* Anything but a regular file is refused at once and named; a FIFO with no
 * writer used to block the reader forever (the alarm fails the test). */
static void test_read_refuses_special_files(void **state)
{
    (void)state;
    const char *fifo = tu_tmp_path("fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *sock = tu_tmp_path("sock");
    unlink(sock);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sfd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct {
        const char *path;
        int err;
        const char *text;
    } cases[] = {
        {fifo, FILE_ERR_FIFO, "is a FIFO, not a regular file"},
        {"/dev/zero", FILE_ERR_CHR, "is a character device, not a regular file"},
        {"/dev/null", FILE_ERR_CHR, "is a character device, not a regular file"},
        {tu_tmpdir(), FILE_ERR_DIR, "is a directory, not a regular file"},
        {sock, -ENXIO, "No such device or address"}, /* open() says so itself */
        {tu_tmp_path("absent"), -ENOENT, "No such file or directory"},
    };
    alarm(20);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *data = (char *)&data;
        size_t len = 1;
        int r = file_read(cases[i].path, 1 << 20, &data, &len);
        if (r != cases[i].err)
            fail_msg("%s: got %d (%s), want %d", cases[i].path, r, file_strerror(r),
                     cases[i].err);
        assert_string_equal(file_strerror(r), cases[i].text);
        assert_null(data);
        assert_int_equal(len, 0);
        if (r != -ENOENT && r != -ENXIO)
            assert_int_equal(file_open_read(cases[i].path), r);
    }
    alarm(0);
    close(sfd);
}

/* The cap holds however the file lies about its size: /proc files say 0,
 * a file can be exactly at the cap or one byte over. */
static void test_read_cap(void **state)
{
    (void)state;
    char *big = malloc(8193);
    assert_non_null(big);
    memset(big, 'a', 8192);
    big[8192] = '\0';
    const char *path = tu_write_file(tu_tmp_path("big"), big);
    char *data;
    size_t len;
    assert_int_equal(file_read(path, 8192, &data, &len), 0);
    assert_int_equal(len, 8192);
    assert_int_equal(data[len], '\0');
    free(data);
    assert_int_equal(file_read(path, 8191, &data, &len), -EFBIG);
    assert_null(data);
    assert_int_equal(file_read(path, 10, &data, &len), -EFBIG);
    free(big);

    assert_int_equal(file_read("/proc/self/status", 1 << 20, &data, &len), 0);
    assert_true(len > 0 && strstr(data, "VmRSS:") != NULL);
    free(data);
    assert_int_equal(file_read("/proc/self/status", 16, &data, &len), -EFBIG);

    path = tu_write_file(tu_tmp_path("empty"), "");
    assert_int_equal(file_read(path, 0, &data, &len), 0);
    assert_int_equal(len, 0);
    free(data);
}

/* ---- writes ------------------------------------------------------------- */

/* A disk that fills up during the write: the error comes back, the old file
 * is whole and no temp file is left. */
static void test_write_full_disk(void **state)
{
    (void)state;
    char dir[TU_PATH_MAX];
    const char *path = dir_with(dir, sizeof(dir), "status.json", "{\"old\": true}\n");
    size_t n = 256 * 1024;
    char *data = malloc(n);
    assert_non_null(data);
    memset(data, 'x', n);
    full_disk_begin(64 * 1024);
    int r = file_write_atomic(path, data, n, false);
    int rd = file_write_atomic(path, data, n, true);
    full_disk_end();
    assert_int_equal(r, -EFBIG);
    assert_int_equal(rd, -EFBIG);
    assert_only_file(dir, "status.json", "{\"old\": true}\n");
    assert_int_equal(file_write_atomic(path, "new\n", 4, true), 0);
    assert_only_file(dir, "status.json", "new\n");
    free(data);
}

struct chunks {
    int n;
    int fail_after; /* fill returns -EPROTO after this many chunks (<0: never) */
};

static int fill_chunks(struct file_out *out, void *ctx)
{
    struct chunks *c = ctx;
    for (int i = 0; i < c->n; i++) {
        if (i == c->fail_after)
            return -EPROTO;
        char line[32];
        int l = snprintf(line, sizeof(line), "line %d\n", i);
        file_out_write(out, line, (size_t)l); /* errors are sticky: checked after */
    }
    return 0;
}

/* A writer callback: its own failure, or a write failing halfway, keeps the
 * old file; success replaces it; leftovers of a crashed run are no hazard. */
static void test_write_with_writer(void **state)
{
    (void)state;
    char dir[TU_PATH_MAX];
    const char *path = dir_with(dir, sizeof(dir), "out.txt", "old\n");
    struct chunks c = {.n = 5, .fail_after = 3};
    assert_int_equal(file_write_atomic_with(path, fill_chunks, &c, true), -EPROTO);
    assert_only_file(dir, "out.txt", "old\n");

    c = (struct chunks){.n = 100000, .fail_after = -1};
    full_disk_begin(4096);
    int r = file_write_atomic_with(path, fill_chunks, &c, false);
    full_disk_end();
    assert_int_equal(r, -EFBIG);
    assert_only_file(dir, "out.txt", "old\n");

    /* A FIFO where the temp file goes must not block the writer. */
    char tmp[TU_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(mkfifo(tmp, 0600), 0);
    alarm(20);
    c = (struct chunks){.n = 2, .fail_after = -1};
    assert_int_equal(file_write_atomic_with(path, fill_chunks, &c, true), 0);
    alarm(0);
    assert_only_file(dir, "out.txt", "line 0\nline 1\n");
}

/* A surface of noise: a PNG of it cannot be compressed below its pixels. */
static SDL_Surface *noise(int w, int h)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    uint32_t x = 2463534242u;
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)((char *)s->pixels + y * s->pitch);
        for (int i = 0; i < w; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            row[i] = x | 0xff000000u;
        }
    }
    return s;
}

/* A screenshot or a rendered slide on a full disk: SDL_image does not check
 * its writes, so a cut-short PNG used to replace the good one and count as
 * written. */
/* A joined path either fits whole or is refused: never cut short into the
 * name of another file. */
static void test_join(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(file_join(out, sizeof(out), "/a/b", "feed.json"), 0);
    assert_string_equal(out, "/a/b/feed.json");
    assert_int_equal(file_join(out, sizeof(out), "/a/bc", "feed.json"), 0); /* 15 + NUL */
    assert_string_equal(out, "/a/bc/feed.json");
    assert_int_equal(file_join(out, sizeof(out), "/a/bcd", "feed.json"), -ENAMETOOLONG);
}

static void test_png_full_disk(void **state)
{
    (void)state;
    char dir[TU_PATH_MAX];
    const char *path = dir_with(dir, sizeof(dir), "screenshot.png", "previous picture");
    SDL_Surface *s = noise(256, 256);
    char err[256] = "";
    full_disk_begin(16 * 1024);
    int r = pngfile_save(path, s, false, err, sizeof(err));
    full_disk_end();
    assert_int_equal(r, -1);
    assert_string_equal(err, strerror(EFBIG));
    assert_only_file(dir, "screenshot.png", "previous picture");

    assert_int_equal(pngfile_save(path, s, true, err, sizeof(err)), 0);
    size_t len;
    char *png = tu_read_file(path, &len);
    assert_true(len > 256 * 256 * 3);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    free(png);
    SDL_FreeSurface(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_refuses_special_files),
        cmocka_unit_test(test_read_cap),
        cmocka_unit_test(test_write_full_disk),
        cmocka_unit_test(test_write_with_writer),
        cmocka_unit_test(test_png_full_disk),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown);
}
