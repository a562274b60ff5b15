#include "feedreport.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DIAGS 1000

static char *dup_clean(const char *s)
{
    size_t n = strlen(s);
    char *r = malloc(n + 1);
    if (!r)
        return NULL;
    /* A diagnostic is one line whatever the feed's keys contain. */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        r[i] = s[i];
        if (ch < 0x20 || ch == 0x7f)
            r[i] = '?';
    }
    r[n] = '\0';
    return r;
}

void feed_report_vadd(struct feed_report *rep, bool warning, int line, int col,
                      const char *path, const char *fmt, va_list ap)
{
    if (warning)
        rep->warnings++;
    else
        rep->errors++;
    if (rep->n > MAX_DIAGS)
        return;
    char msg[1024];
    if (rep->n == MAX_DIAGS)
        snprintf(msg, sizeof(msg), "too many problems; only the first %d are listed",
                 MAX_DIAGS);
    else
        vsnprintf(msg, sizeof(msg), fmt, ap);
    struct feed_diag *nd = realloc(rep->diags, (rep->n + 1) * sizeof(*nd));
    if (!nd)
        return;
    rep->diags = nd;
    struct feed_diag *dg = &rep->diags[rep->n];
    dg->warning = rep->n == MAX_DIAGS ? false : warning;
    dg->line = line;
    dg->col = col;
    dg->path = dup_clean(rep->n == MAX_DIAGS ? "" : path);
    dg->msg = dup_clean(msg);
    if (!dg->path || !dg->msg) {
        free(dg->path);
        free(dg->msg);
        return;
    }
    rep->n++;
}

void feed_report_add(struct feed_report *rep, bool warning, int line, int col,
                     const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    feed_report_vadd(rep, warning, line, col, path, fmt, ap);
    va_end(ap);
}

/* Insertion sort: stable, and n is at most MAX_DIAGS + 1. */
void feed_report_sort(struct feed_report *rep)
{
    for (size_t i = 1; i < rep->n; i++) {
        struct feed_diag key = rep->diags[i];
        size_t j = i;
        while (j > 0) {
            const struct feed_diag *p = &rep->diags[j - 1];
            if (p->line < key.line || (p->line == key.line && p->col <= key.col))
                break;
            rep->diags[j] = rep->diags[j - 1];
            j--;
        }
        rep->diags[j] = key;
    }
}

void feed_report_free(struct feed_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->diags[i].path);
        free(rep->diags[i].msg);
    }
    free(rep->diags);
    memset(rep, 0, sizeof(*rep));
}

void feed_report_print(const struct feed_report *rep, const char *source, FILE *out)
{
    if (!rep)
        return;
    if (!source)
        source = "feed";
    for (size_t i = 0; i < rep->n; i++) {
        const struct feed_diag *dg = &rep->diags[i];
        fprintf(out, "%s:%d:%d: %s%s%s%s\n", source, dg->line, dg->col,
                dg->warning ? "warning: " : "", dg->path, dg->path[0] ? ": " : "",
                dg->msg);
    }
}
