/* show: timing, transitions, readiness, deck swaps, keys — driven by an
 * injected clock, no window. */
#include "testutil.h"

#include <string.h>

#include "deck.h"
#include "feed.h"
#include "schedule.h"
#include "show.h"

#define N 4

struct world {
    bool eligible[N];
    bool ready;
    int ready_calls;
};

static bool w_eligible(void *ud, const struct deck *d, int i)
{
    struct world *w = ud;
    (void)d;
    return i < N ? w->eligible[i] : true;
}

static bool w_ready(void *ud, const struct deck *d, int i)
{
    struct world *w = ud;
    (void)d;
    (void)i;
    w->ready_calls++;
    return w->ready;
}

static char *ids_a[N] = {"a", "b", "c", "d"};

/* A deck built by hand: n slides with the given ids, durations 10 s. */
static struct deck *make_deck(int n, char **ids, enum transition tr)
{
    struct deck *d = calloc(1, sizeof(*d));
    d->refs = 1;
    d->slides = calloc((size_t)n, sizeof(struct slide));
    d->n_slides = (size_t)n;
    for (int i = 0; i < n; i++) {
        d->slides[i].type = SLIDE_TITLE;
        d->slides[i].id = ids ? ids[i] : NULL;
        d->slides[i].duration_s = 10;
        d->slides[i].transition = tr;
    }
    snprintf(d->hash, sizeof(d->hash), "%p", (void *)d);
    return d;
}

/* deck_unref frees with deck_free, which frees strings: give it owned
 * copies. */
static struct deck *make_owned(int n, char **ids, enum transition tr)
{
    struct deck *d = make_deck(n, NULL, tr);
    for (int i = 0; i < n; i++)
        d->slides[i].id = ids ? strdup(ids[i]) : NULL;
    return d;
}

static struct world all(void)
{
    struct world w = {.ready = true};
    for (int i = 0; i < N; i++)
        w.eligible[i] = true;
    return w;
}

static int on_screen(struct show *s, uint64_t t)
{
    struct show_view v;
    show_view(s, t, &v);
    return v.index;
}

static void test_cycles_with_fade(void **state)
{
    (void)state;
    struct world w = all();
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_FADE), &h, 0, 800);
    assert_int_equal(on_screen(s, 0), 0);
    assert_false(show_tick(s, 5000));
    assert_int_equal(show_wait_ms(s, 5000), 5000);
    assert_true(show_tick(s, 10000)); /* transition starts */
    struct show_view v;
    show_view(s, 10400, &v);
    assert_true(v.transition);
    assert_int_equal(v.to_index, 1);
    assert_true(v.progress > 0.3f && v.progress < 0.7f);
    assert_int_equal(show_wait_ms(s, 10400), 0); /* animating */
    show_tick(s, 10800);
    show_view(s, 10800, &v);
    assert_false(v.transition);
    assert_int_equal(v.index, 1);
    /* the next slide's time starts when it is fully visible */
    assert_false(show_tick(s, 20000));
    assert_true(show_tick(s, 20800));
    show_tick(s, 21600);
    assert_int_equal(on_screen(s, 21600), 2);
    assert_int_equal(show_slides_shown(s), 3);
    show_free(s);
}

static void test_cut_and_wraparound(void **state)
{
    (void)state;
    struct world w = all();
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(2, ids_a, TRANSITION_CUT), &h, 0, 800);
    show_tick(s, 10000);
    assert_int_equal(on_screen(s, 10000), 1); /* cut: at once */
    show_tick(s, 20000);
    assert_int_equal(on_screen(s, 20000), 0); /* wraps */
    show_free(s);
}

static void test_waits_for_raster(void **state)
{
    (void)state;
    struct world w = all();
    w.ready = false;
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_CUT), &h, 0, 800);
    assert_false(show_tick(s, 10000));
    assert_int_equal(on_screen(s, 10000), 0); /* holds the old slide */
    assert_true(w.ready_calls > 0);
    assert_true(show_wait_ms(s, 10000) > 0 && show_wait_ms(s, 10000) <= 100);
    w.ready = true;
    assert_true(show_tick(s, 10050));
    assert_int_equal(on_screen(s, 10050), 1);
    show_free(s);
}

static void test_skips_ineligible_and_fallback(void **state)
{
    (void)state;
    struct world w = all();
    w.eligible[1] = false;
    w.eligible[2] = false;
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_CUT), &h, 0, 800);
    show_tick(s, 10000);
    assert_int_equal(on_screen(s, 10000), 3);
    /* nothing eligible any more: the fallback screen, never black */
    for (int i = 0; i < N; i++)
        w.eligible[i] = false;
    show_tick(s, 20000); /* the fallback fades in */
    show_tick(s, 20800);
    assert_int_equal(on_screen(s, 20800), -1);
    /* and back when something is eligible again */
    w.eligible[2] = true;
    show_tick(s, 30000);
    assert_int_equal(on_screen(s, 30000), 2);
    show_free(s);
}

static void test_only_one_eligible_no_transition(void **state)
{
    (void)state;
    struct world w = all();
    w.eligible[1] = w.eligible[2] = w.eligible[3] = false;
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_FADE), &h, 0, 800);
    assert_false(show_tick(s, 10000));
    struct show_view v;
    show_view(s, 10000, &v);
    assert_false(v.transition);
    assert_int_equal(v.index, 0);
    show_free(s);
}

