#define LOG_MODULE "feed"
#include "jsonpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feedreport.h"
#include "log.h"
#include "utf8.h"

/* ------------------------------------------------------------- scanning */

struct scan {
    const char *s;
    size_t len, i;
    int line, col;
    bool bad;
};

static void sc_adv(struct scan *sc)
{
    unsigned char ch = (unsigned char)sc->s[sc->i++];
    if (ch == '\n') {
        sc->line++;
        sc->col = 1;
    } else if ((ch & 0xC0) != 0x80) {
        sc->col++;
    }
}

static void linecol(const char *s, size_t len, size_t off, int *line, int *col)
{
    struct scan sc = {.s = s, .len = len, .line = 1, .col = 1};
    while (sc.i < off && sc.i < len)
        sc_adv(&sc);
    *line = sc.line;
    *col = sc.col;
}

/* Bracket depth outside strings, before jansson sees the bytes, so that a
 * file of 100000 '[' is turned away at the 33rd.  Returns the offset + 1
 * of the first bracket that goes too deep, or 0. */
static size_t depth_scan(const char *s, size_t len, int max_depth)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max_depth)
                return i + 1;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

/* ----------------------------------------------------- jansson's errors */

/* jansson reports where its lexer stopped, after the offending token, and
 * in words meant for programmers.  Point at the token's start instead (the
 * token is the text quoted after "near") and say it plainly. */
static void report_json_error(struct feed_report *rep, const char *s, size_t len,
                              const json_error_t *e)
{
    const char *text = e->text;
    size_t pos = e->position > 0 ? (size_t)e->position : 0;
    const char *near = strstr(text, " near '");
    size_t near_len = 0;
    bool at_eof = strstr(text, "near end of file") != NULL;
    if (near && !at_eof) {
        const char *q = near + 7;
        const char *end = strrchr(q, '\'');
        if (end && end >= q)
            near_len = (size_t)(end - q);
    }
    size_t off = pos;
    /* These two stop in front of the offending byte itself. */
    bool bad_byte = strncmp(text, "unable to decode byte", 21) == 0;
    bool control = strncmp(text, "control character", 17) == 0;
    if (!bad_byte && !control && !at_eof) {
        if (near_len > 0 && near_len <= pos)
            off = pos - near_len;
        else if (pos > 0)
            off = pos - 1;
    }
    int line, col;
    linecol(s, len, off, &line, &col);

    char near_txt[64] = "";
    if (near && !at_eof)
        snprintf(near_txt, sizeof(near_txt), "%s", near);
    int tlen = (int)(near ? (size_t)(near - text) : strlen(text));
    const char *tok = near ? near + 7 : "";
    const char *hint = "";
    if (near_len > 0 && tok[0] == '\'')
        hint = " (keys and texts take double quotes \")";
    else if (near_len >= 3 && (strncmp(tok, "“", 3) == 0 || strncmp(tok, "”", 3) == 0))
        hint = " (use straight double quotes \" instead of “ ”)";
    else if (near_len == 1 && (tok[0] == ']' || tok[0] == '}'))
        hint = " (a comma too many before it?)";
    else if (text[0] == '\'' && strstr(text, "' expected"))
        hint = " (a missing comma?)";

#define JERR(...) feed_report_add(rep, false, line, col, "", __VA_ARGS__)
    if (bad_byte) {
        JERR("invalid UTF-8 (%.*s); save the file as UTF-8", tlen, text);
    } else if (control) {
        JERR("invalid JSON: %.*s in a text; write \\n for a new line, \\t for a tab",
             tlen, text);
    } else if (strncmp(text, "unexpected newline", 18) == 0) {
        JERR("invalid JSON: this text does not end on its line (a missing \"?)");
    } else if (strncmp(text, "\\u0000 is not allowed", 21) == 0 ||
               strncmp(text, "NUL byte in object key", 22) == 0) {
        JERR("text may not contain \\u0000 (a NUL character)");
    } else if (strncmp(text, "end of file expected", 20) == 0) {
        JERR("unexpected text after the end of the feed%s", near_txt);
    } else if (strncmp(text, "duplicate object key", 20) == 0 && near_len > 0) {
        JERR("duplicate key %.*s; each key may appear once", (int)near_len, tok);
    } else if (strncmp(text, "'[' or '{' expected", 19) == 0) {
        if (at_eof)
            JERR("the feed is empty");
        else
            JERR(FEED_MSG_NOT_OBJECT);
    } else if (at_eof) {
        JERR("invalid JSON: the text ends too early (an unclosed \" [ or {?)");
    } else {
        JERR("invalid JSON: %.*s%s%s", tlen, text, near_txt, hint);
    }
#undef JERR
}

