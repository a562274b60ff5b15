/* SHA-256 from libsodium, which the kiosk links anyway for signed feeds
 * (libcrypto alone is a 4.6 MB library to load at every start for the few
 * bytes the kiosk hashes). */
#include "hash.h"

#include <sodium.h>

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[crypto_hash_sha256_BYTES];
    /* Cannot fail; needs no sodium_init (no random numbers, no CPU
     * dispatch in SHA-256). */
    crypto_hash_sha256(md, data, len);
    sodium_bin2hex(out, 65, md, sizeof(md));
}
