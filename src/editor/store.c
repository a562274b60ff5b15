#define LOG_MODULE "store"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include <unistd.h>

#include "assets.h"
#include "deck.h"
#include "feedreport.h"
#include "feedsig.h"
#include "fileutil.h"
#include "hash.h"
#include "jsonfile.h"
#include "log.h"
#include "minisig.h"
#include "source.h"
#include "summary.h"
#include "versions.h"

/* An in-memory line of the version index. */
struct store {
    pthread_mutex_t lock;
    char data[PATH_MAX], pub[PATH_MAX];
    char draft_path[PATH_MAX], feed_path[PATH_MAX];
    char sig_path[PATH_MAX], images_dir[PATH_MAX];
    int history;
    size_t max_feed_bytes, max_image_bytes;
    long max_image_pixels;
    bool signing;
    struct minisig_secret sk;
    struct minisig_keyring own; /* our public key, to check what we signed */
    char key_id[17];
    long long last_signed;
    struct versions vs;
};

static int joinp(char *out, const char *dir, const char *name)
{
    return file_join(out, PATH_MAX, dir, name);
}

/* ---- draft -------------------------------------------------------------- */

static int load_meta(struct store *s, struct store_meta *m, char **text, size_t *len)
{
    json_t *j;
    int r = jsonfile_read(s->draft_path, s->vs.max_file, &j);
    if (r < 0)
        return r;
    const char *by = "", *t = NULL;
    json_int_t rev = 0, at = 0;
    size_t tl = 0;
    if (json_unpack(j, "{s:I, s:s, s:I, s:s%}", "rev", &rev, "by", &by, "at", &at, "text",
                    &t, &tl) < 0) {
        LOG_ERR("%s: damaged", s->draft_path);
        json_decref(j);
        return -EINVAL;
    }
    m->rev = rev;
    m->at = at;
    snprintf(m->by, sizeof(m->by), "%s", by);
    if (text) {
        *text = malloc(tl + 1);
        if (!*text) {
            json_decref(j);
            return -ENOMEM;
        }
        memcpy(*text, t, tl);
        (*text)[tl] = '\0';
        *len = tl;
    }
    json_decref(j);
    return 0;
}

static int write_draft(struct store *s, const struct store_meta *m, const char *text,
                       size_t len)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:s%}", "rev", (json_int_t)m->rev, "by", m->by,
                          "at", (json_int_t)m->at, "text", text, len);
    if (!j)
        return -EINVAL;
    int r = jsonfile_write(s->draft_path, j);
    json_decref(j);
    return r;
}

/* ---- images ------------------------------------------------------------- */

int store_put_image(struct store *s, const void *data, size_t len, const char *ext,
                    char sha[65], char *rel, size_t rellen)
{
    hash_sha256_hex(data, len, sha);
    char name[80], path[PATH_MAX];
    snprintf(name, sizeof(name), "%s.%s", sha, ext);
    snprintf(rel, rellen, "images/%s", name);
    if (joinp(path, s->images_dir, name) < 0)
        return -ENAMETOOLONG;
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size == len)
        return 0; /* named by its content: already there */
    int r = file_write_atomic(path, data, len, true);
    if (r < 0)
        LOG_ERR("cannot write %s: %s", path, file_strerror(r));
    return r;
}

void store_attach_images(struct store *s, struct deck *d)
{
    for (size_t i = 0; i < d->n_images; i++) {
        struct deck_image *img = &d->images[i];
        if (img->data || img->failed || source_is_remote(img->url))
            continue;
        const char *p = strncmp(img->url, "file://", 7) == 0 ? img->url + 7 : img->url;
        char *data;
        size_t len;
        int r = file_read(p, s->max_image_bytes, &data, &len);
        if (r < 0) {
            deck_image_fail(img, false, r == -ENOENT ? "not uploaded" : file_strerror(r));
            continue;
        }
        deck_image_attach(img, (unsigned char *)data, len, s->max_image_pixels);
    }
}

/* ---- validation ----------------------------------------------------------- */

static void limits(const struct store *s, struct feed_limits *l)
{
    feed_limits_default(l);
    l->max_bytes = s->max_feed_bytes;
    l->require_pins = s->signing;
}

const char *store_feed_source(const struct store *s)
{
    return s->feed_path;
}

