/* Line layout for Chinese (and mixed) text.
 *
 * ICU supplies the break opportunities (UAX #14 with its CJK rules); a
 * small kinsoku filter on top removes the few opportunities ICU allows but
 * clreq's basic rules forbid (ICU breaks before "·" and "～", for
 * instance).  Lines are filled greedily.  The break iterator is opened
 * per call: that costs a few microseconds because ICU caches the rule
 * data, and it keeps the module free of shared state.
 */
#define LOG_MODULE "text"
#include "log.h"

#include "text.h"
#include "utf8.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#define ELLIPSIS "\xe2\x80\xa6"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* clreq "basic": may not start a line (plus ASCII closers, which matter
 * when a long word has to be cut between characters). */
static const uint32_t no_start_set[] = {
    0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff01, 0xff1f, /* 、。，．：；！？ */
    0x201d, 0x2019, 0x300d, 0x300f, 0xff09, 0xff3d, 0xff5d,         /* ”’」』）］｝ */
    0x3015, 0x3011, 0x3017, 0x300b, 0x3009, 0x3019, 0x301b,         /* 〕】〗》〉〙〛 */
    0x00b7, 0x30fb, 0x2027, 0x2013, 0xff5e, 0x301c,                 /* ·・‧–～〜 */
    ',', '.', ':', ';', '!', '?', ')', ']', '}',
};

/* May not end a line. */
static const uint32_t no_end_set[] = {
    0x201c, 0x2018, 0x300c, 0x300e, 0xff08, 0xff3b, 0xff5b, /* “‘「『（［｛ */
    0x3014, 0x3010, 0x3016, 0x300a, 0x3008, 0x3018, 0x301a, /* 〔【〖《〈〘〚 */
    '(', '[', '{',
};

/* Characters used doubled ("——", "……") that must stay together. */
static const uint32_t pair_set[] = {0x2014, 0x2015, 0x2026};

/* Dropped before an ellipsis: "文字，…" reads worse than "文字…". */
static const uint32_t before_ellipsis_drop[] = {
    0x3001, 0x3002, 0xff0c, 0xff1a, 0xff1b, ',', ':', ';',
};

static bool in_set(uint32_t cp, const uint32_t *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == cp)
            return true;
    return false;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0x3000;
}

/* Start of the code point that ends at pos (pos > start). */
static size_t prev_pos(const char *s, size_t start, size_t pos)
{
    size_t p = pos - 1;
    while (p > start && pos - p < 4 && ((unsigned char)s[p] & 0xc0) == 0x80)
        p--;
    return p;
}

static uint32_t cp_at(const char *s, size_t pos, size_t end, size_t *adv)
{
    return utf8_decode(s + pos, end - pos, adv);
}

static uint32_t cp_before(const char *s, size_t start, size_t pos)
{
    size_t adv;
    size_t p = prev_pos(s, start, pos);
    return utf8_decode(s + p, pos - p, &adv);
}

/* End of s[start..end) without trailing spaces. */
static size_t trim_end(const char *s, size_t start, size_t end)
{
    while (end > start) {
        size_t p = prev_pos(s, start, end);
        size_t adv;
        if (!is_space(utf8_decode(s + p, end - p, &adv)))
            break;
        end = p;
    }
    return end;
}

static size_t skip_spaces(const char *s, size_t pos, size_t end)
{
    while (pos < end) {
        size_t adv;
        if (!is_space(cp_at(s, pos, end, &adv)))
            break;
        pos += adv;
    }
    return pos;
}

/* Whether a line may end at pos and the next begin there, by kinsoku:
 * spaces around pos are dropped by the layout, so the characters that
 * would really end and start the lines are looked at. */
