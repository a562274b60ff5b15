#include "testutil.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* ---- helpers ------------------------------------------------------------ */

/* name in the temporary directory, holding text; returns its path. */
static const char *write_conf(const char *name, const char *text)
{
    return tu_write_file(tu_tmp_path(name), text);
}

/* The value config_print writes for one key ("section.name"), in buf. */
static const char *printed(const struct config *c, const char *full, char *buf,
                           size_t len)
{
    struct tu_capture cap;
    config_print(c, tu_capture_open(&cap));
    char *out = tu_capture_close(&cap);
    const char *dot = strchr(full, '.');
    char section[64], want[80];
    snprintf(section, sizeof(section), "[%.*s]\n", (int)(dot - full), full);
    snprintf(want, sizeof(want), "\n%s =", dot + 1);
    const char *s = strstr(out, section);
    assert_non_null(s);
    const char *p = strstr(s, want);
    assert_non_null(p);
    p += strlen(want);
    if (*p == ' ')
        p++;
    const char *nl = strchr(p, '\n');
    snprintf(buf, len, "%.*s", (int)(nl - p), p);
    free(out);
    return buf;
}

static void clear_env(void)
{
    unsetenv("CACHE_DIRECTORY");
    unsetenv("RUNTIME_DIRECTORY");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_RUNTIME_DIR");
}

/* ---- every key: valid and invalid values ------------------------------- */

struct vcase {
    const char *key;
    const char *value;
    const char *printed; /* NULL: must be rejected */
};

