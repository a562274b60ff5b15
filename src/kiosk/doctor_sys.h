/* doctor_sys: the report lines of --doctor, and its checks of the machine
 * around the kiosk (clock synchronisation, systemd, device permissions). */
#ifndef EDUKIOSK_DOCTOR_SYS_H
#define EDUKIOSK_DOCTOR_SYS_H

#include <stdio.h>

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

struct doctor {
    FILE *out;
    char reason[1024]; /* the first FAIL: why a kiosk would not run */
};

/* Prints one line "LEVEL message"; the first FAIL is kept as the reason. */
void doctor_say(struct doctor *d, enum doctor_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The clock, systemd and permission lines (never FAIL: a kiosk runs
 * without them, only worse). */
void doctor_check_system(struct doctor *d);

#endif
