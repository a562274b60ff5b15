/* benchrun: runs one program for a fixed time and measures it from
 * outside, the whole process tree alike for a single-process kiosk and a
 * multi-process browser (make bench, tests/bench.sh).
 *
 *   benchrun [-t seconds] [-x] [-D dir [-S s]] [-o file] -- command args...
 *
 * - first content: with -x, the X screen ($DISPLAY) is read through
 *   MIT-SHM (every 24th row) every few milliseconds from just before
 *   exec until it shows something drawn: at least 1 % of its pixels not
 *   black and at least CONTENT_COLOURS distinct colours among them
 *   (antialiased text or a picture, not a flat window background);
 * - cpu: user + system seconds of every process of the tree until the
 *   end of the run (benchrun is a child subreaper, so daemonised helpers
 *   stay in the tree; those that exited are counted through wait);
 * - peak rss / pss: the largest sum over the live processes of the tree,
 *   from /proc/PID/smaps_rollup, sampled every 250 ms;
 * - procs / threads: the largest number seen at once.
 * The command is then sent SIGTERM (its process group), SIGKILL after
 * 5 s.  Prints one JSON object.  -D dir writes the screen at first
 * content as dir/first.ppm (and with -S s, the screen s seconds after the
 * start as dir/later.ppm); -o file takes the command's output.
 * Measures, never judges. */
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONTENT_COLOURS 16
#define MAX_PROCS 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the process tree ---- */

struct proc {
    int pid, ppid, threads;
    double cpu; /* own + waited-for children, seconds */
};

static int read_procs(struct proc *out, int max)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *p = strrchr(buf, ')'); /* the name may hold spaces */
        if (!p)
            continue;
        int ppid, threads;
        unsigned long ut, st;
        long cut, cst;
        /* state ppid pgrp session tty tpgid flags minflt cminflt majflt
         * cmajflt utime stime cutime cstime priority nice num_threads */
        if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld %*d %*d %d",
                   &ppid, &ut, &st, &cut, &cst, &threads) != 6)
            continue;
        out[n].pid = atoi(e->d_name);
        out[n].ppid = ppid;
        out[n].threads = threads;
        out[n].cpu = (double)(ut + st + (unsigned long)cut + (unsigned long)cst) / (double)hz;
        n++;
    }
    closedir(d);
    return n;
}

static bool in_tree(const struct proc *ps, int n, int pid, int root)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        if (pid == root)
            return true;
        int parent = 0;
        for (int i = 0; i < n; i++)
            if (ps[i].pid == pid) {
                parent = ps[i].ppid;
                break;
            }
        pid = parent;
    }
    return false;
}

struct sample {
    int procs, threads;
    long rss_kb, pss_kb;
    double cpu;
};

static void sample_tree(int self, struct sample *s, bool memory)
{
    static struct proc ps[MAX_PROCS];
    int n = read_procs(ps, MAX_PROCS);
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < n; i++) {
        if (ps[i].pid == self || !in_tree(ps, n, ps[i].pid, self))
            continue;
        s->procs++;
        s->threads += ps[i].threads;
        s->cpu += ps[i].cpu;
        if (!memory)
            continue;
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", ps[i].pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        long v;
        while (fgets(line, sizeof(line), f)) {
            if (sscanf(line, "Rss: %ld", &v) == 1)
                s->rss_kb += v;
            else if (sscanf(line, "Pss: %ld", &v) == 1)
                s->pss_kb += v;
        }
        fclose(f);
    }
}

static double reaped_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Reaps whatever ended; true when the main child is among them. */
static bool reap(int child, int *status)
{
    bool main_gone = false;
    int st, pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == child) {
            main_gone = true;
            *status = st;
        }
    return main_gone;
}

/* ---- the screen ---- */

struct screen {
    Display *dpy;
    XImage *img, *row; /* the whole screen (for -D), one row */
    XShmSegmentInfo shm, row_shm;
    int w, h;
};

