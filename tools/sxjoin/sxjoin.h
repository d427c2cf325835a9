/*
 * sxjoin.h - the parts of sxjoin(1) and how they meet.
 *
 *   main.c      options, signals, the idle timer, start and exit
 *   session.c   the join as a state machine: INVITE answered, MSRP bound,
 *               nickname set, subscribed; leaving and being ended
 *   sip.c       the SIP user agent (sofia-sip nua): INVITE/ACK/BYE,
 *               SUBSCRIBE/NOTIFY, REFER, REGISTER, invitations received
 *   chat.c      the MSRP session (RFC 4975, RFC 7701): bind, NICKNAME,
 *               SEND in CPIM, receiving
 *   relay.c     the way through an MSRP relay (RFC 4976): AUTH, its
 *               Digest challenge, the Use-Path, re-AUTH before it expires
 *   message.c   CPIM (RFC 3862) wrapping of what we send, decoding of
 *               what the room sends
 *   roster.c    conference-info NOTIFYs (RFC 4575) folded into the room's
 *               roster; joins, leaves and renames found by comparison
 *   command.c   what the user types: lines to the room, /commands
 *   event.c     events as text lines or JSON (a documented interface)
 *   ui_tty.c    the terminal: readline prompt, events above it
 *   ui_lines.c  lines from stdin, one event per output line
 *
 * Everything runs on one sx_loop; nothing blocks.
 */
#ifndef SXJOIN_H
#define SXJOIN_H

#include <stddef.h>
#include <time.h>

#include "sx_err.h"
#include "sip_uri.h"
#include "sx_loop.h"

/* Exit codes, documented in sxjoin(1). */
enum {
	SJ_EXIT_OK = 0,      /* joined and left */
	SJ_EXIT_USAGE = 1,
	SJ_EXIT_JOIN = 2,    /* the join failed */
	SJ_EXIT_ENDED = 3,   /* the room ended the session */
};

struct sj_opts {
	const char *from;        /* our SIP URI, maybe with a display name */
	const char *nick;
	const char *proxy;
	const char *registrar;
	const char *listen;      /* SIP URI of our transport */
	const char *room;        /* ROOM-URI, NULL with --wait-for-calls */
	const char *relay;       /* MSRP URI of our relay, or NULL */
	const char *relay_auth;  /* USER:PASSWORD for its Digest, or NULL */
	const char *notify_dir;  /* where NOTIFY bodies are kept, or NULL */
	size_t chunk_size;       /* --chunk-size; 0: the default */
	int wait_for_calls;
	int do_register;
	int json;
	unsigned long idle_s;    /* --exit-after-idle; 0: never */
};

/* The life of one participation, in order. */
enum sj_state {
	SJ_RELAYING,     /* --relay: AUTH to the relay, no answer yet */
	SJ_WAITING,      /* --wait-for-calls: no invitation yet */
	SJ_INVITING,     /* our INVITE has no final answer yet */
	SJ_CONNECTING,   /* MSRP connection being opened (or awaited) and
			    bound with a bodiless SEND */
	SJ_NAMING,       /* the first NICKNAME awaits its answer */
	SJ_JOINED,       /* in the room */
	SJ_LEAVING,      /* BYE (or CANCEL) sent */
	SJ_DONE,         /* shutting the stack down */
};

struct sj_sip;
struct sj_chat;
struct sj_relay;
struct roster;
struct sj_line;
struct sdp_msrp;
struct msrp_frame;

struct sj {
	struct sx_loop *loop;
	struct sj_opts o;
	enum sj_state state;
	int exit_code;
	int joined;            /* the session was set up: leaving exits 0 */
	int ended;             /* the room ended it: exit 3 */
	int failed;            /* the join failed before a room was known */
	unsigned notify_seq;   /* NOTIFY bodies kept in --notify-dir */

	char *aor;             /* our address of record: CPIM From */
	char *room;            /* the room's URI as called (Request-URI) */
	char *room_aor;        /* its identity without parameters: CPIM To */
	char *nick;            /* the nickname the room accepted, or NULL */
	char *first_nick;      /* asked for at join: --nick or our user */
	char *subject;         /* the last subject shown */

	struct sj_sip *sip;
	struct sj_chat *chat;
	struct sj_relay *relay;
	struct roster *roster;
	const struct sj_ui *ui;

	struct sx_timer *idle;
	struct sx_timer *cap;  /* bounds the time spent leaving */
	struct sx_watch *sig_watch;
	int sig_fd;

	/* Lines typed before the join completed wait here, in order. */
	struct sj_line *queue;
	struct sj_line **queue_tail;
	int input_ended;       /* leave once the queue is through */
};

