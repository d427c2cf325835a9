/*
 * sdp_msrp.h - the MSRP media line of an SDP offer or answer (RFC 4975 §8,
 * RFC 6135 a=setup, RFC 7701 §5 a=chatroom), read and written.
 *
 *   m=message 7654 TCP/MSRP *
 *   c=IN IP4 client.atlanta.example.com
 *   a=path:msrp://client.atlanta.example.com:7654/jshA7weztas;tcp
 *   a=accept-types:message/cpim
 *   a=accept-wrapped-types:text/plain text/html
 *   a=max-size:65536
 *   a=setup:actpass
 *   a=chatroom:nickname private-messages
 *
 * Reading uses sofia-sip's SDP parser and copies what it keeps out of it,
 * so the result does not depend on sofia's memory.
 *
 * Error convention: sx_err.h.  Statuses are SIP's: 400 for a malformed
 * body or an MSRP media description without the attributes RFC 4975
 * requires (a=path of msrp/msrps URIs, at most SDP_MSRP_PATH_MAX of them,
 * a=accept-types), 488 when there is no MSRP media line at all.
 */
#ifndef SX_SDP_MSRP_H
#define SX_SDP_MSRP_H

#include <stddef.h>
#include <stdint.h>

#include "sx_err.h"

/* URIs an a=path may hold: the peer's own after the relays on the way to
 * it (RFC 4976). */
#define SDP_MSRP_PATH_MAX 16

/* RFC 6135 §4 (after RFC 4145 §4.1): who opens the TCP connection. */
enum sdp_msrp_setup {
	SDP_MSRP_SETUP_ABSENT = 0,  /* no a=setup */
	SDP_MSRP_SETUP_ACTIVE,
	SDP_MSRP_SETUP_PASSIVE,
	SDP_MSRP_SETUP_ACTPASS,
	SDP_MSRP_SETUP_HOLDCONN,
};

/*
 * After sdp_msrp_read() every pointer is owned by the struct (one
 * allocation each) and released by sdp_msrp_free().  To build, fill one
 * with pointers to your own strings and do not free it.  Type lists are
 * NULL-terminated arrays of media types as written: "text/plain", "*",
 * a subtype wildcard, "text/plain;charset=UTF-8".
 */
struct sdp_msrp {
	char *addr;                 /* c= of the media, else of the session */
	int ipv6;                   /* c=IN IP6 */
	unsigned port;              /* m= port; 0 means the media is refused */
	int secure;                 /* TCP/TLS/MSRP */
	char *path;                 /* a=path: URIs separated by spaces */
	char **accept_types;        /* never empty after a read, but for
				     * a refused line (port 0) */
	char **accept_wrapped_types;  /* NULL or empty: none given */
	enum sdp_msrp_setup setup;  /* as written */
	uint64_t max_size;          /* a=max-size; 0 when absent */
	int chatroom;               /* a=chatroom present */
	int nickname;               /* its "nickname" token */
	int private_messages;       /* its "private-messages" token */
	char **chatroom_other;      /* its other tokens, kept in order */
};

/* Reads the first m=message line whose protocol is TCP/MSRP or
 * TCP/TLS/MSRP.  Returns 0 or SX_ERROR (status 400 or 488, see above);
 * *out is zeroed first and needs sdp_msrp_free() only after a success. */
int sdp_msrp_read(const char *sdp, size_t len, struct sdp_msrp *out,
		  struct sx_err *err);

void sdp_msrp_free(struct sdp_msrp *m);

/* The o= line.  user NULL writes "-"; addr NULL takes the connection
 * address. */
struct sdp_msrp_origin {
	const char *user;
	uint64_t id;
	uint64_t version;
	const char *addr;
};

/* A whole SDP body (v= o= s= c= t= m= a=...) for m, as malloc'd text with
 * CRLF line ends.  NULL on a model that cannot be written (no address or
 * path, no accept-types, a CR or LF in a value: err->status 500) or out of
 * memory. */
char *sdp_msrp_build(const struct sdp_msrp *m,
		     const struct sdp_msrp_origin *o, struct sx_err *err);

/* Whether a type list (accept-types, accept-wrapped-types) lets type in,
 * per RFC 4975 §8.6: "*" takes anything, a subtype wildcard ("text" then
 * "/" and "*") any subtype; types compare case-insensitively and
 * parameters are ignored on both sides. */
int sdp_msrp_accepts(char *const *types, const char *type);

/* Whether m lets type in inside a wrapper such as message/cpim: listed in
 * accept-wrapped-types, or in accept-types (what may come alone may come
 * wrapped). */
int sdp_msrp_accepts_wrapped(const struct sdp_msrp *m, const char *type);

/* The setup that applies when m has none (RFC 6135 §4, RFC 4145 §4.1): an
 * offer without a=setup is active, an answer without one passive. */
enum sdp_msrp_setup sdp_msrp_setup_of(const struct sdp_msrp *m, int is_offer);

#endif
