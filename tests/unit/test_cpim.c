/* test_cpim.c - message/cpim parser and value decoders (RFC 3862, chat-room
 * use per RFC 7701 and RFC 7702); samples in fixtures/cpim/.  The builder
 * is tested in test_cpim_build.c. */
#include "testutil.h"
#include "cpim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_MID "mid:MessageFeatures@id.foo.com"

/* A parse of data placed right before an unreadable page. */
struct parsed {
	char *g;
	size_t len;
	ssize_t r;
	struct cpim_msg m;
	struct sx_err e;
};

static void parse_guarded(struct parsed *p, const char *data, size_t len,
			  const struct cpim_limits *lim, int flags)
{
	p->g = sx_test_guard_copy(data, len);
	p->len = len;
	sx_err_clear(&p->e);
	p->r = cpim_parse(p->g, len, lim, flags, &p->m, &p->e);
}

static void parsed_free(struct parsed *p)
{
	sx_test_guard_free(p->g, p->len);
}

static void parse_str(struct parsed *p, const char *s)
{
	parse_guarded(p, s, strlen(s), NULL, 0);
	ck_assert_msg(p->r > 0, "parse failed: %s", p->e.text);
}

/* Every proper prefix of the headers is incomplete with CPIM_PARTIAL and
 * truncated without; every longer prefix parses the same headers. */
static void check_bytewise(const char *data, size_t len, ssize_t hlen,
			   unsigned nheaders)
{
	size_t k;

	for (k = 0; k <= len; k++) {
		struct parsed p;

		parse_guarded(&p, data, k, NULL, CPIM_PARTIAL);
		if ((ssize_t)k < hlen) {
			ck_assert_msg(p.r == SX_INCOMPLETE,
				      "prefix %zu: %zd (%s)", k, p.r, p.e.text);
			parsed_free(&p);
			parse_guarded(&p, data, k, NULL, 0);
			ck_assert_int_eq(p.r, SX_ERROR);
			ck_assert_int_eq(p.e.status, 400);
			ck_assert_ptr_nonnull(strstr(p.e.text, "truncated"));
		} else {
			ck_assert_int_eq(p.r, hlen);
			ck_assert_uint_eq(p.m.nheaders, nheaders);
			ck_assert_uint_eq(p.m.body.len, k - (size_t)hlen);
		}
		parsed_free(&p);
	}
}

struct good {
	const char *file;
	unsigned nheaders;
	unsigned ncontent;
	const char *content_type;
	const char *body;
	const char *from_name;
	const char *from_uri;
	unsigned nto;
	const char *to_uri;
	long long utc;          /* DateTime in seconds since the epoch */
	int offset;             /* its offset in minutes */
	const char *comment;
};

static const struct good goods[] = {
	{ "cpim/rfc3862-5.1.cpim", 9, 2, "text/xml; charset=utf-8",
	  "<body>\r\nHere is the text of my message.\r\n</body>\r\n",
	  "MR SANDERS", "im:piglet@100akerwood.com", 1,
	  "im:eeyore@100akerwood.com", 976743600, -480,
	  "RFC 3862 §5.1: NS, Require, prefixed headers" },
	{ "cpim/rfc3862-3-headers.cpim", 3, 1, "text/plain", "",
	  "", "im:piglet@100akerwood.com", 1, "im:pooh@100akerwood.com",
	  981128934, -300, "RFC 3862 §3: To before From, empty body" },
	{ "cpim/rfc3862-4-headers.cpim", 13, 1, "text/plain",
	  "Here is the text of my message.\r\n",
	  "Winnie the Pooh", "im:pooh@100akerwood.com", 2,
	  "im:pooh@100akerwood.com", 981047809, -300,
	  "RFC 3862 §4: every header example" },
	{ "cpim/rfc7701-9-room.cpim", 3, 1, "text/plain", "Hello\r\n",
	  "Alice", "sip:alice@example.com", 1,
	  "sip:chatroom22@chat.example.com", 1236016951, -180,
	  "RFC 7701 §9: message to the room" },
	{ "cpim/rfc7701-9-private.cpim", 3, 1, "text/plain",
	  "Hi Bob, this is private\r\n", "Alice", "sip:alice@example.com", 1,
	  "sip:chatroom22@chat.example.com;gr=bob", 1236016952, -180,
	  "RFC 7701 §9: private message, gr=nickname" },
	{ "cpim/rfc7702-5.5.1-groupchat.cpim", 3, 1, "text/plain;charset=UTF-8",
	  "Romeo, Romeo, wherefore art thou Romeo?\r\n", "Juliet",
	  "sip:juliet@example.com", 1, "sip:verona@chat.example.org",
	  1424022128, 0, "RFC 7702 §5.5.1: groupchat through the gateway" },
	{ "cpim/rfc7702-5.5.2-private.cpim", 3, 1, "text/plain;charset=UTF-8",
	  "Art thou not Romeo, and a Montague?\r\n", "Juliet",
	  "sip:juliet@example.com", 1, "sip:verona@chat.example.org;gr=Romeo",
	  1424022202, 0, "RFC 7702 §5.5.2: private message to an occupant" },
};

