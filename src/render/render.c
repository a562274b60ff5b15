#define LOG_MODULE "render"
#include "render.h"
#include "render_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"

/* ---- damage ------------------------------------------------------ */

static void damage(struct render *rd, SDL_Rect r)
{
    SDL_Rect screen = {0, 0, rd->w, rd->h};
    if (!SDL_IntersectRect(&r, &screen, &r))
        return;
    if (SDL_RectEmpty(&rd->damage))
        rd->damage = r;
    else
        SDL_UnionRect(&rd->damage, &r, &rd->damage);
}

static void damage_all(struct render *rd)
{
    damage(rd, (SDL_Rect){0, 0, rd->w, rd->h});
}

/* ---- images on either back end ------------------------------------ */

static void img_clear(struct img *i)
{
    render_tex_free(i);
    SDL_FreeSurface(i->surf);
    SDL_FreeSurface(i->owner);
    memset(i, 0, sizeof(*i));
}

/* Takes s.  Opaque pictures are converted to the canvas format so a
 * still frame is a plain copy; chrome keeps its alpha. */
static bool img_set(struct render *rd, struct img *i, SDL_Surface *s, bool opaque)
{
    img_clear(i);
    if (!s)
        return false;
    i->w = s->w;
    i->h = s->h;
    if (rd->r) {
        bool ok = render_tex_upload(rd, i, s, opaque);
        SDL_FreeSurface(s);
        return ok;
    }
    if (opaque && s->format->format == SDL_PIXELFORMAT_ARGB8888 &&
        rd->canvas->format->format == SDL_PIXELFORMAT_RGB888) {
        /* Same bytes, alpha ignored: view the pixels instead of copying
         * 8 MB per slide. */
        i->surf = SDL_CreateRGBSurfaceWithFormatFrom(s->pixels, s->w, s->h, 32, s->pitch,
                                                     SDL_PIXELFORMAT_RGB888);
        if (i->surf)
            i->owner = s;
        else
            SDL_FreeSurface(s);
    } else if (opaque && s->format->format != rd->canvas->format->format) {
        i->surf = SDL_ConvertSurface(s, rd->canvas->format, 0);
        SDL_FreeSurface(s);
    } else {
        i->surf = s;
    }
    if (!i->surf) {
        LOG_ERR("cannot convert a picture: %s", SDL_GetError());
        return false;
    }
    SDL_SetSurfaceBlendMode(i->surf, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    return true;
}

/* ---- drawing primitives ------------------------------------------ */

void render_cv_clip(struct render *rd, const SDL_Rect *clip)
{
    if (rd->r)
        SDL_RenderSetClipRect(rd->r, clip);
    else
        SDL_SetClipRect(rd->canvas, clip);
}

void render_cv_copy(struct render *rd, const struct img *i, SDL_Rect dst, Uint8 alpha)
{
    if (rd->r) {
        render_tex_copy(rd, i, dst, alpha);
    } else if (i->surf) {
        SDL_BlendMode bm;
        SDL_GetSurfaceBlendMode(i->surf, &bm);
        if (alpha != 255 && bm == SDL_BLENDMODE_NONE)
            SDL_SetSurfaceBlendMode(i->surf, SDL_BLENDMODE_BLEND);
        SDL_SetSurfaceAlphaMod(i->surf, alpha);
        SDL_BlitSurface(i->surf, NULL, rd->canvas, &dst);
        SDL_SetSurfaceAlphaMod(i->surf, 255);
        if (alpha != 255 && bm == SDL_BLENDMODE_NONE)
            SDL_SetSurfaceBlendMode(i->surf, SDL_BLENDMODE_NONE);
    }
}

void render_cv_fill(struct render *rd, SDL_Rect r, SDL_Color c, Uint8 a)
{
    if (rd->r) {
        SDL_SetRenderDrawBlendMode(rd->r,
                                   a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(rd->r, c.r, c.g, c.b, a);
        SDL_RenderFillRect(rd->r, &r);
        return;
    }
    SDL_Rect clip;
    SDL_GetClipRect(rd->canvas, &clip);
    if (!SDL_IntersectRect(&r, &clip, &r))
        return;
    if (a == 255)
        SDL_FillRect(rd->canvas, &r, SDL_MapRGB(rd->canvas->format, c.r, c.g, c.b));
    else
        paint_rect(rd->canvas, r.x, r.y, r.w, r.h, 0, c, a);
}

/* ---- construction ------------------------------------------------ */

struct render *render_new(SDL_Renderer *r, int w, int h, int rotation)
{
    struct render *rd = calloc(1, sizeof(*rd));
    if (!rd)
        return NULL;
    rd->r = r;
    rd->w = w;
    rd->h = h;
    rd->rotation = rotation;
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r, &info) == 0) {
        rd->max_tex_w = info.max_texture_width;
        rd->max_tex_h = info.max_texture_height;
    }
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

static bool canvas_format_ok(Uint32 f)
{
    /* paint_rect writes 0xAARRGGBB words: fine for both. */
    return f == SDL_PIXELFORMAT_ARGB8888 || f == SDL_PIXELFORMAT_RGB888;
}

struct render *render_new_surface(SDL_Window *win, SDL_Surface *target)
{
    /* Drivers without a window framebuffer of their own (KMSDRM,
     * Wayland) have none to give while framebuffer acceleration is off,
     * and say nothing: the caller presents through a renderer then. */
    SDL_Surface *out = win ? SDL_GetWindowSurface(win) : target;
    if (!out)
        return NULL;
    struct render *rd = render_surface_on(out);
    if (rd)
        rd->win = win;
    return rd;
}

struct render *render_surface_on(SDL_Surface *out)
{
    struct render *rd = calloc(1, sizeof(*rd));
    if (!rd)
        return NULL;
    rd->out = out;
    rd->w = out->w;
    rd->h = out->h;
    rd->canvas = out;
    if (!canvas_format_ok(out->format->format)) {
        rd->canvas =
            SDL_CreateRGBSurfaceWithFormat(0, out->w, out->h, 32, SDL_PIXELFORMAT_RGB888);
        if (!rd->canvas) {
            free(rd);
            return NULL;
        }
    }
    damage_all(rd);
    return rd;
}

const char *render_backend(const struct render *rd)
{
    return rd->r ? "gpu" : "surface";
}

void render_drop_pictures(struct render *rd)
{
    for (int i = 0; i < MAX_PICTURES; i++) {
        img_clear(&rd->pics[i].img);
        memset(&rd->pics[i], 0, sizeof(rd->pics[i]));
    }
    rd->have_last = false;
}

void render_free(struct render *rd)
{
    if (!rd)
        return;
    render_drop_pictures(rd);
    img_clear(&rd->header);
    img_clear(&rd->clock);
    img_clear(&rd->banner);
    for (int i = 0; i < RENDER_MAX_TICKER; i++)
        img_clear(&rd->ticker[i]);
    if (rd->target)
        SDL_DestroyTexture(rd->target);
    SDL_FreeSurface(rd->strip);
    if (rd->canvas && rd->canvas != rd->out)
        SDL_FreeSurface(rd->canvas);
    render_stream_free(rd);
    free(rd);
}

/* ---- pictures ---------------------------------------------------- */

static struct picture *find(const struct render *rd, uint64_t key)
{
    for (int i = 0; i < MAX_PICTURES; i++)
        if (img_loaded(&rd->pics[i].img) && rd->pics[i].key == key)
            return (struct picture *)&rd->pics[i];
    return NULL;
}

static void put_picture(struct render *rd, uint64_t key, SDL_Surface *s, time_t made,
                        bool urgent)
{
    if (!s)
        return;
    struct picture *slot = find(rd, key);
    if (!slot) {
        for (int i = 0; i < MAX_PICTURES; i++) {
            struct picture *p = &rd->pics[i];
            if (!img_loaded(&p->img)) {
                slot = p;
                break;
            }
            if (p->key == rd->keep[0] || p->key == rd->keep[1])
                continue;
            if (!slot || p->used < slot->used)
                slot = p;
        }
    }
    if (!slot && urgent) {
        /* Every slot is on screen: the picture fading out gives way (the
         * next frame shows the new one instead), and the new one is kept
         * from the slides' pictures until then. */
        for (int i = 0; i < MAX_PICTURES && !slot; i++)
            if (rd->pics[i].key == rd->keep[0] && rd->keep[0] != rd->keep[1])
                slot = &rd->pics[i];
        for (int i = 0; i < MAX_PICTURES && !slot; i++)
            slot = &rd->pics[i];
        if (slot->key == rd->keep[0])
            rd->keep[0] = key;
        if (slot->key == rd->keep[1])
            rd->keep[1] = key;
    }
    if (!slot) {
        SDL_FreeSurface(s);
        return;
    }
    if (!img_set(rd, &slot->img, s, true)) {
        memset(slot, 0, sizeof(*slot));
        return;
    }
    slot->key = key;
    slot->made = made;
    slot->used = ++rd->use_clock;
    /* A renewed picture that is on screen must be drawn again. */
    if (key == rd->keep[0] || key == rd->keep[1])
        damage_all(rd);
}

void render_put_picture(struct render *rd, uint64_t key, SDL_Surface *s, time_t made)
{
    put_picture(rd, key, s, made, false);
}

void render_put_urgent_picture(struct render *rd, uint64_t key, SDL_Surface *s,
                               time_t made)
{
    put_picture(rd, key, s, made, true);
}

void render_keep_only(struct render *rd, uint64_t a, uint64_t b)
{
    for (int i = 0; i < MAX_PICTURES; i++) {
        struct picture *p = &rd->pics[i];
        if (img_loaded(&p->img) && p->key != a && p->key != b) {
            img_clear(&p->img);
            memset(p, 0, sizeof(*p));
        }
    }
}

bool render_has_picture(const struct render *rd, uint64_t key, time_t *made)
{
    const struct picture *p = find(rd, key);
    if (p && made)
        *made = p->made;
    return p != NULL;
}

/* ---- chrome ------------------------------------------------------ */

void render_set_chrome(struct render *rd, const struct deck *d)
{
    layout_chrome(d, rd->w, rd->h, &rd->chrome);
    paint_palette(d, &rd->pal);
    rd->strip_stale = true;
    damage_all(rd);
}

void render_put_header(struct render *rd, SDL_Surface *s)
{
    img_set(rd, &rd->header, s, false);
    damage(rd, box_rect(rd->chrome.header));
}

void render_put_clock(struct render *rd, SDL_Surface *s)
{
    /* The old text may have been wider: the whole clock box. */
    img_set(rd, &rd->clock, s, false);
    damage(rd, box_rect(rd->chrome.clock));
}

void render_put_banner(struct render *rd, SDL_Surface *s)
{
    img_set(rd, &rd->banner, s, false);
    damage_all(rd);
}

void render_put_ticker(struct render *rd, int index, SDL_Surface *s)
{
    if (index < 0 || index >= RENDER_MAX_TICKER) {
        SDL_FreeSurface(s);
        return;
    }
    img_set(rd, &rd->ticker[index], s, false);
    rd->strip_stale = true;
    damage(rd, box_rect(rd->chrome.ticker));
}

void render_set_ticker_count(struct render *rd, int n)
{
    if (n > RENDER_MAX_TICKER)
        n = RENDER_MAX_TICKER;
    for (int i = n; i < rd->n_ticker; i++)
        img_clear(&rd->ticker[i]);
    rd->n_ticker = n;
    rd->strip_stale = true;
    damage(rd, box_rect(rd->chrome.ticker));
}

double render_ticker_speed(const struct render *rd)
{
    /* ~1.4 strip heights per second: ~100 px/s at 1080p, readable at a
     * walk. */
    return rd->chrome.ticker.h > 0 ? rd->chrome.ticker.h * 1.4 : 0.0;
}

/* ---- composing ----------------------------------------------------- */

static void draw_picture(struct render *rd, uint64_t key, int dx, Uint8 alpha)
{
    struct picture *p = find(rd, key);
    if (!p)
        return;
    p->used = ++rd->use_clock;
    render_cv_copy(rd, &p->img, (SDL_Rect){dx, 0, rd->w, rd->h}, alpha);
}

/* out = (a * (256 - w) + b * w) / 256, byte by byte, 16 bytes at a time
 * in 16-bit lanes (SSE2 here, NEON on a Pi: GCC/Clang vector types). */
typedef Uint8 v16u8 __attribute__((vector_size(16)));
typedef Uint16 v16u16 __attribute__((vector_size(32)));

static void lerp_bytes(Uint8 *restrict out, const Uint8 *restrict a, const Uint8 *restrict b,
                       size_t n, unsigned w)
{
    const Uint16 w16 = (Uint16)w, iw16 = (Uint16)(256 - w);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v16u8 va, vb;
        memcpy(&va, a + i, 16);
        memcpy(&vb, b + i, 16);
        v16u16 r = (__builtin_convertvector(va, v16u16) * iw16 +
                    __builtin_convertvector(vb, v16u16) * w16) >>
                   8;
        v16u8 o = __builtin_convertvector(r, v16u8);
        memcpy(out + i, &o, 16);
    }
    for (; i < n; i++)
        out[i] = (Uint8)((a[i] * (256 - w) + b[i] * w) >> 8);
}

