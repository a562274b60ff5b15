/* Line layout for Chinese (and mixed) text.
 *
 * Lines are filled greedily at the break candidates text_breaks.c finds
 * (once per text: a fit wraps the same text many times), preferring to
 * end between words, then fitted to a box by bisection over font sizes
 * and, for balanced text, widths; text_ellipsis.c cuts what never fits.
 */
#include "text.h"
#include "text_bidi.h"
#include "text_breaks.h"
#include "text_ellipsis.h"
#include "utf8.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- text preparation ---- */

/* The text as laid out: well-formed UTF-8 (bad bytes become U+FFFD, so
 * ICU, the kinsoku checks and the fonts agree on every character),
 * without trailing whitespace (a final newline adds no empty line), and
 * its break candidates, paragraph by paragraph. */
struct clean {
    char *buf; /* owned copy when the input had to be repaired */
    const char *s;
    size_t len;
    struct text_breaks brk;
};

static bool is_trailing_ws(uint32_t cp)
{
    return text_breaks_is_space(cp) || cp == '\n' || cp == '\r';
}

/* The paragraph starting at p ends at *pe (a newline or the end); returns
 * where the next one starts (> len when there is none). */
static size_t next_paragraph(const struct clean *c, size_t p, size_t *pe)
{
    size_t e = p;
    while (e < c->len && c->s[e] != '\n' && c->s[e] != '\r')
        e++;
    *pe = e;
    if (e >= c->len)
        return c->len + 1;
    if (c->s[e] == '\r' && e + 1 < c->len && c->s[e + 1] == '\n')
        return e + 2;
    return e + 1;
}

static void clean_free(struct clean *c)
{
    free(c->buf);
    text_breaks_free(&c->brk);
}

static int repair(struct clean *c)
{
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
    return 0;
}

static int clean_text(const char *text, struct clean *c)
{
    memset(c, 0, sizeof(*c));
    c->s = text ? text : "";
    c->len = strlen(c->s);
    if (!utf8_valid(c->s, c->len) && repair(c) < 0)
        return -1;
    while (c->len > 0) {
        size_t p = utf8_prev(c->s, 0, c->len);
        size_t adv;
        if (!is_trailing_ws(utf8_decode(c->s + p, c->len - p, &adv)))
            break;
        c->len = p;
    }
    size_t p = 0;
    while (p < c->len) {
        size_t pe, next = next_paragraph(c, p, &pe);
        if (text_breaks_add(&c->brk, c->s, p, pe) < 0) {
            clean_free(c);
            return -1;
        }
        p = next;
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
    free(l->rtl);
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

static int push_line(struct text_lines *l, int *cap, const char *s, size_t len, int width,
                     bool rtl)
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
        bool *nr = realloc(l->rtl, (size_t)ncap * sizeof(*nr));
        if (!nr)
            return -1;
        l->rtl = nr;
        *cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->lines[l->n] = copy;
    l->widths[l->n] = width;
    l->rtl[l->n] = rtl;
    l->n++;
    return 0;
}

/* ---- greedy wrap ---- */

/* How full (percent of the width) a line must stay when it ends at a word
 * boundary rather than inside a word. */
#define WORD_FILL 80

/* How to wrap: inside_fill is WORD_FILL, or 0 to take a line out of a
 * dictionary word whenever it has a word boundary. */
struct wrap_opts {
    int width, px;
    bool bold;
    float spacing;
    int inside_fill;
};

/* What a layout does to words. */
struct wrap_cost {
    bool cut; /* some word had to be cut between characters */
    int torn; /* lines that end inside a dictionary word */
};

struct wrapper {
    const char *s;
    size_t pend; /* end of the paragraph being wrapped */
    int width, px, inside_fill;
    bool bold;
    bool rtl; /* the paragraph's direction */
    const struct text_measure *m;
    struct text_lines *out;
    int cap;
    struct wrap_cost cost;
};

static int measure_range(const struct wrapper *w, size_t a, size_t b)
{
    if (b <= a)
        return 0;
    int r = w->m->fn(w->m->ctx, w->s + a, b - a, w->px, w->bold, w->rtl);
    return r < 0 ? 0 : r;
}

/* Whether s[ls..e) minus trailing spaces fits the line; its width in *wid. */
static bool fits_at(const struct wrapper *w, size_t ls, size_t e, int *wid)
{
    *wid = measure_range(w, ls, text_breaks_trim(w->s, ls, e));
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
    int ng = text_breaks_graphemes(w->s + ls, te - ls, &g);
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
        *cw = measure_range(w, ls, text_breaks_trim(w->s, ls, g[0]));
        free(g);
        return 0;
    }
    size_t k = j + 1;
    while (k > 0 && !text_breaks_allowed(w->s, ls, w->pend, g[k - 1]))
        k--;
    if (k > 0 && k - 1 != j) {
        *cut = g[k - 1];
        *cw = measure_range(w, ls, text_breaks_trim(w->s, ls, *cut));
    } else {
        *cut = g[j];
        *cw = wid;
    }
    free(g);
    return 0;
}

