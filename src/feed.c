#define LOG_MODULE "feed"
#include "feed.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "assets.h"
#include "feedreport.h"
#include "feedtime.h"
#include "hash.h"
#include "jsonpos.h"
#include "log.h"
#include "schedule.h"

#define DEFAULT_DURATION 12
#define MAX_REFRESH (365 * 86400)

void feed_limits_default(struct feed_limits *l)
{
    l->max_bytes = 2u << 20;
    l->max_depth = 32;
    l->max_string = 4096;
    l->max_slides = 500;
}

/* ------------------------------------------------------------ validation */

enum src_kind { SRC_PATH, SRC_FILE_URL, SRC_HTTP, SRC_BUILTIN };

struct fixup {
    struct deck_image **slot;
    char *url;
};

struct ctx {
    struct feed_report *rep;
    const struct feed_limits *lim;
    const char *source;
    enum src_kind kind;
    struct deck *d;
    char path[512];
    size_t plen;
    struct fixup *fix;
    size_t n_fix, cap_fix;
    int def_duration;
    enum transition def_transition;
    bool oom;
};

static size_t path_push(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_push(struct ctx *c, const char *fmt, ...)
{
    size_t old = c->plen;
    if (c->plen < sizeof(c->path) - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
        va_end(ap);
        if (n > 0)
            c->plen += (size_t)n;
        if (c->plen >= sizeof(c->path))
            c->plen = sizeof(c->path) - 1;
    }
    return old;
}

static size_t path_key(struct ctx *c, const char *key)
{
    /* A runaway key (4 KiB of it) would drown the message. */
    size_t n = strlen(key);
    if (n <= 48)
        return path_push(c, "%s%s", c->plen ? "." : "", key);
    n = 48;
    while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
        n--;
    return path_push(c, "%s%.*s…", c->plen ? "." : "", (int)n, key);
}

static size_t path_idx(struct ctx *c, size_t i)
{
    return path_push(c, "[%zu]", i);
}

static void path_pop(struct ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

static void diag(struct ctx *c, bool warning, const struct jsonpos *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void diag(struct ctx *c, bool warning, const struct jsonpos *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    feed_report_vadd(c->rep, warning, p ? p->line : 0, p ? p->col : 0, c->path, fmt, ap);
    va_end(ap);
}
#define ERR(c, p, ...) diag((c), false, (p), __VA_ARGS__)
#define WARN(c, p, ...) diag((c), true, (p), __VA_ARGS__)

static void oom(struct ctx *c)
{
    if (!c->oom)
        feed_report_add(c->rep, false, 1, 1, "", "out of memory");
    c->oom = true;
}

static char *xstrdup(struct ctx *c, const char *s)
{
    char *r = strdup(s);
    if (!r)
        oom(c);
    return r;
}

/* A feed value quoted in a message: at most ~40 bytes, cut at a character
 * boundary. */
static const char *quote(const char *s, char buf[64])
{
    size_t n = strlen(s);
    if (n <= 40) {
        snprintf(buf, 64, "\"%s\"", s);
        return buf;
    }
    n = 40;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    snprintf(buf, 64, "\"%.*s…\"", (int)n, s);
    return buf;
}

static void enum_msg(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "must be ");
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                              names[i]);
}

/* A member of an object: pushes its name on the path; field_end() pops. */
struct field {
    json_t *v;
    const struct jsonpos *p; /* the value, or the object when absent */
    size_t mark;
};

static bool field(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                  struct field *f)
{
    f->v = json_object_get(obj, key);
    f->mark = path_key(c, key);
    const struct jsonpos_member *m = f->v ? jsonpos_member(po, key) : NULL;
    f->p = m ? &m->val : po;
    return f->v != NULL;
}

static void field_end(struct ctx *c, struct field *f)
{
    path_pop(c, f->mark);
}

static void missing(struct ctx *c, const struct field *f)
{
    ERR(c, f->p, "required field is missing");
}

static bool get_string(struct ctx *c, json_t *v, const struct jsonpos *p, bool nonempty,
                       char **out)
{
    if (!json_is_string(v)) {
        ERR(c, p, "must be a string");
        return false;
    }
    if (json_string_length(v) == 0) {
        if (nonempty) {
            ERR(c, p, "must not be empty");
            return false;
        }
        return true; /* an empty optional text is the same as none */
    }
    *out = xstrdup(c, json_string_value(v));
    return *out != NULL;
}

static void opt_string(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                       bool required, char **out)
{
    struct field f;
    if (field(c, obj, po, key, &f))
        get_string(c, f.v, f.p, required, out);
    else if (required)
        missing(c, &f);
    field_end(c, &f);
}

static bool opt_number(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                       double lo, double hi, const char *msg, double *out)
{
    struct field f;
    bool ok = false;
    if (field(c, obj, po, key, &f)) {
        double x = json_is_number(f.v) ? json_number_value(f.v) : NAN;
        if (isnan(x) || x < lo || x > hi)
            ERR(c, f.p, "%s", msg);
        else
            ok = true, *out = x;
    }
    field_end(c, &f);
    return ok;
}

static bool opt_bool(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                     bool *out)
{
    struct field f;
    bool ok = false;
    if (field(c, obj, po, key, &f)) {
        if (json_is_boolean(f.v))
            ok = true, *out = json_is_true(f.v);
        else
            ERR(c, f.p, "must be true or false");
    }
    field_end(c, &f);
    return ok;
}

/* Index into names, or -1 (absent or wrong; wrong is reported). */
static int opt_enum(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                    const char *const *names, size_t n)
{
    struct field f;
    int r = -1;
    if (field(c, obj, po, key, &f)) {
        const char *s = json_string_value(f.v);
        for (size_t i = 0; s && i < n; i++)
            if (strcmp(s, names[i]) == 0)
                r = (int)i;
        if (r < 0) {
            char msg[256];
            enum_msg(names, n, msg, sizeof(msg));
            ERR(c, f.p, "%s", msg);
        }
    }
    field_end(c, &f);
    return r;
}

static const char *const transition_names[] = {"fade", "slide", "cut"};
static const char *const fit_names[] = {"contain", "cover"};
static const char *const lang_names[] = {"zh-CN", "en"};
static const char *const level_names[] = {"info", "warning", "emergency"};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Unknown members are warnings so that older kiosks read newer feeds.
 * Keys starting with "_" are comments (JSON has none) and are ignored. */
static void check_keys(struct ctx *c, json_t *obj, const struct jsonpos *po,
                       const char *const *known, size_t n_known,
                       const char *const *other, size_t n_other, const char *what)
{
    if (po && po->kind == '{' && po->n == json_object_size(obj)) {
        const struct jsonpos_member *m = po->kids;
        for (unsigned i = 0; i < po->n; i++) {
            bool ok = m[i].klen > 0 && m[i].key[0] == '_';
            bool elsewhere = false;
            for (size_t k = 0; !ok && k < n_known; k++)
                ok = strlen(known[k]) == m[i].klen && memcmp(known[k], m[i].key, m[i].klen) == 0;
            for (size_t k = 0; !ok && !elsewhere && k < n_other; k++)
                elsewhere = strlen(other[k]) == m[i].klen &&
                            memcmp(other[k], m[i].key, m[i].klen) == 0;
            if (ok || strlen(m[i].key) != m[i].klen)
                continue;
            struct jsonpos at = {.line = m[i].line, .col = m[i].col};
            size_t mark = path_key(c, m[i].key);
            if (elsewhere)
                WARN(c, &at, "not used by %s (ignored)", what);
            else
                WARN(c, &at, "unknown field (ignored)");
            path_pop(c, mark);
        }
        return;
    }
    /* No position index (it cannot happen with a document jansson took,
     * but stay useful): name the keys without positions. */
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = key[0] == '_';
        for (size_t k = 0; !ok && k < n_known; k++)
            ok = strcmp(known[k], key) == 0;
        if (!ok) {
            size_t mark = path_key(c, key);
            WARN(c, po, "unknown field (ignored)");
            path_pop(c, mark);
        }
    }
}

