/*
 * send.c - the active side of sxmsrp-send: connect to the first hop of the
 * To-Path, optionally bind with a bodiless SEND (RFC 4975 §5.4), send the
 * message as chunks (§7.1.1), and wait for the responses (§7.2) and the
 * REPORTs (§7.1.2) asked for.
 *
 * Chunks are handed to the connection only while less than SEND_WINDOW
 * bytes wait in its queue, so a large message never sits in memory twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msrp_build.h"
#include "msrp_conn.h"
#include "msrp_uri.h"
#include "sxmsrp_send.h"

#define MAX_HOPS    8
#define SEND_WINDOW (256 * 1024)

enum send_state {
	S_CONNECTING,
	S_BINDING,
	S_SENDING,
	S_WAITING,
	S_DONE,
};

struct sender {
	struct sx_loop *loop;
	const struct opts *o;
	struct msrp_conn *conn;
	struct sx_timer *timer;
	enum send_state state;
	int rc;

	struct msrp_uri hops[MAX_HOPS];
	int nhops;
	char from_path[512];

	const char *body;
	size_t len;
	struct msrp_chunker chunker;
	char message_id[MSRP_TID_MAX + 1];
	char bind_tid[MSRP_TID_MAX + 1];
	unsigned long chunks;

	/* tids of chunks whose response is awaited, oldest first */
	char (*tids)[MSRP_TID_MAX + 1];
	size_t ntids, tid_head, tid_cap;

	uint64_t reported;  /* bytes 1..reported covered by success REPORTs */
};

