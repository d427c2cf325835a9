/* test_sx_err.c - the shared error convention */
#include "testutil.h"
#include "sx_err.h"

START_TEST(set_returns_error_and_formats)
{
	struct sx_err e;

	sx_err_clear(&e);
	ck_assert_int_eq(sx_err_set(&e, 400, "bad %s at %d", "line", 3), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_str_eq(e.text, "bad line at 3");
	ck_assert_int_eq(sx_err_set(NULL, 400, "x"), SX_ERROR);
}
END_TEST

static Suite *sx_err_suite(void)
{
	Suite *s = suite_create("sx_err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, set_returns_error_and_formats);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(sx_err_suite)
