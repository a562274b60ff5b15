#define LOG_MODULE "render"
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Current, next, one ahead and a spare: enough to never re-rasterise in
 * a normal rotation, small enough for a Pi (8 MB each at 1080p). */
#define MAX_PICTURES 4

struct picture {
    uint64_t key;
    SDL_Texture *tex;
    time_t made;
    uint64_t used;
};

struct piece {
    SDL_Texture *tex;
    int w, h;
};

struct render {
    SDL_Renderer *r;
    int w, h, rotation;
    SDL_Texture *target; /* logical frame when rotated */
    struct picture pics[MAX_PICTURES];
    uint64_t use_clock;
    uint64_t keep[2];

    struct chrome_layout chrome;
    struct palette pal;
    struct piece header, clock, banner;
    struct piece ticker[RENDER_MAX_TICKER];
    int n_ticker;
};

static void piece_set(struct render *rd, struct piece *p, SDL_Surface *s)
{
    if (p->tex)
        SDL_DestroyTexture(p->tex);
    p->tex = NULL;
    p->w = p->h = 0;
    if (!s)
        return;
    p->tex = SDL_CreateTextureFromSurface(rd->r, s);
    if (p->tex) {
        SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND);
        p->w = s->w;
        p->h = s->h;
    } else {
        LOG_ERR("cannot upload a texture: %s", SDL_GetError());
    }
    SDL_FreeSurface(s);
}

struct render *render_new(SDL_Renderer *r, int w, int h, int rotation)
{
    struct render *rd = calloc(1, sizeof(*rd));
    if (!rd)
        return NULL;
    rd->r = r;
    rd->w = w;
    rd->h = h;
    rd->rotation = rotation;
    if (rotation != 0) {
        rd->target = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_TARGET, w, h);
        if (!rd->target) {
            LOG_ERR("rotation needs render targets: %s", SDL_GetError());
            free(rd);
            return NULL;
        }
    }
    return rd;
}

void render_drop_pictures(struct render *rd)
{
    for (int i = 0; i < MAX_PICTURES; i++) {
        if (rd->pics[i].tex)
            SDL_DestroyTexture(rd->pics[i].tex);
        memset(&rd->pics[i], 0, sizeof(rd->pics[i]));
    }
}

void render_free(struct render *rd)
{
    if (!rd)
        return;
    render_drop_pictures(rd);
    piece_set(rd, &rd->header, NULL);
    piece_set(rd, &rd->clock, NULL);
    piece_set(rd, &rd->banner, NULL);
    for (int i = 0; i < RENDER_MAX_TICKER; i++)
        piece_set(rd, &rd->ticker[i], NULL);
    if (rd->target)
        SDL_DestroyTexture(rd->target);
    free(rd);
}

static struct picture *find(const struct render *rd, uint64_t key)
{
    for (int i = 0; i < MAX_PICTURES; i++)
        if (rd->pics[i].tex && rd->pics[i].key == key)
            return (struct picture *)&rd->pics[i];
    return NULL;
}

void render_put_picture(struct render *rd, uint64_t key, SDL_Surface *s, time_t made)
{
    if (!s)
        return;
    struct picture *slot = find(rd, key);
    if (!slot) {
        for (int i = 0; i < MAX_PICTURES; i++) {
            struct picture *p = &rd->pics[i];
            if (!p->tex) {
                slot = p;
                break;
            }
            if (p->key == rd->keep[0] || p->key == rd->keep[1])
                continue;
            if (!slot || p->used < slot->used)
                slot = p;
        }
    }
    if (!slot) {
        SDL_FreeSurface(s);
        return;
    }
    if (slot->tex)
        SDL_DestroyTexture(slot->tex);
    slot->tex = SDL_CreateTextureFromSurface(rd->r, s);
    SDL_FreeSurface(s);
    if (!slot->tex) {
        LOG_ERR("cannot upload a slide: %s", SDL_GetError());
        memset(slot, 0, sizeof(*slot));
        return;
    }
    SDL_SetTextureBlendMode(slot->tex, SDL_BLENDMODE_BLEND);
    slot->key = key;
    slot->made = made;
    slot->used = ++rd->use_clock;
}

