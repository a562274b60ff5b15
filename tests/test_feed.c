/* feed: every fixture under tests/data/feeds with its exact diagnostics,
 * limits, positions, URL resolution, deck contents, refcounting, the
 * built-in deck, --check, and the JSON Schema against the parser. */
#include "testutil.h"

#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "deck.h"
#include "feed.h"
#include "hash.h"
#include "schedule.h"

#define REMOTE "https://example.org/feeds/feed.json"

static void diag_line(const struct feed_diag *g, char *buf, size_t len)
{
    snprintf(buf, len, "%d:%d: %s%s%s%s", g->line, g->col, g->warning ? "warning: " : "",
             g->path, g->path[0] ? ": " : "", g->msg);
}

static struct deck *parse_str(const char *json, const char *source, struct feed_report *rep)
{
    return feed_parse(json, strlen(json), source, NULL, rep);
}

/* The single diagnostic of rep as "L:C: path: msg". */
static const char *only_diag(const struct feed_report *rep)
{
    static char buf[2048];
    if (rep->n != 1) {
        for (size_t i = 0; i < rep->n; i++) {
            diag_line(&rep->diags[i], buf, sizeof(buf));
            print_message("  diag: %s\n", buf);
        }
        fail_msg("expected 1 diagnostic, got %zu", rep->n);
    }
    diag_line(&rep->diags[0], buf, sizeof(buf));
    return buf;
}

/* ------------------------------------------------------------ fixtures */

/* Runs one fixture; returns the number of mismatches (printed). */
static int run_fixture(const char *dir, const char *name, bool valid)
{
    char path[4096], exp_path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
        snprintf(exp_path, sizeof(exp_path), "%s/%.*s.expect", dir, (int)(strlen(name) - 5),
                 name) >= (int)sizeof(exp_path))
        return 1;
    size_t len = 0, elen = 0;
    char *data = tu_read_file(path, &len);
    char *expect = NULL;
    struct stat st;
    if (stat(exp_path, &st) == 0)
        expect = tu_read_file(exp_path, &elen);
    if (!valid && !expect) {
        print_error("%s: an invalid fixture needs a .expect file\n", name);
        free(data);
        return 1;
    }

    /* "# source: X" sets the feed's source; other lines are diagnostics. */
    char source[1024] = REMOTE;
    char **want = NULL;
    size_t n_want = 0;
    for (char *line = expect, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "# source: ", 10) == 0) {
            snprintf(source, sizeof(source), "%s", line + 10);
            continue;
        }
        if (line[0] == '\0' || line[0] == '#')
            continue;
        want = realloc(want, (n_want + 1) * sizeof(*want));
        want[n_want++] = line;
    }

    struct feed_report rep;
    struct deck *d = feed_parse(data, len, source, NULL, &rep);
    int bad = 0;
    if (valid && (!d || rep.errors != 0)) {
        print_error("%s: should be valid\n", name);
        bad++;
    }
    if (!valid && (d || rep.errors == 0)) {
        print_error("%s: should be invalid\n", name);
        bad++;
    }
    size_t n = rep.n > n_want ? rep.n : n_want;
    for (size_t i = 0; i < n; i++) {
        char got[2048] = "(nothing)";
        if (i < rep.n)
            diag_line(&rep.diags[i], got, sizeof(got));
        const char *w = i < n_want ? want[i] : "(nothing)";
        if (strcmp(got, w) != 0) {
            print_error("%s: diagnostic %zu\n   want: %s\n    got: %s\n", name, i + 1, w, got);
            bad++;
        }
    }
    deck_unref(d);
    feed_report_free(&rep);
    free(want);
    free(expect);
    free(data);
    return bad;
}

static void run_dir(const char *sub, bool valid, size_t at_least)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", test_data(sub));
    char **names;
    size_t n = tu_list_dir(dir, ".json", &names);
    assert_true(n >= at_least);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad += run_fixture(dir, names[i], valid);
        free(names[i]);
    }
    free(names);
    assert_int_equal(bad, 0);
}

static void test_valid_fixtures(void **state)
{
    (void)state;
    run_dir("feeds/valid", true, 10);
}

static void test_invalid_fixtures(void **state)
{
    (void)state;
    run_dir("feeds/invalid", false, 30);
}

/* ------------------------------------------------------------- limits */

static void test_deep_nesting_fails_fast(void **state)
{
    (void)state;
    size_t n = 100000;
    char *buf = malloc(n);
    assert_non_null(buf);
    memset(buf, '[', n);
    struct feed_report rep;
    /* Not NUL-terminated on purpose: feed_parse must respect len. */
    assert_null(feed_parse(buf, n, REMOTE, NULL, &rep));
    assert_string_equal(only_diag(&rep), "1:33: nested too deeply: at most 32 levels of [ ] and { }");
    feed_report_free(&rep);

    /* Objects count as well, and so do brackets after a valid start. */
    size_t k = 0;
    k += (size_t)snprintf(buf, n, "{\"format\": \"edukiosk/1\", \"x\": ");
    while (k + 6 < n) {
        memcpy(buf + k, "{\"a\":", 5);
        k += 5;
    }
    assert_null(feed_parse(buf, k, REMOTE, NULL, &rep));
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.diags[0].line, 1);
    assert_int_equal(rep.diags[0].col, 30 + 31 * 5 + 1);
    feed_report_free(&rep);
    free(buf);
}

static void test_brackets_in_strings_do_not_nest(void **state)
{
    (void)state;
    char json[1024];
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, '{', 99);
    deep[199] = '\0';
    snprintf(json, sizeof(json),
             "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
             "\"text\": \"\\\"%s\"}]}", deep);
    struct feed_report rep;
    struct deck *d = parse_str(json, REMOTE, &rep);
    assert_non_null(d);
    assert_int_equal(rep.n, 0);
    assert_int_equal(d->slides[0].text[0], '"');
    deck_unref(d);
    feed_report_free(&rep);
}

static void test_configured_limits(void **state)
{
    (void)state;
    const char *json = "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
                       "\"text\": \"abcdef\"}, {\"type\": \"quote\", \"text\": \"x\"}]}";
    struct feed_limits lim;
    struct feed_report rep;
    feed_limits_default(&lim);
    assert_int_equal(lim.max_bytes, 2 * 1024 * 1024);
    assert_int_equal(lim.max_depth, 32);
    assert_int_equal(lim.max_string, 4096);
    assert_int_equal(lim.max_slides, 500);

    lim.max_bytes = strlen(json);
    struct deck *d = feed_parse(json, strlen(json), REMOTE, &lim, &rep);
    assert_non_null(d);
    deck_unref(d);
    feed_report_free(&rep);
    lim.max_bytes = strlen(json) - 1;
    assert_null(feed_parse(json, strlen(json), REMOTE, &lim, &rep));
    char want[128];
    snprintf(want, sizeof(want), "1:1: the feed is %zu bytes, more than the limit of %zu",
             strlen(json), strlen(json) - 1);
    assert_string_equal(only_diag(&rep), want);
    feed_report_free(&rep);

    feed_limits_default(&lim);
    lim.max_depth = 2;
    assert_null(feed_parse(json, strlen(json), REMOTE, &lim, &rep));
    assert_string_equal(only_diag(&rep), "1:37: nested too deeply: at most 2 levels of [ ] and { }");
    feed_report_free(&rep);

    feed_limits_default(&lim);
    lim.max_string = 10; /* "edukiosk/1" is 10 bytes */
    const char *txt = "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
                      "\"text\": \"0123456789\"}, {\"type\": \"quote\", \"text\": \"教育强区\"}]}";
    assert_null(feed_parse(txt, strlen(txt), REMOTE, &lim, &rep));
    assert_string_equal(only_diag(&rep), "1:104: slides[1].text: text is too long: 12 bytes, at "
                                         "most 10 (about 3 Chinese characters)");
    feed_report_free(&rep);

    feed_limits_default(&lim);
    lim.max_slides = 1;
    assert_null(feed_parse(json, strlen(json), REMOTE, &lim, &rep));
    assert_string_equal(only_diag(&rep),
                        "1:36: slides: must be a list of 1 to 1 slides (found 2)");
    feed_report_free(&rep);
}