/* --- events (event.c): everything shown to the user ---------------------- */

enum sj_event_type {
	SJ_EV_READY,     /* waiting for invitations at a contact */
	SJ_EV_INVITED,   /* a room invited us */
	SJ_EV_JOINED,    /* our join is complete: in the room with a nick */
	SJ_EV_WHO,       /* who is in the room */
	SJ_EV_JOIN,      /* someone joined */
	SJ_EV_LEAVE,     /* someone left */
	SJ_EV_RENAME,    /* someone changed nickname */
	SJ_EV_NICK,      /* our own nickname changed */
	SJ_EV_MESSAGE,   /* a message from the room */
	SJ_EV_SENT,      /* the room accepted a message of ours */
	SJ_EV_SUBJECT,   /* the room's subject */
	SJ_EV_REFER,     /* progress of an /invite or /kick */
	SJ_EV_INFO,      /* informational text (/help, registration) */
	SJ_EV_ERROR,     /* something failed */
	SJ_EV_LEFT,      /* we left the room */
	SJ_EV_ENDED,     /* the room ended our session */
};

struct sj_event {
	enum sj_event_type type;
	struct timespec time;        /* zero: now */
	const char *room;
	const char *nick;            /* who: sender, joiner, our own nick */
	const char *old_nick;        /* RENAME */
	const char *aor;             /* who, as a SIP URI */
	const char *text;            /* body, subject, error text, the
					reason of an invitation: UTF-8;
					MESSAGE: NULL for a body that is
					not text (its size in text_len) */
	size_t text_len;             /* with sized set */
	int sized;                   /* text is text_len bytes, not a C
					string */
	const char *content_type;    /* MESSAGE: when not text/plain */
	const char *target;          /* SENT private: nick; REFER: URI */
	const char *what;            /* ERROR: operation; REFER: method;
					LEAVE: disconnection method */
	int status;                  /* ERROR, REFER, ENDED: status code */
	int private_msg;             /* MESSAGE, SENT */
	int final;                   /* REFER: the last report */
	const char *const *nicks;    /* WHO */
	size_t nnicks;
};

