/* The slide types made of words and pictures: title, list, cards, quote
 * and image.
 */
#define LOG_MODULE "layout"
#include "log.h"

#include "imghdr.h"
#include "layout.h"
#include "layout_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_ALPHA 26 /* LC_PANEL is the text colour: a faint veil */

/* A centred hero block: big title, accent rule, subtitle; footer pinned
 * to the bottom.  Used by title slides and image slides without image. */
static void place_hero(struct lb *b, struct lay_box a, const char *title,
                       const char *title_role, const char *sub, const char *sub_role,
                       const char *footer)
{
    int bottom = a.y + a.h;
    if (nonempty(footer)) {
        struct text_lines f;
        lb_fit(b, (struct text_fit_req){.text = footer, .box_w = a.w,
                                        .box_h = line_h(sc(b, 38), 1.35f) * 2,
                                        .max_px = sc(b, 38), .min_px = sc(b, 28),
                                        .line_spacing = 1.35f, .max_lines = 2,
                                        .balance = true},
               &f);
        int fh = text_h(&f);
        if (fh > 0) {
            lb_text(b, "footer", mkbox(a.x, bottom - fh, a.w, fh), &f, LC_MUTED,
                    ALIGN_CENTER, false);
            bottom -= fh + sc(b, 40);
        }
    }
    int avail = bottom - a.y;
    int w = imin(a.w, sc(b, 1560));
    int x = a.x + (a.w - w) / 2;
    int rule_gap = sc(b, 40), rule_h = sc(b, 8);
    /* A tall screen has height to spare but a short width: the title may
     * take two balanced lines at a size one line could never reach. */
    bool tall = avail > a.w * 5 / 4;

    struct text_lines t, s;
    lb_fit_title(b, (struct text_fit_req){.text = title, .box_w = w,
                                          .box_h = avail * 3 / 5,
                                          .max_px = sc(b, tall ? 120 : 104),
                                          .min_px = sc(b, 64), .bold = true,
                                          .line_spacing = 1.25f, .max_lines = 3,
                                          .balance = true},
                 &t);
    int th = text_h(&t);
    int rule_block = th > 0 ? 2 * rule_gap + rule_h : 0;
    lb_fit_title(b, (struct text_fit_req){.text = sub, .box_w = w,
                                          .box_h = avail - th - rule_block,
                                          .max_px = sc(b, tall ? 64 : 52),
                                          .min_px = sc(b, 36),
                                          .line_spacing = 1.4f, .max_lines = 3,
                                          .balance = true},
                 &s);
    int sh = text_h(&s);
    if (th == 0)
        rule_block = sh > 0 ? rule_gap : 0;
    int block = th + rule_block + sh;
    int y = a.y + (int)lround((avail - block) * 0.45);
    if (th > 0) {
        lb_text(b, title_role, mkbox(x, y, w, th), &t, LC_TEXT, ALIGN_CENTER, true);
        y += th + rule_gap;
        int rw = sc(b, 120);
        lb_rect(b, mkbox(a.x + (a.w - rw) / 2, y, rw, rule_h), LC_ACCENT, 255, rule_h / 2,
                "rule");
        y += rule_h + rule_gap;
    } else if (sh > 0) {
        y += rule_block;
    }
    text_lines_free(&t);
    if (sh > 0)
        lb_text(b, sub_role, mkbox(x, y, w, sh), &s, LC_TEXT, ALIGN_CENTER, false);
    text_lines_free(&s);
}

void lay_title(struct lb *b, const struct slide *s, struct lay_box a)
{
    place_hero(b, a, s->title, "title", s->subtitle, "subtitle", s->footer);
}

/* ---- list ---- */

