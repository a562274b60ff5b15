/* config: the effective configuration: defaults, then the INI file
 * (inih), then the command line.  One table describes every key. */
#ifndef EDUKIOSK_CONFIG_H
#define EDUKIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
    char *feed;              /* NULL = built-in deck */
    int refresh_s, refresh_min_s, refresh_max_s;
    char *cache_dir, *status_file, *metrics_file;
    char **sites;
    size_t n_sites;
    char *school;            /* overrides the feed's school if set */
    char *lang;              /* NULL = feed's */
    int width, height;       /* 0 = native */
    bool fullscreen;
    int rotation;            /* 0, 90, 180, 270 */
    char *video_driver;      /* NULL = SDL's choice */
    char *render_driver;     /* NULL = SDL's choice; "software" … */
    bool vsync;
    bool quit_keys;
    bool ticker;
    struct { int on, off; } display[7]; /* minutes; Monday = 0; on == off: always on */
    char *display_off_cmd, *display_on_cmd;
    char *ca_file;
    int log_level;
    size_t max_feed_bytes, max_image_bytes;
};

void config_defaults(struct config *c);
void config_free(struct config *c);
/* Reads path into c.  Errors print "FILE:LINE: key: problem" to err and
 * return -1; unknown keys warn.  A missing file is an error only if
 * must_exist. */
int config_load(struct config *c, const char *path, bool must_exist, FILE *err);
/* Sets one key from a string (command line); -1 with message in err. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
void config_print(const struct config *c, FILE *out);

#endif
