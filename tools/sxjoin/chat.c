/*
 * chat.c - the MSRP session with the room's switch (RFC 4975, RFC 7701).
 *
 * Our a=path names a listener of ours, so the description is true either
 * way the connection goes (RFC 6135): as the active side we connect to the
 * first hop of the room's path and bind with a bodiless SEND (RFC 4975
 * §5.4); as the passive side (an invitation whose offer says
 * a=setup:active) the room connects to us and its first SEND binds.
 *
 * Then: NICKNAME with Use-Nickname (RFC 7701 §6.1); SEND of CPIM messages
 * in chunks (RFC 4975 §7.1.1) of the session's chunk size, each chunk's
 * response awaited (Failure-Report yes, the default); messages from the
 * room reassembled by Message-ID and answered 200.
 *
 * Through a relay (RFC 4976, relay.c) the one connection is the one that
 * AUTHed: our a=path is the relay's Use-Path then our URI, what we send
 * has To-Path = Use-Path + the room's path and From-Path = our URI (the
 * relay adds itself), and the room reaches us over that same connection.
 * The relay answers each SEND itself (responses are hop by hop, §7.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msrp_build.h"
#include "msrp_conn.h"
#include "msrp_reasm.h"
#include "msrp_uri.h"
#include "sdp_msrp.h"
#include "sxjoin.h"

#define CHAT_MAX_HOPS     8
#define CHAT_CHUNK        2048
/* Kamailio's relay drops frames of 11 000 bytes or more: through a relay,
 * a chunk's body stays at or under this, headers included below 11 000. */
#define CHAT_RELAY_CHUNK  10000
#define CHAT_MAX_MESSAGES 16             /* being reassembled at once */
#define CHAT_MAX_MESSAGE  (1024 * 1024)  /* largest message taken */

/* A message of ours, until every chunk was answered. */
struct chat_msg {
	char *text;
	char *to_nick;          /* private; NULL to the room */
	int subject;
	unsigned outstanding;   /* chunks not answered yet */
	int failed;             /* an error was shown already */
};

enum chat_pending_kind {
	CHAT_BIND,
	CHAT_NICK,
	CHAT_MSG,
	CHAT_AUTH,
};

/* A request of ours awaiting its response, by transaction id. */
struct chat_pending {
	char tid[MSRP_TID_MAX + 1];
	enum chat_pending_kind kind;
	char *nick;             /* CHAT_NICK */
	struct chat_msg *msg;   /* CHAT_MSG */
	struct chat_pending *next;
};

struct sj_chat {
	struct sx_listener *ls;
	char host[256];         /* without brackets */
	unsigned port;
	char session_id[MSRP_TID_MAX + 1];
	char path[400];         /* our a=path and From-Path */
	char to_path[1024];     /* the room's a=path */
	struct msrp_uri hops[CHAT_MAX_HOPS];
	size_t chunk;           /* largest body of one SEND */
	int via_relay;          /* conn leads to our relay */
	int active;
	int bound;
	int closing;
	struct msrp_conn *conn;
	struct msrp_conn *dead;  /* closed; freed outside its callbacks */
	struct sx_timer *reaper;
	struct msrp_reasm *reasm;
	struct chat_pending *pending;

	/* the request being received */
	int rx_take;            /* its body goes to reassembly */
	int rx_refused;         /* answered with an error already */
	uint64_t rx_at;         /* 1-based position of its next body byte */
};

static void chat_msg_unref(struct chat_msg *m)
{
	if (--m->outstanding > 0)
		return;
	free(m->text);
	free(m->to_nick);
	free(m);
}

static void chat_pending_free(struct chat_pending *p)
{
	if (p->kind == CHAT_MSG)
		chat_msg_unref(p->msg);
	free(p->nick);
	free(p);
}

