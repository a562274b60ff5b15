/* imghdr: whether an image's bytes may be decoded at all, decided before
 * anyone decodes them.  A feed image must be PNG, JPEG, GIF or WebP, whole
 * (every chunk, segment or block present and intact up to the format's end
 * mark), and no canvas the decoder would allocate for it (every GIF frame,
 * every JPEG frame header, the WebP canvas and bitstream) may exceed the
 * pixel limit.  Every place an image enters the kiosk asks imghdr_check();
 * the decoder is then chosen by the format found here, never guessed.
 * Pure functions, any thread. */
#ifndef EDUKIOSK_IMGHDR_H
#define EDUKIOSK_IMGHDR_H

#include <stdbool.h>
#include <stddef.h>

enum imghdr_format { IMGHDR_NONE, IMGHDR_PNG, IMGHDR_JPEG, IMGHDR_GIF, IMGHDR_WEBP };

/* SDL's smooth scaler takes no side longer than this. */
#define IMGHDR_MAX_SIDE 65535L

/* What the check found: the format and the picture's size. */
struct imghdr_info {
    enum imghdr_format format;
    long w, h;
};

/* Walks the whole file.  0 with *info filled when it may be decoded; -1
 * with why saying what is wrong, in an editor's words ("truncated JPEG:
 * no end-of-image marker", "GIF frame 1 is 30000x30000 pixels, more than
 * the limit of …").  info may be NULL. */
int imghdr_check(const unsigned char *data, size_t len, long max_pixels,
                 struct imghdr_info *info, char *why, size_t whylen);

/* "PNG", "JPEG", "GIF", "WebP"; "unknown" for IMGHDR_NONE. */
const char *imghdr_format_name(enum imghdr_format f);

/* Width and height from a PNG, JPEG, GIF or WebP header alone (the first
 * frame header; nothing else is looked at).  0, or -1 when the bytes are
 * no such image or the header is damaged.  For display only: whether the
 * image may be decoded is imghdr_check()'s to say. */
int imghdr_size(const unsigned char *data, size_t len, long *w, long *h);

#endif
