#define LOG_MODULE "cache"
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"
#include "hash.h"
#include "log.h"
#include "minisig.h"

#define META_MAGIC "edukiosk-cache 1"
#define IMAGE_MAGIC "edukiosk-image 1"
#define META_MAX 16384 /* feed.meta and an image header are small */

/* Copies a value, dropping control characters so a hostile header cannot
 * add lines to the metadata.  Returns false if it does not fit (the
 * caller then stores nothing: a cut validator would never match). */
static bool copy_value(char *dst, size_t dstlen, const char *src)
{
    size_t j = 0;
    dst[0] = '\0';
    if (!src)
        return true;
    for (const char *p = src; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            continue;
        if (j + 1 >= dstlen) {
            dst[0] = '\0';
            return false;
        }
        dst[j++] = *p;
    }
    dst[j] = '\0';
    return true;
}

/* Appends "key value\n" to buf; values were sanitised by copy_value. */
static int put_line(char *buf, size_t cap, size_t *n, const char *key, const char *value)
{
    char clean[2048];
    if (!copy_value(clean, sizeof(clean), value))
        clean[0] = '\0';
    int w = snprintf(buf + *n, cap - *n, "%s %s\n", key, clean);
    if (w < 0 || (size_t)w >= cap - *n)
        return -ENAMETOOLONG;
    *n += (size_t)w;
    return 0;
}

static bool is_hex64(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == 64;
}

/* Splits the next line off *p (up to end); returns its length or -1 at
 * the end of the text. */
static long next_line(const char **p, const char *end, const char **line)
{
    if (*p >= end)
        return -1;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return -1; /* every line we write ends with '\n' */
    *line = *p;
    long l = (long)(nl - *p);
    *p = nl + 1;
    return l;
}

/* Matches "key value" and copies value into dst.  An over-long value
 * marks the metadata malformed. */
static int take(const char *line, long l, const char *key, char *dst, size_t dstlen,
                bool *matched)
{
    size_t kl = strlen(key);
    *matched = false;
    if ((size_t)l < kl + 1 || memcmp(line, key, kl) != 0 || line[kl] != ' ')
        return 0;
    *matched = true;
    size_t vl = (size_t)l - kl - 1;
    if (vl >= dstlen)
        return -EBADMSG;
    memcpy(dst, line + kl + 1, vl);
    dst[vl] = '\0';
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -EBADMSG;
    *out = v;
    return 0;
}

static int parse_meta(const char *text, size_t len, struct cache_meta *m)
{
    memset(m, 0, sizeof(*m));
    const char *p = text, *end = text + len, *line;
    long l = next_line(&p, end, &line);
    if (l != (long)strlen(META_MAGIC) || memcmp(line, META_MAGIC, (size_t)l) != 0)
        return -EBADMSG;
    char num[32] = "";
    while ((l = next_line(&p, end, &line)) >= 0) {
        bool hit = false;
        int r = take(line, l, "url", m->url, sizeof(m->url), &hit);
        if (!r && !hit)
            r = take(line, l, "base", m->base, sizeof(m->base), &hit);
        if (!r && !hit)
            r = take(line, l, "etag", m->etag, sizeof(m->etag), &hit);
        if (!r && !hit)
            r = take(line, l, "last-modified", m->last_modified, sizeof(m->last_modified),
                     &hit);
        if (!r && !hit)
            r = take(line, l, "hash", m->hash, sizeof(m->hash), &hit);
        if (!r && !hit)
            r = take(line, l, "refresh", num, sizeof(num), &hit);
        if (r < 0)
            return r;
        /* unknown keys: written by a newer version; ignore */
    }
    if (p != end || !is_hex64(m->hash) || !m->url[0])
        return -EBADMSG;
    long refresh = 0;
    if (num[0] && parse_int(num, 0, INT_MAX, &refresh) < 0)
        return -EBADMSG;
    m->refresh_s = (int)refresh;
    if (!m->base[0])
        memcpy(m->base, m->url, sizeof(m->base));
    return 0;
}

int cache_prepare(const char *dir)
{
    char images[PATH_MAX];
    int r = file_join(images, sizeof(images), dir, "images");
    if (r < 0)
        return r;
    r = file_mkdirs(images);
    if (r < 0)
        return r;
    /* A writer killed between creating its temp file and the rename
     * leaves "NAME.tmp.PID" behind; only one process writes a cache, so
     * any such file is garbage. */
    const char *dirs[] = {dir, images};
    for (size_t i = 0; i < 2; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            return -errno;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strstr(e->d_name, ".tmp."))
                continue;
            char path[PATH_MAX];
            if (file_join(path, sizeof(path), dirs[i], e->d_name) == 0 &&
                unlink(path) == 0)
                LOG_DBG("removed stale temp file %s", path);
        }
        closedir(d);
    }
    return 0;
}