bool store_validate(struct store *s, const char *text, size_t len, struct feed_report *rep)
{
    struct feed_limits l;
    limits(s, &l);
    struct deck *d = feed_parse(text, len, s->feed_path, &l, rep);
    if (!d)
        return false;
    store_attach_images(s, d);
    bool ok = true;
    for (size_t i = 0; i < d->n_images; i++) {
        const struct deck_image *img = &d->images[i];
        if (source_is_remote(img->url)) {
            feed_report_add(rep, true, img->line, img->col, img->field ? img->field : "",
                            "%s: on another server; the editor cannot check it", img->url);
        } else if (!img->data) {
            const char *base = strrchr(img->url, '/');
            feed_report_add(rep, false, img->line, img->col, img->field ? img->field : "",
                            "image %s: %s", base ? base + 1 : img->url,
                            img->why ? img->why : "cannot be read");
            ok = false;
        }
    }
    feed_report_sort(rep);
    deck_unref(d);
    return ok;
}

/* ---- files ----------------------------------------------------------------- */

/* A write cut by a crash leaves NAME.tmp.PID beside NAME (fileutil):
 * never read, but it would be synced to mirrors with the published
 * directory.  Removed at start, when no write of ours is under way. */
static void remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (!t || t == e->d_name || strspn(t + 5, "0123456789") != strlen(t + 5) || !t[5])
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            LOG_INFO("removed %s/%s, left by an interrupted write", dir, e->d_name);
    }
    closedir(d);
}

/* ---- publishing ------------------------------------------------------------ */

/* Writes the published pair for text: the signature first, then the feed. */
static int write_published(struct store *s, const char *text, size_t len)
{
    if (s->signing) {
        char comment[128];
        long long ts = (long long)time(NULL);
        if (ts <= s->last_signed)
            ts = s->last_signed + 1; /* kiosks refuse an older signature */
        snprintf(comment, sizeof(comment), "timestamp:%lld\tfile:feed.json", ts);
        char *sig;
        size_t siglen;
        if (minisig_sign(&s->sk, text, len, comment, &sig, &siglen) < 0) {
            LOG_ERR("cannot sign the feed");
            return -EINVAL;
        }
        int r = file_write_atomic(s->sig_path, sig, siglen, true);
        free(sig);
        if (r < 0) {
            LOG_ERR("cannot write %s: %s", s->sig_path, file_strerror(r));
            return r;
        }
        s->last_signed = ts;
    }
    int r = file_write_atomic(s->feed_path, text, len, true);
    if (r < 0)
        LOG_ERR("cannot write %s: %s", s->feed_path, file_strerror(r));
    return r;
}

/* Records text as the next version, then publishes it.  Lock held. */
static int publish_text(struct store *s, const char *text, size_t len, const char *summary,
                        const char *user, time_t now, struct store_published *out)
{
    char hash[65], auto_summary[512];
    hash_sha256_hex(text, len, hash);
    const struct version *last = versions_latest(&s->vs);
    if (!summary || !summary[0]) {
        size_t oldlen = 0;
        char *old = last ? versions_text(&s->vs, last->n, &oldlen) : NULL;
        summary_of_change(old, oldlen, text, len, auto_summary, sizeof(auto_summary));
        free(old);
        summary = auto_summary;
    }
    int n = versions_add(&s->vs, user, now, summary, hash, text, len);
    if (n < 0)
        return STORE_FAIL;
    if (write_published(s, text, len) < 0)
        return STORE_FAIL; /* store_open() writes it again at the next start */
    versions_prune(&s->vs, (size_t)s->history);
    out->version = n;
    snprintf(out->hash, sizeof(out->hash), "%s", hash);
    out->signed_ = s->signing;
    return STORE_OK;
}

/* After a crash between the version and the published pair: the newest
 * version is what must be published. */
static void repair_published(struct store *s)
{
    const struct version *v = versions_latest(&s->vs);
    if (!v)
        return;
    char *feed;
    size_t len;
    bool ok = false;
    if (file_read(s->feed_path, s->max_feed_bytes, &feed, &len) == 0) {
        char hash[65];
        hash_sha256_hex(feed, len, hash);
        ok = strcmp(hash, v->hash) == 0;
        if (ok && s->signing) {
            char *sig;
            size_t siglen;
            ok = file_read(s->sig_path, MINISIG_MAX_FILE, &sig, &siglen) == 0;
            if (ok) {
                struct minisig_info info;
                char err[256];
                ok = minisig_verify(&s->own, sig, siglen, feed, len, &info, err,
                                    sizeof(err)) == 0;
                if (ok && info.timestamp > s->last_signed)
                    s->last_signed = info.timestamp;
                free(sig);
            }
        }
        free(feed);
    }
    if (ok)
        return;
    size_t tl;
    char *text = versions_text(&s->vs, v->n, &tl);
    if (!text)
        return;
    LOG_WARN("the published feed is not version %d (interrupted publish?): writing it again",
             v->n);
    write_published(s, text, tl);
    free(text);
}

