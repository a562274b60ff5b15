#include "testutil.h"

#include <string.h>

#include "utf8.h"

struct dec_case {
    const char *bytes;
    size_t len;
    uint32_t cp;
    size_t adv;
};

static void test_decode_table(void **state)
{
    (void)state;
    static const struct dec_case cases[] = {
        {"A", 1, 'A', 1},
        {"\x7f", 1, 0x7f, 1},
        {"\xc2\x80", 2, 0x80, 2},
        {"\xc2\xb7", 2, 0xb7, 2},
        {"\xdf\xbf", 2, 0x7ff, 2},
        {"\xe0\xa0\x80", 3, 0x800, 3},
        {"\xe4\xb8\xad", 3, 0x4e2d, 3},           /* 中 */
        {"\xe2\x80\xa6", 3, 0x2026, 3},           /* … */
        {"\xed\x9f\xbf", 3, 0xd7ff, 3},
        {"\xee\x80\x80", 3, 0xe000, 3},
        {"\xef\xbf\xbd", 3, 0xfffd, 3},
        {"\xef\xbf\xbf", 3, 0xffff, 3},
        {"\xf0\x90\x80\x80", 4, 0x10000, 4},
        {"\xf0\xa0\x80\x80", 4, 0x20000, 4},      /* 𠀀 */
        {"\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4},
        /* overlong forms */
        {"\xc0\x80", 2, 0xfffd, 1},
        {"\xc1\xbf", 2, 0xfffd, 1},
        {"\xe0\x80\x80", 3, 0xfffd, 1},
        {"\xe0\x9f\xbf", 3, 0xfffd, 1},
        {"\xf0\x80\x80\x80", 4, 0xfffd, 1},
        {"\xf0\x8f\xbf\xbf", 4, 0xfffd, 1},
        /* surrogates */
        {"\xed\xa0\x80", 3, 0xfffd, 1},
        {"\xed\xbf\xbf", 3, 0xfffd, 1},
        /* above U+10FFFF */
        {"\xf4\x90\x80\x80", 4, 0xfffd, 1},
        {"\xf5\x80\x80\x80", 4, 0xfffd, 1},
        {"\xf8\x88\x80\x80\x80", 5, 0xfffd, 1},
        {"\xff", 1, 0xfffd, 1},
        {"\xfe", 1, 0xfffd, 1},
        /* stray continuation bytes */
        {"\x80", 1, 0xfffd, 1},
        {"\xbf\x41", 2, 0xfffd, 1},
        /* truncated: the broken prefix is one replacement */
        {"\xe4", 1, 0xfffd, 1},
        {"\xe4\xb8", 2, 0xfffd, 2},
        {"\xe4\xb8\x41", 3, 0xfffd, 2},
        {"\xf0\xa0\x80", 3, 0xfffd, 3},
        {"\xf0\xa0\x80\x41", 4, 0xfffd, 3},
        {"\xc2", 1, 0xfffd, 1},
        {"\xc2\x41", 2, 0xfffd, 1},
        /* len limits what is read even if more bytes follow */
        {"\xe4\xb8\xad", 2, 0xfffd, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t adv = 99;
        uint32_t cp = utf8_decode(cases[i].bytes, cases[i].len, &adv);
        if (cp != cases[i].cp || adv != cases[i].adv)
            fail_msg("case %zu: got U+%04X adv %zu, want U+%04X adv %zu", i, cp, adv,
                     cases[i].cp, cases[i].adv);
    }
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("abc", 3));
    const char *zh = "全力建成全国有声音、全市居前列“教育”……——𠀀\xef\xbf\xbd";
    assert_true(utf8_valid(zh, strlen(zh)));
    assert_false(utf8_valid("\xc0\xaf", 2));
    assert_false(utf8_valid("ab\x80", 3));
    assert_false(utf8_valid("\xed\xa0\x80", 3));
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
    assert_false(utf8_valid("\xe4\xb8", 2));
    assert_false(utf8_valid("\xef\xbf", 2));
    /* valid bytes cut short by len */
    assert_false(utf8_valid("\xe4\xb8\xad", 2));
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0, 'a', 0x7f, 0x80, 0x7ff, 0x800, 0x4e2d, 0xd7ff,
                                   0xe000, 0xfffd, 0xffff, 0x10000, 0x20000, 0x10ffff};
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        char buf[4];
        size_t n = utf8_encode(cps[i], buf);
        assert_true(n >= 1 && n <= 4);
        assert_true(utf8_valid(buf, n));
        size_t adv;
        assert_int_equal(utf8_decode(buf, n, &adv), cps[i]);
        assert_int_equal(adv, n);
    }
    char buf[4];
    /* Unencodable values become U+FFFD rather than invalid bytes. */
    assert_int_equal(utf8_encode(0xd800, buf), 3);
    assert_memory_equal(buf, "\xef\xbf\xbd", 3);
    assert_int_equal(utf8_encode(0x110000, buf), 3);
    assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

