#include "testutil.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"

static int setup_dir(void **state)
{
    unsetenv("EDUKIOSK_CONFIG");
    unsetenv("RUNTIME_DIRECTORY");
    unsetenv("XDG_RUNTIME_DIR");
    return tu_tmpdir_setup(state);
}

/* name in the temporary directory, holding text; returns its path. */
static const char *write_conf(const char *name, const char *text)
{
    return tu_write_file(tu_tmp_path(name), text);
}

/* Runs cli_parse on a NULL-terminated list; err output into *msgs. */
static int parse(struct cli *cli, struct config *cfg, char **msgs, const char **argv0)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"edukiosk";
    for (; argv0[argc - 1]; argc++)
        argv[argc] = (char *)argv0[argc - 1];
    argv[argc] = NULL;
    char *saved[64];
    memcpy(saved, argv, sizeof(argv));
    struct tu_capture err;
    int r = cli_parse(argc, argv, cli, cfg, tu_capture_open(&err));
    *msgs = tu_capture_close(&err);
    /* The caller's argv is left as it was. */
    assert_memory_equal(saved, argv, (size_t)(argc + 1) * sizeof(char *));
    return r;
}

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

static void test_defaults_no_config(void **state)
{
    (void)state;
    struct cli cli;
    struct config cfg;
    char *msgs;
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config")), 0);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(cli.mode, CLI_KIOSK);
    assert_null(cli.config_path);
    assert_false(cli.window);
    assert_false(cli.stats);
    assert_true(cli.exit_after_s == 0);
    assert_int_equal(cli.size_w, 1920);
    assert_int_equal(cli.size_h, 1080);
    assert_null(cfg.feed);
    assert_true(cfg.fullscreen);
    cli_free(&cli);
    config_free(&cfg);
    cli_free(NULL);
}

static void test_options(void **state)
{
    (void)state;
    struct cli cli;
    struct config cfg;
    char *msgs;
    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("--no-config", "-f", "https://example.org/f.json",
                                "--window", "1280x720", "--status-file",
                                "/tmp/st.json", "--exit-after", "2.5", "--stats", "-v",
                                "-o", "rotation=90", "--set", "schedule.sat=off")),
                     0);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(cli.mode, CLI_KIOSK);
    assert_string_equal(cfg.feed, "https://example.org/f.json");
    assert_true(cli.window);
    assert_int_equal(cli.window_w, 1280);
    assert_int_equal(cli.window_h, 720);
    assert_false(cfg.fullscreen);
    assert_int_equal(cfg.width, 1280);
    assert_int_equal(cfg.height, 720);
    assert_string_equal(cfg.status_file, "/tmp/st.json");
    assert_true(cli.exit_after_s == 2.5);
    assert_true(cli.stats);
    assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(cfg.rotation, 90);
    assert_int_equal(cfg.display[5].on, CONFIG_DAY_OFF);
    cli_free(&cli);
    config_free(&cfg);

    /* Short options bundle and take attached arguments. */
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config", "-vf/srv/a.json")), 0);
    free(msgs);
    assert_string_equal(cfg.feed, "/srv/a.json");
    assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
    cli_free(&cli);
    config_free(&cfg);
}

