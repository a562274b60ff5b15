#define LOG_MODULE "kiosk"
/* The kiosk's window: the video driver (explicit where configured, and
 * reported, since SDL silently falls back to one that shows nothing), the
 * back end (GPU renderer, or the window surface without one), and the
 * SIGUSR1 screenshot. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk_priv.h"
#include "log.h"
#include "pngfile.h"
#include "status.h"

void kiosk_screenshot(struct kiosk *k)
{
    char path[PATH_MAX];
    const char *sf = k->cfg->status_file;
    const char *slash = sf ? strrchr(sf, '/') : NULL;
    int n =
        slash ? snprintf(path, sizeof(path), "%.*s/screenshot.png", (int)(slash - sf), sf)
              : snprintf(path, sizeof(path), "screenshot.png");
    if (n < 0 || (size_t)n >= sizeof(path)) {
        LOG_ERR("cannot write a screenshot beside %s: %s", sf, strerror(ENAMETOOLONG));
        return;
    }
    SDL_Surface *s = render_read_pixels(k->rd);
    if (!s) {
        LOG_ERR("cannot write screenshot %s: cannot read the screen back", path);
        return;
    }
    /* Beside the status file, on the runtime tmpfs: no fsync. */
    char err[256];
    if (pngfile_save(path, s, false, err, sizeof(err)) < 0)
        LOG_ERR("cannot write screenshot %s: %s; the previous one is kept", path, err);
    else
        LOG_INFO("screenshot written to %s", path);
    SDL_FreeSurface(s);
}

const char *kiosk_gl_string(SDL_Renderer *r, unsigned int name)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r, &info) < 0 || strncmp(info.name, "opengl", 6) != 0)
        return NULL;
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    get_string_fn get = (get_string_fn)SDL_GL_GetProcAddress("glGetString");
    return get ? (const char *)get(name) : NULL;
}

bool kiosk_software_gl(const char *gl_renderer)
{
    return gl_renderer && (strstr(gl_renderer, "llvmpipe") ||
                           strstr(gl_renderer, "softpipe") || strstr(gl_renderer, "swrast"));
}

/* Whether an OpenGL renderer is really Mesa's CPU rasteriser. */
static bool software_gl(SDL_Renderer *r)
{
    const char *name = kiosk_gl_string(r, KIOSK_GL_RENDERER);
    if (name)
        LOG_DBG("GL renderer: %s", name);
    return kiosk_software_gl(name);
}

/* The surface back end: the window's own surface, or, where the video
 * driver has none (KMSDRM, Wayland: SDL only offers one there through a
 * renderer, with framebuffer acceleration on), the same drawing streamed
 * to the screen through a renderer.  Sets k->rd, k->w, k->h. */
static int open_surface(struct kiosk *k, const char *drv, Uint32 rflags)
{
    /* Else SDL emulates the window surface with a GL texture, which on a
     * machine without a GPU is a software GL: slow. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    k->rd = render_new_surface(k->win, NULL);
    if (k->rd) {
        SDL_GetWindowSize(k->win, &k->w, &k->h);
        return 0;
    }
    k->ren = SDL_CreateRenderer(k->win, -1, rflags);
    if (!k->ren) {
        LOG_ERR("cannot draw: the %s driver has no window surface, and no renderer "
                "works (%s)",
                drv ? drv : "video", SDL_GetError());
        return -1;
    }
    SDL_RendererInfo info;
    SDL_GetRendererInfo(k->ren, &info);
    LOG_WARN("the %s driver has no window surface; drawing in software and showing "
             "it through the %s renderer",
             drv ? drv : "video", info.name);
    SDL_GetRendererOutputSize(k->ren, &k->w, &k->h);
    k->rd = render_new_streamed(k->ren, k->w, k->h);
    return k->rd ? 0 : -1;
}

bool kiosk_pick_backend(const struct config *c, SDL_Window *win, SDL_Renderer **ren,
                        const char **why)
{
    *ren = NULL;
    *why = "a GPU renderer";
    /* "software" (or no working GPU renderer, unrotated): draw into the
     * window's surface and send only what changed to the screen. */
    bool surface = c->render_driver && strcmp(c->render_driver, "software") == 0;
    if (surface)
        *why = "render_driver = software";
    /* No DRM device at all: any GL would run on the CPU; do not even load
     * it (Mesa's llvmpipe alone costs ~40 MB). */
    if (!c->render_driver && c->rotation == 0 && access("/dev/dri", F_OK) != 0) {
        LOG_INFO("no GPU (/dev/dri); drawing in software");
        *why = "no GPU (/dev/dri)";
        surface = true;
    }
    Uint32 rflags = SDL_RENDERER_ACCELERATED | (c->vsync ? SDL_RENDERER_PRESENTVSYNC : 0);
    if (!surface) {
        if (c->render_driver)
            SDL_SetHint(SDL_HINT_RENDER_DRIVER, c->render_driver);
        *ren = SDL_CreateRenderer(win, -1, rflags);
        if (*ren && !c->render_driver && c->rotation == 0 && software_gl(*ren)) {
            /* A GL emulated on the CPU (no GPU driver) blends every pixel
             * of every frame; our own surface path redraws only what
             * changed, several times cheaper. */
            LOG_WARN("the GL renderer runs in software here; drawing in software");
            *why = "the GL renderer runs in software";
            SDL_DestroyRenderer(*ren);
            *ren = NULL;
            surface = true;
        } else if (!*ren && c->rotation == 0) {
            LOG_WARN("no GPU renderer (%s); drawing in software", SDL_GetError());
            *why = "no GPU renderer works";
            surface = true;
        } else if (!*ren) {
            LOG_WARN("no GPU renderer (%s); rotating in software", SDL_GetError());
            *why = "no GPU renderer works; rotating in software";
            *ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
        }
    }
    if (surface && c->rotation != 0) {
        LOG_WARN("rotation needs a renderer; using SDL's software renderer");
        *why = "rotation needs a renderer";
        surface = false;
        *ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!surface && !*ren) {
        /* SDL's software renderer draws into the window surface, which
         * KMSDRM and Wayland do not have: any renderer that works. */
        LOG_WARN("cannot create that renderer (%s); trying any other", SDL_GetError());
        *why = "the configured renderer failed; any other";
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "");
        *ren = SDL_CreateRenderer(win, -1, 0);
    }
    return surface;
}

