#include "pngfile.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>

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
