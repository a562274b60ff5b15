/* feed_check (declared in feed.h): the report of --check, for the person
 * editing the feed: every diagnostic, then whether a kiosk would take the
 * feed and what it would show now. */
#include "feed.h"

#include "feedval.h"
#include "schedule.h"

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int feed_check(const char *bytes, size_t len, const char *source,
               const struct feed_limits *limits, const struct schedule_ctx *sched,
               FILE *out)
{
    struct feed_report rep;
    const char *name = source ? source : "feed";
    struct deck *d = feed_parse(bytes, len, source, limits, &rep);
    feed_report_print(&rep, name, out);
    if (!d) {
        fprintf(out,
                "%s: invalid: %d error%s, %d warning%s; a kiosk keeps showing its "
                "last good deck\n",
                name, rep.errors, plural(rep.errors), rep.warnings, plural(rep.warnings));
        feed_report_free(&rep);
        return 1;
    }
    fprintf(out, "%s: valid, %zu slide%s", name, d->n_slides, plural(d->n_slides));
    if (sched) {
        size_t shown = 0;
        for (size_t i = 0; i < d->n_slides; i++)
            shown += schedule_slide(&d->slides[i], sched) == SCHED_ACTIVE;
        fprintf(out, ", %zu would show now", shown);
    }
    if (rep.warnings)
        fprintf(out, ", %d warning%s", rep.warnings, plural(rep.warnings));
    fputc('\n', out);
    for (size_t i = 0; sched && i < d->n_slides; i++) {
        const struct slide *s = &d->slides[i];
        enum schedule_why why = schedule_slide(s, sched);
        if (why == SCHED_ACTIVE)
            continue;
        char q[64];
        fprintf(out, "%s: slides[%zu]%s%s%s: not now: %s\n", name, s->feed_index,
                s->id ? " (id " : "", s->id ? feedval_quote(s->id, q) : "",
                s->id ? ")" : "", schedule_why_text(why));
    }
    if (d->alert.level != ALERT_NONE) {
        fprintf(out, "%s: alert (%s)", name, alert_level_name(d->alert.level));
        if (sched)
            fprintf(out, ": %s",
                    schedule_alert_active(&d->alert, sched) ? "shows now" : "not now");
        fputc('\n', out);
    }
    deck_unref(d);
    feed_report_free(&rep);
    return 0;
}