static void test_command_line_beats_file(void **state)
{
    (void)state;
    const char *path = write_conf("a.conf",
                                  "[feed]\nurl = https://file.example/feed.json\n"
                                  "refresh = 120\n[display]\nrotation = 180\n"
                                  "fullscreen = yes\n[paths]\nstatus_file = /run/x.json\n");
    char conf[512];
    snprintf(conf, sizeof(conf), "%s", path);
    struct cli cli;
    struct config cfg;
    char *msgs;
    /* -f before -c still wins: the file is read first, options after. */
    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("-f", "/cli/feed.json", "--status-file", "/tmp/s.json",
                                "-c", conf, "--window", "800x600")),
                     0);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_string_equal(cli.config_path, conf);
    assert_true(cli.config_must_exist);
    assert_string_equal(cfg.feed, "/cli/feed.json");
    assert_string_equal(cfg.status_file, "/tmp/s.json");
    assert_false(cfg.fullscreen);
    assert_int_equal(cfg.refresh_s, 120);  /* from the file */
    assert_int_equal(cfg.rotation, 180);   /* from the file */

    /* A reload re-reads the file and keeps the command line on top. */
    write_conf("a.conf", "[feed]\nurl = https://new.example/feed.json\nrefresh = 60\n");
    struct tu_capture cap;
    FILE *err = tu_capture_open(&cap);
    assert_int_equal(cli_reload_config(&cli, &cfg, err), 0);
    assert_string_equal(cfg.feed, "/cli/feed.json");
    assert_int_equal(cfg.refresh_s, 60);
    assert_int_equal(cfg.rotation, 0);
    assert_false(cfg.fullscreen);

    /* A broken file on reload keeps what was running. */
    write_conf("a.conf", "[feed]\nrefresh = soon\n");
    assert_int_equal(cli_reload_config(&cli, &cfg, err), -1);
    assert_int_equal(cfg.refresh_s, 60);
    char *out = tu_capture_close(&cap);
    char line[512]; /* the first line the two reloads wrote */
    snprintf(line, sizeof(line), "%.*s", (int)strcspn(out, "\n") + 1, out);
    char want[600];
    snprintf(want, sizeof(want), "%s:2: refresh: must be an integer from 1 to 604800\n",
             conf);
    assert_string_equal(line, want);
    free(out);
    cli_free(&cli);
    config_free(&cfg);
}

static void test_config_file_choice(void **state)
{
    (void)state;
    char env_conf[512], c_conf[512];
    snprintf(env_conf, sizeof(env_conf), "%s",
             write_conf("env.conf", "[kiosk]\nschool = from env\n"));
    snprintf(c_conf, sizeof(c_conf), "%s",
             write_conf("c.conf", "[kiosk]\nschool = from -c\n"));
    struct cli cli;
    struct config cfg;
    char *msgs;

    setenv("EDUKIOSK_CONFIG", env_conf, 1);
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--print-config")), 0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_PRINT_CONFIG);
    assert_string_equal(cfg.school, "from env");
    assert_string_equal(cli.config_path, env_conf);
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("-c", c_conf)), 0);
    free(msgs);
    assert_string_equal(cfg.school, "from -c");
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config")), 0);
    free(msgs);
    assert_null(cfg.school);
    cli_free(&cli);
    config_free(&cfg);

    /* The variable names a file that must exist. */
    char absent[600];
    snprintf(absent, sizeof(absent), "%s", tu_tmp_path("absent.conf"));
    setenv("EDUKIOSK_CONFIG", absent, 1);
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--stats")), -1);
    char want[700];
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory\n", absent);
    assert_string_equal(msgs, want);
    free(msgs);
    unsetenv("EDUKIOSK_CONFIG");

    /* So does -c. */
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("-c", absent)), -1);
    assert_string_equal(msgs, want);
    free(msgs);
    cli_free(&cli);
    config_free(&cfg);
}

static void test_config_errors(void **state)
{
    (void)state;
    char conf[512];
    snprintf(conf, sizeof(conf), "%s",
             write_conf("bad.conf", "[display]\nrotation = 45\nvsync = sometimes\n"));
    struct cli cli;
    struct config cfg;
    char *msgs;
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("-c", conf)), -1);
    char want[2048];
    snprintf(want, sizeof(want),
             "%1$s:2: rotation: must be 0, 90, 180 or 270\n"
             "%1$s:3: vsync: must be yes or no\n",
             conf);
    assert_string_equal(msgs, want);
    free(msgs);
    /* Nothing is left to free, and freeing is still safe. */
    assert_null(cli.config_path);
    assert_null(cfg.cache_dir);
    cli_free(&cli);
    config_free(&cfg);

    /* Help needs no configuration, even a broken one. */
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("-c", conf, "--help")), 0);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(cli.mode, CLI_HELP);
    cli_free(&cli);
    config_free(&cfg);
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("-c", conf, "-V")), 0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_VERSION);
    cli_free(&cli);
    config_free(&cfg);
}

