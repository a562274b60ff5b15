#define LOG_MODULE "status"
#include "status.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"
#include "log.h"
#include "vclock.h"

#ifndef EDUKIOSK_VERSION
#define EDUKIOSK_VERSION "unknown"
#endif

struct status {
    pthread_mutex_t lock;
    char *status_path, *metrics_path;
    long pid;
    time_t started;

    char source[16];
    char hash[80];
    int n_slides;
    time_t loaded_at;
    bool has_deck;
    long long signed_at; /* 0 = not signed */
    char signed_by[17];

    struct fetch_status fetch;
    bool has_fetch;

    char driver[64], renderer[64];
    int width, height;
    bool has_display;

    int slide_index;
    char slide_id[256];
    bool has_slide_id;

    struct status_counters counters;

    char *last_json;        /* what the status file holds */
    bool metrics_ever;
    time_t metrics_written;
    char *metrics_key;      /* the "important" part of the last metrics */
};

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

struct status *status_new(const char *status_path, const char *metrics_path)
{
    struct status *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    pthread_mutex_init(&st->lock, NULL);
    if ((status_path && !(st->status_path = strdup(status_path))) ||
        (metrics_path && !(st->metrics_path = strdup(metrics_path)))) {
        status_free(st);
        return NULL;
    }
    st->pid = (long)getpid();
    st->started = vclock_wall();
    st->counters.display_on = true;
    return st;
}