static const struct vcase value_cases[] = {
    {"kiosk.school", "第一中学", "第一中学"},
    {"kiosk.school", "", ""},
    {"kiosk.school", "\"  padded  \"", "\"  padded  \""},
    {"kiosk.school", "bad\x01" "ctl", NULL},
    {"kiosk.school", "\xff\xfe", NULL},
    {"kiosk.sites", "north, east ,west", "north, east, west"},
    {"kiosk.sites", "north,north", "north"},
    {"kiosk.sites", "一中,二中", "一中, 二中"},
    {"kiosk.sites", "", ""},
    {"kiosk.sites", "a,,b", NULL},
    {"kiosk.sites", "a b", NULL},
    {"kiosk.sites", "a,", NULL},
    {"kiosk.language", "zh-CN", "zh-CN"},
    {"kiosk.language", "ZH_cn", "zh-CN"},
    {"kiosk.language", "en", "en"},
    {"kiosk.language", "auto", ""},
    {"kiosk.language", "fr", NULL},
    {"kiosk.ticker", "no", "no"},
    {"kiosk.ticker", "On", "yes"},
    {"kiosk.ticker", "1", "yes"},
    {"kiosk.ticker", "maybe", NULL},
    {"kiosk.quit_keys", "true", "yes"},
    {"kiosk.quit_keys", "", NULL},
    {"kiosk.log_level", "debug", "debug"},
    {"kiosk.log_level", "WARNING", "warning"},
    {"kiosk.log_level", "verbose", NULL},

    {"feed.url", "https://example.org/feed.json", "https://example.org/feed.json"},
    {"feed.url", "file:///srv/feed.json", "file:///srv/feed.json"},
    {"feed.url", "feeds/local.json", "feeds/local.json"},
    {"feed.url", "", ""},
    {"feed.url", "ftp://example.org/feed.json", NULL},
    {"feed.url", "https://", NULL},
    {"feed.url", "https://example.org/a feed.json", NULL},
    {"feed.refresh", "60", "60"},
    {"feed.refresh", "86400", "86400"},
    {"feed.refresh", "0", NULL},
    {"feed.refresh", "604801", NULL},
    {"feed.refresh", "5m", NULL},
    {"feed.refresh", "12abc", NULL},
    {"feed.refresh", "99999999999999999999", NULL},
    {"feed.refresh_min", "1", "1"},
    {"feed.refresh_min", "-5", NULL},
    {"feed.refresh_max", "3600", "3600"},
    {"feed.refresh_max", "x", NULL},
    {"feed.connect_timeout", "300", "300"},
    {"feed.connect_timeout", "301", NULL},
    {"feed.timeout", "1", "1"},
    {"feed.timeout", "3601", NULL},
    {"feed.ca_file", "@data/fetch/test-cert.pem", "@data/fetch/test-cert.pem"},
    {"feed.ca_file", "", ""},
    {"feed.ca_file", "/etc/ssl/district.pem", NULL},      /* missing */
    {"feed.ca_file", "fetch/test-cert.pem", NULL},        /* relative */
    {"feed.ca_file", "@data/fetch/test-key.pem", NULL},   /* a key, no certificate */
    {"feed.ca_file", "/dev/zero", NULL},
    {"feed.feed_public_key", "RWTVancOfD+qZrTDEqdAIwo5YGxhaVZKgJkDJZ5d2dZtQkRfgsNyfJoi", "RWTVancOfD+qZrTDEqdAIwo5YGxhaVZKgJkDJZ5d2dZtQkRfgsNyfJoi"},
    {"feed.feed_public_key", "@data/sign/a.pub", "@data/sign/a.pub"},
    /* Two while a key is rotated. */
    {"feed.feed_public_key", "@data/sign/a.pub, RWSEjY4euzlCDS4DGBkwdmBES5PnASEoOSfCz0b4fGDRd8+d6eRm4orQ",
     "@data/sign/a.pub, RWSEjY4euzlCDS4DGBkwdmBES5PnASEoOSfCz0b4fGDRd8+d6eRm4orQ"},
    {"feed.feed_public_key", "", ""},
    {"feed.feed_public_key", "RWQ", NULL},                       /* cut short */
    {"feed.feed_public_key", "@data/sign/a.key", NULL},          /* the secret key */
    {"feed.feed_public_key", "/etc/edukiosk/missing.pub", NULL},
    {"feed.feed_public_key", "@data/sign/feed.json.minisig", NULL},
    {"feed.max_feed_bytes", "1048576", "1M"},
    {"feed.max_feed_bytes", "512K", "512K"},
    {"feed.max_feed_bytes", "3MiB", "3M"},
    {"feed.max_feed_bytes", "1500000", "1500000"},
    {"feed.max_feed_bytes", "1023", NULL},
    {"feed.max_feed_bytes", "65M", NULL},
    {"feed.max_feed_bytes", "2T", NULL},
    {"feed.max_feed_bytes", "9999999999G", NULL},
    {"feed.max_image_bytes", "256M", "256M"},
    {"feed.max_image_bytes", "1G", NULL},
    {"feed.max_image_pixels", "8294400", "8294400"},
    {"feed.max_image_pixels", "0", NULL},

    {"display.fullscreen", "no", "no"},
    {"display.fullscreen", "windowed", NULL},
    {"display.width", "1920", "1920"},
    {"display.width", "0", "0"},
    {"display.width", "16385", NULL},
    {"display.height", "1080", "1080"},
    {"display.height", "-1", NULL},
    {"display.rotation", "90", "90"},
    {"display.rotation", "270", "270"},
    {"display.rotation", "45", NULL},
    {"display.rotation", "360", NULL},
    {"display.video_driver", "kmsdrm", "kmsdrm"},
    {"display.video_driver", "KMSDRM", "KMSDRM"},
    {"display.video_driver", "wayland,x11", "wayland,x11"},
    {"display.video_driver", "kms drm", NULL},
    {"display.video_driver", "../x", NULL},
    {"display.render_driver", "software", "software"},
    {"display.render_driver", "opengles2;rm", NULL},
    {"display.vsync", "off", "no"},
    {"display.vsync", "2", NULL},

    {"schedule.mon", "07:00-18:00", "07:00-18:00"},
    {"schedule.mon", "7:30 - 18:05", "07:30-18:05"},
    {"schedule.mon", "22:00-06:00", "22:00-06:00"},
    {"schedule.mon", "06:00-24:00", "06:00-00:00"},
    {"schedule.mon", "off", "off"},
    {"schedule.mon", "never", "off"},
    {"schedule.mon", "on", "on"},
    {"schedule.mon", "always", "on"},
    {"schedule.mon", "08:00-08:00", NULL},
    {"schedule.mon", "24:00-08:00", NULL},
    {"schedule.mon", "07:60-18:00", NULL},
    {"schedule.mon", "25:00-18:00", NULL},
    {"schedule.mon", "07:00", NULL},
    {"schedule.mon", "07:00-18:00-19:00", NULL},
    {"schedule.mon", "", NULL},
    {"schedule.tue", "off", "off"},
    {"schedule.tue", "7-18", NULL},
    {"schedule.wed", "09:15-17:45", "09:15-17:45"},
    {"schedule.wed", "09:15-", NULL},
    {"schedule.thu", "x", NULL},
    {"schedule.thu", "00:00-23:59", "00:00-23:59"},
    {"schedule.fri", "07:00-19:00", "07:00-19:00"},
    {"schedule.fri", "07:00–19:00", NULL},
    {"schedule.sat", "off", "off"},
    {"schedule.sat", "closed", NULL},
    {"schedule.sun", "12:00-13:00", "12:00-13:00"},
    {"schedule.sun", "-12:00-13:00", NULL},
    {"schedule.off_cmd", "cec-ctl -d0 --to 0 --standby", "cec-ctl -d0 --to 0 --standby"},
    {"schedule.off_cmd", "a\nb", NULL},
    {"schedule.on_cmd", "cec-ctl -d0 --to 0 --image-view-on",
     "cec-ctl -d0 --to 0 --image-view-on"},
    {"schedule.on_cmd", "", ""},
    {"schedule.on_cmd", "\xc3\x28", NULL},
    {"schedule.cmd_timeout", "5", "5"},
    {"schedule.cmd_timeout", "0", NULL},

    {"paths.cache_dir", "/var/cache/edukiosk", "/var/cache/edukiosk"},
    {"paths.cache_dir", "", ""},
    {"paths.cache_dir", "cache", NULL},
    {"paths.cache_dir", "/dev/null", NULL},
    {"paths.status_file", "/run/edukiosk/status.json", "/run/edukiosk/status.json"},
    {"paths.status_file", "st\tatus", NULL},
    {"paths.status_file", "run/status.json", NULL},
    {"paths.status_file", "/tmp", NULL},
    {"paths.metrics_file", "/run/edukiosk/metrics.prom", "/run/edukiosk/metrics.prom"},
    {"paths.metrics_file", "metrics.prom", NULL},
};

