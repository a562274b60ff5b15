/* log: journald-friendly logging to stderr.
 *
 * Lines look like "<3>fetch: connect failed: …" (sd-daemon priority
 * prefixes, so journald keeps the level).  The same message from the same
 * module repeated back to back is collapsed: it is printed once, and when a
 * different message arrives a line "previous message repeated N times" is
 * written.  Thread-safe.  struct log_states goes further for a source of
 * failures whose kinds alternate: it decides which to say at all.
 *
 * Each .c file defines LOG_MODULE before including this header.
 */
#ifndef EDUKIOSK_LOG_H
#define EDUKIOSK_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARN = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

/* Messages above `level` are dropped.  Default LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warning", "info", "debug"; returns -1 if unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *module, const char *fmt, va_list ap);
/* Writes any pending "repeated N times" line. */
void log_flush(void);

/* The recent error states of one thing that fails now and then (the feed
 * download), so that its log says each kind of failure once, even when
 * two kinds alternate, and after that at most one summary per kind and
 * interval.  The caller decides what a state is (a stable key) and writes
 * the lines.  One owner thread; zero-initialise. */
#define LOG_STATES_MAX 8
struct log_states {
    struct log_state {
        char key[640];
        unsigned long unlogged; /* occurrences since its last line */
        double logged_at;       /* when its last line was written */
        unsigned long used;     /* age stamp, for forgetting the oldest */
    } v[LOG_STATES_MAX];
    size_t n;
    unsigned long clock;
    int shown;        /* index of the state the log last reported… */
    bool shown_valid; /* …if it still stands (nothing healed since) */
};

enum log_verdict {
    LOG_VERDICT_NEW,     /* not among the recent states: log it in full */
    LOG_VERDICT_SUMMARY, /* seen again since its last line: log a summary */
    LOG_VERDICT_QUIET,   /* the log already says it, or said it recently */
};

/* One occurrence of state `key` (truncated to fit) at `now` (seconds on a
 * monotonic scale).  A state the log currently reports is QUIET; one
 * reported less than interval_s ago and since replaced by another is
 * QUIET too, then a SUMMARY.  *count (may be NULL): its occurrences since
 * its last line, this one included. */
enum log_verdict log_states_note(struct log_states *s, const char *key, double now,
                                 double interval_s, unsigned long *count);
/* Everything works again: true when the log currently reports a failure
 * (the caller then says it healed).  The states are kept, so a failure
 * that comes and goes settles into summaries too. */
bool log_states_ok(struct log_states *s);

#ifndef LOG_MODULE
#define LOG_MODULE "edukiosk"
#endif
#define LOG_ERR(...) log_msg(LOG_LEVEL_ERR, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define LOG_DBG(...) log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif
