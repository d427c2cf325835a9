/* test_confinfo_parse.c - RFC 4575 conference-info parsing (confinfo.h):
 * the RFC's examples, the RFC 6501 nickname, namespaces, extensibility,
 * and refusals with their positions (fixtures/confinfo/bad). */
#include "testutil.h"
#include "confinfo_testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#define NS "xmlns=\"urn:ietf:params:xml:ns:conference-info\""
#define ROOT "<conference-info " NS " entity=\"sip:r@example.com\" " \
	"version=\"1\">"
#define END "</conference-info>"

/* Parses len bytes placed right before an unreadable page. */
static int parse_guarded(const char *xml, size_t len, struct confinfo **out,
			 struct sx_err *err)
{
	char *g = sx_test_guard_copy(xml, len);
	int r = confinfo_parse(g, len, out, err);

	sx_test_guard_free(g, len);
	return r;
}

START_TEST(rfc4575_basic_example)
{
	struct confinfo *ci =
		ci_test_parse_fixture("confinfo/rfc4575-basic.xml");
	const struct confinfo_user *bob, *alice;
	const struct confinfo_endpoint *e;

	ck_assert_str_eq(ci->entity, "sips:conf233@example.com");
	ck_assert_int_eq(ci->state, CONFINFO_FULL);
	ck_assert(ci->has_version);
	ck_assert_uint_eq(ci->version, 1);
	ck_assert(ci->has_description);
	ck_assert_str_eq(ci->subject, "Agenda: This month's goals");
	ck_assert_ptr_null(ci->display_text);
	ck_assert_uint_eq(ci->nconf_uris, 0);
	ck_assert_uint_eq(ci->nservice_uris, 1);
	ck_assert_str_eq(ci->service_uris[0].uri,
			 "http://sharepoint/salesgroup/");
	ck_assert_str_eq(ci->service_uris[0].purpose, "web-page");
	ck_assert_ptr_null(ci->service_uris[0].display_text);
	ck_assert(ci->has_conference_state);
	ck_assert(ci->has_user_count);
	ck_assert_uint_eq(ci->user_count, 33);
	ck_assert_int_eq(ci->active, -1);
	ck_assert_int_eq(ci->locked, -1);
	ck_assert(ci->has_users);
	ck_assert_int_eq(ci->users_state, CONFINFO_STATE_ABSENT);
	ck_assert_uint_eq(ci->nusers, 2);

	bob = confinfo_user_find(ci, "sip:bob@example.com");
	ck_assert_ptr_eq(bob, &ci->users[0]);
	ck_assert_int_eq(bob->state, CONFINFO_FULL);
	ck_assert_str_eq(bob->display_text, "Bob Hoskins");
	ck_assert_ptr_null(bob->nickname);
	ck_assert(!bob->has_roles);
	ck_assert_uint_eq(bob->nendpoints, 1);
	e = &bob->endpoints[0];
	ck_assert_str_eq(e->entity, "sip:bob@pc33.example.com");
	ck_assert_int_eq(e->state, CONFINFO_STATE_ABSENT);
	ck_assert_str_eq(e->display_text, "Bob's Laptop");
	ck_assert_str_eq(e->status, "disconnected");
	ck_assert_str_eq(e->disconnection_method, "departed");
	ck_assert_str_eq(e->disconnection_reason, "bad voice quality");
	ck_assert_ptr_null(e->joining_method);
	ck_assert_uint_eq(e->nmedia, 1);
	ck_assert_str_eq(e->media[0].id, "1");
	ck_assert_str_eq(e->media[0].display_text, "main audio");
	ck_assert_str_eq(e->media[0].type, "audio");
	ck_assert_str_eq(e->media[0].label, "34567");
	ck_assert_str_eq(e->media[0].src_id, "432424");
	ck_assert_str_eq(e->media[0].status, "sendrecv");

	alice = confinfo_user_find(ci, "sip:alice@example.com");
	ck_assert_ptr_eq(alice, &ci->users[1]);
	ck_assert_str_eq(confinfo_user_name(alice), "Alice");
	e = &alice->endpoints[0];
	ck_assert_str_eq(e->entity,
			 "sip:4kfk4j392jsu@example.com;grid=433kj4j3u");
	ck_assert_str_eq(e->status, "connected");
	ck_assert_str_eq(e->joining_method, "dialed-out");
	ck_assert_str_eq(e->joining_when, "2005-03-04T20:00:00Z");
	ck_assert_ptr_null(e->disconnection_reason);
	ck_assert_str_eq(e->media[0].src_id, "534232");
	ck_assert_ptr_null(confinfo_user_find(ci, "sip:carol@example.com"));
	confinfo_free(ci);
}
END_TEST