START_TEST(good_fixtures)
{
	const struct good *t = &goods[_i];
	const struct cpim_header *h;
	struct cpim_addr a;
	struct timespec ts;
	struct parsed p;
	struct sx_err e;
	char *data;
	size_t len;
	int off;

	data = sx_test_fixture(t->file, &len);
	parse_guarded(&p, data, len, NULL, 0);
	ck_assert_msg(p.r > 0, "%s: %s", t->comment, p.e.text);
	ck_assert_uint_eq((size_t)p.r + p.m.body.len, len);
	ck_assert_uint_eq(p.m.nheaders, t->nheaders);
	ck_assert_uint_eq(p.m.ncontent, t->ncontent);
	SX_TEST_SLICE_EQ(p.m.content_type, t->content_type);
	SX_TEST_SLICE_EQ(p.m.body, t->body);
	ck_assert_ptr_eq(p.m.body.p, p.g + p.r);

	h = cpim_header(&p.m, NULL, "From");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(cpim_addr_parse(h->value.p, h->value.len, &a, &e), 0);
	ck_assert_str_eq(a.name, t->from_name);
	SX_TEST_SLICE_EQ(a.uri, t->from_uri);

	ck_assert_uint_eq(cpim_header_count(&p.m, CPIM_NS_STD, "To"), t->nto);
	h = cpim_header(&p.m, NULL, "To");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(cpim_addr_parse(h->value.p, h->value.len, &a, &e), 0);
	SX_TEST_SLICE_EQ(a.uri, t->to_uri);

	h = cpim_header(&p.m, NULL, "DateTime");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(cpim_datetime_parse(h->value.p, h->value.len, &ts,
					     &off, &e), 0);
	ck_assert_int_eq((long long)ts.tv_sec, t->utc);
	ck_assert_int_eq(off, t->offset);

	check_bytewise(data, len, p.r, t->nheaders);
	parsed_free(&p);
	free(data);
}
END_TEST

