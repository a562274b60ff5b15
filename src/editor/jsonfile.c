#define LOG_MODULE "store"
#include "jsonfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "log.h"

size_t jsonfile_cap(size_t max_feed_bytes)
{
    return max_feed_bytes * 7 + 4096;
}

int jsonfile_read(const char *path, size_t max, json_t **out)
{
    char *data;
    size_t len;
    int r = file_read(path, max, &data, &len);
    if (r < 0)
        return r;
    json_error_t e;
    *out = json_loadb(data, len, 0, &e);
    free(data);
    if (!*out) {
        LOG_ERR("%s:%d:%d: %s", path, e.line, e.column, e.text);
        return -EINVAL;
    }
    return 0;
}

int jsonfile_write(const char *path, json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!text)
        return -ENOMEM;
    int r = file_write_atomic(path, text, strlen(text), true);
    free(text);
    if (r < 0)
        LOG_ERR("cannot write %s: %s", path, file_strerror(r));
    return r;
}
