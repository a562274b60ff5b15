/* store: what the editor keeps on disk, behind one lock.
 *
 *   DATA/draft.json          the shared draft: {"rev","by","at","text"}
 *   DATA/versions/NNNNNN.json every publish: {"n","by","at","summary",
 *                            "hash","text"}; the newest `history` kept
 *   PUBLISHED/feed.json      what kiosks fetch (+ feed.json.minisig when
 *                            a signing key is configured), images/
 *
 * The newest version is always what is published: a rollback is a new
 * version with an old text.  Publishing writes the version first, then
 * the signature, then the feed, each atomically; at start a published
 * pair that does not match the newest version (a crash in between) is
 * written again.  Every write is whole or absent (fileutil).
 * Thread-safe: each call takes the store's lock. */
#ifndef EDUKIOSK_STORE_H
#define EDUKIOSK_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "econfig.h"
#include "feed.h"

enum store_result {
    STORE_OK = 0,
    STORE_CONFLICT = 1,  /* if_rev is not the draft's rev */
    STORE_INVALID = 2,   /* the feed has errors: see the report */
    STORE_NOT_FOUND = 3, /* no such version */
    STORE_FAIL = -1,     /* I/O (logged) */
};

struct store_meta {
    long long rev;
    char by[33];
    long long at;
};

struct store;

/* Opens (creating the directories; seeding the draft from the published
 * feed, else the built-in deck).  NULL with err set. */
struct store *store_open(const struct econfig *c, char *err, size_t errlen);
void store_free(struct store *s);

/* Whether published feeds are signed, and by which key id ("" if not). */
bool store_signing(const struct store *s, char key_id[17]);
/* The published version's number, 0 when nothing was published. */
int store_live(struct store *s);
/* The directory the published files are in. */
const char *store_published_dir(const struct store *s);

/* The draft (text malloc()ed, NUL-terminated). */
int store_draft(struct store *s, char **text, size_t *len, struct store_meta *m);
/* Replaces the draft when if_rev is its rev: STORE_OK with *m the new meta;
 * STORE_CONFLICT with *m the current one (nothing written). */
int store_save(struct store *s, long long if_rev, const char *text, size_t len,
               const char *user, time_t now, struct store_meta *m);

/* Validates text exactly as a kiosk will (pins required when signing) and
 * checks its local images; rep receives every diagnostic.  true if valid. */
bool store_validate(struct store *s, const char *text, size_t len, struct feed_report *rep);
/* Gives a deck parsed from a text of this store its local images. */
void store_attach_images(struct store *s, struct deck *d);
/* The source name a feed text is parsed with (relative images resolve in
 * the published directory). */
const char *store_feed_source(const struct store *s);

struct store_published {
    int version;
    char hash[65];
    bool signed_;
};
/* Publishes the saved draft of rev if_rev.  STORE_INVALID with rep
 * filled; STORE_CONFLICT; STORE_OK with *out. summary may be NULL or "":
 * one is written from what changed. */
int store_publish(struct store *s, long long if_rev, const char *summary, const char *user,
                  time_t now, struct feed_report *rep, struct store_published *out);
/* Publishes version n's text again as a new version and makes it the
 * draft (rev + 1 in *m). */
int store_rollback(struct store *s, int n, long long if_rev, const char *user, time_t now,
                   struct feed_report *rep, struct store_published *out,
                   struct store_meta *m);
/* Makes version n's text the draft, unpublished. */
int store_load_version(struct store *s, int n, long long if_rev, const char *user, time_t now,
                       struct store_meta *m);
/* {"live":N,"versions":[{n,by,at,summary,hash}…]} newest first. */
json_t *store_versions(struct store *s);
/* One version with its text; NULL if none. */
json_t *store_version(struct store *s, int n);

/* Stores an uploaded image (already checked by the caller) as
 * PUBLISHED/images/SHA256.EXT; rel receives "images/SHA256.EXT". */
int store_put_image(struct store *s, const void *data, size_t len, const char *ext,
                    char sha[65], char *rel, size_t rellen);
#endif