void lay_list(struct lb *b, const struct slide *s, struct lay_box a, bool portrait)
{
    struct lay_box body = lb_title(b, s->title, a);
    int n = s->n_items > MAX_ENTRIES ? MAX_ENTRIES : (int)s->n_items;
    if (n <= 0 || body.h <= 0)
        return;
    /* A few items each get a panel: the slide reads as designed rather
     * than empty; many items stay plain so type can stay large. */
    bool boxed = n <= 5;
    int padx = boxed ? sc(b, 36) : 0, pady = boxed ? sc(b, 22) : 0;
    struct flow f = {.n = n, .cols = 1, .col_w = body.w, .min_lines = 1,
                     .spacing = 1.4f, .gap_em = boxed ? 0.35 : 0.55,
                     .indent_em = s->numbered ? 1.75 : 1.0, .indent_px = 2 * padx};
    for (int i = 0; i < n; i++) {
        f.text[i] = s->items[i] ? s->items[i] : "";
        f.fixed_h[i] = 2 * pady;
    }
    /* A short list may grow: two items at the size of twelve would leave
     * the screen half empty. */
    int lo = sc(b, 32), hi = sc(b, n <= 3 ? 64 : n <= 5 || portrait ? 60 : 56);
    struct flow_sol sol = flow_solve(b, &f, lo, hi, body.h);
    if (!portrait && n >= 5) {
        struct flow f2 = f;
        f2.cols = 2;
        f2.col_w = (body.w - sc(b, 80)) / 2;
        f2.gap_em = boxed ? 0.35 : 0.55;
        struct flow_sol sol2 = flow_solve(b, &f2, lo, hi, body.h);
        /* Two columns when they give clearly larger type, or type as
         * large without wrapping any item. */
        bool clearly = sol2.px * 100 >= sol.px * 108 ||
                       (sol2.px >= sol.px && flow_height(b, &f2, sol2.px, sol2.cap, NULL) <=
                                                 flow_height(b, &f2, sol2.px, 1, NULL));
        if (flow_better(sol2, sol) && (clearly || !sol.fits || sol.cap != CAP_NONE)) {
            f = f2;
            sol = sol2;
        }
    }
    int px = sol.px, cap = sol.cap;
    int colgap = f.cols > 1 ? body.w - 2 * f.col_w : 0;
    int rows = flow_rows(&f);
    int lh = line_h(px, f.spacing);
    int lines[MAX_ENTRIES];
    long used = flow_height(b, &f, px, cap, lines);
    int gap = flow_gap(&f, px) +
              flow_spread(body.h, used, rows - 1, px * (boxed ? 4 : 6) / 10);
    used += (long)(rows - 1) * (gap - flow_gap(&f, px));
    int y = settle(body.y, body.h, (int)used);

    for (int r = 0; r < rows && !b->fail; r++) {
        int rh = 0;
        for (int c = 0; c < f.cols && c * rows + r < n; c++)
            rh = imax(rh, lines[c * rows + r] * lh + 2 * pady);
        if (y + rh > body.y + body.h) {
            LOG_WARN("list: %d of %d items do not fit the screen", n - r, n);
            break;
        }
        for (int c = 0; c < f.cols; c++) {
            int i = c * rows + r;
            if (i >= n)
                break;
            int px0 = body.x + c * (f.col_w + colgap);
            if (boxed)
                lb_rect(b, mkbox(px0, y, f.col_w, rh), LC_PANEL, PANEL_ALPHA, sc(b, 16),
                        "panel");
            int x = px0 + padx, ty = y + pady;
            int tx = x + (int)lround(px * f.indent_em);
            if (s->numbered) {
                int d = (int)lround(px * 1.2);
                struct lay_box circ = mkbox(x, ty + (lh - d) / 2, d, d);
                lb_rect(b, circ, LC_ACCENT, 255, d, "circle");
                char num[16];
                snprintf(num, sizeof(num), "%d", i + 1);
                int npx = (int)lround(d * 0.55);
                /* Digits sit low in their line: lift them optically. */
                int lift = (int)lround(npx * 0.14);
                struct text_lines t;
                lb_fit(b, (struct text_fit_req){.text = num, .box_w = d,
                                                .box_h = d - lift, .max_px = npx,
                                                .min_px = npx, .bold = true,
                                                .line_spacing = 1.0f, .max_lines = 1},
                       &t);
                struct lay_item *it = lb_text(b, "number", mkbox(x, circ.y, d, d - lift),
                                              &t, LC_ON_ACCENT, ALIGN_CENTER, true);
                if (it)
                    it->vcenter = true;
            } else {
                int d = imax(4, (int)lround(px * 0.3));
                lb_rect(b, mkbox(x + d / 2, ty + (lh - d) / 2, d, d), LC_ACCENT, 255, d,
                        "bullet");
            }
            struct text_lines t;
            flow_fit(b, &f, i, px, cap, &t);
            int th = text_h(&t);
            lb_text(b, "item", mkbox(tx, ty, px0 + f.col_w - padx - tx, th), &t, LC_TEXT,
                    ALIGN_LEFT, false);
        }
        y += rh + gap;
    }
}

