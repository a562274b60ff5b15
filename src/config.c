#define LOG_MODULE "config"
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "utf8.h"

enum ktype {
    K_STR,      /* free text (UTF-8, one line) */
    K_URL,      /* feed source: http(s)/file URL or a path */
    K_PATH,     /* file system path */
    K_DRIVER,   /* SDL driver name(s) */
    K_CMD,      /* shell command */
    K_INT,      /* int within bounds */
    K_LONG,     /* long within bounds */
    K_SIZE,     /* size_t with K/M/G suffixes (1024-based) */
    K_BOOL,
    K_ROTATION, /* 0, 90, 180, 270 */
    K_LOGLEVEL,
    K_LANG,
    K_SITES,    /* comma list of tags */
    K_DAY,      /* display window of one weekday */
};

struct key {
    const char *section, *name, *full;
    enum ktype type;
    size_t off;
    const char *def;     /* parsed like a value from a file */
    long long min, max;  /* K_INT, K_LONG, K_SIZE */
    const char *doc;
    const char *def_doc; /* shown in the reference instead of def */
};

#define OFF(f) offsetof(struct config, f)
#define DAY(i) (OFF(display) + (i) * sizeof(((struct config *)0)->display[0]))
#define KEY(sec, nm) sec, nm, sec "." nm
#define DAY_DOC "When the screen is on that weekday: HH:MM-HH:MM (may wrap past " \
                "midnight), `on` (all day) or `off`"
#define KIB 1024LL
#define MIB (1024LL * 1024)