/* A case's text with "@data/" standing for the test data directory (an
 * absolute path known only at run time), in buf. */
static const char *expand(const char *text, char *buf, size_t len)
{
    if (text && strncmp(text, "@data/", 6) == 0)
        snprintf(buf, len, "%s", test_data(text + 6));
    else
        snprintf(buf, len, "%s", text ? text : "");
    return buf;
}

static void test_every_key_has_cases(void **state)
{
    (void)state;
    const char *name;
    for (size_t i = 0; (name = config_key_name(i)); i++) {
        bool valid = false, invalid = false;
        for (size_t j = 0; j < sizeof(value_cases) / sizeof(value_cases[0]); j++) {
            if (strcmp(value_cases[j].key, name) != 0)
                continue;
            if (value_cases[j].printed)
                valid = true;
            else
                invalid = true;
        }
        if (!valid)
            fail_msg("no valid-value case for %s", name);
        if (!invalid)
            fail_msg("no invalid-value case for %s", name);
    }
}

static void test_values(void **state)
{
    (void)state;
    for (size_t j = 0; j < sizeof(value_cases) / sizeof(value_cases[0]); j++) {
        const struct vcase *vc = &value_cases[j];
        struct config c;
        config_defaults(&c);
        char err[256] = "", before[512], after[512];
        printed(&c, vc->key, before, sizeof(before));
        /* A value in quotes is what the file parser unquotes. */
        char value[TU_PATH_MAX], text[TU_PATH_MAX], want[TU_PATH_MAX];
        expand(vc->value, text, sizeof(text));
        size_t vl = strlen(text);
        if (vl >= 2 && text[0] == '"' && text[vl - 1] == '"')
            snprintf(value, sizeof(value), "%.*s", (int)vl - 2, text + 1);
        else
            snprintf(value, sizeof(value), "%s", text);
        int r = config_set(&c, vc->key, value, err, sizeof(err));
        printed(&c, vc->key, after, sizeof(after));
        if (vc->printed) {
            if (r != 0)
                fail_msg("%s = '%s' rejected: %s", vc->key, vc->value, err);
            if (strcmp(after, expand(vc->printed, want, sizeof(want))) != 0)
                fail_msg("%s = '%s' prints as '%s', want '%s'", vc->key, vc->value,
                         after, want);
        } else {
            if (r == 0)
                fail_msg("%s = '%s' accepted as '%s'", vc->key, vc->value, after);
            /* The message names the key and the old value stays. */
            if (strncmp(err, vc->key, strlen(vc->key)) != 0)
                fail_msg("error for %s lacks the key: %s", vc->key, err);
            assert_string_equal(before, after);
        }
        config_free(&c);
    }
}

