/* feedval: checking a feed's JSON values one field at a time, every
 * problem reported at its line:column with its field path
 * ("slides[3].when.days[1]").  struct feedval is the state of one parse,
 * shared by the format's schema (feed.c) and its image references
 * (feedimage.c).  Internal to the feed parser; a parse belongs to one
 * thread.
 *
 * Getters that fill a char ** give the caller a new string (or leave it
 * NULL); out of memory is reported once and parsing goes on.
 */
#ifndef EDUKIOSK_FEEDVAL_H
#define EDUKIOSK_FEEDVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "deck.h"
#include "feed.h"
#include "jsonpos.h"

struct feedimage_ref;

struct feedval {
    struct feed_report *rep;
    const struct feed_limits *lim;
    const char *source; /* the feed's URL or path, or NULL */
    struct deck *d;     /* being built */
    char path[512];     /* field path of the value at hand */
    size_t plen;
    struct feedimage_ref *refs; /* image references, see feedimage.h */
    size_t n_refs, cap_refs;
    int def_duration; /* the feed's "defaults" */
    enum transition def_transition;
    bool oom;
};

/* Field path: push returns a mark, pop goes back to it. */
size_t feedval_path_key(struct feedval *c, const char *key);
size_t feedval_path_idx(struct feedval *c, size_t i);
void feedval_path_pop(struct feedval *c, size_t mark);

/* A diagnostic at p (NULL: no position) for the current path. */
void feedval_err(struct feedval *c, const struct jsonpos *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void feedval_warn(struct feedval *c, const struct jsonpos *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void feedval_oom(struct feedval *c); /* reported once per parse */
char *feedval_strdup(struct feedval *c, const char *s);

/* A feed value quoted in a message: at most ~40 bytes, cut at a character
 * boundary.  Returns buf. */
const char *feedval_quote(const char *s, char buf[64]);
/* "must be \"a\", \"b\" or \"c\"" into buf. */
void feedval_enum_msg(const char *const *names, size_t n, char *buf, size_t len);

/* A member of an object: feedval_field() pushes its name on the path and
 * tells whether it is present; feedval_field_end() pops. */
struct feedval_field {
    json_t *v;
    const struct jsonpos *p; /* the value, or the object when absent */
    size_t mark;
};
bool feedval_field(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, struct feedval_field *f);
void feedval_field_end(struct feedval *c, struct feedval_field *f);
void feedval_missing(struct feedval *c, const struct feedval_field *f);

/* A string value; an empty one is an error when nonempty, else the same
 * as none.  False when reported (or out of memory). */
bool feedval_string(struct feedval *c, json_t *v, const struct jsonpos *p, bool nonempty,
                    char **out);

/* Members of obj by key.  Absent optional members leave *out alone;
 * false: absent or reported. */
void feedval_opt_string(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, bool required, char **out);
bool feedval_opt_number(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, double lo, double hi, const char *msg,
                        double *out);
bool feedval_opt_bool(struct feedval *c, json_t *obj, const struct jsonpos *po,
                      const char *key, bool *out);
/* Index into names, or -1 (absent or wrong; wrong is reported). */
int feedval_opt_enum(struct feedval *c, json_t *obj, const struct jsonpos *po,
                     const char *key, const char *const *names, size_t n);
bool feedval_opt_time(struct feedval *c, json_t *obj, const struct jsonpos *po,
                      const char *key, bool required, struct feed_time *out);
void feedval_opt_colour(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, uint32_t *out);

/* "#rrggbb" as 0xRRGGBB; false when s is not one (nothing reported). */
bool feedval_colour(const char *s, uint32_t *out);

/* Reports obj's "until" unless it ends after from (both set). */
void feedval_order(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const struct feed_time *from, const struct feed_time *until,
                   const char *from_name);

/* Is v a list of min..max elements?  Else reports msg, with "(found N)"
 * when v is a non-empty list.  *n is v's size (0 when not a list). */
bool feedval_list(struct feedval *c, json_t *v, const struct jsonpos *p, size_t min,
                  size_t max, const char *msg, size_t *n);
/* A list of min..max non-empty strings: a new array (NULL on any
 * problem, *n_out = 0 then). */
char **feedval_strv(struct feedval *c, json_t *v, const struct jsonpos *p, size_t min,
                    size_t max, const char *msg, size_t *n_out);
/* Keeps the first max_items of the texts v[0..*n) (the list at p) and at
 * most max_chars characters of them in all: the text that crosses the
 * limit is cut and ends in "…", the rest are freed.  One warning, at the
 * first text cut or dropped; `what` names the list in it. */
void feedval_strv_cap(struct feedval *c, const struct jsonpos *p, char **v, size_t *n,
                      size_t max_items, size_t max_chars, const char *what);

/* Warns about members of obj not in known (fields of other slide types,
 * listed in other, are "not used by <what>").  Keys starting with "_" are
 * comments. */
void feedval_keys(struct feedval *c, json_t *obj, const struct jsonpos *po,
                  const char *const *known, size_t n_known, const char *const *other,
                  size_t n_other, const char *what);

/* Reports every string and key longer than the limit, anywhere below v
 * (unknown fields too). */
void feedval_lengths(struct feedval *c, json_t *v, const struct jsonpos *p);

#endif
