/* log: journald priority prefixes, level filtering, repeats collapsed. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats_collapse),
        cmocka_unit_test(test_levels_filter),
        cmocka_unit_test(test_one_record_per_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
