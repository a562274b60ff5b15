#include "keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"

#define SEPARATORS " \t\r\n,"

/* A written-out key: base64 that decodes to one, else not. */
static bool is_key_text(const char *s, size_t n)
{
    struct minisig_key k;
    char err[8];
    return minisig_key_parse(s, n, &k, err, sizeof(err)) == 0;
}

int keyring_load(struct minisig_keyring *r, const char *spec, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    if (!spec)
        return 0;
    struct minisig_keyring t = {0};
    const char *p = spec;
    for (;;) {
        p += strspn(p, SEPARATORS);
        size_t n = strcspn(p, SEPARATORS);
        if (n == 0)
            break;
        char e[256];
        if (is_key_text(p, n)) {
            if (minisig_keyring_add(&t, p, n, e, sizeof(e)) < 0) {
                snprintf(err, errlen, "%s", e);
                return -1;
            }
        } else {
            char path[4096];
            if (n >= sizeof(path)) {
                snprintf(err, errlen, "a key file name is too long");
                return -1;
            }
            memcpy(path, p, n);
            path[n] = '\0';
            char *text = NULL;
            size_t len = 0;
            int rc = file_read(path, MINISIG_MAX_FILE, &text, &len);
            if (rc < 0) {
                if (!strchr(path, '/') && !strstr(path, ".pub"))
                    snprintf(err, errlen,
                             "\"%.60s\" is neither a minisign public key (RWQ…) nor a key "
                             "file",
                             path);
                else
                    snprintf(err, errlen, "cannot read the key file %s: %s", path,
                             file_strerror(rc));
                return -1;
            }
            rc = minisig_keyring_add(&t, text, len, e, sizeof(e));
            free(text);
            if (rc < 0) {
                snprintf(err, errlen, "%s: %s", path, e);
                return -1;
            }
        }
        p += n;
    }
    *r = t;
    return 0;
}

void keyring_ids(const struct minisig_keyring *r, char *out, size_t outlen)
{
    size_t used = 0;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < r->n && used < outlen; i++) {
        char id[17];
        minisig_key_id(r->keys[i].id, id);
        int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", id);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