static const struct key keys[] = {
    {KEY("kiosk", "school"), K_STR, OFF(school), "", 0, 0,
     "School name for the header; empty = the feed's `school`", NULL},
    {KEY("kiosk", "sites"), K_SITES, OFF(sites), "", 0, 0,
     "Site tags of this screen (comma list); a slide with `sites` shows only "
     "where one of its tags is listed here", NULL},
    {KEY("kiosk", "language"), K_LANG, OFF(lang), "", 0, 0,
     "Clock and date wording: `zh-CN` or `en`; empty = the feed's `lang`", NULL},
    {KEY("kiosk", "ticker"), K_BOOL, OFF(ticker), "yes", 0, 0,
     "Show the feed's scrolling ticker line", NULL},
    {KEY("kiosk", "quit_keys"), K_BOOL, OFF(quit_keys), "no", 0, 0,
     "Esc and Ctrl+Q quit (keep off in a lobby: a stray keyboard must not "
     "stop the screen)", NULL},
    {KEY("kiosk", "log_level"), K_LOGLEVEL, OFF(log_level), "info", 0, 0,
     "Journal verbosity: `error`, `warning`, `info` or `debug`", NULL},

    {KEY("feed", "url"), K_URL, OFF(feed), "", 0, 0,
     "Feed location: http(s) URL, file:// URL or a path; empty = the "
     "built-in deck", NULL},
    {KEY("feed", "refresh"), K_INT, OFF(refresh_s), "300", 1, 604800,
     "Seconds between polls when the feed gives no `refresh` hint", NULL},
    {KEY("feed", "refresh_min"), K_INT, OFF(refresh_min_s), "5", 1, 604800,
     "Lower bound for the feed's `refresh` hint (seconds)", NULL},
    {KEY("feed", "refresh_max"), K_INT, OFF(refresh_max_s), "86400", 1, 604800,
     "Upper bound for the feed's `refresh` hint (seconds)", NULL},
    {KEY("feed", "connect_timeout"), K_INT, OFF(connect_timeout_s), "10", 1, 300,
     "Seconds to wait for a connection to the feed's server", NULL},
    {KEY("feed", "timeout"), K_INT, OFF(timeout_s), "60", 1, 3600,
     "Seconds one transfer (the feed or an image) may take in all", NULL},
    {KEY("feed", "ca_file"), K_PATH, OFF(ca_file), "", 0, 0,
     "PEM file of CA certificates for https; empty = the system's", NULL},
    {KEY("feed", "max_feed_bytes"), K_SIZE, OFF(max_feed_bytes), "2M", KIB, 64 * MIB,
     "Largest feed accepted (suffixes K, M, G)", NULL},
    {KEY("feed", "max_image_bytes"), K_SIZE, OFF(max_image_bytes), "8M", KIB,
     256 * MIB, "Largest image file accepted (suffixes K, M, G)", NULL},
    {KEY("feed", "max_image_pixels"), K_LONG, OFF(max_image_pixels), "16777216", 1,
     268435456, "Largest image accepted, in pixels (width x height)", NULL},

    {KEY("display", "fullscreen"), K_BOOL, OFF(fullscreen), "yes", 0, 0,
     "Full screen; `no` opens a window of width x height", NULL},
    {KEY("display", "width"), K_INT, OFF(width), "0", 0, 16384,
     "Width in pixels; 0 = the display's current mode", NULL},
    {KEY("display", "height"), K_INT, OFF(height), "0", 0, 16384,
     "Height in pixels; 0 = the display's current mode", NULL},
    {KEY("display", "rotation"), K_ROTATION, OFF(rotation), "0", 0, 0,
     "Rotate the picture clockwise: 0, 90, 180 or 270 (portrait screens)", NULL},
    {KEY("display", "video_driver"), K_DRIVER, OFF(video_driver), "", 0, 0,
     "SDL video driver: `kmsdrm` (console), `wayland`, `x11`; empty = SDL's "
     "choice", NULL},
    {KEY("display", "render_driver"), K_DRIVER, OFF(render_driver), "", 0, 0,
     "SDL renderer: `opengles2`, `opengl`, `software`; empty = SDL's choice", NULL},
    {KEY("display", "vsync"), K_BOOL, OFF(vsync), "yes", 0, 0,
     "Wait for the display's vertical blank (no tearing)", NULL},

    {KEY("schedule", "mon"), K_DAY, DAY(0), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "tue"), K_DAY, DAY(1), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "wed"), K_DAY, DAY(2), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "thu"), K_DAY, DAY(3), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "fri"), K_DAY, DAY(4), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "sat"), K_DAY, DAY(5), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "sun"), K_DAY, DAY(6), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "off_cmd"), K_CMD, OFF(display_off_cmd), "", 0, 0,
     "Shell command run when the schedule turns the screen off (e.g. HDMI-CEC "
     "standby); the screen is drawn black either way", NULL},
    {KEY("schedule", "on_cmd"), K_CMD, OFF(display_on_cmd), "", 0, 0,
     "Shell command run when the schedule turns the screen on", NULL},
    {KEY("schedule", "cmd_timeout"), K_INT, OFF(display_cmd_timeout_s), "30", 1, 600,
     "Seconds after which a hung on/off command is killed", NULL},

    {KEY("paths", "cache_dir"), K_PATH, OFF(cache_dir), "", 0, 0,
     "Last good feed and its images; empty = no cache",
     "`$CACHE_DIRECTORY`, else `$XDG_CACHE_HOME/edukiosk`, else "
     "`~/.cache/edukiosk`"},
    {KEY("paths", "status_file"), K_PATH, OFF(status_file), "", 0, 0,
     "Status JSON, rewritten on change; empty = none",
     "`$RUNTIME_DIRECTORY/status.json`, else "
     "`$XDG_RUNTIME_DIR/edukiosk/status.json`, else none"},
    {KEY("paths", "metrics_file"), K_PATH, OFF(metrics_file), "", 0, 0,
     "Prometheus textfile metrics; empty = none",
     "`$RUNTIME_DIRECTORY/metrics.prom`, else "
     "`$XDG_RUNTIME_DIR/edukiosk/metrics.prom`, else none"},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const sections[] = {"kiosk", "feed", "display", "schedule", "paths"};

#define MAX_STR 4096
#define MAX_SITES 64
#define MAX_TAG 64

const char *config_key_name(size_t i) { return i < N_KEYS ? keys[i].full : NULL; }

static void *field(struct config *c, const struct key *k) { return (char *)c + k->off; }
static const void *cfield(const struct config *c, const struct key *k)
{
    return (const char *)c + k->off;
}

static bool is_string_type(enum ktype t)
{
    return t == K_STR || t == K_URL || t == K_PATH || t == K_DRIVER || t == K_CMD ||
           t == K_LANG;
}

