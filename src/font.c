/* Fonts: the two bundled faces plus fontconfig fallbacks.
 *
 * Each face is one TTF_Font, resized with TTF_SetFontSize() when a call
 * asks for another size.  A wrap measures many times at one size, so the
 * resize (which flushes SDL_ttf's glyph cache) is rare, and measuring and
 * drawing always go through the very same object.  A per-size table of
 * fonts would cost an open (~0.4 ms) and the face's tables per entry.
 *
 * Text is cut into runs of grapheme clusters that one face provides
 * entirely, bundled faces first; a run is measured with TTF_SizeUTF8()
 * (HarfBuzz shapes it) and drawn with TTF_RenderUTF8_Blended().  A
 * character no face has is looked up through fontconfig once; if nobody
 * has it, it is drawn with the bundled face's .notdef box.
 */
#define LOG_MODULE "font"
#include "log.h"

#include "font.h"
#include "assets.h"
#include "utf8.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define MAX_FALLBACKS 8
#define MISSING_CACHE 64
#define MAX_PX 1000
#define OPEN_PX 32
#define MAX_RUN_BYTES (1u << 20)
#define MAX_CLUSTER 16

struct face {
    TTF_Font *font;
    int px;     /* size the font is currently set to */
    bool bold;  /* the style this face serves */
    char *path; /* NULL for the bundled faces */
    int index;  /* face index in a collection file */
};

struct fontset {
    struct face regular, bold;
    struct face fallback[MAX_FALLBACKS];
    int n_fallback;
    bool fc_tried, fc_ok;
    /* characters nobody has, so measuring them again stays cheap */
    uint32_t missing[MISSING_CACHE];
    bool missing_bold[MISSING_CACHE];
    int n_missing, missing_next;
    char *buf; /* the current run, NUL-terminated for SDL_ttf */
    size_t buf_cap;
};

/* ---- faces ---- */

static bool face_open_mem(struct face *f, const unsigned char *data, uint32_t size, bool bold)
{
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)size);
    if (!rw) {
        LOG_ERR("SDL_RWFromConstMem: %s", SDL_GetError());
        return false;
    }
    f->font = TTF_OpenFontRW(rw, 1, OPEN_PX);
    if (!f->font) {
        LOG_ERR("cannot open the bundled %s font: %s", bold ? "bold" : "regular",
                TTF_GetError());
        return false;
    }
    f->px = OPEN_PX;
    f->bold = bold;
    return true;
}

static void face_setup(struct face *f)
{
    /* Light hinting snaps only vertically: CJK strokes stay even at
     * large sizes and advances stay unhinted, which keeps run widths
     * close to additive. */
    TTF_SetFontHinting(f->font, TTF_HINTING_LIGHT);
    TTF_SetFontKerning(f->font, 1);
}

static void face_close(struct face *f)
{
    if (f->font)
        TTF_CloseFont(f->font);
    free(f->path);
    memset(f, 0, sizeof(*f));
}

/* The face's font set to px, or NULL. */
static TTF_Font *face_at(struct face *f, int px)
{
    if (px < 1)
        px = 1;
    if (px > MAX_PX)
        px = MAX_PX;
    if (f->px != px) {
        if (TTF_SetFontSize(f->font, px) < 0) {
            LOG_ERR("TTF_SetFontSize(%d): %s", px, TTF_GetError());
            f->px = 0;
            return NULL;
        }
        f->px = px;
    }
    return f->font;
}

static bool face_has(struct face *f, uint32_t cp)
{
    return TTF_GlyphIsProvided32(f->font, cp) != 0;
}

struct fontset *fontset_new(void)
{
    if (!TTF_WasInit()) {
        LOG_ERR("TTF_Init() has not been called");
        return NULL;
    }
    struct fontset *fs = calloc(1, sizeof(*fs));
    if (!fs) {
        LOG_ERR("out of memory");
        return NULL;
    }
    if (!face_open_mem(&fs->regular, asset_font_regular, asset_font_regular_size, false) ||
        !face_open_mem(&fs->bold, asset_font_bold, asset_font_bold_size, true)) {
        fontset_free(fs);
        return NULL;
    }
    face_setup(&fs->regular);
    face_setup(&fs->bold);
    return fs;
}

void fontset_free(struct fontset *fs)
{
    if (!fs)
        return;
    face_close(&fs->regular);
    face_close(&fs->bold);
    for (int i = 0; i < fs->n_fallback; i++)
        face_close(&fs->fallback[i]);
    free(fs->buf);
    free(fs);
}

/* ---- fontconfig fallback ---- */

static bool is_missing(const struct fontset *fs, uint32_t cp, bool bold)
{
    for (int i = 0; i < fs->n_missing; i++)
        if (fs->missing[i] == cp && fs->missing_bold[i] == bold)
            return true;
    return false;
}

