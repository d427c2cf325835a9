/*
 * switch_int.h - what the switch*.c files share: connections, sessions,
 * messages in flight and the recipients they go to.
 *
 * Lifetimes.  A connection (sw_conn) lives from accept until its stream
 * closes or the switch closes it; freeing is always deferred to the
 * reaper (a zero-delay timer), because a stream may report its end from
 * inside a write made while another connection's frame is being handled.
 * A session lives from switch_session_new() until its participant
 * leaves.  A message (sw_msg) lives from its first chunk to its last, its
 * abort, or its chunk timer; recipients that go meanwhile are cleared from
 * it (rcpt.s = NULL), never removed, so that a fan-out loop can go on.
 *
 * Memory is bounded per session: at most SW_MAX_INFLIGHT messages
 * arriving at once, each holding at most max_header_bytes of CPIM header
 * prefix while its headers are incomplete, and (public messages only,
 * when they span several chunks) the body for history, at most
 * max_message_size.
 */
#ifndef SXGW_SWITCH_INT_H
#define SXGW_SWITCH_INT_H

#include <stdint.h>
#include <time.h>

#include "msrp_conn.h"
#include "room.h"
#include "switch.h"
#include "sx_loop.h"

#define SW_URI_MAX        320
#define SW_MAX_INFLIGHT   8      /* messages arriving at once per session */

struct sw_msg;

/* What the frame being received on a connection is. */
enum sw_frame_kind {
	FRAME_IGNORE,     /* answered already, a response, a REPORT */
	FRAME_BIND,       /* bodiless SEND: a bind or a keep-alive */
	FRAME_NICKNAME,
	FRAME_SEND,       /* a chunk of a message */
};

struct sw_frame {
	enum sw_frame_kind kind;
	struct switch_session *s;  /* the session it is for */
	struct sw_msg *msg;        /* FRAME_SEND: its message, NULL once gone */
	uint64_t at;               /* 1-based position of the next body byte */
	int status;                /* FRAME_SEND: answer instead of 200 */
	const char *why;           /* ...with this comment */
	int bound;                 /* it bound s */
};

struct sw_conn {
	struct msrp_switch *sw;
	struct sw_conn *next;           /* sw->conns */
	struct msrp_conn *mc;
	char peer[64];
	struct switch_session *sessions;  /* bound here, by cnext */
	struct sx_timer *idle;          /* no session: close when it fires */
	int closed;                     /* waiting for the reaper */
	struct sw_frame cur;

	/* congestion (switch_queue.c) */
	int congested;
	time_t congested_at;
	unsigned long dropped;          /* frames not sent while congested */
	struct sx_timer *congestion;
};

struct switch_session {
	struct msrp_switch *sw;
	struct participant *p;
	struct switch_session *hnext;   /* hash chain */
	struct switch_session *cnext;   /* conn->sessions */
	struct sw_conn *conn;           /* bound connection, or NULL */
	char id[MSRP_TID_MAX + 1];      /* 16 random alphanumerics */
	char uri[SW_URI_MAX];           /* ours: From-Path toward it */
	char *to_path;                  /* the From-Path it bound with */
	struct sx_timer *timer;         /* unbound: bind_timeout; bound:
					   history_delay_ms */
	int history_sent;               /* the history went to it */
	struct sw_msg *msgs;            /* its messages arriving now */
	unsigned inflight;              /* how many */
};

/* A message on its way from one session to others. */
enum sw_msg_state {
	MSG_HEAD,        /* collecting the CPIM headers */
	MSG_FORWARD,     /* recipients chosen, chunks go out */
	MSG_REFUSED,     /* every chunk gets status */
};

struct sw_rcpt {
	struct switch_session *s;       /* NULL: gone or cut off */
	uint64_t next;                  /* 1-based position it gets next */
};

struct sw_msg {
	struct msrp_switch *sw;
	struct sw_msg *next, *prev;     /* sw->msgs */
	struct sw_msg *snext;           /* from->msgs */
	struct switch_session *from;
	char id[MSRP_TID_MAX + 1];      /* the sender's Message-ID */
	char out_id[MSRP_TID_MAX + 1];  /* ours, toward every recipient */
	enum sw_msg_state state;
	int status;                     /* MSG_REFUSED */
	char why[128];                  /* ...and the comment */
	uint64_t total;                 /* MSRP_UNKNOWN until known */
	uint64_t next_in;               /* position of the next byte in */
	int final_sent;                 /* the '$' chunk went out */

	char *head;                     /* MSG_HEAD: the body so far */
	size_t head_len;

	int public_msg;
	char *subject;                  /* a subject change: its value */
	int keep;                       /* goes into history when complete */
	char *hist;                     /* the body, when it spans chunks */
	size_t hist_len;

	struct sw_rcpt *rcpt;
	unsigned nrcpt;
	struct sx_timer *timer;         /* chunk_timeout */
};

struct msrp_switch {
	struct sxgw *gw;
	const struct sxgw_config *cfg;
	struct sx_listener *ls;
	char host[256];
	unsigned port;
	struct msrp_limits limits;

	struct switch_session **buckets;  /* by session id */
	size_t nbuckets, nsessions;

	struct sw_conn *conns;
	struct sw_msg *msgs;              /* every message in flight */
	struct sx_timer *reaper;
};

/* switch.c */
/* Closes c once the current callbacks are done. */
void sw_conn_close(struct sw_conn *c, const char *why);
/* The session leaves the room for why (its MSRP side is the cause). */
void sw_session_leave(struct switch_session *s, enum leave_reason why);

/* switch_judge.c */
struct cpim_msg;
/* Checks m's CPIM headers and picks its recipients (m->rcpt, m->subject,
 * m->keep).  Returns 0 or the status to refuse with, why saying why. */
int sw_judge(struct sw_msg *m, const struct cpim_msg *cm, char *why,
	     size_t cap);
/* Whether q takes type inside CPIM (its accept-wrapped-types). */
int sw_accepts(const struct participant *q, const char *type);

/* switch_send.c */
void sw_send_headers(struct sw_conn *c, const struct msrp_frame *f);
void sw_send_body(struct sw_conn *c, const struct msrp_frame *f,
		  const char *data, size_t len);
void sw_send_end(struct sw_conn *c, const struct msrp_frame *f, char flag);
/* The parser gave up on the frame (on_error): the message is aborted. */
void sw_send_frame_lost(struct sw_conn *c);
/* s goes: its messages are aborted toward their recipients, and it is
 * cleared from the recipients of the others'. */
void sw_send_session_gone(struct switch_session *s);
/* Every message going to a session on c is cut off with '#'. */
void sw_send_cut_conn(struct sw_conn *c);
void sw_history_replay(struct switch_session *s);
void sw_msg_free_all(struct msrp_switch *sw);

/* switch_queue.c */
/* Whether s may be given a new message now (bound, open, not congested);
 * a message refused for congestion is counted as dropped. */
int sw_queue_admit(struct switch_session *s);
/* Writes one frame toward s: 0, or SX_ERROR when it was not written
 * (unbound, closed or congested).  May mark the connection congested,
 * which cuts off what is in flight to it. */
int sw_queue_send(struct switch_session *s, const struct msrp_out *o,
		  const char *body, size_t len, char flag);
/* An empty chunk ending message id toward s with '#', written even when
 * congested (it is small and ends something bigger). */
void sw_queue_abort(struct switch_session *s, const char *msg_id,
		    uint64_t next, uint64_t total);
void sw_queue_drained(struct sw_conn *c);
void sw_queue_conn_free(struct sw_conn *c);

#endif
