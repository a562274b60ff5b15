#define LOG_MODULE "paint"
#include "paint.h"

#include <SDL_image.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "log.h"

static SDL_Color rgb(uint32_t v)
{
    return (SDL_Color){(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, 255};
}

static SDL_Color mix(SDL_Color a, SDL_Color b, float t)
{
    return (SDL_Color){
        (Uint8)lroundf(a.r + (b.r - a.r) * t),
        (Uint8)lroundf(a.g + (b.g - a.g) * t),
        (Uint8)lroundf(a.b + (b.b - a.b) * t),
        255,
    };
}

static float luminance(SDL_Color c)
{
    return (0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b) / 255.0f;
}

void paint_palette(const struct deck *d, struct palette *p)
{
    p->background = rgb(d->theme.background);
    p->text = rgb(d->theme.text);
    p->accent = rgb(d->theme.accent);
    p->muted = mix(p->text, p->background, 0.28f);
    p->panel = p->text;
    /* Text on the accent needs contrast whatever colour editors pick. */
    p->on_accent = luminance(p->accent) > 0.5f ? mix(p->background, rgb(0), 0.55f)
                                               : rgb(0xffffff);
    /* Opaque on purpose: a translucent strip would be blended again at
     * every frame of the ticker; this is the same colour, computed once
     * (the gradient's foot, 27 % darker). */
    p->band = mix(mix(p->background, rgb(0), 0.22f), rgb(0), 0.27f);
    p->alert = rgb(0xc62828);
    p->info = rgb(0x1565c0);
    p->on_warning = rgb(0x1a1a1a);
    p->warning = rgb(0xf9a825);
    p->white = rgb(0xffffff);
}

SDL_Color paint_color(const struct palette *p, enum lay_color c)
{
    switch (c) {
    case LC_BACKGROUND: return p->background;
    case LC_TEXT: return p->text;
    case LC_MUTED: return p->muted;
    case LC_ACCENT: return p->accent;
    case LC_ON_ACCENT: return p->on_accent;
    case LC_PANEL: return p->panel;
    case LC_ALERT: return p->alert;
    case LC_WARNING: return p->warning;
    case LC_WHITE: return p->white;
    case LC_INFO: return p->info;
    case LC_ON_WARNING: return p->on_warning;
    }
    return p->text;
}

/* "Over" compositing of one colour with coverage a (0..1) onto an ARGB8888
 * pixel, correct for transparent destinations too. */
static void blend_px(Uint32 *px, SDL_Color c, float a)
{
    if (a <= 0.0f)
        return;
    Uint32 d = *px;
    float da = ((d >> 24) & 0xff) / 255.0f;
    float oa = a + da * (1.0f - a);
    if (oa <= 0.0f)
        return;
    float dr = (d >> 16) & 0xff, dg = (d >> 8) & 0xff, db = d & 0xff;
    float k = da * (1.0f - a);
    Uint32 r = (Uint32)lroundf((c.r * a + dr * k) / oa);
    Uint32 g = (Uint32)lroundf((c.g * a + dg * k) / oa);
    Uint32 b = (Uint32)lroundf((c.b * a + db * k) / oa);
    Uint32 A = (Uint32)lroundf(oa * 255.0f);
    *px = (A << 24) | (r << 16) | (g << 8) | b;
}

/* Integer "over" onto an opaque pixel: the common case (a band over a
 * slide), several times faster than the general path. */
static inline Uint32 blend_opaque(Uint32 d, Uint32 sr, Uint32 sg, Uint32 sb, Uint32 a)
{
    Uint32 ia = 255 - a;
    Uint32 r = (sr * a + ((d >> 16) & 0xff) * ia + 127) / 255;
    Uint32 g = (sg * a + ((d >> 8) & 0xff) * ia + 127) / 255;
    Uint32 b = (sb * a + (d & 0xff) * ia + 127) / 255;
    return 0xff000000u | (r << 16) | (g << 8) | b;
}

void paint_rect(SDL_Surface *s, int x, int y, int w, int h, int radius, SDL_Color c,
                uint8_t alpha)
{
    if (w <= 0 || h <= 0 || alpha == 0)
        return;
    if (radius * 2 > w)
        radius = w / 2;
    if (radius * 2 > h)
        radius = h / 2;
    if (radius < 0)
        radius = 0;
    int x0 = x < 0 ? 0 : x, x1 = x + w > s->w ? s->w : x + w;
    int y0 = y < 0 ? 0 : y, y1 = y + h > s->h ? s->h : y + h;
    if (x0 >= x1 || y0 >= y1)
        return;
    float a = alpha / 255.0f;
    Uint32 solid = ((Uint32)c.r << 16) | ((Uint32)c.g << 8) | c.b | 0xff000000u;
    bool fast = alpha == 255;
    /* XRGB surfaces (a window) have no alpha: every pixel is opaque. */
    bool no_alpha = s->format->Amask == 0;

    SDL_LockSurface(s);
    for (int py = y0; py < y1; py++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)py * (size_t)s->pitch);
        /* Distance into a corner band vertically (0 outside the bands). */
        float cy = 0.0f;
        bool corner_row = false;
        if (radius > 0 && py < y + radius) {
            cy = (float)(y + radius) - (py + 0.5f);
            corner_row = true;
        } else if (radius > 0 && py >= y + h - radius) {
            cy = (py + 0.5f) - (float)(y + h - radius);
            corner_row = true;
        }
        for (int px = x0; px < x1; px++) {
            float cov = 1.0f;
            if (corner_row) {
                float cx = 0.0f;
                if (px < x + radius)
                    cx = (float)(x + radius) - (px + 0.5f);
                else if (px >= x + w - radius)
                    cx = (px + 0.5f) - (float)(x + w - radius);
                if (cx > 0.0f) {
                    float dist = sqrtf(cx * cx + cy * cy);
                    cov = (float)radius - dist + 0.5f;
                    cov = cov < 0.0f ? 0.0f : cov > 1.0f ? 1.0f : cov;
                }
            }
            if (fast && cov >= 1.0f)
                row[px] = solid;
            else if (cov >= 1.0f && (no_alpha || (row[px] >> 24) == 0xff))
                row[px] = blend_opaque(row[px], c.r, c.g, c.b, alpha);
            else if (no_alpha)
                row[px] = blend_opaque(row[px], c.r, c.g, c.b,
                                       (Uint32)lroundf(cov * (float)alpha));
            else
                blend_px(&row[px], c, cov * a);
        }
    }
    SDL_UnlockSurface(s);
}

