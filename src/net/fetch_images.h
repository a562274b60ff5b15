/* fetch_images: the images of one deck, for the feed poller (fetch.c).
 * Every image is checked before anyone decodes it (its byte cap, the
 * deck's total budget, a known header within the pixel limit).  Images
 * of an http(s) feed go through the image cache with conditional GETs;
 * those of a local feed are read from disk.  Worker thread only. */
#ifndef EDUKIOSK_FETCH_IMAGES_H
#define EDUKIOSK_FETCH_IMAGES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "deck.h"
#include "fetch.h"
#include "http.h"

/* A growable list of owned URLs. */
struct url_list {
    char **v;
    size_t n, cap;
};

/* Frees every entry; l is then empty and reusable. */
void url_list_clear(struct url_list *l);

struct image_pass {
    bool revalidate;             /* ask the server about cached images too */
    bool quiet;                  /* a retry pass: failures were logged before */
    const struct url_list *skip; /* failed for good last time: not asked again */
    /* What happened: */
    int failed, downloaded, transient;
    struct url_list perm; /* failed for good this time; the caller clears it */
    size_t budget;        /* bytes left for this deck's images (fetch_images sets it) */
};

/* Fills every image of d: its bytes, or failed = true.  cfg has its
 * defaults applied; cfg->cache_dir NULL means no cache.  http NULL: a
 * local feed, whose images may only be local files.  False when *stop
 * became true midway (p->perm may then hold entries all the same). */
bool fetch_images(const struct fetch_config *cfg, struct http_client *http,
                  const atomic_bool *stop, struct deck *d, struct image_pass *p);

/* Attaches the cached copy of every http(s) image of d that is in
 * cfg->cache_dir and still within the limits; marks the others failed.
 * Returns how many are missing. */
int fetch_images_cached(const struct fetch_config *cfg, struct deck *d);

#endif
