/* test_sdp_msrp.c - the MSRP media line of SDP (RFC 4975 §8, RFC 6135,
 * RFC 7701); samples in fixtures/sdp/ */
#include "testutil.h"
#include "sdp_msrp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list as one string, items separated by one space ("" for none). */
static const char *join(char *const *l, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; l && *l; l++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
				      *l);
	ck_assert_uint_lt(n, cap);
	return buf;
}

static int read_guarded(const char *data, size_t len, struct sdp_msrp *m,
			struct sx_err *e)
{
	char *g = sx_test_guard_copy(data, len);
	int r;

	sx_err_clear(e);
	r = sdp_msrp_read(g, len, m, e);
	sx_test_guard_free(g, len);
	return r;
}

struct good {
	const char *file;
	const char *addr;
	int ipv6;
	unsigned port;
	int secure;
	const char *path;
	const char *accept;
	const char *wrapped;
	enum sdp_msrp_setup setup;
	uint64_t max_size;
	int chatroom, nickname, private_messages;
	const char *other;
	const char *comment;
};

static const struct good goods[] = {
	{ "sdp/rfc4975-10.1-offer.sdp", "alicepc.example.com", 0, 7654, 0,
	  "msrp://alicepc.example.com:7654/jshA7weztas;tcp", "text/plain", "",
	  SDP_MSRP_SETUP_ABSENT, 0, 0, 0, 0, "", "RFC 4975 §10.1 offer" },
	{ "sdp/rfc4975-10.1-answer.sdp", "bob.example.com", 0, 8888, 0,
	  "msrp://bob.example.com:8888/9di4eae923wzd;tcp", "text/plain", "",
	  SDP_MSRP_SETUP_ABSENT, 0, 0, 0, 0, "", "RFC 4975 §10.1 answer" },
	{ "sdp/rfc4975-8.6-wrapped.sdp", "alice.example.com", 0, 7394, 0,
	  "msrp://alice.example.com:7394/2s93i93idj;tcp",
	  "message/cpim text/plain text/html", "*", SDP_MSRP_SETUP_ABSENT,
	  131072, 0, 0, 0, "", "RFC 4975 §8.6 wrapped types, max-size" },
	{ "sdp/rfc4976-relays.sdp", "alice.example.com", 0, 2855, 1,
	  "msrps://relay.example.com:2855/kjfjan;tcp "
	  "msrps://alice.example.com:7777/iau39soe2843z;tcp",
	  "message/cpim text/plain", "", SDP_MSRP_SETUP_ABSENT, 0, 0, 0, 0, "",
	  "RFC 4976 relay path over TLS" },
	{ "sdp/rfc6135-actpass.sdp", "2001:db8::1", 1, 7394, 0,
	  "msrp://[2001:db8::1]:7394/2s93i93idj;tcp", "text/plain", "",
	  SDP_MSRP_SETUP_ACTPASS, 0, 0, 0, 0, "", "RFC 6135 actpass, IPv6" },
	{ "sdp/rfc7701-9.1-offer.sdp", "client.atlanta.example.com", 0, 7654,
	  0, "msrp://client.atlanta.example.com:7654/jshA7weztas;tcp",
	  "message/cpim text/plain text/html", "text/plain text/html",
	  SDP_MSRP_SETUP_ABSENT, 0, 1, 1, 1, "", "RFC 7701 §9.1 offer" },
	{ "sdp/rfc7701-9.1-answer.sdp", "chat.example.com", 0, 12763, 0,
	  "msrp://chat.example.com:12763/kjhd37s2s20w2a;tcp", "message/cpim",
	  "text/plain text/html", SDP_MSRP_SETUP_ABSENT, 0, 1, 1, 1, "",
	  "RFC 7701 §9.1 answer" },
	{ "sdp/rfc7702-5.1-offer.sdp", "x2s.example.org", 0, 7313, 0,
	  "msrp://x2s.example.org:7313/ansp71weztas;tcp", "message/cpim",
	  "text/plain text/html application/im-iscomposing+xml",
	  SDP_MSRP_SETUP_ACTIVE, 10000, 1, 1, 1, "", "RFC 7702 §5.1 offer" },
	{ "sdp/rfc7702-5.1-answer.sdp", "chat.example.com", 0, 12763, 0,
	  "msrp://chat.example.com:12763/kjhd37s2s20w2a;tcp", "message/cpim",
	  "text/plain text/html application/im-iscomposing+xml",
	  SDP_MSRP_SETUP_PASSIVE, 0, 1, 1, 1, "", "RFC 7702 §5.1 answer" },
	{ "sdp/audio-then-message.sdp", "2001:db8::7", 1, 2856, 0,
	  "msrp://[2001:db8::7]:2856/h7s6f5;tcp",
	  "text/* application/im-iscomposing+xml", "", SDP_MSRP_SETUP_PASSIVE,
	  0, 1, 1, 1, "x-voting",
	  "third media line, session-level setup, unknown chatroom token" },
};

