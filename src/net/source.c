#define LOG_MODULE "source"
#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed.h"
#include "feedsig.h"
#include "fetch.h"
#include "fileutil.h"
#include "keyring.h"
#include "log.h"

bool source_is_remote(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

void source_fetch_config(struct fetch_config *fc, const struct config *cfg)
{
    memset(fc, 0, sizeof(*fc));
    fc->url = cfg->feed;
    fc->cache_dir = cfg->cache_dir;
    fc->ca_file = cfg->ca_file;
    fc->refresh_s = cfg->refresh_s;
    fc->refresh_min_s = cfg->refresh_min_s;
    fc->refresh_max_s = cfg->refresh_max_s;
    fc->max_feed_bytes = cfg->max_feed_bytes;
    fc->max_image_bytes = cfg->max_image_bytes;
    fc->max_image_pixels = cfg->max_image_pixels;
    fc->connect_timeout_s = cfg->connect_timeout_s;
    fc->total_timeout_s = cfg->timeout_s;
    if (cfg->feed_public_key) {
        fc->signed_feeds = true;
        char err[512];
        /* Checked when the configuration was read; a key file may have
         * gone since.  No keys then: nothing verifies (never unsigned). */
        if (keyring_load(&fc->keys, cfg->feed_public_key, err, sizeof(err)) < 0)
            LOG_ERR("feed_public_key: %s; no feed can be verified", err);
    }
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
        source_fetch_config(&fc, cfg);
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
 * local files (the parser refuses such URLs in remote feeds).  Each is
 * judged as the fetcher judges a download (deck_image_attach). */
static void load_local_images(struct deck *d, const struct config *cfg)
{
    for (size_t i = 0; i < d->n_images; i++) {
        struct deck_image *img = &d->images[i];
        if (img->data || source_is_remote(img->url))
            continue;
        char *data;
        size_t len;
        int r = file_read(local_path(img->url), cfg->max_image_bytes, &data, &len);
        if (r < 0) {
            deck_image_fail(img, false,
                            r == -EFBIG
                                ? "larger than the image size limit (max_image_bytes)"
                                : file_strerror(r));
        } else if (deck_image_attach(img, (unsigned char *)data, len,
                                     cfg->max_image_pixels)) {
            continue;
        }
        LOG_WARN("image %s: %s; the slide shows without it", img->url,
                 img->why ? img->why : "out of memory");
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

static struct deck *fetch_remote_deck(const struct config *cfg, const char *src,
                                      FILE *diag)
{
    struct fetch_config fc;
    source_fetch_config(&fc, cfg);
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

int source_verify(const struct config *cfg, const char *src, const char *data, size_t len,
                  struct feedsig *sig, FILE *diag)
{
    memset(sig, 0, sizeof(*sig));
    if (!cfg->feed_public_key || strcmp(src, "builtin") == 0)
        return 0;
    struct fetch_config fc;
    source_fetch_config(&fc, cfg);
    char url[2100], err[512];
    if (feedsig_url(src, url, sizeof(url)) < 0) {
        fprintf(diag, "%s: signature: the name is too long\n", src);
        return -1;
    }
    char *s = NULL;
    size_t slen = 0;
    if (source_is_remote(src)) {
        fc.max_feed_bytes = MINISIG_MAX_FILE;
        if (fetch_once(&fc, url, &s, &slen, err, sizeof(err)) < 0) {
            fprintf(diag, "%s: signature: %s\n", url, err);
            return -1;
        }
    } else {
        int r = file_read(local_path(url), MINISIG_MAX_FILE, &s, &slen);
        if (r < 0) {
            fprintf(diag, "%s: signature: %s\n", url,
                    r == -ENOENT ? "missing: the feed is not signed" : file_strerror(r));
            return -1;
        }
    }
    int r = feedsig_check(&fc.keys, data, len, s, slen, 0, sig, err, sizeof(err));
    free(s);
    if (r < 0)
        fprintf(diag, "%s: %s\n", url, err);
    return r;
}

/* The feed in data[0..len), read from src, with its images; its
 * problems printed to diag (NULL: not printed). */
static struct deck *load(const struct config *cfg, const char *src, const char *data,
                         size_t len, FILE *diag)
{
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = cfg->max_feed_bytes;
    lim.require_pins = cfg->feed_public_key != NULL;
    struct feed_report rep;
    struct deck *d = feed_parse(data, len, src, &lim, &rep);
    if (diag)
        feed_report_print(&rep, src, diag);
    feed_report_free(&rep);
    if (!d)
        return NULL;
    if (source_is_remote(src)) {
        /* Valid: now once more the way the kiosk fetches, images and all. */
        deck_unref(d);
        d = fetch_remote_deck(cfg, src, diag ? diag : stdout);
    } else {
        load_local_images(d, cfg);
    }
    return d;
}

struct deck *source_load(const struct config *cfg, const char *src, FILE *diag)
{
    char *data;
    size_t len;
    if (source_read(cfg, src, &data, &len, diag) < 0)
        return NULL;
    struct feedsig sig;
    if (source_verify(cfg, src, data, len, &sig, diag) < 0) {
        free(data);
        return NULL;
    }
    struct deck *d = load(cfg, src, data, len, diag);
    free(data);
    if (d) {
        d->signed_at = sig.timestamp;
        memcpy(d->signed_by, sig.key_id, sizeof(d->signed_by));
    }
    return d;
}

static const char *plural(int n)
{
    return n == 1 ? "" : "s";
}

int source_check_images(const struct config *cfg, const char *src, const char *bytes,
                        size_t len, FILE *out)
{
    /* The lines below say it all; the loaders' log lines would say it
     * twice. */
    enum log_level level = log_get_level();
    log_set_level(LOG_LEVEL_ERR);
    struct deck *d =
        strcmp(src, "builtin") == 0 ? feed_builtin() : load(cfg, src, bytes, len, NULL);
    log_set_level(level);
    if (!d)
        return 1;
    int refused = 0;
    for (size_t i = 0; i < d->n_images; i++) {
        const struct deck_image *img = &d->images[i];
        if (!img->failed)
            continue;
        refused += img->refused;
        fprintf(out, "%s:%d:%d: %s%s%simage %s: %s\n", src, img->line, img->col,
                img->refused ? "" : "warning: ", img->field ? img->field : "",
                img->field ? ": " : "", img->url, img->why ? img->why : "cannot be read");
    }
    if (refused)
        fprintf(out,
                "%s: %d image%s cannot be shown; a kiosk shows the feed without %s\n",
                src, refused, plural(refused), refused == 1 ? "it" : "them");
    deck_unref(d);
    return refused ? 1 : 0;
}

time_t source_mtime(const char *src)
{
    struct stat st;
    if (!src || source_is_remote(src) || stat(local_path(src), &st) < 0)
        return 0;
    return st.st_mtime;
}
