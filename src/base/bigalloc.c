/* bigalloc: SDL's memory functions, with large blocks (the pixels of
 * slides, 8 MB each at 1080p) in mappings of their own.
 *
 * From libc's malloc a block that size is mmap'ed at first; once one is
 * freed, glibc raises its mmap threshold and later ones come from the
 * arenas, which keep freed pixels resident (up to twice the threshold per
 * arena) until trimmed.  Here each large block is a mapping that goes back
 * to the system the moment it is freed, starting on a 2 MiB boundary and
 * marked for transparent huge pages: a slide is then a handful of page
 * faults instead of two thousand, which matters where faults are dear
 * (virtual machines).  Small blocks are libc's, behind the same 16-byte
 * header that tells the two apart.
 */
#include "bigalloc.h"

#include <SDL.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HEADER 16u
#define HUGE_SZ ((size_t)2 << 20)
#define PAGE_SZ ((size_t)4096)
#define TAG_SMALL 0x736d616cu /* "smal" */
#define TAG_BIG 0x62696721u   /* "big!" */

struct header {
    uint32_t tag;
    uint32_t pad;
    uint64_t map_len; /* big: the mapping's length, from the header on (64 bits
                       * on 32-bit ARM too: the header stays 16 bytes) */
};

_Static_assert(sizeof(struct header) == HEADER, "header size");

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static void *big_map(size_t size)
{
    size_t len = round_up(size + HEADER, PAGE_SZ);
    /* Whole huge pages when that costs at most 1/16 more (a 1080p slide:
     * 8,294,400 bytes in four of them for 1 % more); else the tail beyond
     * the last whole one is in small pages. */
    size_t huge = round_up(len, HUGE_SZ);
    if (huge - len <= len / 16)
        len = huge;
    uint8_t *raw = mmap(NULL, len + HUGE_SZ, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uint8_t *start = raw + (round_up((uintptr_t)raw, HUGE_SZ) - (uintptr_t)raw);
    if (start > raw)
        munmap(raw, (size_t)(start - raw));
    size_t tail = (size_t)(raw + len + HUGE_SZ - (start + len));
    if (tail)
        munmap(start + len, tail);
#ifdef MADV_HUGEPAGE
    madvise(start, len, MADV_HUGEPAGE);
#endif
    struct header *h = (struct header *)start;
    h->tag = TAG_BIG;
    h->map_len = len;
    return start + HEADER;
}

static void *small_wrap(void *p)
{
    if (!p)
        return NULL;
    struct header *h = p;
    h->tag = TAG_SMALL;
    h->map_len = 0;
    return (uint8_t *)p + HEADER;
}

static struct header *header_of(void *p) { return (struct header *)((uint8_t *)p - HEADER); }

static size_t usable(void *p)
{
    struct header *h = header_of(p);
    if (h->tag == TAG_BIG)
        return (size_t)h->map_len - HEADER;
    return malloc_usable_size(h) - HEADER;
}

static void *ba_malloc(size_t size)
{
    if (size >= BIGALLOC_MIN)
        return big_map(size);
    return small_wrap(malloc(size + HEADER));
}

static void ba_free(void *p)
{
    if (!p)
        return;
    struct header *h = header_of(p);
    if (h->tag == TAG_BIG) {
        munmap(h, (size_t)h->map_len);
        return;
    }
    free(h);
}

static void *ba_calloc(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - HEADER) / size)
        return NULL;
    size_t total = n * size;
    if (total >= BIGALLOC_MIN)
        return big_map(total); /* fresh mappings are zero */
    return small_wrap(calloc(1, total + HEADER));
}

static void *ba_realloc(void *p, size_t size)
{
    if (!p)
        return ba_malloc(size);
    if (size == 0) {
        ba_free(p);
        return NULL;
    }
    struct header *h = header_of(p);
    if (h->tag == TAG_SMALL && size < BIGALLOC_MIN)
        return small_wrap(realloc(h, size + HEADER));
    size_t have = usable(p);
    if (h->tag == TAG_BIG && size <= have && size >= BIGALLOC_MIN)
        return p;
    void *n = ba_malloc(size);
    if (!n)
        return NULL;
    memcpy(n, p, have < size ? have : size);
    ba_free(p);
    return n;
}

int bigalloc_install(void)
{
    return SDL_SetMemoryFunctions(ba_malloc, ba_calloc, ba_realloc, ba_free);
}
