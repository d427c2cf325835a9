/* test_sx_opt.c - command-line option values: bounded decimal numbers and
 * the local user's name. */
#include "testutil.h"
#include "sx_opt.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *in;
	unsigned long min, max;
	int ok;
	unsigned long want;
	const char *comment;
} nums[] = {
	{ "1", 1, 86400, 1, 1, "lowest" },
	{ "86400", 1, 86400, 1, 86400, "highest" },
	{ "90", 1, 86400, 1, 90, "in between" },
	{ "0090", 1, 86400, 1, 90, "leading zeros" },
	{ "0", 1, 86400, 0, 0, "under min" },
	{ "86401", 1, 86400, 0, 0, "over max" },
	{ "0", 0, 10, 1, 0, "zero allowed by min 0" },
	{ "", 1, 86400, 0, 0, "empty" },
	{ " 5", 1, 86400, 0, 0, "leading blank" },
	{ "+5", 1, 86400, 0, 0, "sign" },
	{ "-1", 0, ULONG_MAX, 0, 0, "negative (strtoul wraps it)" },
	{ "5s", 1, 86400, 0, 0, "unit after" },
	{ "5 ", 1, 86400, 0, 0, "trailing blank" },
	{ "0x10", 0, 100, 0, 0, "hexadecimal" },
	{ "99999999999999999999999", 0, ULONG_MAX, 0, 0, "overflow" },
	{ "1048576", 1, 1024 * 1024, 1, 1048576, "chunk size limit" },
};

START_TEST(test_ulong)
{
	size_t len = strlen(nums[_i].in) + 1;
	char *in = sx_test_guard_copy(nums[_i].in, len);
	unsigned long v = 12345;
	int rc = sx_opt_ulong(in, nums[_i].min, nums[_i].max, &v);

	if (nums[_i].ok) {
		ck_assert_msg(rc == 0, "%s: \"%s\" refused", nums[_i].comment,
			      nums[_i].in);
		ck_assert_uint_eq(v, nums[_i].want);
	} else {
		ck_assert_msg(rc == -1, "%s: \"%s\" accepted",
			      nums[_i].comment, nums[_i].in);
		ck_assert_uint_eq(v, 12345);
	}
	sx_test_guard_free(in, len);
}
END_TEST

START_TEST(test_ulong_max)
{
	char buf[32];
	unsigned long v = 0;

	snprintf(buf, sizeof(buf), "%lu", ULONG_MAX);
	ck_assert_int_eq(sx_opt_ulong(buf, 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, ULONG_MAX);
}
END_TEST

START_TEST(test_user)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *want;

	ck_assert_int_eq(setenv("USER", "carol", 1), 0);
	ck_assert_str_eq(sx_opt_user("prog"), "carol");

	/* An empty $USER says nothing: the password database does. */
	ck_assert_int_eq(setenv("USER", "", 1), 0);
	want = pw && pw->pw_name ? pw->pw_name : "prog";
	ck_assert_str_eq(sx_opt_user("prog"), want);
	ck_assert_int_eq(unsetenv("USER"), 0);
	ck_assert_str_eq(sx_opt_user("prog"), want);
}
END_TEST

static Suite *sx_opt_suite(void)
{
	Suite *s = suite_create("sx_opt");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_ulong, 0,
			    (int)(sizeof(nums) / sizeof(nums[0])));
	tcase_add_test(tc, test_ulong_max);
	tcase_add_test(tc, test_user);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(sx_opt_suite)
