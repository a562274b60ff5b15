#define LOG_MODULE "show"
#include "show.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* While nothing is eligible, look again this often. */
#define FALLBACK_RECHECK_MS 5000
/* While the next slide is not rasterised yet, ask again this often. */
#define NOT_READY_RETRY_MS 50

struct show {
    struct show_hooks hooks;
    struct deck *deck;    /* on screen (owned reference) */
    struct deck *pending; /* adopted at the next boundary (owned), or NULL */
    int index;            /* -1 = fallback */
    uint64_t started_ms;  /* when the current slide became fully visible */
    bool paused;
    uint64_t paused_at;
    bool forced;          /* operator asked for a change now */
    int force_dir;

    bool in_transition;
    uint64_t trans_start_ms;
    enum transition trans_kind;
    struct deck *to_deck; /* owned reference during a transition */
    int to_index;

    /* The progress indicator: place of the slide among those that may be
     * shown, counted when it comes on (and for the incoming one). */
    int pos, count, to_pos, to_count;

    int transition_ms;
    unsigned slides_shown, deck_swaps;
};

static bool eligible(const struct show *s, const struct deck *d, int i)
{
    return s->hooks.eligible ? s->hooks.eligible(s->hooks.ud, d, i) : true;
}

static bool ready(const struct show *s, const struct deck *d, int i)
{
    return s->hooks.ready ? s->hooks.ready(s->hooks.ud, d, i) : true;
}

/* First eligible slide of d after position `after` (cyclic), going in
 * direction dir; -1 if none. */
static int next_eligible(const struct show *s, const struct deck *d, int after, int dir)
{
    int n = (int)d->n_slides;
    if (n == 0)
        return -1;
    for (int k = 1; k <= n; k++) {
        int i = ((after + dir * k) % n + n) % n;
        if (after < 0 && dir > 0)
            i = (k - 1) % n;
        if (eligible(s, d, i))
            return i;
    }
    return -1;
}

/* Where slide `index` of d stands among the slides of d eligible now, and
 * how many those are: hidden slides get no dot. */
static void place(const struct show *s, const struct deck *d, int index, int *pos,
                  int *count)
{
    *pos = 0;
    *count = 0;
    if (index < 0)
        return;
    for (int i = 0; i < (int)d->n_slides; i++) {
        if (i != index && !eligible(s, d, i))
            continue;
        if (i < index)
            (*pos)++;
        (*count)++;
    }
}

static const char *current_id(const struct show *s)
{
    if (s->index < 0 || (size_t)s->index >= s->deck->n_slides)
        return NULL;
    return s->deck->slides[s->index].id;
}

/* Where the next boundary goes: the pending deck (continuing after the
 * slide on screen when it still exists there) or the next slide here. */
static int target(const struct show *s, int dir, struct deck **d)
{
    if (s->pending) {
        *d = s->pending;
        int at = deck_find_slide(s->pending, current_id(s));
        return next_eligible(s, s->pending, at, at < 0 ? 1 : dir);
    }
    *d = s->deck;
    return next_eligible(s, s->deck, s->index, dir);
}

struct show *show_new(struct deck *d, const struct show_hooks *hooks, uint64_t now_ms,
                      int transition_ms)
{
    struct show *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->hooks = *hooks;
    s->deck = d;
    s->transition_ms = transition_ms > 0 ? transition_ms : 1;
    s->index = next_eligible(s, d, -1, 1);
    place(s, d, s->index, &s->pos, &s->count);
    s->started_ms = now_ms;
    s->slides_shown = s->index >= 0 ? 1 : 0;
    return s;
}

void show_free(struct show *s)
{
    if (!s)
        return;
    deck_unref(s->deck);
    deck_unref(s->pending);
    deck_unref(s->to_deck);
    free(s);
}

void show_set_deck(struct show *s, struct deck *d)
{
    deck_unref(s->pending);
    s->pending = d;
}

static uint64_t duration_ms(const struct show *s)
{
    if (s->index < 0)
        return FALLBACK_RECHECK_MS;
    return (uint64_t)s->deck->slides[s->index].duration_s * 1000u;
}

static bool due(const struct show *s, uint64_t now_ms)
{
    if (s->forced)
        return true;
    if (s->paused)
        return false;
    return now_ms >= s->started_ms + duration_ms(s);
}