/* UAX #14 lets a line end between any two ideographs, even inside a word
 * ("一/体", "重/任").  When the greedy end c[j] is not a word boundary
 * ICU's dictionary vouches for, the nearest earlier candidate that stands
 * better to the words (enum text_word_edge, best first) is taken instead,
 * provided the line stays WORD_FILL % full (inside_fill % when leaving a
 * dictionary word): a slightly shorter line reads better than a torn
 * word, a much shorter one does not.  Only candidates after the line
 * start count, so the wrap always moves on; two extra measurements at
 * most. */
static size_t prefer_word(const struct wrapper *w, size_t ls, const size_t *c,
                          const unsigned char *edge, size_t i, size_t j, int *wid)
{
    int fill = edge[j] == TEXT_WORD_INSIDE ? w->inside_fill : WORD_FILL;
    size_t tried = j;
    for (int want = TEXT_WORD_EDGE; want > edge[j]; want--) {
        size_t k = j;
        while (k > i && edge[k - 1] < want)
            k--;
        if (k == i || k - 1 == tried)
            continue;
        tried = k - 1;
        int kw;
        fits_at(w, ls, c[tried], &kw);
        if ((long long)kw * 100 >= (long long)w->width * fill) {
            *wid = kw;
            return tried;
        }
    }
    return j;
}

/* Wraps the paragraph s[ps..c[nc - 1]) whose break candidates are c, with
 * edge[] telling how each stands to the words. */
static int wrap_paragraph(struct wrapper *w, size_t ps, const size_t *c,
                          const unsigned char *edge, size_t nc)
{
    size_t pe = c[nc - 1];
    /* Each paragraph takes its direction from its own first strong
     * character; its lines are measured and drawn in it. */
    w->rtl = text_bidi_rtl(w->s + ps, pe - ps);
    if (ps == pe)
        return push_line(w->out, &w->cap, "", 0, 0, w->rtl);
    w->pend = pe;
    size_t ls = ps, i = 0;
    int emitted = 0, rc = 0;
    while (ls < pe && rc == 0) {
        while (i < nc && c[i] <= ls)
            i++;
        size_t j;
        int wid;
        if (last_fitting(w, ls, c, i, nc, &j, &wid)) {
            j = prefer_word(w, ls, c, edge, i, j, &wid);
            size_t te = text_breaks_trim(w->s, ls, c[j]);
            /* A line of nothing but spaces (leading spaces before a word
             * that goes to the next line) is not shown. */
            if (te > ls) {
                rc = push_line(w->out, &w->cap, w->s + ls, te - ls, wid, w->rtl);
                emitted++;
            }
            if (edge[j] == TEXT_WORD_INSIDE)
                w->cost.torn++;
            ls = c[j];
            i = j + 1;
        } else {
            size_t cut;
            int cw;
            rc = cut_word(w, ls, text_breaks_trim(w->s, ls, c[i]), &cut, &cw);
            if (rc < 0)
                break;
            w->cost.cut = true;
            size_t te = text_breaks_trim(w->s, ls, cut);
            if (te > ls) {
                rc = push_line(w->out, &w->cap, w->s + ls, te - ls, cw, w->rtl);
                emitted++;
            }
            ls = text_breaks_skip(w->s, cut, c[i]);
        }
    }
    if (rc == 0 && emitted == 0)
        rc = push_line(w->out, &w->cap, "", 0, 0, w->rtl);
    return rc;
}

