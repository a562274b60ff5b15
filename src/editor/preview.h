/* preview: one slide of a feed text drawn by the kiosk's own renderer
 * (export.h, the code of --render), as a PNG in memory.
 *
 * A slide is drawn when it and the feed's top level are valid, whatever
 * the other slides hold: the feed is cut down to its top level and that
 * one slide before it is parsed, so a half-finished slide elsewhere does
 * not stop the preview.  One render runs at a time (the renderer's fonts
 * and SDL_ttf are shared); each user may have one waiting at most. */
#ifndef EDUKIOSK_PREVIEW_H
#define EDUKIOSK_PREVIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "feed.h"
#include "store.h"

enum preview_result {
    PREVIEW_OK = 0,
    PREVIEW_INVALID = 1,  /* rep says why */
    PREVIEW_NO_SLIDE = 2, /* index out of range, or not a feed at all */
    PREVIEW_BUSY = 3,     /* this user already has a render in flight */
    PREVIEW_FAIL = -1,
};

/* Whether w x h is a size the editor offers. */
bool preview_size_ok(int w, int h);

/* Slide `index` (0-based, of the feed's "slides" array) of text, drawn at
 * w x h at time now: PREVIEW_OK with *png (malloc()ed) and *len.  user
 * names who asks (for the one-in-flight rule). */
int preview_render(struct store *s, const char *user, const char *text, size_t len,
                   int index, int w, int h, time_t now, unsigned char **png, size_t *pnglen,
                   struct feed_report *rep);
#endif