/* ---- opening ---------------------------------------------------------------- */

static int load_signing_key(struct store *s, const char *path, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int r = file_read(path, MINISIG_MAX_FILE, &text, &len);
    if (r < 0) {
        snprintf(err, errlen, "signing_key %s: %s", path, file_strerror(r));
        return -1;
    }
    char why[256];
    r = minisig_secret_parse(text, len, &s->sk, why, sizeof(why));
    sodium_memzero(text, len);
    free(text);
    if (r < 0) {
        snprintf(err, errlen, "signing_key %s: %s", path, why);
        return -1;
    }
    s->signing = true;
    s->own.n = 1;
    memcpy(s->own.keys[0].id, s->sk.id, 8);
    memcpy(s->own.keys[0].pk, s->sk.sk + 32, 32);
    minisig_key_id(s->sk.id, s->key_id);
    /* The signature already published sets the floor. */
    char *sig;
    size_t siglen;
    if (file_read(s->sig_path, MINISIG_MAX_FILE, &sig, &siglen) == 0) {
        {
            /* file_read() NUL-terminates. */
            const char *tc = strstr(sig, "trusted comment: ");
            if (tc) {
                long long ts = minisig_comment_timestamp(tc + 17);
                if (ts > s->last_signed)
                    s->last_signed = ts;
            }
        }
        free(sig);
    }
    return 0;
}

/* The built-in deck as the first draft, its logo copied into images/. */
static char *builtin_text(struct store *s, size_t *len)
{
    json_t *j = json_loadb((const char *)asset_default_feed, asset_default_feed_size,
                           JSON_PRESERVE_ORDER, NULL);
    json_t *theme = json_object_get(j, "theme");
    char sha[65], rel[128];
    if (theme && store_put_image(s, asset_logo_png, asset_logo_png_size, "png", sha, rel,
                                 sizeof(rel)) == 0) {
        json_object_set_new(theme, "logo", json_string(rel));
        json_object_set_new(theme, "logo_sha256", json_string(sha));
    }
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (text)
        *len = strlen(text);
    return text;
}

static int seed_draft(struct store *s)
{
    struct store_meta m;
    if (load_meta(s, &m, NULL, NULL) == 0)
        return 0;
    char *text;
    size_t len;
    if (file_read(s->feed_path, s->max_feed_bytes, &text, &len) < 0 &&
        !(text = builtin_text(s, &len)))
        return -ENOMEM;
    memset(&m, 0, sizeof(m));
    m.rev = 1;
    m.at = (long long)time(NULL);
    int r = write_draft(s, &m, text, len);
    free(text);
    return r;
}

struct store *store_open(const struct econfig *c, char *err, size_t errlen)
{
    struct store *s = calloc(1, sizeof(*s));
    char pubbuf[PATH_MAX];
    const char *pub = econfig_published(c, pubbuf, sizeof(pubbuf));
    if (!s || !pub) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->history = c->history;
    s->max_feed_bytes = c->max_feed_bytes;
    s->vs.max_file = jsonfile_cap(c->max_feed_bytes);
    s->max_image_bytes = c->max_image_bytes;
    s->max_image_pixels = c->max_image_pixels;
    snprintf(s->data, sizeof(s->data), "%s", c->data_dir);
    snprintf(s->pub, sizeof(s->pub), "%s", pub);
    if (joinp(s->vs.dir, s->data, "versions") < 0 ||
        joinp(s->draft_path, s->data, "draft.json") < 0 ||
        joinp(s->feed_path, s->pub, "feed.json") < 0 ||
        joinp(s->sig_path, s->pub, "feed.json.minisig") < 0 ||
        joinp(s->images_dir, s->pub, "images") < 0) {
        snprintf(err, errlen, "%s: path too long", s->data);
        goto fail;
    }
    const char *dirs[] = {s->data, s->vs.dir, s->pub, s->images_dir};
    for (size_t i = 0; i < 4; i++) {
        int r = file_mkdirs(dirs[i]);
        if (r < 0) {
            snprintf(err, errlen, "cannot create %s: %s", dirs[i], file_strerror(r));
            goto fail;
        }
    }
    for (size_t i = 0; i < 4; i++)
        remove_temporaries(dirs[i]);
    if (c->signing_key && load_signing_key(s, c->signing_key, err, errlen) < 0)
        goto fail;
    versions_load(&s->vs);
    repair_published(s);
    int r = seed_draft(s);
    if (r < 0) {
        snprintf(err, errlen, "cannot write %s: %s", s->draft_path, file_strerror(r));
        goto fail;
    }
    return s;
fail:
    store_free(s);
    return NULL;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    versions_free(&s->vs);
    sodium_memzero(&s->sk, sizeof(s->sk));
    pthread_mutex_destroy(&s->lock);
    free(s);
}

