/* Fallback faces: which installed font draws a character the bundled
 * faces lack.
 *
 * Answers are remembered per character and weight, negative ones too, so
 * fontconfig is asked about a character once.  Faces are known by file
 * and index: a face fontconfig names again is the face already known,
 * never a second copy.  Their fonts are opened when a run needs them and
 * at most MAX_OPEN stay open, the least recently used closed first, so
 * any number of different characters (or an attack made of them) can
 * cost time but never hides text another font can draw.
 */
#define LOG_MODULE "font"
#include "log.h"

#include "font_priv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OPEN 16
#define CHARMAP_MIN 256
#define CHARMAP_MAX (1u << 15) /* 256 KiB of answers at most */
#define MISSING_LOGGED 8       /* per reset; more only clutters the log */

/* ---- the character table ---- */

static uint32_t char_key(uint32_t cp, bool bold)
{
    return ((cp & 0x1fffff) << 1 | (bold ? 1u : 0u)) + 1;
}

static size_t char_slot(const struct charmap *m, uint32_t key)
{
    size_t h = (size_t)(key * 2654435761u) & (m->cap - 1);
    while (m->keys[h] != 0 && m->keys[h] != key)
        h = (h + 1) & (m->cap - 1);
    return h;
}

static bool charmap_get(const struct charmap *m, uint32_t key, int *val)
{
    if (m->cap == 0)
        return false;
    size_t h = char_slot(m, key);
    if (m->keys[h] == 0)
        return false;
    *val = m->vals[h];
    return true;
}

static void charmap_free(struct charmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static bool charmap_resize(struct charmap *m, size_t cap)
{
    struct charmap nm = {calloc(cap, sizeof(uint32_t)), calloc(cap, sizeof(int32_t)), cap,
                         0};
    if (!nm.keys || !nm.vals) {
        charmap_free(&nm);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == 0)
            continue;
        size_t h = char_slot(&nm, m->keys[i]);
        nm.keys[h] = m->keys[i];
        nm.vals[h] = m->vals[i];
        nm.n++;
    }
    charmap_free(m);
    *m = nm;
    return true;
}

/* Remembering is an optimisation: when memory or the cap runs out, the
 * table starts over rather than refusing answers. */
static void charmap_put(struct charmap *m, uint32_t key, int val)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : CHARMAP_MIN;
        if (cap > CHARMAP_MAX || !charmap_resize(m, cap)) {
            LOG_DBG("character table full: starting over");
            memset(m->keys, 0, m->cap * sizeof(*m->keys));
            m->n = 0;
        }
        if (m->cap == 0)
            return;
    }
    size_t h = char_slot(m, key);
    if (m->keys[h] == 0)
        m->n++;
    m->keys[h] = key;
    m->vals[h] = val;
}

/* ---- known faces ---- */

static void fallback_close(struct fontset *fs, struct fallback *f)
{
    if (f->face.font) {
        TTF_CloseFont(f->face.font);
        fs->n_open--;
    }
    f->face.font = NULL;
    f->face.px = 0;
}

void fallback_reset(struct fontset *fs)
{
    for (int i = 0; i < fs->n_fb; i++) {
        fallback_close(fs, &fs->fb[i]);
        free(fs->fb[i].path);
        FcCharSetDestroy(fs->fb[i].cs);
    }
    fs->n_fb = 0;
    if (fs->chars.cap)
        memset(fs->chars.keys, 0, fs->chars.cap * sizeof(*fs->chars.keys));
    fs->chars.n = 0;
    fs->n_missing_logged = 0;
}

void fallback_free(struct fontset *fs)
{
    fallback_reset(fs);
    free(fs->fb);
    fs->fb = NULL;
    fs->cap_fb = 0;
    charmap_free(&fs->chars);
}

/* The id of the face (path, index), known from now on; FACE_NONE when
 * out of memory. */
