/*
 * gw_leg_int.h - what gw_sip.c and the gw_leg*.c files share: the
 * gateway's SIP agent and the insides of a leg.
 *
 *   gw_sip.c       the agent (one nua), event dispatch by handle magic
 *                  (legs, invitations sent, invitations received), the
 *                  reaper that frees legs that are done
 *   gw_invite.c    the REFERs of XMPP inviters and their NOTIFYs
 *   gw_invited.c   the rooms' INVITEs for XMPP users
 *   gw_leg.c       a leg's life: INVITE, NICKNAME, BYE; the callbacks
 *                  to the owner
 *   gw_leg_roster.c  the conference subscription and the roster
 *   gw_leg_msrp.c  its MSRP session: bind, NICKNAME, SEND, receiving
 *   gw_leg_cpim.c  CPIM wrapping of what is sent, decoding of what comes
 *
 * Lifetime.  A leg is freed only by the reaper (a zero timer of the
 * agent), never from inside a callback, a nua event or an MSRP callback:
 * everything that ends a leg sets closing (no more callbacks to the
 * owner), lets its SIP side finish (CANCEL, BYE, un-SUBSCRIBE, bounded by
 * a short cap) and then marks it dead.
 */
#ifndef SXGW_GW_LEG_INT_H
#define SXGW_GW_LEG_INT_H

struct gw_sip;
struct gw_leg;

/* What a nua handle of the agent belongs to: the first member of each
 * owner, so that the handle magic says which kind it is. */
enum gw_sip_kind {
	GW_SIP_LEG = 1,      /* struct gw_leg */
	GW_SIP_INVITE,       /* struct gw_invite: a REFER of ours */
	GW_SIP_INVITED,      /* struct gw_invited: a room's INVITE */
};

struct gw_sip_owner {
	enum gw_sip_kind kind;
};

#define NUA_MAGIC_T  struct gw_sip
#define NUA_HMAGIC_T struct gw_sip_owner

#include <stdint.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "gw.h"
#include "gw_leg.h"
#include "msrp.h"
#include "sdp_msrp.h"

#define LEG_CHUNK        2048    /* RFC 4975 §7.1.1: interruptible */
#define LEG_SEND_TIMEOUT 30000   /* ms an MSRP request may go unanswered */
#define LEG_CLOSE_CAP    3000    /* ms a leaving leg waits for SIP */

struct gw_sip {
	struct gw *gw;
	nua_t *nua;
	char proto[4];           /* "udp" or "tcp": our transport */
	char *hostport;          /* in our Contacts: "127.0.0.1:5070" */
	char *host;              /* for MSRP, without brackets */
	char *proxy;             /* where requests go */
	struct gw_leg *legs;
	struct sx_timer *reaper;
	unsigned long next_id;
	int have_contact;        /* nua_r_get_params told our port */
	int down;                /* nua_r_shutdown completed */
	int stopping;
};

enum leg_state {
	LEG_INVITING,    /* INVITE sent, no final answer yet */
	LEG_ANSWERED,    /* a room's INVITE answered 200, no ACK yet */
	LEG_CONNECTING,  /* 200 ACKed, MSRP connecting and binding */
	LEG_NAMING,      /* the first NICKNAME awaits its answer */
	LEG_SUBSCRIBING, /* SUBSCRIBE sent, no full NOTIFY yet */
	LEG_JOINED,
};

/* A message from the room held until gw_leg_flush_history(). */
struct leg_held {
	struct leg_held *next;
	char *body;              /* message/cpim */
	size_t len;
	int history;             /* arrived before the join completed */
};

/* One message of ours until every chunk was answered. */
struct leg_out {
	struct leg_out *next;
	void *cookie;
	unsigned outstanding;    /* chunks sent and not answered */
	int status;              /* the first error, or 200 */
	char phrase[128];
	int sending;             /* still being chunked out */
};

enum leg_req_kind {
	REQ_BIND,
	REQ_NICK,
	REQ_CHUNK,
};

