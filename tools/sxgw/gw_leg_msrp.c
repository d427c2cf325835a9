/*
 * gw_leg_msrp.c - a leg's MSRP session with the room's switch (RFC 4975,
 * RFC 7701), over one connection of its own to the first hop of the
 * switch's a=path (connection reuse, §5.4, is optional and not done).
 *
 * We are the active side (a=setup:active, RFC 6135): the connection is
 * ours and a bodiless SEND binds the session at once (§5.4).  Our a=path
 * names port 9, the discard port RFC 4145 gives an endpoint that never
 * listens, since nothing ever connects to a leg.
 *
 * Then NICKNAME with Use-Nickname (RFC 7701 §6.1), SEND of CPIM in chunks
 * of at most 2048 bytes (§7.1.1) each awaiting its response (Failure-
 * Report yes), and what the room sends reassembled by Message-ID and
 * answered 200, or 413 past max_stanza_size ([xmpp]): an XMPP server would
 * refuse a stanza that large (RFC 7702 §5.5, a=max-size advertised).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_leg_int.h"
#include "msrp_build.h"
#include "msrp_conn.h"
#include "msrp_reasm.h"
#include "msrp_uri.h"
#include "sx_log.h"

#define LEG_MAX_HOPS     8
#define LEG_MAX_MESSAGES 8     /* being reassembled at once */
#define LEG_DISCARD_PORT 9

static void req_free(struct leg_req *r)
{
	free(r->nick);
	free(r);
}