static void check_model(const struct good *t, const struct sdp_msrp *m)
{
	char buf[256];

	ck_assert_str_eq(m->addr, t->addr);
	ck_assert_int_eq(m->ipv6, t->ipv6);
	ck_assert_uint_eq(m->port, t->port);
	ck_assert_int_eq(m->secure, t->secure);
	ck_assert_str_eq(m->path, t->path);
	ck_assert_str_eq(join(m->accept_types, buf, sizeof(buf)), t->accept);
	ck_assert_str_eq(join(m->accept_wrapped_types, buf, sizeof(buf)),
			 t->wrapped);
	ck_assert_int_eq(m->setup, t->setup);
	ck_assert_uint_eq(m->max_size, t->max_size);
	ck_assert_int_eq(m->chatroom, t->chatroom);
	ck_assert_int_eq(m->nickname, t->nickname);
	ck_assert_int_eq(m->private_messages, t->private_messages);
	ck_assert_str_eq(join(m->chatroom_other, buf, sizeof(buf)), t->other);
}

START_TEST(good_fixtures)
{
	const struct good *t = &goods[_i];
	struct sdp_msrp_origin o = { "gw", 42, 43, NULL };
	struct sdp_msrp m, back;
	struct sx_err e;
	char *data, *text;
	size_t len;

	data = sx_test_fixture(t->file, &len);
	ck_assert_msg(read_guarded(data, len, &m, &e) == 0, "%s: %s",
		      t->comment, e.text);
	check_model(t, &m);

	/* written out and read back through sofia: the same model */
	text = sdp_msrp_build(&m, &o, &e);
	ck_assert_msg(text != NULL, "%s: %s", t->comment, e.text);
	ck_assert_msg(read_guarded(text, strlen(text), &back, &e) == 0,
		      "%s: %s\n%s", t->comment, e.text, text);
	check_model(t, &back);
	sdp_msrp_free(&back);
	free(text);

	sdp_msrp_free(&m);
	ck_assert_ptr_null(m.path);
	free(data);
}
END_TEST

/* Any prefix reads or fails cleanly, without over-reads or leaks. */
START_TEST(prefixes)
{
	const struct good *t = &goods[_i];
	struct sdp_msrp m;
	struct sx_err e;
	size_t len, k;
	char *data;

	data = sx_test_fixture(t->file, &len);
	for (k = 0; k < len; k++) {
		if (read_guarded(data, k, &m, &e) == 0) {
			ck_assert_ptr_nonnull(m.accept_types);
			sdp_msrp_free(&m);
		} else {
			ck_assert_msg(e.status == 400 || e.status == 488,
				      "prefix %zu: %d %s", k, e.status,
				      e.text);
		}
	}
	free(data);
}
END_TEST

START_TEST(refused_media)
{
	struct sdp_msrp m;
	struct sx_err e;
	char *data;
	size_t len;

	data = sx_test_fixture("sdp/refused.sdp", &len);
	ck_assert_int_eq(read_guarded(data, len, &m, &e), 0);
	ck_assert_uint_eq(m.port, 0);
	ck_assert_ptr_null(m.path);
	ck_assert_ptr_null(m.accept_types);
	ck_assert_str_eq(m.addr, "bob.example.com");
	sdp_msrp_free(&m);
	free(data);
}
END_TEST

static void check_bad(const struct sx_test_bad *b)
{
	struct sdp_msrp m;
	struct sx_err e;

	ck_assert_msg(read_guarded(b->data, b->len, &m, &e) == SX_ERROR,
		      "%s: accepted", b->file);
	sx_test_assert_refused(b, &e);
	ck_assert_ptr_null(m.path);
	ck_assert_ptr_null(m.accept_types);
}

START_TEST(bad_fixtures)
{
	ck_assert_int_ge(sx_test_bad_corpus("sdp/bad", check_bad), 22);
}
END_TEST

