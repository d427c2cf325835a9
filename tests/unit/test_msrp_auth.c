/* test_msrp_auth.c - Digest for MSRP relays (RFC 4976 §5.1, RFC 2617 §3.5,
 * RFC 7616 §3.9.1) */
#include <string.h>

#include "testutil.h"
#include "msrp_auth.h"

static int parse(const char *text, struct msrp_auth_challenge *c,
		 struct sx_err *err)
{
	size_t n = strlen(text);
	char *g = sx_test_guard_copy(text, n);
	int rc;

	sx_err_clear(err);
	rc = msrp_auth_challenge_parse(g, n, c, err);
	sx_test_guard_free(g, n);
	return rc;
}

/* The challenges of the RFCs' examples, and what they give. */
static const struct {
	const char *text;
	const char *realm, *nonce, *opaque;
	enum msrp_auth_algo algo;
	int sess, qop_auth, stale;
	const char *comment;
} good[] = {
	{ "Digest realm=\"intra.example.com\", qop=\"auth\",\r\n"
	  "                  nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"",
	  "intra.example.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093", NULL,
	  MSRP_AUTH_MD5, 0, 1, 0, "RFC 4976 example: 401 to AUTH" },
	{ "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
	  "testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
	  "5ccc069c403ebaf9f0171e9517f40e41", MSRP_AUTH_MD5, 0, 1, 0,
	  "RFC 2617 §3.5" },
	{ "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	  "algorithm=SHA-256, "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
	  "http-auth@example.org",
	  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	  "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", MSRP_AUTH_SHA256,
	  0, 1, 0, "RFC 7616 §3.9.1, SHA-256" },
	{ "digest realm=\"r\",nonce=abc,algorithm=md5-sess,stale=TRUE",
	  "r", "abc", NULL, MSRP_AUTH_MD5, 1, 0, 1,
	  "tokens, no spaces, no qop, case-insensitive names" },
	{ "Digest realm=\"a \\\"q\\\" b\", nonce=\"n\", domain=\"msrp://x\", "
	  "foo=bar, algorithm=SHA-512-256-sess",
	  "a \"q\" b", "n", NULL, MSRP_AUTH_SHA512_256, 1, 0, 0,
	  "escapes, domain and unknown params ignored" },
};

START_TEST(challenge_good)
{
	struct msrp_auth_challenge c;
	struct sx_err err;

	ck_assert_msg(parse(good[_i].text, &c, &err) == 0, "%s: %s",
		      good[_i].comment, err.text);
	ck_assert_str_eq(c.realm, good[_i].realm);
	ck_assert_str_eq(c.nonce, good[_i].nonce);
	ck_assert_int_eq(c.has_opaque, good[_i].opaque != NULL);
	if (good[_i].opaque)
		ck_assert_str_eq(c.opaque, good[_i].opaque);
	ck_assert_int_eq(c.algo, good[_i].algo);
	ck_assert_int_eq(c.sess, good[_i].sess);
	ck_assert_int_eq(c.qop_auth, good[_i].qop_auth);
	ck_assert_int_eq(c.stale, good[_i].stale);
}
END_TEST

static const struct {
	const char *text;
	int status;
	const char *substring;
} bad[] = {
	{ "Basic realm=\"x\"", 401, "not a Digest" },
	{ "Digestive realm=\"x\", nonce=\"n\"", 401, "not a Digest" },
	{ "", 401, "not a Digest" },
	{ "Digest nonce=\"n\"", 401, "without realm" },
	{ "Digest realm=\"r\"", 401, "without nonce" },
	{ "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", 401,
	  "no qop=auth" },
	{ "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1", 401,
	  "not supported" },
	{ "Digest realm=\"r, nonce=n", 400, "unterminated" },
	{ "Digest realm", 400, "malformed auth-param" },
	{ "Digest realm=\"r\" nonce=\"n\"", 400, "',' expected" },
	{ "Digest realm=, nonce=\"n\"", 400, "empty value" },
};

