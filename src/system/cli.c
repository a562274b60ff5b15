#define LOG_MODULE "cli"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#ifndef EDUKIOSK_VERSION
#define EDUKIOSK_VERSION "unknown"
#endif

#define DEFAULT_CONFIG "/etc/edukiosk/edukiosk.conf"
#define MAX_EXIT_AFTER_S (10.0 * 365 * 24 * 3600)

enum {
    OPT_WINDOW = 0x100,
    OPT_SIZE,
    OPT_RENDER,
    OPT_CHECK,
    OPT_EXIT_AFTER,
    OPT_STATS,
    OPT_STATUS_FILE,
    OPT_PRINT_CONFIG,
    OPT_PRINT_REFERENCE,
    OPT_NO_CONFIG,
    OPT_DOCTOR,
    OPT_FEED_KEY,
};

static const struct option long_opts[] = {
    {"feed", required_argument, NULL, 'f'},
    {"feed-key", required_argument, NULL, OPT_FEED_KEY},
    {"config", required_argument, NULL, 'c'},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"set", required_argument, NULL, 'o'},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"size", required_argument, NULL, OPT_SIZE},
    {"render", required_argument, NULL, OPT_RENDER},
    {"check", optional_argument, NULL, OPT_CHECK},
    {"exit-after", required_argument, NULL, OPT_EXIT_AFTER},
    {"stats", no_argument, NULL, OPT_STATS},
    {"status-file", required_argument, NULL, OPT_STATUS_FILE},
    {"verbose", no_argument, NULL, 'v'},
    {"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
    {"print-config-reference", no_argument, NULL, OPT_PRINT_REFERENCE},
    {"doctor", no_argument, NULL, OPT_DOCTOR},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
    fputs(
        "Usage: edukiosk [OPTIONS]\n"
        "Full-screen slides from a JSON feed, for school lobby screens.\n"
        "\n"
        "  -f, --feed SOURCE     feed: http(s) URL, file:// URL or a path\n"
        "                        (default: the configured url, else the built-in deck)\n"
        "      --feed-key FILE   accept only feeds signed with this minisign public\n"
        "                        key (a .pub file; sets feed_public_key)\n"
        "  -c, --config FILE     configuration file (default " DEFAULT_CONFIG "\n"
        "                        if it exists, or $EDUKIOSK_CONFIG)\n"
        "      --no-config       read no configuration file\n"
        "  -o, --set KEY=VALUE   set any configuration key, e.g. --set rotation=90\n"
        "                        or --set schedule.sat=off (repeatable)\n"
        "      --window WxH      run in a window of that size, not full screen\n"
        "      --size WxH        size for --render (default 1920x1080)\n"
        "      --render DIR      draw every slide to DIR/slide-01.png, … and\n"
        "                        DIR/layout.json, then exit\n"
        "      --check [SOURCE]  validate a feed (default: the configured one) and\n"
        "                        exit: 0 valid, 1 invalid\n"
        "      --exit-after SEC  run the kiosk for SEC seconds, then exit\n"
        "      --stats           on exit, print one JSON line of run statistics\n"
        "      --status-file P   where to write the status JSON\n"
        "  -v, --verbose         log debug messages\n"
        "      --print-config    print the effective configuration and exit\n"
        "      --print-config-reference\n"
        "                        print the table of configuration keys (Markdown)\n"
        "      --doctor          check display, fonts, configuration and feed on\n"
        "                        this machine: 0 a kiosk would run, 3 it would not\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n"
        "\n"
        "Command-line options override the configuration file.\n"
        "Exit status: 0 success, 1 invalid feed (--check, --render),\n"
        "2 usage or configuration error, 3 runtime failure.\n"
        "Signals: SIGTERM/SIGINT quit, SIGHUP reloads the configuration and\n"
        "fetches the feed now, SIGUSR1 saves a screenshot next to the status file.\n"
        "See edukiosk(1).\n",
        out);
}