static struct chat_pending *chat_pending_add(struct sj_chat *c,
					     enum chat_pending_kind kind,
					     const char *tid)
{
	struct chat_pending *p = calloc(1, sizeof(*p)), **pp;

	if (p == NULL)
		return NULL;
	p->kind = kind;
	memcpy(p->tid, tid, sizeof(p->tid));
	for (pp = &c->pending; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

static struct chat_pending *chat_pending_take(struct sj_chat *c,
					      const char *tid)
{
	struct chat_pending **pp, *p;

	for (pp = &c->pending; (p = *pp) != NULL; pp = &p->next)
		if (strcmp(p->tid, tid) == 0) {
			*pp = p->next;
			return p;
		}
	return NULL;
}

static void chat_out(struct sj_chat *c, struct msrp_out *o, const char *tid,
		     enum msrp_method method)
{
	memset(o, 0, sizeof(*o));
	o->tid = tid;
	o->method = method;
	o->to_path = c->to_path;
	o->from_path = c->path;
	/* every request of ours waits for its response (§7.2) */
	o->success_report = MSRP_REPORT_NO;
	o->failure_report = MSRP_REPORT_YES;
}

/* --- what we send -------------------------------------------------------- */

static void chat_bind(struct sj *app)
{
	struct sj_chat *c = app->chat;
	char tid[MSRP_TID_MAX + 1], mid[MSRP_TID_MAX + 1];
	struct msrp_out o;

	msrp_tid_pick(tid, NULL, 0);
	msrp_message_id_pick(mid);
	chat_out(c, &o, tid, MSRP_SEND);
	o.message_id = mid;
	if (chat_pending_add(c, CHAT_BIND, tid) == NULL ||
	    msrp_conn_send(c->conn, &o, NULL, 0, '$') != 0)
		session_chat_failed(app, "cannot send the bind");
}

void chat_nickname(struct sj *app, const char *nick)
{
	struct sj_chat *c = app->chat;
	char tid[MSRP_TID_MAX + 1];
	struct chat_pending *p;
	struct msrp_out o;

	if (c->conn == NULL || !c->bound) {
		sj_error(app, "nick", 0, "not connected to the room");
		return;
	}
	msrp_tid_pick(tid, NULL, 0);
	chat_out(c, &o, tid, MSRP_NICKNAME);
	o.use_nickname = nick;
	p = chat_pending_add(c, CHAT_NICK, tid);
	if (p == NULL || (p->nick = strdup(nick)) == NULL ||
	    msrp_conn_send(c->conn, &o, NULL, 0, '$') != 0) {
		if (p)
			chat_pending_free(chat_pending_take(c, tid));
		sj_error(app, "nick", 0, "cannot send NICKNAME %s", nick);
	}
}

static int chat_send_chunks(struct sj_chat *c, struct chat_msg *m,
			    const char *body, size_t len)
{
	char tid[MSRP_TID_MAX + 1], mid[MSRP_TID_MAX + 1];
	struct msrp_chunker ck;
	struct msrp_byte_range r;
	struct chat_pending *p;
	struct msrp_out o;
	uint64_t off;
	size_t n;
	int last;

	msrp_message_id_pick(mid);
	msrp_chunker_init(&ck, len, c->chunk);
	while ((n = msrp_chunker_next(&ck, &r, &off, &last)) > 0) {
		msrp_tid_pick(tid, body + off, n);
		chat_out(c, &o, tid, MSRP_SEND);
		o.message_id = mid;
		o.has_range = 1;
		o.range = r;
		o.content_type = "message/cpim";
		p = chat_pending_add(c, CHAT_MSG, tid);
		if (p == NULL)
			return -1;
		p->msg = m;
		m->outstanding++;
		if (msrp_conn_send(c->conn, &o, body + off, n,
				   last ? '$' : '+') != 0)
			return -1;
	}
	return 0;
}

void chat_send(struct sj *app, const char *to_nick, const char *text,
	       int subject)
{
	struct sj_chat *c = app->chat;
	struct chat_msg *m;
	char *to = NULL, *body = NULL;
	struct sx_err err;
	size_t len;

	if (c->conn == NULL || !c->bound) {
		sj_error(app, "send", 0, "not connected to the room");
		return;
	}
	sx_err_clear(&err);
	m = calloc(1, sizeof(*m));
	if (m == NULL || (m->text = strdup(text)) == NULL ||
	    (to_nick && (m->to_nick = strdup(to_nick)) == NULL) ||
	    (to = to_nick ? sip_uri_private(app->room_aor, to_nick)
			  : strdup(app->room_aor)) == NULL ||
	    (body = message_wrap(app->aor, app->nick, to, text, subject, &len,
				 &err)) == NULL) {
		sj_error(app, "send", 0, "cannot build the message: %s",
			 err.text[0] ? err.text : "out of memory");
		if (m) {
			free(m->text);
			free(m->to_nick);
		}
		free(m);
		free(to);
		return;
	}
	m->subject = subject;
	/* the chunks in flight keep m; this reference is ours until sent */
	m->outstanding = 1;
	if (chat_send_chunks(c, m, body, len) != 0 && !m->failed) {
		m->failed = 1;
		sj_error(app, "send", 0, "cannot send the message");
	}
	chat_msg_unref(m);
	free(body);
	free(to);
}

int chat_pending(const struct sj *app)
{
	return app->chat && app->chat->pending != NULL;
}

/* --- answers to what we sent --------------------------------------------- */

static void chat_msg_answered(struct sj *app, struct chat_msg *m, int status,
			      const char *comment)
{
	struct sj_event e = { .nick = app->nick, .aor = app->aor,
			      .room = app->room };

	if (status != 200 && !m->failed) {
		m->failed = 1;
		if (m->subject)
			sj_error(app, "topic", status, "subject not set: %03d "
				 "%s", status, comment);
		else if (m->to_nick)
			sj_error(app, "send", status, "private message to %s "
				 "not delivered: %03d %s", m->to_nick, status,
				 comment);
		else
			sj_error(app, "send", status, "message not delivered: "
				 "%03d %s", status, comment);
	}
	if (m->outstanding > 1 || m->failed)
		return;
	/* the room does not send a message back to its sender */
	if (m->subject) {
		free(app->subject);
		app->subject = strdup(m->text);
		e.type = SJ_EV_SUBJECT;
	} else {
		e.type = SJ_EV_SENT;
		e.target = m->to_nick;
		e.private_msg = m->to_nick != NULL;
	}
	e.text = m->text;
	sj_emit(app, &e);
}

static void chat_on_response(struct sj *app, const struct msrp_frame *f)
{
	struct sj_chat *c = app->chat;
	struct chat_pending *p = chat_pending_take(c, f->tid);
	char comment[256];

	if (p == NULL)
		return;  /* not ours, or late */
	if (f->comment.len)
		snprintf(comment, sizeof(comment), "%.*s",
			 (int)f->comment.len, f->comment.p);
	else
		snprintf(comment, sizeof(comment), "%s",
			 msrp_status_phrase(f->status));
	switch (p->kind) {
	case CHAT_BIND:
		if (f->status == 200) {
			c->bound = 1;
			session_chat_bound(app);
		} else {
			char why[300];

			snprintf(why, sizeof(why), "the bind was answered "
				 "%03d %s", f->status, comment);
			session_chat_failed(app, why);
		}
		break;
	case CHAT_NICK:
		session_nick_answered(app, p->nick, f->status, comment);
		break;
	case CHAT_MSG:
		chat_msg_answered(app, p->msg, f->status, comment);
		break;
	case CHAT_AUTH:
		relay_answered(app, f);
		break;
	}
	chat_pending_free(p);
	command_flush(app);
}

/* A failure REPORT (RFC 4975 §7.1.2): "Status: 000 403 Forbidden". */
static void chat_on_report(struct sj *app, const struct msrp_frame *f)
{
	const char *s = f->status_header.p;
	size_t n = f->status_header.len;
	int code;

	if (n < 7 || sscanf(s + 4, "%3d", &code) != 1 || code == 200)
		return;
	sj_error(app, "send", code, "message %.*s not delivered: %.*s",
		 (int)f->message_id.len, f->message_id.p, (int)(n - 4), s + 4);
}

/* --- what the room sends ------------------------------------------------- */

static int chat_to_path_ours(struct sj_chat *c, const struct msrp_frame *f)
{
	struct msrp_uri hops[CHAT_MAX_HOPS];
	struct sx_err err;
	int n = msrp_path_parse(f->to_path.p, f->to_path.len, hops,
				CHAT_MAX_HOPS, &err);

	return n > 0 && strcmp(hops[n - 1].session_id, c->session_id) == 0;
}

static int chat_on_headers(void *arg, struct msrp_conn *conn,
			   const struct msrp_frame *f)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;

	c->rx_take = 0;
	c->rx_refused = 0;
	switch (f->method) {
	case MSRP_METHOD_NONE:
		chat_on_response(app, f);
		return 0;
	case MSRP_REPORT:
		chat_on_report(app, f);
		return 0;  /* never answered */
	case MSRP_SEND:
		break;
	default:
		msrp_conn_respond(conn, f, 501, NULL);
		c->rx_refused = 1;
		return 0;
	}
	if (!chat_to_path_ours(c, f)) {
		msrp_conn_respond(conn, f, 481, "no such session here");
		c->rx_refused = 1;
		return 0;
	}
	if (f->has_body && !(f->content_type.len == 12 &&
			     strncasecmp(f->content_type.p, "message/cpim",
					 12) == 0)) {
		msrp_conn_respond(conn, f, 415, "message/cpim only");
		c->rx_refused = 1;
		return 0;
	}
	c->rx_take = f->has_body;
	c->rx_at = f->range.start;
	return 0;
}

static int chat_on_body(void *arg, struct msrp_conn *conn,
			const struct msrp_frame *f, const char *data,
			size_t len)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;
	struct sx_err err;

	if (!c->rx_take)
		return 0;
	sx_err_clear(&err);
	if (msrp_reasm_add(c->reasm, f->message_id.p, f->message_id.len,
			   c->rx_at, f->range.total, data, len, 0, &err) < 0) {
		msrp_conn_respond(conn, f, err.status ? err.status : 400,
				  err.text);
		c->rx_take = 0;
		c->rx_refused = 1;
	}
	c->rx_at += len;
	return 0;
}