/* ------------------------------------------------------------ times */

static bool opt_time(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                     bool required, struct feed_time *out)
{
    struct field f;
    bool ok = false;
    if (field(c, obj, po, key, &f)) {
        char q[64];
        if (!json_is_string(f.v))
            ERR(c, f.p, "must be a time such as " FEEDTIME_HINT);
        else if (!feedtime_parse(json_string_value(f.v), out))
            ERR(c, f.p, "%s is not a valid time; write it as " FEEDTIME_HINT,
                quote(json_string_value(f.v), q));
        else
            ok = true;
    } else if (required) {
        missing(c, &f);
    }
    field_end(c, &f);
    return ok;
}

static void check_order(struct ctx *c, json_t *obj, const struct jsonpos *po,
                        const struct feed_time *from, const struct feed_time *until,
                        const char *from_name)
{
    if (!from->set || !until->set || feedtime_end(until) > from->t)
        return;
    struct field f;
    field(c, obj, po, "until", &f);
    ERR(c, f.p, "must be later than %s", from_name);
    field_end(c, &f);
}

/* ------------------------------------------------------- colours, URLs */

static bool parse_colour(const char *s, uint32_t *out)
{
    /* strtoul alone would also take "#+1f2e3" or "# 1f2e3". */
    if (strlen(s) != 7 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != 6)
        return false;
    *out = (uint32_t)strtoul(s + 1, NULL, 16);
    return true;
}

static void opt_colour(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                       uint32_t *out)
{
    struct field f;
    if (field(c, obj, po, key, &f)) {
        const char *s = json_string_value(f.v);
        if (!s || !parse_colour(s, out))
            ERR(c, f.p, "must be a colour written \"#rrggbb\", e.g. \"#0b3d91\"");
    }
    field_end(c, &f);
}