/* A cross-fade in one pass: each output pixel is lerp(from, to), two
 * channels per multiply.  Several times cheaper than a copy followed by
 * SDL's alpha blit, and a fade is what the software path spends most on. */
static bool fade_direct(struct render *rd, const struct frame *f, const SDL_Rect *clip)
{
    struct picture *pa = find(rd, f->from_key), *pb = find(rd, f->to_key);
    if (rd->r || !pa || !pb || !pa->img.surf || !pb->img.surf)
        return false;
    SDL_Surface *a = pa->img.surf, *b = pb->img.surf, *o = rd->canvas;
    if (a->format->BytesPerPixel != 4 || b->format->BytesPerPixel != 4 || a->w != o->w ||
        b->w != o->w || a->h != o->h || b->h != o->h)
        return false;
    SDL_Rect r;
    SDL_Rect all = {0, 0, o->w, o->h};
    if (!SDL_IntersectRect(clip, &all, &r))
        return true;
    pa->used = pb->used = ++rd->use_clock;
    unsigned w = (unsigned)lroundf(f->progress * 256.0f);
    for (int y = r.y; y < r.y + r.h; y++) {
        size_t off = (size_t)y * (size_t)o->pitch + (size_t)r.x * 4;
        lerp_bytes((Uint8 *)o->pixels + off, (const Uint8 *)a->pixels + off,
                   (const Uint8 *)b->pixels + off, (size_t)r.w * 4, w);
    }
    return true;
}

