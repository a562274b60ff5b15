/* keyring: the public keys a kiosk trusts, from the configuration's
 * feed_public_key (or --feed-key): minisign keys written out ("RWQ…") and
 * paths of minisign .pub files, separated by spaces or commas.  Two keys
 * during a rotation, one otherwise. */
#ifndef EDUKIOSK_KEYRING_H
#define EDUKIOSK_KEYRING_H

#include <stddef.h>

#include "minisig.h"

/* Fills r from spec.  0, or -1 with err naming the bad entry.  An empty
 * spec (or NULL) gives an empty keyring: feeds are not verified. */
int keyring_load(struct minisig_keyring *r, const char *spec, char *err, size_t errlen);

/* "66AA3F7C0E776AD5, 94B79DAF17E63DC4": the key ids of r. */
void keyring_ids(const struct minisig_keyring *r, char *out, size_t outlen);

#endif
