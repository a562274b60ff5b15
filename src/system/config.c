#define LOG_MODULE "config"
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confval.h"
#include "fileutil.h"
#include "log.h"

/* One row per key; the value syntax of each type is in confval.c. */
struct key {
    const char *section, *name, *full;
    enum confval_type type;
    size_t off;
    const char *def;     /* parsed like a value from a file */
    long long min, max;  /* CONFVAL_INT, CONFVAL_LONG, CONFVAL_SIZE */
    const char *doc;
    const char *def_doc; /* shown in the reference instead of def */
};

#define OFF(f) offsetof(struct config, f)
#define DAY(i) (OFF(display) + (i) * sizeof(((struct config *)0)->display[0]))
#define KEY(sec, nm) sec, nm, sec "." nm
#define DAY_DOC "When the screen is on that weekday: HH:MM-HH:MM (may wrap past " \
                "midnight), `on` (all day) or `off`"
#define KIB 1024LL
/* A real file is a few KiB; the cap stops /dev/zero-like surprises. */
#define CONFIG_MAX_BYTES ((size_t)1024 * 1024)
#define MIB (1024LL * 1024)

static const struct key keys[] = {
    {KEY("kiosk", "school"), CONFVAL_STR, OFF(school), "", 0, 0,
     "School name for the header; empty = the feed's `school`", NULL},
    {KEY("kiosk", "sites"), CONFVAL_SITES, OFF(sites), "", 0, 0,
     "Site tags of this screen (comma list); a slide with `sites` shows only "
     "where one of its tags is listed here", NULL},
    {KEY("kiosk", "language"), CONFVAL_LANG, OFF(lang), "", 0, 0,
     "Clock and date wording: `zh-CN` or `en`; empty = the feed's `lang`", NULL},
    {KEY("kiosk", "ticker"), CONFVAL_BOOL, OFF(ticker), "yes", 0, 0,
     "Show the feed's scrolling ticker line", NULL},
    {KEY("kiosk", "quit_keys"), CONFVAL_BOOL, OFF(quit_keys), "no", 0, 0,
     "Esc and Ctrl+Q quit (keep off in a lobby: a stray keyboard must not "
     "stop the screen)", NULL},
    {KEY("kiosk", "log_level"), CONFVAL_LOGLEVEL, OFF(log_level), "info", 0, 0,
     "Journal verbosity: `error`, `warning`, `info` or `debug`", NULL},

    {KEY("feed", "url"), CONFVAL_URL, OFF(feed), "", 0, 0,
     "Feed location: http(s) URL, file:// URL or a path; empty = the "
     "built-in deck", NULL},
    {KEY("feed", "refresh"), CONFVAL_INT, OFF(refresh_s), "300", 1, 604800,
     "Seconds between polls when the feed gives no `refresh` hint", NULL},
    {KEY("feed", "refresh_min"), CONFVAL_INT, OFF(refresh_min_s), "5", 1, 604800,
     "Lower bound for the feed's `refresh` hint (seconds)", NULL},
    {KEY("feed", "refresh_max"), CONFVAL_INT, OFF(refresh_max_s), "86400", 1, 604800,
     "Upper bound for the feed's `refresh` hint (seconds)", NULL},
    {KEY("feed", "connect_timeout"), CONFVAL_INT, OFF(connect_timeout_s), "10", 1, 300,
     "Seconds to wait for a connection to the feed's server", NULL},
    {KEY("feed", "timeout"), CONFVAL_INT, OFF(timeout_s), "60", 1, 3600,
     "Seconds one transfer (the feed or an image) may take in all", NULL},
    {KEY("feed", "ca_file"), CONFVAL_PEM, OFF(ca_file), "", 0, 0,
     "PEM file of CA certificates for https; empty = the system's", NULL},
    {KEY("feed", "feed_public_key"), CONFVAL_KEYS, OFF(feed_public_key), "", 0, 0,
     "minisign public keys (`RWQ…`) or paths of .pub files, separated by "
     "spaces or commas (two while a key is rotated): only feeds signed with "
     "one of them are shown; empty = feeds are not verified", NULL},
    {KEY("feed", "max_feed_bytes"), CONFVAL_SIZE, OFF(max_feed_bytes), "2M", KIB,
     64 * MIB, "Largest feed accepted (suffixes K, M, G)", NULL},
    {KEY("feed", "max_image_bytes"), CONFVAL_SIZE, OFF(max_image_bytes), "8M", KIB,
     256 * MIB, "Largest image file accepted (suffixes K, M, G)", NULL},
    {KEY("feed", "max_image_pixels"), CONFVAL_LONG, OFF(max_image_pixels), "12582912", 1,
     268435456, "Largest image accepted, in pixels (width x height, every frame)", NULL},

    {KEY("display", "fullscreen"), CONFVAL_BOOL, OFF(fullscreen), "yes", 0, 0,
     "Full screen; `no` opens a window of width x height", NULL},
    {KEY("display", "width"), CONFVAL_INT, OFF(width), "0", 0, 16384,
     "Width in pixels; 0 = the display's current mode", NULL},
    {KEY("display", "height"), CONFVAL_INT, OFF(height), "0", 0, 16384,
     "Height in pixels; 0 = the display's current mode", NULL},
    {KEY("display", "rotation"), CONFVAL_ROTATION, OFF(rotation), "0", 0, 0,
     "Rotate the picture clockwise: 0, 90, 180 or 270 (portrait screens)", NULL},
    {KEY("display", "video_driver"), CONFVAL_DRIVER, OFF(video_driver), "", 0, 0,
     "SDL video driver: `kmsdrm` (console), `wayland`, `x11`; empty = SDL's "
     "choice", NULL},
    {KEY("display", "render_driver"), CONFVAL_DRIVER, OFF(render_driver), "", 0, 0,
     "SDL renderer: `opengles2`, `opengl`, `software` (drawn in memory; on the "
     "console a GL renderer still puts it on the screen); empty = SDL's choice, in "
     "software when the GL is", NULL},
    {KEY("display", "vsync"), CONFVAL_BOOL, OFF(vsync), "yes", 0, 0,
     "Wait for the display's vertical blank (no tearing)", NULL},

    {KEY("schedule", "mon"), CONFVAL_DAY, DAY(0), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "tue"), CONFVAL_DAY, DAY(1), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "wed"), CONFVAL_DAY, DAY(2), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "thu"), CONFVAL_DAY, DAY(3), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "fri"), CONFVAL_DAY, DAY(4), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "sat"), CONFVAL_DAY, DAY(5), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "sun"), CONFVAL_DAY, DAY(6), "on", 0, 0, DAY_DOC, NULL},
    {KEY("schedule", "off_cmd"), CONFVAL_CMD, OFF(display_off_cmd), "", 0, 0,
     "Shell command run when the schedule turns the screen off (e.g. HDMI-CEC "
     "standby); the screen is drawn black either way", NULL},
    {KEY("schedule", "on_cmd"), CONFVAL_CMD, OFF(display_on_cmd), "", 0, 0,
     "Shell command run when the schedule turns the screen on", NULL},
    {KEY("schedule", "cmd_timeout"), CONFVAL_INT, OFF(display_cmd_timeout_s), "30", 1,
     600, "Seconds after which a hung on/off command is killed", NULL},

    {KEY("paths", "cache_dir"), CONFVAL_DIR, OFF(cache_dir), "", 0, 0,
     "Last good feed and its images; empty = no cache",
     "`$CACHE_DIRECTORY`, else `$XDG_CACHE_HOME/edukiosk`, else "
     "`~/.cache/edukiosk`"},
    {KEY("paths", "status_file"), CONFVAL_OUTPUT, OFF(status_file), "", 0, 0,
     "Status JSON, rewritten on change; empty = none",
     "`$RUNTIME_DIRECTORY/status.json`, else "
     "`$XDG_RUNTIME_DIR/edukiosk/status.json`, else none"},
    {KEY("paths", "metrics_file"), CONFVAL_OUTPUT, OFF(metrics_file), "", 0, 0,
     "Prometheus textfile metrics; empty = none",
     "`$RUNTIME_DIRECTORY/metrics.prom`, else "
     "`$XDG_RUNTIME_DIR/edukiosk/metrics.prom`, else none"},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(N_KEYS <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

static const char *const sections[] = {"kiosk", "feed", "display", "schedule", "paths"};

const char *config_key_name(size_t i) { return i < N_KEYS ? keys[i].full : NULL; }

static void *field(struct config *c, const struct key *k) { return (char *)c + k->off; }
static const void *cfield(const struct config *c, const struct key *k)
{
    return (const char *)c + k->off;
}

/* ---- one key ---------------------------------------------------------- */

static void free_sites(struct config *c)
{
    for (size_t i = 0; i < c->n_sites; i++)
        free(c->sites[i]);
    free(c->sites);
    c->sites = NULL;
    c->n_sites = 0;
}

/* Stores v into the field of k, taking ownership of its allocations.  The
 * site list is two fields (sites, n_sites), so it is stored here. */
static void commit(struct config *c, const struct key *k, struct confval *v)
{
    if (k->type != CONFVAL_SITES) {
        confval_store(k->type, field(c, k), v);
        return;
    }
    free_sites(c);
    c->sites = v->list;
    c->n_sites = v->n;
    v->list = NULL;
    v->n = 0;
}

/* Parses text for k and stores it; on error c is unchanged and err holds
 * the problem without the key's name. */
static int set_key(struct config *c, const struct key *k, const char *text, char *err,
                   size_t errlen)
{
    struct confval v;
    if (confval_parse(k->type, k->min, k->max, text, &v, err, errlen) < 0)
        return -1;
    commit(c, k, &v);
    confval_free(&v);
    return 0;
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
    if (!k) {
        snprintf(err, errlen, "%s: unknown key", key);
        return -1;
    }
    char problem[256];
    if (set_key(c, k, value, problem, sizeof(problem)) < 0) {
        snprintf(err, errlen, "%s: %s", key, problem);
        return -1;
    }
    c->origin[k - keys] = CONFIG_FROM_CLI;
    return 0;
}

/* ---- defaults, copy, free ---------------------------------------------- */

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%s/%s", a, b);
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
        char err[256];
        /* The defaults are constants that the tests parse too. */
        if (set_key(c, &keys[i], keys[i].def, err, sizeof(err)) < 0)
            LOG_ERR("default of %s: %s", keys[i].full, err);
    }
    computed_defaults(c);
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < N_KEYS; i++)
        if (confval_is_text(keys[i].type))
            free(*(char **)field(c, &keys[i]));
    free_sites(c);
    memset(c, 0, sizeof(*c));
}

