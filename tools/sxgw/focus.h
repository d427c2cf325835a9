/*
 * focus.h - the SIP side of sxgw: a conference focus (RFC 4579) on a
 * sofia-sip nua agent.  INVITE/BYE make participants, SUBSCRIBE to the
 * conference event package (RFC 4575) gets the roster, REFER (RFC 3515)
 * invites or removes participants.
 *
 *   focus.c         agent, event dispatch, shutdown
 *   focus_invite.c  incoming INVITE/ACK/BYE, dial-out INVITEs
 *   focus_sub.c     conference subscriptions and coalesced NOTIFYs
 *   focus_refer.c   REFER, implicit subscription, sipfrag NOTIFYs
 */
#ifndef SXGW_FOCUS_H
#define SXGW_FOCUS_H

#include "sx_err.h"
#include "sxgw.h"

struct participant;
struct room;

/* Binds the [sip] listen addresses.  NULL with err filled on failure. */
struct focus *focus_new(struct sxgw *gw, struct sx_err *err);
/* Ends every call (BYE) and subscription (final NOTIFY), then calls
 * done(arg) once the agent has shut down or after a few seconds. */
void focus_shutdown(struct focus *f, void (*done)(void *arg), void *arg);
void focus_free(struct focus *f);

/* Called by room.c. */
/* The roster or subject of r changed: NOTIFY subscribers (coalesced). */
void focus_room_changed(struct focus *f, struct room *r);
/* r is about to be destroyed: terminate its subscriptions. */
void focus_room_destroyed(struct focus *f, struct room *r);
/* p leaves for another reason than its SIP side: send BYE (or CANCEL)
 * and forget p->leg.  text, when not NULL, says that p was removed and
 * by whom, in a Reason header (RFC 3326) of that request; reason, when
 * not NULL, is the Reason header value the remover gave, sent instead. */
void focus_leg_end(struct focus *f, struct participant *p, const char *text,
		   const char *reason);

#endif
