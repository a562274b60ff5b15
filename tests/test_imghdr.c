/* imghdr_check: images made here byte by byte (and the JPEG photo of the
 * render fixtures), good ones decoded by SDL_image to prove they are real,
 * then broken the ways files break or are broken on purpose: canvases over
 * the pixel limit in any frame, formats nobody can bound, truncation,
 * wrong CRCs, garbage after the end.  Each refusal must say what is
 * wrong. */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "deck.h"
#include "imghdr.h"

#define LIMIT 4000000L

/* A growable byte string. */
struct buf {
    unsigned char *p;
    size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void put8(struct buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}
static void put16le(struct buf *b, unsigned long v)
{
    put8(b, v & 0xff);
    put8(b, (v >> 8) & 0xff);
}
static void put32le(struct buf *b, unsigned long v)
{
    put16le(b, v & 0xffff);
    put16le(b, v >> 16);
}
static void put32be(struct buf *b, unsigned long v)
{
    put8(b, (v >> 24) & 0xff);
    put8(b, (v >> 16) & 0xff);
    put8(b, (v >> 8) & 0xff);
    put8(b, v & 0xff);
}

/* ---- makers --------------------------------------------------------- */

static void png_chunk(struct buf *b, const char *type, const unsigned char *d, size_t n)
{
    put32be(b, n);
    size_t at = b->n;
    put(b, type, 4);
    if (n)
        put(b, d, n);
    put32be(b, crc32(0L, b->p + at, (uInt)(n + 4)));
}

/* A real RGB PNG of w x h whose header may claim hw x hh; a grey ramp. */
static struct buf make_png_claiming(unsigned w, unsigned h, unsigned long hw,
                                    unsigned long hh)
{
    struct buf b = {0};
    put(&b, "\x89PNG\r\n\x1a\n", 8);
    unsigned char ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        ihdr[k] = (unsigned char)(hw >> (24 - 8 * k));
        ihdr[4 + k] = (unsigned char)(hh >> (24 - 8 * k));
    }
    png_chunk(&b, "IHDR", ihdr, 13);
    size_t raw_n = (size_t)h * (1 + 3 * (size_t)w);
    unsigned char *raw = calloc(1, raw_n);
    assert_non_null(raw);
    for (size_t i = 0; i < raw_n; i++)
        raw[i] = i % (1 + 3 * w) ? (unsigned char)(i * 7) : 0;
    uLongf zn = compressBound(raw_n);
    unsigned char *z = malloc(zn);
    assert_non_null(z);
    assert_int_equal(compress(z, &zn, raw, raw_n), Z_OK);
    png_chunk(&b, "IDAT", z, zn);
    png_chunk(&b, "IEND", NULL, 0);
    free(raw);
    free(z);
    return b;
}

static struct buf make_png(unsigned w, unsigned h)
{
    return make_png_claiming(w, h, w, h);
}

/* A GIF: logical screen sw x sh, one 1x1 frame, then frames of the sizes
 * given (their picture data a valid single-pixel stream: a decoder sizes
 * its buffer from the descriptor before it reads any). */
static struct buf make_gif(unsigned sw, unsigned sh, const unsigned (*frames)[2], int n)
{
    struct buf b = {0};
    put(&b, "GIF89a", 6);
    put16le(&b, sw);
    put16le(&b, sh);
    put(&b, "\x80\0\0", 3); /* a global table of 2 colours */
    put(&b, "\0\0\0\xff\xff\xff", 6);
    put(&b, "\x21\xf9\x04\0\0\0\0\0", 8); /* graphic control extension */
    for (int i = 0; i < n; i++) {
        put8(&b, 0x2c);
        put16le(&b, 0);
        put16le(&b, 0);
        put16le(&b, frames[i][0]);
        put16le(&b, frames[i][1]);
        put8(&b, 0);
        put(&b, "\x02\x02\x44\x01\x00", 5); /* clear, pixel 0, end */
    }
    put8(&b, 0x3b);
    return b;
}

static struct buf make_gif1(unsigned sw, unsigned sh, unsigned fw, unsigned fh)
{
    const unsigned f[1][2] = {{fw, fh}};
    return make_gif(sw, sh, f, 1);
}

