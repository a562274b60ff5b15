/* auth: log-ins and sessions over the accounts file (users.h).
 *
 * A log-in gives
 * a session: a random 256-bit id for the cookie and a random CSRF token
 * the page sends back on every change.  Sessions are in memory (a restart
 * logs everyone out) and expire after `idle_s` without use.  Failed
 * log-ins are counted per account and per client address: AUTH_MAX_FAILS
 * within AUTH_WINDOW_S lock that account or address out for
 * AUTH_WINDOW_S, whatever password comes next.  Names that are no account
 * are counted alike (a lock does not tell which names exist); an IPv6
 * address counts for its whole /64.  A good log-in clears its account's
 * count, never its address's.
 *
 * Thread-safe: one mutex inside.  Password hashing runs outside it, at
 * most two at once (64 MiB each); more log-ins wait their turn. */
#ifndef EDUKIOSK_AUTH_H
#define EDUKIOSK_AUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "users.h"

#define AUTH_MAX_FAILS 5
#define AUTH_WINDOW_S 900 /* 15 min */
#define AUTH_TOKEN_LEN 64    /* hex characters of a session id or CSRF token */

struct auth;

enum auth_result {
    AUTH_OK = 0,
    AUTH_BAD = -1,          /* unknown user or wrong password (not told apart) */
    AUTH_LIMITED = -2,      /* too many failures: *retry_after seconds */
    AUTH_ERROR = -3,        /* the users file cannot be read, out of memory */
};

/* Reads the users file at `path` (missing = no users yet: nobody can log
 * in).  NULL with err set when it exists but cannot be read or is
 * malformed (the line is named).  idle_s: session idle expiry. */
struct auth *auth_new(const char *path, int idle_s, char *err, size_t errlen);
void auth_free(struct auth *a); /* accepts NULL */

/* Checks name/password from client address addr at time now.  AUTH_OK:
 * sid and csrf receive new tokens (AUTH_TOKEN_LEN hex + NUL) and the
 * session exists; otherwise they are "".  AUTH_LIMITED: *retry_after set
 * (seconds; the password was not checked).  The users file is read again
 * when it changed on disk (an admin's --add-user takes effect without a
 * restart); AUTH_ERROR while it cannot be read or is malformed (logged,
 * with the line).  Slow (~0.1 s): Argon2id. */
enum auth_result auth_login(struct auth *a, const char *name, const char *password,
                            const char *addr, time_t now, char sid[AUTH_TOKEN_LEN + 1],
                            char csrf[AUTH_TOKEN_LEN + 1], int *retry_after);

/* The session of cookie value sid at time now: true with its user name and
 * CSRF token copied out (and its idle timer renewed); false when unknown
 * or expired (then it is forgotten).  user/csrf may be NULL. */
bool auth_session(struct auth *a, const char *sid, time_t now, char user[USERS_NAME_MAX + 1],
                  char csrf[AUTH_TOKEN_LEN + 1]);

/* Compares a CSRF token in constant time; false for NULL or wrong length. */
bool auth_csrf_ok(const char *expected, const char *given);

void auth_logout(struct auth *a, const char *sid);
#endif
