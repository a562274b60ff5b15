/* jsonfile: the editor's JSON files (draft, versions) read whole under a
 * cap and written atomically and durably (fileutil). */
#ifndef EDUKIOSK_JSONFILE_H
#define EDUKIOSK_JSONFILE_H
#include <jansson.h>
#include <stddef.h>

/* The largest such file for a feed of max_feed_bytes: its text escaped in
 * JSON (at most 6 bytes for one of its bytes: \u00XX) and the fields
 * around it. */
size_t jsonfile_cap(size_t max_feed_bytes);
/* 0 with *out, or -errno (a file that is not JSON: -EINVAL, logged with
 * its line:column). */
int jsonfile_read(const char *path, size_t max, json_t **out);
/* 0 or -errno (logged). */
int jsonfile_write(const char *path, json_t *j);
#endif
