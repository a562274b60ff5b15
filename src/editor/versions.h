/* versions: every published text, DIR/NNNNNN.json ({"n","by","at",
 * "summary","hash","text"}), and their index in memory (without the
 * texts), oldest first.  The newest is what is published.  Not locked:
 * the store calls it under its own lock. */
#ifndef EDUKIOSK_VERSIONS_H
#define EDUKIOSK_VERSIONS_H
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct version {
    int n;
    char by[33];
    long long at;
    char *summary;
    char hash[65];
};

struct versions {
    char dir[PATH_MAX];
    size_t max_file; /* jsonfile_cap() of the feed limit */
    struct version *v;
    size_t n;
};

/* Reads the index of dir (damaged files are logged and left out). */
void versions_load(struct versions *vs);
void versions_free(struct versions *vs);
/* The newest version, or NULL. */
const struct version *versions_latest(const struct versions *vs);
bool versions_have(const struct versions *vs, int n);
/* Version n's text (malloc()ed, NUL-terminated), or NULL. */
char *versions_text(const struct versions *vs, int n, size_t *len);
/* Version n's whole file, or NULL. */
json_t *versions_get(const struct versions *vs, int n);
/* Writes the next version (durably) and indexes it: its number, or -1. */
int versions_add(struct versions *vs, const char *by, long long at, const char *summary,
                 const char *hash, const char *text, size_t len);
/* Removes the oldest beyond keep. */
void versions_prune(struct versions *vs, size_t keep);
/* [{n,by,at,summary,hash}…] newest first. */
json_t *versions_list(const struct versions *vs);
#endif
