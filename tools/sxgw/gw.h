/*
 * gw.h - the XMPP gateway (RFC 7702 §5): XMPP users take part in rooms
 * with an ordinary MUC client (XEP-0045).  sxgw is an external component
 * (XEP-0114) for the rooms' domain (room@conference.sip.example.test) and
 * for the domain SIP users appear under (bob@sip.example.test).
 *
 * Each XMPP occupant -- one full JID in one room -- is carried by its own
 * leg (gw_leg.h): a SIP dialog and an MSRP session to the room, exactly
 * as a SIP participant joins.  The gateway never reaches into the room
 * logic; what the room says comes back through the leg's NOTIFYs and MSRP
 * messages and is turned into presences and messages here.
 *
 *   gw.c          start and stop, the two XMPP links, stanza dispatch,
 *                 link loss and return (333 for occupants lost)
 *   gw_sip.c      the gateway's own SIP agent (nua) shared by the legs
 *   gw_leg*.c     one occupant's SIP dialog and MSRP session
 *   gw_occ.c      occupants: join, leave, nick change, floods, limits
 *   gw_presence.c roster -> MUC presences (XEP-0045 §7.2, RFC 7702
 *                 Tables 2 and 3), status codes
 *   gw_message.c  groupchat, private messages, subject, chat states
 *   gw_disco.c    disco#info/#items, ping and self-ping, errors for what
 *                 we do not serve
 *   gw_stanza.c   building stanzas: errors, muc#user items, delay
 *   gw_invite.c   XMPP users invite: a REFER to the room (RFC 4579 §5.5)
 *   gw_invited.c  rooms invite XMPP users: the room's INVITE held until
 *                 the user joins (then answered by its leg), declines,
 *                 or does not answer
 */
#ifndef SXGW_GW_H
#define SXGW_GW_H

#include <stddef.h>
#include <strophe.h>
#include <time.h>

#include "confinfo.h"
#include "sx_err.h"
#include "sxgw.h"

struct gw_invite;
struct gw_invited;
struct gw_leg;
struct gw_leg_ops;
struct gw_leg_params;
struct gw_sip;
struct xmpp_link;

enum gw_occ_state {
	OCC_JOINING,     /* leg started, nothing sent to the client yet */
	OCC_JOINED,      /* self-presence sent */
	OCC_GONE,        /* being freed */
};

/* A groupchat sent by the occupant, waiting for the switch's 200 to be
 * reflected to it with its id (XEP-0045 §7.4), or for an error. */
struct gw_pending {
	struct gw_pending *next;
	struct gw_occ *occ;
	char *id;            /* the client's stanza id, may be NULL */
	char *to;            /* where the client sent it (room or room/nick) */
	xmpp_stanza_t *copy; /* the stanza to reflect (groupchat) */
	int private_msg;
};

/* One XMPP full JID in one room. */
struct gw_occ {
	struct gw *gw;
	struct gw_occ *next;
	unsigned long id;          /* for logs */

	char *jid;                 /* the user's full JID */
	char *bare;                /* its bare JID */
	char *room_jid;            /* design@conference.sip.example.test */
	char *room_uri;            /* sip:design@conference.sip.example.test */
	char *aor;                 /* sip:alice@example.test */
	char *nick;                /* held (joined) or asked (joining) */
	char *new_nick;            /* a nick change in flight */
	enum gw_occ_state state;
	int muc;                   /* joined with the muc <x/> (a MUC
				      client; a bare presence is GC 1.0) */
	time_t since;

	struct gw_leg *leg;        /* NULL once ended */
	struct gw_pending *pending;

	/* presence flood accounting (presence_rate per second) */
	time_t flood_second;
	unsigned flood_count;

	int nick_changed;          /* the room holds another nick than the
				      one asked (status 210) */
	/* the join's <history/> (XEP-0045 §7.2, discussion history): none
	   at all, or only what was said since then (0: all the room has) */
	int history_none;
	time_t history_since;
};

struct gw {
	struct sxgw *sx;
	struct sx_loop *loop;
	const struct sxgw_config *cfg;
	const struct sxgw_xmpp_config *x;