static void test_huge_string(void **state)
{
    (void)state;
    size_t n = 1u << 20;
    char *json = malloc(n + 200);
    assert_non_null(json);
    int k = snprintf(json, 200, "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": "
                                "\"quote\", \"text\": \"");
    memset(json + k, 'x', n);
    memcpy(json + k + n, "\"}]}", 5);
    struct feed_report rep;
    assert_null(parse_str(json, REMOTE, &rep));
    assert_string_equal(only_diag(&rep), "1:63: slides[0].text: text is too long: 1048576 bytes, "
                                         "at most 4096 (about 1365 Chinese characters)");
    feed_report_free(&rep);
    free(json);
}

static void test_nul_and_utf8(void **state)
{
    (void)state;
    struct feed_report rep;
    /* A raw NUL byte outside any string. */
    static const char raw[] = "{\"format\": \"edukiosk/1\",\0 \"slides\": []}";
    assert_null(feed_parse(raw, sizeof(raw) - 1, REMOTE, NULL, &rep));
    assert_string_equal(only_diag(&rep), "1:25: the file contains a NUL byte; is it a text file?");
    feed_report_free(&rep);

    /* \u0000 in a key. */
    assert_null(parse_str("{\"for\\u0000mat\": 1}", REMOTE, &rep));
    assert_string_equal(only_diag(&rep), "1:2: text may not contain \\u0000 (a NUL character)");
    feed_report_free(&rep);

    /* Overlong encoding, surrogate, truncated sequence. */
    static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xe4\xb8", "\xf8\x88\x80\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char json[256];
        snprintf(json, sizeof(json), "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": "
                 "\"quote\", \"text\": \"ab%scd\"}]}", bad[i]);
        assert_null(parse_str(json, REMOTE, &rep));
        assert_int_equal(rep.n, 1);
        assert_non_null(strstr(rep.diags[0].msg, "invalid UTF-8"));
        assert_int_equal(rep.diags[0].col, 66);
        feed_report_free(&rep);
    }

    /* Escaped non-BMP characters are fine and decoded. */
    struct deck *d = parse_str("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
                               "\"text\": \"\\ud83c\\udf93\\u6559\"}]}", REMOTE, &rep);
    assert_non_null(d);
    assert_string_equal(d->slides[0].text, "\xf0\x9f\x8e\x93\xe6\x95\x99");
    deck_unref(d);
    feed_report_free(&rep);
}

static void test_too_many_problems(void **state)
{
    (void)state;
    size_t cap = 20000;
    char *json = malloc(cap);
    assert_non_null(json);
    size_t k = (size_t)snprintf(json, cap, "{\"format\": \"edukiosk/1\", \"ticker\": [");
    for (int i = 0; i < 1500; i++)
        k += (size_t)snprintf(json + k, cap - k, "%s%d", i ? "," : "", i % 10);
    snprintf(json + k, cap - k, "], \"slides\": [{\"type\": \"quote\", \"text\": \"x\"}]}");
    struct feed_report rep;
    assert_null(parse_str(json, REMOTE, &rep));
    assert_int_equal(rep.errors, 1500);
    assert_int_equal(rep.n, 1001);
    int notes = 0;
    for (size_t i = 0; i < rep.n; i++)
        notes += strncmp(rep.diags[i].msg, "too many problems", 17) == 0;
    assert_int_equal(notes, 1);
    feed_report_free(&rep);
    free(json);
}

/* --------------------------------------------------------- positions */

static void test_columns_count_characters(void **state)
{
    (void)state;
    /* Twelve Chinese characters (36 bytes) before the bad value. */
    const char *json = "{\"format\": \"edukiosk/1\", \"slides\": [\n"
                       "{\"type\": \"quote\", \"text\": \"尊师重教，共育未来！！！\", \"duration\": 1}]}";
    struct feed_report rep;
    assert_null(parse_str(json, REMOTE, &rep));
    /* {"type": "quote", "text": " is 27 columns, 12 characters, '"', ', ',
     * "duration": and a space: the 1 is in column 27 + 12 + 1 + 2 + 11 + 1. */
    assert_string_equal(only_diag(&rep), "2:55: slides[0].duration: must be a number from 3 to 600");
    feed_report_free(&rep);

    /* A syntax error found by jansson, after Chinese text. */
    json = "{\"format\": \"edukiosk/1\", \"school\": \"涪陵区\" \"slides\": []}";
    assert_null(parse_str(json, REMOTE, &rep));
    assert_string_equal(only_diag(&rep),
                        "1:42: invalid JSON: '}' expected near '\"slides\"' (a missing comma?)");
    feed_report_free(&rep);

    /* With a BOM, columns are counted after it, as an editor shows them. */
    json = "\xef\xbb\xbf{\"format\": 1, \"slides\": [{\"type\": \"quote\", \"text\": \"x\"}]}";
    assert_null(parse_str(json, REMOTE, &rep));
    assert_int_equal(rep.n, 2);
    assert_true(rep.diags[0].warning);
    assert_int_equal(rep.diags[1].col, 12);
    feed_report_free(&rep);
}

/* ----------------------------------------------------------- images */

static void test_relative_urls(void **state)
{
    (void)state;
    static const struct {
        const char *source, *ref, *want;
    } cases[] = {
        {REMOTE, "images/a.png", "https://example.org/feeds/images/a.png"},
        {REMOTE, "./images/a.png", "https://example.org/feeds/images/a.png"},
        {REMOTE, "../img/a.png", "https://example.org/img/a.png"},
        {REMOTE, "../../../../a.png", "https://example.org/a.png"},
        {REMOTE, "/x/a.png", "https://example.org/x/a.png"},
        {REMOTE, "//cdn.example.org/a.png", "https://cdn.example.org/a.png"},
        {REMOTE, "a.png?v=2", "https://example.org/feeds/a.png?v=2"},
        {REMOTE, "my image.png", "https://example.org/feeds/my%20image.png"},
        {REMOTE, "图片/校徽.png",
         "https://example.org/feeds/%e5%9b%be%e7%89%87/%e6%a0%a1%e5%be%bd.png"},
        {REMOTE, "http://other.example.org/b.jpg", "http://other.example.org/b.jpg"},
        {"http://example.org:8080/a/b/feed.json?x=1", "c.png", "http://example.org:8080/a/b/c.png"},
        {"file:///srv/feeds/feed.json", "images/a.png", "file:///srv/feeds/images/a.png"},
        {"file:///srv/feeds/feed.json", "file:///srv/other.png", "file:///srv/other.png"},
        {"file:///srv/feeds/feed.json", "https://example.org/a.png", "https://example.org/a.png"},
        {"feeds/feed.json", "images/a.png", "feeds/images/a.png"},
        {"feeds/feed.json", "../a.png", "feeds/../a.png"},
        {"feeds/feed.json", "/srv/a.png", "/srv/a.png"},
        {"feeds/feed.json", "file:///srv/a.png", "file:///srv/a.png"},
        {"/srv/feeds/feed.json", "a.png", "/srv/feeds/a.png"},
        {"feed.json", "a.png", "a.png"},
        {"builtin", "images/logo.png", "images/logo.png"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json[512];
        snprintf(json, sizeof(json), "{\"format\": \"edukiosk/1\", \"slides\": "
                 "[{\"type\": \"image\", \"src\": \"%s\"}]}", cases[i].ref);
        struct feed_report rep;
        struct deck *d = parse_str(json, cases[i].source, &rep);
        if (!d || rep.n) {
            print_error("case %zu: %s + %s\n", i, cases[i].source, cases[i].ref);
            feed_report_print(&rep, cases[i].source, stderr);
        }
        assert_non_null(d);
        assert_int_equal(rep.n, 0);
        assert_int_equal(d->n_images, 1);
        assert_ptr_equal(d->slides[0].image, &d->images[0]);
        assert_string_equal(d->slides[0].image->url, cases[i].want);
        deck_unref(d);
        feed_report_free(&rep);
    }
}

static void test_remote_feeds_reject_other_schemes(void **state)
{
    (void)state;
    static const char *const refs[] = {"file:///etc/passwd", "FILE:///etc/passwd",
                                       "ftp://example.org/a.png", "data:image/png;base64,AA",
                                       "javascript:alert(1)", "smb://server/a.png"};
    static const char *const sources[] = {REMOTE, "http://example.org/f.json", "builtin"};
    for (size_t s = 0; s < 3; s++) {
        for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
            char json[512];
            snprintf(json, sizeof(json), "{\"format\": \"edukiosk/1\", \"slides\": "
                     "[{\"type\": \"image\", \"src\": \"%s\"}]}", refs[i]);
            struct feed_report rep;
            assert_null(parse_str(json, sources[s], &rep));
            assert_int_equal(rep.n, 1);
            assert_string_equal(rep.diags[0].path, "slides[0].src");
            assert_non_null(strstr(rep.diags[0].msg, "must be an http(s) URL or a path "
                                                     "relative to the feed"));
            feed_report_free(&rep);
        }
    }
}

