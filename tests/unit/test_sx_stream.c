/* test_sx_stream.c - the listen address syntax shared by the MSRP
 * listeners: "host:port" and "[v6-address]:port" (sx_hostport_split), and
 * the SIP listen addresses "udp:HOST:PORT", "tcp:HOST:PORT"
 * (sx_listen_split). */
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

static const struct {
	const char *in;
	int rc;
	const char *proto, *host, *port;
	const char *comment;
} listen_cases[] = {
	{ "udp:127.0.0.1:5060", 0, "udp", "127.0.0.1", "5060", "IPv4" },
	{ "tcp:sip.example.com:0", 0, "tcp", "sip.example.com", "0",
	  "a name, any port" },
	{ "udp:[::1]:5060", 0, "udp", "[::1]", "5060",
	  "IPv6 keeps its brackets, for the SIP URI" },
	{ "tcp:h:05061", 0, "tcp", "h", "5061", "the port in decimal" },
	{ "udp:h:65535", 0, "udp", "h", "65535", "the highest port" },
	{ "tls:h:5061", SX_ERROR, NULL, NULL, NULL, "not udp or tcp" },
	{ "UDP:h:5060", SX_ERROR, NULL, NULL, NULL, "the transport in lower "
	  "case" },
	{ "udp:", SX_ERROR, NULL, NULL, NULL, "nothing after the transport" },
	{ "udp:h", SX_ERROR, NULL, NULL, NULL, "no port" },
	{ "udp:h:", SX_ERROR, NULL, NULL, NULL, "empty port" },
	{ "udp::5060", SX_ERROR, NULL, NULL, NULL, "empty host" },
	{ "udp:h:65536", SX_ERROR, NULL, NULL, NULL, "port out of range" },
	{ "udp:h:50x", SX_ERROR, NULL, NULL, NULL, "trailing garbage" },
	{ "127.0.0.1:5060", SX_ERROR, NULL, NULL, NULL, "no transport" },
	{ "ud", SX_ERROR, NULL, NULL, NULL, "shorter than a transport" },
};

START_TEST(listen_table)
{
	struct sx_listen_addr a;
	size_t len = strlen(listen_cases[_i].in) + 1;
	char *in = sx_test_guard_copy(listen_cases[_i].in, len);
	int rc;

	memset(&a, 'x', sizeof(a));
	rc = sx_listen_split(in, &a);
	ck_assert_msg(rc == listen_cases[_i].rc, "%s: rc %d",
		      listen_cases[_i].comment, rc);
	if (rc == 0) {
		ck_assert_str_eq(a.proto, listen_cases[_i].proto);
		ck_assert_str_eq(a.host, listen_cases[_i].host);
		ck_assert_str_eq(a.port, listen_cases[_i].port);
	} else {
		ck_assert_int_eq(a.proto[0], 'x');  /* untouched on error */
	}
	sx_test_guard_free(in, len);
}
END_TEST

START_TEST(listen_host_too_long)
{
	struct sx_listen_addr a;
	char spec[300];

	/* 255 bytes of host fit, 256 do not */
	memcpy(spec, "udp:", 4);
	memset(spec + 4, 'h', 255);
	strcpy(spec + 4 + 255, ":1");
	ck_assert_int_eq(sx_listen_split(spec, &a), 0);
	ck_assert_uint_eq(strlen(a.host), 255);
	memset(spec + 4, 'h', 256);
	strcpy(spec + 4 + 256, ":1");
	ck_assert_int_eq(sx_listen_split(spec, &a), SX_ERROR);
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
	tc = tcase_create("listen");
	tcase_add_loop_test(tc, listen_table, 0,
			    (int)(sizeof(listen_cases) /
				  sizeof(listen_cases[0])));
	tcase_add_test(tc, listen_host_too_long);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(sx_stream_suite)
