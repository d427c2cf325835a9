/*
 * utf8.h - UTF-8 (RFC 3629): decoding one character, checking a buffer,
 * encoding one code point.
 *
 * Well formed means RFC 3629 §3 and §4: the shortest form only, no
 * surrogates (U+D800..U+DFFF), nothing past U+10FFFF.  U+0000 is a
 * character like any other here; callers that refuse it say so.
 */
#ifndef SX_UTF8_H
#define SX_UTF8_H

#include <stddef.h>

#define UTF8_MAX 4   /* bytes in the longest sequence */

/* The well-formed character that starts s (len bytes): its length, with
 * its code point in *cp unless cp is NULL, or 0 when s is empty, starts
 * with an ill-formed sequence or one that len cuts short. */
size_t utf8_decode(const char *s, size_t len, unsigned long *cp);

/* How many bytes at the start of s (len bytes) are whole well-formed
 * characters: len when all of s is valid UTF-8, else the offset of the
 * first byte at fault. */
size_t utf8_valid_len(const char *s, size_t len);

/* Writes cp in out (UTF8_MAX bytes, not NUL-terminated) and returns its
 * length, or 0 for a surrogate or a value past U+10FFFF. */
size_t utf8_encode(unsigned long cp, char *out);

#endif
