/* feedimage: the images a feed refers to (slide "src" and "background",
 * theme "logo").  Each reference is resolved against the feed's source
 * (libcurl's URL parser for URLs, the feed's directory for a local path)
 * and every distinct URL ends up once in deck->images.  Internal to the
 * feed parser; works on one parse's struct feedval.
 */
#ifndef EDUKIOSK_FEEDIMAGE_H
#define EDUKIOSK_FEEDIMAGE_H

#include <stdbool.h>

#include <jansson.h>

#include "deck.h"
#include "feedval.h"

/* A reference waiting for feedimage_collect(): *slot will point into
 * deck->images. */
struct feedimage_ref {
    struct deck_image **slot;
    char *url;   /* owned until collected */
    char *field; /* its field path, likewise */
    int line, col;
};

/* The image reference v (a non-empty string); *slot is set by
 * feedimage_collect().  Problems are reported. */
void feedimage_get(struct feedval *c, json_t *v, const struct jsonpos *p,
                   struct deck_image **slot);
/* The same for member `key` of obj. */
void feedimage_opt(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, bool required, struct deck_image **slot);

/* Puts every distinct URL once into c->d->images and points the slots
 * there. */
void feedimage_collect(struct feedval *c);

/* Frees the references (and URLs not collected); for every way out. */
void feedimage_release(struct feedval *c);

#endif