static void test_modes(void **state)
{
    (void)state;
    struct cli cli;
    struct config cfg;
    char *msgs;

    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("--no-config", "--render", "out", "--size", "1080x1920",
                                "-f", "feed.json")),
                     0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_RENDER);
    assert_string_equal(cli.render_dir, "out");
    assert_int_equal(cli.size_w, 1080);
    assert_int_equal(cli.size_h, 1920);
    assert_string_equal(cfg.feed, "feed.json");
    cli_free(&cli);
    config_free(&cfg);

    /* --check SOURCE as an operand, as --check=SOURCE, or the configured feed. */
    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config", "--check", "a.json")),
                     0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_CHECK);
    assert_string_equal(cli.check_source, "a.json");
    assert_null(cfg.feed);
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("a.json", "--check", "--no-config")),
                     0);
    free(msgs);
    assert_string_equal(cli.check_source, "a.json");
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config", "--check=b.json")), 0);
    free(msgs);
    assert_string_equal(cli.check_source, "b.json");
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("--no-config", "-f", "https://x.example/f", "--check")),
                     0);
    free(msgs);
    assert_string_equal(cli.check_source, "https://x.example/f");
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs, ARGS("--no-config", "--check")), 0);
    free(msgs);
    assert_null(cli.check_source); /* the built-in deck */
    cli_free(&cli);
    config_free(&cfg);

    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("--no-config", "--print-config-reference")), 0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_PRINT_REFERENCE);
    cli_free(&cli);
    config_free(&cfg);
}

struct ucase {
    const char *args[6];
    const char *message; /* first line of the error output */
    bool hint;           /* followed by the --help hint */
};

static const struct ucase usage_cases[] = {
    {{"--bogus"}, "edukiosk: unknown option '--bogus'", true},
    {{"-x"}, "edukiosk: unknown option '-x'", true},
    {{"--window"}, "edukiosk: option '--window' needs an argument", true},
    {{"-f"}, "edukiosk: option '-f' needs an argument", true},
    {{"--window", "12x"}, "edukiosk: --window: '12x' is not WxH (e.g. 1280x720)", true},
    {{"--window", "1280x720x3"},
     "edukiosk: --window: '1280x720x3' is not WxH (e.g. 1280x720)", true},
    {{"--window", "-1280x720"},
     "edukiosk: --window: '-1280x720' is not WxH (e.g. 1280x720)", true},
    {{"--size", "1080x1920"},
     "edukiosk: --size applies to --render only (use --window WxH for a window)", true},
    {{"--size", "10x10", "--render", "d"},
     "edukiosk: --size: '10x10' is not WxH (e.g. 1080x1920)", true},
    {{"--render", "d", "--check"}, "edukiosk: --check cannot be combined with --render",
     true},
    {{"--check", "--print-config"},
     "edukiosk: --print-config cannot be combined with --check", true},
    {{"--render", ""}, "edukiosk: --render: the directory is empty", true},
    {{"--exit-after", "-1"},
     "edukiosk: --exit-after: '-1' is not a number of seconds above 0", true},
    {{"--exit-after", "soon"},
     "edukiosk: --exit-after: 'soon' is not a number of seconds above 0", true},
    {{"--exit-after", "nan"},
     "edukiosk: --exit-after: 'nan' is not a number of seconds above 0", true},
    {{"extra"}, "edukiosk: unexpected argument 'extra'", true},
    {{"--check", "a", "b"},
     "edukiosk: unexpected argument 'b' (--check takes one SOURCE)", true},
    {{"--set", "rotation"}, "edukiosk: --set needs KEY=VALUE, got 'rotation'", true},
    {{"--set", "=1"}, "edukiosk: --set needs KEY=VALUE, got '=1'", true},
    {{"-f", ""}, "edukiosk: --feed: the feed SOURCE is empty", true},
    {{"--set", "nosuch=1"}, "edukiosk: --set: nosuch: unknown key", false},
    {{"--set", "rotation=45"}, "edukiosk: --set: rotation: must be 0, 90, 180 or 270",
     false},
    {{"-f", "gopher://x"},
     "edukiosk: --feed: feed.url: must be an http://, https:// or file:// URL or a path",
     false},
    {{"--set", "refresh=2"},
     "edukiosk: refresh: 2 is outside refresh_min..refresh_max (5..86400)", false},
    {{"--status-file", "a\tb"},
     "edukiosk: --status-file: paths.status_file: contains a control character", false},
};

