/* config: the effective configuration: defaults, then the INI file
 * (inih), then the command line.  One table in config.c describes every
 * key (section, name, type, default, bounds, doc line) and drives parsing,
 * config_set(), config_print() and config_print_reference(); the syntax of
 * each type of value (sizes, day windows, site lists, …) is in confval.h.
 *
 * File layout: sections [kiosk] [feed] [display] [schedule] [paths]; keys
 * are unique across sections, so a flat file (no section headers) works
 * too.  See docs/configuration.md. */
#ifndef EDUKIOSK_CONFIG_H
#define EDUKIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* display[d].on for a day the screen stays off (with .off also -1). */
#define CONFIG_DAY_OFF (-1)
/* Room for every key of the table (checked at compile time in config.c). */
#define CONFIG_MAX_KEYS 48
/* config.origin[i] of a key set by config_set(). */
#define CONFIG_FROM_CLI (-1)

struct config {
    char *feed;              /* NULL = built-in deck */
    int refresh_s, refresh_min_s, refresh_max_s;
    char *cache_dir, *status_file, *metrics_file; /* NULL = none */
    char **sites;
    size_t n_sites;
    char *school;            /* overrides the feed's school if set */
    char *lang;              /* NULL = feed's; else "zh-CN" or "en" */
    int width, height;       /* 0 = native */
    bool fullscreen;
    int rotation;            /* 0, 90, 180, 270 */
    char *video_driver;      /* NULL = SDL's choice */
    char *render_driver;     /* NULL = SDL's choice; "software" … */
    bool vsync;
    bool quit_keys;
    bool ticker;
    /* Minutes since midnight; Monday = 0.  on == off (>= 0): on all day;
     * on == CONFIG_DAY_OFF: off all day; on > off: the window wraps past
     * midnight into the next day. */
    struct { int on, off; } display[7];
    char *display_off_cmd, *display_on_cmd; /* /bin/sh -c; NULL = none */
    char *ca_file;           /* NULL = system default */
    char *feed_public_key;   /* keyring.h; NULL = feeds are not verified */
    int log_level;           /* enum log_level */
    size_t max_feed_bytes, max_image_bytes;
    /* Added after the first draft of this header. */
    long max_image_pixels;
    int connect_timeout_s, timeout_s;
    int display_cmd_timeout_s; /* a hung power command is killed after this */
    /* Where each key's value came from, by table index: 0 = the default,
     * N > 0 = line N of the file config_load() last read, CONFIG_FROM_CLI
     * = config_set() (the command line). */
    int origin[CONFIG_MAX_KEYS];
};

/* Fills c with the built-in defaults (paths from $CACHE_DIRECTORY,
 * $RUNTIME_DIRECTORY, XDG variables; see docs).  c need not be
 * initialised; release with config_free(). */
void config_defaults(struct config *c);
/* Frees every string of c and zeroes it; NULL-safe. */
void config_free(struct config *c);
/* Deep copy into dst (uninitialised); 0, or -1 when out of memory. */
int config_copy(struct config *dst, const struct config *src);

/* Reads path into c.  Errors print "FILE:LINE: key: problem" to err and
 * return -1, leaving c untouched (all or nothing); unknown keys and
 * sections print "FILE:LINE: warning: …" and are ignored.  A missing file
 * is an error only if must_exist (else 0 and c untouched). */
int config_load(struct config *c, const char *path, bool must_exist, FILE *err);
/* The same for a file's bytes text[0..len) (need not be NUL-terminated),
 * read already; path names it in the messages. */
int config_load_text(struct config *c, const char *path, const char *text, size_t len,
                     FILE *err);
/* Sets one key from a string (command line).  key is "section.name" or
 * the bare name.  Returns 0, or -1 with "key: problem" in err (c is then
 * unchanged). */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
/* Checks rules that span keys (refresh_min <= refresh <= refresh_max).
 * 0, or -1 with "key: problem" in err. */
int config_validate(const struct config *c, char *err, size_t errlen);
/* The effective configuration as an INI file that config_load() reads
 * back to the same values. */
void config_print(const struct config *c, FILE *out);
/* The key reference (Markdown), as in docs/configuration.md. */
void config_print_reference(FILE *out);
/* Name ("section.name") of key i of the table, or NULL past the end. */
const char *config_key_name(size_t i);
/* Value of key i as config_print() writes it; caller frees; NULL past the
 * end of the table or when out of memory. */
char *config_key_value(const struct config *c, size_t i);

#endif