/* The smallest lossless WebP: one pixel. */
static const unsigned char webp_1x1[] = {
    'R',  'I',  'F',  'F',  0x1a, 0,    0,    0,    'W',  'E', 'B', 'P',
    'V',  'P',  '8',  'L',  0x0d, 0,    0,    0,    0x2f, 0,   0,   0,
    0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0};

static struct buf make_webp(void)
{
    struct buf b = {0};
    put(&b, webp_1x1, sizeof(webp_1x1));
    return b;
}

/* The 1x1 WebP inside an extended (VP8X) file whose canvas says cw x ch. */
static struct buf make_webp_canvas(unsigned long cw, unsigned long ch)
{
    struct buf b = {0};
    put(&b, "RIFF", 4);
    put32le(&b, 4 + 18 + sizeof(webp_1x1) - 12);
    put(&b, "WEBPVP8X", 8);
    put32le(&b, 10);
    put(&b, "\0\0\0\0", 4);
    put8(&b, (cw - 1) & 0xff), put16le(&b, (cw - 1) >> 8);
    put8(&b, (ch - 1) & 0xff), put16le(&b, (ch - 1) >> 8);
    put(&b, webp_1x1 + 12, sizeof(webp_1x1) - 12);
    return b;
}

static struct buf read_fixture(const char *name)
{
    struct buf b = {0};
    b.p = (unsigned char *)tu_read_file(test_data(name), &b.n);
    b.cap = b.n;
    return b;
}

/* ---- checking -------------------------------------------------------- */

static char why[256];

static void assert_ok(const struct buf *b, enum imghdr_format f)
{
    struct imghdr_info info;
    why[0] = '\0';
    if (imghdr_check(b->p, b->n, LIMIT, &info, why, sizeof(why)) != 0)
        fail_msg("refused: %s", why);
    assert_int_equal(info.format, f);
}

static void assert_refused(const struct buf *b, const char *words)
{
    struct imghdr_info info = {.format = IMGHDR_PNG};
    assert_int_equal(imghdr_check(b->p, b->n, LIMIT, &info, why, sizeof(why)), -1);
    assert_int_equal(info.format, IMGHDR_NONE);
    if (!strstr(why, words))
        fail_msg("\"%s\" does not say \"%s\"", why, words);
}

/* Decoded by the loader of the format found: proof the maker makes real
 * images, so that the refusals below are about the damage alone. */
static void assert_decodes(const struct buf *b, int w, int h)
{
    struct deck_image img = {.url = "test"};
    unsigned char *copy = malloc(b->n);
    assert_non_null(copy);
    memcpy(copy, b->p, b->n);
    assert_true(deck_image_attach(&img, copy, b->n, LIMIT));
    SDL_RWops *rw = SDL_RWFromConstMem(img.data, (int)img.len);
    SDL_Surface *s = img.format == IMGHDR_PNG    ? IMG_LoadPNG_RW(rw)
                     : img.format == IMGHDR_JPEG ? IMG_LoadJPG_RW(rw)
                     : img.format == IMGHDR_GIF  ? IMG_LoadGIF_RW(rw)
                                                 : IMG_LoadWEBP_RW(rw);
    SDL_RWclose(rw);
    if (!s)
        fail_msg("%s does not decode: %s", imghdr_format_name(img.format),
                 IMG_GetError());
    assert_int_equal(s->w, w);
    assert_int_equal(s->h, h);
    SDL_FreeSurface(s);
    free(img.data);
}

static void cut(struct buf *b, size_t n)
{
    assert_true(n < b->n);
    b->n = n;
}

/* ---- tests ------------------------------------------------------------- */

static void test_good_images(void **state)
{
    (void)state;
    struct buf png = make_png(20, 10), gif = make_gif1(16, 16, 1, 1), webp = make_webp(),
               jpg = read_fixture("render/campus.jpg"),
               poster = read_fixture("render/poster.png");
    assert_ok(&png, IMGHDR_PNG);
    assert_decodes(&png, 20, 10);
    assert_ok(&gif, IMGHDR_GIF);
    assert_decodes(&gif, 1, 1);
    assert_ok(&webp, IMGHDR_WEBP);
    assert_decodes(&webp, 1, 1);
    struct imghdr_info info;
    assert_int_equal(imghdr_check(jpg.p, jpg.n, LIMIT, &info, why, sizeof(why)), 0);
    assert_decodes(&jpg, (int)info.w, (int)info.h);
    assert_ok(&poster, IMGHDR_PNG);
    free(png.p), free(gif.p), free(webp.p), free(jpg.p), free(poster.p);
}

