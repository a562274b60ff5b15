/* layout_priv.h: what the layout_*.c files share; not for other modules.
 *
 * A layout is built into a struct lb ("layout builder"): lb_* functions
 * append items to its display list and fit text with its measure; a
 * failure (out of memory, text layout) is sticky in b->fail and turns the
 * whole layout into an error at lb_finish().  Lengths are design pixels
 * for a screen whose short side is 1080 px, scaled with sc().
 */
#ifndef EDUKIOSK_LAYOUT_PRIV_H
#define EDUKIOSK_LAYOUT_PRIV_H

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <time.h>

#include "deck.h"
#include "layout.h"
#include "text.h"

#define MAX_ENTRIES 12 /* list items, cards and flow entries laid out */

struct lb {
    struct slide_layout *out;
    int cap;
    const struct text_measure *m;
    const struct deck *d;
    double u; /* screen scale: 1.0 for a 1080-px short side */
    bool fail;
};

/* ---- small pure helpers ---- */

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }
static inline bool nonempty(const char *s) { return s && *s; }

static inline int ulen(double u, double v)
{
    double r = v * u;
    if (r > INT_MAX / 8)
        return INT_MAX / 8;
    long l = lround(r);
    return l < 1 ? 1 : (int)l;
}

/* Scaled design length. */
static inline int sc(const struct lb *b, double v) { return ulen(b->u, v); }

/* Must round exactly like text.c so heights computed here match. */
static inline int line_h(int px, float spacing)
{
    long h = lround((double)px * (double)spacing);
    return h < 1 ? 1 : (int)h;
}

static inline int text_h(const struct text_lines *t) { return t->n * t->line_h; }

static inline int widest(const struct text_lines *t)
{
    int w = 0;
    for (int i = 0; i < t->n; i++)
        w = imax(w, t->widths[i]);
    return w;
}

static inline void lines_free(struct text_lines *t, int n)
{
    for (int i = 0; i < n; i++)
        text_lines_free(&t[i]);
}

static inline struct lay_box mkbox(int x, int y, int w, int h)
{
    return (struct lay_box){x, y, w, h};
}

static inline bool image_usable(const struct deck_image *img)
{
    return img && img->data && img->len > 0 && !img->failed && img->format != IMGHDR_NONE;
}

/* Banners narrower than this stack their title over their text. */
static inline bool stacked_banner(int w, double u) { return w < ulen(u, 1400); }

/* Where a block of height h goes in an area of height avail: a little
 * above the middle, which reads as centred on a wall-mounted screen. */
static inline int settle(int y, int avail, int h)
{
    return y + imax(0, (int)lround((avail - h) * 0.42));
}

/* ---- the display list (layout.c) ---- */

/* Starts an empty layout of a w x h screen in *out; b->fail is set from
 * the start when m has no measure function. */
void lb_init(struct lb *b, struct slide_layout *out, const struct deck *d, int w, int h,
             const struct text_measure *m);
/* lb_init() and the chrome of the screen into *c; false when there is
 * nothing to lay out (the caller then returns lb_finish()). */
bool lb_begin(struct lb *b, struct slide_layout *out, const struct deck *d, int w, int h,
              const struct text_measure *m, struct chrome_layout *c);
/* 0, or -1 after any failure (out is then freed and empty). */
int lb_finish(struct lb *b);
/* Appends an item; NULL (and b->fail) when out of memory.  The pointer is
 * valid until the next push. */
struct lay_item *lb_push(struct lb *b, enum lay_kind kind, struct lay_box box,
                         const char *role);
/* A rectangle; nothing for an empty box. */
void lb_rect(struct lb *b, struct lay_box box, enum lay_color c, uint8_t alpha,
             int radius, const char *role);
/* Moves *t into a new text item (t is emptied either way); NULL when t has
 * no lines.  The item pointer is valid until the next push. */
struct lay_item *lb_text(struct lb *b, const char *role, struct lay_box box,
                         struct text_lines *t, enum lay_color c, enum lay_align align,
                         bool bold);