static void add_missing(struct fontset *fs, uint32_t cp, bool bold)
{
    LOG_WARN("no font has U+%04X; it is left blank", (unsigned)cp);
    fs->missing[fs->missing_next] = cp;
    fs->missing_bold[fs->missing_next] = bold;
    fs->missing_next = (fs->missing_next + 1) % MISSING_CACHE;
    if (fs->n_missing < MISSING_CACHE)
        fs->n_missing++;
}

static bool fallback_is_open(const struct fontset *fs, const char *path, int index, bool bold)
{
    for (int i = 0; i < fs->n_fallback; i++) {
        const struct face *f = &fs->fallback[i];
        if (f->bold == bold && f->index == index && strcmp(f->path, path) == 0)
            return true;
    }
    return false;
}

/* Opens the file of one fontconfig candidate as a new fallback face if
 * it really provides cp. */
static struct face *try_candidate(struct fontset *fs, FcPattern *font, uint32_t cp, bool bold)
{
    FcChar8 *file;
    int index = 0;
    FcBool scalable = FcTrue;
    FcCharSet *cs;
    if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch)
        return NULL;
    if (FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) != FcResultMatch ||
        !FcCharSetHasChar(cs, cp))
        return NULL;
    FcPatternGetBool(font, FC_SCALABLE, 0, &scalable);
    if (!scalable)
        return NULL;
    FcPatternGetInteger(font, FC_INDEX, 0, &index);
    const char *path = (const char *)file;
    if (fallback_is_open(fs, path, index, bold))
        return NULL; /* it would have been found among the open ones */
    struct face *f = &fs->fallback[fs->n_fallback];
    memset(f, 0, sizeof(*f));
    f->font = TTF_OpenFontIndex(path, OPEN_PX, index);
    if (!f->font) {
        LOG_WARN("cannot open fallback font %s: %s", path, TTF_GetError());
        return NULL;
    }
    f->path = strdup(path);
    if (!f->path || !face_has(f, cp)) {
        face_close(f);
        return NULL;
    }
    f->px = OPEN_PX;
    f->bold = bold;
    f->index = index;
    face_setup(f);
    fs->n_fallback++;
    LOG_INFO("fallback font for U+%04X%s: %s", (unsigned)cp, bold ? " (bold)" : "", path);
    return f;
}

/* Asks fontconfig for a Chinese sans-serif face of the right weight that
 * has cp, opens it and keeps it.  NULL when there is none. */
static struct face *lookup_fallback(struct fontset *fs, uint32_t cp, bool bold)
{
    if (is_missing(fs, cp, bold))
        return NULL;
    if (!fs->fc_tried) {
        fs->fc_tried = true;
        fs->fc_ok = FcInit();
        if (!fs->fc_ok)
            LOG_WARN("fontconfig unavailable: no fallback fonts");
    }
    if (!fs->fc_ok || fs->n_fallback >= MAX_FALLBACKS) {
        add_missing(fs, cp, bold);
        return NULL;
    }
    struct face *found = NULL;
    FcPattern *pat = FcPatternCreate();
    FcCharSet *want = FcCharSetCreate();
    if (!pat || !want || !FcCharSetAddChar(want, cp) ||
        !FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"sans-serif") ||
        !FcPatternAddString(pat, FC_LANG, (const FcChar8 *)"zh-cn") ||
        !FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR) ||
        !FcPatternAddCharSet(pat, FC_CHARSET, want)) {
        LOG_ERR("fontconfig: out of memory");
        goto out;
    }
    if (!FcConfigSubstitute(NULL, pat, FcMatchPattern))
        goto out;
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcFalse, NULL, &res);
    if (set) {
        for (int i = 0; i < set->nfont && !found && fs->n_fallback < MAX_FALLBACKS; i++)
            found = try_candidate(fs, set->fonts[i], cp, bold);
        FcFontSetDestroy(set);
    }
out:
    if (want)
        FcCharSetDestroy(want);
    if (pat)
        FcPatternDestroy(pat);
    if (!found)
        add_missing(fs, cp, bold);
    return found;
}

/* ---- choosing a face per cluster ---- */

/* Characters that never start a cluster of their own: combining marks,
 * joiners and variation selectors belong to the character before. */
static bool is_extender(uint32_t cp)
{
    if (cp == 0x200c || cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x1f3fb && cp <= 0x1f3ff))
        return true;
    int8_t t = u_charType((UChar32)cp);
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK ||
           t == U_COMBINING_SPACING_MARK;
}

