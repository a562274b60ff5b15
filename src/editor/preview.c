#define LOG_MODULE "preview"
#include "preview.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deck.h"
#include "export.h"
#include "feedreport.h"
#include "log.h"

static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1280, 720},
                               {480, 270},   {270, 480}};

bool preview_size_ok(int w, int h)
{
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        if (sizes[i][0] == w && sizes[i][1] == h)
            return true;
    return false;
}

/* Who has a render waiting or running. */
#define MAX_BUSY 64
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static char busy[MAX_BUSY][33];
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

static bool claim(const char *user)
{
    pthread_mutex_lock(&busy_lock);
    int free_slot = -1;
    bool ok = true;
    for (int i = 0; i < MAX_BUSY; i++) {
        if (busy[i][0] && strcmp(busy[i], user) == 0)
            ok = false;
        else if (!busy[i][0] && free_slot < 0)
            free_slot = i;
    }
    if (ok && free_slot < 0)
        ok = false;
    if (ok)
        snprintf(busy[free_slot], sizeof(busy[free_slot]), "%s", user);
    pthread_mutex_unlock(&busy_lock);
    return ok;
}

static void release(const char *user)
{
    pthread_mutex_lock(&busy_lock);
    for (int i = 0; i < MAX_BUSY; i++)
        if (strcmp(busy[i], user) == 0)
            busy[i][0] = '\0';
    pthread_mutex_unlock(&busy_lock);
}

/* "slides[0]…" of the cut-down feed is "slides[INDEX]…" of the user's;
 * positions in the cut-down text mean nothing to the user. */
static void renumber(struct feed_report *rep, int index)
{
    for (size_t i = 0; i < rep->n; i++) {
        struct feed_diag *d = &rep->diags[i];
        d->line = d->col = 0;
        if (strncmp(d->path, "slides[0]", 9) != 0)
            continue;
        size_t n = strlen(d->path) + 16;
        char *p = malloc(n);
        if (!p)
            continue;
        snprintf(p, n, "slides[%d]%s", index, d->path + 9);
        free(d->path);
        d->path = p;
    }
}

/* The top level of the feed with only slide `index`; NULL when text is no
 * feed object or has no such slide. */
static char *cut_down(const char *text, size_t len, int index, size_t *outlen)
{
    json_t *j = json_loadb(text, len, JSON_PRESERVE_ORDER, NULL);
    json_t *slides = json_object_get(j, "slides");
    json_t *one = json_array_get(slides, (size_t)index);
    char *out = NULL;
    if (json_is_object(j) && one && index >= 0) {
        json_t *arr = json_array();
        json_array_append(arr, one);
        json_object_set_new(j, "slides", arr);
        out = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        if (out)
            *outlen = strlen(out);
    }
    json_decref(j);
    return out;
}

int preview_render(struct store *s, const char *user, const char *text, size_t len,
                   int index, int w, int h, time_t now, unsigned char **png, size_t *pnglen,
                   struct feed_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    size_t cl = 0;
    char *cut = cut_down(text, len, index, &cl);
    if (!cut) {
        /* Not even JSON: the full parse says where. */
        struct feed_limits l;
        feed_limits_default(&l);
        struct deck *d = feed_parse(text, len, store_feed_source(s), &l, rep);
        if (d) {
            deck_unref(d);
            return PREVIEW_NO_SLIDE;
        }
        return rep->errors ? PREVIEW_INVALID : PREVIEW_NO_SLIDE;
    }
    struct feed_limits l;
    feed_limits_default(&l);
    struct deck *d = feed_parse(cut, cl, store_feed_source(s), &l, rep);
    free(cut);
    renumber(rep, index);
    if (!d)
        return PREVIEW_INVALID;
    if (d->n_slides != 1) {
        deck_unref(d);
        feed_report_add(rep, false, 0, 0, "", "slide %d is of a type this kiosk cannot show",
                        index + 1);
        return PREVIEW_INVALID;
    }
    if (!claim(user)) {
        deck_unref(d);
        return PREVIEW_BUSY;
    }
    store_attach_images(s, d);
    pthread_mutex_lock(&render_lock);
    int r = export_slide_png(d, 0, w, h, now, png, pnglen);
    pthread_mutex_unlock(&render_lock);
    release(user);
    deck_unref(d);
    return r == 0 ? PREVIEW_OK : PREVIEW_FAIL;
}