START_TEST(rfc3862_namespaces)
{
	const struct cpim_header *h;
	struct parsed p;
	char *data;
	size_t len;

	data = sx_test_fixture("cpim/rfc3862-5.1.cpim", &len);
	parse_guarded(&p, data, len, NULL, 0);
	ck_assert_int_gt(p.r, 0);
	ck_assert_uint_eq(p.m.nns, 1);
	SX_TEST_SLICE_EQ(p.m.ns[0].prefix, "MyFeatures");
	SX_TEST_SLICE_EQ(p.m.ns[0].uri, NS_MID);

	h = cpim_header(&p.m, NS_MID, "VitalMessageOption");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->name, "MyFeatures.VitalMessageOption");
	SX_TEST_SLICE_EQ(h->prefix, "MyFeatures");
	SX_TEST_SLICE_EQ(h->value, "Confirmation-requested");
	h = cpim_header(&p.m, NS_MID, "WackyMessageOption");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->value, "Use-silly-font");
	/* a prefixed name is not in the standard namespace */
	ck_assert_ptr_null(cpim_header(&p.m, NULL, "VitalMessageOption"));
	ck_assert_ptr_null(cpim_header(&p.m, NS_MID, "From"));

	h = cpim_header(&p.m, NULL, "Require");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->value, "MyFeatures.VitalMessageOption");
	h = cpim_header(&p.m, NULL, "NS");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->ns, CPIM_NS_STD);

	ck_assert_uint_eq(cpim_header_count(&p.m, NULL, "Subject"), 2);
	h = cpim_header(&p.m, NULL, "Subject");
	SX_TEST_SLICE_EQ(h->params, "");
	SX_TEST_SLICE_EQ(h->value, "the weather will be fine today");
	h = cpim_header_next(&p.m, h, NULL, "Subject");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->params, ";lang=fr");
	SX_TEST_SLICE_EQ(h->value, "beau temps prevu pour aujourd'hui");
	ck_assert_ptr_null(cpim_header_next(&p.m, h, NULL, "Subject"));

	h = cpim_content_header(&p.m, "content-id");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->value, "<1234567890@foo.com>");
	SX_TEST_SLICE_EQ(p.m.content[0].name, "Content-type");
	parsed_free(&p);
	free(data);
}
END_TEST

START_TEST(rfc3862_header_examples)
{
	const struct cpim_header *h;
	struct cpim_addr a;
	struct parsed p;
	char buf[128];
	char *data;
	size_t len;

	data = sx_test_fixture("cpim/rfc3862-4-headers.cpim", &len);
	parse_guarded(&p, data, len, NULL, 0);
	ck_assert_int_gt(p.r, 0);
	ck_assert_uint_eq(cpim_header_count(&p.m, NULL, "From"), 2);
	ck_assert_uint_eq(cpim_header_count(&p.m, NULL, "cc"), 2);
	h = cpim_header(&p.m, NULL, "cc");
	h = cpim_header_next(&p.m, h, NULL, "cc");
	ck_assert_int_eq(cpim_addr_parse(h->value.p, h->value.len, &a, NULL),
			 0);
	ck_assert_str_eq(a.name, "");
	SX_TEST_SLICE_EQ(a.uri, "im:tigger@100akerwood.com");

	h = cpim_header(&p.m, NULL, "Subject");
	h = cpim_header_next(&p.m, h, NULL, "Subject");
	h = cpim_header_next(&p.m, h, NULL, "Subject");
	SX_TEST_SLICE_EQ(h->params, ";lang=fr");
	ck_assert_int_eq(cpim_unescape(h->value.p, h->value.len, buf,
				       sizeof(buf)),
			 (ssize_t)strlen("Eeyore se sent très déprimé "
					 "aujourd'hui"));
	ck_assert_str_eq(buf, "Eeyore se sent très déprimé aujourd'hui");

	h = cpim_header(&p.m, NS_MID, "MyHeader");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->value, "private-extension-data");
	SX_TEST_SLICE_EQ(h->prefix, "MyAlias");
	parsed_free(&p);
	free(data);
}
END_TEST

static void check_bad(const struct sx_test_bad *b)
{
	struct parsed p;
	int cut;

	parse_guarded(&p, b->data, b->len, NULL, 0);
	ck_assert_msg(p.r == SX_ERROR, "%s: parsed", b->file);
	sx_test_assert_refused(b, &p.e);
	parsed_free(&p);

	/* with more data to come, only a cut message may wait */
	cut = strncmp(b->file, "truncated", 9) == 0 ||
	      strcmp(b->file, "empty.cpim") == 0;
	parse_guarded(&p, b->data, b->len, NULL, CPIM_PARTIAL);
	ck_assert_msg(p.r == (cut ? SX_INCOMPLETE : SX_ERROR),
		      "%s: partial parse gave %zd", b->file, p.r);
	parsed_free(&p);
}

START_TEST(bad_fixtures)
{
	ck_assert_int_ge(sx_test_bad_corpus("cpim/bad", check_bad), 30);
}
END_TEST

