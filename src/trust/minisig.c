#include "minisig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Plain ints (libsodium's constants are unsigned, which on 32-bit ARM
 * turns a comparison with a long into a signedness warning). */
#define SIG_BYTES 64 /* crypto_sign_BYTES */
#define PK_BYTES 32  /* crypto_sign_PUBLICKEYBYTES */
#define PREHASH_BYTES 64                    /* BLAKE2b-512 */
/* "Ed"/"ED" + key id + signature, and "Ed" + key id + key. */
#define SIGLINE_BYTES (2 + 8 + SIG_BYTES)
#define KEYLINE_BYTES (2 + 8 + PK_BYTES)

_Static_assert(SIG_BYTES == crypto_sign_BYTES, "Ed25519 signature size");
_Static_assert(PK_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 key size");

#define UNTRUSTED "untrusted comment:"
#define TRUSTED "trusted comment: "

static bool sodium_ready(void)
{
    /* Idempotent and thread-safe; 1 = already done. */
    return sodium_init() >= 0;
}

void minisig_key_id(const uint8_t id[8], char out[17])
{
    /* minisign prints the id as a little-endian 64-bit number. */
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < 8; i++) {
        out[2 * i] = hex[id[7 - i] >> 4];
        out[2 * i + 1] = hex[id[7 - i] & 15];
    }
    out[16] = '\0';
}

/* One line of text[*pos..len): start and length without "\r\n"; advances
 * *pos past the newline.  False at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line,
                      size_t *n)
{
    if (*pos >= len)
        return false;
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *pos += l + (nl ? 1 : 0);
    /* minisign itself drops only the line end; a trusted comment keeps
     * its spaces. */
    /* cppcheck-suppress knownConditionTrueFalse ; l is 0 for an empty line */
    if (l > 0 && s[l - 1] == '\r')
        l--;
    *line = s;
    *n = l;
    return true;
}

/* Decodes exactly want bytes of standard base64 from s[0..n).  Returns the
 * decoded length (which may be short: truncated), or -1 when s is not
 * base64 or too long. */
