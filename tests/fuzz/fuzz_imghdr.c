/* imghdr: the check every image passes before it is decoded, and the
 * header-only size read, on arbitrary bytes.  The first two bytes pick
 * the pixel limit, the rest is the file. */
#include <string.h>

#include "fuzz.h"
#include "imghdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    /* From a few pixels to 2^31: small limits reach the refusals. */
    unsigned sel = fuzz_u16(&in);
    long max_pixels = 1L << (sel % 32);
    max_pixels += (long)(sel >> 5);

    /* A copy of exactly the file's length, so ASan sees any read past it. */
    unsigned char *img = malloc(in.n ? in.n : 1);
    if (!img)
        return 0;
    memcpy(img, in.p, in.n);

    struct imghdr_info info;
    char why[256] = "";
    int rc = imghdr_check(img, in.n, max_pixels, &info, why, sizeof(why));
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(memchr(why, '\0', sizeof(why)));
    if (rc == 0) {
        FUZZ_ASSERT(info.format != IMGHDR_NONE);
        FUZZ_ASSERT(info.w > 0 && info.h > 0);
        FUZZ_ASSERT(info.w <= IMGHDR_MAX_SIDE && info.h <= IMGHDR_MAX_SIDE);
        FUZZ_ASSERT(info.w * info.h <= max_pixels);
        FUZZ_ASSERT(strcmp(imghdr_format_name(info.format), "unknown") != 0);
    } else {
        FUZZ_ASSERT(why[0] != '\0');
    }
    FUZZ_ASSERT(imghdr_check(img, in.n, max_pixels, NULL, why, sizeof(why)) == rc);

    long w = -1, h = -1;
    rc = imghdr_size(img, in.n, &w, &h);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    if (rc == 0)
        FUZZ_ASSERT(w >= 0 && h >= 0);
    free(img);
    return 0;
}
