#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "platform.h"

/* Polls (up to 20 s) until path exists; the bound only stops a broken
 * build from hanging, no test depends on how fast anything is. */
static bool wait_for_file(const char *path)
{
    for (int i = 0; i < 2000; i++) {
        if (access(path, F_OK) == 0)
            return true;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* ---- display schedule --------------------------------------------------- */

static time_t local_time(int year, int mon, int mday, int hour, int min, int want_wday)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    assert_int_equal(tm.tm_wday, want_wday); /* keeps the table honest */
    return t;
}

static void set_days(struct config *c, const char *const days[7])
{
    static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int d = 0; d < 7; d++) {
        char err[256];
        if (days[d] && config_set(c, names[d], days[d], err, sizeof(err)) < 0)
            fail_msg("%s", err);
    }
}

struct scase {
    const char *days[7]; /* NULL = default (on) */
    int mday;            /* in March 2026: 2 = Monday … 8 = Sunday */
    int hour, min;
    bool on;
};

static const struct scase schedule_cases[] = {
    /* The default is on around the clock. */
    {{NULL}, 2, 3, 0, true},
    {{NULL}, 8, 23, 59, true},
    /* A school day: the ends are inclusive-exclusive. */
    {{"07:00-18:00"}, 2, 6, 59, false},
    {{"07:00-18:00"}, 2, 7, 0, true},
    {{"07:00-18:00"}, 2, 17, 59, true},
    {{"07:00-18:00"}, 2, 18, 0, false},
    /* Each weekday has its own entry. */
    {{"07:00-18:00", "off"}, 3, 12, 0, false},
    {{"07:00-18:00", "off"}, 4, 12, 0, true},
    {{NULL, NULL, NULL, NULL, NULL, "off", "off"}, 7, 12, 0, false},
    {{NULL, NULL, NULL, NULL, NULL, "off", "off"}, 8, 0, 0, false},
    {{NULL, NULL, NULL, NULL, NULL, "off", "09:00-12:00"}, 8, 9, 30, true},
    /* A window wrapping past midnight belongs to the day it starts. */
    {{NULL, NULL, NULL, NULL, "20:00-02:00", "off"}, 6, 19, 59, false},
    {{NULL, NULL, NULL, NULL, "20:00-02:00", "off"}, 6, 23, 30, true},
    {{NULL, NULL, NULL, NULL, "20:00-02:00", "off"}, 7, 1, 59, true},
    {{NULL, NULL, NULL, NULL, "20:00-02:00", "off"}, 7, 2, 0, false},
    /* Thursday's own early hours are not Friday's wrap. */
    {{NULL, NULL, NULL, "off", "20:00-02:00"}, 5, 1, 0, false},
    /* Sunday night wraps into Monday morning. */
    {{"off", NULL, NULL, NULL, NULL, NULL, "22:00-06:00"}, 2, 5, 0, true},
    {{"off", NULL, NULL, NULL, NULL, NULL, "22:00-06:00"}, 2, 6, 0, false},
    {{"off", NULL, NULL, NULL, NULL, NULL, "22:00-06:00"}, 8, 21, 0, false},
    /* Until midnight. */
    {{"06:00-24:00", "off"}, 2, 23, 59, true},
    {{"06:00-24:00", "off"}, 3, 0, 0, false},
    /* A wrap from an always-on day does not exist: on means the whole day. */
    {{"on", "01:00-02:00"}, 3, 0, 30, false},
};

static void test_schedule(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    for (size_t i = 0; i < sizeof(schedule_cases) / sizeof(schedule_cases[0]); i++) {
        const struct scase *s = &schedule_cases[i];
        struct config c;
        config_defaults(&c);
        set_days(&c, s->days);
        time_t t = local_time(2026, 3, s->mday, s->hour, s->min, s->mday == 8 ? 0 : s->mday - 1);
        if (platform_display_on_now(&c, t) != s->on)
            fail_msg("case %zu: March %d %02d:%02d should be %s", i, s->mday, s->hour,
                     s->min, s->on ? "on" : "off");
        config_free(&c);
    }
}

