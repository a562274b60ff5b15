/* Flow: entries of wrapped text in one or more columns at one common
 * size, the largest that fits; used by lists and portrait timelines.
 */
#define LOG_MODULE "layout"
#include "log.h"

#include "layout.h"
#include "layout_priv.h"

#include <string.h>

/* Line count of text wrapped at width (no box limit). */
static int wrap_count(struct lb *b, const char *text, int width, int px, bool bold,
                      float spacing)
{
    if (!nonempty(text) || b->fail)
        return 0;
    if (width <= 0)
        return 1000;
    struct text_lines l;
    if (text_wrap(text, width, px, bold, spacing, b->m, &l) < 0) {
        LOG_ERR("text wrap failed");
        b->fail = true;
        return 0;
    }
    int n = l.n;
    text_lines_free(&l);
    return n;
}

static int flow_text_w(const struct flow *f, int px)
{
    return f->col_w - f->indent_px - (int)lround(px * f->indent_em);
}

long flow_height(struct lb *b, const struct flow *f, int px, int cap, int *lines)
{
    int rows = flow_rows(f);
    int lh = line_h(px, f->spacing);
    long total = 0;
    for (int r = 0; r < rows; r++) {
        int rh = 0;
        for (int c = 0; c < f->cols; c++) {
            int i = c * rows + r;
            if (i >= f->n)
                break;
            int nl = 0;
            if (cap != CAP_HIDE)
                nl = wrap_count(b, f->text[i], flow_text_w(f, px), px, f->bold,
                                f->spacing);
            if (cap > 0 && nl > cap)
                nl = cap;
            nl = imax(nl, f->min_lines);
            if (lines)
                lines[i] = nl;
            rh = imax(rh, f->fixed_h[i] + nl * lh);
        }
        total += rh;
    }
    return total + (long)(rows - 1) * flow_gap(f, px);
}

struct flow_sol flow_solve(struct lb *b, struct flow *f, int lo, int hi, int avail)
{
    struct flow_sol s = {lo, CAP_NONE, true};
    if (hi < lo)
        hi = lo;
    if (flow_height(b, f, hi, CAP_NONE, NULL) <= avail) {
        s.px = hi;
        return s;
    }
    int lines[MAX_ENTRIES] = {0};
    if (flow_height(b, f, lo, CAP_NONE, lines) <= avail) {
        while (hi - lo > 1 && !b->fail) {
            int mid = lo + (hi - lo) / 2;
            if (flow_height(b, f, mid, CAP_NONE, NULL) <= avail)
                lo = mid;
            else
                hi = mid;
        }
        s.px = lo;
        return s;
    }
    int most = 1;
    for (int i = 0; i < f->n; i++)
        most = imax(most, lines[i]);
    for (int tight = 0; tight < 2; tight++) {
        if (tight)
            f->gap_em *= 0.4;
        for (int k = most - 1; k >= 1; k--) {
            if (flow_height(b, f, lo, k, NULL) <= avail) {
                s.cap = k;
                return s;
            }
        }
    }
    if (f->min_lines == 0 && flow_height(b, f, lo, CAP_HIDE, NULL) <= avail) {
        s.cap = CAP_HIDE;
        return s;
    }
    s.cap = 1;
    s.fits = false;
    return s;
}

/* Whether solution a reads better than b: it fits, cuts no text, has
 * larger type, cuts less. */
bool flow_better(struct flow_sol a, struct flow_sol b)
{
    if (a.fits != b.fits)
        return a.fits;
    if ((a.cap == CAP_NONE) != (b.cap == CAP_NONE))
        return a.cap == CAP_NONE;
    if (a.px != b.px)
        return a.px > b.px;
    return a.cap > b.cap;
}

void flow_fit(struct lb *b, const struct flow *f, int i, int px, int cap,
              struct text_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (cap == CAP_HIDE)
        return;
    int lh = line_h(px, f->spacing);
    int nl = cap > 0 ? cap : 1000;
    lb_fit(b, (struct text_fit_req){.text = f->text[i], .box_w = flow_text_w(f, px),
                                    .box_h = nl * lh, .max_px = px, .min_px = px,
                                    .bold = f->bold, .line_spacing = f->spacing,
                                    .max_lines = cap > 0 ? cap : 0, .balance = true},
           out);
}

int flow_spread(int avail, long used, int gaps, int most)
{
    if (gaps <= 0 || used >= avail)
        return 0;
    long e = (avail - used) / gaps;
    return (int)(e > most ? most : e);
}