static void test_new_deck_continues_after_same_id(void **state)
{
    (void)state;
    struct world w = all();
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_CUT), &h, 0, 800);
    show_tick(s, 10000); /* on "b" */
    assert_int_equal(on_screen(s, 10000), 1);
    char *ids_b[N] = {"x", "b", "y", "z"};
    struct deck *nd = make_owned(N, ids_b, TRANSITION_CUT);
    show_set_deck(s, nd);
    /* not adopted mid-slide */
    show_tick(s, 15000);
    assert_ptr_not_equal(show_deck(s), nd);
    struct deck *up;
    assert_int_equal(show_upcoming(s, &up), 2);
    assert_ptr_equal(up, nd);
    show_tick(s, 20000);
    assert_ptr_equal(show_deck(s), nd);
    assert_int_equal(on_screen(s, 20000), 2); /* after "b" in the new deck */
    assert_int_equal(show_deck_swaps(s), 1);
    show_free(s);
}

static void test_new_deck_without_id_starts_at_top(void **state)
{
    (void)state;
    struct world w = all();
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_CUT), &h, 0, 800);
    show_tick(s, 10000);
    show_tick(s, 20000); /* on "c" */
    char *ids_b[N] = {"p", "q", "r", "s"};
    struct deck *nd = make_owned(N, ids_b, TRANSITION_CUT);
    show_set_deck(s, nd);
    /* a second deck replaces the first queued one */
    struct deck *nd2 = make_owned(N, ids_b, TRANSITION_CUT);
    show_set_deck(s, nd2);
    show_tick(s, 30000);
    assert_ptr_equal(show_deck(s), nd2);
    assert_int_equal(on_screen(s, 30000), 0);
    show_free(s);
}

static void test_keys_and_pause(void **state)
{
    (void)state;
    struct world w = all();
    struct show_hooks h = {w_eligible, w_ready, &w};
    struct show *s = show_new(make_owned(N, ids_a, TRANSITION_CUT), &h, 0, 800);
    show_step(s, 1, 1000);
    show_tick(s, 1000);
    assert_int_equal(on_screen(s, 1000), 1);
    show_step(s, -1, 2000);
    show_tick(s, 2000);
    assert_int_equal(on_screen(s, 2000), 0);
    show_step(s, -1, 3000);
    show_tick(s, 3000);
    assert_int_equal(on_screen(s, 3000), 3); /* wraps backwards */
    show_toggle_pause(s, 4000);
    assert_true(show_paused(s));
    show_tick(s, 60000);
    assert_int_equal(on_screen(s, 60000), 3); /* paused: stays */
    show_toggle_pause(s, 60000);
    /* 1 s had run before the pause: 9 s remain */
    assert_false(show_tick(s, 68000));
    show_tick(s, 69000);
    assert_int_equal(on_screen(s, 69000), 0);
    show_free(s);
}

static bool sched_eligible(void *ud, const struct deck *d, int i)
{
    return schedule_slide(&d->slides[i], ud) == SCHED_ACTIVE;
}

static bool always(void *ud, const struct deck *d, int i)
{
    (void)ud;
    (void)d;
    (void)i;
    return true;
}

/* The progress dots stand for the slides the lobby will see: one whose
 * time window is over or that is meant for another site gets none. */
static void test_progress_counts_shown_slides(void **state)
{
    (void)state;
    static const char feed[] =
        "{\"format\": \"edukiosk/1\", \"defaults\": {\"transition\": \"cut\"},"
        " \"slides\": ["
        "{\"type\": \"title\", \"title\": \"一\"},"
        "{\"type\": \"title\", \"title\": \"过期\", \"when\": {\"until\": \"2020-01-01\"}},"
        "{\"type\": \"title\", \"title\": \"二\"},"
        "{\"type\": \"title\", \"title\": \"北校\", \"sites\": [\"north\"]},"
        "{\"type\": \"title\", \"title\": \"三\"}]}";
    struct deck *d = feed_parse(feed, sizeof(feed) - 1, "feed.json", NULL, NULL);
    assert_non_null(d);
    assert_int_equal(d->n_slides, 5);
    static const char *const sites[] = {"south"};
    struct schedule_ctx ctx = {.now = 1772416800, /* 2026-03-02 10:00 +08 */
                               .clock_ok = true, .sites = sites, .n_sites = 1};
    struct show_hooks h = {sched_eligible, always, &ctx};
    struct show *s = show_new(d, &h, 0, 800);
    struct show_view v;
    show_view(s, 0, &v);
    assert_int_equal(v.index, 0);
    assert_int_equal(v.pos, 0);
    assert_int_equal(v.count, 3);
    show_tick(s, 12000);
    show_view(s, 12000, &v);
    assert_int_equal(v.index, 2);
    assert_int_equal(v.pos, 1);
    assert_int_equal(v.count, 3);
    show_tick(s, 24000);
    show_view(s, 24000, &v);
    assert_int_equal(v.index, 4);
    assert_int_equal(v.pos, 2);
    assert_int_equal(v.count, 3);
    show_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycles_with_fade),
        cmocka_unit_test(test_cut_and_wraparound),
        cmocka_unit_test(test_waits_for_raster),
        cmocka_unit_test(test_skips_ineligible_and_fallback),
        cmocka_unit_test(test_only_one_eligible_no_transition),
        cmocka_unit_test(test_new_deck_continues_after_same_id),
        cmocka_unit_test(test_new_deck_without_id_starts_at_top),
        cmocka_unit_test(test_keys_and_pause),
        cmocka_unit_test(test_progress_counts_shown_slides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
