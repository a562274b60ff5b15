#define LOG_MODULE "api"
#include "api.h"

#include <SDL_image.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "feed.h"
#include "fileutil.h"
#include "hash.h"
#include "imghdr.h"
#include "log.h"
#include "preview.h"
#include "utf8.h"
#include "webassets.h"

#define COOKIE "ek_session"
/* serve_published(): the path is none of the published files. */
#define NOT_OURS (-2)

struct api {
    const struct econfig *c;
    struct store *s;
    struct auth *auth;
    struct audit *audit;
    char page_etag[3][20];
};

/* The signed-in user of a request. */
struct who {
    char user[USERS_NAME_MAX + 1];
    char csrf[AUTH_TOKEN_LEN + 1];
};

static void etag_of(const unsigned char *p, uint32_t n, char out[20])
{
    /* FNV-1a: the page's files change only with the binary. */
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    snprintf(out, 20, "%016llx", (unsigned long long)h);
}

struct api *api_new(const struct econfig *c, struct store *s, struct auth *auth,
                    struct audit *audit)
{
    struct api *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->c = c;
    a->s = s;
    a->auth = auth;
    a->audit = audit;
    etag_of(web_index_html, web_index_html_size, a->page_etag[0]);
    etag_of(web_app_css, web_app_css_size, a->page_etag[1]);
    etag_of(web_app_js, web_app_js_size, a->page_etag[2]);
    return a;
}

void api_free(struct api *a)
{
    free(a);
}

/* ---- helpers ------------------------------------------------------------------ */

static json_t *report_json(const struct feed_report *rep, bool valid, int slides)
{
    json_t *list = json_array();
    for (size_t i = 0; i < rep->n; i++) {
        const struct feed_diag *d = &rep->diags[i];
        json_array_append_new(list, json_pack("{s:i, s:i, s:s, s:s, s:b}", "line", d->line,
                                              "col", d->col, "path", d->path ? d->path : "",
                                              "msg", d->msg ? d->msg : "", "warning",
                                              d->warning));
    }
    return json_pack("{s:b, s:i, s:i, s:i, s:o}", "valid", valid, "errors", rep->errors,
                     "warnings", rep->warnings, "slides", slides, "diagnostics", list);
}

static int slide_count(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    int n = (int)json_array_size(json_object_get(j, "slides"));
    json_decref(j);
    return n;
}

/* If-Match: "N" or N.  -1 when absent or not a number. */
static long long if_match(const struct http_req *r)
{
    const char *v = httpd_header(r, "If-Match");
    if (!v)
        return -1;
    while (*v == ' ' || *v == '"' || *v == 'W' || *v == '/')
        v++;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || n < 0 || (*end && *end != '"'))
        return -1;
    return n;
}

static int conflict(struct http_req *r, const struct store_meta *m)
{
    return httpd_json(r, 409,
                      json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "code", "conflict", "error",
                                "草稿已被他人修改：请先载入最新版本，再重新修改",
                                "error_en",
                                "someone else saved the draft since you loaded it: load "
                                "theirs, then edit again",
                                "rev", (json_int_t)m->rev, "by", m->by, "at",
                                (json_int_t)m->at));
}

static int need_if_match(struct http_req *r)
{
    return httpd_error(r, 428, "if_match", "缺少版本号（If-Match）",
                       "If-Match with the draft's rev is required");
}

static int storage_failed(struct http_req *r)
{
    return httpd_error(r, 500, "storage", "服务器无法写入文件，请联系管理员",
                       "the server cannot write its files; see its log");
}

