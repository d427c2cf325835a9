/*
 * switch_send.c - SEND in the chat room (RFC 7701 §6.2, §6.3, §7 on RFC
 * 4975 §7.1 and RFC 3862): messages in flight, chunk forwarding, reports,
 * history and subject.
 *
 * A chunk that is not message/cpim is refused with 415.  A message is
 * judged (switch_judge.c) as soon as its CPIM headers are in, buffering
 * at most max_header_bytes of them when they span socket reads or
 * chunks.  From then on its chunks go out as they come, the CPIM untouched,
 * to the recipients chosen then; each recipient session gets frames with
 * its own transaction id, To-Path and From-Path, one Message-ID of ours
 * per message, and the byte positions of the sender's.
 *
 * Cost of one message of B <= chunk_size bytes in one chunk to N
 * recipients: one To-Path URI parse and hash lookup, one CPIM header
 * parse, one pass over the recipients' accept-wrapped-types, one scan of
 * the body for a transaction id, then per recipient one head of ~300
 * bytes built and one writev (the body is not copied unless the kernel
 * queue is full), one response to the sender, and one copy of the body
 * into history for a public message.  A body arrives in slices when a
 * chunk spans socket reads; each slice goes out in chunks of at most
 * chunk_size bytes as soon as it is in.
 *
 * The switch is the endpoint for reports (RFC 7701 §6.3): the sender gets
 * its responses and success REPORT from us; recipients are asked for
 * Failure-Report: partial, and their failures end in the log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpim.h"
#include "switch_int.h"
#include "sx_log.h"

#define CPIM_TYPE "message/cpim"
#define TYPE_MAX  256

/* --- messages ------------------------------------------------------------ */

static void chunk_timeout(void *arg);

static struct sw_msg *msg_find(struct switch_session *s,
			       const struct msrp_str *id)
{
	struct sw_msg *m;

	for (m = s->msgs; m; m = m->snext)
		if (strlen(m->id) == id->len &&
		    memcmp(m->id, id->p, id->len) == 0)
			return m;
	return NULL;
}

static struct sw_msg *msg_new(struct switch_session *s,
			      const struct msrp_frame *f)
{
	struct msrp_switch *sw = s->sw;
	struct sw_msg *m;

	if (s->inflight >= SW_MAX_INFLIGHT ||
	    f->message_id.len > MSRP_TID_MAX)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->timer = sx_timer_new(sw->gw->loop, chunk_timeout, m);
	if (m->timer == NULL) {
		free(m);
		return NULL;
	}
	m->sw = sw;
	m->from = s;
	memcpy(m->id, f->message_id.p, f->message_id.len);
	msrp_message_id_pick(m->out_id);
	m->state = MSG_HEAD;
	m->total = MSRP_UNKNOWN;
	m->next_in = 1;
	m->next = sw->msgs;
	if (sw->msgs)
		sw->msgs->prev = m;
	sw->msgs = m;
	m->snext = s->msgs;
	s->msgs = m;
	s->inflight++;
	return m;
}

static void msg_free(struct sw_msg *m)
{
	struct switch_session *s = m->from;
	struct sw_msg **pp;

	if (m->prev)
		m->prev->next = m->next;
	else
		m->sw->msgs = m->next;
	if (m->next)
		m->next->prev = m->prev;
	for (pp = &s->msgs; *pp; pp = &(*pp)->snext)
		if (*pp == m) {
			*pp = m->snext;
			break;
		}
	s->inflight--;
	/* a chunk of it may be arriving: the rest of that is refused */
	if (s->conn && s->conn->cur.msg == m) {
		s->conn->cur.msg = NULL;
		s->conn->cur.status = 413;
		s->conn->cur.why = "message aborted";
	}
	sx_timer_free(m->timer);
	free(m->head);
	free(m->hist);
	free(m->subject);
	free(m->rcpt);
	free(m);
}

/* Ends the message toward everyone who got part of it. */
static void msg_cut(struct sw_msg *m)
{
	unsigned i;

	for (i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].s) {
			sw_queue_abort(m->rcpt[i].s, m->out_id,
				       m->rcpt[i].next, m->total);
			m->rcpt[i].s = NULL;
		}
}

