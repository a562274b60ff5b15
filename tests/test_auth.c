/* auth: the editor's accounts and sessions.  Users added with
 * users_set_password (a 0600 file, other lines kept) log in; wrong
 * passwords, unknown and malformed names do not; five failures lock the
 * account or the address for the window, even against the right password,
 * and the window passing unlocks it; sessions are found, renewed, expire
 * and end; the users file is read again when it changes and a malformed
 * one is refused naming its line.  Most accounts here are hashed with
 * libsodium's smallest limits so that many log-ins stay fast; those made
 * by users_set_password (interactive limits) take ~0.1 s each. */
#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "auth.h"

#define T0 1796000000
#define IDLE (8 * 3600)
#define PW "correct horse battery"

/* A users file path of its own for each test. */
static const char *users_path(const char *name)
{
    return tu_tmp_path(name);
}

/* "name:HASH\n" with the smallest Argon2id limits (fast). */
static void fast_line(char *out, size_t len, const char *name, const char *pw)
{
    char hash[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN),
                     0);
    int n = snprintf(out, len, "%s:%s\n", name, hash);
    assert_true(n > 0 && (size_t)n < len);
}

/* A users file of fast accounts: name, password, name, password, …, NULL. */
static const char *fast_users(const char *file, ...)
{
    char text[4096] = "";
    va_list ap;
    va_start(ap, file);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *pw = va_arg(ap, const char *);
        size_t l = strlen(text);
        fast_line(text + l, sizeof(text) - l, name, pw);
    }
    va_end(ap);
    return tu_write_file(users_path(file), text);
}

static struct auth *open_auth(const char *path)
{
    char err[512] = "";
    struct auth *a = auth_new(path, IDLE, err, sizeof(err));
    if (!a)
        fail_msg("auth_new: %s", err);
    return a;
}