/* The same cases through a file: the key in its section, each on its own
 * line, so every failure must name its line. */
static void test_values_in_file(void **state)
{
    (void)state;
    for (size_t j = 0; j < sizeof(value_cases) / sizeof(value_cases[0]); j++) {
        const struct vcase *vc = &value_cases[j];
        if (strchr(vc->value, '\n'))
            continue; /* would be two lines */
        const char *dot = strchr(vc->key, '.');
        char text[TU_PATH_MAX + 512], value[TU_PATH_MAX], want_value[TU_PATH_MAX];
        expand(vc->value, value, sizeof(value));
        /* width and height go together (a rule across keys). */
        bool zero = strcmp(vc->value, "0") == 0;
        const char *partner = zero ? ""
                              : strcmp(vc->key, "display.width") == 0 ? "height = 600\n"
                              : strcmp(vc->key, "display.height") == 0 ? "width = 800\n"
                                                                        : "";
        snprintf(text, sizeof(text), "# case %zu\n\n[%.*s]\n%s = %s\n%s", j,
                 (int)(dot - vc->key), vc->key, dot + 1, value, partner);
        const char *path = write_conf("case.conf", text);
        struct config c;
        config_defaults(&c);
        struct tu_capture cap;
        int r = config_load(&c, path, true, tu_capture_open(&cap));
        char *msgs = tu_capture_close(&cap);
        if (vc->printed) {
            if (r != 0)
                fail_msg("%s = '%s' rejected in a file: %s", vc->key, vc->value, msgs);
            char got[TU_PATH_MAX];
            printed(&c, vc->key, got, sizeof(got));
            assert_string_equal(got, expand(vc->printed, want_value, sizeof(want_value)));
            assert_string_equal(msgs, "");
        } else {
            assert_int_equal(r, -1);
            char want[600];
            snprintf(want, sizeof(want), "%s:4: %s: ", path, dot + 1);
            if (strncmp(msgs, want, strlen(want)) != 0)
                fail_msg("error for %s = '%s' is '%s', want prefix '%s'", vc->key,
                         vc->value, msgs, want);
        }
        free(msgs);
        config_free(&c);
    }
}