/* Shows an event and re-arms the idle timer. */
void sj_emit(struct sj *app, const struct sj_event *e);
/* Re-arms the idle timer (input came). */
void sj_touch(struct sj *app);
/* Shorthands. */
void sj_error(struct sj *app, const char *what, int status,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sj_info(struct sj *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One event as a line of text without the newline, or as a JSON object;
 * malloc'd, NULL when out of memory. */
char *event_text(const struct sj_event *e);
char *event_json(const struct sj_event *e);

/* --- user interfaces ----------------------------------------------------- */

struct sj_ui {
	int (*start)(struct sj *app);
	void (*emit)(struct sj *app, const struct sj_event *e);
	void (*nick_changed)(struct sj *app);
	void (*stop)(struct sj *app);
};

extern const struct sj_ui ui_tty;
extern const struct sj_ui ui_lines;

/* --- command.c --------------------------------------------------------- */

/* A line the user typed (without its newline). */
void command_line(struct sj *app, const char *line);
/* End of input: leave once the queued lines are through (not with
 * --wait-for-calls, whose session ends with the room). */
void command_input_end(struct sj *app);
/* Runs the queued lines once the join is complete; at the end of input,
 * leaves once everything sent was answered.  Called again whenever an
 * answer comes. */
void command_flush(struct sj *app);
void command_queue_free(struct sj *app);
/* Nicknames and commands that start with text (tab completion): a
 * malloc'd NULL-terminated array of malloc'd strings, or NULL. */
char **command_complete(struct sj *app, const char *text, int at_start);

/* --- session.c --------------------------------------------------------- */

/* Sets the stack up and joins (or starts waiting).  Returns 0, or the
 * exit code to leave with (err says why). */
int session_start(struct sj *app, struct sx_err *err);
/* Leaves the room (or stops waiting); a second call gives up waiting. */
void session_leave(struct sj *app, const char *why);
/* Whether all we sent has been answered (input may end safely). */
int session_idle(struct sj *app);

/* From sip.c */
void session_sip_ready(struct sj *app, const char *contact);
void session_join_answered(struct sj *app, int status, const char *phrase,
			   const char *sdp, size_t len);
/* An invitation from a focus (room: its From, by: Referred-By or NULL,
 * me: its To, subject: its Subject, the inviter's reason, or NULL):
 * fills *answer (malloc'd SDP) and returns the status to answer with. */
int session_invited(struct sj *app, const char *room, const char *by,
		    const char *me, const char *subject, const char *sdp,
		    size_t len, char **answer, const char **phrase);
void session_bye_received(struct sj *app, const char *reason);
void session_bye_answered(struct sj *app);
void session_sip_down(struct sj *app);

/* From relay.c: the relay granted (or refused) its path. */
void session_relay_ready(struct sj *app);
void session_relay_failed(struct sj *app, int status, const char *why);

/* From chat.c */
void session_chat_bound(struct sj *app);
void session_chat_failed(struct sj *app, const char *why);
void session_nick_answered(struct sj *app, const char *nick, int status,
			   const char *comment);

/* --- sip.c ------------------------------------------------------------- */

int sip_start(struct sj *app, struct sx_err *err);
void sip_invite(struct sj *app, const char *sdp);
void sip_cancel(struct sj *app);
void sip_bye(struct sj *app);
void sip_subscribe(struct sj *app);
void sip_unsubscribe(struct sj *app);
/* REFER to the room: an invitation, or with bye a removal. */
void sip_refer(struct sj *app, const char *target, int bye);
int sip_refers_pending(const struct sj *app);
void sip_shutdown(struct sj *app);
void sip_free(struct sj *app);
/* The host our SIP transport is bound to, for MSRP and SDP. */
const char *sip_local_host(const struct sj *app);

/* --- chat.c ------------------------------------------------------------ */

int chat_start(struct sj *app, struct sx_err *err);
/* Opens the connection to the relay (first hop); relay_connected() is
 * called once it is up. */
int chat_relay_connect(struct sj *app, const char *relay_uri,
		       struct sx_err *err);
/* Sends an AUTH to the relay (authorization, expires: header values, or
 * NULL); its response goes to relay_answered(). */
int chat_send_auth(struct sj *app, const char *relay_uri,
		   const char *authorization, const char *expires);
/* Our media description: m= port, a=path, types, chatroom, with the
 * setup given; malloc'd SDP or NULL. */
char *chat_sdp(struct sj *app, int active, struct sx_err *err);
/* Starts the session toward the room's description: connects when we are
 * active, else waits for the room to connect.  0 or SX_ERROR. */
int chat_connect(struct sj *app, const struct sdp_msrp *remote, int active,
		 struct sx_err *err);
void chat_nickname(struct sj *app, const char *nick);
/* to_nick NULL: to the room.  subject: a subject change, text its value. */
void chat_send(struct sj *app, const char *to_nick, const char *text,
	       int subject);
int chat_pending(const struct sj *app);
void chat_close(struct sj *app);
void chat_free(struct sj *app);

/* --- relay.c ---------------------------------------------------------- */

/* Parses --relay and --relay-auth and starts the AUTH.  0 or SX_ERROR. */
int relay_start(struct sj *app, struct sx_err *err);
void relay_connected(struct sj *app);
void relay_answered(struct sj *app, const struct msrp_frame *f);
/* The Use-Path the relay granted, or NULL (no relay, or not yet). */
const char *relay_use_path(const struct sj *app);
void relay_free(struct sj *app);

/* --- message.c --------------------------------------------------------- */

/* A CPIM message from aor (shown as nick) to to_uri; text/plain, or with
 * subject set, a subject change (urn:x-sxgw:room) with an empty body.
 * malloc'd, *len its length; NULL on failure (err says why). */
char *message_wrap(const char *aor, const char *nick, const char *to_uri,
		   const char *text, int subject, size_t *len,
		   struct sx_err *err);
/* Decodes a message/cpim body from the room and emits it. */
void message_received(struct sj *app, const char *body, size_t len);

/* --- roster.c ---------------------------------------------------------- */

struct roster *roster_new(void);
void roster_free(struct roster *r);
/* Folds in a NOTIFY body; emits joins, leaves, renames, the roster at the
 * first document, and subject changes.  Returns 1 when a notification was
 * missed and the subscription must be refreshed for a full state, else
 * 0. */
int roster_notify(struct sj *app, const char *body, size_t len);
/* Keeps a NOTIFY body as --notify-dir/notify-NNNN.xml, in order. */
void roster_keep(struct sj *app, const char *body, size_t len);
/* The nicknames present, sorted (borrowed; valid until the next NOTIFY). */
size_t roster_nicks(const struct roster *r, const char *const **out);
/* A participant's nickname by AOR, or NULL. */
const char *roster_nick_of(const struct roster *r, const char *aor);
/* A participant's AOR by nickname, or NULL. */
const char *roster_aor_of(const struct roster *r, const char *nick);
/* Emits the WHO event. */
void roster_who(struct sj *app);

#endif