/* The schedule follows the local clock, not UTC. */
static void test_schedule_local_time(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    set_days(&c, (const char *const[7]){"07:00-18:00", "07:00-18:00"});
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    time_t t = local_time(2026, 3, 3, 8, 0, 2); /* Tuesday 08:00 in Shanghai */
    assert_true(platform_display_on_now(&c, t));
    setenv("TZ", "Europe/London", 1); /* Tuesday 00:00 in London */
    tzset();
    assert_false(platform_display_on_now(&c, t));
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    config_free(&c);
}

/* ---- sd_notify ---------------------------------------------------------- */

static int notify_fd = -1;

static void open_notify_socket(void)
{
    const char *path = tu_tmp_path("notify.sock");
    unlink(path);
    notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(notify_fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    assert_int_equal(bind(notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setenv("NOTIFY_SOCKET", path, 1);
}

/* The next datagram, or "" when none is waiting. */
static const char *next_message(void)
{
    static char buf[1024];
    ssize_t n = recv(notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    if (n < 0) {
        assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
        n = 0;
    }
    buf[n] = '\0';
    return buf;
}

static void test_notify(void **state)
{
    (void)state;
    open_notify_socket();
    platform_notify_ready("showing 12 slides\nfrom cache");
    assert_string_equal(next_message(), "READY=1\nSTATUS=showing 12 slides from cache");
    platform_notify_ready(NULL);
    assert_string_equal(next_message(), "READY=1");
    platform_notify_status("feed: not modified");
    assert_string_equal(next_message(), "STATUS=feed: not modified");
    platform_notify_reloading();
    assert_string_equal(next_message(), "RELOADING=1");
    platform_notify_stopping();
    assert_string_equal(next_message(), "STOPPING=1");
    assert_string_equal(next_message(), "");

    /* Outside systemd nothing is sent and nothing fails. */
    unsetenv("NOTIFY_SOCKET");
    platform_notify_ready("x");
    assert_string_equal(next_message(), "");
    setenv("NOTIFY_SOCKET", tu_tmp_path("notify.sock"), 1);
}

static void test_watchdog(void **state)
{
    (void)state;
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());

    /* No WatchdogSec=: nothing to do. */
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    assert_int_equal(platform_watchdog_interval_ms(), 0);
    assert_false(platform_watchdog_kick());
    assert_string_equal(next_message(), "");

    /* The watchdog belongs to another process (we are a child). */
    setenv("WATCHDOG_USEC", "30000000", 1);
    setenv("WATCHDOG_PID", "1", 1);
    assert_int_equal(platform_watchdog_interval_ms(), 0);
    assert_false(platform_watchdog_kick());
    assert_string_equal(next_message(), "");

    /* Ours, 30 s: one message, then quiet for half the interval. */
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(platform_watchdog_interval_ms(), 30000);
    assert_true(platform_watchdog_kick());
    assert_string_equal(next_message(), "WATCHDOG=1");
    for (int i = 0; i < 100; i++)
        assert_false(platform_watchdog_kick());
    assert_string_equal(next_message(), "");

    /* A 2 ms interval: after 5 ms the next kick goes out again. */
    setenv("WATCHDOG_USEC", "2000", 1);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_true(platform_watchdog_kick());
    assert_string_equal(next_message(), "WATCHDOG=1");

    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

/* ---- signals ------------------------------------------------------------ */

static int sig_pipe[2];

static void on_signal(int sig, void *ud)
{
    assert_ptr_equal(ud, sig_pipe);
    unsigned char b = (unsigned char)sig;
    ssize_t w = write(sig_pipe[1], &b, 1);
    (void)w;
}

static int next_signal(void)
{
    struct pollfd p = {.fd = sig_pipe[0], .events = POLLIN};
    if (poll(&p, 1, 20000) != 1)
        return -1;
    unsigned char b;
    return read(sig_pipe[0], &b, 1) == 1 ? b : -1;
}

static void test_signals(void **state)
{
    (void)state;
    assert_int_equal(pipe(sig_pipe), 0);
    assert_int_equal(platform_signals_start(on_signal, sig_pipe), 0);
    assert_int_equal(platform_signals_start(on_signal, sig_pipe), -1);
    /* Process-directed signals reach the callback, in order. */
    static const int sigs[] = {SIGHUP, SIGUSR1, SIGTERM, SIGINT};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(kill(getpid(), sigs[i]), 0);
        assert_int_equal(next_signal(), sigs[i]);
    }
    /* SIGPIPE is ignored: a write to a closed pipe fails with EPIPE. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    assert_int_equal(write(p[1], "x", 1), -1);
    assert_int_equal(errno, EPIPE);
    close(p[1]);

    platform_signals_stop();
    platform_signals_stop();
    /* It can start again (a stop leaves nothing behind). */
    assert_int_equal(platform_signals_start(on_signal, sig_pipe), 0);
    assert_int_equal(kill(getpid(), SIGHUP), 0);
    assert_int_equal(next_signal(), SIGHUP);
    platform_signals_stop();
    close(sig_pipe[0]);
    close(sig_pipe[1]);
}

/* ---- display power commands -------------------------------------------- */

static void set_cmds(struct config *c, const char *on_cmd, const char *off_cmd)
{
    char err[256];
    assert_int_equal(config_set(c, "on_cmd", on_cmd, err, sizeof(err)), 0);
    assert_int_equal(config_set(c, "off_cmd", off_cmd, err, sizeof(err)), 0);
}

static void test_power_commands(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    /* None configured: nothing happens. */
    platform_display_power(&c, false);
    assert_true(platform_display_power_wait(0));

    const char *log = tu_tmp_path("power.log");
    char on_cmd[700], off_cmd[700];
    snprintf(on_cmd, sizeof(on_cmd), "echo on >> '%s'", log);
    snprintf(off_cmd, sizeof(off_cmd), "echo off >> '%s'", log);
    set_cmds(&c, on_cmd, off_cmd);
    platform_display_power(&c, false);
    assert_true(platform_display_power_wait(20000));
    platform_display_power(&c, true);
    assert_true(platform_display_power_wait(20000));
    char *got = tu_read_file(log, NULL);
    assert_string_equal(got, "off\non\n");
    free(got);
    config_free(&c);
    platform_display_power_stop();
}

/* The command sees no blocked or ignored signals and none of our files. */
static void test_power_command_environment(void **state)
{
    (void)state;
    int fd = open(tu_tmp_path("stray"), O_WRONLY | O_CREAT, 0644); /* no O_CLOEXEC */
    assert_true(fd >= 3);
    const char *out = tu_tmp_path("env.out");
    char cmd[900];
    snprintf(cmd, sizeof(cmd),
             "{ grep -E '^Sig(Blk|Ign):' /proc/self/status; "
             "if [ -e /proc/$$/fd/%d ]; then echo fd leaked; else echo fd closed; fi; "
             "read line && echo stdin has data || echo stdin empty; } > '%s'",
             fd, out);
    struct config c;
    config_defaults(&c);
    set_cmds(&c, cmd, "");
    platform_display_power(&c, true);
    assert_true(platform_display_power_wait(20000));
    char *got = tu_read_file(out, NULL);
    unsigned long long blk = ~0ull, ign = ~0ull;
    char rest[64] = "";
    assert_int_equal(sscanf(got, "SigBlk:\t%llx\nSigIgn:\t%llx\n%63[^$]", &blk, &ign,
                            rest), 3);
    assert_int_equal(blk, 0);
    /* Signals 1-31 at their defaults (glibc keeps its own 32 and 33). */
    assert_int_equal(ign & 0x7fffffffull, 0);
    assert_string_equal(rest, "fd closed\nstdin empty\n");
    free(got);
    close(fd);
    config_free(&c);
    platform_display_power_stop();
}

/* While one command runs, newer requests replace older waiting ones. */
static void test_power_newest_wins(void **state)
{
    (void)state;
    const char *log = tu_tmp_path("order.log");
    const char *started = tu_tmp_path("started");
    const char *go = tu_tmp_path("go");
    char first[1200], on_cmd[600], off_cmd[600];
    snprintf(first, sizeof(first),
             "touch '%s'; while [ ! -e '%s' ]; do sleep 0.02; done; echo first >> '%s'",
             started, go, log);
    snprintf(on_cmd, sizeof(on_cmd), "echo on >> '%s'", log);
    snprintf(off_cmd, sizeof(off_cmd), "echo off >> '%s'", log);
    struct config slow, normal;
    config_defaults(&slow);
    config_defaults(&normal);
    set_cmds(&slow, first, "");
    set_cmds(&normal, on_cmd, off_cmd);

    platform_display_power(&slow, true);
    assert_true(wait_for_file(started));
    assert_false(platform_display_power_wait(0));
    platform_display_power(&normal, false);
    platform_display_power(&normal, true);
    int fd = open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_true(platform_display_power_wait(20000));
    char *got = tu_read_file(log, NULL);
    assert_string_equal(got, "first\non\n");
    free(got);
    config_free(&slow);
    config_free(&normal);
    platform_display_power_stop();
}

static bool process_gone(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    bool zombie = false;
    if (fgets(buf, sizeof(buf), f)) {
        const char *p = strrchr(buf, ')');
        zombie = p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
    }
    fclose(f);
    return zombie;
}

/* A command that hangs is killed with everything it started. */
static void test_power_timeout(void **state)
{
    (void)state;
    const char *pidfile = tu_tmp_path("sleep.pid");
    const char *log = tu_tmp_path("timeout.log");
    char cmd[900];
    snprintf(cmd, sizeof(cmd), "sleep 300 & echo $! > '%s'; wait; echo end >> '%s'",
             pidfile, log);
    struct config c;
    config_defaults(&c);
    char err[128];
    assert_int_equal(config_set(&c, "cmd_timeout", "1", err, sizeof(err)), 0);
    set_cmds(&c, cmd, "");
    platform_display_power(&c, true);
    assert_true(platform_display_power_wait(60000));
    char *pid = tu_read_file(pidfile, NULL);
    assert_true(atol(pid) > 0);
    for (int i = 0; i < 500 && !process_gone(atol(pid)); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(process_gone(atol(pid)));
    free(pid);
    /* The shell died too: it never wrote the log, or wrote nothing. */
    char *got = tu_try_read_file(log, NULL);
    assert_string_equal(got ? got : "", "");
    free(got);
    config_free(&c);
    platform_display_power_stop();
}

/* Stopping ends a running command instead of waiting for it. */
static void test_power_stop(void **state)
{
    (void)state;
    const char *started = tu_tmp_path("started2");
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "touch '%s'; exec sleep 300", started);
    struct config c;
    config_defaults(&c);
    set_cmds(&c, "", cmd);
    platform_display_power(&c, false);
    assert_true(wait_for_file(started));
    platform_display_power_stop();
    assert_true(platform_display_power_wait(0));
    platform_display_power_stop();
    config_free(&c);
}

int main(void)
{
    if (platform_block_signals() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_schedule_local_time),
        cmocka_unit_test(test_notify),
        cmocka_unit_test(test_watchdog),
        cmocka_unit_test(test_signals),
        cmocka_unit_test(test_power_commands),
        cmocka_unit_test(test_power_command_environment),
        cmocka_unit_test(test_power_newest_wins),
        cmocka_unit_test(test_power_timeout),
        cmocka_unit_test(test_power_stop),
    };
    return cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown);
}