/* ---- cards ---- */

/* Columns for n cards in W x H: cards close to a 1.2 aspect, few empty
 * cells, none too narrow to read (8 cards: 4x2 landscape, 2x4 portrait). */
static void card_grid(struct lb *b, int n, int W, int H, int gap, int *cols, int *rows)
{
    double best = 1e9;
    *cols = 1;
    *rows = n;
    for (int c = 1; c <= n; c++) {
        int r = (n + c - 1) / c;
        int empty = r * c - n;
        if (empty >= c)
            continue;
        int cw = (W - (c - 1) * gap) / c;
        int ch = (H - (r - 1) * gap) / r;
        if (cw <= 0 || ch <= 0)
            continue;
        double score = fabs(log((double)cw / ch / 1.2)) + 0.35 * empty;
        if (cw < sc(b, 340) && c > 1)
            score += 10;
        if (score < best) {
            best = score;
            *cols = c;
            *rows = r;
        }
    }
}


/* The inside of every card at one set of proportions: common heading and
 * text sizes, their lines, and the card height the content needs. */
struct card_fit {
    int pad, top, tgap; /* padding; where the heading starts; heading-text gap */
    bool bar;
    int need;                 /* the fullest card's height */
    int need_i[MAX_ENTRIES];  /* each card's own */
    bool cut;     /* some text was ellipsised */
    bool dropped; /* some card text found no room at all */
    struct text_lines head[MAX_ENTRIES], text[MAX_ENTRIES];
};

static void card_fit_free(struct card_fit *cf, int n)
{
    lines_free(cf->head, n);
    lines_free(cf->text, n);
}

/* Roomy (0) to tight (2): the accent bar, padding and a second heading
 * line give way before any text is cut. */
static void card_fit(struct lb *b, const struct slide *s, int n, int cw, int ch,
                     bool any_text, int tight, struct card_fit *cf)
{
    memset(cf, 0, sizeof(*cf));
    cf->pad = imin(sc(b, tight == 2 ? 20 : 32), cw / 10);
    cf->bar = tight == 0 && ch >= sc(b, 150);
    cf->top = cf->pad + (cf->bar ? sc(b, 6) + sc(b, 18) : 0);
    cf->tgap = sc(b, tight == 2 ? 8 : 14);
    int inner_w = cw - 2 * cf->pad;
    int inner_h = imax(1, ch - cf->top - cf->pad);
    float tsp = tight == 2 ? 1.35f : 1.45f;

    /* Headings: one size for all cards, the largest every card allows.
     * The ceilings grow with the cell (geometric mean of its sides, in
     * design px): three cards on a screen read at a size six cannot. */
    double g = sqrt((double)cw * ch) / b->u;
    int head_max = any_text ? (int)lround(fmin(fmax(g * 0.12, 46), 72))
                            : (int)lround(fmin(fmax(g * 0.125, 56), 72));
    int text_max = (int)lround(fmin(fmax(g * 0.095, 40), 60));
    struct text_fit_req hr = {.box_w = inner_w, .max_px = sc(b, head_max),
                              .min_px = sc(b, 30), .bold = true, .line_spacing = 1.3f,
                              .max_lines = any_text ? (tight == 2 ? 1 : 2) : 3,
                              .balance = true,
                              .box_h = any_text ? inner_h * 11 / 20 : inner_h};
    const char *heads[MAX_ENTRIES], *texts[MAX_ENTRIES];
    for (int i = 0; i < n; i++) {
        heads[i] = s->cards[i].heading;
        texts[i] = s->cards[i].text;
    }
    int hl = lb_fit_common(b, &hr, heads, n, cf->head);
    int hp = hr.max_px;
    /* Texts get the room under the tallest heading, so one size suits
     * every card; each then follows its own heading. */
    struct text_fit_req tr = {.box_w = inner_w,
                              .box_h = inner_h - hl * line_h(hp, 1.3f) - cf->tgap,
                              .max_px = imin(sc(b, text_max), hp), .min_px = imin(sc(b, 28), hp),
                              .line_spacing = tsp, .balance = true};
    if (any_text && tr.box_h >= line_h(tr.min_px, tsp))
        lb_fit_common(b, &tr, texts, n, cf->text);
    for (int i = 0; i < n; i++) {
        cf->cut = cf->cut || cf->head[i].ellipsized || cf->text[i].ellipsized;
        int need = cf->top + text_h(&cf->head[i]) + cf->pad;
        if (cf->text[i].n > 0)
            need += cf->tgap + text_h(&cf->text[i]);
        else if (nonempty(texts[i]))
            cf->dropped = true;
        if (!any_text)
            need = imax(need, sc(b, 168));
        cf->need_i[i] = imin(need, ch);
        cf->need = imax(cf->need, cf->need_i[i]);
    }
}

