/* layout: pure geometry of every screen the kiosk shows.
 *
 * Turns a slide (or the chrome, an alert, the fallback screen) into a
 * display list: rectangles, images and text boxes with their exact lines,
 * in paint order, for a screen of w × h pixels.  Text is fitted with
 * text_fit() against an injected measure, so this runs without a window
 * (tests use a fake measure, the kiosk the real fonts).  render paints the
 * list; --render dumps it as layout.json.
 */
#ifndef EDUKIOSK_LAYOUT_H
#define EDUKIOSK_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "deck.h"
#include "text.h"

/* Colours are roles resolved against the deck theme by the painter, so a
 * theme change needs no re-layout. */
enum lay_color {
    LC_BACKGROUND, /* theme background */
    LC_TEXT,       /* theme text */
    LC_MUTED,      /* text at reduced contrast (captions, dates) */
    LC_ACCENT,     /* theme accent */
    LC_ON_ACCENT,  /* text drawn on an accent fill (dark or light) */
    LC_PANEL,      /* card/panel fill: the text colour; items give a low alpha */
    LC_ALERT,      /* alert red */
    LC_WARNING,    /* warning amber */
    LC_WHITE,
    LC_INFO,       /* info banner blue */
    LC_ON_WARNING, /* text on the warning amber */
};

enum lay_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

struct lay_box {
    int x, y, w, h;
};

enum lay_kind { LAY_RECT, LAY_TEXT, LAY_IMAGE };

struct lay_item {
    enum lay_kind kind;
    struct lay_box box;
    enum lay_color color;
    uint8_t alpha;   /* 255 = opaque; multiplies the colour role */
    /* LAY_RECT */
    int radius;      /* rounded corners; radius >= h/2 makes a pill/circle */
    /* LAY_TEXT: lines are drawn top-down from box.y, line_h apart,
     * aligned within box.w; the lines fit inside box. */
    /* What the item is (static string), for layout.json and tests.
     * Text: title, subtitle, footer, item, number, heading, text, date,
     * label, days, unit, done, quote, mark, source, caption, level,
     * school, time.  Rects: rule, panel, circle, bullet, line, dot, halo,
     * pill, band, scrim.  Image: image. */
    const char *role;
    bool bold;
    enum lay_align align;
    bool vcenter;     /* centre the block of lines vertically in box */
    struct text_lines text;
    /* LAY_IMAGE */
    const struct deck_image *image;
    enum image_fit fit;
};

struct slide_layout {
    int w, h;
    bool has_bg_color;
    uint32_t bg_color;            /* slide override of the theme background */
    const struct deck_image *bg_image; /* drawn "cover" under everything */
    struct lay_item *items;       /* paint order */
    int n_items;
};

/* The fixed frame around slides: header band (logo, school name, clock),
 * content area, progress indicator and ticker strip.  Sizes scale with
 * min(w, h) / 1080; no two of header, progress, content, banner and
 * ticker overlap.  On narrow screens the clock goes under the school
 * name, still right aligned. */
struct chrome_layout {
    int w, h;
    struct lay_box header;  /* band at the top */
    struct lay_box logo;    /* inside header; w == 0 if no logo */
    struct lay_box school;  /* school name text box */
    int school_px;
    struct lay_box clock;   /* clock/date text box, right aligned */
    int clock_px;
    struct lay_box content; /* where slides put their content */
    struct lay_box progress;/* thin strip for the progress indicator */
    struct lay_box ticker;  /* h == 0 when the deck has no ticker */
    int ticker_px;
    struct lay_box banner;  /* info/warning alert banner: at the foot of the
                             * content, above the ticker; h == 0 when the
                             * deck has no such alert (the content area
                             * leaves room for it whenever it has one) */
};

void layout_chrome(const struct deck *d, int w, int h, struct chrome_layout *c);

/* Lays out slide s of deck d for a w × h screen at time now (countdown and
 * timeline "days to go" depend on it: by local day, or by minute when a
 * countdown is under a day).  Content stays inside the chrome's content
 * area; text that cannot fit at its floor size is ellipsised, never
 * clipped.  Returns 0 or -1 (out of memory or a text layout failure; out
 * is then empty).  out holds pointers into d: keep d alive with it. */
int layout_slide(const struct deck *d, const struct slide *s, int w, int h,
                 time_t now, const struct text_measure *m, struct slide_layout *out);

/* Full-screen emergency alert (red background via has_bg_color; content
 * kept clear of the header band and ticker, so the chrome may or may not
 * be drawn over it); the fallback screen (school + clock, inside the
 * content area) when nothing is eligible; the banner for info/warning
 * alerts (items inside chrome->banner, in screen coordinates; its colours
 * are fixed, not the theme's: LC_INFO with LC_WHITE text, LC_WARNING with
 * LC_ON_WARNING text).  Same ownership as layout_slide. */
int layout_alert(const struct deck *d, const struct alert *a, int w, int h,
                 const struct text_measure *m, struct slide_layout *out);
int layout_fallback(const struct deck *d, int w, int h, time_t now,
                    const struct text_measure *m, struct slide_layout *out);
int layout_banner(const struct deck *d, const struct alert *a,
                  const struct chrome_layout *c, const struct text_measure *m,
                  struct slide_layout *out);

void slide_layout_free(struct slide_layout *l); /* frees items, not l */

/* "2026年11月29日 星期日 14:05" (zh-CN) or "Sun 29 Nov 2026 14:05" (en),
 * local time.  Returns bytes written (snprintf semantics). */
int layout_clock_text(time_t now, enum lang lang, char *buf, size_t size);

/* Whole days from now until t (local calendar days; 0 = today, negative =
 * past). */
int layout_days_until(time_t now, time_t t);

#endif