static int chat_on_end(void *arg, struct msrp_conn *conn,
		       const struct msrp_frame *f, char flag)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;
	struct sx_err err;
	char *body;
	size_t len;

	if (f->method != MSRP_SEND || c->rx_refused)
		return 0;
	msrp_conn_respond(conn, f, 200, NULL);
	if (!f->has_body) {
		/* the room binds the session it connected (we are passive) */
		if (!c->active && !c->bound) {
			c->bound = 1;
			session_chat_bound(app);
		}
		return 0;
	}
	if (flag == '#') {
		msrp_reasm_drop(c->reasm, f->message_id.p, f->message_id.len);
		return 0;
	}
	sx_err_clear(&err);
	/* '$' fixes the total at this chunk's end when it was '*' */
	if (msrp_reasm_add(c->reasm, f->message_id.p, f->message_id.len,
			   c->rx_at, f->range.total, NULL, 0, flag == '$',
			   &err) != 1)
		return 0;
	body = msrp_reasm_take(c->reasm, f->message_id.p, f->message_id.len,
			       &len);
	if (body) {
		message_received(app, body, len);
		free(body);
	}
	return 0;
}

static void chat_on_bad_frame(void *arg, struct msrp_conn *conn,
			      const struct msrp_frame *f,
			      const struct sx_err *err)
{
	struct sj *app = arg;

	(void)conn;
	app->chat->rx_take = 0;
	sj_error(app, "msrp", err->status, "bad MSRP frame %s from the room: "
		 "%s", f->tid, err->text);
}

