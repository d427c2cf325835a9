/* test_confinfo_diff.c - RFC 4575 §4.6 on the notifier's side
 * (confinfo.h): confinfo_diff() sends only what changed, goes full where
 * a partial cannot say it, and apply(A, diff(A, B)) == B over random
 * pairs, directly and through the XML writer, schema and parser. */
#include "testutil.h"
#include "confinfo_testutil.h"
#include "confinfo_int.h"

#include <stdlib.h>
#include <string.h>

static struct confinfo *next_version(const struct confinfo *ci)
{
	struct confinfo *d = confinfo_dup(ci);

	ck_assert_ptr_nonnull(d);
	d->version++;
	return d;
}

static void assert_applies(const struct confinfo *from,
			   const struct confinfo *to,
			   const struct confinfo *diff)
{
	struct confinfo *state = confinfo_dup(from);
	struct sx_err e;

	ck_assert_int_eq(confinfo_apply(state, diff, &e), CONFINFO_APPLIED);
	ck_assert(confinfo_equal(state, to));
	confinfo_free(state);
}

START_TEST(diff_is_minimal)
{
	struct confinfo *a = ci_test_held(), *b = next_version(a), *d;
	struct confinfo_user *u;
	char *xml;

	/* nothing changed: only the version */
	d = confinfo_diff(a, b);
	ck_assert_int_eq(d->state, CONFINFO_PARTIAL);
	ck_assert_uint_eq(d->version, 2);
	ck_assert(!d->has_users && !d->has_description &&
		  !d->has_conference_state);
	assert_applies(a, b, d);
	confinfo_free(d);

	/* one field of one endpoint: a partial user holding a partial
	 * endpoint holding that field */
	free(b->users[1].endpoints[0].status);
	b->users[1].endpoints[0].status = ci_test_strdup("on-hold");
	b->user_count = 32;
	d = confinfo_diff(a, b);
	ck_assert(d->has_users);
	ck_assert_int_eq(d->users_state, CONFINFO_PARTIAL);
	ck_assert_uint_eq(d->nusers, 1);
	u = &d->users[0];
	ck_assert_str_eq(u->entity, "sip:alice@example.com");
	ck_assert_int_eq(u->state, CONFINFO_PARTIAL);
	ck_assert_ptr_null(u->display_text);
	ck_assert_uint_eq(u->nendpoints, 1);
	ck_assert_int_eq(u->endpoints[0].state, CONFINFO_PARTIAL);
	ck_assert_str_eq(u->endpoints[0].status, "on-hold");
	ck_assert_ptr_null(u->endpoints[0].joining_method);
	ck_assert_uint_eq(u->endpoints[0].nmedia, 0);
	ck_assert(d->has_conference_state && d->has_user_count);
	ck_assert_uint_eq(d->user_count, 32);
	ck_assert(!d->has_description);
	assert_applies(a, b, d);
	xml = confinfo_write(d, NULL);
	ck_assert_ptr_null(strstr(xml, "sip:bob@example.com"));
	ck_assert_ptr_null(strstr(xml, "conference-description"));
	free(xml);
	confinfo_free(d);

	/* a removed field cannot be said partially: that user goes full */
	free(b->users[1].display_text);
	b->users[1].display_text = NULL;
	d = confinfo_diff(a, b);
	ck_assert_uint_eq(d->nusers, 1);
	ck_assert_int_eq(d->users[0].state, CONFINFO_FULL);
	ck_assert_ptr_null(d->users[0].display_text);
	ck_assert_uint_eq(d->users[0].nendpoints, 1);
	assert_applies(a, b, d);
	confinfo_free(d);

	/* removed user: deleted, entity only; new user: full */
	confinfo_user_remove(b, "sip:bob@example.com");
	u = confinfo_user_add(b, "sip:zed@example.com");
	u->display_text = ci_test_strdup("Zed");
	d = confinfo_diff(a, b);
	ck_assert_uint_eq(d->nusers, 3);
	u = confinfo_user_find(d, "sip:bob@example.com");
	ck_assert_int_eq(u->state, CONFINFO_DELETED);
	ck_assert_ptr_null(u->display_text);
	ck_assert_uint_eq(u->nendpoints, 0);
	ck_assert_int_eq(confinfo_user_find(d, "sip:zed@example.com")->state,
			 CONFINFO_FULL);
	assert_applies(a, b, d);
	confinfo_free(d);
	confinfo_free(b);
	confinfo_free(a);
}
END_TEST

