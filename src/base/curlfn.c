#define LOG_MODULE "http"
#include "curlfn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct curlfn table;
static bool loaded;

static bool sym(void *lib, const char *name, void *slot)
{
    void *p = dlsym(lib, name);
    if (!p) {
        LOG_ERR("libcurl has no %s", name);
        return false;
    }
    /* POSIX: a function pointer stored through a void pointer. */
    memcpy(slot, &p, sizeof(p));
    return true;
}

static void load(void)
{
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        LOG_ERR("cannot load libcurl (package libcurl4): %s", dlerror());
        return;
    }
    struct curlfn *t = &table;
    loaded = sym(lib, "curl_global_init", &t->global_init) &&
             sym(lib, "curl_global_cleanup", &t->global_cleanup) &&
             sym(lib, "curl_easy_init", &t->easy_init) &&
             sym(lib, "curl_easy_cleanup", &t->easy_cleanup) &&
             sym(lib, "curl_easy_reset", &t->easy_reset) &&
             sym(lib, "curl_easy_perform", &t->easy_perform) &&
             sym(lib, "curl_easy_setopt", &t->easy_setopt) &&
             sym(lib, "curl_easy_getinfo", &t->easy_getinfo) &&
             sym(lib, "curl_easy_strerror", &t->easy_strerror) &&
             sym(lib, "curl_slist_append", &t->slist_append) &&
             sym(lib, "curl_slist_free_all", &t->slist_free_all) &&
             sym(lib, "curl_url", &t->url) && sym(lib, "curl_url_set", &t->url_set) &&
             sym(lib, "curl_url_get", &t->url_get) &&
             sym(lib, "curl_url_cleanup", &t->url_cleanup) &&
             sym(lib, "curl_url_strerror", &t->url_strerror) &&
             sym(lib, "curl_free", &t->free);
    /* Never closed: curl_global_cleanup() runs at exit, and a library
     * that made threads or TLS contexts is not safely unloaded. */
}

const struct curlfn *curlfn(void)
{
    pthread_once(&once, load);
    return loaded ? &table : NULL;
}