/* ---- parsing one value ------------------------------------------------ */

/* A parsed value, before it is stored: parse first, commit after, so a bad
 * value leaves the config unchanged. */
struct value {
    char *s;           /* string types (NULL = unset) */
    long long i;       /* numbers, bools, enums */
    int on, off;       /* K_DAY */
    char **list;       /* K_SITES */
    size_t n;
};

static void value_free(struct value *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        free(v->list[i]);
    free(v->list);
    memset(v, 0, sizeof(*v));
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int parse_text(const char *v, struct value *out, char *err, size_t errlen)
{
    size_t len = strlen(v);
    if (len > MAX_STR)
        return fail(err, errlen, "longer than %d bytes", MAX_STR);
    if (!utf8_valid(v, len))
        return fail(err, errlen, "not valid UTF-8");
    if (has_control(v))
        return fail(err, errlen, "contains a control character");
    if (len == 0)
        return 0;
    out->s = strdup(v);
    if (!out->s)
        return fail(err, errlen, "out of memory");
    return 0;
}

static int parse_url(const char *v, struct value *out, char *err, size_t errlen)
{
    if (parse_text(v, out, err, errlen) < 0)
        return -1;
    if (!out->s)
        return 0;
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == '\t')
            return fail(err, errlen, "contains a space (write it as %%20)");
    const char *colon = strstr(v, "://");
    if (colon) {
        size_t sl = (size_t)(colon - v);
        if (!((sl == 4 && strncasecmp(v, "http", 4) == 0) ||
              (sl == 5 && strncasecmp(v, "https", 5) == 0) ||
              (sl == 4 && strncasecmp(v, "file", 4) == 0)))
            return fail(err, errlen, "must be an http://, https:// or file:// URL "
                                     "or a path");
        if (colon[3] == '\0')
            return fail(err, errlen, "URL has nothing after the scheme");
    }
    return 0;
}

static int parse_driver(const char *v, struct value *out, char *err, size_t errlen)
{
    for (const char *p = v; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == ','))
            return fail(err, errlen, "must be an SDL driver name such as kmsdrm, "
                                     "wayland, x11, opengles2 or software");
    }
    return parse_text(v, out, err, errlen);
}

/* Whole-string base-10 integer with an optional 1024-based suffix. */
static int parse_number(const char *v, bool suffixes, long long *out)
{
    if (*v == '\0')
        return -1;
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v)
        return -1;
    long long mul = 1;
    if (suffixes && *end) {
        switch (*end) {
        case 'k': case 'K': mul = 1024LL; break;
        case 'm': case 'M': mul = 1024LL * 1024; break;
        case 'g': case 'G': mul = 1024LL * 1024 * 1024; break;
        default: return -1;
        }
        end++;
        if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
            end += strlen(end);
    }
    if (*end)
        return -1;
    if (n != 0 && (n > LLONG_MAX / mul || n < LLONG_MIN / mul))
        return -1;
    *out = n * mul;
    return 0;
}

static void format_size(long long n, char *buf, size_t len)
{
    static const char suffix[] = "GMK";
    long long unit = 1024LL * 1024 * 1024;
    for (int i = 0; i < 3; i++, unit /= 1024) {
        if (n != 0 && n % unit == 0) {
            snprintf(buf, len, "%lld%c", n / unit, suffix[i]);
            return;
        }
    }
    snprintf(buf, len, "%lld", n);
}

static int parse_bool(const char *v, long long *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* "HH:MM" with 00:00 … 24:00; advances *p. */
static int parse_hhmm(const char **p, int *minutes)
{
    const char *s = *p;
    int h = 0, m = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 2) {
        h = h * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0 || *s++ != ':')
        return -1;
    if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
        return -1;
    m = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    *minutes = h * 60 + m;
    *p = s;
    return 0;
}