void cli_version(FILE *out) { fputs("edukiosk " EDUKIOSK_VERSION "\n", out); }

void cli_free(struct cli *cli)
{
    if (!cli)
        return;
    free(cli->config_path);
    free(cli->render_dir);
    free(cli->check_source);
    for (size_t i = 0; i < cli->n_set; i++) {
        free(cli->set_keys[i]);
        free(cli->set_values[i]);
    }
    free(cli->set_keys);
    free(cli->set_values);
    free(cli->set_opts);
    memset(cli, 0, sizeof(*cli));
}

static int usage_error(FILE *err, const char *fmt, const char *a, const char *b)
{
    fputs("edukiosk: ", err);
    fprintf(err, fmt, a, b);
    fputs("\nTry 'edukiosk --help' for more information.\n", err);
    return -1;
}

/* Records a configuration setting from the command line. */
static int add_set(struct cli *cli, const char *opt, const char *key, size_t keylen,
                   const char *value)
{
    size_t n = cli->n_set + 1;
    char **k = realloc(cli->set_keys, n * sizeof(*k));
    if (!k)
        return -1;
    cli->set_keys = k;
    char **v = realloc(cli->set_values, n * sizeof(*v));
    if (!v)
        return -1;
    cli->set_values = v;
    const char **o = realloc(cli->set_opts, n * sizeof(*o));
    if (!o)
        return -1;
    cli->set_opts = o;
    k[n - 1] = strndup(key, keylen);
    v[n - 1] = strdup(value);
    o[n - 1] = opt;
    if (!k[n - 1] || !v[n - 1]) {
        free(k[n - 1]);
        free(v[n - 1]);
        return -1;
    }
    cli->n_set = n;
    return 0;
}

/* "WxH" with both in 16…16384; 'x' or 'X'. */
static int parse_wxh(const char *s, int *w, int *h)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10);
    if (errno || end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (errno || end == p || *end || a < 16 || b < 16 || a > 16384 || b > 16384)
        return -1;
    if (s[0] == '+' || s[0] == '-' || p[0] == '+' || p[0] == '-' || p[0] == ' ')
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(d) || d <= 0 || d > MAX_EXIT_AFTER_S)
        return -1;
    *out = d;
    return 0;
}

static int set_mode(struct cli *cli, enum cli_mode m, const char *opt, FILE *err)
{
    static const char *const names[] = {
        [CLI_RENDER] = "--render", [CLI_CHECK] = "--check",
        [CLI_PRINT_CONFIG] = "--print-config",
        [CLI_PRINT_REFERENCE] = "--print-config-reference",
        [CLI_DOCTOR] = "--doctor",
    };
    if (cli->mode != CLI_KIOSK && cli->mode != m)
        return usage_error(err, "%s cannot be combined with %s", opt,
                           names[cli->mode]);
    cli->mode = m;
    return 0;
}

/* Applies the command-line settings in order; -1 after a message. */
static int apply_sets(const struct cli *cli, struct config *cfg, FILE *err)
{
    for (size_t i = 0; i < cli->n_set; i++) {
        char msg[512];
        if (config_set(cfg, cli->set_keys[i], cli->set_values[i], msg, sizeof(msg)) < 0) {
            fprintf(err, "edukiosk: %s: %s\n", cli->set_opts[i], msg);
            return -1;
        }
    }
    char msg[512];
    if (config_validate(cfg, msg, sizeof(msg)) < 0) {
        fprintf(err, "edukiosk: %s\n", msg);
        return -1;
    }
    return 0;
}

static int build_config(const struct cli *cli, struct config *cfg, FILE *err)
{
    config_defaults(cfg);
    if (cli->config_path &&
        config_load(cfg, cli->config_path, cli->config_must_exist, err) < 0) {
        config_free(cfg);
        return -1;
    }
    if (apply_sets(cli, cfg, err) < 0) {
        config_free(cfg);
        return -1;
    }
    return 0;
}

