#define LOG_MODULE "vclock"
#include "vclock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "log.h"

/* How long (real time) the clock waits for outstanding work before it
 * says so and moves on: a lost release must not hang a test forever. */
#define HOLD_PATIENCE_S 60

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool simulated;
static time_t sim_start; /* wall seconds at simulated ms 0 */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released = PTHREAD_COND_INITIALIZER;
static atomic_uint_fast64_t sim_ms;
static unsigned holds;         /* under lock */
static struct vclock_timer *timers; /* armed ones, under lock */

static void init(void)
{
    const char *s = getenv("EDUKIOSK_SIM_TIME");
    if (!s || !*s)
        return;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return;
    sim_start = (time_t)v;
    atomic_init(&sim_ms, 0);
    simulated = true;
}

bool vclock_simulated(void)
{
    pthread_once(&once, init);
    return simulated;
}

uint64_t vclock_ms(void)
{
    if (vclock_simulated())
        return atomic_load(&sim_ms);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

time_t vclock_wall(void)
{
    if (vclock_simulated())
        return sim_start + (time_t)(atomic_load(&sim_ms) / 1000u);
    return time(NULL);
}

void vclock_hold(void)
{
    if (!vclock_simulated())
        return;
    pthread_mutex_lock(&lock);
    holds++;
    pthread_mutex_unlock(&lock);
}

void vclock_release(void)
{
    if (!vclock_simulated())
        return;
    pthread_mutex_lock(&lock);
    if (holds > 0 && --holds == 0)
        pthread_cond_broadcast(&released);
    pthread_mutex_unlock(&lock);
}

static void unlink_timer(struct vclock_timer *t)
{
    for (struct vclock_timer **p = &timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

void vclock_timer_arm(struct vclock_timer *t, uint64_t due_ms)
{
    if (!vclock_simulated())
        return;
    pthread_mutex_lock(&lock);
    if (t->armed)
        unlink_timer(t);
    t->due_ms = due_ms;
    t->armed = true;
    t->next = timers;
    timers = t;
    pthread_mutex_unlock(&lock);
}

void vclock_timer_cancel(struct vclock_timer *t)
{
    if (!vclock_simulated())
        return;
    pthread_mutex_lock(&lock);
    if (t->armed)
        unlink_timer(t);
    pthread_mutex_unlock(&lock);
}

static void wait_for_holds(void)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += HOLD_PATIENCE_S;
    while (holds > 0) {
        if (pthread_cond_timedwait(&released, &lock, &dl) == ETIMEDOUT && holds > 0) {
            LOG_ERR("simulated time: %u piece(s) of work still outstanding after %d s; "
                    "moving on",
                    holds, HOLD_PATIENCE_S);
            return;
        }
    }
}

void vclock_advance(uint64_t ms)
{
    if (!vclock_simulated())
        return;
    pthread_mutex_lock(&lock);
    wait_for_holds();
    uint64_t now = atomic_load(&sim_ms);
    uint64_t target = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
    for (struct vclock_timer *t = timers; t; t = t->next)
        if (t->due_ms < target)
            target = t->due_ms;
    if (target < now)
        target = now;
    atomic_store(&sim_ms, target);
    /* Take the due timers off the list, then fire them unlocked: a fire
     * callback may hold, release or arm. */
    struct vclock_timer *due = NULL;
    for (struct vclock_timer **p = &timers; *p;) {
        struct vclock_timer *t = *p;
        if (t->due_ms <= target) {
            *p = t->next;
            t->armed = false;
            t->next = due;
            due = t;
        } else {
            p = &t->next;
        }
    }
    pthread_mutex_unlock(&lock);
    while (due) {
        struct vclock_timer *t = due;
        due = t->next;
        t->next = NULL;
        t->fire(t->ud);
    }
}
