/* test_confinfo_merge.c - RFC 4575 §4.6 on the subscriber's side
 * (confinfo.h): confinfo_apply() on versions and at the users, user,
 * endpoint and media levels, with the RFC's examples. */
#include "testutil.h"
#include "confinfo_testutil.h"

#include <stdlib.h>
#include <string.h>

#define HEAD(state, version) \
	"<conference-info xmlns=\"urn:ietf:params:xml:ns:conference-info\" " \
	"entity=\"sips:conf233@example.com\" state=\"" state "\" " \
	"version=\"" version "\">"
#define TAIL "</conference-info>"

static enum confinfo_apply_result apply_text(struct confinfo *state,
					     const char *xml)
{
	struct confinfo *n = ci_test_parse(xml, strlen(xml));
	enum confinfo_apply_result r;
	struct sx_err e;

	r = confinfo_apply(state, n, &e);
	confinfo_free(n);
	return r;
}

START_TEST(full_then_partial)
{
	struct confinfo *state = ci_test_held();
	struct confinfo *partial;
	const struct confinfo_endpoint *e;
	const struct confinfo_user *u;
	struct sx_err err;

	ck_assert_str_eq(state->entity, "sips:conf233@example.com");
	ck_assert(state->has_version);
	ck_assert_uint_eq(state->version, 1);
	ck_assert_int_eq(state->users[0].state, CONFINFO_STATE_ABSENT);
	partial = ci_test_parse_fixture("confinfo/rfc4575-partial.xml");
	ck_assert_int_eq(confinfo_apply(state, partial, &err),
			 CONFINFO_APPLIED);
	ck_assert_uint_eq(state->version, 2);
	ck_assert_uint_eq(state->user_count, 34);
	ck_assert_str_eq(state->subject, "Agenda: This month's goals");
	ck_assert_uint_eq(state->nusers, 2);
	ck_assert_ptr_null(confinfo_user_find(state, "sip:alice@example.com"));
	u = confinfo_user_find(state, "sip:bob@example.com");
	ck_assert_str_eq(u->display_text, "Bob Hoskins");
	ck_assert_int_eq(u->state, CONFINFO_STATE_ABSENT);
	e = &u->endpoints[0];
	ck_assert_int_eq(e->state, CONFINFO_STATE_ABSENT);
	ck_assert_str_eq(e->status, "connected");
	ck_assert_str_eq(e->joining_method, "dialed-in");
	ck_assert_str_eq(e->display_text, "Bob's Laptop");
	ck_assert_str_eq(e->disconnection_reason, "bad voice quality");
	ck_assert_uint_eq(e->nmedia, 1);
	u = confinfo_user_find(state, "sip:carol@example.com");
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(u->state, CONFINFO_STATE_ABSENT);
	ck_assert_str_eq(u->endpoints[0].status, "alerting");
	confinfo_free(partial);
	confinfo_free(state);
}
END_TEST

START_TEST(versions)
{
	struct confinfo *state = ci_test_held(), *before;
	struct confinfo *n;
	struct sx_err e;

	before = confinfo_dup(state);
	/* the same version, or an older one, is ignored */
	n = ci_test_parse_fixture("confinfo/rfc4575-basic.xml");
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_STALE);
	confinfo_free(n);
	ck_assert_int_eq(apply_text(state, HEAD("partial", "0")
				    "<users><user entity=\"sip:x@x\"/></users>"
				    TAIL), CONFINFO_STALE);
	/* a partial one past the next is a gap */
	ck_assert_int_eq(apply_text(state, HEAD("partial", "3")
				    "<users><user entity=\"sip:x@x\"/></users>"
				    TAIL), CONFINFO_GAP);
	ck_assert(confinfo_equal(state, before));
	/* a full one resets the state whatever the gap */
	ck_assert_int_eq(apply_text(state, HEAD("full", "40")
				    "<users><user entity=\"sip:x@x\"/></users>"
				    TAIL), CONFINFO_APPLIED);
	ck_assert_uint_eq(state->version, 40);
	ck_assert_uint_eq(state->nusers, 1);
	ck_assert(!state->has_description);
	ck_assert(!state->has_conference_state);
	/* and so does one without a state attribute, which means full */
	ck_assert_int_eq(apply_text(state, HEAD("full", "41") TAIL),
			 CONFINFO_APPLIED);
	ck_assert(!state->has_users);
	ck_assert_int_eq(apply_text(state, HEAD("partial", "42")
				    "<users><user entity=\"sip:y@x\"/></users>"
				    TAIL), CONFINFO_APPLIED);
	ck_assert_uint_eq(state->nusers, 1);
	confinfo_free(before);
	confinfo_free(state);
}
END_TEST

