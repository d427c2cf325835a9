/*
 * session.c - one participation in a room, as the state machine of enum
 * sj_state:
 *
 *   INVITING    INVITE with an MSRP offer sent (RFC 4579 §5.1, RFC 4975
 *               §8, RFC 7701 §5: a=chatroom); answered 2xx ->
 *   CONNECTING  we are the active side (RFC 6135): TCP to the first hop
 *               of the room's a=path, then a bodiless SEND (RFC 4975
 *               §5.4); answered 200 ->
 *   NAMING      NICKNAME (RFC 7701 §6.1); answered (200 or not) ->
 *   JOINED      subscribed to the conference (RFC 4575); lines typed go
 *               to the room
 *   LEAVING     BYE (or CANCEL) sent; its answer, or a short cap, ->
 *   DONE        the SIP stack shuts down, then the loop stops
 *
 * With --wait-for-calls the machine starts at WAITING and an invitation
 * from a focus (RFC 4579 §5.5: Contact with isfocus) enters CONNECTING.
 *
 * With --relay it starts at RELAYING: AUTH to the relay (RFC 4976, relay.c)
 * must grant a Use-Path before the offer can name it; then INVITING (or,
 * waiting for calls, the AUTH runs while WAITING and invitations that come
 * before it is granted get 480).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp_msrp.h"
#include "sxjoin.h"

#define LEAVE_CAP_MS    2000  /* how long a BYE's answer is waited for */
#define SHUTDOWN_CAP_MS 2000  /* and then the SIP stack's shutdown */

static int session_leave_code(const struct sj *app)
{
	if (app->ended)
		return SJ_EXIT_ENDED;
	if (app->failed)
		return SJ_EXIT_JOIN;
	if (app->o.wait_for_calls && app->room == NULL)
		return SJ_EXIT_OK;  /* no invitation came: nothing failed */
	return app->joined ? SJ_EXIT_OK : SJ_EXIT_JOIN;
}

static void session_finish(struct sj *app)
{
	if (app->state == SJ_DONE)
		return;
	app->state = SJ_DONE;
	app->exit_code = session_leave_code(app);
	if (app->idle)
		sx_timer_stop(app->idle);
	chat_close(app);
	sx_timer_start(app->cap, SHUTDOWN_CAP_MS);
	sip_shutdown(app);
}

static void session_on_cap(void *arg)
{
	struct sj *app = arg;

	if (app->state == SJ_DONE)
		sx_loop_stop(app->loop);
	else
		session_finish(app);
}

/* Ends the dialog and waits (a little) for the BYE's answer. */
static void session_hang_up(struct sj *app)
{
	app->state = SJ_LEAVING;
	sip_unsubscribe(app);
	sip_bye(app);
	sx_timer_start(app->cap, LEAVE_CAP_MS);
}

