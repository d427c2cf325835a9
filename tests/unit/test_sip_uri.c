/* test_sip_uri.c - SIP URIs for room clients: AORs, comparison,
 * parameters, the private-message address of RFC 7701 §6.2, and the
 * listen address with the default From built on it. */
#include "testutil.h"
#include "sip_uri.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in;
	const char *aor;       /* NULL: refused */
	const char *user;
	const char *comment;
} aors[] = {
	{ "sip:alice@example.test", "sip:alice@example.test", "alice",
	  "plain" },
	{ "\"Alice A.\" <sip:alice@example.test;gr=phone>",
	  "sip:alice@example.test", "alice", "name-addr with gr" },
	{ "<sips:bob:secret@example.test:5061;transport=tcp?subject=x>",
	  "sips:bob@example.test:5061", "bob",
	  "password, parameters and headers dropped" },
	{ "sip:conference.example.test", "sip:conference.example.test", "",
	  "no user part" },
	{ "sip:design@conference.sip.example.test;gr=bob",
	  "sip:design@conference.sip.example.test", "design",
	  "a private-message URI names its room" },
	{ "tel:+15551234", NULL, NULL, "not SIP" },
	{ "mailto:a@b", NULL, NULL, "not SIP" },
	{ "", NULL, NULL, "empty" },
};

START_TEST(test_aor)
{
	char *user = (char *)"untouched";
	char *got = sip_uri_aor(aors[_i].in, &user);

	if (aors[_i].aor == NULL) {
		ck_assert_msg(got == NULL, "%s: %s accepted",
			      aors[_i].comment, aors[_i].in);
		ck_assert_ptr_null(user);
		return;
	}
	ck_assert_msg(got != NULL, "%s: refused", aors[_i].comment);
	ck_assert_str_eq(got, aors[_i].aor);
	ck_assert_str_eq(user, aors[_i].user);
	free(got);
	free(user);
	got = sip_uri_aor(aors[_i].in, NULL);
	ck_assert_str_eq(got, aors[_i].aor);
	free(got);
}
END_TEST

START_TEST(test_same_and_params)
{
	ck_assert(sip_uri_same("sip:alice@EXAMPLE.test",
			       "sip:alice@example.test"));
	ck_assert(!sip_uri_same("sip:Alice@example.test",
				"sip:alice@example.test"));
	ck_assert(!sip_uri_same("sip:alice@example.test",
				"sip:alice@example.test:5070"));
	ck_assert(!sip_uri_same("sip:alice@example.test", "not a uri"));
	ck_assert(sip_uri_has_param("sip:r@c.test;gr=bob", "gr"));
	ck_assert(sip_uri_has_param("sip:r@c.test;lr;gr", "gr"));
	ck_assert(!sip_uri_has_param("sip:r@c.test;grr=bob", "gr"));
	ck_assert(!sip_uri_has_param("sip:r@c.test?gr=bob", "gr"));
}
END_TEST

/* RFC 3261 §25.1: unreserved and param-unreserved stay. */
static const struct {
	const char *nick;
	const char *want;
	const char *comment;
} privs[] = {
	{ "bob", "sip:r@c.test;gr=bob", "plain" },
	{ "Bob_Smith-2.0", "sip:r@c.test;gr=Bob_Smith-2.0", "unreserved" },
	{ "a b", "sip:r@c.test;gr=a%20b", "space" },
	{ "a;b=c?d", "sip:r@c.test;gr=a%3Bb%3Dc%3Fd",
	  "parameter and header separators" },
	{ "[x]/:&+$!~*'()", "sip:r@c.test;gr=[x]/:&+$!~*'()",
	  "param-unreserved and marks kept" },
	{ "100%", "sip:r@c.test;gr=100%25", "the escape character" },
	{ "\xc3\xa9t\xc3\xa9", "sip:r@c.test;gr=%C3%A9t%C3%A9", "UTF-8" },
	{ "<\"\\>", "sip:r@c.test;gr=%3C%22%5C%3E", "delimiters" },
};

START_TEST(test_private)
{
	char *got = sip_uri_private("sip:r@c.test", privs[_i].nick);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, privs[_i].want) == 0, "%s: %s, want %s",
		      privs[_i].comment, got, privs[_i].want);
	free(got);
}
END_TEST