START_TEST(diff_goes_full_when_it_must)
{
	struct confinfo *a = ci_test_held(), *b = next_version(a), *d;

	d = confinfo_diff(NULL, b);
	ck_assert_int_eq(d->state, CONFINFO_FULL);
	ck_assert(confinfo_equal(d, b));
	confinfo_free(d);

	/* the subject went away: no partial document says that */
	free(b->subject);
	b->subject = NULL;
	d = confinfo_diff(a, b);
	ck_assert_int_eq(d->state, CONFINFO_FULL);
	ck_assert_uint_eq(d->nusers, 2);
	assert_applies(a, b, d);
	confinfo_free(d);

	/* a media stream ended: its endpoint is sent full */
	confinfo_free(b);
	b = next_version(a);
	b->users[0].endpoints[0].nmedia = 0;
	free(b->users[0].endpoints[0].media[0].id);
	b->users[0].endpoints[0].media[0].id = NULL;
	d = confinfo_diff(a, b);
	ck_assert_int_eq(d->state, CONFINFO_PARTIAL);
	ck_assert_int_eq(d->users[0].state, CONFINFO_PARTIAL);
	ck_assert_int_eq(d->users[0].endpoints[0].state, CONFINFO_FULL);
	ck_assert_str_eq(d->users[0].endpoints[0].display_text,
			 "Bob's Laptop");
	assert_applies(a, b, d);
	confinfo_free(d);
	b->users[0].endpoints[0].nmedia = 1;
	confinfo_free(b);
	confinfo_free(a);
}
END_TEST

/* --- apply(A, diff(A, B)) == B ------------------------------------------ */

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define PICK(v) ((v)[rnd(sizeof(v) / sizeof((v)[0]))])

/* Values that the schema takes; NULL means absent. */
static const char *const texts[] = { NULL, NULL, "", "Alice", "B & <b>",
				     "caf\xc3\xa9", "x" };
static const char *const nicks[] = { NULL, NULL, "nick", "n\"2" };
static const char *const langs[] = { NULL, NULL, "en", "en fr" };
static const char *const statuses[] = { NULL, "connected", "disconnected",
					"on-hold", "alerting", "pending" };
static const char *const joinings[] = { NULL, "dialed-in", "dialed-out" };
static const char *const whens[] = { NULL, "2024-01-01T00:00:00Z" };
static const char *const discs[] = { NULL, "departed", "booted" };
static const char *const media_status[] = { NULL, "sendrecv", "recvonly",
					    "inactive" };
static const char *const types[] = { NULL, "message", "audio" };
static const char *const uris[] = { "sip:a@x", "xmpp:b@y", "tel:+1" };
static const char *const roles[] = { "participant", "moderator", "none" };
static const char *const entities[] = {
	"sip:u0@x", "sip:u1@x", "sip:u2@x", "sip:u3@x", "sip:u4@x",
	"sip:u5@x", "sip:u6@x", "sip:u7@x", "sip:u8@x", "sip:u9@x",
};
static const char *const ep_entities[] = { "sip:e0", "sip:e1", "sip:e2" };
static const char *const media_ids[] = { "1", "2", "3" };

static void set(char **field, const char *v)
{
	free(*field);
	*field = ci_test_strdup(v);
}

static void gen_strv(char ***v, size_t *n, const char *const *pool,
		     size_t npool)
{
	size_t i, k = rnd(3);

	confinfo_strv_free(*v, *n);
	*v = k ? calloc(k, sizeof(**v)) : NULL;
	for (i = 0; i < k; i++)
		(*v)[i] = ci_test_strdup(pool[rnd((unsigned)npool)]);
	*n = k;
}

static void gen_media(struct confinfo_media *m)
{
	set(&m->display_text, PICK(texts));
	set(&m->type, PICK(types));
	set(&m->label, PICK(texts));
	set(&m->src_id, rnd(2) ? "42" : NULL);
	set(&m->status, PICK(media_status));
}

static void gen_endpoint(struct confinfo_endpoint *e)
{
	size_t i, k = rnd(3);

	set(&e->display_text, PICK(texts));
	set(&e->status, PICK(statuses));
	set(&e->joining_method, PICK(joinings));
	set(&e->joining_when, PICK(whens));
	set(&e->disconnection_method, PICK(discs));
	set(&e->disconnection_reason, PICK(texts));
	set(&e->referred_by, rnd(3) ? NULL : "sip:ref@x");
	for (i = 0; i < k; i++)
		gen_media(confinfo_media_add(e, PICK(media_ids)));
}

