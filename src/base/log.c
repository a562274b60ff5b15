#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level max_level = LOG_LEVEL_INFO;
static char last[1024];
static enum log_level last_level;
static unsigned long repeats;

void log_set_level(enum log_level level) { max_level = level; }
enum log_level log_get_level(void) { return max_level; }

int log_level_parse(const char *s)
{
    static const struct {
        const char *name;
        enum log_level level;
    } names[] = {
        {"error", LOG_LEVEL_ERR},
        {"warning", LOG_LEVEL_WARN},
        {"info", LOG_LEVEL_INFO},
        {"debug", LOG_LEVEL_DEBUG},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(s, names[i].name) == 0)
            return (int)names[i].level;
    return -1;
}

/* Caller holds the lock. */
static void flush_repeats(void)
{
    if (repeats > 0)
        fprintf(stderr, "<%d>previous message repeated %lu time%s\n", (int)last_level,
                repeats, repeats == 1 ? "" : "s");
    repeats = 0;
}

void log_vmsg(enum log_level level, const char *module, const char *fmt, va_list ap)
{
    if (level > max_level)
        return;
    char line[1024];
    int n = snprintf(line, sizeof(line), "%s: ", module);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    /* One record per line: journald would split on newlines anyway. */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';

    pthread_mutex_lock(&lock);
    if (level == last_level && strcmp(line, last) == 0) {
        repeats++;
    } else {
        flush_repeats();
        fprintf(stderr, "<%d>%s\n", (int)level, line);
        memcpy(last, line, sizeof(last));
        last_level = level;
    }
    pthread_mutex_unlock(&lock);
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, module, fmt, ap);
    va_end(ap);
}

void log_flush(void)
{
    pthread_mutex_lock(&lock);
    flush_repeats();
    last[0] = '\0';
    pthread_mutex_unlock(&lock);
}

static struct log_state *states_find(struct log_states *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strncmp(s->v[i].key, key, sizeof(s->v[i].key) - 1) == 0)
            return &s->v[i];
    return NULL;
}

/* A free slot, or the state not seen for the longest time. */
static struct log_state *states_slot(struct log_states *s)
{
    if (s->n < LOG_STATES_MAX)
        return &s->v[s->n++];
    struct log_state *old = &s->v[0];
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i].used < old->used)
            old = &s->v[i];
    return old;
}

enum log_verdict log_states_note(struct log_states *s, const char *key, double now,
                                 double interval_s, unsigned long *count)
{
    struct log_state *st = states_find(s, key);
    enum log_verdict v;
    if (!st) {
        st = states_slot(s);
        snprintf(st->key, sizeof(st->key), "%s", key);
        st->unlogged = 1;
        v = LOG_VERDICT_NEW;
    } else {
        st->unlogged++;
        bool shown = s->shown_valid && &s->v[s->shown] == st;
        v = shown || now - st->logged_at < interval_s ? LOG_VERDICT_QUIET
                                                      : LOG_VERDICT_SUMMARY;
    }
    st->used = ++s->clock;
    if (count)
        *count = st->unlogged;
    if (v != LOG_VERDICT_QUIET) {
        st->logged_at = now;
        st->unlogged = 0;
        s->shown = (int)(st - s->v);
        s->shown_valid = true;
    }
    return v;
}

bool log_states_ok(struct log_states *s)
{
    bool was = s->shown_valid;
    s->shown_valid = false;
    return was;
}