/* The scheme of an absolute URL, lower-cased into buf; false if s is a
 * relative reference.  One letter is a Windows drive, not a scheme. */
static bool url_scheme(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return false;
    while (s[i] && s[i] != ':') {
        char ch = s[i];
        bool ok = ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '+' || ch == '-' || ch == '.';
        if (!ok)
            return false;
        i++;
    }
    if (s[i] != ':' || i < 2 || i >= len)
        return false;
    for (size_t k = 0; k < i; k++)
        buf[k] = (char)(s[k] | ((s[k] >= 'A' && s[k] <= 'Z') ? 0x20 : 0));
    buf[i] = '\0';
    return true;
}

/* libcurl's URL parser resolves relative references (RFC 3986) and
 * normalises; its message explains a refusal. */
static char *curl_resolve(const char *base, const char *ref, const char **why)
{
    CURLU *h = curl_url();
    char *got = NULL, *r = NULL;
    *why = "out of memory";
    if (!h)
        return NULL;
    CURLUcode rc = CURLUE_OK;
    if (base)
        rc = curl_url_set(h, CURLUPART_URL, base, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_set(h, CURLUPART_URL, ref, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_get(h, CURLUPART_URL, &got, 0);
    if (rc == CURLUE_OK) {
        r = strdup(got);
    } else {
        *why = curl_url_strerror(rc);
    }
    curl_free(got);
    curl_url_cleanup(h);
    return r;
}

static char *resolve_image(struct ctx *c, const char *ref, const struct jsonpos *p)
{
    char scheme[16];
    const char *why = NULL;
    char *r = NULL;
    bool has_scheme = url_scheme(ref, scheme, sizeof(scheme));
    bool local = c->kind == SRC_PATH || c->kind == SRC_FILE_URL;
    if (has_scheme) {
        bool web = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
        if (!web && !(local && strcmp(scheme, "file") == 0)) {
            if (local)
                ERR(c, p, "must be an http(s) or file URL, or a path relative to the feed");
            else
                ERR(c, p, "must be an http(s) URL or a path relative to the feed "
                          "(a feed from the network may not use \"%s:\" images)", scheme);
            return NULL;
        }
        r = curl_resolve(NULL, ref, &why);
    } else if (c->kind == SRC_HTTP || c->kind == SRC_FILE_URL) {
        r = curl_resolve(c->source, ref, &why);
    } else if (c->kind == SRC_BUILTIN || ref[0] == '/' || !c->source) {
        r = strdup(ref);
    } else {
        /* A local path: next to the feed file; the OS resolves "..". */
        const char *slash = strrchr(c->source, '/');
        size_t dl = slash ? (size_t)(slash - c->source) + 1 : 0;
        size_t rl = strlen(ref);
        r = malloc(dl + rl + 1);
        if (r) {
            memcpy(r, c->source, dl);
            memcpy(r + dl, ref, rl + 1);
        }
    }
    if (!r) {
        if (why && strcmp(why, "out of memory") != 0) {
            char q[64];
            ERR(c, p, "%s is not a valid URL (%s)", quote(ref, q), why);
        } else {
            oom(c);
        }
    }
    return r;
}

static void add_image(struct ctx *c, struct deck_image **slot, char *url)
{
    if (c->n_fix == c->cap_fix) {
        size_t ncap = c->cap_fix ? c->cap_fix * 2 : 8;
        struct fixup *nf = realloc(c->fix, ncap * sizeof(*nf));
        if (!nf) {
            free(url);
            oom(c);
            return;
        }
        c->fix = nf;
        c->cap_fix = ncap;
    }
    c->fix[c->n_fix].slot = slot;
    c->fix[c->n_fix].url = url;
    c->n_fix++;
}

static void get_image(struct ctx *c, json_t *v, const struct jsonpos *p, struct deck_image **slot)
{
    char *ref = NULL;
    if (!get_string(c, v, p, true, &ref))
        return;
    char *url = resolve_image(c, ref, p);
    free(ref);
    if (url)
        add_image(c, slot, url);
}

static void opt_image(struct ctx *c, json_t *obj, const struct jsonpos *po, const char *key,
                      bool required, struct deck_image **slot)
{
    struct field f;
    if (field(c, obj, po, key, &f))
        get_image(c, f.v, f.p, slot);
    else if (required)
        missing(c, &f);
    field_end(c, &f);
}

/* Every image once in deck->images; the slots point into that array. */
static void collect_images(struct ctx *c)
{
    struct deck *d = c->d;
    if (c->n_fix == 0)
        return;
    d->images = calloc(c->n_fix, sizeof(*d->images));
    if (!d->images) {
        oom(c);
        return;
    }
    for (size_t i = 0; i < c->n_fix; i++) {
        size_t k = 0;
        while (k < d->n_images && strcmp(d->images[k].url, c->fix[i].url) != 0)
            k++;
        if (k == d->n_images) {
            d->images[k].url = c->fix[i].url;
            d->n_images++;
        } else {
            free(c->fix[i].url);
        }
        c->fix[i].url = NULL;
        *c->fix[i].slot = &d->images[k];
    }
}

/* ------------------------------------------------------------- lists */

/* Checks a list of min..max non-empty strings.  Returns its strings (NULL
 * on any problem). */
static char **get_strv(struct ctx *c, json_t *v, const struct jsonpos *p, size_t min,
                       size_t max, const char *msg, size_t *n_out)
{
    *n_out = 0;
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n < min || n > max) {
        if (json_is_array(v) && n > 0)
            ERR(c, p, "%s (found %zu)", msg, n);
        else
            ERR(c, p, "%s", msg);
        return NULL;
    }
    char **r = calloc(n ? n : 1, sizeof(*r));
    if (!r) {
        oom(c);
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_idx(c, i);
        ok &= get_string(c, json_array_get(v, i), jsonpos_elem(p, i), true, &r[i]);
        path_pop(c, mark);
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            free(r[i]);
        free(r);
        return NULL;
    }
    *n_out = n;
    return r;
}

/* ------------------------------------------------------------- slides */

static const char *const common_keys[] = {"type", "id",    "duration",  "transition",
                                          "when", "sites", "background"};
static const char *const title_keys[] = {"title", "subtitle", "footer"};
static const char *const list_keys[] = {"title", "items", "numbered"};
static const char *const cards_keys[] = {"title", "cards"};
static const char *const timeline_keys[] = {"title", "milestones"};
static const char *const countdown_keys[] = {"title", "target", "label", "done_text"};
static const char *const quote_keys[] = {"text", "source"};
static const char *const image_keys[] = {"src", "caption", "fit"};
static const char *const all_type_keys[] = {"title",  "subtitle", "footer",    "items",
                                            "numbered", "cards",  "milestones", "target",
                                            "label",  "done_text", "text",     "source",
                                            "src",    "caption",  "fit"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

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
    {"countdown", SLIDE_COUNTDOWN, countdown_keys, N(countdown_keys), "a countdown slide"},
    {"quote", SLIDE_QUOTE, quote_keys, N(quote_keys), "a quote slide"},
    {"image", SLIDE_IMAGE, image_keys, N(image_keys), "an image slide"},
};

static void parse_when(struct ctx *c, json_t *v, const struct jsonpos *p, struct when *w)
{
    static const char *const keys[] = {"from", "until", "days", "hours"};
    memset(w, 0, sizeof(*w));
    w->hours_from = w->hours_until = -1;
    if (!json_is_object(v)) {
        ERR(c, p, "must be an object such as {\"from\": \"2026-12-01\", \"until\": "
                  "\"2026-12-05\", \"days\": [\"mon\"], \"hours\": \"07:30-18:00\"}");
        return;
    }
    opt_time(c, v, p, "from", false, &w->from);
    opt_time(c, v, p, "until", false, &w->until);
    check_order(c, v, p, &w->from, &w->until, "when.from");

    struct field f;
    if (field(c, v, p, "days", &f)) {
        size_t n = json_array_size(f.v);
        if (!json_is_array(f.v) || n < 1 || n > 7) {
            ERR(c, f.p, "must be a list of days, e.g. [\"mon\", \"wed\", \"fri\"]");
        } else {
            char msg[256];
            enum_msg(day_names, N(day_names), msg, sizeof(msg));
            for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(f.v, i));
                int day = -1;
                for (int k = 0; s && k < 7; k++)
                    if (strcmp(s, day_names[k]) == 0)
                        day = k;
                size_t mark = path_idx(c, i);
                if (day < 0)
                    ERR(c, jsonpos_elem(f.p, i), "%s", msg);
                else
                    w->days |= (uint8_t)(1u << day);
                path_pop(c, mark);
            }
        }
    }
    field_end(c, &f);

    if (field(c, v, p, "hours", &f)) {
        const char *s = json_string_value(f.v);
        int a, b;
        if (!s || !feedtime_parse_hours(s, &a, &b))
            ERR(c, f.p, "must be \"HH:MM-HH:MM\", e.g. \"07:30-18:00\" or \"22:00-06:00\"");
        else if (a == b || (a == 0 && b == 24 * 60))
            ERR(c, f.p, "start and end are the same time; leave \"hours\" out for all day");
        else
            w->hours_from = a, w->hours_until = b == 24 * 60 ? 0 : b;
    }
    field_end(c, &f);
    check_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_background(struct ctx *c, json_t *v, const struct jsonpos *p, struct slide *s)
{
    const char *str = json_string_value(v);
    if (str && str[0] == '#') {
        if (parse_colour(str, &s->bg_color))
            s->has_bg_color = true;
        else
            ERR(c, p, "must be a colour written \"#rrggbb\" (e.g. \"#0b3d91\") or an image URL");
        return;
    }
    /* "red" is meant as a colour, not as an image file named "red". */
    bool word = str && str[0];
    for (const char *q = str; word && *q; q++)
        word = (*q | 0x20) >= 'a' && (*q | 0x20) <= 'z';
    if (!str || word) {
        ERR(c, p, "must be a colour written \"#rrggbb\" (e.g. \"#0b3d91\") or an image URL");
        return;
    }
    get_image(c, v, p, &s->bg_image);
}

