#define LOG_MODULE "platform"
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"

/* ---- signals ---------------------------------------------------------- */

static void handled_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2); /* wakes the thread to stop */
}

int platform_block_signals(void)
{
    sigset_t set;
    handled_signals(&set);
    int r = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (r != 0) {
        errno = r;
        return -1;
    }
    /* A closed pipe or socket must show up as EPIPE, not end the kiosk. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL);
}

static struct {
    pthread_t thread;
    bool running;
    atomic_bool stopping;
    void (*cb)(int sig, void *ud);
    void *ud;
} sigs;

static void *signal_main(void *arg)
{
    (void)arg;
    sigset_t set;
    handled_signals(&set);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (atomic_load(&sigs.stopping))
            break;
        if (sig == SIGUSR2)
            continue;
        LOG_DBG("signal %d (%s)", sig, strsignal(sig));
        sigs.cb(sig, sigs.ud);
    }
    return NULL;
}

int platform_signals_start(void (*cb)(int sig, void *ud), void *ud)
{
    if (sigs.running || !cb)
        return -1;
    sigs.cb = cb;
    sigs.ud = ud;
    atomic_store(&sigs.stopping, false);
    int r = pthread_create(&sigs.thread, NULL, signal_main, NULL);
    if (r != 0) {
        LOG_ERR("cannot start the signal thread: %s", strerror(r));
        return -1;
    }
    sigs.running = true;
    return 0;
}

void platform_signals_stop(void)
{
    if (!sigs.running)
        return;
    atomic_store(&sigs.stopping, true);
    pthread_kill(sigs.thread, SIGUSR2);
    pthread_join(sigs.thread, NULL);
    sigs.running = false;
}

/* ---- systemd ---------------------------------------------------------- */

/* Newlines would start new assignments in the notify message. */
static void one_line(const char *in, char *out, size_t len)
{
    size_t i = 0;
    for (; in[i] && i + 1 < len; i++) {
        out[i] = in[i];
        if (in[i] == '\n' || in[i] == '\r')
            out[i] = ' ';
    }
    out[i] = '\0';
}

static void notify(const char *msg)
{
    int r = sd_notify(0, msg);
    if (r < 0)
        LOG_WARN("sd_notify failed: %s", strerror(-r));
}

void platform_notify_ready(const char *status)
{
    if (!status) {
        notify("READY=1");
        return;
    }
    char line[512], msg[600];
    one_line(status, line, sizeof(line));
    snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", line);
    notify(msg);
}

void platform_notify_status(const char *status)
{
    char line[512], msg[600];
    one_line(status ? status : "", line, sizeof(line));
    snprintf(msg, sizeof(msg), "STATUS=%s", line);
    notify(msg);
}

void platform_notify_reloading(void) { notify("RELOADING=1"); }
void platform_notify_stopping(void) { notify("STOPPING=1"); }

long platform_watchdog_interval_ms(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    long ms = (long)(usec / 1000);
    return ms > 0 ? ms : 1;
}

static uint64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool platform_watchdog_kick(void)
{
    static uint64_t last_us;
    static bool sent;
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return false;
    uint64_t now = monotonic_us();
    if (sent && now - last_us < usec / 2)
        return false;
    if (sd_notify(0, "WATCHDOG=1") <= 0)
        return false;
    last_us = now;
    sent = true;
    return true;
}

/* ---- clock ------------------------------------------------------------ */

bool platform_clock_synced(void)
{
    /* systemd-timesyncd (Raspberry Pi OS, Debian) marks its first sync. */
    if (access("/run/systemd/timesync/synchronized", F_OK) == 0)
        return true;
    /* Otherwise (chrony, ntpd) the same test as timedated's
     * NTPSynchronized: the kernel's maximum error is below 16 s. */
    struct timex tx;
    memset(&tx, 0, sizeof(tx));
    if (adjtimex(&tx) < 0)
        return false;
    return tx.maxerror < 16000000;
}

/* ---- display schedule ------------------------------------------------- */

bool platform_display_on_now(const struct config *c, time_t now)
{
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return true; /* never blank on a clock we cannot read */
    int day = (tm.tm_wday + 6) % 7; /* Monday = 0 */
    int prev = (day + 6) % 7;
    int min = tm.tm_hour * 60 + tm.tm_min;

    /* Yesterday's window may run past midnight into this morning. */
    int pon = c->display[prev].on, poff = c->display[prev].off;
    if (pon != CONFIG_DAY_OFF && pon > poff && min < poff)
        return true;

    int on = c->display[day].on, off = c->display[day].off;
    if (on == CONFIG_DAY_OFF)
        return false;
    if (on == off)
        return true;
    if (on < off)
        return min >= on && min < off;
    return min >= on; /* wraps: the rest belongs to tomorrow's check */
}

/* ---- display power commands ------------------------------------------- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    bool started, stop, busy;
    bool pending;
    bool pending_on;
    char *pending_cmd;
    int pending_timeout_s;
} power = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static const char *state_name(bool on) { return on ? "on" : "off"; }

static pid_t spawn_shell(const char *cmd)
{
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    if (posix_spawnattr_init(&attr) != 0)
        return -1;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        posix_spawnattr_destroy(&attr);
        return -1;
    }
    /* The child gets none of our blocked signals or ignored SIGPIPE, its
     * own process group (so a timeout kills the whole pipeline), stdin
     * from /dev/null, and none of our descriptors (the DRM device!). */
    sigset_t none, deflt;
    sigemptyset(&none);
    handled_signals(&deflt);
    sigaddset(&deflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &deflt);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);

    char *argv[] = {(char *)"sh", (char *)"-c", (char *)cmd, NULL};
    pid_t pid;
    int r = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (r != 0) {
        errno = r;
        return -1;
    }
    return pid;
}

