/* test_referto.c - invitee URIs (sip:, xmpp: per RFC 5122 and RFC 7247
 * §5), Refer-To values with method=BYE and the reason as an embedded
 * header (RFC 3261 §19.1.1, §25.1; RFC 3515 §2.1; RFC 3326 §2), and the
 * status line of sipfrag bodies (RFC 3420, RFC 3515 §2.4.5), and what a
 * NOTIFY of the refer subscription reports (RFC 3515 §2.4.4, §2.4.5). */
#include "testutil.h"
#include "referto.h"

#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

static const struct {
	const char *in;
	const char *out;       /* NULL: refused */
	int status;            /* when refused */
	const char *comment;
} targets[] = {
	{ "sip:bob@example.test", "sip:bob@example.test", 0, "sip: kept" },
	{ "sips:bob@example.test;transport=tcp",
	  "sips:bob@example.test;transport=tcp", 0, "sips: with params" },
	{ "bob@example.test", "sip:bob@example.test", 0, "bare user@host" },
	{ "xmpp:alice@example.test", "sip:alice@example.test", 0,
	  "RFC 7247 section 5" },
	{ "xmpp:alice@example.test/phone", "sip:alice@example.test;gr=phone",
	  0, "resource to gr" },
	{ "xmpp://guest@example.test/alice@example.test?message",
	  "sip:alice@example.test", 0,
	  "RFC 5122: authority and query dropped" },
	{ "xmpp:alice@example.test#frag", "sip:alice@example.test", 0,
	  "fragment dropped" },
	{ "xmpp:d%C3%A9sir%C3%A9e@example.test",
	  "sip:d%C3%A9sir%C3%A9e@example.test", 0, "%XX decoded, escaped" },
	{ "xmpp:juliet@example.test/balcony%20two",
	  "sip:juliet@example.test;gr=balcony%20two", 0,
	  "space in the resource" },
	{ "xmpp:alice%00@example.test", NULL, 400, "%00" },
	{ "xmpp:alice%G1@example.test", NULL, 400, "bad escape" },
	{ "xmpp:@example.test", NULL, 400, "empty localpart" },
	{ "xmpp://example.test", NULL, 400, "authority only" },
	{ "sip:bob@example.test?Subject=hi", NULL, 400, "own headers" },
	{ "sip:", NULL, 400, "no host" },
	{ "tel:+15551234", NULL, 416, "other scheme" },
	{ "bob", NULL, 400, "not a URI" },
};

START_TEST(test_target)
{
	struct sx_err err;
	char *got;

	sx_err_clear(&err);
	got = referto_target(targets[_i].in, &err);
	if (targets[_i].out == NULL) {
		ck_assert_msg(got == NULL, "%s: %s accepted as %s",
			      targets[_i].comment, targets[_i].in, got);
		ck_assert_int_eq(err.status, targets[_i].status);
		ck_assert(err.text[0] != '\0');
		return;
	}
	ck_assert_msg(got != NULL, "%s: refused: %s", targets[_i].comment,
		      err.text);
	ck_assert_str_eq(got, targets[_i].out);
	free(got);
}
END_TEST

static const struct {
	const char *target;
	int bye;
	const char *reason;
	const char *out;       /* NULL: refused with 400 */
	const char *comment;
} values[] = {
	{ "sip:bob@example.test", 0, NULL, "<sip:bob@example.test>",
	  "plain" },
	{ "sip:bob@example.test", 0, "", "<sip:bob@example.test>",
	  "empty reason left out" },
	{ "sip:bob@example.test", 1, NULL,
	  "<sip:bob@example.test;method=BYE>", "RFC 4579 section 5.11" },
	{ "sip:bob@example.test", 0, "Design review: 3pm, room B&C",
	  "<sip:bob@example.test?Subject=Design%20review:%203pm%2C%20room"
	  "%20B%26C>", "Subject, & and , escaped, : kept (hnv-unreserved)" },
	{ "sip:bob@example.test;gr=x", 0, "caf\xc3\xa9 = 100%",
	  "<sip:bob@example.test;gr=x?Subject=caf%C3%A9%20%3D%20100%25>",
	  "UTF-8, = and % escaped" },
	{ "sip:bob@example.test", 1, "said \"no\"",
	  "<sip:bob@example.test;method=BYE?Reason=SIP%3Bcause%3D200%3Btext"
	  "%3D%22said%20%5C%22no%5C%22%22>", "RFC 3326 Reason, quotes" },
	{ "sip:bob@example.test;method=INVITE", 1, NULL, NULL,
	  "a method already" },
	{ "sip:bob@example.test", 0, "two\r\nlines", NULL,
	  "CRLF would become a header" },
	{ "sip:bob@example.test", 0, "tab\there", NULL, "control" },
	{ "sip:bob@example.test", 0, "bad \xc3(", NULL, "not UTF-8" },
	{ "sip:bob@example.test?Subject=x", 0, NULL, NULL, "own headers" },
	{ "mailto:bob@example.test", 0, NULL, NULL, "not SIP" },
};

