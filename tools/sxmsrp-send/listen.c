/*
 * listen.c - the passive side of sxmsrp-send: accept MSRP connections,
 * reassemble each message by Message-ID (RFC 4975 §7.1.1), answer every
 * request as its Failure-Report asks (§7.2), send the success REPORT asked
 * for (§7.1.2), and print what arrived.
 *
 * Requests must name our URI as the last To-Path entry (481 otherwise);
 * the session id is printed at start so a script can build the path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msrp_build.h"
#include "msrp_conn.h"
#include "msrp_reasm.h"
#include "msrp_uri.h"
#include "sxmsrp_send.h"

#define MAX_HOPS          8
#define MAX_OPEN_MESSAGES 64

struct peer;

struct listener {
	struct sx_loop *loop;
	const struct opts *o;
	struct sx_listener *ls;
	char session_id[MSRP_TID_MAX + 1];
	char uri[400];
	unsigned long received;
	int rc;
	int stopping;
	struct peer *peers;
};

struct peer {
	struct listener *l;
	struct msrp_conn *conn;
	struct msrp_reasm *reasm;
	struct peer *next;

	/* the frame being received */
	int accepting;          /* body goes to reassembly */
	uint64_t at;            /* 1-based position of the next body byte */
	int refused;            /* answered with an error already */
};

static void peer_free(struct peer *p)
{
	struct peer **pp;

	for (pp = &p->l->peers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	msrp_conn_free(p->conn);
	msrp_reasm_free(p->reasm);
	free(p);
}

static void listener_maybe_stop(struct listener *l)
{
	struct peer *p;

	if (!l->stopping)
		return;
	for (p = l->peers; p; p = p->next)
		if (msrp_conn_queued(p->conn) > 0)
			return;  /* answers still on their way */
	sx_loop_stop(l->loop);
}

/* Whether the last URI of the To-Path is ours (session id compare, §6.1). */
static int to_path_is_ours(struct listener *l, const struct msrp_frame *f)
{
	struct msrp_uri hops[MAX_HOPS];
	struct sx_err err;
	int n = msrp_path_parse(f->to_path.p, f->to_path.len, hops, MAX_HOPS,
				&err);

	return n > 0 && strcmp(hops[n - 1].session_id, l->session_id) == 0;
}

static int on_headers(void *arg, struct msrp_conn *c,
		      const struct msrp_frame *f)
{
	struct peer *p = arg;
	struct listener *l = p->l;

	p->accepting = 0;
	p->refused = 0;
	if (!l->o->quiet && !l->o->body_only)
		out_frame_line(f, "<");
	switch (f->method) {
	case MSRP_METHOD_NONE:
	case MSRP_REPORT:
		return 0;  /* never answered (§7.1.2) */
	case MSRP_SEND:
		break;
	default:
		msrp_conn_respond(c, f, 501, NULL);
		p->refused = 1;
		return 0;
	}
	if (!to_path_is_ours(l, f)) {
		msrp_conn_respond(c, f, 481, "no such session here");
		p->refused = 1;
		return 0;
	}
	if (f->range.total != MSRP_UNKNOWN && f->range.total > l->o->max_size) {
		msrp_conn_respond(c, f, 413, "message too large");
		p->refused = 1;
		return 0;
	}
	p->accepting = f->has_body;
	p->at = f->range.start;
	return 0;
}

static int on_body(void *arg, struct msrp_conn *c, const struct msrp_frame *f,
		   const char *data, size_t len)
{
	struct peer *p = arg;
	struct sx_err err;
	int r;

	if (!p->accepting)
		return 0;
	sx_err_clear(&err);
	r = msrp_reasm_add(p->reasm, f->message_id.p, f->message_id.len, p->at,
			   f->range.total, data, len, 0, &err);
	p->at += len;
	if (r < 0) {
		msrp_conn_respond(c, f, err.status ? err.status : 400,
				  err.text);
		p->accepting = 0;
		p->refused = 1;
	}
	return 0;
}

static void send_success_report(struct peer *p, const struct msrp_frame *f,
				uint64_t total)
{
	char buf[4096], tid[MSRP_TID_MAX + 1];
	size_t n = msrp_build_report(buf, sizeof(buf), f, NULL, 200, NULL,
				     total, total, tid);

	if (n < sizeof(buf))
		sx_stream_write(msrp_conn_stream(p->conn), buf, n);
}

static int on_end(void *arg, struct msrp_conn *c, const struct msrp_frame *f,
		  char flag)
{
	struct peer *p = arg;
	struct listener *l = p->l;
	struct sx_err err;
	char *body;
	size_t len;
	int r;

	if (f->method != MSRP_SEND || p->refused)
		return 0;
	msrp_conn_respond(c, f, 200, NULL);
	if (!f->has_body)
		return 0;  /* a bind, or a keep-alive: nothing to print */
	if (flag == '#') {
		msrp_reasm_drop(p->reasm, f->message_id.p, f->message_id.len);
		if (!l->o->quiet)
			fprintf(stderr, "message %.*s aborted by the sender\n",
				(int)f->message_id.len, f->message_id.p);
		return 0;
	}
	/* '$' fixes the total at this chunk's end when it was '*' */
	sx_err_clear(&err);
	r = msrp_reasm_add(p->reasm, f->message_id.p, f->message_id.len, p->at,
			   f->range.total, NULL, 0, flag == '$', &err);
	if (r != 1)
		return 0;
	body = msrp_reasm_take(p->reasm, f->message_id.p, f->message_id.len,
			       &len);
	if (body == NULL)
		return 0;
	if (f->success_report == MSRP_REPORT_YES)
		send_success_report(p, f, len);
	out_message(l->o, f, body, len);
	free(body);
	l->received++;
	if (l->o->count && l->received >= l->o->count) {
		l->stopping = 1;
		listener_maybe_stop(l);
	}
	return 0;
}

static void on_drained(void *arg, struct msrp_conn *c)
{
	struct peer *p = arg;

	(void)c;
	listener_maybe_stop(p->l);
}

static void on_bad_frame(void *arg, struct msrp_conn *c,
			 const struct msrp_frame *f, const struct sx_err *err)
{
	struct peer *p = arg;

	(void)c;
	p->accepting = 0;
	out_err("%s: bad frame %s: %s (answered %d)",
		sx_stream_peer(msrp_conn_stream(p->conn)), f->tid, err->text,
		err->status);
}

static void on_close(void *arg, struct msrp_conn *c, const char *reason)
{
	struct peer *p = arg;
	struct listener *l = p->l;

	(void)c;
	if (!l->o->quiet || reason)
		fprintf(stderr, "%s: connection %s%s\n",
			sx_stream_peer(msrp_conn_stream(p->conn)),
			reason ? "failed: " : "closed", reason ? reason : "");
	peer_free(p);
	listener_maybe_stop(l);
}

static const struct msrp_conn_cb peer_cb = {
	.on_headers = on_headers,
	.on_body = on_body,
	.on_end = on_end,
	.on_drained = on_drained,
	.on_bad_frame = on_bad_frame,
	.on_close = on_close,
};

static void on_accept(void *arg, struct sx_stream *s)
{
	struct listener *l = arg;
	struct peer *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		sx_stream_free(s);
		return;
	}
	p->l = l;
	p->reasm = msrp_reasm_new(MAX_OPEN_MESSAGES, l->o->max_size);
	p->conn = msrp_conn_adopt(s, NULL, &peer_cb, p);
	if (p->reasm == NULL || p->conn == NULL) {
		msrp_reasm_free(p->reasm);
		sx_stream_free(s);
		free(p);
		return;
	}
	p->next = l->peers;
	l->peers = p;
	if (!l->o->quiet && !l->o->body_only)
		fprintf(stderr, "connection from %s\n", sx_stream_peer(s));
}