static int parse_day(const char *v, struct value *out, char *err, size_t errlen)
{
    if (strcasecmp(v, "on") == 0 || strcasecmp(v, "always") == 0) {
        out->on = out->off = 0;
        return 0;
    }
    if (strcasecmp(v, "off") == 0 || strcasecmp(v, "never") == 0) {
        out->on = out->off = CONFIG_DAY_OFF;
        return 0;
    }
    const char *p = v;
    int on, off;
    if (parse_hhmm(&p, &on) < 0)
        goto bad;
    while (*p == ' ')
        p++;
    if (*p++ != '-')
        goto bad;
    while (*p == ' ')
        p++;
    if (parse_hhmm(&p, &off) < 0 || *p)
        goto bad;
    if (on == 1440)
        return fail(err, errlen, "a window cannot start at 24:00");
    if (off == 1440)
        off = 0; /* "until midnight" */
    if (on == off)
        return fail(err, errlen, "start and end are the same time; write 'on' for "
                                 "all day or 'off' for none");
    out->on = on;
    out->off = off;
    return 0;
bad:
    return fail(err, errlen, "must be HH:MM-HH:MM (e.g. 07:30-18:00), on or off");
}

static int add_tag(struct value *out, const char *s, size_t len, char *err, size_t errlen)
{
    for (size_t i = 0; i < out->n; i++)
        if (strlen(out->list[i]) == len && memcmp(out->list[i], s, len) == 0)
            return 0; /* a repeated tag changes nothing */
    if (out->n == MAX_SITES)
        return fail(err, errlen, "more than %d site tags", MAX_SITES);
    char **nl = realloc(out->list, (out->n + 1) * sizeof(*nl));
    if (!nl)
        return fail(err, errlen, "out of memory");
    out->list = nl;
    out->list[out->n] = strndup(s, len);
    if (!out->list[out->n])
        return fail(err, errlen, "out of memory");
    out->n++;
    return 0;
}

static int parse_sites(const char *v, struct value *out, char *err, size_t errlen)
{
    if (!utf8_valid(v, strlen(v)) || has_control(v))
        return fail(err, errlen, "not valid UTF-8 text");
    const char *p = v;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t len = (size_t)(end - start);
        if (len == 0)
            return fail(err, errlen, "empty site tag (two commas in a row?)");
        if (len > MAX_TAG)
            return fail(err, errlen, "site tag longer than %d bytes", MAX_TAG);
        for (const char *q = start; q < end; q++)
            if (*q == ' ' || *q == '\t')
                return fail(err, errlen, "site tags cannot contain spaces "
                                         "(separate tags with commas)");
        if (add_tag(out, start, len, err, errlen) < 0)
            return -1;
        if (*p == '\0')
            return 0;
        p++;
    }
}

static int parse_value(const struct key *k, const char *v, struct value *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int r = 0;
    switch (k->type) {
    case K_STR:
    case K_PATH:
    case K_CMD:
        r = parse_text(v, out, err, errlen);
        break;
    case K_URL:
        r = parse_url(v, out, err, errlen);
        break;
    case K_DRIVER:
        r = parse_driver(v, out, err, errlen);
        break;
    case K_INT:
    case K_LONG:
    case K_SIZE:
        if (parse_number(v, k->type == K_SIZE, &out->i) < 0 || out->i < k->min ||
            out->i > k->max) {
            if (k->type == K_SIZE) {
                char lo[32], hi[32];
                format_size(k->min, lo, sizeof(lo));
                format_size(k->max, hi, sizeof(hi));
                r = fail(err, errlen, "must be a size from %s to %s bytes "
                                      "(suffixes K, M, G)", lo, hi);
            } else {
                r = fail(err, errlen, "must be an integer from %lld to %lld", k->min,
                         k->max);
            }
        }
        break;
    case K_BOOL:
        if (parse_bool(v, &out->i) < 0)
            r = fail(err, errlen, "must be yes or no");
        break;
    case K_ROTATION:
        if (parse_number(v, false, &out->i) < 0 ||
            (out->i != 0 && out->i != 90 && out->i != 180 && out->i != 270))
            r = fail(err, errlen, "must be 0, 90, 180 or 270");
        break;
    case K_LOGLEVEL: {
        int l = log_level_parse(v);
        if (l < 0)
            r = fail(err, errlen, "must be error, warning, info or debug");
        out->i = l;
        break;
    }
    case K_LANG:
        if (*v == '\0' || strcasecmp(v, "auto") == 0)
            break;
        if (strcasecmp(v, "zh-CN") == 0 || strcasecmp(v, "zh_CN") == 0 ||
            strcasecmp(v, "zh") == 0)
            out->s = strdup("zh-CN");
        else if (strcasecmp(v, "en") == 0)
            out->s = strdup("en");
        else
            return fail(err, errlen, "must be zh-CN or en (empty = the feed's)");
        if (!out->s)
            r = fail(err, errlen, "out of memory");
        break;
    case K_SITES:
        r = parse_sites(v, out, err, errlen);
        break;
    case K_DAY:
        r = parse_day(v, out, err, errlen);
        break;
    }
    if (r < 0)
        value_free(out);
    return r;
}