static int bad_text(struct http_req *r)
{
    if (!r->body || r->len == 0)
        return httpd_error(r, 400, "empty", "内容为空", "the request has no body");
    if (!utf8_valid(r->body, r->len) || memchr(r->body, '\0', r->len))
        return httpd_error(r, 400, "encoding", "内容不是 UTF-8 文本",
                           "the body is not UTF-8 text");
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* ---- public files ------------------------------------------------------------------ */

static int serve_page(struct api *a, struct http_req *r, int which)
{
    static const char *const types[] = {"text/html; charset=utf-8", "text/css; charset=utf-8",
                                        "text/javascript; charset=utf-8"};
    const unsigned char *data[] = {web_index_html, web_app_css, web_app_js};
    const uint32_t sizes[] = {web_index_html_size, web_app_css_size, web_app_js_size};
    return httpd_cached(r, types[which], data[which], sizes[which], a->page_etag[which], 0,
                        true, "no-cache");
}

/* /feed.json, /feed.json.minisig, /images/HASH.EXT: only these names,
 * checked character by character, so no path leaves the directory. */
static int serve_published(struct api *a, struct http_req *r)
{
    const char *p = r->path;
    const char *type = NULL;
    bool compress = false;
    char rel[96];
    if (strcmp(p, "/feed.json") == 0) {
        type = "application/json; charset=utf-8";
        compress = true;
        snprintf(rel, sizeof(rel), "feed.json");
    } else if (strcmp(p, "/feed.json.minisig") == 0) {
        type = "text/plain; charset=utf-8";
        snprintf(rel, sizeof(rel), "feed.json.minisig");
    } else if (strncmp(p, "/images/", 8) == 0 && strlen(p + 8) == 68 &&
               strspn(p + 8, "0123456789abcdef") == 64 &&
               (strcmp(p + 72, ".png") == 0 || strcmp(p + 72, ".jpg") == 0)) {
        type = strcmp(p + 72, ".png") == 0 ? "image/png" : "image/jpeg";
        snprintf(rel, sizeof(rel), "images/%s", p + 8);
    } else {
        return NOT_OURS;
    }
    char path[PATH_MAX];
    char *data = NULL;
    size_t len = 0;
    int rr = file_join(path, sizeof(path), store_published_dir(a->s), rel);
    struct stat st;
    if (rr == 0)
        rr = file_read(path, a->c->max_feed_bytes > a->c->max_image_bytes ? a->c->max_feed_bytes
                                                                         : a->c->max_image_bytes,
                       &data, &len);
    if (rr < 0 || stat(path, &st) < 0) {
        free(data);
        return httpd_error(r, 404, "not_found",
                           strcmp(rel, "feed.json") == 0 ? "尚未发布" : "没有这个文件",
                           strcmp(rel, "feed.json") == 0 ? "nothing is published yet"
                                                         : "no such file");
    }
    char etag[65];
    hash_sha256_hex(data, len, etag);
    int ret = httpd_cached(r, type, data, len, etag, (long long)st.st_mtime, compress,
                           "no-cache");
    free(data);
    return ret;
}

/* ---- sessions ------------------------------------------------------------------------ */

static void cookie(char *out, size_t len, const char *sid, int max_age, bool secure)
{
    snprintf(out, len, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sid,
             max_age, secure ? "; Secure" : "");
}

static int do_login(struct api *a, struct http_req *r)
{
    json_error_t e;
    json_t *j = r->body ? json_loadb(r->body, r->len, 0, &e) : NULL;
    const char *user = NULL, *password = NULL;
    if (!j || json_unpack(j, "{s:s, s:s}", "user", &user, "password", &password) < 0) {
        json_decref(j);
        return httpd_error(r, 400, "bad_request", "请求格式错误",
                           "expected {\"user\": …, \"password\": …}");
    }
    char sid[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    int retry = 0;
    char name[USERS_NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s", user);
    enum auth_result res =
        auth_login(a->auth, user, password, r->addr, time(NULL), sid, csrf, &retry);
    json_decref(j);
    if (res == AUTH_OK) {
        audit_add(a->audit, name, r->addr, "login", NULL);
        char set[256];
        cookie(set, sizeof(set), sid, a->c->session_hours * 3600, r->tls);
        json_t *body = json_pack("{s:s, s:s}", "user", name, "csrf", csrf);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        const char *hdr[] = {"Set-Cookie", set, "Cache-Control", "no-store", NULL};
        int ret = httpd_reply(r, 200, "application/json; charset=utf-8", text ? text : "{}",
                              text ? strlen(text) : 2, hdr);
        free(text);
        return ret;
    }
    audit_add(a->audit, users_valid_name(name) ? name : NULL, r->addr, "login_failed",
                res == AUTH_LIMITED ? "rate limited" : NULL);
    if (res == AUTH_LIMITED) {
        char zh[128];
        snprintf(zh, sizeof(zh), "登录失败次数过多，请 %d 分钟后再试", (retry + 59) / 60);
        return httpd_json(r, 429,
                          json_pack("{s:s, s:s, s:s, s:i}", "code", "rate_limited", "error", zh,
                                    "error_en", "too many failed log-ins; try again later",
                                    "retry_after", retry));
    }
    if (res == AUTH_ERROR)
        return storage_failed(r);
    return httpd_error(r, 401, "bad_login", "用户名或密码错误", "wrong user name or password");
}

/* ---- handlers (signed in) -------------------------------------------------------------- */

static int get_draft(struct api *a, struct http_req *r)
{
    char *text;
    size_t len;
    struct store_meta m;
    if (store_draft(a->s, &text, &len, &m) != STORE_OK)
        return storage_failed(r);
    int live = store_live(a->s);
    json_t *j = json_pack("{s:I, s:s%, s:s, s:I, s:i}", "rev", (json_int_t)m.rev, "text", text,
                          len, "by", m.by, "at", (json_int_t)m.at, "live", live);
    free(text);
    return httpd_json(r, 200, j);
}

static int check(struct api *a, struct http_req *r, json_t **report)
{
    struct feed_report rep;
    bool ok = store_validate(a->s, r->body, r->len, &rep);
    *report = report_json(&rep, ok, slide_count(r->body, r->len));
    feed_report_free(&rep);
    return 0;
}

static int put_draft(struct api *a, struct http_req *r, const struct who *w)
{
    int bad = bad_text(r);
    if (bad)
        return bad;
    long long rev = if_match(r);
    if (rev < 0)
        return need_if_match(r);
    struct store_meta m;
    int res = store_save(a->s, rev, r->body, r->len, w->user, time(NULL), &m);
    if (res == STORE_CONFLICT)
        return conflict(r, &m);
    if (res != STORE_OK)
        return storage_failed(r);
    json_t *report;
    check(a, r, &report);
    return httpd_json(r, 200,
                      json_pack("{s:I, s:s, s:I, s:o}", "rev", (json_int_t)m.rev, "by", m.by,
                                "at", (json_int_t)m.at, "report", report));
}

static int post_check(struct api *a, struct http_req *r)
{
    int bad = bad_text(r);
    if (bad)
        return bad;
    json_t *report;
    check(a, r, &report);
    return httpd_json(r, 200, report);
}

static int post_preview(struct api *a, struct http_req *r, const struct who *w)
{
    int bad = bad_text(r);
    if (bad)
        return bad;
    long slide, pw, ph;
    if (parse_int(httpd_arg(r, "slide"), 0, 100000, &slide) < 0 ||
        parse_int(httpd_arg(r, "w"), 1, 10000, &pw) < 0 ||
        parse_int(httpd_arg(r, "h"), 1, 10000, &ph) < 0 || !preview_size_ok((int)pw, (int)ph))
        return httpd_error(r, 400, "bad_request", "预览参数错误",
                           "slide, w and h: 1920x1080, 1080x1920, 1280x720, 480x270 or 270x480");
    unsigned char *png = NULL;
    size_t len = 0;
    struct feed_report rep;
    int res = preview_render(a->s, w->user, r->body, r->len, (int)slide, (int)pw, (int)ph,
                             time(NULL), &png, &len, &rep);
    int ret;
    if (res == PREVIEW_OK) {
        static const char *const hdr[] = {"Cache-Control", "no-store", NULL};
        ret = httpd_reply(r, 200, "image/png", png, len, hdr);
    } else if (res == PREVIEW_INVALID) {
        ret = httpd_json(r, 422,
                         json_pack("{s:s, s:s, s:s, s:o}", "code", "invalid", "error",
                                   "这张幻灯片有错误，无法预览", "error_en",
                                   "this slide has errors and cannot be drawn", "report",
                                   report_json(&rep, false, 1)));
    } else if (res == PREVIEW_NO_SLIDE) {
        ret = httpd_error(r, 404, "no_slide", "没有这张幻灯片", "no such slide");
    } else if (res == PREVIEW_BUSY) {
        static const char *const hdr[] = {"Retry-After", "1", NULL};
        const char *text = "{\"code\":\"busy\",\"error\":\"预览正在生成\",\"error_en\":\"a preview "
                     "is being drawn\"}";
        ret = httpd_reply(r, 429, "application/json; charset=utf-8", text, strlen(text), hdr);
    } else {
        ret = httpd_error(r, 500, "render", "预览生成失败", "the preview could not be drawn");
    }
    free(png);
    feed_report_free(&rep);
    return ret;
}

static int invalid(struct http_req *r, struct feed_report *rep)
{
    return httpd_json(r, 422,
                      json_pack("{s:s, s:s, s:s, s:o}", "code", "invalid", "error",
                                "内容有错误，不能发布", "error_en",
                                "the feed has errors and cannot be published", "report",
                                report_json(rep, false, 0)));
}

static int published(struct api *a, struct http_req *r, const struct who *w, int res,
                     struct feed_report *rep, const struct store_published *p,
                     const struct store_meta *m, const char *event, const char *detail)
{
    int ret;
    if (res == STORE_OK) {
        char d[160];
        snprintf(d, sizeof(d), "version %d%s%s sha256 %.12s", p->version, detail ? " " : "",
                 detail ? detail : "", p->hash);
        audit_add(a->audit, w->user, r->addr, event, d);
        LOG_INFO("%s published version %d (%.12s)", w->user, p->version, p->hash);
        ret = httpd_json(r, 200,
                         json_pack("{s:i, s:s, s:b, s:I}", "version", p->version, "hash",
                                   p->hash, "signed", p->signed_, "rev",
                                   (json_int_t)(m ? m->rev : 0)));
    } else if (res == STORE_CONFLICT) {
        ret = conflict(r, m);
    } else if (res == STORE_INVALID) {
        ret = invalid(r, rep);
    } else if (res == STORE_NOT_FOUND) {
        ret = httpd_error(r, 404, "not_found", "没有这个版本", "no such version");
    } else {
        ret = storage_failed(r);
    }
    feed_report_free(rep);
    return ret;
}

static int post_publish(struct api *a, struct http_req *r, const struct who *w)
{
    long long rev = if_match(r);
    if (rev < 0)
        return need_if_match(r);
    const char *summary = NULL;
    json_t *j = NULL;
    if (r->body && r->len) {
        j = json_loadb(r->body, r->len, 0, NULL);
        if (!j || (json_unpack(j, "{s?s}", "summary", &summary) < 0)) {
            json_decref(j);
            return httpd_error(r, 400, "bad_request", "请求格式错误",
                               "expected {\"summary\": \"…\"}");
        }
    }
    char line[256] = "";
    if (summary) {
        /* One line, at most ~80 characters. */
        size_t n = 0;
        for (const char *p = summary; *p && n + 4 < sizeof(line); p++) {
            char ch = *p;
            if (ch == '\n' || ch == '\r' || ch == '\t')
                ch = ' ';
            line[n++] = ch;
        }
        line[n] = '\0';
        while (n && !utf8_valid(line, n))
            line[--n] = '\0';
    }
    struct feed_report rep = {0};
    struct store_published p;
    struct store_meta m = {0};
    int res = store_publish(a->s, rev, line, w->user, time(NULL), &rep, &p);
    json_decref(j);
    if (res == STORE_CONFLICT) {
        char *t;
        size_t l;
        if (store_draft(a->s, &t, &l, &m) == STORE_OK)
            free(t);
    } else {
        m.rev = rev;
    }
    return published(a, r, w, res, &rep, &p, &m, "publish", NULL);
}

static int version_action(struct api *a, struct http_req *r, const struct who *w, int n,
                          const char *action)
{
    long long rev = if_match(r);
    if (rev < 0)
        return need_if_match(r);
    struct store_meta m = {0};
    if (strcmp(action, "publish") == 0) {
        struct feed_report rep = {0};
        struct store_published p;
        int res = store_rollback(a->s, n, rev, w->user, time(NULL), &rep, &p, &m);
        char d[48];
        snprintf(d, sizeof(d), "(text of version %d)", n);
        return published(a, r, w, res, &rep, &p, &m, "rollback", d);
    }
    int res = store_load_version(a->s, n, rev, w->user, time(NULL), &m);
    if (res == STORE_OK) {
        char d[48];
        snprintf(d, sizeof(d), "version %d into the draft", n);
        audit_add(a->audit, w->user, r->addr, "load", d);
        return httpd_json(r, 200, json_pack("{s:I}", "rev", (json_int_t)m.rev));
    }
    if (res == STORE_CONFLICT)
        return conflict(r, &m);
    if (res == STORE_NOT_FOUND)
        return httpd_error(r, 404, "not_found", "没有这个版本", "no such version");
    return storage_failed(r);
}

static int post_image(struct api *a, struct http_req *r, const struct who *w)
{
    const unsigned char *b = (const unsigned char *)r->body;
    if (!b || r->len == 0)
        return httpd_error(r, 400, "empty", "没有收到图片", "the request has no image");
    static const unsigned char png_sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const char *ext = NULL;
    if (r->len >= 8 && memcmp(b, png_sig, 8) == 0)
        ext = "png";
    else if (r->len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        ext = "jpg";
    if (!ext)
        return httpd_error(r, 415, "type", "只能上传 PNG 或 JPEG 图片",
                           "only PNG or JPEG images can be uploaded");
    struct imghdr_info info;
    char why[256];
    if (imghdr_check(b, r->len, a->c->max_image_pixels, &info, why, sizeof(why)) < 0) {
        char zh[400];
        snprintf(zh, sizeof(zh), "图片已损坏或太大：%s", why);
        return httpd_error(r, 422, "bad_image", zh, why);
    }
    /* imghdr checks the structure; only decoding proves the picture data
     * (a zlib stream cut short inside intact chunks).  Decoded here as the
     * kiosk will, within the pixel limit imghdr just enforced. */
    SDL_RWops *rw = SDL_RWFromConstMem(b, (int)r->len);
    SDL_Surface *pic = rw ? IMG_LoadTyped_RW(rw, 1, strcmp(ext, "png") == 0 ? "PNG" : "JPG")
                          : NULL;
    if (!pic) {
        char zh[400];
        snprintf(why, sizeof(why), "the picture cannot be decoded: %s", IMG_GetError());
        snprintf(zh, sizeof(zh), "图片已损坏，无法解码：%s", IMG_GetError());
        return httpd_error(r, 422, "bad_image", zh, why);
    }
    SDL_FreeSurface(pic);
    char sha[65], rel[128];
    if (store_put_image(a->s, b, r->len, ext, sha, rel, sizeof(rel)) < 0)
        return storage_failed(r);
    char d[256];
    snprintf(d, sizeof(d), "%s (%ldx%ld, %zu bytes)", rel, info.w, info.h, r->len);
    audit_add(a->audit, w->user, r->addr, "upload", d);
    return httpd_json(r, 200,
                      json_pack("{s:s, s:s, s:I, s:I, s:I}", "sha256", sha, "path", rel,
                                "width", (json_int_t)info.w, "height", (json_int_t)info.h,
                                "bytes", (json_int_t)r->len));
}

static int get_info(struct api *a, struct http_req *r)
{
    char key_id[17];
    bool signing = store_signing(a->s, key_id);
    char url[512];
    if (a->c->public_url) {
        snprintf(url, sizeof(url), "%s", a->c->public_url);
    } else {
        const char *host = httpd_header(r, "Host");
        bool sane = host && strlen(host) < 256 &&
                    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789.-:[]") == strlen(host);
        snprintf(url, sizeof(url), "%s://%s/feed.json", r->tls ? "https" : "http",
                 sane ? host : "localhost");
    }
    return httpd_json(
        r, 200,
        json_pack("{s:b, s:s, s:s, s:{s:I, s:I, s:I}, s:s, s:i}", "signing", signing,
                  "key_id", key_id, "public_url", url, "limits", "max_feed_bytes",
                  (json_int_t)a->c->max_feed_bytes, "max_image_bytes",
                  (json_int_t)a->c->max_image_bytes, "max_image_pixels",
                  (json_int_t)a->c->max_image_pixels, "version", EDUKIOSK_VERSION, "live",
                  store_live(a->s)));
}

/* ---- routing ------------------------------------------------------------------------ */

static int wrong_method(struct http_req *r)
{
    return httpd_error(r, 405, "method", "不支持的请求方法", "method not allowed");
}

static int api_route(struct api *a, struct http_req *r, const struct who *w)
{
    const char *p = r->path + 4; /* after "/api" */
    if (strcmp(p, "/session") == 0)
        return strcmp(r->method, "GET") == 0
                   ? httpd_json(r, 200, json_pack("{s:s, s:s}", "user", w->user, "csrf",
                                                  w->csrf))
                   : wrong_method(r);
    if (strcmp(p, "/logout") == 0) {
        if (strcmp(r->method, "POST") != 0)
            return wrong_method(r);
        const char *sid = httpd_cookie(r, COOKIE);
        auth_logout(a->auth, sid);
        audit_add(a->audit, w->user, r->addr, "logout", NULL);
        char set[160];
        cookie(set, sizeof(set), "", 0, r->tls);
        const char *hdr[] = {"Set-Cookie", set, "Cache-Control", "no-store", NULL};
        return httpd_reply(r, 200, "application/json; charset=utf-8", "{}", 2, hdr);
    }
    if (strcmp(p, "/info") == 0)
        return strcmp(r->method, "GET") == 0 ? get_info(a, r) : wrong_method(r);
    if (strcmp(p, "/draft") == 0) {
        if (strcmp(r->method, "GET") == 0)
            return get_draft(a, r);
        if (strcmp(r->method, "PUT") == 0)
            return put_draft(a, r, w);
        return wrong_method(r);
    }
    if (strcmp(p, "/check") == 0)
        return strcmp(r->method, "POST") == 0 ? post_check(a, r) : wrong_method(r);
    if (strcmp(p, "/preview") == 0)
        return strcmp(r->method, "POST") == 0 ? post_preview(a, r, w) : wrong_method(r);
    if (strcmp(p, "/publish") == 0)
        return strcmp(r->method, "POST") == 0 ? post_publish(a, r, w) : wrong_method(r);
    if (strcmp(p, "/images") == 0)
        return strcmp(r->method, "POST") == 0 ? post_image(a, r, w) : wrong_method(r);
    if (strcmp(p, "/versions") == 0)
        return strcmp(r->method, "GET") == 0 ? httpd_json(r, 200, store_versions(a->s))
                                             : wrong_method(r);
    if (strcmp(p, "/audit") == 0) {
        long limit = 50;
        const char *l = httpd_arg(r, "limit");
        if (l && parse_int(l, 1, 1000, &limit) < 0)
            return httpd_error(r, 400, "bad_request", "参数错误", "limit: 1 to 1000");
        return strcmp(r->method, "GET") == 0
                   ? httpd_json(r, 200, json_pack("{s:o}", "entries",
                                                  audit_tail(a->audit, (int)limit)))
                   : wrong_method(r);
    }
    if (strncmp(p, "/versions/", 10) == 0) {
        char num[16];
        const char *q = p + 10;
        size_t digits = strspn(q, "0123456789");
        long n;
        if (digits == 0 || digits >= sizeof(num))
            goto not_found;
        memcpy(num, q, digits);
        num[digits] = '\0';
        if (parse_int(num, 1, INT_MAX, &n) < 0)
            goto not_found;
        q += digits;
        if (*q == '\0') {
            if (strcmp(r->method, "GET") != 0)
                return wrong_method(r);
            json_t *v = store_version(a->s, (int)n);
            return v ? httpd_json(r, 200, v)
                     : httpd_error(r, 404, "not_found", "没有这个版本", "no such version");
        }
        if (strcmp(q, "/publish") == 0 || strcmp(q, "/load") == 0)
            return strcmp(r->method, "POST") == 0 ? version_action(a, r, w, (int)n, q + 1)
                                                  : wrong_method(r);
    }
not_found:
    return httpd_error(r, 404, "not_found", "没有这个地址", "no such API");
}

/* 0 when r may go on; else the refusal is queued. */
static int gate(struct api *a, struct http_req *r, struct who *w, int *ret)
{
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    const char *sid = httpd_cookie(r, COOKIE);
    if (!sid || !auth_session(a->auth, sid, time(NULL), w->user, w->csrf)) {
        *ret = httpd_error(r, 401, "login", "请先登录", "log in first");
        return 1;
    }
    if (!get && !auth_csrf_ok(w->csrf, httpd_header(r, "X-CSRF-Token"))) {
        *ret = httpd_error(r, 403, "csrf", "页面已过期，请刷新后重试",
                           "missing or wrong CSRF token; reload the page");
        return 1;
    }
    return 0;
}

int api_early(void *ctx, struct http_req *r, int *ret)
{
    struct api *a = ctx;
    if (strncmp(r->path, "/api/", 5) != 0 || strcmp(r->path, "/api/login") == 0)
        return 0;
    struct who w;
    return gate(a, r, &w, ret);
}

int api_handle(void *ctx, struct http_req *r)
{
    struct api *a = ctx;
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (strncmp(r->path, "/api/", 5) != 0) {
        if (!get)
            return wrong_method(r);
        if (strcmp(r->path, "/") == 0 || strcmp(r->path, "/index.html") == 0)
            return serve_page(a, r, 0);
        if (strcmp(r->path, "/app.css") == 0)
            return serve_page(a, r, 1);
        if (strcmp(r->path, "/app.js") == 0)
            return serve_page(a, r, 2);
        int ret = serve_published(a, r);
        if (ret != NOT_OURS)
            return ret;
        return httpd_error(r, 404, "not_found", "没有这个页面", "not found");
    }
    if (strcmp(r->path, "/api/login") == 0)
        return strcmp(r->method, "POST") == 0 ? do_login(a, r) : wrong_method(r);

    /* Asked again: the session may have ended while the body came. */
    struct who w;
    int ret;
    if (gate(a, r, &w, &ret))
        return ret;
    return api_route(a, r, &w);
}