/* Every byte string of length 1..3 and random longer ones: decoding makes
 * progress, stays in bounds and agrees with utf8_valid. */
static void test_decode_exhaustive(void **state)
{
    (void)state;
    unsigned char buf[3];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned c = 0; c < 256; c += 17) {
                buf[0] = (unsigned char)a;
                buf[1] = (unsigned char)b;
                buf[2] = (unsigned char)c;
                size_t i = 0, steps = 0;
                bool all_ok = true;
                while (i < 3) {
                    size_t adv = 0;
                    uint32_t cp = utf8_decode((const char *)buf + i, 3 - i, &adv);
                    assert_true(adv >= 1 && adv <= 3 - i);
                    assert_true(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
                    char enc[4];
                    if (cp == 0xfffd && !(adv == 3 && buf[i] == 0xef))
                        all_ok = false;
                    else if (utf8_encode(cp, enc) != adv || memcmp(enc, buf + i, adv) != 0)
                        fail_msg("non-canonical decode %02x %02x %02x", a, b, c);
                    i += adv;
                    steps++;
                }
                assert_true(steps <= 3);
                if (utf8_valid((const char *)buf, 3) != all_ok)
                    fail_msg("valid mismatch %02x %02x %02x", a, b, c);
            }
        }
    }
    srand(42);
    char big[64];
    for (int r = 0; r < 20000; r++) {
        for (size_t k = 0; k < sizeof(big); k++)
            big[k] = (char)(rand() & 0xff);
        size_t i = 0;
        while (i < sizeof(big)) {
            size_t adv = 0;
            utf8_decode(big + i, sizeof(big) - i, &adv);
            assert_true(adv >= 1 && adv <= sizeof(big) - i);
            i += adv;
        }
    }
}

/* Stepping back through text lands on the starts decoding found going
 * forward; on broken bytes it still moves, within bounds. */
static void test_prev(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80z";
    size_t len = strlen(s);
    size_t starts[8], n = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        starts[n++] = i;
        utf8_decode(s + i, len - i, &adv);
        i += adv;
    }
    assert_int_equal(n, 5);
    size_t pos = len;
    for (size_t k = n; k > 0; k--) {
        pos = utf8_prev(s, 0, pos);
        assert_int_equal(pos, starts[k - 1]);
    }
    /* never before start, even inside a sequence */
    assert_int_equal(utf8_prev(s, 4, 6), 4);
    assert_int_equal(utf8_prev(s, 0, 1), 0);
    /* continuation bytes only: one step back is at most four bytes */
    const char *bad = "\x80\x80\x80\x80\x80\x80";
    assert_int_equal(utf8_prev(bad, 0, 6), 2);
    assert_int_equal(utf8_prev(bad, 0, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_table),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_decode_exhaustive),
        cmocka_unit_test(test_prev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
