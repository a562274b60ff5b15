/* summary: the one line a publish records when its author wrote none:
 * what changed from the previous version, in Chinese ("第2、5张已修改；
 * 新增1张；滚动字幕").  Pure; any thread. */
#ifndef EDUKIOSK_SUMMARY_H
#define EDUKIOSK_SUMMARY_H
#include <stddef.h>

/* old may be NULL (the first publish); out always gets a NUL-terminated
 * line. */
void summary_of_change(const char *old, size_t oldlen, const char *neu, size_t newlen,
                       char *out, size_t len);
#endif