static void test_usage_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++) {
        const struct ucase *u = &usage_cases[i];
        const char *args[8] = {"--no-config"};
        size_t n = 1;
        for (size_t j = 0; j < 6 && u->args[j]; j++)
            args[n++] = u->args[j];
        args[n] = NULL;
        struct cli cli;
        struct config cfg;
        char *msgs;
        if (parse(&cli, &cfg, &msgs, args) != -1)
            fail_msg("case %zu (%s) was accepted", i, u->message);
        char want[512];
        snprintf(want, sizeof(want), "%s\n%s", u->message,
                 u->hint ? "Try 'edukiosk --help' for more information.\n" : "");
        if (strcmp(msgs, want) != 0)
            fail_msg("case %zu: got\n%s\nwant\n%s", i, msgs, want);
        free(msgs);
        cli_free(&cli);
        config_free(&cfg);
    }
}

static void test_print_config(void **state)
{
    (void)state;
    char conf[512];
    snprintf(conf, sizeof(conf), "%s",
             write_conf("p.conf", "[kiosk]\nsites = north\n[schedule]\nsun = off\n"));
    struct cli cli;
    struct config cfg;
    char *msgs;
    assert_int_equal(parse(&cli, &cfg, &msgs,
                           ARGS("-c", conf, "--print-config", "-f", "/srv/feed.json",
                                "--set", "mon=07:00-18:00")),
                     0);
    free(msgs);
    assert_int_equal(cli.mode, CLI_PRINT_CONFIG);
    struct tu_capture cap;
    config_print(&cfg, tu_capture_open(&cap));
    char *out = tu_capture_close(&cap);
    assert_non_null(strstr(out, "\n[feed]\nurl = /srv/feed.json\n"));
    assert_non_null(strstr(out, "\nsites = north\n"));
    assert_non_null(strstr(out, "\nmon = 07:00-18:00\n"));
    assert_non_null(strstr(out, "\nsun = off\n"));
    assert_non_null(strstr(out, "\nsat = on\n"));

    /* What --print-config prints is a configuration file of its own. */
    char again[512];
    snprintf(again, sizeof(again), "%s", write_conf("again.conf", out));
    struct cli cli2;
    struct config cfg2;
    char *msgs2;
    assert_int_equal(parse(&cli2, &cfg2, &msgs2, ARGS("-c", again)), 0);
    assert_string_equal(msgs2, "");
    free(msgs2);
    assert_string_equal(cfg2.feed, "/srv/feed.json");
    assert_int_equal(cfg2.display[0].on, 7 * 60);
    assert_int_equal(cfg2.display[6].on, CONFIG_DAY_OFF);
    free(out);
    cli_free(&cli2);
    config_free(&cfg2);
    cli_free(&cli);
    config_free(&cfg);
}

static void test_usage_text(void **state)
{
    (void)state;
    struct tu_capture cap;
    FILE *f = tu_capture_open(&cap);
    cli_usage(f);
    cli_version(f);
    char *out = tu_capture_close(&cap);
    /* Every long option is documented in the usage text. */
    static const char *const opts[] = {
        "--feed", "--config", "--no-config", "--set", "--window", "--size", "--render",
        "--check", "--exit-after", "--stats", "--status-file", "--verbose",
        "--print-config", "--print-config-reference", "--help", "--version"};
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (!strstr(out, opts[i]))
            fail_msg("usage lacks %s", opts[i]);
    assert_non_null(strstr(out, "\nedukiosk " EDUKIOSK_VERSION "\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_no_config),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_command_line_beats_file),
        cmocka_unit_test(test_config_file_choice),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_print_config),
        cmocka_unit_test(test_usage_text),
    };
    return cmocka_run_group_tests(tests, setup_dir, tu_tmpdir_teardown);
}
