/* fileutil: every file the kiosk reads or writes goes through here.
 *
 * Reads open without blocking (a FIFO, a terminal or a device in place of
 * a file must not hang the kiosk), accept regular files only and stop at a
 * cap.  Writes go to a temporary name beside the target, every write,
 * fsync and close is checked, and only a complete file is renamed over the
 * old one: on any error the old file stays as it was. */
#ifndef EDUKIOSK_FILEUTIL_H
#define EDUKIOSK_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Error codes for a path that exists but is not a regular file: all at
 * or below FILE_ERR_FIFO, so below every -errno and never clashing with
 * one.  file_strerror() words them. */
enum {
    FILE_ERR_FIFO = -5001,
    FILE_ERR_DIR = -5002,
    FILE_ERR_CHR = -5003,
    FILE_ERR_BLK = -5004,
    FILE_ERR_SOCK = -5005,
    FILE_ERR_OTHER = -5006,
};

/* What an error code of this file means: "is a FIFO, not a regular file",
 * or strerror() of -err.  Static text; thread-safe. */
const char *file_strerror(int err);

/* Opens a regular file for reading (blocking reads, close-on-exec) without
 * waiting on FIFOs or devices.  Returns a descriptor (caller closes), or
 * -errno / FILE_ERR_*. */
int file_open_read(const char *path);

/* Reads the whole regular file into a new NUL-terminated buffer (caller
 * frees).  Returns 0, -errno, FILE_ERR_* or -EFBIG when the file exceeds
 * max bytes (it never holds more than max + 1 bytes in memory). */
int file_read(const char *path, size_t max, char **data, size_t *len);

/* The temporary file a writer callback fills. */
struct file_out;

/* Appends len bytes of data.  Errors are sticky: once a write failed,
 * later calls do nothing and return that first error (0 or -errno). */
int file_out_write(struct file_out *out, const void *data, size_t len);

/* Replaces path with what fill() writes through file_out_write():
 * path.tmp.PID is written, fsynced when `durable`, closed, renamed over
 * path, and the directory fsynced when `durable`.  fill returns 0 or a
 * negative code; any failure of fill or of a write, fsync, close or rename
 * removes the temp file, leaves the old file untouched and is returned
 * (-errno, or fill's code).  Missing parent directories are created (mode
 * 0755).  Runs fill on the caller's thread. */
int file_write_atomic_with(const char *path, int (*fill)(struct file_out *out, void *ctx),
                           void *ctx, bool durable);

/* file_write_atomic_with() for bytes already in memory. */
int file_write_atomic(const char *path, const void *data, size_t len, bool durable);

/* mkdir -p; returns 0 or -errno. */
int file_mkdirs(const char *dir);

/* dir/name into out (outlen bytes): 0, or -ENAMETOOLONG when it does not
 * fit; then out holds a cut path, for messages only (it could name
 * another file). */
int file_join(char *out, size_t outlen, const char *dir, const char *name);

#endif