START_TEST(build_exact)
{
	static const char want[] =
		"v=0\r\n"
		"o=- 2890844527 2890844528 IN IP4 chat.example.com\r\n"
		"s=-\r\n"
		"c=IN IP4 chat.example.com\r\n"
		"t=0 0\r\n"
		"m=message 12763 TCP/TLS/MSRP *\r\n"
		"a=path:msrps://chat.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
		"a=accept-types:message/cpim\r\n"
		"a=accept-wrapped-types:text/plain text/html\r\n"
		"a=max-size:10000\r\n"
		"a=setup:passive\r\n"
		"a=chatroom:nickname private-messages x-voting\r\n";
	char *accept[] = { "message/cpim", NULL };
	char *wrapped[] = { "text/plain", "text/html", NULL };
	char *other[] = { "x-voting", NULL };
	struct sdp_msrp m = {
		.addr = "chat.example.com",
		.port = 12763,
		.secure = 1,
		.path = "msrps://chat.example.com:12763/kjhd37s2s20w2a;tcp",
		.accept_types = accept,
		.accept_wrapped_types = wrapped,
		.setup = SDP_MSRP_SETUP_PASSIVE,
		.max_size = 10000,
		.chatroom = 1,
		.nickname = 1,
		.private_messages = 1,
		.chatroom_other = other,
	};
	struct sdp_msrp_origin o = { NULL, 2890844527u, 2890844528u, NULL };
	char *text = sdp_msrp_build(&m, &o, NULL);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, want);
	free(text);

	/* IPv6, no optional attributes, a separate origin address */
	m.addr = "2001:db8::1";
	m.ipv6 = 1;
	m.secure = 0;
	m.path = "msrp://[2001:db8::1]:12763/x;tcp";
	m.accept_wrapped_types = NULL;
	m.setup = SDP_MSRP_SETUP_ABSENT;
	m.max_size = 0;
	m.chatroom = 0;
	o.user = "gw";
	o.addr = "gw.example.com";
	text = sdp_msrp_build(&m, &o, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text,
			 "v=0\r\n"
			 "o=gw 2890844527 2890844528 IN IP4 gw.example.com\r\n"
			 "s=-\r\n"
			 "c=IN IP6 2001:db8::1\r\n"
			 "t=0 0\r\n"
			 "m=message 12763 TCP/MSRP *\r\n"
			 "a=path:msrp://[2001:db8::1]:12763/x;tcp\r\n"
			 "a=accept-types:message/cpim\r\n");
	free(text);
}
END_TEST

START_TEST(build_invalid)
{
	char *accept[] = { "message/cpim", NULL };
	char *empty[] = { NULL };
	char *spaced[] = { "text/plain text/html", NULL };
	struct sdp_msrp_origin o = { NULL, 1, 1, NULL };
	struct sdp_msrp good = {
		.addr = "chat.example.com",
		.port = 2855,
		.path = "msrp://chat.example.com:2855/x;tcp",
		.accept_types = accept,
	};
	struct sdp_msrp m;
	struct sx_err e;
	char *text;
	int i;

	text = sdp_msrp_build(&good, &o, NULL);
	ck_assert_ptr_nonnull(text);
	free(text);
	for (i = 0; i < 7; i++) {
		m = good;
		switch (i) {
		case 0: m.addr = NULL; break;
		case 1: m.path = NULL; break;
		case 2: m.accept_types = NULL; break;
		case 3: m.accept_types = empty; break;
		case 4: m.accept_types = spaced; break;
		case 5: m.path = "msrp://a:1/x;tcp\r\na=evil:1"; break;
		case 6: m.setup = (enum sdp_msrp_setup)9; break;
		}
		sx_err_clear(&e);
		ck_assert_msg(sdp_msrp_build(&m, &o, &e) == NULL, "case %d", i);
		ck_assert_int_eq(e.status, 500);
	}
	o.user = "two words";
	ck_assert_ptr_null(sdp_msrp_build(&good, &o, NULL));
}
END_TEST

struct acc_case {
	const char *list;   /* space-separated */
	const char *type;
	int want;
	const char *comment;
};

