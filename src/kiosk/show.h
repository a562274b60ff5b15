/* show: which slide is on screen, when the next one comes, transitions.
 *
 * Pure state machine driven by show_tick(show, now_ms): no SDL, no clock
 * of its own.  Eligibility (schedule) and readiness (is the next slide
 * rasterised yet?) are asked through callbacks, so a slide change never
 * waits on rasterising: the show holds the current slide until the next
 * one is ready.  A new deck is adopted at the next slide boundary; if the
 * slide on screen exists in it (same id) the show continues after it.
 * Main thread only.
 */
#ifndef EDUKIOSK_SHOW_H
#define EDUKIOSK_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "deck.h"

struct show_hooks {
    /* May slide `index` of d be shown now? */
    bool (*eligible)(void *ud, const struct deck *d, int index);
    /* Is slide `index` of d (-1: the fallback screen) rasterised? */
    bool (*ready)(void *ud, const struct deck *d, int index);
    void *ud;
};

/* What to draw at a moment.  During a transition `from` fades/slides out
 * and `to` in, with progress 0..1 (eased). */
struct show_view {
    struct deck *deck; /* borrowed: valid until the next show_* call */
    int index;         /* -1 = fallback screen (nothing eligible) */
    bool transition;
    enum transition kind;
    float progress;
    struct deck *to_deck;
    int to_index;
    /* Progress indicator: place among the slides that may be shown (the
     * schedule's and site's choice when the slide came on) and how many
     * those are; count 0 on the fallback screen. */
    int pos, count;
    int to_pos, to_count;
};

struct show;

/* Takes the reference to d.  transition_ms: duration of fade/slide. */
struct show *show_new(struct deck *d, const struct show_hooks *hooks, uint64_t now_ms,
                      int transition_ms);
void show_free(struct show *s); /* accepts NULL */

/* Queues d (takes the reference) for the next slide boundary; replaces a
 * deck queued earlier that has not been adopted yet. */
void show_set_deck(struct show *s, struct deck *d);

/* Advances time; returns true when the picture changed or animates. */
bool show_tick(struct show *s, uint64_t now_ms);
void show_view(const struct show *s, uint64_t now_ms, struct show_view *v);

/* The slide that will come at the next boundary (for rasterising it ahead
 * of time); *d borrowed.  Returns its index or -1 (fallback). */
int show_upcoming(const struct show *s, struct deck **d);

/* Milliseconds until show_tick has something to do (0 while animating). */
uint64_t show_wait_ms(const struct show *s, uint64_t now_ms);

/* Operator keys: next (+1) or previous (-1) slide now; pause toggles the
 * timer. */
void show_step(struct show *s, int dir, uint64_t now_ms);
void show_toggle_pause(struct show *s, uint64_t now_ms);
bool show_paused(const struct show *s);

/* The deck on screen (borrowed) and counters for --stats / metrics. */
struct deck *show_deck(const struct show *s);
unsigned show_slides_shown(const struct show *s);
unsigned show_deck_swaps(const struct show *s);

#endif
