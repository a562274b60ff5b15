#define LOG_MODULE "source"
#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed.h"
#include "fetch.h"
#include "fileutil.h"
#include "kiosk.h"
#include "log.h"

bool source_is_remote(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

static const char *local_path(const char *s)
{
    return strncmp(s, "file://", 7) == 0 ? s + 7 : s;
}

int source_read(const struct config *cfg, const char *src, char **data, size_t *len,
                FILE *diag)
{
    if (source_is_remote(src)) {
        struct fetch_config fc;
        kiosk_fetch_config(&fc, cfg);
        char err[512];
        if (fetch_once(&fc, src, data, len, err, sizeof(err)) < 0) {
            fprintf(diag, "%s: %s\n", src, err);
            return -1;
        }
        return 0;
    }
    int r = file_read(local_path(src), cfg->max_feed_bytes, data, len);
    if (r < 0) {
        fprintf(diag, "%s: %s\n", src,
                r == -EFBIG ? "larger than the feed size limit (max_feed_bytes)"
                            : file_strerror(r));
        return -1;
    }
    return 0;
}

/* A local feed may show pictures beside it; a remote one never reads
 * local files (the parser refuses such URLs in remote feeds). */
static void load_local_images(struct deck *d, size_t max_bytes)
{
    for (size_t i = 0; i < d->n_images; i++) {
        struct deck_image *img = &d->images[i];
        if (img->data || source_is_remote(img->url))
            continue;
        char *data;
        size_t len;
        int r = file_read(local_path(img->url), max_bytes, &data, &len);
        if (r < 0) {
            LOG_WARN("image %s: %s", img->url, file_strerror(r));
            img->failed = true;
            continue;
        }
        img->data = (unsigned char *)data;
        img->len = len;
    }
}

struct one_shot {
    struct deck *deck;
    struct fetch_status st;
};

static void got_deck(void *ud, struct deck *d)
{
    struct one_shot *o = ud;
    deck_unref(o->deck);
    o->deck = d;
}

static void got_status(void *ud, const struct fetch_status *st)
{
    struct one_shot *o = ud;
    o->st = *st;
}

static struct deck *fetch_remote_deck(const struct config *cfg, const char *src, FILE *diag)
{
    struct fetch_config fc;
    kiosk_fetch_config(&fc, cfg);
    fc.url = src;
    fc.cache_dir = NULL; /* a one-shot tool leaves no cache behind */
    struct one_shot o = {0};
    struct fetch_callbacks cb = {got_deck, got_status, &o};
    struct fetcher *f = fetcher_new_manual(&fc, &cb);
    if (!f) {
        fprintf(diag, "%s: cannot set up fetching\n", src);
        return NULL;
    }
    fetch_cycle(f, NULL);
    fetcher_free(f);
    if (!o.deck)
        fprintf(diag, "%s: %s\n", src, o.st.error[0] ? o.st.error : "fetch failed");
    return o.deck;
}

struct deck *source_load(const struct config *cfg, const char *src, FILE *diag)
{
    char *data;
    size_t len;
    if (source_read(cfg, src, &data, &len, diag) < 0)
        return NULL;
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = cfg->max_feed_bytes;
    struct feed_report rep;
    struct deck *d = feed_parse(data, len, src, &lim, &rep);
    free(data);
    feed_report_print(&rep, src, diag);
    feed_report_free(&rep);
    if (!d)
        return NULL;
    if (source_is_remote(src)) {
        /* Valid: now once more the way the kiosk fetches, images and all. */
        deck_unref(d);
        d = fetch_remote_deck(cfg, src, diag);
    } else {
        load_local_images(d, cfg->max_image_bytes);
    }
    return d;
}

time_t source_mtime(const char *src)
{
    struct stat st;
    if (!src || source_is_remote(src) || stat(local_path(src), &st) < 0)
        return 0;
    return st.st_mtime;
}