START_TEST(error_position)
{
	struct parsed p;

	parse_guarded(&p, "From: <sip:a@b>\r\nBad Name: x\r\n\r\n", 32, NULL,
		      0);
	ck_assert_int_eq(p.r, SX_ERROR);
	ck_assert_uint_eq(p.e.line, 2);
	ck_assert_uint_eq(p.e.column, 4);
	ck_assert_uint_eq(p.e.offset, 20);
	parsed_free(&p);
}
END_TEST

START_TEST(default_namespace)
{
	const struct cpim_header *h;
	struct parsed p;

	parse_str(&p, "From: <sip:a@example.com>\r\n"
		      "NS: <urn:example:ext>\r\n"
		      "Colour: blue\r\n"
		      "NS: P <urn:example:one>\r\n"
		      "P.Mark: 1\r\n"
		      "NS: P <urn:example:two>\r\n"
		      "P.Mark: 2\r\n"
		      "\r\n"
		      "Content-Type: text/plain\r\n\r\nx");
	ck_assert_ptr_nonnull(cpim_header(&p.m, NULL, "From"));
	ck_assert_ptr_null(cpim_header(&p.m, NULL, "Colour"));
	h = cpim_header(&p.m, "urn:example:ext", "Colour");
	ck_assert_ptr_nonnull(h);
	SX_TEST_SLICE_EQ(h->value, "blue");
	/* a redeclared prefix applies to the headers after it */
	h = cpim_header(&p.m, "urn:example:one", "Mark");
	SX_TEST_SLICE_EQ(h->value, "1");
	ck_assert_ptr_null(cpim_header_next(&p.m, h, "urn:example:one",
					    "Mark"));
	h = cpim_header(&p.m, "urn:example:two", "Mark");
	SX_TEST_SLICE_EQ(h->value, "2");
	ck_assert_uint_eq(p.m.nns, 3);
	SX_TEST_SLICE_EQ(p.m.ns[0].prefix, "");
	parsed_free(&p);
}
END_TEST

START_TEST(names_case_sensitive)
{
	struct parsed p;

	parse_str(&p, "from: <sip:a@example.com>\r\nTO: <sip:b@example.com>\r\n"
		      "\r\ncontent-TYPE: text/plain\r\n\r\nx");
	ck_assert_ptr_null(cpim_header(&p.m, NULL, "From"));
	ck_assert_ptr_nonnull(cpim_header(&p.m, NULL, "from"));
	ck_assert_uint_eq(cpim_header_count(&p.m, NULL, "To"), 0);
	SX_TEST_SLICE_EQ(p.m.content_type, "text/plain");
	parsed_free(&p);
}
END_TEST

START_TEST(content_headers_mime)
{
	struct parsed p;

	parse_str(&p, "From: <sip:a@example.com>\r\n"
		      "Empty:\r\n"
		      "Subject:;lang=en;x=\"a \\\"b\\\"\" hi\r\n"
		      "\r\n"
		      "Content-Type:\ttext/plain;\r\n"
		      " charset=UTF-8  \r\n"
		      "Content-Disposition: inline\r\n"
		      "\r\n"
		      "body\r\n\r\nwith blank lines");
	ck_assert_uint_eq(p.m.nheaders, 3);
	SX_TEST_SLICE_EQ(p.m.headers[1].value, "");
	SX_TEST_SLICE_EQ(p.m.headers[2].params, ";lang=en;x=\"a \\\"b\\\"\"");
	SX_TEST_SLICE_EQ(p.m.headers[2].value, "hi");
	SX_TEST_SLICE_EQ(p.m.content_type, "text/plain;\r\n charset=UTF-8");
	SX_TEST_SLICE_EQ(p.m.body, "body\r\n\r\nwith blank lines");
	parsed_free(&p);
}
END_TEST