/* Invisible characters a face need not have (HarfBuzz hides them). */
static bool is_ignorable(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
           cp == 0x2060 || cp == 0xfeff || (cp >= 0xfe00 && cp <= 0xfe0f) ||
           (cp >= 0xe0100 && cp <= 0xe01ef);
}

static bool face_has_all(struct face *f, const uint32_t *cps, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_ignorable(cps[i]) && !face_has(f, cps[i]))
            return false;
    return true;
}

static struct face *face_for(struct fontset *fs, const uint32_t *cps, int n, bool bold)
{
    struct face *primary = bold ? &fs->bold : &fs->regular;
    if (face_has_all(primary, cps, n))
        return primary;
    for (int i = 0; i < fs->n_fallback; i++)
        if (fs->fallback[i].bold == bold && face_has_all(&fs->fallback[i], cps, n))
            return &fs->fallback[i];
    /* Look up whichever character of the cluster is missing. */
    for (int k = 0; k < n; k++) {
        if (is_ignorable(cps[k]) || face_has(primary, cps[k]))
            continue;
        struct face *f = lookup_fallback(fs, cps[k], bold);
        if (f && face_has_all(f, cps, n))
            return f;
        break;
    }
    /* Nobody has the whole cluster: whoever has its base character, or
     * the bundled face's box. */
    if (!face_has(primary, cps[0]))
        for (int i = 0; i < fs->n_fallback; i++)
            if (fs->fallback[i].bold == bold && face_has(&fs->fallback[i], cps[0]))
                return &fs->fallback[i];
    return primary;
}

/* ---- runs ---- */

struct run_ctx;
typedef int (*run_fn)(struct fontset *fs, struct face *f, const char *text,
                      struct run_ctx *ctx);

struct run_ctx {
    int px;
    int x;          /* advance so far */
    SDL_Surface *dst;
    int baseline;
    SDL_Color color;
};

static int grow_buf(struct fontset *fs, size_t need)
{
    if (need <= fs->buf_cap)
        return 0;
    char *nb = realloc(fs->buf, need);
    if (!nb) {
        LOG_ERR("out of memory");
        return -1;
    }
    fs->buf = nb;
    fs->buf_cap = need;
    return 0;
}

/* Cuts s[0..len) into runs of one face each and calls fn on every run,
 * in order.  Malformed bytes become U+FFFD and NUL bytes are dropped, so
 * SDL_ttf always sees well-formed, complete strings. */
static int for_each_run(struct fontset *fs, const char *s, size_t len, bool bold, run_fn fn,
                        struct run_ctx *ctx)
{
    if (len > MAX_RUN_BYTES / 3) {
        LOG_ERR("text of %zu bytes is too long to draw", len);
        return -1;
    }
    if (grow_buf(fs, len * 3 + 1) < 0)
        return -1;
    struct face *cur = NULL;
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cps[MAX_CLUSTER];
        char enc[MAX_CLUSTER * 4];
        size_t enc_len = 0;
        int k = 0;
        size_t adv;
        /* A cluster: one character and the extenders after it (beyond
         * MAX_CLUSTER, extenders are dropped). */
        do {
            uint32_t cp = utf8_decode(s + i, len - i, &adv);
            i += adv;
            if (cp == 0)
                continue;
            if (k < MAX_CLUSTER) {
                cps[k++] = cp;
                enc_len += utf8_encode(cp, enc + enc_len);
            }
        } while (i < len && k > 0 && is_extender(utf8_decode(s + i, len - i, &adv)));
        if (k == 0)
            continue;
        struct face *f = face_for(fs, cps, k, bold);
        if (cur && f != cur) {
            fs->buf[n] = '\0';
            if (fn(fs, cur, fs->buf, ctx) < 0)
                return -1;
            n = 0;
        }
        cur = f;
        memcpy(fs->buf + n, enc, enc_len);
        n += enc_len;
    }
    if (cur && n > 0) {
        fs->buf[n] = '\0';
        if (fn(fs, cur, fs->buf, ctx) < 0)
            return -1;
    }
    return 0;
}

static int run_width(struct face *f, const char *text, int px)
{
    TTF_Font *font = face_at(f, px);
    int w = 0;
    if (!font || TTF_SizeUTF8(font, text, &w, NULL) < 0) {
        LOG_ERR("TTF_SizeUTF8: %s", TTF_GetError());
        return -1;
    }
    return w;
}

static int measure_run(struct fontset *fs, struct face *f, const char *text,
                       struct run_ctx *ctx)
{
    (void)fs;
    int w = run_width(f, text, ctx->px);
    if (w < 0)
        return -1;
    ctx->x += w;
    return 0;
}

int fontset_measure(void *ctx, const char *s, size_t len, int px, bool bold)
{
    struct fontset *fs = ctx;
    if (!fs || !s || len == 0)
        return 0;
    struct run_ctx rc = {.px = px};
    if (for_each_run(fs, s, len, bold, measure_run, &rc) < 0)
        return 0;
    return rc.x;
}