static void paint_gradient(SDL_Surface *s, SDL_Color base)
{
    /* A gentle top-to-bottom falloff reads as "designed" without
     * distracting from the text. */
    SDL_Color top = mix(base, (SDL_Color){255, 255, 255, 255}, 0.06f);
    SDL_Color bottom = mix(base, (SDL_Color){0, 0, 0, 255}, 0.22f);
    SDL_LockSurface(s);
    for (int y = 0; y < s->h; y++) {
        SDL_Color c = mix(top, bottom, s->h > 1 ? (float)y / (float)(s->h - 1) : 0.0f);
        Uint32 v = 0xff000000u | ((Uint32)c.r << 16) | ((Uint32)c.g << 8) | c.b;
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++)
            row[x] = v;
    }
    SDL_UnlockSurface(s);
}

/* Rows of the decoded picture converted at a time by halve_in_bands. */
#define BAND_BYTES (1 << 20)

/* The first halving of a large picture, straight from the decoder's
 * surface (any format) a band of rows at a time: converting the whole
 * picture to ARGB first would cost another 4 bytes a pixel at its
 * largest.  Exactly two source rows make each row of the result, so the
 * bands meet without a seam. */
static SDL_Surface *halve_in_bands(SDL_Surface *raw, const SDL_Rect *r)
{
    int rows = BAND_BYTES / (r->w * 8);
    rows = rows < 1 ? 1 : rows;
    SDL_Surface *half =
        SDL_CreateRGBSurfaceWithFormat(0, r->w / 2, r->h / 2, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Surface *band =
        SDL_CreateRGBSurfaceWithFormat(0, r->w, 2 * rows, 32, SDL_PIXELFORMAT_ARGB8888);
    bool ok = half && band;
    /* A plain copy: alpha as it is; a GIF's transparent colour stays
     * unwritten over the cleared band, i.e. transparent. */
    SDL_SetSurfaceBlendMode(raw, SDL_BLENDMODE_NONE);
    for (int y = 0; ok && y < half->h; y += rows) {
        int n = half->h - y < rows ? half->h - y : rows;
        SDL_Rect from = {r->x, r->y + 2 * y, r->w, 2 * n};
        SDL_Rect in_band = {0, 0, r->w, 2 * n};
        SDL_Rect to = {0, y, half->w, n};
        ok = SDL_FillRect(band, NULL, 0) == 0 &&
             SDL_BlitSurface(raw, &from, band, &in_band) == 0 &&
             SDL_SoftStretchLinear(band, &in_band, half, &to) == 0;
    }
    SDL_FreeSurface(band);
    if (!ok) {
        SDL_FreeSurface(half);
        return NULL;
    }
    return half;
}

/* Bilinear scaling of srect of the decoded picture to w x h, halving
 * first so big reductions do not alias. */
static SDL_Surface *scale_to(SDL_Surface *raw, const SDL_Rect *srect, int w, int h)
{
    SDL_Surface *cur;
    SDL_Rect r = *srect;
    if (r.w >= 2 * w && r.h >= 2 * h && r.w >= 2 && r.h >= 2) {
        cur = halve_in_bands(raw, &r);
        r = (SDL_Rect){0, 0, cur ? cur->w : 0, cur ? cur->h : 0};
    } else {
        cur = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    }
    if (!cur)
        return NULL;
    while (r.w >= 2 * w && r.h >= 2 * h && r.w >= 2 && r.h >= 2) {
        SDL_Surface *half =
            SDL_CreateRGBSurfaceWithFormat(0, r.w / 2, r.h / 2, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!half || SDL_SoftStretchLinear(cur, &r, half, NULL) < 0) {
            SDL_FreeSurface(half);
            break;
        }
        SDL_FreeSurface(cur);
        cur = half;
        r = (SDL_Rect){0, 0, half->w, half->h};
    }
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (out && SDL_SoftStretchLinear(cur, &r, out, NULL) < 0) {
        SDL_FreeSurface(out);
        out = NULL;
    }
    SDL_FreeSurface(cur);
    return out;
}

/* The decoder of the format imghdr_check() found, never SDL_image's own
 * guess: bytes nobody checked are not decoded at all. */
static SDL_Surface *decode(const struct deck_image *img)
{
    if (img->format == IMGHDR_NONE || img->len > INT_MAX) {
        SDL_SetError("not a checked image");
        return NULL;
    }
    SDL_RWops *rw = SDL_RWFromConstMem(img->data, (int)img->len);
    if (!rw)
        return NULL;
    SDL_Surface *s = NULL;
    switch (img->format) {
    case IMGHDR_PNG: s = IMG_LoadPNG_RW(rw); break;
    case IMGHDR_JPEG: s = IMG_LoadJPG_RW(rw); break;
    case IMGHDR_GIF: s = IMG_LoadGIF_RW(rw); break;
    case IMGHDR_WEBP: s = IMG_LoadWEBP_RW(rw); break;
    case IMGHDR_NONE: break;
    }
    SDL_RWclose(rw);
    return s;
}

bool paint_image(SDL_Surface *s, const struct deck_image *img, struct lay_box box,
                 enum image_fit fit)
{
    if (!img || !img->data || img->len == 0 || box.w <= 0 || box.h <= 0)
        return false;
    SDL_Surface *src = decode(img);
    if (!src) {
        LOG_WARN("cannot decode image %s: %s", img->url, IMG_GetError());
        return false;
    }

    double sx = (double)box.w / src->w, sy = (double)box.h / src->h;
    SDL_Rect srect = {0, 0, src->w, src->h};
    SDL_Rect drect = {box.x, box.y, box.w, box.h};
    if (fit == FIT_COVER) {
        double k = sx > sy ? sx : sy;
        srect.w = (int)lround(box.w / k);
        srect.h = (int)lround(box.h / k);
        srect.w = srect.w > src->w ? src->w : srect.w < 1 ? 1 : srect.w;
        srect.h = srect.h > src->h ? src->h : srect.h < 1 ? 1 : srect.h;
        srect.x = (src->w - srect.w) / 2;
        srect.y = (src->h - srect.h) / 2;
    } else {
        double k = sx < sy ? sx : sy;
        drect.w = (int)lround(src->w * k);
        drect.h = (int)lround(src->h * k);
        drect.w = drect.w < 1 ? 1 : drect.w;
        drect.h = drect.h < 1 ? 1 : drect.h;
        drect.x = box.x + (box.w - drect.w) / 2;
        drect.y = box.y + (box.h - drect.h) / 2;
    }
    SDL_Surface *scaled = scale_to(src, &srect, drect.w, drect.h);
    SDL_FreeSurface(src);
    if (!scaled)
        return false;
    SDL_SetSurfaceBlendMode(scaled, SDL_BLENDMODE_BLEND);
    SDL_BlitSurface(scaled, NULL, s, &drect);
    SDL_FreeSurface(scaled);
    return true;
}

/* Width of the widest line of t. */
static int block_width(const struct text_lines *t)
{
    int w = 0;
    for (int i = 0; i < t->n; i++)
        if (t->widths[i] > w)
            w = t->widths[i];
    return w;
}

/* Lines of a right-to-left paragraph in a left-aligned box end flush
 * right against the widest line of the text: they read from the right
 * edge, while the text as a whole stays where the layout put it, next to
 * its bullet, number or accent rule. */
static void paint_text(SDL_Surface *s, struct fontset *fs, const struct lay_item *it,
                       SDL_Color c)
{
    const struct text_lines *t = &it->text;
    int block = t->n * t->line_h;
    int y = it->box.y + (it->vcenter ? (it->box.h - block) / 2 : 0);
    int glyph_h = fontset_line_height(fs, t->px, it->bold);
    int block_w = block_width(t);
    for (int i = 0; i < t->n; i++, y += t->line_h) {
        const char *line = t->lines[i];
        SDL_Surface *g =
            fontset_render(fs, line, strlen(line), t->px, it->bold, t->rtl[i], c);
        if (!g)
            continue;
        int x = it->box.x;
        if (it->align == ALIGN_CENTER)
            x += (it->box.w - g->w) / 2;
        else if (it->align == ALIGN_RIGHT)
            x += it->box.w - g->w;
        else if (t->rtl[i] && block_w > g->w)
            x += (block_w < it->box.w ? block_w : it->box.w) - g->w;
        SDL_Rect dst = {x, y + (t->line_h - glyph_h) / 2, g->w, g->h};
        SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_BLEND);
        if (it->alpha != 255)
            SDL_SetSurfaceAlphaMod(g, it->alpha);
        SDL_BlitSurface(g, NULL, s, &dst);
        SDL_FreeSurface(g);
    }
}

SDL_Surface *paint_layout(struct fontset *fs, const struct deck *d,
                          const struct slide_layout *l, bool background)
{
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, l->w, l->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) {
        LOG_ERR("cannot allocate a %dx%d surface: %s", l->w, l->h, SDL_GetError());
        return NULL;
    }
    struct palette pal;
    paint_palette(d, &pal);
    if (background) {
        SDL_Color bg = l->has_bg_color ? rgb(l->bg_color) : pal.background;
        paint_gradient(s, bg);
        if (l->bg_image)
            paint_image(s, l->bg_image, (struct lay_box){0, 0, l->w, l->h}, FIT_COVER);
    } else {
        SDL_FillRect(s, NULL, 0);
    }
    for (int i = 0; i < l->n_items; i++) {
        const struct lay_item *it = &l->items[i];
        SDL_Color c = paint_color(&pal, it->color);
        switch (it->kind) {
        case LAY_RECT:
            paint_rect(s, it->box.x, it->box.y, it->box.w, it->box.h, it->radius, c,
                       it->alpha);
            break;
        case LAY_IMAGE:
            paint_image(s, it->image, it->box, it->fit);
            break;
        case LAY_TEXT:
            paint_text(s, fs, it, c);
            break;
        }
    }
    return s;
}