START_TEST(limits)
{
	static const char msg[] = "From: <sip:a@example.com>\r\n"
				  "To: <sip:b@example.com>\r\n\r\n"
				  "Content-Type: text/plain\r\n\r\nbody";
	struct cpim_limits lim;
	struct parsed p;

	cpim_limits_default(&lim);
	ck_assert_uint_eq(lim.max_header_bytes, 8192);
	ck_assert_uint_eq(lim.max_headers, CPIM_MAX_HEADERS);

	lim.max_header_bytes = sizeof(msg) - 1 - 4;   /* exactly the head */
	parse_guarded(&p, msg, sizeof(msg) - 1, &lim, 0);
	ck_assert_int_eq(p.r, (ssize_t)lim.max_header_bytes);
	parsed_free(&p);
	lim.max_header_bytes--;
	parse_guarded(&p, msg, sizeof(msg) - 1, &lim, CPIM_PARTIAL);
	ck_assert_int_eq(p.r, SX_ERROR);
	ck_assert_ptr_nonnull(strstr(p.e.text, "CPIM headers over 81 bytes"));
	parsed_free(&p);

	cpim_limits_default(&lim);
	lim.max_headers = 3;
	parse_guarded(&p, msg, sizeof(msg) - 1, &lim, 0);
	ck_assert_int_gt(p.r, 0);
	parsed_free(&p);
	lim.max_headers = 2;
	parse_guarded(&p, msg, sizeof(msg) - 1, &lim, 0);
	ck_assert_int_eq(p.r, SX_ERROR);
	ck_assert_str_eq(p.e.text, "more than 2 CPIM headers");
	parsed_free(&p);
}
END_TEST

struct addr_case {
	const char *in;
	int ok;
	const char *name;
	const char *uri;
	const char *comment;
};

static const struct addr_case addrs[] = {
	{ "MR SANDERS <im:piglet@100akerwood.com>", 1, "MR SANDERS",
	  "im:piglet@100akerwood.com", "tokens form (RFC 3862 §5.1)" },
	{ "<im:tigger@100akerwood.com>", 1, "", "im:tigger@100akerwood.com",
	  "no display name" },
	{ "\"Winnie the Pooh\" <im:pooh@100akerwood.com>", 1,
	  "Winnie the Pooh", "im:pooh@100akerwood.com", "quoted" },
	{ "\"MR SANDERS\"<im:piglet@100akerwood.com>", 1, "MR SANDERS",
	  "im:piglet@100akerwood.com", "quoted, no space (the ABNF)" },
	{ "\"a \\\"b\\\" \\\\ c\" <sip:x@y>", 1, "a \"b\" \\ c", "sip:x@y",
	  "escaped quotes and backslash" },
	{ "\"Ren\\u00E9e\" <sip:renee@example.com>", 1, "Renée",
	  "sip:renee@example.com", "\\u escape" },
	{ "Renée Dupont <sip:renee@example.com>", 1, "Renée Dupont",
	  "sip:renee@example.com", "UTF-8 tokens" },
	{ "Dr. O'Neil <sip:oneil@example.com>", 1, "Dr. O'Neil",
	  "sip:oneil@example.com", "dot and apostrophe in tokens" },
	{ "\"\" <sip:room@chat.example.com;gr=bob>", 1, "",
	  "sip:room@chat.example.com;gr=bob", "empty quoted name, gr" },
	{ "<sip:room@chat.example.com;gr=Romeo%20M>", 1, "",
	  "sip:room@chat.example.com;gr=Romeo%20M", "escaped nickname" },
	{ "Smith, John <sip:js@example.com>", 0, NULL, NULL,
	  "comma needs quotes" },
	{ "\"open <sip:x@y>", 0, NULL, NULL, "unterminated quote" },
	{ "sip:x@y", 0, NULL, NULL, "no angle brackets" },
	{ "<sip:x@y", 0, NULL, NULL, "no closing bracket" },
	{ "<sip:x@y> trailing", 0, NULL, NULL, "text after the URI" },
	{ "<>", 0, NULL, NULL, "empty URI" },
	{ "<nocolon>", 0, NULL, NULL, "URI without scheme" },
	{ "<sip:a b@c>", 0, NULL, NULL, "space in URI" },
	{ "<1sip:a@b>", 0, NULL, NULL, "bad scheme" },
	{ "Name<sip:x@y>", 0, NULL, NULL, "tokens need a space" },
	{ "\"a\\u0000b\" <sip:x@y>", 0, NULL, NULL, "NUL in name" },
	{ "", 0, NULL, NULL, "empty" },
};

