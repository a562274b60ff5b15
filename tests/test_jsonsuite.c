/* Every file of JSONTestSuite's test_parsing (y_ valid JSON, n_ invalid,
 * i_ implementation-defined) through feed_parse(): none is a feed, so none
 * may yield a deck, each must give at least one error with a position and
 * a message, and none may crash, hang or leak (this runs under ASan and
 * valgrind too). */
#include "testutil.h"

#include <string.h>

#include "feed.h"
#include "fileutil.h"

static void test_suite(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", test_data("JSONTestSuite/test_parsing"));
    char **names;
    size_t n_all = tu_list_dir(dir, "", &names), n = 0;
    for (size_t i = 0; i < n_all; i++) { /* keep y_, n_ and i_ files, in order */
        if (names[i][0] == 'y' || names[i][0] == 'n' || names[i][0] == 'i')
            names[n++] = names[i];
        else
            free(names[i]);
    }
    assert_true(n >= 300);

    size_t counts[3] = {0};
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(file_read(path, 16u << 20, &data, &len), 0);
        /* An exact-size copy, so that ASan sees any read past len. */
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, data, len);
        free(data);

        struct feed_report rep;
        struct deck *d = feed_parse(exact, len, names[i], NULL, &rep);
        if (d) {
            print_error("%s: yielded a deck\n", names[i]);
            bad++;
            deck_unref(d);
        }
        if (rep.errors < 1 || rep.n < 1) {
            print_error("%s: no error reported\n", names[i]);
            bad++;
        }
        for (size_t k = 0; k < rep.n; k++) {
            const struct feed_diag *g = &rep.diags[k];
            if (!g->msg || !g->msg[0] || !g->path || g->line < 1 || g->col < 1) {
                print_error("%s: diagnostic %zu lacks a message or position\n", names[i], k);
                bad++;
            }
        }
        counts[names[i][0] == 'y' ? 0 : names[i][0] == 'n' ? 1 : 2]++;
        feed_report_free(&rep);
        free(exact);
        free(names[i]);
    }
    free(names);
    print_message("checked %zu y_, %zu n_, %zu i_ files\n", counts[0], counts[1], counts[2]);
    assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
