/* edukiosk-editor: the web editor of the feed (docs/editor.md).  A second
 * program over the kiosk's own modules: its feed parser validates, its
 * renderer draws the previews. */
#define LOG_MODULE "editor"

#include <SDL_ttf.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "audit.h"
#include "auth.h"
#include "econfig.h"
#include "fileutil.h"
#include "httpd.h"
#include "log.h"
#include "platform.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edukiosk-editor [OPTION]...\n"
            "The web editor of an edukiosk feed: edit, preview with the kiosk's renderer,\n"
            "publish (signed), roll back.  See edukiosk-editor(1) and docs/editor.md.\n\n"
            "  -c, --config FILE        configuration file (default " ECONFIG_DEFAULT_PATH ")\n"
            "  -l, --listen ADDR:PORT   serve here (default 127.0.0.1:8080; port 0: any)\n"
            "  -d, --data-dir DIR       users, draft, versions, audit log\n"
            "  -p, --published-dir DIR  where the published feed is written\n"
            "  -s, --set KEY=VALUE      any configuration key\n"
            "      --add-user NAME      add a user or set a password (read from stdin)\n"
            "      --print-config       print the effective configuration and exit\n"
            "  -h, --help               this help\n"
            "  -V, --version            the version\n");
}

/* One line of stdin without echo on a terminal; the newline removed. */
static int read_password(const char *prompt, char *buf, size_t len)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *r = fgets(buf, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!r)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int add_user(const struct econfig *c, const char *name)
{
    char path[4096], pw[USERS_PASSWORD_MAX + 2], again[USERS_PASSWORD_MAX + 2];
    int r = file_mkdirs(c->data_dir);
    if (r < 0 || file_join(path, sizeof(path), c->data_dir, "users") < 0) {
        fprintf(stderr, "edukiosk-editor: cannot create %s: %s\n", c->data_dir,
                file_strerror(r < 0 ? r : -ENAMETOOLONG));
        return 1;
    }
    if (!users_valid_name(name)) {
        fprintf(stderr, "edukiosk-editor: %s: a user name is 1 to %d letters, digits, '.', "
                        "'_' or '-'\n", name, USERS_NAME_MAX);
        return 2;
    }
    if (read_password("password: ", pw, sizeof(pw)) < 0) {
        fprintf(stderr, "edukiosk-editor: no password given on stdin\n");
        return 2;
    }
    if (isatty(STDIN_FILENO) &&
        (read_password("again: ", again, sizeof(again)) < 0 || strcmp(pw, again) != 0)) {
        fprintf(stderr, "edukiosk-editor: the passwords differ; nothing changed\n");
        return 2;
    }
    char err[256];
    r = users_set_password(path, name, pw, err, sizeof(err));
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(again, sizeof(again));
    if (r < 0) {
        fprintf(stderr, "edukiosk-editor: %s\n", err);
        return 1;
    }
    printf("%s: user %s can log in\n", path, name);
    return 0;
}

static char *read_pem(const char *path)
{
    char *data;
    size_t len;
    int r = file_read(path, (size_t)1024 * 1024, &data, &len);
    if (r < 0) {
        fprintf(stderr, "edukiosk-editor: %s: %s\n", path, file_strerror(r));
        return NULL;
    }
    return data; /* file_read NUL-terminates */
}

