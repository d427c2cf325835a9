/* test_msrp_reasm.c - reassembly of chunked MSRP messages (msrp_reasm.h;
 * RFC 4975 §7.1.1, §7.3.1) */
#include "testutil.h"
#include "msrp_reasm.h"

#include <stdlib.h>
#include <string.h>

#define ID "4564dpWd", 8

static int add(struct msrp_reasm *r, uint64_t start, uint64_t total,
	       const char *data, int last, struct sx_err *err)
{
	size_t n = data ? strlen(data) : 0;

	sx_err_clear(err);
	return msrp_reasm_add(r, ID, start, total, data, n, last, err);
}

static void take_is(struct msrp_reasm *r, const char *want)
{
	size_t len = 99;
	char *body = msrp_reasm_take(r, ID, &len);

	ck_assert_ptr_nonnull(body);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(body, want, len) == 0);
	free(body);
	/* taken: gone */
	ck_assert_ptr_null(msrp_reasm_take(r, ID, &len));
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 0);
}

START_TEST(in_order)
{
	/* RFC 4975 §5.1: "abcd" then "EFGH" of an 8-byte message */
	struct msrp_reasm *r = msrp_reasm_new(4, 1000);
	struct sx_err err;

	ck_assert_int_eq(add(r, 1, 8, "abcd", 0, &err), 0);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 4);
	ck_assert_ptr_null(msrp_reasm_take(r, ID, &(size_t){ 0 }));
	ck_assert_int_eq(add(r, 5, 8, "EFGH", 1, &err), 1);
	take_is(r, "abcdEFGH");
	msrp_reasm_free(r);
}
END_TEST

START_TEST(out_of_order_and_overlap)
{
	struct msrp_reasm *r = msrp_reasm_new(4, 1000);
	struct sx_err err;

	ck_assert_int_eq(add(r, 7, 8, "GH", 0, &err), 0);
	ck_assert_int_eq(add(r, 1, 8, "ab", 0, &err), 0);
	ck_assert_int_eq(add(r, 4, 8, "d", 0, &err), 0);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 5);
	/* overlaps two pieces and fills the gap between them: the last
	 * bytes received win */
	ck_assert_int_eq(add(r, 2, 8, "XYZW", 0, &err), 0);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 7);
	ck_assert_int_eq(add(r, 8, 8, "h", 0, &err), 0);
	ck_assert_int_eq(add(r, 1, 8, "A", 0, &err), 0);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 7);
	ck_assert_int_eq(add(r, 6, 8, "vg", 0, &err), 1);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 8);
	take_is(r, "AXYZWvgh");
	msrp_reasm_free(r);
}
END_TEST

START_TEST(unknown_total)
{
	struct msrp_reasm *r = msrp_reasm_new(4, 1000);
	struct sx_err err;

	/* '*' totals; the '$' chunk fixes the total at its end */
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, "hello ", 0, &err), 0);
	ck_assert_int_eq(add(r, 7, MSRP_UNKNOWN, "world", 1, &err), 1);
	take_is(r, "hello world");

	/* the end marked by an empty '$' add after the last bytes */
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, "abc", 0, &err), 0);
	ck_assert_int_eq(add(r, 4, MSRP_UNKNOWN, NULL, 1, &err), 1);
	take_is(r, "abc");

	/* a later chunk tells the total; the gap is filled afterwards */
	ck_assert_int_eq(add(r, 4, MSRP_UNKNOWN, "def", 0, &err), 0);
	ck_assert_int_eq(add(r, 7, 8, "gh", 0, &err), 0);
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, "abc", 0, &err), 1);
	take_is(r, "abcdefgh");

	/* an empty message */
	ck_assert_int_eq(add(r, 1, 0, NULL, 1, &err), 1);
	take_is(r, "");
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, NULL, 1, &err), 1);
	take_is(r, "");
	msrp_reasm_free(r);
}
END_TEST