static bool break_ok(const char *s, size_t start, size_t end, size_t pos)
{
    if (pos <= start || pos >= end)
        return true;
    size_t adv;
    size_t a = skip_spaces(s, pos, end);
    if (a < end && in_set(cp_at(s, a, end, &adv), no_start_set, ARRAY_LEN(no_start_set)))
        return false;
    size_t b = trim_end(s, start, pos);
    if (b > start && in_set(cp_before(s, start, b), no_end_set, ARRAY_LEN(no_end_set)))
        return false;
    uint32_t next = cp_at(s, pos, end, &adv);
    return !(next == cp_before(s, start, pos) &&
             in_set(next, pair_set, ARRAY_LEN(pair_set)));
}

/* Interior boundaries (excluding 0 and len) of s[0..len) by an ICU break
 * iterator of the given type; count or -1. */
static int icu_boundaries(UBreakIteratorType type, const char *s, size_t len,
                          size_t **out)
{
    *out = NULL;
    if (len == 0)
        return 0;
    if (len > INT32_MAX)
        return -1;
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("utext_openUTF8: %s", u_errorName(st));
        return -1;
    }
    UBreakIterator *bi = ubrk_open(type, "zh", NULL, 0, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("ubrk_open: %s", u_errorName(st));
        utext_close(ut);
        return -1;
    }
    ubrk_setUText(bi, ut, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("ubrk_setUText: %s", u_errorName(st));
        ubrk_close(bi);
        utext_close(ut);
        return -1;
    }
    size_t n = 0, cap = 0;
    size_t *v = NULL;
    int rc = 0;
    ubrk_first(bi);
    for (;;) {
        int32_t p = ubrk_next(bi);
        if (p == UBRK_DONE)
            break;
        if (p <= 0 || (size_t)p >= len)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            size_t *nv = realloc(v, ncap * sizeof(*nv));
            if (!nv) {
                rc = -1;
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[n++] = (size_t)p;
    }
    ubrk_close(bi);
    utext_close(ut);
    if (rc < 0 || n > INT_MAX) {
        free(v);
        return -1;
    }
    *out = v;
    return (int)n;
}

int text_break_points(const char *s, size_t len, size_t **out)
{
    int n = icu_boundaries(UBRK_LINE, s, len, out);
    if (n <= 0)
        return n;
    size_t *v = *out;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (break_ok(s, 0, len, v[i]))
            v[k++] = v[i];
    return k;
}

/* ---- text preparation ---- */

/* The text as laid out: well-formed UTF-8 (bad bytes become U+FFFD, so
 * ICU, the kinsoku checks and the fonts agree on every character) and
 * without trailing whitespace (a final newline adds no empty line). */
struct clean {
    char *buf; /* owned copy when the input had to be repaired */
    const char *s;
    size_t len;
};

static bool is_trailing_ws(uint32_t cp)
{
    return is_space(cp) || cp == '\n' || cp == '\r';
}

static int clean_text(const char *text, struct clean *c)
{
    c->buf = NULL;
    c->s = text ? text : "";
    c->len = strlen(c->s);
    if (!utf8_valid(c->s, c->len)) {
        if (c->len > SIZE_MAX / 3 - 1)
            return -1;
        char *buf = malloc(c->len * 3 + 1);
        if (!buf)
            return -1;
        size_t o = 0;
        for (size_t i = 0; i < c->len;) {
            size_t adv;
            uint32_t cp = utf8_decode(c->s + i, c->len - i, &adv);
            o += utf8_encode(cp, buf + o);
            i += adv;
        }
        buf[o] = '\0';
        c->buf = buf;
        c->s = buf;
        c->len = o;
    }
    while (c->len > 0) {
        size_t p = prev_pos(c->s, 0, c->len);
        size_t adv;
        if (!is_trailing_ws(utf8_decode(c->s + p, c->len - p, &adv)))
            break;
        c->len = p;
    }
    return 0;
}

/* ---- lines ---- */

void text_lines_free(struct text_lines *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->lines[i]);
    free(l->lines);
    free(l->widths);
    memset(l, 0, sizeof(*l));
}

