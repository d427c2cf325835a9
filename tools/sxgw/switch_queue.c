/*
 * switch_queue.c - writing toward recipients, and congestion (RFC 7701
 * §6.4: one slow participant must not hold the others up).
 *
 * Frames go to the socket at once; what the kernel does not take waits in
 * the connection's stream queue.  A connection whose queue passes
 * congestion_bytes is congested: what is in flight to it is cut off with
 * '#', it is given no new message (each one it misses is counted) until
 * its queue drains, and after congestion_timeout seconds of that its
 * participants are dropped.  Nobody else ever waits for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "switch_int.h"
#include "sx_log.h"

static const char *who(const struct sw_conn *c)
{
	return c->sessions ? c->sessions->p->aor : c->peer;
}

static void congestion_timeout(void *arg)
{
	struct sw_conn *c = arg;

	sx_warn("MSRP %s (%s): congested for %u s, %lu messages dropped: "
		"its participants are dropped", c->peer, who(c),
		c->sw->cfg->congestion_timeout, c->dropped);
	while (c->sessions)
		sw_session_leave(c->sessions, LEAVE_FAILED);
	sw_conn_close(c, "congested too long");
}

static void congestion_start(struct sw_conn *c)
{
	const struct sxgw_config *cfg = c->sw->cfg;

	if (c->congestion == NULL) {
		c->congestion = sx_timer_new(c->sw->gw->loop,
					     congestion_timeout, c);
		if (c->congestion == NULL) {
			sw_conn_close(c, "out of memory");
			return;
		}
	}
	c->congested = 1;
	c->congested_at = time(NULL);
	c->dropped = 0;
	sx_warn("MSRP %s (%s): %zu bytes queued, congested: nothing more "
		"is sent to it until it drains", c->peer, who(c),
		msrp_conn_queued(c->mc));
	sx_timer_start(c->congestion, cfg->congestion_timeout * 1000UL);
	sw_send_cut_conn(c);
}

int sw_queue_admit(struct switch_session *s)
{
	struct sw_conn *c = s->conn;

	if (c == NULL || c->closed)
		return 0;
	if (c->congested) {
		c->dropped++;
		return 0;
	}
	return 1;
}

int sw_queue_send(struct switch_session *s, const struct msrp_out *o,
		  const char *body, size_t len, char flag)
{
	struct sw_conn *c = s->conn;

	if (c == NULL || c->closed || c->congested)
		return SX_ERROR;
	if (msrp_conn_send(c->mc, o, body, len, flag) != 0)
		return SX_ERROR;
	if (msrp_conn_queued(c->mc) > c->sw->cfg->congestion_bytes)
		congestion_start(c);
	return 0;
}

void sw_queue_abort(struct switch_session *s, const char *msg_id,
		    uint64_t next, uint64_t total)
{
	char tid[MSRP_TID_MAX + 1];
	struct msrp_out o = { 0 };
	struct sw_conn *c = s->conn;

	if (c == NULL || c->closed)
		return;
	msrp_tid_pick(tid, NULL, 0);
	o.tid = tid;
	o.method = MSRP_SEND;
	o.to_path = s->to_path;
	o.from_path = s->uri;
	o.message_id = msg_id;
	o.has_range = 1;
	o.range.start = next;
	o.range.end = next - 1;
	o.range.total = total;
	o.failure_report = MSRP_REPORT_PARTIAL;
	o.content_type = "message/cpim";
	msrp_conn_send(c->mc, &o, "", 0, '#');
}

void sw_queue_drained(struct sw_conn *c)
{
	if (!c->congested || c->closed)
		return;
	c->congested = 0;
	sx_timer_stop(c->congestion);
	sx_notice("MSRP %s (%s): drained after %ld s, %lu messages dropped "
		  "meanwhile", c->peer, who(c),
		  (long)(time(NULL) - c->congested_at), c->dropped);
}

void sw_queue_conn_free(struct sw_conn *c)
{
	sx_timer_free(c->congestion);
}
