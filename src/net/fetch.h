/* fetch: the feed poller.  One worker thread with one reused libcurl easy
 * handle: conditional GET, caps, redirects http(s) only, back-off with
 * jitter; a valid new feed is parsed, its images fetched, both cached,
 * then handed over through a callback.  Never touches SDL.
 * fetch.c runs the thread and the schedule; poller.c does one poll,
 * fetch_images.c a deck's images, http.c one GET, imghdr.c image headers.
 *
 * Start-up order for the program: fetch_load_cached() (show the last good
 * deck at once; it also disowns a cache this build cannot parse), then
 * fetcher_new().  libcurl is loaded at its first use (curlfn.h). */
#ifndef EDUKIOSK_FETCH_H
#define EDUKIOSK_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "deck.h"
#include "minisig.h"

/* A zero field means "use the built-in default" (in brackets). */
struct fetch_config {
    const char *url;       /* http(s) URL; a file:// URL or path is re-read
                              each poll, without cache or validators */
    const char *cache_dir; /* last-good feed + images; NULL = no cache */
    const char *ca_file;   /* NULL = system default */
    int refresh_s;         /* default interval when the feed gives none [300] */
    int refresh_min_s, refresh_max_s;       /* clamp for the feed's hint [5, 86400] */
    size_t max_feed_bytes;                  /* [2 MiB] */
    size_t max_image_bytes;                 /* per image [8 MiB] */
    long max_image_pixels;                  /* width x height, any frame [12 Mpx] */
    int connect_timeout_s, total_timeout_s; /* per request [10, 60] */
    /* Abort a transfer slower than low_speed_bytes per second for
     * low_speed_time_s seconds [100 B/s, 30 s]. */
    long low_speed_bytes;
    int low_speed_time_s;
    size_t max_deck_image_bytes; /* all images of one deck together [64 MiB] */
    /* Signed feeds: a feed is shown only with a valid signature by one of
     * keys from FEED_URL.minisig, not older than the one in use, its
     * images pinned (feedsig.h).  With no keys (a key file that went
     * missing) nothing verifies: signed_feeds never falls back to
     * unsigned. */
    bool signed_feeds;
    struct minisig_keyring keys;
};

enum fetch_result { FETCH_NONE, FETCH_OK, FETCH_NOT_MODIFIED, FETCH_ERROR };

struct fetch_status {
    char url[1024];
    time_t last_attempt, last_success;
    enum fetch_result result;
    long http_status; /* 0 when there was no HTTP response */
    char error[512];  /* "" unless result == FETCH_ERROR */
    bool signed_feeds;          /* the configuration asks for signatures */
    bool signature_failed;      /* this attempt's feed was refused for it */
    unsigned long signature_failures; /* attempts refused for it, in all */
};

struct fetch_callbacks {
    /* A new valid deck (refs = 1, ownership passes).  Worker thread. */
    void (*deck)(void *ud, struct deck *d);
    /* The status changed (after every attempt).  Worker thread. */
    void (*status)(void *ud, const struct fetch_status *st);
    void *ud;
};

struct fetcher;

/* Loads libcurl and runs curl_global_init, once (later calls are no-ops;
 * thread-safe: a pthread_once, and libcurl's own since 7.84).
 * fetcher_new and fetch_once call it; a program need not.  0 or -1. */
int fetch_global_init(void);
/* curl_global_cleanup, at exit after every fetcher is freed (nothing here
 * works after it).  Optional; keeps leak checkers quiet. */
void fetch_global_cleanup(void);

/* Starts the worker; the first fetch happens at once.  NULL on failure.
 * cfg's strings are copied. */
struct fetcher *fetcher_new(const struct fetch_config *cfg,
                            const struct fetch_callbacks *cb);
/* Fetch now (SIGHUP).  Any thread. */
void fetcher_poke(struct fetcher *f);
/* Stops and joins the worker (within ~1 s even mid-transfer). */
void fetcher_free(struct fetcher *f);

/* A fetcher without a worker thread, driven by fetch_cycle() on the
 * caller's thread (tests, one-shot tools).  Free with fetcher_free(). */
struct fetcher *fetcher_new_manual(const struct fetch_config *cfg,
                                   const struct fetch_callbacks *cb);
/* One poll, exactly what the worker does each period: GET, parse, images,
 * cache, callbacks.  *next_delay_s (may be NULL) receives the seconds the
 * worker would now wait.  Only for manual fetchers. */
enum fetch_result fetch_cycle(struct fetcher *f, double *next_delay_s);

/* The delay before the next poll.  failures == 0: the feed's hint (0 = the
 * configured default) clamped to [refresh_min_s, refresh_max_s], ±10 %;
 * failures > 0: back-off from refresh_min_s (or 5 s), doubling, capped at
 * 10 min, then scaled into [50 %, 100 %].  r in [0, 1) is the jitter.
 * Pure. */
double fetch_next_delay(const struct fetch_config *in, int hint_s, int failures,
                        double r);

/* Width and height from a PNG, JPEG, GIF or WebP header, without
 * decoding (imghdr_size).  0, or -1 when the bytes are no such image or
 * the header is damaged.  Pure. */
int fetch_image_size(const unsigned char *data, size_t len, long *w, long *h);

/* "ok", "not-modified", "error" (status file wording); "none". */
const char *fetch_result_name(enum fetch_result r);

/* The deck cached by an earlier run, or NULL.  Attaches cached images.
 * NULL also when the cache belongs to another URL or is damaged; a cached
 * feed that no longer parses is logged and its validators are dropped, so
 * that the next fetch downloads the feed again.  Any thread. */
struct deck *fetch_load_cached(const struct fetch_config *in);

/* One blocking GET of a feed for --check: bytes into *data (caller frees).
 * Returns 0, or -1 with a message in err. */
int fetch_once(const struct fetch_config *in, const char *url, char **data, size_t *len,
               char *err, size_t errlen);

#endif
