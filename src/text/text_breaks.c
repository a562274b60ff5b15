/* Where a line of Chinese (or mixed) text may end.
 *
 * ICU supplies the break opportunities (UAX #14 with its CJK rules); a
 * small kinsoku filter on top removes the few opportunities ICU allows but
 * clreq's basic rules forbid (ICU breaks before "·" and "～", for
 * instance).  UAX #14 allows a break between any two ideographs, even
 * inside a word ("一/体", "重/任"), so ICU's dictionary-based word break
 * iterator tells which opportunities are also word boundaries; the wrap
 * prefers those.  Iterators are opened per call: that costs a few
 * microseconds because ICU caches the rule data and the dictionary, and
 * it keeps the module free of shared state.
 */
#define LOG_MODULE "text"
#include "log.h"

#include "text.h"
#include "text_breaks.h"
#include "utf8.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* clreq "basic": may not start a line (plus ASCII closers, which matter
 * when a long word has to be cut between characters). */
static const uint32_t no_start_set[] = {
    0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff01, 0xff1f, /* 、。，．：；！？ */
    0x201d, 0x2019, 0x300d, 0x300f, 0xff09, 0xff3d, 0xff5d,         /* ”’」』）］｝ */
    0x3015, 0x3011, 0x3017, 0x300b, 0x3009, 0x3019, 0x301b,         /* 〕】〗》〉〙〛 */
    0x00b7, 0x30fb, 0x2027, 0x2013, 0xff5e, 0x301c,                 /* ·・‧–～〜 */
    ',', '.', ':', ';', '!', '?', ')', ']', '}',
};

/* May not end a line. */
static const uint32_t no_end_set[] = {
    0x201c, 0x2018, 0x300c, 0x300e, 0xff08, 0xff3b, 0xff5b, /* “‘「『（［｛ */
    0x3014, 0x3010, 0x3016, 0x300a, 0x3008, 0x3018, 0x301a, /* 〔【〖《〈〘〚 */
    '(', '[', '{',
};

/* Characters used doubled ("——", "……") that must stay together. */
static const uint32_t pair_set[] = {0x2014, 0x2015, 0x2026};

static bool in_set(uint32_t cp, const uint32_t *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == cp)
            return true;
    return false;
}

bool text_breaks_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0x3000;
}

static uint32_t cp_at(const char *s, size_t pos, size_t end, size_t *adv)
{
    return utf8_decode(s + pos, end - pos, adv);
}

static uint32_t cp_before(const char *s, size_t start, size_t pos)
{
    size_t adv;
    size_t p = utf8_prev(s, start, pos);
    return utf8_decode(s + p, pos - p, &adv);
}

size_t text_breaks_trim(const char *s, size_t start, size_t end)
{
    while (end > start && text_breaks_is_space(cp_before(s, start, end)))
        end = utf8_prev(s, start, end);
    return end;
}

size_t text_breaks_skip(const char *s, size_t pos, size_t end)
{
    while (pos < end) {
        size_t adv;
        if (!text_breaks_is_space(cp_at(s, pos, end, &adv)))
            break;
        pos += adv;
    }
    return pos;
}

bool text_breaks_allowed(const char *s, size_t start, size_t end, size_t pos)
{
    if (pos <= start || pos >= end)
        return true;
    size_t adv;
    size_t a = text_breaks_skip(s, pos, end);
    if (a < end && in_set(cp_at(s, a, end, &adv), no_start_set, ARRAY_LEN(no_start_set)))
        return false;
    size_t b = text_breaks_trim(s, start, pos);
    if (b > start && in_set(cp_before(s, start, b), no_end_set, ARRAY_LEN(no_end_set)))
        return false;
    uint32_t next = cp_at(s, pos, end, &adv);
    return !(next == cp_before(s, start, pos) &&
             in_set(next, pair_set, ARRAY_LEN(pair_set)));
}

bool text_breaks_no_end(uint32_t cp)
{
    return in_set(cp, no_end_set, ARRAY_LEN(no_end_set));
}

/* An ICU break iterator of the given type over s[0..len) (len > 0), or
 * NULL; close with iter_close. */
static UBreakIterator *iter_open(UBreakIteratorType type, const char *s, size_t len,
                                 UText **ut)
{
    if (len > INT32_MAX)
        return NULL;
    UErrorCode st = U_ZERO_ERROR;
    *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("utext_openUTF8: %s", u_errorName(st));
        return NULL;
    }
    UBreakIterator *bi = ubrk_open(type, "zh", NULL, 0, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("ubrk_open: %s", u_errorName(st));
        utext_close(*ut);
        return NULL;
    }
    ubrk_setUText(bi, *ut, &st);
    if (U_FAILURE(st)) {
        LOG_ERR("ubrk_setUText: %s", u_errorName(st));
        ubrk_close(bi);
        utext_close(*ut);
        return NULL;
    }
    ubrk_first(bi);
    return bi;
}

static void iter_close(UBreakIterator *bi, UText *ut)
{
    ubrk_close(bi);
    utext_close(ut);
}

