/*
 * referto.h - the pieces of an invitation to a conference room sent as
 * REFER (RFC 3515, RFC 4579 §5.5 and §5.11): whom to refer the room to,
 * the Refer-To header value, and the status line of the message/sipfrag
 * NOTIFYs that report the outcome (RFC 3515 §2.4.5, RFC 3420).
 *
 *   xmpp:alice@example.test     -> sip:alice@example.test (RFC 7247 §5)
 *   sip:bob@example.test, BYE, "spam"
 *       -> <sip:bob@example.test;method=BYE?Reason=SIP%3Bcause%3D200...>
 *
 * The reason travels as a header embedded in the Refer-To URI (RFC 3261
 * §19.1.1: header fields of the request made from the URI; RFC 3515
 * §2.1), since the referee builds its request from that URI: Subject
 * (RFC 3261 §20.36) for an INVITE, Reason (RFC 3326 §2) for a BYE.
 *
 * Error convention: sx_err.h; results are malloc'd.
 */
#ifndef SX_REFERTO_H
#define SX_REFERTO_H

#include <stddef.h>

#include <sofia-sip/sip.h>

#include "sx_err.h"

/* The SIP URI of an invitee given as a sip: or sips: URI (kept as it
 * is), an xmpp: URI (RFC 5122: authority, query and fragment dropped,
 * %XX decoded, then mapped per RFC 7247 §5 by jid_to_sip_uri()), or a
 * bare user@host (taken as sip:).  NULL with err->status 400 for
 * anything else (416 for another scheme). */
char *referto_target(const char *invitee, struct sx_err *err);

/* "<target[;method=BYE][?Subject=...|?Reason=...]>".  target must be a
 * SIP URI without embedded headers; reason (may be NULL or empty) must be
 * UTF-8 without control characters.  NULL with err->status 400 when
 * either is unusable, 500 when out of memory. */
char *referto_value(const char *target, int bye, const char *reason,
		    struct sx_err *err);

/* The status line that starts a message/sipfrag body ("SIP/2.0 180
 * Ringing"): the status code in *status, the reason phrase (cut to fit,
 * NUL-terminated) in phrase.  Returns 0 or SX_ERROR (400) when the body
 * does not start with a SIP/2.0 status line. */
int referto_sipfrag(const char *body, size_t len, int *status,
		    char *phrase, size_t cap, struct sx_err *err);

/* What a NOTIFY of a REFER's implicit subscription reports (RFC 3515
 * §2.4.4, §2.4.5): the status line of its message/sipfrag body (status
 * 0 when there is none that parses: such a NOTIFY tells nothing), and
 * whether it ends the subscription (Subscription-State: terminated, RFC
 * 6665 §4.1.3).  sip may be NULL. */
struct referto_notify {
	int status;
	char phrase[128];
	int terminated;
};

void referto_notify(const sip_t *sip, struct referto_notify *n);

#endif