START_TEST(test_value)
{
	struct sx_err err;
	char *got;

	sx_err_clear(&err);
	got = referto_value(values[_i].target, values[_i].bye,
			    values[_i].reason, &err);
	if (values[_i].out == NULL) {
		ck_assert_msg(got == NULL, "%s: accepted as %s",
			      values[_i].comment, got);
		ck_assert_int_eq(err.status, 400);
		return;
	}
	ck_assert_msg(got != NULL, "%s: refused: %s", values[_i].comment,
		      err.text);
	ck_assert_str_eq(got, values[_i].out);
	free(got);
}
END_TEST

START_TEST(test_value_long_reason)
{
	char reason[1100];
	struct sx_err err;
	char *got;

	memset(reason, 'a', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	sx_err_clear(&err);
	ck_assert_ptr_null(referto_value("sip:b@example.test", 0, reason,
					 &err));
	ck_assert_int_eq(err.status, 400);
	reason[1024] = '\0';
	got = referto_value("sip:b@example.test", 0, reason, &err);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), strlen("<sip:b@example.test?Subject=>")
			  + 1024);
	free(got);
}
END_TEST

static const struct {
	const char *body;
	int status;            /* 0: refused */
	const char *phrase;
	const char *comment;
} frags[] = {
	{ "SIP/2.0 100 Trying\r\n", 100, "Trying", "RFC 3515 section 2.4.5" },
	{ "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "OK",
	  "with headers after" },
	{ "SIP/2.0 603 Decline", 603, "Decline", "no CRLF" },
	{ "sip/2.0 180 Ringing\n", 180, "Ringing", "version case, bare LF" },
	{ "SIP/2.0 486 Busy Here\r\n", 486, "Busy Here", "phrase with space" },
	{ "SIP/2.0 200", 200, "", "no phrase" },
	{ "SIP/2.0 404 \r\n", 404, "", "empty phrase" },
	{ "SIP/2.0 099 Low\r\n", 0, NULL, "under 100" },
	{ "SIP/2.0 700 High\r\n", 0, NULL, "over 699" },
	{ "SIP/2.0 20 OK\r\n", 0, NULL, "two digits" },
	{ "SIP/2.0 2000 OK\r\n", 0, NULL, "four digits" },
	{ "SIP/3.0 200 OK\r\n", 0, NULL, "version" },
	{ "INVITE sip:a@b SIP/2.0\r\n", 0, NULL, "a request line" },
	{ "", 0, NULL, "empty" },
};