START_TEST(rfc4575_partial_notification)
{
	struct confinfo *ci =
		ci_test_parse_fixture("confinfo/rfc4575-partial.xml");
	const struct confinfo_user *u;

	ck_assert_int_eq(ci->state, CONFINFO_PARTIAL);
	ck_assert_uint_eq(ci->version, 2);
	ck_assert(!ci->has_description);
	ck_assert(ci->has_user_count);
	ck_assert_uint_eq(ci->user_count, 34);
	ck_assert_int_eq(ci->users_state, CONFINFO_PARTIAL);
	ck_assert_uint_eq(ci->nusers, 3);
	u = &ci->users[0];
	ck_assert_int_eq(u->state, CONFINFO_PARTIAL);
	ck_assert_ptr_null(u->display_text);
	ck_assert_int_eq(u->endpoints[0].state, CONFINFO_PARTIAL);
	ck_assert_str_eq(u->endpoints[0].status, "connected");
	ck_assert_str_eq(u->endpoints[0].joining_method, "dialed-in");
	ck_assert_str_eq(u->endpoints[0].joining_when, "2005-03-04T20:05:00Z");
	ck_assert_ptr_null(u->endpoints[0].display_text);
	ck_assert_uint_eq(u->endpoints[0].nmedia, 0);
	u = &ci->users[1];
	ck_assert_str_eq(u->entity, "sip:alice@example.com");
	ck_assert_int_eq(u->state, CONFINFO_DELETED);
	ck_assert_uint_eq(u->nendpoints, 0);
	u = &ci->users[2];
	ck_assert_int_eq(u->state, CONFINFO_FULL);
	ck_assert_str_eq(u->endpoints[0].status, "alerting");
	confinfo_free(ci);
}
END_TEST

START_TEST(rfc6501_nickname_by_namespace)
{
	struct confinfo *ci =
		ci_test_parse_fixture("confinfo/rfc6501-nickname.xml");
	const struct confinfo_user *u = &ci->users[0];

	ck_assert_uint_eq(ci->nusers, 3);
	ck_assert_str_eq(u->nickname, "Wonderland");
	ck_assert_str_eq(confinfo_user_name(u), "Wonderland");
	ck_assert_uint_eq(u->naors, 1);
	ck_assert_str_eq(u->aors[0], "xmpp:alice@example.com");
	ck_assert(u->has_roles);
	ck_assert_uint_eq(u->nroles, 2);
	ck_assert_str_eq(u->roles[0], "participant");
	ck_assert_str_eq(u->roles[1], "moderator");
	ck_assert_str_eq(u->endpoints[0].media[0].id, "msrp1");
	ck_assert_str_eq(u->endpoints[0].media[0].type, "message");
	/* another prefix, same namespace; references decoded */
	ck_assert_str_eq(ci->users[1].nickname, "b\xc3\xb6" "b & co");
	ck_assert_ptr_null(ci->users[2].nickname);
	ck_assert_str_eq(confinfo_user_name(&ci->users[2]), "Carol");
	confinfo_free(ci);
}
END_TEST