static void test_defaults(void **state)
{
    (void)state;
    clear_env();
    setenv("HOME", "/srv/kiosk-home", 1);
    struct config c;
    config_defaults(&c);
    assert_null(c.feed);
    assert_int_equal(c.refresh_s, 300);
    assert_int_equal(c.refresh_min_s, 5);
    assert_int_equal(c.refresh_max_s, 86400);
    assert_true(c.fullscreen);
    assert_true(c.vsync);
    assert_true(c.ticker);
    assert_false(c.quit_keys);
    assert_int_equal(c.rotation, 0);
    assert_int_equal(c.log_level, LOG_LEVEL_INFO);
    assert_int_equal(c.max_feed_bytes, 2 * 1024 * 1024);
    assert_int_equal(c.max_image_bytes, 8 * 1024 * 1024);
    assert_int_equal(c.max_image_pixels, 12582912);
    assert_int_equal(c.connect_timeout_s, 10);
    assert_int_equal(c.timeout_s, 60);
    assert_int_equal(c.display_cmd_timeout_s, 30);
    for (int d = 0; d < 7; d++)
        assert_int_equal(c.display[d].on, c.display[d].off); /* always on */
    assert_string_equal(c.cache_dir, "/srv/kiosk-home/.cache/edukiosk");
    /* No runtime directory: nothing is written to the SD card. */
    assert_null(c.status_file);
    assert_null(c.metrics_file);
    assert_int_equal(config_validate(&c, (char[64]){0}, 64), 0);
    config_free(&c);

    setenv("XDG_CACHE_HOME", "/tmp/xdg-cache", 1);
    setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    config_defaults(&c);
    assert_string_equal(c.cache_dir, "/tmp/xdg-cache/edukiosk");
    assert_string_equal(c.status_file, "/run/user/1000/edukiosk/status.json");
    assert_string_equal(c.metrics_file, "/run/user/1000/edukiosk/metrics.prom");
    config_free(&c);

    /* What systemd's CacheDirectory= and RuntimeDirectory= export wins. */
    setenv("CACHE_DIRECTORY", "/var/cache/edukiosk", 1);
    setenv("RUNTIME_DIRECTORY", "/run/edukiosk:/run/other", 1);
    config_defaults(&c);
    assert_string_equal(c.cache_dir, "/var/cache/edukiosk");
    assert_string_equal(c.status_file, "/run/edukiosk/status.json");
    assert_string_equal(c.metrics_file, "/run/edukiosk/metrics.prom");
    config_free(&c);

    /* Relative values are not trusted as a base directory. */
    setenv("CACHE_DIRECTORY", "relative", 1);
    setenv("RUNTIME_DIRECTORY", "", 1);
    unsetenv("XDG_RUNTIME_DIR");
    config_defaults(&c);
    assert_string_equal(c.cache_dir, "/tmp/xdg-cache/edukiosk");
    assert_null(c.status_file);
    config_free(&c);
    clear_env();
    config_free(NULL);
}

static void test_full_file(void **state)
{
    (void)state;
    const char *path = write_conf("full.conf",
        "; a complete file\n"
        "[kiosk]\n"
        "school = 第一中学\n"
        "sites = north, gym\n"
        "\n"
        "[feed]\n"
        "  url = https://cdn.example.org/district/feed.json   ; inline comment\n"
        "refresh = 120\n"
        "max_feed_bytes = 4M\n"
        "\n"
        "[DISPLAY]\n"
        "rotation = 90\n"
        "video_driver = kmsdrm\n"
        "\n"
        "[schedule]\n"
        "mon: 07:00-18:00\n"
        "sat = off\n"
        "sun = off\n"
        "off_cmd = cec-ctl -d0 --to 0 --standby\n");
    struct config c;
    config_defaults(&c);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), 0);
    char *msgs = tu_capture_close(&cap);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_string_equal(c.school, "第一中学");
    assert_int_equal(c.n_sites, 2);
    assert_string_equal(c.sites[0], "north");
    assert_string_equal(c.sites[1], "gym");
    assert_string_equal(c.feed, "https://cdn.example.org/district/feed.json");
    assert_int_equal(c.refresh_s, 120);
    assert_int_equal(c.max_feed_bytes, 4 * 1024 * 1024);
    assert_int_equal(c.rotation, 90);
    assert_string_equal(c.video_driver, "kmsdrm");
    assert_int_equal(c.display[0].on, 7 * 60);
    assert_int_equal(c.display[0].off, 18 * 60);
    assert_int_equal(c.display[1].on, c.display[1].off);
    assert_int_equal(c.display[5].on, CONFIG_DAY_OFF);
    assert_int_equal(c.display[6].on, CONFIG_DAY_OFF);
    assert_string_equal(c.display_off_cmd, "cec-ctl -d0 --to 0 --standby");
    assert_null(c.display_on_cmd);

    /* config_print writes a file that loads back to the same output. */
    struct tu_capture p1, p2;
    config_print(&c, tu_capture_open(&p1));
    char *first = tu_capture_close(&p1);
    const char *again = write_conf("printed.conf", first);
    struct config d;
    config_defaults(&d);
    struct tu_capture e;
    assert_int_equal(config_load(&d, again, true, tu_capture_open(&e)), 0);
    msgs = tu_capture_close(&e);
    assert_string_equal(msgs, "");
    free(msgs);
    config_print(&d, tu_capture_open(&p2));
    char *second = tu_capture_close(&p2);
    assert_string_equal(first, second);
    free(first);
    free(second);
    config_free(&d);

    /* A value starting with ';' (quoted in a file) is written so that it
     * does not read back as a comment. */
    struct config q;
    assert_int_equal(config_copy(&q, &c), 0);
    char err[256];
    assert_int_equal(config_set(&q, "school", "; 第一中学", err, sizeof(err)), 0);
    config_print(&q, tu_capture_open(&p1));
    first = tu_capture_close(&p1);
    again = write_conf("semicolon.conf", first);
    free(first);
    config_defaults(&d);
    assert_int_equal(config_load(&d, again, true, tu_capture_open(&e)), 0);
    free(tu_capture_close(&e));
    assert_non_null(d.school);
    assert_string_equal(d.school, "; 第一中学");
    config_free(&d);
    config_free(&q);

    /* A deep copy owns its strings. */
    struct config copy;
    assert_int_equal(config_copy(&copy, &c), 0);
    config_free(&c);
    assert_string_equal(copy.sites[1], "gym");
    assert_string_equal(copy.school, "第一中学");
    config_free(&copy);
}

