/* The slide types that depend on the time: timeline (days to each
 * milestone) and countdown.
 */
#define LOG_MODULE "layout"
#include "log.h"

#include "layout.h"
#include "layout_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MILESTONES 8

/* Vertical metrics of the bundled face (Noto Sans SC), in em.  The painter
 * centres a glyph strip of ascent + descent in each line slot, so the
 * baseline sits at slot_h / 2 + (ASCENT - DESCENT) / 2 * px. */
#define FONT_ASCENT 1.16
#define FONT_DESCENT 0.288

/* "还有 12 天" / "12 days to go"; the short form drops the words. */
static void days_text(enum lang lang, int days, bool short_form, char *buf, size_t size)
{
    if (lang == LANG_EN) {
        if (days == 0)
            snprintf(buf, size, "Today");
        else
            snprintf(buf, size, "%d day%s%s", days, days == 1 ? "" : "s",
                     short_form ? "" : " to go");
    } else {
        if (days == 0)
            snprintf(buf, size, "今天");
        else
            snprintf(buf, size, short_form ? "%d 天" : "还有 %d 天", days);
    }
}

/* ---- timeline ---- */

struct ms_state {
    bool dated;
    int days; /* from today, when dated */
};

/* Which milestone is the next one ahead (-1: none), and each one's days. */
static int milestone_days(const struct slide *s, int n, time_t now, struct ms_state *st)
{
    int next = -1;
    for (int i = 0; i < n; i++) {
        const struct milestone *m = &s->milestones[i];
        st[i].dated = m->when.set;
        st[i].days = m->when.set ? layout_days_until(now, m->when.t) : 0;
        if (st[i].dated && st[i].days >= 0 && (next < 0 || st[i].days < st[next].days))
            next = i;
    }
    return next;
}

/* The "days to go" pills of n milestones, fitted to width w at size px:
 * all in the long form ("还有 12 天") or, if one does not fit, all in the
 * short one, so they read alike.  pill[i] false: none for that one. */
struct pills {
    bool on[MAX_MILESTONES];
    struct text_lines t[MAX_MILESTONES];
    int w[MAX_MILESTONES], h;
};

static void make_pills(struct lb *b, const struct ms_state *st, int n, int w, int px,
                       struct pills *p)
{
    memset(p, 0, sizeof(*p));
    enum lang lang = b->d ? b->d->lang : LANG_ZH_CN;
    int padx = (int)lround(px * 0.6);
    for (int form = 0; form < 2; form++) {
        bool cut = false;
        for (int i = 0; i < n; i++) {
            if (!st[i].dated || st[i].days < 0)
                continue;
            char buf[64];
            days_text(lang, st[i].days, form == 1, buf, sizeof(buf));
            lb_fit(b, (struct text_fit_req){.text = buf, .box_w = w - 2 * padx,
                                            .box_h = line_h(px, 1.3f), .max_px = px,
                                            .min_px = imin(px, sc(b, 28)), .bold = true,
                                            .line_spacing = 1.3f, .max_lines = 1},
                   &p->t[i]);
            cut = cut || p->t[i].ellipsized;
        }
        if (!cut || form == 1)
            break;
        lines_free(p->t, n);
    }
    for (int i = 0; i < n; i++) {
        p->on[i] = p->t[i].n > 0;
        if (p->on[i]) {
            p->w[i] = widest(&p->t[i]) + 2 * padx;
            p->h = imax(p->h, (int)lround(p->t[i].line_h * 1.3));
        }
    }
}

static void add_pill(struct lb *b, struct lay_box pill, struct text_lines *t, bool next)
{
    lb_rect(b, pill, next ? LC_ACCENT : LC_PANEL, next ? 255 : 48, pill.h / 2, "pill");
    int tw = widest(t);
    struct lay_box tb = mkbox(pill.x + (pill.w - tw) / 2, pill.y + (pill.h - t->line_h) / 2,
                              tw, t->line_h);
    lb_text(b, "days", tb, t, next ? LC_ON_ACCENT : LC_TEXT, ALIGN_CENTER, true);
}

/* Dot of a milestone: past ones solid, the next one accent with a halo,
 * later ones hollow. */
