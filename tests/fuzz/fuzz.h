/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): each defines
 * LLVMFuzzerTestOneInput() and calls the real modules of src/.  A broken
 * promise of a module's header is a crash too: FUZZ_ASSERT prints what
 * and aborts, and libFuzzer keeps the input. */
#ifndef EDUKIOSK_FUZZ_H
#define EDUKIOSK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond);  \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Takes the input apart: parameters from its front, the rest as data. */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

/* The next byte, or 0 once the input is used up. */
static inline unsigned fuzz_byte(struct fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* The next two bytes, big-endian, or what is left of them. */
static inline unsigned fuzz_u16(struct fuzz_in *in)
{
    unsigned hi = fuzz_byte(in);
    return hi << 8 | fuzz_byte(in);
}

/* A sink for the text the modules print: it must be written, not kept. */
static inline FILE *fuzz_devnull(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

#endif
