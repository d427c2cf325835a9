/* test_jid.c - JID parsing and formatting (RFC 7622), XEP-0106 escaping,
 * and the Punycode step of IDNA (RFC 3492) */
#include "testutil.h"
#include "jid.h"

#include <stdlib.h>
#include <string.h>

/* Parses a copy that ends right before an unreadable page, NUL included,
 * so that reading past the terminator crashes the test. */
static int parse_guarded(const char *s, struct jid *j, struct sx_err *e)
{
	size_t n = strlen(s) + 1;
	char *g = sx_test_guard_copy(s, n);
	int r;

	sx_err_clear(e);
	r = jid_parse(g, j, e);
	sx_test_guard_free(g, n);
	return r;
}

static const struct {
	const char *in, *local, *domain, *resource, *comment;
} good[] = {
	/* RFC 7622 §3.5, valid examples (the PRECIS-only ones aside) */
	{ "juliet@example.com", "juliet", "example.com", "",
	  "RFC 7622 §3.5: bare JID" },
	{ "juliet@example.com/foo", "juliet", "example.com", "foo",
	  "RFC 7622 §3.5: full JID" },
	{ "juliet@example.com/foo bar", "juliet", "example.com", "foo bar",
	  "RFC 7622 §3.5: space in a resourcepart" },
	{ "juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar",
	  "RFC 7622 §3.5: '@' in a resourcepart" },
	{ "foo\\20bar@example.com", "foo\\20bar", "example.com", "",
	  "RFC 7622 §3.5: XEP-0106 escaped localpart" },
	{ "fussball@example.com", "fussball", "example.com", "",
	  "RFC 7622 §3.5" },
	{ "fu\xc3\x9f" "ball@example.com", "fu\xc3\x9f" "ball", "example.com", "",
	  "RFC 7622 §3.5: non-ASCII localpart" },
	{ "\xcf\x80@example.com", "\xcf\x80", "example.com", "",
	  "RFC 7622 §3.5: pi" },
	{ "\xce\xa3@example.com/foo", "\xce\xa3", "example.com", "foo",
	  "RFC 7622 §3.5: capital sigma, kept (no PRECIS mapping here)" },
	{ "king@example.com/\xe2\x99\x9a", "king", "example.com", "\xe2\x99\x9a",
	  "RFC 7622 §3.5: symbol in a resourcepart" },
	{ "example.com", "", "example.com", "", "RFC 7622 §3.5: domain JID" },
	{ "example.com/foobar", "", "example.com", "foobar",
	  "RFC 7622 §3.5: domain JID with a resource" },
	{ "a.example.com/b@example.net", "", "a.example.com", "b@example.net",
	  "RFC 7622 §3.5: the first '/' comes before the '@'" },
	/* ours */
	{ "Juliet@EXAMPLE.Com", "Juliet", "example.com", "",
	  "ASCII domain folded, localpart kept" },
	{ "juliet@example.com.", "juliet", "example.com", "",
	  "RFC 7622 §3.2: final dot stripped" },
	{ "a@b/c/d@e", "a", "b", "c/d@e", "resource keeps later '/' and '@'" },
	{ "juliet@[2001:db8::1]/r", "juliet", "[2001:db8::1]", "r",
	  "IPv6 literal" },
	{ "juliet@192.0.2.1", "juliet", "192.0.2.1", "", "IPv4 address" },
	{ "tr\xc3\xa9ville@example.test", "tr\xc3\xa9ville", "example.test", "",
	  "non-ASCII localpart" },
	{ "juliet@\xe4\xbe\x8b\xe3\x81\x88.test", "juliet",
	  "\xe4\xbe\x8b\xe3\x81\x88.test", "", "U-label domain left as is" },
	{ "c\\3a\\net@example.com", "c\\3a\\net", "example.com", "",
	  "backslash allowed in a localpart" },
	{ "#room;x=1@example.com", "#room;x=1", "example.com", "",
	  "# ; = allowed in a localpart" },
};

