/* Fonts: the two bundled faces plus fontconfig fallbacks.
 *
 * Each face is one TTF_Font, resized with TTF_SetFontSize() when a call
 * asks for another size.  A wrap measures many times at one size, so the
 * resize (which flushes SDL_ttf's glyph cache) is rare, and measuring and
 * drawing always go through the very same object.  A per-size table of
 * fonts would cost an open (~0.4 ms) and the face's tables per entry.
 *
 * A line is first cut into directional runs in visual order
 * (text_bidi.c), then each of those into runs of grapheme clusters that
 * one face provides entirely, bundled faces first (font_fallback.c finds
 * the others).  A run is shaped by HarfBuzz in its direction and script,
 * measured with TTF_SizeUTF8() and drawn with TTF_RenderUTF8_Blended();
 * the face runs of a right-to-left run are placed right to left.
 * Measuring walks the very same runs, so it is what drawing covers.  A
 * character no face has is drawn with the bundled face's .notdef box.
 */
#define LOG_MODULE "font"
#include "log.h"

#include "font.h"
#include "assets.h"
#include "assetrw.h"
#include "font_priv.h"
#include "text_bidi.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#define MAX_PX 1000
#define MAX_RUN_BYTES (1u << 20)
#define MAX_CLUSTER 16

/* One face run of a directional run, as offsets into fs->clean. */
struct font_seg {
    size_t start, end;
    int face;
};

/* ---- faces ---- */

static bool face_open_mem(struct face *f, const unsigned char *data, uint32_t size, bool bold)
{
    SDL_RWops *rw = asset_rw(data, size);
    if (!rw) {
        LOG_ERR("cannot read the bundled font: %s", SDL_GetError());
        return false;
    }
    f->font = TTF_OpenFontRW(rw, 1, OPEN_PX);
    if (!f->font) {
        LOG_ERR("cannot open the bundled %s font: %s", bold ? "bold" : "regular",
                TTF_GetError());
        return false;
    }
    f->px = OPEN_PX;
    return true;
}

void font_face_setup(struct face *f)
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

static struct face *primary_face(struct fontset *fs, bool bold)
{
    return bold ? &fs->bold : &fs->regular;
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
    font_face_setup(&fs->regular);
    font_face_setup(&fs->bold);
    return fs;
}

void fontset_free(struct fontset *fs)
{
    if (!fs)
        return;
    face_close(&fs->regular);
    face_close(&fs->bold);
    fallback_free(fs);
    free(fs->clean);
    free(fs->buf);
    free(fs->segs);
    free(fs);
}

void fontset_reset(struct fontset *fs)
{
    if (!fs)
        return;
    fallback_reset(fs);
    /* Fonts installed since are found from now on. */
    if (fs->fc_ok)
        FcInitBringUptoDate();
}

int fontset_open_faces(const struct fontset *fs)
{
    return fs ? fs->n_open : 0;
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
           (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static bool fallback_has_all(const struct fontset *fs, int id, const uint32_t *cps, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_ignorable(cps[i]) && !fallback_has(fs, id, cps[i]))
            return false;
    return true;
}

/* The bundled face if it has the whole cluster, else the first face
 * found for one of its characters that has it all, else whoever has its
 * base character, else the bundled face's box. */
static int face_for(struct fontset *fs, const uint32_t *cps, int n, bool bold)
{
    struct face *primary = primary_face(fs, bold);
    int ids[MAX_CLUSTER];
    int n_ids = 0;
    bool primary_all = true;
    for (int k = 0; k < n; k++) {
        if (is_ignorable(cps[k]) || face_has(primary, cps[k]))
            continue;
        primary_all = false;
        int id = fallback_for(fs, cps[k], bold);
        bool seen = id < 0;
        for (int i = 0; i < n_ids && !seen; i++)
            seen = ids[i] == id;
        if (!seen)
            ids[n_ids++] = id;
    }
    if (primary_all)
        return FACE_PRIMARY;
    for (int i = 0; i < n_ids; i++)
        if (fallback_has_all(fs, ids[i], cps, n))
            return ids[i];
    if (n_ids > 0 && !face_has(primary, cps[0]) && fallback_has(fs, ids[0], cps[0]))
        return ids[0];
    return FACE_PRIMARY;
}

/* ---- runs ---- */

struct run_ctx;
typedef int (*run_fn)(TTF_Font *font, const char *text, struct run_ctx *ctx);

struct run_ctx {
    int px;
    bool bold;
    int x; /* advance so far */
    SDL_Surface *dst;
    int baseline;
    SDL_Color color;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    void *np = realloc(p, need * size);
    if (!np) {
        LOG_ERR("out of memory");
        return NULL;
    }
    *cap = need;
    return np;
}

/* s without NUL bytes and with malformed bytes as U+FFFD into fs->clean,
 * so SDL_ttf and ICU see well-formed, complete strings; its length. */
static size_t clean_text(struct fontset *fs, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        i += adv;
        if (cp != 0)
            n += utf8_encode(cp, fs->clean + n);
    }
    return n;
}