static void parse_cards(struct ctx *c, json_t *v, const struct jsonpos *p, struct slide *s)
{
    static const char *const keys[] = {"heading", "text"};
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n < 1 || n > 12) {
        if (json_is_array(v) && n > 0)
            ERR(c, p, "must be a list of 1 to 12 cards (found %zu)", n);
        else
            ERR(c, p, "must be a list of 1 to 12 cards");
        return;
    }
    s->cards = calloc(n, sizeof(*s->cards));
    if (!s->cards) {
        oom(c);
        return;
    }
    s->n_cards = n;
    for (size_t i = 0; i < n; i++) {
        json_t *cv = json_array_get(v, i);
        const struct jsonpos *cp = jsonpos_elem(p, i);
        size_t mark = path_idx(c, i);
        if (!json_is_object(cv)) {
            ERR(c, cp, "must be an object such as {\"heading\": \"…\", \"text\": \"…\"}");
        } else {
            opt_string(c, cv, cp, "heading", true, &s->cards[i].heading);
            opt_string(c, cv, cp, "text", false, &s->cards[i].text);
            check_keys(c, cv, cp, keys, N(keys), NULL, 0, NULL);
        }
        path_pop(c, mark);
    }
}

static void parse_milestones(struct ctx *c, json_t *v, const struct jsonpos *p, struct slide *s)
{
    static const char *const keys[] = {"date", "label", "text"};
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n < 1 || n > 8) {
        if (json_is_array(v) && n > 0)
            ERR(c, p, "must be a list of 1 to 8 milestones (found %zu)", n);
        else
            ERR(c, p, "must be a list of 1 to 8 milestones");
        return;
    }
    s->milestones = calloc(n, sizeof(*s->milestones));
    if (!s->milestones) {
        oom(c);
        return;
    }
    s->n_milestones = n;
    for (size_t i = 0; i < n; i++) {
        json_t *mv = json_array_get(v, i);
        const struct jsonpos *mp = jsonpos_elem(p, i);
        struct milestone *m = &s->milestones[i];
        size_t mark = path_idx(c, i);
        if (!json_is_object(mv)) {
            ERR(c, mp, "must be an object such as {\"date\": \"2027\", \"label\": \"…\"}");
        } else {
            opt_string(c, mv, mp, "date", true, &m->date);
            if (m->date)
                feedtime_parse_milestone(m->date, &m->when);
            opt_string(c, mv, mp, "label", true, &m->label);
            opt_string(c, mv, mp, "text", false, &m->text);
            check_keys(c, mv, mp, keys, N(keys), NULL, 0, NULL);
        }
        path_pop(c, mark);
    }
}

