/* minisig: minisign public keys and detached signatures, verified with
 * libsodium (Ed25519; BLAKE2b-512 for the pre-hashed kind).
 *
 * A public key is "Ed" + 8-byte key id + 32-byte Ed25519 key in base64,
 * alone or as the second line of a minisign .pub file.  A signature file
 * has four lines:
 *   untrusted comment: …                        (ignored)
 *   base64("ED" or "Ed" + key id + signature)   ED: of BLAKE2b-512(file)
 *                                               Ed: of the file (legacy)
 *   trusted comment: timestamp:N\tfile:…        (signed by the next line)
 *   base64(signature of the signature + the trusted comment)
 * Both kinds Debian's minisign 0.11 writes verify, and so does the
 * trusted comment.
 *
 * Signing (the editor's publish): an unencrypted minisign secret key, as
 * `minisign -G -W` writes it, signs the pre-hashed (ED) kind, the one
 * minisign writes by default.  Pure functions, any thread. */
#ifndef EDUKIOSK_MINISIG_H
#define EDUKIOSK_MINISIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key can be rotated without a flag day: several may be trusted. */
#define MINISIG_MAX_KEYS 8
/* minisign's own limit on a trusted comment is 1024 bytes. */
#define MINISIG_MAX_COMMENT 1024
/* A signature file is about 300 bytes; more is not one. */
#define MINISIG_MAX_FILE 4096

struct minisig_key {
    uint8_t id[8];
    uint8_t pk[32];
};

struct minisig_keyring {
    struct minisig_key keys[MINISIG_MAX_KEYS];
    size_t n;
};

struct minisig_info {
    char key_id[17];   /* as minisign prints it: "94B79DAF17E63DC4" */
    bool prehashed;    /* ED (BLAKE2b) rather than the legacy Ed */
    long long timestamp; /* the trusted comment's "timestamp:"; -1 = none */
    char comment[MINISIG_MAX_COMMENT + 1]; /* the trusted comment */
};

/* Parses one public key: the base64 string, or a .pub file's text (the
 * untrusted comment line, then the key).  0, or -1 with err set. */
int minisig_key_parse(const char *text, size_t len, struct minisig_key *k, char *err,
                      size_t errlen);

/* Adds keys to r: text holds one or more base64 keys separated by spaces,
 * commas or newlines, or one .pub file's text.  A key already in r is not
 * added twice.  0, or -1 with err set (r then unchanged). */
int minisig_keyring_add(struct minisig_keyring *r, const char *text, size_t len,
                        char *err, size_t errlen);

/* The key id as minisign prints it (16 upper-case hex digits). */
void minisig_key_id(const uint8_t id[8], char out[17]);

/* Verifies sig (the .minisig file's text) for msg[0..len) against the
 * keys of r, and the trusted comment.  0 with *info filled; -1 with err
 * saying what is wrong in an editor's words (not a signature, truncated,
 * signed with an unknown key, does not match the file, trusted comment
 * edited).  info may be NULL. */
int minisig_verify(const struct minisig_keyring *r, const char *sig, size_t siglen,
                   const void *msg, size_t len, struct minisig_info *info, char *err,
                   size_t errlen);

/* The "timestamp:" of a trusted comment, or -1 when it has none. */
long long minisig_comment_timestamp(const char *comment);

/* A secret key: its id and the Ed25519 secret key (seed + public key).
 * Wipe it with minisig_secret_wipe() when done. */
struct minisig_secret {
    uint8_t id[8];
    uint8_t sk[64];
};

/* Parses a minisign secret key file's text (the untrusted comment line,
 * then the base64 line).  Only unencrypted keys (`minisign -G -W`): the
 * server signs unattended and cannot ask for a password, so an encrypted
 * key is refused with an error saying how to make one without.  The key's
 * checksum (when minisign wrote one) and the public half of the secret
 * key are checked.  0, or -1 with err set (s then wiped). */
int minisig_secret_parse(const char *text, size_t len, struct minisig_secret *s, char *err,
                         size_t errlen);

/* The public key of a secret key (to verify what it signed, or to show
 * its id with minisig_key_id). */
void minisig_secret_public(const struct minisig_secret *s, struct minisig_key *k);

/* Zeroes s in a way the compiler does not drop. */
void minisig_secret_wipe(struct minisig_secret *s);

/* Signs msg[0..len) with s: *out receives a new NUL-terminated .minisig
 * text of four lines (caller frees), *outlen its length: the untrusted
 * comment "signature from edukiosk-editor secret key", the pre-hashed
 * (ED) signature, "trusted comment: " + trusted_comment (the caller
 * passes e.g. "timestamp:1796000000\tfile:feed.json") and the signature
 * of the signature and that comment.  The comment must be one line of at
 * most MINISIG_MAX_COMMENT bytes.  0, or -1 (a bad comment, out of
 * memory) with *out NULL. */
int minisig_sign(const struct minisig_secret *s, const void *msg, size_t len,
                 const char *trusted_comment, char **out, size_t *outlen);

#endif