/* Width of s at px with the injected measure; 0 for empty text. */
int lb_measure(struct lb *b, const char *s, int px, bool bold);
/* text_fit() for r; empty text or a degenerate box gives no lines.  A
 * failure marks the layout failed and also gives no lines. */
void lb_fit(struct lb *b, struct text_fit_req r, struct text_lines *out);
/* lb_fit() for titles and other display lines: one line if that costs at
 * most a fifth of the size, else a break at a comma near the middle. */
void lb_fit_title(struct lb *b, struct text_fit_req r, struct text_lines *out);
/* Fits each of n texts into out[i] at one size, the largest every one of
 * them allows in r's box (a role reads alike across cards or columns);
 * sets r->max_px and r->min_px to that size.  Returns the most lines any
 * text took. */
int lb_fit_common(struct lb *b, struct text_fit_req *r, const char *const *texts, int n,
                  struct text_lines *out);
/* The slide title with its accent rule at the top of a; returns the area
 * left under it (a itself when there is no title). */
struct lay_box lb_title(struct lb *b, const char *title, struct lay_box a);
/* A date in the deck's language, with or without the weekday; snprintf
 * semantics. */
int lay_fmt_date(const struct tm *tm, enum lang lang, bool weekday, char *buf,
                 size_t size);

/* ---- a flow: a grid of wrapped texts with a common size (layout_flow.c) ---- */

struct flow {
    const char *text[MAX_ENTRIES];
    int fixed_h[MAX_ENTRIES]; /* height each entry needs besides its text */
    int n, cols, col_w;
    double indent_em; /* text starts this many em (of its size) into the column */
    int indent_px;    /* and the column loses this much more (padding) */
    int min_lines;    /* an entry is at least this many lines tall */
    bool bold;
    float spacing;
    double gap_em; /* between rows */
};

#define CAP_NONE 0    /* entries take the lines they need */
#define CAP_HIDE (-1) /* entries show no text at all (last resort) */

struct flow_sol {
    int px, cap;
    bool fits;
};

static inline int flow_rows(const struct flow *f)
{
    return (f->n + f->cols - 1) / f->cols;
}

static inline int flow_gap(const struct flow *f, int px)
{
    return (int)lround(px * f->gap_em);
}

/* Height of the grid at size px with at most cap lines an entry;
 * lines[] (may be NULL) receives each entry's line count. */
long flow_height(struct lb *b, const struct flow *f, int px, int cap, int *lines);
/* The largest size in [lo, hi] at which the flow fits avail.  If none,
 * at lo: the largest line cap per entry that fits, then tighter rows,
 * then (when entries may be empty) no text.  May narrow f->gap_em. */
struct flow_sol flow_solve(struct lb *b, struct flow *f, int lo, int hi, int avail);
/* Whether solution a reads better than b. */
bool flow_better(struct flow_sol a, struct flow_sol b);
/* Final line breaking of entry i at px, capped like flow_height. */
void flow_fit(struct lb *b, const struct flow *f, int i, int px, int cap,
              struct text_lines *out);
/* Extra row gap that spreads a short flow a little, up to `most`. */
int flow_spread(int avail, long used, int gaps, int most);

/* ---- the slide types, each inside content area a ---- */

/* layout_slides.c */
void lay_title(struct lb *b, const struct slide *s, struct lay_box a);
void lay_list(struct lb *b, const struct slide *s, struct lay_box a, bool portrait);
void lay_cards(struct lb *b, const struct slide *s, struct lay_box a);
void lay_quote(struct lb *b, const struct slide *s, struct lay_box a);
void lay_image(struct lb *b, const struct slide *s, struct lay_box a);
/* layout_time.c: both depend on now */
void lay_timeline(struct lb *b, const struct slide *s, struct lay_box a, time_t now,
                  bool portrait);
void lay_countdown(struct lb *b, const struct slide *s, struct lay_box a, time_t now);

#endif
