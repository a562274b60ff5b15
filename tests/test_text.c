/* text: line breaking through the real ICU, measured with a fake font in
 * which CJK characters are px wide and everything below U+1100 px/2. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "text.h"
#include "text_bidi.h"
#include "utf8.h"

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#define PX 10

struct fake {
    long calls;
};

static int fake_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    struct fake *f = ctx;
    if (f)
        f->calls++;
    (void)bold;
    (void)rtl;
    int w = 0;
    size_t i = 0;
    while (i < len) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        w += cp < 0x1100 ? px / 2 : px;
        i += adv;
    }
    return w;
}

static const struct text_measure fake = {fake_measure, NULL};

/* ---- the rules, written independently of the implementation ---- */

static const char *const no_start[] = {
    "、", "。", "，", "．", "：", "；", "！", "？", "”", "’", "」", "』", "）", "］",
    "｝", "〕", "】", "〗", "》", "〉", "·", "・", "‧", "–", "～",
};
static const char *const no_end[] = {
    "“", "‘", "「", "『", "（", "［", "｛", "〔", "【", "〖", "《", "〈",
};

static bool starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *p)
{
    size_t n = strlen(s), k = strlen(p);
    return n >= k && memcmp(s + n - k, p, k) == 0;
}

/* Fails with a message naming the line when a clreq basic rule breaks. */
static void check_kinsoku(const struct text_lines *l, const char *what, int width)
{
    for (int i = 0; i < l->n; i++) {
        const char *s = l->lines[i];
        for (size_t k = 0; k < sizeof(no_start) / sizeof(no_start[0]); k++)
            if (starts_with(s, no_start[k]))
                fail_msg("%s @%d: line %d starts with %s: \"%s\"", what, width, i,
                         no_start[k], s);
        for (size_t k = 0; k < sizeof(no_end) / sizeof(no_end[0]); k++)
            if (ends_with(s, no_end[k]))
                fail_msg("%s @%d: line %d ends with %s: \"%s\"", what, width, i, no_end[k],
                         s);
        if (i + 1 < l->n) {
            const char *t = l->lines[i + 1];
            if ((ends_with(s, "—") && starts_with(t, "—")) ||
                (ends_with(s, "…") && starts_with(t, "…")))
                fail_msg("%s @%d: split between \"%s\" and \"%s\"", what, width, s, t);
        }
        if (ends_with(s, " ") || starts_with(s, " "))
            fail_msg("%s @%d: line %d has a space at an edge: \"%s\"", what, width, i, s);
    }
}

/* text without whitespace, for comparing content across line breaks */
static void squeeze(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 1 < size; s++)
        if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
            out[o++] = *s;
    out[o] = '\0';
}

static void check_content(const struct text_lines *l, const char *text)
{
    static char want[8192], got[8192], joined[8192];
    size_t o = 0;
    joined[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        size_t k = strlen(l->lines[i]);
        assert_true(o + k < sizeof(joined));
        memcpy(joined + o, l->lines[i], k + 1);
        o += k;
    }
    squeeze(text, want, sizeof(want));
    squeeze(joined, got, sizeof(got));
    assert_string_equal(got, want);
}

static void check_widths(const struct text_lines *l, int px)
{
    for (int i = 0; i < l->n; i++) {
        assert_true(utf8_valid(l->lines[i], strlen(l->lines[i])));
        assert_int_equal(l->widths[i],
                         fake_measure(NULL, l->lines[i], strlen(l->lines[i]), px, false, false));
    }
}

/* ---- break points ---- */

static int breaks_as_string(const char *s, char *out, size_t size)
{
    size_t *bp;
    int n = text_break_points(s, strlen(s), &bp);
    assert_true(n >= 0);
    size_t o = 0, prev = 0;
    for (int i = 0; i <= n; i++) {
        size_t end = i < n ? bp[i] : strlen(s);
        assert_true(end > prev);
        assert_true(o + (end - prev) + 2 < size);
        memcpy(out + o, s + prev, end - prev);
        o += end - prev;
        if (i < n)
            out[o++] = '|';
        prev = end;
    }
    out[o] = '\0';
    free(bp);
    return n;
}

static void test_break_points(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"中文", "中|文"},
        {"Hello world", "Hello |world"},
        {"你好，世界。", "你|好，|世|界。"},
        {"（括号）《书名》", "（括|号）|《书|名》"},
        {"破折号——这", "破|折|号|——|这"},
        {"省略号……完", "省|略|号……|完"},
        /* ICU allows these breaks; kinsoku removes them */
        {"中文·中文", "中|文·|中|文"},
        {"一～二", "一～|二"},
        {"2024年12月", "2024|年|12|月"},
        {"GPT-4o模型", "GPT-4o|模|型"},
        /* quotation marks between Chinese characters break like brackets */
        {"他说：“好！”", "他|说：|“好！”"},
        {"坚持“五育并举”，落实", "坚|持|“五|育|并|举”，|落|实"},
        {"“十四五”规划", "“十|四|五”|规|划"},
        {"He said “hi” ok", "He |said |“hi” |ok"},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        breaks_as_string(cases[i].in, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("breaks of \"%s\": got \"%s\", want \"%s\"", cases[i].in, buf,
                     cases[i].want);
    }
    size_t *bp = (size_t *)1;
    assert_int_equal(text_break_points("", 0, &bp), 0);
    assert_null(bp);
    /* Offsets are bytes of the UTF-8 string. */
    assert_int_equal(text_break_points("中文字", strlen("中文字"), &bp), 2);
    assert_int_equal(bp[0], 3);
    assert_int_equal(bp[1], 6);
    free(bp);
    /* Bad bytes: no crash, offsets in range and ascending. */
    const char *bad = "\xff中\xe4\xb8文\xc0\xaf";
    int n = text_break_points(bad, strlen(bad), &bp);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        assert_true(bp[i] > 0 && bp[i] < strlen(bad));
        if (i)
            assert_true(bp[i] > bp[i - 1]);
    }
    free(bp);
}

