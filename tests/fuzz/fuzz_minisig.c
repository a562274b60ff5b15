/* minisig: what the network and the SD card hand the signature check, on
 * arbitrary bytes.  The first byte picks the part:
 *   even: a signature file and the feed it signs ("SIG\0FEED"; without a
 *         NUL the feed is empty), verified with the two test keys of
 *         tests/data/sign and through feedsig_check() with a rollback
 *         floor taken from the first byte;
 *   odd:  a public key (a .pub file's text or its key line), added to a
 *         keyring.
 * Promises: 0 or -1 and a message on -1; a signature that verifies names
 * one of the keys, its trusted comment's timestamp and no older one than
 * the floor, and stops verifying when one byte of the feed changes. */
#include <stdbool.h>
#include <string.h>

#include "feedsig.h"
#include "fuzz.h"
#include "minisig.h"

static const char key_a[] = "RWTVancOfD+qZrTDEqdAIwo5YGxhaVZKgJkDJZ5d2dZtQkRfgsNyfJoi";
static const char key_b[] = "RWSEjY4euzlCDS4DGBkwdmBES5PnASEoOSfCz0b4fGDRd8+d6eRm4orQ";

static void test_keys(struct minisig_keyring *ring)
{
    char err[256];
    memset(ring, 0, sizeof(*ring));
    FUZZ_ASSERT(minisig_keyring_add(ring, key_a, strlen(key_a), err, sizeof(err)) == 0);
    FUZZ_ASSERT(minisig_keyring_add(ring, key_b, strlen(key_b), err, sizeof(err)) == 0);
    FUZZ_ASSERT(ring->n == 2);
}

static bool is_key_id(const char *id)
{
    if (strlen(id) != 16)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')))
            return false;
    return true;
}

static void signature(unsigned sel, const uint8_t *data, size_t size)
{
    static struct minisig_keyring ring;
    static bool ready;
    if (!ready) {
        test_keys(&ring);
        ready = true;
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t siglen = nul ? (size_t)(nul - data) : size;
    size_t feedlen = nul ? size - siglen - 1 : 0;
    /* Copies of exactly their lengths, so ASan sees any read past them. */
    char *sig = malloc(siglen ? siglen : 1);
    char *feed = malloc(feedlen ? feedlen : 1);
    if (!sig || !feed)
        abort();
    memcpy(sig, data, siglen);
    if (feedlen)
        memcpy(feed, nul + 1, feedlen);

    struct minisig_info info;
    char err[512] = "";
    int rc = minisig_verify(&ring, sig, siglen, feed, feedlen, &info, err, sizeof(err));
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
    if (rc < 0) {
        FUZZ_ASSERT(err[0] != '\0');
    } else {
        FUZZ_ASSERT(is_key_id(info.key_id));
        FUZZ_ASSERT(memchr(info.comment, '\0', sizeof(info.comment)));
        FUZZ_ASSERT(info.timestamp == minisig_comment_timestamp(info.comment));
        if (feedlen) { /* one byte of the feed changed: not the signed feed */
            size_t at = sel % feedlen;
            feed[at] = (char)(feed[at] ^ 0x20);
            struct minisig_info again;
            FUZZ_ASSERT(minisig_verify(&ring, sig, siglen, feed, feedlen, &again, err,
                                       sizeof(err)) == -1);
            feed[at] = (char)(feed[at] ^ 0x20);
        }
    }

    /* The kiosk's check: the same verdict, and the rollback floor. */
    long long floor = 1796000000LL + ((long long)sel - 128) * 1000000LL;
    struct feedsig fs;
    char ferr[512] = "";
    int frc = feedsig_check(&ring, feed, feedlen, sig, siglen, floor, &fs, ferr,
                            sizeof(ferr));
    FUZZ_ASSERT(frc == 0 || frc == -1);
    FUZZ_ASSERT(memchr(ferr, '\0', sizeof(ferr)));
    if (frc == 0) {
        FUZZ_ASSERT(rc == 0);
        FUZZ_ASSERT(fs.timestamp >= floor);
        FUZZ_ASSERT(fs.timestamp == info.timestamp);
        FUZZ_ASSERT(strcmp(fs.key_id, info.key_id) == 0);
    } else {
        FUZZ_ASSERT(ferr[0] != '\0');
    }
    free(sig);
    free(feed);
}

static void public_key(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    struct minisig_keyring ring;
    test_keys(&ring);
    struct minisig_keyring before = ring;
    char err[512] = "";
    int rc = minisig_keyring_add(&ring, text, size, err, sizeof(err));
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
    if (rc < 0) {
        FUZZ_ASSERT(err[0] != '\0');
        FUZZ_ASSERT(memcmp(&ring, &before, sizeof(ring)) == 0); /* all or nothing */
    } else {
        FUZZ_ASSERT(ring.n >= before.n && ring.n <= MINISIG_MAX_KEYS);
        char id[17];
        for (size_t i = 0; i < ring.n; i++) {
            minisig_key_id(ring.keys[i].id, id);
            FUZZ_ASSERT(is_key_id(id));
        }
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned sel = fuzz_byte(&in);
    if (sel % 2 == 0)
        signature(sel, in.p, in.n);
    else
        public_key(in.p, in.n);
    return 0;
}
