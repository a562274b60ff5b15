/* utf8: decoding that never loops or crashes on bad input. */
#ifndef EDUKIOSK_UTF8_H
#define EDUKIOSK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..len) (len > 0).  Malformed input
 * (overlong, surrogate, > U+10FFFF, truncated, stray continuation) yields
 * U+FFFD; *adv is always >= 1 and <= len. */
uint32_t utf8_decode(const char *s, size_t len, size_t *adv);

/* True when s[0..len) is well-formed UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* Encodes cp into out (4 bytes room); returns the byte count. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Start of the code point that ends at pos (start < pos): steps back over
 * at most three continuation bytes and never before start.  Exact on
 * well-formed text; on broken bytes it still moves back by 1..4. */
size_t utf8_prev(const char *s, size_t start, size_t pos);

#endif