START_TEST(description_and_conference_state)
{
	struct confinfo *ci =
		ci_test_parse_fixture("confinfo/description.xml");

	ck_assert_int_eq(ci->state, CONFINFO_STATE_ABSENT);
	ck_assert_uint_eq(ci->version, 12);
	ck_assert_str_eq(ci->display_text, "Weekly Sales Meeting");
	ck_assert_str_eq(ci->subject, "Sales Results");
	ck_assert_str_eq(ci->free_text, "Numbers for the third quarter");
	ck_assert_str_eq(ci->keywords, "sales quarter");
	ck_assert_uint_eq(ci->nconf_uris, 1);
	ck_assert_str_eq(ci->conf_uris[0].uri, "sip:sales@conf.example.com");
	ck_assert_str_eq(ci->conf_uris[0].display_text, "Dial-in");
	ck_assert_str_eq(ci->conf_uris[0].purpose, "participation");
	ck_assert_str_eq(ci->service_uris[0].uri,
			 "https://www.example.com/sales");
	ck_assert(ci->has_max_user_count);
	ck_assert_uint_eq(ci->max_user_count, 50);
	ck_assert_uint_eq(ci->navailable_media, 2);
	ck_assert_str_eq(ci->available_media[0].id, "10234");
	ck_assert_str_eq(ci->available_media[0].label, "10234");
	ck_assert_str_eq(ci->available_media[0].display_text, "main audio");
	ck_assert_str_eq(ci->available_media[0].type, "audio");
	ck_assert_str_eq(ci->available_media[1].id, "chat");
	ck_assert_str_eq(ci->available_media[1].type, "message");
	ck_assert_str_eq(ci->available_media[1].status, "sendrecv");
	ck_assert_uint_eq(ci->user_count, 3);
	ck_assert_int_eq(ci->active, 1);
	ck_assert_int_eq(ci->locked, 0);
	ck_assert(ci->has_users);
	ck_assert_uint_eq(ci->nusers, 0);
	confinfo_free(ci);
}
END_TEST

/* Documents that must parse, and one value each must yield. */
static const struct {
	const char *xml;
	const char *subject;    /* expected subject, or NULL for none */
	size_t nusers;
	const char *comment;
} good[] = {
	{ "<ci:conference-info xmlns:ci=\"urn:ietf:params:xml:ns:"
	  "conference-info\" entity=\"sip:r@x\" version=\"1\">"
	  "<ci:conference-description><ci:subject>S</ci:subject>"
	  "</ci:conference-description><ci:users><ci:user entity=\"sip:a@x\"/>"
	  "</ci:users></ci:conference-info>",
	  "S", 1, "a prefix instead of the default namespace" },
	{ ROOT "<conference-description><subject>a<![CDATA[<b>]]>c"
	  "</subject></conference-description>" END,
	  "a<b>c", 0, "CDATA joins the text" },
	{ ROOT "<conference-description><subject>&lt;&amp;&#x263A;&#65;"
	  "</subject></conference-description>" END,
	  "<&\xe2\x98\xba" "A", 0, "predefined and character references" },
	{ ROOT "<conference-description><subject> two  spaces </subject>"
	  "</conference-description>" END,
	  " two  spaces ", 0, "free text is kept as sent" },
	{ ROOT "<conference-description><subject>x<!-- no -->y</subject>"
	  "</conference-description>" END,
	  "xy", 0, "comments are not text" },
	{ ROOT "<ext:thing xmlns:ext=\"urn:example:ext\"><users><user "
	  "entity=\"sip:hidden@x\"/></users></ext:thing>"
	  "<users><user entity=\"sip:a@x\"><ext:more xmlns:ext=\"urn:x\"/>"
	  "<cascaded-focus>sip:f@x</cascaded-focus></user></users>"
	  "<sidebars-by-ref><entry><uri>sip:s@x</uri></entry>"
	  "</sidebars-by-ref>" END,
	  NULL, 1, "unknown elements are skipped with what they hold" },
	{ ROOT "<users><other:user xmlns:other=\"urn:other\" "
	  "entity=\"sip:a@x\"/><user entity=\"sip:b@x\"/></users>" END,
	  NULL, 1, "a <user> of another namespace is not a user" },
	{ "<conference-info " NS " entity=\"sip:r@x\" version=\"+4294967295\""
	  " state=\"partial\"/>", NULL, 0, "the largest version" },
	{ "\xef\xbb\xbf<?xml version=\"1.0\"?>" ROOT END, NULL, 0,
	  "a byte order mark" },
	{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" ROOT
	  "<conference-description><subject>caf\xe9</subject>"
	  "</conference-description>" END,
	  "caf\xc3\xa9", 0, "a declared encoding is converted to UTF-8" },
};

