/* test_jid_sip.c - JID <-> SIP URI address mapping (RFC 7247 §6, §8) */
#include "testutil.h"
#include "jid.h"

#include <stdlib.h>
#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Both mappings are run on a copy that ends right before an unreadable
 * page, NUL included. */
static int to_sip(const char *jid, char *out, size_t cap, struct sx_err *e)
{
	size_t n = strlen(jid) + 1;
	char *g = sx_test_guard_copy(jid, n);
	int r;

	sx_err_clear(e);
	r = jid_to_sip_uri(g, out, cap, e);
	sx_test_guard_free(g, n);
	return r;
}

static int to_jid(const char *uri, char *out, size_t cap, struct sx_err *e)
{
	size_t n = strlen(uri) + 1;
	char *g = sx_test_guard_copy(uri, n);
	int r;

	sx_err_clear(e);
	r = sip_uri_to_jid(g, out, cap, e);
	sx_test_guard_free(g, n);
	return r;
}

static const struct {
	const char *jid, *uri, *comment;
} x2s[] = {
	{ "juliet@example.com", "sip:juliet@example.com",
	  "RFC 7247 §6.5: bare JID to SIP URI" },
	{ "juliet@example.com/balcony", "sip:juliet@example.com;gr=balcony",
	  "RFC 7247 §6.3: resourcepart to gr" },
	{ "example.com", "sip:example.com", "RFC 7247 §6.5: domain JID" },
	{ "rooms.example.com/nick", "sip:rooms.example.com;gr=nick",
	  "RFC 7247 §6.3: domain JID with a resource" },
	{ "d\\27artagnan@musketeers.lit", "sip:d'artagnan@musketeers.lit",
	  "RFC 7247 §6.2/§6.5: \\27 unescaped, ' is raw in a SIP user" },
	{ "at\\26t\\20guy@example.com", "sip:at&t%20guy@example.com",
	  "RFC 7247 §6.5: & raw, space percent-encoded" },
	{ "\\2f.fanboy@example.com", "sip:/.fanboy@example.com",
	  "RFC 7247 §6.5: / is raw in a SIP user" },
	{ "here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@example.com",
	  "sip:here's_a_wild_&_/cr%25zy/_address@example.com",
	  "XEP-0106 §5.3 (' & / need no escape in SIP, % does)" },
	{ "call\\20me@example.test", "sip:call%20me@example.test",
	  "RFC 7247 §6.5: XEP-0106 space" },
	{ "call\\20me\\20\\22ishmael\\22@example.com",
	  "sip:call%20me%20%22ishmael%22@example.com", "XEP-0106 §5.1 #2" },
	{ "tr\xc3\xa9ville@example.test", "sip:tr%C3%A9ville@example.test",
	  "RFC 7247 §6.5: non-ASCII percent-encoded" },
	{ "a#%[\\]^`{|}b@example.com",
	  "sip:a%23%25%5B%5C%5D%5E%60%7B%7C%7Db@example.com",
	  "RFC 7247 §6.5: # % [ \\ ] ^ ` { | } percent-encoded" },
	{ "c\\3a\\net@example.com", "sip:c%3A%5Cnet@example.com",
	  "XEP-0106 §5.1 #9" },
	{ "\\3cfoo\\3e@example.com", "sip:%3Cfoo%3E@example.com",
	  "XEP-0106 §5.1 #7" },
	{ "user\\40host@example.com", "sip:user%40host@example.com",
	  "XEP-0106 §5.1 #8" },
	{ "\\5c5c@example.com", "sip:%5C5c@example.com",
	  "escaped backslash before an escape sequence" },
	{ "a;b=c+d$e,f?g@example.com", "sip:a;b=c+d$e,f?g@example.com",
	  "RFC 3261 user-unreserved stay raw" },
	{ "juliet@example.com/foo bar;x=y?z@w%",
	  "sip:juliet@example.com;gr=foo%20bar%3Bx%3Dy%3Fz%40w%25",
	  "gr value: what a parameter cannot carry raw" },
	{ "juliet@example.com/[a]/b:c&d+e$f-_.!~*'()",
	  "sip:juliet@example.com;gr=[a]/b:c&d+e$f-_.!~*'()",
	  "gr value: param-unreserved and unreserved stay raw" },
	{ "king@example.com/\xe2\x99\x9a", "sip:king@example.com;gr=%E2%99%9A",
	  "gr value: non-ASCII" },
	{ "juliet@b\xc3\xbc" "cher.example", "sip:juliet@xn--bcher-kva.example",
	  "U-label to A-label" },
	{ "juliet@[2001:db8::1]", "sip:juliet@[2001:db8::1]", "IPv6 literal" },
	{ "Juliet@EXAMPLE.com", "sip:Juliet@example.com",
	  "domain folded, user kept" },
};

