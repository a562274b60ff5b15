/* kiosk_priv: the state the kiosk loop shares between its files (main
 * thread only, except where a field says otherwise).  Not a public API. */
#ifndef EDUKIOSK_KIOSK_PRIV_H
#define EDUKIOSK_KIOSK_PRIV_H

#include <SDL.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fetch.h"
#include "kiosk.h"
#include "render.h"
#include "schedule.h"
#include "stats.h"

#define MAX_DECKS 8

enum { EV_WAKE, EV_DECK, EV_SIGNAL };

/* Decks the loop knows, each with a serial so texture keys never confuse
 * a freed deck with a new one at the same address.  Holds a reference. */
struct known_deck {
    struct deck *d;
    uint32_t serial;
    const char *source; /* "builtin", "cache", "remote", "file" */
};

struct kiosk {
    const struct kiosk_opts *opts;
    struct config *cfg;
    Uint32 event_base;
    int wake_fd; /* eventfd: other threads wake the loop through it */
    SDL_Window *win;
    SDL_Renderer *ren;
    struct render *rd;
    struct raster *raster;
    struct show *show;
    struct fetcher *fetcher;
    struct status *status;
    struct stats stats;
    int w, h;

    struct known_deck decks[MAX_DECKS];
    uint32_t next_serial;
    unsigned fonts_swaps; /* show_deck_swaps() the raster fonts were reset at */
    uint64_t inflight[16]; /* picture keys requested and not yet back */
    int n_inflight;

    /* chrome state, for the deck on screen */
    uint32_t chrome_serial;
    char clock_text[96];
    bool banner_on;
    int banner_level;

    struct schedule_ctx sched;
    time_t last_sync_check;
    bool display_on;
    bool dirty;
    bool quit;
    bool want_screenshot;
    bool reload;
    uint64_t ticker_start_ms;

    time_t local_mtime; /* of a local feed file, to notice edits */
    time_t local_checked;

    char notified[256]; /* last STATUS= line sent to systemd */

    pthread_mutex_t fetch_lock;
    struct fetch_status fetch_st; /* written by the fetch thread */
    bool fetch_changed;
};

enum pic_kind { PIC_SLIDE = 1, PIC_FALLBACK = 2, PIC_ALERT = 3 };

/* kiosk_pictures.c: what must be rasterised, and when. */
void kiosk_remember(struct kiosk *k, struct deck *d, const char *source);
struct known_deck *kiosk_known(struct kiosk *k, const struct deck *d);
void kiosk_forget_unused(struct kiosk *k);
uint64_t kiosk_pic_key(struct kiosk *k, const struct deck *d, enum pic_kind kind,
                       int index);
/* True when the picture is there; else asks the raster thread for it. */
bool kiosk_want_picture(struct kiosk *k, struct deck *d, enum pic_kind kind, int index,
                        bool renew_old);
void kiosk_take_results(struct kiosk *k);
void kiosk_update_chrome(struct kiosk *k, struct deck *d);

/* kiosk_display.c: the window, the back end, screenshots. */
int kiosk_open_display(struct kiosk *k);
void kiosk_screenshot(struct kiosk *k);

#endif
