/* vclock, simulated (EDUKIOSK_SIM_TIME set before the first call): the
 * clock moves only when advanced, jumps to timers, waits for holds. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

#include "clock.h"
#include "vclock.h"

#define START 1797782400 /* 2026-12-21 00:00 +08:00 */

static int fired;
static void count_fire(void *ud)
{
    (void)ud;
    fired++;
}

static void test_starts_at_the_given_time_and_stands_still(void **state)
{
    (void)state;
    assert_true(vclock_simulated());
    uint64_t ms = vclock_ms();
    time_t wall = vclock_wall();
    assert_true(wall >= START);
    /* Real time passing does not move it. */
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_int_equal(vclock_ms(), ms);
    assert_int_equal(vclock_wall(), wall);
    /* The kiosk's clock is the simulated one, and trusted. */
    assert_int_equal(clock_now(), wall);
    assert_true(clock_trusted());
}

static void test_advance_jumps(void **state)
{
    (void)state;
    uint64_t ms = vclock_ms();
    time_t wall = vclock_wall();
    vclock_advance(3 * 86400 * 1000ull);
    assert_int_equal(vclock_ms(), ms + 3 * 86400 * 1000ull);
    assert_int_equal(vclock_wall(), wall + 3 * 86400);
    vclock_advance(1);
    assert_int_equal(vclock_ms(), ms + 3 * 86400 * 1000ull + 1);
}

static void test_timer_stops_the_jump_and_fires_once(void **state)
{
    (void)state;
    struct vclock_timer t = {.fire = count_fire};
    fired = 0;
    uint64_t ms = vclock_ms();
    vclock_timer_arm(&t, ms + 500);
    vclock_advance(10000);
    assert_int_equal(vclock_ms(), ms + 500);
    assert_int_equal(fired, 1);
    assert_false(t.armed);
    vclock_advance(10000);
    assert_int_equal(vclock_ms(), ms + 10500);
    assert_int_equal(fired, 1);

    /* Moved and cancelled timers. */
    vclock_timer_arm(&t, vclock_ms() + 100);
    vclock_timer_arm(&t, vclock_ms() + 300);
    ms = vclock_ms();
    vclock_advance(1000);
    assert_int_equal(vclock_ms(), ms + 300);
    assert_int_equal(fired, 2);
    vclock_timer_arm(&t, vclock_ms() + 100);
    vclock_timer_cancel(&t);
    ms = vclock_ms();
    vclock_advance(1000);
    assert_int_equal(vclock_ms(), ms + 1000);
    assert_int_equal(fired, 2);
}

static atomic_bool work_done;

static void *worker(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the work, in real time */
    atomic_store(&work_done, true);
    vclock_release();
    return NULL;
}

static void test_advance_waits_for_holds(void **state)
{
    (void)state;
    atomic_store(&work_done, false);
    vclock_hold();
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, worker, NULL), 0);
    uint64_t ms = vclock_ms();
    vclock_advance(60000);
    /* It moved only once the work was given back. */
    assert_true(atomic_load(&work_done));
    assert_int_equal(vclock_ms(), ms + 60000);
    pthread_join(th, NULL);
}

int main(void)
{
    char start[32];
    snprintf(start, sizeof(start), "%d", START);
    setenv("EDUKIOSK_SIM_TIME", start, 1);
    unsetenv("EDUKIOSK_NOW");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_at_the_given_time_and_stands_still),
        cmocka_unit_test(test_advance_jumps),
        cmocka_unit_test(test_timer_stops_the_jump_and_fires_once),
        cmocka_unit_test(test_advance_waits_for_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