START_TEST(parse_good)
{
	struct jid j;
	struct sx_err e;

	ck_assert_msg(parse_guarded(good[_i].in, &j, &e) == 0, "%s: %s",
		      good[_i].comment, e.text);
	ck_assert_str_eq(j.local, good[_i].local);
	ck_assert_str_eq(j.domain, good[_i].domain);
	ck_assert_str_eq(j.resource, good[_i].resource);
}
END_TEST

static const struct {
	const char *in, *text;
	size_t offset;
	const char *comment;
} bad[] = {
	{ "", "empty domainpart", 0, "nothing" },
	{ "@example.com", "empty localpart", 0, "RFC 7622 §3.3: '@' with no localpart" },
	{ "@example.com/", "empty localpart", 0, "RFC 7622 §3.5 invalid example" },
	{ "juliet@", "empty domainpart", 7, "RFC 7622 §3.5 invalid example" },
	{ "/foobar", "empty domainpart", 0, "RFC 7622 §3.5 invalid example" },
	{ "juliet@example.com/", "empty resourcepart", 19, "'/' with no resource" },
	{ "\"juliet\"@example.com", "U+0022", 0, "RFC 7622 §3.5 invalid example" },
	{ "foo bar@example.com", "U+0020", 3, "RFC 7622 §3.5 invalid example" },
	{ "at&t@example.com", "U+0026", 2, "RFC 7622 §3.3.1" },
	{ "d'artagnan@example.com", "U+0027", 1, "RFC 7622 §3.3.1" },
	{ "c:net@example.com", "U+003A", 1, "RFC 7622 §3.3.1" },
	{ "<foo@example.com", "U+003C", 0, "RFC 7622 §3.3.1" },
	{ "foo>@example.com", "U+003E", 3, "RFC 7622 §3.3.1" },
	{ "no\xc2\xa0" "break@example.com", "U+00A0", 2, "non-ASCII space" },
	{ "a@b@example.com", "U+0040", 3, "two '@' before the '/'" },
	{ "juliet@example.com:5222", "no port", 18, "port" },
	{ "juliet@exa mple.com", "U+0020", 10, "space in a domain" },
	{ "juliet@exa_mple.com", "U+005F", 10, "not an LDH label" },
	{ "juliet@example..com", "empty label", 15, "empty label" },
	{ "juliet@.example.com", "empty label", 7, "empty first label" },
	{ "juliet@.", "empty label", 7, "only a dot" },
	{ "juliet@[2001:db8::1", "closing ']'", 7, "unterminated IP literal" },
	{ "juliet@[example]", "IP literal cannot carry", 9, "not hex" },
	{ "juliet@[192.0.2.1]", "not an IPv6", 7, "IPv4 in brackets" },
	{ "\xc3\x28@example.com", "invalid UTF-8 in the localpart", 0, "bad continuation" },
	{ "\xc0\xaf@example.com", "invalid UTF-8", 0, "overlong '/'" },
	{ "\xed\xa0\x80@example.com", "invalid UTF-8", 0, "surrogate" },
	{ "\xf4\x90\x80\x80@example.com", "invalid UTF-8", 0, "past U+10FFFF" },
	{ "a@ex\xff" "ample.com", "invalid UTF-8 in the domainpart", 4, "0xFF" },
	{ "a@example.com/r\xe2\x82", "invalid UTF-8 in the resourcepart", 15, "cut short" },
	{ "a\x01" "b@example.com", "control character in the localpart", 1, "C0 control" },
	{ "a@example.com/r\x7f", "control character in the resourcepart", 15, "DEL" },
	{ "a@example.com/\xc2\x85", "U+0085", 14, "C1 control" },
};

START_TEST(parse_bad)
{
	struct jid j;
	struct sx_err e;

	ck_assert_msg(parse_guarded(bad[_i].in, &j, &e) == SX_ERROR, "%s",
		      bad[_i].comment);
	ck_assert_int_eq(e.status, 400);
	ck_assert_msg(strstr(e.text, bad[_i].text) != NULL, "%s: got \"%s\"",
		      bad[_i].comment, e.text);
	ck_assert_uint_eq(e.offset, bad[_i].offset);
}
END_TEST

