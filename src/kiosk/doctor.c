#define LOG_MODULE "doctor"
#include "doctor.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "cache.h"
#include "doctor_sys.h"
#include "feed.h"
#include "feedsig.h"
#include "fileutil.h"
#include "font.h"
#include "http.h"
#include "kiosk.h"
#include "source.h"
#include "utf8.h"

/* ---- where the service keeps its files ---------------------------------- */

/* Run by hand, not by the service, the doctor reads the files where the
 * service keeps them (CacheDirectory=, RuntimeDirectory= of
 * edukiosk.service), unless the configuration names other places. */
#define SERVICE_CACHE_DIR "/var/cache/edukiosk"
#define SERVICE_STATUS_FILE "/run/edukiosk/status.json"

static const char *service_place(const struct config *c, const char *key, const char *mine,
                                 const char *env, const char *service)
{
    if (getenv(env))
        return mine; /* run by the service: these are its own */
    for (size_t i = 0; config_key_name(i); i++)
        if (strcmp(config_key_name(i), key) == 0 && c->origin[i] != 0)
            return mine;
    return access(service, F_OK) == 0 ? service : mine;
}

/* ---- a kiosk already running ------------------------------------------- */

static const char *json_str(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "?";
}

/* A kiosk that runs now holds the display (DRM master on the console), so
 * SDL cannot open it a second time: its status file tells what it got.
 * True after an OK line about it. */
static bool check_running_kiosk(struct doctor *d, const struct config *c)
{
    const char *path = service_place(c, "paths.status_file", c->status_file,
                                     "RUNTIME_DIRECTORY", SERVICE_STATUS_FILE);
    if (!path)
        return false;
    json_t *st = json_load_file(path, 0, NULL);
    json_int_t pid = json_integer_value(json_object_get(st, "pid"));
    char comm_path[64], comm[32] = "";
    snprintf(comm_path, sizeof(comm_path), "/proc/%lld/comm", (long long)pid);
    FILE *f = pid > 0 && pid != getpid() ? fopen(comm_path, "r") : NULL;
    if (f) {
        if (!fgets(comm, sizeof(comm), f))
            comm[0] = '\0';
        (void)fclose(f); /* read only: nothing to lose */
    }
    bool running = strncmp(comm, "edukiosk", 8) == 0;
    if (running) {
        json_t *dp = json_object_get(st, "display");
        json_t *sl = json_object_get(st, "slide");
        json_t *dk = json_object_get(st, "deck");
        doctor_say(d, DOCTOR_OK,
                   "video: the kiosk running now (pid %lld) has the display: driver %s, "
                   "renderer %s, %lldx%lld, screen %s, slide %lld of %lld. To test the "
                   "display itself, stop it first (sudo systemctl stop edukiosk).",
                   (long long)pid,
                   json_str(dp, "driver"), json_str(dp, "renderer"),
                   json_integer_value(json_object_get(dp, "width")),
                   json_integer_value(json_object_get(dp, "height")),
                   json_is_false(json_object_get(dp, "on")) ? "off (schedule)" : "on",
                   json_integer_value(json_object_get(sl, "index")),
                   json_integer_value(json_object_get(dk, "slides")));
    }
    json_decref(st);
    return running;
}

/* ---- video ------------------------------------------------------------ */

static bool shows_nothing(const char *drv)
{
    return drv && (strcasecmp(drv, "offscreen") == 0 || strcasecmp(drv, "dummy") == 0);
}