static void chat_reap(void *arg)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;

	msrp_conn_free(c->dead);
	c->dead = NULL;
}

static void chat_on_close(void *arg, struct msrp_conn *conn,
			  const char *reason)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;

	if (conn != c->conn)
		return;
	c->dead = c->conn;
	c->conn = NULL;
	sx_timer_start(c->reaper, 0);
	if (!c->closing)
		session_chat_failed(app, reason ? reason
						: "closed by the room");
}

static void chat_on_connected(void *arg, struct msrp_conn *conn)
{
	struct sj *app = arg;

	(void)conn;
	if (app->chat->via_relay)
		relay_connected(app);
	else if (app->chat->active)
		chat_bind(app);
}

static const struct msrp_conn_cb chat_conn_cb = {
	.on_connected = chat_on_connected,
	.on_headers = chat_on_headers,
	.on_body = chat_on_body,
	.on_end = chat_on_end,
	.on_bad_frame = chat_on_bad_frame,
	.on_close = chat_on_close,
};

/* --- the listener: the room connects here when we are passive ------------ */

static void chat_on_accept(void *arg, struct sx_stream *s)
{
	struct sj *app = arg;
	struct sj_chat *c = app->chat;

	if (c->active || c->via_relay || c->conn || c->closing ||
	    app->state != SJ_CONNECTING) {
		sx_stream_free(s);
		return;
	}
	c->conn = msrp_conn_adopt(s, NULL, &chat_conn_cb, app);
	if (c->conn == NULL) {
		sx_stream_free(s);
		session_chat_failed(app, "out of memory");
	}
}

