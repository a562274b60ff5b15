/* status: what the kiosk is doing, for people and monitoring.
 *
 * Two files, both replaced atomically and meant for a RAM file system
 * (/run/edukiosk):
 *  - the status JSON of the public contract (version, pid, started, deck,
 *    fetch, display, slide), rewritten only when its content changes;
 *  - Prometheus metrics in the node_exporter textfile format, rewritten at
 *    most every STATUS_METRICS_INTERVAL_S seconds, or at once when the
 *    deck, the fetch result or the display power changes.
 *
 * The setters only record; status_flush() writes.  All functions are
 * thread-safe (the fetch worker may report while the main thread
 * flushes). */
#ifndef EDUKIOSK_STATUS_H
#define EDUKIOSK_STATUS_H

#include <stdbool.h>
#include <time.h>

#include "fetch.h"

#define STATUS_METRICS_INTERVAL_S 15

struct status;

/* Either path may be NULL (that file is not written).  Strings are
 * copied.  Records the pid and the start time.  NULL if out of memory. */
struct status *status_new(const char *status_path, const char *metrics_path);
void status_free(struct status *st);

/* The deck on screen.  source: "builtin", "cache", "remote" or "file" (a
 * local feed). */
void status_set_deck(struct status *st, const char *source, const char *hash,
                     int n_slides, time_t loaded_at);
/* The signature of the deck on screen (after status_set_deck): when it
 * was signed and the key's id; 0 and "" (or NULL) when not signed. */
void status_set_deck_signature(struct status *st, long long signed_at, const char *key_id);
/* The fetcher's latest report (copied). */
void status_set_fetch(struct status *st, const struct fetch_status *fs);
/* The SDL video driver and renderer in use and the output size. */
void status_set_display(struct status *st, const char *driver, const char *renderer,
                        int width, int height);
/* The slide on screen: its 1-based position in the deck, as in layout.json
 * and slide-NN.png, and its id (NULL if none); 0 for the fallback slide. */
void status_set_slide(struct status *st, int index, const char *id);

struct status_counters {
    unsigned long long slides_shown; /* since start */
    unsigned long long deck_swaps;
    unsigned long long frames;       /* frames measured for the quantiles */
    double frame_ms_p50, frame_ms_p99;
    double frame_ms_sum;             /* total of those frames' times */
    bool display_on;                 /* the schedule has the screen on */
};
void status_set_counters(struct status *st, const struct status_counters *c);

/* Writes what changed (see above).  0, or -1 if a write failed (logged;
 * retried at the next flush). */
int status_flush(struct status *st, time_t now);

/* The status JSON as status_flush() would write it (caller frees), or
 * NULL if out of memory. */
char *status_json(struct status *st);
/* The metrics text for `now` (caller frees), or NULL if out of memory. */
char *status_metrics(struct status *st, time_t now);

#endif
