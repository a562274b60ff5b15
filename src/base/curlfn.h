/* curlfn: libcurl, loaded when first needed rather than with the program.
 *
 * libcurl and what it links (TLS, Kerberos, LDAP, SSH, IDN, HTTP/2...) are
 * some thirty shared libraries: loading them at every start cost ~15 ms
 * before the first picture and ~2.5 MiB of resident pages, for a kiosk
 * that may show a local file or its cached deck first.  Now the fetch
 * thread (or the resolution of an image URL) loads it with dlopen() on
 * first use.  Files that call libcurl include this header instead of
 * <curl/curl.h>: the names of the functions they use are macros calling
 * through the table, so the calls read as libcurl's. */
#ifndef EDUKIOSK_CURLFN_H
#define EDUKIOSK_CURLFN_H

#define CURL_DISABLE_TYPECHECK /* its macros would call libcurl directly */
#include <curl/curl.h>

struct curlfn {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode c);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    const char *(*url_strerror)(CURLUcode c);
    void (*free)(void *p);
};

/* The table, loading libcurl (libcurl.so.4) the first time; NULL (said
 * once in the log) when it cannot be loaded.  Any thread. */
const struct curlfn *curlfn(void);

/* Only after curlfn() returned the table. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init(f) (curlfn()->global_init(f))
#define curl_global_cleanup() (curlfn()->global_cleanup())
#define curl_easy_init() (curlfn()->easy_init())
#define curl_easy_cleanup(h) (curlfn()->easy_cleanup(h))
#define curl_easy_reset(h) (curlfn()->easy_reset(h))
#define curl_easy_perform(h) (curlfn()->easy_perform(h))
#define curl_easy_setopt(...) (curlfn()->easy_setopt(__VA_ARGS__))
#define curl_easy_getinfo(...) (curlfn()->easy_getinfo(__VA_ARGS__))
#define curl_easy_strerror(c) (curlfn()->easy_strerror(c))
#define curl_slist_append(l, s) (curlfn()->slist_append(l, s))
#define curl_slist_free_all(l) (curlfn()->slist_free_all(l))
#define curl_url() (curlfn()->url())
#define curl_url_set(u, p, c, f) (curlfn()->url_set(u, p, c, f))
#define curl_url_get(u, p, c, f) (curlfn()->url_get(u, p, c, f))
#define curl_url_cleanup(u) (curlfn()->url_cleanup(u))
#define curl_url_strerror(c) (curlfn()->url_strerror(c))
#define curl_free(p) (curlfn()->free(p))

#endif
