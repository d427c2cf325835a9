/* test_utf8.c - UTF-8 decoding, checking and encoding (RFC 3629 §3, §4,
 * the examples of §7) */
#include "testutil.h"
#include "utf8.h"

#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Decodes the len bytes of s placed right before an unreadable page. */
static size_t decode_guarded(const char *s, size_t len, unsigned long *cp)
{
	char *g = sx_test_guard_copy(s, len);
	size_t n = utf8_decode(g, len, cp);

	sx_test_guard_free(g, len);
	return n;
}

/* One character, or what must be refused at the start of the input: n is
 * the length expected (0: refused), cp the code point. */
static const struct {
	const char *in;
	size_t len, n;
	unsigned long cp;
	const char *comment;
} one[] = {
	{ "A", 1, 1, 0x41, "ASCII" },
	{ "\0", 1, 1, 0, "U+0000 is a character" },
	{ "\x7f", 1, 1, 0x7f, "last one-byte form" },
	{ "\xc2\x80", 2, 2, 0x80, "first two-byte form" },
	{ "\xc3\xa9", 2, 2, 0xe9, "e acute" },
	{ "\xdf\xbf", 2, 2, 0x7ff, "last two-byte form" },
	{ "\xe0\xa0\x80", 3, 3, 0x800, "first three-byte form" },
	{ "\xe2\x99\x9a", 3, 3, 0x265a, "chess king" },
	{ "\xed\x9f\xbf", 3, 3, 0xd7ff, "just below the surrogates" },
	{ "\xee\x80\x80", 3, 3, 0xe000, "just above the surrogates" },
	{ "\xef\xbf\xbf", 3, 3, 0xffff, "last three-byte form" },
	{ "\xf0\x90\x80\x80", 4, 4, 0x10000, "first four-byte form" },
	{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600, "emoji" },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff, "RFC 3629 §3: U+10FFFF" },
	{ "\xc3\xa9z", 3, 2, 0xe9, "only the first character" },
	{ "", 0, 0, 0, "empty" },
	{ "\x80", 1, 0, 0, "lone continuation byte" },
	{ "\xbf\x80", 2, 0, 0, "continuation bytes first" },
	{ "\xc0\x80", 2, 0, 0, "RFC 3629 §10: overlong NUL" },
	{ "\xc1\xbf", 2, 0, 0, "overlong U+007F" },
	{ "\xe0\x80\xaf", 3, 0, 0, "RFC 3629 §10: overlong '/'" },
	{ "\xe0\x9f\xbf", 3, 0, 0, "overlong U+07FF" },
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0, "overlong U+FFFF" },
	{ "\xed\xa0\x80", 3, 0, 0, "RFC 3629 §3: surrogate U+D800" },
	{ "\xed\xbf\xbf", 3, 0, 0, "surrogate U+DFFF" },
	{ "\xf4\x90\x80\x80", 4, 0, 0, "U+110000, past the end" },
	{ "\xf5\x80\x80\x80", 4, 0, 0, "RFC 3629 §1: F5 never appears" },
	{ "\xfe", 1, 0, 0, "FE never appears" },
	{ "\xff", 1, 0, 0, "FF never appears" },
	{ "\xc3", 1, 0, 0, "cut after the lead byte" },
	{ "\xe2\x99", 2, 0, 0, "cut inside a three-byte form" },
	{ "\xf0\x9f\x98", 3, 0, 0, "cut inside a four-byte form" },
	{ "\xc3\x41", 2, 0, 0, "ASCII where a continuation byte goes" },
	{ "\xe2\x28\xa1", 3, 0, 0, "bad second byte" },
	{ "\xe2\x82\x28", 3, 0, 0, "bad third byte" },
	{ "\xf0\x9f\x98\x41", 4, 0, 0, "bad fourth byte" },
	{ "\xe2\x99\xc3\xa9", 4, 0, 0, "lead byte for a continuation" },
};

