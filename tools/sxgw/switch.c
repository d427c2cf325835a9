/*
 * switch.c - the MSRP switch's listener, connections and sessions (RFC
 * 4975 §5.4 binding, §7.3 request handling; RFC 7701 §6.1 NICKNAME).
 *
 * A session is ours: the focus creates it with its URI in a=path, and the
 * participant, always the active side, connects and binds it with the
 * first request whose To-Path ends with that URI (a bodiless SEND as a
 * rule).  A request for no session is answered 481, one for a session
 * bound to another connection 506; several sessions may share one
 * connection.  Knowing the session URI is what identifies a participant:
 * its id is 16 random alphanumerics, given only in the SIP answer.
 *
 * The history of the room goes to a participant once it has joined: one
 * that offered the chatroom "nickname" token (RFC 7701 §5) joins with its
 * first successful NICKNAME and gets the history right after that 200;
 * any other has joined once its session is bound, and gets it
 * history_delay_ms after the answer to the binding request.  A dialed-out
 * participant has bind_timeout to bind from the moment it answers the
 * INVITE; while it rings, the focus's invite_timeout governs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msrp_uri.h"
#include "switch_int.h"
#include "sx_log.h"

static void reaper_run(void *arg);

/* --- the session table ------------------------------------------------- */

static size_t id_hash(const char *id, size_t len)
{
	size_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	return h;
}

static struct switch_session **bucket_of(struct msrp_switch *sw,
					 const char *id, size_t len)
{
	return &sw->buckets[id_hash(id, len) & (sw->nbuckets - 1)];
}

