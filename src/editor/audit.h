/* audit: the editor's append-only log of who did what (log-ins, failed
 * ones, publishes, rollbacks, uploads), DATA/audit.log: one JSON object a
 * line {"at","user","addr","event","detail"}, appended with O_APPEND and
 * never rewritten.  Thread-safe. */
#ifndef EDUKIOSK_AUDIT_H
#define EDUKIOSK_AUDIT_H
#include <jansson.h>

struct audit;
/* The log at path (created at the first line).  NULL: out of memory. */
struct audit *audit_open(const char *path);
void audit_free(struct audit *a); /* accepts NULL */
/* Appends one line; user, addr and detail may be NULL.  A failed write is
 * logged, not returned: the action it records has happened. */
void audit_add(struct audit *a, const char *user, const char *addr, const char *event,
               const char *detail);
/* The newest `limit` entries, newest first. */
json_t *audit_tail(struct audit *a, int limit);
#endif