START_TEST(decode_table)
{
	unsigned long cp = 0xdead;
	size_t n = decode_guarded(one[_i].in, one[_i].len, &cp);

	ck_assert_msg(n == one[_i].n, "%s: length %zu, want %zu",
		      one[_i].comment, n, one[_i].n);
	if (n > 0)
		ck_assert_msg(cp == one[_i].cp, "%s: U+%04lX, want U+%04lX",
			      one[_i].comment, cp, one[_i].cp);
	else
		ck_assert_msg(cp == 0xdead, "%s: *cp written on refusal",
			      one[_i].comment);
	/* the code point is optional */
	ck_assert_uint_eq(decode_guarded(one[_i].in, one[_i].len, NULL), n);
}
END_TEST

/* RFC 3629 §7, each as its bytes and its code points. */
static const struct {
	const char *in;
	unsigned long cps[4];
	int ncps;
	const char *comment;
} examples[] = {
	{ "\x41\xe2\x89\xa2\xce\x91\x2e", { 0x41, 0x2262, 0x391, 0x2e }, 4,
	  "RFC 3629 §7: A<NOT IDENTICAL TO><ALPHA>." },
	{ "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", { 0xd55c, 0xad6d, 0xc5b4 },
	  3, "RFC 3629 §7: Korean word \"hangugeo\"" },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", { 0x65e5, 0x672c, 0x8a9e },
	  3, "RFC 3629 §7: Japanese word \"nihongo\"" },
	{ "\xef\xbb\xbf\xf0\xa3\x8e\xb4", { 0xfeff, 0x233b4 }, 2,
	  "RFC 3629 §7: U+233B4 after a byte order mark" },
};

/* Whole: character by character back to the code points, and encoded
 * again to the same bytes.  One byte at a time: every prefix is valid up
 * to the last whole character, and a character cut short is refused. */
START_TEST(rfc3629_examples)
{
	const char *in = examples[_i].in;
	size_t len = strlen(in), at = 0, k, n, ends[5];
	char *g = sx_test_guard_copy(in, len);
	char out[UTF8_MAX];
	unsigned long cp;
	int i;

	ck_assert_uint_eq(utf8_valid_len(g, len), len);
	ends[0] = 0;
	for (i = 0; i < examples[_i].ncps; i++) {
		n = utf8_decode(g + at, len - at, &cp);
		ck_assert_msg(n > 0 && cp == examples[_i].cps[i],
			      "%s: character %d", examples[_i].comment, i);
		ck_assert_uint_eq(utf8_encode(cp, out), n);
		ck_assert(memcmp(out, in + at, n) == 0);
		at += n;
		ends[i + 1] = at;
	}
	ck_assert_uint_eq(at, len);
	sx_test_guard_free(g, len);

	for (k = 0, i = 0; k <= len; k++) {
		g = sx_test_guard_copy(in, k);
		while (i < examples[_i].ncps && ends[i + 1] <= k)
			i++;
		ck_assert_msg(utf8_valid_len(g, k) == ends[i],
			      "%s: prefix of %zu", examples[_i].comment, k);
		if (k > ends[i])
			ck_assert_uint_eq(utf8_decode(g + ends[i],
						      k - ends[i], &cp), 0);
		sx_test_guard_free(g, k);
	}
}
END_TEST

/* Where a buffer stops being valid. */
static const struct {
	const char *in;
	size_t len, valid;
	const char *comment;
} spans[] = {
	{ "", 0, 0, "empty" },
	{ "plain ASCII", 11, 11, "ASCII" },
	{ "a\0b", 3, 3, "NUL inside" },
	{ "caf\xc3\xa9 \xe2\x82\xac", 9, 9, "mixed lengths" },
	{ "caf\xc3", 4, 3, "cut at the end" },
	{ "ab\x80" "cd", 5, 2, "stray continuation byte" },
	{ "\xed\xa0\x80 ok", 6, 0, "surrogate first" },
	{ "ok \xc0\xaf", 5, 3, "overlong after ASCII" },
	{ "\xf0\x9f\x98\x80\xf4\x90\x80\x80", 8, 4, "past U+10FFFF second" },
};

