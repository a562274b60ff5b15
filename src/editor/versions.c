#define LOG_MODULE "store"
#include "versions.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"
#include "jsonfile.h"
#include "log.h"

static void path_of(const struct versions *vs, int n, char out[PATH_MAX])
{
    char name[32];
    snprintf(name, sizeof(name), "%06d.json", n);
    if (file_join(out, PATH_MAX, vs->dir, name) < 0)
        out[0] = '\0';
}

static int cmp_version(const void *a, const void *b)
{
    const struct version *x = a, *y = b;
    return (x->n > y->n) - (x->n < y->n);
}

/* Appends one line to the index. */
static int index_add(struct versions *vs, int n, const char *by, long long at,
                     const char *summary, const char *hash)
{
    struct version *nv = realloc(vs->v, (vs->n + 1) * sizeof(*nv));
    if (!nv)
        return -1;
    vs->v = nv;
    struct version *v = &vs->v[vs->n++];
    memset(v, 0, sizeof(*v));
    v->n = n;
    v->at = at;
    snprintf(v->by, sizeof(v->by), "%s", by);
    snprintf(v->hash, sizeof(v->hash), "%s", hash);
    v->summary = strdup(summary);
    return 0;
}

void versions_load(struct versions *vs)
{
    DIR *dir = opendir(vs->dir);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        char *end;
        long n = strtol(e->d_name, &end, 10);
        if (n <= 0 || n > INT_MAX || strcmp(end, ".json") != 0)
            continue;
        char path[PATH_MAX];
        json_t *j;
        path_of(vs, (int)n, path);
        if (jsonfile_read(path, vs->max_file, &j) < 0)
            continue; /* logged; a damaged version is not offered */
        const char *by = "", *summary = "", *hash = "";
        json_int_t at = 0;
        if (json_unpack(j, "{s:s, s:I, s:s, s:s}", "by", &by, "at", &at, "summary", &summary,
                        "hash", &hash) == 0)
            index_add(vs, (int)n, by, at, summary, hash);
        json_decref(j);
    }
    closedir(dir);
    if (vs->n)
        qsort(vs->v, vs->n, sizeof(*vs->v), cmp_version);
}

void versions_free(struct versions *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i].summary);
    free(vs->v);
    vs->v = NULL;
    vs->n = 0;
}

const struct version *versions_latest(const struct versions *vs)
{
    return vs->n ? &vs->v[vs->n - 1] : NULL;
}

bool versions_have(const struct versions *vs, int n)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->v[i].n == n)
            return true;
    return false;
}

json_t *versions_get(const struct versions *vs, int n)
{
    char path[PATH_MAX];
    json_t *j;
    if (!versions_have(vs, n))
        return NULL;
    path_of(vs, n, path);
    return jsonfile_read(path, vs->max_file, &j) < 0 ? NULL : j;
}

char *versions_text(const struct versions *vs, int n, size_t *len)
{
    json_t *j = versions_get(vs, n);
    const char *t = NULL;
    size_t tl = 0;
    char *out = NULL;
    if (j && json_unpack(j, "{s:s%}", "text", &t, &tl) == 0 && (out = malloc(tl + 1))) {
        memcpy(out, t, tl);
        out[tl] = '\0';
        *len = tl;
    }
    json_decref(j);
    return out;
}

int versions_add(struct versions *vs, const char *by, long long at, const char *summary,
                 const char *hash, const char *text, size_t len)
{
    const struct version *last = versions_latest(vs);
    int n = last ? last->n + 1 : 1;
    json_t *j = json_pack("{s:i, s:s, s:I, s:s, s:s, s:s%}", "n", n, "by", by, "at",
                          (json_int_t)at, "summary", summary, "hash", hash, "text", text, len);
    char path[PATH_MAX];
    path_of(vs, n, path);
    int r = j && path[0] ? jsonfile_write(path, j) : -EINVAL;
    json_decref(j);
    if (r < 0 || index_add(vs, n, by, at, summary, hash) < 0)
        return -1;
    return n;
}

void versions_prune(struct versions *vs, size_t keep)
{
    while (vs->n > keep) {
        char path[PATH_MAX];
        path_of(vs, vs->v[0].n, path);
        if (path[0] && unlink(path) < 0 && errno != ENOENT)
            LOG_WARN("cannot remove %s: %s", path, strerror(errno));
        free(vs->v[0].summary);
        memmove(vs->v, vs->v + 1, (vs->n - 1) * sizeof(*vs->v));
        vs->n--;
    }
}

json_t *versions_list(const struct versions *vs)
{
    json_t *list = json_array();
    for (size_t i = vs->n; i-- > 0;) {
        const struct version *v = &vs->v[i];
        json_array_append_new(list, json_pack("{s:i, s:s, s:I, s:s, s:s}", "n", v->n, "by",
                                              v->by, "at", (json_int_t)v->at, "summary",
                                              v->summary ? v->summary : "", "hash", v->hash));
    }
    return list;
}