/* ---- wrap table ---- */

struct wrap_case {
    const char *text;
    int width; /* in px at PX = 10: CJK 10, ASCII 5 */
    const char *want[12];
};

static void test_wrap_table(void **state)
{
    (void)state;
    static const struct wrap_case cases[] = {
        {"全力建成全国有声音", 40, {"全力建成", "全国有声", "音"}},
        {"全力建成全国有声音", 90, {"全力建成全国有声音"}},
        {"Hello world foo", 60, {"Hello world", "foo"}},
        {"Hello world", 30, {"Hello", "world"}},
        {"Hello     world", 30, {"Hello", "world"}},
        /* punctuation never starts a line: the character before moves */
        {"你好，世界。", 20, {"你", "好，", "世", "界。"}},
        {"你好，世界。", 30, {"你好，", "世界。"}},
        {"他说：“好！”", 40, {"他说：", "“好！”"}},
        {"（一）优化布局", 30, {"（一）", "优化布", "局"}},
        {"破折号——这里", 40, {"破折号", "——这里"}},
        {"破折号——这里", 50, {"破折号——", "这里"}},
        {"等等……结束", 30, {"等", "等……", "结束"}},
        {"2024年12月1日召开", 50, {"2024年12月", "1日召开"}},
        {"Mixed 中英 text", 50, {"Mixed 中英", "text"}},
        /* a word wider than the line is the only thing cut */
        {"Supercalifragilisticexpialidocious", 50,
         {"Supercalif", "ragilistic", "expialidoc", "ious"}},
        {"ab https://example.com/very/long/path x", 60,
         {"ab https://", "example.com/", "very/long/", "path x"}},
        /* a cut moves left rather than start a line with "，" */
        {"ABCDEFGHIJ，KLMN", 55, {"ABCDEFGHI", "J，KLMN"}},
        {"ABCDEFGH“IJ”", 50, {"ABCDEFGH", "“IJ”"}},
        /* leading spaces before a word that goes down are not a line */
        {"   verylongword", 30, {"verylo", "ngword"}},
        {"　　缩进的段落", 40, {"　　缩进", "的段落"}},
        /* hard newlines; a final newline adds nothing */
        {"第一行\n第二行", 100, {"第一行", "第二行"}},
        {"a\n\nb", 100, {"a", "", "b"}},
        {"a\r\nb\rc", 100, {"a", "b", "c"}},
        {"a\n   \nb", 100, {"a", "", "b"}},
        {"标题\n", 100, {"标题"}},
        {"一二三 \n四", 30, {"一二三", "四"}},
        /* empty and blank text gives no lines */
        {"", 100, {NULL}},
        {"    ", 100, {NULL}},
        {"\n\n", 100, {NULL}},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct text_lines l;
        assert_int_equal(text_wrap(cases[c].text, cases[c].width, PX, false, 1.5f, &fake, &l),
                         0);
        int want_n = 0;
        while (want_n < 12 && cases[c].want[want_n])
            want_n++;
        bool same = l.n == want_n;
        for (int i = 0; same && i < l.n; i++)
            same = strcmp(l.lines[i], cases[c].want[i]) == 0;
        if (!same) {
            char got[1024];
            size_t o = 0;
            for (int i = 0; i < l.n && o < sizeof(got); i++)
                o += (size_t)snprintf(got + o, sizeof(got) - o, "[%s]", l.lines[i]);
            if (l.n == 0)
                snprintf(got, sizeof(got), "(none)");
            fail_msg("case %zu \"%s\" @%d: got %s", c, cases[c].text, cases[c].width, got);
        }
        check_widths(&l, PX);
        assert_int_equal(l.px, PX);
        assert_int_equal(l.line_h, 15);
        assert_false(l.ellipsized);
        text_lines_free(&l);
    }
}

static void test_wrap_edge_input(void **state)
{
    (void)state;
    struct text_lines l;
    assert_int_equal(text_wrap(NULL, 100, PX, false, 1.2f, &fake, &l), 0);
    assert_int_equal(l.n, 0);
    text_lines_free(&l);
    text_lines_free(&l); /* twice is harmless */
    text_lines_free(NULL);

    /* malformed UTF-8 becomes U+FFFD, never a crash or a loop */
    const char *bad = "\xff\xfe中文\xc0\xaf abc \xe4\xb8 \xed\xa0\x80";
    for (int w = 0; w < 120; w += 7) {
        assert_int_equal(text_wrap(bad, w, PX, false, 1.2f, &fake, &l), 0);
        assert_true(l.n >= 1);
        check_widths(&l, PX);
        text_lines_free(&l);
    }
    /* zero or negative widths: one cluster per line */
    assert_int_equal(text_wrap("中文", -5, PX, false, 1.2f, &fake, &l), 0);
    assert_int_equal(l.n, 2);
    text_lines_free(&l);
    /* combining marks stay with their base when a word is cut */
    assert_int_equal(text_wrap("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 1, PX, false, 1.2f,
                               &fake, &l), 0);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(l.lines[i], "e\xcc\x81");
    text_lines_free(&l);
    /* odd line spacing falls back to 1 */
    assert_int_equal(text_wrap("中", 100, 20, false, NAN, &fake, &l), 0);
    assert_int_equal(l.line_h, 20);
    text_lines_free(&l);
    assert_int_equal(text_wrap("中", 100, 21, false, 1.25f, &fake, &l), 0);
    assert_int_equal(l.line_h, 26); /* lround(26.25) */
    text_lines_free(&l);
    assert_int_equal(text_wrap("中", 100, PX, false, 1.2f, NULL, &l), -1);
}

/* ---- kinsoku over real sentences at many widths ---- */