static void parse_type_fields(struct ctx *c, json_t *v, const struct jsonpos *p, struct slide *s)
{
    struct field f;
    switch (s->type) {
    case SLIDE_TITLE:
        opt_string(c, v, p, "title", true, &s->title);
        opt_string(c, v, p, "subtitle", false, &s->subtitle);
        opt_string(c, v, p, "footer", false, &s->footer);
        break;
    case SLIDE_LIST:
        opt_string(c, v, p, "title", true, &s->title);
        if (field(c, v, p, "items", &f))
            s->items = get_strv(c, f.v, f.p, 1, 12, "must be a list of 1 to 12 texts",
                                &s->n_items);
        else
            missing(c, &f);
        field_end(c, &f);
        opt_bool(c, v, p, "numbered", &s->numbered);
        break;
    case SLIDE_CARDS:
        opt_string(c, v, p, "title", false, &s->title);
        if (field(c, v, p, "cards", &f))
            parse_cards(c, f.v, f.p, s);
        else
            missing(c, &f);
        field_end(c, &f);
        break;
    case SLIDE_TIMELINE:
        opt_string(c, v, p, "title", false, &s->title);
        if (field(c, v, p, "milestones", &f))
            parse_milestones(c, f.v, f.p, s);
        else
            missing(c, &f);
        field_end(c, &f);
        break;
    case SLIDE_COUNTDOWN:
        opt_string(c, v, p, "title", false, &s->title);
        opt_time(c, v, p, "target", true, &s->target);
        opt_string(c, v, p, "label", false, &s->label);
        opt_string(c, v, p, "done_text", false, &s->done_text);
        break;
    case SLIDE_QUOTE:
        opt_string(c, v, p, "text", true, &s->text);
        opt_string(c, v, p, "source", false, &s->source);
        break;
    case SLIDE_IMAGE: {
        opt_image(c, v, p, "src", true, &s->image);
        opt_string(c, v, p, "caption", false, &s->caption);
        int fit = opt_enum(c, v, p, "fit", fit_names, N(fit_names));
        s->fit = fit == 1 ? FIT_COVER : FIT_CONTAIN;
        break;
    }
    }
}

