#include "stats.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"

void stats_init(struct stats *s)
{
    memset(s, 0, sizeof(*s));
    s->first_frame_ms = -1.0;
}

void stats_free(struct stats *s) { (void)s; }

uint64_t stats_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void stats_frame(struct stats *s, uint64_t us, bool transition)
{
    uint64_t b = us / 100;
    if (b >= STATS_BUCKETS)
        b = STATS_BUCKETS - 1;
    s->frames++;
    s->hist[b]++;
    if (transition) {
        s->trans_frames++;
        s->hist_trans[b]++;
    }
    double ms = (double)us / 1000.0;
    s->sum_ms += ms;
    if (ms > s->max_ms)
        s->max_ms = ms;
}

double stats_uptime_ms(void)
{
    /* Field 22 of /proc/self/stat: start time in clock ticks since boot. */
    char *buf;
    size_t len;
    if (file_read("/proc/self/stat", 4096, &buf, &len) < 0)
        return -1.0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long start = 0;
    int field = 2;
    for (; p && *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (p && field == 22)
        start = strtoull(p, NULL, 10);
    free(buf);
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    double now_ms = (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
    long tck = sysconf(_SC_CLK_TCK);
    if (tck <= 0 || start == 0)
        return -1.0;
    return now_ms - (double)start * 1000.0 / (double)tck;
}

void stats_first_frame(struct stats *s) { s->first_frame_ms = stats_uptime_ms(); }

void stats_set_counters(struct stats *s, unsigned slides_shown, unsigned deck_swaps)
{
    s->slides_shown = slides_shown;
    s->deck_swaps = deck_swaps;
}

static double quantile(const uint32_t *h, uint64_t n, double q)
{
    if (n == 0)
        return 0.0;
    uint64_t want = (uint64_t)((double)n * q);
    if (want >= n)
        want = n - 1;
    uint64_t seen = 0;
    for (int i = 0; i < STATS_BUCKETS; i++) {
        seen += h[i];
        if (seen > want)
            return (i + 1) * 0.1; /* bucket's upper edge: never flatters */
    }
    return STATS_BUCKETS * 0.1;
}

void stats_summarize(const struct stats *s, struct stats_summary *out)
{
    out->frames = s->frames;
    out->p50_ms = quantile(s->hist, s->frames, 0.50);
    out->p99_ms = quantile(s->hist, s->frames, 0.99);
    out->max_ms = s->max_ms;
    out->trans_p50_ms = quantile(s->hist_trans, s->trans_frames, 0.50);
    out->trans_p99_ms = quantile(s->hist_trans, s->trans_frames, 0.99);
}

int stats_print(const struct stats *s, FILE *out)
{
    struct stats_summary sum;
    stats_summarize(s, &sum);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                 ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
    fprintf(out,
            "{\"frames\": %llu, \"first_frame_ms\": %.1f, \"frame_ms_p50\": %.1f, "
            "\"frame_ms_p99\": %.1f, \"frame_ms_max\": %.1f, "
            "\"transition_frames\": %llu, \"transition_frame_ms_p50\": %.1f, "
            "\"transition_frame_ms_p99\": %.1f, \"slides_shown\": %u, "
            "\"deck_swaps\": %u, \"peak_rss_kb\": %ld, \"cpu_s\": %.2f}\n",
            (unsigned long long)sum.frames, s->first_frame_ms, sum.p50_ms, sum.p99_ms,
            sum.max_ms, (unsigned long long)s->trans_frames, sum.trans_p50_ms,
            sum.trans_p99_ms, s->slides_shown, s->deck_swaps, ru.ru_maxrss, cpu);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
