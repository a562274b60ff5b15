/* text_breaks: where a line of Chinese (or mixed) text may end.
 *
 * Part of the text module, shared by text.c and text_ellipsis.c; the
 * public entry point text_break_points() is declared in text.h.  Offsets
 * are byte offsets into UTF-8 strings.  Pure and thread-safe (no state
 * besides ICU's own).
 */
#ifndef EDUKIOSK_TEXT_BREAKS_H
#define EDUKIOSK_TEXT_BREAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a break candidate stands to the words of ICU's dictionary, worst
 * first (the order is used). */
enum text_word_edge {
    TEXT_WORD_INSIDE, /* inside a dictionary word: "一/体" */
    TEXT_WORD_GUESS,  /* between two single ideographs, which is how ICU
                       * segments what its dictionary lacks: "名/师" */
    TEXT_WORD_EDGE,   /* a word boundary the dictionary vouches for */
};

/* Break candidates, paragraph after paragraph, ascending.  Each
 * paragraph's run ends with the paragraph's end offset. */
struct text_breaks {
    size_t n, cap;
    size_t *pos;
    unsigned char *edge; /* enum text_word_edge of pos[i] */
};

/* Appends the candidates of the paragraph s[ps..pe) (no newline inside):
 * ICU's line break opportunities that kinsoku allows, then pe itself (a
 * TEXT_WORD_EDGE).  An empty paragraph adds just pe.  0 or -1 (ICU failure
 * or out of memory; b stays valid for text_breaks_free). */
int text_breaks_add(struct text_breaks *b, const char *s, size_t ps, size_t pe);

/* Frees the arrays; b may be NULL; leaves b empty and reusable. */
void text_breaks_free(struct text_breaks *b);

/* Whether kinsoku lets a line end at pos inside s[start..end) and the next
 * begin there (spaces around pos, which the layout drops, are looked
 * through). */
bool text_breaks_allowed(const char *s, size_t start, size_t end, size_t pos);

/* Interior grapheme cluster boundaries of s[0..len) (excluding 0 and len):
 * count, or -1; *out is malloc'd (NULL when the count is 0). */
int text_breaks_graphemes(const char *s, size_t len, size_t **out);

bool text_breaks_is_space(uint32_t cp);

/* s[start..end) without trailing spaces: the new end. */
size_t text_breaks_trim(const char *s, size_t start, size_t end);

/* First offset from pos (up to end) that is not a space. */
size_t text_breaks_skip(const char *s, size_t pos, size_t end);

/* Whether kinsoku forbids cp at the end of a line (opening brackets and
 * quotes). */
bool text_breaks_no_end(uint32_t cp);

#endif
