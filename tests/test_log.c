/* log: journald priority prefixes, level filtering, repeats collapsed,
 * recent failure states said once. */
#include "testutil.h"

#include <string.h>
#include <unistd.h>

#define LOG_MODULE "test"
#include "log.h"

/* Runs fn with stderr going to a temp file; returns what it wrote. */
static char *capture(void (*fn)(void))
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    fn();
    log_flush();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    long n = ftell(tmp);
    rewind(tmp);
    char *buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, tmp), (size_t)n);
    fclose(tmp);
    return buf;
}

static void repeated(void)
{
    log_set_level(LOG_LEVEL_INFO);
    for (int i = 0; i < 5; i++)
        LOG_WARN("connect failed: %s", "refused");
    LOG_INFO("connected");
    LOG_INFO("connected");
}

static void test_repeats_collapse(void **state)
{
    (void)state;
    char *out = capture(repeated);
    assert_string_equal(out, "<4>test: connect failed: refused\n"
                             "<4>previous message repeated 4 times\n"
                             "<6>test: connected\n"
                             "<6>previous message repeated 1 time\n");
    free(out);
}

static void levels(void)
{
    log_set_level(LOG_LEVEL_WARN);
    LOG_DBG("hidden");
    LOG_INFO("hidden too");
    LOG_ERR("shown");
    log_set_level(LOG_LEVEL_INFO);
}

static void test_levels_filter(void **state)
{
    (void)state;
    char *out = capture(levels);
    assert_string_equal(out, "<3>test: shown\n");
    free(out);
    assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("WARNING"), LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("loud"), -1);
}

static void newlines(void)
{
    LOG_ERR("two\nlines\r");
}

static void test_one_record_per_line(void **state)
{
    (void)state;
    char *out = capture(newlines);
    assert_string_equal(out, "<3>test: two lines \n");
    free(out);
}

/* Two failures taking turns: each said once, then a summary per kind
 * and interval; a failure the log already reports is not said again. */
static void test_states_alternating(void **state)
{
    (void)state;
    struct log_states *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    unsigned long n = 0;
    int said = 0;
    for (int i = 0; i < 20; i++) {
        enum log_verdict v =
            log_states_note(s, i % 2 ? "http-503" : "invalid:ab12", (double)i, 900, &n);
        if (i < 2)
            assert_int_equal(v, LOG_VERDICT_NEW);
        said += v != LOG_VERDICT_QUIET;
    }
    assert_int_equal(said, 2);
    /* Ten of each so far, one said: the summary counts the rest and this. */
    assert_int_equal(log_states_note(s, "invalid:ab12", 1000, 900, &n),
                     LOG_VERDICT_SUMMARY);
    assert_int_equal(n, 10);
    assert_int_equal(log_states_note(s, "invalid:ab12", 1001, 900, &n),
                     LOG_VERDICT_QUIET);
    assert_int_equal(log_states_note(s, "http-503", 1002, 900, &n), LOG_VERDICT_SUMMARY);
    assert_int_equal(n, 10);

    /* Healed, then the same failure soon after: quiet (it flaps), and a
     * summary once the interval has passed. */
    assert_true(log_states_ok(s));
    assert_false(log_states_ok(s));
    assert_int_equal(log_states_note(s, "http-503", 1003, 900, &n), LOG_VERDICT_QUIET);
    assert_false(log_states_ok(s)); /* nothing was said, nothing to take back */
    assert_int_equal(log_states_note(s, "http-503", 1004, 900, &n), LOG_VERDICT_QUIET);
    assert_int_equal(log_states_note(s, "http-503", 2000, 900, &n), LOG_VERDICT_SUMMARY);
    assert_int_equal(n, 3);
    /* Persisting: the log already says so. */
    assert_int_equal(log_states_note(s, "http-503", 9000, 900, &n), LOG_VERDICT_QUIET);

    /* Bounded: the oldest of more kinds than it keeps is forgotten. */
    char key[32];
    for (int i = 0; i < LOG_STATES_MAX; i++) {
        snprintf(key, sizeof(key), "curl-%d", i);
        assert_int_equal(log_states_note(s, key, 9001, 900, NULL), LOG_VERDICT_NEW);
    }
    assert_int_equal(log_states_note(s, "invalid:ab12", 9002, 900, NULL),
                     LOG_VERDICT_NEW);
    assert_int_equal(log_states_note(s, "curl-7", 9003, 900, NULL), LOG_VERDICT_QUIET);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats_collapse),
        cmocka_unit_test(test_levels_filter),
        cmocka_unit_test(test_one_record_per_line),
        cmocka_unit_test(test_states_alternating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
