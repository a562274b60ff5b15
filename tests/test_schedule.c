/* schedule: when windows (edges, date-only until, midnight wrap, days),
 * sites, time zones with DST, and the unsynchronised clock rules. */
#include "testutil.h"

#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "feed.h"
#include "schedule.h"

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* Local wall-clock time in the current TZ. */
static time_t local(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = s, .tm_isdst = -1};
    return mktime(&tm);
}

/* A deck of one quote slide with the given extra members, parsed in the
 * current TZ (as the kiosk does). */
static struct deck *slide_with(const char *extra)
{
    char json[1024];
    snprintf(json, sizeof(json), "{\"format\": \"edukiosk/1\", \"slides\": [{\"type\": "
             "\"quote\", \"text\": \"x\"%s%s}]}", extra[0] ? ", " : "", extra);
    struct feed_report rep;
    struct deck *d = feed_parse(json, strlen(json), "feed.json", NULL, &rep);
    feed_report_print(&rep, "feed.json", stderr);
    assert_non_null(d);
    assert_int_equal(rep.n, 0);
    feed_report_free(&rep);
    return d;
}

static enum schedule_why at(const struct deck *d, time_t now)
{
    struct schedule_ctx c = {.now = now, .clock_ok = true};
    return schedule_slide(&d->slides[0], &c);
}

static void test_no_when(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("");
    assert_int_equal(at(d, 0), SCHED_ACTIVE);
    assert_int_equal(at(d, tu_utc(2026, 12, 1, 0, 0, 0)), SCHED_ACTIVE);
    struct schedule_ctx c = {.now = 5, .clock_ok = false};
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_ACTIVE);
    deck_unref(d);
}

/* from is inclusive, until exclusive. */
static void test_from_until_edges(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("\"when\": {\"from\": \"2026-12-01 08:00\", "
                                "\"until\": \"2026-12-01 18:00\"}");
    time_t from = tu_utc(2026, 12, 1, 0, 0, 0), until = tu_utc(2026, 12, 1, 10, 0, 0);
    assert_int_equal(at(d, from - 1), SCHED_NOT_YET);
    assert_int_equal(at(d, from), SCHED_ACTIVE);
    assert_int_equal(at(d, until - 1), SCHED_ACTIVE);
    assert_int_equal(at(d, until), SCHED_EXPIRED);
    deck_unref(d);

    d = slide_with("\"when\": {\"from\": \"2026-12-01T00:00:00Z\"}");
    assert_int_equal(at(d, tu_utc(2026, 11, 30, 23, 59, 59)), SCHED_NOT_YET);
    assert_int_equal(at(d, tu_utc(2027, 11, 30, 23, 59, 59)), SCHED_ACTIVE);
    deck_unref(d);
}

static void test_date_only_through_the_day(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("\"when\": {\"from\": \"2026-12-01\", \"until\": \"2026-12-01\"}");
    assert_int_equal(at(d, local(2026, 11, 30, 23, 59, 59)), SCHED_NOT_YET);
    assert_int_equal(at(d, local(2026, 12, 1, 0, 0, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 1, 23, 59, 59)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 2, 0, 0, 0)), SCHED_EXPIRED);
    deck_unref(d);
}

/* The end of a date-only until is the next local midnight, also on the
 * 23- and 25-hour days of DST changes. */
