#include "assetrw.h"

#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FreeType reads a stream a few bytes at a time (each number of a table
 * header, each charstring): from a window of the file, refilled by one
 * pread() when a read falls outside it. */
#define WINDOW 16384

struct exe_src {
    int fd;
    off_t base; /* the asset's offset in the file */
    Sint64 size, pos;
    Sint64 win_at; /* the window's offset in the asset */
    size_t win_len;
    unsigned char win[WINDOW];
};

struct find {
    uintptr_t addr;
    off_t off;
    bool found;
};

/* The main program comes first, with an empty name. */
static int find_offset(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct find *f = data;
    if (info->dlpi_name && info->dlpi_name[0])
        return 1;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t at = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && f->addr >= at && f->addr < at + ph->p_filesz) {
            f->off = (off_t)(ph->p_offset + (f->addr - at));
            f->found = true;
            break;
        }
    }
    return 1;
}

static Sint64 exe_size(SDL_RWops *rw)
{
    return ((struct exe_src *)rw->hidden.unknown.data1)->size;
}

static Sint64 exe_seek(SDL_RWops *rw, Sint64 offset, int whence)
{
    struct exe_src *s = rw->hidden.unknown.data1;
    Sint64 to = whence == RW_SEEK_SET ? offset
                : whence == RW_SEEK_CUR ? s->pos + offset
                                        : s->size + offset;
    if (to < 0 || to > s->size)
        return SDL_SetError("seek outside the asset");
    s->pos = to;
    return to;
}

static size_t exe_read(SDL_RWops *rw, void *ptr, size_t size, size_t n)
{
    struct exe_src *s = rw->hidden.unknown.data1;
    if (size == 0 || n == 0)
        return 0;
    Sint64 left = s->size - s->pos;
    size_t want = size * n;
    if ((Sint64)want > left)
        want = (size_t)left / size * size;
    size_t got = 0;
    while (got < want) {
        Sint64 at = s->pos + (Sint64)got;
        if (at >= s->win_at && at < s->win_at + (Sint64)s->win_len) {
            size_t from = (size_t)(at - s->win_at);
            size_t k = s->win_len - from < want - got ? s->win_len - from : want - got;
            memcpy((char *)ptr + got, s->win + from, k);
            got += k;
            continue;
        }
        if (want - got >= WINDOW) { /* large: straight into the caller's buffer */
            ssize_t r = pread(s->fd, (char *)ptr + got, want - got, s->base + at);
            if (r <= 0)
                break;
            got += (size_t)r;
            continue;
        }
        size_t fill = s->size - at < WINDOW ? (size_t)(s->size - at) : WINDOW;
        ssize_t r = pread(s->fd, s->win, fill, s->base + at);
        if (r <= 0)
            break;
        s->win_at = at;
        s->win_len = (size_t)r;
    }
    s->pos += (Sint64)got;
    return got / size;
}

static size_t exe_write(SDL_RWops *rw, const void *ptr, size_t size, size_t n)
{
    (void)rw;
    (void)ptr;
    (void)size;
    (void)n;
    SDL_SetError("assets are read-only");
    return 0;
}

static int exe_close(SDL_RWops *rw)
{
    struct exe_src *s = rw->hidden.unknown.data1;
    close(s->fd);
    free(s);
    SDL_FreeRW(rw);
    return 0;
}

/* Whether the file holds the asset's bytes at off: its start and end. */
static bool same_bytes(int fd, off_t off, const unsigned char *data, uint32_t size)
{
    unsigned char buf[256];
    size_t n = size < sizeof(buf) ? size : sizeof(buf);
    if (pread(fd, buf, n, off) != (ssize_t)n || memcmp(buf, data, n) != 0)
        return false;
    return pread(fd, buf, n, off + (off_t)(size - n)) == (ssize_t)n &&
           memcmp(buf, data + size - n, n) == 0;
}

SDL_RWops *asset_rw(const unsigned char *data, uint32_t size)
{
    struct find f = {(uintptr_t)data, 0, false};
    dl_iterate_phdr(find_offset, &f);
    int fd = f.found ? open("/proc/self/exe", O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_size < f.off + (off_t)size ||
                    !same_bytes(fd, f.off, data, size))) {
        close(fd);
        fd = -1;
    }
    struct exe_src *s = fd >= 0 ? calloc(1, sizeof(*s)) : NULL;
    SDL_RWops *rw = s ? SDL_AllocRW() : NULL;
    if (!rw) {
        free(s);
        if (fd >= 0)
            close(fd);
        return SDL_RWFromConstMem(data, (int)size);
    }
    s->fd = fd;
    s->base = f.off;
    s->size = size;
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->size = exe_size;
    rw->seek = exe_seek;
    rw->read = exe_read;
    rw->write = exe_write;
    rw->close = exe_close;
    rw->hidden.unknown.data1 = s;
    return rw;
}