int cache_read_meta(const char *dir, struct cache_meta *m)
{
    char path[PATH_MAX];
    int r = file_join(path, sizeof(path), dir, "feed.meta");
    if (r < 0)
        return r;
    char *text;
    size_t len;
    r = file_read(path, META_MAX, &text, &len);
    if (r < 0) {
        memset(m, 0, sizeof(*m));
        return r == -EFBIG ? -EBADMSG : r;
    }
    r = parse_meta(text, len, m);
    free(text);
    return r;
}

int cache_read_feed(const char *dir, size_t max, char **data, size_t *len,
                    struct cache_meta *m)
{
    char path[PATH_MAX];
    *data = NULL;
    *len = 0;
    int r = file_join(path, sizeof(path), dir, "feed.json");
    if (r < 0)
        return r;
    r = file_read(path, max, data, len);
    if (r < 0) {
        memset(m, 0, sizeof(*m));
        return r;
    }
    char hash[65];
    hash_sha256_hex(*data, *len, hash);
    int mr = cache_read_meta(dir, m);
    if (mr == 0 && strcmp(m->hash, hash) == 0)
        return 0;
    /* A crash between the two renames, or a damaged meta file: the body
     * is whole (it was renamed into place), but these validators belong
     * to another body. */
    m->etag[0] = '\0';
    m->last_modified[0] = '\0';
    memcpy(m->hash, hash, sizeof(m->hash));
    return -ESTALE;
}

int cache_write_feed(const char *dir, const void *data, size_t len, const char *sig,
                     size_t siglen, const struct cache_meta *m)
{
    char path[PATH_MAX];
    int r = file_join(path, sizeof(path), dir, "feed.json.minisig");
    if (r < 0)
        return r;
    /* The signature first: a crash before the feed follows leaves a pair
     * that does not verify (not shown), never an unverified feed. */
    if (sig)
        r = file_write_atomic(path, sig, siglen, true);
    else if (unlink(path) < 0 && errno != ENOENT)
        r = -errno;
    if (r < 0)
        return r;
    r = file_join(path, sizeof(path), dir, "feed.json");
    if (r < 0)
        return r;
    char hash[65];
    hash_sha256_hex(data, len, hash);

    char meta[META_MAX];
    size_t n = 0;
    char refresh[32];
    snprintf(refresh, sizeof(refresh), "%d", m->refresh_s > 0 ? m->refresh_s : 0);
    n = (size_t)snprintf(meta, sizeof(meta), "%s\n", META_MAGIC);
    if ((r = put_line(meta, sizeof(meta), &n, "url", m->url)) < 0 ||
        (r = put_line(meta, sizeof(meta), &n, "base", m->base[0] ? m->base : m->url)) <
            0 ||
        (r = put_line(meta, sizeof(meta), &n, "etag", m->etag)) < 0 ||
        (r = put_line(meta, sizeof(meta), &n, "last-modified", m->last_modified)) < 0 ||
        (r = put_line(meta, sizeof(meta), &n, "hash", hash)) < 0 ||
        (r = put_line(meta, sizeof(meta), &n, "refresh", refresh)) < 0)
        return r;

    r = file_write_atomic(path, data, len, true);
    if (r < 0)
        return r;
    r = file_join(path, sizeof(path), dir, "feed.meta");
    if (r < 0)
        return r;
    return file_write_atomic(path, meta, n, true);
}

int cache_read_sig(const char *dir, char **sig, size_t *len)
{
    char path[PATH_MAX];
    *sig = NULL;
    *len = 0;
    int r = file_join(path, sizeof(path), dir, "feed.json.minisig");
    if (r < 0)
        return r;
    return file_read(path, MINISIG_MAX_FILE, sig, len);
}