static void test_flat_layout(void **state)
{
    (void)state;
    const char *path = write_conf("flat.conf",
        "url = /srv/feed.json\nrotation = 180\nsat = 09:00-12:00\n");
    struct config c;
    config_defaults(&c);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), 0);
    char *msgs = tu_capture_close(&cap);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_string_equal(c.feed, "/srv/feed.json");
    assert_int_equal(c.rotation, 180);
    assert_int_equal(c.display[5].on, 9 * 60);
    config_free(&c);
}

static void test_warnings(void **state)
{
    (void)state;
    const char *path = write_conf("warn.conf",
        "[feed]\n"
        "url = /a.json\n"
        "colour = blue\n"
        "rotation = 90\n"
        "[extras]\n"
        "anything = 1\n"
        "[feed]\n"
        "url = /b.json\n");
    struct config c;
    config_defaults(&c);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), 0);
    char *msgs = tu_capture_close(&cap);
    char want[2048];
    snprintf(want, sizeof(want),
             "%1$s:3: warning: colour: unknown key, ignored\n"
             "%1$s:4: warning: rotation: belongs in [display], ignored here\n"
             "%1$s:5: warning: unknown section [extras], its keys are ignored\n"
             "%1$s:8: warning: url: also set on line 2; this line wins\n",
             path);
    assert_string_equal(msgs, want);
    free(msgs);
    assert_string_equal(c.feed, "/b.json");
    assert_int_equal(c.rotation, 0);
    config_free(&c);
}

static void test_errors_all_reported(void **state)
{
    (void)state;
    char longline[400];
    memset(longline, 'x', sizeof(longline));
    memcpy(longline, "school = ", 9);
    longline[sizeof(longline) - 1] = '\0';
    char text[1024];
    snprintf(text, sizeof(text),
             "[kiosk]\n"
             "ticker = perhaps\n"
             "this line is nonsense\n"
             "%s\n"
             "[display\n"
             "[feed]\n"
             "refresh = 10s\n"
             "url = https://example.org/ok.json\n",
             longline);
    const char *path = write_conf("bad.conf", text);
    struct config c;
    config_defaults(&c);
    c.school = strdup("kept");
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    char *msgs = tu_capture_close(&cap);
    char want[2048];
    snprintf(want, sizeof(want),
             "%1$s:2: ticker: must be yes or no\n"
             "%1$s:3: expected 'key = value', '[section]' or a # comment\n"
             "%1$s:4: line too long (at most 199 characters)\n"
             "%1$s:5: section header lacks ']'\n"
             "%1$s:7: refresh: must be an integer from 1 to 604800\n",
             path);
    assert_string_equal(msgs, want);
    free(msgs);
    /* All or nothing: the valid url line did not land either. */
    assert_null(c.feed);
    assert_string_equal(c.school, "kept");
    config_free(&c);
}

