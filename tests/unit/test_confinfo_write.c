/* test_confinfo_write.c - writing conference-info documents (confinfo.h):
 * exact output, escaping, namespaces, round trips through the parser, and
 * validity against the RFC 4575 §5 schema (fixtures/schema). */
#include "testutil.h"
#include "confinfo_testutil.h"

#include <stdlib.h>
#include <string.h>

static void assert_schema_valid(xmlSchemaPtr schema, const char *xml,
				size_t len)
{
	ck_assert_msg(ci_test_schema_valid(schema, xml, len),
		      "not valid (%s):\n%s", ci_test_schema_errors(), xml);
}

/* --- models ------------------------------------------------------------- */

/* Every field of the model set, in a full document. */
static struct confinfo *full_model(void)
{
	struct confinfo *ci = confinfo_new("sip:room@chat.example.com");
	struct confinfo_endpoint *e;
	struct confinfo_media *m;
	struct confinfo_user *u;

	ck_assert_ptr_nonnull(ci);
	ci->state = CONFINFO_FULL;
	ci->version = 4294967295UL;
	ci->has_version = 1;
	ci->has_description = 1;
	ci->display_text = ci_test_strdup("Room");
	ci->subject = ci_test_strdup("Today: <b>&</b>");
	ci->free_text = ci_test_strdup("free");
	ci->keywords = ci_test_strdup("chat gateway");
	ci->conf_uris = calloc(1, sizeof(*ci->conf_uris));
	ci->nconf_uris = 1;
	ci->conf_uris[0].uri = ci_test_strdup("sip:room@chat.example.com");
	ci->conf_uris[0].purpose = ci_test_strdup("participation");
	ci->service_uris = calloc(1, sizeof(*ci->service_uris));
	ci->nservice_uris = 1;
	ci->service_uris[0].uri = ci_test_strdup("https://chat.example.com/");
	ci->service_uris[0].display_text = ci_test_strdup("Web");
	ci->has_max_user_count = 1;
	ci->max_user_count = 100;
	ci->available_media = calloc(1, sizeof(*ci->available_media));
	ci->navailable_media = 1;
	ci->available_media[0].id = ci_test_strdup("chat");
	ci->available_media[0].label = ci_test_strdup("chat");
	ci->available_media[0].type = ci_test_strdup("message");
	ci->available_media[0].status = ci_test_strdup("sendrecv");
	ci->has_conference_state = 1;
	ci->has_user_count = 1;
	ci->user_count = 2;
	ci->active = 1;
	ci->locked = 0;
	ci->has_users = 1;

	u = confinfo_user_add(ci, "sip:alice@example.com");
	ck_assert_ptr_nonnull(u);
	u->display_text = ci_test_strdup("Alice");
	u->nickname = ci_test_strdup("al\"ice");
	u->aors = calloc(1, sizeof(*u->aors));
	u->aors[0] = ci_test_strdup("xmpp:alice@example.com");
	u->naors = 1;
	u->has_roles = 1;
	u->roles = calloc(1, sizeof(*u->roles));
	u->roles[0] = ci_test_strdup("moderator");
	u->nroles = 1;
	u->languages = ci_test_strdup("en fr");
	e = confinfo_endpoint_add(u, "sip:alice@pc.example.com");
	ck_assert_ptr_nonnull(e);
	e->display_text = ci_test_strdup("laptop");
	e->referred_by = ci_test_strdup("sip:bob@example.com");
	e->status = ci_test_strdup("connected");
	e->joining_method = ci_test_strdup("dialed-in");
	e->joining_when = ci_test_strdup("2024-05-01T10:00:00Z");
	e->disconnection_method = ci_test_strdup("departed");
	e->disconnection_reason = ci_test_strdup("left");
	m = confinfo_media_add(e, "1");
	ck_assert_ptr_nonnull(m);
	m->display_text = ci_test_strdup("chat");
	m->type = ci_test_strdup("message");
	m->label = ci_test_strdup("l1");
	m->src_id = ci_test_strdup("42");
	m->status = ci_test_strdup("sendrecv");