/* ------------------------------------------------------ deck contents */

static int setup_shanghai(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    return 0;
}

static struct deck *load_fixture(const char *name, const char *source, char **bytes,
                                 size_t *len_out)
{
    size_t len;
    char *data = tu_read_file(test_data(name), &len);
    assert_non_null(data);
    struct feed_report rep;
    struct deck *d = feed_parse(data, len, source, NULL, &rep);
    feed_report_print(&rep, name, stderr);
    if (len_out)
        *len_out = len;
    assert_non_null(d);
    feed_report_free(&rep);
    if (bytes)
        *bytes = data;
    else
        free(data);
    return d;
}

static void test_deck_contents(void **state)
{
    (void)state;
    char *bytes;
    size_t len;
    struct deck *d = load_fixture("feeds/valid/all-types.json", REMOTE, &bytes, &len);
    const time_t t0 = tu_utc(2026, 12, 1, 0, 0, 0); /* = 2026-12-01 08:00 in Shanghai */

    assert_int_equal(d->refs, 1);
    assert_string_equal(d->source, REMOTE);
    char hex[65];
    hash_sha256_hex(bytes, len, hex);
    assert_string_equal(d->hash, hex);
    free(bytes);
    assert_string_equal(d->school, "示例中学");
    assert_int_equal(d->refresh_s, 120);
    assert_int_equal(d->lang, LANG_EN);
    assert_int_equal(d->theme.background, 0x102030);
    assert_int_equal(d->theme.text, 0xffffff);
    assert_int_equal(d->theme.accent, 0xffc629);
    assert_string_equal(d->theme.logo->url, "https://example.org/feeds/images/logo.png");
    assert_int_equal(d->n_ticker, 2);
    assert_string_equal(d->ticker[0], "第一条滚动消息");
    assert_int_equal(d->alert.level, ALERT_WARNING);
    assert_string_equal(d->alert.title, "大风预警");
    assert_true(d->alert.from.set && !d->alert.from.date_only);
    assert_int_equal(d->alert.from.t, t0 - 3600);
    assert_true(d->alert.until.set && d->alert.until.date_only);
    assert_int_equal(d->alert.until.t, t0 - 8 * 3600);

    assert_int_equal(d->n_slides, 8);
    const struct slide *s = d->slides;
    assert_int_equal(s[0].type, SLIDE_TITLE);
    assert_int_equal(s[0].feed_index, 0);
    assert_string_equal(s[0].id, "welcome");
    assert_string_equal(s[0].subtitle, "副标题");
    assert_string_equal(s[0].footer, "页脚");
    assert_int_equal(s[0].duration_s, 3);
    assert_int_equal(s[0].transition, TRANSITION_CUT);
    assert_true(s[0].has_bg_color);
    assert_int_equal(s[0].bg_color, 0);
    assert_false(s[0].has_when);
    assert_int_equal(s[0].n_sites, 0);

    assert_int_equal(s[1].type, SLIDE_LIST);
    assert_true(s[1].numbered);
    assert_int_equal(s[1].n_items, 3);
    assert_string_equal(s[1].items[2], "三");
    assert_int_equal(s[1].duration_s, 600);
    assert_int_equal(s[1].transition, TRANSITION_SLIDE); /* from defaults */
    assert_true(s[1].has_when);
    assert_true(s[1].when.from.date_only);
    assert_int_equal(s[1].when.from.t, tu_utc(2026, 8, 31, 16, 0, 0));
    assert_false(s[1].when.until.date_only);
    assert_int_equal(s[1].when.until.t, tu_utc(2027, 1, 31, 10, 0, 0));
    assert_int_equal(s[1].when.days, 1 | 4 | 16);
    assert_int_equal(s[1].when.hours_from, 7 * 60 + 30);
    assert_int_equal(s[1].when.hours_until, 18 * 60);

    assert_int_equal(s[2].type, SLIDE_CARDS);
    assert_int_equal(s[2].duration_s, 20); /* from defaults */
    assert_int_equal(s[2].n_cards, 2);
    assert_string_equal(s[2].cards[0].heading, "高地");
    assert_string_equal(s[2].cards[0].text, "基础教育");
    assert_null(s[2].cards[1].text);
    assert_int_equal(s[2].n_sites, 2);
    assert_string_equal(s[2].sites[1], "south-campus");

    assert_int_equal(s[3].type, SLIDE_TIMELINE);
    assert_int_equal(s[3].n_milestones, 4);
    assert_string_equal(s[3].milestones[0].date, "2027");
    assert_true(s[3].milestones[0].when.set);
    assert_int_equal(s[3].milestones[0].when.t, tu_utc(2026, 12, 31, 16, 0, 0));
    assert_int_equal(s[3].milestones[1].when.t, tu_utc(2035, 12, 30, 16, 0, 0));
    assert_null(s[3].milestones[1].text);
    assert_int_equal(s[3].milestones[2].when.t, tu_utc(2030, 8, 31, 16, 0, 0));
    assert_string_equal(s[3].milestones[3].date, "明年秋季");
    assert_false(s[3].milestones[3].when.set);

    assert_int_equal(s[4].type, SLIDE_COUNTDOWN);
    assert_int_equal(s[4].target.t, tu_utc(2027, 6, 7, 1, 0, 0));
    assert_string_equal(s[4].label, "高考");
    assert_string_equal(s[4].done_text, "加油！");
    assert_int_equal(s[4].when.hours_from, 22 * 60);
    assert_int_equal(s[4].when.hours_until, 6 * 60);
    assert_int_equal(s[4].when.days, 0);
    assert_false(s[4].when.from.set);

    assert_int_equal(s[5].type, SLIDE_QUOTE);
    assert_string_equal(s[5].text, "尊师重教，共育未来");
    assert_string_equal(s[5].source, "校训");
    assert_string_equal(s[5].bg_image->url, "https://example.org/feeds/images/bg.jpg");
    assert_false(s[5].has_bg_color);

    assert_int_equal(s[6].type, SLIDE_IMAGE);
    assert_string_equal(s[6].image->url, "https://example.org/photos/%e6%a0%a1%e5%9b%ad.jpg");
    assert_string_equal(s[6].caption, "校园一角");
    assert_int_equal(s[6].fit, FIT_COVER);
    assert_int_equal(s[7].fit, FIT_CONTAIN);
    assert_string_equal(s[7].image->url, "https://cdn.example.org/a.png");
    /* One entry per distinct image. */
    assert_ptr_equal(s[7].bg_image, s[5].bg_image);
    assert_int_equal(d->n_images, 4);
    for (size_t i = 0; i < d->n_images; i++)
        assert_null(d->images[i].data);

    assert_int_equal(deck_find_slide(d, "photo"), 6);
    assert_int_equal(deck_find_slide(d, "nope"), -1);
    assert_int_equal(deck_find_slide(d, NULL), -1);
    deck_unref(d);
}

