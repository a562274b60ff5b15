#include "utf8.h"

#define REPLACEMENT 0xfffdu

/* Length of the sequence a lead byte announces, 0 for bytes that cannot
 * start one (continuation bytes, C0/C1 overlong leads, F5..FF). */
static size_t lead_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0)
        return 2;
    if (c < 0xf0)
        return 3;
    if (c < 0xf5)
        return 4;
    return 0;
}

/* The valid range of the second byte depends on the lead (Unicode table
 * 3-7); checking it here rejects overlong forms, surrogates and code
 * points above U+10FFFF without decoding first. */
static bool second_ok(unsigned char lead, unsigned char c)
{
    switch (lead) {
    case 0xe0:
        return c >= 0xa0 && c <= 0xbf;
    case 0xed:
        return c >= 0x80 && c <= 0x9f;
    case 0xf0:
        return c >= 0x90 && c <= 0xbf;
    case 0xf4:
        return c >= 0x80 && c <= 0x8f;
    default:
        return c >= 0x80 && c <= 0xbf;
    }
}

uint32_t utf8_decode(const char *s, size_t len, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)s;
    *adv = 1;
    if (len == 0)
        return REPLACEMENT;
    size_t n = lead_length(u[0]);
    if (n == 1)
        return u[0];
    if (n == 0)
        return REPLACEMENT;
    /* A broken sequence is replaced as a whole up to the first byte that
     * does not fit (the "maximal subpart" practice), so the next call
     * resynchronises on that byte. */
    if (len < 2 || !second_ok(u[0], u[1]))
        return REPLACEMENT;
    uint32_t cp = u[0] & (0x7fu >> n);
    cp = (cp << 6) | (u[1] & 0x3fu);
    for (size_t i = 2; i < n; i++) {
        if (i >= len || (u[i] & 0xc0) != 0x80) {
            *adv = i;
            return REPLACEMENT;
        }
        cp = (cp << 6) | (u[i] & 0x3fu);
    }
    *adv = n;
    return cp;
}

bool utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        /* A literal U+FFFD is fine; a replacement of broken bytes is not.
         * Only EF BF BD decodes to U+FFFD with a 3-byte advance. */
        if (cp == REPLACEMENT && !(adv == 3 && c == 0xef))
            return false;
        i += adv;
    }
    return true;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = REPLACEMENT;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t utf8_prev(const char *s, size_t start, size_t pos)
{
    size_t p = pos - 1;
    while (p > start && pos - p < 4 && ((unsigned char)s[p] & 0xc0) == 0x80)
        p--;
    return p;
}
