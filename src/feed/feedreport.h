/* feedreport: collecting the diagnostics of one feed parse (struct
 * feed_report in feed.h; printing and freeing are declared there too).
 * Internal to the feed parser.  A report belongs to one thread at a time.
 */
#ifndef EDUKIOSK_FEEDREPORT_H
#define EDUKIOSK_FEEDREPORT_H

#include <stdarg.h>
#include <stdbool.h>

#include "feed.h"

#define FEED_FORMAT_V1 "edukiosk/1"
/* Said both when jansson finds no object at the top and when it finds an
 * array there. */
#define FEED_MSG_NOT_OBJECT \
    "the feed must be a JSON object: { \"format\": \"" FEED_FORMAT_V1 "\", \"slides\": [ … ] }"

/* Appends one diagnostic; line/col 1-based, 0 when unknown; path "" for the
 * document.  Counts every call, lists the first 1000 (then one "too many"
 * entry).  Control characters become '?'.  Out of memory: counted, not
 * listed. */
void feed_report_add(struct feed_report *rep, bool warning, int line, int col,
                     const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void feed_report_vadd(struct feed_report *rep, bool warning, int line, int col,
                      const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* Problems come from several passes; editors want them in file order.
 * Stable: equal positions keep the order they were added in. */
void feed_report_sort(struct feed_report *rep);

#endif