static void add_dot(struct lb *b, int cx, int cy, const struct ms_state *st, bool next)
{
    if (next) {
        int h = sc(b, 56), d = sc(b, 30);
        lb_rect(b, mkbox(cx - h / 2, cy - h / 2, h, h), LC_ACCENT, 70, h, "halo");
        lb_rect(b, mkbox(cx - d / 2, cy - d / 2, d, d), LC_ACCENT, 255, d, "dot");
        return;
    }
    int d = sc(b, 26);
    lb_rect(b, mkbox(cx - d / 2, cy - d / 2, d, d), LC_TEXT, 255, d, "dot");
    if (st->dated && st->days > 0) {
        int i = sc(b, 14);
        lb_rect(b, mkbox(cx - i / 2, cy - i / 2, i, i), LC_BACKGROUND, 255, i, "dot");
    }
}

/* Type grows for a short timeline: two milestones at the size of eight
 * would leave most of the screen empty.  Four still have room on most
 * screens; the layouts fall back to 1.0 when the gain would cut text. */
static double sparse_gain(int n)
{
    return n <= 2 ? 1.35 : n == 3 ? 1.2 : n == 4 ? 1.15 : 1.0;
}

static bool any_cut(const struct text_lines *t, int n)
{
    for (int i = 0; i < n; i++)
        if (t[i].ellipsized)
            return true;
    return false;
}

/* The type of a landscape timeline at gain k: every text fitted, and the
 * heights the columns need. */
struct th_fit {
    int tw, date_h, label_h, above, total;
    struct pills pl;
    struct text_lines dt[MAX_MILESTONES], lt[MAX_MILESTONES], xt[MAX_MILESTONES];
};

static void th_fit_free(struct th_fit *f, int n)
{
    lines_free(f->dt, n);
    lines_free(f->lt, n);
    lines_free(f->xt, n);
    lines_free(f->pl.t, n);
}

/* True when every text fits whole at gain k, the texts at least at the
 * size they have without it. */
static bool th_fit(struct lb *b, const struct slide *s, struct lay_box body, int n,
                   const struct ms_state *st, double k, struct th_fit *f)
{
    const char *dates[MAX_MILESTONES], *labels[MAX_MILESTONES], *texts[MAX_MILESTONES];
    for (int i = 0; i < n; i++) {
        dates[i] = s->milestones[i].date;
        labels[i] = s->milestones[i].label;
        texts[i] = s->milestones[i].text;
    }
    f->tw = imin(body.w / n - sc(b, 28), sc(b, 640 * k));
    struct text_fit_req dr = {.box_w = f->tw, .box_h = line_h(sc(b, 40 * k), 1.3f) * 2,
                              .max_px = sc(b, 40 * k), .min_px = sc(b, 28), .bold = true,
                              .line_spacing = 1.3f, .max_lines = 2, .balance = true};
    struct text_fit_req lr = {.box_w = f->tw, .box_h = line_h(sc(b, 44 * k), 1.3f) * 2,
                              .max_px = sc(b, 44 * k), .min_px = sc(b, 30), .bold = true,
                              .line_spacing = 1.3f, .max_lines = 2, .balance = true};
    int dl = lb_fit_common(b, &dr, dates, n, f->dt);
    int ll = lb_fit_common(b, &lr, labels, n, f->lt);
    make_pills(b, st, n, f->tw, sc(b, 30 * k), &f->pl);
    f->date_h = dl * line_h(dr.max_px, 1.3f);
    f->label_h = ll * line_h(lr.max_px, 1.3f);
    int g = sc(b, 16);
    f->above = f->date_h + (f->pl.h ? g + f->pl.h : 0) + sc(b, 24);
    int fixed = f->above + sc(b, 56) + sc(b, 24) + f->label_h + g;
    struct text_fit_req xr = {.box_w = f->tw, .box_h = body.h - fixed,
                              .max_px = sc(b, 36 * k),
                              .min_px = sc(b, 28), .line_spacing = 1.4f, .balance = true};
    int xl = lb_fit_common(b, &xr, texts, n, f->xt);
    f->total = fixed + xl * line_h(xr.max_px, 1.4f) - (xl ? 0 : g);
    /* Larger dates and labels are no gain if the texts shrink under
     * their dense size for them. */
    bool whole = f->total <= body.h && (xl == 0 || xr.max_px >= sc(b, 36));
    for (int i = 0; i < n; i++)
        whole = whole && !f->dt[i].ellipsized && !f->lt[i].ellipsized &&
                !f->xt[i].ellipsized && (f->xt[i].n > 0 || !nonempty(texts[i]));
    return whole;
}

