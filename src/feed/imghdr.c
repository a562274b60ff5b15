#include "imghdr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

/* A progressive JPEG costs a pass over the whole picture per scan; real
 * ones have about ten.  Thousands of tiny scans only burn the CPU. */
#define JPEG_MAX_SCANS 256

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
static unsigned long le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* One check in progress: the bytes, the limit, where the verdict goes. */
struct walk {
    const unsigned char *d;
    size_t len;
    long max_pixels;
    struct imghdr_info info;
    char *why;
    size_t whylen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct walk *w, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, w->whylen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Every canvas a decoder allocates goes through here: what, e.g. "GIF
 * frame 2". */
static int canvas(struct walk *w, const char *what, unsigned long cw, unsigned long ch)
{
    if (cw == 0 || ch == 0)
        return fail(w, "damaged image: %s is %lux%lu pixels", what, cw, ch);
    if ((unsigned long long)cw * ch > (unsigned long long)w->max_pixels)
        return fail(w,
                    "%s is %lux%lu pixels, more than the limit of %ld "
                    "(max_image_pixels)",
                    what, cw, ch, w->max_pixels);
    if (cw > IMGHDR_MAX_SIDE || ch > IMGHDR_MAX_SIDE)
        return fail(w, "%s is %lux%lu pixels; no side may be longer than %ld", what, cw,
                    ch, IMGHDR_MAX_SIDE);
    if (w->info.w == 0) {
        w->info.w = (long)cw;
        w->info.h = (long)ch;
    }
    return 0;
}

/* ---- PNG: chunks with their CRCs, IHDR first, IEND last ------------ */

static bool png_depth_ok(unsigned colour, unsigned depth)
{
    switch (colour) {
    case 0:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
        return depth == 8 || depth == 16;
    }
    return false;
}

static int png_ihdr(struct walk *w, const unsigned char *c, unsigned long clen)
{
    if (clen != 13)
        return fail(w, "damaged PNG: its header (IHDR) is %lu bytes, not 13", clen);
    if (!png_depth_ok(c[9], c[8]) || c[10] != 0 || c[11] != 0 || c[12] > 1)
        return fail(w, "damaged PNG: impossible header (depth %u, colour type %u)", c[8],
                    c[9]);
    return canvas(w, "the PNG image", be32(c), be32(c + 4));
}

static bool png_type_ok(const unsigned char *t)
{
    for (int k = 0; k < 4; k++)
        if (!((t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z')))
            return false;
    return true;
}

static int png_check(struct walk *w)
{
    const unsigned char *d = w->d;
    size_t i = 8;
    bool palette_needed = false, palette = false, data = false, data_ended = false;
    for (unsigned n = 0;; n++) {
        if (i == w->len)
            return fail(w, "truncated PNG: no end chunk (IEND)");
        if (w->len - i < 12)
            return fail(w, "truncated PNG: the chunk at byte %zu is cut short", i);
        unsigned long clen = be32(d + i);
        const unsigned char *type = d + i + 4, *body = d + i + 8;
        if (clen > 0x7fffffffUL || !png_type_ok(type))
            return fail(w, "damaged PNG: no chunk where one should start (byte %zu)", i);
        if (clen > w->len - i - 12)
            return fail(w, "truncated PNG: chunk %.4s at byte %zu is cut short", type, i);
        if (crc32(crc32(0L, Z_NULL, 0), type, (uInt)clen + 4) != be32(body + clen))
            return fail(w, "damaged PNG: chunk %.4s at byte %zu fails its CRC check",
                        type, i);
        bool is_data = memcmp(type, "IDAT", 4) == 0;
        if (n == 0 && memcmp(type, "IHDR", 4) != 0)
            return fail(w, "damaged PNG: it does not start with its header (IHDR)");
        if (n == 0) {
            if (png_ihdr(w, body, clen) < 0)
                return -1;
            palette_needed = body[9] == 3;
        } else if (memcmp(type, "IEND", 4) == 0) {
            if (!data)
                return fail(w, "damaged PNG: no image data (IDAT)");
            i += 12 + clen;
            if (i != w->len)
                return fail(w, "damaged PNG: %zu bytes of garbage after its end (IEND)",
                            w->len - i);
            return 0;
        } else if (is_data) {
            if (data_ended)
                return fail(w, "damaged PNG: its image data (IDAT) is split apart");
            if (palette_needed && !palette)
                return fail(w, "damaged PNG: image data before its palette (PLTE)");
            data = true;
        } else if (memcmp(type, "PLTE", 4) == 0) {
            palette = true;
        } else if (memcmp(type, "IHDR", 4) == 0 || !(type[0] & 0x20)) {
            /* A decoder must stop at a critical chunk it does not know. */
            return fail(w, "damaged PNG: unexpected chunk %.4s at byte %zu", type, i);
        }
        data_ended = data && !is_data;
        i += 12 + clen;
    }
}

/* ---- JPEG: segments up to each scan, entropy data to the next marker,
 * ending with EOI ----------------------------------------------------- */

static bool jpeg_is_sof(unsigned m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* What cameras and phones leave after EOI and decoders skip: more
 * pictures (MPF), a motion photo's video, Samsung's trailer, padding. */
static bool jpeg_tail_ok(const unsigned char *t, size_t n)
{
    if (n == 0 || (n >= 3 && t[0] == 0xff && t[1] == 0xd8 && t[2] == 0xff))
        return true;
    if (n >= 8 && memcmp(t + 4, "ftyp", 4) == 0)
        return true;
    if (n >= 4 && memcmp(t + n - 4, "SEFT", 4) == 0)
        return true;
    for (size_t k = 0; k < n; k++)
        if (t[k] != 0 && t[k] != 0xff)
            return false;
    return true;
}

static int jpeg_frame(struct walk *w, const unsigned char *s, size_t seg, int *frames)
{
    char what[32];
    if (seg < 8 || seg != 8 + 3 * (size_t)s[7] || s[7] == 0 || s[7] > 4)
        return fail(w, "damaged JPEG: impossible frame header");
    if (be16(s + 3) == 0)
        return fail(w, "JPEG whose height comes after the image data (DNL) is not "
                       "supported");
    int n = ++*frames;
    snprintf(what, sizeof(what), n == 1 ? "the JPEG image" : "JPEG frame %d", n);
    return canvas(w, what, be16(s + 5), be16(s + 3));
}

/* From just after an SOS segment to the marker that ends its entropy-coded
 * data; that marker's 0xff is at the returned offset, or 0: none. */
static size_t jpeg_scan_end(const unsigned char *d, size_t len, size_t i)
{
    for (;;) {
        const unsigned char *p = memchr(d + i, 0xff, len - i);
        if (!p || (size_t)(p - d) + 1 >= len)
            return 0;
        i = (size_t)(p - d);
        unsigned b = d[i + 1];
        if (b == 0x00 || (b >= 0xd0 && b <= 0xd7))
            i += 2; /* a stuffed 0xff, a restart marker: still data */
        else if (b == 0xff)
            i++;
        else
            return i;
    }
}

static int jpeg_check(struct walk *w)
{
    const unsigned char *d = w->d;
    size_t i = 2;
    int frames = 0, scans = 0;
    for (;;) {
        if (i >= w->len)
            return fail(w, "truncated JPEG: no end-of-image marker");
        if (d[i] != 0xff)
            return fail(w, "damaged JPEG: no marker at byte %zu", i);
        while (i < w->len && d[i] == 0xff)
            i++;
        if (i >= w->len)
            return fail(w, "truncated JPEG: no end-of-image marker");
        unsigned m = d[i++];
        if (m == 0xd9) {
            if (scans == 0)
                return fail(w, "damaged JPEG: no image data");
            if (!jpeg_tail_ok(d + i, w->len - i))
                return fail(w, "damaged JPEG: %zu bytes of garbage after its end",
                            w->len - i);
            return 0;
        }
        if (m == 0x01)
            continue;
        if (m == 0x00 || (m >= 0xd0 && m <= 0xd8))
            return fail(w, "damaged JPEG: marker 0x%02x out of place at byte %zu", m,
                        i - 2);
        if (w->len - i < 2 || be16(d + i) < 2 || be16(d + i) > w->len - i)
            return fail(w, "truncated JPEG: segment 0x%02x at byte %zu is cut short", m,
                        i - 2);
        size_t seg = be16(d + i);
        if (jpeg_is_sof(m) && jpeg_frame(w, d + i, seg, &frames) < 0)
            return -1;
        i += seg;
        if (m != 0xda)
            continue;
        if (frames == 0)
            return fail(w, "damaged JPEG: image data before its frame header");
        if (++scans > JPEG_MAX_SCANS)
            return fail(w, "JPEG with more than %d scans is not supported",
                        JPEG_MAX_SCANS);
        i = jpeg_scan_end(d, w->len, i);
        if (i == 0)
            return fail(w, "truncated JPEG: no end-of-image marker");
    }
}

/* ---- GIF: blocks to the trailer; the screen and every frame ---------- */

/* Past a run of data sub-blocks starting at i; 0 when cut short. */
static size_t gif_skip_blocks(const unsigned char *d, size_t len, size_t i)
{
    while (i < len) {
        size_t n = d[i];
        if (n == 0)
            return i + 1;
        if (n + 1 > len - i)
            return 0;
        i += n + 1;
    }
    return 0;
}

static int gif_check(struct walk *w)
{
    const unsigned char *d = w->d;
    if (w->len < 13)
        return fail(w, "truncated GIF: its header is cut short");
    /* SDL_image sizes its picture from a frame; an animation's canvas is
     * the logical screen.  Both must fit. */
    if (canvas(w, "the GIF screen", le16(d + 6), le16(d + 8)) < 0)
        return -1;
    size_t i = 13 + ((d[10] & 0x80) ? (size_t)3 << ((d[10] & 7) + 1) : 0);
    int frames = 0;
    for (;;) {
        if (i >= w->len)
            return fail(w, "truncated GIF: no trailer (0x3B)");
        unsigned c = d[i++];
        if (c == 0x3b) {
            if (frames == 0)
                return fail(w, "damaged GIF: no image in it");
            if (i != w->len)
                return fail(w, "damaged GIF: %zu bytes of garbage after its end",
                            w->len - i);
            return 0;
        }
        if (c == 0x21) {
            i = i < w->len ? gif_skip_blocks(d, w->len, i + 1) : 0;
        } else if (c == 0x2c) {
            if (w->len - i < 10)
                return fail(w, "truncated GIF: frame %d is cut short", frames + 1);
            char what[32];
            snprintf(what, sizeof(what), "GIF frame %d", ++frames);
            if (canvas(w, what, le16(d + i + 4), le16(d + i + 6)) < 0)
                return -1;
            unsigned flags = d[i + 8];
            i += 9 + ((flags & 0x80) ? (size_t)3 << ((flags & 7) + 1) : 0);
            if (i < w->len && (d[i] < 1 || d[i] > 11))
                return fail(w, "damaged GIF: frame %d has an impossible code size",
                            frames);
            i = i < w->len ? gif_skip_blocks(d, w->len, i + 1) : 0;
        } else {
            return fail(w, "damaged GIF: unexpected byte 0x%02x at byte %zu", c, i - 1);
        }
        if (i == 0)
            return fail(w, "truncated GIF: no trailer (0x3B)");
    }
}

/* ---- WebP: the RIFF size, the chunks, canvas and bitstream sizes ------ */

static int webp_bitstream(struct walk *w, const unsigned char *c, unsigned long n,
                          bool lossless)
{
    if (lossless) {
        if (n < 5 || c[0] != 0x2f)
            return fail(w, "damaged WebP: impossible lossless header");
        unsigned long bits = le32(c + 1);
        return canvas(w, "the WebP image", (bits & 0x3fff) + 1,
                      ((bits >> 14) & 0x3fff) + 1);
    }
    if (n < 10 || c[3] != 0x9d || c[4] != 0x01 || c[5] != 0x2a || (c[0] & 1))
        return fail(w, "damaged WebP: impossible lossy header");
    if ((le24(c) >> 5) > n - 10)
        return fail(w, "truncated WebP: its image data is cut short");
    return canvas(w, "the WebP image", le16(c + 6) & 0x3fff, le16(c + 8) & 0x3fff);
}

static int webp_check(struct walk *w)
{
    const unsigned char *d = w->d;
    unsigned long riff = le32(d + 4);
    if (riff > w->len - 8)
        return fail(w, "truncated WebP: it says %lu bytes, only %zu are there", riff + 8,
                    w->len);
    if (riff < w->len - 8)
        return fail(w, "damaged WebP: %zu bytes of garbage after its end",
                    w->len - 8 - (size_t)riff);
    bool image = false;
    for (size_t i = 12; i < w->len;) {
        if (w->len - i < 8)
            return fail(w, "truncated WebP: the chunk at byte %zu is cut short", i);
        const unsigned char *c = d + i + 8;
        unsigned long n = le32(d + i + 4);
        if (n > w->len - i - 8)
            return fail(w, "truncated WebP: chunk %.4s at byte %zu is cut short", d + i,
                        i);
        int r = 0;
        if (memcmp(d + i, "VP8X", 4) == 0) {
            if (i != 12 || n < 10)
                return fail(w, "damaged WebP: extended header (VP8X) out of place");
            if (c[0] & 0x02)
                return fail(w, "animated WebP is not supported; use GIF or a still "
                               "picture");
            r = canvas(w, "the WebP canvas", le24(c + 4) + 1, le24(c + 7) + 1);
        } else if (memcmp(d + i, "VP8 ", 4) == 0 || memcmp(d + i, "VP8L", 4) == 0) {
            if (image)
                return fail(w, "damaged WebP: two images in one file");
            image = true;
            r = webp_bitstream(w, c, n, d[i + 3] == 'L');
        } else if (memcmp(d + i, "ANMF", 4) == 0 || memcmp(d + i, "ANIM", 4) == 0) {
            return fail(w, "animated WebP is not supported; use GIF or a still picture");
        }
        if (r < 0)
            return -1;
        i += 8 + n + (n & 1);
        if (i > w->len)
            return fail(w, "truncated WebP: its last chunk is cut short");
    }
    return image ? 0 : fail(w, "damaged WebP: no image data");
}

/* ---- which format ---------------------------------------------------- */

static enum imghdr_format sniff(const unsigned char *d, size_t len)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 8 && memcmp(d, png_sig, 8) == 0)
        return IMGHDR_PNG;
    if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return IMGHDR_JPEG;
    if (len >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return IMGHDR_GIF;
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return IMGHDR_WEBP;
    return IMGHDR_NONE;
}

/* Formats SDL_image would also take, named so the editor knows what to
 * convert; none of them can be bounded before decoding. */
static const char *other_format(const unsigned char *d, size_t len)
{
    static const struct {
        const char *magic;
        size_t n, at;
        const char *name;
    } known[] = {
        {"BM", 2, 0, "BMP"},           {"II*\0", 4, 0, "TIFF"},
        {"MM\0*", 4, 0, "TIFF"},       {"\0\0\1\0", 4, 0, "ICO"},
        {"qoif", 4, 0, "QOI"},         {"/* XPM */", 9, 0, "XPM"},
        {"<svg", 4, 0, "SVG"},         {"<?xml", 5, 0, "SVG"},
        {"ftypavif", 8, 4, "AVIF"},    {"ftypheic", 8, 4, "HEIC"},
        {"ftypmif1", 8, 4, "HEIF"},    {"8BPS", 4, 0, "PSD"},
        {"gimp xcf", 8, 0, "XCF"},     {"FORM", 4, 0, "IFF/LBM"},
        {"\xff\x0a", 2, 0, "JPEG XL"}, {"<!DOCTYPE", 9, 0, "a web page"},
        {"<html", 5, 0, "a web page"},
    };
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
        if (len >= known[k].at + known[k].n &&
            memcmp(d + known[k].at, known[k].magic, known[k].n) == 0)
            return known[k].name;
    if (len >= 3 && d[0] == 0x0a && d[1] <= 5 && d[2] == 1)
        return "PCX";
    if (len >= 2 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7')
        return "PNM";
    return NULL;
}

int imghdr_check(const unsigned char *d, size_t len, long max_pixels,
                 struct imghdr_info *info, char *why, size_t whylen)
{
    struct walk w = {.d = d, .len = len, .max_pixels = max_pixels, .whylen = whylen};
    w.why = why; /* not in the initialiser: clang-tidy 14 would call why unwritten */
    w.info.format = d ? sniff(d, len) : IMGHDR_NONE;
    int r = -1;
    switch (w.info.format) {
    case IMGHDR_PNG:
        r = png_check(&w);
        break;
    case IMGHDR_JPEG:
        r = jpeg_check(&w);
        break;
    case IMGHDR_GIF:
        r = gif_check(&w);
        break;
    case IMGHDR_WEBP:
        r = webp_check(&w);
        break;
    case IMGHDR_NONE: {
        const char *other = d ? other_format(d, len) : NULL;
        if (other)
            fail(&w, "%s is not shown: only PNG, JPEG, GIF and WebP images are", other);
        else
            fail(&w, "not a PNG, JPEG, GIF or WebP image");
        break;
    }
    }
    if (info)
        *info = r == 0 ? w.info : (struct imghdr_info){0};
    return r;
}

const char *imghdr_format_name(enum imghdr_format f)
{
    switch (f) {
    case IMGHDR_PNG:
        return "PNG";
    case IMGHDR_JPEG:
        return "JPEG";
    case IMGHDR_GIF:
        return "GIF";
    case IMGHDR_WEBP:
        return "WebP";
    case IMGHDR_NONE:
        break;
    }
    return "unknown";
}

/* ---- header-only size ------------------------------------------------ */

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
        if (jpeg_is_sof(m)) {
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
        unsigned long bits = le32(d + 21);
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
    int r = -1;
    *w = *h = 0;
    switch (sniff(d, len)) {
    case IMGHDR_PNG:
        if (len < 24 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
            return -1;
        if (be32(d + 16) > 0x7fffffffUL || be32(d + 20) > 0x7fffffffUL)
            return -1; /* the PNG spec's own limit */
        *w = (long)be32(d + 16);
        *h = (long)be32(d + 20);
        r = 0;
        break;
    case IMGHDR_JPEG:
        r = len >= 4 ? jpeg_size(d, len, w, h) : -1;
        break;
    case IMGHDR_GIF:
        if (len < 10)
            return -1;
        *w = (long)le16(d + 6);
        *h = (long)le16(d + 8);
        r = 0;
        break;
    case IMGHDR_WEBP:
        r = len >= 16 ? webp_size(d, len, w, h) : -1;
        break;
    case IMGHDR_NONE:
        break;
    }
    if (r == 0 && (*w <= 0 || *h <= 0))
        r = -1;
    return r;
}
