/* api: what each URL of the editor means (the page, its JSON API, the
 * published feed); see docs/editor.md for the list.  Log-in, CSRF and
 * the audit log are enforced here, once, before any handler runs. */
#ifndef EDUKIOSK_API_H
#define EDUKIOSK_API_H
#include "audit.h"
#include "auth.h"
#include "econfig.h"
#include "httpd.h"
#include "store.h"

struct api;
struct api *api_new(const struct econfig *c, struct store *s, struct auth *a,
                    struct audit *audit);
void api_free(struct api *a); /* accepts NULL */
/* The http_handler of httpd.h; ctx is the api. */
int api_handle(void *ctx, struct http_req *r);
/* The early check of httpd.h: an API request without a valid session, or
 * a change without the CSRF token, is refused before its body is read. */
int api_early(void *ctx, struct http_req *r, int *ret);
#endif