	u = confinfo_user_add(ci, "sip:bob@example.com");
	ck_assert_ptr_nonnull(u);
	ck_assert_ptr_nonnull(confinfo_endpoint_add(u, "sip:bob@h"));
	return ci;
}

/* A partial notification: a changed user, a deleted endpoint, a deleted
 * user and a new one. */
static struct confinfo *partial_model(void)
{
	struct confinfo *ci = confinfo_new("sip:room@chat.example.com");
	struct confinfo_endpoint *e;
	struct confinfo_user *u;

	ck_assert_ptr_nonnull(ci);
	ci->state = CONFINFO_PARTIAL;
	ci->version = 5;
	ci->has_version = 1;
	ci->has_conference_state = 1;
	ci->locked = 1;
	ci->has_users = 1;
	ci->users_state = CONFINFO_PARTIAL;
	u = confinfo_user_add(ci, "sip:alice@example.com");
	u->state = CONFINFO_PARTIAL;
	u->nickname = ci_test_strdup("alice2");
	e = confinfo_endpoint_add(u, "sip:alice@phone");
	e->state = CONFINFO_DELETED;
	e->status = ci_test_strdup("not written");
	e = confinfo_endpoint_add(u, "sip:alice@pc");
	e->state = CONFINFO_PARTIAL;
	e->status = ci_test_strdup("on-hold");
	u = confinfo_user_add(ci, "sip:bob@example.com");
	u->state = CONFINFO_DELETED;
	u->display_text = ci_test_strdup("not written");
	u->nickname = ci_test_strdup("not written");
	u = confinfo_user_add(ci, "sip:carol@example.com");
	u->state = CONFINFO_FULL;
	u->display_text = ci_test_strdup("Carol");
	return ci;
}

/* --- tests -------------------------------------------------------------- */

START_TEST(exact_output)
{
	static const char want[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<conference-info xmlns=\"urn:ietf:params:xml:ns:"
		"conference-info\" entity=\"sip:r@example.com\" "
		"state=\"partial\" version=\"8\">\n"
		"  <conference-state>\n"
		"    <user-count>1</user-count>\n"
		"  </conference-state>\n"
		"  <users state=\"partial\">\n"
		"    <user entity=\"sip:a@example.com\" state=\"full\">\n"
		"      <display-text>A &amp; B</display-text>\n"
		"      <endpoint entity=\"sip:a@h\">\n"
		"        <status>connected</status>\n"
		"      </endpoint>\n"
		"    </user>\n"
		"    <user entity=\"sip:b@example.com\" state=\"deleted\"/>\n"
		"  </users>\n"
		"</conference-info>\n";
	struct confinfo *ci = confinfo_new("sip:r@example.com");
	struct confinfo_user *u;
	size_t len;
	char *xml;

	ci->state = CONFINFO_PARTIAL;
	ci->version = 8;
	ci->has_version = 1;
	ci->has_conference_state = 1;
	ci->has_user_count = 1;
	ci->user_count = 1;
	ci->has_users = 1;
	ci->users_state = CONFINFO_PARTIAL;
	u = confinfo_user_add(ci, "sip:a@example.com");
	u->state = CONFINFO_FULL;
	u->display_text = ci_test_strdup("A & B");
	confinfo_endpoint_add(u, "sip:a@h")->status =
		ci_test_strdup("connected");
	confinfo_user_add(ci, "sip:b@example.com")->state = CONFINFO_DELETED;
	xml = ci_test_write(ci, &len);
	ck_assert_str_eq(xml, want);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	free(xml);
	confinfo_free(ci);
}
END_TEST

START_TEST(xcon_namespace_only_with_a_nickname)
{
	struct confinfo *ci = partial_model(), *back;
	char *xml;

	xml = ci_test_write(ci, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "xmlns:xcon=\"" CONFINFO_XCON_NS));
	ck_assert_ptr_nonnull(strstr(xml, "xcon:nickname=\"alice2\""));
	free(xml);

	/* the only nickname left is on a deleted user, which is not written */
	free(ci->users[0].nickname);
	ci->users[0].nickname = NULL;
	xml = ci_test_write(ci, NULL);
	ck_assert_ptr_null(strstr(xml, "xcon"));
	ck_assert_ptr_null(strstr(xml, "not written"));
	back = ci_test_parse(xml, strlen(xml));
	ck_assert_int_eq(back->users[1].state, CONFINFO_DELETED);
	ck_assert_ptr_null(back->users[1].nickname);
	ck_assert_uint_eq(back->users[0].nendpoints, 2);
	ck_assert_int_eq(back->users[0].endpoints[0].state, CONFINFO_DELETED);
	ck_assert_ptr_null(back->users[0].endpoints[0].status);
	confinfo_free(back);
	free(xml);
	confinfo_free(ci);
}
END_TEST