static void test_defaults_without_theme(void **state)
{
    (void)state;
    struct feed_report rep;
    struct deck *d = parse_str("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": "
                               "\"video\"}, {\"type\": \"quote\", \"text\": \"x\", "
                               "\"duration\": 7.6, \"subtitle\": 1}]}", REMOTE, &rep);
    assert_non_null(d);
    assert_int_equal(rep.errors, 0);
    assert_int_equal(rep.warnings, 2);
    assert_int_equal(d->n_slides, 1);
    assert_int_equal(d->slides[0].feed_index, 1);
    assert_int_equal(d->slides[0].duration_s, 8);
    assert_int_equal(d->slides[0].transition, TRANSITION_FADE);
    assert_int_equal(d->theme.background, 0x0b3d91);
    assert_int_equal(d->theme.text, 0xffffff);
    assert_int_equal(d->theme.accent, 0xffc629);
    assert_null(d->theme.logo);
    assert_int_equal(d->lang, LANG_ZH_CN);
    assert_int_equal(d->refresh_s, 0);
    assert_int_equal(d->alert.level, ALERT_NONE);
    assert_null(d->school);
    assert_int_equal(d->n_images, 0);
    deck_unref(d);
    feed_report_free(&rep);

    /* rep may be NULL. */
    const char *ok = "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
                     "\"text\": \"x\"}]}";
    d = feed_parse(ok, strlen(ok), "feed.json", NULL, NULL);
    assert_non_null(d);
    deck_unref(d);
    assert_null(feed_parse("{", 1, "feed.json", NULL, NULL));
    assert_null(feed_parse(NULL, 0, NULL, NULL, NULL));
}

static void test_times(void **state)
{
    (void)state;
    struct deck *d = load_fixture("feeds/valid/times.json", REMOTE, NULL, NULL);
    const time_t t0 = tu_utc(2026, 12, 1, 0, 0, 0);
    static const struct {
        const char *id;
        int64_t delta;
        bool date_only;
    } want[] = {
        {"date", -8 * 3600, true},        {"local", 0, false},     {"local-seconds", 30, false},
        {"local-t", 0, false},            {"rfc-offset", 0, false}, {"rfc-z", 0, false},
        {"rfc-frac", 8 * 3600, false},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int k = deck_find_slide(d, want[i].id);
        assert_true(k >= 0);
        assert_true(d->slides[k].target.set);
        assert_int_equal(d->slides[k].target.date_only, want[i].date_only);
        if ((int64_t)(d->slides[k].target.t - t0) != want[i].delta)
            fail_msg("%s: %lld", want[i].id, (long long)(d->slides[k].target.t - t0));
    }
    assert_int_equal(d->slides[deck_find_slide(d, "leap-day")].target.t,
                     tu_utc(2028, 2, 28, 16, 0, 0));
    assert_int_equal(d->slides[deck_find_slide(d, "leap-second")].target.t,
                     tu_utc(2016, 12, 31, 23, 59, 59));
    deck_unref(d);

    /* Local times follow TZ, with DST: Berlin is +01:00 in winter and
     * +02:00 in summer. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    struct feed_report rep;
    d = parse_str("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"countdown\", "
                  "\"target\": \"2026-07-01 08:00\"}, {\"type\": \"countdown\", "
                  "\"target\": \"2026-12-01 08:00\"}]}", REMOTE, &rep);
    assert_non_null(d);
    assert_int_equal(d->slides[0].target.t, tu_utc(2026, 7, 1, 6, 0, 0));
    assert_int_equal(d->slides[1].target.t, tu_utc(2026, 12, 1, 7, 0, 0));
    deck_unref(d);
    feed_report_free(&rep);
    setup_shanghai(NULL);
}

/* --------------------------------------------------------- refcounts */

static void *ref_worker(void *arg)
{
    struct deck *d = arg;
    for (int i = 0; i < 100000; i++) {
        deck_ref(d);
        deck_unref(d);
    }
    deck_unref(d); /* the reference main took for this thread */
    return NULL;
}

static void test_refcount_threads(void **state)
{
    (void)state;
    struct deck *d = feed_builtin();
    assert_non_null(d);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        assert_ptr_equal(deck_ref(d), d);
        assert_int_equal(pthread_create(&th[i], NULL, ref_worker, d), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST), 1);
    deck_unref(d); /* frees; ASan/valgrind catch a leak or a double free */
    deck_unref(NULL);
    deck_free(NULL);
    assert_null(deck_ref(NULL));

    /* A deck built by hand frees the same way. */
    struct deck *h = calloc(1, sizeof(*h));
    h->refs = 1;
    h->school = strdup("手工");
    h->slides = calloc(1, sizeof(*h->slides));
    h->n_slides = 1;
    h->slides[0].title = strdup("t");
    deck_unref(h);
}

static void test_type_names(void **state)
{
    (void)state;
    static const char *const names[] = {"title", "list", "cards", "timeline",
                                        "countdown", "quote", "image"};
    for (int t = SLIDE_TITLE; t <= SLIDE_IMAGE; t++)
        assert_string_equal(slide_type_name((enum slide_type)t), names[t]);
}

/* ------------------------------------------------------------ builtin */

static void test_builtin(void **state)
{
    (void)state;
    size_t len, logo_len;
    char *bytes = tu_read_file(tu_top_path("assets/default-feed.json"), &len);
    assert_non_null(bytes);
    struct feed_report rep;
    struct deck *file = feed_parse(bytes, len, "assets/default-feed.json", NULL, &rep);
    feed_report_print(&rep, "assets/default-feed.json", stderr);
    assert_non_null(file);
    assert_int_equal(rep.n, 0); /* not even a warning */
    feed_report_free(&rep);

    struct deck *d = feed_builtin();
    assert_non_null(d);
    assert_string_equal(d->source, "builtin");
    /* The embedded copy is the file in the tree. */
    assert_string_equal(d->hash, file->hash);
    assert_int_equal(d->n_slides, file->n_slides);
    assert_true(d->n_slides >= 1);
    char *logo = tu_read_file(tu_top_path("assets/images/logo.png"), &logo_len);
    assert_non_null(logo);
    int logos = 0;
    for (size_t i = 0; i < d->n_images; i++) {
        if (strcmp(d->images[i].url, "images/logo.png") != 0)
            continue;
        logos++;
        assert_int_equal(d->images[i].len, logo_len);
        assert_memory_equal(d->images[i].data, logo, logo_len);
        assert_memory_equal(d->images[i].data, "\x89PNG", 4);
    }
    if (d->theme.logo)
        assert_string_equal(d->theme.logo->url, "images/logo.png");
    assert_int_equal(logos, d->theme.logo ? 1 : 0);
    free(logo);
    free(bytes);
    deck_unref(file);
    deck_unref(d);
}

/* ------------------------------------------------- printing, --check */