START_TEST(addr_table)
{
	const struct addr_case *t = &addrs[_i];
	size_t len = strlen(t->in);
	char *g = sx_test_guard_copy(t->in, len);
	struct cpim_addr a;
	struct sx_err e;
	int r;

	sx_err_clear(&e);
	r = cpim_addr_parse(g, len, &a, &e);
	if (t->ok) {
		ck_assert_msg(r == 0, "%s: %s", t->comment, e.text);
		ck_assert_str_eq(a.name, t->name);
		SX_TEST_SLICE_EQ(a.uri, t->uri);
	} else {
		ck_assert_msg(r == SX_ERROR, "%s: accepted", t->comment);
		ck_assert_int_eq(e.status, 400);
		ck_assert_ptr_nonnull(strstr(e.text, "bad CPIM address"));
	}
	sx_test_guard_free(g, len);
}
END_TEST

START_TEST(addr_name_too_long)
{
	char in[CPIM_NAME_MAX + 16];
	struct cpim_addr a;
	size_t n;

	/* quoted, then tokens: CPIM_NAME_MAX - 1 bytes fit with their NUL */
	for (n = CPIM_NAME_MAX - 1; n <= CPIM_NAME_MAX; n++) {
		in[0] = '"';
		memset(in + 1, 'a', n);
		memcpy(in + 1 + n, "\" <s:x>", 7);
		ck_assert_int_eq(cpim_addr_parse(in, n + 8, &a, NULL),
				 n < CPIM_NAME_MAX ? 0 : SX_ERROR);
		if (n < CPIM_NAME_MAX)
			ck_assert_uint_eq(strlen(a.name), n);
		memset(in, 'a', n);
		memcpy(in + n, " <s:x>", 6);
		ck_assert_int_eq(cpim_addr_parse(in, n + 6, &a, NULL),
				 n < CPIM_NAME_MAX ? 0 : SX_ERROR);
	}
}
END_TEST

struct dt_case {
	const char *in;
	int ok;
	long long sec;
	long nsec;
	int off;
	const char *comment;
};

static const struct dt_case dts[] = {
	{ "2000-12-13T13:40:00-08:00", 1, 976743600, 0, -480, "RFC 3862 §5.1" },
	{ "1985-04-12T23:20:50.52Z", 1, 482196050, 520000000, 0,
	  "RFC 3339 §5.8" },
	{ "1996-12-19T16:39:57-08:00", 1, 851042397, 0, -480, "RFC 3339" },
	{ "1990-12-31T23:59:60Z", 1, 662688000, 0, 0, "leap second" },
	{ "1937-01-01T12:00:27.87+00:20", 1, -1041337173, 870000000, 20,
	  "RFC 3339, before 1970" },
	{ "2000-02-29T10:10:10z", 1, 951819010, 0, 0, "leap day, lower z" },
	{ "2015-02-15t17:42:08.123456789123Z", 1, 1424022128, 123456789, 0,
	  "nanoseconds, extra digits ignored" },
	{ "2001-02-29T10:10:10Z", 0, 0, 0, 0, "not a leap year" },
	{ "2001-13-01T10:10:10Z", 0, 0, 0, 0, "month 13" },
	{ "2001-01-01T24:00:00Z", 0, 0, 0, 0, "hour 24" },
	{ "2001-01-01T10:10:10", 0, 0, 0, 0, "no offset" },
	{ "2001-01-01T10:10:10.Z", 0, 0, 0, 0, "empty fraction" },
	{ "2001-01-01T10:10:10+0100", 0, 0, 0, 0, "offset without colon" },
	{ "2001-01-01 10:10:10Z", 0, 0, 0, 0, "space for T" },
	{ "2001-01-01T10:10:10Zx", 0, 0, 0, 0, "trailing text" },
	{ "1956", 0, 0, 0, 0, "year only" },
};