/* Cuts fs->clean[a..b) into face runs into fs->segs; their count or -1. */
static int face_runs(struct fontset *fs, size_t a, size_t b, bool bold)
{
    int n = 0;
    size_t i = a;
    const char *s = fs->clean;
    while (i < b) {
        uint32_t cps[MAX_CLUSTER];
        int k = 0;
        size_t cs = i, adv;
        /* A cluster: one character and the extenders after it (beyond
         * MAX_CLUSTER, the face is chosen by the first ones). */
        do {
            uint32_t cp = utf8_decode(s + i, b - i, &adv);
            i += adv;
            if (k < MAX_CLUSTER)
                cps[k++] = cp;
        } while (i < b && is_extender(utf8_decode(s + i, b - i, &adv)));
        int f = face_for(fs, cps, k, bold);
        if (n > 0 && fs->segs[n - 1].face == f) {
            fs->segs[n - 1].end = i;
            continue;
        }
        struct font_seg *ns = grow(fs->segs, &fs->segs_cap, (size_t)n + 1, sizeof(*ns));
        if (!ns)
            return -1;
        fs->segs = ns;
        fs->segs[n++] = (struct font_seg){cs, i, f};
    }
    return n;
}

/* The ISO 15924 code HarfBuzz should shape s[0..len) as: its first
 * character of a real script ("Zyyy" for digits and punctuation only). */
static const char *script_of(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t adv;
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript((UChar32)utf8_decode(s + i, len - i, &adv), &err);
        i += adv;
        if (U_SUCCESS(err) && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED &&
            sc != USCRIPT_UNKNOWN) {
            const char *name = uscript_getShortName(sc);
            if (name && strlen(name) == 4)
                return name;
        }
    }
    return "Zyyy";
}

/* Sets up the face of seg for its text and calls fn on it. */
static int emit(struct fontset *fs, const struct font_seg *seg, bool rtl, run_fn fn,
                struct run_ctx *ctx)
{
    size_t len = seg->end - seg->start;
    memcpy(fs->buf, fs->clean + seg->start, len);
    fs->buf[len] = '\0';
    struct face *f = seg->face >= 0 ? fallback_face(fs, seg->face) : NULL;
    TTF_Font *font = face_at(f ? f : primary_face(fs, ctx->bold), ctx->px);
    if (!font)
        return -1;
    /* The font object is shared by every run: set both each time. */
    TTF_SetFontDirection(font, rtl ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
    TTF_SetFontScriptName(font, script_of(fs->buf, len));
    return fn(font, fs->buf, ctx);
}

/* Calls fn on every run of s[0..len), left to right as they appear, each
 * with its font set to ctx->px and shaping direction and script. */
static int for_each_run(struct fontset *fs, const char *s, size_t len, bool rtl, run_fn fn,
                        struct run_ctx *ctx)
{
    if (len > MAX_RUN_BYTES / 3) {
        LOG_ERR("text of %zu bytes is too long to draw", len);
        return -1;
    }
    char *c = grow(fs->clean, &fs->clean_cap, len * 3 + 1, 1);
    if (!c)
        return -1;
    fs->clean = c;
    char *b = grow(fs->buf, &fs->buf_cap, len * 3 + 1, 1);
    if (!b)
        return -1;
    fs->buf = b;
    size_t n = clean_text(fs, s, len);
    struct text_bidi_run *runs;
    int nr = text_bidi_runs(fs->clean, n, rtl, &runs);
    if (nr < 0) {
        LOG_ERR("cannot order text of %zu bytes for display", n);
        return -1;
    }
    int rc = 0;
    for (int r = 0; r < nr && rc == 0; r++) {
        int ns = face_runs(fs, runs[r].start, runs[r].end, ctx->bold);
        if (ns < 0)
            rc = -1;
        for (int k = 0; k < ns && rc == 0; k++)
            rc = emit(fs, &fs->segs[runs[r].rtl ? ns - 1 - k : k], runs[r].rtl, fn, ctx);
    }
    free(runs);
    return rc;
}

static int measure_run(TTF_Font *font, const char *text, struct run_ctx *ctx)
{
    int w = 0;
    if (TTF_SizeUTF8(font, text, &w, NULL) < 0) {
        LOG_ERR("TTF_SizeUTF8: %s", TTF_GetError());
        return -1;
    }
    ctx->x += w;
    return 0;
}

int fontset_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    struct fontset *fs = ctx;
    if (!fs || !s || len == 0)
        return 0;
    struct run_ctx rc = {.px = px, .bold = bold};
    if (for_each_run(fs, s, len, rtl, measure_run, &rc) < 0)
        return 0;
    return rc.x;
}