bool render_has_picture(const struct render *rd, uint64_t key, time_t *made)
{
    const struct picture *p = find(rd, key);
    if (p && made)
        *made = p->made;
    return p != NULL;
}

void render_set_chrome(struct render *rd, const struct deck *d)
{
    layout_chrome(d, rd->w, rd->h, &rd->chrome);
    paint_palette(d, &rd->pal);
}

void render_put_header(struct render *rd, SDL_Surface *s) { piece_set(rd, &rd->header, s); }
void render_put_clock(struct render *rd, SDL_Surface *s) { piece_set(rd, &rd->clock, s); }
void render_put_banner(struct render *rd, SDL_Surface *s) { piece_set(rd, &rd->banner, s); }

void render_put_ticker(struct render *rd, int index, SDL_Surface *s)
{
    if (index < 0 || index >= RENDER_MAX_TICKER) {
        SDL_FreeSurface(s);
        return;
    }
    piece_set(rd, &rd->ticker[index], s);
}

void render_set_ticker_count(struct render *rd, int n)
{
    if (n > RENDER_MAX_TICKER)
        n = RENDER_MAX_TICKER;
    for (int i = n; i < rd->n_ticker; i++)
        piece_set(rd, &rd->ticker[i], NULL);
    rd->n_ticker = n;
}

double render_ticker_speed(const struct render *rd)
{
    /* About two thirds of the strip height per second... times ten:
     * readable at a walk, ~110 px/s at 1080p. */
    return rd->chrome.ticker.h > 0 ? rd->chrome.ticker.h * 1.4 : 0.0;
}

static void set_color(SDL_Renderer *r, SDL_Color c, Uint8 a)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, a);
}

static void draw_picture(struct render *rd, uint64_t key, int dx, Uint8 alpha)
{
    struct picture *p = find(rd, key);
    if (!p)
        return;
    p->used = ++rd->use_clock;
    /* Slides are opaque: a plain copy is much cheaper than a blend in
     * the software renderer. */
    SDL_SetTextureBlendMode(p->tex, alpha == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetTextureAlphaMod(p->tex, alpha);
    SDL_Rect dst = {dx, 0, rd->w, rd->h};
    SDL_RenderCopy(rd->r, p->tex, NULL, &dst);
}

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
        SDL_SetRenderDrawBlendMode(rd->r, SDL_BLENDMODE_BLEND);
        set_color(rd->r, rd->pal.text, 50);
        SDL_RenderFillRect(rd->r, &(SDL_Rect){b->x, b->y, b->w, b->h});
        set_color(rd->r, rd->pal.accent, 255);
        SDL_RenderFillRect(rd->r,
                           &(SDL_Rect){b->x, b->y, b->w * (f->slide_index + 1) / n, b->h});
        return;
    }
    int total = seg * n + gap * (n - 1);
    int x = b->x + (b->w - total) / 2;
    SDL_SetRenderDrawBlendMode(rd->r, SDL_BLENDMODE_BLEND);
    for (int i = 0; i < n; i++, x += seg + gap) {
        bool cur = i == f->slide_index;
        set_color(rd->r, cur ? rd->pal.accent : rd->pal.text, cur ? 255 : 60);
        SDL_RenderFillRect(rd->r, &(SDL_Rect){x, b->y, seg, b->h});
    }
}