/* Landscape: milestones in columns along a horizontal line; date and
 * days above it, label and text below. */
static void lay_timeline_h(struct lb *b, const struct slide *s, struct lay_box body,
                           int n, const struct ms_state *st, int next)
{
    struct th_fit *f = calloc(1, sizeof(*f));
    if (!f) {
        b->fail = true;
        return;
    }
    double k = sparse_gain(n);
    if (!th_fit(b, s, body, n, st, k, f) && k > 1.0) {
        th_fit_free(f, n);
        th_fit(b, s, body, n, st, 1.0, f);
    }
    int colw = body.w / n, tw = f->tw;
    int g = sc(b, 16);
    int dot_zone = sc(b, 56);
    int y = settle(body.y, body.h, f->total);
    int line_y = y + f->above + dot_zone / 2;

    int lt_h = sc(b, 4);
    int x0 = body.x + colw / 2, x1 = body.x + colw * (n - 1) + colw / 2;
    if (n == 1) {
        x0 = body.x;
        x1 = body.x + body.w;
    }
    lb_rect(b, mkbox(x0, line_y - lt_h / 2, x1 - x0, lt_h), LC_TEXT, 90, lt_h / 2,
            "line");
    for (int i = 0; i < n; i++) {
        int cx = body.x + colw * i + colw / 2;
        int tx = cx - tw / 2;
        int dh = text_h(&f->dt[i]);
        lb_text(b, "date", mkbox(tx, y + f->date_h - dh, tw, dh), &f->dt[i], LC_ACCENT,
                ALIGN_CENTER, true);
        if (f->pl.on[i])
            add_pill(b, mkbox(cx - f->pl.w[i] / 2, y + f->date_h + g, f->pl.w[i], f->pl.h),
                     &f->pl.t[i], i == next);
        add_dot(b, cx, line_y, &st[i], i == next);
        int ly = line_y + dot_zone / 2 + sc(b, 24);
        lb_text(b, "label", mkbox(tx, ly, tw, text_h(&f->lt[i])), &f->lt[i], LC_TEXT,
                ALIGN_CENTER, true);
        lb_text(b, "text", mkbox(tx, ly + f->label_h + g, tw, text_h(&f->xt[i])),
                &f->xt[i], LC_TEXT, ALIGN_CENTER, false);
    }
    th_fit_free(f, n);
    free(f);
}

/* Portrait: a vertical rail on the left, one row a milestone: date and
 * label on the first line (days pill at its end), the text under them. */
