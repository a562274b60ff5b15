#define LOG_MODULE "doctor"
#include "doctor_sys.h"
#include "schedule.h"

#include <glob.h>
#include <stdarg.h>
#include <grp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

void doctor_say(struct doctor *d, enum doctor_level lv, const char *fmt, ...)
{
    static const char *const names[] = {"OK  ", "WARN", "FAIL"};
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(d->out, "%s %s\n", names[lv], msg);
    (void)fflush(d->out); /* line by line as the checks run; best effort */
    if (lv == DOCTOR_FAIL && !d->reason[0])
        snprintf(d->reason, sizeof(d->reason), "%s", msg);
}

static void check_clock(struct doctor *d)
{
    /* The kiosk's own test (the kernel's state, or systemd-timesyncd's
     * mark), so that the doctor agrees with what the screen does. */
    if (schedule_clock_synced())
        doctor_say(d, DOCTOR_OK, "clock: synchronised. Nothing to do.");
    else
        doctor_say(d, DOCTOR_WARN,
                   "clock: not synchronised. Dated slides may be wrong "
                   "until NTP succeeds; check the network and systemd-timesyncd.");
}

static void check_systemd(struct doctor *d)
{
    bool booted = sd_booted() > 0;
    const char *notify = getenv("NOTIFY_SOCKET"), *wd = getenv("WATCHDOG_USEC");
    if (!booted)
        doctor_say(d, DOCTOR_WARN,
                   "systemd: this system was not booted with systemd. "
                   "Nothing restarts the kiosk when it stops; use the edukiosk.service "
                   "unit.");
    else
        doctor_say(d, DOCTOR_OK, "systemd: booted with systemd; %s%s.",
                   notify ? "run by the service (notify socket"
                          : "run by hand, not by "
                            "the service",
                   notify ? (wd ? ", watchdog)" : ", no watchdog)") : "");
}

static bool in_group(const char *name)
{
    struct group *g = getgrnam(name);
    if (!g)
        return false;
    if (getegid() == g->gr_gid)
        return true;
    gid_t gs[256];
    int n = getgroups(256, gs);
    for (int i = 0; i < n; i++)
        if (gs[i] == g->gr_gid)
            return true;
    return false;
}

static void check_permissions(struct doctor *d)
{
    static const char *const groups[] = {"video", "render", "input"};
    char missing[64] = "";
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        size_t l = strlen(missing);
        if (getgrnam(groups[i]) && !in_group(groups[i]))
            snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? ", " : "", groups[i]);
    }
    glob_t g;
    int cards = 0, usable = 0;
    if (glob("/dev/dri/card*", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            cards++;
            if (access(g.gl_pathv[i], R_OK | W_OK) == 0)
                usable++;
        }
        globfree(&g);
    }
    const char *tty = ttyname(STDIN_FILENO);
    if (missing[0] && geteuid() != 0)
        doctor_say(d, DOCTOR_WARN,
                   "permissions: not in group %s; %d of %d /dev/dri "
                   "cards usable; tty %s. Add the user to those groups (usermod -aG).",
                   missing, usable, cards, tty ? tty : "none");
    else
        doctor_say(d, cards && !usable ? DOCTOR_WARN : DOCTOR_OK,
                   "permissions: %d of %d /dev/dri cards usable; tty %s.%s", usable,
                   cards, tty ? tty : "none",
                   cards && !usable ? " Add the user to the video group." : "");
}

void doctor_check_system(struct doctor *d)
{
    check_clock(d);
    check_systemd(d);
    check_permissions(d);
}