static void draw_ticker(struct render *rd, const struct frame *f)
{
    const struct lay_box *b = &rd->chrome.ticker;
    if (b->h <= 0 || rd->n_ticker == 0)
        return;
    SDL_SetRenderDrawBlendMode(rd->r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(rd->r, 0, 0, 0, 70);
    SDL_RenderFillRect(rd->r, &(SDL_Rect){b->x, b->y, b->w, b->h});

    int gap = b->h * 2; /* room for the separator dot */
    long total = 0;
    for (int i = 0; i < rd->n_ticker; i++)
        if (rd->ticker[i].tex)
            total += rd->ticker[i].w + gap;
    if (total <= 0)
        return;
    long off = (long)fmod((double)f->ticker_ms * render_ticker_speed(rd) / 1000.0,
                          (double)total);
    SDL_RenderSetClipRect(rd->r, &(SDL_Rect){b->x, b->y, b->w, b->h});
    long x = b->x + b->h / 2 - off;
    int dot = b->h / 6 > 2 ? b->h / 6 : 2;
    while (x < b->x + b->w) {
        for (int i = 0; i < rd->n_ticker && x < b->x + b->w; i++) {
            struct piece *p = &rd->ticker[i];
            if (!p->tex)
                continue;
            if (x + p->w + gap > b->x) {
                SDL_Rect dst = {(int)x, b->y + (b->h - p->h) / 2, p->w, p->h};
                SDL_RenderCopy(rd->r, p->tex, NULL, &dst);
                set_color(rd->r, rd->pal.accent, 255);
                SDL_RenderFillRect(rd->r, &(SDL_Rect){(int)x + p->w + (gap - dot) / 2,
                                                      b->y + (b->h - dot) / 2, dot, dot});
            }
            x += p->w + gap;
        }
    }
    SDL_RenderSetClipRect(rd->r, NULL);
}

static void draw_chrome(struct render *rd, const struct frame *f)
{
    const struct chrome_layout *c = &rd->chrome;
    if (rd->header.tex)
        SDL_RenderCopy(rd->r, rd->header.tex, NULL,
                       &(SDL_Rect){c->header.x, c->header.y, rd->header.w, rd->header.h});
    if (rd->clock.tex) {
        SDL_Rect dst = {c->clock.x + c->clock.w - rd->clock.w,
                        c->clock.y + (c->clock.h - rd->clock.h) / 2, rd->clock.w,
                        rd->clock.h};
        SDL_RenderCopy(rd->r, rd->clock.tex, NULL, &dst);
    }
    draw_progress(rd, f);
    draw_ticker(rd, f);
    if (f->banner && rd->banner.tex)
        SDL_RenderCopy(rd->r, rd->banner.tex, NULL,
                       &(SDL_Rect){c->banner.x, c->banner.y, rd->banner.w, rd->banner.h});
}

void render_compose(struct render *rd, const struct frame *f)
{
    if (rd->target)
        SDL_SetRenderTarget(rd->r, rd->target);
    SDL_SetRenderDrawBlendMode(rd->r, SDL_BLENDMODE_NONE);
    if (f->blank) {
        SDL_SetRenderDrawColor(rd->r, 0, 0, 0, 255);
        SDL_RenderClear(rd->r);
    } else {
        set_color(rd->r, rd->pal.background, 255);
        SDL_RenderClear(rd->r);
        rd->keep[0] = f->from_key;
        rd->keep[1] = f->transition ? f->to_key : f->from_key;
        if (!f->transition) {
            draw_picture(rd, f->from_key, 0, 255);
        } else if (f->kind == TRANSITION_SLIDE) {
            int dx = (int)lroundf(f->progress * (float)rd->w);
            draw_picture(rd, f->from_key, -dx, 255);
            draw_picture(rd, f->to_key, rd->w - dx, 255);
        } else {
            draw_picture(rd, f->from_key, 0, 255);
            draw_picture(rd, f->to_key, 0, (Uint8)lroundf(f->progress * 255.0f));
        }
        if (f->chrome)
            draw_chrome(rd, f);
    }
    if (rd->target) {
        SDL_SetRenderTarget(rd->r, NULL);
        SDL_SetRenderDrawColor(rd->r, 0, 0, 0, 255);
        SDL_RenderClear(rd->r);
        int ow, oh;
        SDL_GetRendererOutputSize(rd->r, &ow, &oh);
        /* The logical frame is h × w of the output when turned by 90. */
        SDL_Rect dst = {(ow - rd->w) / 2, (oh - rd->h) / 2, rd->w, rd->h};
        SDL_RenderCopyEx(rd->r, rd->target, NULL, &dst, rd->rotation, NULL, SDL_FLIP_NONE);
    }
}

void render_frame(struct render *rd, const struct frame *f)
{
    render_compose(rd, f);
    SDL_RenderPresent(rd->r);
}

SDL_Surface *render_read_pixels(struct render *rd)
{
    int w, h;
    if (SDL_GetRendererOutputSize(rd->r, &w, &h) < 0)
        return NULL;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return NULL;
    if (SDL_RenderReadPixels(rd->r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) < 0) {
        LOG_ERR("cannot read the screen: %s", SDL_GetError());
        SDL_FreeSurface(s);
        return NULL;
    }
    return s;
}
