#include "fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *file_strerror(int err)
{
    switch (err) {
    case FILE_ERR_FIFO: return "is a FIFO, not a regular file";
    case FILE_ERR_DIR: return "is a directory, not a regular file";
    case FILE_ERR_CHR: return "is a character device, not a regular file";
    case FILE_ERR_BLK: return "is a block device, not a regular file";
    case FILE_ERR_SOCK: return "is a socket, not a regular file";
    case FILE_ERR_OTHER: return "is not a regular file";
    }
    return strerror(-err);
}

static int kind_error(mode_t mode)
{
    if (S_ISFIFO(mode))
        return FILE_ERR_FIFO;
    if (S_ISDIR(mode))
        return FILE_ERR_DIR;
    if (S_ISCHR(mode))
        return FILE_ERR_CHR;
    if (S_ISBLK(mode))
        return FILE_ERR_BLK;
    if (S_ISSOCK(mode))
        return FILE_ERR_SOCK;
    return FILE_ERR_OTHER;
}

int file_open_read(const char *path)
{
    /* O_NONBLOCK: opening a FIFO without a writer (or a tty, a device)
     * would otherwise wait forever before fstat could say what it is. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    struct stat st;
    int r = 0;
    if (fstat(fd, &st) < 0)
        r = -errno; /* NOLINT(bugprone-branch-clone): each is another call's errno */
    else if (!S_ISREG(st.st_mode))
        r = kind_error(st.st_mode);
    else if (fcntl(fd, F_SETFL, 0) < 0)
        r = -errno;
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

/* Reads fd to its end into buf (capacity *cap + 1, grown as needed, never
 * beyond max + 1 bytes of data).  Returns bytes read or a negative code. */
static ssize_t read_capped(int fd, char **buf, size_t *cap, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n == *cap) {
            if (n > max)
                return -EFBIG;
            size_t ncap = *cap * 2 > max + 1 ? max + 1 : *cap * 2;
            char *nb = realloc(*buf, ncap + 1);
            if (!nb)
                return -ENOMEM;
            *buf = nb;
            *cap = ncap;
        }
        ssize_t r = read(fd, *buf + n, *cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return n > max ? -EFBIG : (ssize_t)n;
        n += (size_t)r;
    }
}

int file_read(const char *path, size_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (max > SSIZE_MAX / 2)
        max = SSIZE_MAX / 2;
    int fd = file_open_read(path);
    if (fd < 0)
        return fd;
    /* The size is only a hint (files under /proc say 0, files grow). */
    struct stat st;
    size_t cap = 4096;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (unsigned long long)st.st_size < max)
        cap = (size_t)st.st_size + 1;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t n = read_capped(fd, &buf, &cap, max);
    close(fd);
    if (n < 0) {
        free(buf);
        return (int)n;
    }
    buf[n] = '\0';
    *data = buf;
    *len = (size_t)n;
    return 0;
}

int file_join(char *out, size_t outlen, const char *dir, const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen)
        return -ENAMETOOLONG;
    return 0;
}

int file_mkdirs(const char *dir)
{
    char tmp[PATH_MAX];
    size_t l = strlen(dir);
    if (l == 0 || l >= sizeof(tmp))
        return -ENAMETOOLONG;
    memcpy(tmp, dir, l + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

struct file_out {
    int fd;
    int err; /* first failure, sticky */
};

int file_out_write(struct file_out *out, const void *data, size_t len)
{
    const char *p = data;
    while (out->err == 0 && len > 0) {
        ssize_t w = write(out->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            out->err = -errno;
        else if (w == 0)
            out->err = -EIO;
        else {
            p += w;
            len -= (size_t)w;
        }
    }
    return out->err;
}

static int fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        size_t l = (size_t)(slash - path);
        if (l == 0)
            l = 1;
        if (l >= sizeof(dir))
            return -ENAMETOOLONG;
        memcpy(dir, path, l);
        dir[l] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int r = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static int make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[PATH_MAX];
    size_t l = (size_t)(slash - path);
    if (l >= sizeof(dir))
        return -ENAMETOOLONG;
    memcpy(dir, path, l);
    dir[l] = '\0';
    return file_mkdirs(dir);
}

int file_write_atomic_with(const char *path, int (*fill)(struct file_out *out, void *ctx),
                           void *ctx, bool durable)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -ENAMETOOLONG;
    int r = make_parent(path);
    if (r < 0)
        return r;

    /* A leftover of a crashed run (or anything else at that name) goes
     * first, so O_EXCL never writes through a planted FIFO or link. */
    if (unlink(tmp) < 0 && errno != ENOENT)
        return -errno;
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW;
    struct file_out out = {.fd = open(tmp, flags, 0644)};
    if (out.fd < 0)
        return -errno;
    r = fill(&out, ctx);
    if (r == 0)
        r = out.err;
    if (r == 0 && durable && fsync(out.fd) < 0)
        r = -errno;
    if (close(out.fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return r;
    }
    return durable ? fsync_dir_of(path) : 0;
}

struct bytes {
    const void *data;
    size_t len;
};

static int fill_bytes(struct file_out *out, void *ctx)
{
    const struct bytes *b = ctx;
    return file_out_write(out, b->data, b->len);
}

int file_write_atomic(const char *path, const void *data, size_t len, bool durable)
{
    struct bytes b = {data, len};
    return file_write_atomic_with(path, fill_bytes, &b, durable);
}