/* Fills s from slide number `index`; false when it is not a slide of a
 * known type (*unknown: skipped; else an error was reported). */
static bool parse_slide(struct ctx *c, json_t *v, const struct jsonpos *p, size_t index,
                        struct slide *s, bool *unknown)
{
    if (!json_is_object(v)) {
        ERR(c, p, "must be an object such as {\"type\": \"title\", \"title\": \"…\"}");
        return false;
    }
    struct field f;
    int t = -1;
    if (field(c, v, p, "type", &f)) {
        const char *name = json_string_value(f.v);
        for (size_t i = 0; name && i < N(slide_types); i++)
            if (strcmp(name, slide_types[i].name) == 0)
                t = (int)i;
        char q[64];
        if (!name)
            ERR(c, f.p, "must be a string naming the slide type, e.g. \"title\"");
        else if (t < 0)
            WARN(c, f.p, "unknown slide type %s; this slide is skipped", quote(name, q));
        *unknown = name && t < 0;
    } else {
        missing(c, &f);
    }
    field_end(c, &f);
    if (t < 0)
        return false;

    memset(s, 0, sizeof(*s));
    s->type = slide_types[t].type;
    s->feed_index = index;
    s->duration_s = c->def_duration;
    s->transition = c->def_transition;

    if (field(c, v, p, "id", &f) && get_string(c, f.v, f.p, true, &s->id)) {
        for (size_t i = 0; i < c->d->n_slides; i++) {
            const struct slide *o = &c->d->slides[i];
            if (o->id && strcmp(o->id, s->id) == 0) {
                char q[64];
                ERR(c, f.p, "duplicate id %s (slides[%zu] has it too)", quote(s->id, q),
                    o->feed_index);
                break;
            }
        }
    }
    field_end(c, &f);

    double dur;
    if (opt_number(c, v, p, "duration", 3, 600, "must be a number from 3 to 600", &dur))
        s->duration_s = (int)lround(dur);
    int tr = opt_enum(c, v, p, "transition", transition_names, N(transition_names));
    if (tr >= 0)
        s->transition = (enum transition)tr;

    if (field(c, v, p, "when", &f)) {
        s->has_when = true;
        parse_when(c, f.v, f.p, &s->when);
    }
    field_end(c, &f);

    if (field(c, v, p, "sites", &f))
        s->sites = get_strv(c, f.v, f.p, 1, SIZE_MAX,
                            "must be a list of site names, e.g. [\"north-campus\"]", &s->n_sites);
    field_end(c, &f);

    if (field(c, v, p, "background", &f))
        parse_background(c, f.v, f.p, s);
    field_end(c, &f);

    parse_type_fields(c, v, p, s);

    const char *known[N(common_keys) + 4];
    size_t nk = 0;
    for (size_t i = 0; i < N(common_keys); i++)
        known[nk++] = common_keys[i];
    for (size_t i = 0; i < slide_types[t].n_keys; i++)
        known[nk++] = slide_types[t].keys[i];
    check_keys(c, v, p, known, nk, all_type_keys, N(all_type_keys), slide_types[t].what);
    return true;
}

static void parse_slides(struct ctx *c, json_t *v, const struct jsonpos *p)
{
    size_t n = json_array_size(v);
    size_t max = c->lim->max_slides;
    if (!json_is_array(v) || n < 1 || n > max) {
        if (json_is_array(v) && n > 0)
            ERR(c, p, "must be a list of 1 to %zu slides (found %zu)", max, n);
        else
            ERR(c, p, "must be a list of 1 to %zu slides", max);
        if (!json_is_array(v) || n == 0)
            return;
    }
    c->d->slides = calloc(n, sizeof(*c->d->slides));
    if (!c->d->slides) {
        oom(c);
        return;
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_idx(c, i);
        struct slide *s = &c->d->slides[c->d->n_slides];
        bool unknown = false;
        if (parse_slide(c, json_array_get(v, i), jsonpos_elem(p, i), i, s, &unknown))
            c->d->n_slides++;
        skipped += unknown;
        path_pop(c, mark);
    }
    if (skipped == n)
        ERR(c, p, "no slide of a known type: every slide was skipped");
}

/* ------------------------------------------------------------ top level */