/* Every prefix of every good input is either a JID or a 400, and no
 * prefix reads past its end. */
START_TEST(parse_prefixes)
{
	const char *in = good[_i].in;
	size_t n = strlen(in), k;
	struct jid j;
	struct sx_err e;
	char buf[256];

	for (k = 0; k <= n; k++) {
		memcpy(buf, in, k);
		buf[k] = '\0';
		if (parse_guarded(buf, &j, &e) != 0)
			ck_assert_int_eq(e.status, 400);
	}
}
END_TEST

static char *repeat(char c, size_t n, const char *prefix, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *b = malloc(p + n + s + 1);

	ck_assert_ptr_nonnull(b);
	memcpy(b, prefix, p);
	memset(b + p, c, n);
	memcpy(b + p + n, suffix, s + 1);
	return b;
}

START_TEST(parse_lengths)
{
	static const struct {
		const char *prefix, *suffix, *text;
	} parts[] = {
		{ "", "@example.com", "localpart longer than 1023" },
		{ "a@", "", "domainpart longer than 1023" },
		{ "a@example.com/", "", "resourcepart longer than 1023" },
	};
	struct jid j;
	struct sx_err e;
	size_t k;
	char *s;

	for (k = 0; k < 3; k++) {
		s = repeat('x', 1023, parts[k].prefix, parts[k].suffix);
		ck_assert_msg(parse_guarded(s, &j, &e) == 0, "%s", e.text);
		free(s);
		s = repeat('x', 1024, parts[k].prefix, parts[k].suffix);
		ck_assert_int_eq(parse_guarded(s, &j, &e), SX_ERROR);
		ck_assert_int_eq(e.status, 400);
		ck_assert_msg(strstr(e.text, parts[k].text), "%s", e.text);
		free(s);
	}
	ck_assert_int_eq(jid_parse(NULL, &j, &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
}
END_TEST

START_TEST(format)
{
	struct jid j;
	struct sx_err e;
	char buf[64];

	ck_assert_int_eq(jid_parse("juliet@Example.com/balcony", &j, &e), 0);
	ck_assert_uint_eq(jid_format(buf, sizeof(buf), &j, 0), 26);
	ck_assert_str_eq(buf, "juliet@example.com/balcony");
	ck_assert_uint_eq(jid_format(buf, sizeof(buf), &j, 1), 18);
	ck_assert_str_eq(buf, "juliet@example.com");
	/* snprintf semantics: the needed length, a truncated string */
	ck_assert_uint_eq(jid_format(buf, 5, &j, 0), 26);
	ck_assert_str_eq(buf, "juli");
	ck_assert_uint_eq(jid_format(NULL, 0, &j, 1), 18);

	ck_assert_int_eq(jid_parse("example.com/r", &j, &e), 0);
	ck_assert_uint_eq(jid_format(buf, sizeof(buf), &j, 0), 13);
	ck_assert_str_eq(buf, "example.com/r");
	jid_format(buf, sizeof(buf), &j, 1);
	ck_assert_str_eq(buf, "example.com");
}
END_TEST

static const struct {
	const char *raw, *esc, *comment;
} escapes[] = {
	{ "space cadet", "space\\20cadet", "XEP-0106 §5.1 #1" },
	{ "call me \"ishmael\"", "call\\20me\\20\\22ishmael\\22", "XEP-0106 §5.1 #2" },
	{ "at&t guy", "at\\26t\\20guy", "XEP-0106 §5.1 #3" },
	{ "d'artagnan", "d\\27artagnan", "XEP-0106 §5.1 #4" },
	{ "/.fanboy", "\\2f.fanboy", "XEP-0106 §5.1 #5" },
	{ "::foo::", "\\3a\\3afoo\\3a\\3a", "XEP-0106 §5.1 #6" },
	{ "<foo>", "\\3cfoo\\3e", "XEP-0106 §5.1 #7" },
	{ "user@host", "user\\40host", "XEP-0106 §5.1 #8" },
	/* #9-#11: §4.1 rule 7, a backslash that starts no escape stays */
	{ "c:\\net", "c\\3a\\net", "XEP-0106 §5.1 #9" },
	{ "c:\\\\net", "c\\3a\\\\net", "XEP-0106 §5.1 #10" },
	{ "c:\\cool stuff", "c\\3a\\cool\\20stuff", "XEP-0106 §5.1 #11" },
	{ "c:\\5commas", "c\\3a\\5c5commas", "XEP-0106 §5.1 #12" },
	{ "here's_a_wild_&_/cr%zy/_address",
	  "here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address", "XEP-0106 §5.2" },
	{ "\\3and\\2is\\5cool", "\\5c3and\\2is\\5c5cool", "XEP-0106 §4.2, §5.5" },
	{ "tr\xc3\xa9ville", "tr\xc3\xa9ville", "XEP-0106 §1: non-ASCII untouched" },
	{ "trailing\\", "trailing\\", "backslash at the very end" },
	{ "\\5c", "\\5c5c", "escaped backslash sequence" },
	{ "", "", "empty" },
};

START_TEST(escape_table)
{
	char buf[128];
	const char *raw = escapes[_i].raw, *esc = escapes[_i].esc;
	char *g = sx_test_guard_copy(raw, strlen(raw));

	ck_assert_uint_eq(jid_escape_local(buf, sizeof(buf), g, strlen(raw)),
			  strlen(esc));
	ck_assert_msg(strcmp(buf, esc) == 0, "%s: got %s",
		      escapes[_i].comment, buf);
	sx_test_guard_free(g, strlen(raw));

	g = sx_test_guard_copy(esc, strlen(esc));
	ck_assert_uint_eq(jid_unescape_local(buf, sizeof(buf), g, strlen(esc)),
			  strlen(raw));
	ck_assert_msg(strcmp(buf, raw) == 0, "%s: got %s",
		      escapes[_i].comment, buf);
	sx_test_guard_free(g, strlen(esc));
}
END_TEST

/* XEP-0106 §4.3: partial sequences, sequences for characters outside the
 * list and uppercase hex are not touched by either transformation. */
START_TEST(escape_exceptions)
{
	static const char *const same[] = {
		"\\2plus\\2is\\4", "foo\\bar", "foob\\41r", "x\\2F", "x\\3A\\5C",
		"end\\2",
	};
	char buf[64];
	size_t k;

	for (k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
		jid_escape_local(buf, sizeof(buf), same[k], strlen(same[k]));
		ck_assert_str_eq(buf, same[k]);
		jid_unescape_local(buf, sizeof(buf), same[k], strlen(same[k]));
		ck_assert_str_eq(buf, same[k]);
	}
	/* snprintf semantics */
	ck_assert_uint_eq(jid_escape_local(buf, 4, "a b", 3), 5);
	ck_assert_str_eq(buf, "a\\2");
	ck_assert_uint_eq(jid_unescape_local(NULL, 0, "a\\20b", 5), 3);
}
END_TEST

/* The former name of utf8_decode() (tested in test_utf8.c) still answers
 * the same. */
START_TEST(utf8_decode_alias)
{
	unsigned long cp = 0;

	ck_assert_uint_eq(jid_utf8_decode("\xe2\x99\x9a", 3, &cp), 3);
	ck_assert_uint_eq(cp, 0x265a);
	ck_assert_uint_eq(jid_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
}
END_TEST

static const struct {
	const char *u, *a, *comment;
} idna[] = {
	{ "example.com", "example.com", "ASCII labels copied" },
	{ "b\xc3\xbc" "cher.example", "xn--bcher-kva.example", "RFC 3492 style" },
	{ "\xe4\xbe\x8b\xe3\x81\x88.test", "xn--r8jz45g.test", "no basic code points" },
	{ "m\xc3\xbcnchen.b\xc3\xbc" "cher.example",
	  "xn--mnchen-3ya.xn--bcher-kva.example", "two U-labels" },
	{ "[2001:db8::1]", "[2001:db8::1]", "IP literal" },
};

START_TEST(idna_table)
{
	struct sx_err e;
	char buf[128];

	ck_assert_int_eq(jid_idna_to_ascii(buf, sizeof(buf), idna[_i].u, &e), 0);
	ck_assert_msg(strcmp(buf, idna[_i].a) == 0, "%s: got %s",
		      idna[_i].comment, buf);
	ck_assert_int_eq(jid_idna_to_unicode(buf, sizeof(buf), idna[_i].a, &e),
			 0);
	ck_assert_msg(strcmp(buf, idna[_i].u) == 0, "%s: got %s",
		      idna[_i].comment, buf);
}
END_TEST

START_TEST(idna_bad)
{
	static const char *const bad_alabels[] = {
		"xn--ab-.example",	/* decodes to ASCII only */
		"xn--b!cher.example",	/* not a base-36 digit */
		"xn--99999999999.example", /* overflows */
		"xn--bcher-kva9.example", /* cut short */
	};
	struct sx_err e;
	char buf[128], big[256];
	size_t k;

	for (k = 0; k < sizeof(bad_alabels) / sizeof(bad_alabels[0]); k++) {
		sx_err_clear(&e);
		ck_assert_msg(jid_idna_to_unicode(buf, sizeof(buf),
						  bad_alabels[k], &e) == SX_ERROR,
			      "%s", bad_alabels[k]);
		ck_assert_int_eq(e.status, 400);
		ck_assert_msg(strstr(e.text, "A-label") != NULL, "%s", e.text);
	}
	/* Upper case A-labels are the same label. */
	ck_assert_int_eq(jid_idna_to_unicode(buf, sizeof(buf),
					     "XN--BCHER-KVA.example", &e), 0);
	ck_assert_str_eq(buf, "b\xc3\xbc" "cher.example");
	/* A U-label whose A-label would pass 63 octets: 24 CJK ideographs
	 * far enough apart to need 72 Punycode digits. */
	for (k = 0; k < 24; k++) {
		unsigned long cp = 0x4e00 + k * 997;

		big[3 * k] = (char)(0xe0 | (cp >> 12));
		big[3 * k + 1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		big[3 * k + 2] = (char)(0x80 | (cp & 0x3f));
	}
	strcpy(big + 72, ".example");
	ck_assert_int_eq(jid_idna_to_ascii(buf, sizeof(buf), big, &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_int_eq(jid_idna_to_ascii(buf, 8, "b\xc3\xbc" "cher.example", &e),
			 SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_int_eq(jid_idna_to_ascii(buf, 0, "example", &e), SX_ERROR);
	ck_assert_int_eq(e.status, 400);
	ck_assert_int_eq(jid_idna_to_unicode(buf, 12, "example.com", &e), 0);
	ck_assert_int_eq(jid_idna_to_unicode(buf, 11, "example.com", &e),
			 SX_ERROR);
	ck_assert_ptr_nonnull(strstr(e.text, "too long"));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *jid_suite(void)
{
	Suite *s = suite_create("jid");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, parse_good, 0, N(good));
	tcase_add_loop_test(tc, parse_bad, 0, N(bad));
	tcase_add_loop_test(tc, parse_prefixes, 0, N(good));
	tcase_add_test(tc, parse_lengths);
	tcase_add_test(tc, format);
	tcase_add_loop_test(tc, escape_table, 0, N(escapes));
	tcase_add_test(tc, escape_exceptions);
	tcase_add_test(tc, utf8_decode_alias);
	tcase_add_loop_test(tc, idna_table, 0, N(idna));
	tcase_add_test(tc, idna_bad);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(jid_suite)
