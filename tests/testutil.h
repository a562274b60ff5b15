/* Shared by the cmocka test programs: test data paths, one temporary
 * directory per program, whole-file reads and writes, captured FILE
 * output, sorted directory listings.  All static inline, so a program
 * compiles only what it uses and unused helpers do not warn.  The helpers
 * that return paths use static buffers: call them from one thread. */
#ifndef EDUKIOSK_TESTUTIL_H
#define EDUKIOSK_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TU_PATH_MAX 4096

/* Directory of tests/data (set by tests/run-tests.sh; falls back to the
 * source tree when a test is run by hand from the top directory). */
static inline const char *test_data_dir(void)
{
    const char *d = getenv("EDUKIOSK_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/* Path of a file under tests/data in a static buffer. */
static inline const char *test_data(const char *name)
{
    static char buf[TU_PATH_MAX];
    snprintf(buf, sizeof(buf), "%s/%s", test_data_dir(), name);
    return buf;
}

/* ---- paths and the temporary directory ---------------------------------- */

/* "dir/name" in one of eight rotating static buffers, so a few can be
 * held at once (each stays valid for the next seven calls).  Fails the
 * test when it does not fit. */
static inline const char *tu_path(const char *dir, const char *name)
{
    static char buf[8][TU_PATH_MAX];
    static unsigned i;
    i = (i + 1) % 8;
    int n = snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(buf[i]))
        fail_msg("path too long: %s/%s", dir, name);
    return buf[i];
}

/* A file of the source tree by its path from the top (docs/..., assets/...),
 * whichever directory the test runs from: tests/data/../../rel.  In
 * tu_path's buffers. */
static inline const char *tu_top_path(const char *rel)
{
    char up[TU_PATH_MAX];
    int n = snprintf(up, sizeof(up), "../../%s", rel);
    if (n < 0 || (size_t)n >= sizeof(up))
        fail_msg("path too long: %s", rel);
    return tu_path(test_data_dir(), up);
}

static inline char *tu_tmpdir_buf(void)
{
    static char dir[TU_PATH_MAX];
    return dir;
}

/* The program's temporary directory ("" until tu_tmpdir_create). */
static inline const char *tu_tmpdir(void)
{
    return tu_tmpdir_buf();
}

/* Creates the program's temporary directory, $TMPDIR/NAME.XXXXXX (/tmp
 * without TMPDIR).  Returns 0 or -1, as a cmocka setup function does. */
static inline int tu_tmpdir_create(const char *name)
{
    char *dir = tu_tmpdir_buf();
    const char *t = getenv("TMPDIR");
    int n = snprintf(dir, TU_PATH_MAX, "%s/%s.XXXXXX", t && *t ? t : "/tmp", name);
    if (n < 0 || n >= TU_PATH_MAX || !mkdtemp(dir)) {
        dir[0] = '\0';
        return -1;
    }
    return 0;
}

static inline int tu_rm_entry(const char *path, const struct stat *sb, int flag,
                              struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes path and everything below it, links as links (rm -rf without
 * a shell).  Returns 0 or -1. */
static inline int tu_rmtree(const char *path)
{
    return nftw(path, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes the program's temporary directory; 0 or -1, as a cmocka
 * teardown function returns. */
static inline int tu_tmpdir_remove(void)
{
    char *dir = tu_tmpdir_buf();
    if (!dir[0])
        return 0;
    if (tu_rmtree(dir) != 0)
        return -1;
    dir[0] = '\0';
    return 0;
}

/* cmocka group setup and teardown for programs that need no more than the
 * temporary directory, named after the program (test_x.XXXXXX). */
static inline int tu_tmpdir_setup(void **state)
{
    (void)state;
    return tu_tmpdir_create(program_invocation_short_name);
}

static inline int tu_tmpdir_teardown(void **state)
{
    (void)state;
    return tu_tmpdir_remove();
}

/* name inside the program's temporary directory (tu_path's buffers). */
static inline const char *tu_tmp_path(const char *name)
{
    return tu_path(tu_tmpdir(), name);
}

/* Makes a new empty directory inside the temporary directory (dir0,
 * dir1, ...) and puts its path in out. */
static inline void tu_tmp_subdir(char *out, size_t len)
{
    static int n_dirs;
    int n = snprintf(out, len, "%s/dir%d", tu_tmpdir(), n_dirs++);
    assert_true(n > 0 && (size_t)n < len);
    assert_int_equal(mkdir(out, 0755), 0);
}

/* ---- files --------------------------------------------------------------- */

/* Whether dir/name exists (a dangling link counts as missing). */
static inline bool tu_exists(const char *dir, const char *name)
{
    return access(tu_path(dir, name), F_OK) == 0;
}

/* The inode number of path; fails the test when it cannot stat it.  A
 * file replaced by rename has a new one. */
static inline ino_t tu_inode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_ino;
}

/* The whole file in a new NUL-terminated buffer (caller frees); *len,
 * when len is not NULL, is its size without the NUL.  Binary safe.
 * NULL with errno set (and *len 0) when the file cannot be opened or read. */
static inline char *tu_try_read_file(const char *path, size_t *len)
{
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096;
    char *buf = malloc(cap);
    int err = buf ? 0 : ENOMEM;
    while (!err) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break; /* the end, or an error */
        char *grown = realloc(buf, cap * 2);
        if (!grown)
            err = ENOMEM;
        else
            buf = grown, cap *= 2;
    }
    if (!err && ferror(f))
        err = EIO;
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* tu_try_read_file that fails the test when the file cannot be read. */
static inline char *tu_read_file(const char *path, size_t *len)
{
    char *data = tu_try_read_file(path, len);
    if (!data)
        print_error("cannot read %s: %s\n", path, strerror(errno));
    assert_non_null(data);
    return data;
}

/* Writes text as the whole of path; fails the test on any error.
 * Returns path. */
static inline const char *tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        print_error("cannot write %s: %s\n", path, strerror(errno));
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* ---- captured output ---------------------------------------------------- */

/* What a function prints to a FILE, as a string: tu_capture_open gives the
 * FILE to pass it, tu_capture_close closes that and returns the text
 * (caller frees; never NULL). */
struct tu_capture {
    char *buf;
    size_t len;
    FILE *f;
};

static inline FILE *tu_capture_open(struct tu_capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
    return c->f;
}

static inline char *tu_capture_close(struct tu_capture *c)
{
    assert_int_equal(fclose(c->f), 0);
    c->f = NULL;
    assert_non_null(c->buf);
    return c->buf;
}

/* ---- directory listings ------------------------------------------------- */

static inline int tu_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir longer than suffix and ending in it ("" for every
 * name but . and ..), sorted by strcmp, as a new array of new strings in
 * *names (free with tu_list_free).  Returns how many; fails the test
 * when dir cannot be read. */
static inline size_t tu_list_dir(const char *dir, const char *suffix, char ***names)
{
    DIR *dp = opendir(dir);
    if (!dp)
        print_error("cannot open %s: %s\n", dir, strerror(errno));
    assert_non_null(dp);
    size_t sl = strlen(suffix), n = 0;
    char **v = NULL;
    struct dirent *e;
    while ((e = readdir(dp))) {
        size_t l = strlen(e->d_name);
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || l <= sl ||
            strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        char **grown = realloc(v, (n + 1) * sizeof(*v));
        assert_non_null(grown);
        v = grown;
        v[n] = strdup(e->d_name);
        assert_non_null(v[n]);
        n++;
    }
    closedir(dp);
    if (n > 1)
        qsort(v, n, sizeof(*v), tu_cmp_names);
    *names = v;
    return n;
}

static inline void tu_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- time --------------------------------------------------------------- */

/* The time_t of a UTC calendar time (month and day from 1). */
static inline time_t tu_utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return timegm(&tm);
}

#endif