static bool is_token(const char *s)
{
    if (strlen(s) != AUTH_TOKEN_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* One log-in; its session id in sid when given (static otherwise). */
static enum auth_result login_at(struct auth *a, const char *name, const char *pw,
                                 const char *addr, long long now, int *retry)
{
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    int r = -7;
    enum auth_result res = auth_login(a, name, pw, addr, (time_t)now, sid, csrf, &r);
    if (res == AUTH_OK) {
        assert_true(is_token(sid));
        assert_true(is_token(csrf));
        assert_string_not_equal(sid, csrf);
    } else {
        assert_string_equal(sid, "");
        assert_string_equal(csrf, "");
    }
    if (res == AUTH_LIMITED)
        assert_true(r > 0 && r <= AUTH_WINDOW_S);
    else
        assert_int_equal(r, 0);
    if (retry)
        *retry = r;
    return res;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- accounts ------------------------------------------------------------ */

static void test_add_user_login(void **state)
{
    (void)state;
    const char *path = users_path("add");
    char err[256] = "";
    assert_int_equal(users_set_password(path, "alice", PW, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    char *text = tu_read_file(path, NULL);
    /* libsodium's interactive limits: 64 MiB, two passes. */
    static const char head[] = "alice:$argon2id$v=19$m=65536,t=2,p=1$";
    assert_true(strncmp(text, head, strlen(head)) == 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    assert_ptr_equal(strchr(text, '\n') + 1, text + strlen(text)); /* one line */
    assert_null(strstr(text, PW));
    free(text);

    struct auth *a = open_auth(path);
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], user[USERS_NAME_MAX + 1],
        csrf2[AUTH_TOKEN_LEN + 1];
    int retry = -1;
    assert_int_equal(auth_login(a, "alice", PW, "192.0.2.1", T0, sid, csrf, &retry), AUTH_OK);
    assert_int_equal(retry, 0);
    assert_true(is_token(sid));
    assert_true(is_token(csrf));
    assert_true(auth_session(a, sid, T0 + 1, user, csrf2));
    assert_string_equal(user, "alice");
    assert_string_equal(csrf2, csrf);
    /* A second log-in is a second session with tokens of its own. */
    char sid2[AUTH_TOKEN_LEN + 1], csrf3[AUTH_TOKEN_LEN + 1];
    assert_int_equal(auth_login(a, "alice", PW, "192.0.2.1", T0, sid2, csrf3, NULL), AUTH_OK);
    assert_string_not_equal(sid, sid2);
    assert_string_not_equal(csrf, csrf3);
    assert_true(auth_session(a, sid, T0 + 2, NULL, NULL));
    assert_true(auth_session(a, sid2, T0 + 2, NULL, NULL));
    /* Names are case-sensitive. */
    assert_int_equal(login_at(a, "Alice", PW, "192.0.2.1", T0, NULL), AUTH_BAD);
    auth_free(a);
    auth_free(NULL);
}

static void test_wrong_password(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("wrong", "bob", PW, NULL));
    assert_int_equal(login_at(a, "bob", "correct horse battery!", "192.0.2.2", T0, NULL),
                     AUTH_BAD);
    assert_int_equal(login_at(a, "bob", "", "192.0.2.2", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "bob", NULL, "192.0.2.2", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "bob", PW, "192.0.2.2", T0, NULL), AUTH_OK);
    /* A password longer than any that can be set is never checked. */
    char huge[USERS_PASSWORD_MAX + 2];
    memset(huge, 'x', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(login_at(a, "bob", huge, "192.0.2.3", T0, NULL), AUTH_BAD);
    auth_free(a);
}

/* An unknown name fails like a wrong password, and is not answered
 * faster: a hash is verified all the same. */
static void test_unknown_user(void **state)
{
    (void)state;
    const char *path = users_path("unknown");
    char err[256];
    assert_int_equal(users_set_password(path, "carol", PW, err, sizeof(err)), 0);
    struct auth *a = open_auth(path);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(login_at(a, "carol", "wrong password", "192.0.2.4", T0, NULL), AUTH_BAD);
    double known = seconds_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(login_at(a, "dave", PW, "192.0.2.5", T0, NULL), AUTH_BAD);
    double unknown = seconds_since(&t0);
    /* Argon2id with interactive limits takes tens of milliseconds; an
     * answer without a hash would take microseconds. */
    if (unknown < known / 4)
        fail_msg("unknown user answered in %.4f s, known in %.4f s", unknown, known);
    assert_int_equal(login_at(a, NULL, PW, "192.0.2.5", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "", PW, "192.0.2.5", T0, NULL), AUTH_BAD);
    auth_free(a);
}

static void test_bad_names(void **state)
{
    (void)state;
    const char *good[] = {"a", "alice", "Bob.Smith", "x_y-z", "0", "abcdefghijklmnopqrstuvwxyz012345"};
    const char *bad[] = {"", "a b", "a:b", "élise", "张三", "a/b", "a\n",
                         "abcdefghijklmnopqrstuvwxyz0123456", "$argon2id$", "#x"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!users_valid_name(good[i]))
            fail_msg("\"%s\" refused", good[i]);
    assert_false(users_valid_name(NULL));
    const char *path = users_path("names");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (users_valid_name(bad[i]))
            fail_msg("\"%s\" accepted", bad[i]);
        char err[256] = "";
        assert_int_equal(users_set_password(path, bad[i], PW, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "user name"));
    }
    assert_false(tu_exists(tu_tmpdir(), "names"));
    /* Logging in with one is a plain failure (counted for the address). */
    struct auth *a = open_auth(fast_users("names2", "erin", PW, NULL));
    assert_int_equal(login_at(a, "a:b", PW, "192.0.2.6", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "abcdefghijklmnopqrstuvwxyz0123456789", PW, "192.0.2.6", T0,
                              NULL),
                     AUTH_BAD);
    auth_free(a);
}

static void test_short_password(void **state)
{
    (void)state;
    const char *path = users_path("short");
    char err[256] = "";
    assert_int_equal(users_set_password(path, "frank", "1234567", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at least 8 characters"));
    assert_int_equal(users_set_password(path, "frank", NULL, err, sizeof(err)), -1);
    /* Characters, not bytes: three Chinese ones are nine bytes but short. */
    assert_int_equal(users_set_password(path, "frank", "密码好", err, sizeof(err)), -1);
    assert_false(tu_exists(tu_tmpdir(), "short"));
    char longest[USERS_PASSWORD_MAX + 2];
    memset(longest, 'p', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    assert_int_equal(users_set_password(path, "frank", longest, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at most 256 bytes"));
    longest[USERS_PASSWORD_MAX] = '\0';
    assert_int_equal(users_set_password(path, "frank", longest, err, sizeof(err)), 0);
    assert_int_equal(users_set_password(path, "grace", "学校大门口的密码", err, sizeof(err)), 0);
    struct auth *a = open_auth(path);
    assert_int_equal(login_at(a, "frank", longest, "192.0.2.7", T0, NULL), AUTH_OK);
    assert_int_equal(login_at(a, "grace", "学校大门口的密码", "192.0.2.7", T0, NULL), AUTH_OK);
    auth_free(a);
}

/* ---- the users file ------------------------------------------------------ */

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_file_mode(void **state)
{
    (void)state;
    char err[256];
    /* A file that was readable by all, with a comment and another user. */
    char line[512];
    fast_line(line, sizeof(line), "henry", "henry's password");
    char text[1024];
    snprintf(text, sizeof(text), "# editor accounts\n%s\nivy:$argon2id$old\n", line);
    /* The last line is not a valid hash: the file is refused untouched. */
    const char *path = tu_write_file(users_path("mode"), text);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(users_set_password(path, "ivy", PW, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line 4"));
    char *now = tu_read_file(path, NULL);
    assert_string_equal(now, text);
    free(now);
    assert_int_equal(mode_of(path), 0644);

    snprintf(text, sizeof(text), "# editor accounts\r\n%s\n", line);
    tu_write_file(path, text);
    mode_t old = umask(0);
    assert_int_equal(users_set_password(path, "ivy", PW, err, sizeof(err)), 0);
    umask(old);
    assert_int_equal(mode_of(path), 0600);
    now = tu_read_file(path, NULL);
    /* The comment and henry's line as they were, ivy's added. */
    assert_true(strncmp(now, text, strlen(text)) == 0);
    assert_true(strncmp(now + strlen(text), "ivy:$argon2id$", 14) == 0);
    free(now);
    /* Replacing ivy's keeps the order and the lines. */
    assert_int_equal(users_set_password(path, "ivy", "a new password", err, sizeof(err)), 0);
    assert_int_equal(mode_of(path), 0600);
    now = tu_read_file(path, NULL);
    assert_true(strncmp(now, text, strlen(text)) == 0);
    assert_int_equal(strchr(now + strlen(text), '\n')[1], '\0');
    free(now);
    struct auth *a = open_auth(path);
    assert_int_equal(login_at(a, "henry", "henry's password", "192.0.2.8", T0, NULL), AUTH_OK);
    assert_int_equal(login_at(a, "ivy", "a new password", "192.0.2.8", T0, NULL), AUTH_OK);
    assert_int_equal(login_at(a, "ivy", PW, "192.0.2.9", T0, NULL), AUTH_BAD);
    auth_free(a);
    /* A file without its last newline gets one before the new line. */
    fast_line(line, sizeof(line), "jack", "jack's password");
    line[strlen(line) - 1] = '\0';
    tu_write_file(path, line);
    assert_int_equal(users_set_password(path, "kim", PW, err, sizeof(err)), 0);
    now = tu_read_file(path, NULL);
    assert_true(strncmp(now, line, strlen(line)) == 0);
    assert_true(strncmp(now + strlen(line), "\nkim:$argon2id$", 15) == 0);
    free(now);
    /* No temporary file is left behind. */
    char **names;
    size_t n = tu_list_dir(tu_tmpdir(), "", &names);
    for (size_t i = 0; i < n; i++)
        assert_null(strstr(names[i], ".tmp."));
    tu_list_free(names, n);
    /* A data directory not made yet is made, for its owner only. */
    char dir[TU_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", tu_tmp_path("newdata"));
    assert_int_equal(users_set_password(tu_path(dir, "users"), "lee", PW, err, sizeof(err)), 0);
    assert_int_equal(mode_of(dir), 0700);
    assert_int_equal(mode_of(tu_path(dir, "users")), 0600);
    /* Only the last directory is made. */
    char deep[TU_PATH_MAX + 32];
    snprintf(deep, sizeof(deep), "%s/no/deeper/users", dir);
    assert_int_equal(users_set_password(deep, "lee", PW, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot create the directory"));
}

static void test_malformed(void **state)
{
    (void)state;
    char ok[512];
    fast_line(ok, sizeof(ok), "mia", PW);
    ok[strlen(ok) - 1] = '\0';
    const struct {
        const char *text, *want;
    } cases[] = {
        {"mia\n", "line 1: not NAME:HASH"},
        {"# comment\n\n   \nmia:secret\n", "line 4: the hash is not an Argon2id string"},
        {"%s\nmia bad:$argon2id$v=19$x\n", "line 2: the name is not"},
        {"%s\n%s\n", "line 2: the name appears twice"},
        {":$argon2id$v=19$x\n", "line 1: the name is not"},
        {"%s\nnoah:$argon2id$v=19$m=8 t=1\n", "line 2: the hash"},
        {"%s\nnoah:$2y$10$abcdefghijk\n", "line 2: the hash"},
    };
    const char *path = users_path("malformed");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[2048], err[512] = "";
        snprintf(text, sizeof(text), cases[i].text, ok, ok);
        tu_write_file(path, text);
        assert_null(auth_new(path, IDLE, err, sizeof(err)));
        if (!strstr(err, cases[i].want) || !strstr(err, path))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
        /* Never the hash itself in a message. */
        assert_null(strstr(err, "argon2id$v"));
    }
    /* Blank lines, comments, CRLF and spaces around a line are fine. */
    char text[2048], err[512];
    snprintf(text, sizeof(text), "\n# accounts\r\n  %s  \r\n\n", ok);
    tu_write_file(path, text);
    struct auth *a = auth_new(path, IDLE, err, sizeof(err));
    assert_non_null(a);
    assert_int_equal(login_at(a, "mia", PW, "192.0.2.10", T0, NULL), AUTH_OK);
    auth_free(a);
    /* Not a regular file. */
    assert_null(auth_new(tu_tmpdir(), IDLE, err, sizeof(err)));
    assert_non_null(strstr(err, "is a directory"));
}

/* An admin's --add-user and edits take effect without a restart. */
static void test_reload(void **state)
{
    (void)state;
    const char *path = users_path("reload");
    char err[256];
    struct auth *a = open_auth(path); /* missing: nobody can log in */
    assert_int_equal(login_at(a, "olga", PW, "192.0.2.11", T0, NULL), AUTH_BAD);
    assert_int_equal(users_set_password(path, "olga", PW, err, sizeof(err)), 0);
    assert_int_equal(login_at(a, "olga", PW, "192.0.2.11", T0, NULL), AUTH_OK);
    /* A new password: the old one fails at once. */
    assert_int_equal(users_set_password(path, "olga", "another password", err, sizeof(err)), 0);
    assert_int_equal(login_at(a, "olga", PW, "192.0.2.12", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "olga", "another password", "192.0.2.12", T0, NULL), AUTH_OK);
    /* Edited in place to something malformed: errors until fixed. */
    char *good = tu_read_file(path, NULL);
    char broken[1024];
    snprintf(broken, sizeof(broken), "%sbroken line\n", good);
    tu_write_file(path, broken);
    assert_int_equal(login_at(a, "olga", "another password", "192.0.2.12", T0, NULL),
                     AUTH_ERROR);
    tu_write_file(path, good);
    assert_int_equal(login_at(a, "olga", "another password", "192.0.2.12", T0, NULL), AUTH_OK);
    /* Rewritten in place with another account of the same length. */
    char other[1024];
    snprintf(other, sizeof(other), "%s", good);
    other[0] = 'p'; /* "olga" -> "plga" */
    tu_write_file(path, other);
    assert_int_equal(login_at(a, "olga", "another password", "192.0.2.13", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "plga", "another password", "192.0.2.13", T0, NULL), AUTH_OK);
    free(good);
    /* Deleted: nobody. */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(login_at(a, "plga", "another password", "192.0.2.14", T0, NULL), AUTH_BAD);
    auth_free(a);
}

/* ---- limits -------------------------------------------------------------- */

static void test_limit_account(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("limacct", "quinn", PW, "rose", PW, NULL));
    char addr[32];
    int retry;
    /* Five failures from five addresses lock the account… */
    for (int i = 0; i < AUTH_MAX_FAILS; i++) {
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
        assert_int_equal(login_at(a, "quinn", "guess", addr, T0 + i, NULL), AUTH_BAD);
    }
    /* …against the right password from a new address too. */
    assert_int_equal(login_at(a, "quinn", PW, "198.51.100.99", T0 + 10, &retry), AUTH_LIMITED);
    assert_int_equal(retry, AUTH_WINDOW_S - 6);
    assert_int_equal(login_at(a, "quinn", PW, "198.51.100.99", T0 + 100, &retry), AUTH_LIMITED);
    assert_int_equal(retry, AUTH_WINDOW_S - 96);
    /* Other accounts are not locked. */
    assert_int_equal(login_at(a, "rose", PW, "198.51.100.99", T0 + 100, NULL), AUTH_OK);
    /* The lock ends when the window has passed since the fifth failure. */
    assert_int_equal(login_at(a, "quinn", PW, "198.51.100.99", T0 + 4 + AUTH_WINDOW_S - 1,
                              &retry),
                     AUTH_LIMITED);
    assert_int_equal(retry, 1);
    assert_int_equal(login_at(a, "quinn", PW, "198.51.100.99", T0 + 4 + AUTH_WINDOW_S, NULL),
                     AUTH_OK);

    /* A name that is no account locks the same way (nothing tells). */
    for (int i = 0; i < AUTH_MAX_FAILS; i++) {
        snprintf(addr, sizeof(addr), "203.0.113.%d", i + 1);
        assert_int_equal(login_at(a, "nobody", "guess", addr, T0, NULL), AUTH_BAD);
    }
    assert_int_equal(login_at(a, "nobody", "guess", "203.0.113.99", T0, &retry), AUTH_LIMITED);
    assert_int_equal(retry, AUTH_WINDOW_S);
    auth_free(a);
}

static void test_limit_window(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("limwin", "sam", PW, NULL));
    char addr[32];
    long long t = T0;
    /* Four failures, then one more after the window: not five within it. */
    for (int i = 0; i < AUTH_MAX_FAILS - 1; i++) {
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
        assert_int_equal(login_at(a, "sam", "guess", addr, t, NULL), AUTH_BAD);
    }
    t += AUTH_WINDOW_S;
    assert_int_equal(login_at(a, "sam", "guess", "198.51.100.20", t, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "sam", PW, "198.51.100.21", t, NULL), AUTH_OK);
    /* A good log-in starts the account's count again. */
    t += 10;
    for (int i = 0; i < AUTH_MAX_FAILS - 1; i++) {
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 30);
        assert_int_equal(login_at(a, "sam", "guess", addr, t, NULL), AUTH_BAD);
    }
    assert_int_equal(login_at(a, "sam", PW, "198.51.100.40", t, NULL), AUTH_OK);
    for (int i = 0; i < AUTH_MAX_FAILS - 1; i++) {
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 50);
        assert_int_equal(login_at(a, "sam", "guess", addr, t, NULL), AUTH_BAD);
    }
    assert_int_equal(login_at(a, "sam", PW, "198.51.100.60", t, NULL), AUTH_OK);
    auth_free(a);
}

static void test_limit_address(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("limaddr", "tina", PW, "uma", PW, NULL));
    int retry;
    /* Five names tried from one address lock the address… */
    const char *names[] = {"admin", "root", "tina", "test", "uma"};
    for (int i = 0; i < AUTH_MAX_FAILS; i++)
        assert_int_equal(login_at(a, names[i], "guess", "192.0.2.50", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "uma", PW, "192.0.2.50", T0 + 5, &retry), AUTH_LIMITED);
    assert_int_equal(retry, AUTH_WINDOW_S - 5);
    /* …the same in IPv6-mapped form… */
    assert_int_equal(login_at(a, "uma", PW, "::ffff:192.0.2.50", T0 + 5, NULL), AUTH_LIMITED);
    /* …and not the accounts (one failure each) from elsewhere. */
    assert_int_equal(login_at(a, "uma", PW, "192.0.2.51", T0 + 5, NULL), AUTH_OK);
    assert_int_equal(login_at(a, "tina", PW, "192.0.2.51", T0 + 5, NULL), AUTH_OK);
    /* A good log-in does not clear an address's count. */
    for (int i = 0; i < AUTH_MAX_FAILS - 1; i++)
        assert_int_equal(login_at(a, names[i], "guess", "192.0.2.60", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "tina", PW, "192.0.2.60", T0, NULL), AUTH_OK);
    assert_int_equal(login_at(a, "nobody", "guess", "192.0.2.60", T0, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "tina", PW, "192.0.2.60", T0, NULL), AUTH_LIMITED);
    assert_int_equal(login_at(a, "tina", PW, "192.0.2.60", T0 + AUTH_WINDOW_S, NULL), AUTH_OK);
    /* An IPv6 /64 counts as one address. */
    char addr[64];
    for (int i = 0; i < AUTH_MAX_FAILS; i++) {
        snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i + 1);
        assert_int_equal(login_at(a, names[i], "guess", addr, T0, NULL), AUTH_BAD);
    }
    assert_int_equal(login_at(a, "uma", PW, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", T0, NULL),
                     AUTH_LIMITED);
    assert_int_equal(login_at(a, "uma", PW, "2001:db8:1:3::1", T0, NULL), AUTH_OK);
    /* No address at all is one address too. */
    for (int i = 0; i < AUTH_MAX_FAILS; i++)
        assert_int_equal(login_at(a, names[i], "guess", NULL, T0 + 1000, NULL), AUTH_BAD);
    assert_int_equal(login_at(a, "uma", PW, "", T0 + 1000, NULL), AUTH_LIMITED);
    auth_free(a);
}

/* Log-ins at once from one address: never more than AUTH_MAX_FAILS are
 * checked, however they interleave. */
#define THREADS 8
struct racer {
    struct auth *a;
    enum auth_result res;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    int retry;
    r->res = auth_login(r->a, "ghost", "guess", "192.0.2.77", T0, sid, csrf, &retry);
    return NULL;
}

static void test_limit_concurrent(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("race", "vera", PW, NULL));
    pthread_t th[THREADS];
    struct racer r[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i].a = a;
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    int bad = 0, limited = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        bad += r[i].res == AUTH_BAD;
        limited += r[i].res == AUTH_LIMITED;
    }
    assert_int_equal(bad + limited, THREADS);
    assert_true(bad >= 1 && bad <= AUTH_MAX_FAILS);
    auth_free(a);
}

/* ---- sessions ------------------------------------------------------------ */

static void test_sessions(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("sessions", "will", PW, NULL));
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], user[USERS_NAME_MAX + 1];
    assert_int_equal(auth_login(a, "will", PW, "192.0.2.20", T0, sid, csrf, NULL), AUTH_OK);
    /* Each use renews the idle timer. */
    long long t = T0;
    for (int i = 0; i < 3; i++) {
        t += IDLE - 1;
        assert_true(auth_session(a, sid, t, user, NULL));
        assert_string_equal(user, "will");
    }
    /* Idle for session_hours: gone, and stays gone. */
    t += IDLE;
    assert_false(auth_session(a, sid, t, user, csrf));
    assert_false(auth_session(a, sid, t - IDLE, NULL, NULL));
    /* Ids that are no session. */
    assert_int_equal(auth_login(a, "will", PW, "192.0.2.20", t, sid, csrf, NULL), AUTH_OK);
    char other[AUTH_TOKEN_LEN + 1];
    memcpy(other, sid, sizeof(other));
    other[AUTH_TOKEN_LEN - 1] = other[AUTH_TOKEN_LEN - 1] == '0' ? '1' : '0';
    assert_false(auth_session(a, other, t, NULL, NULL));
    assert_false(auth_session(a, NULL, t, NULL, NULL));
    assert_false(auth_session(a, "", t, NULL, NULL));
    assert_false(auth_session(a, csrf, t, NULL, NULL));
    char longer[AUTH_TOKEN_LEN + 2];
    snprintf(longer, sizeof(longer), "%s0", sid);
    assert_false(auth_session(a, longer, t, NULL, NULL));
    longer[AUTH_TOKEN_LEN - 1] = '\0';
    assert_false(auth_session(a, longer, t, NULL, NULL));
    assert_true(auth_session(a, sid, t, NULL, NULL));
    assert_false(auth_session(NULL, sid, t, NULL, NULL));
    auth_free(a);
}

static void test_logout(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("logout", "xena", PW, NULL));
    char s1[AUTH_TOKEN_LEN + 1], s2[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    assert_int_equal(auth_login(a, "xena", PW, "192.0.2.21", T0, s1, csrf, NULL), AUTH_OK);
    assert_int_equal(auth_login(a, "xena", PW, "192.0.2.22", T0, s2, csrf, NULL), AUTH_OK);
    auth_logout(a, s1);
    assert_false(auth_session(a, s1, T0, NULL, NULL));
    assert_true(auth_session(a, s2, T0, NULL, NULL));
    auth_logout(a, s1);
    auth_logout(a, NULL);
    auth_logout(a, "nonsense");
    auth_logout(NULL, s2);
    assert_true(auth_session(a, s2, T0, NULL, NULL));
    auth_logout(a, s2);
    assert_false(auth_session(a, s2, T0, NULL, NULL));
    auth_free(a);
}

/* At most 1000 sessions: the least recently used one goes. */
static void test_session_cap(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("cap", "yuri", PW, NULL));
    enum { CAP = 1000 };
    static char sids[CAP + 1][AUTH_TOKEN_LEN + 1];
    char csrf[AUTH_TOKEN_LEN + 1];
    for (int i = 0; i < CAP; i++)
        assert_int_equal(auth_login(a, "yuri", PW, "192.0.2.23", T0 + i, sids[i], csrf, NULL),
                         AUTH_OK);
    /* The first is used again: the second is now the least recent. */
    assert_true(auth_session(a, sids[0], T0 + CAP, NULL, NULL));
    assert_int_equal(auth_login(a, "yuri", PW, "192.0.2.23", T0 + CAP, sids[CAP], csrf, NULL),
                     AUTH_OK);
    assert_true(auth_session(a, sids[0], T0 + CAP, NULL, NULL));
    assert_false(auth_session(a, sids[1], T0 + CAP, NULL, NULL));
    for (int i = 2; i <= CAP; i++)
        assert_true(auth_session(a, sids[i], T0 + CAP, NULL, NULL));
    auth_free(a);
}

static void test_csrf(void **state)
{
    (void)state;
    struct auth *a = open_auth(fast_users("csrf", "zoe", PW, NULL));
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], got[AUTH_TOKEN_LEN + 1];
    assert_int_equal(auth_login(a, "zoe", PW, "192.0.2.24", T0, sid, csrf, NULL), AUTH_OK);
    assert_true(auth_session(a, sid, T0, NULL, got));
    assert_true(auth_csrf_ok(got, csrf));
    char wrong[AUTH_TOKEN_LEN + 2];
    memcpy(wrong, csrf, sizeof(csrf));
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_false(auth_csrf_ok(got, wrong));
    memcpy(wrong, csrf, sizeof(csrf));
    wrong[AUTH_TOKEN_LEN - 1] = '\0';
    assert_false(auth_csrf_ok(got, wrong));
    assert_false(auth_csrf_ok(wrong, wrong)); /* not a token's length */
    snprintf(wrong, sizeof(wrong), "%sa", csrf);
    assert_false(auth_csrf_ok(got, wrong));
    assert_false(auth_csrf_ok(got, NULL));
    assert_false(auth_csrf_ok(NULL, csrf));
    assert_false(auth_csrf_ok(got, ""));
    assert_false(auth_csrf_ok(got, sid));
    auth_free(a);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_user_login), cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_unknown_user),   cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_short_password), cmocka_unit_test(test_file_mode),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_reload),
        cmocka_unit_test(test_limit_account),  cmocka_unit_test(test_limit_window),
        cmocka_unit_test(test_limit_address),  cmocka_unit_test(test_limit_concurrent),
        cmocka_unit_test(test_sessions),       cmocka_unit_test(test_logout),
        cmocka_unit_test(test_session_cap),    cmocka_unit_test(test_csrf),
    };
    return cmocka_run_group_tests(tests, tu_tmpdir_setup, tu_tmpdir_teardown);
}