static void parse_theme(struct ctx *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"background", "text", "accent", "logo"};
    if (!json_is_object(v)) {
        ERR(c, p, "must be an object such as {\"background\": \"#0b3d91\", \"text\": "
                  "\"#ffffff\"}");
        return;
    }
    opt_colour(c, v, p, "background", &c->d->theme.background);
    opt_colour(c, v, p, "text", &c->d->theme.text);
    opt_colour(c, v, p, "accent", &c->d->theme.accent);
    opt_image(c, v, p, "logo", false, &c->d->theme.logo);
    check_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_defaults(struct ctx *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"duration", "transition"};
    if (!json_is_object(v)) {
        ERR(c, p, "must be an object such as {\"duration\": 12, \"transition\": \"fade\"}");
        return;
    }
    double dur;
    if (opt_number(c, v, p, "duration", 3, 600, "must be a number from 3 to 600", &dur))
        c->def_duration = (int)lround(dur);
    int tr = opt_enum(c, v, p, "transition", transition_names, N(transition_names));
    if (tr >= 0)
        c->def_transition = (enum transition)tr;
    check_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
}

static void parse_alert(struct ctx *c, json_t *v, const struct jsonpos *p)
{
    static const char *const keys[] = {"level", "title", "text", "from", "until"};
    struct alert *a = &c->d->alert;
    if (!json_is_object(v)) {
        ERR(c, p, "must be an object such as {\"level\": \"info\", \"title\": \"…\"}");
        return;
    }
    struct field f;
    if (!field(c, v, p, "level", &f))
        missing(c, &f);
    field_end(c, &f);
    int lv = opt_enum(c, v, p, "level", level_names, N(level_names));
    /* Present but empty is a mistake here: an alert must say something. */
    if (field(c, v, p, "title", &f))
        get_string(c, f.v, f.p, true, &a->title);
    field_end(c, &f);
    if (field(c, v, p, "text", &f))
        get_string(c, f.v, f.p, true, &a->text);
    field_end(c, &f);
    if (!json_object_get(v, "title") && !json_object_get(v, "text"))
        ERR(c, p, "needs a \"title\" or a \"text\"");
    opt_time(c, v, p, "from", false, &a->from);
    opt_time(c, v, p, "until", false, &a->until);
    check_order(c, v, p, &a->from, &a->until, "alert.from");
    check_keys(c, v, p, keys, N(keys), NULL, 0, NULL);
    a->level = lv < 0 ? ALERT_NONE : (enum alert_level)(ALERT_INFO + lv);
}

static void parse_top(struct ctx *c, json_t *root, const struct jsonpos *p)
{
    static const char *const keys[] = {"format", "school", "refresh", "lang",  "theme",
                                       "defaults", "ticker", "alert", "slides", "$schema"};
    struct deck *d = c->d;
    if (!json_is_object(root)) {
        ERR(c, p, FEED_MSG_NOT_OBJECT);
        return;
    }
    struct field f;
    if (field(c, root, p, "format", &f)) {
        const char *s = json_string_value(f.v);
        char q[64];
        if (s && strncmp(s, "edukiosk/", 9) == 0 && strcmp(s, FEED_FORMAT_V1) != 0) {
            /* A newer format may differ anywhere: its other fields would
             * only produce noise. */
            ERR(c, f.p, "this kiosk reads \"" FEED_FORMAT_V1 "\" feeds, not %s", quote(s, q));
            field_end(c, &f);
            return;
        }
        if (!s || strcmp(s, FEED_FORMAT_V1) != 0)
            ERR(c, f.p, "must be \"" FEED_FORMAT_V1 "\"");
    } else {
        missing(c, &f);
    }
    field_end(c, &f);

    opt_string(c, root, p, "school", false, &d->school);
    double refresh;
    if (opt_number(c, root, p, "refresh", 1, 1e12,
                   "must be a number of seconds (1 or more)", &refresh))
        d->refresh_s = refresh > MAX_REFRESH ? MAX_REFRESH : (int)lround(refresh);
    int lang = opt_enum(c, root, p, "lang", lang_names, N(lang_names));
    d->lang = lang == 1 ? LANG_EN : LANG_ZH_CN;

    if (field(c, root, p, "theme", &f))
        parse_theme(c, f.v, f.p);
    field_end(c, &f);
    if (field(c, root, p, "defaults", &f))
        parse_defaults(c, f.v, f.p);
    field_end(c, &f);
    if (field(c, root, p, "ticker", &f))
        d->ticker = get_strv(c, f.v, f.p, 0, SIZE_MAX, "must be a list of texts", &d->n_ticker);
    field_end(c, &f);
    if (field(c, root, p, "alert", &f))
        parse_alert(c, f.v, f.p);
    field_end(c, &f);

    if (field(c, root, p, "slides", &f))
        parse_slides(c, f.v, f.p);
    else
        missing(c, &f);
    field_end(c, &f);
    check_keys(c, root, p, keys, N(keys), NULL, 0, NULL);
}