START_TEST(good_documents)
{
	struct confinfo *ci = ci_test_parse(good[_i].xml, strlen(good[_i].xml));

	if (good[_i].subject)
		ck_assert_msg(ci->subject != NULL &&
			      strcmp(ci->subject, good[_i].subject) == 0,
			      "%s: subject \"%s\"", good[_i].comment,
			      ci->subject ? ci->subject : "(none)");
	else
		ck_assert_msg(ci->subject == NULL, "%s", good[_i].comment);
	ck_assert_msg(ci->nusers == good[_i].nusers, "%s: %zu users",
		      good[_i].comment, ci->nusers);
	confinfo_free(ci);
}
END_TEST

START_TEST(values_are_trimmed_where_the_schema_collapses)
{
	static const char xml[] = ROOT "<users><user entity=\"sip:a@x\">"
		"<endpoint entity=\"sip:a@h\"><status>\n  connected\n"
		"</status><media id=\"m\"><type> audio </type></media>"
		"</endpoint></user></users><conference-state><user-count> 7 "
		"</user-count><active> 0</active><locked>1 </locked>"
		"</conference-state>" END;
	struct confinfo *ci = ci_test_parse(xml, sizeof(xml) - 1);

	ck_assert_str_eq(ci->users[0].endpoints[0].status, "connected");
	ck_assert_str_eq(ci->users[0].endpoints[0].media[0].type, "audio");
	ck_assert_uint_eq(ci->user_count, 7);
	ck_assert_int_eq(ci->active, 0);
	ck_assert_int_eq(ci->locked, 1);
	confinfo_free(ci);
}
END_TEST

/* Short documents to refuse: where, and what the error says. */
static const struct {
	const char *xml;
	unsigned long line, column;
	const char *text;
} bad[] = {
	{ "<conference-info " NS " entity=\"sip:r@x\" version=\"4294967296\"/>",
	  1, 1, "not an unsigned 32-bit number" },
	{ "<conference-info " NS " entity=\"sip:r@x\" version=\"\"/>",
	  1, 1, "not an unsigned 32-bit number" },
	{ ROOT "<conference-state><active>yes</active></conference-state>"
	  END, 1, 122, "<active> is not a boolean" },
	{ ROOT "\n <users state=\"some\"/>" END, 2, 2,
	  "<users> has unknown state \"some\"" },
	{ ROOT "<users><user entity=\"sip:a@x\"><endpoint entity=\"e\">"
	  "<media id=\"1\" state=\"gone\"/></endpoint></user></users>" END,
	  1, 155, "<media> has unknown state" },
	{ ROOT "<users><user entity=\"sip:a@x\"><associated-aors><entry>"
	  "<display-text>no uri</display-text></entry></associated-aors>"
	  "</user></users>" END, 1, 151, "<entry> without <uri>" },
	{ ROOT "<conference-description><conf-uris><entry><purpose>x"
	  "</purpose></entry></conf-uris></conference-description>" END,
	  1, 139, "<entry> without <uri>" },
	{ ROOT "<conference-description><available-media><entry>"
	  "<type>audio</type></entry></available-media>"
	  "</conference-description>" END, 1, 145, "<entry> without label" },
	{ ROOT "<conference-description><available-media>"
	  "<entry label=\"a\"><type>audio</type></entry>"
	  "<entry label=\"a\"><type>video</type></entry></available-media>"
	  "</conference-description>" END, 1, 188,
	  "duplicate <entry> id \"a\"" },
	{ ROOT "<users><user entity=\"sip:\xc3\xa9@x\"/>"
	  "<user entity=\"sip:\xc3\xa9@x\"/></users>" END, 1, 135,
	  "duplicate <user>" },
	{ "just text", 1, 1, "Start tag expected" },
	{ ROOT, 1, 104, "Premature end of data" },
	{ ROOT END "<more/>", 1, 122, "Extra content at the end" },
	{ ROOT "&unknown;" END, 1, 113, "Entity 'unknown' not defined" },
};