/* The complete example of docs/feed.md is a valid feed without warnings,
 * with every slide type. */
static void test_docs_example(void **state)
{
    (void)state;
    size_t len;
    char *md = tu_read_file(tu_top_path("docs/feed.md"), &len);
    assert_non_null(md);
    char *start = strstr(md, "```json\n");
    assert_non_null(start);
    start += 8;
    char *end = strstr(start, "```");
    assert_non_null(end);
    struct feed_report rep;
    struct deck *d = feed_parse(start, (size_t)(end - start), REMOTE, NULL, &rep);
    feed_report_print(&rep, "docs/feed.md example", stderr);
    assert_non_null(d);
    assert_int_equal(rep.n, 0);
    unsigned seen = 0;
    for (size_t i = 0; i < d->n_slides; i++)
        seen |= 1u << d->slides[i].type;
    assert_int_equal(seen, (1u << (SLIDE_IMAGE + 1)) - 1);
    assert_int_not_equal(d->alert.level, ALERT_NONE);
    deck_unref(d);
    feed_report_free(&rep);

    /* Chinese quotation marks get a hint. */
    assert_null(parse_str("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": “title”}]}",
                          REMOTE, &rep));
    assert_string_equal(only_diag(&rep), "1:46: invalid JSON: invalid token near '“' (use "
                                         "straight double quotes \" instead of “ ”)");
    feed_report_free(&rep);
    free(md);
}

static void test_report_print(void **state)
{
    (void)state;
    struct feed_report rep;
    assert_null(parse_str("{\"format\": \"edukiosk/1\", \"x\": 1, \"slides\": [{\"type\": "
                          "\"list\", \"title\": \"t\", \"items\": []}]}", REMOTE, &rep));
    struct tu_capture cap;
    feed_report_print(&rep, "feed.json", tu_capture_open(&cap));
    char *buf = tu_capture_close(&cap);
    assert_string_equal(buf, "feed.json:1:26: warning: x: unknown field (ignored)\n"
                             "feed.json:1:85: slides[0].items: must be a list of 1 to 12 texts\n");
    free(buf);
    feed_report_free(&rep);
    feed_report_free(NULL);

    assert_null(parse_str("{", REMOTE, &rep));
    feed_report_print(&rep, NULL, tu_capture_open(&cap));
    buf = tu_capture_close(&cap);
    assert_string_equal(buf, "feed:1:2: invalid JSON: the text ends too early (an unclosed \" [ "
                             "or {?)\n");
    free(buf);
    feed_report_free(&rep);
}

static void test_check(void **state)
{
    (void)state;
    const char *json =
        "{\"format\": \"edukiosk/1\",\n"
        " \"alert\": {\"level\": \"info\", \"title\": \"通知\", \"until\": \"2020-01-01\"},\n"
        " \"slides\": [\n"
        "  {\"type\": \"quote\", \"text\": \"always\"},\n"
        "  {\"type\": \"quote\", \"text\": \"old\", \"id\": \"exam\", \"when\": {\"until\": "
        "\"2026-05-31\"}},\n"
        "  {\"type\": \"hologram\"},\n"
        "  {\"type\": \"quote\", \"text\": \"north\", \"sites\": [\"north\"]},\n"
        "  {\"type\": \"quote\", \"text\": \"south\", \"sites\": [\"south\"]}\n"
        " ]}\n";
    const char *const sites[] = {"North"};
    struct schedule_ctx sc = {.now = tu_utc(2026, 6, 1, 4, 0, 0), .clock_ok = true,
                              .sites = sites, .n_sites = 1};
    struct tu_capture cap;
    assert_int_equal(feed_check(json, strlen(json), "feed.json", NULL, &sc,
                                tu_capture_open(&cap)), 0);
    char *buf = tu_capture_close(&cap);
    assert_string_equal(buf,
        "feed.json:6:12: warning: slides[2].type: unknown slide type \"hologram\"; this slide "
        "is skipped\n"
        "feed.json: valid, 4 slides, 2 would show now, 1 warning\n"
        "feed.json: slides[1] (id \"exam\"): not now: expired (after when.until)\n"
        "feed.json: slides[4]: not now: for other sites (sites)\n"
        "feed.json: alert (info): not now\n");
    free(buf);

    /* Without a schedule, no "would show now". */
    assert_int_equal(feed_check(json, strlen(json), "feed.json", NULL, NULL,
                                tu_capture_open(&cap)), 0);
    buf = tu_capture_close(&cap);
    assert_non_null(strstr(buf, "feed.json: valid, 4 slides, 1 warning\nfeed.json: alert (info)\n"));
    free(buf);

    json = "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", \"duration\": 1}]}";
    assert_int_equal(feed_check(json, strlen(json), "https://example.org/f.json", NULL, &sc,
                                tu_capture_open(&cap)), 1);
    buf = tu_capture_close(&cap);
    assert_string_equal(buf,
        "https://example.org/f.json:1:37: slides[0].text: required field is missing\n"
        "https://example.org/f.json:1:67: slides[0].duration: must be a number from 3 to 600\n"
        "https://example.org/f.json: invalid: 2 errors, 0 warnings; a kiosk keeps showing "
        "its last good deck\n");
    free(buf);
}

/* Deterministic mutations of every valid fixture: whatever jansson
 * accepts, every diagnostic has a position, a deck comes exactly when
 * there is no error, and nothing crashes (ASan, valgrind). */
static void test_mutations(void **state)
{
    (void)state;
    static const char pokes[] = "[]{}\",:\\0e-.\x80\xe4 _";
    uint32_t seed = 12345;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", test_data("feeds/valid"));
    char **names;
    size_t n = tu_list_dir(dir, ".json", &names);
    unsigned decks = 0, runs = 0;
    for (size_t f = 0; f < n; f++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, names[f]);
        size_t len;
        char *orig = tu_read_file(path, &len);
        assert_non_null(orig);
        for (int m = 0; m < 300; m++) {
            char *buf = malloc(len + 1);
            assert_non_null(buf);
            memcpy(buf, orig, len);
            size_t blen = len;
            for (int k = 0; k < 1 + m % 3; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % blen;
                int op = (int)((seed >> 4) % 3);
                char poke = pokes[(seed >> 16) % (sizeof(pokes) - 1)];
                if (op == 0) {
                    buf[at] = poke;
                } else if (op == 1 && blen > 1) {
                    memmove(buf + at, buf + at + 1, blen - at - 1);
                    blen--;
                } else {
                    blen = at + 1; /* truncate */
                }
            }
            struct feed_report rep;
            struct deck *d = feed_parse(buf, blen, REMOTE, NULL, &rep);
            assert_true((d != NULL) == (rep.errors == 0));
            for (size_t i = 0; i < rep.n; i++) {
                if (rep.diags[i].line < 1 || rep.diags[i].col < 1)
                    fail_msg("%s mutation %d: %s has no position", names[f], m,
                             rep.diags[i].msg);
            }
            decks += d != NULL;
            runs++;
            deck_unref(d);
            feed_report_free(&rep);
            free(buf);
        }
        free(orig);
        free(names[f]);
    }
    free(names);
    print_message("%u mutations, %u still valid feeds\n", runs, decks);
    assert_true(decks > 0 && decks < runs);
}

/* ------------------------------------------------------------ image pins */

#define PIN_A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define PIN_B "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static const char *pinned_diag(const char *json, bool require)
{
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.require_pins = require;
    struct feed_report rep = {0};
    struct deck *d = feed_parse(json, strlen(json), REMOTE, &lim, &rep);
    static char buf[2048];
    buf[0] = '\0';
    if (rep.n)
        snprintf(buf, sizeof(buf), "%s", only_diag(&rep));
    assert_true((d != NULL) == (rep.errors == 0));
    deck_unref(d);
    feed_report_free(&rep);
    return buf;
}

