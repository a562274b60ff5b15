#include "imghdr.h"

#include <stdio.h>
#include <string.h>

static unsigned long be16(const unsigned char *p)
{
    return (unsigned long)p[0] << 8 | p[1];
}
static unsigned long le16(const unsigned char *p)
{
    return (unsigned long)p[1] << 8 | p[0];
}
static unsigned long le24(const unsigned char *p)
{
    return le16(p) | (unsigned long)p[2] << 16;
}
static unsigned long be32(const unsigned char *p)
{
    return be16(p) << 16 | be16(p + 2);
}

static int jpeg_size(const unsigned char *d, size_t len, long *w, long *h)
{
    size_t i = 2;
    while (i + 1 < len) {
        if (d[i] != 0xff)
            return -1;
        while (i < len && d[i] == 0xff)
            i++; /* fill bytes */
        if (i >= len)
            return -1;
        unsigned m = d[i++];
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8))
            continue; /* markers without a length */
        if (m == 0xd9 || m == 0xda)
            return -1; /* image data before any frame header */
        if (i + 2 > len)
            return -1;
        size_t seg = be16(d + i);
        if (seg < 2)
            return -1;
        bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof) {
            if (seg < 7 || i + 7 > len)
                return -1;
            *h = (long)be16(d + i + 3);
            *w = (long)be16(d + i + 5);
            return 0;
        }
        i += seg;
    }
    return -1;
}

static int webp_size(const unsigned char *d, size_t len, long *w, long *h)
{
    if (len < 30)
        return -1;
    if (memcmp(d + 12, "VP8 ", 4) == 0) {
        if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a)
            return -1;
        *w = (long)(le16(d + 26) & 0x3fff);
        *h = (long)(le16(d + 28) & 0x3fff);
        return 0;
    }
    if (memcmp(d + 12, "VP8L", 4) == 0) {
        if (d[20] != 0x2f)
            return -1;
        unsigned long bits = (unsigned long)d[21] | (unsigned long)d[22] << 8 |
                             (unsigned long)d[23] << 16 | (unsigned long)d[24] << 24;
        *w = (long)(bits & 0x3fff) + 1;
        *h = (long)((bits >> 14) & 0x3fff) + 1;
        return 0;
    }
    if (memcmp(d + 12, "VP8X", 4) == 0) {
        *w = (long)le24(d + 24) + 1;
        *h = (long)le24(d + 27) + 1;
        return 0;
    }
    return -1;
}

int imghdr_size(const unsigned char *d, size_t len, long *w, long *h)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int r = -1;
    *w = *h = 0;
    if (len >= 24 && memcmp(d, png_sig, 8) == 0) {
        if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
            return -1;
        unsigned long pw = be32(d + 16), ph = be32(d + 20);
        if (pw > 0x7fffffffUL || ph > 0x7fffffffUL)
            return -1; /* the PNG spec's own limit */
        *w = (long)pw;
        *h = (long)ph;
        r = 0;
    } else if (len >= 4 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
        r = jpeg_size(d, len, w, h);
    } else if (len >= 10 &&
               (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        *w = (long)le16(d + 6);
        *h = (long)le16(d + 8);
        r = 0;
    } else if (len >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        r = webp_size(d, len, w, h);
    }
    if (r == 0 && (*w <= 0 || *h <= 0))
        r = -1;
    return r;
}

bool imghdr_acceptable(const unsigned char *d, size_t len, long max_pixels, char *why,
                       size_t whylen)
{
    long w, h;
    if (imghdr_size(d, len, &w, &h) < 0) {
        snprintf(why, whylen,
                 "not a PNG, JPEG, GIF or WebP image, or its header is damaged");
        return false;
    }
    if ((long long)w * h > max_pixels) {
        snprintf(why, whylen, "%ldx%ld pixels is more than the limit of %ld", w, h,
                 max_pixels);
        return false;
    }
    return true;
}
