#include "deck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* Every string and array of a deck is its own malloc() block, so a deck
 * built by hand (a fallback deck, a test) is freed by the same code as one
 * built by feed_parse(). */

struct deck *deck_ref(struct deck *d)
{
    if (d)
        __atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
    return d;
}

void deck_unref(struct deck *d)
{
    if (!d)
        return;
    /* acq_rel: the thread that frees must see every write made by the
     * threads that dropped their references before it. */
    if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) <= 0)
        deck_free(d);
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_slide(struct slide *s)
{
    free(s->id);
    free_strv(s->sites, s->n_sites);
    free(s->title);
    free(s->subtitle);
    free(s->footer);
    free_strv(s->items, s->n_items);
    for (size_t i = 0; s->cards && i < s->n_cards; i++) {
        free(s->cards[i].heading);
        free(s->cards[i].text);
    }
    free(s->cards);
    for (size_t i = 0; s->milestones && i < s->n_milestones; i++) {
        free(s->milestones[i].date);
        free(s->milestones[i].label);
        free(s->milestones[i].text);
    }
    free(s->milestones);
    free(s->label);
    free(s->done_text);
    free(s->text);
    free(s->source);
    free(s->caption);
}

void deck_free(struct deck *d)
{
    if (!d)
        return;
    free(d->school);
    free_strv(d->ticker, d->n_ticker);
    free(d->alert.title);
    free(d->alert.text);
    for (size_t i = 0; d->slides && i < d->n_slides; i++)
        free_slide(&d->slides[i]);
    free(d->slides);
    for (size_t i = 0; d->images && i < d->n_images; i++) {
        free(d->images[i].url);
        free(d->images[i].data);
        free(d->images[i].why);
        free(d->images[i].field);
    }
    free(d->images);
    free(d->source);
    free(d);
}

int deck_find_slide(const struct deck *d, const char *id)
{
    if (!d || !id)
        return -1;
    for (size_t i = 0; i < d->n_slides; i++)
        if (d->slides[i].id && strcmp(d->slides[i].id, id) == 0)
            return (int)i;
    return -1;
}

const char *slide_type_name(enum slide_type t)
{
    switch (t) {
    case SLIDE_TITLE:
        return "title";
    case SLIDE_LIST:
        return "list";
    case SLIDE_CARDS:
        return "cards";
    case SLIDE_TIMELINE:
        return "timeline";
    case SLIDE_COUNTDOWN:
        return "countdown";
    case SLIDE_QUOTE:
        return "quote";
    case SLIDE_IMAGE:
        return "image";
    }
    return "unknown";
}

const char *alert_level_name(enum alert_level l)
{
    static const char *const names[] = {"none", "info", "warning", "emergency"};
    return (unsigned)l < sizeof(names) / sizeof(names[0]) ? names[l] : "unknown";
}

void deck_image_fail(struct deck_image *img, bool refused, const char *why)
{
    free(img->data);
    img->data = NULL;
    img->len = 0;
    img->format = IMGHDR_NONE;
    img->failed = true;
    img->refused = refused;
    free(img->why);
    img->why = why ? strdup(why) : NULL;
}

bool deck_image_attach(struct deck_image *img, unsigned char *data, size_t len,
                       long max_pixels)
{
    char why[256];
    struct imghdr_info info;
    free(img->data);
    img->data = data;
    if (img->sha256[0]) {
        char got[65];
        hash_sha256_hex(data, len, got);
        if (strcmp(got, img->sha256) != 0) {
            snprintf(why, sizeof(why),
                     "its SHA-256 is %.12s…, the feed pins %.12s… (the file changed "
                     "after the feed was made)",
                     got, img->sha256);
            deck_image_fail(img, true, why);
            return false;
        }
    }
    if (imghdr_check(data, len, max_pixels, &info, why, sizeof(why)) < 0) {
        deck_image_fail(img, true, why);
        return false;
    }
    img->len = len;
    img->format = info.format;
    img->failed = img->refused = false;
    free(img->why);
    img->why = NULL;
    return true;
}