/* Initialises video as the kiosk does; false after a FAIL line. */
static bool check_video(struct doctor *d, const struct config *c)
{
    char list[256] = "";
    for (int i = 0; i < SDL_GetNumVideoDrivers(); i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof(list) - l, "%s%s", i ? " " : "", SDL_GetVideoDriver(i));
    }
    doctor_say(d, DOCTOR_OK, "video: drivers in this SDL: %s.", list);
    const char *asked = c->video_driver;
    int r = asked ? SDL_VideoInit(asked) : SDL_InitSubSystem(SDL_INIT_VIDEO);
    if (r < 0) {
        doctor_say(d, DOCTOR_FAIL,
                   "video: driver %s does not start: %s. Check the screen is plugged in "
                   "and the user may open /dev/dri (see permissions), or set "
                   "video_driver to one listed above.",
                   asked ? asked : "(SDL's choice)", SDL_GetError());
        return false;
    }
    const char *drv = SDL_GetCurrentVideoDriver();
    if (asked && !shows_nothing(asked) && shows_nothing(drv)) {
        doctor_say(d, DOCTOR_FAIL,
                   "video: %s was asked for but SDL chose %s, which shows nothing. "
                   "Install an SDL with the %s driver.",
                   asked, drv, asked);
        return false;
    }
    if (shows_nothing(drv) && !getenv("SDL_VIDEODRIVER")) {
        doctor_say(d, DOCTOR_FAIL,
                   "video: SDL fell back to its %s driver, which shows nothing. Set "
                   "video_driver (e.g. KMSDRM for the console) in the configuration.",
                   drv);
        return false;
    }
    if (shows_nothing(drv))
        doctor_say(d, DOCTOR_WARN,
                   "video: driver %s (from SDL_VIDEODRIVER) draws off screen. Unset "
                   "SDL_VIDEODRIVER to show slides on a screen.",
                   drv);
    else
        doctor_say(d, DOCTOR_OK, "video: driver %s.", drv ? drv : "?");
    SDL_DisplayMode dm;
    int n = SDL_GetNumDisplayModes(0);
    if (SDL_GetCurrentDisplayMode(0, &dm) < 0) {
        doctor_say(d, DOCTOR_FAIL,
                   "video: no display found (%s). Connect and switch on the screen "
                   "before the kiosk starts.",
                   SDL_GetError());
        return false;
    }
    doctor_say(d, DOCTOR_OK, "video: %d display mode%s, current %dx%d at %d Hz.", n,
               n == 1 ? "" : "s", dm.w, dm.h, dm.refresh_rate);
    return true;
}

/* ---- renderer --------------------------------------------------------- */

static void check_renderer(struct doctor *d, const struct config *c)
{
    char list[256] = "";
    for (int i = 0; i < SDL_GetNumRenderDrivers(); i++) {
        SDL_RendererInfo info;
        size_t l = strlen(list);
        if (SDL_GetRenderDriverInfo(i, &info) == 0)
            snprintf(list + l, sizeof(list) - l, "%s%s", l ? " " : "", info.name);
    }
    doctor_say(d, DOCTOR_OK, "renderer: drivers in this SDL: %s.",
               list[0] ? list : "none");
    SDL_Window *win =
        SDL_CreateWindow("edukiosk --doctor", 0, 0, 64, 64, SDL_WINDOW_HIDDEN);
    if (!win) {
        doctor_say(d, DOCTOR_FAIL,
                   "renderer: cannot open a window: %s. Check the video "
                   "line above.",
                   SDL_GetError());
        return;
    }
    SDL_Renderer *ren;
    const char *why;
    bool surface = kiosk_pick_backend(c, win, &ren, &why);
    SDL_RendererInfo info;
    const char *name = ren && SDL_GetRendererInfo(ren, &info) == 0 ? info.name : NULL;
    if (surface) {
        doctor_say(d, strstr(why, "software") ? DOCTOR_WARN : DOCTOR_OK,
                   "renderer: software drawing into the window (%s). Fine for slides; "
                   "a GPU driver makes transitions smoother.",
                   why);
    } else if (!ren) {
        doctor_say(d, DOCTOR_FAIL,
                   "renderer: no renderer works (%s). Set render_driver "
                   "= software.",
                   SDL_GetError());
    } else {
        const char *vendor = kiosk_gl_string(ren, KIOSK_GL_VENDOR);
        const char *gl = kiosk_gl_string(ren, KIOSK_GL_RENDERER);
        bool soft = kiosk_software_gl(gl);
        doctor_say(d, soft ? DOCTOR_WARN : DOCTOR_OK, "renderer: %s (%s)%s%s%s%s. %s",
                   name ? name : "?", why, gl ? ", GL " : "", vendor ? vendor : "",
                   gl ? " / " : "", gl ? gl : "",
                   soft ? "This GL runs on the CPU: install the GPU driver (vc4/v3d)."
                        : "Nothing to do.");
    }
    if (ren)
        SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
}

