/* render_priv: what render.c and render_chrome.c share.  Not an API. */
#ifndef EDUKIOSK_RENDER_PRIV_H
#define EDUKIOSK_RENDER_PRIV_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "layout.h"
#include "paint.h"
#include "render.h"

/* The slide on screen and the next one: enough to never rasterise at a
 * transition (8 MB each at 1080p).  A picture arriving while both are in
 * use is dropped and asked for again once one is free. */
#define MAX_PICTURES 2
/* Widest pre-composed ticker strip (surface back end); longer tickers are
 * drawn item by item. */
#define MAX_STRIP_W 16384

/* A piece of a picture larger than the GPU's largest texture. */
struct img_tile {
    SDL_Texture *tex;
    SDL_Rect at; /* where the piece sits in the picture */
};

/* A picture or chrome piece on either back end. */
struct img {
    SDL_Texture *tex;       /* GPU: the whole picture, within the size limit */
    struct img_tile *tiles; /* GPU: the picture in pieces, beyond it */
    int n_tiles;
    SDL_Surface *surf;      /* surface */
    SDL_Surface *owner;     /* holds surf's pixels when surf is a view */
    int w, h;
};

static inline bool img_loaded(const struct img *i)
{
    return i->tex || i->tiles || i->surf;
}

struct picture {
    uint64_t key;
    struct img img;
    time_t made;
    uint64_t used;
};

struct render {
    SDL_Renderer *r;     /* GPU back end, or NULL */
    SDL_Window *win;     /* surface back end on a window, or NULL */
    SDL_Surface *out;    /* surface back end: what is shown / saved */
    /* Surface back end on a window without a framebuffer of its own: out
     * is ours and reaches the screen as this texture on `present`. */
    SDL_Renderer *present;
    SDL_Texture *stream;
    SDL_Surface *canvas; /* drawn on: out itself, or a 32-bit shadow */
    int w, h, rotation;
    SDL_Texture *target; /* GPU: logical frame when rotated */
    int max_tex_w, max_tex_h; /* GPU: largest texture, 0 = no limit */
    bool tile_err_logged;     /* until a tiled upload succeeds again */
    struct picture pics[MAX_PICTURES];
    uint64_t use_clock;
    uint64_t keep[2];

    struct chrome_layout chrome;
    struct palette pal;
    struct img header, clock, banner;
    struct img ticker[RENDER_MAX_TICKER];
    int n_ticker;
    /* Surface back end: band, items and dots composed once into one opaque
     * strip, so a ticker frame is two plain copies. */
    SDL_Surface *strip;
    bool strip_stale;

    /* Surface back end: what must be redrawn at the next frame. */
    SDL_Rect damage;
    SDL_Rect fade_box; /* where the two pictures of a fade differ */
    uint64_t fade_from, fade_to;
    struct frame last;
    bool have_last;
};

static inline SDL_Rect box_rect(struct lay_box b)
{
    return (SDL_Rect){b.x, b.y, b.w, b.h};
}

/* Drawing primitives on either back end (render.c). */
void render_cv_clip(struct render *rd, const SDL_Rect *clip);
void render_cv_copy(struct render *rd, const struct img *i, SDL_Rect dst, Uint8 alpha);
void render_cv_fill(struct render *rd, SDL_Rect r, SDL_Color c, Uint8 a);

/* GPU pictures (render_tex.c): one texture, or tiles beyond the largest
 * texture size.  Upload does not take s; false (logged) on failure. */
bool render_tex_upload(struct render *rd, struct img *i, SDL_Surface *s, bool opaque);
void render_tex_copy(struct render *rd, const struct img *i, SDL_Rect dst, Uint8 alpha);
void render_tex_free(struct img *i);

/* A surface back end drawing into out (not taken); NULL on failure. */
struct render *render_surface_on(SDL_Surface *out);

/* The streamed output (render_stream.c): sends the region of out to the
 * screen, whole frame presented; -1 (logged once) when it could not. */
int render_stream_present(struct render *rd, const SDL_Rect *region);
void render_stream_free(struct render *rd); /* the texture and out */

/* The chrome over the slides: header, clock, progress, ticker, banner
 * (render_chrome.c). */
void render_draw_chrome(struct render *rd, const struct frame *f, const SDL_Rect *clip);
void render_draw_ticker(struct render *rd, const struct frame *f, const SDL_Rect *clip);

#endif
