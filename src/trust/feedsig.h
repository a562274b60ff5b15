/* feedsig: whether a feed's bytes may be shown, by their detached minisign
 * signature: signed by a trusted key, the trusted comment intact, and not
 * older than the feed already in use (rollback protection, as TUF never
 * accepts older metadata than it has).  The freshness is the trusted
 * comment's "timestamp:", which minisign writes by default.
 * Pure functions, any thread. */
#ifndef EDUKIOSK_FEEDSIG_H
#define EDUKIOSK_FEEDSIG_H

#include <stdbool.h>
#include <stddef.h>

#include "minisig.h"

/* What a verified signature says. */
struct feedsig {
    long long timestamp; /* seconds since the epoch */
    char key_id[17];
    bool prehashed;
};

/* Verifies sig for feed[0..len) against keys.  floor: the timestamp of the
 * feed in use (0 = none); an older signature is refused as a replay.  0 with
 * *out filled; -1 with err, one line in an editor's words, starting with
 * what failed ("signature: …").  sig may be NULL (the feed has none). */
int feedsig_check(const struct minisig_keyring *keys, const char *feed, size_t len,
                  const char *sig, size_t siglen, long long floor, struct feedsig *out,
                  char *err, size_t errlen);

/* Where a feed's signature is: the feed's URL or path with ".minisig"
 * added to its path (before any query).  0, or -1 when it does not fit. */
int feedsig_url(const char *feed, char *out, size_t outlen);

/* "2026-12-05 08:30 UTC" for messages. */
void feedsig_time(long long t, char *out, size_t outlen);

#endif