/* Stores v into the field of k, taking ownership of its allocations. */
static void commit(struct config *c, const struct key *k, struct value *v)
{
    void *f = field(c, k);
    if (is_string_type(k->type)) {
        free(*(char **)f);
        *(char **)f = v->s;
        v->s = NULL;
        return;
    }
    switch (k->type) {
    case K_INT:
    case K_ROTATION:
    case K_LOGLEVEL:
        *(int *)f = (int)v->i;
        break;
    case K_LONG:
        *(long *)f = (long)v->i;
        break;
    case K_SIZE:
        *(size_t *)f = (size_t)v->i;
        break;
    case K_BOOL:
        *(bool *)f = v->i != 0;
        break;
    case K_SITES:
        for (size_t i = 0; i < c->n_sites; i++)
            free(c->sites[i]);
        free(c->sites);
        c->sites = v->list;
        c->n_sites = v->n;
        v->list = NULL;
        v->n = 0;
        break;
    case K_DAY:
        ((int *)f)[0] = v->on;
        ((int *)f)[1] = v->off;
        break;
    default:
        break;
    }
}

static const struct key *find_key(const char *name)
{
    const char *dot = strchr(name, '.');
    for (size_t i = 0; i < N_KEYS; i++) {
        if (dot ? strcasecmp(name, keys[i].full) == 0
                : strcasecmp(name, keys[i].name) == 0)
            return &keys[i];
    }
    return NULL;
}

int config_set(struct config *c, const char *key, const char *value, char *err,
               size_t errlen)
{
    const struct key *k = find_key(key);
    if (!k)
        return fail(err, errlen, "%s: unknown key", key);
    struct value v;
    char problem[256];
    if (parse_value(k, value, &v, problem, sizeof(problem)) < 0)
        return fail(err, errlen, "%s: %s", key, problem);
    commit(c, k, &v);
    value_free(&v);
    return 0;
}

/* ---- defaults, copy, free ---------------------------------------------- */

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

/* First entry of a colon list that systemd passes, as a new string. */
static char *first_of(const char *list)
{
    const char *colon = strchr(list, ':');
    return colon ? strndup(list, (size_t)(colon - list)) : strdup(list);
}

static const char *abs_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] == '/' ? v : NULL;
}

/* systemd's CacheDirectory=/RuntimeDirectory= export CACHE_DIRECTORY and
 * RUNTIME_DIRECTORY, so the service needs no paths in its config; a user
 * session gets the XDG places.  Status and metrics never default to the
 * SD card: without a runtime directory they are off. */
static void computed_defaults(struct config *c)
{
    const char *v;
    if ((v = abs_env("CACHE_DIRECTORY")))
        c->cache_dir = first_of(v);
    else if ((v = abs_env("XDG_CACHE_HOME")))
        c->cache_dir = path_join(v, "edukiosk");
    else if ((v = abs_env("HOME")))
        c->cache_dir = path_join(v, ".cache/edukiosk");

    char *run = NULL;
    if ((v = abs_env("RUNTIME_DIRECTORY")))
        run = first_of(v);
    else if ((v = abs_env("XDG_RUNTIME_DIR")))
        run = path_join(v, "edukiosk");
    if (run) {
        c->status_file = path_join(run, "status.json");
        c->metrics_file = path_join(run, "metrics.prom");
        free(run);
    }
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < N_KEYS; i++) {
        struct value v;
        char err[256];
        /* The defaults are constants that the tests parse too. */
        if (parse_value(&keys[i], keys[i].def, &v, err, sizeof(err)) == 0) {
            commit(c, &keys[i], &v);
            value_free(&v);
        } else {
            LOG_ERR("default of %s: %s", keys[i].full, err);
        }
    }
    computed_defaults(c);
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < N_KEYS; i++)
        if (is_string_type(keys[i].type))
            free(*(char **)field(c, &keys[i]));
    for (size_t i = 0; i < c->n_sites; i++)
        free(c->sites[i]);
    free(c->sites);
    memset(c, 0, sizeof(*c));
}

