/* config: a configuration file's bytes through the real loader (inih fed
 * line by line, every key's value through confval and confpath), then
 * the promises of config.h: a file with errors changes nothing, a loaded
 * configuration passes config_validate(), and config_print() writes a
 * file that loads back to the same configuration. */
#include <stdbool.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

/* config_print() of c, malloc'd. */
static char *printed(const struct config *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    config_print(c, f);
    if (fclose(f) != 0)
        abort();
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool env_done;
    if (!env_done) { /* defaults that do not depend on who runs this */
        unsetenv("CACHE_DIRECTORY");
        unsetenv("RUNTIME_DIRECTORY");
        setenv("XDG_CACHE_HOME", "/var/cache", 1);
        setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
        env_done = true;
    }
    char *text = malloc(size ? size : 1); /* not NUL-terminated */
    if (!text)
        return 0;
    memcpy(text, data, size);

    struct config c;
    config_defaults(&c);
    char *before = printed(&c);
    int rc = config_load_text(&c, "fuzz.conf", text, size, fuzz_devnull());
    FUZZ_ASSERT(rc == 0 || rc == -1);
    char *after = printed(&c);
    if (rc < 0) {
        FUZZ_ASSERT(strcmp(before, after) == 0); /* all or nothing */
    } else {
        char err[256];
        FUZZ_ASSERT(config_validate(&c, err, sizeof(err)) == 0);
        for (size_t i = 0; config_key_name(i); i++) {
            char *v = config_key_value(&c, i);
            FUZZ_ASSERT(v);
            free(v);
        }
        struct config back;
        config_defaults(&back);
        FUZZ_ASSERT(config_load_text(&back, "printed.conf", after, strlen(after),
                                     fuzz_devnull()) == 0);
        char *again = printed(&back);
        FUZZ_ASSERT(strcmp(after, again) == 0);
        free(again);
        config_free(&back);
    }
    free(before);
    free(after);
    config_free(&c);
    free(text);
    return 0;
}