static void frag_check(const char *data, size_t len, int i)
{
	struct sx_err err;
	char phrase[64];
	int status = -1, rc;

	sx_err_clear(&err);
	rc = referto_sipfrag(data, len, &status, phrase, sizeof(phrase),
			     &err);
	if (frags[i].status == 0) {
		ck_assert_msg(rc == SX_ERROR, "%s: accepted",
			      frags[i].comment);
		ck_assert_int_eq(err.status, 400);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", frags[i].comment, err.text);
	ck_assert_int_eq(status, frags[i].status);
	ck_assert_str_eq(phrase, frags[i].phrase);
}

START_TEST(test_sipfrag)
{
	size_t len = strlen(frags[_i].body), n;
	char *g;

	/* whole, guarded so that an over-read crashes */
	g = sx_test_guard_copy(frags[_i].body, len);
	frag_check(g, len, _i);
	sx_test_guard_free(g, len);
	/* cut short at every length: a shorter body is never read past */
	for (n = 0; n < len; n++) {
		struct sx_err err;
		char phrase[64];
		int status;

		g = sx_test_guard_copy(frags[_i].body, n);
		referto_sipfrag(g, n, &status, phrase, sizeof(phrase), &err);
		sx_test_guard_free(g, n);
	}
}
END_TEST

START_TEST(test_sipfrag_cut)
{
	const char *body = "SIP/2.0 603 D\xc3\xa9\xc3\xa9line\r\n";
	char phrase[4];
	int status;

	/* "D" + two bytes of U+00E9 fit in 3: cut before it, not inside */
	ck_assert_int_eq(referto_sipfrag(body, strlen(body), &status, phrase,
					 sizeof(phrase), NULL), 0);
	ck_assert_int_eq(status, 603);
	ck_assert_str_eq(phrase, "D\xc3\xa9");
	ck_assert_int_eq(referto_sipfrag(body, strlen(body), &status, phrase,
					 3, NULL), 0);
	ck_assert_str_eq(phrase, "D");
}
END_TEST

#define NOTIFY_HEAD \
	"NOTIFY sip:a@example.test SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK-n1\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: <sip:room@example.test>;tag=1\r\n" \
	"To: <sip:a@example.test>;tag=2\r\n" \
	"Call-ID: n1@192.0.2.4\r\n" \
	"CSeq: 1 NOTIFY\r\n" \
	"Event: refer\r\n"

static const struct {
	const char *msg;
	int status;
	const char *phrase;
	int terminated;
	const char *comment;
} notifies[] = {
	{ NOTIFY_HEAD "Subscription-State: active;expires=60\r\n"
	  "Content-Type: message/sipfrag;version=2.0\r\n"
	  "Content-Length: 20\r\n\r\nSIP/2.0 100 Trying\r\n",
	  100, "Trying", 0, "RFC 3515 section 4: progress" },
	{ NOTIFY_HEAD "Subscription-State: terminated;reason=noresource\r\n"
	  "Content-Type: message/sipfrag;version=2.0\r\n"
	  "Content-Length: 16\r\n\r\nSIP/2.0 200 OK\r\n",
	  200, "OK", 1, "RFC 3515 section 4: the final status" },
	{ NOTIFY_HEAD "Subscription-State: TERMINATED;reason=timeout\r\n"
	  "Content-Length: 0\r\n\r\n",
	  0, "", 1, "ended without a body; the state in any case" },
	{ NOTIFY_HEAD "Subscription-State: active\r\n"
	  "Content-Type: message/sipfrag\r\n"
	  "Content-Length: 5\r\n\r\nhello",
	  0, "", 0, "a body that is not a sipfrag tells nothing" },
	{ NULL, 0, "", 0, "no message" },
};

START_TEST(test_notify)
{
	struct referto_notify n;
	msg_t *msg = NULL;
	const sip_t *sip = NULL;

	if (notifies[_i].msg) {
		msg = msg_make(sip_default_mclass(), 0, notifies[_i].msg,
			       (ssize_t)strlen(notifies[_i].msg));
		ck_assert_ptr_nonnull(msg);
		sip = sip_object(msg);
		ck_assert_ptr_nonnull(sip);
	}
	memset(&n, 'x', sizeof(n));
	referto_notify(sip, &n);
	ck_assert_msg(n.status == notifies[_i].status, "%s: status %d",
		      notifies[_i].comment, n.status);
	ck_assert_str_eq(n.phrase, notifies[_i].phrase);
	ck_assert_int_eq(n.terminated, notifies[_i].terminated);
	if (msg)
		msg_destroy(msg);
}
END_TEST

static Suite *referto_suite(void)
{
	Suite *s = suite_create("referto");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_target, 0,
			    sizeof(targets) / sizeof(targets[0]));
	tcase_add_loop_test(tc, test_value, 0,
			    sizeof(values) / sizeof(values[0]));
	tcase_add_test(tc, test_value_long_reason);
	tcase_add_loop_test(tc, test_sipfrag, 0,
			    sizeof(frags) / sizeof(frags[0]));
	tcase_add_test(tc, test_sipfrag_cut);
	tcase_add_loop_test(tc, test_notify, 0,
			    sizeof(notifies) / sizeof(notifies[0]));
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(referto_suite)
