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
#include "feedsig.h"
#include "fetch.h"

bool source_is_remote(const char *src);

/* The fetcher's settings from the configuration (pointers into cfg). */
void source_fetch_config(struct fetch_config *fc, const struct config *cfg);

/* The feed's bytes (caller frees); -1 with the reason printed to diag. */
int source_read(const struct config *cfg, const char *src, char **data, size_t *len,
                FILE *diag);

/* With feed_public_key set: the signature of the feed src (SRC.minisig,
 * read or downloaded like the feed) verified for data[0..len); the built-in
 * deck needs none.  0 with *sig filled (zeros when feeds are not signed),
 * or -1 with "SRC.minisig: signature: …" printed to diag. */
int source_verify(const struct config *cfg, const char *src, const char *data, size_t len,
                  struct feedsig *sig, FILE *diag);

/* Parses and validates the feed at src (verified first when feeds are
 * signed) and loads its images (local files
 * for a local feed, over HTTP for a remote one).  NULL when unreadable or
 * invalid; every problem is printed to diag as SOURCE:LINE:COL lines. */
struct deck *source_load(const struct config *cfg, const char *src, FILE *diag);

/* --check, once bytes (read from src) are a valid feed: its images, read
 * and judged as the kiosk would (local files, over HTTP for a remote
 * feed, the logo of the built-in deck for "builtin").  Prints one line
 * per image the kiosk would not show; an image refused for its content
 * (not an image, damaged, too large) is an error, one that cannot be read
 * a warning.  Returns 1 when any was refused, else 0. */
int source_check_images(const struct config *cfg, const char *src, const char *bytes,
                        size_t len, FILE *out);

/* Modification time of a local feed (0 if none or remote), to notice
 * edits. */
time_t source_mtime(const char *src);

#endif