/* (model value, value read back, comment) */
static const struct {
	const char *in, *out, *comment;
} escapes[] = {
	{ "<tag> & \"q\" 'a'", "<tag> & \"q\" 'a'", "markup characters" },
	{ "tab\there\nline\r\nend", "tab\there\nline\r\nend",
	  "white space survives attribute normalization" },
	{ "bell\x07" "esc\x1b", "bell\xef\xbf\xbd" "esc\xef\xbf\xbd",
	  "characters XML 1.0 cannot carry" },
	{ "bad\xff\xfe" "utf\xc3", "bad\xef\xbf\xbd\xef\xbf\xbd"
	  "utf\xef\xbf\xbd", "bytes that are not UTF-8" },
	{ "\xed\xa0\x80 \xc0\xaf \xef\xbf\xbf",
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	  "a surrogate, an overlong form, U+FFFF" },
	{ "\xe2\x98\xba \xf0\x9f\x98\x80 \xc3\xa9", "\xe2\x98\xba "
	  "\xf0\x9f\x98\x80 \xc3\xa9", "UTF-8 kept as is" },
	{ "]]>", "]]>", "the end of a CDATA section in text" },
};

START_TEST(escaping_round_trips)
{
	struct confinfo *ci = confinfo_new(escapes[_i].in), *back;
	struct confinfo_user *u;
	char *xml;

	ci->has_version = 1;
	ci->has_description = 1;
	ci->subject = ci_test_strdup(escapes[_i].in);
	ci->has_users = 1;
	u = confinfo_user_add(ci, "sip:a@x");
	u->nickname = ci_test_strdup(escapes[_i].in);
	u->display_text = ci_test_strdup(escapes[_i].in);
	xml = ci_test_write(ci, NULL);
	back = ci_test_parse(xml, strlen(xml));
	ck_assert_msg(strcmp(back->entity, escapes[_i].out) == 0,
		      "%s: attribute", escapes[_i].comment);
	ck_assert_msg(strcmp(back->users[0].nickname, escapes[_i].out) == 0,
		      "%s: namespaced attribute", escapes[_i].comment);
	ck_assert_msg(strcmp(back->subject, escapes[_i].out) == 0,
		      "%s: text", escapes[_i].comment);
	ck_assert_msg(strcmp(back->users[0].display_text,
			     escapes[_i].out) == 0,
		      "%s: text", escapes[_i].comment);
	confinfo_free(back);
	free(xml);
	confinfo_free(ci);
}
END_TEST

static const char *const fixtures[] = {
	"confinfo/rfc4575-basic.xml",
	"confinfo/rfc4575-partial.xml",
	"confinfo/rfc6501-nickname.xml",
	"confinfo/description.xml",
};

START_TEST(fixtures_round_trip)
{
	struct confinfo *ci = ci_test_parse_fixture(fixtures[_i]), *back;
	size_t len;
	char *xml = ci_test_write(ci, &len), *again;

	back = ci_test_parse(xml, len);
	ck_assert_msg(confinfo_equal(ci, back), "%s changed:\n%s",
		      fixtures[_i], xml);
	/* states are kept as written, not only as equivalent */
	ck_assert_int_eq(back->state, ci->state);
	again = ci_test_write(back, NULL);
	ck_assert_str_eq(again, xml);
	free(again);
	confinfo_free(back);
	free(xml);
	confinfo_free(ci);
}
END_TEST