	struct xmpp_link *rooms_link;  /* [conference] domain */
	struct xmpp_link *users_link;  /* [xmpp] sip_domain */
	struct gw_sip *sip;

	struct gw_occ *occs;
	unsigned nocc;
	unsigned long next_id;
	/* Occupants were lost while a link was down: tell them (333) once
	 * it is back. */
	int lost_while_down;
	char **lost_jids;          /* "full-jid\troom-jid/nick", malloc'd */
	size_t nlost;

	struct gw_invite *invites;   /* REFERs of XMPP inviters */
	/* the last declines of XMPP invitees, for an inviter of ours whose
	 * sipfrag NOTIFY says 603 without the reason */
	struct gw_declined {
		char *room_jid, *invitee, *reason;
		time_t at;
	} declined[8];
	unsigned declined_next;
	struct gw_invited *inviteds; /* rooms' INVITEs held for users */
	unsigned ninvited;
	unsigned long next_invite_id;
};

/* --- gw.c ---------------------------------------------------------------- */

/* Starts the gateway when [xmpp] server is set (cfg->xmpp).  Returns 0,
 * or SX_ERROR with err saying why. */
int gw_start(struct sxgw *sx, struct gw **out, struct sx_err *err);
/* Orderly stop: unavailable presences (332), legs left, links closed. */
void gw_stop(struct gw *gw);
/* Sends on the link serving the stanza's from domain.  0 or SX_ERROR
 * (link down: the stanza is dropped and logged).  st is not consumed. */
int gw_send(struct gw *gw, xmpp_stanza_t *st);
xmpp_ctx_t *gw_ctx(struct gw *gw);

/* --- gw_sip.c: the SIP agent of the legs --------------------------------- */

int gw_sip_start(struct gw *gw, struct sx_err *err);
void gw_sip_stop(struct gw *gw);

/* --- gw_occ.c ------------------------------------------------------------ */

/* A presence to room@domain/nick (join, nick change, leave, error). */
void gw_occ_presence(struct gw *gw, xmpp_stanza_t *st);
struct gw_occ *gw_occ_find(struct gw *gw, const char *jid,
			   const char *room_jid);
/* Every occupant of a room known to the gateway, for disco and routing. */
unsigned gw_occ_count_room(struct gw *gw, const char *room_jid);
/* The link was lost: legs end, occupants remembered for 333. */
void gw_occ_link_lost(struct gw *gw);
void gw_occ_free_all(struct gw *gw, const char *why);

/* --- gw_presence.c ------------------------------------------------------- */

/* The join completed: other occupants' presences, then the self-presence
 * with 110 (100, 201, 210 as they apply), then history, then subject. */
void gw_presence_joined(struct gw_occ *o, const struct confinfo *roster);
/* A roster change: joins, leaves (307 booted, 333 failed), renames
 * (303 then the new presence), for this occupant's client. */
void gw_presence_changed(struct gw_occ *o, const struct confinfo *before,
			 const struct confinfo *after);
/* The occupant's own unavailable presence: status codes (110 added),
 * reason text may be NULL. */
void gw_presence_self_gone(struct gw_occ *o, const int *codes, int ncodes,
			   const char *reason);
/* An unavailable self-presence from occupant (room@domain/nick) to jid,
 * for an occupant already forgotten (link loss): 110 and codes. */
void gw_presence_unavailable(struct gw *gw, const char *occupant,
			     const char *jid, const int *codes, int ncodes,
			     const char *reason);
/* The occupant JID (room@domain/nick) of a roster user, as shown to
 * this occupant; NULL when the user has no nick yet.  malloc'd. */
char *gw_presence_occupant_jid(struct gw_occ *o,
			       const struct confinfo_user *u);

/* --- gw_message.c -------------------------------------------------------- */

/* A message stanza to the rooms domain (groupchat, chat to room/nick,
 * subject, chat state, invitation). */
