#include "feedval.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "feedreport.h"
#include "feedtime.h"
#include "utf8.h"

/* ------------------------------------------------------- path, messages */

/* The length of s cut to at most max bytes at a character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static size_t path_push(struct feedval *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static size_t path_push(struct feedval *c, const char *fmt, ...)
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

size_t feedval_path_key(struct feedval *c, const char *key)
{
    /* A runaway key (4 KiB of it) would drown the message. */
    size_t len = strlen(key);
    size_t n = utf8_cut(key, len, 48);
    return path_push(c, "%s%.*s%s", c->plen ? "." : "", (int)n, key, n < len ? "…" : "");
}

size_t feedval_path_idx(struct feedval *c, size_t i)
{
    return path_push(c, "[%zu]", i);
}

void feedval_path_pop(struct feedval *c, size_t mark)
{
    c->plen = mark;
    c->path[mark] = '\0';
}

static void diag(struct feedval *c, bool warning, const struct jsonpos *p,
                 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void diag(struct feedval *c, bool warning, const struct jsonpos *p,
                 const char *fmt, va_list ap)
{
    feed_report_vadd(c->rep, warning, p ? p->line : 0, p ? p->col : 0, c->path, fmt, ap);
}

void feedval_err(struct feedval *c, const struct jsonpos *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag(c, false, p, fmt, ap);
    va_end(ap);
}

void feedval_warn(struct feedval *c, const struct jsonpos *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag(c, true, p, fmt, ap);
    va_end(ap);
}

void feedval_oom(struct feedval *c)
{
    if (!c->oom)
        feed_report_add(c->rep, false, 1, 1, "", "out of memory");
    c->oom = true;
}

char *feedval_strdup(struct feedval *c, const char *s)
{
    char *r = strdup(s);
    if (!r)
        feedval_oom(c);
    return r;
}

const char *feedval_quote(const char *s, char buf[64])
{
    size_t len = strlen(s);
    size_t n = utf8_cut(s, len, 40);
    snprintf(buf, 64, "\"%.*s%s\"", (int)n, s, n < len ? "…" : "");
    return buf;
}

void feedval_enum_msg(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "must be ");
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"",
                              i == 0       ? ""
                              : i + 1 == n ? " or "
                                           : ", ",
                              names[i]);
}

/* --------------------------------------------------------------- fields */

bool feedval_field(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const char *key, struct feedval_field *f)
{
    f->v = json_object_get(obj, key);
    f->mark = feedval_path_key(c, key);
    const struct jsonpos_member *m = f->v ? jsonpos_member(po, key) : NULL;
    f->p = m ? &m->val : po;
    return f->v != NULL;
}

void feedval_field_end(struct feedval *c, struct feedval_field *f)
{
    feedval_path_pop(c, f->mark);
}

void feedval_missing(struct feedval *c, const struct feedval_field *f)
{
    feedval_err(c, f->p, "required field is missing");
}

bool feedval_string(struct feedval *c, json_t *v, const struct jsonpos *p, bool nonempty,
                    char **out)
{
    if (!json_is_string(v)) {
        feedval_err(c, p, "must be a string");
        return false;
    }
    if (json_string_length(v) == 0) {
        if (nonempty) {
            feedval_err(c, p, "must not be empty");
            return false;
        }
        return true; /* an empty optional text is the same as none */
    }
    *out = feedval_strdup(c, json_string_value(v));
    return *out != NULL;
}

void feedval_opt_string(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, bool required, char **out)
{
    struct feedval_field f;
    if (feedval_field(c, obj, po, key, &f))
        feedval_string(c, f.v, f.p, required, out);
    else if (required)
        feedval_missing(c, &f);
    feedval_field_end(c, &f);
}

bool feedval_opt_number(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, double lo, double hi, const char *msg,
                        double *out)
{
    struct feedval_field f;
    bool ok = false;
    if (feedval_field(c, obj, po, key, &f)) {
        double x = json_is_number(f.v) ? json_number_value(f.v) : NAN;
        if (isnan(x) || x < lo || x > hi)
            feedval_err(c, f.p, "%s", msg);
        else
            ok = true, *out = x;
    }
    feedval_field_end(c, &f);
    return ok;
}

bool feedval_opt_bool(struct feedval *c, json_t *obj, const struct jsonpos *po,
                      const char *key, bool *out)
{
    struct feedval_field f;
    bool ok = false;
    if (feedval_field(c, obj, po, key, &f)) {
        if (json_is_boolean(f.v))
            ok = true, *out = json_is_true(f.v);
        else
            feedval_err(c, f.p, "must be true or false");
    }
    feedval_field_end(c, &f);
    return ok;
}

