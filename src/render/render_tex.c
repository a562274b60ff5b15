#define LOG_MODULE "render"
#include "render_priv.h"

#include <stdlib.h>

#include "log.h"

/* ---- pictures as textures, whole or in tiles ----------------------- */

/* GPUs refuse textures beyond their size limit (2048 on a Pi 3, 4096 on a
 * Pi 4): say so plainly instead of the driver's words, and keep a limit
 * set by render_set_max_texture() as strict as a real one. */
static SDL_Texture *upload(struct render *rd, SDL_Surface *s)
{
    if ((rd->max_tex_w > 0 && s->w > rd->max_tex_w) ||
        (rd->max_tex_h > 0 && s->h > rd->max_tex_h)) {
        SDL_SetError("%dx%d is larger than the largest texture, %dx%d", s->w, s->h,
                     rd->max_tex_w, rd->max_tex_h);
        return NULL;
    }
    return SDL_CreateTextureFromSurface(rd->r, s);
}

static void free_tiles(struct img *i)
{
    for (int t = 0; t < i->n_tiles; t++)
        if (i->tiles[t].tex)
            SDL_DestroyTexture(i->tiles[t].tex);
    free(i->tiles);
    i->tiles = NULL;
    i->n_tiles = 0;
}

static int ceil_div(int a, int b)
{
    return b > 0 ? (a + b - 1) / b : 1;
}

/* The picture as a grid of textures within the limit, each uploaded from a
 * view of s's pixels (no copy of the whole picture). */
static bool upload_tiles(struct render *rd, struct img *i, SDL_Surface *s)
{
    int tw = rd->max_tex_w > 0 && rd->max_tex_w < s->w ? rd->max_tex_w : s->w;
    int th = rd->max_tex_h > 0 && rd->max_tex_h < s->h ? rd->max_tex_h : s->h;
    int nx = ceil_div(s->w, tw), ny = ceil_div(s->h, th);
    SDL_Surface *src = s;
    /* Views need whole bytes per pixel and unencoded rows. */
    if (s->format->BytesPerPixel != 4 || SDL_MUSTLOCK(s))
        src = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    i->tiles = src ? calloc((size_t)nx * (size_t)ny, sizeof(*i->tiles)) : NULL;
    bool ok = i->tiles != NULL;
    for (int y = 0; ok && y < ny; y++) {
        for (int x = 0; ok && x < nx; x++) {
            SDL_Rect at = {x * tw, y * th, tw, th};
            if (at.w > s->w - at.x)
                at.w = s->w - at.x;
            if (at.h > s->h - at.y)
                at.h = s->h - at.y;
            Uint8 *px = (Uint8 *)src->pixels + (size_t)at.y * (size_t)src->pitch +
                        (size_t)at.x * 4;
            SDL_Surface *view = SDL_CreateRGBSurfaceWithFormatFrom(
                px, at.w, at.h, 32, src->pitch, src->format->format);
            struct img_tile *t = &i->tiles[i->n_tiles++];
            t->at = at;
            t->tex = view ? upload(rd, view) : NULL;
            SDL_FreeSurface(view);
            ok = t->tex != NULL;
        }
    }
    if (src != s)
        SDL_FreeSurface(src);
    if (!ok) {
        /* Once per run of failures: every ticker item of a new deck would
         * say the same. */
        if (!rd->tile_err_logged)
            LOG_ERR("cannot upload a %dx%d picture in %dx%d tiles: %s", s->w, s->h, tw,
                    th, SDL_GetError());
        rd->tile_err_logged = true;
        free_tiles(i);
        return false;
    }
    rd->tile_err_logged = false;
    return true;
}

bool render_tex_upload(struct render *rd, struct img *i, SDL_Surface *s, bool opaque)
{
    bool tiled = (rd->max_tex_w > 0 && s->w > rd->max_tex_w) ||
                 (rd->max_tex_h > 0 && s->h > rd->max_tex_h);
    if (tiled) {
        if (!upload_tiles(rd, i, s))
            return false;
    } else {
        i->tex = upload(rd, s);
        if (!i->tex) {
            LOG_ERR("cannot upload a texture: %s", SDL_GetError());
            return false;
        }
    }
    SDL_BlendMode bm = opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND;
    if (i->tex)
        SDL_SetTextureBlendMode(i->tex, bm);
    for (int t = 0; t < i->n_tiles; t++)
        SDL_SetTextureBlendMode(i->tiles[t].tex, bm);
    return true;
}

void render_tex_free(struct img *i)
{
    if (i->tex)
        SDL_DestroyTexture(i->tex);
    i->tex = NULL;
    free_tiles(i);
}

static void copy_one(struct render *rd, SDL_Texture *tex, const SDL_Rect *dst,
                     Uint8 alpha)
{
    SDL_BlendMode bm;
    SDL_GetTextureBlendMode(tex, &bm);
    if (alpha != 255 && bm == SDL_BLENDMODE_NONE)
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    SDL_SetTextureAlphaMod(tex, alpha);
    SDL_RenderCopy(rd->r, tex, NULL, dst);
    if (alpha != 255 && bm == SDL_BLENDMODE_NONE)
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE);
}

/* Edge of picture column/row v in a destination of size dst_len starting
 * at dst_at: tiles meet without gaps or overlap even when scaled. */
static int edge(int dst_at, int dst_len, int v, int img_len)
{
    return dst_at + (int)((long long)v * dst_len / (img_len > 0 ? img_len : 1));
}

void render_tex_copy(struct render *rd, const struct img *i, SDL_Rect dst, Uint8 alpha)
{
    if (i->tex) {
        copy_one(rd, i->tex, &dst, alpha);
        return;
    }
    for (int t = 0; t < i->n_tiles; t++) {
        const SDL_Rect *a = &i->tiles[t].at;
        int x0 = edge(dst.x, dst.w, a->x, i->w),
            x1 = edge(dst.x, dst.w, a->x + a->w, i->w);
        int y0 = edge(dst.y, dst.h, a->y, i->h),
            y1 = edge(dst.y, dst.h, a->y + a->h, i->h);
        SDL_Rect d = {x0, y0, x1 - x0, y1 - y0};
        SDL_Rect clip;
        /* Tiles off the clip cost a draw call each: a 24,000 px ticker
         * has a dozen, one or two in view. */
        SDL_RenderGetClipRect(rd->r, &clip);
        if (!SDL_RectEmpty(&clip) && !SDL_HasIntersection(&d, &clip))
            continue;
        copy_one(rd, i->tiles[t].tex, &d, alpha);
    }
}

void render_set_max_texture(struct render *rd, int w, int h)
{
    if (!rd->r)
        return;
    if (w > 0 && (rd->max_tex_w <= 0 || w < rd->max_tex_w))
        rd->max_tex_w = w;
    if (h > 0 && (rd->max_tex_h <= 0 || h < rd->max_tex_h))
        rd->max_tex_h = h;
}
