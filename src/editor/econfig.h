/* econfig: the editor's configuration: defaults, then its INI file
 * (inih; section [editor], or no section), then the command line.  One
 * table in econfig.c lists every key with its type, default and doc line;
 * values are checked with the kiosk's own value syntax (confval.h).
 * See deploy/editor.conf.example and docs/editor.md. */
#ifndef EDUKIOSK_ECONFIG_H
#define EDUKIOSK_ECONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ECONFIG_DEFAULT_PATH "/etc/edukiosk/editor.conf"

struct econfig {
    char *listen;        /* "ADDR:PORT" ("[v6]:PORT"); port 0 = any free one */
    char *data_dir;      /* users, draft, versions, audit log */
    char *published_dir; /* feed.json (+ .minisig), images/; NULL = DATA/published */
    char *tls_cert, *tls_key; /* PEM files; both or neither */
    char *signing_key;   /* minisign secret key (unencrypted); NULL = unsigned */
    char *public_url;    /* what kiosks put in feed_url; NULL = ours */
    char *trusted_proxy; /* a reverse proxy's address: its X-Forwarded-For is believed */
    int session_hours;
    int history;         /* versions kept */
    size_t max_feed_bytes, max_image_bytes;
    long max_image_pixels;
    int log_level;
};

/* Defaults (data_dir: $STATE_DIRECTORY, else /var/lib/edukiosk-editor). */
int econfig_defaults(struct econfig *c);
void econfig_free(struct econfig *c);
/* Reads path; a missing file is fine unless must_exist.  Problems are
 * printed to err as "PATH:LINE: message"; -1 when any is an error (c is
 * then unchanged). */
int econfig_load(struct econfig *c, const char *path, bool must_exist, FILE *err);
/* One "key=value" of --set (or a dedicated option); -1 with err printed. */
int econfig_set(struct econfig *c, const char *key, const char *value, FILE *err);
/* Checks what no single key can (tls_cert with tls_key); -1 with err. */
int econfig_check(const struct econfig *c, FILE *err);
/* The effective configuration as a file that reads back the same. */
void econfig_print(const struct econfig *c, FILE *out);
/* published_dir, or DATA_DIR/published. */
const char *econfig_published(const struct econfig *c, char *buf, size_t len);
#endif