static void compose(struct render *rd, const struct frame *f, const SDL_Rect *clip)
{
    render_cv_clip(rd, clip);
    if (f->blank) {
        render_cv_fill(rd, *clip, (SDL_Color){0, 0, 0, 255}, 255);
    } else {
        rd->keep[0] = f->from_key;
        rd->keep[1] = f->transition ? f->to_key : f->from_key;
        /* The opaque ticker strip alone covers a ticker-only update. */
        SDL_Rect tk = box_rect(rd->chrome.ticker), both;
        bool strip_only = !rd->r && rd->strip && !rd->strip_stale && f->chrome &&
                          !f->clock_only &&
                          SDL_IntersectRect(clip, &tk, &both) &&
                          SDL_RectEquals(&both, clip);
        if (strip_only)
            render_draw_ticker(rd, f, clip);
        else if (!find(rd, f->from_key) || f->transition)
            render_cv_fill(rd, *clip, rd->pal.background, 255);
        if (strip_only) {
            /* done */
        } else if (!f->transition) {
            draw_picture(rd, f->from_key, 0, 255);
        } else if (f->kind == TRANSITION_SLIDE) {
            int dx = (int)lroundf(f->progress * (float)rd->w);
            draw_picture(rd, f->from_key, -dx, 255);
            draw_picture(rd, f->to_key, rd->w - dx, 255);
        } else if (!fade_direct(rd, f, clip)) {
            draw_picture(rd, f->from_key, 0, 255);
            draw_picture(rd, f->to_key, 0, (Uint8)lroundf(f->progress * 255.0f));
        }
        if (f->chrome && !strip_only)
            render_draw_chrome(rd, f, clip);
    }
    render_cv_clip(rd, NULL);
}