START_TEST(challenge_bad)
{
	struct msrp_auth_challenge c;
	struct sx_err err;

	ck_assert_int_eq(parse(bad[_i].text, &c, &err), SX_ERROR);
	ck_assert_int_eq(err.status, bad[_i].status);
	ck_assert_msg(strstr(err.text, bad[_i].substring) != NULL,
		      "'%s': got '%s'", bad[_i].text, err.text);
}
END_TEST

/* RFC 2617 §3.5 and RFC 7616 §3.9.1: the same computation with method
 * GET and an HTTP URI gives the responses those examples print. */
START_TEST(digest_rfc_examples)
{
	struct msrp_auth_challenge c;
	struct msrp_auth_cred cr = {
		.user = "Mufasa", .password = "Circle Of Life",
		.method = "GET", .uri = "/dir/index.html",
		.cnonce = "0a4f113b", .nc = 1,
	};
	struct sx_err err;
	char out[129];

	ck_assert_int_eq(parse(good[1].text, &c, &err), 0);
	ck_assert_int_eq(msrp_auth_digest(&c, &cr, out, &err), 0);
	ck_assert_str_eq(out, "6629fae49393a05397450978507c4ef1");

	ck_assert_int_eq(parse(good[2].text, &c, &err), 0);
	cr.password = "Circle of Life";
	cr.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	ck_assert_int_eq(msrp_auth_digest(&c, &cr, out, &err), 0);
	ck_assert_str_eq(out, "753927fa0e85d155564e2e272a28d1802ca10daf"
			      "4496794697cf8db5856cb6c1");
	c.algo = MSRP_AUTH_MD5;
	ck_assert_int_eq(msrp_auth_digest(&c, &cr, out, &err), 0);
	ck_assert_str_eq(out, "8ca523f5e9506fed4657c9700eebdbec");
}
END_TEST

/* Without qop: KD(H(A1), nonce ":" H(A2)) (RFC 2617 §3.2.2.1), here
 * for an AUTH to a relay; the value was computed independently. */
START_TEST(authorization_header)
{
	struct msrp_auth_challenge c;
	struct msrp_auth_cred cr = {
		.user = "alice", .password = "pw", .method = "AUTH",
		.uri = "msrp://127.0.0.1:2855;tcp", .cnonce = "c0ffee",
		.nc = 1,
	};
	struct sx_err err;
	char buf[1024];
	int n;

	ck_assert_int_eq(parse("Digest realm=\"relay\", nonce=\"xyz\"", &c,
			       &err), 0);
	n = msrp_auth_authorization(buf, sizeof(buf), &c, &cr, &err);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq((size_t)n, strlen(buf));
	ck_assert_str_eq(buf, "Digest username=\"alice\", realm=\"relay\", "
			 "nonce=\"xyz\", response="
			 "\"0a2e71daf7932cf8bc7f45dd731d22ff\"");

	ck_assert_int_eq(parse(good[0].text, &c, &err), 0);
	cr.nc = 2;
	n = msrp_auth_authorization(buf, sizeof(buf), &c, &cr, &err);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, ", qop=auth, nc=00000002, "
				     "cnonce=\"c0ffee\", response=\""));
	ck_assert_ptr_null(strstr(buf, "uri="));
	/* snprintf semantics: too small a buffer is left alone */
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(msrp_auth_authorization(buf, 10, &c, &cr, &err), n);
	ck_assert_int_eq(buf[0], 'x');
	/* a password may hold anything; a user name no line break */
	cr.user = "al\r\nice";
	ck_assert_int_eq(msrp_auth_authorization(buf, sizeof(buf), &c, &cr,
						 &err), SX_ERROR);
}
END_TEST

static Suite *msrp_auth_suite(void)
{
	Suite *s = suite_create("msrp_auth");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, challenge_good, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, challenge_bad, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, digest_rfc_examples);
	tcase_add_test(tc, authorization_header);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_auth_suite)
