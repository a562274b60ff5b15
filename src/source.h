/* source: a feed from where the user pointed: a path, a file:// URL or an
 * http(s) URL, read once (for --check, --render, local feeds).  The
 * polling of remote feeds is fetch's business. */
#ifndef EDUKIOSK_SOURCE_H
#define EDUKIOSK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "deck.h"

bool source_is_remote(const char *src);

/* The feed's bytes (caller frees); -1 with the reason printed to diag. */
int source_read(const struct config *cfg, const char *src, char **data, size_t *len,
                FILE *diag);

/* Parses and validates the feed at src and loads its images (local files
 * for a local feed, over HTTP for a remote one).  NULL when unreadable or
 * invalid; every problem is printed to diag as SOURCE:LINE:COL lines. */
struct deck *source_load(const struct config *cfg, const char *src, FILE *diag);

/* Modification time of a local feed (0 if none or remote), to notice
 * edits. */
time_t source_mtime(const char *src);

#endif
