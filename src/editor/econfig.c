#include "econfig.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confval.h"
#include "fileutil.h"
#include "log.h"

#define KIB 1024LL
#define OFF(f) offsetof(struct econfig, f)

struct key {
    const char *name;
    enum confval_type type;
    size_t off;
    const char *def;
    long long min, max;
    const char *doc;
};

static const struct key keys[] = {
    {"listen", CONFVAL_STR, OFF(listen), "127.0.0.1:8080", 0, 0,
     "address and port to serve on; behind a reverse proxy keep 127.0.0.1"},
    {"data_dir", CONFVAL_DIR, OFF(data_dir), NULL, 0, 0,
     "users, draft, versions and audit log"},
    {"published_dir", CONFVAL_DIR, OFF(published_dir), NULL, 0, 0,
     "the published feed and its images (default: DATA_DIR/published)"},
    {"tls_cert", CONFVAL_PEM, OFF(tls_cert), NULL, 0, 0,
     "PEM certificate: serve HTTPS ourselves (with tls_key)"},
    {"tls_key", CONFVAL_STR, OFF(tls_key), NULL, 0, 0, "PEM private key of tls_cert"},
    {"signing_key", CONFVAL_STR, OFF(signing_key), NULL, 0, 0,
     "minisign secret key (minisign -G -W): sign every published feed"},
    {"public_url", CONFVAL_STR, OFF(public_url), NULL, 0, 0,
     "the feed_url kiosks use, shown in the page (default: this server's /feed.json)"},
    {"trusted_proxy", CONFVAL_STR, OFF(trusted_proxy), NULL, 0, 0,
     "address of a reverse proxy whose X-Forwarded-For names the client"},
    {"session_hours", CONFVAL_INT, OFF(session_hours), "8", 1, 720,
     "a log-in expires after this many hours unused"},
    {"history", CONFVAL_INT, OFF(history), "100", 1, 10000, "published versions kept"},
    {"max_feed_bytes", CONFVAL_SIZE, OFF(max_feed_bytes), "2M", 16 * KIB, 64 * KIB * KIB,
     "largest feed (as the kiosk's max_feed_bytes)"},
    {"max_image_bytes", CONFVAL_SIZE, OFF(max_image_bytes), "8M", 16 * KIB,
     256 * KIB * KIB, "largest uploaded image (as the kiosk's max_image_bytes)"},
    {"max_image_pixels", CONFVAL_LONG, OFF(max_image_pixels), "12582912", 1024,
     268435456, "most pixels of an uploaded image (as the kiosk's)"},
    {"log_level", CONFVAL_LOGLEVEL, OFF(log_level), "info", 0, 0,
     "error, warning, info or debug"},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcasecmp(name, keys[i].name) == 0)
            return &keys[i];
    return NULL;
}

static int set_key(struct econfig *c, const struct key *k, const char *value, char *err,
                   size_t errlen)
{
    struct confval v;
    if (confval_is_text(k->type) && value[0] == '\0') {
        memset(&v, 0, sizeof(v)); /* empty: unset */
    } else if (confval_parse(k->type, k->min, k->max, value, &v, err, errlen) < 0) {
        return -1;
    }
    confval_store(k->type, (char *)c + k->off, &v);
    return 0;
}

void econfig_free(struct econfig *c)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (confval_is_text(keys[i].type)) {
            char **p = (char **)((char *)c + keys[i].off);
            free(*p);
            *p = NULL;
        }
}

int econfig_defaults(struct econfig *c)
{
    memset(c, 0, sizeof(*c));
    char err[256];
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].def && set_key(c, &keys[i], keys[i].def, err, sizeof(err)) < 0)
            return -1;
    /* systemd's StateDirectory= names it; else the FHS place. */
    const char *state = getenv("STATE_DIRECTORY");
    if (state && state[0] == '/' && !strchr(state, ':'))
        c->data_dir = strdup(state);
    else
        c->data_dir = strdup("/var/lib/edukiosk-editor");
    return c->data_dir ? 0 : -1;
}

struct loader {
    struct econfig *c;
    const char *path;
    FILE *err;
    int errors;
};