static int line_height(int px, float spacing)
{
    double sp = spacing;
    if (!(sp > 0.0) || sp > 10.0)
        sp = 1.0;
    long h = lround((double)px * sp);
    return h < 1 ? 1 : (h > INT_MAX ? INT_MAX : (int)h);
}

static int push_line(struct text_lines *l, int *cap, const char *s, size_t len, int width)
{
    if (l->n == *cap) {
        if (*cap > INT_MAX / 2)
            return -1;
        int ncap = *cap ? *cap * 2 : 8;
        char **nl = realloc(l->lines, (size_t)ncap * sizeof(*nl));
        if (!nl)
            return -1;
        l->lines = nl;
        int *nw = realloc(l->widths, (size_t)ncap * sizeof(*nw));
        if (!nw)
            return -1;
        l->widths = nw;
        *cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->lines[l->n] = copy;
    l->widths[l->n] = width;
    l->n++;
    return 0;
}

/* ---- greedy wrap ---- */

struct wrapper {
    const char *s;
    size_t pend; /* end of the paragraph being wrapped */
    int width, px;
    bool bold;
    const struct text_measure *m;
    struct text_lines *out;
    int cap;
    bool cut; /* some word had to be cut between characters */
};

static int measure_range(const struct wrapper *w, size_t a, size_t b)
{
    if (b <= a)
        return 0;
    int r = w->m->fn(w->m->ctx, w->s + a, b - a, w->px, w->bold);
    return r < 0 ? 0 : r;
}

/* Whether s[ls..e) minus trailing spaces fits the line; its width in *wid. */
static bool fits_at(const struct wrapper *w, size_t ls, size_t e, int *wid)
{
    *wid = measure_range(w, ls, trim_end(w->s, ls, e));
    return *wid <= w->width;
}

/* The last candidate end in c[i..n) whose line from ls fits, or false when
 * not even c[i] does.  Widths grow with the index, so galloping then
 * bisecting finds the greedy answer with a logarithmic number of
 * measurements per line. */
static bool last_fitting(const struct wrapper *w, size_t ls, const size_t *c, size_t i,
                         size_t n, size_t *j, int *wid)
{
    int wv;
    if (!fits_at(w, ls, c[i], &wv))
        return false;
    size_t lo = i, hi = n, step = 1;
    int wlo = wv;
    for (;;) {
        size_t probe = lo + step;
        if (probe >= n)
            break;
        if (!fits_at(w, ls, c[probe], &wv)) {
            hi = probe;
            break;
        }
        lo = probe;
        wlo = wv;
        step *= 2;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (fits_at(w, ls, c[mid], &wv)) {
            lo = mid;
            wlo = wv;
        } else {
            hi = mid;
        }
    }
    *j = lo;
    *wid = wlo;
    return true;
}

/* s[ls..te) has no break opportunity and is wider than the line: cut it
 * between grapheme clusters, as far right as fits, moving left to a cut
 * kinsoku allows if there is one.  At least one cluster is taken. */
static int cut_word(const struct wrapper *w, size_t ls, size_t te, size_t *cut, int *cw)
{
    size_t *g;
    int ng = icu_boundaries(UBRK_CHARACTER, w->s + ls, te - ls, &g);
    if (ng < 0)
        return -1;
    if (ng == 0) {
        *cut = te;
        *cw = measure_range(w, ls, te);
        return 0;
    }
    for (int k = 0; k < ng; k++)
        g[k] += ls;
    size_t j;
    int wid;
    if (!last_fitting(w, ls, g, 0, (size_t)ng, &j, &wid)) {
        *cut = g[0];
        *cw = measure_range(w, ls, trim_end(w->s, ls, g[0]));
        free(g);
        return 0;
    }
    size_t k = j + 1;
    while (k > 0 && !break_ok(w->s, ls, w->pend, g[k - 1]))
        k--;
    if (k > 0 && k - 1 != j) {
        *cut = g[k - 1];
        *cw = measure_range(w, ls, trim_end(w->s, ls, *cut));
    } else {
        *cut = g[j];
        *cw = wid;
    }
    free(g);
    return 0;
}

static int wrap_paragraph(struct wrapper *w, size_t ps, size_t pe)
{
    if (ps == pe)
        return push_line(w->out, &w->cap, "", 0, 0);
    size_t *bp;
    int nb = text_break_points(w->s + ps, pe - ps, &bp);
    if (nb < 0)
        return -1;
    size_t nc = (size_t)nb + 1;
    size_t *c = malloc(nc * sizeof(*c));
    if (!c) {
        free(bp);
        return -1;
    }
    for (int k = 0; k < nb; k++)
        c[k] = bp[k] + ps;
    c[nb] = pe;
    free(bp);

    w->pend = pe;
    size_t ls = ps, i = 0;
    int emitted = 0, rc = 0;
    while (ls < pe && rc == 0) {
        while (i < nc && c[i] <= ls)
            i++;
        size_t j;
        int wid;
        if (last_fitting(w, ls, c, i, nc, &j, &wid)) {
            size_t te = trim_end(w->s, ls, c[j]);
            /* A line of nothing but spaces (leading spaces before a word
             * that goes to the next line) is not shown. */
            if (te > ls) {
                rc = push_line(w->out, &w->cap, w->s + ls, te - ls, wid);
                emitted++;
            }
            ls = c[j];
            i = j + 1;
        } else {
            size_t cut;
            int cw;
            rc = cut_word(w, ls, trim_end(w->s, ls, c[i]), &cut, &cw);
            if (rc < 0)
                break;
            w->cut = true;
            size_t te = trim_end(w->s, ls, cut);
            if (te > ls) {
                rc = push_line(w->out, &w->cap, w->s + ls, te - ls, cw);
                emitted++;
            }
            ls = skip_spaces(w->s, cut, c[i]);
        }
    }
    free(c);
    if (rc == 0 && emitted == 0)
        rc = push_line(w->out, &w->cap, "", 0, 0);
    return rc;
}

/* *cut (may be NULL) tells whether a word had to be cut. */
static int wrap_clean(const struct clean *c, int width, int px, bool bold, float spacing,
                      const struct text_measure *m, struct text_lines *out, bool *cut)
{
    memset(out, 0, sizeof(*out));
    out->px = px;
    out->line_h = line_height(px, spacing);
    struct wrapper w = {
        .s = c->s,
        .width = width < 0 ? 0 : width,
        .px = px,
        .bold = bold,
        .m = m,
        .out = out,
    };
    size_t p = 0;
    while (p < c->len) {
        size_t e = p;
        while (e < c->len && c->s[e] != '\n' && c->s[e] != '\r')
            e++;
        if (wrap_paragraph(&w, p, e) < 0) {
            text_lines_free(out);
            return -1;
        }
        if (e >= c->len)
            break;
        p = e + 1;
        if (c->s[e] == '\r' && p < c->len && c->s[p] == '\n')
            p++;
    }
    if (cut)
        *cut = w.cut;
    return 0;
}

int text_wrap(const char *text, int width, int px, bool bold, float line_spacing,
              const struct text_measure *m, struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (!m || !m->fn)
        return -1;
    struct clean c;
    if (clean_text(text, &c) < 0)
        return -1;
    int rc = wrap_clean(&c, width, px, bold, line_spacing, m, out, NULL);
    free(c.buf);
    return rc;
}

/* ---- fit to box ---- */

static bool fits_box(const struct text_lines *l, const struct text_fit_req *r)
{
    if (r->max_lines > 0 && l->n > r->max_lines)
        return false;
    if ((long long)l->n * l->line_h > r->box_h)
        return false;
    for (int i = 0; i < l->n; i++)
        if (l->widths[i] > r->box_w)
            return false;
    return true;
}

static int measure_str(const struct text_measure *m, const char *s, size_t len, int px,
                       bool bold)
{
    if (len == 0)
        return 0;
    int r = m->fn(m->ctx, s, len, px, bold);
    return r < 0 ? 0 : r;
}

/* Length of line[0..len) once spaces and punctuation that should not
 * precede an ellipsis are dropped. */
static size_t ellipsis_cut(const char *line, size_t len)
{
    while (len > 0) {
        size_t p = prev_pos(line, 0, len);
        size_t adv;
        uint32_t cp = utf8_decode(line + p, len - p, &adv);
        if (!is_space(cp) && !in_set(cp, no_end_set, ARRAY_LEN(no_end_set)) &&
            !in_set(cp, before_ellipsis_drop, ARRAY_LEN(before_ellipsis_drop)))
            break;
        len = p;
    }
    return len;
}

/* Measures line[0..ellipsis_cut(e)) + "…" into buf; whether it fits. */
static bool ellipsis_fits(const struct text_fit_req *r, const struct text_measure *m,
                          int px, const char *line, size_t e, char *buf, int *wid)
{
    size_t t = ellipsis_cut(line, e);
    memcpy(buf, line, t);
    memcpy(buf + t, ELLIPSIS, sizeof(ELLIPSIS));
    *wid = measure_str(m, buf, t + sizeof(ELLIPSIS) - 1, px, r->bold);
    return *wid <= r->box_w;
}

/* Replaces *line with its longest prefix (at a grapheme boundary) that
 * still fits with "…" appended.  1 done, 0 when not even "…" fits, -1. */
static int ellipsize_line(const struct text_fit_req *r, const struct text_measure *m,
                          int px, char **line, int *width)
{
    size_t len = strlen(*line);
    size_t *g;
    int ng = icu_boundaries(UBRK_CHARACTER, *line, len, &g);
    if (ng < 0)
        return -1;
    /* Candidate prefix ends: 0, every boundary, len. */
    size_t nc = (size_t)ng + 2;
    size_t *c = malloc(nc * sizeof(*c));
    char *buf = malloc(len + sizeof(ELLIPSIS));
    if (!c || !buf) {
        free(g);
        free(c);
        free(buf);
        return -1;
    }
    c[0] = 0;
    for (int k = 0; k < ng; k++)
        c[k + 1] = g[k];
    c[nc - 1] = len;
    free(g);

    int wid, wlo;
    int rc = 0;
    if (ellipsis_fits(r, m, px, *line, 0, buf, &wlo)) {
        size_t lo = 0, hi = nc;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (ellipsis_fits(r, m, px, *line, c[mid], buf, &wid)) {
                lo = mid;
                wlo = wid;
            } else {
                hi = mid;
            }
        }
        ellipsis_fits(r, m, px, *line, c[lo], buf, &wid);
        free(*line);
        *line = buf;
        buf = NULL;
        *width = wlo;
        rc = 1;
    }
    free(buf);
    free(c);
    return rc;
}

