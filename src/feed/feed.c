#define LOG_MODULE "feed"
#include "feed.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assets.h"
#include "feedimage.h"
#include "feedreport.h"
#include "feedtime.h"
#include "feedval.h"
#include "hash.h"
#include "jsonpos.h"
#include "log.h"

#define DEFAULT_DURATION 12
#define MAX_REFRESH (365 * 86400)

#define N(a) (sizeof(a) / sizeof((a)[0]))

void feed_limits_default(struct feed_limits *l)
{
    l->max_bytes = 2u << 20;
    l->max_depth = 32;
    l->max_string = 4096;
    l->max_slides = 500;
    l->require_pins = false;
}

static const char *const transition_names[] = {"fade", "slide", "cut"};
static const char *const fit_names[] = {"contain", "cover"};
static const char *const lang_names[] = {"zh-CN", "en"};
static const char *const level_names[] = {"info", "warning", "emergency"};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* ------------------------------------------------------------- slides */

static const char *const common_keys[] = {"type",  "id",         "duration",
                                          "transition", "when", "sites",
                                          "background", "background_sha256"};
static const char *const title_keys[] = {"title", "subtitle", "footer"};
static const char *const list_keys[] = {"title", "items", "numbered"};
static const char *const cards_keys[] = {"title", "cards"};
static const char *const timeline_keys[] = {"title", "milestones"};
static const char *const countdown_keys[] = {"title", "target", "label", "done_text"};
static const char *const quote_keys[] = {"text", "source"};
static const char *const image_keys[] = {"src", "src_sha256", "caption", "fit"};
static const char *const all_type_keys[] = {
    "title", "subtitle",   "footer", "items",   "numbered",
    "cards", "milestones", "target", "label",   "done_text",
    "text",  "source",     "src",    "caption", "fit", "src_sha256"};

static const struct {
    const char *name;
    enum slide_type type;
    const char *const *keys;
    size_t n_keys;
    const char *what;
} slide_types[] = {
    {"title", SLIDE_TITLE, title_keys, N(title_keys), "a title slide"},
    {"list", SLIDE_LIST, list_keys, N(list_keys), "a list slide"},
    {"cards", SLIDE_CARDS, cards_keys, N(cards_keys), "a cards slide"},
    {"timeline", SLIDE_TIMELINE, timeline_keys, N(timeline_keys), "a timeline slide"},
    {"countdown", SLIDE_COUNTDOWN, countdown_keys, N(countdown_keys),
     "a countdown slide"},
    {"quote", SLIDE_QUOTE, quote_keys, N(quote_keys), "a quote slide"},
    {"image", SLIDE_IMAGE, image_keys, N(image_keys), "an image slide"},
};

/* "duration" and "transition", of a slide or of "defaults": each kept
 * as it was when absent or wrong. */
static void parse_timing(struct feedval *c, json_t *v, const struct jsonpos *p,
                         int *duration, enum transition *transition)
{
    double dur;
    if (feedval_opt_number(c, v, p, "duration", 3, 600, "must be a number from 3 to 600",
                           &dur))
        *duration = (int)lround(dur);
    int tr =
        feedval_opt_enum(c, v, p, "transition", transition_names, N(transition_names));
    if (tr >= 0)
        *transition = (enum transition)tr;
}

static void parse_when(struct feedval *c, json_t *v, const struct jsonpos *p,
                       struct when *w)
{
    static const char *const keys[] = {"from", "until", "days", "hours"};
    memset(w, 0, sizeof(*w));
    w->hours_from = w->hours_until = -1;
    if (!json_is_object(v)) {
        feedval_err(c, p,
                    "must be an object such as {\"from\": \"2026-12-01\", \"until\": "
                    "\"2026-12-05\", \"days\": [\"mon\"], \"hours\": \"07:30-18:00\"}");
        return;
    }
    feedval_opt_time(c, v, p, "from", false, &w->from);
    feedval_opt_time(c, v, p, "until", false, &w->until);
    feedval_order(c, v, p, &w->from, &w->until, "when.from");

