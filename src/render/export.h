/* export: --render.  Draws every slide of a deck exactly as the screen
 * would (same raster, same compositor, through SDL's software renderer on
 * a surface) to DIR/slide-NN.png, and writes DIR/layout.json. */
#ifndef EDUKIOSK_EXPORT_H
#define EDUKIOSK_EXPORT_H

#include <time.h>

#include "deck.h"

/* Returns 0, or 3 on a runtime failure (logged).  No display needed;
 * TTF_Init() must have been called. */
int export_render(const struct deck *d, const char *dir, int w, int h, time_t now);

/* Slide `index` of d drawn the same way, encoded as a PNG in memory
 * (*png malloc()ed, the caller frees): the editor's preview.  0, or 3 on
 * a failure (logged).  TTF_Init() must have been called. */
int export_slide_png(const struct deck *d, size_t index, int w, int h, time_t now,
                     unsigned char **png, size_t *len);

#endif