START_TEST(bad_documents)
{
	struct confinfo *ci = (struct confinfo *)1;
	struct sx_err e;

	ck_assert_int_eq(parse_guarded(bad[_i].xml, strlen(bad[_i].xml), &ci,
				       &e), SX_ERROR);
	ck_assert_ptr_null(ci);
	ck_assert_int_eq(e.status, 400);
	ck_assert_msg(strstr(e.text, bad[_i].text) != NULL,
		      "#%d: \"%s\" lacks \"%s\"", _i, e.text, bad[_i].text);
	ck_assert_msg(e.line == bad[_i].line && e.column == bad[_i].column,
		      "#%d: at %lu:%lu, not %lu:%lu (%s)", _i, e.line,
		      e.column, bad[_i].line, bad[_i].column, e.text);
}
END_TEST

/* Reads NAME.expect: "line N", "column N", "text SUBSTRING". */
static void read_expect(const char *rel, unsigned long *line,
			unsigned long *col, char *text, size_t textsz)
{
	char *s = sx_test_fixture(rel, NULL), *l, *save = NULL;

	*line = *col = 0;
	text[0] = '\0';
	for (l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "line ", 5) == 0)
			*line = strtoul(l + 5, NULL, 10);
		else if (strncmp(l, "column ", 7) == 0)
			*col = strtoul(l + 7, NULL, 10);
		else if (strncmp(l, "text ", 5) == 0)
			snprintf(text, textsz, "%s", l + 5);
	}
	free(s);
	ck_assert_msg(*line > 0 && text[0] != '\0', "%s is incomplete", rel);
}

START_TEST(bad_corpus)
{
	const char *dir = getenv("FIXTURES");
	char path[1024], rel[512], text[256];
	unsigned long line, col;
	struct dirent *d;
	struct confinfo *ci;
	struct sx_err e;
	size_t len, n;
	int count = 0;
	char *xml;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/confinfo/bad", dir ? dir : "fixtures");
	dp = opendir(path);
	ck_assert_msg(dp != NULL, "cannot open %s", path);
	while ((d = readdir(dp)) != NULL) {
		n = strlen(d->d_name);
		if (n < 5 || strcmp(d->d_name + n - 4, ".xml") != 0)
			continue;
		snprintf(rel, sizeof(rel), "confinfo/bad/%s", d->d_name);
		xml = sx_test_fixture(rel, &len);
		snprintf(rel + strlen(rel) - 4, 8, ".expect");
		read_expect(rel, &line, &col, text, sizeof(text));
		ci = NULL;
		ck_assert_msg(parse_guarded(xml, len, &ci, &e) == SX_ERROR,
			      "%s was taken", d->d_name);
		ck_assert_ptr_null(ci);
		ck_assert_int_eq(e.status, 400);
		ck_assert_msg(strstr(e.text, text) != NULL,
			      "%s: \"%s\" lacks \"%s\"", d->d_name, e.text,
			      text);
		ck_assert_msg(e.line == line && e.column == col,
			      "%s: at %lu:%lu, not %lu:%lu", d->d_name,
			      e.line, e.column, line, col);
		free(xml);
		count++;
	}
	closedir(dp);
	ck_assert_int_ge(count, 20);
}
END_TEST

