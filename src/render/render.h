/* render: composites the finished pictures on the screen every frame.
 *
 * Main thread only.  It holds the full-screen pictures (slides, fallback,
 * alert) keyed by the caller, plus the chrome pieces (header, clock,
 * ticker items, banner), and draws one frame from a struct frame: the
 * picture or the two pictures of a transition, then the chrome over them.
 *
 * Two back ends behind one drawing code:
 *  - an SDL_Renderer (GPU: OpenGL ES on a Pi): textures, whole frames;
 *    a picture beyond the GPU's largest texture is held as tiles;
 *  - a surface (the window's own surface with SDL's software path, a
 *    memory surface streamed to a renderer where the video driver has no
 *    window surface, or the PNG of --render): only what changed is drawn
 *    and sent to the screen
 *    — the ticker strip, the clock, the region that fades — so a still
 *    slide with a scrolling ticker costs a sliver of a frame.
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

#define RENDER_MAX_TICKER DECK_MAX_TICKER_LINES

struct frame {
    uint64_t from_key;       /* picture on screen */
    uint64_t to_key;         /* incoming picture, when transition */
    bool transition;
    enum transition kind;
    float progress;          /* 0..1 */
    bool chrome;             /* header, clock, progress, ticker, banner */
    bool clock_only;         /* with chrome: just the clock (over an alert) */
    bool banner;
    int slide_index, n_slides; /* progress: place among the slides shown
                                * now and their count; 0 = none */
    uint64_t ticker_ms;      /* scroll position of the ticker */
    bool blank;              /* display schedule: all black */
};

struct render;

/* GPU back end on r.  w × h is the logical (content) size; rotation
 * 0/90/180/270 turns it on the output.  NULL on failure. */
struct render *render_new(SDL_Renderer *r, int w, int h, int rotation);
/* Surface back end: draws into win's surface (win may be NULL: then into
 * `target`, e.g. for --render).  NULL, without a message, when the video
 * driver has no window framebuffer (KMSDRM, Wayland): see below. */
struct render *render_new_surface(SDL_Window *win, SDL_Surface *target);
/* Surface back end for a window without a framebuffer: draws w × h in
 * memory and presents what changed as a streaming texture on r (which the
 * caller keeps and frees after the render).  NULL on failure (logged). */
struct render *render_new_streamed(SDL_Renderer *r, int w, int h);
void render_free(struct render *rd); /* accepts NULL */
/* For tests: treat w × h as the GPU's largest texture (only ever lowers
 * the real limit; 0 keeps it), so pictures beyond it are drawn from tiles
 * on any renderer.  Affects pictures put afterwards; no-op on the surface
 * back end. */
void render_set_max_texture(struct render *rd, int w, int h);
/* "gpu" or "surface". */
const char *render_backend(const struct render *rd);

/* Upload a full-screen picture (takes and frees the surface).  Keeps at
 * most a few pictures; the least recently used ones not on screen go
 * first. */
void render_put_picture(struct render *rd, uint64_t key, SDL_Surface *s, time_t made);

/* The same for a picture that must be shown next whatever is on screen
 * (an emergency alert): when every slot holds a picture of the frame on
 * screen (a transition holds two), the one fading out gives way, and the
 * new one is kept until a frame shows it. */
void render_put_urgent_picture(struct render *rd, uint64_t key, SDL_Surface *s,
                               time_t made);
/* Whether a picture is there, and when it was rasterised. */
bool render_has_picture(const struct render *rd, uint64_t key, time_t *made);
/* Frees every picture but those of keys a and b (on screen, and next):
 * one that has left the screen goes before the next one is made, so at
 * most two full-screen pictures exist at any time, not three. */
void render_keep_only(struct render *rd, uint64_t a, uint64_t b);
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

/* Draws the frame (only what changed since the last one, on the surface
 * back end) and presents it. */
void render_frame(struct render *rd, const struct frame *f);
/* The next render_frame draws and presents everything, changed or not. */
void render_redraw_all(struct render *rd);
/* Surface back end, on a new window: maps its (black) pixels and presents
 * them, so the memory a window shares with the display server is touched
 * (page faults on both sides, tens of ms for a 1080p window) before the
 * first picture is there rather than when it is; then as
 * render_redraw_all().  Nothing on the GPU back end. */
void render_warm_up(struct render *rd);
/* Draws the whole frame without presenting (--render, screenshots). */
void render_compose(struct render *rd, const struct frame *f);

/* The output as a new ARGB8888 surface (screenshot); NULL on failure. */
SDL_Surface *render_read_pixels(struct render *rd);

#endif
