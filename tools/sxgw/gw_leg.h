/*
 * gw_leg.h - one XMPP occupant's way into a room: a SIP dialog and an MSRP
 * session to the room's focus and switch, as any SIP participant has
 * (RFC 7702 §5.2-§5.4, RFC 7701, RFC 4579, RFC 4575).  The gateway's
 * legs share one SIP agent (gw_sip.c) on a port of its own, so that the
 * focus sees them as ordinary remote participants, and a room of another
 * focus is joined the same way.
 *
 * A join runs INVITE (through the outbound proxy, else to the focus's own
 * SIP address) -> 200 with ;isfocus -> ACK -> MSRP connect and bodiless
 * SEND -> NICKNAME -> SUBSCRIBE conference -> the first full NOTIFY.  Only
 * then is joined() called, with the roster; messages that came before it
 * (the room's history, which the switch replays after the NICKNAME 200)
 * are held and handed over by gw_leg_flush_history(), marked history.
 * A user the room invited joins by answering the room's INVITE instead
 * (gw_invited.c, leg_answer() in gw_leg_int.h): 200 with our SDP, the
 * ACK, then MSRP onwards as above, with the same callbacks.
 *
 * Callbacks are never made from inside a gw_leg_* call.
 */
#ifndef SXGW_GW_LEG_H
#define SXGW_GW_LEG_H

#include <stddef.h>
#include <time.h>

#include "confinfo.h"

struct gw;
struct gw_leg;

struct gw_leg_params {
	const char *room_uri;   /* sip:design@conference.sip.example.test */
	const char *aor;        /* the user's SIP AOR: sip:alice@example.test,
				   the From and the CPIM From */
	const char *resource;   /* the XMPP resource: Contact ;gr= */
	const char *nick;       /* the nickname to ask for */
	const char *referred_by;/* an invitation's inviter (issue of
				   invitations), NULL for a plain join */
};

/* A message from the room, decoded from its CPIM wrapper (RFC 3862). */
struct gw_msg {
	const char *from_aor;    /* CPIM From URI, without parameters */
	const char *from_name;   /* CPIM From display name (the sender's
				    nick by convention), NULL if none */
	int private_msg;         /* CPIM To named us (;gr=), not the room */
	struct timespec when;    /* CPIM DateTime; zero when absent */
	int history;             /* arrived before the join completed */
	const char *type;        /* inner Content-Type without parameters,
				    lower case: "text/plain", "text/html",
				    "application/im-iscomposing+xml"... */
	const char *body;        /* inner body, UTF-8 checked for text/ */
	size_t len;
	int has_subject;         /* room.Subject present (urn:x-sxgw:room) */
	const char *subject;     /* its value, unescaped, NUL-terminated */
	/* RFC 3994 is-composing decoded: "active" or "idle"; NULL when the
	 * message is not an is-composing indication. */
	const char *composing;
};

/* What an occupant sends to the room. */
struct gw_out {
	const char *to_nick;     /* NULL: the room; else a private message */
	const char *type;        /* inner Content-Type, e.g.
				    "text/plain;charset=UTF-8"; NULL with
				    composing or a bare subject */
	const char *body;
	size_t len;
	const char *subject;     /* non-NULL: a subject change to this */
	const char *composing;   /* non-NULL: an RFC 3994 indication,
				    "active" or "idle" (refresh 60 s) */
};

struct gw_leg_ops {
	/* The join completed: nick is the one the room holds for us, roster
	 * the first full conference-info (borrowed, valid until the next
	 * callback).  Call gw_leg_flush_history() when ready for it. */
	void (*joined)(void *arg, struct gw_leg *leg, const char *nick,
		       const struct confinfo *roster);
	/* The join failed.  status: the SIP final answer (404, 486, 403,
	 * 488...), the NICKNAME answer (424, 425), 408 on join_timeout, 500
	 * for a local failure; phrase: its reason phrase or a short text.
	 * The leg has already ended its SIP and MSRP sides and frees itself:
	 * forget the pointer. */
	void (*failed)(void *arg, struct gw_leg *leg, int status,
		       const char *phrase);
	/* A NOTIFY after the join changed the roster from before to after
	 * (both borrowed for the call). */
	void (*roster)(void *arg, struct gw_leg *leg,
		       const struct confinfo *before,
		       const struct confinfo *after);
	/* A message from the room (borrowed for the call). */
	void (*message)(void *arg, struct gw_leg *leg, const struct gw_msg *m);
	/* The switch answered a gw_leg_send(): status 200, or its error
	 * (403, 404, 413, 415, 428...), or 408 when no answer came, 503
	 * when the session went away first. */
	void (*sent)(void *arg, struct gw_leg *leg, void *cookie, int status,
		     const char *phrase);
	/* The switch answered a gw_leg_nick(): 200, 424 or 425. */
	void (*nick)(void *arg, struct gw_leg *leg, const char *nick,
		     int status, const char *phrase);
	/* After the join, the room ended the leg: BYE from the focus
	 * (booted: it carried a removal, RFC 4579 §5.11, or the roster said
	 * booted), the MSRP session failed, or the subscription was
	 * terminated.  reason: human-readable (Reason header text or what
	 * failed).  The leg frees itself: forget the pointer. */
	void (*ended)(void *arg, struct gw_leg *leg, int booted,
		      const char *reason);
};

/* Starts a join.  NULL on a local failure (err says why). */
struct gw_leg *gw_leg_join(struct gw *gw, const struct gw_leg_params *p,
			   const struct gw_leg_ops *ops, void *arg,
			   struct sx_err *err);
/* Hands the held history to message(), in order, then nothing more is
 * held. */
void gw_leg_flush_history(struct gw_leg *leg);
/* Sends a message (CPIM From "nick" <aor>, To the room or ;gr=NICK,
 * DateTime now).  The answer comes to sent() with cookie.  SX_ERROR when
 * the leg is not joined or the message is larger than the limit. */
int gw_leg_send(struct gw_leg *leg, const struct gw_out *m, void *cookie);
/* Asks for another nickname (NICKNAME); the answer comes to nick(). */
int gw_leg_nick(struct gw_leg *leg, const char *nick);
/* Leaves: no more callbacks; BYE (or CANCEL before the answer), the
 * subscription ended, and the leg frees itself once that is done or a
 * short time passed. */
void gw_leg_leave(struct gw_leg *leg, const char *reason);

/* Our identities in the room: the AOR (the From) and the Contact
 * (endpoint entity, with ;gr= the resource). */
const char *gw_leg_aor(const struct gw_leg *leg);
const char *gw_leg_contact(const struct gw_leg *leg);
/* Whether the roster user u is us: its entity is our AOR with ;gr= our
 * resource (the user a GRUU makes, values compared %XX-decoded), or one
 * of its endpoints is our Contact (a room that keeps one user per AOR). */
int gw_leg_is_us(const struct gw_leg *leg, const struct confinfo_user *u);
const char *gw_leg_room_uri(const struct gw_leg *leg);
/* The current roster (full state), NULL before the join completed. */
const struct confinfo *gw_leg_roster(const struct gw_leg *leg);

#endif
