#include "feedtime.h"

#include <string.h>

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static struct tm make_tm(int y, int mo, int d, int h, int mi, int sec)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return tm;
}

static bool local_time(int y, int mo, int d, int h, int mi, int sec, time_t *out)
{
    struct tm tm = make_tm(y, mo, d, h, mi, sec);
    tm.tm_isdst = -1;
    *out = mktime(&tm);
    return *out != (time_t)-1 || (y == 1969 && mo == 12 && d == 31);
}

bool feedtime_parse(const char *s, struct feed_time *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    size_t n = strlen(s);
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return false;
    memset(out, 0, sizeof(*out));
    if (n == 10) {
        out->set = out->date_only = true;
        return local_time(y, mo, d, 0, 0, 0, &out->t);
    }
    const char *p = s + 10;
    if (*p != ' ' && *p != 'T' && *p != 't')
        return false;
    p++;
    if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi) || h > 23 || mi > 59)
        return false;
    p += 5;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec) || sec > 60)
            return false;
        if (sec == 60) /* a leap second: near enough */
            sec = 59;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    out->set = true;
    if (*p == '\0')
        return local_time(y, mo, d, h, mi, sec, &out->t);
    int off;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        off = 0;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || p[6] != '\0' ||
            oh > 23 || om > 59)
            return false;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    } else {
        return false;
    }
    struct tm tm = make_tm(y, mo, d, h, mi, sec);
    out->t = timegm(&tm) - off;
    return true;
}

void feedtime_parse_milestone(const char *s, struct feed_time *out)
{
    int y, mo = 1;
    size_t n = strlen(s);
    memset(out, 0, sizeof(*out));
    if (feedtime_parse(s, out))
        return;
    memset(out, 0, sizeof(*out));
    if ((n == 4 || (n == 7 && s[4] == '-' && digits(s + 5, 2, &mo))) && digits(s, 4, &y) &&
        y >= 1970 && mo >= 1 && mo <= 12) {
        out->set = out->date_only = true;
        if (!local_time(y, mo, 1, 0, 0, 0, &out->t))
            memset(out, 0, sizeof(*out));
    }
}

static bool parse_hhmm(const char *s, bool end, int *out)
{
    int h, m;
    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m) || m > 59)
        return false;
    if (h > 23 && !(end && h == 24 && m == 0))
        return false;
    *out = h * 60 + m;
    return true;
}

bool feedtime_parse_hours(const char *s, int *from, int *until)
{
    if (strlen(s) != 11 || s[5] != '-')
        return false;
    return parse_hhmm(s, false, from) && parse_hhmm(s + 6, true, until);
}

time_t feedtime_end(const struct feed_time *u)
{
    if (!u->date_only)
        return u->t;
    struct tm tm;
    if (!localtime_r(&u->t, &tm))
        return u->t + 86400;
    tm.tm_mday += 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t end = mktime(&tm);
    return end == (time_t)-1 ? u->t + 86400 : end;
}
