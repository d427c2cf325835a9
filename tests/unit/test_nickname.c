/* test_nickname.c - RFC 7700 nickname enforcement and comparison keys;
 * samples in fixtures/nickname/ (the format is in its README). */
#include "testutil.h"
#include "nickname.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 4096

/* Appends code point c as UTF-8. */
static size_t put_utf8(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Reads one quoted field at *pp into out (escapes decoded); returns its
 * length and moves *pp past it. */
static size_t read_quoted(const char **pp, char *out, const char *where)
{
	const char *p = *pp;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	ck_assert_msg(*p == '"', "%s: quoted field expected", where);
	for (p++; *p != '"'; p++) {
		ck_assert_msg(*p && *p != '\n' && n + 4 < FIELD_MAX,
			      "%s: unterminated field", where);
		if (*p != '\\') {
			out[n++] = *p;
			continue;
		}
		p++;
		if (*p == 'x') {
			char hex[3] = { p[1], p[2], 0 };

			out[n++] = (char)strtoul(hex, NULL, 16);
			p += 2;
		} else if (*p == 'u') {
			char *end;

			ck_assert_msg(p[1] == '{', "%s: \\u{ expected", where);
			n += put_utf8(out + n, strtoul(p + 2, &end, 16));
			ck_assert_msg(*end == '}', "%s: } expected", where);
			p = end;
		} else {
			out[n++] = *p;
		}
	}
	*pp = p + 1;
	return n;
}

static void assert_bytes(const char *got, const char *want, size_t wlen,
			 const char *what, const char *where)
{
	ck_assert_msg(got != NULL, "%s: %s refused", where, what);
	ck_assert_msg(strlen(got) == wlen && memcmp(got, want, wlen) == 0,
		      "%s: %s is \"%s\", want \"%.*s\"", where, what, got,
		      (int)wlen, want);
}

/* Runs fn on data placed right before an unreadable page. */
static char *guarded(char *(*fn)(const char *, size_t, struct sx_err *),
		     const char *data, size_t len, struct sx_err *err)
{
	char *g = sx_test_guard_copy(data, len);
	char *r;

	sx_err_clear(err);
	r = fn(g, len, err);
	sx_test_guard_free(g, len);
	return r;
}

/* Each good line: the enforced form and the key; enforcing either again
 * changes nothing (idempotence, RFC 7564 §7). */
static void run_good_file(const char *file)
{
	char *text = sx_test_fixture(file, NULL), *line, *save = NULL;
	static char in[FIELD_MAX], shown[FIELD_MAX], key[FIELD_MAX];
	unsigned lines = 0, no = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		char where[300], *e, *k;
		size_t il, sl, kl;
		struct sx_err err;

		no++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		snprintf(where, sizeof(where), "%s:%u", file, no);
		il = read_quoted(&p, in, where);
		sl = read_quoted(&p, shown, where);
		kl = read_quoted(&p, key, where);

		e = guarded(nickname_enforce, in, il, &err);
		assert_bytes(e, shown, sl, "enforced form", where);
		k = guarded(nickname_key, in, il, &err);
		assert_bytes(k, key, kl, "key", where);
		free(e);
		free(k);
		e = guarded(nickname_enforce, shown, sl, &err);
		assert_bytes(e, shown, sl, "enforced form enforced again",
			     where);
		k = guarded(nickname_key, shown, sl, &err);
		assert_bytes(k, key, kl, "key of the enforced form", where);
		free(e);
		free(k);
		k = guarded(nickname_key, key, kl, &err);
		assert_bytes(k, key, kl, "key of the key", where);
		free(k);
		lines++;
	}
	ck_assert_uint_gt(lines, 0);
	free(text);
}

START_TEST(rfc7700_examples)
{
	run_good_file("nickname/rfc7700-4-examples.txt");
}
END_TEST

START_TEST(mapping_rules)
{
	run_good_file("nickname/mapping.txt");
}
END_TEST

