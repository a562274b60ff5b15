/* fileutil: whole-file reads with a cap, and durable atomic replacement. */
#ifndef EDUKIOSK_FILEUTIL_H
#define EDUKIOSK_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads the whole file into a new NUL-terminated buffer (caller frees).
 * Returns 0, -ENOENT etc., or -EFBIG when the file exceeds max bytes. */
int file_read(const char *path, size_t max, char **data, size_t *len);

/* Replaces path with data atomically: write path.tmp.PID, fsync when
 * `durable`, rename, fsync the directory when `durable`.  On any error the
 * temp file is removed and the old file is untouched.  Returns 0 or -errno.
 * Creates missing parent directories (mode 0755). */
int file_write_atomic(const char *path, const void *data, size_t len, bool durable);

/* mkdir -p; returns 0 or -errno. */
int file_mkdirs(const char *dir);

#endif
