#define LOG_MODULE "main"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "bigalloc.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "doctor.h"
#include "export.h"
#include "feed.h"
#include "feedsig.h"
#include "fetch.h"
#include "kiosk.h"
#include "log.h"
#include "platform.h"
#include "schedule.h"
#include "source.h"

static int run_check(const struct config *cfg, const char *src)
{
    char *data;
    size_t len;
    if (!src) {
        /* The built-in deck: what a plain `edukiosk` would show. */
        src = "builtin";
        data = strdup((const char *)asset_default_feed);
        len = asset_default_feed_size;
        if (!data)
            return 3;
    } else if (source_read(cfg, src, &data, &len, stderr) < 0) {
        return 1;
    }
    struct feedsig sig;
    int sig_rc = source_verify(cfg, src, data, len, &sig, stdout) < 0 ? 1 : 0;
    if (sig_rc == 0 && sig.timestamp > 0) {
        char when[40];
        feedsig_time(sig.timestamp, when, sizeof(when));
        printf("%s: signed %s by key %s\n", src, when, sig.key_id);
    }
    struct schedule_ctx sc = {.now = clock_now(), .clock_ok = clock_trusted(),
                              .sites = (const char *const *)cfg->sites,
                              .n_sites = cfg->n_sites};
    sc.last_good = sc.clock_ok ? sc.now : 0;
    struct feed_limits lim;
    feed_limits_default(&lim);
    lim.max_bytes = cfg->max_feed_bytes;
    lim.require_pins = cfg->feed_public_key && strcmp(src, "builtin") != 0;
    int rc = feed_check(data, len, src, &lim, &sc, stdout);
    if (rc == 0)
        rc = source_check_images(cfg, src, data, len, stdout);
    free(data);
    return rc ? rc : sig_rc;
}

static int run_render(const struct config *cfg, const struct cli *cli)
{
    struct deck *d = cfg->feed ? source_load(cfg, cfg->feed, stderr) : feed_builtin();
    if (!d)
        return 1;
    if (TTF_Init() < 0) {
        fprintf(stderr, "edukiosk: cannot start SDL_ttf: %s\n", TTF_GetError());
        deck_unref(d);
        return 3;
    }
    int rc = export_render(d, cli->render_dir, cli->size_w, cli->size_h, clock_now());
    if (rc == 0)
        printf("%zu slides rendered to %s\n", d->n_slides, cli->render_dir);
    deck_unref(d);
    TTF_Quit();
    return rc;
}

/* First picture: the cached deck of an earlier run, else the feed file,
 * else the built-in deck.  Never nothing. */
static struct deck *first_deck(const struct config *cfg, const char **source)
{
    struct deck *d = NULL;
    if (source_is_remote(cfg->feed)) {
        struct fetch_config fc;
        source_fetch_config(&fc, cfg);
        d = fetch_load_cached(&fc);
        *source = "cache";
    } else if (cfg->feed) {
        d = source_load(cfg, cfg->feed, stderr);
        *source = "file";
        if (!d)
            LOG_ERR("%s is not a valid feed; showing the built-in deck", cfg->feed);
    }
    if (!d) {
        d = feed_builtin();
        *source = "builtin";
    }
    return d;
}

static int run_kiosk(struct config *cfg, const struct cli *cli)
{
    struct kiosk_opts o = {
        .cli = cli,
        .window = cli->window,
        .window_w = cli->window_w,
        .window_h = cli->window_h,
        .exit_after_s = cli->exit_after_s,
        .stats = cli->stats,
    };
    kiosk_lean_env();
    if (SDL_Init(SDL_INIT_EVENTS | SDL_INIT_TIMER) < 0) {
        fprintf(stderr, "edukiosk: cannot start SDL: %s\n", SDL_GetError());
        return 3;
    }
    if (TTF_Init() < 0) {
        fprintf(stderr, "edukiosk: cannot start SDL_ttf: %s\n", TTF_GetError());
        SDL_Quit();
        return 3;
    }
    if (cfg->feed && !cfg->feed_public_key)
        LOG_WARN("the feed %s is shown without a signature check: set feed_public_key "
                 "so that only feeds the school signed are shown (docs/signing.md)",
                 cfg->feed);
    const char *source = "builtin";
    struct deck *d = first_deck(cfg, &source);
    int rc = d ? kiosk_run(&o, cfg, d, source) : 3;
    TTF_Quit();
    IMG_Quit();
    SDL_Quit();
    return rc;
}

int main(int argc, char **argv)
{
    bigalloc_install(); /* before anything allocates through SDL */
    /* Before any thread exists, so only the signal thread gets them. */
    platform_block_signals();

    struct config cfg; /* filled by cli_parse */
    struct cli cli;
    int rc;
    if (cli_parse(argc, argv, &cli, &cfg, stderr) < 0) {
        rc = 2;
        goto out;
    }
    log_set_level(cfg.log_level);
    switch (cli.mode) {
    case CLI_HELP:
        cli_usage(stdout);
        rc = 0;
        break;
    case CLI_VERSION:
        cli_version(stdout);
        rc = 0;
        break;
    case CLI_PRINT_REFERENCE:
        config_print_reference(stdout);
        rc = 0;
        break;
    case CLI_PRINT_CONFIG:
        config_print(&cfg, stdout);
        rc = 0;
        break;
    case CLI_CHECK:
        rc = run_check(&cfg, cli.check_source);
        break;
    case CLI_RENDER:
        rc = run_render(&cfg, &cli);
        break;
    case CLI_DOCTOR:
        rc = doctor_run(&cfg, &cli, stdout);
        break;
    case CLI_KIOSK:
    default:
        rc = run_kiosk(&cfg, &cli);
        break;
    }
out:
    cli_free(&cli);
    config_free(&cfg);
    fetch_global_cleanup();
    log_flush();
    return rc;
}
