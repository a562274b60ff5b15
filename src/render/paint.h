/* paint: rasterises display lists (src/layout.h) into SDL surfaces.
 *
 * Software only (no SDL_Renderer), so it runs on the raster thread or in
 * --render without a display.  The fontset passed in must belong to the
 * calling thread.
 */
#ifndef EDUKIOSK_PAINT_H
#define EDUKIOSK_PAINT_H

#include <SDL.h>
#include <stdbool.h>

#include "deck.h"
#include "font.h"
#include "layout.h"

struct palette {
    SDL_Color background, text, muted, accent, on_accent, panel, alert, warning, white;
    SDL_Color band; /* the ticker strip: opaque, a shade under the slide's foot */
    SDL_Color info, on_warning;
};

void paint_palette(const struct deck *d, struct palette *p);
SDL_Color paint_color(const struct palette *p, enum lay_color c);

/* A new ARGB8888 surface of l->w × l->h with the layout painted on it.
 * With `background`, the theme (or slide) background and bg image are
 * painted first; otherwise the surface starts transparent.  NULL on
 * failure (logged).  Caller frees. */
SDL_Surface *paint_layout(struct fontset *fs, const struct deck *d,
                          const struct slide_layout *l, bool background);

/* Fills a rounded rectangle with anti-aliased corners, blending. */
void paint_rect(SDL_Surface *s, int x, int y, int w, int h, int radius, SDL_Color c,
                uint8_t alpha);

/* Decodes an image with the decoder of the format it was checked as
 * (img->format) and draws it into box with contain/cover fit, smooth
 * scaling.  Returns false if it cannot be decoded (logged). */
bool paint_image(SDL_Surface *s, const struct deck_image *img, struct lay_box box,
                 enum image_fit fit);

#endif