/* Strings longer than the limit, anywhere (unknown fields too). */
static void check_lengths(struct ctx *c, json_t *v, const struct jsonpos *p, int depth)
{
    size_t max = c->lim->max_string;
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (n > max)
            ERR(c, p, "text is too long: %zu bytes, at most %zu (about %zu Chinese characters)",
                n, max, max / 3);
    } else if (json_is_array(v) && depth < 64) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t mark = path_idx(c, i);
            check_lengths(c, json_array_get(v, i), jsonpos_elem(p, i), depth + 1);
            path_pop(c, mark);
        }
    } else if (json_is_object(v) && depth < 64) {
        if (p && p->kind == '{' && p->n == json_object_size(v)) {
            const struct jsonpos_member *m = p->kids;
            for (unsigned i = 0; i < p->n; i++) {
                size_t mark = path_key(c, m[i].key);
                if (m[i].klen > max) {
                    struct jsonpos at = {.line = m[i].line, .col = m[i].col};
                    ERR(c, &at, "key is too long: %zu bytes, at most %zu", m[i].klen, max);
                }
                check_lengths(c, json_object_getn(v, m[i].key, m[i].klen), &m[i].val,
                              depth + 1);
                path_pop(c, mark);
            }
        } else {
            const char *key;
            json_t *mv;
            json_object_foreach(v, key, mv) {
                size_t mark = path_key(c, key);
                check_lengths(c, mv, NULL, depth + 1);
                path_pop(c, mark);
            }
        }
    }
}

static enum src_kind source_kind(const char *source)
{
    if (!source)
        return SRC_PATH;
    if (strcmp(source, "builtin") == 0)
        return SRC_BUILTIN;
    if (strncasecmp(source, "http://", 7) == 0 || strncasecmp(source, "https://", 8) == 0)
        return SRC_HTTP;
    if (strncasecmp(source, "file://", 7) == 0)
        return SRC_FILE_URL;
    return SRC_PATH;
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

    struct ctx c = {
        .rep = rep,
        .lim = limits,
        .source = source,
        .kind = source_kind(source),
        .def_duration = DEFAULT_DURATION,
        .def_transition = TRANSITION_FADE,
    };
    struct jsonpos proot;
    json_t *root = jsonpos_load(bytes, len, limits, rep, &proot);
    if (!root)
        goto done;

    c.d = calloc(1, sizeof(*c.d));
    if (!c.d) {
        oom(&c);
        goto done;
    }
    c.d->theme.background = 0x0b3d91;
    c.d->theme.text = 0xffffff;
    c.d->theme.accent = 0xffc629;
    check_lengths(&c, root, &proot, 0);
    parse_top(&c, root, &proot);
    collect_images(&c);
    c.d->source = xstrdup(&c, source ? source : "");
    hash_sha256_hex(bytes, len, c.d->hash);
    c.d->refs = 1;

done:
    for (size_t i = 0; i < c.n_fix; i++)
        free(c.fix[i].url);
    free(c.fix);
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
        im->data = malloc(asset_logo_png_size);
        if (!im->data) {
            im->failed = true;
            continue;
        }
        memcpy(im->data, asset_logo_png, asset_logo_png_size);
        im->len = asset_logo_png_size;
    }
    return d;
}

int feed_check(const char *bytes, size_t len, const char *source,
               const struct feed_limits *limits, const struct schedule_ctx *sched, FILE *out)
{
    struct feed_report rep;
    const char *name = source ? source : "feed";
    struct deck *d = feed_parse(bytes, len, source, limits, &rep);
    feed_report_print(&rep, name, out);
    if (!d) {
        fprintf(out, "%s: invalid: %d error%s, %d warning%s; a kiosk keeps showing its "
                     "last good deck\n",
                name, rep.errors, rep.errors == 1 ? "" : "s", rep.warnings,
                rep.warnings == 1 ? "" : "s");
        feed_report_free(&rep);
        return 1;
    }
    fprintf(out, "%s: valid, %zu slide%s", name, d->n_slides, d->n_slides == 1 ? "" : "s");
    if (sched) {
        size_t shown = 0;
        for (size_t i = 0; i < d->n_slides; i++)
            shown += schedule_slide(&d->slides[i], sched) == SCHED_ACTIVE;
        fprintf(out, ", %zu would show now", shown);
    }
    if (rep.warnings)
        fprintf(out, ", %d warning%s", rep.warnings, rep.warnings == 1 ? "" : "s");
    fputc('\n', out);
    for (size_t i = 0; sched && i < d->n_slides; i++) {
        const struct slide *s = &d->slides[i];
        enum schedule_why why = schedule_slide(s, sched);
        if (why == SCHED_ACTIVE)
            continue;
        char q[64];
        fprintf(out, "%s: slides[%zu]%s%s%s: not now: %s\n", name, s->feed_index,
                s->id ? " (id " : "", s->id ? quote(s->id, q) : "", s->id ? ")" : "",
                schedule_why_text(why));
    }
    if (d->alert.level != ALERT_NONE) {
        fprintf(out, "%s: alert (%s)", name, level_names[d->alert.level - ALERT_INFO]);
        if (sched)
            fprintf(out, ": %s", schedule_alert_active(&d->alert, sched) ? "shows now" : "not now");
        fputc('\n', out);
    }
    deck_unref(d);
    feed_report_free(&rep);
    return 0;
}