/* *cost (may be NULL) tells what the layout did to words. */
static int wrap_clean(const struct clean *c, const struct wrap_opts *o,
                      const struct text_measure *m, struct text_lines *out,
                      struct wrap_cost *cost)
{
    memset(out, 0, sizeof(*out));
    out->px = o->px;
    out->line_h = line_height(o->px, o->spacing);
    struct wrapper w = {
        .s = c->s,
        .width = o->width < 0 ? 0 : o->width,
        .px = o->px,
        .inside_fill = o->inside_fill,
        .bold = o->bold,
        .m = m,
        .out = out,
    };
    const struct text_breaks *b = &c->brk;
    size_t p = 0, k = 0;
    while (p < c->len) {
        size_t pe, next = next_paragraph(c, p, &pe);
        size_t nc = 1;
        while (k + nc - 1 < b->n && b->pos[k + nc - 1] < pe)
            nc++;
        if (k + nc > b->n || wrap_paragraph(&w, p, b->pos + k, b->edge + k, nc) < 0) {
            text_lines_free(out);
            return -1;
        }
        k += nc;
        p = next;
    }
    if (cost)
        *cost = w.cost;
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
    struct wrap_opts o = {width, px, bold, line_spacing, WORD_FILL};
    int rc = wrap_clean(&c, &o, m, out, NULL);
    clean_free(&c);
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

/* The text takes k lines at l->px: re-wrap it at the narrowest width that
 * still gives k lines, so the lines come out about equally long.  Lines
 * leave dictionary words at any fill: keeping to k lines is what keeps
 * them full here, and "一/体" is not worth evenness.  A narrower width
 * must not cut a word the wide one kept whole, nor end more lines inside
 * dictionary words. */
static int balance(const struct clean *c, const struct text_fit_req *r,
                   const struct text_measure *m, struct text_lines *l,
                   struct wrap_cost had)
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
        struct wrap_cost cost;
        struct wrap_opts o = {mid, l->px, r->bold, r->line_spacing, 0};
        if (wrap_clean(c, &o, m, &cand, &cost) < 0)
            return -1;
        if (cand.n <= k && (!cost.cut || had.cut) && cost.torn <= had.torn &&
            fits_box(&cand, r)) {
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
                  const struct text_measure *m, int px, bool floor,
                  struct text_lines *out, bool *ok, struct wrap_cost *cost)
{
    struct wrap_opts o = {r->box_w, px, r->bold, r->line_spacing, WORD_FILL};
    if (wrap_clean(c, &o, m, out, cost) < 0)
        return -1;
    *ok = fits_box(out, r) && (floor || !cost->cut);
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
    bool ok;
    struct wrap_cost cost, best_cost;
    if (try_px(c, r, m, hi, hi == lo, &best, &ok, &best_cost) < 0)
        return -1;
    if (!ok) {
        if (hi > lo) {
            text_lines_free(&best);
            if (try_px(c, r, m, lo, true, &best, &ok, &best_cost) < 0)
                return -1;
        }
        if (!ok) {
            if (text_ellipsis_apply(r, m, &best) < 0) {
                text_lines_free(&best);
                return -1;
            }
            *out = best;
            return 0;
        }
        /* lo fits, hi does not. */
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            if (try_px(c, r, m, mid, false, &cur, &ok, &cost) < 0) {
                text_lines_free(&best);
                return -1;
            }
            if (ok) {
                text_lines_free(&best);
                best = cur;
                best_cost = cost;
                lo = mid;
            } else {
                text_lines_free(&cur);
                hi = mid;
            }
        }
    }
    if (r->balance && best.n >= 2 && balance(c, r, m, &best, best_cost) < 0) {
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
    clean_free(&c);
    return rc;
}