START_TEST(invalid_notifications)
{
	struct confinfo *state = confinfo_new(NULL), *n;
	struct sx_err e;

	n = ci_test_parse(HEAD("partial", "1") TAIL,
			  strlen(HEAD("partial", "1") TAIL));
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_INVALID);
	ck_assert_ptr_nonnull(strstr(e.text, "before any full state"));
	n->state = CONFINFO_DELETED;
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_INVALID);
	ck_assert_ptr_nonnull(strstr(e.text, "cannot be deleted"));
	n->state = CONFINFO_FULL;
	n->has_version = 0;
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_INVALID);
	ck_assert_ptr_nonnull(strstr(e.text, "without a version"));
	n->has_version = 1;
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_APPLIED);
	free(n->entity);
	n->entity = ci_test_strdup("sip:other@example.com");
	n->version = 2;
	ck_assert_int_eq(confinfo_apply(state, n, &e), CONFINFO_INVALID);
	ck_assert_ptr_nonnull(strstr(e.text, "sip:other@example.com"));
	ck_assert_uint_eq(state->version, 1);
	confinfo_free(n);
	confinfo_free(state);
}
END_TEST

/* Partial notifications at each level, each applied to the §6 example:
 * (document, check). */
static void check_full_user(const struct confinfo *s)
{
	const struct confinfo_user *bob = &s->users[0];

	ck_assert_str_eq(bob->display_text, "Robert");
	ck_assert_uint_eq(bob->nendpoints, 1);
	ck_assert_str_eq(bob->endpoints[0].entity, "sip:bob@phone");
	ck_assert_ptr_null(bob->endpoints[0].display_text);
}

static void check_partial_user(const struct confinfo *s)
{
	const struct confinfo_user *bob = &s->users[0];

	ck_assert_str_eq(bob->display_text, "Bob Hoskins");
	ck_assert_str_eq(bob->nickname, "bobby");
	ck_assert_uint_eq(bob->nroles, 1);
	ck_assert_str_eq(bob->roles[0], "moderator");
	ck_assert_uint_eq(bob->nendpoints, 1);
	ck_assert_str_eq(bob->endpoints[0].status, "disconnected");
}

static void check_users_full(const struct confinfo *s)
{
	ck_assert_uint_eq(s->nusers, 1);
	ck_assert_str_eq(s->users[0].entity, "sip:dave@example.com");
}

static void check_users_deleted(const struct confinfo *s)
{
	ck_assert(s->has_users);
	ck_assert_uint_eq(s->nusers, 0);
	ck_assert_uint_eq(s->user_count, 33);
}

static void check_users_merged(const struct confinfo *s)
{
	ck_assert_uint_eq(s->nusers, 3);
	ck_assert_str_eq(s->users[2].entity, "sip:dave@example.com");
}

static void check_endpoints(const struct confinfo *s)
{
	const struct confinfo_user *bob = &s->users[0];

	ck_assert_uint_eq(bob->nendpoints, 1);
	ck_assert_str_eq(bob->endpoints[0].entity, "sip:bob@new");
	ck_assert_uint_eq(bob->endpoints[0].nmedia, 0);
	ck_assert_str_eq(s->users[1].endpoints[0].status, "on-hold");
	ck_assert_str_eq(s->users[1].endpoints[0].joining_method,
			 "dialed-out");
}

static void check_media(const struct confinfo *s)
{
	const struct confinfo_endpoint *bob = &s->users[0].endpoints[0];
	const struct confinfo_endpoint *alice = &s->users[1].endpoints[0];

	/* partial: merged; no state: replaced; deleted: gone */
	ck_assert_uint_eq(bob->nmedia, 2);
	ck_assert_str_eq(bob->media[0].status, "recvonly");
	ck_assert_str_eq(bob->media[0].label, "34567");
	ck_assert_str_eq(bob->media[1].id, "2");
	ck_assert_int_eq(bob->media[1].state, CONFINFO_STATE_ABSENT);
	ck_assert_uint_eq(alice->nmedia, 0);
}

static void check_media_replaced(const struct confinfo *s)
{
	const struct confinfo_media *m = &s->users[0].endpoints[0].media[0];

	ck_assert_str_eq(m->status, "inactive");
	ck_assert_ptr_null(m->label);
	ck_assert_ptr_null(m->type);
}