static const char *const sentences[] = {
    "全力建成全国有声音、全市居前列、群众有好评的教育现代化区域样板。",
    "到2027年，全区学前教育普惠率达到95%以上，义务教育优质均衡发展通过国家督导评估；"
    "普通高中教育多样化特色发展取得新突破。",
    "坚持“五育并举”，落实立德树人根本任务——办好人民满意的教育……",
    "《涪陵区教育事业发展“十四五”规划》指出：要（一）优化布局；（二）提升质量！",
    "校长说：「我们要让每个孩子都享有公平而有质量的教育。」『好』〔注〕【通知】〖重要〗〈附〉",
    "推进“互联网+教育”，建设智慧校园·数字课堂～全覆盖，开展‘双减’工作・课后服务‧社团活动–延时服务。",
    "Mixed 中英文 text with GPT-4o and https://example.com/edu/plan?id=2025 链接。",
    "Education is not the filling of a pail, but the lighting of a fire.",
    "第一段：科学规划。\n第二段——\n第三段……结束。",
    "他沉默了……——然后说：“好！”（完）？",
    "【重点任务】（1）学前教育；（2）义务教育；（3）高中教育？［注］｛附｝。",
    "教师队伍建设：培养市级以上骨干教师300名，区级名师工作室20个；校长职级制改革全面推开。",
};

static void test_wrap_kinsoku_sweep(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof(sentences) / sizeof(sentences[0]); s++) {
        /* from four characters wide (every word of these sentences fits
         * a line, so a kinsoku violation is never forced) to one line */
        for (int w = 4 * PX; w <= 80 * PX; w += PX / 2) {
            struct text_lines l;
            assert_int_equal(text_wrap(sentences[s], w, PX, false, 1.4f, &fake, &l), 0);
            check_kinsoku(&l, sentences[s], w);
            check_content(&l, sentences[s]);
            check_widths(&l, PX);
            for (int i = 0; i < l.n; i++)
                if (l.widths[i] > w)
                    fail_msg("\"%s\" @%d: line %d too wide", sentences[s], w, i);
            /* greedy: a line could not have taken the next line's first
             * word (only checked for CJK-only joins) */
            text_lines_free(&l);
        }
        /* narrower widths cut words; content survives, nothing crashes */
        for (int w = 0; w < 4 * PX; w++) {
            struct text_lines l;
            assert_int_equal(text_wrap(sentences[s], w, PX, false, 1.4f, &fake, &l), 0);
            check_content(&l, sentences[s]);
            text_lines_free(&l);
        }
    }
}

/* ---- word boundaries, straight from ICU's dictionary ---- */

/* Interior word boundaries of s by ICU's word break iterator ("zh"). */
static int word_bounds(const char *s, size_t **out)
{
    size_t len = strlen(s), n = 0;
    size_t *v = calloc(len + 1, sizeof(*v));
    assert_non_null(v);
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
    ubrk_setUText(bi, ut, &st);
    assert_false(U_FAILURE(st));
    ubrk_first(bi);
    for (int32_t p = ubrk_next(bi); p != UBRK_DONE; p = ubrk_next(bi))
        if (p > 0 && (size_t)p < len)
            v[n++] = (size_t)p;
    ubrk_close(bi);
    utext_close(ut);
    *out = v;
    return (int)n;
}

static bool is_in(size_t off, const size_t *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i] == off)
            return true;
    return false;
}

/* Whether s[a..b) is one word of the dictionary: boundaries at both ends
 * and none inside. */
static bool is_word(const char *s, size_t a, size_t b)
{
    size_t *wb;
    int nw = word_bounds(s, &wb);
    bool ok = (a == 0 || is_in(a, wb, nw)) && (b == strlen(s) || is_in(b, wb, nw));
    for (int i = 0; i < nw; i++)
        ok = ok && !(wb[i] > a && wb[i] < b);
    free(wb);
    return ok;
}

/* How each offset of s stands to ICU's words: 2 at a word boundary
 * (and both ends), 1 at a boundary between two single ideographs (ICU's
 * way of segmenting what its dictionary has no word for, as "名|师"), 0
 * inside a word.  lvl has strlen(s) + 1 entries. */
static void word_levels(const char *s, unsigned char *lvl)
{
    size_t len = strlen(s);
    memset(lvl, 0, len + 1);
    lvl[0] = lvl[len] = 2;
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
    ubrk_setUText(bi, ut, &st);
    assert_false(U_FAILURE(st));
    int32_t a = ubrk_first(bi);
    bool prev_single = false;
    for (int32_t b = ubrk_next(bi); b != UBRK_DONE; a = b, b = ubrk_next(bi)) {
        size_t adv;
        int32_t status = ubrk_getRuleStatus(bi);
        utf8_decode(s + a, (size_t)(b - a), &adv);
        bool single = status >= UBRK_WORD_IDEO && status < UBRK_WORD_IDEO_LIMIT &&
                      adv == (size_t)(b - a);
        if (a > 0)
            lvl[a] = prev_single && single ? 1 : 2;
        prev_single = single;
    }
    ubrk_close(bi);
    utext_close(ut);
}

/* The wrap as specified, for one paragraph of text without spaces: each
 * line ends at the last break point where it fits; when that is not a
 * word boundary (level 2), at the last break point before it that is, if
 * the line stays fill % full; failing that, when it is inside a word, at
 * the last break point before it of level 1 or 2 if the line stays fill %
 * full (fill > 100: plain greedy).  Line ends into ends[], count
 * returned. */
static int ref_wrap(const char *s, int width, int fill, size_t *ends, int max)
{
    size_t len = strlen(s), *bp;
    int nb = text_break_points(s, len, &bp);
    unsigned char *lvl = malloc(len + 1);
    assert_non_null(lvl);
    word_levels(s, lvl);
    assert_true(nb >= 0);
    int n = 0;
    size_t ls = 0;
    while (ls < len) {
        size_t best = 0, last[3] = {0, 0, 0};
        for (int k = 0; k <= nb; k++) {
            size_t e = k < nb ? bp[k] : len;
            if (e <= ls || fake_measure(NULL, s + ls, e - ls, PX, false, false) > width)
                continue;
            best = e;
            for (int v = 0; v <= lvl[e]; v++)
                last[v] = e;
        }
        assert_true(best > ls); /* no word is cut at these widths */
        for (int v = 2; v > lvl[best]; v--) {
            if (last[v] && last[v] != best &&
                fake_measure(NULL, s + ls, last[v] - ls, PX, false, false) * 100 >= width * fill) {
                best = last[v];
                break;
            }
        }
        assert_true(n < max);
        ends[n++] = best;
        ls = best;
    }
    free(bp);
    free(lvl);
    return n;
}