int cache_forget_meta(const char *dir)
{
    char path[PATH_MAX];
    int r = file_join(path, sizeof(path), dir, "feed.meta");
    if (r < 0)
        return r;
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int cache_image_path(const char *dir, const char *url, char *out, size_t outlen)
{
    char hash[65];
    hash_sha256_hex(url, strlen(url), hash);
    int n = snprintf(out, outlen, "%s/images/%s", dir, hash);
    if (n < 0 || (size_t)n >= outlen)
        return -ENAMETOOLONG;
    return 0;
}

int cache_read_image(const char *dir, const char *url, size_t max, unsigned char **data,
                     size_t *len, struct cache_image_meta *m)
{
    char path[PATH_MAX];
    *data = NULL;
    *len = 0;
    if (m)
        memset(m, 0, sizeof(*m));
    int r = cache_image_path(dir, url, path, sizeof(path));
    if (r < 0)
        return r;
    char *raw;
    size_t rawlen;
    r = file_read(path, max + META_MAX, &raw, &rawlen);
    if (r < 0)
        return r;

    const char *p = raw, *end = raw + rawlen, *line;
    char furl[2048] = "", etag[256] = "", lm[128] = "", num[32] = "", hash[65] = "";
    long l = next_line(&p, end, &line);
    r = -EBADMSG;
    if (l != (long)strlen(IMAGE_MAGIC) || memcmp(line, IMAGE_MAGIC, (size_t)l) != 0)
        goto out;
    /* Header lines up to an empty line; the bytes follow. */
    while ((l = next_line(&p, end, &line)) > 0) {
        bool hit = false;
        int tr = take(line, l, "url", furl, sizeof(furl), &hit);
        if (!tr && !hit)
            tr = take(line, l, "etag", etag, sizeof(etag), &hit);
        if (!tr && !hit)
            tr = take(line, l, "last-modified", lm, sizeof(lm), &hit);
        if (!tr && !hit)
            tr = take(line, l, "length", num, sizeof(num), &hit);
        if (!tr && !hit)
            tr = take(line, l, "hash", hash, sizeof(hash), &hit);
        if (tr < 0)
            goto out;
    }
    long n;
    if (l != 0 || strcmp(furl, url) != 0 || parse_int(num, 0, LONG_MAX, &n) < 0 ||
        (size_t)n != (size_t)(end - p) || !is_hex64(hash))
        goto out;
    if ((size_t)n > max) {
        r = -EFBIG;
        goto out;
    }
    char got[65];
    hash_sha256_hex(p, (size_t)n, got);
    if (strcmp(got, hash) != 0)
        goto out;
    *data = malloc((size_t)n ? (size_t)n : 1);
    if (!*data) {
        r = -ENOMEM;
        goto out;
    }
    memcpy(*data, p, (size_t)n);
    *len = (size_t)n;
    if (m) {
        memcpy(m->etag, etag, sizeof(m->etag));
        memcpy(m->last_modified, lm, sizeof(m->last_modified));
    }
    r = 0;
out:
    free(raw);
    return r;
}

int cache_write_image(const char *dir, const char *url, const void *data, size_t len,
                      const char *etag, const char *last_modified)
{
    char path[PATH_MAX];
    int r = cache_image_path(dir, url, path, sizeof(path));
    if (r < 0)
        return r;
    if (strlen(url) >= 2048 || strchr(url, '\n') || strchr(url, '\r'))
        return -EINVAL; /* could not be read back */
    char hash[65], num[32];
    hash_sha256_hex(data, len, hash);
    snprintf(num, sizeof(num), "%zu", len);

    char head[META_MAX];
    size_t n = (size_t)snprintf(head, sizeof(head), "%s\n", IMAGE_MAGIC);
    if ((r = put_line(head, sizeof(head), &n, "url", url)) < 0 ||
        (r = put_line(head, sizeof(head), &n, "etag", etag)) < 0 ||
        (r = put_line(head, sizeof(head), &n, "last-modified", last_modified)) < 0 ||
        (r = put_line(head, sizeof(head), &n, "length", num)) < 0 ||
        (r = put_line(head, sizeof(head), &n, "hash", hash)) < 0)
        return r;
    if (n + 1 >= sizeof(head))
        return -ENAMETOOLONG;
    head[n++] = '\n';

    unsigned char *buf = malloc(n + len);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, head, n);
    if (len)
        memcpy(buf + n, data, len);
    r = file_write_atomic(path, buf, n + len, true);
    free(buf);
    return r;
}

int cache_prune_images(const char *dir, const char *const *urls, size_t n)
{
    char images[PATH_MAX];
    int r = file_join(images, sizeof(images), dir, "images");
    if (r < 0)
        return r;
    char(*keep)[65] = calloc(n ? n : 1, sizeof(*keep));
    if (!keep)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        hash_sha256_hex(urls[i], strlen(urls[i]), keep[i]);
    DIR *d = opendir(images);
    if (!d) {
        r = errno == ENOENT ? 0 : -errno;
        free(keep);
        return r;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_hex64(e->d_name))
            continue; /* not ours, or a temp file of a live writer */
        bool wanted = false;
        for (size_t i = 0; i < n && !wanted; i++)
            wanted = strcmp(keep[i], e->d_name) == 0;
        if (wanted)
            continue;
        char path[PATH_MAX];
        if (file_join(path, sizeof(path), images, e->d_name) == 0 && unlink(path) == 0)
            removed++;
    }
    closedir(d);
    free(keep);
    return removed;
}