void lay_cards(struct lb *b, const struct slide *s, struct lay_box a)
{
    struct lay_box body = lb_title(b, s->title, a);
    int n = s->n_cards > MAX_ENTRIES ? MAX_ENTRIES : (int)s->n_cards;
    if (n <= 0 || body.h <= 0)
        return;
    int gap = sc(b, 28);
    int cols, rows;
    card_grid(b, n, body.w, body.h, gap, &cols, &rows);
    int cw = imin((body.w - (cols - 1) * gap) / cols, sc(b, 900));
    int ch = (body.h - (rows - 1) * gap) / rows;
    bool any_text = false;
    for (int i = 0; i < n; i++)
        any_text = any_text || nonempty(s->cards[i].text);

    struct card_fit *cf = calloc(1, sizeof(*cf));
    if (!cf) {
        b->fail = true;
        return;
    }
    for (int tight = 0; tight < 3; tight++) {
        card_fit(b, s, n, cw, ch, any_text, tight, cf);
        if ((!cf->cut && !cf->dropped) || tight == 2)
            break;
        card_fit_free(cf, n);
    }
    if (cf->dropped)
        LOG_WARN("cards: some card texts do not fit the screen");
    /* Landscape rows keep one height, a tidy band; a portrait column of
     * rows gives each row its own, so a short row leaves no empty lower
     * halves (cards in a row still match). */
    bool own_rows = body.h > body.w;
    int row_h[MAX_ENTRIES] = {0}, row_y[MAX_ENTRIES] = {0};
    int grid_h = (rows - 1) * gap;
    for (int r = 0; r < rows; r++) {
        row_h[r] = own_rows ? 0 : cf->need;
        for (int i = r * cols; own_rows && i < imin(n, (r + 1) * cols); i++)
            row_h[r] = imax(row_h[r], cf->need_i[i]);
        grid_h += row_h[r];
    }
    int inner_w = cw - 2 * cf->pad;
    int gy = settle(body.y, body.h, grid_h);
    for (int r = 0; r < rows; r++)
        row_y[r] = r ? row_y[r - 1] + row_h[r - 1] + gap : gy;
    int full_w = cols * cw + (cols - 1) * gap;
    int bar_h = sc(b, 6);

    for (int i = 0; i < n; i++) {
        int r = i / cols, c = i % cols;
        int in_row = imin(cols, n - r * cols);
        int row_w = in_row * cw + (in_row - 1) * gap;
        int x = body.x + (body.w - full_w) / 2 + (full_w - row_w) / 2 + c * (cw + gap);
        int y = row_y[r], card_h = row_h[r];
        lb_rect(b, mkbox(x, y, cw, card_h), LC_PANEL, PANEL_ALPHA, sc(b, 20), "panel");
        if (cf->bar)
            lb_rect(b, mkbox(x + cf->pad, y + cf->pad, sc(b, 48), bar_h), LC_ACCENT, 255,
                    bar_h / 2, "rule");
        int hh = text_h(&cf->head[i]);
        struct lay_box hb = mkbox(x + cf->pad, y + cf->top, inner_w, hh);
        if (!any_text)
            hb.h = imax(hh, card_h - cf->top - cf->pad);
        struct lay_item *it =
            lb_text(b, "heading", hb, &cf->head[i], LC_TEXT, ALIGN_LEFT, true);
        if (it && !any_text)
            it->vcenter = true;
        int th = text_h(&cf->text[i]);
        lb_text(b, "text", mkbox(x + cf->pad, y + cf->top + hh + cf->tgap, inner_w, th),
                &cf->text[i], LC_TEXT, ALIGN_LEFT, false);
    }
    card_fit_free(cf, n);
    free(cf);
}

