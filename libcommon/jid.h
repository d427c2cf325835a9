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

/* "alice@example.test/res" -> "sip:alice@example.test;gr=res".
 * Returns 0 or SX_ERROR. */
int jid_to_sip_uri(const char *jid, char *out, size_t cap, struct sx_err *err);

/* "sip:alice@example.test;gr=res" (or with a display name and angle
 * brackets, or an xmpp: URI) -> "alice@example.test/res".  sips: is
 * refused (err->status 403: never gatewayed into XMPP).  Returns 0 or
 * SX_ERROR. */
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
