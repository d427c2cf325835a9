/* test_msrp_uri.c - MSRP URIs and paths (msrp_uri.h; RFC 4975 §6, §6.1,
 * §9; RFC 4976) */
#include "testutil.h"
#include "msrp_uri.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in;
	int secure;
	const char *user, *host;
	unsigned port;
	const char *session_id, *transport;
	const char *formatted;  /* NULL: same as in */
	const char *comment;
} good[] = {
	{ "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp", 0, "",
	  "biloxi.example.com", 12763, "kjhd37s2s20w2a", "tcp", NULL,
	  "RFC 4975 §4" },
	{ "msrps://alice@intra.example.com;tcp", 1, "alice",
	  "intra.example.com", 0, "", "tcp", NULL,
	  "RFC 4976: a relay's URI, no port, no session-id" },
	{ "msrps://[2001:db8::1]:2856/x9;tcp", 1, "", "2001:db8::1", 2856,
	  "x9", "tcp", NULL, "IPv6 literal" },
	{ "msrp://192.0.2.7:2855/a+b=c/d-e.f_g~h;tcp", 0, "", "192.0.2.7",
	  2855, "a+b=c/d-e.f_g~h", "tcp", NULL,
	  "IPv4, every session-id character" },
	{ "MSRP://Host.Example.COM:1/s;TCP", 0, "", "Host.Example.COM", 1, "s",
	  "TCP", "msrp://Host.Example.COM:1/s;TCP", "scheme is case-insensitive" },
	{ "msrp://u%41:pw@h.example.com:65535/s;tcp;foo=bar;baz", 0, "u%41:pw",
	  "h.example.com", 65535, "s", "tcp",
	  "msrp://u%41:pw@h.example.com:65535/s;tcp",
	  "userinfo with pct-encoding, URI parameters (not kept)" },
	{ "msrp://h/s;sctp", 0, "", "h", 0, "s", "sctp", NULL,
	  "other transports" },
};

static const struct {
	const char *in;
	const char *comment;
} bad[] = {
	{ "http://h.example.com:1/s;tcp", "wrong scheme" },
	{ "msrp:/h.example.com:1/s;tcp", "one slash" },
	{ "msrp://h.example.com:1/s", "no transport" },
	{ "msrp://h.example.com:1/s;", "empty transport" },
	{ "msrp://:1/s;tcp", "no host" },
	{ "msrp://h.example.com:0/s;tcp", "port 0" },
	{ "msrp://h.example.com:65536/s;tcp", "port over 65535" },
	{ "msrp://h.example.com:/s;tcp", "empty port" },
	{ "msrp://h.example.com:1/;tcp", "empty session-id" },
	{ "msrp://[2001:db8::1/s;tcp", "unclosed IPv6 bracket" },
	{ "msrp://[not-v6]:1/s;tcp", "bracketed non-address" },
	{ "msrp://300.1.1.1:1/s;tcp", "IPv4 out of range" },
	{ "msrp://h.example.com:1/s;tcp extra", "trailing text" },
	{ "msrp://h.ex ample.com:1/s;tcp", "space in host" },
	{ "msrp://@h.example.com:1/s;tcp", "empty userinfo" },
	{ "msrp://u%4@h.example.com:1/s;tcp", "truncated pct-encoding" },
	{ "msrp://h.example.com:1/s?x;tcp", "? in session-id" },
	{ "msrp://h.example.com:1/s;tcp;=x", "empty parameter name" },
	{ "", "empty" },
};

START_TEST(parse_good)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = strlen(good[i].in);
		char *g = sx_test_guard_copy(good[i].in, n);
		struct msrp_uri u;
		struct sx_err err;
		char out[512];
		const char *want = good[i].formatted ? good[i].formatted :
						       good[i].in;

		ck_assert_msg(msrp_uri_parse(g, n, &u, &err) == 0, "%s: %s",
			      good[i].comment, err.text);
		ck_assert_int_eq(u.secure, good[i].secure);
		ck_assert_str_eq(u.user, good[i].user);
		ck_assert_str_eq(u.host, good[i].host);
		ck_assert_uint_eq(u.port, good[i].port);
		ck_assert_str_eq(u.session_id, good[i].session_id);
		ck_assert_str_eq(u.transport, good[i].transport);
		ck_assert_uint_eq(msrp_uri_format(out, sizeof(out), &u),
				  strlen(want));
		ck_assert_str_eq(out, want);
		sx_test_guard_free(g, n);
	}
}
END_TEST

START_TEST(parse_bad)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i].in);
		char *g = sx_test_guard_copy(bad[i].in, n);
		struct msrp_uri u;
		struct sx_err err;

		sx_err_clear(&err);
		ck_assert_msg(msrp_uri_parse(g, n, &u, &err) == SX_ERROR,
			      "accepted: %s", bad[i].comment);
		ck_assert_int_eq(err.status, 400);
		ck_assert_ptr_nonnull(strstr(err.text, "malformed MSRP URI"));
		sx_test_guard_free(g, n);
	}
}
END_TEST

