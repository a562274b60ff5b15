/* users: the editor's accounts file, "name:HASH" a line, HASH being
 * libsodium's Argon2id string (crypto_pwhash_str, interactive limits);
 * blank lines and lines starting with '#' are ignored.  Read and parsed
 * here, and changed by --add-user; who is logged in is auth's business. */
#ifndef EDUKIOSK_USERS_H
#define EDUKIOSK_USERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERS_NAME_MAX 32 /* user names: [A-Za-z0-9._-], 1..32 */
#define USERS_PASSWORD_MIN 8
#define USERS_PASSWORD_MAX 256
/* crypto_pwhash_STRBYTES as a plain int (libsodium's is unsigned). */
#define USERS_HASH_MAX 128

struct user {
    char name[USERS_NAME_MAX + 1];
    char hash[USERS_HASH_MAX];
};

struct users {
    struct user *v;
    size_t n;
};

bool users_valid_name(const char *name);
void users_free(struct users *u);
const struct user *users_find(const struct users *u, const char *name);

/* Reads the file at path and, when its text is not the one of *digest
 * (BLAKE2b-256; NULL: always), parses it into *out.  0 (a missing file: no
 * users, *exists false), 1 (unchanged), or -1 with err (the line named,
 * never the hash). */
int users_read(const char *path, struct users *out, bool *exists, uint8_t digest[32],
               char *err, size_t errlen);

/* Adds or replaces `name` in the users file at `path` with an Argon2id
 * hash of password, written atomically (mode 0600; the other lines kept
 * as they are).  Run as root, the file keeps the owner of the one it
 * replaces (else gets its directory's), so the server can still read it.
 * A missing directory is made (mode 0700).  0, or -1 with err (bad name,
 * password shorter than USERS_PASSWORD_MIN characters or longer than
 * USERS_PASSWORD_MAX bytes, a malformed users file, I/O).  Slow (~0.1 s
 * and 64 MiB: Argon2id). */
int users_set_password(const char *path, const char *name, const char *password, char *err,
                       size_t errlen);
#endif