static const char *room_name(const struct sw_msg *m)
{
	return m->from->p->room->name;
}

/* Every further chunk of m is answered with status. */
static void msg_refuse(struct sw_msg *m, int status, const char *why)
{
	sx_notice("room %s: %s: message %s refused %d: %s", room_name(m),
		  m->from->p->aor, m->id, status, why);
	msg_cut(m);
	m->state = MSG_REFUSED;
	m->status = status;
	snprintf(m->why, sizeof(m->why), "%s", why);
	free(m->head);
	m->head = NULL;
	free(m->hist);
	m->hist = NULL;
	m->keep = 0;
}

static void chunk_timeout(void *arg)
{
	struct sw_msg *m = arg;

	if (m->state != MSG_REFUSED)
		sx_notice("room %s: %s: message %s stalled for %u s: aborted",
			  room_name(m), m->from->p->aor, m->id,
			  m->sw->cfg->chunk_timeout);
	msg_cut(m);
	msg_free(m);
}

/* --- forwarding ---------------------------------------------------------- */

/* A transaction id per recipient: base (whose end-line does not occur in
 * the body) and the recipient's index, so that no id repeats on a
 * connection that several recipients share. */
static void tid_for(char *tid, const char *base, unsigned i)
{
	static const char digits[] = "0123456789"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(base);

	memcpy(tid, base, n);
	do {
		tid[n++] = digits[i % 62];
		i /= 62;
	} while (i && n < MSRP_TID_MAX);
	tid[n] = '\0';
}

static void history_keep(struct sw_msg *m, const char *data, size_t len,
			 uint64_t at, int final)
{
	char *h;

	if (at == 1 && final) {
		room_history_add(m->from->p->room, data, len);
		m->keep = 0;
		return;
	}
	h = realloc(m->hist, m->hist_len + len + 1);
	if (h == NULL) {
		m->keep = 0;  /* history is best effort; delivery goes on */
		return;
	}
	memcpy(h + m->hist_len, data, len);
	m->hist = h;
	m->hist_len += len;
	if (final) {
		room_history_add(m->from->p->room, m->hist, m->hist_len);
		m->keep = 0;
	}
}

/* Sends bytes at..at+len-1 of m to every recipient as one chunk. */
static void chunk_forward(struct sw_msg *m, const char *data, size_t len,
			 uint64_t at)
{
	char base[MSRP_TID_MAX + 1], tid[MSRP_TID_MAX + 1];
	struct msrp_out o = { 0 };
	uint64_t end = at + len - 1;
	int final = m->total != MSRP_UNKNOWN && end == m->total;
	unsigned i;

	msrp_tid_pick(base, data, len);
	o.tid = tid;
	o.method = MSRP_SEND;
	o.message_id = m->out_id;
	o.has_range = 1;
	o.range.start = at;
	o.range.end = end;
	o.range.total = m->total;
	o.success_report = MSRP_REPORT_NO;
	o.failure_report = MSRP_REPORT_PARTIAL;
	o.content_type = CPIM_TYPE;
	for (i = 0; i < m->nrcpt; i++) {
		struct sw_rcpt *r = &m->rcpt[i];
		struct switch_session *s = r->s;

		if (s == NULL)
			continue;
		tid_for(tid, base, i);
		o.to_path = s->to_path;
		o.from_path = s->uri;
		r->next = end + 1;
		if (sw_queue_send(s, &o, data, len, final ? '$' : '+') != 0 &&
		    r->s != NULL) {
			/* not written: the recipient misses this part */
			sw_queue_abort(s, m->out_id, at, m->total);
			r->s = NULL;
		}
	}
}

/* Sends a slice of the body, in chunks of at most chunk_size bytes so
 * that other traffic can go between them (RFC 4975 §7.1.1). */
