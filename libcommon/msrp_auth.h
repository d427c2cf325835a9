/*
 * msrp_auth.h - HTTP Digest for MSRP relays (RFC 4976 §5.1, after RFC 2617
 * §3.2 and RFC 7616 §3.4).
 *
 * A client AUTHs to its relay; a relay that wants credentials answers 401
 * with "WWW-Authenticate: Digest realm=..., nonce=..., qop="auth"".  The
 * client repeats the AUTH with an Authorization header whose response is
 *
 *   KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))     qop=auth
 *   KD(H(A1), nonce ":" H(A2))                                no qop
 *   A1 = username ":" realm ":" password   (-sess: H(that) ":" nonce ":" cnonce)
 *   A2 = "AUTH" ":" the relay's URI (the AUTH's To-Path)
 *
 * with H the challenge's algorithm: MD5 (the default), SHA-256 or
 * SHA-512-256, each optionally "-sess".  RFC 4976's Authorization carries
 * no uri parameter: the To-Path names the relay.
 *
 * Error convention: sx_err.h; a challenge that cannot be answered is
 * refused with status 401.
 */
#ifndef SX_MSRP_AUTH_H
#define SX_MSRP_AUTH_H

#include <stddef.h>

#include "sx_err.h"

enum msrp_auth_algo {
	MSRP_AUTH_MD5 = 0,
	MSRP_AUTH_SHA256,
	MSRP_AUTH_SHA512_256,
};

/* A Digest challenge, its quoted strings unescaped. */
struct msrp_auth_challenge {
	char realm[256];
	char nonce[256];
	char opaque[256];       /* empty when absent */
	int has_opaque;
	enum msrp_auth_algo algo;
	int sess;               /* "-sess": A1 includes nonce and cnonce */
	int qop_auth;           /* "auth" among the qop-options */
	int stale;              /* stale=true: same credentials, new nonce */
};

/* Parses a WWW-Authenticate value of len bytes.  Returns 0 or SX_ERROR
 * (401: not Digest, no realm or nonce, an algorithm not known, only
 * qop options other than "auth"; 400: malformed). */
int msrp_auth_challenge_parse(const char *s, size_t len,
			      struct msrp_auth_challenge *c,
			      struct sx_err *err);

/* What the answer needs besides the challenge. */
struct msrp_auth_cred {
	const char *user;
	const char *password;
	const char *method;     /* "AUTH" */
	const char *uri;        /* the relay's URI */
	const char *cnonce;     /* client nonce: an unquoted token */
	unsigned long nc;       /* nonce count, from 1 */
};

/* The request-digest as lowercase hex into out (at least 129 bytes).
 * Returns 0 or SX_ERROR (out of memory in the hash library). */
int msrp_auth_digest(const struct msrp_auth_challenge *c,
		     const struct msrp_auth_cred *cr, char out[129],
		     struct sx_err *err);

/* The Authorization value ("Digest username=..."), snprintf semantics:
 * returns the length the whole value needs, or SX_ERROR when the digest
 * cannot be computed or a value holds a character that a quoted-string
 * cannot carry (CR, LF, NUL). */
int msrp_auth_authorization(char *buf, size_t cap,
			    const struct msrp_auth_challenge *c,
			    const struct msrp_auth_cred *cr,
			    struct sx_err *err);

#endif
