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
