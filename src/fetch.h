/* fetch: the feed poller.  One worker thread with one reused libcurl easy
 * handle: conditional GET, caps, redirects http(s) only, back-off with
 * jitter; a valid new feed is parsed, its images fetched, both cached,
 * then handed over through a callback.  Never touches SDL. */
#ifndef EDUKIOSK_FETCH_H
#define EDUKIOSK_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "deck.h"

struct fetch_config {
    const char *url;          /* http(s) URL (file:// and paths: read once) */
    const char *cache_dir;    /* last-good feed + images; NULL = no cache */
    const char *ca_file;      /* NULL = system default */
    int refresh_s;            /* default interval when the feed gives none */
    int refresh_min_s, refresh_max_s; /* clamp for the feed's hint */
    size_t max_feed_bytes;
    size_t max_image_bytes;
    long max_image_pixels;
    int connect_timeout_s, total_timeout_s;
};

enum fetch_result { FETCH_NONE, FETCH_OK, FETCH_NOT_MODIFIED, FETCH_ERROR };

struct fetch_status {
    char url[1024];
    time_t last_attempt, last_success;
    enum fetch_result result;
    long http_status;
    char error[512];
};

struct fetch_callbacks {
    /* A new valid deck (refs = 1, ownership passes).  Worker thread. */
    void (*deck)(void *ud, struct deck *d);
    /* The status changed.  Worker thread. */
    void (*status)(void *ud, const struct fetch_status *st);
    void *ud;
};

struct fetcher;

/* Starts the worker; the first fetch happens at once. */
struct fetcher *fetcher_new(const struct fetch_config *cfg, const struct fetch_callbacks *cb);
/* Fetch now (SIGHUP).  Any thread. */
void fetcher_poke(struct fetcher *f);
/* Stops and joins the worker (within ~1 s even mid-transfer). */
void fetcher_free(struct fetcher *f);

/* The deck cached by an earlier run, or NULL.  Attaches cached images. */
struct deck *fetch_load_cached(const struct fetch_config *cfg);

/* One blocking GET of a feed for --check: bytes into *data (caller frees).
 * Returns 0, or -1 with a message in err. */
int fetch_once(const struct fetch_config *cfg, const char *url, char **data, size_t *len,
               char *err, size_t errlen);

#endif
