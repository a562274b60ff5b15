#include "confpath.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileutil.h"

/* Larger than any real bundle of CA certificates (Debian's is ~200 KiB). */
#define PEM_MAX_BYTES ((size_t)16 * 1024 * 1024)

/* "path: what", always -1. */
static int problem(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

static int absolute(const char *path, char *err, size_t errlen)
{
    if (path[0] == '/')
        return 0;
    return problem(err, errlen, path, "must be an absolute path (starting with /)");
}

static const char *not_a_dir(mode_t mode)
{
    return S_ISFIFO(mode)   ? "is a FIFO, not a directory"
           : S_ISCHR(mode)  ? "is a character device, not a directory"
           : S_ISBLK(mode)  ? "is a block device, not a directory"
           : S_ISSOCK(mode) ? "is a socket, not a directory"
                            : "is a file, not a directory";
}

int confpath_dir(const char *path, char *err, size_t errlen)
{
    if (absolute(path, err, errlen) < 0)
        return -1;
    struct stat st;
    if (stat(path, &st) < 0)
        return 0; /* created when first needed */
    if (!S_ISDIR(st.st_mode))
        return problem(err, errlen, path, not_a_dir(st.st_mode));
    return 0;
}

int confpath_output(const char *path, char *err, size_t errlen)
{
    if (absolute(path, err, errlen) < 0)
        return -1;
    if (path[strlen(path) - 1] == '/')
        return problem(err, errlen, path, "names a directory, not a file");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return problem(err, errlen, path, "is a directory, not a file");
    char parent[PATH_MAX];
    size_t pl = (size_t)(strrchr(path, '/') - path);
    if (pl == 0 || pl >= sizeof(parent))
        return 0;
    memcpy(parent, path, pl);
    parent[pl] = '\0';
    if (stat(parent, &st) == 0 && !S_ISDIR(st.st_mode))
        return problem(err, errlen, parent, not_a_dir(st.st_mode));
    return 0;
}

int confpath_pem(const char *path, char *err, size_t errlen)
{
    if (absolute(path, err, errlen) < 0)
        return -1;
    char *data;
    size_t len;
    int r = file_read(path, PEM_MAX_BYTES, &data, &len);
    if (r == -EFBIG)
        return problem(err, errlen, path, "larger than 16 MiB, not a CA certificate file");
    if (r < 0)
        return problem(err, errlen, path, file_strerror(r));
    bool pem = memmem(data, len, "-----BEGIN CERTIFICATE-----", 27) != NULL;
    free(data);
    if (!pem)
        return problem(err, errlen, path,
                       "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    return 0;
}
