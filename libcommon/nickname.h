/*
 * nickname.h - nickname preparation and comparison for chat rooms (RFC
 * 7700, the PRECIS Nickname profile, as RFC 7701 §6.1 asks for the
 * uniqueness of nicknames in a room).
 *
 * Enforcement (§2.2): additional mapping (non-ASCII spaces to U+0020,
 * leading and trailing spaces removed, runs of spaces to one), Unicode
 * normalization NFKC; for comparison (§2.4) also case folding.  The
 * result must be non-empty valid UTF-8 of at most max_len octets without
 * control characters.  Error convention: sx_err.h (status 424, RFC 7701's
 * "Malformed Nickname").
 */
#ifndef SX_NICKNAME_H
#define SX_NICKNAME_H

#include <stddef.h>

#include "sx_err.h"

#define NICKNAME_MAX 1023   /* RFC 7701 §6.1: Use-Nickname up to 1023 octets */

/* The enforced form, to show (malloc'd), or NULL with err (424). */
char *nickname_enforce(const char *s, size_t len, struct sx_err *err);
/* The comparison key (malloc'd): two nicknames clash when their keys are
 * equal.  NULL with err (424). */
char *nickname_key(const char *s, size_t len, struct sx_err *err);

#endif