/* Line ends, all but the last, that are not word boundaries. */
static int count_torn(const char *s, const size_t *ends, int n)
{
    size_t *wb;
    int nw = word_bounds(s, &wb), torn = 0;
    for (int i = 0; i + 1 < n; i++)
        torn += !is_in(ends[i], wb, nw);
    free(wb);
    return torn;
}

/* Byte offsets where the lines of l end in text (which has no spaces or
 * newlines, so the lines are consecutive slices of it). */
static int line_ends(const struct text_lines *l, const char *text, size_t *ends, int max)
{
    size_t off = 0;
    assert_true(l->n <= max);
    for (int i = 0; i < l->n; i++) {
        size_t k = strlen(l->lines[i]);
        assert_memory_equal(text + off, l->lines[i], k);
        off += k;
        ends[i] = off;
    }
    assert_int_equal(off, strlen(text));
    return l->n;
}

/* Greedy fill: no line could have taken more of the text, except one
 * that is at least 80 % full and ends at a better word boundary (by
 * word_levels) than taking more would. */
static void test_wrap_greedy(void **state)
{
    (void)state;
    const char *s = sentences[0];
    unsigned char lvl[256];
    assert_true(strlen(s) < sizeof(lvl));
    word_levels(s, lvl);
    for (int w = 4 * PX; w < 40 * PX; w += 3) {
        struct text_lines l;
        assert_int_equal(text_wrap(s, w, PX, false, 1.4f, &fake, &l), 0);
        size_t end = 0;
        for (int i = 0; i + 1 < l.n; i++) {
            end += strlen(l.lines[i]);
            /* line + first character of the next line would overflow
             * (or is forbidden because that character may not start a
             * line on its own, which the sentence does not contain here
             * except after punctuation the break moves with) */
            size_t adv;
            const char *next = l.lines[i + 1];
            utf8_decode(next, strlen(next), &adv);
            int extra = fake_measure(NULL, next, adv, PX, false, false);
            if (l.widths[i] + extra <= w) {
                /* only allowed when that join would leave kinsoku
                 * punctuation at the start of the following line, or
                 * the line ends a word and is full enough */
                const char *rest = next + adv;
                bool forced = false;
                for (size_t k = 0; k < sizeof(no_start) / sizeof(no_start[0]); k++)
                    forced = forced || starts_with(rest, no_start[k]);
                bool word = lvl[end] > lvl[end + adv] && l.widths[i] * 5 >= w * 4;
                if (!forced && !word)
                    fail_msg("@%d line %d \"%s\" could take \"%.*s\"", w, i, l.lines[i],
                             (int)adv, next);
            }
        }
        text_lines_free(&l);
    }
}

/* From an education plan: words that UAX #14 alone lets a line tear. */
static const char *const plan[] = {
    "全力建成全国有声音、全市居前列、群众有好评的教育现代化区域样板",
    "教育科技人才一体推进新范例",
    "基础教育发展质量、职业教育综合实力、数字教育整体水平处于全市先进行列",
    "广大教育工作者要肩负时代使命，勇挑时代重任，争当名师、名校长",
};

/* Dictionary words of plan[] that a line must not tear when a word
 * boundary keeps it 80 % full.  ("名师" is not one: ICU's dictionary
 * has "名" and "师" apart.) */
static const char *const kept[] = {"一体", "综合", "重任", "有声音", "样板", "现代"};

/* Whether l ends a line inside an occurrence of a kept word although a
 * break point before that occurrence is a word boundary that leaves the
 * line 80 % full. */
static const char *tears_kept(const char *s, const size_t *ends, int n, int width, int px)
{
    size_t *bp, *wb;
    int nb = text_break_points(s, strlen(s), &bp), nw = word_bounds(s, &wb);
    const char *torn = NULL;
    size_t ls = 0;
    for (int i = 0; i + 1 < n && !torn; i++) {
        for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]) && !torn; k++) {
            for (const char *at = strstr(s, kept[k]); at && !torn;
                 at = strstr(at + 1, kept[k])) {
                size_t a = (size_t)(at - s), b = a + strlen(kept[k]);
                if (!(ends[i] > a && ends[i] < b))
                    continue;
                for (int q = 0; q < nb; q++)
                    if (bp[q] > ls && bp[q] <= a && is_in(bp[q], wb, nw) &&
                        fake_measure(NULL, s + ls, bp[q] - ls, px, false, false) * 5 >= width * 4)
                        torn = kept[k];
            }
        }
        ls = ends[i];
    }
    free(bp);
    free(wb);
    return torn;
}

/* Lines end between words where that keeps them 80 % full: the wrap is
 * the specified one at every width, tears far fewer words than plain
 * UAX #14 greedy filling, and never the kept words needlessly. */
