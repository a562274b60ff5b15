/* kiosk: the running display — window, event loop, decks from the
 * fetcher, the show, rasterising ahead, compositing, systemd, status. */
#ifndef EDUKIOSK_KIOSK_H
#define EDUKIOSK_KIOSK_H

#include <SDL.h>
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

/* Sets the environment SDL and the libraries under it read, for a
 * kiosk's start (no D-Bus autolaunch, no X Compose table), where the user
 * has not set it.  Before SDL_Init(). */
void kiosk_lean_env(void);

/* Runs until SIGTERM/SIGINT/quit key/exit_after.  Takes the reference to
 * initial (the deck to show first) and may replace *cfg on SIGHUP.
 * Returns the process exit code (0, or 3 on a runtime failure). */
int kiosk_run(const struct kiosk_opts *o, struct config *cfg, struct deck *initial,
              const char *initial_source);

/* The back end the kiosk draws with in win, decided as at start-up (also
 * for --doctor): true = software drawing into the window surface (*ren
 * NULL, or a renderer kept for rotation); false = the GPU renderer *ren
 * (NULL when none could be made).  *why: a static phrase saying why.
 * Main thread; the caller destroys *ren. */
bool kiosk_pick_backend(const struct config *c, SDL_Window *win, SDL_Renderer **ren,
                        const char **why);

#define KIOSK_GL_VENDOR 0x1F00u   /* GL_VENDOR */
#define KIOSK_GL_RENDERER 0x1F01u /* GL_RENDERER */
/* glGetString(name) of an OpenGL renderer r (its context current); NULL
 * for any other renderer.  Static string owned by GL. */
const char *kiosk_gl_string(SDL_Renderer *r, unsigned int name);
/* Whether a GL_RENDERER string names Mesa's CPU rasteriser; NULL = no. */
bool kiosk_software_gl(const char *gl_renderer);

#endif
