/* imghdr: what an image's header says, read before anyone decodes it, so
 * that a huge or bogus image from the feed is refused without spending
 * memory on it.  Pure functions, any thread. */
#ifndef EDUKIOSK_IMGHDR_H
#define EDUKIOSK_IMGHDR_H

#include <stdbool.h>
#include <stddef.h>

/* Width and height from a PNG, JPEG, GIF or WebP header, without
 * decoding.  0, or -1 when the bytes are no such image or the header is
 * damaged. */
int imghdr_size(const unsigned char *data, size_t len, long *w, long *h);

/* Whether the bytes may be shown: a known format whose header gives at
 * most max_pixels (width x height).  If not, why says so. */
bool imghdr_acceptable(const unsigned char *data, size_t len, long max_pixels, char *why,
                       size_t whylen);

#endif