/* l was wrapped at the floor size and does not fit: keep the lines that
 * do and end the last one with "…". */
static int ellipsize(const struct text_fit_req *r, const struct text_measure *m,
                     struct text_lines *l)
{
    l->ellipsized = true;
    int cap = r->box_h > 0 ? r->box_h / l->line_h : 0;
    if (r->max_lines > 0 && r->max_lines < cap)
        cap = r->max_lines;
    int keep = l->n < cap ? l->n : cap;
    for (int i = 0; i < keep; i++) {
        if (l->widths[i] > r->box_w) {
            keep = i;
            break;
        }
    }
    if (keep == 0 && cap > 0 && l->n > 0) {
        /* Not even the first line fits: the line becomes just "…". */
        l->lines[0][0] = '\0';
        keep = 1;
    }
    for (int i = keep; i < l->n; i++)
        free(l->lines[i]);
    l->n = keep;
    if (keep == 0)
        return 0;
    int rc = ellipsize_line(r, m, l->px, &l->lines[keep - 1], &l->widths[keep - 1]);
    if (rc < 0)
        return -1;
    if (rc == 0 && l->widths[keep - 1] > r->box_w) {
        /* "…" does not fit the width at all: drop the line we could not
         * finish rather than overflow the box. */
        free(l->lines[keep - 1]);
        l->n--;
    }
    return 0;
}