static long b64(const char *s, size_t n, uint8_t *out, size_t want)
{
    uint8_t buf[128];
    size_t got = 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 4 * sizeof(buf) / 3)
        return -1;
    if (sodium_base642bin(buf, sizeof(buf), s, n, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (got > want)
        return -1;
    memcpy(out, buf, got);
    return (long)got;
}

int minisig_key_parse(const char *text, size_t len, struct minisig_key *k, char *err,
                      size_t errlen)
{
    size_t pos = 0, n;
    const char *line;
    /* A .pub file: skip its untrusted comment (and blank lines). */
    while (next_line(text, len, &pos, &line, &n)) {
        while (n > 0 && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n == 0 || (n >= strlen(UNTRUSTED) && memcmp(line, UNTRUSTED, strlen(UNTRUSTED)) == 0))
            continue;
        uint8_t raw[KEYLINE_BYTES];
        long got = b64(line, n, raw, sizeof(raw));
        if (got != KEYLINE_BYTES || raw[0] != 'E' || raw[1] != 'd') {
            snprintf(err, errlen,
                     "\"%.*s\" is not a minisign public key (it starts \"RW\" and has 56 "
                     "characters)",
                     (int)(n > 60 ? 60 : n), line);
            return -1;
        }
        memcpy(k->id, raw + 2, 8);
        memcpy(k->pk, raw + 10, PK_BYTES);
        return 0;
    }
    snprintf(err, errlen, "no public key found (expected a minisign key such as RWQ…)");
    return -1;
}

int minisig_keyring_add(struct minisig_keyring *r, const char *text, size_t len,
                        char *err, size_t errlen)
{
    struct minisig_keyring t = *r;
    /* A .pub file's text: its comment line says so. */
    size_t pos = 0, n;
    const char *line;
    if (next_line(text, len, &pos, &line, &n) && n >= strlen(UNTRUSTED) &&
        memcmp(line, UNTRUSTED, strlen(UNTRUSTED)) == 0) {
        struct minisig_key k;
        if (minisig_key_parse(text, len, &k, err, errlen) < 0)
            return -1;
        for (size_t i = 0; i < t.n; i++)
            if (memcmp(&t.keys[i], &k, sizeof(k)) == 0)
                return 0;
        if (t.n == MINISIG_MAX_KEYS) {
            snprintf(err, errlen, "more than %d public keys", MINISIG_MAX_KEYS);
            return -1;
        }
        r->keys[r->n++] = k;
        return 0;
    }
    size_t i = 0;
    bool any = false;
    while (i < len) {
        while (i < len && strchr(" \t\r\n,", text[i]))
            i++;
        size_t start = i;
        while (i < len && !strchr(" \t\r\n,", text[i]))
            i++;
        if (i == start)
            break;
        struct minisig_key k;
        if (minisig_key_parse(text + start, i - start, &k, err, errlen) < 0)
            return -1;
        any = true;
        bool dup = false;
        for (size_t j = 0; j < t.n && !dup; j++)
            dup = memcmp(&t.keys[j], &k, sizeof(k)) == 0;
        if (dup)
            continue;
        if (t.n == MINISIG_MAX_KEYS) {
            snprintf(err, errlen, "more than %d public keys", MINISIG_MAX_KEYS);
            return -1;
        }
        t.keys[t.n++] = k;
    }
    if (!any) {
        snprintf(err, errlen, "no public key found (expected a minisign key such as RWQ…)");
        return -1;
    }
    *r = t;
    return 0;
}

long long minisig_comment_timestamp(const char *comment)
{
    /* minisign writes "timestamp:N\tfile:NAME[\thashed]"; the field may
     * be anywhere among tab-separated ones. */
    const char *p = comment;
    while (p && *p) {
        if (strncmp(p, "timestamp:", 10) == 0) {
            const char *q = p + 10;
            long long v = 0;
            int digits = 0;
            while (*q >= '0' && *q <= '9' && digits < 18) {
                v = v * 10 + (*q - '0');
                q++;
                digits++;
            }
            if (digits > 0 && (*q == '\0' || *q == '\t'))
                return v;
            return -1;
        }
        p = strchr(p, '\t');
        if (p)
            p++;
    }
    return -1;
}

static const struct minisig_key *find_key(const struct minisig_keyring *r,
                                          const uint8_t id[8])
{
    for (size_t i = 0; r && i < r->n; i++)
        if (memcmp(r->keys[i].id, id, 8) == 0)
            return &r->keys[i];
    return NULL;
}

int minisig_verify(const struct minisig_keyring *r, const char *sig, size_t siglen,
                   const void *msg, size_t len, struct minisig_info *info, char *err,
                   size_t errlen)
{
    if (!sodium_ready()) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    if (!r || r->n == 0) {
        snprintf(err, errlen, "no public key to verify with");
        return -1;
    }
    if (siglen == 0) {
        snprintf(err, errlen, "the signature file is empty");
        return -1;
    }
    if (siglen > MINISIG_MAX_FILE || memchr(sig, '\0', siglen)) {
        snprintf(err, errlen, "not a minisign signature (binary, or larger than %d bytes)",
                 MINISIG_MAX_FILE);
        return -1;
    }
    const char *line[4];
    size_t n[4], pos = 0;
    int lines = 0;
    while (lines < 4 && next_line(sig, siglen, &pos, &line[lines], &n[lines]))
        lines++;
    if (n[0] < strlen(UNTRUSTED) || memcmp(line[0], UNTRUSTED, strlen(UNTRUSTED)) != 0) {
        snprintf(err, errlen,
                 "not a minisign signature (its first line must be \"untrusted "
                 "comment: …\")");
        return -1;
    }
    if (lines < 2 || n[1] == 0) {
        snprintf(err, errlen, "the signature is truncated (%d of its 4 lines)", lines);
        return -1;
    }
    uint8_t raw[SIGLINE_BYTES];
    long got = b64(line[1], n[1], raw, sizeof(raw));
    if (got < 0) {
        snprintf(err, errlen, "the signature line is damaged (not base64 of a minisign "
                              "signature)");
        return -1;
    }
    if (got < SIGLINE_BYTES) {
        snprintf(err, errlen, "the signature is truncated (%ld of %d bytes)", got,
                 SIGLINE_BYTES);
        return -1;
    }
    bool prehashed;
    if (raw[0] == 'E' && raw[1] == 'D') {
        prehashed = true;
    } else if (raw[0] == 'E' && raw[1] == 'd') {
        prehashed = false;
    } else {
        snprintf(err, errlen, "unknown signature algorithm (not minisign's ED or Ed)");
        return -1;
    }
    char id[17];
    minisig_key_id(raw + 2, id);
    const struct minisig_key *k = find_key(r, raw + 2);
    if (!k) {
        char trusted[MINISIG_MAX_KEYS * 18 + 1] = "";
        for (size_t i = 0; i < r->n; i++) {
            char t[17];
            minisig_key_id(r->keys[i].id, t);
            snprintf(trusted + strlen(trusted), sizeof(trusted) - strlen(trusted),
                     "%s%s", i ? ", " : "", t);
        }
        snprintf(err, errlen, "signed with key %s, which is not a trusted key (%s)", id,
                 trusted);
        return -1;
    }
    const uint8_t *s = raw + 10;
    int bad;
    if (prehashed) {
        uint8_t h[PREHASH_BYTES];
        crypto_generichash(h, sizeof(h), msg, len, NULL, 0);
        bad = crypto_sign_verify_detached(s, h, sizeof(h), k->pk);
    } else {
        bad = crypto_sign_verify_detached(s, msg, len, k->pk);
    }
    if (bad) {
        snprintf(err, errlen,
                 "the signature does not match the feed (changed after signing, or "
                 "the signature of another file)");
        return -1;
    }
    if (lines < 4 || n[3] == 0) {
        snprintf(err, errlen,
                 "the signature is truncated (%d of its 4 lines: the trusted comment "
                 "or its signature is missing)",
                 lines);
        return -1;
    }
    if (n[2] < strlen(TRUSTED) || memcmp(line[2], TRUSTED, strlen(TRUSTED)) != 0) {
        snprintf(err, errlen, "the third line must be \"trusted comment: …\"");
        return -1;
    }
    size_t clen = n[2] - (sizeof(TRUSTED) - 1);
    if (clen > MINISIG_MAX_COMMENT) {
        snprintf(err, errlen, "the trusted comment is longer than %d bytes",
                 MINISIG_MAX_COMMENT);
        return -1;
    }
    uint8_t gsig[SIG_BYTES];
    got = b64(line[3], n[3], gsig, sizeof(gsig));
    if (got != SIG_BYTES) {
        snprintf(err, errlen, "the trusted comment's signature is %s",
                 got < 0 ? "damaged" : "truncated");
        return -1;
    }
    uint8_t signed_part[SIG_BYTES + MINISIG_MAX_COMMENT];
    memcpy(signed_part, s, SIG_BYTES);
    const uint8_t *comment = (const uint8_t *)line[2] + (sizeof(TRUSTED) - 1);
    memcpy(signed_part + SIG_BYTES, comment, clen);
    if (crypto_sign_verify_detached(gsig, signed_part, SIG_BYTES + clen, k->pk)) {
        snprintf(err, errlen,
                 "the trusted comment does not verify (edited after signing)");
        return -1;
    }
    if (info) {
        memcpy(info->key_id, id, sizeof(info->key_id));
        info->prehashed = prehashed;
        memcpy(info->comment, line[2] + strlen(TRUSTED), clen);
        info->comment[clen] = '\0';
        info->timestamp = minisig_comment_timestamp(info->comment);
    }
    return 0;
}

/* ---- signing ------------------------------------------------------------ */

/* A secret key file's base64 line: "Ed", the KDF ("\0\0" or "Sc"), "B2",
 * the KDF's salt and limits, then key id, secret key and checksum (all
 * three encrypted with the KDF's output when the KDF is "Sc"). */
#define SK_BYTES 64   /* crypto_sign_SECRETKEYBYTES */
#define SEED_BYTES 32 /* crypto_sign_SEEDBYTES */
#define CHK_BYTES 32  /* crypto_generichash_BYTES: BLAKE2b-256 */
#define SKF_KDF 2
#define SKF_CHKALG 4
#define SKF_ID (6 + 32 + 8 + 8)
#define SKF_SK (SKF_ID + 8)
#define SKF_CHK (SKF_SK + SK_BYTES)
#define SKLINE_BYTES (SKF_CHK + CHK_BYTES)

_Static_assert(SK_BYTES == crypto_sign_SECRETKEYBYTES, "Ed25519 secret key size");
_Static_assert(SEED_BYTES == crypto_sign_SEEDBYTES, "Ed25519 seed size");
_Static_assert(CHK_BYTES == crypto_generichash_BYTES, "BLAKE2b-256 size");
_Static_assert(SKLINE_BYTES == 158, "minisign secret key size");

#define SIGNED_BY "signature from edukiosk-editor secret key"

void minisig_secret_wipe(struct minisig_secret *s)
{
    sodium_memzero(s, sizeof(*s));
}

void minisig_secret_public(const struct minisig_secret *s, struct minisig_key *k)
{
    /* An Ed25519 secret key is the seed followed by the public key. */
    memcpy(k->id, s->id, sizeof(k->id));
    memcpy(k->pk, s->sk + SEED_BYTES, PK_BYTES);
}

static int secret_fail(struct minisig_secret *s, uint8_t *raw, size_t rawlen, char *err,
                       size_t errlen, const char *msg)
{
    sodium_memzero(raw, rawlen);
    minisig_secret_wipe(s);
    snprintf(err, errlen, "%s", msg);
    return -1;
}

int minisig_secret_parse(const char *text, size_t len, struct minisig_secret *s, char *err,
                         size_t errlen)
{
    if (!sodium_ready()) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    uint8_t raw[256];
    size_t got = 0, pos = 0, n = 0;
    const char *line = NULL;
    bool found = false;
    while (!found && next_line(text, len, &pos, &line, &n)) {
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        found = n > 0 && !(n >= strlen(UNTRUSTED) &&
                           memcmp(line, UNTRUSTED, strlen(UNTRUSTED)) == 0);
    }
    if (!found)
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "no minisign secret key found (the file is empty or has only "
                           "its comment line)");
    if (n > 4 * sizeof(raw) / 3 ||
        sodium_base642bin(raw, sizeof(raw), line, n, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "not a minisign secret key (its second line is not base64 of "
                           "one)");
    if (got == KEYLINE_BYTES && raw[0] == 'E' && raw[1] == 'd')
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "this is a minisign public key; signing needs the secret key "
                           "file (the .key that `minisign -G -W` writes beside the .pub)");
    if (got != SKLINE_BYTES || raw[0] != 'E' || raw[1] != 'd')
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "not a minisign secret key (wrong length or algorithm; "
                           "expected the .key file of `minisign -G -W`)");
    if (raw[SKF_CHKALG] != 'B' || raw[SKF_CHKALG + 1] != '2')
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "the minisign secret key has an unknown checksum algorithm "
                           "(not B2)");
    if (raw[SKF_KDF] == 'S' && raw[SKF_KDF + 1] == 'c')
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "the minisign secret key is encrypted with a password, which "
                           "a server that signs unattended cannot type: create a key "
                           "without one with `minisign -G -W` and keep the file "
                           "readable only by the editor's user");
    if (raw[SKF_KDF] != 0 || raw[SKF_KDF + 1] != 0)
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "the minisign secret key uses an unknown key derivation "
                           "(neither none nor Sc)");
    /* The checksum: BLAKE2b-256 of "Ed" + key id + secret key.  minisign
     * writes it only for encrypted keys (to tell a wrong password); a -W
     * key has zeros there.  Either way the secret key's public half must
     * be the one its seed gives. */
    uint8_t chk[CHK_BYTES], zero[CHK_BYTES] = {0};
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof(chk));
    crypto_generichash_update(&h, raw, 2);
    crypto_generichash_update(&h, raw + SKF_ID, 8 + SK_BYTES);
    crypto_generichash_final(&h, chk, sizeof(chk));
    bool chk_ok = sodium_memcmp(chk, raw + SKF_CHK, CHK_BYTES) == 0 ||
                  sodium_memcmp(zero, raw + SKF_CHK, CHK_BYTES) == 0;
    sodium_memzero(&h, sizeof(h));
    sodium_memzero(chk, sizeof(chk));
    uint8_t pk[PK_BYTES], sk[SK_BYTES];
    crypto_sign_seed_keypair(pk, sk, raw + SKF_SK);
    bool pk_ok = sodium_memcmp(pk, raw + SKF_SK + SEED_BYTES, PK_BYTES) == 0;
    sodium_memzero(sk, sizeof(sk));
    if (!chk_ok || !pk_ok)
        return secret_fail(s, raw, sizeof(raw), err, errlen,
                           "the minisign secret key is damaged (its checksum or its "
                           "public half does not match)");
    memcpy(s->id, raw + SKF_ID, sizeof(s->id));
    memcpy(s->sk, raw + SKF_SK, sizeof(s->sk));
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

