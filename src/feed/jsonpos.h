/* jsonpos: a feed's JSON text before validation.  Checks on the raw bytes,
 * jansson's parse errors told as plain line:column messages, and a position
 * index, since jansson keeps no positions.  Internal to the feed parser.
 * Pure; thread-safe.
 */
#ifndef EDUKIOSK_JSONPOS_H
#define EDUKIOSK_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "feed.h"

/* The line:col of one value, in the same tree shape as the document.
 * Columns count characters (UTF-8 lead bytes), as editors do: a Chinese
 * character is one column, so is a tab. */
struct jsonpos {
    int line, col;
    unsigned n;
    char kind;  /* '{', '[' or 0 for scalars */
    void *kids; /* struct jsonpos_member[] or struct jsonpos[] */
};

struct jsonpos_member {
    char *key; /* decoded, NUL-terminated; klen tells about embedded NULs */
    size_t klen;
    int line, col; /* of the key */
    struct jsonpos val;
};

/* Parses bytes[0..len) with jansson after the raw-byte checks (size,
 * UTF-16, NUL bytes, nesting depth; a UTF-8 BOM is skipped with a
 * warning).  Returns the document (the caller owns the reference) and
 * fills *index (free it with jsonpos_free(), also after a NULL return);
 * or NULL when the text is rejected, the reasons added to rep. */
json_t *jsonpos_load(const char *bytes, size_t len, const struct feed_limits *lim,
                     struct feed_report *rep, struct jsonpos *index);

void jsonpos_free(struct jsonpos *p); /* frees what p holds, not p; NULL ok */

/* The member `key` of object o, or NULL (absent, or o NULL / not an object). */
const struct jsonpos_member *jsonpos_member(const struct jsonpos *o, const char *key);
/* Element i of array a, or NULL. */
const struct jsonpos *jsonpos_elem(const struct jsonpos *a, size_t i);

#endif
