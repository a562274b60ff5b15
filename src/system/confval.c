#define LOG_MODULE "confval"
#include "confval.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "confpath.h"
#include "keyring.h"
#include "log.h"
#include "utf8.h"

#define MAX_SITES 64
#define MAX_TAG 64

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

bool confval_is_text(enum confval_type t)
{
    return t == CONFVAL_STR || t == CONFVAL_URL || t == CONFVAL_DIR ||
           t == CONFVAL_OUTPUT || t == CONFVAL_PEM || t == CONFVAL_KEYS ||
           t == CONFVAL_DRIVER || t == CONFVAL_CMD || t == CONFVAL_LANG;
}

void confval_free(struct confval *v)
{
    if (!v)
        return;
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        free(v->list[i]);
    free(v->list);
    memset(v, 0, sizeof(*v));
}

/* ---- text ------------------------------------------------------------- */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int parse_text(const char *v, struct confval *out, char *err, size_t errlen)
{
    size_t len = strlen(v);
    if (len > CONFVAL_MAX_TEXT)
        return fail(err, errlen, "longer than %d bytes", CONFVAL_MAX_TEXT);
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

static int parse_url(const char *v, struct confval *out, char *err, size_t errlen)
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

/* Text first, then what the path must be on this machine; empty = none. */
static int parse_path(enum confval_type t, const char *v, struct confval *out, char *err,
                      size_t errlen)
{
    if (parse_text(v, out, err, errlen) < 0)
        return -1;
    if (!out->s)
        return 0;
    if (t == CONFVAL_DIR)
        return confpath_dir(v, err, errlen);
    if (t == CONFVAL_OUTPUT)
        return confpath_output(v, err, errlen);
    return confpath_pem(v, err, errlen);
}

static int parse_driver(const char *v, struct confval *out, char *err, size_t errlen)
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

static int parse_lang(const char *v, struct confval *out, char *err, size_t errlen)
{
    if (*v == '\0' || strcasecmp(v, "auto") == 0)
        return 0;
    if (strcasecmp(v, "zh-CN") == 0 || strcasecmp(v, "zh_CN") == 0 ||
        strcasecmp(v, "zh") == 0)
        out->s = strdup("zh-CN");
    else if (strcasecmp(v, "en") == 0)
        out->s = strdup("en");
    else
        return fail(err, errlen, "must be zh-CN or en (empty = the feed's)");
    if (!out->s)
        return fail(err, errlen, "out of memory");
    return 0;
}

/* ---- numbers and switches --------------------------------------------- */

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

/* The shortest exact form: 2M, not 2097152. */
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

static int parse_bounded(enum confval_type t, long long min, long long max,
                         const char *v, struct confval *out, char *err, size_t errlen)
{
    bool size = t == CONFVAL_SIZE;
    if (parse_number(v, size, &out->i) == 0 && out->i >= min && out->i <= max)
        return 0;
    if (!size)
        return fail(err, errlen, "must be an integer from %lld to %lld", min, max);
    char lo[32], hi[32];
    format_size(min, lo, sizeof(lo));
    format_size(max, hi, sizeof(hi));
    return fail(err, errlen, "must be a size from %s to %s bytes (suffixes K, M, G)",
                lo, hi);
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

/* ---- day windows ------------------------------------------------------ */

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

static int parse_day(const char *v, struct confval *out, char *err, size_t errlen)
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

/* ---- site lists ------------------------------------------------------- */

static int add_tag(struct confval *out, const char *s, size_t len, char *err,
                   size_t errlen)
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

static int parse_sites(const char *v, struct confval *out, char *err, size_t errlen)
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
        if (end == start)
            return fail(err, errlen, "empty site tag (two commas in a row?)");
        size_t len = (size_t)(end - start);
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

/* ---- by type ---------------------------------------------------------- */

int confval_parse(enum confval_type t, long long min, long long max, const char *text,
                  struct confval *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int r = 0;
    switch (t) {
    case CONFVAL_STR:
    case CONFVAL_CMD:
        r = parse_text(text, out, err, errlen);
        break;
    case CONFVAL_KEYS: {
        struct minisig_keyring ring;
        r = parse_text(text, out, err, errlen);
        if (r == 0 && keyring_load(&ring, text, err, errlen) < 0) {
            confval_free(out);
            r = -1;
        }
        break;
    }
    case CONFVAL_DIR:
    case CONFVAL_OUTPUT:
    case CONFVAL_PEM:
        r = parse_path(t, text, out, err, errlen);
        break;
    case CONFVAL_URL:
        r = parse_url(text, out, err, errlen);
        break;
    case CONFVAL_DRIVER:
        r = parse_driver(text, out, err, errlen);
        break;
    case CONFVAL_INT:
    case CONFVAL_LONG:
    case CONFVAL_SIZE:
        r = parse_bounded(t, min, max, text, out, err, errlen);
        break;
    case CONFVAL_BOOL:
        if (parse_bool(text, &out->i) < 0)
            r = fail(err, errlen, "must be yes or no");
        break;
    case CONFVAL_ROTATION:
        if (parse_number(text, false, &out->i) < 0 ||
            (out->i != 0 && out->i != 90 && out->i != 180 && out->i != 270))
            r = fail(err, errlen, "must be 0, 90, 180 or 270");
        break;
    case CONFVAL_LOGLEVEL:
        out->i = log_level_parse(text);
        if (out->i < 0)
            r = fail(err, errlen, "must be error, warning, info or debug");
        break;
    case CONFVAL_LANG:
        r = parse_lang(text, out, err, errlen);
        break;
    case CONFVAL_SITES:
        r = parse_sites(text, out, err, errlen);
        break;
    case CONFVAL_DAY:
        r = parse_day(text, out, err, errlen);
        break;
    }
    if (r < 0)
        confval_free(out);
    return r;
}

void confval_store(enum confval_type t, void *field, struct confval *v)
{
    if (confval_is_text(t)) {
        free(*(char **)field);
        *(char **)field = v->s;
        v->s = NULL;
        return;
    }
    switch (t) {
    case CONFVAL_INT:
    case CONFVAL_ROTATION:
    case CONFVAL_LOGLEVEL:
        *(int *)field = (int)v->i;
        break;
    case CONFVAL_LONG:
        *(long *)field = (long)v->i;
        break;
    case CONFVAL_SIZE:
        *(size_t *)field = (size_t)v->i;
        break;
    case CONFVAL_BOOL:
        *(bool *)field = v->i != 0;
        break;
    case CONFVAL_DAY:
        ((int *)field)[0] = v->on;
        ((int *)field)[1] = v->off;
        break;
    default:
        break;
    }
}

void confval_view(enum confval_type t, const void *field, struct confval *v)
{
    memset(v, 0, sizeof(*v));
    if (confval_is_text(t)) {
        v->s = *(char *const *)field;
        return;
    }
    switch (t) {
    case CONFVAL_INT:
    case CONFVAL_ROTATION:
    case CONFVAL_LOGLEVEL:
        v->i = *(const int *)field;
        break;
    case CONFVAL_LONG:
        v->i = *(const long *)field;
        break;
    case CONFVAL_SIZE:
        v->i = (long long)*(const size_t *)field;
        break;
    case CONFVAL_BOOL:
        v->i = *(const bool *)field;
        break;
    case CONFVAL_DAY:
        v->on = ((const int *)field)[0];
        v->off = ((const int *)field)[1];
        break;
    default:
        break;
    }
}

void confval_print(enum confval_type t, const struct confval *v, FILE *out)
{
    char buf[64];
    if (confval_is_text(t)) {
        const char *s = v->s;
        if (!s)
            return;
        size_t l = strlen(s);
        /* Quotes keep edge spaces, quotes, and a leading ';' that inih
         * would take for a comment. */
        bool quote = l > 0 && (s[0] == ' ' || s[l - 1] == ' ' || s[0] == ';' ||
                               (s[0] == '"' && s[l - 1] == '"'));
        fprintf(out, quote ? "\"%s\"" : "%s", s);
        return;
    }
    switch (t) {
    case CONFVAL_INT:
    case CONFVAL_LONG:
    case CONFVAL_ROTATION:
        fprintf(out, "%lld", v->i);
        break;
    case CONFVAL_SIZE:
        format_size(v->i, buf, sizeof(buf));
        fputs(buf, out);
        break;
    case CONFVAL_BOOL:
        fputs(v->i ? "yes" : "no", out);
        break;
    case CONFVAL_LOGLEVEL:
        fputs(v->i <= LOG_LEVEL_ERR    ? "error"
              : v->i == LOG_LEVEL_WARN ? "warning"
              : v->i <= LOG_LEVEL_INFO ? "info"
                                       : "debug",
              out);
        break;
    case CONFVAL_SITES:
        for (size_t i = 0; i < v->n; i++)
            fprintf(out, "%s%s", i ? ", " : "", v->list[i]);
        break;
    case CONFVAL_DAY:
        if (v->on == CONFIG_DAY_OFF)
            fputs("off", out);
        else if (v->on == v->off)
            fputs("on", out);
        else
            fprintf(out, "%02d:%02d-%02d:%02d", v->on / 60, v->on % 60, v->off / 60,
                    v->off % 60);
        break;
    default:
        break;
    }
}

const char *confval_type_doc(enum confval_type t, long long min, long long max,
                             char *buf, size_t len)
{
    char lo[32], hi[32];
    switch (t) {
    case CONFVAL_STR: return "text";
    case CONFVAL_URL: return "URL or path";
    case CONFVAL_DIR: return "absolute path of a directory";
    case CONFVAL_OUTPUT: return "absolute path of a file";
    case CONFVAL_PEM: return "absolute path of a PEM file";
    case CONFVAL_KEYS: return "minisign public keys or .pub files";
    case CONFVAL_DRIVER: return "driver name";
    case CONFVAL_CMD: return "shell command";
    case CONFVAL_INT:
    case CONFVAL_LONG:
        snprintf(buf, len, "%lld – %lld", min, max);
        return buf;
    case CONFVAL_SIZE:
        format_size(min, lo, sizeof(lo));
        format_size(max, hi, sizeof(hi));
        snprintf(buf, len, "%s – %s bytes", lo, hi);
        return buf;
    case CONFVAL_BOOL: return "yes / no";
    case CONFVAL_ROTATION: return "0, 90, 180, 270";
    case CONFVAL_LOGLEVEL: return "error, warning, info, debug";
    case CONFVAL_LANG: return "zh-CN, en";
    case CONFVAL_SITES: return "comma list of tags";
    case CONFVAL_DAY: return "HH:MM-HH:MM, on, off";
    }
    return "";
}