int config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (size_t i = 0; i < N_KEYS; i++)
        if (is_string_type(keys[i].type))
            *(char **)field(dst, &keys[i]) = NULL;
    dst->sites = NULL;
    dst->n_sites = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (!is_string_type(keys[i].type))
            continue;
        const char *s = *(char *const *)cfield(src, &keys[i]);
        if (s && !(*(char **)field(dst, &keys[i]) = strdup(s)))
            goto oom;
    }
    if (src->n_sites) {
        dst->sites = calloc(src->n_sites, sizeof(*dst->sites));
        if (!dst->sites)
            goto oom;
        for (size_t i = 0; i < src->n_sites; i++) {
            dst->sites[i] = strdup(src->sites[i]);
            if (!dst->sites[i]) {
                dst->n_sites = i;
                goto oom;
            }
        }
        dst->n_sites = src->n_sites;
    }
    return 0;
oom:
    config_free(dst);
    return -1;
}

/* Rules that span keys; an error is reported on the line of the last of
 * its keys that the file sets. */
static const char *const rule_keys[][3] = {
    {"refresh_min", "refresh_max", NULL},
    {"refresh", "refresh_min", "refresh_max"},
    {"width", "height", NULL},
};

/* 0, or 1 + the index of the broken rule. */
static int check_rules(const struct config *c, char *err, size_t errlen)
{
    if (c->refresh_min_s > c->refresh_max_s) {
        fail(err, errlen, "refresh_min: %d is above refresh_max (%d)", c->refresh_min_s,
             c->refresh_max_s);
        return 1;
    }
    if (c->refresh_s < c->refresh_min_s || c->refresh_s > c->refresh_max_s) {
        fail(err, errlen, "refresh: %d is outside refresh_min..refresh_max (%d..%d)",
             c->refresh_s, c->refresh_min_s, c->refresh_max_s);
        return 2;
    }
    if ((c->width == 0) != (c->height == 0)) {
        fail(err, errlen, "width: give both width and height, or neither");
        return 3;
    }
    return 0;
}

int config_validate(const struct config *c, char *err, size_t errlen)
{
    return check_rules(c, err, errlen) ? -1 : 0;
}

/* ---- loading a file --------------------------------------------------- */

struct loader {
    struct config *c;
    const char *path;
    FILE *f, *err;
    int line;
    int errors;
    bool section_ok;     /* the current section is one of ours */
    char section[64];
    int key_line[N_KEYS];
};