START_TEST(valid_len_table)
{
	char *g = sx_test_guard_copy(spans[_i].in, spans[_i].len);

	ck_assert_msg(utf8_valid_len(g, spans[_i].len) == spans[_i].valid,
		      "%s", spans[_i].comment);
	sx_test_guard_free(g, spans[_i].len);
}
END_TEST

START_TEST(encode_limits)
{
	char out[UTF8_MAX];

	ck_assert_uint_eq(utf8_encode(0, out), 1);
	ck_assert_int_eq(out[0], 0);
	ck_assert_uint_eq(utf8_encode(0xe9, out), 2);
	ck_assert(memcmp(out, "\xc3\xa9", 2) == 0);
	ck_assert_uint_eq(utf8_encode(0x10ffff, out), 4);
	ck_assert(memcmp(out, "\xf4\x8f\xbf\xbf", 4) == 0);
	ck_assert_uint_eq(utf8_encode(0xd800, out), 0);
	ck_assert_uint_eq(utf8_encode(0xdfff, out), 0);
	ck_assert_uint_eq(utf8_encode(0x110000, out), 0);
}
END_TEST

/* Every scalar value encodes to a sequence that decodes back to it.  The
 * checks are plain ifs: a million ck_assert calls would outlast the test
 * timeout. */
START_TEST(every_code_point_round_trips)
{
	char out[UTF8_MAX];
	unsigned long cp, back;
	size_t n, want;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp == 0xd800)
			cp = 0xe000;
		want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		n = utf8_encode(cp, out);
		if (n != want)
			ck_abort_msg("U+%04lX: %zu bytes", cp, n);
		if (utf8_decode(out, n, &back) != n || back != cp)
			ck_abort_msg("U+%04lX does not decode back", cp);
		if (n > 1 && utf8_decode(out, n - 1, &back) != 0)
			ck_abort_msg("U+%04lX cut short was taken", cp);
	}
}
END_TEST

/* Whatever is accepted is the shortest form of a scalar value: encoding
 * what was decoded gives the same bytes back.  Every two-byte input, and
 * every three- and four-byte one whose later bytes are at or just past
 * the edges of the continuation range. */
static void assert_canonical(const unsigned char *b, size_t len)
{
	char out[UTF8_MAX];
	unsigned long cp;
	size_t n = utf8_decode((const char *)b, len, &cp);

	if (n > 0 && (utf8_encode(cp, out) != n || memcmp(out, b, n) != 0))
		ck_abort_msg("%02x %02x... taken as U+%04lX", b[0], b[1], cp);
}

START_TEST(only_shortest_forms)
{
	static const unsigned char edge[] = { 0x00, 0x7f, 0x80, 0xbf, 0xc0,
					      0xff };
	unsigned char b[4];
	unsigned i, j, k, l;

	for (i = 0; i < 256; i++) {
		b[0] = (unsigned char)i;
		for (j = 0; j < 256; j++) {
			b[1] = (unsigned char)j;
			assert_canonical(b, 2);
			for (k = 0; k < sizeof(edge); k++) {
				b[2] = edge[k];
				assert_canonical(b, 3);
				for (l = 0; l < sizeof(edge); l++) {
					b[3] = edge[l];
					assert_canonical(b, 4);
				}
			}
		}
	}
}
END_TEST

static Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, decode_table, 0, N(one));
	tcase_add_loop_test(tc, rfc3629_examples, 0, N(examples));
	tcase_add_loop_test(tc, valid_len_table, 0, N(spans));
	tcase_add_test(tc, encode_limits);
	tcase_add_test(tc, every_code_point_round_trips);
	tcase_add_test(tc, only_shortest_forms);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(utf8_suite)