/* --- setting up ---------------------------------------------------------- */

int chat_start(struct sj *app, struct sx_err *err)
{
	const char *h = sip_local_host(app);
	struct sx_tls_opts plain = { 0 };
	struct sj_chat *c = calloc(1, sizeof(*c));
	size_t n = strlen(h);

	if (c == NULL)
		return sx_err_set(err, 0, "out of memory");
	app->chat = c;
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		snprintf(c->host, sizeof(c->host), "%.*s", (int)n - 2, h + 1);
	else
		snprintf(c->host, sizeof(c->host), "%s", h);
	c->chunk = app->o.chunk_size ? app->o.chunk_size : CHAT_CHUNK;
	if (app->o.relay && c->chunk > CHAT_RELAY_CHUNK)
		c->chunk = CHAT_RELAY_CHUNK;
	c->reaper = sx_timer_new(app->loop, chat_reap, app);
	c->reasm = msrp_reasm_new(CHAT_MAX_MESSAGES, CHAT_MAX_MESSAGE);
	if (c->reaper == NULL || c->reasm == NULL)
		return sx_err_set(err, 0, "out of memory");
	c->ls = sx_listener_new(app->loop, c->host, 0, &plain, chat_on_accept,
				NULL, app, err);
	if (c->ls == NULL)
		return SX_ERROR;
	c->port = sx_listener_port(c->ls);
	msrp_message_id_pick(c->session_id);
	snprintf(c->path, sizeof(c->path), "msrp://%s%s%s:%u/%s;tcp",
		 strchr(c->host, ':') ? "[" : "", c->host,
		 strchr(c->host, ':') ? "]" : "", c->port, c->session_id);
	return 0;
}

int chat_relay_connect(struct sj *app, const char *relay_uri,
		       struct sx_err *err)
{
	struct sj_chat *c = app->chat;
	struct msrp_uri u;

	if (msrp_uri_parse(relay_uri, strlen(relay_uri), &u, err) != 0)
		return SX_ERROR;
	if (u.secure)
		return sx_err_set(err, 0, "msrps (TLS) relays are not "
				  "supported");
	if (u.port == 0)
		return sx_err_set(err, 0, "the relay's URI needs a port");
	c->via_relay = 1;
	c->conn = msrp_conn_connect(app->loop, &u, NULL, NULL, &chat_conn_cb,
				    app, err);
	return c->conn ? 0 : SX_ERROR;
}

int chat_send_auth(struct sj *app, const char *relay_uri,
		   const char *authorization, const char *expires)
{
	struct sj_chat *c = app->chat;
	char tid[MSRP_TID_MAX + 1], *extra = NULL;
	struct msrp_out o;
	int rc;

	if (c->conn == NULL)
		return SX_ERROR;
	if ((authorization || expires) &&
	    asprintf(&extra, "%s%s%s%s%s%s", authorization ?
		     "Authorization: " : "", authorization ? authorization : "",
		     authorization ? "\r\n" : "", expires ? "Expires: " : "",
		     expires ? expires : "", expires ? "\r\n" : "") < 0)
		return SX_ERROR;
	msrp_tid_pick(tid, NULL, 0);
	memset(&o, 0, sizeof(o));
	o.tid = tid;
	o.method = MSRP_AUTH;
	o.to_path = relay_uri;
	o.from_path = c->path;
	o.failure_report = MSRP_REPORT_YES;
	o.extra_headers = extra;
	rc = chat_pending_add(c, CHAT_AUTH, tid) == NULL ||
	     msrp_conn_send(c->conn, &o, NULL, 0, '$') != 0 ? SX_ERROR : 0;
	free(extra);
	return rc;
}

