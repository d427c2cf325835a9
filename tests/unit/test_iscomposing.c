/* test_iscomposing.c - RFC 3994 is-composing documents, read and written;
 * samples in fixtures/iscomposing/ (see its README). */
#include "testutil.h"
#include "iscomposing.h"

#include <stdlib.h>
#include <string.h>

static int parse_guarded(const char *data, size_t len, struct iscomposing *ic,
			 struct sx_err *e)
{
	char *g = sx_test_guard_copy(data, len);
	int r;

	sx_err_clear(e);
	r = iscomposing_parse(g, len, ic, e);
	sx_test_guard_free(g, len);
	return r;
}

struct good {
	const char *file;
	int active;
	unsigned long refresh;
	const char *contenttype;
	const char *lastactive;
	const char *comment;
};

static const struct good goods[] = {
	{ "iscomposing/rfc3994-6-active.xml", 1, 90, "text/plain", "",
	  "RFC 3994 §6: active, refresh 90" },
	{ "iscomposing/rfc3994-6-idle.xml", 0, 0, "audio",
	  "2003-01-27T10:43:00Z", "RFC 3994 §6: idle with lastactive" },
	{ "iscomposing/minimal-idle.xml", 0, 0, "", "", "state only" },
	{ "iscomposing/extension.xml", 1, 60, "", "",
	  "prefixed, padded state, foreign element ignored" },
};

START_TEST(test_good)
{
	const struct good *g = &goods[_i];
	struct iscomposing ic;
	struct sx_err e;
	size_t len;
	char *doc = sx_test_fixture(g->file, &len);

	ck_assert_msg(parse_guarded(doc, len, &ic, &e) == 0, "%s: %s",
		      g->comment, e.text);
	ck_assert_int_eq(ic.active, g->active);
	ck_assert_uint_eq(ic.refresh, g->refresh);
	ck_assert_str_eq(ic.contenttype, g->contenttype);
	ck_assert_str_eq(ic.lastactive, g->lastactive);
	free(doc);
}
END_TEST

static void check_bad(const struct sx_test_bad *b)
{
	struct iscomposing ic;
	struct sx_err e;

	ck_assert_msg(parse_guarded(b->data, b->len, &ic, &e) == SX_ERROR,
		      "%s accepted", b->file);
	sx_test_assert_refused(b, &e);
}

START_TEST(test_bad)
{
	ck_assert_int_ge(sx_test_bad_corpus("iscomposing/bad", check_bad), 12);
}
END_TEST

/* What is built reads back as what was asked. */
static const struct {
	int active;
	unsigned long refresh;
	const char *contenttype;
	unsigned long want_refresh;
	const char *comment;
} builds[] = {
	{ 1, 60, "text/plain", 60, "active with refresh" },
	{ 0, 60, "text/plain", 0, "idle carries no refresh (§4)" },
	{ 1, 0, NULL, 0, "active, nothing else" },
	{ 0, 0, "text/html", 0, "idle with a type" },
};

START_TEST(test_build)
{
	struct iscomposing ic;
	struct sx_err e;
	size_t len;
	char *doc = iscomposing_build(builds[_i].active, builds[_i].refresh,
				      builds[_i].contenttype, &len);

	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(len, strlen(doc));
	ck_assert_msg(parse_guarded(doc, len, &ic, &e) == 0, "%s: %s",
		      builds[_i].comment, e.text);
	ck_assert_int_eq(ic.active, builds[_i].active);
	ck_assert_uint_eq(ic.refresh, builds[_i].want_refresh);
	ck_assert_str_eq(ic.contenttype, builds[_i].contenttype ?
			 builds[_i].contenttype : "");
	free(doc);
}
END_TEST

START_TEST(test_build_refuses_markup)
{
	size_t len;

	ck_assert_ptr_null(iscomposing_build(1, 60, "text/<x>", &len));
	ck_assert_ptr_null(iscomposing_build(1, 60, "a&b", &len));
	ck_assert_ptr_null(iscomposing_build(1, 60, "a\nb", &len));
}
END_TEST

static Suite *iscomposing_suite(void)
{
	Suite *s = suite_create("iscomposing");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_good, 0,
			    (int)(sizeof(goods) / sizeof(goods[0])));
	tcase_add_test(tc, test_bad);
	tcase_add_loop_test(tc, test_build, 0,
			    (int)(sizeof(builds) / sizeof(builds[0])));
	tcase_add_test(tc, test_build_refuses_markup);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(iscomposing_suite)