static void test_wrap_words(void **state)
{
    (void)state;
    /* the dictionary this test relies on */
    for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
        bool found = false;
        for (size_t p = 0; p < sizeof(plan) / sizeof(plan[0]); p++) {
            const char *at = strstr(plan[p], kept[k]);
            if (at) {
                size_t a = (size_t)(at - plan[p]);
                found = true;
                if (!is_word(plan[p], a, a + strlen(kept[k])))
                    fail_msg("ICU does not see \"%s\" as a word", kept[k]);
            }
        }
        assert_true(found);
    }
    int before = 0, after = 0, pairs_before = 0, pairs_after = 0, lines = 0;
    for (size_t p = 0; p < sizeof(plan) / sizeof(plan[0]); p++) {
        const char *s = plan[p];
        for (int w = 4 * PX; w <= (int)strlen(s) / 3 * PX; w += PX / 2) {
            size_t got[64], want[64], greedy[64];
            struct text_lines l;
            assert_int_equal(text_wrap(s, w, PX, false, 1.4f, &fake, &l), 0);
            check_kinsoku(&l, s, w);
            int n = line_ends(&l, s, got, 64);
            text_lines_free(&l);
            int nw = ref_wrap(s, w, 80, want, 64);
            int ng = ref_wrap(s, w, 101, greedy, 64);
            bool same = n == nw;
            for (int i = 0; same && i < n; i++)
                same = got[i] == want[i];
            if (!same)
                fail_msg("\"%s\" @%d: lines differ from the specified wrap", s, w);
            lines += n - 1;
            after += count_torn(s, got, n);
            before += count_torn(s, greedy, ng);
            pairs_after += tears_kept(s, got, n, w, PX) != NULL;
            pairs_before += tears_kept(s, greedy, ng, w, PX) != NULL;
            const char *t = tears_kept(s, got, n, w, PX);
            if (t)
                fail_msg("\"%s\" @%d: a line tears \"%s\"", s, w, t);
        }
    }
    print_message("line ends inside a word: %d of %d greedy, %d with word "
                  "preference; needless tears of kept words: %d greedy, %d now\n",
                  before, lines, after, pairs_before, pairs_after);
    assert_true(pairs_before > 0);
    assert_true(after * 2 < before);
}

/* ---- fit to box ---- */

/* Whether some line of l starts inside a word (not at a break point nor
 * after a newline), i.e. a word was cut between characters. */
static bool has_cut(const struct text_lines *l, const char *text)
{
    size_t *bp;
    int nb = text_break_points(text, strlen(text), &bp);
    assert_true(nb >= 0);
    bool cut = false;
    const char *pos = text;
    for (int i = 0; i < l->n && !cut; i++) {
        const char *at = strstr(pos, l->lines[i]);
        assert_non_null(at);
        size_t off = (size_t)(at - text);
        if (off > 0 && text[off - 1] != '\n' && l->lines[i][0] != '\0') {
            bool found = false;
            for (int k = 0; k < nb; k++)
                found = found || bp[k] == off;
            cut = !found;
        }
        pos = at + strlen(l->lines[i]);
    }
    free(bp);
    return cut;
}

/* Whether the text fits the box at px with words kept whole. */
static bool fake_fits(const char *text, int px, const struct text_fit_req *r)
{
    struct text_lines l;
    assert_int_equal(text_wrap(text, r->box_w, px, r->bold, r->line_spacing, &fake, &l), 0);
    bool ok = (r->max_lines == 0 || l.n <= r->max_lines) && l.n * l.line_h <= r->box_h;
    for (int i = 0; i < l.n; i++)
        ok = ok && l.widths[i] <= r->box_w;
    ok = ok && !has_cut(&l, text);
    text_lines_free(&l);
    return ok;
}

static void check_fit(const struct text_fit_req *r, const struct text_lines *l)
{
    char what[128];
    snprintf(what, sizeof(what), "fit %dx%d", r->box_w, r->box_h);
    assert_true(l->px >= r->min_px && l->px <= r->max_px);
    assert_int_equal(l->line_h, (int)lround(l->px * (double)r->line_spacing));
    assert_true(l->n * l->line_h <= r->box_h);
    if (r->max_lines)
        assert_true(l->n <= r->max_lines);
    check_widths(l, l->px);
    for (int i = 0; i < l->n; i++)
        if (l->widths[i] > r->box_w)
            fail_msg("%s: line \"%s\" is %d wide", what, l->lines[i], l->widths[i]);
    check_kinsoku(l, what, r->box_w);
    if (l->ellipsized) {
        assert_int_equal(l->px, r->min_px);
        if (l->n > 0 && !ends_with(l->lines[l->n - 1], "…"))
            fail_msg("%s: ellipsized without …: \"%s\"", what, l->lines[l->n - 1]);
    } else {
        check_content(l, r->text);
        /* the largest size that fits (the fake font makes fitting
         * monotonic in px) */
        if (l->px < r->max_px && fake_fits(r->text, l->px + 1, r))
            fail_msg("%s: px %d chosen but %d fits", what, l->px, l->px + 1);
    }
}

static void test_fit_sweep(void **state)
{
    (void)state;
    struct fake counter = {0};
    struct text_measure m = {fake_measure, &counter};
    for (size_t s = 0; s < sizeof(sentences) / sizeof(sentences[0]); s++) {
        for (int bw = 60; bw <= 900; bw += 41) {
            for (int bh = 10; bh <= 400; bh += 29) {
                struct text_fit_req r = {
                    .text = sentences[s],
                    .box_w = bw,
                    .box_h = bh,
                    .max_px = 64,
                    .min_px = 14,
                    .line_spacing = 1.3f,
                    .max_lines = (bh % 3 == 0) ? 3 : 0,
                    .balance = (bw % 2 == 0),
                };
                struct text_lines l;
                counter.calls = 0;
                assert_int_equal(text_fit(&r, &m, &l), 0);
                check_fit(&r, &l);
                /* bisection over sizes and widths, galloping over break
                 * points: far fewer calls than one per size and
                 * character */
                if (counter.calls > 1500)
                    fail_msg("fit %dx%d of sentence %zu: %ld measure calls", bw, bh, s,
                             counter.calls);
                text_lines_free(&l);
            }
        }
    }
}

/* The fake font with a snowman three em wide. */
static int wide_snowman(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    int w = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = utf8_decode(s + i, len - i, &adv);
        w += cp == 0x2603 ? 3 * px : fake_measure(ctx, s + i, adv, px, bold, rtl);
        i += adv;
    }
    return w;
}

/* Latin letters a quarter em, everything else (the ellipsis too) one em. */
static int narrow_latin(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    (void)ctx, (void)bold, (void)rtl;
    int w = 0;
    for (size_t i = 0, adv; i < len; i += adv)
        w += utf8_decode(s + i, len - i, &adv) < 0x80 ? px / 4 : px;
    return w;
}

