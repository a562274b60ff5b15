#define LOG_MODULE "export"
#include "export.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fileutil.h"
#include "layout.h"
#include "log.h"
#include "pngfile.h"
#include "raster.h"
#include "render.h"
#include "schedule.h"

static json_t *box_json(const struct lay_item *it, int dx, int dy)
{
    json_t *lines = json_array();
    for (int i = 0; i < it->text.n; i++)
        json_array_append_new(lines, json_string(it->text.lines[i]));
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "role",
                     it->role ? it->role : "text", "font_px", it->text.px, "x",
                     it->box.x + dx, "y", it->box.y + dy, "w", it->box.w, "h", it->box.h,
                     "lines", lines);
}

static void add_text_boxes(json_t *boxes, const struct slide_layout *l, int dx, int dy)
{
    for (int i = 0; i < l->n_items; i++)
        if (l->items[i].kind == LAY_TEXT && l->items[i].text.n > 0)
            json_array_append_new(boxes, box_json(&l->items[i], dx, dy));
}

static int save_png(SDL_Surface *s, const char *dir, int n)
{
    char path[PATH_MAX], name[32];
    snprintf(name, sizeof(name), "slide-%02d.png", n);
    char err[256];
    if (file_join(path, sizeof(path), dir, name) < 0) {
        LOG_ERR("cannot write %s in %s: %s", name, dir, strerror(ENAMETOOLONG));
        return -1;
    }
    if (pngfile_save(path, s, true, err, sizeof(err)) < 0) {
        LOG_ERR("cannot write %s: %s", path, err);
        return -1;
    }
    return 0;
}

/* An info/warning alert in force at `now` shows as a banner, as on the
 * screen (the clock is pinned, so it is trusted). */
static bool banner_active(const struct deck *d, time_t now)
{
    struct schedule_ctx sc = {.now = now, .clock_ok = true, .last_good = now};
    return (d->alert.level == ALERT_INFO || d->alert.level == ALERT_WARNING) &&
           schedule_alert_active(&d->alert, &sc);
}

/* The chrome of the deck, loaded into the compositor; its text boxes (with
 * screen coordinates) appended to chrome_boxes. */
static int load_chrome(struct fontset *fs, struct render *rd, struct deck *d, int w, int h,
                       time_t now, json_t *chrome_boxes)
{
    struct chrome_layout c;
    layout_chrome(d, w, h, &c);
    render_set_chrome(rd, d);

    struct raster_job job = {.kind = RASTER_HEADER, .deck = d, .w = w, .h = h, .now = now};
    struct slide_layout l;
    memset(&l, 0, sizeof(l));
    render_put_header(rd, raster_make(fs, &job, &l));
    if (chrome_boxes)
        add_text_boxes(chrome_boxes, &l, c.header.x, c.header.y);
    slide_layout_free(&l);

    job.kind = RASTER_CLOCK;
    layout_clock_text(now, d->lang, job.text, sizeof(job.text));
    SDL_Surface *clock = raster_make(fs, &job, NULL);
    if (clock && chrome_boxes) {
        json_t *lines = json_pack("[s]", job.text);
        json_array_append_new(chrome_boxes,
                              json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "role",
                                        "clock", "font_px", c.clock_px, "x",
                                        c.clock.x + c.clock.w - clock->w, "y",
                                        c.clock.y + (c.clock.h - clock->h) / 2, "w",
                                        clock->w, "h", clock->h, "lines", lines));
    }
    render_put_clock(rd, clock);

    if (banner_active(d, now)) {
        job.kind = RASTER_BANNER;
        render_put_banner(rd, raster_make(fs, &job, NULL));
    }

    render_set_ticker_count(rd, (int)d->n_ticker);
    for (size_t i = 0; i < d->n_ticker && i < RENDER_MAX_TICKER; i++) {
        job.kind = RASTER_TICKER;
        job.index = (int)i;
        render_put_ticker(rd, (int)i, raster_make(fs, &job, NULL));
    }
    return 0;
}

/* Slide i composed on the screen surface with the chrome, as the screen
 * shows it once the transition is over; its layout in *l. */
