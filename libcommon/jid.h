/*
 * jid.h - JID <-> SIP URI mapping (RFC 7247 §5, §6) and the error-code
 * mapping between SIP and XMPP (RFC 7247 §7).
 *
 *   alice@example.test/phone  <->  sip:alice@example.test;gr=phone
 *
 * Escaping: the source form is unescaped first (SIP %XX, XEP-0106 \XX in
 * JID localparts) and escaped again for the target (§6.4, §6.5).  A sips:
 * URI is never mapped into XMPP (§8).
 *
 * Error convention: sx_err.h (err->status 400 for malformed input).
 */
#ifndef SX_JID_H
#define SX_JID_H

#include <stddef.h>

#include "sx_err.h"

#define JID_PART_MAX 1023   /* RFC 7622 §3.1: each part at most 1023 octets */

struct jid {
	char local[JID_PART_MAX + 1];     /* may be empty */
	char domain[JID_PART_MAX + 1];
	char resource[JID_PART_MAX + 1];  /* may be empty */
};

/* Splits and checks a JID (localpart@domainpart/resourcepart). */
int jid_parse(const char *s, struct jid *j, struct sx_err *err);
/* snprintf semantics; bare leaves the resource out. */
size_t jid_format(char *buf, size_t cap, const struct jid *j, int bare);

/* XEP-0106 §3.2 and §4.2: escapes the nine characters a localpart cannot
 * carry (space " & ' / : < > @) and a backslash only where it starts one of
 * the ten escape sequences.  raw is len bytes; snprintf semantics. */
size_t jid_escape_local(char *buf, size_t cap, const char *raw, size_t len);
/* XEP-0106 §3.3 and §4.3: unescapes exactly the ten lowercase sequences
 * and leaves anything else alone.  snprintf semantics. */
size_t jid_unescape_local(char *buf, size_t cap, const char *esc,
			  size_t len);

/* utf8_decode() of utf8.h under its former name, for the callers that
 * still use it. */
size_t jid_utf8_decode(const char *s, size_t len, unsigned long *cp);

/* The Punycode step of IDNA (RFC 3492, RFC 5891 §4.4) for a whole domain:
 * U-labels to "xn--" A-labels and back, other labels copied.  No IDNA2008
 * mapping or validation beyond that.  NUL-terminated in and out; 0 or
 * SX_ERROR (400 for a label that cannot be converted or a result that
 * does not fit in cap bytes: size buf for the longest domain wanted). */
int jid_idna_to_ascii(char *buf, size_t cap, const char *domain,
		      struct sx_err *err);
int jid_idna_to_unicode(char *buf, size_t cap, const char *domain,
			struct sx_err *err);

/* "alice@example.test/res" -> "sip:alice@example.test;gr=res".
 * Returns 0 or SX_ERROR (400 for a malformed JID, 500 when out is too
 * small). */
int jid_to_sip_uri(const char *jid, char *out, size_t cap, struct sx_err *err);

/* "sip:alice@example.test;gr=res" (or with a display name and angle
 * brackets, or an xmpp: URI) -> "alice@example.test/res".  sips: is
 * refused (err->status 403: never gatewayed into XMPP), other schemes
 * with 416, anything that cannot be a JID with 400, 500 when out is too
 * small.  Returns 0 or SX_ERROR. */
int sip_uri_to_jid(const char *uri, char *out, size_t cap, struct sx_err *err);

/* An XMPP stanza error (RFC 6120 §8.3). */
struct stanza_error {
	const char *condition;   /* "item-not-found" */
	const char *type;        /* "cancel", "wait", "auth", "modify" */
};

/* §7.2: a SIP final status to the stanza error to send the XMPP entity. */
void sip_status_to_stanza_error(int status, struct stanza_error *out);

/* §7.1: an XMPP error condition to a SIP status.  to_bare_jid matters for
 * item-not-found (404 to a full JID, 604 to a bare one).  Unknown
 * conditions give 500. */
int stanza_error_to_sip_status(const char *condition, int to_bare_jid);

#endif
