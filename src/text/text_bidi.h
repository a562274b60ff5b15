/* text_bidi: the visual order of a line of mixed-direction text (UAX #9,
 * ICU's ubidi).  Lines are broken in logical order; each line is then
 * cut into directional runs, left to right as they appear on screen.
 * Offsets are byte offsets into UTF-8.  Pure and thread-safe.
 */
#ifndef EDUKIOSK_TEXT_BIDI_H
#define EDUKIOSK_TEXT_BIDI_H

#include <stdbool.h>
#include <stddef.h>

/* One directional run: s[start..end) is shaped right to left when rtl. */
struct text_bidi_run {
    size_t start, end;
    bool rtl;
};

/* The paragraph direction of s[0..len) by its first strong character
 * (UAX #9 rules P2-P3, isolates skipped): true for Hebrew or Arabic
 * script, false for Latin, Chinese or text without a strong one. */
bool text_bidi_rtl(const char *s, size_t len);

/* The runs of the line s[0..len) laid out in a paragraph of direction
 * rtl, in visual order (leftmost first), into *runs (malloc'd; caller
 * frees).  Text with nothing right-to-left in a left-to-right paragraph
 * is one run without asking ICU.  Malformed UTF-8 counts as U+FFFD.
 * Returns the count (0 for empty text), or -1 when out of memory or ICU
 * fails. */
int text_bidi_runs(const char *s, size_t len, bool rtl, struct text_bidi_run **runs);

#endif