/* An MSRP request of ours awaiting its response, by transaction id. */
struct leg_req {
	struct leg_req *next;
	char tid[MSRP_TID_MAX + 1];
	enum leg_req_kind kind;
	struct leg_out *out;     /* REQ_CHUNK */
	char *nick;              /* REQ_NICK */
	uint64_t deadline;       /* ms, monotonic */
};

struct gw_leg {
	struct gw_sip_owner owner;   /* GW_SIP_LEG: first */
	struct gw *gw;
	struct gw_sip *sip;
	struct gw_leg *next;     /* sip->legs */
	unsigned long id;        /* for logs */
	enum leg_state state;
	const struct gw_leg_ops *ops;
	void *arg;
	int closing;             /* the owner hears nothing more */
	int dead;                /* the reaper frees it */

	char *room_uri;          /* Request-URI and To */
	char *room_aor;          /* CPIM To */
	char *aor;               /* From and CPIM From */
	char *resource;          /* the XMPP resource, raw: our gr */
	char *contact;           /* our Contact URI, with ;gr= */
	char *from_hdr;          /* "nick" <aor> */
	char *contact_hdr;       /* <contact> */
	char *nick;              /* asked, then held */
	char *referred_by;

	nua_handle_t *call;
	nua_handle_t *sub;
	char *offer;             /* the room's SDP offer (LEG_ANSWERED) */
	int invite_final;        /* the INVITE had its final answer */
	int call_up;             /* a dialog that needs a BYE */
	int bye_sent;
	int subscribed;          /* a subscription not terminated */
	int unsub_sent;
	int unsub_done;

	struct sx_timer *timer;  /* join_timeout, then the leaving cap */
	struct sx_timer *defer;  /* an MSRP failure, told from the loop */
	char *fail_why;          /* what the deferred failure says */

	struct confinfo *roster; /* local copy of the room's state */
	int have_full;           /* a full document was applied */

	struct leg_held *held;
	struct leg_held **held_tail;
	int holding;             /* until gw_leg_flush_history() */

	/* gw_leg_msrp.c */
	struct msrp_conn *conn;
	int msrp_off;            /* closed on our side: ignore the rest */
	int bound;
	char session_id[MSRP_TID_MAX + 1];
	char path[400];          /* our a=path, From-Path */
	char *to_path;           /* the switch's a=path */
	uint64_t remote_max;     /* its a=max-size, 0 when none */
	struct msrp_reasm *reasm;
	struct leg_req *reqs;
	struct leg_out *outs;
	struct sx_timer *req_timer;
	int rx_take;             /* the SEND being received is kept */
	int rx_refused;          /* it was answered with an error */
	uint64_t rx_at;          /* 1-based position of its next byte */
};

/* gw_sip.c */
/* The leg is done: the reaper frees it. */
void gw_sip_leg_dead(struct gw_leg *leg);
/* Milliseconds of a monotonic clock. */
uint64_t gw_sip_now_ms(void);

/* gw_invite.c */
void gw_invite_sip_event(struct gw_sip_owner *owner, nua_event_t event,
			 int status, const char *phrase, nua_handle_t *nh,
			 const sip_t *sip);

/* gw_invited.c */
/* An INVITE to the agent outside any dialog: a room invites an XMPP
 * user (or someone calls one, which is refused). */
void gw_invited_incoming(struct gw *gw, nua_handle_t *nh, const sip_t *sip);
void gw_invited_sip_event(struct gw_sip_owner *owner, nua_event_t event,
			  int status, const char *phrase, nua_handle_t *nh,
			  const sip_t *sip);

/* gw_leg.c, for the other gw_leg*.c */
/* The join failed: the leg ends, then failed() (unless already closing). */
void leg_fail(struct gw_leg *leg, int status, const char *phrase);
/* The room ended a joined leg: sent(503) for what is pending, the leg
 * ends, then ended(). */