static void test_dst_days_berlin(void **state)
{
    (void)state;
    set_tz("Europe/Berlin");
    struct deck *d = slide_with("\"when\": {\"until\": \"2026-03-29\"}");
    /* Summer time from 02:00: midnight after is 22:00Z. */
    assert_int_equal(at(d, tu_utc(2026, 3, 29, 21, 59, 59)), SCHED_ACTIVE);
    assert_int_equal(at(d, tu_utc(2026, 3, 29, 22, 0, 0)), SCHED_EXPIRED);
    deck_unref(d);
    d = slide_with("\"when\": {\"until\": \"2026-10-25\"}");
    /* Back to winter time at 03:00: midnight after is 23:00Z. */
    assert_int_equal(at(d, tu_utc(2026, 10, 25, 22, 59, 59)), SCHED_ACTIVE);
    assert_int_equal(at(d, tu_utc(2026, 10, 25, 23, 0, 0)), SCHED_EXPIRED);
    deck_unref(d);
    /* Hours are wall-clock hours in summer and in winter alike. */
    d = slide_with("\"when\": {\"hours\": \"07:30-18:00\"}");
    assert_int_equal(at(d, tu_utc(2026, 7, 1, 5, 29, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, tu_utc(2026, 7, 1, 5, 30, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, tu_utc(2026, 12, 1, 6, 29, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, tu_utc(2026, 12, 1, 6, 30, 0)), SCHED_ACTIVE);
    deck_unref(d);
    set_tz("Asia/Shanghai");
}

static void test_hours(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("\"when\": {\"hours\": \"07:30-18:00\"}");
    assert_int_equal(at(d, local(2026, 12, 1, 7, 29, 59)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, local(2026, 12, 1, 7, 30, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 1, 17, 59, 59)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 1, 18, 0, 0)), SCHED_WRONG_HOURS);
    deck_unref(d);

    d = slide_with("\"when\": {\"hours\": \"22:00-06:00\"}");
    assert_int_equal(at(d, local(2026, 12, 1, 21, 59, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, local(2026, 12, 1, 22, 0, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 1, 23, 59, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 2, 0, 0, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 2, 5, 59, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 2, 6, 0, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, local(2026, 12, 2, 12, 0, 0)), SCHED_WRONG_HOURS);
    deck_unref(d);

    d = slide_with("\"when\": {\"hours\": \"18:00-24:00\"}");
    assert_int_equal(at(d, local(2026, 12, 1, 17, 59, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, local(2026, 12, 1, 18, 0, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 1, 23, 59, 59)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 2, 0, 0, 0)), SCHED_WRONG_HOURS);
    deck_unref(d);
}

static void test_days(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("\"when\": {\"days\": [\"mon\", \"wed\", \"sun\"]}");
    /* 2026-12-07 is a Monday. */
    assert_int_equal(at(d, local(2026, 12, 6, 23, 59, 59)), SCHED_ACTIVE); /* Sun */
    assert_int_equal(at(d, local(2026, 12, 7, 0, 0, 0)), SCHED_ACTIVE);    /* Mon */
    assert_int_equal(at(d, local(2026, 12, 8, 12, 0, 0)), SCHED_WRONG_DAY); /* Tue */
    assert_int_equal(at(d, local(2026, 12, 9, 12, 0, 0)), SCHED_ACTIVE);   /* Wed */
    assert_int_equal(at(d, local(2026, 12, 12, 12, 0, 0)), SCHED_WRONG_DAY); /* Sat */
    deck_unref(d);

    /* The part after midnight belongs to the evening it began. */
    d = slide_with("\"when\": {\"days\": [\"fri\"], \"hours\": \"22:00-06:00\"}");
    assert_int_equal(at(d, local(2026, 12, 4, 23, 0, 0)), SCHED_ACTIVE);    /* Fri night */
    assert_int_equal(at(d, local(2026, 12, 5, 2, 0, 0)), SCHED_ACTIVE);     /* Sat small hours */
    assert_int_equal(at(d, local(2026, 12, 4, 2, 0, 0)), SCHED_WRONG_DAY);  /* Thu's night */
    assert_int_equal(at(d, local(2026, 12, 5, 23, 0, 0)), SCHED_WRONG_DAY); /* Sat night */
    assert_int_equal(at(d, local(2026, 12, 4, 12, 0, 0)), SCHED_WRONG_HOURS);
    deck_unref(d);

    /* Dates, days and hours together: the date window is checked first. */
    d = slide_with("\"when\": {\"from\": \"2026-12-07\", \"until\": \"2026-12-13\", "
                   "\"days\": [\"mon\"], \"hours\": \"08:00-09:00\"}");
    assert_int_equal(at(d, local(2026, 11, 30, 8, 30, 0)), SCHED_NOT_YET);
    assert_int_equal(at(d, local(2026, 12, 7, 8, 30, 0)), SCHED_ACTIVE);
    assert_int_equal(at(d, local(2026, 12, 7, 9, 30, 0)), SCHED_WRONG_HOURS);
    assert_int_equal(at(d, local(2026, 12, 8, 8, 30, 0)), SCHED_WRONG_DAY);
    assert_int_equal(at(d, local(2026, 12, 14, 8, 30, 0)), SCHED_EXPIRED);
    deck_unref(d);
}

static void test_sites(void **state)
{
    (void)state;
    struct deck *d = slide_with("\"sites\": [\"north-campus\", \"library\"]");
    const char *const north[] = {"gym", "North-Campus"};
    const char *const south[] = {"south-campus"};
    struct schedule_ctx c = {.now = tu_utc(2026, 12, 1, 0, 0, 0), .clock_ok = true};
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_OTHER_SITE); /* no tags */
    c.sites = north;
    c.n_sites = 2;
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_ACTIVE);
    c.sites = south;
    c.n_sites = 1;
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_OTHER_SITE);
    deck_unref(d);

    /* No sites on the slide: every site. */
    d = slide_with("");
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_ACTIVE);
    deck_unref(d);

    /* Site is checked before the dates: it never changes. */
    d = slide_with("\"sites\": [\"x\"], \"when\": {\"until\": \"2020-01-01\"}");
    assert_int_equal(schedule_slide(&d->slides[0], &c), SCHED_OTHER_SITE);
    deck_unref(d);
}

