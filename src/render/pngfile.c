#include "pngfile.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"

/* SDL_image ignores what SDL_RWwrite returns while it encodes, so the
 * stream keeps the first failure and the save is judged by it. */
static size_t rw_write(SDL_RWops *rw, const void *p, size_t size, size_t num)
{
    struct file_out *out = rw->hidden.unknown.data1;
    if (file_out_write(out, p, size * num) < 0) {
        SDL_SetError("write failed");
        return 0;
    }
    return num;
}

static Sint64 rw_size(SDL_RWops *rw)
{
    (void)rw;
    return -1;
}

static Sint64 rw_seek(SDL_RWops *rw, Sint64 offset, int whence)
{
    (void)rw;
    (void)offset;
    (void)whence;
    return SDL_SetError("not seekable");
}

static size_t rw_read(SDL_RWops *rw, void *p, size_t size, size_t num)
{
    (void)rw;
    (void)p;
    (void)size;
    (void)num;
    SDL_SetError("write-only");
    return 0;
}

static int rw_close(SDL_RWops *rw)
{
    SDL_FreeRW(rw);
    return 0;
}

struct job {
    SDL_Surface *s;
    bool encode_failed; /* SDL_image itself gave up */
    char msg[128];
};

static int fill_png(struct file_out *out, void *ctx)
{
    struct job *j = ctx;
    SDL_RWops *rw = SDL_AllocRW();
    if (!rw)
        return -ENOMEM;
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->size = rw_size;
    rw->seek = rw_seek;
    rw->read = rw_read;
    rw->write = rw_write;
    rw->close = rw_close;
    rw->hidden.unknown.data1 = out;
    int r = IMG_SavePNG_RW(j->s, rw, 1);
    int werr = file_out_write(out, NULL, 0);
    if (werr < 0)
        return werr;
    if (r < 0) {
        j->encode_failed = true;
        snprintf(j->msg, sizeof(j->msg), "%s", IMG_GetError());
        return -EIO;
    }
    return 0;
}

int pngfile_save(const char *path, SDL_Surface *s, bool durable, char *err, size_t errlen)
{
    struct job j = {.s = s};
    int r = file_write_atomic_with(path, fill_png, &j, durable);
    if (r == 0)
        return 0;
    snprintf(err, errlen, "%s", j.encode_failed ? j.msg : file_strerror(r));
    return -1;
}

/* A growing buffer behind a write-only stream. */
struct membuf {
    unsigned char *p;
    size_t len, cap;
    bool failed;
};

static size_t mem_write(SDL_RWops *rw, const void *p, size_t size, size_t num)
{
    struct membuf *m = rw->hidden.unknown.data1;
    size_t n = size * num;
    if (m->failed || (size && n / size != num))
        goto fail;
    if (n > m->cap - m->len) {
        size_t cap = m->cap ? m->cap : (size_t)64 * 1024;
        while (cap - m->len < n) {
            if (cap > SIZE_MAX / 2)
                goto fail;
            cap *= 2;
        }
        unsigned char *q = realloc(m->p, cap);
        if (!q)
            goto fail;
        m->p = q;
        m->cap = cap;
    }
    memcpy(m->p + m->len, p, n);
    m->len += n;
    return num;
fail:
    m->failed = true;
    SDL_SetError("out of memory");
    return 0;
}

int pngfile_encode(SDL_Surface *s, unsigned char **png, size_t *len, char *err,
                   size_t errlen)
{
    struct membuf m = {0};
    SDL_RWops *rw = SDL_AllocRW();
    if (!rw) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->size = rw_size;
    rw->seek = rw_seek;
    rw->read = rw_read;
    rw->write = mem_write;
    rw->close = rw_close;
    rw->hidden.unknown.data1 = &m;
    int r = IMG_SavePNG_RW(s, rw, 1);
    if (r < 0 || m.failed) {
        snprintf(err, errlen, "%s", m.failed ? "out of memory" : IMG_GetError());
        free(m.p);
        return -1;
    }
    *png = m.p;
    *len = m.len;
    return 0;
}