int fontset_line_height(struct fontset *fs, int px, bool bold)
{
    if (!fs)
        return 0;
    TTF_Font *font = face_at(bold ? &fs->bold : &fs->regular, px);
    return font ? TTF_FontHeight(font) : 0;
}

/* Draws src "over" dst at (x, y), clipped.  Both ARGB8888, straight
 * alpha; runs can overlap by a pixel of overhang, so this is a real
 * composite rather than a copy. */
static void composite(SDL_Surface *dst, const SDL_Surface *src, int x, int y)
{
    for (int sy = 0; sy < src->h; sy++) {
        int dy = y + sy;
        if (dy < 0 || dy >= dst->h)
            continue;
        const Uint32 *sp = (const Uint32 *)((const Uint8 *)src->pixels + sy * src->pitch);
        Uint32 *dp = (Uint32 *)((Uint8 *)dst->pixels + dy * dst->pitch);
        for (int sx = 0; sx < src->w; sx++) {
            int dx = x + sx;
            if (dx < 0 || dx >= dst->w)
                continue;
            Uint32 s = sp[sx], d = dp[dx];
            Uint32 sa = s >> 24, da = d >> 24;
            if (sa == 0)
                continue;
            Uint32 db = da * (255 - sa) / 255; /* what shows of dst */
            Uint32 oa = sa + db;
            Uint32 out = oa << 24;
            for (int sh = 0; sh < 24; sh += 8) {
                Uint32 sc = (s >> sh) & 0xff, dc = (d >> sh) & 0xff;
                out |= ((sc * sa + dc * db + oa / 2) / oa) << sh;
            }
            dp[dx] = out;
        }
    }
}

static int render_run(struct fontset *fs, struct face *f, const char *text,
                      struct run_ctx *ctx)
{
    (void)fs;
    int w = run_width(f, text, ctx->px);
    if (w < 0)
        return -1;
    TTF_Font *font = f->font; /* already at ctx->px */
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, ctx->color);
    if (!s) {
        /* e.g. a run of only zero-width characters: nothing to draw */
        LOG_DBG("TTF_RenderUTF8_Blended: %s", TTF_GetError());
        ctx->x += w;
        return 0;
    }
    SDL_Surface *argb = s;
    if (s->format->format != SDL_PIXELFORMAT_ARGB8888) {
        argb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
        SDL_FreeSurface(s);
        if (!argb) {
            LOG_ERR("SDL_ConvertSurfaceFormat: %s", SDL_GetError());
            return -1;
        }
    }
    /* Every face puts its baseline at its ascent from the top. */
    int y = ctx->baseline - TTF_FontAscent(font);
    if (SDL_LockSurface(argb) == 0) {
        composite(ctx->dst, argb, ctx->x, y);
        SDL_UnlockSurface(argb);
    }
    SDL_FreeSurface(argb);
    ctx->x += w;
    return 0;
}

SDL_Surface *fontset_render(struct fontset *fs, const char *s, size_t len, int px, bool bold,
                            SDL_Color color)
{
    if (!fs || !s || len == 0)
        return NULL;
    int w = fontset_measure(fs, s, len, px, bold);
    int h = fontset_line_height(fs, px, bold);
    if (w <= 0 || h <= 0)
        return NULL;
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!dst) {
        LOG_ERR("SDL_CreateRGBSurfaceWithFormat(%dx%d): %s", w, h, SDL_GetError());
        return NULL;
    }
    SDL_FillRect(dst, NULL, 0);
    struct run_ctx rc = {
        .px = px,
        .dst = dst,
        .baseline = TTF_FontAscent(bold ? fs->bold.font : fs->regular.font),
        .color = color,
    };
    if (SDL_LockSurface(dst) < 0) {
        LOG_ERR("SDL_LockSurface: %s", SDL_GetError());
        SDL_FreeSurface(dst);
        return NULL;
    }
    int rc_runs = for_each_run(fs, s, len, bold, render_run, &rc);
    SDL_UnlockSurface(dst);
    if (rc_runs < 0) {
        SDL_FreeSurface(dst);
        return NULL;
    }
    return dst;
}

bool fontset_has_glyph(struct fontset *fs, uint32_t cp, bool bundled_only)
{
    if (!fs)
        return false;
    if (face_has(&fs->regular, cp) && face_has(&fs->bold, cp))
        return true;
    if (bundled_only)
        return false;
    for (int i = 0; i < fs->n_fallback; i++)
        if (face_has(&fs->fallback[i], cp))
            return true;
    return lookup_fallback(fs, cp, false) != NULL;
}
