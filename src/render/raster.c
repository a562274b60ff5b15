#define LOG_MODULE "raster"
#include "raster.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "paint.h"
#include "text_bidi.h"
#include "utf8.h"
#include "vclock.h"

/* Moves a display list laid out in screen coordinates into a surface of
 * its own box (header, banner). */
static void shift_layout(struct slide_layout *l, struct lay_box box)
{
    for (int i = 0; i < l->n_items; i++) {
        l->items[i].box.x -= box.x;
        l->items[i].box.y -= box.y;
    }
    l->w = box.w;
    l->h = box.h;
}

static int add_item(struct slide_layout *l, const struct lay_item *it)
{
    struct lay_item *n = realloc(l->items, sizeof(*n) * (size_t)(l->n_items + 1));
    if (!n)
        return -1;
    l->items = n;
    l->items[l->n_items++] = *it;
    return 0;
}

static int layout_header(const struct deck *d, const struct chrome_layout *c,
                         const struct text_measure *m, struct slide_layout *l)
{
    memset(l, 0, sizeof(*l));
    l->w = c->w;
    l->h = c->h;
    int rule = c->header.h / 40 > 2 ? c->header.h / 40 : 2;
    struct lay_item band = {.kind = LAY_RECT, .box = c->header, .color = LC_BACKGROUND,
                            .alpha = 255};
    struct lay_item shade = {.kind = LAY_RECT, .box = c->header, .color = LC_WHITE,
                             .alpha = 14};
    struct lay_item line = {.kind = LAY_RECT, .color = LC_ACCENT, .alpha = 255,
                            .box = {c->header.x, c->header.y + c->header.h - rule,
                                    c->header.w, rule}};
    if (add_item(l, &band) < 0 || add_item(l, &shade) < 0 || add_item(l, &line) < 0)
        return -1;
    if (c->logo.w > 0 && d->theme.logo && d->theme.logo->data) {
        struct lay_item logo = {.kind = LAY_IMAGE, .box = c->logo, .alpha = 255,
                                .image = d->theme.logo, .fit = FIT_CONTAIN};
        if (add_item(l, &logo) < 0)
            return -1;
    }
    if (d->school && *d->school && c->school.w > 0) {
        struct lay_item t = {.kind = LAY_TEXT, .box = c->school, .color = LC_TEXT,
                             .alpha = 255, .role = "school", .bold = true,
                             .align = ALIGN_LEFT, .vcenter = true};
        struct text_fit_req req = {.text = d->school, .box_w = c->school.w,
                                   .box_h = c->school.h, .max_px = c->school_px,
                                   .min_px = c->school_px * 2 / 3, .bold = true,
                                   .line_spacing = 1.2f, .max_lines = 1};
        if (text_fit(&req, m, &t.text) < 0)
            return -1;
        if (add_item(l, &t) < 0) {
            text_lines_free(&t.text);
            return -1;
        }
    }
    shift_layout(l, c->header);
    return 0;
}

static SDL_Surface *one_line(struct fontset *fs, const char *text, int px, bool bold,
                             SDL_Color color)
{
    if (!text || !*text)
        return NULL;
    size_t len = strlen(text);
    return fontset_render(fs, text, len, px, bold, text_bidi_rtl(text, len), color);
}

/* A ticker item, within the pixels the whole ticker may take: what
 * DECK_MAX_TICKER_CHARS full-width characters need.  The feed caps the
 * characters; this caps extra-wide glyphs, which would otherwise make a
 * short text a huge surface. */
static SDL_Surface *ticker_item(struct fontset *fs, const struct deck *d, int index, int px,
                                SDL_Color color)
{
    long left = (long)DECK_MAX_TICKER_CHARS * px;
    for (int i = 0; i < index && left > 0; i++)
        left -= fontset_measure(fs, d->ticker[i], strlen(d->ticker[i]), px, false,
                                text_bidi_rtl(d->ticker[i], strlen(d->ticker[i])));
    const char *t = d->ticker[index];
    size_t len = strlen(t);
    bool rtl = text_bidi_rtl(t, len);
    if (left <= 0 || !*t)
        return NULL;
    if (fontset_measure(fs, t, len, px, false, rtl) > left) {
        /* The longest start of the text that fits, by bisection over
         * character boundaries: lo fits, hi does not. */
        size_t lo = 0, hi = len;
        for (;;) {
            size_t mid = lo + (hi - lo) / 2;
            while (mid > lo && ((unsigned char)t[mid] & 0xC0) == 0x80)
                mid--;
            if (mid == lo) {
                size_t adv;
                utf8_decode(t + lo, len - lo, &adv);
                mid = lo + adv;
            }
            if (mid >= hi)
                break;
            if (fontset_measure(fs, t, mid, px, false, rtl) <= left)
                lo = mid;
            else
                hi = mid;
        }
        LOG_WARN("ticker text %d is too wide to show whole; cut after %zu of %zu bytes",
                 index + 1, lo, len);
        len = lo;
        if (len == 0)
            return NULL;
    }
    return fontset_render(fs, t, len, px, false, rtl, color);
}

SDL_Surface *raster_make(struct fontset *fs, const struct raster_job *job,
                         struct slide_layout *layout_out)
{
    const struct deck *d = job->deck;
    struct text_measure m = {fontset_measure, fs};
    struct chrome_layout c;
    layout_chrome(d, job->w, job->h, &c);
    struct slide_layout l;
    memset(&l, 0, sizeof(l));
    struct palette pal;
    paint_palette(d, &pal);
    int r = 0;
    bool background = true;