static void test_cross_key_rules(void **state)
{
    (void)state;
    const char *path = write_conf("cross.conf",
        "[feed]\nrefresh_min = 60\nrefresh_max = 30\n");
    struct config c;
    config_defaults(&c);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    char *msgs = tu_capture_close(&cap);
    char want[512];
    snprintf(want, sizeof(want), "%s:3: refresh_min: 60 is above refresh_max (30)\n",
             path);
    assert_string_equal(msgs, want);
    free(msgs);

    path = write_conf("cross2.conf", "[feed]\nrefresh_max = 100\n\n[display]\n");
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    msgs = tu_capture_close(&cap);
    snprintf(want, sizeof(want),
             "%s:2: refresh: 300 is outside refresh_min..refresh_max (5..100)\n", path);
    assert_string_equal(msgs, want);
    free(msgs);

    path = write_conf("cross3.conf", "[display]\nfullscreen = no\nwidth = 800\n");
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    msgs = tu_capture_close(&cap);
    snprintf(want, sizeof(want), "%s:3: width: give both width and height, or "
                                 "neither\n", path);
    assert_string_equal(msgs, want);
    free(msgs);

    char err[256];
    assert_int_equal(config_set(&c, "refresh", "1", err, sizeof(err)), 0);
    assert_int_equal(config_validate(&c, err, sizeof(err)), -1);
    assert_string_equal(err, "refresh: 1 is outside refresh_min..refresh_max "
                             "(5..86400)");
    config_free(&c);
}

static void test_missing_and_unreadable(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    char path[600];
    snprintf(path, sizeof(path), "%s", tu_tmp_path("absent.conf"));
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, false, tu_capture_open(&cap)), 0);
    char *msgs = tu_capture_close(&cap);
    assert_string_equal(msgs, "");
    free(msgs);

    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    msgs = tu_capture_close(&cap);
    char want[TU_PATH_MAX + 100];
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory\n", path);
    assert_string_equal(msgs, want);
    free(msgs);

    /* A directory is named for what it is. */
    assert_int_equal(config_load(&c, tu_tmpdir(), true, tu_capture_open(&cap)), -1);
    msgs = tu_capture_close(&cap);
    snprintf(want, sizeof(want), "%s: is a directory, not a regular file\n", tu_tmpdir());
    assert_string_equal(msgs, want);
    free(msgs);
    config_free(&c);
}

/* A FIFO, a device or a huge file in place of the configuration: a prompt
 * error naming the path and what it is, never a hang or a read without
 * end.  The alarm turns a hang into a failure. */
static void test_not_a_config_file(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    const char *fifo = tu_tmp_path("fifo.conf");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct {
        const char *path, *message;
    } cases[] = {
        {fifo, "is a FIFO, not a regular file"},
        {"/dev/zero", "is a character device, not a regular file"},
        {"/dev/null", "is a character device, not a regular file"},
    };
    alarm(20);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tu_capture cap;
        assert_int_equal(config_load(&c, cases[i].path, false, tu_capture_open(&cap)), -1);
        char *msgs = tu_capture_close(&cap);
        char want[TU_PATH_MAX];
        snprintf(want, sizeof(want), "%s: %s\n", cases[i].path, cases[i].message);
        assert_string_equal(msgs, want);
        free(msgs);
    }
    /* 2 MiB of comments: a file, but not a configuration. */
    size_t big = 2u << 20;
    char *text = malloc(big + 1);
    assert_non_null(text);
    for (size_t i = 0; i < big; i++)
        text[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? '#' : 'x';
    text[big] = '\0';
    const char *path = write_conf("big.conf", text);
    free(text);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    char *msgs = tu_capture_close(&cap);
    assert_non_null(strstr(msgs, "larger than 1024 KiB"));
    free(msgs);
    /* A NUL byte: not a text file. */
    path = tu_write_file(tu_tmp_path("nul.conf"), "[kiosk]\nschool = a");
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fwrite("\0b\n", 1, 3, f);
    fclose(f);
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), -1);
    msgs = tu_capture_close(&cap);
    char want[TU_PATH_MAX];
    snprintf(want, sizeof(want), "%s:2: contains a NUL byte (not a text file?)\n", path);
    assert_string_equal(msgs, want);
    free(msgs);
    alarm(0);
    assert_null(c.school);
    config_free(&c);
}

