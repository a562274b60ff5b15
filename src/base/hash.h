/* hash: SHA-256 as lowercase hex. */
#ifndef EDUKIOSK_HASH_H
#define EDUKIOSK_HASH_H

#include <stddef.h>

/* Writes 64 hex digits and a NUL to out. */
void hash_sha256_hex(const void *data, size_t len, char out[65]);

#endif