/* ---- fonts ------------------------------------------------------------ */

/* Fonts fontconfig offers for Chinese: count, and the first few families
 * in list. */
static int cjk_fallbacks(char *list, size_t len)
{
    list[0] = '\0';
    if (!FcInit())
        return 0;
    FcPattern *p = FcNameParse((const FcChar8 *)":lang=zh-cn");
    FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, (char *)NULL);
    FcFontSet *fs = p && os ? FcFontList(NULL, p, os) : NULL;
    int n = fs ? fs->nfont : 0;
    for (int i = 0; i < n && i < 3; i++) {
        FcChar8 *fam;
        size_t l = strlen(list);
        if (FcPatternGetString(fs->fonts[i], FC_FAMILY, 0, &fam) == FcResultMatch)
            snprintf(list + l, len - l, "%s%s", l ? ", " : "", (const char *)fam);
    }
    if (fs)
        FcFontSetDestroy(fs);
    if (os)
        FcObjectSetDestroy(os);
    if (p)
        FcPatternDestroy(p);
    return n;
}

static void check_fonts(struct doctor *d)
{
    if (TTF_Init() < 0) {
        doctor_say(d, DOCTOR_FAIL,
                   "fonts: SDL_ttf does not start: %s. Reinstall "
                   "libsdl2-ttf.",
                   TTF_GetError());
        return;
    }
    struct fontset *fs = fontset_new();
    if (!fs) {
        doctor_say(d, DOCTOR_FAIL,
                   "fonts: the bundled fonts do not open. Reinstall "
                   "edukiosk.");
        TTF_Quit();
        return;
    }
    const char *s = (const char *)asset_default_feed;
    size_t len = asset_default_feed_size, n = 0, missing = 0;
    char first[64] = "";
    for (size_t i = 0, adv; i < len; i += adv) {
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        if (cp < 0x80)
            continue;
        n++;
        if (!fontset_has_glyph(fs, cp, true)) {
            size_t l = strlen(first);
            if (missing++ < 5)
                snprintf(first + l, sizeof(first) - l, " U+%04X", (unsigned)cp);
        }
    }
    if (missing)
        doctor_say(d, DOCTOR_WARN,
                   "fonts: the bundled fonts lack %zu of %zu characters "
                   "of the built-in deck (%s). Install fonts-noto-cjk.",
                   missing, n, first + 1);
    else
        doctor_say(d, DOCTOR_OK,
                   "fonts: the bundled fonts open and draw all %zu "
                   "characters of the built-in deck.",
                   n);
    char list[256];
    int nf = cjk_fallbacks(list, sizeof(list));
    doctor_say(d, DOCTOR_OK,
               "fonts: %d Chinese fallback font%s from fontconfig%s%s%s. "
               "%s",
               nf, nf == 1 ? "" : "s", nf ? " (" : "", list, nf ? ", …)" : "",
               nf ? "Nothing to do." : "The bundled fonts are used alone; fine.");
    fontset_free(fs);
    TTF_Quit();
}

/* ---- configuration ---------------------------------------------------- */