/* "KEY_sha256" pins the image of KEY; a signed feed must pin them all. */
static void test_image_pins(void **state)
{
    (void)state;
    const char *pinned =
        "{\"format\": \"edukiosk/1\", \"theme\": {\"logo\": \"l.png\", \"logo_sha256\": \"" PIN_A "\"},\n"
        " \"slides\": [{\"type\": \"image\", \"src\": \"a.png\", \"src_sha256\": \"" PIN_B "\",\n"
        "  \"background\": \"l.png\", \"background_sha256\": \"" PIN_A "\"}]}";
    struct feed_report rep = {0};
    struct deck *d = parse_str(pinned, REMOTE, &rep);
    assert_non_null(d);
    assert_int_equal(rep.n, 0);
    assert_string_equal(d->theme.logo->sha256, PIN_A);
    assert_string_equal(d->slides[0].image->sha256, PIN_B);
    assert_ptr_equal(d->slides[0].bg_image, d->theme.logo);
    feed_report_free(&rep);

    /* The bytes must be the pinned ones. */
    const char *bytes = "not the picture";
    unsigned char *copy = (unsigned char *)strdup(bytes);
    assert_false(deck_image_attach(d->slides[0].image, copy, strlen(bytes), 1000000));
    assert_true(d->slides[0].image->refused);
    assert_non_null(strstr(d->slides[0].image->why, "the feed pins 9f86d081884c"));
    deck_unref(d);

    assert_string_equal(pinned_diag(pinned, true), "");
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"image\", "
                    "\"src\": \"a.png\"}]}", true),
        "1:62: slides[0].src: a signed feed must pin every image: add \"src_sha256\" with "
        "the file's SHA-256 (sha256sum prints it)");
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"image\", "
                    "\"src\": \"a.png\"}]}", false), "");
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"image\", "
                    "\"src\": \"a.png\", \"src_sha256\": \"abc\"}]}", false),
        "1:85: slides[0].src_sha256: must be the image's SHA-256: 64 hexadecimal digits, "
        "as sha256sum prints them");
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": \"quote\", "
                    "\"text\": \"x\", \"background\": \"#000000\", \"background_sha256\": \""
                    PIN_A "\"}]}", false),
        "1:82: slides[0].background: is a colour: \"background_sha256\" is for an image");
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"theme\": {\"logo_sha256\": \"" PIN_A
                    "\"}, \"slides\": [{\"type\": \"quote\", \"text\": \"x\"}]}", false),
        "1:35: theme.logo: has \"logo_sha256\" but no \"logo\" image");
    /* One file, two pins. */
    assert_string_equal(
        pinned_diag("{\"format\": \"edukiosk/1\", \"theme\": {\"logo\": \"a.png\", "
                    "\"logo_sha256\": \"" PIN_A "\"}, \"slides\": [{\"type\": \"image\", "
                    "\"src\": \"a.png\", \"src_sha256\": \"" PIN_B "\"}]}", false),
        "1:173: slides[0].src: this image is pinned to another SHA-256 at theme.logo "
        "(9f86d081884c… here, e3b0c44298fc… there)");
}

/* ------------------------------------------------------------- schema */

/* A small JSON Schema (2020-12) validator for the keywords our schema
 * uses; any other keyword fails, so the schema cannot use something this
 * check silently ignores. */
struct sv {
    json_t *root;
    char why[512];
};

static bool sv_fail(struct sv *v, const char *path, const char *what)
{
    if (!v->why[0])
        snprintf(v->why, sizeof(v->why), "%s: %s", path[0] ? path : "(top)", what);
    return false;
}

static json_t *sv_deref(struct sv *v, json_t *s)
{
    const char *ref = json_string_value(json_object_get(s, "$ref"));
    if (!ref)
        return NULL;
    assert_true(strncmp(ref, "#/$defs/", 8) == 0);
    json_t *t = json_object_get(json_object_get(v->root, "$defs"), ref + 8);
    assert_non_null(t);
    return t;
}

static bool schema_re_match(const char *pattern, const char *s)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool sv_valid(struct sv *v, json_t *s, json_t *x, const char *path);

/* Property names this schema evaluates on x (for unevaluatedProperties). */
static void sv_evaluated(struct sv *v, json_t *s, json_t *x, json_t *set)
{
    if (!json_is_object(s) || !json_is_object(x))
        return;
    const char *k;
    json_t *sub;
    json_object_foreach(json_object_get(s, "properties"), k, sub)
        if (json_object_get(x, k))
            json_object_set_new(set, k, json_true());
    json_object_foreach(json_object_get(s, "patternProperties"), k, sub) {
        const char *xk;
        json_t *xv;
        json_object_foreach(x, xk, xv)
            if (schema_re_match(k, xk))
                json_object_set_new(set, xk, json_true());
    }
    json_t *r = sv_deref(v, s);
    if (r)
        sv_evaluated(v, r, x, set);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(s, "allOf"), i, e)
        sv_evaluated(v, e, x, set);
    struct sv probe = {.root = v->root};
    json_t *cond = json_object_get(s, "if");
    if (cond && sv_valid(&probe, cond, x, "")) {
        sv_evaluated(v, cond, x, set);
        sv_evaluated(v, json_object_get(s, "then"), x, set);
    }
}

static bool sv_type(json_t *x, const char *t)
{
    if (strcmp(t, "object") == 0)
        return json_is_object(x);
    if (strcmp(t, "array") == 0)
        return json_is_array(x);
    if (strcmp(t, "string") == 0)
        return json_is_string(x);
    if (strcmp(t, "number") == 0)
        return json_is_number(x);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(x);
    fail_msg("type %s not supported by the test validator", t);
    return false;
}

