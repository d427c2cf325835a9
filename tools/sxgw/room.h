/*
 * room.h - chat rooms and their participants (RFC 4353 conference model,
 * RFC 7701 chat room, RFC 7700 nicknames): who is in a room, under which
 * nickname, what was said lately, the subject, and the RFC 4575 roster
 * derived from all that.
 *
 * A participant is one SIP dialog (owned by the focus, p->leg) plus one
 * MSRP session (owned by the switch, p->msrp).  Either side may end it
 * with room_leave(); room.c then tells the other side to let go
 * (focus_leg_end / switch_session_end) and reports the change to
 * subscribers (focus_room_changed).
 *
 * One that left stays in the roster a short while (ROOM_GONE_LINGER_MS)
 * as a disconnected endpoint with its disconnection-method (RFC 4575
 * §5.6.7: departed, booted, failed), so that subscribers learn how it
 * went; then it is deleted from the roster.
 */
#ifndef SXGW_ROOM_H
#define SXGW_ROOM_H

#define ROOM_GONE_LINGER_MS 2000

#include <stddef.h>
#include <time.h>

#include "confinfo.h"
#include "sx_err.h"
#include "sxgw.h"

struct focus_leg;
struct switch_session;

enum participant_state {
	PART_ALERTING,    /* dialed out (REFER), not answered yet */
	PART_CONNECTING,  /* dialog up, MSRP session not bound yet */
	PART_CONNECTED,   /* MSRP session bound */
};

enum leave_reason {
	LEAVE_DEPARTED,   /* BYE from the participant, or its MSRP closed */
	LEAVE_BOOTED,     /* REFER method=BYE */
	LEAVE_FAILED,     /* dial-out failed, MSRP bind timeout, congestion */
	LEAVE_SHUTDOWN,   /* the service is stopping */
};

struct participant {
	struct room *room;
	struct participant *next;
	unsigned long id;          /* unique in the process, for logs */

	/* identity, from the INVITE */
	char *aor;                 /* From URI without parameters */
	char *user;                /* roster user entity: aor, or aor;gr=
				      (room_user_entity), fixed at join */
	char *display;             /* From display name, may be NULL */
	char *contact;             /* Contact URI: endpoint entity */
	char *referred_by;         /* dial-out: who invited, may be NULL */
	int dialed_out;            /* joining-method dialed-out */
	time_t joined_at;

	/* from the SDP offer or answer (sdp_msrp) */
	char *remote_path;         /* a=path of the participant */
	char **accept_wrapped;     /* NULL-terminated; NULL: anything */
	int private_messages;      /* a=chatroom:private-messages */
	int nickname_token;        /* a=chatroom:nickname: it joins with
				      NICKNAME, history waits for that */

	char *nick;                /* NULL until a NICKNAME succeeded */
	char *nick_key;            /* nick after RFC 7700 preparation */
	enum participant_state state;

	struct focus_leg *leg;     /* SIP side, NULL when gone */
	struct switch_session *msrp;  /* MSRP side, NULL when gone */
};

/* A participant that left, still in the roster (see above). */
struct room_gone {
	struct room_gone *next;
	char *aor, *user, *display, *contact, *nick, *referred_by;
	int dialed_out;
	const char *method;        /* departed, booted, failed */
	char *reason;              /* disconnection-info reason, or NULL */
	unsigned long long until;  /* deleted then (monotonic ms) */
};

struct room_message {
	char *data;                /* the CPIM body as received */
	size_t len;
};

struct room {
	struct sxgw *gw;
	struct room *next;
	char *name;                /* "design" */
	char *uri;                 /* "sip:design@conference.example.test" */
	char *subject;             /* NULL: none set */
	struct participant *participants;  /* in order of arrival */
	unsigned count;
	time_t created_at;
	int persistent;            /* [conference] rooms: never destroyed
				      while the service runs */

	struct room_gone *gone;    /* left lately, oldest first */
	struct sx_timer *gone_timer;