START_TEST(bad_corpus)
{
	char *text = sx_test_fixture("nickname/bad/nicknames.txt", NULL);
	char *line, *save = NULL;
	static char in[FIELD_MAX], want[FIELD_MAX];
	unsigned lines = 0, no = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		char where[300], *end, *r;
		struct sx_err err;
		size_t il, wl;
		long status;

		no++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		snprintf(where, sizeof(where), "bad/nicknames.txt:%u", no);
		il = read_quoted(&p, in, where);
		status = strtol(p, &end, 10);
		p = end;
		wl = read_quoted(&p, want, where);
		want[wl] = '\0';

		r = guarded(nickname_enforce, in, il, &err);
		ck_assert_msg(r == NULL, "%s: accepted as \"%s\"", where, r);
		ck_assert_int_eq(err.status, status);
		ck_assert_msg(strstr(err.text, want) != NULL,
			      "%s: error \"%s\" lacks \"%s\"", where, err.text,
			      want);
		r = guarded(nickname_key, in, il, &err);
		ck_assert_msg(r == NULL, "%s: key made", where);
		ck_assert_int_eq(err.status, status);
		lines++;
	}
	ck_assert_uint_gt(lines, 0);
	free(text);
}
END_TEST

START_TEST(length_limits)
{
	static char buf[4 * NICKNAME_MAX];
	struct sx_err err;
	char *r;
	size_t i;

	/* exactly NICKNAME_MAX octets is fine, one more is not */
	memset(buf, 'a', NICKNAME_MAX + 1);
	r = guarded(nickname_enforce, buf, NICKNAME_MAX, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(strlen(r), NICKNAME_MAX);
	free(r);
	r = guarded(nickname_enforce, buf, NICKNAME_MAX + 1, &err);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.status, 424);
	ck_assert_ptr_nonnull(strstr(err.text, "longer than 1023"));

	/* spaces that collapse do not make a long input acceptable */
	memset(buf, ' ', NICKNAME_MAX + 1);
	buf[0] = 'a';
	buf[NICKNAME_MAX] = 'b';
	r = guarded(nickname_enforce, buf, NICKNAME_MAX + 1, &err);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.status, 424);

	/* ...but within the limit they collapse to one */
	r = guarded(nickname_enforce, buf, NICKNAME_MAX, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r, "a");
	free(r);
	buf[NICKNAME_MAX - 1] = 'b';
	r = guarded(nickname_enforce, buf, NICKNAME_MAX, &err);
	ck_assert_str_eq(r, "a b");
	free(r);

	/* U+FDFA is 3 octets that NFKC turns into 33: within the limit
	 * before normalization, over it after */
	for (i = 0; i + 3 <= NICKNAME_MAX; i += 3)
		memcpy(buf + i, "\xEF\xB7\xBA", 3);
	r = guarded(nickname_enforce, buf, i, &err);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.status, 424);
	ck_assert_ptr_nonnull(strstr(err.text, "once normalized"));
	r = guarded(nickname_enforce, buf, 30, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(strlen(r), 10 * 33);
	free(r);
}
END_TEST

START_TEST(keys_clash_as_rooms_compare)
{
	/* room.c compares keys with strcmp: nicknames that differ only in
	 * case, width or spacing clash, different ones do not */
	static const char *const same[][2] = {
		{ "Alice", "alice" },
		{ "ALICE", "\xEF\xBD\x81lice" },     /* fullwidth a */
		{ " alice  ", "alice" },
		{ "Ma\xC3\x9F", "MASS" },            /* sharp s folds */
		{ "\xE2\x85\xA3", "iv" },            /* roman numeral four */
	};
	static const char *const different[][2] = {
		{ "alice", "alice2" },
		{ "al ice", "alice" },
		{ "\xC3\xA9", "e" },                 /* accents are kept */
	};
	struct sx_err err;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *a = nickname_key(same[i][0], strlen(same[i][0]), &err);
		char *b = nickname_key(same[i][1], strlen(same[i][1]), &err);

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_msg(strcmp(a, b) == 0, "'%s' and '%s' differ",
			      same[i][0], same[i][1]);
		free(a);
		free(b);
	}
	for (i = 0; i < sizeof(different) / sizeof(different[0]); i++) {
		char *a = nickname_key(different[i][0],
				       strlen(different[i][0]), &err);
		char *b = nickname_key(different[i][1],
				       strlen(different[i][1]), &err);

		ck_assert_msg(strcmp(a, b) != 0, "'%s' and '%s' clash",
			      different[i][0], different[i][1]);
		free(a);
		free(b);
	}
}
END_TEST

static Suite *nickname_suite(void)
{
	Suite *s = suite_create("nickname");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc7700_examples);
	tcase_add_test(tc, mapping_rules);
	tcase_add_test(tc, bad_corpus);
	tcase_add_test(tc, length_limits);
	tcase_add_test(tc, keys_clash_as_rooms_compare);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(nickname_suite)