static void session_join_broken(struct sj *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void session_join_broken(struct sj *app, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sj_error(app, "join", 0, "join failed: %s", why);
	session_hang_up(app);
}

int session_start(struct sj *app, struct sx_err *err)
{
	char *user = NULL, *sdp;

	app->cap = sx_timer_new(app->loop, session_on_cap, app);
	app->roster = roster_new();
	if (app->cap == NULL || app->roster == NULL) {
		sx_err_set(err, 0, "out of memory");
		return SJ_EXIT_JOIN;
	}
	if (app->o.room) {
		app->room = strdup(app->o.room);
		app->room_aor = sip_uri_aor(app->o.room, NULL);
		if (app->room == NULL || app->room_aor == NULL) {
			sx_err_set(err, 0, "ROOM-URI: not a SIP URI: %s",
				   app->o.room);
			return SJ_EXIT_USAGE;
		}
	}
	app->aor = sip_uri_aor(app->o.from, &user);
	if (app->aor == NULL) {
		sx_err_set(err, 0, "--from: not a SIP URI: %s", app->o.from);
		return SJ_EXIT_USAGE;
	}
	app->first_nick = app->o.nick ? strdup(app->o.nick) : user;
	if (app->o.nick)
		free(user);
	if (app->first_nick == NULL || app->first_nick[0] == '\0') {
		sx_err_set(err, 0, "no nickname: give --nick (--from has no "
			   "user part)");
		return SJ_EXIT_USAGE;
	}
	if (sip_start(app, err) != 0 || chat_start(app, err) != 0 ||
	    (app->o.relay && relay_start(app, err) != 0))
		return SJ_EXIT_JOIN;
	if (app->o.wait_for_calls) {
		app->state = SJ_WAITING;
		return SJ_EXIT_OK;
	}
	if (app->o.relay) {
		app->state = SJ_RELAYING;  /* session_relay_ready() invites */
		return SJ_EXIT_OK;
	}
	sdp = chat_sdp(app, 1, err);
	if (sdp == NULL)
		return SJ_EXIT_JOIN;
	sip_invite(app, sdp);
	free(sdp);
	app->state = SJ_INVITING;
	return SJ_EXIT_OK;
}

void session_relay_ready(struct sj *app)
{
	struct sx_err err;
	char *sdp;

	sj_info(app, "relay %s: session %s", app->o.relay,
		relay_use_path(app));
	if (app->state != SJ_RELAYING)
		return;
	sx_err_clear(&err);
	sdp = chat_sdp(app, 1, &err);
	if (sdp == NULL) {
		session_relay_failed(app, 0, err.text);
		return;
	}
	app->state = SJ_INVITING;
	sip_invite(app, sdp);
	free(sdp);
}

void session_relay_failed(struct sj *app, int status, const char *why)
{
	if (app->state == SJ_LEAVING || app->state == SJ_DONE)
		return;
	sj_error(app, "join", status, "join failed: relay %s: %s",
		 app->o.relay, why);
	app->failed = 1;
	if (app->state == SJ_RELAYING || app->state == SJ_WAITING)
		session_finish(app);
	else
		session_hang_up(app);
}

void session_sip_ready(struct sj *app, const char *contact)
{
	struct sj_event e = { .type = SJ_EV_READY, .text = contact };

	if (app->state == SJ_WAITING)
		sj_emit(app, &e);
}

void session_join_answered(struct sj *app, int status, const char *phrase,
			   const char *sdp, size_t len)
{
	struct sdp_msrp remote;
	struct sx_err err;

	if (status < 200)
		return;
	if (app->state == SJ_LEAVING) {
		/* our CANCEL crossed the answer */
		if (status < 300)
			sip_bye(app);
		else
			session_finish(app);
		return;
	}
	if (app->state != SJ_INVITING)
		return;
	if (status >= 300) {
		sj_error(app, "join", status, "join failed: %03d %s", status,
			 phrase);
		session_finish(app);
		return;
	}
	sx_err_clear(&err);
	if (sdp == NULL || sdp_msrp_read(sdp, len, &remote, &err) != 0) {
		session_join_broken(app, "the room's answer: %s",
				    sdp ? err.text : "no SDP");
		return;
	}
	if (!sdp_msrp_accepts(remote.accept_types, "message/cpim"))
		session_join_broken(app, "the room does not take "
				    "message/cpim");
	else if (sdp_msrp_setup_of(&remote, 0) != SDP_MSRP_SETUP_PASSIVE)
		session_join_broken(app, "the room's answer is not "
				    "a=setup:passive to our active");
	else if (chat_connect(app, &remote, 1, &err) != 0)
		session_join_broken(app, "MSRP: %s", err.text);
	else
		app->state = SJ_CONNECTING;
	sdp_msrp_free(&remote);
}

int session_invited(struct sj *app, const char *room, const char *by,
		    const char *me, const char *subject, const char *sdp,
		    size_t len, char **answer, const char **phrase)
{
	char *aor;

	struct sj_event e = { .type = SJ_EV_INVITED };
	enum sdp_msrp_setup setup;
	struct sdp_msrp remote;
	struct sx_err err;
	int active, status = 200;

	*answer = NULL;
	*phrase = "OK";
	if (app->state != SJ_WAITING) {
		*phrase = app->o.wait_for_calls ? "Busy Here" : "Decline";
		return app->o.wait_for_calls ? 486 : 603;
	}
	if (app->o.relay && relay_use_path(app) == NULL) {
		*phrase = "Temporarily Unavailable";  /* AUTH not through */
		return 480;
	}
	sx_err_clear(&err);
	if (sdp == NULL || sdp_msrp_read(sdp, len, &remote, &err) != 0) {
		*phrase = "Not Acceptable Here";
		return 488;
	}
	setup = sdp_msrp_setup_of(&remote, 1);
	/* RFC 6135 §4: we take the role the offer leaves us */
	active = setup == SDP_MSRP_SETUP_PASSIVE ||
		 setup == SDP_MSRP_SETUP_ACTPASS;
	if (!sdp_msrp_accepts(remote.accept_types, "message/cpim") ||
	    remote.port == 0 || setup == SDP_MSRP_SETUP_HOLDCONN) {
		*phrase = "Not Acceptable Here";
		status = 488;
		goto out;
	}
	app->room = strdup(room);
	app->room_aor = sip_uri_aor(room, NULL);
	*answer = chat_sdp(app, active, &err);
	if (app->room == NULL || app->room_aor == NULL || *answer == NULL ||
	    chat_connect(app, &remote, active, &err) != 0) {
		free(*answer);
		*answer = NULL;
		free(app->room);
		free(app->room_aor);
		app->room = app->room_aor = NULL;
		*phrase = "Server Internal Error";
		status = 500;
		goto out;
	}
	/* The room knows us by the URI it invited (RFC 7701 §7: the CPIM
	 * From it checks); with a registrar that is our AOR, without one
	 * it may be our contact. */
	aor = me ? sip_uri_aor(me, NULL) : NULL;
	if (aor) {
		free(app->aor);
		app->aor = aor;
	}
	app->state = SJ_CONNECTING;
	e.room = app->room;
	e.aor = by;
	e.text = subject;
	sj_emit(app, &e);
out:
	sdp_msrp_free(&remote);
	return status;
}

void session_bye_received(struct sj *app, const char *reason)
{
	struct sj_event e = { .type = SJ_EV_ENDED, .room = app->room,
			      .text = reason };

	if (app->state == SJ_LEAVING || app->state == SJ_DONE) {
		session_finish(app);
		return;
	}
	app->ended = 1;
	sj_emit(app, &e);
	session_finish(app);
}

void session_bye_answered(struct sj *app)
{
	if (app->state == SJ_LEAVING)
		session_finish(app);
}

void session_sip_down(struct sj *app)
{
	sx_loop_stop(app->loop);
}

void session_chat_bound(struct sj *app)
{
	if (app->state != SJ_CONNECTING)
		return;
	app->joined = 1;
	app->state = SJ_NAMING;
	chat_nickname(app, app->first_nick);
}

void session_chat_failed(struct sj *app, const char *why)
{
	switch (app->state) {
	case SJ_RELAYING:
	case SJ_WAITING:
		/* only a relay connection exists before an invitation */
		session_relay_failed(app, 0, why);
		break;
	case SJ_CONNECTING:
		session_join_broken(app, "MSRP: %s", why);
		break;
	case SJ_NAMING:
	case SJ_JOINED:
		sj_error(app, "msrp", 0, "MSRP session lost: %s", why);
		app->ended = 1;
		session_hang_up(app);
		break;
	default:
		break;
	}
}

/* The first answer to NICKNAME completes the join, whatever it says: a
 * refused nickname leaves us in the room without one, to try another. */
void session_nick_answered(struct sj *app, const char *nick, int status,
			   const char *comment)
{
	struct sj_event e = { .room = app->room, .aor = app->aor };
	int first = app->state == SJ_NAMING;

	if (status == 200) {
		free(app->nick);
		app->nick = strdup(nick);
		app->ui->nick_changed(app);
		e.type = first ? SJ_EV_JOINED : SJ_EV_NICK;
		e.nick = app->nick;
		sj_emit(app, &e);
	} else {
		sj_error(app, "nick", status, "nickname %s refused: %03d %s",
			 nick, status, comment);
	}
	if (first) {
		app->state = SJ_JOINED;
		sip_subscribe(app);
	}
	command_flush(app);
}

int session_idle(struct sj *app)
{
	return app->state == SJ_JOINED && !chat_pending(app) &&
	       !sip_refers_pending(app);
}

void session_leave(struct sj *app, const char *why)
{
	struct sj_event e = { .type = SJ_EV_LEFT, .text = why };

	switch (app->state) {
	case SJ_RELAYING:
		sj_error(app, "join", 0, "join cancelled: %s", why);
		app->failed = 1;
		session_finish(app);
		break;
	case SJ_WAITING:
		session_finish(app);
		break;
	case SJ_INVITING:
		sj_error(app, "join", 0, "join cancelled: %s", why);
		app->state = SJ_LEAVING;
		sip_cancel(app);
		sx_timer_start(app->cap, LEAVE_CAP_MS);
		break;
	case SJ_CONNECTING:
	case SJ_NAMING:
	case SJ_JOINED:
		e.room = app->room;
		sj_emit(app, &e);
		session_hang_up(app);
		break;
	case SJ_LEAVING:
		session_finish(app);
		break;
	case SJ_DONE:
		sx_loop_stop(app->loop);
		break;
	}
}