static XImage *shm_image(struct screen *sc, XShmSegmentInfo *shm, int w, int h)
{
    int scr = DefaultScreen(sc->dpy);
    XImage *img = XShmCreateImage(sc->dpy, DefaultVisual(sc->dpy, scr),
                                  (unsigned)DefaultDepth(sc->dpy, scr), ZPixmap, NULL, shm,
                                  (unsigned)w, (unsigned)h);
    if (!img || img->bits_per_pixel != 32)
        return NULL;
    shm->shmid = shmget(IPC_PRIVATE, (size_t)img->bytes_per_line * (size_t)h, IPC_CREAT | 0600);
    if (shm->shmid < 0)
        return NULL;
    shm->shmaddr = img->data = shmat(shm->shmid, NULL, 0);
    shm->readOnly = False;
    XShmAttach(sc->dpy, shm);
    XSync(sc->dpy, False);
    shmctl(shm->shmid, IPC_RMID, NULL); /* gone once both detach */
    return img;
}

static void shm_image_free(struct screen *sc, XImage *img, XShmSegmentInfo *shm)
{
    if (!img)
        return;
    XShmDetach(sc->dpy, shm);
    shmdt(shm->shmaddr);
    img->data = NULL;
    XDestroyImage(img);
}

static bool screen_open(struct screen *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->dpy = XOpenDisplay(NULL);
    if (!sc->dpy || !XShmQueryExtension(sc->dpy)) {
        fprintf(stderr, "benchrun: no X display with MIT-SHM\n");
        return false;
    }
    int scr = DefaultScreen(sc->dpy);
    sc->w = DisplayWidth(sc->dpy, scr);
    sc->h = DisplayHeight(sc->dpy, scr);
    sc->img = shm_image(sc, &sc->shm, sc->w, sc->h);
    sc->row = shm_image(sc, &sc->row_shm, sc->w, 1);
    return sc->img && sc->row;
}

static void screen_close(struct screen *sc)
{
    if (!sc->dpy)
        return;
    shm_image_free(sc, sc->img, &sc->shm);
    shm_image_free(sc, sc->row, &sc->row_shm);
    XCloseDisplay(sc->dpy);
}

/* Whether the screen shows something drawn (see the top).  Reads every
 * ROW_STEP-th row only: a whole 1080p screen every few milliseconds would
 * keep the display server busy copying, and slow down what is measured. */
#define ROW_STEP 24
static bool screen_has_content(struct screen *sc)
{
    uint32_t seen[CONTENT_COLOURS];
    int n_seen = 0;
    long lit = 0, total = 0;
    for (int y = ROW_STEP / 2; y < sc->h; y += ROW_STEP) {
        if (!XShmGetImage(sc->dpy, DefaultRootWindow(sc->dpy), sc->row, 0, y, AllPlanes))
            return false;
        const uint32_t *row = (const uint32_t *)sc->row->data;
        for (int x = 0; x < sc->w; x++) {
            uint32_t p = row[x] & 0xffffff;
            total++;
            if (((p >> 16) & 0xff) <= 16 && ((p >> 8) & 0xff) <= 16 && (p & 0xff) <= 16)
                continue;
            lit++;
            if (n_seen < CONTENT_COLOURS) {
                int i = 0;
                while (i < n_seen && seen[i] != p)
                    i++;
                if (i == n_seen)
                    seen[n_seen++] = p;
            }
        }
    }
    return lit * 100 >= total && n_seen >= CONTENT_COLOURS;
}

