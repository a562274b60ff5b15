/* font: the bundled CJK fonts (embedded in the binary) plus fontconfig
 * fallbacks, measuring and drawing UTF-8 with per-character fallback.
 *
 * A fontset belongs to one thread (SDL_ttf is not thread safe).  A line
 * is put in visual order (right-to-left scripts run right to left), split
 * into runs by which font provides each character (bundled first), and
 * measured with the same TTF_Font objects that draw it.
 */
#ifndef EDUKIOSK_FONT_H
#define EDUKIOSK_FONT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fontset;

/* Opens the embedded regular and bold faces; fallbacks are looked up via
 * fontconfig lazily, the first time a character is missing.  TTF_Init()
 * must have been called.  NULL on failure (logged). */
struct fontset *fontset_new(void);
void fontset_free(struct fontset *fs); /* accepts NULL */

/* Closes every fallback face and forgets which characters they (or no
 * font) have, so one deck's characters cost the next nothing; fonts
 * installed since are found.  Call from the fontset's thread, e.g. when
 * a new deck is adopted. */
void fontset_reset(struct fontset *fs);

/* How many fallback faces are open now (each distinct face at most once,
 * never more than a small fixed number). */
int fontset_open_faces(const struct fontset *fs);

/* A text_measure_fn: ctx is the fontset; rtl is the paragraph direction
 * (text_bidi_rtl()).  Sum of the widths of the runs; 0 for empty text or
 * on failure (logged). */
int fontset_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl);

/* Draws s[0..len) as one line of a paragraph of direction rtl, in visual
 * order; a new ARGB8888 surface of width fontset_measure() and height
 * fontset_line_height(), the baseline at the bundled face's ascent for
 * every run; a character no font has is left blank (the bundled
 * .notdef).  NULL for empty text or on failure.  Caller frees. */
SDL_Surface *fontset_render(struct fontset *fs, const char *s, size_t len, int px,
                            bool bold, bool rtl, SDL_Color color);

/* Pixel height of a line of glyphs at px (font ascent + descent). */
int fontset_line_height(struct fontset *fs, int px, bool bold);

/* Whether the bundled fonts alone (bundled_only: both faces have it) or
 * with fallbacks can draw cp; the latter may look up and open a fallback
 * font through fontconfig. */
bool fontset_has_glyph(struct fontset *fs, uint32_t cp, bool bundled_only);

#endif