/* 35 bytes that made SDL_image allocate 900 million pixels. */
static void test_gif_bomb(void **state)
{
    (void)state;
    struct buf b = {0};
    put(&b, "GIF89a\x10\0\x10\0\0\0\0", 13);
    put(&b, "\x2c\0\0\0\0\x30\x75\x30\x75\0", 10);
    put(&b, "\x02\x08\x4c\x01\0\0\0\0\0\0\0\x3b", 12);
    assert_int_equal(b.n, 35);
    assert_refused(&b, "GIF frame 1 is 30000x30000 pixels, more than the limit");
    free(b.p);
}

static void test_every_canvas_within_the_limit(void **state)
{
    (void)state;
    /* A small first frame and a huge second one. */
    const unsigned two[2][2] = {{1, 1}, {4000, 4000}};
    struct buf b = make_gif(16, 16, two, 2);
    assert_refused(&b, "GIF frame 2 is 4000x4000 pixels");
    free(b.p);
    b = make_gif1(4000, 4000, 1, 1);
    assert_refused(&b, "GIF screen is 4000x4000 pixels");
    free(b.p);
    b = make_png_claiming(2, 2, 30000, 30000);
    assert_refused(&b, "PNG image is 30000x30000 pixels");
    free(b.p);
    b = make_png_claiming(2, 2, 70000, 2);
    assert_refused(&b, "no side may be longer than 65535");
    free(b.p);
    b = make_webp_canvas(1, 1);
    assert_ok(&b, IMGHDR_WEBP);
    free(b.p);
    b = make_webp_canvas(16000, 16000);
    assert_refused(&b, "WebP canvas is 16000x16000 pixels");
    free(b.p);
    b = make_webp();
    unsigned long bits = 16383UL | 16383UL << 14; /* 16384 x 16384 */
    for (int k = 0; k < 4; k++)
        b.p[21 + k] = (unsigned char)(bits >> (8 * k));
    assert_refused(&b, "WebP image is 16384x16384 pixels");
    free(b.p);

    /* The photo's frame header (SOF) says 30000 x 30000. */
    b = read_fixture("render/campus.jpg");
    size_t i = 2;
    while (!(b.p[i] == 0xff && b.p[i + 1] >= 0xc0 && b.p[i + 1] <= 0xc2))
        i += 2 + ((size_t)b.p[i + 2] << 8 | b.p[i + 3]);
    memcpy(b.p + i + 5, "\x75\x30\x75\x30", 4);
    assert_refused(&b, "JPEG image is 30000x30000 pixels");
    free(b.p);
}

static void test_formats_nobody_can_bound(void **state)
{
    (void)state;
    struct buf b = {0};
    put(&b, "BM", 2);
    put32le(&b, 62), put32le(&b, 0), put32le(&b, 54), put32le(&b, 40);
    put32le(&b, 30000), put32le(&b, 30000);
    assert_refused(&b, "BMP is not shown: only PNG, JPEG, GIF and WebP");
    free(b.p);
    /* TGA has no magic number: just not one of ours. */
    unsigned char tga[18] = {0, 0, 2, 0,    0,    0,    0,    0,  0,
                             0, 0, 0, 0x30, 0x75, 0x30, 0x75, 32, 0};
    b = (struct buf){0};
    put(&b, tga, sizeof(tga));
    assert_refused(&b, "not a PNG, JPEG, GIF or WebP image");
    free(b.p);
    b = (struct buf){0};
    put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"99999\"/>", 56);
    assert_refused(&b, "SVG is not shown");
    free(b.p);
    assert_int_equal(imghdr_check(NULL, 0, LIMIT, NULL, why, sizeof(why)), -1);
}