START_TEST(built_models_round_trip)
{
	struct confinfo *ci = _i ? partial_model() : full_model(), *back;
	size_t len;
	char *xml = ci_test_write(ci, &len);

	back = ci_test_parse(xml, len);
	if (_i == 0) {
		ck_assert_msg(confinfo_equal(ci, back), "changed:\n%s", xml);
	} else {
		/* what deleted items carried is not written */
		ck_assert_uint_eq(back->nusers, 3);
		ck_assert_int_eq(back->users[0].state, CONFINFO_PARTIAL);
		ck_assert_str_eq(back->users[0].endpoints[1].status, "on-hold");
		ck_assert_int_eq(back->locked, 1);
		ck_assert_int_eq(back->active, -1);
		ck_assert(!back->has_user_count);
	}
	confinfo_free(back);
	free(xml);
	confinfo_free(ci);
}
END_TEST

START_TEST(schema_valid_output)
{
	xmlSchemaPtr schema = ci_test_schema_load();
	struct confinfo *models[4 + 2];
	struct confinfo *diff;
	size_t i, len;
	char *xml;

	for (i = 0; i < 4; i++)
		models[i] = ci_test_parse_fixture(fixtures[i]);
	models[4] = full_model();
	models[5] = partial_model();
	for (i = 0; i < 6; i++) {
		xml = ci_test_write(models[i], &len);
		assert_schema_valid(schema, xml, len);
		free(xml);
	}
	/* a users element emptied, and every user deleted */
	models[4]->nusers = 0;
	xml = ci_test_write(models[4], &len);
	assert_schema_valid(schema, xml, len);
	free(xml);
	diff = confinfo_diff(models[0], models[1]);
	ck_assert_ptr_nonnull(diff);
	xml = ci_test_write(diff, &len);
	assert_schema_valid(schema, xml, len);
	free(xml);
	confinfo_free(diff);
	models[4]->nusers = 2;

	for (i = 0; i < 6; i++)
		confinfo_free(models[i]);
	xmlSchemaFree(schema);
}
END_TEST

/* The schema must refuse what the writer has to avoid, or the test above
 * proves nothing. */
START_TEST(schema_refuses_out_of_order_elements)
{
	static const char xml[] =
		"<conference-info xmlns=\"urn:ietf:params:xml:ns:"
		"conference-info\" entity=\"sip:r@x\" version=\"1\">"
		"<users/><conference-state/></conference-info>";
	xmlSchemaPtr schema = ci_test_schema_load();

	ck_assert(!ci_test_schema_valid(schema, xml, sizeof(xml) - 1));
	xmlSchemaFree(schema);
}
END_TEST

START_TEST(empty_and_absent)
{
	struct confinfo *ci = confinfo_new("sip:r@x");
	char *xml;

	ck_assert_ptr_null(confinfo_write(NULL, NULL));
	xml = ci_test_write(ci, NULL);
	ck_assert_str_eq(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<conference-info xmlns=\"urn:ietf:params:xml:ns:"
			 "conference-info\" entity=\"sip:r@x\"/>\n");
	free(xml);
	ci->has_users = 1;
	ci->has_description = 1;
	xml = ci_test_write(ci, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "  <conference-description/>\n"
				     "  <users/>\n"));
	free(xml);
	confinfo_free(ci);
}
END_TEST

static Suite *confinfo_write_suite(void)
{
	Suite *s = suite_create("confinfo_write");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, exact_output);
	tcase_add_test(tc, xcon_namespace_only_with_a_nickname);
	tcase_add_loop_test(tc, escaping_round_trips, 0,
			    sizeof(escapes) / sizeof(escapes[0]));
	tcase_add_loop_test(tc, fixtures_round_trip, 0,
			    sizeof(fixtures) / sizeof(fixtures[0]));
	tcase_add_loop_test(tc, built_models_round_trip, 0, 2);
	tcase_add_test(tc, schema_valid_output);
	tcase_add_test(tc, schema_refuses_out_of_order_elements);
	tcase_add_test(tc, empty_and_absent);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(confinfo_write_suite)