/* The text takes k lines at l->px: re-wrap it at the narrowest width that
 * still gives k lines, so the lines come out about equally long.  A
 * narrower width must not introduce a cut word the wide one avoided. */
static int balance(const struct clean *c, const struct text_fit_req *r,
                   const struct text_measure *m, struct text_lines *l, bool had_cut)
{
    int k = l->n;
    long long sum = 0;
    int widest = 0;
    for (int i = 0; i < k; i++) {
        sum += l->widths[i];
        if (l->widths[i] > widest)
            widest = l->widths[i];
    }
    /* The greedy lines are unchanged when wrapped at `widest`; below
     * sum/k the text cannot fit in k lines (up to shaping differences,
     * which the slack of one px covers).  Bisect down to a quarter em. */
    long long lo = sum / k - l->px;
    int lo_w = lo < 0 ? 0 : (int)lo;
    int hi_w = widest;
    int tol = l->px / 4 > 1 ? l->px / 4 : 1;
    while (hi_w - lo_w > tol) {
        int mid = lo_w + (hi_w - lo_w) / 2;
        struct text_lines cand;
        bool cut;
        if (wrap_clean(c, mid, l->px, r->bold, r->line_spacing, m, &cand, &cut) < 0)
            return -1;
        if (cand.n <= k && (!cut || had_cut) && fits_box(&cand, r)) {
            text_lines_free(l);
            *l = cand;
            hi_w = mid;
        } else {
            text_lines_free(&cand);
            lo_w = mid;
        }
    }
    return 0;
}

