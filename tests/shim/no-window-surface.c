/* Preloaded into the real binary (LD_PRELOAD) on SDL's offscreen driver,
 * this makes it behave like a video driver without a window framebuffer
 * of its own (SDL 2's KMSDRM and Wayland drivers), which cannot be had
 * headless here:
 *  - with SDL_HINT_FRAMEBUFFER_ACCELERATION off, SDL_GetWindowSurface
 *    returns NULL and sets no error, as SDL_CreateWindowFramebuffer does
 *    for such a driver;
 *  - NWS_PRESENTED=FILE: every SDL_RenderPresent first reads the frame
 *    back and leaves it in FILE ("P6"-like: "W H\n" then W*H ARGB8888
 *    words), so a test sees what a screen would have shown;
 *  - NWS_NO_RENDERER=1: no renderer can be made either (no GL at all).
 * SDL's own internal calls are not affected (they do not go through the
 * dynamic symbols), only the program's. */
#include <SDL.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

SDL_Surface *SDL_GetWindowSurface(SDL_Window *w)
{
    const char *h = SDL_GetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION);
    if (h && (*h == '0' || SDL_strcasecmp(h, "false") == 0 ||
              SDL_strcasecmp(h, "software") == 0))
        return NULL;
    return REAL("SDL_GetWindowSurface", SDL_Surface * (*)(SDL_Window *))(w);
}

SDL_Renderer *SDL_CreateRenderer(SDL_Window *w, int index, Uint32 flags)
{
    if (getenv("NWS_NO_RENDERER")) {
        SDL_SetError("no renderer (test)");
        return NULL;
    }
    return REAL("SDL_CreateRenderer",
                SDL_Renderer * (*)(SDL_Window *, int, Uint32))(w, index, flags);
}

static void save_frame(SDL_Renderer *r, const char *path)
{
    int w, h;
    if (SDL_GetRendererOutputSize(r, &w, &h) < 0 || w <= 0 || h <= 0)
        return;
    Uint32 *px = malloc((size_t)w * (size_t)h * 4);
    if (!px)
        return;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = NULL;
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, px, w * 4) == 0)
        f = fopen(tmp, "wb");
    if (f) {
        fprintf(f, "%d %d\n", w, h);
        fwrite(px, 4, (size_t)w * (size_t)h, f);
        if (fclose(f) == 0)
            rename(tmp, path);
    }
    free(px);
}

void SDL_RenderPresent(SDL_Renderer *r)
{
    const char *path = getenv("NWS_PRESENTED");
    if (path && *path)
        save_frame(r, path);
    REAL("SDL_RenderPresent", void (*)(SDL_Renderer *))(r);
}
