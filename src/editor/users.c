#define LOG_MODULE "auth"
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileutil.h"
#include "log.h"

_Static_assert(USERS_HASH_MAX == crypto_pwhash_STRBYTES, "Argon2id string size");
#define HASH_PREFIX "$argon2id$"
#define USERS_FILE_MAX ((size_t)1 << 20)

bool users_valid_name(const char *name)
{
    if (!name)
        return false;
    size_t n = strnlen(name, USERS_NAME_MAX + 1);
    if (n == 0 || n > USERS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* "$argon2id$v=19$m=65536,t=2,p=1$SALT$HASH": the prefix, five '$' and
 * nothing but base64 and the parameters' characters. */
static bool valid_hash(const char *s, size_t n)
{
    if (n >= USERS_HASH_MAX || n <= strlen(HASH_PREFIX) ||
        memcmp(s, HASH_PREFIX, strlen(HASH_PREFIX)) != 0)
        return false;
    int dollars = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        dollars += c == '$';
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '$' || c == '=' || c == ',' || c == '+' || c == '/'))
            return false;
    }
    return dollars == 5;
}

void users_free(struct users *u)
{
    free(u->v);
    u->v = NULL;
    u->n = 0;
}

const struct user *users_find(const struct users *u, const char *name)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->v[i].name, name) == 0)
            return &u->v[i];
    return NULL;
}

/* One line of text: [*s, *e) without its line end or surrounding blanks;
 * advances *pos past it.  False at the end. */
static bool users_line(const char *text, size_t len, size_t *pos, const char **s, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *b = text + *pos;
    const char *nl = memchr(b, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - b) : len - *pos;
    *pos += l + (nl ? 1 : 0);
    while (l > 0 && (b[l - 1] == '\r' || b[l - 1] == ' ' || b[l - 1] == '\t'))
        l--;
    while (l > 0 && (*b == ' ' || *b == '\t')) {
        b++;
        l--;
    }
    *s = b;
    *n = l;
    return true;
}

/* Whether a users file line is an entry (not blank, not a # comment). */
static bool is_entry(const char *s, size_t n)
{
    return n > 0 && s[0] != '#';
}

/* The entries of a users file's text into *out (replacing it only on
 * success).  0, or -1 with err naming the file and line. */
static int parse_users(const char *text, size_t len, const char *path, struct users *out,
                       char *err, size_t errlen)
{
    struct users u = {0};
    size_t pos = 0, n, cap = 0, lineno = 0;
    const char *s;
    while (users_line(text, len, &pos, &s, &n)) {
        lineno++;
        if (!is_entry(s, n))
            continue;
        const char *colon = memchr(s, ':', n);
        size_t nl = colon ? (size_t)(colon - s) : 0;
        char name[USERS_NAME_MAX + 1] = "";
        if (colon && nl <= USERS_NAME_MAX) {
            memcpy(name, s, nl);
            name[nl] = '\0';
        }
        const char *why = NULL;
        if (!colon)
            why = "not NAME:HASH (no colon)";
        else if (!users_valid_name(name) || strlen(name) != nl)
            why = "the name is not 1 to 32 letters, digits, '.', '_' or '-'";
        else if (!valid_hash(colon + 1, n - nl - 1))
            why = "the hash is not an Argon2id string (\"$argon2id$...\"; "
                  "edukiosk-editor --add-user writes one)";
        else if (users_find(&u, name))
            why = "the name appears twice";
        if (why) {
            snprintf(err, errlen, "users file %s, line %zu: %s", path, lineno, why);
            users_free(&u);
            return -1;
        }
        if (u.n == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            struct user *v = realloc(u.v, ncap * sizeof(*v));
            if (!v) {
                snprintf(err, errlen, "users file %s: out of memory", path);
                users_free(&u);
                return -1;
            }
            u.v = v;
            cap = ncap;
        }
        struct user *e = &u.v[u.n++];
        memcpy(e->name, name, sizeof(e->name));
        memcpy(e->hash, colon + 1, n - nl - 1);
        e->hash[n - nl - 1] = '\0';
    }
    users_free(out);
    *out = u;
    return 0;
}

/* Reads the users file and, when it is not the text of *digest (NULL:
 * always), parses it into *out.  0 (a missing file: no users, *exists
 * false), 1 (unchanged), or -1 with err. */
int users_read(const char *path, struct users *out, bool *exists, uint8_t digest[32],
                      char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int r = file_read(path, USERS_FILE_MAX, &text, &len);
    if (r == -ENOENT) {
        *exists = false;
        users_free(out);
        return 0;
    }
    if (r < 0) {
        snprintf(err, errlen, "cannot read the users file %s: %s", path,
                 r == -EFBIG ? "larger than 1 MiB" : file_strerror(r));
        return -1;
    }
    uint8_t d[32];
    crypto_generichash(d, sizeof(d), (const uint8_t *)text, len, NULL, 0);
    if (*exists && digest && memcmp(d, digest, sizeof(d)) == 0) {
        free(text);
        return 1;
    }
    r = parse_users(text, len, path, out, err, errlen);
    free(text);
    if (r == 0) {
        *exists = true;
        if (digest)
            memcpy(digest, d, sizeof(d));
    }
    return r;
}

