/* poller: one poll of the feed, and what the fetcher keeps from one poll
 * to the next.  A poll is a conditional GET (a local feed is read again);
 * bytes the screen already shows end it there; a new feed is parsed, its
 * images fetched, feed and images cached, and the deck handed over.  An
 * invalid feed or a failed download keeps the last good deck (and closes
 * the connection: what is left on it must not pass for the next reply).
 * The status callback follows every poll; the log hears of each kind of
 * failure once (log_states), an invalid feed as one line per problem.
 * The fetcher (fetch.c) owns the thread and the schedule.
 * One thread at a time: the fetcher's worker, or fetch_cycle's caller. */
#ifndef EDUKIOSK_POLLER_H
#define EDUKIOSK_POLLER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "deck.h"
#include "fetch.h"
#include "http.h"

struct poller;

/* cfg (defaults applied; cache_dir NULL = no cache), http (NULL for a
 * local feed) and *stop must outlive the poller; cb (may be NULL) is
 * copied.  Picks up the validators of a cache left by an earlier run, so
 * that its deck (fetch_load_cached) needs only a 304.  NULL when out of
 * memory. */
struct poller *poller_new(const struct fetch_config *cfg, struct http_client *http,
                          const atomic_bool *stop, const struct fetch_callbacks *cb);
void poller_free(struct poller *pl);

/* One poll, then the status callback.  *backoff: it failed in a way that
 * the back-off applies to (network, server), not with an invalid feed.
 * False when *stop interrupted it: nothing was reported then. */
bool poller_poll(struct poller *pl, enum fetch_result *result, bool *backoff);

/* The refresh hint of the live feed in seconds; 0 = none. */
int poller_refresh_hint(const struct poller *pl);

/* The deck cached by an earlier run, with the cached images, or NULL (see
 * fetch_load_cached).  cfg has its defaults applied and a cache_dir. */
struct deck *poller_load_cached(const struct fetch_config *cfg);

#endif