static void lay_timeline_v(struct lb *b, const struct slide *s, struct lay_box body,
                           int n, const struct ms_state *st, int next)
{
    int rail = body.x + sc(b, 28);
    int tx = body.x + sc(b, 80);
    int tw = body.x + body.w - tx;
    int gap_x = sc(b, 24);
    const char *dates[MAX_MILESTONES] = {0}, *labels[MAX_MILESTONES] = {0};
    for (int i = 0; i < n; i++) {
        dates[i] = s->milestones[i].date;
        labels[i] = s->milestones[i].label;
    }
    struct pills pl;
    struct text_lines dt[MAX_MILESTONES], lt[MAX_MILESTONES];
    int date_w, lx, lw, hlh;
    int g = sc(b, 8);
    struct flow f;
    struct flow_sol sol;
    int head_h[MAX_MILESTONES];
    /* Grown type only when every row still fits whole with it. */
    double k = sparse_gain(n);
    for (;;) {
        /* The pill shares the row with date and label: it grows less than
         * they do, so they keep the larger type. */
        make_pills(b, st, n, tw / 2, sc(b, 30 * fmin(k, 1.15)), &pl);
        int pill_room = 0;
        for (int i = 0; i < n; i++)
            if (pl.on[i])
                pill_room = imax(pill_room, pl.w[i] + gap_x);

        /* Date and label share one size, the largest every row allows. */
        struct text_fit_req dr = {.box_w = (tw - pill_room) / 2,
                                  .box_h = line_h(sc(b, 42 * k), 1.3f),
                                  .max_px = sc(b, 42 * k),
                                  .min_px = sc(b, 30), .bold = true, .line_spacing = 1.3f,
                                  .max_lines = 1};
        lb_fit_common(b, &dr, dates, n, dt);
        int hp = dr.max_px;
        date_w = 0;
        for (int i = 0; i < n; i++)
            date_w = imax(date_w, widest(&dt[i]));
        lx = tx + (date_w ? date_w + gap_x : 0);
        lw = tx + tw - pill_room - lx;
        hlh = line_h(hp, 1.3f);
        /* Crowded: labels go down to one line before any text is cut. */
        for (int label_lines = 2; label_lines >= 1; label_lines--) {
            struct text_fit_req lr = {.box_w = lw, .box_h = hlh * label_lines, .max_px = hp,
                                      .min_px = hp, .bold = true, .line_spacing = 1.3f,
                                      .max_lines = label_lines, .balance = true};
            f = (struct flow){.n = n, .cols = 1, .col_w = tw, .spacing = 1.4f,
                              .gap_em = 1.0};
            for (int i = 0; i < n; i++) {
                lr.text = labels[i];
                lb_fit(b, lr, &lt[i]);
                head_h[i] = imax(imax(hlh, text_h(&lt[i])), pl.on[i] ? pl.h : 0);
                f.text[i] = s->milestones[i].text;
                f.fixed_h[i] = head_h[i] + (nonempty(f.text[i]) ? g : 0);
            }
            sol = flow_solve(b, &f, sc(b, 28), imin(sc(b, 38 * k), hp), body.h);
            if ((sol.fits && sol.cap != CAP_HIDE) || label_lines == 1)
                break;
            lines_free(lt, n);
        }
        bool any_text = false;
        for (int i = 0; i < n; i++)
            any_text = any_text || nonempty(f.text[i]);
        /* As on landscape: no grown labels at the cost of smaller texts. */
        bool whole = sol.fits && sol.cap == CAP_NONE && !any_cut(dt, n) &&
                     !any_cut(lt, n) && (!any_text || sol.px >= sc(b, 38));
        if (whole || k <= 1.0 || b->fail)
            break;
        lines_free(dt, n);
        lines_free(lt, n);
        lines_free(pl.t, n);
        k = 1.0;
    }
    int px = sol.px, cap = sol.cap;
    int lines[MAX_ENTRIES];
    long used = flow_height(b, &f, px, cap, lines);
    int gap = flow_gap(&f, px) + flow_spread(body.h, used, n - 1, sc(b, 48 * k * k));
    used += (long)(n - 1) * (gap - flow_gap(&f, px));
    int y = settle(body.y, body.h, (int)used);

    int first_cy = 0, last_cy = 0;
    /* The rail goes first so the dots paint over it. */
    int rail_at = b->out->n_items;
    lb_rect(b, mkbox(rail - sc(b, 2), y, sc(b, 4), 1), LC_TEXT, 90, sc(b, 2), "line");
    for (int i = 0; i < n && !b->fail; i++) {
        int row_h = f.fixed_h[i] + lines[i] * line_h(px, f.spacing);
        if (y + row_h > body.y + body.h) {
            LOG_WARN("timeline: %d of %d milestones do not fit the screen", n - i, n);
            break;
        }
        int cy = y + hlh / 2;
        if (i == 0)
            first_cy = cy;
        last_cy = cy;
        add_dot(b, rail, cy, &st[i], i == next);
        lb_text(b, "date", mkbox(tx, y, date_w, text_h(&dt[i])), &dt[i], LC_ACCENT,
                ALIGN_LEFT, true);
        lb_text(b, "label", mkbox(lx, y, lw, text_h(&lt[i])), &lt[i], LC_TEXT, ALIGN_LEFT,
                true);
        if (pl.on[i])
            add_pill(b,
                     mkbox(tx + tw - pl.w[i], y + imax(0, (hlh - pl.h) / 2), pl.w[i], pl.h),
                     &pl.t[i], i == next);
        struct text_lines t;
        flow_fit(b, &f, i, px, cap, &t);
        lb_text(b, "text", mkbox(tx, y + head_h[i] + g, tw, text_h(&t)), &t, LC_TEXT,
                ALIGN_LEFT, false);
        y += row_h + gap;
    }
    if (!b->fail && rail_at < b->out->n_items) {
        struct lay_item *r = &b->out->items[rail_at];
        r->box.y = first_cy;
        r->box.h = n > 1 ? imax(1, last_cy - first_cy) : 0; /* a lone dot needs no rail */
    }
    lines_free(dt, n);
    lines_free(lt, n);
    lines_free(pl.t, n);
}