static int serve(const struct econfig *c)
{
    char err[512];
    /* Signals are taken by sigwait below, in this thread only. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer */

    if (TTF_Init() < 0) {
        fprintf(stderr, "edukiosk-editor: cannot start SDL_ttf: %s\n", TTF_GetError());
        return 3;
    }
    char users[4096];
    struct store *s = store_open(c, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "edukiosk-editor: %s\n", err);
        TTF_Quit();
        return 1;
    }
    struct auth *a = NULL;
    if (file_join(users, sizeof(users), c->data_dir, "users") == 0)
        a = auth_new(users, c->session_hours * 3600, err, sizeof(err));
    if (!a) {
        fprintf(stderr, "edukiosk-editor: %s\n", err);
        store_free(s);
        TTF_Quit();
        return 1;
    }
    char *cert = c->tls_cert ? read_pem(c->tls_cert) : NULL;
    char *key = c->tls_key ? read_pem(c->tls_key) : NULL;
    char log_path[4096];
    struct audit *log = file_join(log_path, sizeof(log_path), c->data_dir, "audit.log") == 0
                            ? audit_open(log_path)
                            : NULL;
    struct api *api = log ? api_new(c, s, a, log) : NULL;
    struct httpd *h = NULL;
    int rc = 1;
    if ((c->tls_cert && (!cert || !key)) || !api)
        goto done;
    /* A feed text, a log-in or a summary: max_feed_bytes; an image: its own cap. */
    struct httpd_opts o = {.listen = c->listen, .tls_cert = cert, .tls_key = key,
                           .trusted_proxy = c->trusted_proxy, .max_body = c->max_feed_bytes,
                           .upload_path = "/api/images", .max_upload = c->max_image_bytes,
                           .handler = api_handle, .early = api_early, .ctx = api};
    h = httpd_start(&o, err, sizeof(err));
    if (!h) {
        fprintf(stderr, "edukiosk-editor: %s\n", err);
        goto done;
    }
    char host[256];
    snprintf(host, sizeof(host), "%s", c->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "edukiosk-editor: listening on %s://%s:%d/\n", cert ? "https" : "http",
            host, httpd_port(h));
    char key_id[17];
    if (store_signing(s, key_id))
        LOG_INFO("publishing signed with key %s", key_id);
    else
        LOG_INFO("publishing unsigned (no signing_key)");
    platform_notify_ready(NULL);

    long wd = platform_watchdog_interval_ms();
    for (;;) {
        int sig;
        if (wd > 0) {
            struct timespec ts = {.tv_sec = wd / 2000, .tv_nsec = (wd / 2 % 1000) * 1000000L};
            sig = sigtimedwait(&set, NULL, &ts);
            platform_watchdog_kick();
            if (sig < 0)
                continue;
        } else if (sigwait(&set, &sig) != 0) {
            continue;
        }
        if (sig != SIGHUP)
            break;
        LOG_INFO("SIGHUP: nothing to reload (users are read again when their file changes)");
    }
    platform_notify_stopping();
    LOG_INFO("stopping");
    rc = 0;
done:
    httpd_stop(h);
    api_free(api);
    audit_free(log);
    auth_free(a);
    store_free(s);
    if (key)
        sodium_memzero(key, strlen(key));
    free(key);
    free(cert);
    TTF_Quit();
    return rc;
}

int main(int argc, char **argv)
{
    enum { OPT_ADD_USER = 1000, OPT_PRINT };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"data-dir", required_argument, NULL, 'd'},
        {"published-dir", required_argument, NULL, 'p'},
        {"set", required_argument, NULL, 's'},
        {"add-user", required_argument, NULL, OPT_ADD_USER},
        {"print-config", no_argument, NULL, OPT_PRINT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *add = NULL;
    bool print = false;
    /* The file first, then the options over it: read the options twice. */
    int o;
    while ((o = getopt_long(argc, argv, "c:l:d:p:s:hV", opts, NULL)) != -1) {
        switch (o) {
        case 'c': config = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("edukiosk-editor %s\n", EDUKIOSK_VERSION); return 0;
        case OPT_ADD_USER: add = optarg; break;
        case OPT_PRINT: print = true; break;
        case '?': usage(stderr); return 2;
        default: break;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "edukiosk-editor: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    struct econfig c;
    if (econfig_defaults(&c) < 0)
        return 3;
    if (econfig_load(&c, config ? config : ECONFIG_DEFAULT_PATH, config != NULL, stderr) < 0) {
        econfig_free(&c);
        return 2;
    }
    optind = 1;
    int bad = 0;
    while ((o = getopt_long(argc, argv, "c:l:d:p:s:hV", opts, NULL)) != -1) {
        const char *key = NULL, *val = optarg;
        char buf[4200];
        switch (o) {
        case 'l': key = "listen"; break;
        case 'd': key = "data_dir"; break;
        case 'p': key = "published_dir"; break;
        case 's': {
            const char *eq = optarg ? strchr(optarg, '=') : NULL;
            if (!eq || (size_t)(eq - optarg) >= 64) {
                fprintf(stderr, "edukiosk-editor: --set %s: expected KEY=VALUE\n", optarg);
                bad = 1;
                continue;
            }
            snprintf(buf, sizeof(buf), "%.*s", (int)(eq - optarg), optarg);
            key = buf;
            val = eq + 1;
            break;
        }
        default: continue;
        }
        if (econfig_set(&c, key, val, stderr) < 0)
            bad = 1;
    }
    if (bad || econfig_check(&c, stderr) < 0) {
        econfig_free(&c);
        return 2;
    }
    log_set_level((enum log_level)c.log_level);
    int rc;
    if (print) {
        econfig_print(&c, stdout);
        rc = 0;
    } else if (add) {
        rc = add_user(&c, add);
    } else {
        rc = serve(&c);
    }
    econfig_free(&c);
    return rc;
}