static void test_fit_ellipsis(void **state)
{
    (void)state;
    const char *text = sentences[1];
    struct text_fit_req r = {
        .text = text, .box_w = 200, .box_h = 60, .max_px = 40, .min_px = 20,
        .line_spacing = 1.5f,
    };
    struct text_lines l;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_true(l.ellipsized);
    assert_int_equal(l.px, 20);
    assert_int_equal(l.n, 2); /* 60 / 30 */
    assert_true(ends_with(l.lines[1], "…"));
    /* the first line is untouched, the last is as full as it can be */
    assert_true(strncmp(text, l.lines[0], strlen(l.lines[0])) == 0);
    assert_true(l.widths[1] <= 200 && l.widths[1] + 20 > 200);
    check_fit(&r, &l);
    text_lines_free(&l);

    /* one line only */
    r.max_lines = 1;
    r.box_h = 1000;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.lines[0], "到2027年，全区学前…");
    text_lines_free(&l);

    /* the ellipsis never follows a comma or an opening bracket */
    static const char *const tails[] = {"一二三四五，六七八九十", "一二三四五（六七八九十",
                                        "一二三四五 六七八九十"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        struct text_fit_req t = {
            .text = tails[i], .box_w = 70, .box_h = 10, .max_px = 10, .min_px = 10,
            .line_spacing = 1.0f,
        };
        assert_int_equal(text_fit(&t, &fake, &l), 0);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.lines[0], "一二三四五…");
        text_lines_free(&l);
    }

    /* box lower than a line: nothing fits */
    r.box_h = 10;
    r.max_lines = 0;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.n, 0);
    assert_true(l.ellipsized);
    text_lines_free(&l);

    /* narrower than one character: just "…" when that fits, else nothing */
    struct text_fit_req n = {
        .text = "\xe2\x98\x83\xe2\x98\x83", .box_w = 25, .box_h = 100, .max_px = 10,
        .min_px = 10, .line_spacing = 1.0f,
    };
    struct text_measure wide = {wide_snowman, NULL};
    assert_int_equal(text_fit(&n, &wide, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.lines[0], "…");
    assert_true(l.ellipsized);
    text_lines_free(&l);
    n.box_w = 5;
    assert_int_equal(text_fit(&n, &wide, &l), 0);
    assert_int_equal(l.n, 0);
    assert_true(l.ellipsized);
    text_lines_free(&l);

    /* lines that fit a box "…" does not: cut without a mark is not shown */
    struct text_fit_req thin = {
        .text = "ii ii ii ii", .box_w = 5, .box_h = 20, .max_px = 10, .min_px = 10,
        .line_spacing = 1.0f,
    };
    struct text_measure narrow = {narrow_latin, NULL};
    assert_int_equal(text_fit(&thin, &narrow, &l), 0);
    assert_int_equal(l.n, 0);
    assert_true(l.ellipsized);
    text_lines_free(&l);
}

static void test_fit_shrinks_before_cutting_words(void **state)
{
    (void)state;
    /* "Education" is 9 * px/2 wide: at 40 px it would be cut; the fit
     * shrinks the font until the word is whole. */
    struct text_fit_req r = {
        .text = "Education 教育", .box_w = 100, .box_h = 200, .max_px = 40, .min_px = 8,
        .line_spacing = 1.2f,
    };
    struct text_lines l;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.px, 23); /* 9 * (23 / 2) = 99 */
    assert_string_equal(l.lines[0], "Education");
    assert_string_equal(l.lines[1], "教育");
    text_lines_free(&l);
    /* at the floor, cutting is the only way */
    r.max_px = 16;
    r.min_px = 16;
    r.box_w = 50;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_false(l.ellipsized);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.lines[0], "Educat");
    assert_string_equal(l.lines[1], "ion 教");
    assert_string_equal(l.lines[2], "育");
    text_lines_free(&l);
}

static void test_fit_balance(void **state)
{
    (void)state;
    const char *title = "涪陵区教育大会隆重召开了"; /* 12 characters */
    const char *title11 = "涪陵区教育大会隆重召开";  /* 11 */
    struct text_fit_req r = {
        .text = title11, .box_w = 1000, .box_h = 300, .max_px = 100, .min_px = 50,
        .line_spacing = 1.3f, .balance = false,
    };
    struct text_lines l;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.px, 100);
    assert_int_equal(l.n, 2);
    /* 9 + 2, not 10 + 1: a line 90 % full rather than one ending
     * inside "召开" */
    assert_string_equal(l.lines[0], "涪陵区教育大会隆重");
    assert_string_equal(l.lines[1], "召开");
    text_lines_free(&l);

    r.balance = true;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.px, 100);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.lines[0], "涪陵区教育");
    assert_string_equal(l.lines[1], "大会隆重召开");
    text_lines_free(&l);

    /* 6 + 6 would tear "大会": 7 + 5 */
    r.text = title;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.lines[0], "涪陵区教育大会");
    assert_string_equal(l.lines[1], "隆重召开了");
    text_lines_free(&l);

    /* three lines stay three lines, evened out */
    const char *long_title = "全力建成全国有声音全市居前列群众有好评的教育现代化区域样板";
    struct text_fit_req t = {
        .text = long_title, .box_w = 1100, .box_h = 400, .max_px = 100, .min_px = 100,
        .line_spacing = 1.3f, .balance = true,
    };
    assert_int_equal(text_fit(&t, &fake, &l), 0);
    assert_int_equal(l.n, 3); /* 29 characters, 11 per line */
    for (int i = 0; i < l.n; i++)
        assert_true(l.widths[i] >= 900 && l.widths[i] <= 1000);
    check_fit(&t, &l);
    text_lines_free(&l);

    /* a single line is left alone */
    t.text = "标题";
    assert_int_equal(text_fit(&t, &fake, &l), 0);
    assert_int_equal(l.n, 1);
    text_lines_free(&l);

    /* balance never cuts a word the plain layout kept whole */
    struct text_fit_req e = {
        .text = "Educationxx ab", .box_w = 300, .box_h = 200, .max_px = 50,
        .min_px = 10, .line_spacing = 1.0f, .balance = true,
    };
    assert_int_equal(text_fit(&e, &fake, &l), 0);
    assert_int_equal(l.px, 50);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.lines[0], "Educationxx");
    assert_string_equal(l.lines[1], "ab");
    text_lines_free(&l);
}