static const struct acc_case accs[] = {
	{ "message/cpim", "message/cpim", 1, "exact" },
	{ "message/cpim", "Message/CPIM", 1, "case-insensitive" },
	{ "text/plain text/html", "text/html", 1, "second entry" },
	{ "text/plain", "text/html", 0, "not listed" },
	{ "*", "application/octet-stream", 1, "wildcard" },
	{ "text/*", "text/html", 1, "subtype wildcard" },
	{ "text/*", "TEXT/enriched", 1, "subtype wildcard, case" },
	{ "text/*", "textual/plain", 0, "wildcard type is a whole type" },
	{ "text/*", "application/text", 0, "wildcard is for the type" },
	{ "text/plain", "text/plain; charset=UTF-8", 1, "query parameters" },
	{ "text/plain;charset=UTF-8", "text/plain", 1, "entry parameters" },
	{ "text/plain", "text/plainx", 0, "prefix is not a match" },
	{ "text/plainx", "text/plain", 0, "longer entry" },
	{ "", "text/plain", 0, "empty list" },
	{ "message/cpim", "", 0, "empty type" },
};

START_TEST(accepts_table)
{
	const struct acc_case *t = &accs[_i];
	char text[128], *list[8], *p, *save = NULL;
	int n = 0;

	snprintf(text, sizeof(text), "%s", t->list);
	for (p = strtok_r(text, " ", &save); p; p = strtok_r(NULL, " ", &save))
		list[n++] = p;
	list[n] = NULL;
	ck_assert_msg(sdp_msrp_accepts(list, t->type) == t->want, "%s",
		      t->comment);
}
END_TEST

START_TEST(accepts_wrapped_and_cpim)
{
	struct sdp_msrp m;
	struct sx_err e;
	char *data;
	size_t len;

	data = sx_test_fixture("sdp/rfc7701-9.1-answer.sdp", &len);
	ck_assert_int_eq(read_guarded(data, len, &m, &e), 0);
	ck_assert(sdp_msrp_accepts(m.accept_types, "message/cpim"));
	ck_assert(!sdp_msrp_accepts(m.accept_types, "text/plain"));
	ck_assert(sdp_msrp_accepts_wrapped(&m, "text/plain;charset=UTF-8"));
	ck_assert(sdp_msrp_accepts_wrapped(&m, "message/cpim"));
	ck_assert(!sdp_msrp_accepts_wrapped(&m, "image/png"));
	sdp_msrp_free(&m);
	free(data);

	data = sx_test_fixture("sdp/rfc4975-10.1-offer.sdp", &len);
	ck_assert_int_eq(read_guarded(data, len, &m, &e), 0);
	ck_assert(!sdp_msrp_accepts(m.accept_types, "message/cpim"));
	ck_assert(sdp_msrp_accepts_wrapped(&m, "text/plain"));
	ck_assert(!sdp_msrp_accepts_wrapped(&m, "text/html"));
	sdp_msrp_free(&m);
	free(data);

	ck_assert(!sdp_msrp_accepts(NULL, "text/plain"));
}
END_TEST

START_TEST(setup_defaults)
{
	struct sdp_msrp m;

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(sdp_msrp_setup_of(&m, 1), SDP_MSRP_SETUP_ACTIVE);
	ck_assert_int_eq(sdp_msrp_setup_of(&m, 0), SDP_MSRP_SETUP_PASSIVE);
	m.setup = SDP_MSRP_SETUP_ACTPASS;
	ck_assert_int_eq(sdp_msrp_setup_of(&m, 1), SDP_MSRP_SETUP_ACTPASS);
	ck_assert_int_eq(sdp_msrp_setup_of(&m, 0), SDP_MSRP_SETUP_ACTPASS);
	m.setup = SDP_MSRP_SETUP_HOLDCONN;
	ck_assert_int_eq(sdp_msrp_setup_of(&m, 0), SDP_MSRP_SETUP_HOLDCONN);
}
END_TEST

static Suite *sdp_msrp_suite(void)
{
	Suite *s = suite_create("sdp_msrp");
	TCase *tr = tcase_create("read");
	TCase *tb = tcase_create("build");
	TCase *ta = tcase_create("accept");
	int n = (int)(sizeof(goods) / sizeof(goods[0]));

	tcase_add_loop_test(tr, good_fixtures, 0, n);
	tcase_add_loop_test(tr, prefixes, 0, n);
	tcase_add_test(tr, refused_media);
	tcase_add_test(tr, bad_fixtures);
	suite_add_tcase(s, tr);

	tcase_add_test(tb, build_exact);
	tcase_add_test(tb, build_invalid);
	suite_add_tcase(s, tb);

	tcase_add_loop_test(ta, accepts_table, 0,
			    sizeof(accs) / sizeof(accs[0]));
	tcase_add_test(ta, accepts_wrapped_and_cpim);
	tcase_add_test(ta, setup_defaults);
	suite_add_tcase(s, ta);
	return s;
}

SX_TEST_MAIN(sdp_msrp_suite)