static void report(struct loader *L, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(struct loader *L, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (line > 0)
        fprintf(L->err, "%s:%d: ", L->path, line);
    else
        fprintf(L->err, "%s: ", L->path);
    vfprintf(L->err, fmt, ap);
    fputc('\n', L->err);
    va_end(ap);
}

static bool known_section(const char *s)
{
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        if (strcasecmp(s, sections[i]) == 0)
            return true;
    return false;
}

/* Hands inih one physical line at a time (so our line numbers are its),
 * left-stripped (inih would take an indented line as a continuation of the
 * previous value), and checks what inih would only count: over-long lines
 * (inih splits them), malformed lines and unknown sections. */
static char *reader(char *str, int num, void *stream)
{
    struct loader *L = stream;
    char *buf = NULL;
    size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&buf, &cap, L->f);
    if (n < 0) {
        if (ferror(L->f)) {
            report(L, 0, "cannot read: %s", strerror(errno ? errno : EIO));
            L->errors++;
        }
        free(buf);
        return NULL;
    }
    L->line++;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    char *s = buf;
    if (L->line == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
        (unsigned char)s[2] == 0xbf)
        s += 3;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    str[0] = '\0';
    if (len + 1 > (size_t)num) {
        report(L, L->line, "line too long (at most %d characters)", num - 1);
        L->errors++;
    } else if (*s == '\0' || *s == '#' || *s == ';') {
        /* blank or comment */
    } else if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close) {
            report(L, L->line, "section header lacks ']'");
            L->errors++;
        } else {
            size_t sl = (size_t)(close - s - 1);
            if (sl >= sizeof(L->section))
                sl = sizeof(L->section) - 1;
            memcpy(L->section, s + 1, sl);
            L->section[sl] = '\0';
            L->section_ok = known_section(L->section);
            if (!L->section_ok)
                fprintf(L->err, "%s:%d: warning: unknown section [%s], its keys are "
                        "ignored\n", L->path, L->line, L->section);
            memcpy(str, s, len + 1);
        }
    } else if (!strpbrk(s, "=:")) {
        report(L, L->line, "expected 'key = value', '[section]' or a # comment");
        L->errors++;
    } else {
        memcpy(str, s, len + 1);
    }
    free(buf);
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct loader *L = user;
    if (section[0] && !L->section_ok)
        return 1; /* warned once at the header */
    const struct key *k = NULL;
    for (size_t i = 0; i < N_KEYS && !k; i++)
        if (strcasecmp(name, keys[i].name) == 0 &&
            (!section[0] || strcasecmp(section, keys[i].section) == 0))
            k = &keys[i];
    if (!k) {
        const struct key *other = find_key(name);
        if (other)
            fprintf(L->err, "%s:%d: warning: %s: belongs in [%s], ignored here\n",
                    L->path, L->line, name, other->section);
        else
            fprintf(L->err, "%s:%d: warning: %s: unknown key, ignored\n", L->path,
                    L->line, name);
        return 1;
    }
    size_t idx = (size_t)(k - keys);
    if (L->key_line[idx])
        fprintf(L->err, "%s:%d: warning: %s: also set on line %d; this line wins\n",
                L->path, L->line, name, L->key_line[idx]);
    L->key_line[idx] = L->line;

    /* Quotes let a value keep leading or trailing spaces. */
    char buf[MAX_STR + 1];
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 <= MAX_STR) {
        memcpy(buf, value + 1, vl - 2);
        buf[vl - 2] = '\0';
        value = buf;
    }
    struct value v;
    char problem[256];
    if (parse_value(k, value, &v, problem, sizeof(problem)) < 0) {
        report(L, L->line, "%s: %s", name, problem);
        L->errors++;
        return 1;
    }
    commit(L->c, k, &v);
    value_free(&v);
    return 1;
}

static int rule_line(const struct loader *L, int rule)
{
    int line = 0;
    for (size_t j = 0; j < 3 && rule_keys[rule][j]; j++)
        for (size_t i = 0; i < N_KEYS; i++)
            if (strcmp(keys[i].name, rule_keys[rule][j]) == 0 && L->key_line[i] > line)
                line = L->key_line[i];
    return line;
}

int config_load(struct config *c, const char *path, bool must_exist, FILE *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT && !must_exist)
            return 0;
        fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    struct config work;
    if (config_copy(&work, c) < 0) {
        fclose(f);
        fprintf(err, "%s: out of memory\n", path);
        return -1;
    }
    struct loader L = {.c = &work, .path = path, .f = f, .err = err, .section_ok = true};
    int r = ini_parse_stream(reader, &L, handler, &L);
    fclose(f);
    if (r == -2) {
        report(&L, 0, "out of memory");
        L.errors++;
    }
    if (L.errors == 0) {
        char msg[256];
        int rule = check_rules(&work, msg, sizeof(msg));
        if (rule) {
            report(&L, rule_line(&L, rule - 1), "%s", msg);
            L.errors++;
        }
    }
    if (L.errors) {
        config_free(&work);
        return -1;
    }
    config_free(c);
    *c = work;
    return 0;
}

/* ---- printing --------------------------------------------------------- */