static bool sv_valid(struct sv *v, json_t *s, json_t *x, const char *path)
{
    if (json_is_true(s))
        return true;
    if (json_is_false(s))
        return sv_fail(v, path, "false schema");
    assert_true(json_is_object(s));
    bool ok = true;
    const char *kw;
    json_t *a;
    json_object_foreach(s, kw, a) {
        char sub[1024];
        if (strcmp(kw, "$ref") == 0) {
            ok &= sv_valid(v, sv_deref(v, s), x, path);
        } else if (strcmp(kw, "type") == 0) {
            if (!sv_type(x, json_string_value(a)))
                ok = sv_fail(v, path, "wrong type");
        } else if (strcmp(kw, "enum") == 0) {
            bool any = false;
            size_t i;
            json_t *e;
            json_array_foreach(a, i, e) any |= json_equal(e, x);
            if (!any)
                ok = sv_fail(v, path, "not in enum");
        } else if (strcmp(kw, "const") == 0) {
            if (!json_equal(a, x))
                ok = sv_fail(v, path, "not the const");
        } else if (strcmp(kw, "minLength") == 0) {
            if (json_is_string(x) && (json_int_t)utf8_chars(json_string_value(x)) < json_integer_value(a))
                ok = sv_fail(v, path, "too short");
        } else if (strcmp(kw, "pattern") == 0) {
            if (json_is_string(x) && !schema_re_match(json_string_value(a), json_string_value(x)))
                ok = sv_fail(v, path, "pattern");
        } else if (strcmp(kw, "minimum") == 0 || strcmp(kw, "maximum") == 0) {
            bool min = kw[1] == 'i';
            if (json_is_number(x) && (min ? json_number_value(x) < json_number_value(a)
                                          : json_number_value(x) > json_number_value(a)))
                ok = sv_fail(v, path, kw);
        } else if (strcmp(kw, "minItems") == 0 || strcmp(kw, "maxItems") == 0) {
            bool min = kw[1] == 'i';
            size_t n = json_array_size(x);
            if (json_is_array(x) && (min ? n < (size_t)json_integer_value(a)
                                         : n > (size_t)json_integer_value(a)))
                ok = sv_fail(v, path, kw);
        } else if (strcmp(kw, "items") == 0) {
            size_t i;
            json_t *e;
            json_array_foreach(x, i, e) {
                snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
                ok &= sv_valid(v, a, e, sub);
            }
        } else if (strcmp(kw, "required") == 0) {
            size_t i;
            json_t *e;
            json_array_foreach(a, i, e)
                if (json_is_object(x) && !json_object_get(x, json_string_value(e)))
                    ok = sv_fail(v, path, "required missing");
        } else if (strcmp(kw, "properties") == 0 || strcmp(kw, "patternProperties") == 0) {
            bool pat = kw[0] == 'p' && kw[1] == 'a';
            const char *k, *xk;
            json_t *ps, *xv;
            json_object_foreach(a, k, ps) json_object_foreach(x, xk, xv) {
                if (pat ? !schema_re_match(k, xk) : strcmp(k, xk) != 0)
                    continue;
                snprintf(sub, sizeof(sub), "%s.%s", path, xk);
                ok &= sv_valid(v, ps, xv, sub);
            }
        } else if (strcmp(kw, "additionalProperties") == 0) {
            assert_true(json_is_false(a));
            const char *xk;
            json_t *xv;
            json_object_foreach(x, xk, xv) {
                bool known = json_object_get(json_object_get(s, "properties"), xk) != NULL;
                const char *pk;
                json_t *pv;
                json_object_foreach(json_object_get(s, "patternProperties"), pk, pv)
                    known |= schema_re_match(pk, xk);
                if (!known)
                    ok = sv_fail(v, path, "additional property");
            }
        } else if (strcmp(kw, "unevaluatedProperties") == 0) {
            assert_true(json_is_false(a));
            json_t *set = json_object();
            sv_evaluated(v, s, x, set);
            const char *xk;
            json_t *xv;
            json_object_foreach(x, xk, xv)
                if (!json_object_get(set, xk))
                    ok = sv_fail(v, path, "unevaluated property");
            json_decref(set);
        } else if (strcmp(kw, "allOf") == 0 || strcmp(kw, "anyOf") == 0) {
            bool all = kw[1] == 'l';
            size_t i, good = 0;
            json_t *e;
            json_array_foreach(a, i, e) {
                struct sv probe = {.root = v->root};
                good += sv_valid(all ? v : &probe, e, x, path);
            }
            if (all ? good != json_array_size(a) : good == 0)
                ok = sv_fail(v, path, kw);
        } else if (strcmp(kw, "if") == 0) {
            struct sv probe = {.root = v->root};
            json_t *then = json_object_get(s, "then");
            if (sv_valid(&probe, a, x, path) && then)
                ok &= sv_valid(v, then, x, path);
        } else if (strcmp(kw, "then") == 0 || strcmp(kw, "description") == 0 ||
                   strcmp(kw, "examples") == 0 || strcmp(kw, "title") == 0 ||
                   strcmp(kw, "$schema") == 0 || strcmp(kw, "$defs") == 0) {
            /* handled with "if", or annotations */
        } else {
            fail_msg("keyword %s not supported by the test validator", kw);
        }
    }
    return ok;
}

static json_t *load_schema(void)
{
    json_error_t e;
    json_t *s = json_load_file(tu_top_path("docs/feed.schema.json"), JSON_REJECT_DUPLICATES,
                               &e);
    if (!s)
        fail_msg("docs/feed.schema.json:%d:%d: %s", e.line, e.column, e.text);
    return s;
}

static bool schema_accepts(json_t *schema, json_t *doc, char *why, size_t len)
{
    struct sv v = {.root = schema};
    bool ok = sv_valid(&v, schema, doc, "");
    if (why)
        snprintf(why, len, "%s", v.why);
    return ok;
}

static bool kiosk_accepts(json_t *doc, struct feed_report *rep)
{
    char *text = json_dumps(doc, 0);
    assert_non_null(text);
    struct deck *d = feed_parse(text, strlen(text), REMOTE, NULL, rep);
    free(text);
    deck_unref(d);
    return d != NULL;
}

/* The example value of property `name` of schema object `def`. */
static json_t *example_of(json_t *def, const char *name)
{
    json_t *p = json_object_get(json_object_get(def, "properties"), name);
    json_t *ex = json_array_get(json_object_get(p, "examples"), 0);
    if (!ex)
        fail_msg("property %s has no example", name);
    return ex;
}

static json_t *feed_with_slide(json_t *slide)
{
    return json_pack("{s:s, s:[O]}", "format", "edukiosk/1", "slides", slide);
}

/* The kiosk and the schema agree about doc; expect_ok is what both say. */
static void agree(json_t *schema, json_t *doc, bool expect_ok, const char *what)
{
    struct feed_report rep;
    char why[512];
    bool k = kiosk_accepts(doc, &rep);
    bool s = schema_accepts(schema, doc, why, sizeof(why));
    if (k != expect_ok || s != expect_ok || (expect_ok && rep.n != 0)) {
        char *text = json_dumps(doc, JSON_COMPACT);
        print_error("%s: kiosk %s, schema %s (%s)\n  %s\n", what, k ? "accepts" : "rejects",
                    s ? "accepts" : "rejects", why, text);
        feed_report_print(&rep, "kiosk", stderr);
        free(text);
        feed_report_free(&rep);
        fail();
    }
    feed_report_free(&rep);
}

struct probe {
    json_t *value;
    bool ok;
};

