/* stats: frame-time histograms and counters for --stats and metrics.
 * Fixed memory (histograms, not samples), so months of frames fit. */
#ifndef EDUKIOSK_STATS_H
#define EDUKIOSK_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define STATS_BUCKETS 1000 /* 0.1 ms each; the last one takes the rest */

struct stats {
    uint64_t frames;
    uint32_t hist[STATS_BUCKETS];
    uint32_t hist_trans[STATS_BUCKETS]; /* frames during transitions */
    uint64_t trans_frames;
    double max_ms;
    double sum_ms;
    double first_frame_ms; /* process start → first presented frame; <0 none */
    unsigned slides_shown, deck_swaps;
};

struct stats_summary {
    uint64_t frames;
    double p50_ms, p99_ms, max_ms;
    double trans_p50_ms, trans_p99_ms;
};

void stats_init(struct stats *s);
void stats_free(struct stats *s);
uint64_t stats_now_us(void); /* monotonic */
void stats_frame(struct stats *s, uint64_t us, bool transition);
/* Records now as the first presented frame, measured from process start. */
void stats_first_frame(struct stats *s);
void stats_set_counters(struct stats *s, unsigned slides_shown, unsigned deck_swaps);
void stats_summarize(const struct stats *s, struct stats_summary *out);
/* The --stats JSON line; -1 if it could not be written. */
int stats_print(const struct stats *s, FILE *out);
/* Milliseconds since this process started (from /proc/self/stat). */
double stats_uptime_ms(void);

#endif
