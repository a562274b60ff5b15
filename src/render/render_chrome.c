#define LOG_MODULE "render"
/* The chrome drawn over the slides every frame: header and clock pieces,
 * the progress indicator and the ticker — on the surface back end one
 * strip composed once, so a ticker frame is two copies. */
#include <math.h>

#include "render_priv.h"

static void draw_progress(struct render *rd, const struct frame *f)
{
    const struct lay_box *b = &rd->chrome.progress;
    if (f->n_slides <= 1 || b->w <= 0 || b->h <= 0)
        return;
    int n = f->n_slides;
    int gap = b->h;
    int seg = (b->w - gap * (n - 1)) / n;
    if (seg > b->h * 12)
        seg = b->h * 12;
    if (seg < 2) {
        /* Too many slides for segments: one proportional bar. */
        render_cv_fill(rd, (SDL_Rect){b->x, b->y, b->w, b->h}, rd->pal.text, 50);
        render_cv_fill(rd, (SDL_Rect){b->x, b->y, b->w * (f->slide_index + 1) / n, b->h},
                       rd->pal.accent, 255);
        return;
    }
    int total = seg * n + gap * (n - 1);
    int x = b->x + (b->w - total) / 2;
    for (int i = 0; i < n; i++, x += seg + gap) {
        bool cur = i == f->slide_index;
        render_cv_fill(rd, (SDL_Rect){x, b->y, seg, b->h},
                       cur ? rd->pal.accent : rd->pal.text, cur ? 255 : 60);
    }
}

static void draw_ticker_items(struct render *rd, const struct frame *f,
                              const SDL_Rect *clip);

static long ticker_length(const struct render *rd, int gap)
{
    long total = 0;
    for (int i = 0; i < rd->n_ticker; i++)
        if (img_loaded(&rd->ticker[i]))
            total += rd->ticker[i].w + gap;
    return total;
}

/* One period of the ticker, composed onto its band, in the canvas format. */
static void build_strip(struct render *rd, int gap, long total)
{
    rd->strip_stale = false;
    SDL_FreeSurface(rd->strip);
    rd->strip = NULL;
    const struct lay_box *b = &rd->chrome.ticker;
    if (total <= 0 || total > MAX_STRIP_W || b->h <= 0)
        return;
    rd->strip = SDL_CreateRGBSurfaceWithFormat(0, (int)total, b->h, 32,
                                               rd->canvas->format->format);
    if (!rd->strip)
        return;
    SDL_Color c = rd->pal.band;
    SDL_FillRect(rd->strip, NULL, SDL_MapRGB(rd->strip->format, c.r, c.g, c.b));
    int dot = b->h / 6 > 2 ? b->h / 6 : 2;
    int x = 0;
    for (int i = 0; i < rd->n_ticker; i++) {
        struct img *p = &rd->ticker[i];
        if (!p->surf)
            continue;
        SDL_Rect dst = {x, (b->h - p->h) / 2, p->w, p->h};
        SDL_BlitSurface(p->surf, NULL, rd->strip, &dst);
        paint_rect(rd->strip, x + p->w + (gap - dot) / 2, (b->h - dot) / 2, dot, dot, 0,
                   rd->pal.accent, 255);
        x += p->w + gap;
    }
}

void render_draw_ticker(struct render *rd, const struct frame *f, const SDL_Rect *clip)
{
    if (!rd->r && rd->chrome.ticker.h > 0 && rd->n_ticker > 0) {
        const struct lay_box *b = &rd->chrome.ticker;
        int gap = b->h * 2;
        long total = ticker_length(rd, gap);
        if (rd->strip_stale)
            build_strip(rd, gap, total);
        if (rd->strip && total > 0) {
            long off = (long)fmod((double)f->ticker_ms * render_ticker_speed(rd) / 1000.0,
                                  (double)total);
            /* Strip column shown at the band's left edge. */
            long sx = ((off - b->h / 2) % total + total) % total;
            int x = b->x;
            while (x < b->x + b->w) {
                int w = (int)(total - sx);
                if (w > b->x + b->w - x)
                    w = b->x + b->w - x;
                SDL_Rect src = {(int)sx, 0, w, b->h}, dst = {x, b->y, w, b->h};
                SDL_BlitSurface(rd->strip, &src, rd->canvas, &dst);
                x += w;
                sx = 0;
            }
            return;
        }
    }
    draw_ticker_items(rd, f, clip);
}

static void draw_ticker_items(struct render *rd, const struct frame *f,
                              const SDL_Rect *clip)
{
    const struct lay_box *b = &rd->chrome.ticker;
    if (b->h <= 0 || rd->n_ticker == 0)
        return;
    render_cv_fill(rd, (SDL_Rect){b->x, b->y, b->w, b->h}, rd->pal.band, 255);

    int gap = b->h * 2; /* room for the separator dot */
    long total = ticker_length(rd, gap);
    if (total <= 0)
        return;
    long off = (long)fmod((double)f->ticker_ms * render_ticker_speed(rd) / 1000.0,
                          (double)total);
    SDL_Rect strip = {b->x, b->y, b->w, b->h};
    SDL_IntersectRect(&strip, clip, &strip);
    render_cv_clip(rd, &strip);
    long x = b->x + b->h / 2 - off;
    int dot = b->h / 6 > 2 ? b->h / 6 : 2;
    while (x < b->x + b->w) {
        for (int i = 0; i < rd->n_ticker && x < b->x + b->w; i++) {
            struct img *p = &rd->ticker[i];
            if (!img_loaded(p))
                continue;
            if (x + p->w + gap > b->x) {
                render_cv_copy(
                    rd, p, (SDL_Rect){(int)x, b->y + (b->h - p->h) / 2, p->w, p->h}, 255);
                render_cv_fill(rd,
                               (SDL_Rect){(int)x + p->w + (gap - dot) / 2,
                                          b->y + (b->h - dot) / 2, dot, dot},
                               rd->pal.accent, 255);
            }
            x += p->w + gap;
        }
    }
    render_cv_clip(rd, clip);
}

void render_draw_chrome(struct render *rd, const struct frame *f, const SDL_Rect *clip)
{
    const struct chrome_layout *c = &rd->chrome;
    if (!f->clock_only && img_loaded(&rd->header))
        render_cv_copy(rd, &rd->header,
                       (SDL_Rect){c->header.x, c->header.y, rd->header.w, rd->header.h},
                       255);
    if (img_loaded(&rd->clock))
        render_cv_copy(rd, &rd->clock,
                       (SDL_Rect){c->clock.x + c->clock.w - rd->clock.w,
                                  c->clock.y + (c->clock.h - rd->clock.h) / 2,
                                  rd->clock.w, rd->clock.h},
                       255);
    if (f->clock_only)
        return;
    draw_progress(rd, f);
    render_draw_ticker(rd, f, clip);
    if (f->banner && img_loaded(&rd->banner))
        render_cv_copy(rd, &rd->banner,
                       (SDL_Rect){c->banner.x, c->banner.y, rd->banner.w, rd->banner.h},
                       255);
}