static void print_value(const struct config *c, const struct key *k, FILE *out)
{
    const void *f = cfield(c, k);
    char buf[64];
    if (is_string_type(k->type)) {
        const char *s = *(char *const *)f;
        if (!s)
            return;
        size_t l = strlen(s);
        bool quote = l > 0 && (s[0] == ' ' || s[l - 1] == ' ' ||
                               (s[0] == '"' && s[l - 1] == '"'));
        fprintf(out, quote ? "\"%s\"" : "%s", s);
        return;
    }
    switch (k->type) {
    case K_INT:
    case K_ROTATION:
        fprintf(out, "%d", *(const int *)f);
        break;
    case K_LONG:
        fprintf(out, "%ld", *(const long *)f);
        break;
    case K_SIZE:
        format_size((long long)*(const size_t *)f, buf, sizeof(buf));
        fputs(buf, out);
        break;
    case K_BOOL:
        fputs(*(const bool *)f ? "yes" : "no", out);
        break;
    case K_LOGLEVEL: {
        int l = *(const int *)f;
        fputs(l <= LOG_LEVEL_ERR ? "error" : l == LOG_LEVEL_WARN ? "warning"
              : l <= LOG_LEVEL_INFO ? "info" : "debug", out);
        break;
    }
    case K_SITES:
        for (size_t i = 0; i < c->n_sites; i++)
            fprintf(out, "%s%s", i ? ", " : "", c->sites[i]);
        break;
    case K_DAY: {
        const int *d = f;
        if (d[0] == CONFIG_DAY_OFF)
            fputs("off", out);
        else if (d[0] == d[1])
            fputs("on", out);
        else
            fprintf(out, "%02d:%02d-%02d:%02d", d[0] / 60, d[0] % 60, d[1] / 60,
                    d[1] % 60);
        break;
    }
    default:
        break;
    }
}

void config_print(const struct config *c, FILE *out)
{
    fputs("# edukiosk effective configuration\n", out);
    const char *section = NULL;
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        if (!section || strcmp(section, k->section) != 0) {
            fprintf(out, "%s[%s]\n", section ? "\n" : "", k->section);
            section = k->section;
        }
        char *v = NULL;
        size_t vl = 0;
        FILE *m = open_memstream(&v, &vl);
        if (!m)
            continue;
        print_value(c, k, m);
        if (fclose(m) == 0)
            fprintf(out, vl ? "%s = %s\n" : "%s =\n", k->name, v);
        free(v);
    }
}

static const char *type_doc(const struct key *k, char *buf, size_t len)
{
    char lo[32], hi[32];
    switch (k->type) {
    case K_STR: return "text";
    case K_URL: return "URL or path";
    case K_PATH: return "path";
    case K_DRIVER: return "driver name";
    case K_CMD: return "shell command";
    case K_INT:
    case K_LONG:
        snprintf(buf, len, "%lld – %lld", k->min, k->max);
        return buf;
    case K_SIZE:
        format_size(k->min, lo, sizeof(lo));
        format_size(k->max, hi, sizeof(hi));
        snprintf(buf, len, "%s – %s bytes", lo, hi);
        return buf;
    case K_BOOL: return "yes / no";
    case K_ROTATION: return "0, 90, 180, 270";
    case K_LOGLEVEL: return "error, warning, info, debug";
    case K_LANG: return "zh-CN, en";
    case K_SITES: return "comma list of tags";
    case K_DAY: return "HH:MM-HH:MM, on, off";
    }
    return "";
}

void config_print_reference(FILE *out)
{
    const char *section = NULL;
    struct config def;
    memset(&def, 0, sizeof(def));
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        if (!section || strcmp(section, k->section) != 0) {
            fprintf(out, "%s### [%s]\n\n| key | default | values | meaning |\n"
                         "|---|---|---|---|\n", section ? "\n" : "", k->section);
            section = k->section;
        }
        fprintf(out, "| `%s` | ", k->name);
        if (k->def_doc) {
            fputs(k->def_doc, out);
        } else if (k->def[0] == '\0') {
            fputs("*(empty)*", out);
        } else {
            struct value v;
            char err[128];
            /* Print the default the way config_print would. */
            if (parse_value(k, k->def, &v, err, sizeof(err)) == 0) {
                commit(&def, k, &v);
                value_free(&v);
                fputc('`', out);
                print_value(&def, k, out);
                fputc('`', out);
            }
        }
        char buf[96];
        fprintf(out, " | %s | %s |\n", type_doc(k, buf, sizeof(buf)), k->doc);
    }
    config_free(&def);
}
