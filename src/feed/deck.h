/* deck: the immutable, refcounted content model built by feed_parse().
 *
 * A deck is never mutated after feed_parse() returns it (the fetcher may
 * attach image bytes before it hands the deck to the main thread; after the
 * hand-over nobody writes to it).  Every string and array inside a deck is
 * owned by the deck and freed by the last deck_unref().  Strings are valid
 * UTF-8, NUL-terminated; absent optional strings are NULL.
 */
#ifndef EDUKIOSK_DECK_H
#define EDUKIOSK_DECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "imghdr.h"

enum slide_type {
    SLIDE_TITLE,
    SLIDE_LIST,
    SLIDE_CARDS,
    SLIDE_TIMELINE,
    SLIDE_COUNTDOWN,
    SLIDE_QUOTE,
    SLIDE_IMAGE,
};

enum transition { TRANSITION_FADE, TRANSITION_SLIDE, TRANSITION_CUT };
enum image_fit { FIT_CONTAIN, FIT_COVER };
enum lang { LANG_ZH_CN, LANG_EN };
enum alert_level { ALERT_NONE, ALERT_INFO, ALERT_WARNING, ALERT_EMERGENCY };

/* A TIME of the feed.  `t` is the instant (date-only values: local
 * midnight at the start of that day).  An absent time has set == false. */
struct feed_time {
    bool set;
    bool date_only;
    time_t t;
};

/* Image referenced by the deck (slide src, slide background, theme logo).
 * `url` is absolute (resolved against the feed URL) or, for the built-in
 * deck, an asset name such as "images/logo.png".  `data` holds the encoded
 * file once fetched and passed imghdr_check() as `format`; NULL if not
 * fetched or failed.  Only deck_image_attach() sets data, so bytes that
 * were never checked are never decoded.  data, why and field are malloc()
 * blocks owned by the deck (deck_free() frees them).  For a local feed
 * (path source) url may also be a file path, or a file:// URL. */
struct deck_image {
    char *url;
    unsigned char *data;
    size_t len;
    enum imghdr_format format;
    bool failed;
    bool refused;  /* failed for what the bytes are (format, damage, size) */
    char *why;     /* failed: what went wrong, or NULL */
    int line, col; /* where the feed first names it; 0 when unknown */
    char *field;   /* that field's path ("slides[2].src"), or NULL */
    char sha256[65]; /* the feed's pin ("src_sha256" …): lower-case hex;
                        "" = none.  Bytes that differ are refused. */
};

struct when {
    struct feed_time from, until; /* until date-only: through that day */
    uint8_t days;                 /* bit 0 = Monday … bit 6 = Sunday; 0 = every day */
    int hours_from, hours_until;  /* minutes since midnight; -1 = no hours */
};

struct card {
    char *heading;
    char *text; /* may be NULL */
};

struct milestone {
    char *date;  /* as written in the feed, e.g. "2027" or "2027-12-31" */
    struct feed_time when; /* parsed from date when it is a TIME or a year */
    char *label;
    char *text; /* may be NULL */
};

struct slide {
    enum slide_type type;
    size_t feed_index;   /* its index in the feed's "slides" array (slides of
                            unknown types are skipped, so it can differ) */
    char *id;            /* NULL if absent; unique within a deck */
    int duration_s;      /* resolved: slide, else defaults, else 12 */
    enum transition transition; /* resolved likewise */
    bool has_when;
    struct when when;
    char **sites;        /* NULL-less array of n_sites tags; 0 = every site */
    size_t n_sites;
    bool has_bg_color;
    uint32_t bg_color;   /* 0xRRGGBB */
    struct deck_image *bg_image; /* points into deck->images, or NULL */

    /* title, list, cards, timeline, countdown */
    char *title;
    /* title */
    char *subtitle, *footer;
    /* list */
    char **items;
    size_t n_items;
    bool numbered;
    /* cards */
    struct card *cards;
    size_t n_cards;
    /* timeline */
    struct milestone *milestones;
    size_t n_milestones;
    /* countdown */
    struct feed_time target;
    char *label, *done_text;
    /* quote */
    char *text, *source;
    /* image */
    struct deck_image *image; /* points into deck->images */
    char *caption;
    enum image_fit fit;
};

struct theme {
    uint32_t background, text, accent; /* 0xRRGGBB */
    struct deck_image *logo;           /* points into deck->images, or NULL */
};

struct alert {
    enum alert_level level; /* ALERT_NONE: the feed has no alert */
    char *title, *text;
    struct feed_time from, until;
};

/* What the ticker shows at most; a feed's ticker beyond that is cut with
 * a warning.  600 characters take ~3.5 minutes to scroll by, and bound the
 * ticker's pixels at any screen size (docs/feed.md). */
#define DECK_MAX_TICKER_LINES 64
#define DECK_MAX_TICKER_CHARS 600

struct deck {
    int refs; /* atomic; use deck_ref/deck_unref */
    char *school;
    int refresh_s;  /* 0 = not given */
    enum lang lang;
    struct theme theme;
    char **ticker;
    size_t n_ticker;
    struct alert alert;
    struct slide *slides;
    size_t n_slides;
    struct deck_image *images; /* every distinct image the deck references */
    size_t n_images;
    char hash[65];  /* SHA-256 of the feed bytes, lowercase hex */
    /* A signed feed: when (its trusted comment's timestamp) and with which
     * key; 0 and "" when not verified. */
    long long signed_at;
    char signed_by[17];
    char *source;   /* where it came from (URL or path); "builtin" for ours */
};

/* Takes a reference; returns d.  Thread-safe. */
struct deck *deck_ref(struct deck *d);
/* Drops a reference; frees the deck with the last one.  Accepts NULL. */
void deck_unref(struct deck *d);
/* Frees a deck with refs == 1 or 0 regardless; for the parser's error paths. */
void deck_free(struct deck *d);

/* Find a slide by id; -1 if none (or id NULL). */
int deck_find_slide(const struct deck *d, const char *id);

/* Gives img the malloc()ed bytes data[0..len) when they hash to its pin
 * (if the feed pinned it) and imghdr_check() lets them be shown under
 * max_pixels; img owns them either way (refused bytes
 * are freed at once, img marked failed and refused, the reason in
 * img->why).  For whoever fills a deck before it is handed over. */
bool deck_image_attach(struct deck_image *img, unsigned char *data, size_t len,
                       long max_pixels);

/* Marks img failed for the reason why (copied; NULL: none known). */
void deck_image_fail(struct deck_image *img, bool refused, const char *why);

const char *slide_type_name(enum slide_type t);
/* "info", "warning", "emergency" as in the feed; "none" for ALERT_NONE. */
const char *alert_level_name(enum alert_level l);

#endif