    struct feedval_field f;
    if (feedval_field(c, v, p, "days", &f)) {
        size_t n = json_array_size(f.v);
        if (!json_is_array(f.v) || n < 1 || n > 7) {
            feedval_err(c, f.p,
                        "must be a list of days, e.g. [\"mon\", \"wed\", \"fri\"]");
        } else {
            char msg[256];
            feedval_enum_msg(day_names, N(day_names), msg, sizeof(msg));
            for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(f.v, i));
                int day = -1;
                for (int k = 0; s && k < 7; k++)
                    if (strcmp(s, day_names[k]) == 0)
                        day = k;
                size_t mark = feedval_path_idx(c, i);
                if (day < 0)
                    feedval_err(c, jsonpos_elem(f.p, i), "%s", msg);
                else
                    w->days |= (uint8_t)(1u << day);
                feedval_path_pop(c, mark);
            }
        }
    }
    feedval_field_end(c, &f);

    if (feedval_field(c, v, p, "hours", &f)) {
        const char *s = json_string_value(f.v);
        int a, b;
        if (!s || !feedtime_parse_hours(s, &a, &b))
            feedval_err(
                c, f.p,
                "must be \"HH:MM-HH:MM\", e.g. \"07:30-18:00\" or \"22:00-06:00\"");
        else if (a == b || (a == 0 && b == 24 * 60))
            feedval_err(
                c, f.p,
                "start and end are the same time; leave \"hours\" out for all day");
        else
            w->hours_from = a, w->hours_until = b == 24 * 60 ? 0 : b;
    }
    feedval_field_end(c, &f);
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_background(struct feedval *c, json_t *v, const struct jsonpos *p,
                             struct slide *s, const char *pin)
{
    const char *str = json_string_value(v);
    if (str && str[0] == '#') {
        if (pin[0])
            feedval_err(c, p, "is a colour: \"background_sha256\" is for an image");
        if (feedval_colour(str, &s->bg_color))
            s->has_bg_color = true;
        else
            feedval_err(c, p,
                        "must be a colour written \"#rrggbb\" (e.g. \"#0b3d91\") or an "
                        "image URL");
        return;
    }
    /* "red" is meant as a colour, not as an image file named "red". */
    bool word = str && str[0];
    for (const char *q = str; word && *q; q++)
        word = (*q | 0x20) >= 'a' && (*q | 0x20) <= 'z';
    if (!str || word) {
        feedval_err(
            c, p,
            "must be a colour written \"#rrggbb\" (e.g. \"#0b3d91\") or an image URL");
        return;
    }
    feedimage_get(c, v, p, &s->bg_image, pin);
}

/* A list of 1..max objects: a new array of n_out items of `size` bytes,
 * fill() checking each object into its item (NULL when the list itself is
 * wrong). */
static void *object_list(struct feedval *c, json_t *v, const struct jsonpos *p,
                         size_t max, const char *what, const char *example, size_t size,
                         void (*fill)(struct feedval *, json_t *, const struct jsonpos *,
                                      void *),
                         size_t *n_out)
{
    char msg[96];
    size_t n;
    *n_out = 0;
    snprintf(msg, sizeof(msg), "must be a list of 1 to %zu %s", max, what);
    if (!feedval_list(c, v, p, 1, max, msg, &n))
        return NULL;
    char *items = calloc(n, size);
    if (!items) {
        feedval_oom(c);
        return NULL;
    }
    *n_out = n;
    for (size_t i = 0; i < n; i++) {
        json_t *iv = json_array_get(v, i);
        const struct jsonpos *ip = jsonpos_elem(p, i);
        size_t mark = feedval_path_idx(c, i);
        if (json_is_object(iv))
            fill(c, iv, ip, items + i * size);
        else
            feedval_err(c, ip, "must be an object such as %s", example);
        feedval_path_pop(c, mark);
    }
    return items;
}

