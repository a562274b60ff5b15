/* render: composites the finished pictures on the screen every frame.
 *
 * The only SDL_Renderer user (main thread).  It holds textures uploaded
 * from raster surfaces — full-screen pictures (slides, fallback, alert)
 * keyed by the caller, plus the chrome pieces (header, clock, ticker
 * items, banner) — and draws one frame from a struct frame: the picture or
 * the two pictures of a transition, then the chrome over them.  The same
 * code draws --render's PNGs through a software renderer on a surface.
 */
#ifndef EDUKIOSK_RENDER_H
#define EDUKIOSK_RENDER_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "deck.h"
#include "layout.h"
#include "paint.h"

#define RENDER_MAX_TICKER 64

struct frame {
    uint64_t from_key;       /* picture on screen */
    uint64_t to_key;         /* incoming picture, when transition */
    bool transition;
    enum transition kind;
    float progress;          /* 0..1 */
    bool chrome;             /* header, clock, progress, ticker, banner */
    bool banner;
    int slide_index, n_slides; /* progress indicator; n_slides 0 = none */
    uint64_t ticker_ms;      /* scroll position of the ticker */
    bool blank;              /* display schedule: all black */
};

struct render;

/* w × h is the logical (content) size; rotation 0/90/180/270 turns it on
 * the output.  NULL on failure. */
struct render *render_new(SDL_Renderer *r, int w, int h, int rotation);
void render_free(struct render *rd); /* accepts NULL */

/* Upload a full-screen picture (takes and frees the surface).  Keeps at
 * most a few pictures; the least recently used ones not listed as keep
 * in render_frame go first. */
void render_put_picture(struct render *rd, uint64_t key, SDL_Surface *s, time_t made);
/* Whether a picture is there, and when it was rasterised. */
bool render_has_picture(const struct render *rd, uint64_t key, time_t *made);
void render_drop_pictures(struct render *rd);

/* Chrome pieces: take and free the surface (NULL clears).  The palette
 * and chrome boxes come from the deck on screen. */
void render_set_chrome(struct render *rd, const struct deck *d);
void render_put_header(struct render *rd, SDL_Surface *s);
void render_put_clock(struct render *rd, SDL_Surface *s);
void render_put_banner(struct render *rd, SDL_Surface *s);
void render_put_ticker(struct render *rd, int index, SDL_Surface *s);
void render_set_ticker_count(struct render *rd, int n);

/* Ticker speed in logical pixels per second (0 = no ticker). */
double render_ticker_speed(const struct render *rd);

/* Draws the frame and presents it. */
void render_frame(struct render *rd, const struct frame *f);
/* Draws the frame without presenting (for --render and screenshots). */
void render_compose(struct render *rd, const struct frame *f);

/* The output as a new ARGB8888 surface (screenshot); NULL on failure. */
SDL_Surface *render_read_pixels(struct render *rd);

#endif
