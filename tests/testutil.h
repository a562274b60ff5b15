/* Shared by the cmocka test programs. */
#ifndef EDUKIOSK_TESTUTIL_H
#define EDUKIOSK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* Directory of tests/data (set by tests/run-tests.sh; falls back to the
 * source tree when a test is run by hand from the top directory). */
static inline const char *test_data_dir(void)
{
    const char *d = getenv("EDUKIOSK_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/* Path of a file under tests/data in a static buffer. */
static inline const char *test_data(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", test_data_dir(), name);
    return buf;
}

#endif
