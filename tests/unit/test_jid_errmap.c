/* test_jid_errmap.c - SIP <-> XMPP error mapping (RFC 7247 §7) */
#include "testutil.h"
#include "jid.h"

#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* §7.1, one row per RFC 6120 §8.3.3 condition: status for a stanza to a
 * full JID, then to a bare JID. */
static const struct {
	const char *condition;
	int full, bare;
	const char *comment;
} x2s[] = {
	{ "bad-request", 400, 400, "§7.1" },
	{ "conflict", 400, 400, "§7.1" },
	{ "feature-not-implemented", 501, 501, "§7.1" },
	{ "forbidden", 403, 403, "§7.1" },
	{ "gone", 410, 410, "§7.1" },
	{ "internal-server-error", 500, 500, "§7.1" },
	{ "item-not-found", 404, 604, "§7.1: 404 full JID, 604 bare JID" },
	{ "jid-malformed", 400, 400, "§7.1" },
	{ "not-acceptable", 406, 406, "§7.1" },
	{ "not-allowed", 405, 405, "§7.1" },
	{ "not-authorized", 401, 401, "§7.1" },
	{ "policy-violation", 403, 403, "§7.1" },
	{ "recipient-unavailable", 480, 480, "§7.1" },
	{ "redirect", 302, 302, "§7.1" },
	{ "registration-required", 400, 400, "§7.1" },
	{ "remote-server-not-found", 404, 404, "§7.1" },
	{ "remote-server-timeout", 408, 408, "§7.1" },
	{ "resource-constraint", 500, 500, "§7.1" },
	{ "service-unavailable", 480, 480, "§7.1: never 503" },
	{ "subscription-required", 400, 400, "§7.1" },
	{ "undefined-condition", 400, 400, "§7.1" },
	{ "unexpected-request", 400, 400, "§7.1" },
};

START_TEST(xmpp_to_sip)
{
	ck_assert_msg(stanza_error_to_sip_status(x2s[_i].condition, 0) ==
		      x2s[_i].full, "%s (full JID, %s)", x2s[_i].condition, x2s[_i].comment);
	ck_assert_msg(stanza_error_to_sip_status(x2s[_i].condition, 1) ==
		      x2s[_i].bare, "%s (bare JID, %s)", x2s[_i].condition, x2s[_i].comment);
	/* A SIP client fails over to another server on 503 (RFC 3263
	 * §4.3): no XMPP condition may produce it. */
	ck_assert_int_ne(x2s[_i].full, 503);
	ck_assert_int_ne(x2s[_i].bare, 503);
}
END_TEST

START_TEST(xmpp_to_sip_unknown)
{
	ck_assert_int_eq(stanza_error_to_sip_status("no-such-condition", 0), 500);
	ck_assert_int_eq(stanza_error_to_sip_status("Item-Not-Found", 1), 500);
	ck_assert_int_eq(stanza_error_to_sip_status("", 0), 500);
	ck_assert_int_eq(stanza_error_to_sip_status(NULL, 1), 500);
}
END_TEST

/* RFC 6120 §8.3.3: the type each condition is sent with. */
static const struct {
	const char *condition, *type;
} types[] = {
	{ "bad-request", "modify" },
	{ "conflict", "cancel" },
	{ "feature-not-implemented", "cancel" },
	{ "forbidden", "auth" },
	{ "gone", "cancel" },
	{ "internal-server-error", "cancel" },
	{ "item-not-found", "cancel" },
	{ "jid-malformed", "modify" },
	{ "not-acceptable", "modify" },
	{ "not-allowed", "cancel" },
	{ "not-authorized", "auth" },
	{ "policy-violation", "modify" },
	{ "recipient-unavailable", "wait" },
	{ "redirect", "modify" },
	{ "registration-required", "auth" },
	{ "remote-server-not-found", "cancel" },
	{ "remote-server-timeout", "wait" },
	{ "resource-constraint", "wait" },
	{ "service-unavailable", "cancel" },
	{ "subscription-required", "auth" },
	{ "undefined-condition", "cancel" },
	{ "unexpected-request", "wait" },
};

static const char *type_of(const char *condition)
{
	int k;

	for (k = 0; k < N(types); k++)
		if (strcmp(types[k].condition, condition) == 0)
			return types[k].type;
	return NULL;
}