static void check_config(struct doctor *d, const struct config *c, const struct cli *cli)
{
    struct stat st;
    const char *path = cli->config_path;
    if (path && stat(path, &st) == 0)
        doctor_say(d, DOCTOR_OK, "config: file %s, valid.", path);
    else
        doctor_say(d, DOCTOR_OK, "config: no file%s%s; built-in defaults.",
                   path ? " at " : "", path ? path : "");
    struct config def;
    config_defaults(&def);
    int changed = 0;
    for (size_t i = 0; config_key_name(i); i++) {
        char *v = config_key_value(c, i), *dv = config_key_value(&def, i);
        if (v && dv && strcmp(v, dv) != 0) {
            changed++;
            char from[512];
            if (c->origin[i] == CONFIG_FROM_CLI)
                snprintf(from, sizeof(from), "command line");
            else if (c->origin[i] > 0)
                snprintf(from, sizeof(from), "%s:%d", path ? path : "?", c->origin[i]);
            else
                snprintf(from, sizeof(from), "environment");
            doctor_say(d, DOCTOR_OK, "config: %s = %s (%s).", config_key_name(i), v,
                       from);
        }
        free(v);
        free(dv);
    }
    config_free(&def);
    if (!changed)
        doctor_say(d, DOCTOR_OK, "config: every key has its default value.");
}

/* ---- feed and cache --------------------------------------------------- */

/* The first diagnostic of rep, for one line. */
static void first_problem(const struct feed_report *rep, const char *src, char *out,
                          size_t len)
{
    char *text = NULL;
    size_t tl = 0;
    FILE *m = open_memstream(&text, &tl);
    out[0] = '\0';
    if (!m)
        return;
    feed_report_print(rep, src, m);
    if (fclose(m) == 0 && text) {
        text[strcspn(text, "\n")] = '\0';
        snprintf(out, len, "%s", text);
    }
    free(text);
}

/* Whether the kiosk would take the feed's signature (feed_public_key). */
static void check_signature(struct doctor *d, const struct config *c, const char *body,
                            size_t len)
{
    if (!c->feed_public_key) {
        doctor_say(d, DOCTOR_WARN,
                   "signature: feeds are not verified (feed_public_key is empty): "
                   "whoever can change the feed's web server changes this screen. "
                   "See docs/signing.md.");
        return;
    }
    char *why = NULL;
    size_t whylen = 0;
    FILE *mem = open_memstream(&why, &whylen);
    if (!mem) {
        doctor_say(d, DOCTOR_WARN, "signature: out of memory. Check memory.");
        return;
    }
    struct feedsig sig;
    int r = source_verify(c, c->feed, body, len, &sig, mem);
    if (fclose(mem) != 0) {
        free(why);
        doctor_say(d, DOCTOR_WARN, "signature: out of memory. Check memory.");
        return;
    }
    if (r == 0) {
        char when[40];
        feedsig_time(sig.timestamp, when, sizeof(when));
        doctor_say(d, DOCTOR_OK, "signature: signed %s by key %s. Nothing to do.", when,
                   sig.key_id);
    } else {
        why[strcspn(why, "\n")] = '\0';
        doctor_say(d, DOCTOR_WARN,
                   "signature: %s; the screen keeps its last good deck. See "
                   "docs/signing.md.",
                   why);
    }
    free(why);
}

static void check_body(struct doctor *d, const struct config *c, struct http_resp *r,
                       const char *got)
{
    check_signature(d, c, r->body, r->len);
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = c->max_feed_bytes;
    lim.require_pins = c->feed_public_key != NULL;
    struct feed_report rep = {0};
    struct deck *dk = feed_parse(r->body, r->len, c->feed, &lim, &rep);
    if (dk) {
        doctor_say(d, DOCTOR_OK, "feed: %s; a valid feed of %zu slides. Nothing to do.",
                   got, dk->n_slides);
        deck_unref(dk);
    } else {
        char why[512];
        first_problem(&rep, c->feed, why, sizeof(why));
        doctor_say(d, DOCTOR_WARN,
                   "feed: %s; not a valid feed: %s. Fix the feed "
                   "(edukiosk --check shows every problem).",
                   got, why);
    }
    feed_report_free(&rep);
}