int feedval_opt_enum(struct feedval *c, json_t *obj, const struct jsonpos *po,
                     const char *key, const char *const *names, size_t n)
{
    struct feedval_field f;
    int r = -1;
    if (feedval_field(c, obj, po, key, &f)) {
        const char *s = json_string_value(f.v);
        for (size_t i = 0; s && i < n; i++)
            if (strcmp(s, names[i]) == 0)
                r = (int)i;
        if (r < 0) {
            char msg[256];
            feedval_enum_msg(names, n, msg, sizeof(msg));
            feedval_err(c, f.p, "%s", msg);
        }
    }
    feedval_field_end(c, &f);
    return r;
}

bool feedval_opt_time(struct feedval *c, json_t *obj, const struct jsonpos *po,
                      const char *key, bool required, struct feed_time *out)
{
    struct feedval_field f;
    bool ok = false;
    if (feedval_field(c, obj, po, key, &f)) {
        char q[64];
        if (!json_is_string(f.v))
            feedval_err(c, f.p, "must be a time such as " FEEDTIME_HINT);
        else if (!feedtime_parse(json_string_value(f.v), out))
            feedval_err(c, f.p, "%s is not a valid time; write it as " FEEDTIME_HINT,
                        feedval_quote(json_string_value(f.v), q));
        else
            ok = true;
    } else if (required) {
        feedval_missing(c, &f);
    }
    feedval_field_end(c, &f);
    return ok;
}

void feedval_order(struct feedval *c, json_t *obj, const struct jsonpos *po,
                   const struct feed_time *from, const struct feed_time *until,
                   const char *from_name)
{
    if (!from->set || !until->set || feedtime_end(until) > from->t)
        return;
    struct feedval_field f;
    feedval_field(c, obj, po, "until", &f);
    feedval_err(c, f.p, "must be later than %s", from_name);
    feedval_field_end(c, &f);
}

bool feedval_colour(const char *s, uint32_t *out)
{
    /* strtoul alone would also take "#+1f2e3" or "# 1f2e3". */
    if (strlen(s) != 7 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != 6)
        return false;
    *out = (uint32_t)strtoul(s + 1, NULL, 16);
    return true;
}

void feedval_opt_colour(struct feedval *c, json_t *obj, const struct jsonpos *po,
                        const char *key, uint32_t *out)
{
    struct feedval_field f;
    if (feedval_field(c, obj, po, key, &f)) {
        const char *s = json_string_value(f.v);
        if (!s || !feedval_colour(s, out))
            feedval_err(c, f.p, "must be a colour written \"#rrggbb\", e.g. \"#0b3d91\"");
    }
    feedval_field_end(c, &f);
}

/* ---------------------------------------------------------------- lists */

bool feedval_list(struct feedval *c, json_t *v, const struct jsonpos *p, size_t min,
                  size_t max, const char *msg, size_t *n)
{
    *n = json_array_size(v);
    if (json_is_array(v) && *n >= min && *n <= max)
        return true;
    if (json_is_array(v) && *n > 0)
        feedval_err(c, p, "%s (found %zu)", msg, *n);
    else
        feedval_err(c, p, "%s", msg);
    return false;
}

