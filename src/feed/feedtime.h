/* feedtime: the feed's time formats.  Pure; local time via mktime and
 * localtime_r (TZ honoured); thread-safe.
 */
#ifndef EDUKIOSK_FEEDTIME_H
#define EDUKIOSK_FEEDTIME_H

#include <stdbool.h>
#include <time.h>

#include "deck.h"

/* The shapes feedtime_parse() takes, for messages to the feed's editor. */
#define FEEDTIME_HINT \
    "\"2026-12-01\", \"2026-12-01 08:00\" or \"2026-12-01T08:00:00+08:00\""

/* A TIME: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time; also with
 * 'T'), or RFC 3339 with "Z" or an offset.  Strict: no other shapes.
 * False when s is not one. */
bool feedtime_parse(const char *s, struct feed_time *out);

/* A milestone date: a TIME, or a year ("2027") or month ("2027-09"),
 * which count from their first day.  Anything else leaves out unset (it
 * is shown as written). */
void feedtime_parse_milestone(const char *s, struct feed_time *out);

/* Daily hours "HH:MM-HH:MM" as minutes since midnight; the end may be
 * "24:00" (1440); an end before the start wraps past midnight. */
bool feedtime_parse_hours(const char *s, int *from, int *until);

/* Exclusive end of a window's "until": a date-only one runs through that
 * local day, to the next local midnight (23 or 25 hours later on a DST
 * change day). */
time_t feedtime_end(const struct feed_time *until);

#endif