enum kill_reason { NOT_KILLED, KILLED_TIMEOUT, KILLED_STOP };

/* Waits for pid, polling so that a timeout or a stop request is noticed;
 * returns the wait status, or -1 if waiting failed. */
static int wait_child(pid_t pid, int timeout_s, enum kill_reason *killed)
{
    uint64_t deadline = monotonic_us() + (uint64_t)timeout_s * 1000000u;
    uint64_t kill_at = 0;
    int status = 0;
    *killed = NOT_KILLED;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return status;
        if (w < 0 && errno != EINTR)
            return -1;
        pthread_mutex_lock(&power.lock);
        bool stop = power.stop;
        pthread_mutex_unlock(&power.lock);
        uint64_t now = monotonic_us();
        if (!*killed && (stop || now >= deadline)) {
            kill(-pid, SIGTERM);
            *killed = stop ? KILLED_STOP : KILLED_TIMEOUT;
            kill_at = now + 2000000u;
        } else if (*killed && kill_at && now >= kill_at) {
            kill(-pid, SIGKILL);
            kill_at = 0;
        }
        struct timespec ts = {0, 20L * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void run_command(const char *cmd, bool on, int timeout_s)
{
    pid_t pid = spawn_shell(cmd);
    if (pid < 0) {
        LOG_ERR("display %s command: cannot start /bin/sh: %s", state_name(on),
                strerror(errno));
        return;
    }
    LOG_INFO("display %s: running %s", state_name(on), cmd);
    enum kill_reason killed;
    int st = wait_child(pid, timeout_s, &killed);
    if (killed == KILLED_TIMEOUT)
        LOG_WARN("display %s command still running after %d s: killed", state_name(on),
                 timeout_s);
    else if (killed == KILLED_STOP)
        LOG_INFO("display %s command stopped: shutting down", state_name(on));
    else if (st < 0)
        LOG_WARN("display %s command: wait failed: %s", state_name(on), strerror(errno));
    else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        LOG_WARN("display %s command exited with status %d", state_name(on),
                 WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        LOG_WARN("display %s command died of signal %d", state_name(on), WTERMSIG(st));
}

static void *power_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&power.lock);
    for (;;) {
        while (!power.pending && !power.stop)
            pthread_cond_wait(&power.cond, &power.lock);
        if (power.stop)
            break;
        char *cmd = power.pending_cmd;
        bool on = power.pending_on;
        int timeout_s = power.pending_timeout_s;
        power.pending_cmd = NULL;
        power.pending = false;
        power.busy = true;
        pthread_mutex_unlock(&power.lock);

        run_command(cmd, on, timeout_s);
        free(cmd);

        pthread_mutex_lock(&power.lock);
        power.busy = false;
        pthread_cond_broadcast(&power.cond);
    }
    pthread_mutex_unlock(&power.lock);
    return NULL;
}

void platform_display_power(const struct config *c, bool on)
{
    const char *cmd = on ? c->display_on_cmd : c->display_off_cmd;
    if (!cmd || !*cmd) {
        LOG_DBG("display %s: no command configured", state_name(on));
        return;
    }
    char *copy = strdup(cmd);
    if (!copy) {
        LOG_ERR("display %s: out of memory", state_name(on));
        return;
    }
    pthread_mutex_lock(&power.lock);
    if (!power.started) {
        int r = pthread_create(&power.thread, NULL, power_main, NULL);
        if (r != 0) {
            pthread_mutex_unlock(&power.lock);
            LOG_ERR("display %s: cannot start the command thread: %s", state_name(on),
                    strerror(r));
            free(copy);
            return;
        }
        power.started = true;
    }
    free(power.pending_cmd); /* an older request still waiting is moot */
    power.pending_cmd = copy;
    power.pending_on = on;
    power.pending_timeout_s = c->display_cmd_timeout_s > 0 ? c->display_cmd_timeout_s : 30;
    power.pending = true;
    pthread_cond_broadcast(&power.cond);
    pthread_mutex_unlock(&power.lock);
}

bool platform_display_power_wait(int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&power.lock);
    int r = 0;
    while ((power.pending || power.busy) && r != ETIMEDOUT)
        r = pthread_cond_timedwait(&power.cond, &power.lock, &deadline);
    bool idle = !power.pending && !power.busy;
    pthread_mutex_unlock(&power.lock);
    return idle;
}

void platform_display_power_stop(void)
{
    pthread_mutex_lock(&power.lock);
    if (!power.started) {
        pthread_mutex_unlock(&power.lock);
        return;
    }
    power.stop = true;
    pthread_cond_broadcast(&power.cond);
    pthread_mutex_unlock(&power.lock);
    pthread_join(power.thread, NULL);
    pthread_mutex_lock(&power.lock);
    free(power.pending_cmd);
    power.pending_cmd = NULL;
    power.pending = false;
    power.busy = false;
    power.started = false;
    power.stop = false;
    pthread_mutex_unlock(&power.lock);
}