    switch (job->kind) {
    case RASTER_SLIDE:
        if (job->index < 0 || (size_t)job->index >= d->n_slides)
            return NULL;
        r = layout_slide(d, &d->slides[job->index], job->w, job->h, job->now, &m, &l);
        break;
    case RASTER_FALLBACK:
        r = layout_fallback(d, job->w, job->h, job->now, &m, &l);
        break;
    case RASTER_ALERT:
        r = layout_alert(d, &d->alert, job->w, job->h, &m, &l);
        break;
    case RASTER_HEADER:
        r = layout_header(d, &c, &m, &l);
        background = false;
        break;
    case RASTER_BANNER:
        r = layout_banner(d, &d->alert, &c, &m, &l);
        if (r == 0)
            shift_layout(&l, c.banner);
        background = false;
        break;
    case RASTER_TICKER:
        if (job->index < 0 || (size_t)job->index >= d->n_ticker)
            return NULL;
        return ticker_item(fs, d, job->index, c.ticker_px, pal.text);
    case RASTER_CLOCK:
        return one_line(fs, job->text, c.clock_px, false, pal.text);
    }
    if (r < 0) {
        LOG_ERR("layout failed (out of memory)");
        slide_layout_free(&l);
        return NULL;
    }
    SDL_Surface *s = paint_layout(fs, d, &l, background);
    if (layout_out)
        *layout_out = l;
    else
        slide_layout_free(&l);
    return s;
}

/* --- the worker ------------------------------------------------------ */

struct job_node {
    struct raster_job job;
    struct job_node *next;
};

struct result_node {
    struct raster_result res;
    struct result_node *next;
};

struct raster {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    bool reset_fonts; /* a new deck was adopted: start its fonts clean */
    bool started;     /* fontset ready (or failed: ok false) */
    bool ok;
    struct job_node *jobs, **jobs_tail;
    struct result_node *results, **results_tail;
    void (*wake)(void *ud);
    void *ud;
};

static void *worker(void *arg)
{
    struct raster *r = arg;
    struct fontset *fs = fontset_new();
    pthread_mutex_lock(&r->lock);
    r->started = true;
    r->ok = fs != NULL;
    pthread_cond_broadcast(&r->cond);
    while (fs) {
        while (!r->stop && !r->jobs)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->stop)
            break;
        if (r->reset_fonts) {
            r->reset_fonts = false;
            fontset_reset(fs);
        }
        struct job_node *n = r->jobs;
        r->jobs = n->next;
        if (!r->jobs)
            r->jobs_tail = &r->jobs;
        pthread_mutex_unlock(&r->lock);

        struct result_node *out = calloc(1, sizeof(*out));
        SDL_Surface *s = raster_make(fs, &n->job, NULL);
        if (out) {
            out->res.key = n->job.key;
            out->res.surface = s;
        } else {
            SDL_FreeSurface(s);
        }
        deck_unref(n->job.deck);
        free(n);

        pthread_mutex_lock(&r->lock);
        if (out) {
            *r->results_tail = out;
            r->results_tail = &out->next;
        }
        pthread_mutex_unlock(&r->lock);
        if (out && r->wake)
            r->wake(r->ud);
        vclock_release(); /* taken by raster_submit */
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    fontset_free(fs);
    return NULL;
}

struct raster *raster_new(void (*wake)(void *ud), void *ud)
{
    struct raster *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->jobs_tail = &r->jobs;
    r->results_tail = &r->results;
    r->wake = wake;
    r->ud = ud;
    if (pthread_create(&r->thread, NULL, worker, r) != 0) {
        LOG_ERR("cannot start the raster thread");
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->cond);
        free(r);
        return NULL;
    }
    return r;
}

bool raster_ready(struct raster *r)
{
    pthread_mutex_lock(&r->lock);
    while (!r->started)
        pthread_cond_wait(&r->cond, &r->lock);
    bool ok = r->ok;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void raster_submit(struct raster *r, const struct raster_job *job)
{
    struct job_node *n = calloc(1, sizeof(*n));
    if (!n) {
        LOG_ERR("out of memory queueing a raster job");
        return;
    }
    n->job = *job;
    deck_ref(n->job.deck);
    vclock_hold(); /* simulated time waits for the picture */
    pthread_mutex_lock(&r->lock);
    *r->jobs_tail = n;
    r->jobs_tail = &n->next;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

void raster_new_deck(struct raster *r)
{
    pthread_mutex_lock(&r->lock);
    r->reset_fonts = true;
    pthread_mutex_unlock(&r->lock);
}

int raster_take(struct raster *r, struct raster_result *out, int max)
{
    int n = 0;
    pthread_mutex_lock(&r->lock);
    while (n < max && r->results) {
        struct result_node *res = r->results;
        r->results = res->next;
        out[n++] = res->res;
        free(res);
    }
    if (!r->results)
        r->results_tail = &r->results;
    pthread_mutex_unlock(&r->lock);
    return n;
}

void raster_free(struct raster *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    while (r->jobs) {
        struct job_node *n = r->jobs;
        r->jobs = n->next;
        deck_unref(n->job.deck);
        free(n);
        vclock_release();
    }
    while (r->results) {
        struct result_node *n = r->results;
        r->results = n->next;
        SDL_FreeSurface(n->res.surface);
        free(n);
    }
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r);
}