void lay_timeline(struct lb *b, const struct slide *s, struct lay_box a, time_t now,
                  bool portrait)
{
    struct lay_box body = lb_title(b, s->title, a);
    int n = s->n_milestones > MAX_MILESTONES ? MAX_MILESTONES : (int)s->n_milestones;
    if (n <= 0 || body.h <= 0)
        return;
    struct ms_state st[MAX_MILESTONES];
    int next = milestone_days(s, n, now, st);
    if (portrait)
        lay_timeline_v(b, s, body, n, st, next);
    else
        lay_timeline_h(b, s, body, n, st, next);
}

/* ---- countdown ---- */

struct seg {
    char num[24];
    const char *unit;
};

/* Baseline of a line of size px in a slot of slot_h, from the slot top. */
static int baseline(int px, int slot_h)
{
    return (int)lround(slot_h / 2.0 + (FONT_ASCENT - FONT_DESCENT) / 2.0 * px);
}

static int countdown_segs(const struct slide *s, time_t now, enum lang lang,
                          struct seg *seg)
{
    if (!s->target.set)
        return 0;
    bool en = lang == LANG_EN;
    time_t t = s->target.t;
    if (s->target.date_only || difftime(t, now) >= 86400.0) {
        int days = layout_days_until(now, t);
        if (days <= 0)
            return 0;
        snprintf(seg[0].num, sizeof(seg[0].num), "%d", days);
        seg[0].unit = en ? (days == 1 ? "day" : "days") : "天";
        return 1;
    }
    double left = difftime(t, now);
    if (left <= 0)
        return 0;
    long mins = (long)ceil(left / 60.0);
    long hours = mins / 60;
    mins %= 60;
    int k = 0;
    if (hours > 0) {
        snprintf(seg[k].num, sizeof(seg[k].num), "%ld", hours);
        seg[k++].unit = en ? "h" : "小时";
    }
    if (mins > 0 || k == 0) {
        snprintf(seg[k].num, sizeof(seg[k].num), "%ld", mins);
        seg[k++].unit = en ? "min" : "分钟";
    }
    return k;
}