/* ---- quote ---- */

void lay_quote(struct lb *b, const struct slide *s, struct lay_box a)
{
    struct lay_box body = lb_title(b, s->title, a);
    if (!nonempty(s->text) || body.h <= 0)
        return;
    /* Landscape has width to spare: the marks stand beside the text;
     * portrait puts them above and below. */
    bool beside = body.w > body.h;
    int M = sc(b, beside ? 170 : 130);
    const char *open = "\xe2\x80\x9c", *close = "\xe2\x80\x9d";
    int mw = imax(lb_measure(b, open, M, true), lb_measure(b, close, M, true));
    int mh = line_h(M, 0.8f);
    int mgap = sc(b, 24);

    char *src = NULL;
    struct text_lines st;
    memset(&st, 0, sizeof(st));
    if (nonempty(s->source)) {
        bool dashed = strncmp(s->source, "\xe2\x80\x94", 3) == 0 || s->source[0] == '-';
        size_t len = strlen(s->source) + 16;
        src = malloc(len);
        if (!src) {
            b->fail = true;
            return;
        }
        snprintf(src, len, "%s%s", dashed ? "" : "\xe2\x80\x94\xe2\x80\x94 ", s->source);
        lb_fit(b, (struct text_fit_req){.text = src, .box_w = body.w * 4 / 5,
                                        .box_h = line_h(sc(b, 44), 1.35f) * 2,
                                        .max_px = sc(b, 44), .min_px = sc(b, 30),
                                        .line_spacing = 1.35f, .max_lines = 2},
               &st);
        free(src);
    }
    int sh = text_h(&st);
    int sgap = sh ? sc(b, 40) : 0;
    int tw = imin(beside ? body.w - 2 * (mw + mgap) : body.w, sc(b, 1480));
    int tavail = body.h - sh - sgap - (beside ? mh / 2 : 2 * mh);
    struct text_lines t;
    int th = 0, block = 0, top = 0, open_dy = 0, close_dy = 0;
    for (int tries = 0; tries < 4; tries++) {
        lb_fit(b, (struct text_fit_req){.text = s->text, .box_w = tw, .box_h = tavail,
                                        .max_px = sc(b, beside ? 84 : 88),
                                        .min_px = sc(b, 40), .line_spacing = 1.5f,
                                        .balance = true},
               &t);
        th = text_h(&t);
        if (th == 0)
            break;
        /* Beside the text, a mark's ink top lines up with the ink top of
         * the first (opening) or last (closing) line; quote marks sit
         * near the top of their em box, ideographs fill it. */
        int q = t.px, qlh = t.line_h;
        int dy = (int)lround(qlh / 2.0 - 0.404 * q - mh / 2.0 + 0.324 * M);
        open_dy = beside ? dy : -mh;
        close_dy = beside ? th - qlh + dy : th;
        top = imin(0, open_dy);
        block = imax(th, close_dy + mh) - top;
        int over = block + sgap + sh - body.h;
        if (over <= 0 || tries == 3)
            break;
        text_lines_free(&t);
        tavail -= over;
    }
    if (th == 0) {
        text_lines_free(&t);
        text_lines_free(&st);
        return;
    }
    int lw = widest(&t);
    int cx = body.x + body.w / 2;
    int tx = cx - lw / 2;
    int y = settle(body.y, body.h, block + sgap + sh);
    int ty = y - top;
    struct text_lines mo, mc;
    struct text_fit_req mr = {.box_w = mw, .box_h = mh, .max_px = M, .min_px = M,
                              .bold = true, .line_spacing = 0.8f, .max_lines = 1};
    mr.text = open;
    lb_fit(b, mr, &mo);
    mr.text = close;
    lb_fit(b, mr, &mc);
    int right;
    if (beside) {
        lb_text(b, "mark", mkbox(tx - mgap - mw, ty + open_dy, mw, mh), &mo, LC_ACCENT,
                ALIGN_LEFT, true);
        lb_text(b, "mark", mkbox(tx + lw + mgap, ty + close_dy, mw, mh), &mc, LC_ACCENT,
                ALIGN_LEFT, true);
        right = tx + lw + mgap + mw;
    } else {
        lb_text(b, "mark", mkbox(tx, ty + open_dy, mw, mh), &mo, LC_ACCENT, ALIGN_LEFT,
                true);
        lb_text(b, "mark", mkbox(tx + lw - mw, ty + close_dy, mw, mh), &mc, LC_ACCENT,
                ALIGN_LEFT, true);
        right = tx + lw;
    }
    /* A short quote is centred; a paragraph reads better ragged-right. */
    enum lay_align qa = t.n >= 3 ? ALIGN_LEFT : ALIGN_CENTER;
    lb_text(b, "quote", mkbox(tx, ty, lw, th), &t, LC_TEXT, qa, false);
    int sy = y + block + sgap;
    /* The source ends under the quote's end, unless it is wider than the
     * quote reaches: then its box starts at the left of the body. */
    right = imin(imax(right, body.x + widest(&st)), body.x + body.w);
    lb_text(b, "source", mkbox(body.x, sy, right - body.x, sh), &st, LC_MUTED,
            ALIGN_RIGHT, false);
}