/* Whether a line of l ends inside an occurrence of a kept word. */
static bool tears_any_kept(const char *s, const size_t *ends, int n)
{
    for (int i = 0; i + 1 < n; i++)
        for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++)
            for (const char *at = strstr(s, kept[k]); at; at = strstr(at + 1, kept[k])) {
                size_t a = (size_t)(at - s);
                if (ends[i] > a && ends[i] < a + strlen(kept[k]))
                    return true;
            }
    return false;
}

/* Balancing keeps the word preference: evening out the lines never ends
 * more of them inside words than the plain fit does. */
static void test_fit_words(void **state)
{
    (void)state;
    int plain = 0, balanced = 0, kept_plain = 0, kept_balanced = 0, fits = 0;
    for (size_t p = 0; p < sizeof(plan) / sizeof(plan[0]); p++) {
        for (int bw = 150; bw <= 1500; bw += 23) {
            int torn[2];
            bool tk[2];
            for (int b = 0; b < 2; b++) {
                struct text_fit_req r = {
                    .text = plan[p], .box_w = bw, .box_h = 400, .max_px = 64,
                    .min_px = 14, .line_spacing = 1.3f, .balance = b == 1,
                };
                struct text_lines l;
                size_t ends[64];
                assert_int_equal(text_fit(&r, &fake, &l), 0);
                check_fit(&r, &l);
                assert_false(l.ellipsized);
                int n = line_ends(&l, plan[p], ends, 64), px = l.px;
                text_lines_free(&l);
                torn[b] = count_torn(plan[p], ends, n);
                tk[b] = tears_any_kept(plan[p], ends, n);
                /* unbalanced, the lines are wrapped at the box width */
                const char *t = b == 0 ? tears_kept(plan[p], ends, n, bw, px) : NULL;
                if (t)
                    fail_msg("\"%s\" in %d: a line tears \"%s\"", plan[p], bw, t);
            }
            if (torn[1] > torn[0])
                fail_msg("\"%s\" in %d: balancing tears %d words, the plain fit %d",
                         plan[p], bw, torn[1], torn[0]);
            plain += torn[0];
            balanced += torn[1];
            kept_plain += tk[0];
            kept_balanced += tk[1];
            fits++;
        }
    }
    print_message("%d fits: line ends inside a word %d plain, %d balanced; "
                  "fits tearing a kept word %d plain, %d balanced\n",
                  fits, plain, balanced, kept_plain, kept_balanced);
}

static void test_fit_empty_and_odd(void **state)
{
    (void)state;
    struct text_lines l;
    struct text_fit_req r = {
        .text = "", .box_w = 100, .box_h = 100, .max_px = 40, .min_px = 10,
        .line_spacing = 1.2f,
    };
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.n, 0);
    assert_false(l.ellipsized);
    assert_int_equal(l.px, 40);
    text_lines_free(&l);
    r.text = "   \n ";
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.n, 0);
    text_lines_free(&l);
    /* min above max: the floor wins */
    r.text = "中文";
    r.min_px = 30;
    r.max_px = 20;
    assert_int_equal(text_fit(&r, &fake, &l), 0);
    assert_int_equal(l.px, 30);
    text_lines_free(&l);
    /* hard newlines count as lines */
    struct text_fit_req n = {
        .text = "一\n二\n三", .box_w = 100, .box_h = 100, .max_px = 50, .min_px = 10,
        .line_spacing = 1.0f,
    };
    assert_int_equal(text_fit(&n, &fake, &l), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.px, 33);
    text_lines_free(&l);
    assert_int_equal(text_fit(&n, NULL, &l), -1);
}

/* ---- threads ---- */

#define N_THREADS 4

/* A digest of every fit of every sentence into a few boxes. */
static unsigned long fit_digest(void)
{
    unsigned long h = 5381;
    for (size_t s = 0; s < sizeof(sentences) / sizeof(sentences[0]); s++) {
        for (int bw = 100; bw <= 700; bw += 150) {
            struct text_fit_req r = {
                .text = sentences[s], .box_w = bw, .box_h = 200, .max_px = 48,
                .min_px = 12, .line_spacing = 1.3f, .balance = true,
            };
            struct text_lines l;
            if (text_fit(&r, &fake, &l) < 0)
                return 0;
            h = h * 33 + (unsigned long)l.px;
            for (int i = 0; i < l.n; i++)
                for (const char *c = l.lines[i]; *c; c++)
                    h = h * 33 + (unsigned char)*c;
            text_lines_free(&l);
        }
    }
    return h;
}

static void *fit_thread(void *arg)
{
    unsigned long *out = arg;
    *out = fit_digest();
    return NULL;
}

/* text_* keep no shared state: threads laying out at once get exactly
 * what one thread gets. */
static void test_threads(void **state)
{
    (void)state;
    unsigned long want = fit_digest();
    assert_true(want != 0);
    pthread_t th[N_THREADS];
    unsigned long got[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, fit_thread, &got[i]), 0);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_true(got[i] == want);
    }
}

/* ---- bidirectional text ---- */

#define HE_SHALOM "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" /* שלום */
#define HE_OLAM "\xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d"   /* עולם */
#define AR_SALAM "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85" /* سلام */