/* -------------------------------------------------------- position index */

static void sc_ws(struct scan *sc)
{
    while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
        sc_adv(sc);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int sc_hex4(struct scan *sc)
{
    if (sc->len - sc->i < 4)
        return -1;
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(sc->s[sc->i + (size_t)k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    for (int k = 0; k < 4; k++)
        sc_adv(sc);
    return v;
}

/* At the opening quote.  With out, decodes into a new buffer (decoded text
 * is never longer than the escaped text, plus room for the NUL). */
static void sc_string(struct scan *sc, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t n = 0;
    sc_adv(sc);
    if (out) {
        const char *q = sc->s + sc->i;
        const char *end = sc->s + sc->len;
        size_t cap = 1;
        for (bool esc = false; q < end; q++, cap++) {
            if (!esc && *q == '"')
                break;
            esc = !esc && *q == '\\';
        }
        buf = malloc(cap);
        if (!buf) {
            sc->bad = true;
            return;
        }
    }
    while (sc->i < sc->len && sc->s[sc->i] != '"') {
        char ch = sc->s[sc->i];
        if (ch != '\\') {
            if (buf)
                buf[n++] = ch;
            sc_adv(sc);
            continue;
        }
        sc_adv(sc);
        if (sc->i >= sc->len)
            break;
        char e = sc->s[sc->i];
        sc_adv(sc);
        char r = e;
        switch (e) {
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': {
            int cp = sc_hex4(sc);
            if (cp < 0) {
                sc->bad = true;
                break;
            }
            uint32_t u = (uint32_t)cp;
            if (u >= 0xD800 && u < 0xDC00 && sc->len - sc->i >= 6 &&
                sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
                sc_adv(sc);
                sc_adv(sc);
                int lo = sc_hex4(sc);
                if (lo >= 0xDC00 && lo < 0xE000)
                    u = 0x10000 + ((u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            }
            if (buf)
                n += utf8_encode(u, buf + n);
            continue;
        }
        default: break;
        }
        if (buf)
            buf[n++] = r;
    }
    if (sc->i >= sc->len) {
        sc->bad = true; /* unterminated: jansson would have refused it */
    } else {
        sc_adv(sc);
    }
    if (out) {
        buf[n] = '\0';
        *out = buf;
        *out_len = n;
    }
}

void jsonpos_free(struct jsonpos *p)
{
    if (!p || !p->kids)
        return;
    if (p->kind == '{') {
        struct jsonpos_member *m = p->kids;
        for (unsigned i = 0; i < p->n; i++) {
            free(m[i].key);
            jsonpos_free(&m[i].val);
        }
    } else {
        struct jsonpos *e = p->kids;
        for (unsigned i = 0; i < p->n; i++)
            jsonpos_free(&e[i]);
    }
    free(p->kids);
    p->kids = NULL;
    p->n = 0;
}

static bool grow(void **kids, unsigned n, unsigned *cap, size_t size)
{
    if (n < *cap)
        return true;
    unsigned ncap = *cap ? *cap * 2 : 4;
    void *nk = realloc(*kids, (size_t)ncap * size);
    if (!nk)
        return false;
    *kids = nk;
    *cap = ncap;
    return true;
}

/* Depth is bounded by depth_scan() already; 64 is a second fence. */
static void sc_value(struct scan *sc, struct jsonpos *p, int depth)
{
    memset(p, 0, sizeof(*p));
    sc_ws(sc);
    p->line = sc->line;
    p->col = sc->col;
    if (sc->i >= sc->len || depth > 64) {
        sc->bad = true;
        return;
    }
    char ch = sc->s[sc->i];
    if (ch == '"') {
        sc_string(sc, NULL, NULL);
        return;
    }
    if (ch != '{' && ch != '[') {
        while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
            sc_adv(sc);
        return;
    }
    char close = ch == '{' ? '}' : ']';
    unsigned cap = 0;
    p->kind = ch;
    sc_adv(sc);
    sc_ws(sc);
    if (sc->i < sc->len && sc->s[sc->i] == close) {
        sc_adv(sc);
        return;
    }
    while (!sc->bad) {
        sc_ws(sc);
        if (ch == '{') {
            if (sc->i >= sc->len || sc->s[sc->i] != '"' ||
                !grow(&p->kids, p->n, &cap, sizeof(struct jsonpos_member))) {
                sc->bad = true;
                return;
            }
            struct jsonpos_member *m = (struct jsonpos_member *)p->kids + p->n;
            memset(m, 0, sizeof(*m));
            m->line = sc->line;
            m->col = sc->col;
            sc_string(sc, &m->key, &m->klen);
            if (sc->bad)
                return;
            p->n++;
            sc_ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] != ':') {
                sc->bad = true;
                return;
            }
            sc_adv(sc);
            sc_value(sc, &m->val, depth + 1);
        } else {
            if (!grow(&p->kids, p->n, &cap, sizeof(struct jsonpos))) {
                sc->bad = true;
                return;
            }
            struct jsonpos *e = (struct jsonpos *)p->kids + p->n;
            p->n++;
            sc_value(sc, e, depth + 1);
        }
        sc_ws(sc);
        if (sc->i >= sc->len) {
            sc->bad = true;
            return;
        }
        if (sc->s[sc->i] == ',') {
            sc_adv(sc);
            continue;
        }
        if (sc->s[sc->i] == close)
            sc_adv(sc);
        else
            sc->bad = true;
        return;
    }
}

const struct jsonpos_member *jsonpos_member(const struct jsonpos *o, const char *key)
{
    if (!o || o->kind != '{')
        return NULL;
    size_t kl = strlen(key);
    const struct jsonpos_member *m = o->kids;
    for (unsigned i = 0; i < o->n; i++)
        if (m[i].klen == kl && memcmp(m[i].key, key, kl) == 0)
            return &m[i];
    return NULL;
}

const struct jsonpos *jsonpos_elem(const struct jsonpos *a, size_t i)
{
    if (!a || a->kind != '[' || i >= a->n)
        return NULL;
    return (const struct jsonpos *)a->kids + i;
}

/* ------------------------------------------------------------ loading */

/* Checks what can be checked on the raw bytes.  Returns the offset where
 * JSON starts (after a BOM), or -1 when the feed is rejected already. */
static long precheck(struct feed_report *rep, const char *bytes, size_t len,
                     const struct feed_limits *lim)
{
    if (len > lim->max_bytes) {
        feed_report_add(rep, false, 1, 1, "", "the feed is %zu bytes, more than the limit of %zu",
                        len, lim->max_bytes);
        return -1;
    }
    const unsigned char *u = (const unsigned char *)bytes;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        feed_report_add(rep, false, 1, 1, "", "the file is UTF-16; save it as UTF-8");
        return -1;
    }
    /* jansson would take a raw NUL for the end of the text. */
    const char *nul = memchr(bytes, '\0', len);
    if (nul) {
        int line, col;
        linecol(bytes, len, (size_t)(nul - bytes), &line, &col);
        feed_report_add(rep, false, line, col, "",
                        "the file contains a NUL byte; is it a text file?");
        return -1;
    }
    long start = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        /* Windows editors like to write one; harmless, but say so. */
        feed_report_add(rep, true, 1, 1, "",
                        "the file starts with a byte order mark (BOM); it is ignored, "
                        "but better saved as \"UTF-8\" without BOM");
        start = 3;
    }
    size_t deep = depth_scan(bytes + start, len - (size_t)start, lim->max_depth);
    if (deep) {
        int line, col;
        linecol(bytes + start, len - (size_t)start, deep - 1, &line, &col);
        feed_report_add(rep, false, line, col, "",
                        "nested too deeply: at most %d levels of [ ] and { }", lim->max_depth);
        return -1;
    }
    return start;
}

json_t *jsonpos_load(const char *bytes, size_t len, const struct feed_limits *lim,
                     struct feed_report *rep, struct jsonpos *index)
{
    memset(index, 0, sizeof(*index));
    if (!bytes)
        bytes = ""; /* no text (len 0): "the feed is empty" */
    long start = precheck(rep, bytes, len, lim);
    if (start < 0)
        return NULL;
    const char *text = bytes + start;
    size_t tlen = len - (size_t)start;

    json_error_t jerr;
    /* No JSON_DISABLE_EOF_CHECK (trailing text is an error), no
     * JSON_ALLOW_NUL, no JSON_DECODE_ANY (the top is an object); integers as
     * reals so that a huge number gets our range message, not an overflow. */
    json_t *root = json_loadb(text, tlen, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                              &jerr);
    if (!root) {
        report_json_error(rep, text, tlen, &jerr);
        return NULL;
    }
    struct scan sc = {.s = text, .len = tlen, .line = 1, .col = 1};
    sc_value(&sc, index, 0);
    if (sc.bad)
        LOG_WARN("position index incomplete; some problems will lack line:column");
    return root;
}
