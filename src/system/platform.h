/* platform: the glue to the machine around the kiosk: systemd
 * notification and watchdog, signals, the clock's trustworthiness, and the
 * display power schedule with its on/off commands.  Nothing here touches
 * SDL. */
#ifndef EDUKIOSK_PLATFORM_H
#define EDUKIOSK_PLATFORM_H

#include <stdbool.h>
#include <time.h>

#include "config.h"

/* ---- signals ----------------------------------------------------------
 * SIGTERM, SIGINT, SIGHUP, SIGUSR1 (and SIGUSR2, used internally) are
 * blocked in every thread and taken by one thread with sigwait(), so a
 * signal never interrupts SDL, curl or a write half-way. */

/* Call first in main(), before any thread exists (threads inherit the
 * mask).  Also ignores SIGPIPE.  0, or -1 with errno. */
int platform_block_signals(void);
/* Starts the signal thread; cb(sig, ud) runs on it for SIGTERM, SIGINT,
 * SIGHUP and SIGUSR1, one call at a time (push an SDL event from it; do
 * not draw).  0, or -1 if already running or the thread cannot start. */
int platform_signals_start(void (*cb)(int sig, void *ud), void *ud);
/* Stops and joins the signal thread; safe when not running. */
void platform_signals_stop(void);

/* ---- systemd (sd_notify; all no-ops outside a Type=notify service) ---- */

/* READY=1 with a STATUS= line (NULL = none).  Send after the first frame. */
void platform_notify_ready(const char *status);
/* STATUS= line shown by systemctl status. */
void platform_notify_status(const char *status);
/* RELOADING=1 (SIGHUP); follow with platform_notify_ready() when done. */
void platform_notify_reloading(void);
/* STOPPING=1 when shutting down. */
void platform_notify_stopping(void);
/* Sends WATCHDOG=1 when the service has a watchdog (WatchdogSec=), at most
 * once per half interval; cheap to call every frame.  Call it only from
 * the render loop, so a hung renderer is restarted.  Returns true when a
 * message went out.  Main thread. */
bool platform_watchdog_kick(void);
/* The watchdog interval in ms, 0 when there is none: the render loop must
 * wake up at least every half interval. */
long platform_watchdog_interval_ms(void);

/* ---- clock ------------------------------------------------------------ */

/* True once the system clock is synchronised (NTP); a Pi has no RTC and
 * may boot with a wrong time.  Treat the display schedule as "on" until
 * then, so a wrong clock never blanks the screen. */
bool platform_clock_synced(void);

/* ---- display power ----------------------------------------------------- */

/* Whether the configured weekly schedule has the screen on at `now`
 * (local time).  Pure: no side effects.  A window that wraps past midnight
 * belongs to the day it starts. */
bool platform_display_on_now(const struct config *c, time_t now);
/* Runs display_on_cmd or display_off_cmd (/bin/sh -c) in the background
 * and returns at once.  Commands run one at a time on a worker thread; a
 * request made while one runs replaces any older request still waiting
 * (the newest state wins).  A command running longer than
 * display_cmd_timeout_s is killed.  The strings are copied.  Any thread. */
void platform_display_power(const struct config *c, bool on);
/* Waits until no command runs or waits, at most timeout_ms; true if idle. */
bool platform_display_power_wait(int timeout_ms);
/* Stops the worker (a running command is terminated) and joins it; safe
 * when it never started.  Call before exit. */
void platform_display_power_stop(void);

#endif