void lay_countdown(struct lb *b, const struct slide *s, struct lay_box a, time_t now)
{
    struct lay_box body = lb_title(b, s->title, a);
    if (body.h <= 0)
        return;
    enum lang lang = b->d ? b->d->lang : LANG_ZH_CN;
    struct seg seg[2];
    int k = countdown_segs(s, now, lang, seg);

    char datebuf[64] = "";
    if (s->target.set) {
        struct tm tm;
        if (localtime_r(&s->target.t, &tm)) {
            int n = lay_fmt_date(&tm, lang, false, datebuf, sizeof(datebuf));
            if (!s->target.date_only && n > 0 && (size_t)n < sizeof(datebuf))
                snprintf(datebuf + n, sizeof(datebuf) - (size_t)n, " %02d:%02d", tm.tm_hour,
                         tm.tm_min);
        }
    }
    struct text_lines label, date, done;
    lb_fit_title(b, (struct text_fit_req){.text = s->label, .box_w = body.w,
                                          .box_h = body.h / 4, .max_px = sc(b, 52),
                                          .min_px = sc(b, 36), .line_spacing = 1.35f,
                                          .max_lines = 2, .balance = true},
                 &label);
    lb_fit(b, (struct text_fit_req){.text = datebuf, .box_w = body.w,
                                    .box_h = line_h(sc(b, 40), 1.4f), .max_px = sc(b, 40),
                                    .min_px = sc(b, 28), .line_spacing = 1.4f,
                                    .max_lines = 1},
           &date);
    int lab_h = text_h(&label), date_h = text_h(&date);
    int g1 = lab_h ? sc(b, 36) : 0, g2 = date_h ? sc(b, 36) : 0;
    int room = body.h - lab_h - g1 - g2 - date_h;
    /* The figure (or done text) comes first: on a cramped screen the
     * date, then the label give way to it. */
    int least = line_h(sc(b, k ? 120 : 56), 1.25f);
    if (room < least && date_h) {
        room += date_h + g2;
        date_h = g2 = 0;
        text_lines_free(&date);
    }
    if (room < least && lab_h) {
        room += lab_h + g1;
        lab_h = g1 = 0;
        text_lines_free(&label);
    }
    memset(&done, 0, sizeof(done));

    if (k == 0) {
        const char *txt = nonempty(s->done_text) ? s->done_text
                          : lang == LANG_EN      ? "The day has come"
                                                 : "目标时刻已到";
        lb_fit_title(b, (struct text_fit_req){.text = txt,
                                              .box_w = imin(body.w, sc(b, 1560)),
                                              .box_h = room, .max_px = sc(b, 120),
                                              .min_px = sc(b, 56), .bold = true,
                                              .line_spacing = 1.25f, .max_lines = 3,
                                              .balance = true},
                     &done);
        int dh = text_h(&done);
        int y = settle(body.y, body.h, lab_h + g1 + dh + g2 + date_h);
        lb_text(b, "label", mkbox(body.x, y, body.w, lab_h), &label, LC_TEXT,
                ALIGN_CENTER, false);
        y += lab_h + g1;
        int dw = imin(body.w, sc(b, 1560));
        lb_text(b, "done", mkbox(body.x + (body.w - dw) / 2, y, dw, dh), &done, LC_ACCENT,
                ALIGN_CENTER, true);
        y += dh + g2;
        lb_text(b, "date", mkbox(body.x, y, body.w, date_h), &date, LC_MUTED,
                ALIGN_CENTER, false);
        return;
    }

    /* The number row: as large as width and height allow. */
    int P = imax(4, imin(sc(b, 300), room)), Q = 0;
    int wn[2], wu[2], gap_nu = 0, gap_seg = 0, row_w = 0;
    for (;;) {
        Q = imin(imin(imax((int)lround(P * 0.28), sc(b, 44)), sc(b, 84)), P);
        gap_nu = (int)lround(P * 0.08);
        gap_seg = (int)lround(P * 0.3);
        row_w = 0;
        for (int i = 0; i < k; i++) {
            wn[i] = lb_measure(b, seg[i].num, P, true);
            wu[i] = lb_measure(b, seg[i].unit, Q, false);
            row_w += wn[i] + gap_nu + wu[i] + (i ? gap_seg : 0);
        }
        if ((row_w <= body.w && line_h(P, 1.0f) <= room) || P <= 4)
            break;
        P = imax(4, imin(P - 1, (int)(P * 0.94)));
    }
    int num_h = line_h(P, 1.0f);
    int unit_h = line_h(Q, 1.3f);
    /* Units share the numbers' baseline. */
    int unit_dy = baseline(P, num_h) - baseline(Q, unit_h);
    int row_top = imin(0, unit_dy), row_bot = imax(num_h, unit_dy + unit_h);
    int row_h = row_bot - row_top;
    int y = settle(body.y, body.h, lab_h + g1 + row_h + g2 + date_h);
    lb_text(b, "label", mkbox(body.x, y, body.w, lab_h), &label, LC_TEXT, ALIGN_CENTER,
            false);
    y += lab_h + g1;
    int ny = y - row_top;
    int x = body.x + imax(0, (body.w - row_w) / 2);
    for (int i = 0; i < k; i++) {
        if (i)
            x += gap_seg;
        struct text_lines t;
        lb_fit(b, (struct text_fit_req){.text = seg[i].num, .box_w = wn[i] + 1,
                                        .box_h = num_h, .max_px = P, .min_px = P,
                                        .bold = true, .line_spacing = 1.0f, .max_lines = 1},
               &t);
        lb_text(b, "days", mkbox(x, ny, wn[i] + 1, num_h), &t, LC_ACCENT, ALIGN_LEFT,
                true);
        x += wn[i] + gap_nu;
        lb_fit(b, (struct text_fit_req){.text = seg[i].unit, .box_w = wu[i] + 1,
                                        .box_h = unit_h, .max_px = Q, .min_px = Q,
                                        .line_spacing = 1.3f, .max_lines = 1},
               &t);
        lb_text(b, "unit", mkbox(x, ny + unit_dy, wu[i] + 1, unit_h), &t, LC_TEXT,
                ALIGN_LEFT, false);
        x += wu[i];
    }
    y += row_h + g2;
    lb_text(b, "date", mkbox(body.x, y, body.w, date_h), &date, LC_MUTED, ALIGN_CENTER,
            false);
}