static void screen_save(struct screen *sc, const char *dir, const char *name)
{
    if (!XShmGetImage(sc->dpy, DefaultRootWindow(sc->dpy), sc->img, 0, 0, AllPlanes))
        return;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.ppm", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fprintf(f, "P6\n%d %d\n255\n", sc->w, sc->h);
    for (int y = 0; y < sc->h; y++) {
        const uint32_t *row = (const uint32_t *)(sc->img->data + (size_t)y * (size_t)sc->img->bytes_per_line);
        for (int x = 0; x < sc->w; x++) {
            unsigned char rgb[3] = {(unsigned char)(row[x] >> 16), (unsigned char)(row[x] >> 8),
                                    (unsigned char)row[x]};
            fwrite(rgb, 1, 3, f);
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    double secs = 30;
    bool watch_x = false;
    const char *dump = NULL, *out = NULL;
    double shot_at = 0;
    int opt;
    while ((opt = getopt(argc, argv, "+t:xD:o:S:")) != -1) {
        if (opt == 't')
            secs = atof(optarg);
        else if (opt == 'x')
            watch_x = true;
        else if (opt == 'D')
            dump = optarg;
        else if (opt == 'o')
            out = optarg;
        else if (opt == 'S')
            shot_at = atof(optarg);
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: benchrun [-t seconds] [-x] [-D dir [-S s]] [-o file] -- command args...\n");
        return 2;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct screen sc;
    if (watch_x && !screen_open(&sc))
        return 1;
    if (watch_x && screen_has_content(&sc)) {
        fprintf(stderr, "benchrun: the screen shows something before the start\n");
        return 1;
    }
    double t0 = now_s();
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        setpgid(0, 0);
        if (out) {
            FILE *f = fopen(out, "w");
            if (f) {
                dup2(fileno(f), 1);
                dup2(fileno(f), 2);
            }
        }
        execvp(argv[optind], argv + optind);
        perror(argv[optind]);
        _exit(127);
    }
    setpgid(child, child);
    int self = getpid();
    double first = -1, next_mem = t0, end = t0 + secs;
    struct sample peak = {0}, s;
    int status = 0;
    bool gone = false;
    while (!gone) {
        double t = now_s();
        if (t >= end)
            break;
        if (watch_x && first < 0 && screen_has_content(&sc)) {
            first = now_s() - t0;
            if (dump)
                screen_save(&sc, dump, "first");
        }
        if (watch_x && dump && shot_at > 0 && t - t0 >= shot_at) {
            shot_at = 0;
            screen_save(&sc, dump, "later");
        }
        if (t >= next_mem) {
            next_mem = t + 0.25;
            sample_tree(self, &s, true);
            if (s.rss_kb > peak.rss_kb)
                peak.rss_kb = s.rss_kb;
            if (s.pss_kb > peak.pss_kb)
                peak.pss_kb = s.pss_kb;
            if (s.procs > peak.procs)
                peak.procs = s.procs;
            if (s.threads > peak.threads)
                peak.threads = s.threads;
        }
        gone = reap(child, &status);
        usleep(watch_x && first < 0 ? 3000 : 20000);
    }
    double wall = now_s() - t0;
    /* CPU up to now: the live tree, plus what was reaped. */
    sample_tree(self, &s, false);
    double cpu = s.cpu + reaped_cpu();
    if (!gone) {
        kill(-child, SIGTERM);
        for (int i = 0; i < 250 && !gone; i++) {
            usleep(20000);
            gone = reap(child, &status);
        }
        if (!gone)
            kill(-child, SIGKILL);
    }
    /* Whatever is left of the tree (helpers in other groups). */
    for (int round = 0; round < 250; round++) {
        static struct proc ps[MAX_PROCS];
        int n = read_procs(ps, MAX_PROCS), left = 0;
        for (int i = 0; i < n; i++)
            if (ps[i].pid != self && in_tree(ps, n, ps[i].pid, self)) {
                left++;
                kill(ps[i].pid, round < 100 ? SIGTERM : SIGKILL);
            }
        while (waitpid(-1, &status, WNOHANG) > 0)
            ;
        if (!left)
            break;
        usleep(20000);
    }
    while (waitpid(-1, NULL, 0) > 0)
        ;
    if (watch_x)
        screen_close(&sc);
    printf("{\"first_content_s\": %.3f, \"cpu_s\": %.2f, \"peak_rss_mib\": %.1f, "
           "\"peak_pss_mib\": %.1f, \"procs\": %d, \"threads\": %d, \"wall_s\": %.1f}\n",
           first, cpu, (double)peak.rss_kb / 1024.0, (double)peak.pss_kb / 1024.0, peak.procs,
           peak.threads, wall);
    return 0;
}
