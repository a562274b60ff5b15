#include "auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "users.h"
#define LOG_MODULE "auth"
#include "log.h"

#define SESSIONS_MAX 1000 /* beyond: the least recently used goes */
#define LIMITS_MAX 4096   /* accounts and addresses with recent failures */
#define KEY_MAX 48        /* an address as text (INET6_ADDRSTRLEN is 46) */
#define TOKEN_BYTES (AUTH_TOKEN_LEN / 2)
/* Argon2id verifications at once: each takes 64 MiB (interactive limits),
 * and a Raspberry Pi has little; the others wait their turn. */
#define VERIFY_MAX 2

_Static_assert(USERS_NAME_MAX < KEY_MAX, "an account name fits a limit's key");

struct session {
    char sid[AUTH_TOKEN_LEN + 1];
    char csrf[AUTH_TOKEN_LEN + 1];
    char user[USERS_NAME_MAX + 1];
    long long last; /* last use */
};

/* The recent failures of one account ('u') or client address ('a'). */
struct limit {
    char kind; /* 0: a free slot */
    char key[KEY_MAX];
    long long fails[AUTH_MAX_FAILS]; /* within the window, oldest first */
    int n;
    int pending; /* log-ins of it being checked right now */
    long long locked_until;
    long long last; /* last failure or attempt, to forget the oldest */
};

struct auth {
    pthread_mutex_t mu;
    pthread_cond_t turn; /* a verification slot came free */
    int verifying;
    char *path;
    int idle_s;
    struct users users;
    bool on_disk;        /* the users file existed at the last look… */
    uint8_t digest[32];  /* …with this BLAKE2b-256 of its text */
    char dummy[USERS_HASH_MAX]; /* verified for unknown names, to take as long */
    struct session sessions[SESSIONS_MAX];
    size_t n_sessions;
    struct limit limits[LIMITS_MAX];
};

/* ---- the accounts ---------------------------------------------------------- */

/* Reads the users file again when it changed (mutex held).  It is small
 * and read at each log-in only, so its text is compared rather than its
 * time stamps (two changes within the file system's clock tick would look
 * the same).  0, or -1 when it cannot be read or is malformed (the old
 * accounts are kept but unused; it is tried again next time). */
static int refresh_users(struct auth *a)
{
    char err[512];
    bool was = a->on_disk;
    int r = users_read(a->path, &a->users, &a->on_disk, a->digest, err, sizeof(err));
    if (r < 0) {
        LOG_ERR("%s (log-ins refused until it is fixed)", err);
        return -1;
    }
    if (r == 0 && !a->on_disk && was)
        LOG_WARN("the users file %s is gone: nobody can log in", a->path);
    else if (r == 0 && a->on_disk)
        LOG_INFO("%zu account%s in %s", a->users.n, a->users.n == 1 ? "" : "s", a->path);
    return 0;
}

struct auth *auth_new(const char *path, int idle_s, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return NULL;
    }
    if (!path || idle_s <= 0) {
        snprintf(err, errlen, "auth: no users file, or a session idle time below 1 s");
        return NULL;
    }
    struct auth *a = calloc(1, sizeof(*a));
    if (!a || !(a->path = strdup(path))) {
        free(a);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->idle_s = idle_s;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->turn, NULL);
    /* A hash of a random password no one knows, with the same limits. */
    uint8_t secret[32];
    randombytes_buf(secret, sizeof(secret));
    int r = crypto_pwhash_str(a->dummy, (const char *)secret, sizeof(secret),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(secret, sizeof(secret));
    if (r != 0) {
        snprintf(err, errlen, "out of memory (Argon2id needs 64 MiB)");
        auth_free(a);
        return NULL;
    }
    if (users_read(path, &a->users, &a->on_disk, a->digest, err, errlen) < 0) {
        auth_free(a);
        return NULL;
    }
    return a;
}

void auth_free(struct auth *a)
{
    if (!a)
        return;
    users_free(&a->users);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->turn);
    free(a->path);
    sodium_memzero(a, sizeof(*a));
    free(a);
}

/* ---- failure limits ----------------------------------------------------- */