static void test_bidi_direction(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool rtl;
    } cases[] = {
        {HE_SHALOM, true},
        {AR_SALAM " abc", true},
        {"123 " HE_SHALOM, true},   /* digits are not strong */
        {"abc " HE_SHALOM, false},
        {"中文 " HE_SHALOM, false},
        {"", false},
        {"123 !?", false},
        {"\xe2\x81\xa7" "abc" "\xe2\x81\xa9 " HE_SHALOM, true}, /* isolate skipped */
        {"\xff\xfe" HE_SHALOM, true},                         /* bad bytes */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (text_bidi_rtl(cases[i].s, strlen(cases[i].s)) != cases[i].rtl)
            fail_msg("case %zu: \"%s\" should be %s", i, cases[i].s,
                     cases[i].rtl ? "RTL" : "LTR");
}

/* The text of run k of s. */
static void run_text(const char *s, const struct text_bidi_run *r, char *out, size_t cap)
{
    size_t n = r->end - r->start;
    assert_true(n < cap);
    memcpy(out, s + r->start, n);
    out[n] = '\0';
}

static void expect_runs(const char *s, bool rtl, const char *const *want, const bool *dir,
                        int n)
{
    struct text_bidi_run *runs;
    int got = text_bidi_runs(s, strlen(s), rtl, &runs);
    if (got != n)
        fail_msg("\"%s\": %d runs, want %d", s, got, n);
    for (int k = 0; k < n; k++) {
        char buf[128];
        run_text(s, &runs[k], buf, sizeof(buf));
        if (strcmp(buf, want[k]) != 0 || runs[k].rtl != dir[k])
            fail_msg("\"%s\" run %d: \"%s\" %s, want \"%s\" %s", s, k, buf,
                     runs[k].rtl ? "RTL" : "LTR", want[k], dir[k] ? "RTL" : "LTR");
    }
    free(runs);
}

static void test_bidi_runs(void **state)
{
    (void)state;
    /* runs come left to right as shown */
    {
        const char *s = "abc " HE_SHALOM " 123 " HE_OLAM " def";
        const char *const want[] = {"abc ", " " HE_OLAM, "123", HE_SHALOM " ", " def"};
        const bool dir[] = {false, true, false, true, false};
        expect_runs(s, false, want, dir, 5);
    }
    {
        /* a Hebrew paragraph: the Latin words (a number after Latin
         * counts as Latin) on the left, the full stop at the far left */
        const char *s = HE_SHALOM " abc 2026.";
        const char *const want[] = {".", "abc 2026", HE_SHALOM " "};
        const bool dir[] = {true, false, true};
        expect_runs(s, true, want, dir, 3);
    }
    {
        const char *const want[] = {"Mixed 中文 abc"};
        const bool dir[] = {false};
        expect_runs("Mixed 中文 abc", false, want, dir, 1);
    }
    struct text_bidi_run *runs = (void *)1;
    assert_int_equal(text_bidi_runs("", 0, true, &runs), 0);
    assert_null(runs);
    /* malformed bytes and a lone surrogate's bytes are U+FFFD, no crash */
    const char *bad = "\xed\xa0\x80" HE_SHALOM "\xc0";
    int n = text_bidi_runs(bad, strlen(bad), false, &runs);
    assert_true(n >= 1);
    size_t covered = 0;
    for (int k = 0; k < n; k++)
        covered += runs[k].end - runs[k].start;
    assert_int_equal(covered, strlen(bad));
    free(runs);
}

/* Each paragraph of a wrap has its own direction, and its lines say so;
 * measuring gets it too. */
struct dir_log {
    int rtl_calls, ltr_calls;
};

static int dir_measure(void *ctx, const char *s, size_t len, int px, bool bold, bool rtl)
{
    struct dir_log *d = ctx;
    if (rtl)
        d->rtl_calls++;
    else
        d->ltr_calls++;
    return fake_measure(NULL, s, len, px, bold, rtl);
}

static void test_wrap_paragraph_direction(void **state)
{
    (void)state;
    struct dir_log d = {0};
    struct text_measure m = {dir_measure, &d};
    struct text_lines l;
    const char *t = HE_SHALOM " " HE_OLAM " abc def\nabc " HE_SHALOM "\n" AR_SALAM;
    assert_int_equal(text_wrap(t, 10 * 20, 40, false, 1.2f, &m, &l), 0);
    assert_true(l.n >= 3);
    assert_true(l.rtl[0]);
    /* the last line of the first paragraph starts with Latin but is
     * still part of a right-to-left paragraph */
    int k = 0;
    while (k < l.n && strncmp(l.lines[k], "abc " HE_SHALOM, 12) != 0) {
        assert_true(l.rtl[k]);
        k++;
    }
    assert_true(k < l.n - 1);
    assert_false(l.rtl[k]);
    assert_true(l.rtl[l.n - 1]);
    assert_true(d.rtl_calls > 0 && d.ltr_calls > 0);
    text_lines_free(&l);

    struct text_fit_req r = {.text = HE_SHALOM " " HE_OLAM, .box_w = 60, .box_h = 40,
                             .max_px = 30, .min_px = 20, .line_spacing = 1.2f,
                             .max_lines = 1};
    assert_int_equal(text_fit(&r, &m, &l), 0);
    assert_true(l.ellipsized);
    assert_int_equal(l.n, 1);
    assert_true(l.rtl[0]);
    text_lines_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_break_points),
        cmocka_unit_test(test_wrap_table),
        cmocka_unit_test(test_wrap_edge_input),
        cmocka_unit_test(test_wrap_kinsoku_sweep),
        cmocka_unit_test(test_wrap_greedy),
        cmocka_unit_test(test_wrap_words),
        cmocka_unit_test(test_fit_sweep),
        cmocka_unit_test(test_fit_ellipsis),
        cmocka_unit_test(test_fit_shrinks_before_cutting_words),
        cmocka_unit_test(test_fit_balance),
        cmocka_unit_test(test_fit_words),
        cmocka_unit_test(test_fit_empty_and_odd),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_bidi_direction),
        cmocka_unit_test(test_bidi_runs),
        cmocka_unit_test(test_wrap_paragraph_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
