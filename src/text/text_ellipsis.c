/* Text that does not fit its box even at the floor size is cut, and the
 * last line kept ends in "…" (never after a comma or an opening bracket:
 * "文字，…" reads worse than "文字…").
 */
#include "text_ellipsis.h"
#include "text_breaks.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"

/* Dropped before an ellipsis, besides spaces and what may not end a
 * line. */
static const uint32_t before_ellipsis_drop[] = {
    0x3001, 0x3002, 0xff0c, 0xff1a, 0xff1b, ',', ':', ';',
};

static bool drop_before_ellipsis(uint32_t cp)
{
    if (text_breaks_is_space(cp) || text_breaks_no_end(cp))
        return true;
    for (size_t i = 0; i < sizeof(before_ellipsis_drop) / sizeof(before_ellipsis_drop[0]);
         i++)
        if (before_ellipsis_drop[i] == cp)
            return true;
    return false;
}

/* Length of line[0..len) once what should not precede an ellipsis is
 * dropped. */
static size_t ellipsis_cut(const char *line, size_t len)
{
    while (len > 0) {
        size_t p = utf8_prev(line, 0, len), adv;
        if (!drop_before_ellipsis(utf8_decode(line + p, len - p, &adv)))
            break;
        len = p;
    }
    return len;
}

static int measure_str(const struct text_measure *m, const char *s, size_t len, int px,
                       bool bold, bool rtl)
{
    if (len == 0)
        return 0;
    int r = m->fn(m->ctx, s, len, px, bold, rtl);
    return r < 0 ? 0 : r;
}

/* Measures line[0..ellipsis_cut(e)) + "…" into buf; whether it fits. */
static bool ellipsis_fits(const struct text_fit_req *r, const struct text_measure *m,
                          int px, bool rtl, const char *line, size_t e, char *buf, int *wid)
{
    size_t t = ellipsis_cut(line, e);
    memcpy(buf, line, t);
    memcpy(buf + t, ELLIPSIS, sizeof(ELLIPSIS));
    *wid = measure_str(m, buf, t + sizeof(ELLIPSIS) - 1, px, r->bold, rtl);
    return *wid <= r->box_w;
}

/* Replaces *line with its longest prefix (at a grapheme boundary) that
 * still fits with "…" appended.  1 done, 0 when not even "…" fits, -1. */
static int ellipsize_line(const struct text_fit_req *r, const struct text_measure *m,
                          int px, bool rtl, char **line, int *width)
{
    size_t len = strlen(*line);
    size_t *g;
    int ng = text_breaks_graphemes(*line, len, &g);
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
    if (ellipsis_fits(r, m, px, rtl, *line, 0, buf, &wlo)) {
        size_t lo = 0, hi = nc;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (ellipsis_fits(r, m, px, rtl, *line, c[mid], buf, &wid)) {
                lo = mid;
                wlo = wid;
            } else {
                hi = mid;
            }
        }
        ellipsis_fits(r, m, px, rtl, *line, c[lo], buf, &wid);
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

int text_ellipsis_apply(const struct text_fit_req *r, const struct text_measure *m,
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
    int rc = ellipsize_line(r, m, l->px, l->rtl[keep - 1], &l->lines[keep - 1],
                            &l->widths[keep - 1]);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        /* "…" does not fit the width at all, so no line can end in it:
         * nothing rather than text cut without a mark. */
        for (int i = 0; i < keep; i++)
            free(l->lines[i]);
        l->n = 0;
    }
    return 0;
}
