/* text: pure Chinese-aware line layout.
 *
 * Break opportunities come from ICU's line break iterator (UAX #14, "zh"),
 * lines are filled greedily against an injected measuring function,
 * preferring to end between the words of ICU's dictionary (word break
 * iterator, "zh"), then optionally balanced; text_fit() shrinks the font
 * until the text fits a box, down to a floor, then ellipsises.  No SDL here: tests inject a fake
 * measure.  Thread-safe (no shared state besides ICU's own).
 */
#ifndef EDUKIOSK_TEXT_H
#define EDUKIOSK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Width in pixels of s[0..len) drawn at font size px as (part of) a
 * paragraph of direction rtl.  Must be additive enough that
 * measure(a)+measure(b) ≈ measure(ab). */
typedef int (*text_measure_fn)(void *ctx, const char *s, size_t len, int px, bool bold,
                               bool rtl);

struct text_measure {
    text_measure_fn fn;
    void *ctx;
};

/* The result of a layout: owned strings, one per line, without the
 * trailing break space.  An ellipsised last line ends in "…". */
struct text_lines {
    int n;
    char **lines;
    int *widths;  /* measured width of each line */
    bool *rtl;    /* each line's paragraph runs right to left (draw it so) */
    int px;       /* font size the lines were laid out for */
    int line_h;   /* px * line_spacing, rounded */
    bool ellipsized;
};

struct text_fit_req {
    const char *text;
    int box_w, box_h;
    int max_px, min_px;
    bool bold;
    float line_spacing; /* e.g. 1.4; line_h = round(px * spacing) */
    int max_lines;      /* 0 = as many as the box holds */
    bool balance;       /* even out line lengths (titles) */
};

/* Byte offsets where a line may break before (ascending, excluding 0 and
 * len): ICU's opportunities minus those clreq's basic kinsoku rules forbid
 * (e.g. before "·" or "～").  Returns count or -1 on ICU failure.  *out is
 * malloc'd (NULL when the count is 0). */
int text_break_points(const char *s, size_t len, size_t **out);

/* Greedy wrap at px, except that a line whose greedy end is inside a word
 * of ICU's dictionary ends at the last earlier break point that is a word
 * boundary if that keeps it 80 % full.  Words wider than width are cut
 * between characters (grapheme clusters, avoiding kinsoku violations
 * where possible).  Hard newlines force breaks and blank lines stay as
 * empty lines; trailing whitespace (a final newline) adds nothing, so
 * blank text gives n == 0.  Malformed UTF-8 is laid out as U+FFFD.
 * Returns 0 or -1 (out of memory). */
int text_wrap(const char *text, int width, int px, bool bold, float line_spacing,
              const struct text_measure *m, struct text_lines *out);

/* Largest px in [min_px, max_px] whose wrap fits box_w × box_h (and
 * max_lines); above min_px a wrap that cuts a word between characters does
 * not count as fitting.  At min_px, what does not fit is cut and the last
 * kept line ends in "…" (ellipsized; n is 0 when not even "…" fits).  With
 * balance, k lines are re-wrapped at the narrowest width that still gives
 * k lines without ending more of them inside dictionary words.  Measures
 * a bounded number of times (bisection over sizes and widths).  Returns 0
 * or -1 (out of memory). */
int text_fit(const struct text_fit_req *req, const struct text_measure *m,
             struct text_lines *out);

void text_lines_free(struct text_lines *l);

#endif