static struct switch_session *session_find(struct msrp_switch *sw,
					   const char *id)
{
	size_t len = strlen(id);
	struct switch_session *s;

	for (s = *bucket_of(sw, id, len); s; s = s->hnext)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* Doubles the table when it holds more sessions than buckets. */
static void table_grow(struct msrp_switch *sw)
{
	size_t old = sw->nbuckets, i;
	struct switch_session **ob = sw->buckets, **nb;

	nb = calloc(old * 2, sizeof(*nb));
	if (nb == NULL)
		return;  /* longer chains, still correct */
	sw->buckets = nb;
	sw->nbuckets = old * 2;
	for (i = 0; i < old; i++)
		while (ob[i]) {
			struct switch_session *s = ob[i], **b;

			ob[i] = s->hnext;
			b = bucket_of(sw, s->id, strlen(s->id));
			s->hnext = *b;
			*b = s;
		}
	free(ob);
}

static void table_remove(struct msrp_switch *sw, struct switch_session *s)
{
	struct switch_session **pp;

	for (pp = bucket_of(sw, s->id, strlen(s->id)); *pp;
	     pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			sw->nsessions--;
			return;
		}
}

/* --- sessions ------------------------------------------------------------ */

static const char *room_of(const struct switch_session *s)
{
	return s->p ? s->p->room->name : "-";
}

static void conn_unlink_session(struct sw_conn *c, struct switch_session *s)
{
	struct switch_session **pp;

	for (pp = &c->sessions; *pp; pp = &(*pp)->cnext)
		if (*pp == s) {
			*pp = s->cnext;
			break;
		}
	if (c->cur.s == s)
		memset(&c->cur, 0, sizeof(c->cur));
	/* a connection left without sessions may get new ones a while */
	if (c->sessions == NULL && !c->closed)
		sx_timer_start(c->idle, c->sw->cfg->bind_timeout * 1000UL);
}

/* Frees s; its participant no longer has an MSRP side. */
static void session_destroy(struct switch_session *s)
{
	struct msrp_switch *sw = s->sw;

	sw_send_session_gone(s);
	table_remove(sw, s);
	if (s->conn)
		conn_unlink_session(s->conn, s);
	if (s->p)
		s->p->msrp = NULL;
	sx_timer_free(s->timer);
	free(s->to_path);
	free(s);
}

void sw_session_leave(struct switch_session *s, enum leave_reason why)
{
	struct participant *p = s->p;

	session_destroy(s);
	if (p)
		room_leave(p, why);
}

static void history_send(struct switch_session *s)
{
	sx_timer_stop(s->timer);
	s->history_sent = 1;
	sw_history_replay(s);
}

/* s has joined: its history now, or after delay_ms. */
static void history_join(struct switch_session *s, unsigned delay_ms)
{
	if (s->history_sent)
		return;
	if (delay_ms == 0)
		history_send(s);
	else if (!sx_timer_armed(s->timer))
		sx_timer_start(s->timer, delay_ms);
}

static void session_timer(void *arg)
{
	struct switch_session *s = arg;

	if (s->conn) {
		history_send(s);
		return;
	}
	sx_notice("room %s: %s did not bind MSRP session %s within %u s "
		  "(participant %lu)", room_of(s), s->p->aor, s->id,
		  s->sw->cfg->bind_timeout, s->p->id);
	sw_session_leave(s, LEAVE_FAILED);
}

int switch_session_new(struct msrp_switch *sw, struct participant *p,
		       char *path, size_t cap)
{
	struct switch_session *s = calloc(1, sizeof(*s));
	struct switch_session **b;
	const char *lb, *rb;

	if (s == NULL)
		return SX_ERROR;
	s->sw = sw;
	s->p = p;
	do
		msrp_message_id_pick(s->id);
	while (session_find(sw, s->id) != NULL);
	lb = strchr(sw->host, ':') ? "[" : "";
	rb = *lb ? "]" : "";
	snprintf(s->uri, sizeof(s->uri), "msrp://%s%s%s:%u/%s;tcp", lb,
		 sw->host, rb, sw->port, s->id);
	s->timer = sx_timer_new(sw->gw->loop, session_timer, s);
	if (s->timer == NULL ||
	    (size_t)snprintf(path, cap, "%s", s->uri) >= cap) {
		sx_timer_free(s->timer);
		free(s);
		return SX_ERROR;
	}
	/* a dial-out rings first: switch_session_answered() */
	if (p->state != PART_ALERTING)
		sx_timer_start(s->timer, sw->cfg->bind_timeout * 1000UL);
	if (sw->nsessions >= sw->nbuckets)
		table_grow(sw);
	b = bucket_of(sw, s->id, strlen(s->id));
	s->hnext = *b;
	*b = s;
	sw->nsessions++;
	p->msrp = s;
	sx_debug("room %s: MSRP session %s for %s (participant %lu)",
		 p->room->name, s->id, p->aor, p->id);
	return 0;
}

void switch_session_answered(struct msrp_switch *sw, struct participant *p)
{
	struct switch_session *s = p->msrp;

	if (s && s->conn == NULL)
		sx_timer_start(s->timer, sw->cfg->bind_timeout * 1000UL);
}

void switch_session_end(struct msrp_switch *sw, struct participant *p)
{
	(void)sw;
	if (p->msrp)
		session_destroy(p->msrp);
}

/* The first request for s arrived on c: s is bound to c (§5.4). */
static int session_bind(struct switch_session *s, struct sw_conn *c,
			const struct msrp_frame *f)
{
	s->to_path = strndup(f->from_path.p, f->from_path.len);
	if (s->to_path == NULL)
		return SX_ERROR;
	s->conn = c;
	s->cnext = c->sessions;
	c->sessions = s;
	sx_timer_stop(c->idle);
	sx_timer_stop(s->timer);
	sx_info("room %s: %s bound MSRP session %s from %s (participant %lu)",
		room_of(s), s->p->aor, s->id, c->peer, s->p->id);
	room_connected(s->p);
	return 0;
}

/* The session request f is for, bound to c by now; NULL with the status
 * to answer in *status. */
static struct switch_session *session_of(struct sw_conn *c,
					 const struct msrp_frame *f,
					 int *status)
{
	const char *p = f->to_path.p, *end = p + f->to_path.len, *last;
	struct switch_session *s;
	struct msrp_uri u;
	struct sx_err err;

	while (end > p && end[-1] == ' ')
		end--;
	for (last = end; last > p && last[-1] != ' '; last--)
		;
	if (last == end || msrp_uri_parse(last, (size_t)(end - last), &u,
					  &err) != 0) {
		*status = 400;
		return NULL;
	}
	s = session_find(c->sw, u.session_id);
	if (s == NULL) {
		*status = 481;
		return NULL;
	}
	if (s->conn == NULL) {
		if (session_bind(s, c, f) != 0) {
			*status = 500;
			return NULL;
		}
		c->cur.bound = 1;
	} else if (s->conn != c) {
		*status = 506;
		return NULL;
	}
	return s;
}

/* --- connections --------------------------------------------------------- */

void sw_conn_close(struct sw_conn *c, const char *why)
{
	if (c->closed)
		return;
	c->closed = 1;
	sx_info("MSRP connection from %s: %s", c->peer,
		why ? why : "closed by the peer");
	sx_stream_pause(msrp_conn_stream(c->mc), 1);
	sx_timer_start(c->sw->reaper, 0);
}

static void conn_free(struct sw_conn *c)
{
	sx_timer_free(c->idle);
	sw_queue_conn_free(c);
	msrp_conn_free(c->mc);
	free(c);
}

/* Frees the closed connections; their sessions leave the rooms. */
static void reaper_run(void *arg)
{
	struct msrp_switch *sw = arg;
	struct sw_conn **pp = &sw->conns;

	while (*pp) {
		struct sw_conn *c = *pp;

		if (!c->closed) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		memset(&c->cur, 0, sizeof(c->cur));
		while (c->sessions) {
			struct switch_session *s = c->sessions;

			c->sessions = s->cnext;
			s->conn = NULL;
			sw_session_leave(s, LEAVE_DEPARTED);
		}
		conn_free(c);
	}
}

static void idle_timeout(void *arg)
{
	struct sw_conn *c = arg;

	if (c->sessions == NULL)
		sw_conn_close(c, "no session bound to it");
}

static void respond(struct sw_conn *c, const struct msrp_frame *f,
		    int status, const char *comment)
{
	msrp_conn_respond(c->mc, f, status, comment);
}

/* A response or a REPORT from a participant about what we sent it: the
 * switch is the endpoint for both (RFC 7701 §6.3), so they end here.  We
 * ask recipients for Failure-Report: partial, so only failures come. */
static void peer_failure(struct sw_conn *c, const struct msrp_frame *f)
{
	if (f->method == MSRP_METHOD_NONE && f->status != 200)
		sx_notice("MSRP %s: a participant answered %d %.*s to %s",
			  c->peer, f->status, (int)f->comment.len,
			  f->comment.p, f->tid);
	else if (f->method == MSRP_REPORT &&
		 (f->status_header.len < 7 ||
		  memcmp(f->status_header.p + 4, "200", 3) != 0))
		sx_notice("MSRP %s: a participant reported %.*s for message "
			  "%.*s", c->peer, (int)f->status_header.len,
			  f->status_header.p, (int)f->message_id.len,
			  f->message_id.p);
}

static int on_headers(void *arg, struct msrp_conn *mc,
		      const struct msrp_frame *f)
{
	struct sw_conn *c = arg;
	struct switch_session *s;
	int status = 0;

	(void)mc;
	memset(&c->cur, 0, sizeof(c->cur));
	if (c->closed)
		return 0;
	switch (f->method) {
	case MSRP_METHOD_NONE:
	case MSRP_REPORT:
		peer_failure(c, f);
		return 0;
	case MSRP_SEND:
	case MSRP_NICKNAME:
		break;
	default:
		/* AUTH is for relays (RFC 4976); we are an endpoint */
		respond(c, f, 501, NULL);
		return 0;
	}
	s = session_of(c, f, &status);
	if (s == NULL) {
		sx_notice("MSRP %s: %.*s for %.*s refused %d", c->peer,
			  (int)f->method_name.len, f->method_name.p,
			  (int)f->to_path.len, f->to_path.p, status);
		respond(c, f, status, NULL);
		return 0;
	}
	c->cur.s = s;
	if (f->method == MSRP_NICKNAME) {
		c->cur.kind = FRAME_NICKNAME;
	} else if (!f->has_body) {
		c->cur.kind = FRAME_BIND;
	} else {
		c->cur.kind = FRAME_SEND;
		sw_send_headers(c, f);
	}
	return 0;
}

static int on_body(void *arg, struct msrp_conn *mc, const struct msrp_frame *f,
		   const char *data, size_t len)
{
	struct sw_conn *c = arg;

	(void)mc;
	if (c->cur.kind == FRAME_SEND && !c->closed)
		sw_send_body(c, f, data, len);
	return 0;
}

/* Returns the status answered. */
static int nickname(struct sw_conn *c, const struct msrp_frame *f)
{
	struct participant *p = c->cur.s->p;
	struct sx_err err;
	int status;

	sx_err_clear(&err);
	status = room_set_nick(p, f->use_nickname.p, f->use_nickname.len,
			       &err);
	if (status != 200)
		sx_notice("room %s: %s: NICKNAME \"%.*s\" refused %d: %s",
			  p->room->name, p->aor, (int)f->use_nickname.len,
			  f->use_nickname.p, status, err.text);
	respond(c, f, status, status == 200 ? NULL : err.text);
	return status;
}

static int on_end(void *arg, struct msrp_conn *mc, const struct msrp_frame *f,
		  char flag)
{
	struct sw_conn *c = arg;
	struct switch_session *s = c->cur.s;
	int bound = c->cur.bound, nick_ok = 0;

	(void)mc;
	if (c->closed || s == NULL)
		return 0;
	switch (c->cur.kind) {
	case FRAME_BIND:
		respond(c, f, 200, NULL);
		break;
	case FRAME_NICKNAME:
		nick_ok = nickname(c, f) == 200;
		break;
	case FRAME_SEND:
		sw_send_end(c, f, flag);
		break;
	case FRAME_IGNORE:
		break;
	}
	/* history after the answer to the request that made s join; s is
	 * still bound unless the frame's handling ended it */
	if (c->cur.s == s && nick_ok && s->p->nickname_token)
		history_join(s, 0);
	else if (c->cur.s == s && bound && !s->p->nickname_token)
		history_join(s, c->sw->cfg->history_delay_ms);
	memset(&c->cur, 0, sizeof(c->cur));
	return 0;
}

static void on_bad_frame(void *arg, struct msrp_conn *mc,
			 const struct msrp_frame *f, const struct sx_err *err)
{
	struct sw_conn *c = arg;
	struct switch_session *s = c->cur.s;

	(void)mc;
	sx_notice("MSRP %s: bad frame %s: %s (answered %d)", c->peer, f->tid,
		  err->text, err->status);
	if (c->cur.kind == FRAME_SEND)
		sw_send_frame_lost(c);
	if (c->cur.bound && s && c->cur.s == s && !c->closed &&
	    !s->p->nickname_token)
		history_join(s, c->sw->cfg->history_delay_ms);
	memset(&c->cur, 0, sizeof(c->cur));
}

static void on_drained(void *arg, struct msrp_conn *mc)
{
	(void)mc;
	sw_queue_drained(arg);
}

static void on_close(void *arg, struct msrp_conn *mc, const char *reason)
{
	(void)mc;
	sw_conn_close(arg, reason);
}

static const struct msrp_conn_cb conn_cb = {
	.on_headers = on_headers,
	.on_body = on_body,
	.on_end = on_end,
	.on_bad_frame = on_bad_frame,
	.on_drained = on_drained,
	.on_close = on_close,
};

static void on_accept(void *arg, struct sx_stream *st)
{
	struct msrp_switch *sw = arg;
	struct sw_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		sx_stream_free(st);
		return;
	}
	c->sw = sw;
	snprintf(c->peer, sizeof(c->peer), "%s", sx_stream_peer(st));
	c->idle = sx_timer_new(sw->gw->loop, idle_timeout, c);
	c->mc = c->idle ? msrp_conn_adopt(st, &sw->limits, &conn_cb, c) : NULL;
	if (c->mc == NULL) {
		sx_timer_free(c->idle);
		sx_stream_free(st);
		free(c);
		return;
	}
	sx_timer_start(c->idle, sw->cfg->bind_timeout * 1000UL);
	c->next = sw->conns;
	sw->conns = c;
	sx_debug("MSRP connection from %s", c->peer);
}