static void fill_card(struct feedval *c, json_t *v, const struct jsonpos *p, void *item)
{
    static const char *const keys[] = {"heading", "text"};
    struct card *card = item;
    feedval_opt_string(c, v, p, "heading", true, &card->heading);
    feedval_opt_string(c, v, p, "text", false, &card->text);
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void fill_milestone(struct feedval *c, json_t *v, const struct jsonpos *p,
                           void *item)
{
    static const char *const keys[] = {"date", "label", "text"};
    struct milestone *m = item;
    feedval_opt_string(c, v, p, "date", true, &m->date);
    if (m->date)
        feedtime_parse_milestone(m->date, &m->when);
    feedval_opt_string(c, v, p, "label", true, &m->label);
    feedval_opt_string(c, v, p, "text", false, &m->text);
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_type_fields(struct feedval *c, json_t *v, const struct jsonpos *p,
                              struct slide *s)
{
    struct feedval_field f;
    switch (s->type) {
    case SLIDE_TITLE:
        feedval_opt_string(c, v, p, "title", true, &s->title);
        feedval_opt_string(c, v, p, "subtitle", false, &s->subtitle);
        feedval_opt_string(c, v, p, "footer", false, &s->footer);
        break;
    case SLIDE_LIST:
        feedval_opt_string(c, v, p, "title", true, &s->title);
        if (feedval_field(c, v, p, "items", &f))
            s->items = feedval_strv(c, f.v, f.p, 1, 12, "must be a list of 1 to 12 texts",
                                    &s->n_items);
        else
            feedval_missing(c, &f);
        feedval_field_end(c, &f);
        feedval_opt_bool(c, v, p, "numbered", &s->numbered);
        break;
    case SLIDE_CARDS:
        feedval_opt_string(c, v, p, "title", false, &s->title);
        if (feedval_field(c, v, p, "cards", &f))
            s->cards = object_list(c, f.v, f.p, 12, "cards",
                                   "{\"heading\": \"…\", \"text\": \"…\"}",
                                   sizeof(*s->cards), fill_card, &s->n_cards);
        else
            feedval_missing(c, &f);
        feedval_field_end(c, &f);
        break;
    case SLIDE_TIMELINE:
        feedval_opt_string(c, v, p, "title", false, &s->title);
        if (feedval_field(c, v, p, "milestones", &f))
            s->milestones = object_list(
                c, f.v, f.p, 8, "milestones", "{\"date\": \"2027\", \"label\": \"…\"}",
                sizeof(*s->milestones), fill_milestone, &s->n_milestones);
        else
            feedval_missing(c, &f);
        feedval_field_end(c, &f);
        break;
    case SLIDE_COUNTDOWN:
        feedval_opt_string(c, v, p, "title", false, &s->title);
        feedval_opt_time(c, v, p, "target", true, &s->target);
        feedval_opt_string(c, v, p, "label", false, &s->label);
        feedval_opt_string(c, v, p, "done_text", false, &s->done_text);
        break;
    case SLIDE_QUOTE:
        feedval_opt_string(c, v, p, "text", true, &s->text);
        feedval_opt_string(c, v, p, "source", false, &s->source);
        break;
    case SLIDE_IMAGE: {
        feedimage_opt(c, v, p, "src", true, &s->image);
        feedval_opt_string(c, v, p, "caption", false, &s->caption);
        int fit = feedval_opt_enum(c, v, p, "fit", fit_names, N(fit_names));
        s->fit = fit == 1 ? FIT_COVER : FIT_CONTAIN;
        break;
    }
    }
}

/* Fills s from slide number `index`; false when it is not a slide of a
 * known type (*unknown: skipped; else an error was reported). */
static bool parse_slide(struct feedval *c, json_t *v, const struct jsonpos *p,
                        size_t index, struct slide *s, bool *unknown)
{
    if (!json_is_object(v)) {
        feedval_err(c, p,
                    "must be an object such as {\"type\": \"title\", \"title\": \"…\"}");
        return false;
    }
    struct feedval_field f;
    int t = -1;
    if (feedval_field(c, v, p, "type", &f)) {
        const char *name = json_string_value(f.v);
        for (size_t i = 0; name && i < N(slide_types); i++)
            if (strcmp(name, slide_types[i].name) == 0)
                t = (int)i;
        char q[64];
        if (!name)
            feedval_err(c, f.p, "must be a string naming the slide type, e.g. \"title\"");
        else if (t < 0)
            feedval_warn(c, f.p, "unknown slide type %s; this slide is skipped",
                         feedval_quote(name, q));
        *unknown = name && t < 0;
    } else {
        feedval_missing(c, &f);
    }
    feedval_field_end(c, &f);
    if (t < 0)
        return false;

    memset(s, 0, sizeof(*s));
    s->type = slide_types[t].type;
    s->feed_index = index;
    s->duration_s = c->def_duration;
    s->transition = c->def_transition;

    if (feedval_field(c, v, p, "id", &f) && feedval_string(c, f.v, f.p, true, &s->id)) {
        for (size_t i = 0; i < c->d->n_slides; i++) {
            const struct slide *o = &c->d->slides[i];
            if (o->id && strcmp(o->id, s->id) == 0) {
                char q[64];
                feedval_err(c, f.p, "duplicate id %s (slides[%zu] has it too)",
                            feedval_quote(s->id, q), o->feed_index);
                break;
            }
        }
    }
    feedval_field_end(c, &f);

    parse_timing(c, v, p, &s->duration_s, &s->transition);

    if (feedval_field(c, v, p, "when", &f)) {
        s->has_when = true;
        parse_when(c, f.v, f.p, &s->when);
    }
    feedval_field_end(c, &f);

    if (feedval_field(c, v, p, "sites", &f))
        s->sites = feedval_strv(c, f.v, f.p, 1, SIZE_MAX,
                                "must be a list of site names, e.g. [\"north-campus\"]",
                                &s->n_sites);
    feedval_field_end(c, &f);

    char pin[65];
    bool pinned = feedimage_pin(c, v, p, "background", pin) && pin[0];
    if (feedval_field(c, v, p, "background", &f))
        parse_background(c, f.v, f.p, s, pin);
    else if (pinned)
        feedval_err(c, f.p, "has \"background_sha256\" but no \"background\" image");
    feedval_field_end(c, &f);

    parse_type_fields(c, v, p, s);

    const char *known[N(common_keys) + 4];
    size_t nk = 0;
    for (size_t i = 0; i < N(common_keys); i++)
        known[nk++] = common_keys[i];
    for (size_t i = 0; i < slide_types[t].n_keys; i++)
        known[nk++] = slide_types[t].keys[i];
    feedval_keys(c, v, p, known, nk, all_type_keys, N(all_type_keys),
                 slide_types[t].what);
    return true;
}

static void parse_slides(struct feedval *c, json_t *v, const struct jsonpos *p)
{
    char msg[96];
    size_t n;
    snprintf(msg, sizeof(msg), "must be a list of 1 to %zu slides", c->lim->max_slides);
    /* Too many is reported, and the slides are still checked. */
    if (!feedval_list(c, v, p, 1, c->lim->max_slides, msg, &n) && n == 0)
        return;
    c->d->slides = calloc(n, sizeof(*c->d->slides));
    if (!c->d->slides) {
        feedval_oom(c);
        return;
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = feedval_path_idx(c, i);
        struct slide *s = &c->d->slides[c->d->n_slides];
        bool unknown = false;
        if (parse_slide(c, json_array_get(v, i), jsonpos_elem(p, i), i, s, &unknown))
            c->d->n_slides++;
        skipped += unknown;
        feedval_path_pop(c, mark);
    }
    if (skipped == n)
        feedval_err(c, p, "no slide of a known type: every slide was skipped");
}

/* ------------------------------------------------------------ top level */

static void parse_theme(struct feedval *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"background", "text", "accent", "logo",
                                       "logo_sha256"};
    if (!json_is_object(v)) {
        feedval_err(c, p,
                    "must be an object such as {\"background\": \"#0b3d91\", \"text\": "
                    "\"#ffffff\"}");
        return;
    }
    feedval_opt_colour(c, v, p, "background", &c->d->theme.background);
    feedval_opt_colour(c, v, p, "text", &c->d->theme.text);
    feedval_opt_colour(c, v, p, "accent", &c->d->theme.accent);
    feedimage_opt(c, v, p, "logo", false, &c->d->theme.logo);
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_defaults(struct feedval *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"duration", "transition"};
    if (!json_is_object(v)) {
        feedval_err(
            c, p,
            "must be an object such as {\"duration\": 12, \"transition\": \"fade\"}");
        return;
    }
    parse_timing(c, v, p, &c->def_duration, &c->def_transition);
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_alert(struct feedval *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"level", "title", "text", "from", "until"};
    struct alert *a = &c->d->alert;
    if (!json_is_object(v)) {
        feedval_err(c, p,
                    "must be an object such as {\"level\": \"info\", \"title\": \"…\"}");
        return;
    }
    struct feedval_field f;
    if (!feedval_field(c, v, p, "level", &f))
        feedval_missing(c, &f);
    feedval_field_end(c, &f);
    int lv = feedval_opt_enum(c, v, p, "level", level_names, N(level_names));
    /* Present but empty is a mistake here: an alert must say something. */
    if (feedval_field(c, v, p, "title", &f))
        feedval_string(c, f.v, f.p, true, &a->title);
    feedval_field_end(c, &f);
    if (feedval_field(c, v, p, "text", &f))
        feedval_string(c, f.v, f.p, true, &a->text);
    feedval_field_end(c, &f);
    if (!json_object_get(v, "title") && !json_object_get(v, "text"))
        feedval_err(c, p, "needs a \"title\" or a \"text\"");
    feedval_opt_time(c, v, p, "from", false, &a->from);
    feedval_opt_time(c, v, p, "until", false, &a->until);
    feedval_order(c, v, p, &a->from, &a->until, "alert.from");
    feedval_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
    a->level = lv < 0 ? ALERT_NONE : (enum alert_level)(ALERT_INFO + lv);
}

static void parse_top(struct feedval *c, json_t *root, const struct jsonpos *p)
{
    static const char *const keys[] = {"format", "school",   "refresh", "lang",
                                       "theme",  "defaults", "ticker",  "alert",
                                       "slides", "$schema"};
    struct deck *d = c->d;
    if (!json_is_object(root)) {
        feedval_err(c, p, FEED_MSG_NOT_OBJECT);
        return;
    }
    struct feedval_field f;
    if (feedval_field(c, root, p, "format", &f)) {
        const char *s = json_string_value(f.v);
        if (s && strncmp(s, "edukiosk/", 9) == 0 && strcmp(s, FEED_FORMAT_V1) != 0) {
            char q[64];
            /* A newer format may differ anywhere: its other fields would
             * only produce noise. */
            feedval_err(c, f.p, "this kiosk reads \"" FEED_FORMAT_V1 "\" feeds, not %s",
                        feedval_quote(s, q));
            feedval_field_end(c, &f);
            return;
        }
        if (!s || strcmp(s, FEED_FORMAT_V1) != 0)
            feedval_err(c, f.p, "must be \"" FEED_FORMAT_V1 "\"");
    } else {
        feedval_missing(c, &f);
    }
    feedval_field_end(c, &f);

    feedval_opt_string(c, root, p, "school", false, &d->school);
    double refresh;
    if (feedval_opt_number(c, root, p, "refresh", 1, 1e12,
                           "must be a number of seconds (1 or more)", &refresh))
        d->refresh_s = refresh > MAX_REFRESH ? MAX_REFRESH : (int)lround(refresh);
    int lang = feedval_opt_enum(c, root, p, "lang", lang_names, N(lang_names));
    d->lang = lang == 1 ? LANG_EN : LANG_ZH_CN;

    if (feedval_field(c, root, p, "theme", &f))
        parse_theme(c, f.v, f.p);
    feedval_field_end(c, &f);
    if (feedval_field(c, root, p, "defaults", &f))
        parse_defaults(c, f.v, f.p);
    feedval_field_end(c, &f);
    if (feedval_field(c, root, p, "ticker", &f))
        d->ticker = feedval_strv(c, f.v, f.p, 0, SIZE_MAX, "must be a list of texts",
                                 &d->n_ticker);
    if (d->ticker)
        feedval_strv_cap(c, f.p, d->ticker, &d->n_ticker, DECK_MAX_TICKER_LINES,
                         DECK_MAX_TICKER_CHARS, "the ticker");
    feedval_field_end(c, &f);
    if (feedval_field(c, root, p, "alert", &f))
        parse_alert(c, f.v, f.p);
    feedval_field_end(c, &f);

    if (feedval_field(c, root, p, "slides", &f))
        parse_slides(c, f.v, f.p);
    else
        feedval_missing(c, &f);
    feedval_field_end(c, &f);
    feedval_keys(c, root, p, keys, N(keys), NULL, 0, NULL);
}

struct deck *feed_parse(const char *bytes, size_t len, const char *source,
                        const struct feed_limits *limits, struct feed_report *rep)
{
    struct feed_limits deflim;
    struct feed_report local;
    if (!limits) {
        feed_limits_default(&deflim);
        limits = &deflim;
    }
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof(*rep));
    if (!bytes)
        len = 0;

    struct feedval c = {
        .rep = rep,
        .lim = limits,
        .source = source,
        .def_duration = DEFAULT_DURATION,
        .def_transition = TRANSITION_FADE,
    };
    struct jsonpos proot;
    json_t *root = jsonpos_load(bytes, len, limits, rep, &proot);
    if (!root)
        goto done;

    c.d = calloc(1, sizeof(*c.d));
    if (!c.d) {
        feedval_oom(&c);
        goto done;
    }
    c.d->theme.background = 0x0b3d91;
    c.d->theme.text = 0xffffff;
    c.d->theme.accent = 0xffc629;
    feedval_lengths(&c, root, &proot);
    parse_top(&c, root, &proot);
    feedimage_collect(&c);
    c.d->source = feedval_strdup(&c, source ? source : "");
    hash_sha256_hex(bytes, len, c.d->hash);
    c.d->refs = 1;

done:
    feedimage_release(&c);
    jsonpos_free(&proot);
    json_decref(root);
    feed_report_sort(rep);
    struct deck *d = c.d;
    if (rep->errors > 0) {
        deck_free(d);
        d = NULL;
    }
    if (rep == &local)
        feed_report_free(&local);
    return d;
}

struct deck *feed_builtin(void)
{
    struct feed_report rep;
    struct deck *d = feed_parse((const char *)asset_default_feed, asset_default_feed_size,
                                "builtin", NULL, &rep);
    for (size_t i = 0; i < rep.n; i++)
        log_msg(rep.diags[i].warning ? LOG_LEVEL_WARN : LOG_LEVEL_ERR, LOG_MODULE,
                "builtin:%d:%d: %s: %s", rep.diags[i].line, rep.diags[i].col,
                rep.diags[i].path, rep.diags[i].msg);
    feed_report_free(&rep);
    for (size_t i = 0; d && i < d->n_images; i++) {
        struct deck_image *im = &d->images[i];
        if (strcmp(im->url, "images/logo.png") != 0)
            continue;
        unsigned char *png = malloc(asset_logo_png_size);
        if (!png) {
            im->failed = true;
            continue;
        }
        memcpy(png, asset_logo_png, asset_logo_png_size);
        /* Our own asset, checked all the same: a broken one must not be
         * decoded either. */
        if (!deck_image_attach(im, png, asset_logo_png_size, 1024L * 1024))
            LOG_ERR("builtin logo: %s", im->why ? im->why : "out of memory");
    }
    return d;
}