/* No entity of a refused DTD is ever resolved: the DOCTYPE is refused
 * where it starts, before the entity declarations that follow it. */
START_TEST(doctype_is_refused_where_it_starts)
{
	static const char xml[] = "<!DOCTYPE c SYSTEM \"file:///etc/passwd\">"
		ROOT END;
	struct confinfo *ci = NULL;
	struct sx_err e;

	ck_assert_int_eq(parse_guarded(xml, sizeof(xml) - 1, &ci, &e),
			 SX_ERROR);
	ck_assert_uint_eq(e.line, 1);
	ck_assert_uint_eq(e.column, 1);
	ck_assert_uint_eq(e.offset, 0);
	ck_assert_ptr_nonnull(strstr(e.text, "DOCTYPE refused"));
}
END_TEST

/* The parse takes a whole document: every proper prefix of one is refused
 * cleanly, with no read past its end. */
START_TEST(every_truncation_is_refused)
{
	size_t len, n;
	char *xml = sx_test_fixture("confinfo/rfc4575-basic.xml", &len);
	struct confinfo *ci;
	struct sx_err e;

	for (n = 0; n < len; n++) {
		ci = NULL;
		/* trailing white space after the root is still a document */
		if (strspn(xml + n, " \r\n\t") == len - n)
			break;
		ck_assert_msg(parse_guarded(xml, n, &ci, &e) == SX_ERROR,
			      "prefix of %zu bytes taken", n);
		ck_assert_ptr_null(ci);
		ck_assert_int_eq(e.status, 400);
	}
	ck_assert_uint_gt(n, len - 3);
	free(xml);
}
END_TEST

static int foreign_calls;

static void foreign_serror(void *data, xmlErrorPtr error)
{
	(void)data;
	(void)error;
	foreign_calls++;
}

START_TEST(error_handlers_are_restored)
{
	static const char xml[] = "<a><b></a>";
	struct confinfo *ci = NULL;
	int tag;

	xmlSetStructuredErrorFunc(&tag, foreign_serror);
	foreign_calls = 0;
	ck_assert_int_eq(confinfo_parse(xml, sizeof(xml) - 1, &ci, NULL),
			 SX_ERROR);
	ck_assert_int_eq(foreign_calls, 0);
	ck_assert_ptr_eq(xmlStructuredError, foreign_serror);
	ck_assert_ptr_eq(xmlStructuredErrorContext, &tag);
	xmlSetStructuredErrorFunc(NULL, NULL);
}
END_TEST

START_TEST(without_error_structure)
{
	struct confinfo *ci = (struct confinfo *)1;

	ck_assert_int_eq(confinfo_parse("<x/>", 4, &ci, NULL), SX_ERROR);
	ck_assert_ptr_null(ci);
	ck_assert_int_eq(confinfo_parse("", 0, &ci, NULL), SX_ERROR);
}
END_TEST

static Suite *confinfo_parse_suite(void)
{
	Suite *s = suite_create("confinfo_parse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rfc4575_basic_example);
	tcase_add_test(tc, rfc4575_partial_notification);
	tcase_add_test(tc, rfc6501_nickname_by_namespace);
	tcase_add_test(tc, description_and_conference_state);
	tcase_add_loop_test(tc, good_documents, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_test(tc, values_are_trimmed_where_the_schema_collapses);
	tcase_add_loop_test(tc, bad_documents, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, bad_corpus);
	tcase_add_test(tc, doctype_is_refused_where_it_starts);
	tcase_add_test(tc, every_truncation_is_refused);
	tcase_add_test(tc, error_handlers_are_restored);
	tcase_add_test(tc, without_error_structure);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(confinfo_parse_suite)