/* A client address as a limit's key: IPv6 by its /64 (one home or office
 * network usually has a whole /64 to pick addresses from), an IPv4 mapped
 * in IPv6 as the IPv4, anything else as given (cut, odd bytes replaced). */
static void addr_key(const char *addr, char out[KEY_MAX])
{
    struct in6_addr a6;
    if (!addr || !*addr) {
        snprintf(out, KEY_MAX, "-");
        return;
    }
    if (inet_pton(AF_INET6, addr, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            struct in_addr a4;
            memcpy(&a4, a6.s6_addr + 12, 4);
            inet_ntop(AF_INET, &a4, out, KEY_MAX);
        } else {
            memset(a6.s6_addr + 8, 0, 8);
            inet_ntop(AF_INET6, &a6, out, KEY_MAX);
            size_t l = strlen(out);
            snprintf(out + l, KEY_MAX - l, "/64");
        }
        return;
    }
    size_t i = 0;
    for (; i < KEY_MAX - 1 && addr[i]; i++) {
        char c = addr[i];
        bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                     (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '-';
        out[i] = c;
        if (!plain)
            out[i] = '_';
    }
    out[i] = '\0';
}

/* Forgets failures older than the window, and a lock that has ended. */
static void limit_prune(struct limit *l, long long now)
{
    int keep = 0;
    for (int i = 0; i < l->n; i++)
        if (now - l->fails[i] < AUTH_WINDOW_S)
            l->fails[keep++] = l->fails[i];
    l->n = keep;
    if (l->locked_until <= now)
        l->locked_until = 0;
    /* A clock set back must not lengthen a lock. */
    if (l->locked_until > now + AUTH_WINDOW_S)
        l->locked_until = now + AUTH_WINDOW_S;
}

static bool limit_idle(struct limit *l, long long now)
{
    limit_prune(l, now);
    return l->pending == 0 && l->n == 0 && l->locked_until == 0;
}

/* The limit record of kind/key, made when missing (mutex held).  NULL only
 * when every slot is in use by a log-in being checked. */
static struct limit *limit_get(struct auth *a, char kind, const char *key, long long now)
{
    struct limit *free_slot = NULL, *idle = NULL, *oldest = NULL;
    for (size_t i = 0; i < LIMITS_MAX; i++) {
        struct limit *l = &a->limits[i];
        if (l->kind == kind && strcmp(l->key, key) == 0)
            return l;
        if (!l->kind) {
            if (!free_slot)
                free_slot = l;
        } else if (limit_idle(l, now)) {
            if (!idle || l->last < idle->last)
                idle = l;
        } else if (l->pending == 0 && (!oldest || l->last < oldest->last)) {
            oldest = l;
        }
    }
    struct limit *l = free_slot ? free_slot : idle ? idle : oldest;
    if (!l)
        return NULL;
    if (l == oldest)
        LOG_WARN("more than %d accounts and addresses with failed log-ins: the "
                 "failures of %s are forgotten",
                 LIMITS_MAX, l->key);
    memset(l, 0, sizeof(*l));
    l->kind = kind;
    snprintf(l->key, sizeof(l->key), "%s", key);
    l->last = now;
    return l;
}

/* Whether l is locked now; *retry_after the seconds until it is not. */
static bool limit_locked(struct limit *l, long long now, int *retry_after)
{
    if (!l)
        return false;
    limit_prune(l, now);
    if (l->locked_until > now) {
        *retry_after = (int)(l->locked_until - now);
        return true;
    }
    return false;
}

/* Whether l (which counts this log-in among its pending ones) refuses
 * another try now; *retry_after the seconds until it may. */
static bool limit_blocked(struct limit *l, long long now, int *retry_after)
{
    if (!l)
        return false;
    if (limit_locked(l, now, retry_after))
        return true;
    /* Tries already being checked count as failures until they are not. */
    if (l->n + l->pending - 1 >= AUTH_MAX_FAILS) {
        *retry_after = 1;
        return true;
    }
    return false;
}

static void limit_fail(struct limit *l, long long now, const char *what)
{
    if (!l)
        return;
    limit_prune(l, now);
    if (l->n == AUTH_MAX_FAILS) {
        memmove(l->fails, l->fails + 1, sizeof(l->fails[0]) * (AUTH_MAX_FAILS - 1));
        l->n--;
    }
    l->fails[l->n++] = now;
    l->last = now;
    if (l->n >= AUTH_MAX_FAILS) {
        l->locked_until = now + AUTH_WINDOW_S;
        l->n = 0;
        LOG_WARN("%s %s: %d failed log-ins within %d min, locked for %d min", what, l->key,
                 AUTH_MAX_FAILS, AUTH_WINDOW_S / 60, AUTH_WINDOW_S / 60);
    }
}

static void limit_done(struct limit *l)
{
    if (l && l->pending > 0)
        l->pending--;
}

/* ---- sessions ----------------------------------------------------------- */

static void new_token(char out[AUTH_TOKEN_LEN + 1])
{
    uint8_t raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
}

static void session_drop(struct auth *a, size_t i)
{
    a->sessions[i] = a->sessions[a->n_sessions - 1];
    sodium_memzero(&a->sessions[a->n_sessions - 1], sizeof(a->sessions[0]));
    a->n_sessions--;
}

static bool session_expired(const struct auth *a, const struct session *s, long long now)
{
    return now - s->last >= a->idle_s;
}

/* Index of the live session with id sid, or -1; expired ones met on the
 * way are dropped.  Every id is compared in constant time. */
static long session_find(struct auth *a, const char *sid, long long now)
{
    if (!sid || strnlen(sid, AUTH_TOKEN_LEN + 1) != AUTH_TOKEN_LEN)
        return -1;
    long found = -1;
    for (size_t i = 0; i < a->n_sessions;) {
        if (session_expired(a, &a->sessions[i], now)) {
            session_drop(a, i);
            continue;
        }
        if (sodium_memcmp(a->sessions[i].sid, sid, AUTH_TOKEN_LEN) == 0)
            found = (long)i;
        i++;
    }
    return found;
}

static void session_new(struct auth *a, const char *name, long long now, char *sid,
                        char *csrf)
{
    for (size_t i = 0; i < a->n_sessions;) {
        if (session_expired(a, &a->sessions[i], now))
            session_drop(a, i);
        else
            i++;
    }
    if (a->n_sessions == SESSIONS_MAX) {
        size_t lru = 0;
        for (size_t i = 1; i < a->n_sessions; i++)
            if (a->sessions[i].last < a->sessions[lru].last)
                lru = i;
        LOG_WARN("%d sessions: the least recently used one (of %s) ends", SESSIONS_MAX,
                 a->sessions[lru].user);
        session_drop(a, lru);
    }
    struct session *s = &a->sessions[a->n_sessions++];
    new_token(s->sid);
    new_token(s->csrf);
    snprintf(s->user, sizeof(s->user), "%s", name);
    s->last = now;
    memcpy(sid, s->sid, AUTH_TOKEN_LEN + 1);
    memcpy(csrf, s->csrf, AUTH_TOKEN_LEN + 1);
}

/* ---- log-in ------------------------------------------------------------- */

enum auth_result auth_login(struct auth *a, const char *name, const char *password,
                            const char *addr, time_t now, char sid[AUTH_TOKEN_LEN + 1],
                            char csrf[AUTH_TOKEN_LEN + 1], int *retry_after)
{
    int dummy_retry;
    if (!retry_after)
        retry_after = &dummy_retry;
    *retry_after = 0;
    sid[0] = '\0';
    csrf[0] = '\0';
    if (!a)
        return AUTH_ERROR;
    if (!name)
        name = "";
    if (!password)
        password = "";
    long long t = (long long)now;
    bool named = users_valid_name(name);
    size_t plen = strnlen(password, USERS_PASSWORD_MAX + 1);
    char akey[KEY_MAX];
    addr_key(addr, akey);

    pthread_mutex_lock(&a->mu);
    if (refresh_users(a) < 0) {
        pthread_mutex_unlock(&a->mu);
        return AUTH_ERROR;
    }
    /* Unknown names are counted too: a lock must not tell which exist. */
    struct limit *lu = named ? limit_get(a, 'u', name, t) : NULL;
    if (lu)
        lu->pending++;
    struct limit *la = limit_get(a, 'a', akey, t);
    if (la)
        la->pending++;
    int ru = 0, ra = 0;
    bool full = !la || (named && !lu);
    bool blocked_u = limit_blocked(lu, t, &ru), blocked_a = limit_blocked(la, t, &ra);
    if (full || blocked_u || blocked_a) {
        limit_done(lu);
        limit_done(la);
        pthread_mutex_unlock(&a->mu);
        *retry_after = full ? 60 : ru > ra ? ru : ra;
        return AUTH_LIMITED;
    }
    char hash[USERS_HASH_MAX];
    const struct user *u = named ? users_find(&a->users, name) : NULL;
    bool known = u && plen <= USERS_PASSWORD_MAX;
    memcpy(hash, known ? u->hash : a->dummy, sizeof(hash));
    /* Wait for a verification slot (the mutex is free while waiting). */
    while (a->verifying >= VERIFY_MAX)
        pthread_cond_wait(&a->turn, &a->mu);
    a->verifying++;
    pthread_mutex_unlock(&a->mu);

    /* Unknown names and overlong passwords are checked against the dummy
     * hash, so that every failure takes as long. */
    bool ok = crypto_pwhash_str_verify(hash, password, plen) == 0 && known;

    pthread_mutex_lock(&a->mu);
    a->verifying--;
    pthread_cond_signal(&a->turn);
    limit_done(lu);
    limit_done(la);
    enum auth_result res = AUTH_OK;
    if (ok) {
        /* Still the account it was (the file may have been read again
         * meanwhile), and not locked by a failure that came in meanwhile:
         * a lock stands whatever the password. */
        u = users_find(&a->users, name);
        if (!u || strcmp(u->hash, hash) != 0) {
            res = AUTH_BAD;
        } else {
            blocked_u = limit_locked(lu, t, &ru);
            blocked_a = limit_locked(la, t, &ra);
            if (blocked_u || blocked_a) {
                *retry_after = ru > ra ? ru : ra;
                res = AUTH_LIMITED;
            }
        }
    } else {
        res = AUTH_BAD;
        limit_fail(lu, t, "account");
        limit_fail(la, t, "address");
    }
    if (res == AUTH_OK) {
        /* The account's own count starts again; the address's does not
         * (one good account must not hide guesses at the others). */
        if (lu)
            lu->n = 0;
        session_new(a, name, t, sid, csrf);
    }
    pthread_mutex_unlock(&a->mu);
    sodium_memzero(hash, sizeof(hash));
    return res;
}

bool auth_session(struct auth *a, const char *sid, time_t now, char user[USERS_NAME_MAX + 1],
                  char csrf[AUTH_TOKEN_LEN + 1])
{
    if (!a)
        return false;
    long long t = (long long)now;
    pthread_mutex_lock(&a->mu);
    long i = session_find(a, sid, t);
    if (i >= 0) {
        struct session *s = &a->sessions[i];
        if (t > s->last)
            s->last = t;
        if (user)
            memcpy(user, s->user, USERS_NAME_MAX + 1);
        if (csrf)
            memcpy(csrf, s->csrf, AUTH_TOKEN_LEN + 1);
    }
    pthread_mutex_unlock(&a->mu);
    return i >= 0;
}

void auth_logout(struct auth *a, const char *sid)
{
    if (!a)
        return;
    if (!sid || strnlen(sid, AUTH_TOKEN_LEN + 1) != AUTH_TOKEN_LEN)
        return;
    pthread_mutex_lock(&a->mu);
    /* Expired or not, the session goes. */
    for (size_t i = 0; i < a->n_sessions; i++) {
        if (sodium_memcmp(a->sessions[i].sid, sid, AUTH_TOKEN_LEN) == 0) {
            session_drop(a, i);
            break;
        }
    }
    pthread_mutex_unlock(&a->mu);
}

bool auth_csrf_ok(const char *expected, const char *given)
{
    if (!expected || !given || strnlen(expected, AUTH_TOKEN_LEN + 1) != AUTH_TOKEN_LEN ||
        strnlen(given, AUTH_TOKEN_LEN + 1) != AUTH_TOKEN_LEN)
        return false;
    return sodium_memcmp(expected, given, AUTH_TOKEN_LEN) == 0;
}