static void sender_finish(struct sender *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sender_finish(struct sender *s, int rc, const char *fmt, ...)
{
	va_list ap;

	if (s->state == S_DONE)
		return;
	s->state = S_DONE;
	s->rc = rc;
	va_start(ap, fmt);
	if (rc == EXIT_OK) {
		vprintf(fmt, ap);
		putchar('\n');
	} else {
		fputs("sxmsrp-send: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	fflush(stdout);
	sx_loop_stop(s->loop);
}

static void sender_touch(struct sender *s)
{
	sx_timer_start(s->timer, s->o->timeout_s * 1000UL);
}

static int tid_push(struct sender *s, const char *tid)
{
	if (s->ntids == s->tid_cap) {
		size_t cap = s->tid_cap ? s->tid_cap * 2 : 64;
		void *t;

		/* compact: answered tids before tid_head are dead */
		if (s->tids)
			memmove(s->tids, s->tids + s->tid_head,
				(s->ntids - s->tid_head) * sizeof(*s->tids));
		s->ntids -= s->tid_head;
		s->tid_head = 0;
		if (s->ntids < s->tid_cap / 2)
			cap = s->tid_cap;
		t = realloc(s->tids, cap * sizeof(*s->tids));
		if (t == NULL)
			return -1;
		s->tids = t;
		s->tid_cap = cap;
	}
	memcpy(s->tids[s->ntids++], tid, MSRP_TID_MAX + 1);
	return 0;
}

/* Marks tid answered; 0 when it was one of ours.  Responses normally come
 * in order, so the scan starts at the oldest unanswered. */
static int tid_answer(struct sender *s, const char *tid)
{
	size_t i;

	for (i = s->tid_head; i < s->ntids; i++) {
		if (strcmp(s->tids[i], tid) != 0)
			continue;
		if (i != s->tid_head)
			memcpy(s->tids[i], s->tids[s->tid_head],
			       sizeof(s->tids[i]));
		s->tid_head++;
		return 0;
	}
	return -1;
}

static void out_init(struct sender *s, struct msrp_out *out, const char *tid)
{
	memset(out, 0, sizeof(*out));
	out->tid = tid;
	out->method = MSRP_SEND;
	out->to_path = s->o->to_path;
	out->from_path = s->from_path;
	out->message_id = s->message_id;
	out->success_report = s->o->success_report ? MSRP_REPORT_YES
						   : MSRP_REPORT_NO;
	out->failure_report = s->o->failure_report;
}

static void sender_check_done(struct sender *s)
{
	if (s->state != S_WAITING)
		return;
	if (s->o->failure_report == MSRP_REPORT_YES &&
	    s->tid_head < s->ntids)
		return;
	if (s->o->success_report && s->reported < s->len)
		return;
	if (msrp_conn_queued(s->conn) > 0)
		return;  /* on_drained comes back here */
	sender_finish(s, EXIT_OK, "accepted: %zu bytes in %lu chunk%s, "
		      "Message-ID %s%s", s->len, s->chunks,
		      s->chunks == 1 ? "" : "s", s->message_id,
		      s->o->success_report ? ", success reported" : "");
}

/* Hands chunks to the connection while its queue is short. */
static void sender_pump(struct sender *s)
{
	while (s->state == S_SENDING &&
	       msrp_conn_queued(s->conn) < SEND_WINDOW) {
		struct msrp_byte_range r;
		struct msrp_out out;
		char tid[MSRP_TID_MAX + 1];
		uint64_t off;
		int last;
		size_t n = msrp_chunker_next(&s->chunker, &r, &off, &last);

		if (n == 0 && s->chunks > 0) {
			s->state = S_WAITING;
			break;
		}
		msrp_tid_pick(tid, s->body + off, n);
		out_init(s, &out, tid);
		out.has_range = 1;
		out.range = r;
		out.content_type = s->o->content_type;
		if (s->o->failure_report == MSRP_REPORT_YES &&
		    tid_push(s, tid) != 0) {
			sender_finish(s, EXIT_PROTOCOL, "out of memory");
			return;
		}
		if (msrp_conn_send(s->conn, &out, s->body + off, n,
				   last ? '$' : '+') != 0)
			return;  /* on_close reports it */
		s->chunks++;
		if (last || n == 0)
			s->state = S_WAITING;
	}
	sender_check_done(s);
}

static void sender_start_message(struct sender *s)
{
	s->state = S_SENDING;
	msrp_chunker_init(&s->chunker, s->len, s->o->chunk_size);
	sender_pump(s);
}

static void on_connected(void *arg, struct msrp_conn *c)
{
	struct sender *s = arg;

	if (s->o->from_path) {
		snprintf(s->from_path, sizeof(s->from_path), "%s",
			 s->o->from_path);
	} else {
		char sid[MSRP_TID_MAX + 1];

		msrp_message_id_pick(sid);
		snprintf(s->from_path, sizeof(s->from_path),
			 "msrp%s://%s/%s;tcp", s->hops[0].secure ? "s" : "",
			 sx_stream_local(msrp_conn_stream(c)), sid);
	}
	if (!s->o->quiet)
		fprintf(stderr, "connected to %s as %s\n",
			sx_stream_peer(msrp_conn_stream(c)), s->from_path);
	sender_touch(s);
	if (s->o->bind) {
		struct msrp_out out;

		msrp_tid_pick(s->bind_tid, NULL, 0);
		out_init(s, &out, s->bind_tid);
		out.success_report = MSRP_REPORT_NO;
		out.failure_report = MSRP_REPORT_YES;
		s->state = S_BINDING;
		msrp_conn_send(s->conn, &out, NULL, 0, '$');
		return;
	}
	sender_start_message(s);
}

static int status_of_report(const struct msrp_frame *f, const char **text)
{
	/* Status: 000 200 OK */
	const char *p = f->status_header.p;
	size_t n = f->status_header.len;
	int code = 0, digits = 0;
	size_t i = 0;

	while (i < n && p[i] != ' ')
		i++;
	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 3) {
		code = code * 10 + (p[i++] - '0');
		digits++;
	}
	*text = p + i;
	return digits == 3 ? code : 0;
}

static void on_report(struct sender *s, const struct msrp_frame *f)
{
	const char *text;
	int code = status_of_report(f, &text);

	if (f->message_id.len != strlen(s->message_id) ||
	    memcmp(f->message_id.p, s->message_id, f->message_id.len) != 0)
		return;  /* not about our message */
	sender_touch(s);
	if (code != 200) {
		sender_finish(s, EXIT_REFUSED,
			      "refused: failure REPORT %.*s for bytes "
			      "%llu-%llu", (int)f->status_header.len,
			      f->status_header.p,
			      (unsigned long long)f->range.start,
			      (unsigned long long)f->range.end);
		return;
	}
	if (f->range.start <= s->reported + 1 && f->range.end != MSRP_UNKNOWN &&
	    f->range.end > s->reported)
		s->reported = f->range.end;
	sender_check_done(s);
}

static int on_headers(void *arg, struct msrp_conn *c,
		      const struct msrp_frame *f)
{
	struct sender *s = arg;

	if (!s->o->quiet)
		out_frame_line(f, "<");
	if (f->method == MSRP_REPORT) {
		on_report(s, f);
		return 0;
	}
	if (f->method != MSRP_METHOD_NONE) {
		/* The far end has no business sending us requests here. */
		msrp_conn_respond(c, f, 403, "this sender accepts no requests");
		return 0;
	}
	if (s->state == S_BINDING && strcmp(f->tid, s->bind_tid) == 0) {
		if (f->status != 200) {
			sender_finish(s, EXIT_REFUSED,
				      "refused: bind answered %03d %.*s",
				      f->status, (int)f->comment.len,
				      f->comment.p);
			return 0;
		}
		sender_touch(s);
		sender_start_message(s);
		return 0;
	}
	if (tid_answer(s, f->tid) != 0) {
		if (!s->o->quiet)
			fprintf(stderr, "ignoring a response to unknown "
				"transaction %s\n", f->tid);
		return 0;
	}
	sender_touch(s);
	if (f->status != 200) {
		sender_finish(s, EXIT_REFUSED, "refused: %03d %.*s", f->status,
			      (int)f->comment.len, f->comment.p);
		return 0;
	}
	sender_check_done(s);
	return 0;
}

static void on_drained(void *arg, struct msrp_conn *c)
{
	struct sender *s = arg;

	(void)c;
	if (s->state == S_SENDING)
		sender_pump(s);
	else
		sender_check_done(s);
}

static void on_bad_frame(void *arg, struct msrp_conn *c,
			 const struct msrp_frame *f, const struct sx_err *err)
{
	(void)arg;
	(void)c;
	out_err("bad frame %s from the peer: %s", f->tid, err->text);
}

static void on_close(void *arg, struct msrp_conn *c, const char *reason)
{
	struct sender *s = arg;

	(void)c;
	if (s->state == S_CONNECTING)
		sender_finish(s, EXIT_CONNECT, "connection failed: %s",
			      reason ? reason : "closed by the peer");
	else
		sender_finish(s, EXIT_PROTOCOL, "connection %s before the "
			      "message was %s", reason ? reason : "closed",
			      s->o->success_report ? "reported" : "accepted");
}

static const struct msrp_conn_cb sender_cb = {
	.on_connected = on_connected,
	.on_headers = on_headers,
	.on_drained = on_drained,
	.on_bad_frame = on_bad_frame,
	.on_close = on_close,
};

static void on_timeout(void *arg)
{
	struct sender *s = arg;

	sender_finish(s, EXIT_TIMEOUT, "timeout: no %s within %u s",
		      s->state == S_CONNECTING ? "connection"
		      : s->state == S_BINDING ? "answer to the bind"
		      : s->o->success_report ? "complete success report"
					     : "answer to every chunk",
		      s->o->timeout_s);
}

int send_run(struct sx_loop *loop, const struct opts *o, const char *body,
	     size_t len)
{
	struct sender s = { 0 };
	struct sx_err err;
	struct sx_tls_opts tls = o->tls;

	s.loop = loop;
	s.o = o;
	s.body = body;
	s.len = len;
	s.state = S_CONNECTING;
	sx_err_clear(&err);
	s.nhops = msrp_path_parse(o->to_path, strlen(o->to_path), s.hops,
				  MAX_HOPS, &err);
	if (s.nhops <= 0) {
		out_err("--to-path: %s", s.nhops == 0 ? "empty" : err.text);
		return EXIT_USAGE;
	}
	msrp_message_id_pick(s.message_id);
	tls.enabled = s.hops[0].secure;
	s.timer = sx_timer_new(loop, on_timeout, &s);
	s.conn = msrp_conn_connect(loop, &s.hops[0], &tls, NULL, &sender_cb,
				   &s, &err);
	if (s.conn == NULL) {
		out_err("%s", err.text);
		sx_timer_free(s.timer);
		return EXIT_CONNECT;
	}
	sender_touch(&s);
	sx_loop_run(loop);
	msrp_conn_free(s.conn);
	sx_timer_free(s.timer);
	free(s.tids);
	return s.rc;
}