void status_free(struct status *st)
{
    if (!st)
        return;
    free(st->status_path);
    free(st->metrics_path);
    free(st->last_json);
    free(st->metrics_key);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void status_set_deck(struct status *st, const char *source, const char *hash,
                     int n_slides, time_t loaded_at)
{
    pthread_mutex_lock(&st->lock);
    copy_str(st->source, sizeof(st->source), source);
    copy_str(st->hash, sizeof(st->hash), hash);
    st->n_slides = n_slides;
    st->loaded_at = loaded_at;
    st->has_deck = true;
    pthread_mutex_unlock(&st->lock);
}

void status_set_deck_signature(struct status *st, long long signed_at, const char *key_id)
{
    pthread_mutex_lock(&st->lock);
    st->signed_at = signed_at;
    copy_str(st->signed_by, sizeof(st->signed_by), key_id);
    pthread_mutex_unlock(&st->lock);
}

void status_set_fetch(struct status *st, const struct fetch_status *fs)
{
    pthread_mutex_lock(&st->lock);
    st->fetch = *fs;
    /* The fetcher fills fixed arrays; make sure they end. */
    st->fetch.url[sizeof(st->fetch.url) - 1] = '\0';
    st->fetch.error[sizeof(st->fetch.error) - 1] = '\0';
    st->has_fetch = true;
    pthread_mutex_unlock(&st->lock);
}

void status_set_display(struct status *st, const char *driver, const char *renderer,
                        int width, int height)
{
    pthread_mutex_lock(&st->lock);
    copy_str(st->driver, sizeof(st->driver), driver);
    copy_str(st->renderer, sizeof(st->renderer), renderer);
    st->width = width;
    st->height = height;
    st->has_display = true;
    pthread_mutex_unlock(&st->lock);
}

void status_set_slide(struct status *st, int index, const char *id)
{
    pthread_mutex_lock(&st->lock);
    st->slide_index = index;
    copy_str(st->slide_id, sizeof(st->slide_id), id);
    st->has_slide_id = id != NULL;
    pthread_mutex_unlock(&st->lock);
}

void status_set_counters(struct status *st, const struct status_counters *c)
{
    pthread_mutex_lock(&st->lock);
    st->counters = *c;
    pthread_mutex_unlock(&st->lock);
}

/* ---- status JSON -------------------------------------------------------- */

/* RFC 3339 in local time with its offset ("2026-03-02T08:00:00+08:00"),
 * or JSON null for 0. */
static json_t *rfc3339(time_t t)
{
    if (t <= 0)
        return json_null();
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return json_null();
    char buf[64];
    if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return json_null();
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    size_t n = strlen(buf);
    if (off == 0)
        snprintf(buf + n, sizeof(buf) - n, "Z");
    else
        snprintf(buf + n, sizeof(buf) - n, "%c%02ld:%02ld", sign, off / 3600,
                 (off / 60) % 60);
    return json_string(buf);
}

static json_t *str_or_null(const char *s, bool present)
{
    return present && s ? json_string(s) : json_null();
}

static const char *result_name(enum fetch_result r)
{
    switch (r) {
    case FETCH_OK: return "ok";
    case FETCH_NOT_MODIFIED: return "not-modified";
    case FETCH_ERROR: return "error";
    default: return NULL;
    }
}

/* Lock held. */
static char *build_json(const struct status *st)
{
    json_t *root = json_object();
    if (!root)
        return NULL;
    json_object_set_new(root, "version", json_string(EDUKIOSK_VERSION));
    json_object_set_new(root, "pid", json_integer(st->pid));
    json_object_set_new(root, "started", rfc3339(st->started));

    json_t *deck = json_object();
    json_object_set_new(deck, "source", str_or_null(st->source, st->has_deck));
    json_object_set_new(deck, "hash", str_or_null(st->hash, st->has_deck && st->hash[0]));
    json_object_set_new(deck, "slides",
                        st->has_deck ? json_integer(st->n_slides) : json_null());
    json_object_set_new(deck, "loaded_at", rfc3339(st->has_deck ? st->loaded_at : 0));
    json_object_set_new(deck, "signed_at", rfc3339((time_t)st->signed_at));
    json_object_set_new(deck, "signed_by", str_or_null(st->signed_by, st->signed_by[0]));
    json_object_set_new(root, "deck", deck);

    const struct fetch_status *f = &st->fetch;
    json_t *fetch = json_object();
    json_object_set_new(fetch, "url", str_or_null(f->url, st->has_fetch && f->url[0]));
    json_object_set_new(fetch, "last_attempt", rfc3339(f->last_attempt));
    json_object_set_new(fetch, "last_success", rfc3339(f->last_success));
    const char *res = st->has_fetch ? result_name(f->result) : NULL;
    json_object_set_new(fetch, "result", str_or_null(res, res != NULL));
    json_object_set_new(fetch, "http_status",
                        f->http_status > 0 ? json_integer(f->http_status) : json_null());
    json_object_set_new(fetch, "error", str_or_null(f->error, f->error[0] != '\0'));
    /* "off": feeds are not verified; else the last attempt's verdict. */
    const char *sig = !f->signed_feeds ? "off" : f->signature_failed ? "refused" : "ok";
    json_object_set_new(fetch, "signature", str_or_null(sig, st->has_fetch));
    json_object_set_new(fetch, "signature_failures",
                        json_integer((json_int_t)f->signature_failures));
    json_object_set_new(root, "fetch", fetch);

    json_t *disp = json_object();
    json_object_set_new(disp, "driver", str_or_null(st->driver, st->has_display));
    json_object_set_new(disp, "renderer", str_or_null(st->renderer, st->has_display));
    json_object_set_new(disp, "width", st->has_display ? json_integer(st->width)
                                                       : json_null());
    json_object_set_new(disp, "height", st->has_display ? json_integer(st->height)
                                                        : json_null());
    json_object_set_new(disp, "on", json_boolean(st->counters.display_on));
    json_object_set_new(root, "display", disp);

    json_t *slide = json_object();
    json_object_set_new(slide, "index", json_integer(st->slide_index));
    json_object_set_new(slide, "id", str_or_null(st->slide_id, st->has_slide_id));
    json_object_set_new(root, "slide", slide);

    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!s)
        return NULL;
    /* A final newline, so `cat` leaves the prompt alone. */
    size_t n = strlen(s);
    char *out = realloc(s, n + 2);
    if (!out) {
        free(s);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}

char *status_json(struct status *st)
{
    pthread_mutex_lock(&st->lock);
    char *s = build_json(st);
    pthread_mutex_unlock(&st->lock);
    return s;
}

/* ---- metrics ------------------------------------------------------------ */

/* A label value with \, " and newline escaped. */
static void label(FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            fputs("\\\\", f);
        else if (*v == '"')
            fputs("\\\"", f);
        else if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void number(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else
        fprintf(f, "%.9g", v);
}

/* Lock held. */
static char *build_metrics(const struct status *st, time_t now)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    const struct status_counters *c = &st->counters;

    head(f, "edukiosk_build_info", "gauge", "Version of the running kiosk.");
    fputs("edukiosk_build_info{version=\"", f);
    label(f, EDUKIOSK_VERSION);
    fputs("\"} 1\n", f);

    head(f, "edukiosk_up_since_seconds", "gauge",
         "Unix time when the kiosk process started.");
    fprintf(f, "edukiosk_up_since_seconds %lld\n", (long long)st->started);

    if (st->has_deck) {
        head(f, "edukiosk_deck_info", "gauge",
             "The deck on screen: its content hash and where it came from.");
        fputs("edukiosk_deck_info{hash=\"", f);
        label(f, st->hash);
        fputs("\",source=\"", f);
        label(f, st->source);
        fputs("\"} 1\n", f);
        head(f, "edukiosk_deck_slides", "gauge", "Slides in the deck on screen.");
        fprintf(f, "edukiosk_deck_slides %d\n", st->n_slides);
        head(f, "edukiosk_deck_loaded_timestamp_seconds", "gauge",
             "Unix time when the deck on screen was loaded.");
        fprintf(f, "edukiosk_deck_loaded_timestamp_seconds %lld\n",
                (long long)st->loaded_at);
        head(f, "edukiosk_deck_signed_timestamp_seconds", "gauge",
             "Unix time the deck on screen was signed (its trusted comment); "
             "0 = not signed.");
        fprintf(f, "edukiosk_deck_signed_timestamp_seconds %lld\n", st->signed_at);
    }

    if (st->has_fetch) {
        const struct fetch_status *fs = &st->fetch;
        head(f, "edukiosk_feed_last_success_timestamp_seconds", "gauge",
             "Unix time of the last successful feed fetch (new or not modified); "
             "0 = none yet.");
        fprintf(f, "edukiosk_feed_last_success_timestamp_seconds %lld\n",
                (long long)fs->last_success);
        head(f, "edukiosk_feed_age_seconds", "gauge",
             "Seconds since the last successful feed fetch (since start if none).");
        time_t since = fs->last_success > 0 ? fs->last_success : st->started;
        fprintf(f, "edukiosk_feed_age_seconds %lld\n",
                (long long)(now > since ? now - since : 0));
        head(f, "edukiosk_fetch_result", "gauge",
             "Result of the last feed fetch: 1 for the current result.");
        static const enum fetch_result results[] = {FETCH_OK, FETCH_NOT_MODIFIED,
                                                    FETCH_ERROR};
        for (size_t i = 0; i < 3; i++)
            fprintf(f, "edukiosk_fetch_result{result=\"%s\"} %d\n",
                    result_name(results[i]), fs->result == results[i]);
        head(f, "edukiosk_fetch_http_status", "gauge",
             "HTTP status of the last feed fetch; 0 = no HTTP answer.");
        fprintf(f, "edukiosk_fetch_http_status %ld\n", fs->http_status);
        head(f, "edukiosk_feed_signatures_required", "gauge",
             "1 when only signed feeds are shown (feed_public_key is set).");
        fprintf(f, "edukiosk_feed_signatures_required %d\n", fs->signed_feeds);
        head(f, "edukiosk_feed_signature_failures_total", "counter",
             "Fetched feeds refused for their signature (missing, invalid, "
             "unknown key, older than the feed in use).");
        fprintf(f, "edukiosk_feed_signature_failures_total %lu\n", fs->signature_failures);
    }

    head(f, "edukiosk_slides_shown_total", "counter", "Slides shown since start.");
    fprintf(f, "edukiosk_slides_shown_total %llu\n", c->slides_shown);
    head(f, "edukiosk_deck_swaps_total", "counter",
         "Times a new deck replaced the one on screen since start.");
    fprintf(f, "edukiosk_deck_swaps_total %llu\n", c->deck_swaps);

    head(f, "edukiosk_frame_time_seconds", "summary",
         "Time to draw and present one frame.");
    fputs("edukiosk_frame_time_seconds{quantile=\"0.5\"} ", f);
    number(f, c->frames ? c->frame_ms_p50 / 1000.0 : NAN);
    fputs("\nedukiosk_frame_time_seconds{quantile=\"0.99\"} ", f);
    number(f, c->frames ? c->frame_ms_p99 / 1000.0 : NAN);
    fputs("\nedukiosk_frame_time_seconds_sum ", f);
    number(f, c->frame_ms_sum / 1000.0);
    fprintf(f, "\nedukiosk_frame_time_seconds_count %llu\n", c->frames);

    head(f, "edukiosk_display_on", "gauge",
         "Whether the display schedule has the screen on (1) or off (0).");
    fprintf(f, "edukiosk_display_on %d\n", c->display_on ? 1 : 0);

    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

char *status_metrics(struct status *st, time_t now)
{
    pthread_mutex_lock(&st->lock);
    char *s = build_metrics(st, now);
    pthread_mutex_unlock(&st->lock);
    return s;
}

/* What makes the metrics worth writing at once. */
static char *metrics_key(const struct status *st)
{
    char *s = NULL;
    if (asprintf(&s, "%d|%s|%s|%d|%d|%ld|%d|%lu", st->has_deck, st->source, st->hash,
                 st->has_fetch, (int)st->fetch.result, st->fetch.http_status,
                 (int)st->counters.display_on, st->fetch.signature_failures) < 0)
        return NULL;
    return s;
}

/* ---- writing ------------------------------------------------------------ */

int status_flush(struct status *st, time_t now)
{
    int rc = 0;
    pthread_mutex_lock(&st->lock);
    if (st->status_path) {
        char *json = build_json(st);
        if (!json) {
            rc = -1;
        } else if (st->last_json && strcmp(json, st->last_json) == 0) {
            free(json);
        } else {
            /* tmpfs: no fsync needed, atomic rename is enough for readers. */
            int r = file_write_atomic(st->status_path, json, strlen(json), false);
            if (r < 0) {
                LOG_WARN("cannot write %s: %s", st->status_path, file_strerror(r));
                free(json);
                rc = -1;
            } else {
                free(st->last_json);
                st->last_json = json;
            }
        }
    }
    if (st->metrics_path) {
        char *key = metrics_key(st);
        bool important = !key || !st->metrics_key || strcmp(key, st->metrics_key) != 0;
        bool due = !st->metrics_ever ||
                   now - st->metrics_written >= STATUS_METRICS_INTERVAL_S ||
                   now < st->metrics_written; /* the clock jumped back */
        if (important || due) {
            char *text = build_metrics(st, now);
            int r = text ? file_write_atomic(st->metrics_path, text, strlen(text), false)
                         : -ENOMEM;
            free(text);
            if (r < 0) {
                LOG_WARN("cannot write %s: %s", st->metrics_path, file_strerror(r));
                rc = -1;
                free(key);
            } else {
                st->metrics_written = now;
                st->metrics_ever = true;
                free(st->metrics_key);
                st->metrics_key = key;
            }
        } else {
            free(key);
        }
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}