/* ---- writing the users file --------------------------------------------- */

/* Writes text as path with mode 0600, atomically: a temporary file beside
 * it, fsynced, renamed over it, and the directory (dirfd) fsynced.  When
 * running as root the file gets owner uid/gid (the editor's user, not
 * root's, so that the server can still read it).  0 or -errno. */
static int write_private(const char *path, int dirfd, const char *text, size_t len,
                         bool chown_it, uid_t uid, gid_t gid)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -ENAMETOOLONG;
    if (unlink(tmp) < 0 && errno != ENOENT)
        return -errno;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    int r = 0;
    /* The umask only takes bits away, but be exact. */
    if (fchmod(fd, 0600) < 0 || (chown_it && fchown(fd, uid, gid) < 0))
        r = -errno;
    for (size_t done = 0; r == 0 && done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            r = -errno;
        else
            done += (size_t)w;
    }
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return r;
    }
    return fsync(dirfd) < 0 ? -errno : 0;
}

/* Code points of UTF-8 text (bytes that do not continue a character). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The users file's text with name's line replaced by, or else followed by,
 * "name:hash".  Other lines stay as they are.  NULL when out of memory. */
static char *with_entry(const char *text, size_t len, const char *name, const char *hash,
                        size_t *outlen)
{
    size_t cap = len + strlen(name) + strlen(hash) + 4;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0, pos = 0, nlen = strlen(name);
    bool done = false;
    while (pos < len) {
        size_t start = pos, n;
        const char *s;
        users_line(text, len, &pos, &s, &n);
        if (!done && is_entry(s, n) && n > nlen && memcmp(s, name, nlen) == 0 &&
            s[nlen] == ':') {
            o += (size_t)snprintf(out + o, cap - o, "%s:%s\n", name, hash);
            done = true;
            continue;
        }
        memcpy(out + o, text + start, pos - start);
        o += pos - start;
    }
    if (!done) {
        if (o > 0 && out[o - 1] != '\n')
            out[o++] = '\n';
        o += (size_t)snprintf(out + o, cap - o, "%s:%s\n", name, hash);
    }
    *outlen = o;
    return out;
}

int users_set_password(const char *path, const char *name, const char *password, char *err,
                      size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    if (!users_valid_name(name)) {
        snprintf(err, errlen, "a user name is 1 to %d letters, digits, '.', '_' or '-'",
                 USERS_NAME_MAX);
        return -1;
    }
    if (!password || utf8_chars(password) < USERS_PASSWORD_MIN) {
        snprintf(err, errlen, "the password must have at least %d characters",
                 USERS_PASSWORD_MIN);
        return -1;
    }
    size_t plen = strlen(password);
    if (plen > USERS_PASSWORD_MAX) {
        snprintf(err, errlen, "the password must have at most %d bytes", USERS_PASSWORD_MAX);
        return -1;
    }
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int dn = slash ? snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path),
                              path)
                   : snprintf(dir, sizeof(dir), ".");
    if (dn < 0 || (size_t)dn >= sizeof(dir)) {
        snprintf(err, errlen, "the users file's path is too long");
        return -1;
    }
    /* A data directory not made yet: only its owner may look inside. */
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the directory %s: %s", dir, strerror(errno));
        return -1;
    }
    char hash[USERS_HASH_MAX];
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errlen, "out of memory (Argon2id needs 64 MiB)");
        return -1;
    }

    /* Two --add-user at once must not lose one: the directory is locked
     * while the file is read, changed and replaced. */
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0) {
        snprintf(err, errlen, "cannot open the directory %s: %s", dir, strerror(errno));
        if (dirfd >= 0)
            close(dirfd);
        return -1;
    }
    int ret = -1;
    char *text = NULL, *out = NULL;
    size_t len = 0, outlen = 0;
    struct users u = {0};
    int r = file_read(path, USERS_FILE_MAX, &text, &len);
    if (r < 0 && r != -ENOENT) {
        snprintf(err, errlen, "cannot read the users file %s: %s", path,
                 r == -EFBIG ? "larger than 1 MiB" : file_strerror(r));
        goto done;
    }
    /* A damaged file is not rewritten: its other lines would be kept as
     * they are, and what is wrong there is for the admin to see. */
    if (r == 0 && parse_users(text, len, path, &u, err, errlen) < 0)
        goto done;
    out = with_entry(r == 0 ? text : "", r == 0 ? len : 0, name, hash, &outlen);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* As root (an admin's sudo), the file stays the server's: the owner of
     * the file it replaces, else of its directory. */
    struct stat st;
    bool chown_it = geteuid() == 0 && (stat(path, &st) == 0 || fstat(dirfd, &st) == 0);
    r = write_private(path, dirfd, out, outlen, chown_it, chown_it ? st.st_uid : 0,
                      chown_it ? st.st_gid : 0);
    if (r < 0) {
        snprintf(err, errlen, "cannot write the users file %s: %s", path, strerror(-r));
        goto done;
    }
    ret = 0;
done:
    flock(dirfd, LOCK_UN);
    close(dirfd);
    users_free(&u);
    free(text);
    free(out);
    sodium_memzero(hash, sizeof(hash));
    return ret;
}