START_TEST(datetime_table)
{
	const struct dt_case *t = &dts[_i];
	size_t len = strlen(t->in);
	char *g = sx_test_guard_copy(t->in, len);
	struct timespec ts;
	struct sx_err e;
	int off = 99;

	if (t->ok) {
		ck_assert_msg(cpim_datetime_parse(g, len, &ts, &off, &e) == 0,
			      "%s", t->comment);
		ck_assert_int_eq((long long)ts.tv_sec, t->sec);
		ck_assert_int_eq(ts.tv_nsec, t->nsec);
		ck_assert_int_eq(off, t->off);
	} else {
		ck_assert_msg(cpim_datetime_parse(g, len, &ts, NULL, &e) ==
			      SX_ERROR, "%s: accepted", t->comment);
		ck_assert_int_eq(e.status, 400);
	}
	sx_test_guard_free(g, len);
}
END_TEST

struct esc_case {
	const char *in;
	const char *out;   /* NULL: an error */
	const char *comment;
};

static const struct esc_case escs[] = {
	{ "plain", "plain", "nothing to do" },
	{ "a\\\"b\\\\c\\'d", "a\"b\\c'd", "quote, backslash, apostrophe" },
	{ "\\b\\t\\n\\r", "\b\t\n\r", "control escapes" },
	{ "tr\\u00E8s", "très", "two-byte UTF-8" },
	{ "\\u20ac", "€", "lower-case hex" },
	{ "\\uD83D\\uDE00", "😀", "surrogate pair" },
	{ "C:\\dir", "C:\\dir", "unknown escape kept" },
	{ "\\u12", "\\u12", "short \\u kept" },
	{ "end\\", "end\\", "trailing backslash kept" },
	{ "\\u0000", NULL, "NUL" },
	{ "\\uD83D", NULL, "lone high surrogate" },
	{ "\\uDE00", NULL, "lone low surrogate" },
	{ "\\uD83D\\u0041", NULL, "high surrogate then not low" },
};

START_TEST(unescape_table)
{
	const struct esc_case *t = &escs[_i];
	size_t len = strlen(t->in);
	char *g = sx_test_guard_copy(t->in, len);
	char buf[64], small[3];
	ssize_t n;

	n = cpim_unescape(g, len, buf, sizeof(buf));
	if (t->out == NULL) {
		ck_assert_msg(n == SX_ERROR, "%s: accepted", t->comment);
	} else {
		ck_assert_msg(n == (ssize_t)strlen(t->out), "%s", t->comment);
		ck_assert_str_eq(buf, t->out);
		ck_assert_int_le(n, (ssize_t)len);
		/* snprintf semantics: cut and terminated */
		ck_assert_int_eq(cpim_unescape(g, len, small, sizeof(small)),
				 n);
		ck_assert_int_eq(strncmp(small, t->out, 2), 0);
		ck_assert_uint_le(strlen(small), 2);
	}
	sx_test_guard_free(g, len);
}
END_TEST

static Suite *cpim_suite(void)
{
	Suite *s = suite_create("cpim");
	TCase *tc = tcase_create("parse");
	TCase *tv = tcase_create("values");

	tcase_add_loop_test(tc, good_fixtures, 0,
			    sizeof(goods) / sizeof(goods[0]));
	tcase_add_test(tc, rfc3862_namespaces);
	tcase_add_test(tc, rfc3862_header_examples);
	tcase_add_test(tc, bad_fixtures);
	tcase_add_test(tc, error_position);
	tcase_add_test(tc, default_namespace);
	tcase_add_test(tc, names_case_sensitive);
	tcase_add_test(tc, content_headers_mime);
	tcase_add_test(tc, limits);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(tv, addr_table, 0, sizeof(addrs) / sizeof(addrs[0]));
	tcase_add_test(tv, addr_name_too_long);
	tcase_add_loop_test(tv, datetime_table, 0, sizeof(dts) / sizeof(dts[0]));
	tcase_add_loop_test(tv, unescape_table, 0,
			    sizeof(escs) / sizeof(escs[0]));
	suite_add_tcase(s, tv);
	return s;
}

SX_TEST_MAIN(cpim_suite)
