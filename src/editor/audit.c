#define LOG_MODULE "audit"
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "log.h"

struct audit {
    pthread_mutex_t lock; /* one line at a time */
    char *path;
};

struct audit *audit_open(const char *path)
{
    struct audit *a = calloc(1, sizeof(*a));
    if (!a || !(a->path = strdup(path))) {
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    return a;
}

void audit_free(struct audit *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a->path);
    free(a);
}

void audit_add(struct audit *a, const char *user, const char *addr, const char *event,
               const char *detail)
{
    json_t *j = json_pack("{s:I, s:s?, s:s?, s:s, s:s?}", "at", (json_int_t)time(NULL),
                          "user", user, "addr", addr, "event", event, "detail", detail);
    char *line = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!line)
        return;
    pthread_mutex_lock(&a->lock);
    /* O_APPEND: one write per line, never rewritten. */
    int fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        LOG_ERR("cannot open %s: %s", a->path, strerror(errno));
    } else {
        size_t n = strlen(line);
        line[n] = '\n';
        if (write(fd, line, n + 1) != (ssize_t)(n + 1))
            LOG_ERR("cannot write %s: %s", a->path, strerror(errno));
        fdatasync(fd);
        close(fd);
    }
    pthread_mutex_unlock(&a->lock);
    free(line);
}

/* A line is a few hundred bytes; the tail read for `limit` lines is
 * bounded by this much a line, so a log of years costs no more than a
 * new one. */
#define LINE_MAX_BYTES 2048

json_t *audit_tail(struct audit *a, int limit)
{
    json_t *out = json_array();
    pthread_mutex_lock(&a->lock);
    int fd = file_open_read(a->path);
    struct stat st;
    char *data = NULL;
    size_t len = 0, skip = 0;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        size_t size = (size_t)st.st_size;
        size_t want = (size_t)limit * LINE_MAX_BYTES + 1;
        size_t from = size > want ? size - want : 0;
        data = malloc(size - from + 1);
        ssize_t n = data ? pread(fd, data, size - from, (off_t)from) : -1;
        len = n > 0 ? (size_t)n : 0;
        /* Started inside a line: that line is not whole. */
        if (from > 0)
            while (skip < len && data[skip++] != '\n')
                ;
    }
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&a->lock);
    /* Walk back from the end, line by line. */
    size_t end = len;
    while (end > skip && (int)json_array_size(out) < limit) {
        size_t start = end - 1;
        while (start > skip && data[start - 1] != '\n')
            start--;
        json_t *e = json_loadb(data + start, end - start, 0, NULL);
        if (e)
            json_array_append_new(out, e);
        end = start;
        while (end > skip && data[end - 1] == '\n')
            end--;
    }
    free(data);
    return out;
}