static void msg_forward(struct sw_msg *m, const char *data, size_t len,
			uint64_t at)
{
	size_t size = m->sw->cfg->chunk_size, off = 0;
	int final = m->total != MSRP_UNKNOWN && at + len - 1 == m->total;

	while (m->nrcpt > 0 && off < len) {
		size_t n = len - off < size ? len - off : size;

		chunk_forward(m, data + off, n, at + off);
		off += n;
	}
	m->final_sent = final;
	if (m->keep)
		history_keep(m, data, len, at, final);
}

/* The '$' of a message whose last byte went out with '+' (its total was
 * not known): an empty chunk ends it. */
static void msg_finish(struct sw_msg *m)
{
	char base[MSRP_TID_MAX + 1], tid[MSRP_TID_MAX + 1];
	struct msrp_out o = { 0 };
	unsigned i;

	msrp_tid_pick(base, NULL, 0);
	o.tid = tid;
	o.method = MSRP_SEND;
	o.message_id = m->out_id;
	o.has_range = 1;
	o.range.start = m->next_in;
	o.range.end = m->next_in - 1;
	o.range.total = m->next_in - 1;
	o.failure_report = MSRP_REPORT_PARTIAL;
	o.content_type = CPIM_TYPE;
	for (i = 0; i < m->nrcpt; i++) {
		struct switch_session *s = m->rcpt[i].s;

		if (s == NULL)
			continue;
		tid_for(tid, base, i);
		o.to_path = s->to_path;
		o.from_path = s->uri;
		sw_queue_send(s, &o, "", 0, '$');
	}
	m->final_sent = 1;
}

/* The CPIM headers are complete in data (the first len bytes of the
 * body): judge, then send what is there. */
static void msg_start(struct sw_msg *m, const struct cpim_msg *cm,
		      const char *data, size_t len)
{
	char why[160];
	int status = sw_judge(m, cm, why, sizeof(why));

	if (status != 0) {
		msg_refuse(m, status, why);
		return;
	}
	m->state = MSG_FORWARD;
	sx_debug("room %s: message %s from %s to %u participant%s%s",
		 room_name(m), m->id, m->from->p->aor, m->nrcpt,
		 m->nrcpt == 1 ? "" : "s",
		 m->public_msg ? "" : " (private)");
	msg_forward(m, data, len, 1);
}

/* Body bytes of a message whose headers are still incomplete. */
static void msg_head(struct sw_msg *m, const char *data, size_t len)
{
	const struct sxgw_config *cfg = m->sw->cfg;
	struct cpim_limits lim;
	struct cpim_msg cm;
	struct sx_err err;
	size_t n;
	ssize_t r;

	cpim_limits_default(&lim);
	lim.max_header_bytes = cfg->max_header_bytes;
	sx_err_clear(&err);
	if (m->head_len == 0) {
		/* the usual case: all headers in the first slice, no copy */
		r = cpim_parse(data, len, &lim, CPIM_PARTIAL, &cm, &err);
		if (r >= 0) {
			msg_start(m, &cm, data, len);
			return;
		}
		if (r == SX_ERROR) {
			msg_refuse(m, 400, err.text);
			return;
		}
		m->head = malloc(cfg->max_header_bytes);
		if (m->head == NULL) {
			msg_refuse(m, 500, "out of memory");
			return;
		}
	}
	n = cfg->max_header_bytes - m->head_len;
	if (n > len)
		n = len;
	memcpy(m->head + m->head_len, data, n);
	m->head_len += n;
	r = cpim_parse(m->head, m->head_len, &lim, CPIM_PARTIAL, &cm, &err);
	if (r == SX_INCOMPLETE && m->head_len == cfg->max_header_bytes) {
		msg_refuse(m, 413, "CPIM headers too long");
		return;
	}
	if (r == SX_INCOMPLETE)
		return;
	if (r == SX_ERROR) {
		msg_refuse(m, 400, err.text);
		return;
	}
	msg_start(m, &cm, m->head, m->head_len);
	free(m->head);
	m->head = NULL;
	if (m->state == MSG_FORWARD)
		msg_forward(m, data + n, len - n, m->head_len + 1);
}

/* --- the frame callbacks ------------------------------------------------- */

