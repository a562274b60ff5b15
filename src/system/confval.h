/* confval: the syntax of configuration values, whatever key holds them:
 * text, URLs, SDL driver names, integers within bounds, byte sizes with
 * K/M/G suffixes, yes/no, rotations, log levels, languages, comma lists of
 * site tags and HH:MM-HH:MM day windows; paths are checked against the
 * file system too (confpath.h).  Also how each type is stored in
 * a field of struct config, and how it is printed: confval_print() writes
 * what confval_parse() reads back to the same value.
 *
 * config.c maps key names to fields and types; this file knows nothing of
 * keys, sections or files.  No global state: thread-safe. */
#ifndef EDUKIOSK_CONFVAL_H
#define EDUKIOSK_CONFVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest text value, in bytes. */
#define CONFVAL_MAX_TEXT 4096

/* Stored as: char * for the text types (NULL = empty), int for INT,
 * ROTATION and LOGLEVEL, long for LONG, size_t for SIZE, bool for BOOL,
 * int[2] (on, off) for DAY; SITES is a char ** plus a count, which the
 * caller stores itself (see struct confval). */
enum confval_type {
    CONFVAL_STR,      /* free text (UTF-8, one line) */
    CONFVAL_URL,      /* feed source: http(s)/file URL or a path */
    CONFVAL_DIR,      /* absolute path of a directory the kiosk creates */
    CONFVAL_OUTPUT,   /* absolute path of a file the kiosk writes */
    CONFVAL_PEM,      /* absolute path of an existing file of CA certificates */
    CONFVAL_KEYS,     /* minisign public keys or .pub files (keyring.h) */
    CONFVAL_DRIVER,   /* SDL driver name(s) */
    CONFVAL_CMD,      /* shell command */
    CONFVAL_INT,      /* int within bounds */
    CONFVAL_LONG,     /* long within bounds */
    CONFVAL_SIZE,     /* size_t with K/M/G suffixes (1024-based) */
    CONFVAL_BOOL,
    CONFVAL_ROTATION, /* 0, 90, 180, 270 */
    CONFVAL_LOGLEVEL,
    CONFVAL_LANG,     /* "zh-CN" or "en"; empty = the feed's */
    CONFVAL_SITES,    /* comma list of tags */
    CONFVAL_DAY,      /* display window of one weekday */
};

/* A parsed value, before it is stored: parse first, store after, so a bad
 * value leaves the configuration unchanged. */
struct confval {
    char *s;     /* text types (NULL = empty) */
    long long i; /* numbers, bools, enums */
    int on, off; /* CONFVAL_DAY, as in struct config's display[] */
    char **list; /* CONFVAL_SITES */
    size_t n;
};

/* Whether values of type t are stored as one char * (owned by the field). */
bool confval_is_text(enum confval_type t);

/* Parses text as a value of type t; min and max bound INT, LONG and SIZE
 * (ignored otherwise).  0 with *out filled (free with confval_free), or -1
 * with the problem in err ("must be …", without the key) and nothing in
 * *out to free. */
int confval_parse(enum confval_type t, long long min, long long max, const char *text,
                  struct confval *out, char *err, size_t errlen);
/* Frees what v owns and zeroes it; NULL-safe. */
void confval_free(struct confval *v);

/* Stores v into field (of type t's storage; not CONFVAL_SITES), freeing
 * the string it held and taking ownership of v's. */
void confval_store(enum confval_type t, void *field, struct confval *v);
/* The value stored in field (not CONFVAL_SITES) as a confval that borrows
 * its string: do not free it. */
void confval_view(enum confval_type t, const void *field, struct confval *v);

/* Writes v as a configuration file value that confval_parse() reads back
 * to the same value (text with edge spaces goes in double quotes, which
 * the file reader strips). */
void confval_print(enum confval_type t, const struct confval *v, FILE *out);
/* The values a key of type t takes, for the reference ("yes / no",
 * "1 – 300", …); may use buf. */
const char *confval_type_doc(enum confval_type t, long long min, long long max,
                             char *buf, size_t len);

#endif