static void compose_gpu(struct render *rd, const struct frame *f)
{
    SDL_Rect all = {0, 0, rd->w, rd->h};
    if (rd->target)
        SDL_SetRenderTarget(rd->r, rd->target);
    compose(rd, f, &all);
    if (rd->target) {
        SDL_SetRenderTarget(rd->r, NULL);
        SDL_SetRenderDrawColor(rd->r, 0, 0, 0, 255);
        SDL_RenderClear(rd->r);
        int ow, oh;
        SDL_GetRendererOutputSize(rd->r, &ow, &oh);
        /* The logical frame is h × w of the output when turned by 90. */
        SDL_Rect dst = {(ow - rd->w) / 2, (oh - rd->h) / 2, rd->w, rd->h};
        SDL_RenderCopyEx(rd->r, rd->target, NULL, &dst, rd->rotation, NULL,
                         SDL_FLIP_NONE);
    }
}

void render_compose(struct render *rd, const struct frame *f)
{
    if (rd->r) {
        compose_gpu(rd, f);
        return;
    }
    SDL_Rect all = {0, 0, rd->w, rd->h};
    compose(rd, f, &all);
    if (rd->canvas != rd->out)
        SDL_BlitSurface(rd->canvas, NULL, rd->out, NULL);
    rd->last = *f;
    rd->have_last = true;
    rd->damage = (SDL_Rect){0, 0, 0, 0};
}