int cli_reload_config(const struct cli *cli, struct config *cfg, FILE *err)
{
    struct config fresh;
    if (build_config(cli, &fresh, err) < 0)
        return -1;
    config_free(cfg);
    *cfg = fresh;
    return 0;
}

static int parse_options(int argc, char **argv, struct cli *cli, FILE *err,
                         bool *no_config)
{
    /* getopt permutes argv; work on a copy so the caller's stays as is. */
    char **args = malloc(((size_t)argc + 1) * sizeof(*args));
    if (!args)
        return usage_error(err, "%sout of memory%s", "", "");
    memcpy(args, argv, (size_t)argc * sizeof(*args));
    args[argc] = NULL;

    int r = 0;
    bool size_given = false, help = false, version = false;
    optind = 0; /* GNU: full re-initialisation, so tests can parse twice */
    opterr = 0;
    for (;;) {
        int opt = getopt_long(argc, args, ":f:c:o:vhV", long_opts, NULL);
        if (opt == -1)
            break;
        /* getopt_long sets optarg for every option that takes an
         * argument; it is NULL only for --check without =SOURCE. */
        const char *arg = optarg ? optarg : "";
        switch (opt) {
        case 'f':
            if (*arg == '\0') {
                r = usage_error(err, "%s: the feed SOURCE is empty%s", "--feed", "");
                goto out;
            }
            r = add_set(cli, "--feed", "feed.url", strlen("feed.url"), arg);
            break;
        case OPT_FEED_KEY:
            r = add_set(cli, "--feed-key", "feed.feed_public_key",
                        strlen("feed.feed_public_key"), arg);
            break;
        case 'c':
            free(cli->config_path);
            cli->config_path = strdup(arg);
            cli->config_must_exist = true;
            *no_config = false;
            if (!cli->config_path)
                r = -1;
            break;
        case OPT_NO_CONFIG:
            *no_config = true;
            break;
        case 'o': {
            const char *eq = strchr(arg, '=');
            if (!eq || eq == arg) {
                r = usage_error(err, "--set needs KEY=VALUE, got '%s'%s", arg, "");
                goto out;
            }
            r = add_set(cli, "--set", arg, (size_t)(eq - arg), eq + 1);
            break;
        }
        case OPT_WINDOW:
            if (parse_wxh(arg, &cli->window_w, &cli->window_h) < 0) {
                r = usage_error(err, "--window: '%s' is not WxH (e.g. 1280x720)%s", arg,
                                "");
                goto out;
            }
            cli->window = true;
            char num[16];
            snprintf(num, sizeof(num), "%d", cli->window_w);
            r = add_set(cli, "--window", "display.fullscreen", 18, "no");
            if (r == 0)
                r = add_set(cli, "--window", "display.width", 13, num);
            snprintf(num, sizeof(num), "%d", cli->window_h);
            if (r == 0)
                r = add_set(cli, "--window", "display.height", 14, num);
            break;
        case OPT_SIZE:
            if (parse_wxh(arg, &cli->size_w, &cli->size_h) < 0) {
                r = usage_error(err, "--size: '%s' is not WxH (e.g. 1080x1920)%s", arg,
                                "");
                goto out;
            }
            size_given = true;
            break;
        case OPT_RENDER:
            if (*arg == '\0') {
                r = usage_error(err, "%s: the directory is empty%s", "--render", "");
                goto out;
            }
            if ((r = set_mode(cli, CLI_RENDER, "--render", err)) < 0)
                goto out;
            free(cli->render_dir);
            cli->render_dir = strdup(arg);
            if (!cli->render_dir)
                r = -1;
            break;
        case OPT_CHECK:
            if ((r = set_mode(cli, CLI_CHECK, "--check", err)) < 0)
                goto out;
            if (optarg) {
                free(cli->check_source);
                cli->check_source = strdup(arg);
                if (!cli->check_source)
                    r = -1;
            }
            break;
        case OPT_EXIT_AFTER:
            if (parse_seconds(arg, &cli->exit_after_s) < 0) {
                r = usage_error(err, "--exit-after: '%s' is not a number of seconds "
                                     "above 0%s", arg, "");
                goto out;
            }
            break;
        case OPT_STATS:
            cli->stats = true;
            break;
        case OPT_STATUS_FILE:
            r = add_set(cli, "--status-file", "paths.status_file", 17, arg);
            break;
        case 'v':
            r = add_set(cli, "--verbose", "kiosk.log_level", 15, "debug");
            break;
        case OPT_PRINT_CONFIG:
            if ((r = set_mode(cli, CLI_PRINT_CONFIG, "--print-config", err)) < 0)
                goto out;
            break;
        case OPT_PRINT_REFERENCE:
            if ((r = set_mode(cli, CLI_PRINT_REFERENCE, "--print-config-reference",
                              err)) < 0)
                goto out;
            break;
        case OPT_DOCTOR:
            if ((r = set_mode(cli, CLI_DOCTOR, "--doctor", err)) < 0)
                goto out;
            break;
        case 'h':
            help = true;
            break;
        case 'V':
            version = true;
            break;
        case ':':
            r = usage_error(err, "option '%s' needs an argument%s", args[optind - 1],
                            "");
            goto out;
        default:
            if (optopt > 0 && optopt < 0x80) {
                char o[3] = {'-', (char)optopt, '\0'};
                r = usage_error(err, "unknown option '%s'%s", o, "");
            } else {
                r = usage_error(err, "unknown option '%s'%s", args[optind - 1], "");
            }
            goto out;
        }
        if (r < 0) { /* the cases above report everything else themselves */
            fputs("edukiosk: out of memory\n", err);
            goto out;
        }
    }
    if (help || version) {
        /* Help and version answer whatever else was asked. */
        cli->mode = help ? CLI_HELP : CLI_VERSION;
        goto out;
    }
    /* Operands: only the SOURCE of --check. */
    for (int i = optind; i < argc; i++) {
        if (cli->mode == CLI_CHECK && !cli->check_source) {
            cli->check_source = strdup(args[i]);
            if (!cli->check_source) {
                r = -1;
                goto out;
            }
            continue;
        }
        r = usage_error(err, "unexpected argument '%s'%s", args[i],
                        cli->mode == CLI_CHECK ? " (--check takes one SOURCE)" : "");
        goto out;
    }
    if (size_given && cli->mode != CLI_RENDER) {
        r = usage_error(err, "--size applies to --render only%s%s",
                        " (use --window WxH for a window)", "");
        goto out;
    }
out:
    free(args);
    return r;
}

