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
    char pin[65]; /* its SHA-256 from the feed, "" = none */
};

/* The optional member "KEY_sha256" of obj, which pins the image of member
 * KEY to its bytes: 64 hex digits, lower-cased into pin ("" when absent).
 * False when it is there but malformed (reported). */
bool feedimage_pin(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, char pin[65]);

/* The image reference v (a non-empty string) pinned to pin ("" = not
 * pinned; an error in a feed that must pin its images, see feed_limits);
 * *slot is set by feedimage_collect().  Problems are reported. */
void feedimage_get(struct feedval *c, json_t *v, const struct jsonpos *p,
                   struct deck_image **slot, const char *pin);
/* The same for member `key` of obj, pinned by its "KEY_sha256". */
void feedimage_opt(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, bool required, struct deck_image **slot);

/* Puts every distinct URL once into c->d->images and points the slots
 * there.  One URL pinned to two different hashes is an error. */
void feedimage_collect(struct feedval *c);

/* Frees the references (and URLs not collected); for every way out. */
void feedimage_release(struct feedval *c);

#endif
