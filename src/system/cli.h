/* cli: the command line (getopt_long) on top of the configuration file.
 *
 * Typical main():
 *
 *     struct cli cli;
 *     struct config cfg;
 *     if (cli_parse(argc, argv, &cli, &cfg, stderr) < 0)
 *         return 2;                       // message already printed
 *     switch (cli.mode) {
 *     case CLI_HELP: cli_usage(stdout); rc = 0; break;
 *     case CLI_VERSION: cli_version(stdout); rc = 0; break;
 *     case CLI_PRINT_CONFIG: config_print(&cfg, stdout); rc = 0; break;
 *     case CLI_PRINT_REFERENCE: config_print_reference(stdout); rc = 0; break;
 *     case CLI_CHECK: … check cli.check_source (NULL = built-in deck) …
 *     case CLI_RENDER: … cfg.feed into cli.render_dir at cli.size_w x size_h …
 *     case CLI_KIOSK: … cfg, cli.exit_after_s, cli.stats …
 *     }
 *     cli_free(&cli); config_free(&cfg);
 *
 * On SIGHUP, cli_reload_config() rebuilds the configuration exactly as at
 * start-up (defaults, file, command-line overrides), so the command line
 * keeps winning over an edited file.
 */
#ifndef EDUKIOSK_CLI_H
#define EDUKIOSK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

enum cli_mode {
    CLI_KIOSK,           /* run the display (default) */
    CLI_RENDER,          /* --render DIR */
    CLI_CHECK,           /* --check [SOURCE] */
    CLI_HELP,            /* -h: print cli_usage() to stdout, exit 0 */
    CLI_VERSION,         /* -V: print cli_version() to stdout, exit 0 */
    CLI_PRINT_CONFIG,    /* --print-config: config_print(), exit 0 */
    CLI_PRINT_REFERENCE, /* --print-config-reference (docs), exit 0 */
    CLI_DOCTOR,          /* --doctor: check this machine, exit 0 or 3 */
};

struct cli {
    enum cli_mode mode;
    /* The configuration file in effect: -c FILE, $EDUKIOSK_CONFIG or
     * /etc/edukiosk/edukiosk.conf; NULL with --no-config.  A missing
     * default file is fine (must_exist false) and is read if it appears
     * before a reload. */
    char *config_path;
    bool config_must_exist;
    bool window;               /* --window WxH (also in cfg: fullscreen=no) */
    int window_w, window_h;
    char *render_dir;          /* CLI_RENDER */
    int size_w, size_h;        /* --size, default 1920x1080 */
    /* CLI_CHECK: the SOURCE argument, else the configured feed (after -f);
     * NULL = the built-in deck. */
    char *check_source;
    double exit_after_s;       /* 0 = run until told to stop */
    bool stats;                /* --stats */
    /* Command-line settings in order, re-applied by cli_reload_config(). */
    char **set_keys, **set_values;
    const char **set_opts;     /* the option each came from, for messages */
    size_t n_set;
};

/* Parses argv (not modified), loads the configuration file and applies the
 * command line on top into cfg (uninitialised on entry).  Returns 0, or -1
 * after printing a clear message and a hint to err: the caller exits 2 (a
 * usage or configuration error).  After -1, cli and cfg hold nothing to
 * free (cli_free/config_free are still safe).  For CLI_HELP and
 * CLI_VERSION no file is read.  Not thread-safe (getopt). */
int cli_parse(int argc, char **argv, struct cli *cli, struct config *cfg, FILE *err);

/* The configuration as cli_parse() built it, re-read from the file now
 * (SIGHUP).  On success replaces *cfg and returns 0; on error prints
 * "FILE:LINE: …" to err, returns -1 and leaves *cfg as it was. */
int cli_reload_config(const struct cli *cli, struct config *cfg, FILE *err);

void cli_usage(FILE *out);
void cli_version(FILE *out);
/* NULL-safe; leaves cli zeroed. */
void cli_free(struct cli *cli);

#endif