static void check_cache(struct doctor *d, const struct config *c)
{
    const char *dir = service_place(c, "paths.cache_dir", c->cache_dir, "CACHE_DIRECTORY",
                                    SERVICE_CACHE_DIR);
    if (!dir) {
        doctor_say(d, DOCTOR_WARN,
                   "cache: none configured. Set cache_dir so the last "
                   "good feed survives a network outage.");
        return;
    }
    char path[4096];
    struct cache_meta m;
    struct stat st;
    int r = cache_read_meta(dir, &m);
    if (file_join(path, sizeof(path), dir, "feed.json") < 0 || stat(path, &st) < 0 ||
        r < 0) {
        doctor_say(d, DOCTOR_WARN,
                   "cache: no cached feed in %s yet. It appears after "
                   "the first good download.",
                   dir);
        return;
    }
    double age = difftime(time(NULL), st.st_mtime);
    doctor_say(d, DOCTOR_OK,
               "cache: feed in %s, %.0f min old, deck hash %.12s. "
               "Nothing to do.",
               dir, age / 60, m.hash);
}

static void check_feed(struct doctor *d, const struct config *c)
{
    if (!c->feed) {
        doctor_say(d, DOCTOR_OK,
                   "feed: none configured; the built-in deck shows. Set "
                   "url to show the school's own feed.");
        return;
    }
    struct http_resp r;
    memset(&r, 0, sizeof(r));
    if (!http_is_http_url(c->feed)) {
        if (http_read_local(c->feed, c->max_feed_bytes, &r) != HTTP_BODY)
            doctor_say(d, DOCTOR_WARN,
                       "feed: %s: %s; the built-in deck shows. Check "
                       "the path in url.",
                       c->feed, r.error);
        else
            check_body(d, c, &r, c->feed);
        http_resp_free(&r);
        return;
    }
    struct http_options o = {.ca_file = c->ca_file,
                             .connect_timeout_s = c->connect_timeout_s,
                             .total_timeout_s = c->timeout_s,
                             .low_speed_bytes = 100,
                             .low_speed_time_s = 30};
    struct http_client *hc = http_client_new(&o, NULL);
    if (!hc) {
        doctor_say(d, DOCTOR_WARN, "feed: cannot start an HTTP client. Check memory.");
        return;
    }
    if (http_get(hc, c->feed, NULL, NULL, c->max_feed_bytes, &r) != HTTP_BODY) {
        char status[32] = "";
        if (r.status)
            snprintf(status, sizeof(status), " (HTTP %ld)", r.status);
        doctor_say(d, DOCTOR_WARN,
                   "feed: %s: %s%s; the cached or built-in deck shows. "
                   "Check the URL and the network.",
                   c->feed, r.error, status);
    } else {
        char got[1024];
        snprintf(got, sizeof(got), "%s: HTTP %ld, ETag %s, Last-Modified %s, %zu bytes",
                 c->feed, r.status, r.etag[0] ? r.etag : "(none)",
                 r.last_modified[0] ? r.last_modified : "(none)", r.len);
        check_body(d, c, &r, got);
    }
    http_resp_free(&r);
    http_client_free(hc);
    check_cache(d, c);
}

int doctor_run(const struct config *cfg, const struct cli *cli, FILE *out)
{
    struct doctor d = {.out = out};
    if (SDL_Init(SDL_INIT_EVENTS) < 0) {
        doctor_say(&d, DOCTOR_FAIL, "video: SDL does not start: %s. Reinstall libsdl2.",
                   SDL_GetError());
    } else {
        if (!check_running_kiosk(&d, cfg) && check_video(&d, cfg))
            check_renderer(&d, cfg);
        check_fonts(&d);
        SDL_Quit();
    }
    check_config(&d, cfg, cli);
    check_feed(&d, cfg);
    doctor_check_system(&d);
    if (d.reason[0]) {
        fprintf(out, "FAIL a kiosk would not run here: %s\n", d.reason);
        return 3;
    }
    fprintf(out, "OK   a kiosk would run here.\n");
    return 0;
}