static void gen_user(struct confinfo_user *u)
{
	size_t i, k = rnd(3);

	set(&u->display_text, PICK(texts));
	set(&u->nickname, PICK(nicks));
	set(&u->languages, PICK(langs));
	gen_strv(&u->aors, &u->naors, uris, 3);
	gen_strv(&u->roles, &u->nroles, roles, 3);
	u->has_roles = u->nroles > 0;
	for (i = 0; i < k; i++)
		gen_endpoint(confinfo_endpoint_add(u, PICK(ep_entities)));
}

static void gen_uris(struct confinfo_uri **v, size_t *n)
{
	size_t i, k = rnd(3);

	confinfo_uris_free(*v, *n);
	*v = k ? calloc(k, sizeof(**v)) : NULL;
	for (i = 0; i < k; i++) {
		(*v)[i].uri = ci_test_strdup(PICK(uris));
		(*v)[i].display_text = ci_test_strdup(PICK(texts));
		(*v)[i].purpose = ci_test_strdup(rnd(2) ? "participation" :
						 NULL);
	}
	*n = k;
}

static void drop_endpoint(struct confinfo_user *u, struct confinfo_endpoint *e)
{
	size_t i = (size_t)(e - u->endpoints);

	confinfo_endpoint_clear(e);
	memmove(e, e + 1, (u->nendpoints - i - 1) * sizeof(*e));
	u->nendpoints--;
}

static void gen_available_media(struct confinfo *ci)
{
	size_t i, k = rnd(3);

	confinfo_medias_free(ci->available_media, ci->navailable_media);
	ci->available_media = k ? calloc(k, sizeof(*ci->available_media)) :
		NULL;
	for (i = 0; i < k; i++) {
		/* keyed by label, and the schema wants a type */
		ci->available_media[i].id = ci_test_strdup(media_ids[i]);
		ci->available_media[i].label = ci_test_strdup(media_ids[i]);
		ci->available_media[i].type =
			ci_test_strdup(rnd(2) ? "audio" : "message");
		ci->available_media[i].display_text =
			ci_test_strdup(PICK(texts));
	}
	ci->navailable_media = k;
}

static void gen_description(struct confinfo *ci)
{
	ci->has_description = 1;
	set(&ci->display_text, PICK(texts));
	set(&ci->subject, PICK(texts));
	set(&ci->free_text, PICK(texts));
	set(&ci->keywords, rnd(2) ? "chat room" : NULL);
	gen_uris(&ci->conf_uris, &ci->nconf_uris);
	gen_uris(&ci->service_uris, &ci->nservice_uris);
	ci->has_max_user_count = rnd(2);
	ci->max_user_count = ci->has_max_user_count ? rnd(100) : 0;
	gen_available_media(ci);
}

static void gen_conference_state(struct confinfo *ci)
{
	ci->has_conference_state = 1;
	ci->has_user_count = rnd(2);
	ci->user_count = ci->has_user_count ? rnd(50) : 0;
	ci->active = (int)rnd(3) - 1;
	ci->locked = (int)rnd(3) - 1;
}

static struct confinfo *gen_model(void)
{
	struct confinfo *ci = confinfo_new("sip:room@x");
	size_t i, k;

	ci->version = 1 + rnd(1000);
	ci->has_version = 1;
	if (rnd(3))
		gen_description(ci);
	if (rnd(3))
		gen_conference_state(ci);
	ci->has_users = rnd(8) != 0;
	k = ci->has_users ? rnd(8) : 0;
	for (i = 0; i < k; i++)
		gen_user(confinfo_user_add(ci, PICK(entities)));
	return ci;
}

/* B: A changed in a few places, at every level, or now and then a
 * document of its own. */
static struct confinfo *mutate(const struct confinfo *a)
{
	struct confinfo *b;
	struct confinfo_endpoint *e;
	struct confinfo_user *u;
	unsigned ops;