static int type_is_cpim(const struct msrp_str *t)
{
	size_t n = 0;

	while (n < t->len && t->p[n] != ';' && t->p[n] != ' ')
		n++;
	return n == strlen(CPIM_TYPE) && strncasecmp(t->p, CPIM_TYPE, n) == 0;
}

static void frame_refuse(struct sw_conn *c, int status, const char *why)
{
	struct participant *p = c->cur.s->p;

	sx_notice("room %s: %s: SEND refused %d: %s", p->room->name, p->aor,
		  status, why);
	c->cur.status = status;
	c->cur.why = why;
}

void sw_send_headers(struct sw_conn *c, const struct msrp_frame *f)
{
	struct switch_session *s = c->cur.s;
	struct sw_msg *m = msg_find(s, &f->message_id);
	int cpim = f->content_type.len == 0 || type_is_cpim(&f->content_type);

	c->cur.at = f->range.start;
	if (m == NULL) {
		if (f->range.start != 1)
			frame_refuse(c, 400, "a chunk of an unknown message "
				     "(the first chunk must come first)");
		else if (!cpim || f->content_type.len == 0)
			frame_refuse(c, 415, "only message/cpim is accepted "
				     "in a chat room");
		else if ((m = msg_new(s, f)) == NULL)
			frame_refuse(c, 413, "too many messages at once");
		if (m == NULL)
			return;
	} else if (m->state != MSG_REFUSED) {
		if (!cpim)
			msg_refuse(m, 415, "a chunk that is not message/cpim");
		else if (f->range.start != m->next_in)
			msg_refuse(m, 400, "chunks out of order");
		else if (f->range.total != MSRP_UNKNOWN &&
			 m->total != MSRP_UNKNOWN && f->range.total != m->total)
			msg_refuse(m, 400, "Byte-Range total changed");
	}
	if (m->total == MSRP_UNKNOWN)
		m->total = f->range.total;
	c->cur.msg = m;
	sx_timer_start(m->timer, m->sw->cfg->chunk_timeout * 1000UL);
}

void sw_send_body(struct sw_conn *c, const struct msrp_frame *f,
		  const char *data, size_t len)
{
	struct sw_msg *m = c->cur.msg;
	uint64_t at = c->cur.at;

	(void)f;
	c->cur.at += len;
	if (m == NULL || m->state == MSG_REFUSED)
		return;
	m->next_in = at + len;
	if (at - 1 + len > m->sw->cfg->max_message_size) {
		msg_refuse(m, 413, "message too large");
		return;
	}
	if (m->state == MSG_HEAD)
		msg_head(m, data, len);
	else
		msg_forward(m, data, len, at);
}

static void success_report(struct sw_conn *c, const struct msrp_frame *f,
			   const struct sw_msg *m)
{
	char buf[4096], tid[MSRP_TID_MAX + 1];
	uint64_t total = m->next_in - 1;
	size_t n = msrp_build_report(buf, sizeof(buf), f, c->cur.s->uri, 200,
				     NULL, total, total, tid);

	if (n < sizeof(buf))
		sx_stream_write(msrp_conn_stream(c->mc), buf, n);
}

/* The last chunk of a forwarded message is in. */
static void msg_complete(struct sw_conn *c, const struct msrp_frame *f,
			 struct sw_msg *m)
{
	struct participant *p = m->from->p;

	if (!m->final_sent)
		msg_finish(m);
	if (m->keep && m->hist)
		room_history_add(p->room, m->hist, m->hist_len);
	if (m->subject)
		room_set_subject(p->room, m->subject, p);
	msrp_conn_respond(c->mc, f, 200, NULL);
	if (f->success_report == MSRP_REPORT_YES)
		success_report(c, f, m);
	msg_free(m);
}