static int handler(void *user, const char *section, const char *name, const char *value,
                   int line)
{
    struct loader *L = user;
    if (section[0] && strcasecmp(section, "editor") != 0) {
        fprintf(L->err, "%s:%d: warning: [%s]: unknown section, %s ignored\n", L->path,
                line, section, name);
        return 1;
    }
    const struct key *k = find(name);
    if (!k) {
        fprintf(L->err, "%s:%d: warning: %s: unknown key, ignored\n", L->path, line, name);
        return 1;
    }
    char buf[CONFVAL_MAX_TEXT + 1];
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"' && vl - 2 <= CONFVAL_MAX_TEXT) {
        memcpy(buf, value + 1, vl - 2);
        buf[vl - 2] = '\0';
        value = buf;
    }
    char problem[256];
    if (set_key(L->c, k, value, problem, sizeof(problem)) < 0) {
        fprintf(L->err, "%s:%d: %s: %s\n", L->path, line, name, problem);
        L->errors++;
    }
    return 1;
}

/* inih reports no line number to its handler; a stream reader counts. */
struct lines {
    const char *p, *end;
    int line;
    struct loader *L;
};

static char *reader(char *str, int num, void *stream)
{
    struct lines *s = stream;
    if (s->p >= s->end || num < 2)
        return NULL;
    int n = 0;
    while (s->p < s->end && n < num - 1) {
        char ch = *s->p++;
        str[n++] = ch;
        if (ch == '\n')
            break;
    }
    str[n] = '\0';
    s->line++;
    return str;
}

static int counted_handler(void *user, const char *section, const char *name,
                           const char *value)
{
    struct lines *s = user;
    return handler(s->L, section, name, value, s->line);
}

int econfig_load(struct econfig *c, const char *path, bool must_exist, FILE *err)
{
    char *text;
    size_t len;
    int r = file_read(path, (size_t)256 * 1024, &text, &len);
    if (r == -ENOENT && !must_exist)
        return 0;
    if (r < 0) {
        fprintf(err, "%s: %s\n", path, file_strerror(r));
        return -1;
    }
    struct econfig work;
    memset(&work, 0, sizeof(work));
    for (size_t i = 0; i < N_KEYS; i++) {
        const void *from = (const char *)c + keys[i].off;
        void *to = (char *)&work + keys[i].off;
        struct confval v;
        confval_view(keys[i].type, from, &v);
        if (confval_is_text(keys[i].type))
            v.s = v.s ? strdup(v.s) : NULL;
        confval_store(keys[i].type, to, &v);
    }
    struct loader L = {.c = &work, .path = path, .err = err};
    struct lines s = {.p = text, .end = text + len, .L = &L};
    r = ini_parse_stream(reader, &s, counted_handler, &s);
    free(text);
    if (r > 0 && L.errors == 0) {
        fprintf(err, "%s:%d: expected 'key = value', '[editor]' or a # comment\n", path, r);
        L.errors++;
    }
    if (L.errors) {
        econfig_free(&work);
        return -1;
    }
    econfig_free(c);
    *c = work;
    return 0;
}

int econfig_set(struct econfig *c, const char *key, const char *value, FILE *err)
{
    const struct key *k = find(key);
    if (!k) {
        fprintf(err, "edukiosk-editor: %s: unknown key (see --print-config)\n", key);
        return -1;
    }
    char problem[256];
    if (set_key(c, k, value, problem, sizeof(problem)) < 0) {
        fprintf(err, "edukiosk-editor: %s: %s\n", key, problem);
        return -1;
    }
    return 0;
}

int econfig_check(const struct econfig *c, FILE *err)
{
    if (!c->tls_cert != !c->tls_key) {
        fprintf(err, "edukiosk-editor: tls_cert and tls_key go together\n");
        return -1;
    }
    if (!strchr(c->listen, ':')) {
        fprintf(err, "edukiosk-editor: listen: must be ADDRESS:PORT, e.g. 127.0.0.1:8080\n");
        return -1;
    }
    return 0;
}

void econfig_print(const struct econfig *c, FILE *out)
{
    fprintf(out, "[editor]\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        fprintf(out, "# %s\n%s = ", keys[i].doc, keys[i].name);
        struct confval v;
        confval_view(keys[i].type, (const char *)c + keys[i].off, &v);
        if (!(confval_is_text(keys[i].type) && !v.s))
            confval_print(keys[i].type, &v, out);
        fputc('\n', out);
    }
}

const char *econfig_published(const struct econfig *c, char *buf, size_t len)
{
    if (c->published_dir)
        return c->published_dir;
    if (file_join(buf, len, c->data_dir, "published") < 0)
        return NULL;
    return buf;
}