START_TEST(test_escape_empty)
{
	char *got = sip_uri_param_escape("");

	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

static const struct {
	const char *arg;
	const char *uri;
	const char *host;      /* NULL: no host */
	const char *from;      /* for user "alice" */
	const char *comment;
} listens[] = {
	{ "127.0.0.1:0", "sip:127.0.0.1:0", "127.0.0.1",
	  "sip:alice@127.0.0.1", "HOST:PORT" },
	{ "example.test", "sip:example.test", "example.test",
	  "sip:alice@example.test", "host alone" },
	{ "sip:192.0.2.1:5070;transport=tcp", "sip:192.0.2.1:5070;transport=tcp",
	  "192.0.2.1", "sip:alice@192.0.2.1", "URI with parameters" },
	{ "SIPS:example.test:5061", "SIPS:example.test:5061", "example.test",
	  "sip:alice@example.test", "scheme in capitals kept" },
	{ "sip:bob@example.test", "sip:bob@example.test", "example.test",
	  "sip:alice@example.test", "a user part is not the host" },
	{ "0.0.0.0:5060", "sip:0.0.0.0:5060", "127.0.0.1",
	  "sip:alice@127.0.0.1", "IPv4 wildcard" },
	{ "*:5060", "sip:*:5060", "127.0.0.1", "sip:alice@127.0.0.1",
	  "any-address wildcard" },
	{ "[::]:5060", "sip:[::]:5060", "[::1]", "sip:alice@[::1]",
	  "IPv6 wildcard stays IPv6" },
	{ "[2001:db8::1]:5060", "sip:[2001:db8::1]:5060", "[2001:db8::1]",
	  "sip:alice@[2001:db8::1]", "IPv6 reference" },
	{ "", "sip:", NULL, NULL, "empty" },
	{ "tel:+15551234", "sip:tel:+15551234", NULL, NULL,
	  "not a SIP scheme: taken as HOST:PORT, a bad port" },
};

START_TEST(test_listen)
{
	char *arg = sx_test_guard_copy(listens[_i].arg,
				       strlen(listens[_i].arg) + 1);
	char *uri = sip_uri_listen(arg);
	char *host, *from;

	ck_assert_ptr_nonnull(uri);
	ck_assert_msg(strcmp(uri, listens[_i].uri) == 0, "%s: %s, want %s",
		      listens[_i].comment, uri, listens[_i].uri);
	host = sip_uri_listen_host(uri);
	from = sip_uri_local_from(uri, "alice");
	if (listens[_i].host == NULL) {
		ck_assert_msg(host == NULL && from == NULL, "%s: accepted",
			      listens[_i].comment);
	} else {
		ck_assert_ptr_nonnull(host);
		ck_assert_ptr_nonnull(from);
		ck_assert_msg(strcmp(host, listens[_i].host) == 0,
			      "%s: host %s", listens[_i].comment, host);
		ck_assert_msg(strcmp(from, listens[_i].from) == 0,
			      "%s: from %s", listens[_i].comment, from);
	}
	free(host);
	free(from);
	free(uri);
	sx_test_guard_free(arg, strlen(listens[_i].arg) + 1);
}
END_TEST

START_TEST(test_listen_host_refused)
{
	ck_assert_ptr_null(sip_uri_listen_host("tel:+15551234"));
	ck_assert_ptr_null(sip_uri_listen_host("not a uri"));
	ck_assert_ptr_null(sip_uri_local_from("mailto:a@b", "alice"));
}
END_TEST

static Suite *sip_uri_suite(void)
{
	Suite *s = suite_create("sip_uri");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_aor, 0,
			    (int)(sizeof(aors) / sizeof(aors[0])));
	tcase_add_test(tc, test_same_and_params);
	tcase_add_loop_test(tc, test_private, 0,
			    (int)(sizeof(privs) / sizeof(privs[0])));
	tcase_add_test(tc, test_escape_empty);
	tcase_add_loop_test(tc, test_listen, 0,
			    (int)(sizeof(listens) / sizeof(listens[0])));
	tcase_add_test(tc, test_listen_host_refused);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(sip_uri_suite)