static struct leg_req *req_add(struct gw_leg *leg, enum leg_req_kind kind,
			       const char *tid)
{
	struct leg_req *r = calloc(1, sizeof(*r)), **pp;

	if (r == NULL)
		return NULL;
	r->kind = kind;
	memcpy(r->tid, tid, sizeof(r->tid));
	r->deadline = gw_sip_now_ms() + LEG_SEND_TIMEOUT;
	for (pp = &leg->reqs; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	if (!sx_timer_armed(leg->req_timer))
		sx_timer_start(leg->req_timer, LEG_SEND_TIMEOUT);
	return r;
}

static struct leg_req *req_take(struct gw_leg *leg, const char *tid)
{
	struct leg_req **pp, *r;

	for (pp = &leg->reqs; (r = *pp) != NULL; pp = &r->next)
		if (strcmp(r->tid, tid) == 0) {
			*pp = r->next;
			return r;
		}
	return NULL;
}

static void out_unlink(struct gw_leg *leg, struct leg_out *o)
{
	struct leg_out **pp;

	for (pp = &leg->outs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			return;
		}
}

/* One more chunk of o answered; the last answer goes to sent(). */
static void out_answered(struct gw_leg *leg, struct leg_out *o, int status,
			 const char *phrase)
{
	if (status != 200 && o->status == 200) {
		o->status = status;
		snprintf(o->phrase, sizeof(o->phrase), "%.100s", phrase);
	}
	if (--o->outstanding > 0 || o->sending)
		return;
	out_unlink(leg, o);
	leg_on_sent(leg, o->cookie, o->status, o->phrase);
	free(o);
}

/* The requests of o go unanswered from now on. */
static void out_drop_reqs(struct gw_leg *leg, struct leg_out *o)
{
	struct leg_req **pp = &leg->reqs, *r;

	while ((r = *pp) != NULL) {
		if (r->kind == REQ_CHUNK && r->out == o) {
			*pp = r->next;
			req_free(r);
		} else {
			pp = &r->next;
		}
	}
	out_unlink(leg, o);
}

static void out_forget(struct gw_leg *leg, struct leg_out *o)
{
	out_drop_reqs(leg, o);
	free(o);
}

static void msrp_out_init(struct gw_leg *leg, struct msrp_out *o,
			  const char *tid, enum msrp_method method)
{
	memset(o, 0, sizeof(*o));
	o->tid = tid;
	o->method = method;
	o->to_path = leg->to_path;
	o->from_path = leg->path;
	o->success_report = MSRP_REPORT_NO;
	o->failure_report = MSRP_REPORT_YES;
}

/* --- what we send -------------------------------------------------------- */

static void send_bind(struct gw_leg *leg)
{
	char tid[MSRP_TID_MAX + 1], mid[MSRP_TID_MAX + 1];
	struct msrp_out o;

	msrp_tid_pick(tid, NULL, 0);
	msrp_message_id_pick(mid);
	msrp_out_init(leg, &o, tid, MSRP_SEND);
	o.message_id = mid;
	if (req_add(leg, REQ_BIND, tid) == NULL ||
	    msrp_conn_send(leg->conn, &o, NULL, 0, '$') != 0)
		leg_on_msrp_failed(leg, "cannot send the binding SEND");
}

int leg_msrp_nickname(struct gw_leg *leg, const char *nick)
{
	char tid[MSRP_TID_MAX + 1];
	struct leg_req *r;
	struct msrp_out o;

	if (leg->conn == NULL || !leg->bound || leg->msrp_off)
		return SX_ERROR;
	msrp_tid_pick(tid, NULL, 0);
	msrp_out_init(leg, &o, tid, MSRP_NICKNAME);
	o.use_nickname = nick;
	r = req_add(leg, REQ_NICK, tid);
	if (r == NULL || (r->nick = strdup(nick)) == NULL ||
	    msrp_conn_send(leg->conn, &o, NULL, 0, '$') != 0) {
		if (r)
			req_free(req_take(leg, tid));
		return SX_ERROR;
	}
	return 0;
}

int leg_msrp_send(struct gw_leg *leg, const char *body, size_t len,
		  void *cookie)
{
	char tid[MSRP_TID_MAX + 1], mid[MSRP_TID_MAX + 1];
	struct msrp_chunker ck;
	struct msrp_byte_range range;
	struct leg_out *o;
	struct leg_req *r;
	struct msrp_out mo;
	uint64_t off;
	size_t n;
	int last;

	if (leg->conn == NULL || !leg->bound || leg->msrp_off || len == 0)
		return SX_ERROR;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return SX_ERROR;
	o->cookie = cookie;
	o->status = 200;
	snprintf(o->phrase, sizeof(o->phrase), "OK");
	o->sending = 1;
	o->next = leg->outs;
	leg->outs = o;
	msrp_message_id_pick(mid);
	msrp_chunker_init(&ck, len, LEG_CHUNK);
	while ((n = msrp_chunker_next(&ck, &range, &off, &last)) > 0) {
		msrp_tid_pick(tid, body + off, n);
		msrp_out_init(leg, &mo, tid, MSRP_SEND);
		mo.message_id = mid;
		mo.has_range = 1;
		mo.range = range;
		mo.content_type = "message/cpim";
		r = req_add(leg, REQ_CHUNK, tid);
		if (r == NULL) {
			out_forget(leg, o);
			return SX_ERROR;
		}
		r->out = o;
		o->outstanding++;
		if (msrp_conn_send(leg->conn, &mo, body + off, n,
				   last ? '$' : '+') != 0) {
			out_forget(leg, o);
			return SX_ERROR;
		}
	}
	/* every answer comes from the loop, after this returns */
	o->sending = 0;
	return 0;
}

void leg_msrp_fail_pending(struct gw_leg *leg, int status, const char *phrase)
{
	struct leg_req *r;

	while ((r = leg->reqs) != NULL) {
		leg->reqs = r->next;
		req_free(r);
	}
	while (leg->outs && !leg->closing) {
		struct leg_out *o = leg->outs;

		leg->outs = o->next;
		leg_on_sent(leg, o->cookie, status, phrase);
		free(o);
	}
}

/* --- answers to what we sent --------------------------------------------- */

static void req_timeout(void *arg)
{
	struct gw_leg *leg = arg;
	uint64_t now = gw_sip_now_ms(), next = 0;
	struct leg_req **pp = &leg->reqs, *r;

	while ((r = *pp) != NULL) {
		if (r->deadline > now) {
			if (next == 0 || r->deadline < next)
				next = r->deadline;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (r->kind == REQ_CHUNK) {
			struct leg_out *o = r->out;

			req_free(r);
			/* its other chunks' answers no longer matter */
			out_drop_reqs(leg, o);
			leg_on_sent(leg, o->cookie, 408,
				    "no answer from the room");
			free(o);
		} else if (r->kind == REQ_NICK && leg->state == LEG_JOINED) {
			leg_on_nick(leg, r->nick, 408, "no answer from the room");
			req_free(r);
		} else {
			req_free(r);  /* the join timeout covers the others */
		}
		pp = &leg->reqs;
	}
	if (next)
		sx_timer_start(leg->req_timer, (unsigned long)(next - now));
}

static void on_response(struct gw_leg *leg, const struct msrp_frame *f)
{
	struct leg_req *r = req_take(leg, f->tid);
	char phrase[256];
	const char *std;

	if (r == NULL)
		return;  /* not ours, or too late */
	std = msrp_status_phrase(f->status);
	if (f->comment.len)
		snprintf(phrase, sizeof(phrase), "%.*s", (int)f->comment.len,
			 f->comment.p);
	else
		snprintf(phrase, sizeof(phrase), "%s", std ? std : "");
	switch (r->kind) {
	case REQ_BIND:
		if (f->status == 200) {
			leg->bound = 1;
			leg_on_bound(leg);
		} else {
			char why[300];

			snprintf(why, sizeof(why), "the binding SEND was "
				 "answered %03d %s", f->status, phrase);
			leg_on_msrp_failed(leg, why);
		}
		break;
	case REQ_NICK:
		leg_on_nick(leg, r->nick, f->status, phrase);
		break;
	case REQ_CHUNK:
		out_answered(leg, r->out, f->status, phrase);
		break;
	}
	req_free(r);
}

/* REPORTs are never answered (§7.1.2); the switch sends failure reports
 * only for what it could not deliver after answering 200. */
static void on_report(struct gw_leg *leg, const struct msrp_frame *f)
{
	sx_info("gw leg %lu: REPORT for message %.*s: %.*s", leg->id,
		(int)f->message_id.len, f->message_id.p,
		(int)f->status_header.len, f->status_header.p);
}

/* --- what the room sends ------------------------------------------------- */

static int to_path_ours(struct gw_leg *leg, const struct msrp_frame *f)
{
	struct msrp_uri hops[LEG_MAX_HOPS];
	struct sx_err err;
	int n = msrp_path_parse(f->to_path.p, f->to_path.len, hops,
				LEG_MAX_HOPS, &err);

	return n > 0 && strcmp(hops[n - 1].session_id, leg->session_id) == 0;
}

static void refuse(struct gw_leg *leg, struct msrp_conn *c,
		   const struct msrp_frame *f, int status, const char *why)
{
	msrp_conn_respond(c, f, status, why);
	leg->rx_refused = 1;
	leg->rx_take = 0;
}

static int on_headers(void *arg, struct msrp_conn *c,
		      const struct msrp_frame *f)
{
	struct gw_leg *leg = arg;
	size_t max = leg->gw->x->max_stanza_size;

	leg->rx_take = 0;
	leg->rx_refused = 0;
	if (leg->msrp_off)
		return 0;
	switch (f->method) {
	case MSRP_METHOD_NONE:
		on_response(leg, f);
		return 0;
	case MSRP_REPORT:
		on_report(leg, f);
		return 0;
	case MSRP_SEND:
		break;
	default:
		refuse(leg, c, f, 501, "not understood here");
		return 0;
	}
	if (!to_path_ours(leg, f))
		refuse(leg, c, f, 481, "no such session here");
	else if (f->has_body && !(f->content_type.len == 12 &&
				  strncasecmp(f->content_type.p,
					      "message/cpim", 12) == 0))
		refuse(leg, c, f, 415, "message/cpim only");
	else if (f->range.total != MSRP_UNKNOWN && f->range.total > max)
		refuse(leg, c, f, 413, "larger than the XMPP stanza limit");
	else {
		leg->rx_take = f->has_body;
		leg->rx_at = f->range.start;
	}
	return 0;
}

static int on_body(void *arg, struct msrp_conn *c, const struct msrp_frame *f,
		   const char *data, size_t len)
{
	struct gw_leg *leg = arg;
	struct sx_err err;

	if (!leg->rx_take || leg->msrp_off)
		return 0;
	sx_err_clear(&err);
	if (msrp_reasm_add(leg->reasm, f->message_id.p, f->message_id.len,
			   leg->rx_at, f->range.total, data, len, 0,
			   &err) < 0) {
		refuse(leg, c, f, err.status ? err.status : 400, err.text);
		return 0;
	}
	leg->rx_at += len;
	return 0;
}

static int on_end(void *arg, struct msrp_conn *c, const struct msrp_frame *f,
		  char flag)
{
	struct gw_leg *leg = arg;
	struct sx_err err;
	char *body;
	size_t len;

	if (f->method != MSRP_SEND || leg->rx_refused || leg->msrp_off)
		return 0;
	msrp_conn_respond(c, f, 200, NULL);
	if (!leg->rx_take)
		return 0;
	if (flag == '#') {
		msrp_reasm_drop(leg->reasm, f->message_id.p,
				f->message_id.len);
		return 0;
	}
	sx_err_clear(&err);
	if (msrp_reasm_add(leg->reasm, f->message_id.p, f->message_id.len,
			   leg->rx_at, f->range.total, NULL, 0, flag == '$',
			   &err) != 1)
		return 0;
	body = msrp_reasm_take(leg->reasm, f->message_id.p, f->message_id.len,
			       &len);
	if (body)
		leg_on_cpim(leg, body, len);
	return 0;
}

static void on_bad_frame(void *arg, struct msrp_conn *c,
			 const struct msrp_frame *f, const struct sx_err *err)
{
	struct gw_leg *leg = arg;

	(void)c;
	leg->rx_take = 0;
	sx_notice("gw leg %lu: bad MSRP frame %s from the room: %s", leg->id,
		  f->tid, err->text);
}

static void on_close(void *arg, struct msrp_conn *c, const char *reason)
{
	struct gw_leg *leg = arg;

	(void)c;
	if (leg->msrp_off)
		return;
	leg_on_msrp_failed(leg, reason ? reason : "closed by the room");
}

static void on_connected(void *arg, struct msrp_conn *c)
{
	struct gw_leg *leg = arg;

	(void)c;
	if (!leg->msrp_off)
		send_bind(leg);
}

static const struct msrp_conn_cb leg_conn_cb = {
	.on_connected = on_connected,
	.on_headers = on_headers,
	.on_body = on_body,
	.on_end = on_end,
	.on_bad_frame = on_bad_frame,
	.on_close = on_close,
};

/* --- setting up and down ------------------------------------------------- */

int leg_msrp_init(struct gw_leg *leg, struct sx_err *err)
{
	const char *h = leg->sip->host;
	int v6 = strchr(h, ':') != NULL;

	leg->reasm = msrp_reasm_new(LEG_MAX_MESSAGES,
				    leg->gw->x->max_stanza_size);
	leg->req_timer = sx_timer_new(leg->gw->loop, req_timeout, leg);
	if (leg->reasm == NULL || leg->req_timer == NULL)
		return sx_err_set(err, 500, "out of memory");
	msrp_message_id_pick(leg->session_id);
	snprintf(leg->path, sizeof(leg->path), "msrp://%s%s%s:%u/%s;tcp",
		 v6 ? "[" : "", h, v6 ? "]" : "", LEG_DISCARD_PORT,
		 leg->session_id);
	return 0;
}

char *leg_msrp_offer(struct gw_leg *leg, struct sx_err *err)
{
	char *types[] = { "message/cpim", NULL };
	char *wrapped[] = { "text/plain", "text/html",
			    "application/im-iscomposing+xml", NULL };
	struct sdp_msrp m = {
		.addr = leg->sip->host,
		.ipv6 = strchr(leg->sip->host, ':') != NULL,
		.port = LEG_DISCARD_PORT,
		.path = leg->path,
		.accept_types = types,
		.accept_wrapped_types = wrapped,
		.setup = SDP_MSRP_SETUP_ACTIVE,
		.max_size = leg->gw->x->max_stanza_size,
		.chatroom = 1,
		.nickname = 1,
		.private_messages = 1,
	};
	struct sdp_msrp_origin o = {
		.user = "-",
		.id = ((uint64_t)time(NULL) << 16) ^ leg->id,
		.version = 1,
	};

	return sdp_msrp_build(&m, &o, err);
}

int leg_msrp_connect(struct gw_leg *leg, const struct sdp_msrp *answer,
		     struct sx_err *err)
{
	struct msrp_uri hops[LEG_MAX_HOPS];
	int n;

	n = msrp_path_parse(answer->path, strlen(answer->path), hops,
			    LEG_MAX_HOPS, err);
	if (n <= 0)
		return n == 0 ? sx_err_set(err, 488, "empty a=path") : SX_ERROR;
	if (hops[0].secure || answer->secure)
		return sx_err_set(err, 488, "msrps (TLS) was not offered");
	leg->to_path = strdup(answer->path);
	if (leg->to_path == NULL)
		return sx_err_set(err, 500, "out of memory");
	leg->remote_max = answer->max_size;
	leg->conn = msrp_conn_connect(leg->gw->loop, &hops[0], NULL, NULL,
				      &leg_conn_cb, leg, err);
	return leg->conn ? 0 : SX_ERROR;
}

void leg_msrp_close(struct gw_leg *leg)
{
	struct leg_req *r;

	if (leg->msrp_off)
		return;
	leg->msrp_off = 1;
	if (leg->conn)
		sx_stream_pause(msrp_conn_stream(leg->conn), 1);
	while ((r = leg->reqs) != NULL) {
		leg->reqs = r->next;
		req_free(r);
	}
	while (leg->outs) {
		struct leg_out *o = leg->outs;

		leg->outs = o->next;
		free(o);
	}
	if (leg->req_timer)
		sx_timer_stop(leg->req_timer);
}

void leg_msrp_free(struct gw_leg *leg)
{
	leg_msrp_close(leg);
	msrp_conn_free(leg->conn);
	leg->conn = NULL;
	msrp_reasm_free(leg->reasm);
	sx_timer_free(leg->req_timer);
	free(leg->to_path);
}