static int draw_slide(struct fontset *fs, struct render *rd, struct deck *d, size_t i, int w,
                      int h, time_t now, struct slide_layout *l)
{
    struct raster_job job = {.kind = RASTER_SLIDE, .deck = d, .index = (int)i,
                             .w = w, .h = h, .now = now};
    SDL_Surface *s = raster_make(fs, &job, l);
    if (!s)
        return -1;
    render_put_picture(rd, i + 1, s, now);
    struct frame f = {.from_key = i + 1, .chrome = true, .slide_index = (int)i,
                      .n_slides = (int)d->n_slides, .banner = banner_active(d, now)};
    render_compose(rd, &f);
    return 0;
}

int export_render(const struct deck *cd, const char *dir, int w, int h, time_t now)
{
    struct deck *d = (struct deck *)cd; /* jobs hold it; never written */
    int rc = 3;
    int r = file_mkdirs(dir);
    if (r < 0) {
        LOG_ERR("cannot create %s: %s", dir, file_strerror(r));
        return 3;
    }
    struct fontset *fs = fontset_new();
    SDL_Surface *screen =
        SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    /* The surface back end the kiosk uses without a GPU. */
    struct render *rd = screen ? render_new_surface(NULL, screen) : NULL;
    json_t *out = json_array();
    json_t *chrome_boxes = json_array();
    if (!fs || !rd || !out || !chrome_boxes) {
        LOG_ERR("cannot set up rendering: %s", SDL_GetError());
        goto done;
    }
    load_chrome(fs, rd, d, w, h, now, chrome_boxes);

    for (size_t i = 0; i < d->n_slides; i++) {
        struct slide_layout l;
        memset(&l, 0, sizeof(l));
        if (draw_slide(fs, rd, d, i, w, h, now, &l) < 0 || save_png(screen, dir, (int)i + 1) < 0) {
            slide_layout_free(&l);
            goto done;
        }
        json_t *boxes = json_array();
        add_text_boxes(boxes, &l, 0, 0);
        json_array_extend(boxes, chrome_boxes);
        const struct slide *sl = &d->slides[i];
        json_array_append_new(out, json_pack("{s:i, s:s?, s:s, s:o}", "slide", (int)i + 1,
                                             "id", sl->id, "type",
                                             slide_type_name(sl->type), "boxes", boxes));
        slide_layout_free(&l);
    }

    char path[PATH_MAX];
    int wr = file_join(path, sizeof(path), dir, "layout.json");
    char *text = json_dumps(out, JSON_INDENT(2));
    if (wr == 0)
        wr = text ? file_write_atomic(path, text, strlen(text), true) : -ENOMEM;
    if (wr < 0) {
        LOG_ERR("cannot write %s: %s", path, file_strerror(wr));
        free(text);
        goto done;
    }
    free(text);
    rc = 0;
done:
    json_decref(out);
    json_decref(chrome_boxes);
    render_free(rd);
    SDL_FreeSurface(screen);
    fontset_free(fs);
    return rc;
}

int export_slide_png(const struct deck *cd, size_t index, int w, int h, time_t now,
                     unsigned char **png, size_t *len)
{
    struct deck *d = (struct deck *)cd; /* jobs hold it; never written */
    if (index >= d->n_slides)
        return 3;
    int rc = 3;
    struct fontset *fs = fontset_new();
    SDL_Surface *screen =
        SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    struct render *rd = screen ? render_new_surface(NULL, screen) : NULL;
    if (!fs || !rd) {
        LOG_ERR("cannot set up rendering: %s", SDL_GetError());
        goto done;
    }
    load_chrome(fs, rd, d, w, h, now, NULL);
    struct slide_layout l;
    memset(&l, 0, sizeof(l));
    int r = draw_slide(fs, rd, d, index, w, h, now, &l);
    slide_layout_free(&l);
    char err[256];
    if (r < 0) {
        LOG_ERR("cannot draw slide %zu", index + 1);
    } else if (pngfile_encode(screen, png, len, err, sizeof(err)) < 0) {
        LOG_ERR("cannot encode slide %zu: %s", index + 1, err);
    } else {
        rc = 0;
    }
done:
    render_free(rd);
    SDL_FreeSurface(screen);
    fontset_free(fs);
    return rc;
}