static void test_set_keys(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    char err[256];
    assert_int_equal(config_set(&c, "feed.url", "https://x.example/f.json", err,
                                sizeof(err)), 0);
    assert_int_equal(config_set(&c, "rotation", "270", err, sizeof(err)), 0);
    assert_int_equal(c.rotation, 270);
    assert_int_equal(config_set(&c, "FEED.Refresh", "30", err, sizeof(err)), 0);
    assert_int_equal(c.refresh_s, 30);
    assert_int_equal(config_set(&c, "nosuch", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "nosuch: unknown key");
    assert_int_equal(config_set(&c, "display.url", "x", err, sizeof(err)), -1);
    assert_string_equal(err, "display.url: unknown key");
    assert_int_equal(config_set(&c, "feed.refresh", "abc", err, sizeof(err)), -1);
    assert_string_equal(err, "feed.refresh: must be an integer from 1 to 604800");
    config_free(&c);
}

/* docs/configuration.md carries the reference that the table prints. */
static void test_reference_matches_docs(void **state)
{
    (void)state;
    size_t n;
    char *doc = tu_read_file(tu_top_path("docs/configuration.md"), &n);
    assert_true(n > 0);
    const char *begin = strstr(doc, "<!-- BEGIN KEYS -->\n");
    const char *end = strstr(doc, "<!-- END KEYS -->");
    assert_non_null(begin);
    assert_non_null(end);
    begin += strlen("<!-- BEGIN KEYS -->\n");
    struct tu_capture c;
    config_print_reference(tu_capture_open(&c));
    char *ref = tu_capture_close(&c);
    if (strlen(ref) != (size_t)(end - begin) || memcmp(ref, begin, strlen(ref)) != 0)
        fail_msg("docs/configuration.md is out of date: replace the block between the "
                 "KEYS markers with the output of 'edukiosk --print-config-reference'");
    free(ref);
    free(doc);
}

/* The shipped example loads without a word and mentions every key. */
static void test_example_config(void **state)
{
    (void)state;
    char path[TU_PATH_MAX];
    snprintf(path, sizeof(path), "%s", tu_top_path("deploy/edukiosk.conf.example"));
    struct config c;
    config_defaults(&c);
    struct tu_capture cap;
    assert_int_equal(config_load(&c, path, true, tu_capture_open(&cap)), 0);
    char *msgs = tu_capture_close(&cap);
    assert_string_equal(msgs, "");
    free(msgs);
    config_free(&c);

    size_t len;
    char *text = tu_read_file(path, &len);
    assert_true(len > 0);
    const char *name;
    for (size_t i = 0; (name = config_key_name(i)); i++) {
        const char *bare = strchr(name, '.') + 1;
        char a[80], b[80];
        snprintf(a, sizeof(a), "\n%s =", bare);
        snprintf(b, sizeof(b), "\n#%s =", bare);
        if (!strstr(text, a) && !strstr(text, b))
            fail_msg("deploy/edukiosk.conf.example lacks %s", name);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_has_cases),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_values_in_file),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_flat_layout),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_errors_all_reported),
        cmocka_unit_test(test_cross_key_rules),
        cmocka_unit_test(test_missing_and_unreadable),
        cmocka_unit_test(test_not_a_config_file),
        cmocka_unit_test(test_set_keys),
        cmocka_unit_test(test_reference_matches_docs),
        cmocka_unit_test(test_example_config),
    };
    return cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown);
}