	if (rnd(10) == 0) {
		b = gen_model();
		b->version = a->version + 1;
		return b;
	}
	b = next_version(a);
	for (ops = 1 + rnd(4); ops > 0; ops--) {
		u = b->nusers ? &b->users[rnd((unsigned)b->nusers)] : NULL;
		e = u && u->nendpoints ?
			&u->endpoints[rnd((unsigned)u->nendpoints)] : NULL;
		switch (rnd(12)) {
		case 0:
			if (u)
				confinfo_user_remove(b, u->entity);
			break;
		case 1:
			if (b->has_users)
				gen_user(confinfo_user_add(b, PICK(entities)));
			break;
		case 2:
			if (u)
				set(rnd(2) ? &u->display_text : &u->nickname,
				    PICK(texts));
			break;
		case 3:
			if (u) {
				gen_strv(&u->roles, &u->nroles, roles, 3);
				u->has_roles = u->nroles > 0;
			}
			break;
		case 4:
			if (e)
				drop_endpoint(u, e);
			break;
		case 5:
			if (u)
				gen_endpoint(confinfo_endpoint_add(
						     u, PICK(ep_entities)));
			break;
		case 6:
			if (e)
				set(rnd(2) ? &e->status : &e->display_text,
				    PICK(statuses));
			break;
		case 7:
			if (e && e->nmedia)
				set(&e->media[rnd((unsigned)e->nmedia)].status,
				    PICK(media_status));
			else if (e)
				gen_media(confinfo_media_add(e, "9"));
			break;
		case 8:
			if (e && e->nmedia)
				confinfo_media_clear(&e->media[--e->nmedia]);
			break;
		case 9:
			set(&b->subject, PICK(texts));
			b->has_description = 1;
			break;
		case 10:
			if (rnd(4) == 0)
				gen_description(b);
			else
				gen_conference_state(b);
			break;
		case 11:
			if (b->has_conference_state) {
				b->has_user_count = 1;
				b->user_count = rnd(50);
			}
			break;
		}
	}
	return b;
}

/* How often each shape of notification came out, so that the property is
 * known to have been tried on all of them. */
struct shapes {
	int partial_docs, full_docs;
	int user[4], endpoint[4];
};

static void count_shapes(struct shapes *sh, const struct confinfo *d)
{
	const struct confinfo_user *u;
	size_t i, k;

	if (d->state == CONFINFO_FULL) {
		sh->full_docs++;
		return;
	}
	sh->partial_docs++;
	for (i = 0; i < d->nusers; i++) {
		u = &d->users[i];
		sh->user[u->state]++;
		if (u->state != CONFINFO_PARTIAL)
			continue;
		for (k = 0; k < u->nendpoints; k++)
			sh->endpoint[u->endpoints[k].state]++;
	}
}

START_TEST(apply_of_diff_is_the_target)
{
	xmlSchemaPtr schema = ci_test_schema_load();
	struct confinfo *a, *b, *d, *state, *n;
	struct shapes sh;
	struct sx_err e;
	char *xml, *xa, *xb;
	size_t len;
	int i;

	memset(&sh, 0, sizeof(sh));
	rng = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 400; i++) {
		a = gen_model();
		b = mutate(a);
		d = confinfo_diff(a, b);
		ck_assert_ptr_nonnull(d);
		xml = confinfo_write(d, &len);
		ck_assert_ptr_nonnull(xml);
		count_shapes(&sh, d);

		state = confinfo_dup(a);
		ck_assert_int_eq(confinfo_apply(state, d, &e),
				 CONFINFO_APPLIED);
		if (!confinfo_equal(state, b)) {
			xa = confinfo_write(a, NULL);
			xb = confinfo_write(b, NULL);
			ck_abort_msg("pair %d: A\n%s\nB\n%s\ndiff\n%s", i, xa,
				     xb, xml);
		}
		confinfo_free(state);

		/* the same through the wire */
		ck_assert_msg(ci_test_schema_valid(schema, xml, len),
			      "pair %d: %s\n%s", i, ci_test_schema_errors(),
			      xml);
		n = ci_test_parse(xml, len);
		state = confinfo_dup(a);
		ck_assert_int_eq(confinfo_apply(state, n, &e),
				 CONFINFO_APPLIED);
		ck_assert_msg(confinfo_equal(state, b), "pair %d by XML:\n%s",
			      i, xml);
		confinfo_free(state);
		confinfo_free(n);
		free(xml);
		confinfo_free(d);
		confinfo_free(b);
		confinfo_free(a);
	}
	ck_assert_int_gt(sh.partial_docs, 100);
	ck_assert_int_gt(sh.full_docs, 10);
	ck_assert_int_gt(sh.user[CONFINFO_PARTIAL], 20);
	ck_assert_int_gt(sh.user[CONFINFO_FULL], 20);
	ck_assert_int_gt(sh.user[CONFINFO_DELETED], 20);
	ck_assert_int_gt(sh.endpoint[CONFINFO_PARTIAL], 10);
	ck_assert_int_gt(sh.endpoint[CONFINFO_FULL], 10);
	ck_assert_int_gt(sh.endpoint[CONFINFO_DELETED], 10);
	xmlSchemaFree(schema);
}
END_TEST

static Suite *confinfo_diff_suite(void)
{
	Suite *s = suite_create("confinfo_diff");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, diff_is_minimal);
	tcase_add_test(tc, diff_goes_full_when_it_must);
	tcase_add_test(tc, apply_of_diff_is_the_target);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(confinfo_diff_suite)
