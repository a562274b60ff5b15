/* kiosk: the running display — window, event loop, decks from the
 * fetcher, the show, rasterising ahead, compositing, systemd, status. */
#ifndef EDUKIOSK_KIOSK_H
#define EDUKIOSK_KIOSK_H

#include <stdbool.h>

#include "cli.h"
#include "config.h"
#include "deck.h"
#include "fetch.h"

struct kiosk_opts {
    const struct cli *cli;   /* SIGHUP rebuilds the configuration from it */
    bool window;             /* windowed at window_w × window_h */
    int window_w, window_h;
    double exit_after_s;     /* 0 = run until told to stop */
    bool stats;              /* print the --stats line on exit */
};

/* Runs until SIGTERM/SIGINT/quit key/exit_after.  Takes the reference to
 * initial (the deck to show first) and may replace *cfg on SIGHUP.
 * Returns the process exit code (0, or 3 on a runtime failure). */
int kiosk_run(const struct kiosk_opts *o, struct config *cfg, struct deck *initial,
              const char *initial_source);


#endif