void gw_message_from_client(struct gw *gw, xmpp_stanza_t *st);
struct gw_msg;
/* A message from the room for this occupant's client. */
void gw_message_from_room(struct gw_occ *o, const struct gw_msg *m);
/* The switch's answer to a message the occupant sent: the leg's sent()
 * callback with its cookie as p.  p is NULL for what was sent without
 * one (is-composing): nothing to do then.  p is unlinked and freed. */
void gw_message_sent(struct gw_occ *o, struct gw_pending *p, int status,
		     const char *phrase);
/* Answers every message still waiting in o->pending as gw_message_sent()
 * would with this status (the client gets an error for each) and frees
 * them: for an occupant that goes, before it is freed. */
void gw_message_pending_fail(struct gw_occ *o, int status,
			     const char *phrase);

/* --- gw_disco.c ---------------------------------------------------------- */

/* An iq to either domain: disco, ping, self-ping; errors for the rest. */
void gw_disco_iq(struct gw *gw, xmpp_stanza_t *st);

/* --- gw_invite.c: invitations from XMPP users ------------------------- */

/* A muc#user message to room_jid with <invite/>s (XEP-0045 §7.8.2): one
 * REFER to the room per invitee, from the inviter's AOR. */
void gw_invite_mediated(struct gw *gw, xmpp_stanza_t *st,
			const char *room_jid);
/* A direct invitation (XEP-0249) to a SIP user's JID: the same REFER. */
void gw_invite_direct(struct gw *gw, xmpp_stanza_t *st);
/* Forgets every REFER (the agent stops). */
void gw_invite_stop(struct gw *gw);

/* --- gw_invited.c: invitations for XMPP users ----------------------------- */

/* A muc#user <decline/> to room_jid (XEP-0045 §7.8.2): 603 to the room's
 * INVITE held for the sender. */
void gw_invited_decline(struct gw *gw, xmpp_stanza_t *st,
			const char *room_jid);
/* The join of bare into room_jid, when a room's INVITE for that user is
 * held: a leg that answers it (gw_leg_join()'s callbacks follow).  NULL
 * when none is held or it cannot be answered (then refused): join
 * with gw_leg_join() instead. */
struct gw_leg *gw_invited_accept(struct gw *gw, const char *bare,
				 const char *room_jid,
				 const struct gw_leg_params *p,
				 const struct gw_leg_ops *ops, void *arg);
/* The rooms' link went down, or the gateway stops: every held INVITE is
 * answered 480. */
void gw_invited_fail_all(struct gw *gw, const char *why);
/* The reason an XMPP user of ours gave when declining an invitation to
 * room_jid a short while ago, NULL when none; borrowed. */
const char *gw_invited_declined(struct gw *gw, const char *room_jid,
				const char *invitee);
/* Frees what gw_invited_declined() remembers (the gateway stops). */
void gw_invited_forget(struct gw *gw);

/* --- gw_stanza.c --------------------------------------------------------- */

/* An error reply to st: from/to swapped, id kept, the original children
 * not echoed, <error type=TYPE><CONDITION xmlns=stanzas/><text/>.  text
 * may be NULL.  The reply is sent; st is not released. */
void gw_stanza_error(struct gw *gw, xmpp_stanza_t *st, const char *type,
		     const char *condition, const char *text);
/* The same for a SIP or MSRP status, mapped per RFC 7247 §7.2. */
void gw_stanza_error_sip(struct gw *gw, xmpp_stanza_t *st, int status,
			 const char *phrase);
/* A new stanza of name with from, to, type (may be NULL) set. */
xmpp_stanza_t *gw_stanza_new(struct gw *gw, const char *name,
			     const char *from, const char *to,
			     const char *type);
/* A child element with a namespace, added to parent; returned borrowed. */
xmpp_stanza_t *gw_stanza_child(xmpp_stanza_t *parent, const char *name,
			       const char *ns);
/* A child element holding text (body, subject, reason, status...). */
xmpp_stanza_t *gw_stanza_text_child(xmpp_stanza_t *parent,
				    const char *name, const char *text,
				    size_t len);
/* XEP-0203 <delay xmlns='urn:xmpp:delay' from= stamp=>. */
void gw_stanza_delay(xmpp_stanza_t *parent, const char *from,
		     const struct timespec *when);

#endif
