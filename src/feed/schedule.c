#define LOG_MODULE "schedule"
#include "schedule.h"

#include <strings.h>
#include <sys/timex.h>
#include <unistd.h>

#include "feedtime.h"
#include "log.h"

/* A clock earlier than this (2024-01-01T00:00:00Z) has plainly never been
 * set: a Raspberry Pi without RTC and without fake-hwclock boots in 1970. */
#define CLOCK_FLOOR ((time_t)1704067200)

/* from is inclusive, until exclusive. */
static enum schedule_why date_window(const struct feed_time *from,
                                     const struct feed_time *until, time_t t)
{
    if (from->set && t < from->t)
        return SCHED_NOT_YET;
    if (until->set && t >= feedtime_end(until))
        return SCHED_EXPIRED;
    return SCHED_ACTIVE;
}

/* Dated windows on an unsynchronised clock are judged at the last moment
 * known to be right; without one they are not judged at all. */
static bool dated_time(const struct schedule_ctx *c, time_t *t)
{
    if (c->clock_ok) {
        *t = c->now;
        return true;
    }
    if (c->last_good > 0) {
        *t = c->last_good;
        return true;
    }
    return false;
}

/* Days and hours are about the time of day, which no past moment can
 * tell: they use the local clock even when it is not synchronised (with
 * fake-hwclock it is roughly right), unless it is plainly wrong. */
static bool time_of_day_usable(const struct schedule_ctx *c)
{
    if (c->clock_ok)
        return true;
    if (c->now < CLOCK_FLOOR)
        return false;
    if (c->last_good > 0 && c->now < c->last_good)
        return false;
    return true;
}

static bool site_matches(const struct slide *s, const struct schedule_ctx *c)
{
    if (s->n_sites == 0)
        return true;
    for (size_t i = 0; i < s->n_sites; i++)
        for (size_t j = 0; j < c->n_sites; j++)
            if (c->sites[j] && strcasecmp(s->sites[i], c->sites[j]) == 0)
                return true;
    return false;
}

static enum schedule_why day_and_hours(const struct when *w, time_t now)
{
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return SCHED_CLOCK_UNSYNC;
    int day = (tm.tm_wday + 6) % 7; /* Monday = 0 */
    int minute = tm.tm_hour * 60 + tm.tm_min;
    bool in_hours = true;
    if (w->hours_from >= 0) {
        if (w->hours_from < w->hours_until) {
            in_hours = minute >= w->hours_from && minute < w->hours_until;
        } else {
            in_hours = minute >= w->hours_from || minute < w->hours_until;
            /* The part after midnight belongs to the evening it began:
             * "fri" with "22:00-06:00" includes Saturday 02:00. */
            if (in_hours && minute < w->hours_until)
                day = (day + 6) % 7;
        }
    }
    if (w->days && !(w->days & (1u << day)))
        return SCHED_WRONG_DAY;
    if (!in_hours)
        return SCHED_WRONG_HOURS;
    return SCHED_ACTIVE;
}

enum schedule_why schedule_slide(const struct slide *s, const struct schedule_ctx *c)
{
    if (!site_matches(s, c))
        return SCHED_OTHER_SITE;
    if (!s->has_when)
        return SCHED_ACTIVE;
    const struct when *w = &s->when;
    if (w->from.set || w->until.set) {
        time_t t;
        if (!dated_time(c, &t))
            return SCHED_CLOCK_UNSYNC;
        enum schedule_why why = date_window(&w->from, &w->until, t);
        if (why != SCHED_ACTIVE)
            return why;
    }
    if (w->days || w->hours_from >= 0) {
        if (!time_of_day_usable(c))
            return SCHED_CLOCK_UNSYNC;
        return day_and_hours(w, c->now);
    }
    return SCHED_ACTIVE;
}

bool schedule_alert_active(const struct alert *a, const struct schedule_ctx *c)
{
    if (a->level == ALERT_NONE)
        return false;
    if (!a->from.set && !a->until.set)
        return true;
    time_t t;
    if (!dated_time(c, &t))
        return false;
    return date_window(&a->from, &a->until, t) == SCHED_ACTIVE;
}

const char *schedule_why_text(enum schedule_why w)
{
    switch (w) {
    case SCHED_ACTIVE:
        return "shows now";
    case SCHED_NOT_YET:
        return "not yet (before when.from)";
    case SCHED_EXPIRED:
        return "expired (after when.until)";
    case SCHED_WRONG_DAY:
        return "not on this day (when.days)";
    case SCHED_WRONG_HOURS:
        return "outside its hours (when.hours)";
    case SCHED_OTHER_SITE:
        return "for other sites (sites)";
    case SCHED_CLOCK_UNSYNC:
        return "dated, and the clock is not synchronised";
    }
    return "?";
}

bool schedule_clock_synced(void)
{
    struct timex tx = {0};
    int state = adjtimex(&tx);
    if (state != -1 && state != TIME_ERROR && !(tx.status & STA_UNSYNC))
        return true;
    /* systemd-timesyncd creates this file after its first synchronisation;
     * it covers kernels or containers where adjtimex says too little. */
    if (access("/run/systemd/timesync/synchronized", F_OK) == 0)
        return true;
    return false;
}