char *chat_sdp(struct sj *app, int active, struct sx_err *err)
{
	struct sj_chat *c = app->chat;
	const char *use_path = relay_use_path(app);
	char path[sizeof(c->path) + 400];
	char *types[] = { "message/cpim", NULL };
	char *wrapped[] = { "text/plain", "text/html", NULL };
	struct sdp_msrp m = {
		.addr = c->host,
		.ipv6 = strchr(c->host, ':') != NULL,
		.port = c->port,
		.path = path,
		.accept_types = types,
		.accept_wrapped_types = wrapped,
		.setup = active ? SDP_MSRP_SETUP_ACTIVE : SDP_MSRP_SETUP_PASSIVE,
		.chatroom = 1,
		.nickname = 1,
		.private_messages = 1,
	};
	struct sdp_msrp_origin o = {
		.user = "-",
		.id = (uint64_t)time(NULL),
		.version = 1,
	};

	/* RFC 4976 §5.2: the relay's path before ours */
	if (snprintf(path, sizeof(path), "%s%s%s", use_path ? use_path : "",
		     use_path ? " " : "", c->path) >= (int)sizeof(path)) {
		sx_err_set(err, 0, "the relay's Use-Path is too long");
		return NULL;
	}
	return sdp_msrp_build(&m, &o, err);
}

int chat_connect(struct sj *app, const struct sdp_msrp *remote, int active,
		 struct sx_err *err)
{
	struct sj_chat *c = app->chat;
	const char *use_path = relay_use_path(app);
	int n;

	n = msrp_path_parse(remote->path, strlen(remote->path), c->hops,
			    CHAT_MAX_HOPS, err);
	if (n <= 0)
		return n == 0 ? sx_err_set(err, 0, "empty a=path") : SX_ERROR;
	if (c->hops[0].secure || remote->secure)
		return sx_err_set(err, 0, "msrps (TLS) is not offered");
	/* RFC 4976 §5.2: through our relay's session to the room's path */
	if (snprintf(c->to_path, sizeof(c->to_path), "%s%s%s",
		     use_path ? use_path : "", use_path ? " " : "",
		     remote->path) >= (int)sizeof(c->to_path))
		return sx_err_set(err, 0, "the room's a=path is too long");
	c->active = active;
	if (c->via_relay) {
		if (c->conn == NULL || use_path == NULL)
			return sx_err_set(err, 0, "no session at the relay");
		/* the room reaches us through the relay either way */
		if (active)
			chat_bind(app);
		return 0;
	}
	if (!active)
		return 0;  /* chat_on_accept takes the room's connection */
	c->conn = msrp_conn_connect(app->loop, &c->hops[0], NULL, NULL,
				    &chat_conn_cb, app, err);
	return c->conn ? 0 : SX_ERROR;
}

void chat_close(struct sj *app)
{
	struct sj_chat *c = app->chat;

	if (c == NULL || c->closing)
		return;
	c->closing = 1;
	if (c->conn) {
		c->dead = c->conn;
		c->conn = NULL;
		sx_timer_start(c->reaper, 0);
	}
}

void chat_free(struct sj *app)
{
	struct sj_chat *c = app->chat;

	if (c == NULL)
		return;
	while (c->pending) {
		struct chat_pending *p = c->pending;

		c->pending = p->next;
		chat_pending_free(p);
	}
	msrp_conn_free(c->conn);
	msrp_conn_free(c->dead);
	if (c->ls)
		sx_listener_free(c->ls);
	if (c->reaper)
		sx_timer_free(c->reaper);
	msrp_reasm_free(c->reasm);
	free(c);
	app->chat = NULL;
}
