/* cache: the on-disk last-good cache of the remote feed and its images.
 *
 * Layout of the cache directory:
 *   feed.json              the last feed that parsed and validated, verbatim
 *   feed.json.minisig      its signature, when feeds are signed (verified
 *                          again before the cached feed is shown)
 *   feed.meta              "key value" lines: url, base, etag,
 *                          last-modified, hash (SHA-256 of feed.json), refresh
 *   images/<sha256(url)>   one file per image: a small header (url, etag,
 *                          last-modified, length, hash) then the bytes, so
 *                          an image and its validators are replaced together
 *
 * Every write is atomic and durable (fileutil's temp + fsync + rename + dir
 * fsync): after a crash or power cut each file is either the old or the new
 * version.  feed.json is written before feed.meta; a reader that finds the
 * meta's hash not matching feed.json knows the two are from different
 * generations (see cache_read_feed).  No locking: one process writes.
 */
#ifndef EDUKIOSK_CACHE_H
#define EDUKIOSK_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct cache_meta {
    char url[2048];          /* the configured feed URL */
    char base[2048];         /* URL after redirects: base for relative URLs */
    char etag[256];          /* "" = none */
    char last_modified[128]; /* "" = none */
    char hash[65];           /* SHA-256 hex of feed.json */
    int refresh_s;           /* the feed's refresh hint; 0 = none */
};

struct cache_image_meta {
    char etag[256];
    char last_modified[128];
};

/* Creates dir and dir/images and removes temp files left behind by a
 * writer that died mid-write.  Returns 0 or -errno. */
int cache_prepare(const char *dir);

/* Reads feed.meta.  0, -ENOENT, or -EBADMSG when it is malformed. */
int cache_read_meta(const char *dir, struct cache_meta *m);

/* Reads feed.json (at most max bytes, NUL-terminated, caller frees) and
 * feed.meta.  Returns 0 when both exist and agree; -ESTALE when feed.json
 * is intact but feed.meta is missing or describes another version (m then
 * holds what could be read, hash = the file's hash, etag/last-modified
 * cleared, so validators are never paired with the wrong body); -ENOENT
 * when there is no feed.json; other -errno on read errors. */
int cache_read_feed(const char *dir, size_t max, char **data, size_t *len,
                    struct cache_meta *m);

/* Writes feed.json.minisig (sig; removes it when sig is NULL), feed.json,
 * then feed.meta (durably).  m->hash is ignored and computed from data.
 * Returns 0 or -errno (the old files stay intact). */
int cache_write_feed(const char *dir, const void *data, size_t len, const char *sig,
                     size_t siglen, const struct cache_meta *m);

/* Reads feed.json.minisig (caller frees).  0, -ENOENT, -EFBIG or -errno. */
int cache_read_sig(const char *dir, char **sig, size_t *len);

/* Removes feed.meta so that its validators are no longer sent (for a
 * cached feed this build can no longer use).  0 or -errno. */
int cache_forget_meta(const char *dir);

/* Reads the cached image for url (bytes at most max; caller frees *data).
 * Returns 0, -ENOENT, -EFBIG, or -EBADMSG when the file is damaged or
 * belongs to another URL.  m may be NULL. */
int cache_read_image(const char *dir, const char *url, size_t max, unsigned char **data,
                     size_t *len, struct cache_image_meta *m);

/* Stores an image with its validators (either may be NULL or "").
 * Returns 0 or -errno. */
int cache_write_image(const char *dir, const char *url, const void *data, size_t len,
                      const char *etag, const char *last_modified);

/* Deletes every cached image whose URL is not among urls[0..n).  Returns
 * the number deleted or -errno. */
int cache_prune_images(const char *dir, const char *const *urls, size_t n);

/* Writes dir/images/<sha256(url)> to out.  Returns 0 or -ENAMETOOLONG. */
int cache_image_path(const char *dir, const char *url, char *out, size_t outlen);

#endif
