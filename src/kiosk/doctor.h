/* doctor: `edukiosk --doctor`, for whoever stands in front of a black
 * screen.  Checks, in order, what a kiosk on this machine would get: the
 * video driver and display modes, the drawing back end (decided by the
 * kiosk's own code), the fonts, the configuration (every key that differs
 * from its default, with where it was set), the feed (one bounded request)
 * and the cache, the clock, systemd and device permissions.  Each check
 * prints one line starting with OK, WARN or FAIL, then what was found and
 * what to do. */
#ifndef EDUKIOSK_DOCTOR_H
#define EDUKIOSK_DOCTOR_H

#include <stdio.h>

#include "cli.h"
#include "config.h"

/* Runs every check, printing to out; the last line says whether a kiosk
 * would run and, if not, why.  Returns 0 (it would run) or 3 (it would
 * not).  Main thread; SDL must not be initialised yet (it is quit again). */
int doctor_run(const struct config *cfg, const struct cli *cli, FILE *out);

#endif