void leg_end(struct gw_leg *leg, int booted, const char *reason);
/* A closing leg whose SIP side is done is marked dead. */
void leg_check_done(struct gw_leg *leg);

/* gw_leg_roster.c */
/* SUBSCRIBE (or refresh) to the room's conference events. */
void leg_subscribe(struct gw_leg *leg);
void leg_on_notify(struct gw_leg *leg, const sip_t *sip);
void leg_on_subscribe_answer(struct gw_leg *leg, int status,
			     const char *phrase);

/* gw_leg.c, from gw_invited.c: the join of an invited user answers the
 * room's INVITE (nh, pending, with its SDP offer) with 200 and our SDP;
 * after the ACK the join goes on as gw_leg_join()'s does, MSRP onwards.
 * The leg takes nh.  NULL on a local failure or an offer we cannot take
 * (err->status 488 or 500): nh is left to the caller to answer. */
struct gw_leg *leg_answer(struct gw *gw, nua_handle_t *nh, const char *offer,
			  size_t len, const struct gw_leg_params *p,
			  const struct gw_leg_ops *ops, void *arg,
			  struct sx_err *err);

/* gw_leg.c, from gw_sip.c */
void leg_sip_event(struct gw_leg *leg, nua_event_t event, int status,
		   const char *phrase, nua_handle_t *nh, const sip_t *sip);
void leg_free(struct gw_leg *leg);
/* The agent stops: no more callbacks, SIP ended as it can be. */
void leg_abandon(struct gw_leg *leg);

/* gw_leg.c, from gw_leg_msrp.c */
void leg_on_bound(struct gw_leg *leg);
void leg_on_nick(struct gw_leg *leg, const char *nick, int status,
		 const char *phrase);
/* The MSRP session failed; told from the loop, never inside a call. */
void leg_on_msrp_failed(struct gw_leg *leg, const char *why);
/* A complete message/cpim body from the room (taken: leg frees it). */
void leg_on_cpim(struct gw_leg *leg, char *body, size_t len);
/* The switch answered a message of ours. */
void leg_on_sent(struct gw_leg *leg, void *cookie, int status,
		 const char *phrase);

/* gw_leg_msrp.c */
int leg_msrp_init(struct gw_leg *leg, struct sx_err *err);
/* Our SDP offer (malloc'd). */
char *leg_msrp_offer(struct gw_leg *leg, struct sx_err *err);
/* Connects to the first hop of the answer's a=path; the bind follows. */
int leg_msrp_connect(struct gw_leg *leg, const struct sdp_msrp *answer,
		     struct sx_err *err);
int leg_msrp_nickname(struct gw_leg *leg, const char *nick);
/* Sends a message/cpim body in chunks; sent() gets cookie. */
int leg_msrp_send(struct gw_leg *leg, const char *body, size_t len,
		  void *cookie);
/* Every message in flight is answered with status (503). */
void leg_msrp_fail_pending(struct gw_leg *leg, int status,
			   const char *phrase);
/* Stops reading and forgets what is pending; the reaper frees. */
void leg_msrp_close(struct gw_leg *leg);
void leg_msrp_free(struct gw_leg *leg);

/* gw_leg_cpim.c */
/* m as message/cpim from our AOR and nick to the room (or ;gr=NICK);
 * malloc'd, *len its length; NULL with err. */
char *leg_cpim_wrap(const struct gw_leg *leg, const struct gw_out *m,
		    size_t *len, struct sx_err *err);

/* A decoded message: m points into the body and into the fields here. */
struct leg_cpim_in {
	struct gw_msg m;
	char *from_aor;
	char from_name[1024];
	char type[128];
	char *subject;
	char composing[8];
};
/* Decodes body (len bytes) into in.  0, or SX_ERROR with err (the
 * message is then dropped).  Release with leg_cpim_in_free(). */
int leg_cpim_decode(const char *body, size_t len, struct leg_cpim_in *in,
		    struct sx_err *err);
void leg_cpim_in_free(struct leg_cpim_in *in);

#endif