static void finish_transition(struct show *s, uint64_t now_ms)
{
    if (s->to_deck != s->deck) {
        deck_unref(s->deck);
        s->deck = s->to_deck;
        s->deck_swaps++;
        LOG_INFO("now showing deck %.12s (%zu slides)", s->deck->hash, s->deck->n_slides);
    } else {
        deck_unref(s->to_deck);
    }
    s->to_deck = NULL;
    s->index = s->to_index;
    s->pos = s->to_pos;
    s->count = s->to_count;
    s->in_transition = false;
    s->started_ms = now_ms;
    if (s->index >= 0)
        s->slides_shown++;
}

static bool start_boundary(struct show *s, uint64_t now_ms)
{
    int dir = s->forced ? s->force_dir : 1;
    struct deck *d = NULL;
    int t = target(s, dir, &d);
    if (!d)
        return false; /* cannot happen (a show has a deck); the analyzer can't tell */

    if (d == s->deck && t == s->index) {
        /* Only this slide is eligible: keep it, restart its timer. */
        s->forced = false;
        s->started_ms = now_ms;
        place(s, d, t, &s->pos, &s->count);
        return false;
    }
    if (!ready(s, d, t)) {
        /* Hold the current picture; never show a half-made slide. */
        return false;
    }
    if (d == s->pending)
        s->pending = NULL; /* the reference moves to to_deck */
    else
        deck_ref(d);
    s->to_deck = d;
    s->to_index = t;
    place(s, d, t, &s->to_pos, &s->to_count);
    s->forced = false;
    s->trans_kind = t >= 0 ? d->slides[t].transition : TRANSITION_FADE;
    if (s->trans_kind == TRANSITION_CUT) {
        finish_transition(s, now_ms);
        return true;
    }
    s->in_transition = true;
    s->trans_start_ms = now_ms;
    return true;
}

bool show_tick(struct show *s, uint64_t now_ms)
{
    if (s->in_transition) {
        if (now_ms >= s->trans_start_ms + (uint64_t)s->transition_ms)
            finish_transition(s, now_ms);
        return true;
    }
    /* A deck that arrives while the fallback is up goes live at once. */
    if (due(s, now_ms) || (s->index < 0 && s->pending))
        return start_boundary(s, now_ms);
    return false;
}

static float ease(float t)
{
    /* Smoothstep: gentle start and stop, no visible jerk. */
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    return t * t * (3.0f - 2.0f * t);
}

void show_view(const struct show *s, uint64_t now_ms, struct show_view *v)
{
    memset(v, 0, sizeof(*v));
    v->deck = s->deck;
    v->index = s->index;
    v->transition = s->in_transition;
    v->to_index = -1;
    v->pos = s->pos;
    v->count = s->count;
    if (s->in_transition) {
        v->kind = s->trans_kind;
        v->to_deck = s->to_deck;
        v->to_index = s->to_index;
        v->to_pos = s->to_pos;
        v->to_count = s->to_count;
        float t = (float)(now_ms - s->trans_start_ms) / (float)s->transition_ms;
        v->progress = ease(t);
    }
}

int show_upcoming(const struct show *s, struct deck **d)
{
    if (s->in_transition) {
        *d = s->to_deck;
        return s->to_index;
    }
    return target(s, 1, d);
}

uint64_t show_wait_ms(const struct show *s, uint64_t now_ms)
{
    if (s->in_transition || s->forced)
        return 0;
    if (s->index < 0 && s->pending)
        return 0;
    if (s->paused)
        return UINT64_MAX;
    uint64_t end = s->started_ms + duration_ms(s);
    if (now_ms >= end)
        return NOT_READY_RETRY_MS; /* due but the next slide is not ready */
    return end - now_ms;
}

void show_step(struct show *s, int dir, uint64_t now_ms)
{
    (void)now_ms;
    if (s->in_transition)
        return;
    s->forced = true;
    s->force_dir = dir < 0 ? -1 : 1;
}

void show_toggle_pause(struct show *s, uint64_t now_ms)
{
    if (s->paused) {
        /* Resume with the time that was left. */
        s->started_ms += now_ms - s->paused_at;
        s->paused = false;
    } else {
        s->paused = true;
        s->paused_at = now_ms;
    }
}

bool show_paused(const struct show *s) { return s->paused; }
struct deck *show_deck(const struct show *s) { return s->deck; }
unsigned show_slides_shown(const struct show *s) { return s->slides_shown; }
unsigned show_deck_swaps(const struct show *s) { return s->deck_swaps; }