static int breaks_push(struct text_breaks *b, size_t pos, unsigned char edge)
{
    if (b->n == b->cap) {
        if (b->cap > SIZE_MAX / 2 / sizeof(*b->pos) || b->cap >= INT_MAX / 2)
            return -1;
        size_t ncap = b->cap ? b->cap * 2 : 32;
        size_t *np = realloc(b->pos, ncap * sizeof(*np));
        if (!np)
            return -1;
        b->pos = np;
        unsigned char *ne = realloc(b->edge, ncap * sizeof(*ne));
        if (!ne)
            return -1;
        b->edge = ne;
        b->cap = ncap;
    }
    b->pos[b->n] = pos;
    b->edge[b->n] = edge;
    b->n++;
    return 0;
}

/* Interior boundaries (excluding 0 and len) of s[0..len) by an ICU break
 * iterator of the given type; count or -1. */
static int icu_boundaries(UBreakIteratorType type, const char *s, size_t len,
                          size_t **out)
{
    *out = NULL;
    if (len == 0)
        return 0;
    UText *ut;
    UBreakIterator *bi = iter_open(type, s, len, &ut);
    if (!bi)
        return -1;
    struct text_breaks o = {0};
    int rc = 0;
    for (int32_t p = ubrk_next(bi); p != UBRK_DONE && rc == 0; p = ubrk_next(bi))
        if (p > 0 && (size_t)p < len)
            rc = breaks_push(&o, (size_t)p, 0);
    iter_close(bi, ut);
    free(o.edge);
    if (rc < 0) {
        free(o.pos);
        return -1;
    }
    *out = o.pos;
    return (int)o.n;
}

/* Whether the word segment s[a..b) that ICU's iterator just passed is a
 * single ideograph. */
static bool single_ideograph(UBreakIterator *bi, const char *s, size_t a, size_t b)
{
    int32_t status = ubrk_getRuleStatus(bi);
    size_t adv;
    utf8_decode(s + a, b - a, &adv);
    return status >= UBRK_WORD_IDEO && status < UBRK_WORD_IDEO_LIMIT && adv == b - a;
}

/* Interior word boundaries of s[0..len), each tagged TEXT_WORD_EDGE or
 * TEXT_WORD_GUESS.  ICU segments a run of ideographs its dictionary has
 * no word for into single characters ("名|师", "好|评", "互|联|网"): a
 * boundary between two single ideographs is where it knew no word, not
 * where it knew two.  o starts empty. */
static int word_edges(const char *s, size_t len, struct text_breaks *o)
{
    if (len == 0)
        return 0;
    UText *ut;
    UBreakIterator *bi = iter_open(UBRK_WORD, s, len, &ut);
    if (!bi)
        return -1;
    size_t a = 0;
    bool prev_single = false;
    int rc = 0;
    for (int32_t p = ubrk_next(bi); p != UBRK_DONE && rc == 0; p = ubrk_next(bi)) {
        if (p <= 0 || (size_t)p <= a || (size_t)p > len)
            continue;
        bool single = single_ideograph(bi, s, a, (size_t)p);
        /* The boundary before this segment (at a, pushed last) is known
         * now. */
        if (o->n > 0)
            o->edge[o->n - 1] = prev_single && single ? TEXT_WORD_GUESS : TEXT_WORD_EDGE;
        if ((size_t)p < len)
            rc = breaks_push(o, (size_t)p, TEXT_WORD_EDGE);
        a = (size_t)p;
        prev_single = single;
    }
    iter_close(bi, ut);
    return rc;
}

int text_breaks_graphemes(const char *s, size_t len, size_t **out)
{
    return icu_boundaries(UBRK_CHARACTER, s, len, out);
}

int text_break_points(const char *s, size_t len, size_t **out)
{
    int n = icu_boundaries(UBRK_LINE, s, len, out);
    if (n <= 0)
        return n;
    size_t *v = *out;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (text_breaks_allowed(s, 0, len, v[i]))
            v[k++] = v[i];
    return k;
}

int text_breaks_add(struct text_breaks *b, const char *s, size_t ps, size_t pe)
{
    size_t *bp;
    int nb = text_break_points(s + ps, pe - ps, &bp);
    if (nb < 0)
        return -1;
    struct text_breaks we = {0};
    int rc = word_edges(s + ps, pe - ps, &we);
    /* Both lists ascend: one merge pass tags the line breaks. */
    size_t w = 0;
    for (int k = 0; k < nb && rc == 0; k++) {
        while (w < we.n && we.pos[w] < bp[k])
            w++;
        bool at = w < we.n && we.pos[w] == bp[k];
        rc = breaks_push(b, ps + bp[k], at ? we.edge[w] : TEXT_WORD_INSIDE);
    }
    if (rc == 0)
        rc = breaks_push(b, pe, TEXT_WORD_EDGE);
    free(bp);
    text_breaks_free(&we);
    return rc;
}

void text_breaks_free(struct text_breaks *b)
{
    if (!b)
        return;
    free(b->pos);
    free(b->edge);
    memset(b, 0, sizeof(*b));
}