/* --- the switch ---------------------------------------------------------- */

struct msrp_switch *switch_new(struct sxgw *gw, struct sx_err *err)
{
	struct msrp_switch *sw = calloc(1, sizeof(*sw));
	const struct sxgw_config *cfg = gw->cfg;
	char host[256];
	unsigned port;

	if (sw == NULL) {
		sx_err_set(err, 0, "out of memory");
		return NULL;
	}
	sw->gw = gw;
	sw->cfg = cfg;
	if (sx_hostport_split(cfg->msrp_listen, host, sizeof(host),
			      &port) != 0) {
		sx_err_set(err, 0, "[msrp] listen: HOST:PORT expected, got "
			   "'%s'", cfg->msrp_listen);
		free(sw);
		return NULL;
	}
	sw->limits.max_header_bytes = cfg->max_header_bytes;
	sw->limits.max_frame_body = cfg->max_message_size;
	sw->limits.max_message = cfg->max_message_size;
	sw->nbuckets = 64;
	sw->buckets = calloc(sw->nbuckets, sizeof(*sw->buckets));
	sw->reaper = sx_timer_new(gw->loop, reaper_run, sw);
	if (sw->buckets == NULL || sw->reaper == NULL) {
		sx_err_set(err, 0, "out of memory");
		switch_free(sw);
		return NULL;
	}
	sw->ls = sx_listener_new(gw->loop, host, port, NULL, on_accept, NULL,
				 sw, err);
	if (sw->ls == NULL) {
		switch_free(sw);
		return NULL;
	}
	sw->port = sx_listener_port(sw->ls);
	snprintf(sw->host, sizeof(sw->host), "%s",
		 cfg->msrp_host ? cfg->msrp_host : host);
	sx_info("MSRP switch listening on %s:%u", host, sw->port);
	return sw;
}

void switch_free(struct msrp_switch *sw)
{
	size_t i;

	if (sw == NULL)
		return;
	sx_listener_free(sw->ls);
	for (i = 0; i < sw->nbuckets; i++)
		while (sw->buckets[i])
			session_destroy(sw->buckets[i]);
	sw_msg_free_all(sw);
	while (sw->conns) {
		struct sw_conn *c = sw->conns;

		sw->conns = c->next;
		conn_free(c);
	}
	sx_timer_free(sw->reaper);
	free(sw->buckets);
	free(sw);
}

const char *switch_host(const struct msrp_switch *sw)
{
	return sw->host;
}

unsigned switch_port(const struct msrp_switch *sw)
{
	return sw->port;
}
