/* log: journald-friendly logging to stderr.
 *
 * Lines look like "<3>fetch: connect failed: …" (sd-daemon priority
 * prefixes, so journald keeps the level).  The same message from the same
 * module repeated back to back is collapsed: it is printed once, and when a
 * different message arrives a line "previous message repeated N times" is
 * written.  Thread-safe.
 *
 * Each .c file defines LOG_MODULE before including this header.
 */
#ifndef EDUKIOSK_LOG_H
#define EDUKIOSK_LOG_H

#include <stdarg.h>

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

#ifndef LOG_MODULE
#define LOG_MODULE "edukiosk"
#endif
#define LOG_ERR(...) log_msg(LOG_LEVEL_ERR, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define LOG_DBG(...) log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif
