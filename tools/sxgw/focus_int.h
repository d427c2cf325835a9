/*
 * focus_int.h - what the focus*.c files share: the focus itself, one
 * struct per sofia-sip handle (a leg), conference subscriptions and REFER
 * subscriptions.
 *
 * Lifetimes.  Every nua handle the focus keeps is bound to a struct
 * focus_leg (nua_handle_bind).  A leg may carry several things at once,
 * because SIP lets one dialog hold several usages (RFC 5057): the INVITE
 * session of a participant, conference subscriptions, and the implicit
 * subscriptions of REFERs received in that dialog.  focus_leg_release()
 * destroys the handle and the leg once none is left.  Pointers between
 * the focus and the rooms are cleared from both sides (p->leg and
 * leg->p, sub->fr when the room goes), so that a room or a participant
 * that goes while a transaction is pending leaves nothing dangling.
 */
#ifndef SXGW_FOCUS_INT_H
#define SXGW_FOCUS_INT_H

struct focus;
struct focus_leg;

#define NUA_MAGIC_T struct focus
#define NUA_HMAGIC_T struct focus_leg

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag.h>

#include "confinfo.h"
#include "focus.h"
#include "room.h"
#include "sx_loop.h"
#include "sxgw.h"

struct focus_room;
struct focus_sub;
struct focus_refer;

/* What every subscription a leg serves starts with, so that conference
 * and REFER subscriptions share their list handling: one dialog may hold
 * several of each, told apart by the Event id (RFC 6665 §8.2.1). */
struct focus_usage {
	struct focus_usage *next;   /* leg->subs or leg->refers */
	char *id;                   /* Event id parameter, or NULL */
};

/* One listen address: a transport on one host and port. */
struct focus_addr {
	char proto[4];              /* "udp" or "tcp" */
	char *host;
	char *port;
};

struct focus {
	struct sxgw *gw;
	nua_t *nua;
	struct focus_addr addr[CONFIG_MAX_LISTEN];
	int naddr;
	struct focus_leg *legs;     /* every handle we hold */
	struct focus_room *rooms;   /* rooms that have subscribers */

	/* shutdown */
	struct sx_timer *stop_timer;
	void (*done)(void *arg);
	void *done_arg;
	int stopping;
	int nua_down;               /* nua_r_shutdown 200 seen */

	/* sofia's own log lines arrive in pieces */
	char logbuf[512];
	size_t loglen;
};

enum leg_call {
	CALL_NONE,                  /* no INVITE on this handle */
	CALL_UP,                    /* INVITE received or sent */
	CALL_DONE,                  /* the session is over */
};

struct focus_leg {
	struct focus *f;
	struct focus_leg *next;     /* f->legs */
	nua_handle_t *nh;
	enum leg_call call;
	int outgoing;               /* a dial-out INVITE (REFER) */
	int answered;               /* dial-out: 2xx received */
	char proto[4];              /* transport of the dialog, for Contact */
	char *room;                 /* room name, once known */
	char *contact;              /* our Contact, with ;isfocus */
	char *peer;                 /* the other side's AOR, for logs */
	char *sdp;                  /* the SDP we sent (answer or offer) */

	struct participant *p;      /* the session's participant, or NULL */
	struct focus_usage *subs;   /* conference subscriptions here */
	struct focus_usage *refers; /* REFER subscriptions served here */

	/* dial-out */
	struct focus_refer *origin; /* the REFER that asked for this call */
	struct sx_timer *timer;     /* answer timeout (invite_timeout) */
};

/* A room that has subscribers: its NOTIFY coalescing timer. */
struct focus_room {
	struct focus *f;
	struct focus_room *next;
	struct room *room;
	struct focus_sub *subs;
	struct sx_timer *timer;
};

/* RFC 4575 subscription. */
struct focus_sub {
	struct focus_usage u;       /* first: in leg->subs */
	struct focus_leg *leg;
	struct focus_room *fr;      /* NULL once the room is gone */
	struct focus_sub *room_next;  /* fr->subs */
	char *who;                  /* subscriber AOR, for logs */
	unsigned long version;      /* of the last NOTIFY sent */
	struct confinfo *last;      /* the state that NOTIFY described */
	int need_full;              /* the next NOTIFY carries full state */
	int inflight;               /* a NOTIFY awaits its response */
	int dirty;                  /* changes wait for that response */
	int ending;                 /* the final NOTIFY is on its way */
};

/* RFC 3515 implicit subscription of one REFER. */
struct focus_refer {
	struct focus_usage u;       /* first: in leg->refers */
	struct focus_leg *leg;      /* the handle the REFER came on */
	struct focus_leg *dial;     /* the INVITE it caused, while pending */
	char *room;
	char *target;               /* Refer-To, for logs */
	char *subject;              /* embedded Subject: the INVITE's */
	char *reason;               /* embedded Reason: the BYE's */
	int max_forwards;           /* the REFER's, minus one; -1: none */
	int inflight;               /* NOTIFYs awaiting their response */
	int pending;                /* status of a NOTIFY still to send */
	char *pending_phrase;
	char *final_reason;         /* Reason of the invitee's final answer
				       (RFC 3326), carried in the last
				       sipfrag so the inviter learns why */
	int final_sent;
};

/* focus.c */
struct focus_leg *focus_leg_new(struct focus *f, nua_handle_t *nh,
				sip_t const *sip);
void focus_leg_release(struct focus_leg *leg);
int focus_leg_set_room(struct focus_leg *leg, const char *room);
char *focus_contact(const struct focus *f, const char *room,
		    const char *proto);
/* The room a request is for: its Request-URI is the room URI, or our own
 * Contact (sip:ROOM@<listen address>).  Caller frees; NULL with
 * err->status 404 or 416. */
char *focus_request_room(struct focus *f, sip_t const *sip,
			 struct sx_err *err);
/* A URI without parameters and headers (an AOR), malloc'd. */
char *focus_url_aor(url_t const *url);
/* A URI without headers and without a "method" parameter, malloc'd. */
char *focus_url_target(url_t const *url);
/* The value of a header embedded in url (RFC 3261 §19.1.1: "?name=value"
 * in the URI) by its name or compact form (may be NULL), %XX-decoded,
 * malloc'd in *value: NULL when absent or empty.  Returns 0, or
 * SX_ERROR with err->status 400 when the value is not UTF-8 text without
 * control characters of at most FOCUS_HDR_MAX bytes (500: out of
 * memory). */
#define FOCUS_HDR_MAX 1024
int focus_url_header(url_t const *url, const char *name,
		     const char *compact, char **value, struct sx_err *err);
/* Whether a Contact carries the isfocus feature tag (RFC 4579 §3). */
int focus_is_focus(sip_contact_t const *m);
/* A display name without its quotes, malloc'd; NULL for none. */
char *focus_display(char const *display);
int focus_is_local(const struct focus *f, url_t const *url);
/* text as the inside of a quoted-string (Warning, Reason): quotes,
 * backslashes and line ends become apostrophes; cut to cap. */
void focus_quote(char *dst, size_t cap, const char *text);
/* Sends a final response with an optional Warning (RFC 3261 §20.43). */
void focus_reply(struct focus *f, nua_handle_t *nh, int status,
		 const char *phrase, const char *warning, int with_this);
/* Refuses the request (SUBSCRIBE, REFER) that made leg, logs it with
 * why, and lets go of leg. */
void focus_refuse(struct focus *f, struct focus_leg *leg,
		  const char *method, int status, const char *phrase,
		  const char *why);
/* The usage of list with Event id parameter id (NULL: none), or NULL. */
struct focus_usage *focus_usage_find(struct focus_usage *list,
				     const char *id);
/* Takes u out of *list. */
void focus_usage_unlink(struct focus_usage **list, struct focus_usage *u);
/* The leg of a request that opens a usage (SUBSCRIBE, REFER): leg when
 * the request came within one of ours, else a new one for nh; NULL after
 * answering 500 and destroying nh. */
struct focus_leg *focus_usage_leg(struct focus *f, nua_handle_t *nh,
				  struct focus_leg *leg, sip_t const *sip);
/* The room such a request on leg is for: the leg's, or else the one its
 * Request-URI names, which becomes the leg's.  NULL after refusing the
 * request (focus_refuse) when there is none or the service is stopping. */
struct room *focus_usage_room(struct focus *f, struct focus_leg *leg,
			      const char *method, sip_t const *sip);
/* A NOTIFY on leg for the subscription package;id (RFC 6665 §4.2.2):
 * active, or terminated;reason=noresource when final; body, of type,
 * may be NULL. */
void focus_notify(struct focus_leg *leg, const char *package,
		  const char *id, int final, const char *type,
		  const char *body);

/* focus_invite.c */
void focus_invite_incoming(struct focus *f, nua_handle_t *nh,
			   struct focus_leg *leg, sip_t const *sip);
void focus_invite_event(nua_event_t event, int status, char const *phrase,
			struct focus_leg *leg, sip_t const *sip,
			tagi_t const *tags);
/* Dials the Refer-To target for a REFER to room r, with the Referred-By
 * header value and its URI; returns 0 or a SIP status. */
int focus_dial(struct focus *f, struct focus_refer *ref, struct room *r,
	       sip_refer_to_t const *to, const char *by_hdr,
	       const char *by_uri);

/* focus_sub.c */
void focus_sub_incoming(struct focus *f, nua_handle_t *nh,
			struct focus_leg *leg, int status, sip_t const *sip,
			tagi_t const *tags);
void focus_sub_notified(struct focus_leg *leg, struct focus_sub *s,
			int status, char const *phrase, int terminated);
void focus_sub_end_all(struct focus *f);
/* Ends s where it is listed (its leg, its room) and frees it. */
void focus_sub_free(struct focus_sub *s);

/* focus_refer.c */
void focus_refer_incoming(struct focus *f, nua_handle_t *nh,
			  struct focus_leg *leg, sip_t const *sip,
			  tagi_t const *tags);
/* Progress of the referred request: 1xx keeps the subscription, a final
 * status ends it; the NOTIFY goes out once the previous one is answered. */
/* The invitee's final answer carried a Reason header (the value). */
void focus_refer_reason(struct focus_refer *ref, const char *reason);
void focus_refer_progress(struct focus_refer *ref, int status,
			  const char *phrase);
void focus_refer_notified(struct focus_leg *leg, struct focus_refer *ref,
			  int status, int terminated);
void focus_refer_end_all(struct focus *f);
/* Takes ref off its leg and its dial-out, and frees it. */
void focus_refer_free(struct focus_refer *ref);

#endif