void sw_send_end(struct sw_conn *c, const struct msrp_frame *f, char flag)
{
	struct sw_msg *m = c->cur.msg;

	if (m == NULL) {
		msrp_conn_respond(c->mc, f, c->cur.status ? c->cur.status : 200,
				  c->cur.why);
		return;
	}
	if (flag == '#') {
		/* the sender gave up on it: so do the recipients */
		msrp_conn_respond(c->mc, f, m->state == MSG_REFUSED ?
				  m->status : 200, NULL);
		msg_cut(m);
		msg_free(m);
		return;
	}
	if (flag == '$' && m->state == MSG_HEAD) {
		struct cpim_msg cm;
		struct sx_err err;

		sx_err_clear(&err);
		if (cpim_parse(m->head ? m->head : "", m->head_len, NULL, 0,
			       &cm, &err) < 0)
			msg_refuse(m, 400, err.text);
		else
			msg_refuse(m, 400, "incomplete CPIM message");
	}
	if (m->state == MSG_REFUSED) {
		msrp_conn_respond(c->mc, f, m->status, m->why);
		if (flag == '$')
			msg_free(m);
		return;
	}
	if (flag == '$' && m->state == MSG_FORWARD) {
		msg_complete(c, f, m);
		return;
	}
	msrp_conn_respond(c->mc, f, 200, NULL);
}

void sw_send_frame_lost(struct sw_conn *c)
{
	struct sw_msg *m = c->cur.msg;

	if (m) {
		msg_cut(m);
		msg_free(m);
	}
}

void sw_send_session_gone(struct switch_session *s)
{
	struct sw_msg *m;
	unsigned i;

	while (s->msgs) {
		msg_cut(s->msgs);
		msg_free(s->msgs);
	}
	for (m = s->sw->msgs; m; m = m->next)
		for (i = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].s == s)
				m->rcpt[i].s = NULL;
}

void sw_send_cut_conn(struct sw_conn *c)
{
	struct sw_msg *m;
	unsigned i;

	for (m = c->sw->msgs; m; m = m->next)
		for (i = 0; i < m->nrcpt; i++) {
			struct sw_rcpt *r = &m->rcpt[i];

			if (r->s && r->s->conn == c) {
				sw_queue_abort(r->s, m->out_id, r->next,
					       m->total);
				r->s = NULL;
			}
		}
}

void sw_msg_free_all(struct msrp_switch *sw)
{
	while (sw->msgs)
		msg_free(sw->msgs);
}

/* --- history ------------------------------------------------------------- */

/* One message of the history to a new participant, chunked. */
static void replay_one(void *arg, const struct room_message *rm)
{
	struct switch_session *s = arg;
	const struct sxgw_config *cfg = s->sw->cfg;
	char id[MSRP_TID_MAX + 1], tid[MSRP_TID_MAX + 1];
	char type[TYPE_MAX];
	struct msrp_chunker ch;
	struct msrp_out o = { 0 };
	struct cpim_msg cm;
	struct sx_err err;
	uint64_t off;
	size_t n;
	int last;

	if (cpim_parse(rm->data, rm->len, NULL, 0, &cm, &err) < 0)
		return;
	snprintf(type, sizeof(type), "%.*s", (int)cm.content_type.len,
		 cm.content_type.p);
	if (!sw_accepts(s->p, type) || !sw_queue_admit(s))
		return;
	msrp_message_id_pick(id);
	o.tid = tid;
	o.method = MSRP_SEND;
	o.to_path = s->to_path;
	o.from_path = s->uri;
	o.message_id = id;
	o.has_range = 1;
	o.failure_report = MSRP_REPORT_PARTIAL;
	o.content_type = CPIM_TYPE;
	msrp_chunker_init(&ch, rm->len, cfg->chunk_size);
	while ((n = msrp_chunker_next(&ch, &o.range, &off, &last)) > 0) {
		msrp_tid_pick(tid, rm->data + off, n);
		if (sw_queue_send(s, &o, rm->data + off, n,
				  last ? '$' : '+') != 0) {
			if (off > 0)
				sw_queue_abort(s, id, off + 1, rm->len);
			return;
		}
	}
}

void sw_history_replay(struct switch_session *s)
{
	const struct room *r = s->p->room;

	if (r->hist_len == 0)
		return;
	sx_debug("room %s: %u messages of history to %s", r->name,
		 r->hist_len, s->p->aor);
	room_history_each(r, replay_one, s);
}
