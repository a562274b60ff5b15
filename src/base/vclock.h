/* vclock: the time the kiosk runs on, real or simulated.
 *
 * Real (the default): vclock_ms() is CLOCK_MONOTONIC in milliseconds and
 * vclock_wall() is time(NULL); the rest does nothing.
 *
 * Simulated, for tests only: EDUKIOSK_SIM_TIME=<unix seconds> in the
 * environment at start makes the wall clock start there and stand still
 * until the main loop lets time pass with vclock_advance(), which jumps
 * instead of sleeping.  Work other threads do (rasterising, a poll of the
 * feed) takes no simulated time of its own: whoever hands out such work
 * takes a hold (vclock_hold) and the worker gives it back when done
 * (vclock_release); the clock waits for every hold before it moves.  A
 * worker that sleeps for a while arms a timer instead, which fires on the
 * advancing thread when simulated time reaches it.  So a month of slides,
 * polls, schedule and alert expiries runs in minutes, through the same
 * code as on a screen.
 */
#ifndef EDUKIOSK_VCLOCK_H
#define EDUKIOSK_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* True when EDUKIOSK_SIM_TIME was set to a valid time at the first call
 * of any vclock function (read once). */
bool vclock_simulated(void);
/* Monotonic milliseconds (arbitrary origin).  Any thread. */
uint64_t vclock_ms(void);
/* Wall-clock seconds.  Any thread. */
time_t vclock_wall(void);

/* Work the clock waits for before it moves.  Any thread. */
void vclock_hold(void);
void vclock_release(void);

/* A one-shot timer of simulated time: fire(ud) runs on the thread that
 * calls vclock_advance() once the time reaches due_ms.  Arming an armed
 * timer moves it.  Real time: arming does nothing. */
struct vclock_timer {
    void (*fire)(void *ud);
    void *ud;
    uint64_t due_ms;
    bool armed;
    struct vclock_timer *next;
};
void vclock_timer_arm(struct vclock_timer *t, uint64_t due_ms);
/* After it returns the timer is not armed; it must not be firing on
 * another thread at the time (call it from the advancing thread). */
void vclock_timer_cancel(struct vclock_timer *t);

/* Simulated time only, one thread (the main loop): lets ms pass.  First
 * waits in real time until no hold is out, then jumps to now + ms, or to
 * the first armed timer if that comes sooner, and fires the timers due.
 * A caller that must not spin passes at least 1: a loop that keeps
 * handing out work would otherwise never see time move. */
void vclock_advance(uint64_t ms);

#endif