/* The bounding box of the pixels where pictures a and b differ, below
 * `top`: all a fade has to blend.  Slides share their background, so this
 * is usually the text block, not the screen. */
static SDL_Rect diff_box(struct render *rd, uint64_t a, uint64_t b, int top)
{
    SDL_Rect all = {0, top, rd->w, rd->h - top};
    struct picture *pa = find(rd, a), *pb = find(rd, b);
    if (!pa || !pb || !pa->img.surf || !pb->img.surf)
        return all;
    SDL_Surface *x = pa->img.surf, *y = pb->img.surf;
    if (x->w != y->w || x->h != y->h || x->format->format != y->format->format ||
        x->format->BytesPerPixel != 4)
        return all;
    int y0 = -1, y1 = -1, x0 = x->w, x1 = -1;
    for (int row = top; row < x->h; row++) {
        const Uint32 *ra =
            (const Uint32 *)((const Uint8 *)x->pixels + (size_t)row * (size_t)x->pitch);
        const Uint32 *rb =
            (const Uint32 *)((const Uint8 *)y->pixels + (size_t)row * (size_t)y->pitch);
        if (memcmp(ra, rb, (size_t)x->w * 4) == 0)
            continue;
        if (y0 < 0)
            y0 = row;
        y1 = row;
        int l = 0, r = x->w - 1;
        while (l < x0 && ra[l] == rb[l])
            l++;
        while (r > x1 && ra[r] == rb[r])
            r--;
        if (l < x0)
            x0 = l;
        if (r > x1)
            x1 = r;
    }
    if (y0 < 0)
        return (SDL_Rect){0, 0, 0, 0};
    return (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* What a frame changes relative to the last one drawn. */
static void frame_damage(struct render *rd, const struct frame *f)
{
    const struct frame *l = &rd->last;
    if (!rd->have_last || f->blank != l->blank || f->chrome != l->chrome ||
        f->clock_only != l->clock_only ||
        f->banner != l->banner || f->from_key != l->from_key ||
        f->transition != l->transition || f->to_key != l->to_key) {
        damage_all(rd);
        return;
    }
    if (f->transition && f->progress != l->progress) {
        /* The header stays still over a transition: at most everything
         * below it, and for a fade only where the pictures differ. */
        int top = rd->chrome.header.y + rd->chrome.header.h;
        if (f->kind != TRANSITION_FADE) {
            damage(rd, (SDL_Rect){0, top, rd->w, rd->h - top});
        } else {
            if (rd->fade_from != f->from_key || rd->fade_to != f->to_key) {
                rd->fade_from = f->from_key;
                rd->fade_to = f->to_key;
                rd->fade_box = diff_box(rd, f->from_key, f->to_key, top);
            }
            damage(rd, rd->fade_box);
        }
    }
    if (f->slide_index != l->slide_index || f->n_slides != l->n_slides)
        damage(rd, box_rect(rd->chrome.progress));
    if (f->ticker_ms != l->ticker_ms && rd->n_ticker > 0 && f->chrome && !f->clock_only)
        damage(rd, box_rect(rd->chrome.ticker));
}

void render_frame(struct render *rd, const struct frame *f)
{
    if (f->blank) {
        /* Nothing on screen any more that a picture slot must keep: the
         * show goes on in the dark and needs both for its next slides. */
        rd->keep[0] = rd->keep[1] = 0;
    }
    if (rd->r) {
        compose_gpu(rd, f);
        SDL_RenderPresent(rd->r);
        return;
    }
    frame_damage(rd, f);
    rd->last = *f;
    rd->have_last = true;
    if (SDL_RectEmpty(&rd->damage))
        return;
    SDL_Rect region = rd->damage;
    rd->damage = (SDL_Rect){0, 0, 0, 0};
    compose(rd, f, &region);
    if (rd->canvas != rd->out) {
        SDL_Rect r = region;
        SDL_BlitSurface(rd->canvas, &r, rd->out, &r);
    }
    if (rd->win && SDL_UpdateWindowSurfaceRects(rd->win, &region, 1) < 0) {
        /* The window surface went away (resize, TV re-plugged). */
        LOG_WARN("cannot update the screen: %s", SDL_GetError());
        damage_all(rd);
    }
    if (rd->stream && render_stream_present(rd, &region) < 0)
        damage_all(rd);
}

void render_redraw_all(struct render *rd) { damage_all(rd); }

void render_warm_up(struct render *rd)
{
    if (rd->r)
        return;
    SDL_Rect all = {0, 0, rd->w, rd->h};
    /* A new window's pixels are black (fresh zero pages); they only have
     * to be mapped.  One system call does that without a fault per page
     * and leaves the other core to the display server; where it is not
     * supported (Linux < 5.14) the fill faults them in. */
    bool mapped = false;
#ifdef MADV_POPULATE_WRITE
    Uint8 *pixels = rd->out->pixels;
    Uint8 *from = pixels - ((uintptr_t)pixels & 4095);
    Uint8 *to = pixels + (size_t)rd->out->pitch * (size_t)rd->out->h;
    mapped = madvise(from, (size_t)(to - from), MADV_POPULATE_WRITE) == 0;
#endif
    if (!mapped)
        SDL_FillRect(rd->out, NULL, SDL_MapRGB(rd->out->format, 0, 0, 0));
    if (rd->win)
        SDL_UpdateWindowSurfaceRects(rd->win, &all, 1);
    if (rd->stream)
        render_stream_present(rd, &all);
    damage_all(rd);
}

SDL_Surface *render_read_pixels(struct render *rd)
{
    if (!rd->r)
        return SDL_ConvertSurfaceFormat(rd->out, SDL_PIXELFORMAT_ARGB8888, 0);
    int w, h;
    if (SDL_GetRendererOutputSize(rd->r, &w, &h) < 0)
        return NULL;
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return NULL;
    if (SDL_RenderReadPixels(rd->r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) <
        0) {
        LOG_ERR("cannot read the screen: %s", SDL_GetError());
        SDL_FreeSurface(s);
        return NULL;
    }
    return s;
}
