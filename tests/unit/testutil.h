/*
 * testutil.h - helpers shared by the check unit tests.
 *
 * Every test binary is one tests/unit/test_NAME.c that ends with
 * SX_TEST_MAIN(NAME_suite); tests/run counts its results.
 */
#ifndef SX_TESTUTIL_H
#define SX_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* Copies data into a fresh mapping so that its last byte sits right before
 * an unreadable page: a parser that reads past the end crashes the test.
 * Release with sx_test_guard_free(). */
char *sx_test_guard_copy(const void *data, size_t len);
void sx_test_guard_free(char *p, size_t len);

/* Reads a whole file from fixtures/ (or $FIXTURES); aborts the test when it
 * cannot.  The result is NUL-terminated; *len gets its length. */
char *sx_test_fixture(const char *relpath, size_t *len);

int sx_test_run(Suite *s);

#define SX_TEST_MAIN(suite_fn) \
	int main(void) { return sx_test_run(suite_fn()); }

#endif