/* ---- image ---- */

/* Pixel size from the image's header (checked whole when it was
 * attached), so a "contain" image box can take the picture's shape and its
 * caption sit right under it. */
static bool image_size(const struct deck_image *img, int *w, int *h)
{
    long pw, ph;
    if (imghdr_size(img->data, img->len, &pw, &ph) != 0 || pw <= 0 || ph <= 0)
        return false;
    *w = (int)pw;
    *h = (int)ph;
    return true;
}

void lay_image(struct lb *b, const struct slide *s, struct lay_box a)
{
    if (!image_usable(s->image)) {
        /* No picture: never an empty frame, the words carry the slide. */
        if (nonempty(s->title))
            place_hero(b, a, s->title, "title", s->caption, "caption", NULL);
        else if (nonempty(s->caption))
            place_hero(b, a, s->caption, "caption", NULL, NULL, NULL);
        return;
    }
    struct lay_box body = lb_title(b, s->title, a);
    if (body.h <= 0)
        return;
    struct text_lines cap;
    lb_fit(b, (struct text_fit_req){.text = s->caption, .box_w = imin(body.w, sc(b, 1560)),
                                    .box_h = line_h(sc(b, 44), 1.35f) * 2,
                                    .max_px = sc(b, 44), .min_px = sc(b, 30),
                                    .line_spacing = 1.35f, .max_lines = 2, .balance = true},
           &cap);
    int ch = text_h(&cap);
    int cgap = ch ? sc(b, 24) : 0;
    struct lay_box ib = mkbox(body.x, body.y, body.w, imax(0, body.h - ch - cgap));
    int iw, ih;
    if (s->fit == FIT_CONTAIN && ib.h > 0 && image_size(s->image, &iw, &ih)) {
        double k = fmin((double)ib.w / iw, (double)ib.h / ih);
        int w = imax(1, (int)floor(iw * k)), h = imax(1, (int)floor(ih * k));
        ib = mkbox(body.x + (body.w - w) / 2, settle(body.y, body.h, h + cgap + ch), w, h);
    }
    if (ib.h > 0) {
        struct lay_item *it = lb_push(b, LAY_IMAGE, ib, "image");
        if (it) {
            it->image = s->image;
            it->fit = s->fit;
        }
    }
    int cw = imin(body.w, sc(b, 1560));
    lb_text(b, "caption", mkbox(body.x + (body.w - cw) / 2, ib.y + ib.h + cgap, cw, ch),
            &cap, LC_TEXT, ALIGN_CENTER, false);
}
