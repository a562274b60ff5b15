/* feed: parse and strictly validate feed format v1 (jansson) into a deck.
 *
 * Every problem is collected, not just the first, each with line:column
 * and a field path.  Pure: no I/O, no clock.  Thread-safe.
 */
#ifndef EDUKIOSK_FEED_H
#define EDUKIOSK_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "deck.h"

struct feed_diag {
    bool warning;   /* false = error (rejects the feed) */
    int line, col;  /* 1-based; 0 when unknown */
    char *path;     /* "slides[3].duration", "" for the document */
    char *msg;      /* "must be a number from 3 to 600" */
};

struct feed_report {
    struct feed_diag *diags;
    size_t n;
    int errors, warnings;
};

struct feed_limits {
    size_t max_bytes;   /* default 2 MiB */
    int max_depth;      /* 32 */
    size_t max_string;  /* 4096 bytes */
    size_t max_slides;  /* 500 */
    /* A signed feed: every image must be pinned ("src_sha256" …). */
    bool require_pins;
};

void feed_limits_default(struct feed_limits *l);

/* Parses bytes[0..len) (need not be NUL-terminated).  `source` names the feed in messages and is the
 * base for relative image URLs (an http(s) URL; for a path or file:// URL
 * relative image paths resolve against its directory).  Returns a new deck
 * (refs = 1) or NULL when there is any error; rep (may be NULL) receives
 * every diagnostic either way, sorted by position (it is overwritten: free
 * it with feed_report_free()).  limits may be NULL (defaults).  A UTF-8 BOM
 * is skipped with a warning; columns count characters, not bytes. */
struct deck *feed_parse(const char *bytes, size_t len, const char *source,
                        const struct feed_limits *limits, struct feed_report *rep);

/* Prints "SOURCE:LINE:COL: path: message" lines ("warning: " after the
 * position for warnings) to out. */
void feed_report_print(const struct feed_report *rep, const char *source, FILE *out);
void feed_report_free(struct feed_report *rep); /* accepts NULL */

/* The built-in deck, parsed from the embedded assets/default-feed.json
 * (with its logo attached).  NULL only if the embedded feed is broken,
 * which a test prevents. */
struct deck *feed_builtin(void);

struct schedule_ctx;

/* --check: parses bytes like feed_parse(), prints every diagnostic line to
 * out, then a summary ("SOURCE: valid, 14 slides, 12 would show now" and
 * one line per slide that would not show now and why; sched may be NULL to
 * skip that).  Returns the exit code: 0 valid (warnings allowed), 1
 * invalid.  limits may be NULL (defaults). */
int feed_check(const char *bytes, size_t len, const char *source,
               const struct feed_limits *limits, const struct schedule_ctx *sched, FILE *out);

#endif
