/* Bidirectional text through ICU.  ICU works in UTF-16, the rest of the
 * program in UTF-8, so the line is converted once with a table from
 * UTF-16 index back to byte offset. */
#include "text_bidi.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <unicode/ubidi.h>
#include <unicode/uchar.h>

/* Lines are a few hundred bytes; ubidi's own limit is INT32_MAX units. */
#define MAX_BIDI_BYTES (1u << 20)

static bool is_isolate_start(UCharDirection d)
{
    return d == U_LEFT_TO_RIGHT_ISOLATE || d == U_RIGHT_TO_LEFT_ISOLATE ||
           d == U_FIRST_STRONG_ISOLATE;
}

bool text_bidi_rtl(const char *s, size_t len)
{
    int isolates = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        UCharDirection d = u_charDirection((UChar32)utf8_decode(s + i, len - i, &adv));
        i += adv;
        if (is_isolate_start(d)) {
            isolates++;
        } else if (d == U_POP_DIRECTIONAL_ISOLATE) {
            if (isolates > 0)
                isolates--;
        } else if (isolates == 0 && d == U_LEFT_TO_RIGHT) {
            return false;
        } else if (isolates == 0 &&
                   (d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC)) {
            return true;
        }
    }
    return false;
}

/* Whether anything in s could be laid out right to left. */
static bool needs_bidi(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        i += adv;
        if (cp < 0x590)
            continue; /* Latin, Greek, Cyrillic: nothing to reorder */
        switch (u_charDirection((UChar32)cp)) {
        case U_RIGHT_TO_LEFT:
        case U_RIGHT_TO_LEFT_ARABIC:
        case U_ARABIC_NUMBER:
        case U_RIGHT_TO_LEFT_EMBEDDING:
        case U_RIGHT_TO_LEFT_OVERRIDE:
        case U_RIGHT_TO_LEFT_ISOLATE:
        case U_FIRST_STRONG_ISOLATE:
            return true;
        default:
            break;
        }
    }
    return false;
}

/* s as UTF-16 in *u16 and, for each unit, the byte offset of its code
 * point in *off (off[n] = len).  Returns n or -1. */
static int32_t to_utf16(const char *s, size_t len, UChar **u16, size_t **off)
{
    *u16 = malloc((len + 1) * sizeof(**u16));
    *off = malloc((len + 1) * sizeof(**off));
    if (!*u16 || !*off)
        return -1;
    int32_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        if (cp >= 0x10000) {
            (*u16)[n] = (UChar)(0xd7c0 + (cp >> 10));
            (*off)[n++] = i;
            (*u16)[n] = (UChar)(0xdc00 | (cp & 0x3ff));
        } else {
            (*u16)[n] = (UChar)cp;
        }
        (*off)[n++] = i;
        i += adv;
    }
    (*off)[n] = len;
    return n;
}

static int one_run(size_t len, bool rtl, struct text_bidi_run **runs)
{
    *runs = malloc(sizeof(**runs));
    if (!*runs)
        return -1;
    (*runs)[0] = (struct text_bidi_run){0, len, rtl};
    return 1;
}

int text_bidi_runs(const char *s, size_t len, bool rtl, struct text_bidi_run **runs)
{
    *runs = NULL;
    if (len == 0)
        return 0;
    if (!rtl && !needs_bidi(s, len))
        return one_run(len, false, runs);
    if (len > MAX_BIDI_BYTES)
        return -1;
    UChar *u16;
    size_t *off;
    int32_t n = to_utf16(s, len, &u16, &off);
    UErrorCode err = U_ZERO_ERROR;
    UBiDi *bidi = n < 0 ? NULL : ubidi_openSized(n, 0, &err);
    int count = -1;
    if (bidi) {
        ubidi_setPara(bidi, u16, n, rtl ? UBIDI_RTL : UBIDI_LTR, NULL, &err);
        int32_t nr = U_SUCCESS(err) ? ubidi_countRuns(bidi, &err) : -1;
        if (U_SUCCESS(err) && nr > 0)
            *runs = malloc((size_t)nr * sizeof(**runs));
        for (int32_t i = 0; *runs && i < nr; i++) {
            int32_t start, length;
            UBiDiDirection d = ubidi_getVisualRun(bidi, i, &start, &length);
            (*runs)[i] =
                (struct text_bidi_run){off[start], off[start + length], d == UBIDI_RTL};
        }
        if (*runs)
            count = (int)nr;
        ubidi_close(bidi);
    }
    free(u16);
    free(off);
    return count;
}