/* Wraps at px into *out; *ok when it fits the box.  Above the floor size a
 * layout that cuts a word between characters does not count as fitting:
 * a smaller font that keeps words whole reads better. */
static int try_px(const struct clean *c, const struct text_fit_req *r,
                  const struct text_measure *m, int px, bool floor, struct text_lines *out,
                  bool *ok, bool *cut)
{
    if (wrap_clean(c, r->box_w, px, r->bold, r->line_spacing, m, out, cut) < 0)
        return -1;
    *ok = fits_box(out, r) && (floor || !*cut);
    return 0;
}

static int fit_clean(const struct clean *c, const struct text_fit_req *r,
                     const struct text_measure *m, struct text_lines *out)
{
    int hi = r->max_px, lo = r->min_px;
    if (lo < 1)
        lo = 1;
    if (hi < lo)
        hi = lo;
    struct text_lines best, cur;
    bool ok, cut, best_cut;
    if (try_px(c, r, m, hi, hi == lo, &best, &ok, &best_cut) < 0)
        return -1;
    if (!ok) {
        if (hi > lo) {
            text_lines_free(&best);
            if (try_px(c, r, m, lo, true, &best, &ok, &best_cut) < 0)
                return -1;
        }
        if (!ok) {
            if (ellipsize(r, m, &best) < 0) {
                text_lines_free(&best);
                return -1;
            }
            *out = best;
            return 0;
        }
        /* lo fits, hi does not. */
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            if (try_px(c, r, m, mid, false, &cur, &ok, &cut) < 0) {
                text_lines_free(&best);
                return -1;
            }
            if (ok) {
                text_lines_free(&best);
                best = cur;
                best_cut = cut;
                lo = mid;
            } else {
                text_lines_free(&cur);
                hi = mid;
            }
        }
    }
    if (r->balance && best.n >= 2 && balance(c, r, m, &best, best_cut) < 0) {
        text_lines_free(&best);
        return -1;
    }
    *out = best;
    return 0;
}

int text_fit(const struct text_fit_req *req, const struct text_measure *m,
             struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (!req || !m || !m->fn)
        return -1;
    struct clean c;
    if (clean_text(req->text, &c) < 0)
        return -1;
    int rc = fit_clean(&c, req, m, out);
    free(c.buf);
    return rc;
}
