/* test_cpim_build.c - message/cpim builder (RFC 3862 §3.6, §2.3 escapes,
 * §4 headers), checked against exact text and through the parser */
#include "testutil.h"
#include "cpim.h"

#include <stdlib.h>
#include <string.h>

#define NS_MID "mid:MessageFeatures@id.foo.com"

/* Parses what was built, placed right before an unreadable page. */
struct parsed {
	char *g;
	size_t len;
	struct cpim_msg m;
};

static void parse_str(struct parsed *p, const char *s)
{
	struct sx_err e;
	ssize_t r;

	p->len = strlen(s);
	p->g = sx_test_guard_copy(s, p->len);
	r = cpim_parse(p->g, p->len, NULL, 0, &p->m, &e);
	ck_assert_msg(r > 0, "parse failed: %s", e.text);
}

static void parsed_free(struct parsed *p)
{
	sx_test_guard_free(p->g, p->len);
}

/* 2015-02-15T17:42:08.250Z */
static const struct timespec when = { 1424022128, 250000000 };

START_TEST(build_groupchat)
{
	static const char want[] =
		"From: \"Juliet\" <sip:juliet@example.com>\r\n"
		"To: <sip:verona@chat.example.org>\r\n"
		"DateTime: 2015-02-15T17:42:08.250Z\r\n"
		"\r\n"
		"Content-Type: text/plain;charset=UTF-8\r\n"
		"\r\n"
		"Romeo, Romeo";
	struct cpim_builder b;
	struct parsed p;
	char buf[512];

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_from(&b, "Juliet", "sip:juliet@example.com");
	cpim_build_to(&b, NULL, "sip:verona@chat.example.org");
	cpim_build_datetime(&b, &when, 0);
	cpim_build_content(&b, "text/plain", "UTF-8");
	cpim_build_body(&b, "Romeo, Romeo", 12);
	ck_assert_int_eq(cpim_build_done(&b, NULL), (ssize_t)strlen(want));
	ck_assert_str_eq(buf, want);

	parse_str(&p, buf);
	SX_TEST_SLICE_EQ(p.m.body, "Romeo, Romeo");
	SX_TEST_SLICE_EQ(p.m.content_type, "text/plain;charset=UTF-8");
	parsed_free(&p);
}
END_TEST

START_TEST(build_everything)
{
	static const char want[] =
		"From: \"Winnie \\\"the\\\" \\\\ Pooh\\n\" <im:pooh@example.com>\r\n"
		"To: <sip:room@chat.example.com;gr=bob>\r\n"
		"To: \"Renée\" <sip:renee@example.com>\r\n"
		"DateTime: 2015-02-15T09:42:08.250-08:00\r\n"
		"Subject:;lang=fr beau temps\\r\\n\\\\ \\u0001\r\n"
		"Subject: plain \"quotes\"\r\n"
		"NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
		"NS: <urn:example:ext>\r\n"
		"MyFeatures.WackyMessageOption: Use-silly-font\r\n"
		"Colour: blue\r\n"
		"\r\n"
		"Content-Type: text/html\r\n"
		"Content-ID: <1234567890@foo.com>\r\n"
		"\r\n";
	const struct cpim_header *h;
	struct cpim_builder b;
	struct cpim_addr a;
	struct timespec ts;
	struct parsed p;
	char buf[1024];
	int off;

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_from(&b, "Winnie \"the\" \\ Pooh\n", "im:pooh@example.com");
	cpim_build_to(&b, "", "sip:room@chat.example.com;gr=bob");
	cpim_build_to(&b, "Renée", "sip:renee@example.com");
	cpim_build_datetime(&b, &when, -480);
	cpim_build_subject(&b, "fr", "beau temps\r\n\\ \x01");
	cpim_build_subject(&b, NULL, "plain \"quotes\"");
	cpim_build_ns(&b, "MyFeatures", NS_MID);
	cpim_build_ns(&b, NULL, "urn:example:ext");
	cpim_build_header(&b, "MyFeatures.WackyMessageOption",
			  "Use-silly-font");
	cpim_build_header(&b, "Colour", "blue");
	cpim_build_content(&b, "text/html", NULL);
	cpim_build_content_header(&b, "Content-ID", "<1234567890@foo.com>");
	cpim_build_body(&b, NULL, 0);
	ck_assert_int_eq(cpim_build_done(&b, NULL), (ssize_t)strlen(want));
	ck_assert_str_eq(buf, want);

	/* and back */
	parse_str(&p, buf);
	ck_assert_uint_eq(cpim_header_count(&p.m, NULL, "To"), 2);
	h = cpim_header(&p.m, NULL, "From");
	ck_assert_int_eq(cpim_addr_parse(h->value.p, h->value.len, &a, NULL),
			 0);
	ck_assert_str_eq(a.name, "Winnie \"the\" \\ Pooh\n");
	h = cpim_header(&p.m, NULL, "DateTime");
	ck_assert_int_eq(cpim_datetime_parse(h->value.p, h->value.len, &ts,
					     &off, NULL), 0);
	ck_assert_int_eq(ts.tv_sec, when.tv_sec);
	ck_assert_int_eq(ts.tv_nsec, when.tv_nsec);
	ck_assert_int_eq(off, -480);
	h = cpim_header(&p.m, NULL, "Subject");
	{
		char text[64];

		ck_assert_int_ge(cpim_unescape(h->value.p, h->value.len, text,
					       sizeof(text)), 0);
		ck_assert_str_eq(text, "beau temps\r\n\\ \x01");
	}
	ck_assert_ptr_nonnull(cpim_header(&p.m, NS_MID, "WackyMessageOption"));
	ck_assert_ptr_nonnull(cpim_header(&p.m, "urn:example:ext", "Colour"));
	SX_TEST_SLICE_EQ(p.m.body, "");
	parsed_free(&p);
}
END_TEST