int listen_run(struct sx_loop *loop, const struct opts *o)
{
	struct listener l = { 0 };
	struct sx_err err;
	char host[256];
	unsigned port;

	l.loop = loop;
	l.o = o;
	if (sx_hostport_split(o->listen, host, sizeof(host), &port) != 0) {
		out_err("--listen: HOST:PORT expected, got '%s'", o->listen);
		return EXIT_USAGE;
	}
	if (o->session_id)
		snprintf(l.session_id, sizeof(l.session_id), "%s",
			 o->session_id);
	else
		msrp_message_id_pick(l.session_id);
	sx_err_clear(&err);
	l.ls = sx_listener_new(loop, host, port, &o->tls, on_accept, NULL, &l,
			       &err);
	if (l.ls == NULL) {
		out_err("%s", err.text);
		return EXIT_CONNECT;
	}
	snprintf(l.uri, sizeof(l.uri), "msrp%s://%s%s%s:%u/%s;tcp",
		 o->tls.enabled ? "s" : "", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", sx_listener_port(l.ls),
		 l.session_id);
	fprintf(stderr, "listening on %s\n", l.uri);
	fflush(stderr);
	sx_loop_run(loop);
	while (l.peers)
		peer_free(l.peers);
	sx_listener_free(l.ls);
	return l.rc;
}