static void test_schema_matches_parser(void **state)
{
    (void)state;
    json_t *schema = load_schema();
    assert_string_equal(json_string_value(json_object_get(schema, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    json_t *defs = json_object_get(schema, "$defs");
    json_t *slide_def = json_object_get(defs, "slide");

    /* The same slide types, in the same order. */
    json_t *types = json_object_get(json_object_get(json_object_get(slide_def, "properties"),
                                                    "type"), "enum");
    assert_int_equal(json_array_size(types), SLIDE_IMAGE + 1);
    for (int t = SLIDE_TITLE; t <= SLIDE_IMAGE; t++)
        assert_string_equal(json_string_value(json_array_get(types, (size_t)t)),
                            slide_type_name((enum slide_type)t));

    /* Top level: required fields and every property's example. */
    json_t *top = json_object();
    const char *k;
    json_t *p;
    json_object_foreach(json_object_get(schema, "properties"), k, p)
        json_object_set(top, k, example_of(schema, k));
    agree(schema, top, true, "every top-level field");
    size_t i;
    json_t *req;
    json_array_foreach(json_object_get(schema, "required"), i, req) {
        json_t *d = json_deep_copy(top);
        json_object_del(d, json_string_value(req));
        agree(schema, d, false, json_string_value(req));
        json_decref(d);
    }
    json_decref(top);

    /* Objects inside: theme, defaults, alert, when: all fields at once. */
    static const char *const objs[] = {"theme", "defaults", "alert"};
    for (i = 0; i < 3; i++) {
        json_t *o = json_object(), *d;
        json_object_foreach(json_object_get(json_object_get(defs, objs[i]), "properties"), k, p)
            json_object_set(o, k, example_of(json_object_get(defs, objs[i]), k));
        d = json_pack("{s:s, s:O, s:[{s:s, s:s}]}", "format", "edukiosk/1", objs[i], o,
                      "slides", "type", "quote", "text", "x");
        agree(schema, d, true, objs[i]);
        json_decref(d);
        json_decref(o);
    }
    json_t *when = json_object();
    json_object_foreach(json_object_get(json_object_get(defs, "when"), "properties"), k, p)
        json_object_set(when, k, example_of(json_object_get(defs, "when"), k));

    /* Every slide type: all its fields; without each required one;
     * without each optional one; every bound of the schema. */
    json_array_foreach(json_object_get(slide_def, "allOf"), i, p) {
        const char *type = json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(p, "if"), "properties"), "type"),
            "const"));
        json_t *def = sv_deref(&(struct sv){.root = schema}, json_object_get(p, "then"));
        assert_string_equal(type, slide_type_name((enum slide_type)i));
        json_t *full = json_pack("{s:s}", "type", type);
        json_t *sources[] = {slide_def, def};
        for (int src = 0; src < 2; src++) {
            const char *name;
            json_t *ps;
            json_object_foreach(json_object_get(sources[src], "properties"), name, ps)
                if (strcmp(name, "type") != 0)
                    json_object_set(full, name, strcmp(name, "when") == 0
                                                    ? when : example_of(sources[src], name));
        }
        json_t *doc = feed_with_slide(full);
        agree(schema, doc, true, type);
        json_decref(doc);

        const char *name;
        json_t *ps;
        json_object_foreach(full, name, ps) {
            if (strcmp(name, "type") == 0)
                continue;
            bool required = false;
            size_t r;
            json_t *rv;
            json_array_foreach(json_object_get(def, "required"), r, rv)
                required |= strcmp(json_string_value(rv), name) == 0;
            json_t *less = json_deep_copy(full);
            json_object_del(less, name);
            /* An image's pin goes with it (the schema's if/then). */
            char pin[80];
            snprintf(pin, sizeof(pin), "%s_sha256", name);
            if (!required)
                json_object_del(less, pin);
            doc = feed_with_slide(less);
            char what[128];
            snprintf(what, sizeof(what), "%s without %s", type, name);
            agree(schema, doc, !required, what);
            if (required) {
                struct feed_report rep;
                assert_false(kiosk_accepts(doc, &rep));
                char want[128];
                snprintf(want, sizeof(want), "slides[0].%s", name);
                assert_string_equal(rep.diags[0].path, want);
                assert_string_equal(rep.diags[0].msg, "required field is missing");
                feed_report_free(&rep);
            }
            json_decref(doc);
            json_decref(less);

            /* Bounds, resolved through $ref. */
            json_t *pdef = json_object_get(json_object_get(def, "properties"), name);
            if (!pdef)
                pdef = json_object_get(json_object_get(slide_def, "properties"), name);
            json_t *target = sv_deref(&(struct sv){.root = schema}, pdef);
            if (!target)
                target = pdef;
            json_t *mn = json_object_get(target, "minimum"), *mx = json_object_get(target, "maximum");
            json_t *mi = json_object_get(target, "minItems"), *ma = json_object_get(target, "maxItems");
            struct probe probes[6];
            int np = 0;
            if (mn) {
                probes[np++] = (struct probe){json_real(json_number_value(mn)), true};
                probes[np++] = (struct probe){json_real(json_number_value(mn) - 0.5), false};
            }
            if (mx) {
                probes[np++] = (struct probe){json_real(json_number_value(mx)), true};
                probes[np++] = (struct probe){json_real(json_number_value(mx) + 0.5), false};
            }
            json_t *one = json_array_get(json_object_get(full, name), 0);
            if (mi && json_integer_value(mi) == 1)
                probes[np++] = (struct probe){json_array(), false};
            if (ma) {
                json_t *arr = json_array();
                for (json_int_t n = 0; n <= json_integer_value(ma); n++)
                    json_array_append(arr, one);
                probes[np++] = (struct probe){arr, false};
                arr = json_array();
                for (json_int_t n = 0; n < json_integer_value(ma); n++)
                    json_array_append(arr, one);
                probes[np++] = (struct probe){arr, true};
            }
            for (int n = 0; n < np; n++) {
                json_t *b = json_deep_copy(full);
                json_object_set_new(b, name, probes[n].value);
                doc = feed_with_slide(b);
                snprintf(what, sizeof(what), "%s.%s bound %d", type, name, n);
                agree(schema, doc, probes[n].ok, what);
                json_decref(doc);
                json_decref(b);
            }
        }
        json_decref(full);
    }
    json_decref(when);
    json_decref(schema);
}

/* Valid fixtures without unknown fields, and the built-in feed, pass the
 * schema; those with unknown fields fail it (the schema flags typos), and
 * invalid fixtures the schema can express fail it too. */
static void test_fixtures_against_schema(void **state)
{
    (void)state;
    json_t *schema = load_schema();
    char **names;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", test_data("feeds/valid"));
    size_t n = tu_list_dir(dir, ".json", &names);
    for (size_t i = 0; i < n; i++) {
        char path[4096], why[512];
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
            fail();
        size_t len;
        char *bytes = tu_read_file(path, &len);
        struct feed_report rep;
        struct deck *d = feed_parse(bytes, len, "feed.json", NULL, &rep);
        assert_non_null(d);
        bool unknown = false;
        for (size_t k = 0; k < rep.n; k++)
            unknown |= strstr(rep.diags[k].msg, "unknown") || strstr(rep.diags[k].msg, "not used");
        json_error_t e;
        size_t skip = len >= 3 && memcmp(bytes, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        json_t *doc = json_loadb(bytes + skip, len - skip, 0, &e);
        assert_non_null(doc);
        bool ok = schema_accepts(schema, doc, why, sizeof(why));
        if (ok == unknown)
            fail_msg("%s: schema %s it (%s)", names[i], ok ? "accepts" : "rejects", why);
        json_decref(doc);
        deck_unref(d);
        feed_report_free(&rep);
        free(bytes);
        free(names[i]);
    }
    free(names);

    json_error_t e;
    json_t *doc = json_load_file(tu_top_path("assets/default-feed.json"), 0, &e);
    assert_non_null(doc);
    char why[512];
    if (!schema_accepts(schema, doc, why, sizeof(why)))
        fail_msg("assets/default-feed.json: %s", why);
    json_decref(doc);

    static const char *const rejected[] = {
        "top-level", "format-missing", "format-newer", "slides-missing", "slides-empty",
        "slides-not-list", "all-unknown-types", "slide-common", "type-fields", "when",
        "bad-times", "theme-alert", "not-object", "local-bad-scheme"};
    for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
        char name[256];
        snprintf(name, sizeof(name), "feeds/invalid/%s.json", rejected[i]);
        doc = json_load_file(test_data(name), 0, &e);
        assert_non_null(doc);
        if (schema_accepts(schema, doc, why, sizeof(why)) &&
            strcmp(rejected[i], "local-bad-scheme") != 0)
            fail_msg("%s: the schema accepts it", rejected[i]);
        json_decref(doc);
    }
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_fixtures),
        cmocka_unit_test(test_invalid_fixtures),
        cmocka_unit_test(test_deep_nesting_fails_fast),
        cmocka_unit_test(test_brackets_in_strings_do_not_nest),
        cmocka_unit_test(test_configured_limits),
        cmocka_unit_test(test_huge_string),
        cmocka_unit_test(test_nul_and_utf8),
        cmocka_unit_test(test_too_many_problems),
        cmocka_unit_test(test_columns_count_characters),
        cmocka_unit_test(test_relative_urls),
        cmocka_unit_test(test_remote_feeds_reject_other_schemes),
        cmocka_unit_test(test_deck_contents),
        cmocka_unit_test(test_defaults_without_theme),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_refcount_threads),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_docs_example),
        cmocka_unit_test(test_report_print),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_image_pins),
        cmocka_unit_test(test_schema_matches_parser),
        cmocka_unit_test(test_fixtures_against_schema),
    };
    return cmocka_run_group_tests(tests, setup_shanghai, NULL);
}