START_TEST(build_now)
{
	struct cpim_builder b;
	struct timespec ts;
	struct parsed p;
	char buf[256];
	time_t before = time(NULL);

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_datetime(&b, NULL, 60);
	cpim_build_content(&b, "text/plain", NULL);
	cpim_build_body(&b, "x", 1);
	ck_assert_int_gt(cpim_build_done(&b, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "+01:00\r\n"));
	parse_str(&p, buf);
	ck_assert_int_eq(cpim_datetime_parse(p.m.headers[0].value.p,
					     p.m.headers[0].value.len, &ts,
					     NULL, NULL), 0);
	ck_assert_int_ge(ts.tv_sec, before);
	ck_assert_int_le(ts.tv_sec, time(NULL));
	parsed_free(&p);
}
END_TEST

static ssize_t build_small(char *buf, size_t cap)
{
	struct cpim_builder b;

	cpim_build_init(&b, buf, cap);
	cpim_build_from(&b, "Alice", "sip:alice@example.com");
	cpim_build_to(&b, NULL, "sip:room@chat.example.com");
	cpim_build_content(&b, "text/plain", NULL);
	cpim_build_body(&b, "hello", 5);
	return cpim_build_done(&b, NULL);
}

START_TEST(build_snprintf_semantics)
{
	char big[256], small[16];
	ssize_t n = build_small(big, sizeof(big));

	ck_assert_int_gt(n, 16);
	ck_assert_int_eq(build_small(small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), 15);
	ck_assert_int_eq(strncmp(small, big, 15), 0);
	ck_assert_int_eq(build_small(NULL, 0), n);
	{
		char *exact = malloc((size_t)n + 1);

		ck_assert_int_eq(build_small(exact, (size_t)n + 1), n);
		ck_assert_str_eq(exact, big);
		free(exact);
	}
}
END_TEST

START_TEST(build_invalid)
{
	struct cpim_builder b;
	struct sx_err e;
	char buf[256];

	/* each case: one bad call among good ones */
	for (int i = 0; i < 10; i++) {
		cpim_build_init(&b, buf, sizeof(buf));
		switch (i) {
		case 0: cpim_build_from(&b, "A", "sip:a b@c"); break;
		case 1: cpim_build_to(&b, "A", "sip:a@b>"); break;
		case 2: cpim_build_to(&b, "\xc3(", "sip:a@b"); break;
		case 3: cpim_build_subject(&b, "fr-", "x"); break;
		case 4: cpim_build_header(&b, "A.B.C", "x"); break;
		case 5: cpim_build_ns(&b, "My.Prefix", "urn:x"); break;
		case 6: cpim_build_datetime(&b, &when, 24 * 60); break;
		case 7: cpim_build_content_header(&b, "Late", "x"); break;
		case 8: cpim_build_header(&b, "Colour", "bl\xffue"); break;
		case 9: cpim_build_from(&b, NULL, NULL); break;
		}
		cpim_build_content(&b, "text/plain", NULL);
		cpim_build_body(&b, "x", 1);
		sx_err_clear(&e);
		ck_assert_msg(cpim_build_done(&b, &e) == SX_ERROR, "case %d", i);
		ck_assert_int_eq(e.status, 500);
	}

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_content(&b, "text/plain\r\nX: y", NULL);
	cpim_build_body(&b, "x", 1);
	ck_assert_int_eq(cpim_build_done(&b, &e), SX_ERROR);

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_content(&b, "text/plain", NULL);
	cpim_build_from(&b, NULL, "sip:a@b");
	cpim_build_body(&b, "x", 1);
	ck_assert_int_eq(cpim_build_done(&b, &e), SX_ERROR);
	ck_assert_str_eq(e.text, "CPIM parts built out of order");

	cpim_build_init(&b, buf, sizeof(buf));
	cpim_build_from(&b, NULL, "sip:a@b");
	ck_assert_int_eq(cpim_build_done(&b, &e), SX_ERROR);
	ck_assert_str_eq(e.text, "CPIM message not complete");
}
END_TEST

static Suite *cpim_build_suite(void)
{
	Suite *s = suite_create("cpim_build");
	TCase *tb = tcase_create("build");

	tcase_add_test(tb, build_groupchat);
	tcase_add_test(tb, build_everything);
	tcase_add_test(tb, build_now);
	tcase_add_test(tb, build_snprintf_semantics);
	tcase_add_test(tb, build_invalid);
	suite_add_tcase(s, tb);
	return s;
}

SX_TEST_MAIN(cpim_build_suite)