/* Appends "base64(data)\n" at out[*at..], which has room. */
static void put_b64(char *out, size_t cap, size_t *at, const uint8_t *data, size_t n)
{
    sodium_bin2base64(out + *at, cap - *at, data, n, sodium_base64_VARIANT_ORIGINAL);
    *at += strlen(out + *at);
    out[(*at)++] = '\n';
    out[*at] = '\0';
}

int minisig_sign(const struct minisig_secret *s, const void *msg, size_t len,
                 const char *trusted_comment, char **out, size_t *outlen)
{
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (!s || !trusted_comment || (!msg && len > 0) || !sodium_ready())
        return -1;
    size_t clen = strlen(trusted_comment);
    if (clen > MINISIG_MAX_COMMENT || strpbrk(trusted_comment, "\r\n"))
        return -1;

    uint8_t line[SIGLINE_BYTES], h[PREHASH_BYTES];
    line[0] = 'E';
    line[1] = 'D';
    memcpy(line + 2, s->id, 8);
    crypto_generichash(h, sizeof(h), msg, len, NULL, 0);
    uint8_t *sig = line + 10;
    crypto_sign_detached(sig, NULL, h, sizeof(h), s->sk);

    uint8_t signed_part[SIG_BYTES + MINISIG_MAX_COMMENT], global[SIG_BYTES];
    memcpy(signed_part, sig, SIG_BYTES);
    memcpy(signed_part + SIG_BYTES, trusted_comment, clen);
    crypto_sign_detached(global, NULL, signed_part, SIG_BYTES + clen, s->sk);

    /* A fault in memory must not publish a signature that fails on every
     * kiosk: check both with the key's public half first. */
    struct minisig_key k;
    minisig_secret_public(s, &k);
    if (crypto_sign_verify_detached(sig, h, sizeof(h), k.pk) != 0 ||
        crypto_sign_verify_detached(global, signed_part, SIG_BYTES + clen, k.pk) != 0)
        return -1;

    size_t cap = sizeof(UNTRUSTED " " SIGNED_BY "\n") +
                 sodium_base64_ENCODED_LEN(SIGLINE_BYTES, sodium_base64_VARIANT_ORIGINAL) +
                 sizeof(TRUSTED) + clen + 1 +
                 sodium_base64_ENCODED_LEN(SIG_BYTES, sodium_base64_VARIANT_ORIGINAL) + 1;
    char *text = malloc(cap);
    if (!text)
        return -1;
    size_t at = (size_t)snprintf(text, cap, "%s %s\n", UNTRUSTED, SIGNED_BY);
    put_b64(text, cap, &at, line, sizeof(line));
    at += (size_t)snprintf(text + at, cap - at, "%s%s\n", TRUSTED, trusted_comment);
    put_b64(text, cap, &at, global, sizeof(global));
    *out = text;
    if (outlen)
        *outlen = at;
    return 0;
}