/* §7.2, every row of the table. */
static const struct {
	int status;
	const char *condition;
} s2x[] = {
	{ 300, "redirect" }, { 301, "redirect" }, { 302, "redirect" },
	{ 305, "redirect" }, { 380, "redirect" },
	{ 400, "bad-request" },
	{ 401, "not-authorized" },
	{ 402, "bad-request" },
	{ 403, "forbidden" },
	{ 404, "item-not-found" },
	{ 405, "not-allowed" },
	{ 406, "not-acceptable" },
	{ 407, "not-authorized" },
	{ 408, "remote-server-timeout" },
	{ 410, "gone" },
	{ 413, "policy-violation" },
	{ 414, "jid-malformed" },
	{ 415, "not-acceptable" },
	{ 416, "jid-malformed" },
	{ 420, "feature-not-implemented" },
	{ 421, "not-acceptable" },
	{ 423, "resource-constraint" },
	{ 480, "recipient-unavailable" },
	{ 481, "item-not-found" },
	{ 482, "not-acceptable" },
	{ 483, "not-acceptable" },
	{ 484, "item-not-found" },
	{ 485, "item-not-found" },
	{ 486, "recipient-unavailable" },
	{ 487, "recipient-unavailable" },
	{ 488, "not-acceptable" },
	{ 491, "unexpected-request" },
	{ 493, "bad-request" },
	{ 500, "internal-server-error" },
	{ 501, "feature-not-implemented" },
	{ 502, "remote-server-not-found" },
	{ 503, "service-unavailable" },
	{ 504, "remote-server-timeout" },
	{ 505, "not-acceptable" },
	{ 513, "policy-violation" },
	{ 600, "service-unavailable" },
	{ 603, "service-unavailable" },
	{ 604, "item-not-found" },
	{ 606, "not-acceptable" },
};

START_TEST(sip_to_xmpp)
{
	struct stanza_error se = { NULL, NULL };

	sip_status_to_stanza_error(s2x[_i].status, &se);
	ck_assert_msg(se.condition && strcmp(se.condition,
					     s2x[_i].condition) == 0,
		      "%d: got %s", s2x[_i].status, se.condition);
	ck_assert_str_eq(se.type, type_of(s2x[_i].condition));
}
END_TEST

/* Statuses outside the table: RFC 3261 §8.1.3.2, the class's x00. */
static const struct {
	int status;
	const char *condition, *comment;
} classes[] = {
	{ 399, "redirect", "3xx" },
	{ 409, "bad-request", "4xx not in the table, as 400" },
	{ 422, "bad-request", "4xx not in the table, as 400" },
	{ 499, "bad-request", "4xx not in the table, as 400" },
	{ 580, "internal-server-error", "5xx not in the table, as 500" },
	{ 599, "internal-server-error", "5xx not in the table, as 500" },
	{ 607, "service-unavailable", "6xx not in the table, as 600" },
	{ 699, "service-unavailable", "6xx not in the table, as 600" },
	{ 100, "undefined-condition", "not a failure" },
	{ 200, "undefined-condition", "not a failure" },
	{ 299, "undefined-condition", "not a failure" },
	{ 700, "undefined-condition", "out of range" },
	{ 0, "undefined-condition", "out of range" },
	{ -404, "undefined-condition", "out of range" },
};

START_TEST(sip_to_xmpp_classes)
{
	struct stanza_error se = { NULL, NULL };

	sip_status_to_stanza_error(classes[_i].status, &se);
	ck_assert_msg(se.condition && strcmp(se.condition,
					     classes[_i].condition) == 0,
		      "%d (%s): got %s", classes[_i].status,
		      classes[_i].comment, se.condition);
	ck_assert_str_eq(se.type, type_of(classes[_i].condition));
}
END_TEST

/* Every failure status gives one of the 22 conditions with its type, and
 * what comes back to SIP through §7.1 stays in the failure classes. */
START_TEST(sip_to_xmpp_all)
{
	struct stanza_error se;
	int status, back;

	for (status = 300; status <= 699; status++) {
		se.condition = se.type = NULL;
		sip_status_to_stanza_error(status, &se);
		ck_assert_ptr_nonnull(se.condition);
		ck_assert_ptr_nonnull(type_of(se.condition));
		ck_assert_str_eq(se.type, type_of(se.condition));
		back = stanza_error_to_sip_status(se.condition, 0);
		ck_assert_int_ge(back, 300);
		ck_assert_int_le(back, 699);
		ck_assert_int_ne(back, 503);
	}
}
END_TEST

static Suite *jid_errmap_suite(void)
{
	Suite *s = suite_create("jid_errmap");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, xmpp_to_sip, 0, N(x2s));
	tcase_add_test(tc, xmpp_to_sip_unknown);
	tcase_add_loop_test(tc, sip_to_xmpp, 0, N(s2x));
	tcase_add_loop_test(tc, sip_to_xmpp_classes, 0, N(classes));
	tcase_add_test(tc, sip_to_xmpp_all);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(jid_errmap_suite)