static void test_truncated(void **state)
{
    (void)state;
    struct buf b = read_fixture("render/campus.jpg");
    size_t full = b.n;
    cut(&b, full - 2); /* the end-of-image marker */
    assert_refused(&b, "truncated JPEG: no end-of-image marker");
    cut(&b, full / 2); /* in the middle of the picture */
    assert_refused(&b, "truncated JPEG: no end-of-image marker");
    cut(&b, 300); /* in a table */
    assert_refused(&b, "truncated JPEG");
    free(b.p);

    b = make_png(20, 10);
    full = b.n;
    cut(&b, full - 12);
    assert_refused(&b, "truncated PNG: no end chunk (IEND)");
    cut(&b, full - 20);
    assert_refused(&b, "truncated PNG: chunk IDAT at byte 33 is cut short");
    free(b.p);

    b = make_gif1(16, 16, 1, 1);
    cut(&b, b.n - 1);
    assert_refused(&b, "truncated GIF: no trailer (0x3B)");
    cut(&b, b.n - 3);
    assert_refused(&b, "truncated GIF");
    free(b.p);

    b = make_webp();
    cut(&b, b.n - 3);
    assert_refused(&b, "truncated WebP: it says 34 bytes, only 31 are there");
    free(b.p);
}

static void test_damaged(void **state)
{
    (void)state;
    struct buf b = make_png(20, 10);
    b.p[50] ^= 0x20; /* a bit of the image data */
    assert_refused(&b, "damaged PNG: chunk IDAT at byte 33 fails its CRC check");
    free(b.p);
    b = make_png(20, 10);
    b.p[16] ^= 1; /* the width */
    assert_refused(&b, "damaged PNG: chunk IHDR at byte 8 fails its CRC check");
    free(b.p);

    b = read_fixture("render/campus.jpg");
    size_t second = 4 + ((size_t)b.p[4] << 8 | b.p[5]);
    b.p[second] = 0x00; /* where the second segment's marker was */
    char words[64];
    snprintf(words, sizeof(words), "damaged JPEG: no marker at byte %zu", second);
    assert_refused(&b, words);
    free(b.p);

    b = make_gif1(16, 16, 1, 1);
    b.p[b.n - 6] = 0x00; /* LZW code size 0 */
    assert_refused(&b, "damaged GIF: frame 1 has an impossible code size");
    free(b.p);
}

static void test_garbage_tail(void **state)
{
    (void)state;
    static const char junk[] = "<html>502 Bad Gateway</html>";
    struct buf b = make_png(20, 10);
    put(&b, junk, sizeof(junk) - 1);
    assert_refused(&b, "damaged PNG: 28 bytes of garbage after its end (IEND)");
    free(b.p);
    b = make_gif1(16, 16, 1, 1);
    put(&b, junk, sizeof(junk) - 1);
    assert_refused(&b, "damaged GIF: 28 bytes of garbage after its end");
    free(b.p);
    b = make_webp();
    put(&b, junk, sizeof(junk) - 1);
    assert_refused(&b, "damaged WebP: 28 bytes of garbage after its end");
    free(b.p);
    b = read_fixture("render/campus.jpg");
    put(&b, junk, sizeof(junk) - 1);
    assert_refused(&b, "damaged JPEG: 28 bytes of garbage after its end");
    free(b.p);

    /* What phones put after a JPEG's end is not garbage: a motion
     * photo's video, another picture (MPF), zero padding. */
    static const char *const tails[] = {"\0\0\0\x18"
                                        "ftypmp42",
                                        "\xff\xd8\xff\xe0", "\0\0\0\0\0\0"};
    static const size_t tail_n[] = {12, 4, 6};
    for (int i = 0; i < 3; i++) {
        b = read_fixture("render/campus.jpg");
        put(&b, tails[i], tail_n[i]);
        assert_ok(&b, IMGHDR_JPEG);
        free(b.p);
    }
}

/* What deck_image_attach keeps of refused bytes: nothing but the reason. */
static void test_attach(void **state)
{
    (void)state;
    struct buf b = make_gif1(16, 16, 30000, 30000);
    struct deck_image img = {.url = "x.gif"};
    assert_false(deck_image_attach(&img, b.p, b.n, LIMIT));
    assert_null(img.data);
    assert_true(img.failed);
    assert_true(img.refused);
    assert_int_equal(img.format, IMGHDR_NONE);
    assert_non_null(strstr(img.why, "GIF frame 1 is 30000x30000"));
    free(img.why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_images),
        cmocka_unit_test(test_gif_bomb),
        cmocka_unit_test(test_every_canvas_within_the_limit),
        cmocka_unit_test(test_formats_nobody_can_bound),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_garbage_tail),
        cmocka_unit_test(test_attach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
