/* text_ellipsis: the end of text_fit() when nothing fits.  Part of the
 * text module; pure and thread-safe. */
#ifndef EDUKIOSK_TEXT_ELLIPSIS_H
#define EDUKIOSK_TEXT_ELLIPSIS_H

#include "text.h"

/* l was wrapped at the floor size and does not fit r's box: keeps the
 * lines that do and ends the last one with "…", cut at a grapheme
 * boundary (l->ellipsized; l->n is 0 when not even "…" fits).  0, or -1
 * when out of memory (l stays valid for text_lines_free). */
int text_ellipsis_apply(const struct text_fit_req *r, const struct text_measure *m,
                        struct text_lines *l);

#endif
