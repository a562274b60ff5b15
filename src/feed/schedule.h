/* schedule: which slides and alerts are eligible now.  Pure; time and the
 * site tags are parameters.  Local time via localtime_r (TZ honoured). */
#ifndef EDUKIOSK_SCHEDULE_H
#define EDUKIOSK_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "deck.h"

enum schedule_why {
    SCHED_ACTIVE,
    SCHED_NOT_YET,      /* before when.from */
    SCHED_EXPIRED,      /* after when.until */
    SCHED_WRONG_DAY,    /* not one of when.days */
    SCHED_WRONG_HOURS,  /* outside when.hours */
    SCHED_OTHER_SITE,   /* sites given and none matches ours */
    SCHED_CLOCK_UNSYNC, /* dated, and the clock cannot be trusted */
};

struct schedule_ctx {
    time_t now;
    bool clock_ok;        /* system clock synchronised */
    time_t last_good;     /* last time known to be right (0 = none); used
                             for dated windows while !clock_ok */
    const char *const *sites; /* our site tags */
    size_t n_sites;
};

enum schedule_why schedule_slide(const struct slide *s, const struct schedule_ctx *c);
bool schedule_alert_active(const struct alert *a, const struct schedule_ctx *c);
const char *schedule_why_text(enum schedule_why w); /* for --check */

/* True when the kernel says the clock is NTP-synchronised (adjtimex). */
bool schedule_clock_synced(void);

#endif
