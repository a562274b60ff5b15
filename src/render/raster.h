/* raster: turns "slide N of deck D at W×H" into a finished surface.
 *
 * raster_make() does one job synchronously (used by --render and by the
 * worker).  struct raster is a worker thread that owns its own fontset
 * (SDL_ttf is not thread safe) and rasterises slides ahead of their turn,
 * so the render loop only uploads finished pixels.
 */
#ifndef EDUKIOSK_RASTER_H
#define EDUKIOSK_RASTER_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "deck.h"
#include "font.h"
#include "layout.h"

enum raster_kind {
    RASTER_SLIDE,    /* slide `index` of deck, full screen */
    RASTER_FALLBACK, /* school + date, full screen (nothing eligible) */
    RASTER_ALERT,    /* emergency alert, full screen */
    RASTER_HEADER,   /* header band (logo, school), header box size */
    RASTER_BANNER,   /* info/warning banner, banner box size */
    RASTER_TICKER,   /* ticker item `index`, one line at the ticker size */
    RASTER_CLOCK,    /* `text` at the clock size */
};

struct raster_job {
    enum raster_kind kind;
    struct deck *deck; /* reference owned by the job */
    int index;
    int w, h;          /* screen size */
    time_t now;        /* for countdowns, "days to go", the fallback date */
    char text[96];     /* RASTER_CLOCK */
    uint64_t key;      /* the caller's, returned with the result */
};

/* Does one job.  layout_out (may be NULL) receives the display list of
 * full-screen kinds for layout.json; the caller frees it.  NULL surface
 * for empty results (an empty ticker item) or on failure. */
SDL_Surface *raster_make(struct fontset *fs, const struct raster_job *job,
                         struct slide_layout *layout_out);

struct raster_result {
    uint64_t key;
    SDL_Surface *surface; /* owned by the taker; may be NULL */
};

struct raster;

/* Starts the worker, which opens its fonts while the caller goes on;
 * wake(ud) is called from it when a result is ready.  NULL if the thread
 * cannot be started. */
struct raster *raster_new(void (*wake)(void *ud), void *ud);
/* Waits until the worker's fonts are open: false when they cannot be (the
 * worker has ended; jobs are never done). */
bool raster_ready(struct raster *r);
/* Queues a copy of job; takes a new reference to job->deck. */
void raster_submit(struct raster *r, const struct raster_job *job);
/* A new deck is on screen: the worker forgets the fallback fonts and
 * character lookups of the old ones before its next job (fontset_reset()
 * on its own thread).  Any thread. */
void raster_new_deck(struct raster *r);
/* Moves up to max finished results into out; returns how many. */
int raster_take(struct raster *r, struct raster_result *out, int max);
/* Stops the worker, drops queued jobs and untaken results. */
void raster_free(struct raster *r);

#endif