START_TEST(jid_to_sip_table)
{
	struct sx_err e;
	char out[256];

	ck_assert_msg(to_sip(x2s[_i].jid, out, sizeof(out), &e) == 0, "%s: %s",
		      x2s[_i].comment, e.text);
	ck_assert_msg(strcmp(out, x2s[_i].uri) == 0, "%s: got %s",
		      x2s[_i].comment, out);
}
END_TEST

START_TEST(jid_to_sip_errors)
{
	struct sx_err e;
	char out[32];

	strcpy(out, "stale");
	ck_assert_int_eq(to_sip("juliet@", out, sizeof(out), &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(to_sip("d'artagnan@example.com", out, sizeof(out), &e),
			 SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_ptr_nonnull(strstr(e.text, "U+0027"));
	ck_assert_int_eq(to_sip("juliet@example.com/balcony", out, 20, &e),
			 SX_ERROR);
	ck_assert_int_eq(e.status, 500);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(to_sip("juliet@example.com", out, 22, &e), SX_ERROR);
	ck_assert_int_eq(to_sip("juliet@example.com", out, 23, &e), 0);
	ck_assert_int_eq(to_sip("juliet@example.com", NULL, 0, &e), SX_ERROR);
	ck_assert_int_eq(e.status, 500);
}
END_TEST

static const struct {
	const char *uri, *jid, *comment;
} s2x[] = {
	{ "sip:juliet@example.com", "juliet@example.com",
	  "RFC 7247 §6.4: SIP URI to bare JID" },
	{ "sip:juliet@example.com;gr=balcony", "juliet@example.com/balcony",
	  "RFC 7247 §6.3: gr to resourcepart" },
	{ "<sip:juliet@example.com;gr=balcony>", "juliet@example.com/balcony",
	  "RFC 3261 name-addr without a display name" },
	{ "\"Juliet Capulet\" <sip:juliet@example.com>", "juliet@example.com",
	  "quoted display name" },
	{ "\"J. \\\"the\\\" <C>\" <sip:juliet@example.com>;tag=1928301774",
	  "juliet@example.com", "quoted-pairs and '<' inside the display name, "
	  "header parameters dropped" },
	{ "Juliet <sip:juliet@example.com>", "juliet@example.com",
	  "token display name" },
	{ "  <sip:juliet@example.com>\t", "juliet@example.com", "LWS around" },
	{ "SIP:juliet@EXAMPLE.COM", "juliet@example.com",
	  "scheme and host are case-insensitive" },
	{ "sip:juliet@example.com;transport=tcp;lr;GR=balcony"
	  "?subject=hi&priority=urgent", "juliet@example.com/balcony",
	  "other parameters and headers dropped, GR case-insensitive" },
	{ "sip:juliet@example.com;gr", "juliet@example.com",
	  "gr without a value names no resource" },
	{ "sip:juliet@example.com;gr=a%20b%3Bc", "juliet@example.com/a b;c",
	  "gr value percent-decoded" },
	{ "sip:d'artagnan@musketeers.lit", "d\\27artagnan@musketeers.lit",
	  "RFC 7247 §6.2/§6.4: ' to \\27" },
	{ "sip:at&t@example.com", "at\\26t@example.com",
	  "RFC 7247 §6.2/§6.4: & to \\26" },
	{ "sip:a/b@example.com", "a\\2fb@example.com",
	  "RFC 7247 §6.2/§6.4: / to \\2f" },
	{ "sip:here%27s_a_wild_%26_%2Fcr%25zy%2F_address@example.com",
	  "here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@example.com",
	  "XEP-0106 §5.3, with % escaped as the URI syntax requires" },
	{ "sip:call%20me@example.test", "call\\20me@example.test",
	  "RFC 7247 §6.4: decoded space to \\20" },
	{ "sip:%22ishmael%22@example.com", "\\22ishmael\\22@example.com",
	  "decoded \" to \\22" },
	{ "sip:c%3A%5Cnet@example.com", "c\\3a\\net@example.com",
	  "XEP-0106 §5.1 #9: lone backslash kept" },
	{ "sip:%5C3and%5C2is%5C5cool@example.com",
	  "\\5c3and\\2is\\5c5cool@example.com",
	  "XEP-0106 §4.2: backslash before an escape sequence to \\5c" },
	{ "sip:user%40host@example.com", "user\\40host@example.com",
	  "decoded @ to \\40" },
	{ "sip:%3Cfoo%3E@example.com", "\\3cfoo\\3e@example.com",
	  "decoded < > to \\3c \\3e" },
	{ "sip:tr%C3%A9ville@example.test", "tr\xc3\xa9ville@example.test",
	  "RFC 7247 §6.4: UTF-8 user" },
	{ "sip:tr%c3%a9ville@example.test", "tr\xc3\xa9ville@example.test",
	  "lowercase hex" },
	{ "sip:a;b=c+d$e,f?g@example.com", "a;b=c+d$e,f?g@example.com",
	  "user-unreserved ; ? in the user part" },
	{ "sip:example.com", "example.com", "no user part: domain JID" },
	{ "sip:rooms.example.com;gr=nick", "rooms.example.com/nick",
	  "domain JID with a resource" },
	{ "sip:juliet@192.0.2.1", "juliet@192.0.2.1", "IPv4 host" },
	{ "sip:juliet@[2001:db8::1];gr=r", "juliet@[2001:db8::1]/r",
	  "IPv6 reference" },
	{ "sip:juliet@xn--bcher-kva.example", "juliet@b\xc3\xbc" "cher.example",
	  "A-label to U-label" },
	{ "sip:juliet@example.com.", "juliet@example.com", "final dot" },
	{ "xmpp:juliet@example.com", "juliet@example.com", "RFC 5122 §2" },
	{ "xmpp:juliet@example.com/balcony", "juliet@example.com/balcony",
	  "RFC 5122 §2: resource" },
	{ "xmpp:juliet@example.com/balcony?message;subject=hi#frag",
	  "juliet@example.com/balcony", "RFC 5122 §2: query and fragment" },
	{ "xmpp://guest@example.com/support@example.com?message",
	  "support@example.com", "RFC 5122 §2: authority is not the target" },
	{ "xmpp:d%5C27artagnan@musketeers.lit", "d\\27artagnan@musketeers.lit",
	  "RFC 5122: the node is a JID localpart, not escaped again" },
	{ "xmpp:tr%C3%A9ville@example.test", "tr\xc3\xa9ville@example.test",
	  "RFC 5122: UTF-8 node" },
	{ "xmpp:romeo@example.net/foo%20bar", "romeo@example.net/foo bar",
	  "RFC 5122: encoded resource" },
	{ "XMPP:example.com", "example.com", "domain xmpp: URI" },
};

START_TEST(sip_to_jid_table)
{
	struct sx_err e;
	char out[256];

	ck_assert_msg(to_jid(s2x[_i].uri, out, sizeof(out), &e) == 0, "%s: %s",
		      s2x[_i].comment, e.text);
	ck_assert_msg(strcmp(out, s2x[_i].jid) == 0, "%s: got %s",
		      s2x[_i].comment, out);
}
END_TEST

/* Every prefix maps or fails with a status of ours, without over-reads. */
START_TEST(sip_to_jid_prefixes)
{
	const char *in = s2x[_i].uri;
	size_t n = strlen(in), k;
	struct sx_err e;
	char buf[256], out[256];

	for (k = 0; k <= n; k++) {
		memcpy(buf, in, k);
		buf[k] = '\0';
		if (to_jid(buf, out, sizeof(out), &e) != 0)
			ck_assert_msg(e.status == 400 || e.status == 403 ||
				      e.status == 416, "%s: %d", buf, e.status);
	}
}
END_TEST

static const struct {
	const char *uri;
	int status;
	const char *text, *comment;
} bad[] = {
	{ "sips:juliet@example.com", 403, "never gatewayed", "RFC 7247 §8" },
	{ "SIPS:juliet@example.com", 403, "sips:", "RFC 7247 §8, upper case" },
	{ "\"J\" <sips:juliet@example.com>", 403, "sips:", "RFC 7247 §8" },
	{ "tel:+15555550100", 416, "'tel'", "not a SIP or XMPP URI" },
	{ "mailto:juliet@example.com", 416, "'mailto'", "not a SIP or XMPP URI" },
	{ "juliet@example.com", 416, "no URI scheme", "no scheme" },
	{ "sip:juliet@example.com:5060", 400, "port", "a JID has no port" },
	{ "sip:juliet@[2001:db8::1]:5060", 400, "port", "port after IPv6" },
	{ "sip:juliet:secret@example.com", 400, "password", "password" },
	{ "sip:juliet@ex%61mple.com", 400, "percent-escaped", "escaped host" },
	{ "sip:juliet@exa_mple.com", 400, "cannot carry", "not a hostname" },
	{ "sip:juliet@b\xc3\xbc" "cher.example", 400, "cannot carry",
	  "raw UTF-8 in a SIP host" },
	{ "sip:ju%zzliet@example.com", 400, "bad percent-escape", "not hex" },
	{ "sip:juliet%2@example.com", 400, "bad percent-escape", "cut short" },
	{ "sip:ju%00liet@example.com", 400, "bad percent-escape", "NUL" },
	{ "sip:ju liet@example.com", 400, "0x20", "raw space" },
	{ "sip:ju#liet@example.com", 400, "0x23", "raw #" },
	{ "sip:%20juliet@example.com", 400, "start or end with a space",
	  "XEP-0106 §4.1 rule 6" },
	{ "sip:juliet%20@example.com", 400, "start or end with a space",
	  "XEP-0106 §4.1 rule 6" },
	{ "sip:@example.com", 400, "empty user", "empty user" },
	{ "sip:", 400, "without a host", "nothing" },
	{ "sip:juliet@", 400, "without a host", "no host" },
	{ "sip:juliet@;gr=x", 400, "without a host", "no host" },
	{ "sip:a@b@example.com", 400, "more than one '@'", "two '@'" },
	{ "sip:tr%C3%28ville@example.test", 400, "invalid UTF-8", "bad UTF-8" },
	{ "sip:ju%01liet@example.com", 400, "control", "control character" },
	{ "sip:juliet@example.com;gr=a;gr=b", 400, "more than one gr", "two gr" },
	{ "sip:juliet@example.com;gr=a%", 400, "bad percent-escape", "gr" },
	{ "sip:juliet@example.com;gr=a b", 400, "0x20", "space in gr" },
	{ "sip:juliet@example.com;=x", 400, "without a name", "param" },
	{ "<sip:juliet@example.com", 400, "without its '>'", "no '>'" },
	{ "\"Juliet <sip:juliet@example.com>", 400, "unterminated display",
	  "open quote" },
	{ "\"Juliet\" sip:juliet@example.com", 400, "without a <URI>",
	  "display name without brackets" },
	{ "<sip:juliet@example.com> junk", 400, "text after", "junk" },
	{ "sip:juliet@xn--ab-.example", 400, "A-label", "bad A-label" },
	{ "sip:juliet@[2001:db8::1", 400, "']'", "open IPv6 reference" },
	{ "sip:juliet@[192.0.2.1]", 400, "not an IPv6", "IPv4 in brackets" },
	{ "xmpp:", 400, "invalid host", "empty" },
	{ "xmpp://guest@example.com", 400, "without a target", "authority only" },
	{ "xmpp:d'artagnan@example.com", 400, "0x27", "RFC 5122 nodeid" },
	{ "xmpp:juliet@example.com/", 400, "empty resource", "empty resource" },
	{ "xmpp:a%40b@example.com", 400, "invalid node", "decoded '@'" },
	{ "xmpp:a%2Fb@example.com", 400, "invalid node", "decoded '/'" },
	{ "xmpp:juliet@example.com:5222", 400, "no port", "port" },
	{ "xmpp:juliet@ex%2Fample.com", 400, "invalid host", "decoded '/'" },
};

START_TEST(sip_to_jid_bad)
{
	struct sx_err e;
	char out[64] = "x";

	ck_assert_msg(to_jid(bad[_i].uri, out, sizeof(out), &e) == SX_ERROR,
		      "%s: got %s", bad[_i].comment, out);
	ck_assert_msg(e.status == bad[_i].status, "%s: status %d",
		      bad[_i].comment, e.status);
	ck_assert_msg(strstr(e.text, bad[_i].text) != NULL, "%s: got \"%s\"",
		      bad[_i].comment, e.text);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(sip_to_jid_limits)
{
	struct sx_err e;
	char out[1200], *uri;

	uri = malloc(4 + 1024 + 16);
	ck_assert_ptr_nonnull(uri);
	strcpy(uri, "sip:");
	memset(uri + 4, 'a', 1023);
	strcpy(uri + 4 + 1023, "@example.com");
	ck_assert_msg(to_jid(uri, out, sizeof(out), &e) == 0, "%s", e.text);
	ck_assert_uint_eq(strlen(out), 1023 + 12);
	memset(uri + 4, 'a', 1024);
	strcpy(uri + 4 + 1024, "@example.com");
	ck_assert_int_eq(to_jid(uri, out, sizeof(out), &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_ptr_nonnull(strstr(e.text, "longer than 1023"));
	/* 400 '&' fit a SIP user but not, as \26, a localpart */
	memset(uri + 4, '&', 400);
	strcpy(uri + 4 + 400, "@example.com");
	ck_assert_int_eq(to_jid(uri, out, sizeof(out), &e), SX_ERROR);
	ck_assert_ptr_nonnull(strstr(e.text, "once escaped"));
	free(uri);

	ck_assert_int_eq(sip_uri_to_jid(NULL, out, sizeof(out), &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_int_eq(to_jid("sip:juliet@example.com", out, 18, &e),
			 SX_ERROR);
	ck_assert_int_eq(e.status, 500);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(to_jid("sip:juliet@example.com", out, 19, &e), 0);
	ck_assert_str_eq(out, "juliet@example.com");
	ck_assert_int_eq(to_jid("sip:x@example.com", NULL, 0, &e), SX_ERROR);
	ck_assert_int_eq(e.status, 500);
}
END_TEST

/* JID -> SIP -> JID gives back the JID. */
static const char *const jid_trips[] = {
	"juliet@example.com",
	"juliet@example.com/balcony",
	"example.com",
	"example.com/res",
	"d\\27artagnan@musketeers.lit",
	"tr\xc3\xa9ville@example.test",
	"tr\xc3\xa9ville@example.test/mobile",
	"call\\20me@example.test",
	"at\\26t\\20guy@example.com/phone",
	"\\2f.fanboy@example.com",
	"\\3a\\3afoo\\3a\\3a@example.com",
	"\\3cfoo\\3e@example.com",
	"user\\40host@example.com",
	"c\\3a\\net@example.com",
	"c\\3a\\\\net@example.com",
	"c\\3a\\cool\\20stuff@example.com",
	"c\\3a\\5c5commas@example.com",
	"call\\20me\\20\\22ishmael\\22@example.com",
	"here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@example.com",
	"\\5c3and\\2is\\5c5cool@example.com",
	"a#%[\\]^`{|}b@example.com",
	"a;b=c+d$e,f?g@example.com",
	"fu\xc3\x9f" "ball@example.com",
	"juliet@example.com/foo bar;x=y?z@w%/\xe2\x99\x9a",
	"juliet@b\xc3\xbc" "cher.example/r",
	"juliet@[2001:db8::1]/r",
	"\\5c5c@example.com",
};

START_TEST(round_trip_jid)
{
	struct sx_err e;
	char uri[256], back[256];

	ck_assert_msg(to_sip(jid_trips[_i], uri, sizeof(uri), &e) == 0, "%s",
		      e.text);
	ck_assert_msg(to_jid(uri, back, sizeof(back), &e) == 0, "%s: %s", uri,
		      e.text);
	ck_assert_msg(strcmp(back, jid_trips[_i]) == 0, "%s -> %s -> %s",
		      jid_trips[_i], uri, back);
}
END_TEST

/* SIP -> JID -> SIP gives back the URI (written the way the mapping
 * writes URIs: minimal uppercase percent-encoding). */
static const char *const sip_trips[] = {
	"sip:juliet@example.com",
	"sip:juliet@example.com;gr=balcony",
	"sip:example.com",
	"sip:rooms.example.com;gr=nick",
	"sip:d'artagnan@musketeers.lit",
	"sip:at&t%20guy@example.com",
	"sip:tr%C3%A9ville@example.test",
	"sip:c%3A%5Cnet@example.com",
	"sip:%5C3and%5C2is%5C5cool@example.com",
	"sip:%22ishmael%22@example.com;gr=a%20b",
	"sip:a/b@example.com",
	"sip:%3Cfoo%3E@example.com",
	"sip:user%40host@example.com",
	"sip:juliet@xn--bcher-kva.example",
	"sip:juliet@[2001:db8::1];gr=%E2%99%9A",
	"sip:a;b=c+d$e,f?g@example.com",
	"sip:here's_a_wild_&_/cr%25zy/_address@example.com",
	"sip:%5C@example.com",
	"sip:a%5Cb@example.com",
};

START_TEST(round_trip_sip)
{
	struct sx_err e;
	char jid[256], back[256];

	ck_assert_msg(to_jid(sip_trips[_i], jid, sizeof(jid), &e) == 0, "%s",
		      e.text);
	ck_assert_msg(to_sip(jid, back, sizeof(back), &e) == 0, "%s: %s", jid,
		      e.text);
	ck_assert_msg(strcmp(back, sip_trips[_i]) == 0, "%s -> %s -> %s",
		      sip_trips[_i], jid, back);
}
END_TEST

static Suite *jid_sip_suite(void)
{
	Suite *s = suite_create("jid_sip");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, jid_to_sip_table, 0, N(x2s));
	tcase_add_test(tc, jid_to_sip_errors);
	tcase_add_loop_test(tc, sip_to_jid_table, 0, N(s2x));
	tcase_add_loop_test(tc, sip_to_jid_prefixes, 0, N(s2x));
	tcase_add_loop_test(tc, sip_to_jid_bad, 0, N(bad));
	tcase_add_test(tc, sip_to_jid_limits);
	tcase_add_loop_test(tc, round_trip_jid, 0, N(jid_trips));
	tcase_add_loop_test(tc, round_trip_sip, 0, N(sip_trips));
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(jid_sip_suite)
