/* test_sx_stream.c - the listen address syntax shared by the MSRP
 * listeners: "host:port" and "[v6-address]:port" (sx_hostport_split). */
#include <string.h>

#include "testutil.h"
#include "sx_stream.h"

static const struct {
	const char *in;
	int rc;
	const char *host;
	unsigned port;
	const char *comment;
} cases[] = {
	{ "127.0.0.1:2855", 0, "127.0.0.1", 2855, "IPv4" },
	{ "localhost:0", 0, "localhost", 0, "a name, any port" },
	{ "[::1]:2855", 0, "::1", 2855, "IPv6 in brackets" },
	{ "::1:80", 0, "::1", 80, "the last colon separates the port" },
	{ "h:65535", 0, "h", 65535, "the highest port" },
	{ "h:65536", SX_ERROR, NULL, 0, "port out of range" },
	{ "127.0.0.1", SX_ERROR, NULL, 0, "no port" },
	{ "127.0.0.1:", SX_ERROR, NULL, 0, "empty port" },
	{ ":2855", SX_ERROR, NULL, 0, "empty host" },
	{ "[]:2855", SX_ERROR, NULL, 0, "empty host in brackets" },
	{ "h:28x", SX_ERROR, NULL, 0, "trailing garbage" },
	{ "h:-1", SX_ERROR, NULL, 0, "negative port" },
	{ "h: 1", SX_ERROR, NULL, 0, "space before the port" },
	{ "h:99999999999999999999999", SX_ERROR, NULL, 0, "overflow" },
};

START_TEST(split_table)
{
	char host[16];
	unsigned port = 12345;
	size_t len = strlen(cases[_i].in) + 1;
	char *in = sx_test_guard_copy(cases[_i].in, len);
	int rc = sx_hostport_split(in, host, sizeof(host), &port);

	ck_assert_msg(rc == cases[_i].rc, "%s: rc %d", cases[_i].comment, rc);
	if (rc == 0) {
		ck_assert_str_eq(host, cases[_i].host);
		ck_assert_uint_eq(port, cases[_i].port);
	} else {
		ck_assert_uint_eq(port, 12345);  /* untouched on error */
	}
	sx_test_guard_free(in, len);
}
END_TEST

START_TEST(split_host_too_long)
{
	char host[4];
	unsigned port;

	ck_assert_int_eq(sx_hostport_split("abcd:1", host, sizeof(host),
					   &port), SX_ERROR);
	ck_assert_int_eq(sx_hostport_split("abc:1", host, sizeof(host),
					   &port), 0);
	ck_assert_str_eq(host, "abc");
}
END_TEST

static Suite *sx_stream_suite(void)
{
	Suite *s = suite_create("sx_stream");
	TCase *tc = tcase_create("hostport");

	tcase_add_loop_test(tc, split_table, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, split_host_too_long);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(sx_stream_suite)