int cli_parse(int argc, char **argv, struct cli *cli, struct config *cfg, FILE *err)
{
    memset(cli, 0, sizeof(*cli));
    memset(cfg, 0, sizeof(*cfg));
    cli->size_w = 1920;
    cli->size_h = 1080;
    bool no_config = false;
    if (parse_options(argc, argv, cli, err, &no_config) < 0)
        goto fail;
    if (cli->mode == CLI_HELP || cli->mode == CLI_VERSION ||
        cli->mode == CLI_PRINT_REFERENCE) {
        config_defaults(cfg);
        return 0;
    }
    if (no_config) {
        free(cli->config_path);
        cli->config_path = NULL;
    } else if (!cli->config_path) {
        const char *env = getenv("EDUKIOSK_CONFIG");
        cli->config_must_exist = env && *env;
        cli->config_path = strdup(cli->config_must_exist ? env : DEFAULT_CONFIG);
        if (!cli->config_path) {
            fputs("edukiosk: out of memory\n", err);
            goto fail;
        }
    }
    if (build_config(cli, cfg, err) < 0)
        goto fail;
    if (cli->mode == CLI_CHECK && !cli->check_source && cfg->feed) {
        cli->check_source = strdup(cfg->feed);
        if (!cli->check_source) {
            fputs("edukiosk: out of memory\n", err);
            config_free(cfg);
            goto fail;
        }
    }
    return 0;
fail:
    cli_free(cli);
    return -1;
}