	/* the last history_size public messages, oldest first */
	struct room_message *history;
	unsigned hist_start, hist_len;
};

/* Rooms.  room_uri_name() checks that uri is in the conference domain and
 * returns the room name (caller frees), or NULL (err->status 404). */
char *room_uri_name(struct sxgw *gw, const char *uri, struct sx_err *err);
struct room *room_find(struct sxgw *gw, const char *name);
/* Creates the rooms of [conference] rooms.  0, or SX_ERROR (err). */
int room_create_configured(struct sxgw *gw, struct sx_err *err);
/* Finds or creates; *created tells which.  NULL when max_rooms is reached
 * or the service is stopping. */
struct room *room_get(struct sxgw *gw, const char *name, int *created);
/* Destroys every room (shutdown): participants leave with
 * LEAVE_SHUTDOWN. */
void room_destroy_all(struct sxgw *gw);

/* Participants.  room_join() adds one in state PART_CONNECTING (or
 * PART_ALERTING when dialed_out); NULL with err->status 486 when the room
 * is full. */
struct participant *room_join(struct room *r, const char *aor,
			      const char *display, const char *contact,
			      int dialed_out, struct sx_err *err);
/* A dialed-out participant answered (2xx): it now has the bind time of
 * the switch to bind its MSRP session. */
void room_answered(struct participant *p);
/* The MSRP session is bound: the participant is in. */
void room_connected(struct participant *p);
/* The participant goes: the side that calls this has already let go of
 * its own part (set p->leg or p->msrp to NULL); the other side is told to
 * let go of its part; subscribers hear of it; an empty room is destroyed
 * unless keep_rooms.  p is freed. */
void room_leave(struct participant *p, enum leave_reason why);
/* REFER method=BYE from by (an AOR): p leaves as LEAVE_BOOTED, its BYE
 * and its roster entry say who removed it; reason, when not NULL, is the
 * Reason header value (RFC 3326) the remover gave for that BYE, which
 * then replaces "Removed by" there (the roster still names by). */
void room_boot(struct participant *p, const char *by, const char *reason);

struct participant *room_find_nick(const struct room *r, const char *nick);
struct participant *room_find_aor(const struct room *r, const char *aor);

/* The roster user entity of aor reached at uri (a Contact, a Refer-To):
 * aor itself, or aor ";gr=" and the value of uri's gr parameter (RFC 5627
 * §4) when it has one with a value, escaped in one canonical way so that
 * equal values give equal strings.  malloc'd; NULL when out of memory. */
char *room_user_entity(const char *aor, const char *uri);
/* A participant the user entity designates: with ;gr=, the one of that
 * user; a bare AOR designates every participant of that AOR, whatever
 * their gr (RFC 4579 §5.11 removes all of them).  NULL when none. */
struct participant *room_find_user(const struct room *r, const char *user);

/* NICKNAME (RFC 7701 §6.1, RFC 7700): returns 200, 424 (malformed) or
 * 425 (in use by another AOR); on 200 the old nick is released and
 * subscribers hear of the change. */
int room_set_nick(struct participant *p, const char *nick, size_t len,
		  struct sx_err *err);

void room_set_subject(struct room *r, const char *subject,
		      const struct participant *by);

/* History of public messages: copied in; the oldest is dropped beyond
 * history_size.  room_history_each() calls fn oldest first. */
void room_history_add(struct room *r, const char *data, size_t len);
void room_history_each(const struct room *r,
		       void (*fn)(void *arg, const struct room_message *m),
		       void *arg);

/* The room as a full RFC 4575 document (version 0: the focus sets it per
 * subscription).  Participants sharing a user entity (room_user_entity)
 * are one user with several endpoints: those of one AOR without gr are;
 * each GRUU is a user of its own.  Caller frees with confinfo_free(). */
struct confinfo *room_confinfo(const struct room *r);

#endif
