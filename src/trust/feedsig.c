#include "feedsig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void feedsig_time(long long t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, outlen, "%lld", t);
}

int feedsig_check(const struct minisig_keyring *keys, const char *feed, size_t len,
                  const char *sig, size_t siglen, long long floor, struct feedsig *out,
                  char *err, size_t errlen)
{
    char why[512];
    struct minisig_info info;
    if (!sig) {
        snprintf(err, errlen, "signature: the feed is not signed (no .minisig file)");
        return -1;
    }
    if (minisig_verify(keys, sig, siglen, feed, len, &info, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "signature: %s", why);
        return -1;
    }
    if (info.timestamp < 0) {
        snprintf(err, errlen,
                 "signature: the trusted comment has no \"timestamp:\" (sign with "
                 "minisign's default trusted comment)");
        return -1;
    }
    if (info.timestamp < floor) {
        char was[40], now[40];
        feedsig_time(info.timestamp, was, sizeof(was));
        feedsig_time(floor, now, sizeof(now));
        snprintf(err, errlen,
                 "signature: signed %s, before the feed in use (signed %s): an older "
                 "feed is not shown again",
                 was, now);
        return -1;
    }
    if (out) {
        out->timestamp = info.timestamp;
        memcpy(out->key_id, info.key_id, sizeof(out->key_id));
        out->prehashed = info.prehashed;
    }
    return 0;
}

int feedsig_url(const char *feed, char *out, size_t outlen)
{
    size_t path = strcspn(feed, "?#");
    int n = snprintf(out, outlen, "%.*s.minisig%s", (int)path, feed, feed + path);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