void kiosk_lean_env(void)
{
    /* SDL asks libdbus for the session bus (screen-saver inhibition,
     * input methods).  Where there is none, libdbus "autolaunches" one:
     * forks dbus-launch, which on a machine without a desktop starts a
     * bus nobody else uses, or fails after a fork and a dozen execs.
     * Either way milliseconds before the first picture, for nothing. */
    if (!getenv("DBUS_SESSION_BUS_ADDRESS")) {
        const char *rt = getenv("XDG_RUNTIME_DIR");
        char bus[PATH_MAX];
        struct stat st;
        bool have_bus = rt && snprintf(bus, sizeof(bus), "%s/bus", rt) < (int)sizeof(bus) &&
                        stat(bus, &st) == 0 && S_ISSOCK(st.st_mode);
        if (!have_bus)
            setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:", 1);
    }
    /* Nobody types text into a kiosk: without this, opening the X input
     * method parses the locale's whole Compose table (~6,000 lines,
     * 20-40 ms and a few hundred KB of heap) for keys it never sees. */
    if (!getenv("XCOMPOSEFILE"))
        setenv("XCOMPOSEFILE", "/dev/null", 1);
}

int kiosk_video_init(struct kiosk *k)
{
    const struct config *c = k->cfg;
    if (c->video_driver && SDL_VideoInit(c->video_driver) < 0) {
        LOG_ERR("video driver %s: %s", c->video_driver, SDL_GetError());
        return -1;
    }
    if (!c->video_driver && SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        LOG_ERR("no display: %s", SDL_GetError());
        return -1;
    }
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!c->video_driver && drv &&
        (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0) &&
        !getenv("SDL_VIDEODRIVER")) {
        /* SDL fell back to a driver that shows nothing: a kiosk that
         * "runs" there is a black screen nobody is told about. */
        LOG_ERR("no display: SDL fell back to its '%s' driver, which shows nothing; "
                "start it on a display, or set video_driver (e.g. KMSDRM for the "
                "console) in the configuration",
                drv);
        return -1;
    }
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    return 0;
}

/* The window's size: as asked, else the desktop's (after video init). */
static bool window_size(const struct kiosk *k, bool video_up, int *w, int *h)
{
    const struct config *c = k->cfg;
    *w = k->opts->window ? k->opts->window_w : c->width;
    *h = k->opts->window ? k->opts->window_h : c->height;
    if (!k->opts->window && c->fullscreen && (*w <= 0 || *h <= 0)) {
        SDL_DisplayMode dm;
        if (!video_up)
            return false;
        if (SDL_GetDesktopDisplayMode(0, &dm) == 0) {
            *w = dm.w;
            *h = dm.h;
        } else {
            *w = 1920;
            *h = 1080;
        }
    }
    if (*w <= 0 || *h <= 0) {
        *w = 1920;
        *h = 1080;
    }
    return true;
}

bool kiosk_planned_size(const struct kiosk *k, bool video_up, int *w, int *h)
{
    int ww, wh;
    if (!window_size(k, video_up, &ww, &wh))
        return false;
    bool turned = k->cfg->rotation == 90 || k->cfg->rotation == 270;
    *w = turned ? wh : ww;
    *h = turned ? ww : wh;
    return true;
}

int kiosk_open_window(struct kiosk *k)
{
    const struct config *c = k->cfg;
    const char *drv = SDL_GetCurrentVideoDriver();
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (!k->opts->window && c->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    int w, h;
    window_size(k, true, &w, &h);
    k->win = SDL_CreateWindow("edukiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                              w, h, flags);
    if (!k->win) {
        LOG_ERR("cannot open a window: %s", SDL_GetError());
        return -1;
    }
    const char *why;
    bool surface = kiosk_pick_backend(c, k->win, &k->ren, &why);
    const char *rname = "surface";
    int ow, oh;
    if (surface) {
        Uint32 rflags =
            SDL_RENDERER_ACCELERATED | (c->vsync ? SDL_RENDERER_PRESENTVSYNC : 0);
        if (open_surface(k, drv, rflags) < 0)
            return -1;
        if (k->ren)
            rname = "surface, streamed";
        ow = k->w;
        oh = k->h;
    } else {
        if (!k->ren) {
            LOG_ERR("cannot create a renderer: %s", SDL_GetError());
            return -1;
        }
        SDL_RendererInfo info;
        SDL_GetRendererInfo(k->ren, &info);
        rname = info.name;
        SDL_GetRendererOutputSize(k->ren, &ow, &oh);
    }
    bool turned = c->rotation == 90 || c->rotation == 270;
    k->w = turned ? oh : ow;
    k->h = turned ? ow : oh;
    LOG_INFO("display: driver %s, renderer %s, %dx%d, rotation %d", drv ? drv : "?",
             rname, ow, oh, c->rotation);
    status_set_display(k->status, drv ? drv : "", rname, ow, oh);
    if (!surface)
        k->rd = render_new(k->ren, k->w, k->h, c->rotation);
    return k->rd ? 0 : -1;
}