bool store_signing(const struct store *s, char key_id[17])
{
    snprintf(key_id, 17, "%s", s->signing ? s->key_id : "");
    return s->signing;
}

const char *store_published_dir(const struct store *s)
{
    return s->pub;
}

int store_live(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    const struct version *v = versions_latest(&s->vs);
    int n = v ? v->n : 0;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* ---- the calls ------------------------------------------------------------- */

int store_draft(struct store *s, char **text, size_t *len, struct store_meta *m)
{
    pthread_mutex_lock(&s->lock);
    int r = load_meta(s, m, text, len);
    pthread_mutex_unlock(&s->lock);
    return r < 0 ? STORE_FAIL : STORE_OK;
}

/* Lock held. */
static int save_locked(struct store *s, long long if_rev, const char *text, size_t len,
                       const char *user, time_t now, struct store_meta *m)
{
    if (load_meta(s, m, NULL, NULL) < 0)
        return STORE_FAIL;
    if (m->rev != if_rev)
        return STORE_CONFLICT;
    struct store_meta nm = {.rev = m->rev + 1, .at = now};
    snprintf(nm.by, sizeof(nm.by), "%s", user);
    if (write_draft(s, &nm, text, len) < 0)
        return STORE_FAIL;
    *m = nm;
    return STORE_OK;
}

int store_save(struct store *s, long long if_rev, const char *text, size_t len,
               const char *user, time_t now, struct store_meta *m)
{
    pthread_mutex_lock(&s->lock);
    int r = save_locked(s, if_rev, text, len, user, now, m);
    pthread_mutex_unlock(&s->lock);
    return r;
}

int store_publish(struct store *s, long long if_rev, const char *summary, const char *user,
                  time_t now, struct feed_report *rep, struct store_published *out)
{
    pthread_mutex_lock(&s->lock);
    struct store_meta m;
    char *text = NULL;
    size_t len = 0;
    int r;
    if (load_meta(s, &m, &text, &len) < 0)
        r = STORE_FAIL;
    else if (m.rev != if_rev)
        r = STORE_CONFLICT;
    else if (!store_validate(s, text, len, rep))
        r = STORE_INVALID;
    else
        r = publish_text(s, text, len, summary, user, now, out);
    free(text);
    pthread_mutex_unlock(&s->lock);
    return r;
}

int store_rollback(struct store *s, int n, long long if_rev, const char *user, time_t now,
                   struct feed_report *rep, struct store_published *out,
                   struct store_meta *m)
{
    pthread_mutex_lock(&s->lock);
    size_t len = 0;
    char *text = versions_text(&s->vs, n, &len);
    int r;
    char summary[64];
    snprintf(summary, sizeof(summary), "回滚到版本 %d", n);
    if (!text)
        r = STORE_NOT_FOUND;
    else if (load_meta(s, m, NULL, NULL) < 0)
        r = STORE_FAIL;
    else if (m->rev != if_rev)
        r = STORE_CONFLICT;
    else if (!store_validate(s, text, len, rep))
        r = STORE_INVALID; /* an image since removed by hand, a key added */
    else if ((r = publish_text(s, text, len, summary, user, now, out)) == STORE_OK)
        r = save_locked(s, if_rev, text, len, user, now, m);
    free(text);
    pthread_mutex_unlock(&s->lock);
    return r;
}

int store_load_version(struct store *s, int n, long long if_rev, const char *user, time_t now,
                       struct store_meta *m)
{
    pthread_mutex_lock(&s->lock);
    size_t len = 0;
    char *text = versions_text(&s->vs, n, &len);
    int r = text ? save_locked(s, if_rev, text, len, user, now, m) : STORE_NOT_FOUND;
    free(text);
    pthread_mutex_unlock(&s->lock);
    return r;
}

json_t *store_versions(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    json_t *out = json_pack("{s:i, s:o}", "live",
                            versions_latest(&s->vs) ? versions_latest(&s->vs)->n : 0,
                            "versions", versions_list(&s->vs));
    pthread_mutex_unlock(&s->lock);
    return out;
}

json_t *store_version(struct store *s, int n)
{
    pthread_mutex_lock(&s->lock);
    json_t *j = versions_get(&s->vs, n);
    pthread_mutex_unlock(&s->lock);
    return j;
}