static int known_face(struct fontset *fs, const char *path, int index, FcCharSet *cs)
{
    for (int i = 0; i < fs->n_fb; i++)
        if (fs->fb[i].index == index && strcmp(fs->fb[i].path, path) == 0)
            return i;
    if (fs->n_fb == fs->cap_fb) {
        int cap = fs->cap_fb ? fs->cap_fb * 2 : 8;
        struct fallback *nf = realloc(fs->fb, (size_t)cap * sizeof(*nf));
        if (!nf)
            return FACE_NONE;
        fs->fb = nf;
        fs->cap_fb = cap;
    }
    struct fallback *f = &fs->fb[fs->n_fb];
    memset(f, 0, sizeof(*f));
    f->path = strdup(path);
    f->cs = FcCharSetCopy(cs);
    if (!f->path || !f->cs) {
        free(f->path);
        if (f->cs)
            FcCharSetDestroy(f->cs);
        return FACE_NONE;
    }
    f->index = index;
    LOG_INFO("fallback font: %s", path);
    return fs->n_fb++;
}

bool fallback_has(const struct fontset *fs, int id, uint32_t cp)
{
    return id >= 0 && id < fs->n_fb && !fs->fb[id].broken &&
           FcCharSetHasChar(fs->fb[id].cs, cp);
}

struct face *fallback_face(struct fontset *fs, int id)
{
    if (id < 0 || id >= fs->n_fb || fs->fb[id].broken)
        return NULL;
    struct fallback *f = &fs->fb[id];
    f->used = ++fs->tick;
    if (f->face.font)
        return &f->face;
    if (fs->n_open >= MAX_OPEN) {
        struct fallback *old = NULL;
        for (int i = 0; i < fs->n_fb; i++)
            if (fs->fb[i].face.font && (!old || fs->fb[i].used < old->used))
                old = &fs->fb[i];
        if (old)
            fallback_close(fs, old);
    }
    f->face.font = TTF_OpenFontIndex(f->path, OPEN_PX, f->index);
    if (!f->face.font) {
        LOG_WARN("cannot open fallback font %s: %s", f->path, TTF_GetError());
        f->broken = true;
        return NULL;
    }
    fs->n_open++;
    f->face.px = OPEN_PX;
    font_face_setup(&f->face);
    return &f->face;
}

/* ---- asking fontconfig ---- */

/* The first scalable face of fontconfig's list that has cp. */
static int best_candidate(struct fontset *fs, FcFontSet *set, uint32_t cp)
{
    for (int i = 0; i < set->nfont; i++) {
        FcPattern *font = set->fonts[i];
        FcChar8 *file;
        FcCharSet *cs;
        int index = 0;
        FcBool scalable = FcTrue;
        if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch ||
            FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) != FcResultMatch ||
            !FcCharSetHasChar(cs, cp))
            continue;
        FcPatternGetBool(font, FC_SCALABLE, 0, &scalable);
        if (!scalable)
            continue;
        FcPatternGetInteger(font, FC_INDEX, 0, &index);
        int id = known_face(fs, (const char *)file, index, cs);
        if (id >= 0 && !fs->fb[id].broken)
            return id;
    }
    return FACE_NONE;
}

/* Asks fontconfig for a Chinese sans-serif face of the right weight that
 * has cp. */
static int ask_fontconfig(struct fontset *fs, uint32_t cp, bool bold)
{
    if (!fs->fc_tried) {
        fs->fc_tried = true;
        fs->fc_ok = FcInit();
        if (!fs->fc_ok)
            LOG_WARN("fontconfig unavailable: no fallback fonts");
    }
    if (!fs->fc_ok)
        return FACE_NONE;
    int found = FACE_NONE;
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
        found = best_candidate(fs, set, cp);
        FcFontSetDestroy(set);
    }
out:
    if (want)
        FcCharSetDestroy(want);
    if (pat)
        FcPatternDestroy(pat);
    return found;
}

int fallback_for(struct fontset *fs, uint32_t cp, bool bold)
{
    uint32_t key = char_key(cp, bold);
    int id;
    if (charmap_get(&fs->chars, key, &id))
        return fallback_has(fs, id, cp) ? id : FACE_NONE;
    id = ask_fontconfig(fs, cp, bold);
    if (id >= 0) {
        LOG_DBG("U+%04X%s: %s", (unsigned)cp, bold ? " (bold)" : "", fs->fb[id].path);
    } else if (fs->n_missing_logged < MISSING_LOGGED) {
        fs->n_missing_logged++;
        bool last = fs->n_missing_logged == MISSING_LOGGED;
        LOG_WARN("no font has U+%04X; it is left blank%s", (unsigned)cp,
                 last ? " (further ones unlogged)" : "");
    }
    charmap_put(&fs->chars, key, id);
    return id;
}
