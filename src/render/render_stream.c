#define LOG_MODULE "render"
/* The surface back end on a window that has no framebuffer of its own
 * (SDL's KMSDRM and Wayland drivers): the frame is drawn in memory exactly
 * as on a window surface, and what changed is uploaded into a streaming
 * texture that the renderer puts on the screen.  This is what SDL itself
 * does for such windows with framebuffer acceleration on, but without
 * depending on that hint, which is decided once per process. */
#include "render.h"
#include "render_priv.h"

#include "log.h"

struct render *render_new_streamed(SDL_Renderer *r, int w, int h)
{
    /* The canvas format: a plain copy into the texture, no conversion. */
    SDL_Texture *tex =
        SDL_CreateTexture(r, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!tex) {
        LOG_ERR("cannot create a %dx%d streaming texture: %s", w, h, SDL_GetError());
        return NULL;
    }
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE);
    SDL_Surface *out =
        SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    struct render *rd = out ? render_surface_on(out) : NULL;
    if (!rd) {
        LOG_ERR("no memory for a %dx%d frame", w, h);
        SDL_FreeSurface(out);
        SDL_DestroyTexture(tex);
        return NULL;
    }
    rd->present = r;
    rd->stream = tex;
    return rd;
}

int render_stream_present(struct render *rd, const SDL_Rect *region)
{
    const SDL_Surface *o = rd->out;
    const Uint8 *src = (const Uint8 *)o->pixels + (size_t)region->y * (size_t)o->pitch +
                       (size_t)region->x * 4;
    /* The whole texture goes out each time: after a page flip the back
     * buffer holds an older frame, not the last one. */
    if (SDL_UpdateTexture(rd->stream, region, src, o->pitch) < 0 ||
        SDL_RenderCopy(rd->present, rd->stream, NULL, NULL) < 0) {
        static bool warned;
        if (!warned)
            LOG_WARN("cannot update the screen: %s", SDL_GetError());
        warned = true;
        return -1;
    }
    SDL_RenderPresent(rd->present);
    return 0;
}

void render_stream_free(struct render *rd)
{
    if (!rd->stream)
        return;
    SDL_DestroyTexture(rd->stream);
    SDL_FreeSurface(rd->out);
    rd->stream = NULL;
    rd->out = NULL;
}