int fontset_line_height(struct fontset *fs, int px, bool bold)
{
    if (!fs)
        return 0;
    TTF_Font *font = face_at(primary_face(fs, bold), px);
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
        const Uint32 *sp = (const Uint32 *)((const Uint8 *)src->pixels +
                                            (size_t)sy * (size_t)src->pitch);
        Uint32 *dp = (Uint32 *)((Uint8 *)dst->pixels + (size_t)dy * (size_t)dst->pitch);
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

/* Rows SDL_ttf added above the ascent of a run's surface for glyphs
 * that reach higher (e.g. marks stacked over a capital): the surface is
 * as tall as its ink above and below the line box, and only what lies
 * below the box is told by the glyphs' own metrics. */
static int overflow_above(TTF_Font *font, const char *text, int surface_h)
{
    int box_h = TTF_FontHeight(font);
    if (surface_h <= box_h)
        return 0;
    int asc = TTF_FontAscent(font), bottom = box_h;
    for (size_t i = 0, len = strlen(text); i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(text + i, len - i, &adv);
        i += adv;
        int miny;
        if (TTF_GlyphMetrics32(font, cp, NULL, NULL, &miny, NULL, NULL) == 0 &&
            asc - miny > bottom)
            bottom = asc - miny;
    }
    return surface_h > bottom ? surface_h - bottom : 0;
}

static int render_run(TTF_Font *font, const char *text, struct run_ctx *ctx)
{
    int w = 0;
    if (TTF_SizeUTF8(font, text, &w, NULL) < 0) {
        LOG_ERR("TTF_SizeUTF8: %s", TTF_GetError());
        return -1;
    }
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
    /* Every face puts its baseline at its ascent from the top, or lower
     * by what its glyphs overflow above. */
    int y = ctx->baseline - TTF_FontAscent(font) - overflow_above(font, text, argb->h);
    if (SDL_LockSurface(argb) == 0) {
        composite(ctx->dst, argb, ctx->x, y);
        SDL_UnlockSurface(argb);
    }
    SDL_FreeSurface(argb);
    ctx->x += w;
    return 0;
}

SDL_Surface *fontset_render(struct fontset *fs, const char *s, size_t len, int px, bool bold,
                            bool rtl, SDL_Color color)
{
    if (!fs || !s || len == 0)
        return NULL;
    int w = fontset_measure(fs, s, len, px, bold, rtl);
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
        .bold = bold,
        .dst = dst,
        .baseline = TTF_FontAscent(primary_face(fs, bold)->font),
        .color = color,
    };
    if (SDL_LockSurface(dst) < 0) {
        LOG_ERR("SDL_LockSurface: %s", SDL_GetError());
        SDL_FreeSurface(dst);
        return NULL;
    }
    int rc_runs = for_each_run(fs, s, len, rtl, render_run, &rc);
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
    return fallback_for(fs, cp, false) >= 0;
}