START_TEST(refusals)
{
	struct msrp_reasm *r = msrp_reasm_new(2, 100);
	struct sx_err err;

	/* total over the bound: 413, nothing kept */
	ck_assert_int_eq(add(r, 1, 101, "x", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 413);
	/* bytes past the bound with '*' total: 413, message dropped */
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, "x", 0, &err), 0);
	ck_assert_int_eq(add(r, 100, MSRP_UNKNOWN, "yz", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 413);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 0);
	/* inconsistent chunks: 400, message dropped */
	ck_assert_int_eq(add(r, 1, 10, "x", 0, &err), 0);
	ck_assert_int_eq(add(r, 2, 11, "y", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 0);
	ck_assert_int_eq(add(r, 9, 10, "abc", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	ck_assert_int_eq(add(r, 0, 10, "a", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	ck_assert_int_eq(add(r, 5, MSRP_UNKNOWN, "abc", 0, &err), 0);
	ck_assert_int_eq(add(r, 1, MSRP_UNKNOWN, "a", 1, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	ck_assert_int_eq(add(r, 5, MSRP_UNKNOWN, "abc", 0, &err), 0);
	ck_assert_int_eq(add(r, 1, 6, NULL, 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	ck_assert_int_eq(msrp_reasm_add(r, "0123456789abcdef0123456789abcdefX",
					33, 1, 1, "a", 1, 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);

	/* at most two messages in progress */
	ck_assert_int_eq(msrp_reasm_add(r, "m1", 2, 1, 5, "a", 1, 0, &err), 0);
	ck_assert_int_eq(msrp_reasm_add(r, "m2", 2, 1, 5, "a", 1, 0, &err), 0);
	ck_assert_int_eq(msrp_reasm_add(r, "m3", 2, 1, 5, "a", 1, 0, &err),
			 SX_ERROR);
	ck_assert_int_eq(err.status, 413);
	ck_assert_uint_eq(msrp_reasm_received(r, "m1", 2), 1);
	msrp_reasm_drop(r, "m1", 2);
	ck_assert_uint_eq(msrp_reasm_received(r, "m1", 2), 0);
	ck_assert_int_eq(msrp_reasm_add(r, "m3", 2, 1, 1, "a", 1, 0, &err), 1);
	msrp_reasm_drop(r, "nope", 4);
	msrp_reasm_free(r);
}
END_TEST

START_TEST(too_many_pieces)
{
	struct msrp_reasm *r = msrp_reasm_new(1, 1 << 20);
	struct sx_err err;
	uint64_t i;

	/* one byte out of two: 1024 separate pieces are fine, not 1025 */
	for (i = 0; i < 1024; i++)
		ck_assert_int_eq(add(r, 1 + 2 * i, 4096, "x", 0, &err), 0);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 1024);
	/* filling a gap merges pieces instead of adding one */
	ck_assert_int_eq(add(r, 2, 4096, "y", 0, &err), 0);
	ck_assert_int_eq(add(r, 1 + 2 * 1024, 4096, "x", 0, &err), 0);
	ck_assert_int_eq(add(r, 1 + 2 * 1025, 4096, "x", 0, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 413);
	ck_assert_uint_eq(msrp_reasm_received(r, ID), 0);
	msrp_reasm_free(r);
}
END_TEST

/* Random chunks, in random order, overlapping: the interval bookkeeping
 * must agree with a per-byte model of the same adds. */
START_TEST(random_against_model)
{
	enum { SIZE = 5000 };
	static char model[SIZE], have[SIZE], chunk[600];
	struct msrp_reasm *r = msrp_reasm_new(1, SIZE);
	struct sx_err err;
	int round;

	srand(42);
	for (round = 0; round < 20; round++) {
		uint64_t covered = 0;
		int done = 0;

		memset(have, 0, sizeof(have));
		while (!done) {
			size_t start = (size_t)rand() % SIZE;
			size_t len = 1 + (size_t)rand() % 500, i;
			int got;

			if (start + len > SIZE)
				len = SIZE - start;
			for (i = 0; i < len; i++) {
				chunk[i] = (char)rand();
				model[start + i] = chunk[i];
				if (!have[start + i])
					covered++;
				have[start + i] = 1;
			}
			got = msrp_reasm_add(r, ID, start + 1,
					     rand() % 2 ? SIZE : MSRP_UNKNOWN,
					     chunk, len, 0, &err);
			ck_assert_int_ge(got, 0);
			ck_assert_uint_eq(msrp_reasm_received(r, ID), covered);
			done = covered == SIZE;
			/* complete only once every byte is in, and only
			 * when the total was given at least once */
			if (got == 1)
				ck_assert(done);
			if (done && got == 0)
				ck_assert_int_eq(msrp_reasm_add(r, ID, 1, SIZE,
								NULL, 0, 0,
								&err), 1);
		}
		{
			size_t len;
			char *body = msrp_reasm_take(r, ID, &len);

			ck_assert_ptr_nonnull(body);
			ck_assert_uint_eq(len, SIZE);
			ck_assert(memcmp(body, model, SIZE) == 0);
			free(body);
		}
	}
	msrp_reasm_free(r);
}
END_TEST

static Suite *msrp_reasm_suite(void)
{
	Suite *s = suite_create("msrp_reasm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, in_order);
	tcase_add_test(tc, out_of_order_and_overlap);
	tcase_add_test(tc, unknown_total);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, too_many_pieces);
	tcase_add_test(tc, random_against_model);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_reasm_suite)
