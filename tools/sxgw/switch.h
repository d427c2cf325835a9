/*
 * switch.h - the MSRP side of sxgw: the chat room switch (RFC 7701) on
 * MSRP (RFC 4975).  Each participant has one session here, bound by its
 * first SEND; several sessions may share a TCP connection.
 *
 *   switch.c        listener, connections, session binding, NICKNAME
 *   switch_send.c   SEND checks, fan-out, private messages, chunk
 *                   forwarding, reports, history replay, subject
 *   switch_queue.c  per-recipient queues and congestion
 */
#ifndef SXGW_SWITCH_H
#define SXGW_SWITCH_H

#include <stddef.h>

#include "sx_err.h"
#include "sxgw.h"

struct participant;

struct msrp_switch *switch_new(struct sxgw *gw, struct sx_err *err);
void switch_free(struct msrp_switch *sw);

/* Called by the focus while answering an INVITE (or building a dial-out
 * offer): creates p's session and writes the switch's MSRP URI for it
 * (for a=path) into path.  p->remote_path etc. are set by the focus before
 * or after, but before the participant's first SEND can arrive.  Returns
 * 0 or SX_ERROR. */
int switch_session_new(struct msrp_switch *sw, struct participant *p,
		       char *path, size_t cap);
/* The host and port the switch advertises, and its a=max-size. */
const char *switch_host(const struct msrp_switch *sw);
unsigned switch_port(const struct msrp_switch *sw);

/* Called by room.c: the dial-out to p was answered; the time p has to
 * bind its session starts now (until then the focus's invite_timeout
 * governs). */
void switch_session_answered(struct msrp_switch *sw, struct participant *p);
/* Called by room.c: p leaves for another reason than its MSRP side; drop
 * the session (abort messages in flight to and from it). */
void switch_session_end(struct msrp_switch *sw, struct participant *p);

#endif