static void test_unsynchronised_clock(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct deck *d = slide_with("\"when\": {\"from\": \"2026-12-01\", \"until\": \"2026-12-31\"}");
    const struct slide *s = &d->slides[0];
    time_t inside = local(2026, 12, 15, 12, 0, 0), after = local(2027, 1, 5, 12, 0, 0);

    /* No trustworthy time at all: a dated slide is not judged. */
    struct schedule_ctx c = {.now = inside, .clock_ok = false};
    assert_int_equal(schedule_slide(s, &c), SCHED_CLOCK_UNSYNC);
    c.now = 3600; /* booted in 1970 */
    assert_int_equal(schedule_slide(s, &c), SCHED_CLOCK_UNSYNC);

    /* With a last good time, that time decides, not the clock. */
    c.last_good = inside;
    assert_int_equal(schedule_slide(s, &c), SCHED_ACTIVE);
    c.now = after;
    assert_int_equal(schedule_slide(s, &c), SCHED_ACTIVE);
    c.last_good = after;
    c.now = inside;
    assert_int_equal(schedule_slide(s, &c), SCHED_EXPIRED);
    c.clock_ok = true; /* once synchronised, the clock decides */
    assert_int_equal(schedule_slide(s, &c), SCHED_ACTIVE);
    deck_unref(d);

    /* Days and hours use the local clock unless it is plainly wrong. */
    d = slide_with("\"when\": {\"hours\": \"07:30-18:00\"}");
    s = &d->slides[0];
    struct schedule_ctx u = {.now = local(2026, 12, 1, 12, 0, 0), .clock_ok = false};
    assert_int_equal(schedule_slide(s, &u), SCHED_ACTIVE);
    u.now = local(2026, 12, 1, 20, 0, 0);
    assert_int_equal(schedule_slide(s, &u), SCHED_WRONG_HOURS);
    u.now = 12 * 3600; /* 1970 */
    assert_int_equal(schedule_slide(s, &u), SCHED_CLOCK_UNSYNC);
    u.now = local(2026, 12, 1, 12, 0, 0);
    u.last_good = local(2026, 12, 2, 12, 0, 0); /* the clock is behind a known time */
    assert_int_equal(schedule_slide(s, &u), SCHED_CLOCK_UNSYNC);
    deck_unref(d);
}

static void test_alerts(void **state)
{
    (void)state;
    set_tz("Asia/Shanghai");
    struct alert none = {.level = ALERT_NONE};
    struct schedule_ctx c = {.now = local(2026, 12, 1, 12, 0, 0), .clock_ok = true};
    assert_false(schedule_alert_active(&none, &c));

    const char *json = "{\"format\": \"edukiosk/1\", \"alert\": {\"level\": \"emergency\", "
                       "\"title\": \"停课\", \"from\": \"2026-12-01 07:00\", \"until\": "
                       "\"2026-12-01\"}, \"slides\": [{\"type\": \"quote\", \"text\": \"x\"}]}";
    struct deck *d = feed_parse(json, strlen(json), "feed.json", NULL, NULL);
    assert_non_null(d);
    const struct alert *a = &d->alert;
    assert_int_equal(a->level, ALERT_EMERGENCY);
    c.now = local(2026, 12, 1, 6, 59, 59);
    assert_false(schedule_alert_active(a, &c));
    c.now = local(2026, 12, 1, 7, 0, 0);
    assert_true(schedule_alert_active(a, &c));
    c.now = local(2026, 12, 1, 23, 59, 59);
    assert_true(schedule_alert_active(a, &c));
    c.now = local(2026, 12, 2, 0, 0, 0);
    assert_false(schedule_alert_active(a, &c));

    c.clock_ok = false;
    c.now = local(2026, 12, 1, 12, 0, 0);
    assert_false(schedule_alert_active(a, &c));
    c.last_good = local(2026, 12, 1, 8, 0, 0);
    assert_true(schedule_alert_active(a, &c));
    deck_unref(d);

    /* Undated: on whatever the clock says. */
    struct alert plain = {.level = ALERT_INFO};
    struct schedule_ctx u = {.now = 0, .clock_ok = false};
    assert_true(schedule_alert_active(&plain, &u));
}

static void test_why_texts(void **state)
{
    (void)state;
    for (int i = SCHED_ACTIVE; i <= SCHED_CLOCK_UNSYNC; i++) {
        const char *t = schedule_why_text((enum schedule_why)i);
        assert_non_null(t);
        assert_true(strlen(t) > 3);
        for (int k = SCHED_ACTIVE; k < i; k++)
            assert_string_not_equal(t, schedule_why_text((enum schedule_why)k));
    }
}

/* The answer follows the kernel's STA_UNSYNC bit or timesyncd's flag. */
static void test_clock_synced(void **state)
{
    (void)state;
    struct timex tx = {0};
    int st = adjtimex(&tx);
    bool kernel = st != -1 && st != TIME_ERROR && !(tx.status & STA_UNSYNC);
    bool flag = access("/run/systemd/timesync/synchronized", F_OK) == 0;
    assert_int_equal(schedule_clock_synced(), kernel || flag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_when),
        cmocka_unit_test(test_from_until_edges),
        cmocka_unit_test(test_date_only_through_the_day),
        cmocka_unit_test(test_dst_days_berlin),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_sites),
        cmocka_unit_test(test_unsynchronised_clock),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_why_texts),
        cmocka_unit_test(test_clock_synced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
