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