char **feedval_strv(struct feedval *c, json_t *v, const struct jsonpos *p, size_t min,
                    size_t max, const char *msg, size_t *n_out)
{
    size_t n;
    *n_out = 0;
    if (!feedval_list(c, v, p, min, max, msg, &n))
        return NULL;
    char **r = calloc(n ? n : 1, sizeof(*r));
    if (!r) {
        feedval_oom(c);
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        size_t mark = feedval_path_idx(c, i);
        ok &= feedval_string(c, json_array_get(v, i), jsonpos_elem(p, i), true, &r[i]);
        feedval_path_pop(c, mark);
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

/* Bytes of s holding its first max characters; *chars: how many it has
 * (max + 1 means more). */
static size_t chars_prefix(const char *s, size_t max, size_t *chars)
{
    size_t len = strlen(s), at = 0, k = 0;
    while (at < len && k <= max) {
        size_t adv;
        utf8_decode(s + at, len - at, &adv);
        if (k == max) {
            k++;
            break;
        }
        at += adv;
        k++;
    }
    *chars = k;
    return at;
}

void feedval_strv_cap(struct feedval *c, const struct jsonpos *p, char **v, size_t *n,
                      size_t max_items, size_t max_chars, const char *what)
{
    size_t left = max_chars, i = 0, kept_chars = 0;
    bool cut = false;
    for (; i < *n && i < max_items; i++) {
        size_t chars;
        size_t bytes = chars_prefix(v[i], left, &chars);
        if (chars > left) {
            cut = true;
            kept_chars = left;
            char *t = left > 0 ? realloc(v[i], bytes + 4) : NULL;
            if (t) {
                memcpy(t + bytes, "\xe2\x80\xa6", 4); /* "…" */
                v[i++] = t;
            } else if (left > 0) {
                feedval_oom(c);
            }
            break;
        }
        left -= chars;
    }
    if (i == *n && !cut)
        return;
    size_t at = cut && kept_chars > 0 ? i - 1 : i;
    size_t dropped = *n - i;
    size_t mark = feedval_path_idx(c, at);
    if (!cut)
        feedval_warn(c, jsonpos_elem(p, at),
                     "%s shows at most %zu texts: this one and the %zu after it are not "
                     "shown",
                     what, max_items, dropped - 1);
    else if (kept_chars > 0)
        feedval_warn(c, jsonpos_elem(p, at),
                     "%s shows at most %zu characters in all: this text is cut after %zu "
                     "characters and the %zu after it are not shown",
                     what, max_chars, kept_chars, dropped);
    else
        feedval_warn(c, jsonpos_elem(p, at),
                     "%s shows at most %zu characters in all: this text and the %zu after "
                     "it are not shown",
                     what, max_chars, dropped - 1);
    feedval_path_pop(c, mark);
    for (size_t k = i; k < *n; k++) {
        free(v[k]);
        v[k] = NULL;
    }
    *n = i;
}

/* ------------------------------------------------------- whole objects */

static bool key_in(const char *const *list, size_t n, const char *key, size_t klen)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(list[k]) == klen && memcmp(list[k], key, klen) == 0)
            return true;
    return false;
}

/* Unknown members are warnings so that older kiosks read newer feeds. */
void feedval_keys(struct feedval *c, json_t *obj, const struct jsonpos *po,
                  const char *const *known, size_t n_known, const char *const *other,
                  size_t n_other, const char *what)
{
    if (po && po->kind == '{' && po->n == json_object_size(obj)) {
        const struct jsonpos_member *m = po->kids;
        for (unsigned i = 0; i < po->n; i++) {
            if ((m[i].klen > 0 && m[i].key[0] == '_') ||
                key_in(known, n_known, m[i].key, m[i].klen) ||
                strlen(m[i].key) != m[i].klen)
                continue;
            struct jsonpos at = {.line = m[i].line, .col = m[i].col};
            size_t mark = feedval_path_key(c, m[i].key);
            if (key_in(other, n_other, m[i].key, m[i].klen))
                feedval_warn(c, &at, "not used by %s (ignored)", what);
            else
                feedval_warn(c, &at, "unknown field (ignored)");
            feedval_path_pop(c, mark);
        }
        return;
    }
    /* No position index (it cannot happen with a document jansson took,
     * but stay useful): name the keys without positions. */
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (key[0] != '_' && !key_in(known, n_known, key, strlen(key))) {
            size_t mark = feedval_path_key(c, key);
            feedval_warn(c, po, "unknown field (ignored)");
            feedval_path_pop(c, mark);
        }
    }
}

static void lengths(struct feedval *c, json_t *v, const struct jsonpos *p, int depth)
{
    size_t max = c->lim->max_string;
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (n > max)
            feedval_err(c, p,
                        "text is too long: %zu bytes, at most %zu (about %zu Chinese "
                        "characters)",
                        n, max, max / 3);
    } else if (json_is_array(v) && depth < 64) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t mark = feedval_path_idx(c, i);
            lengths(c, json_array_get(v, i), jsonpos_elem(p, i), depth + 1);
            feedval_path_pop(c, mark);
        }
    } else if (json_is_object(v) && depth < 64) {
        if (p && p->kind == '{' && p->n == json_object_size(v)) {
            const struct jsonpos_member *m = p->kids;
            for (unsigned i = 0; i < p->n; i++) {
                size_t mark = feedval_path_key(c, m[i].key);
                if (m[i].klen > max) {
                    struct jsonpos at = {.line = m[i].line, .col = m[i].col};
                    feedval_err(c, &at, "key is too long: %zu bytes, at most %zu",
                                m[i].klen, max);
                }
                lengths(c, json_object_getn(v, m[i].key, m[i].klen), &m[i].val,
                        depth + 1);
                feedval_path_pop(c, mark);
            }
        } else {
            const char *key;
            json_t *mv;
            json_object_foreach(v, key, mv)
            {
                size_t mark = feedval_path_key(c, key);
                lengths(c, mv, NULL, depth + 1);
                feedval_path_pop(c, mark);
            }
        }
    }
}

void feedval_lengths(struct feedval *c, json_t *v, const struct jsonpos *p)
{
    lengths(c, v, p, 0);
}