int config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (size_t i = 0; i < N_KEYS; i++)
        if (confval_is_text(keys[i].type))
            *(char **)field(dst, &keys[i]) = NULL;
    dst->sites = NULL;
    dst->n_sites = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (!confval_is_text(keys[i].type))
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
        snprintf(err, errlen, "refresh_min: %d is above refresh_max (%d)",
                 c->refresh_min_s, c->refresh_max_s);
        return 1;
    }
    if (c->refresh_s < c->refresh_min_s || c->refresh_s > c->refresh_max_s) {
        snprintf(err, errlen, "refresh: %d is outside refresh_min..refresh_max (%d..%d)",
                 c->refresh_s, c->refresh_min_s, c->refresh_max_s);
        return 2;
    }
    if ((c->width == 0) != (c->height == 0)) {
        snprintf(err, errlen, "width: give both width and height, or neither");
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
    const char *p, *end; /* the rest of the file, in memory */
    FILE *err;
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
 * (inih splits them), NUL bytes, malformed lines and unknown sections. */
static char *reader(char *str, int num, void *stream)
{
    struct loader *L = stream;
    if (L->p == L->end)
        return NULL;
    const char *s = L->p, *nl = memchr(s, '\n', (size_t)(L->end - s));
    const char *e = nl ? nl : L->end;
    L->p = nl ? nl + 1 : L->end;
    L->line++;
    while (e > s && (e[-1] == '\r' || e[-1] == '\n'))
        e--;
    if (L->line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    size_t len = (size_t)(e - s);
    str[0] = '\0';
    if (memchr(s, '\0', len)) {
        report(L, L->line, "contains a NUL byte (not a text file?)");
        L->errors++;
        return str;
    }
    if (len + 1 > (size_t)num) {
        report(L, L->line, "line too long (at most %d characters)", num - 1);
        L->errors++;
        return str;
    }
    memcpy(str, s, len);
    str[len] = '\0';
    if (len == 0 || *str == '#' || *str == ';') {
        str[0] = '\0'; /* blank or comment */
    } else if (*str == '[') {
        const char *close = strchr(str, ']');
        if (!close) {
            report(L, L->line, "section header lacks ']'");
            L->errors++;
            str[0] = '\0';
        } else {
            size_t sl = (size_t)(close - str - 1);
            if (sl >= sizeof(L->section))
                sl = sizeof(L->section) - 1;
            memcpy(L->section, str + 1, sl);
            L->section[sl] = '\0';
            L->section_ok = known_section(L->section);
            if (!L->section_ok)
                fprintf(L->err, "%s:%d: warning: unknown section [%s], its keys are "
                        "ignored\n", L->path, L->line, L->section);
        }
    } else if (!strpbrk(str, "=:")) {
        report(L, L->line, "expected 'key = value', '[section]' or a # comment");
        L->errors++;
        str[0] = '\0';
    }
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
    char buf[CONFVAL_MAX_TEXT + 1];
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' &&
        vl - 2 <= CONFVAL_MAX_TEXT) {
        memcpy(buf, value + 1, vl - 2);
        buf[vl - 2] = '\0';
        value = buf;
    }
    char problem[256];
    if (set_key(L->c, k, value, problem, sizeof(problem)) < 0) {
        report(L, L->line, "%s: %s", name, problem);
        L->errors++;
    } else {
        L->c->origin[idx] = L->line;
    }
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
    char *text;
    size_t len;
    int r = file_read(path, CONFIG_MAX_BYTES, &text, &len);
    if (r == -ENOENT && !must_exist)
        return 0;
    if (r == -EFBIG) {
        fprintf(err, "%s: larger than %zu KiB; not a configuration file?\n", path,
                CONFIG_MAX_BYTES / 1024);
        return -1;
    }
    if (r < 0) {
        /* "x: is a FIFO, not a regular file" needs no "cannot open". */
        fprintf(err, "%s: %s%s\n", path, r <= FILE_ERR_FIFO ? "" : "cannot open: ",
                file_strerror(r));
        return -1;
    }
    r = config_load_text(c, path, text, len, err);
    free(text);
    return r;
}

int config_load_text(struct config *c, const char *path, const char *text, size_t len,
                     FILE *err)
{
    struct config work;
    if (config_copy(&work, c) < 0) {
        fprintf(err, "%s: out of memory\n", path);
        return -1;
    }
    struct loader L = {.c = &work, .path = path, .p = text, .end = text + len,
                       .err = err, .section_ok = true};
    int r = ini_parse_stream(reader, &L, handler, &L);
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
    struct confval v;
    if (k->type == CONFVAL_SITES) {
        memset(&v, 0, sizeof(v));
        v.list = c->sites;
        v.n = c->n_sites;
    } else {
        confval_view(k->type, cfield(c, k), &v);
    }
    confval_print(k->type, &v, out);
}

char *config_key_value(const struct config *c, size_t i)
{
    if (i >= N_KEYS)
        return NULL;
    char *v = NULL;
    size_t vl = 0;
    FILE *m = open_memstream(&v, &vl);
    if (!m)
        return NULL;
    print_value(c, &keys[i], m);
    if (fclose(m) != 0) {
        free(v);
        return NULL;
    }
    return v;
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
        char *v = config_key_value(c, i);
        if (v)
            fprintf(out, v[0] ? "%s = %s\n" : "%s =\n", k->name, v);
        free(v);
    }
}

void config_print_reference(FILE *out)
{
    const char *section = NULL;
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        if (!section || strcmp(section, k->section) != 0) {
            fprintf(out, "%s### [%s]\n\n| key | default | values | meaning |\n"
                         "|---|---|---|---|\n", section ? "\n" : "", k->section);
            section = k->section;
        }
        fprintf(out, "| `%s` | ", k->name);
        struct confval v;
        char buf[96];
        if (k->def_doc) {
            fputs(k->def_doc, out);
        } else if (k->def[0] == '\0') {
            fputs("*(empty)*", out);
        } else if (confval_parse(k->type, k->min, k->max, k->def, &v, buf,
                                 sizeof(buf)) == 0) {
            /* The default the way config_print would show it. */
            fputc('`', out);
            confval_print(k->type, &v, out);
            fputc('`', out);
            confval_free(&v);
        }
        fprintf(out, " | %s | %s |\n",
                confval_type_doc(k->type, k->min, k->max, buf, sizeof(buf)), k->doc);
    }
}
