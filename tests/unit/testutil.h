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

#include "sx_err.h"

/* Copies data into a fresh mapping so that its last byte sits right before
 * an unreadable page: a parser that reads past the end crashes the test.
 * Release with sx_test_guard_free(). */
char *sx_test_guard_copy(const void *data, size_t len);
void sx_test_guard_free(char *p, size_t len);

/* Reads a whole file from fixtures/ (or $FIXTURES); aborts the test when it
 * cannot.  The result is NUL-terminated; *len gets its length. */
char *sx_test_fixture(const char *relpath, size_t *len);

/* Fails the test unless the len bytes at p are the string want;
 * SX_TEST_SLICE_EQ() takes any borrowed string with p and len members. */
void sx_test_assert_mem(const char *p, size_t len, const char *want);
#define SX_TEST_SLICE_EQ(s, want) sx_test_assert_mem((s).p, (s).len, (want))

/* One input of a corpus that must be refused, as listed in DIR/EXPECTED:
 * lines "file<TAB>status<TAB>substring of the error text", '#' starting
 * a comment. */
struct sx_test_bad {
	char file[128];
	int status;
	char text[200];
	char *data;       /* DIR/file, NUL-terminated */
	size_t len;
};

/* Calls check for every input DIR/EXPECTED lists ("cpim/bad", under
 * fixtures/); returns how many it listed. */
int sx_test_bad_corpus(const char *dir,
		       void (*check)(const struct sx_test_bad *b));
/* Fails the test unless err has the status and text b expects. */
void sx_test_assert_refused(const struct sx_test_bad *b,
			    const struct sx_err *err);

int sx_test_run(Suite *s);

#define SX_TEST_MAIN(suite_fn) \
	int main(void) { return sx_test_run(suite_fn()); }

#endif
