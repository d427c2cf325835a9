/*
 * nickname.c - RFC 7700 (PRECIS Nickname profile) enforcement and
 * comparison keys, see nickname.h.
 *
 * The profile is built on the PRECIS FreeformClass (RFC 7564 §4.3): what
 * the class does not let in is refused here with a 424, so that a room
 * never shows a nickname that cannot be compared reliably.  The Unicode
 * work (normalization, case folding, character properties) is
 * libunistring's.
 */
#include "nickname.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* Old Hangul Jamo (RFC 7564 §9.9): Hangul_Syllable_Type L, V or T. */
static int is_conjoining_jamo(ucs4_t c)
{
	return (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97C) ||
	       (c >= 0xD7B0 && c <= 0xD7C6) || (c >= 0xD7CB && c <= 0xD7FB);
}

/* The categories RFC 7564 lets into the FreeformClass: LetterDigits
 * (§9.1), OtherLetterDigits (§9.12), Spaces (§9.13), Symbols (§9.14),
 * Punctuation (§9.15).  HasCompat (§9.16) code points are gone after
 * NFKC, which is when the check runs. */
#define FREEFORM_MASK (UC_CATEGORY_MASK_Ll | UC_CATEGORY_MASK_Lu | \
		       UC_CATEGORY_MASK_Lo | UC_CATEGORY_MASK_Nd | \
		       UC_CATEGORY_MASK_Lm | UC_CATEGORY_MASK_Mn | \
		       UC_CATEGORY_MASK_Mc | UC_CATEGORY_MASK_Lt | \
		       UC_CATEGORY_MASK_Nl | UC_CATEGORY_MASK_No | \
		       UC_CATEGORY_MASK_Me | UC_CATEGORY_MASK_Zs | \
		       UC_CATEGORY_MASK_Sm | UC_CATEGORY_MASK_Sc | \
		       UC_CATEGORY_MASK_Sk | UC_CATEGORY_MASK_So | \
		       UC_CATEGORY_MASK_Pc | UC_CATEGORY_MASK_Pd | \
		       UC_CATEGORY_MASK_Ps | UC_CATEGORY_MASK_Pe | \
		       UC_CATEGORY_MASK_Pi | UC_CATEGORY_MASK_Pf | \
		       UC_CATEGORY_MASK_Po)

/* Why c is not in the FreeformClass (RFC 7564 §8, in the order of its
 * algorithm), or NULL when it is. */
static const char *freeform_refusal(ucs4_t c)
{
	if (c >= 0x21 && c <= 0x7E)
		return NULL;  /* ASCII7 */
	if (uc_is_general_category_withtable(c, UC_CATEGORY_MASK_Cn) &&
	    !uc_is_property_not_a_character(c))
		return "an unassigned code point";
	if (is_conjoining_jamo(c))
		return "a conjoining Hangul jamo";
	if (uc_is_property_default_ignorable_code_point(c) ||
	    uc_is_property_not_a_character(c))
		return "an ignorable code point";
	if (uc_is_general_category_withtable(c, UC_CATEGORY_MASK_Cc))
		return "a control character";
	if (!uc_is_general_category_withtable(c, FREEFORM_MASK))
		return "a code point outside the PRECIS FreeformClass";
	return NULL;
}

/* The Additional Mapping Rule (RFC 7700 §2.1): every space (Zs) becomes
 * U+0020, spaces at either end go, runs of them become one.  Writes into
 * out, which must hold len bytes and may be s itself (the text only
 * shrinks); returns the new length.  Input is valid UTF-8. */
static size_t map_spaces(const uint8_t *s, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0;
	int pending = 0;  /* a space seen since the last other character */

	while (i < len) {
		ucs4_t c;
		int n = u8_mbtouc(&c, s + i, len - i);

		if (c == 0x20 ||
		    uc_is_general_category_withtable(c, UC_CATEGORY_MASK_Zs)) {
			pending = o > 0;
		} else {
			if (pending)
				out[o++] = ' ';
			pending = 0;
			memmove(out + o, s + i, (size_t)n);
			o += (size_t)n;
		}
		i += (size_t)n;
	}
	return o;
}

static char *nul_terminate(uint8_t *s, size_t len)
{
	uint8_t *r = realloc(s, len + 1);

	if (r == NULL) {
		free(s);
		return NULL;
	}
	r[len] = '\0';
	return (char *)r;
}

char *nickname_enforce(const char *s, size_t len, struct sx_err *err)
{
	const uint8_t *in = (const uint8_t *)s;
	uint8_t *mapped, *norm;
	size_t n, i;

	if (len == 0) {
		sx_err_set(err, 424, "empty nickname");
		return NULL;
	}
	if (len > NICKNAME_MAX) {
		sx_err_set(err, 424, "nickname longer than %d octets",
			   NICKNAME_MAX);
		return NULL;
	}
	if (u8_check(in, len) != NULL) {
		sx_err_set(err, 424, "nickname is not valid UTF-8");
		return NULL;
	}
	mapped = malloc(len);
	if (mapped == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	n = map_spaces(in, len, mapped);
	norm = u8_normalize(UNINORM_NFKC, mapped, n, NULL, &n);
	free(mapped);
	if (norm == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	/* NFKC turns some characters into a space and a combining mark
	 * (U+00A8 DIAERESIS): map again, so that enforcing an enforced
	 * nickname changes nothing. */
	n = map_spaces(norm, n, norm);
	if (n == 0) {
		free(norm);
		sx_err_set(err, 424, "nickname is empty once prepared");
		return NULL;
	}
	if (n > NICKNAME_MAX) {
		free(norm);
		sx_err_set(err, 424, "nickname longer than %d octets once "
			   "normalized", NICKNAME_MAX);
		return NULL;
	}
	for (i = 0; i < n;) {
		ucs4_t c;
		int cl = u8_mbtouc(&c, norm + i, n - i);
		const char *why = freeform_refusal(c);

		if (why) {
			sx_err_set(err, 424, "nickname contains %s (U+%04X)",
				   why, (unsigned)c);
			free(norm);
			return NULL;
		}
		i += (size_t)cl;
	}
	return nul_terminate(norm, n);
}

char *nickname_key(const char *s, size_t len, struct sx_err *err)
{
	char *shown = nickname_enforce(s, len, err);
	uint8_t *folded;
	size_t n;

	if (shown == NULL)
		return NULL;
	/* Default Case Folding (RFC 7700 §2.4), renormalized: folding can
	 * undo NFKC (U+0345 folds to U+03B9). */
	folded = u8_casefold((const uint8_t *)shown, strlen(shown), NULL,
			     UNINORM_NFKC, NULL, &n);
	free(shown);
	if (folded == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	return nul_terminate(folded, n);
}