static void check_description(const struct confinfo *s)
{
	ck_assert_str_eq(s->subject, "New subject");
	ck_assert_str_eq(s->display_text, "Sales");
	ck_assert_uint_eq(s->nservice_uris, 1);
	ck_assert_uint_eq(s->user_count, 33);
	ck_assert_int_eq(s->locked, 1);
	ck_assert_int_eq(s->active, -1);
}

static void check_full_user_drops_deleted(const struct confinfo *s)
{
	ck_assert_uint_eq(s->users[0].nendpoints, 1);
	ck_assert_str_eq(s->users[0].endpoints[0].entity, "sip:bob@phone");
	ck_assert_int_eq(s->users[0].endpoints[0].state,
			 CONFINFO_STATE_ABSENT);
}

static const struct {
	const char *xml;
	void (*check)(const struct confinfo *s);
} levels[] = {
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"full\"><display-text>Robert"
	  "</display-text><endpoint entity=\"sip:bob@phone\"/></user></users>"
	  TAIL, check_full_user },
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"partial\" xmlns:x=\"urn:ietf:params:"
	  "xml:ns:xcon-conference-info\" x:nickname=\"bobby\"><roles><entry>"
	  "moderator</entry></roles></user></users>" TAIL,
	  check_partial_user },
	{ HEAD("partial", "2") "<users state=\"full\"><user entity=\""
	  "sip:dave@example.com\"/><user entity=\"sip:bob@example.com\" "
	  "state=\"deleted\"/></users>" TAIL, check_users_full },
	{ HEAD("partial", "2") "<users state=\"deleted\"/>" TAIL,
	  check_users_deleted },
	{ HEAD("partial", "2") "<users><user entity=\"sip:dave@example.com\""
	  "/></users>" TAIL, check_users_merged },
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"partial\"><endpoint entity=\""
	  "sip:bob@pc33.example.com\" state=\"deleted\"/><endpoint entity=\""
	  "sip:bob@new\"/></user><user entity=\"sip:alice@example.com\" "
	  "state=\"partial\"><endpoint entity=\"sip:4kfk4j392jsu@example.com;"
	  "grid=433kj4j3u\" state=\"partial\"><status>on-hold</status>"
	  "</endpoint></user></users>" TAIL, check_endpoints },
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"partial\"><endpoint entity=\""
	  "sip:bob@pc33.example.com\" state=\"partial\"><media id=\"1\" "
	  "state=\"partial\"><status>recvonly</status></media><media id=\"2\""
	  "><type>video</type></media></endpoint></user><user entity=\""
	  "sip:alice@example.com\" state=\"partial\"><endpoint entity=\""
	  "sip:4kfk4j392jsu@example.com;grid=433kj4j3u\" state=\"partial\">"
	  "<media id=\"1\" state=\"deleted\"/></endpoint></user></users>"
	  TAIL, check_media },
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"partial\"><endpoint entity=\""
	  "sip:bob@pc33.example.com\" state=\"partial\"><media id=\"1\">"
	  "<status>inactive</status></media></endpoint></user></users>" TAIL,
	  check_media_replaced },
	{ HEAD("partial", "2") "<conference-description><display-text>Sales"
	  "</display-text><subject>New subject</subject>"
	  "</conference-description><conference-state><locked>true</locked>"
	  "</conference-state>" TAIL, check_description },
	{ HEAD("partial", "2") "<users state=\"partial\"><user entity=\""
	  "sip:bob@example.com\" state=\"full\"><endpoint entity=\""
	  "sip:bob@pc33.example.com\" state=\"deleted\"/><endpoint entity=\""
	  "sip:bob@phone\" state=\"partial\"/></user></users>" TAIL,
	  check_full_user_drops_deleted },
};

START_TEST(apply_levels)
{
	struct confinfo *state = ci_test_held();

	ck_assert_int_eq(apply_text(state, levels[_i].xml), CONFINFO_APPLIED);
	ck_assert_uint_eq(state->version, 2);
	levels[_i].check(state);
	confinfo_free(state);
}
END_TEST

static Suite *confinfo_merge_suite(void)
{
	Suite *s = suite_create("confinfo_merge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, full_then_partial);
	tcase_add_test(tc, versions);
	tcase_add_test(tc, invalid_notifications);
	tcase_add_loop_test(tc, apply_levels, 0,
			    sizeof(levels) / sizeof(levels[0]));
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(confinfo_merge_suite)