START_TEST(format_truncates_like_snprintf)
{
	struct msrp_uri u;
	char small[10];
	const char *in = "msrp://h.example.com:7/s;tcp";

	ck_assert_int_eq(msrp_uri_parse(in, strlen(in), &u, NULL), 0);
	ck_assert_uint_eq(msrp_uri_format(small, sizeof(small), &u),
			  strlen(in));
	ck_assert_str_eq(small, "msrp://h.");
	memset(&u, 0, sizeof(u));
	strcpy(u.host, "::1");   /* no transport: ";tcp" is written */
	ck_assert_uint_eq(msrp_uri_format(small, sizeof(small), &u), 16);
	ck_assert_str_eq(small, "msrp://[:");
}
END_TEST

static const struct {
	const char *a, *b;
	int equal;
	const char *comment;
} eq[] = {
	{ "msrp://h.example.com:1/s;tcp", "MSRP://H.EXAMPLE.COM:1/s;TCP", 1,
	  "scheme, host and transport are case-insensitive" },
	{ "msrp://alice@h.example.com:1/s;tcp", "msrp://bob@h.example.com:1/s;tcp",
	  1, "userinfo is ignored" },
	{ "msrp://h.example.com:1/s;tcp;x=y", "msrp://h.example.com:1/s;tcp", 1,
	  "parameters are ignored" },
	{ "msrp://[2001:db8::1]:1/s;tcp", "msrp://[2001:DB8:0:0::1]:1/s;tcp", 1,
	  "IPv6 addresses compare as addresses" },
	{ "msrp://h.example.com:1/s;tcp", "msrp://h.example.com:1/S;tcp", 0,
	  "session-id is case-sensitive" },
	{ "msrp://h.example.com:1/s;tcp", "msrps://h.example.com:1/s;tcp", 0,
	  "scheme must match" },
	{ "msrp://h.example.com:1/s;tcp", "msrp://h.example.com/s;tcp", 0,
	  "an explicit port never equals an absent one" },
	{ "msrp://h.example.com:1/s;tcp", "msrp://h.example.com:2/s;tcp", 0,
	  "different ports" },
	{ "msrp://h.example.com:1/s;tcp", "msrp://h.example.com:1;tcp", 0,
	  "a session-id never equals none" },
	{ "msrp://h.example.com:1/s;tcp", "msrp://h.example.com:1/s;sctp", 0,
	  "different transports" },
	{ "msrp://192.0.2.1:1/s;tcp", "msrp://192.0.2.10:1/s;tcp", 0,
	  "different IPv4 addresses" },
	{ "msrp://192.0.2.1:1/s;tcp", "msrp://h.example.com:1/s;tcp", 0,
	  "address against name" },
};

START_TEST(equality)
{
	size_t i;

	for (i = 0; i < sizeof(eq) / sizeof(eq[0]); i++) {
		struct msrp_uri a, b;

		ck_assert_int_eq(msrp_uri_parse(eq[i].a, strlen(eq[i].a), &a,
						NULL), 0);
		ck_assert_int_eq(msrp_uri_parse(eq[i].b, strlen(eq[i].b), &b,
						NULL), 0);
		ck_assert_msg(msrp_uri_equal(&a, &b) == eq[i].equal, "%s",
			      eq[i].comment);
		ck_assert_msg(msrp_uri_equal(&b, &a) == eq[i].equal, "%s (b, a)",
			      eq[i].comment);
	}
}
END_TEST

START_TEST(paths)
{
	/* RFC 4976: a path through two relays */
	const char *p = "msrps://intra.example.com:9000/jui787s2f;tcp "
			"msrps://relay.example.net:9000/kwjeeif;tcp "
			"msrps://bob.example.net:8145/foo;tcp";
	struct msrp_uri u[3];
	struct sx_err err;
	char *g = sx_test_guard_copy(p, strlen(p));

	ck_assert_int_eq(msrp_path_parse(g, strlen(p), u, 3, &err), 3);
	ck_assert_str_eq(u[0].host, "intra.example.com");
	ck_assert_str_eq(u[1].session_id, "kwjeeif");
	ck_assert_uint_eq(u[2].port, 8145);
	ck_assert_int_eq(msrp_path_parse(g, strlen(p), u, 2, &err), SX_ERROR);
	ck_assert_ptr_nonnull(strstr(err.text, "more than 2"));
	ck_assert_uint_eq(err.offset, strstr(p, "msrps://bob") - p);
	sx_test_guard_free(g, strlen(p));

	ck_assert_int_eq(msrp_path_parse("  msrp://h:1/s;tcp\t ", 20, u, 3,
					 &err), 1);
	ck_assert_str_eq(u[0].host, "h");
	ck_assert_int_eq(msrp_path_parse("   ", 3, u, 3, &err), SX_ERROR);
	ck_assert_ptr_nonnull(strstr(err.text, "empty path"));
	ck_assert_int_eq(msrp_path_parse("msrp://h:1/s;tcp msrp://h:1/s", 29, u,
					 3, &err), SX_ERROR);
	ck_assert_int_eq(err.status, 400);
	/* where the URI at fault starts */
	ck_assert_uint_eq(err.offset, 17);
}
END_TEST

static Suite *msrp_uri_suite(void)
{
	Suite *s = suite_create("msrp_uri");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, parse_bad);
	tcase_add_test(tc, format_truncates_like_snprintf);
	tcase_add_test(tc, equality);
	tcase_add_test(tc, paths);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_uri_suite)
