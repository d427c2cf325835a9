/*
 * xmpp_link.h - one external component connection to an XMPP server
 * (XEP-0114), run by libstrophe inside the program's sx_loop.
 *
 * A link serves one domain.  It connects, authenticates with the
 * handshake, hands every received stanza to its owner and sends what the
 * owner gives it.  When the server goes away (or cannot be reached, or
 * refuses the handshake) the link tells its owner and reconnects on its
 * own, with an exponential backoff between min and max delays; the owner
 * never sees libstrophe's connection, only stanzas.
 *
 * libstrophe has no file descriptor getter: the link learns each socket
 * from the sockopt callback, watches it on the loop and runs
 * xmpp_run_once() when it is readable, plus a short tick while a connect
 * or a send is in progress (and for libstrophe's own timed handlers).
 *
 * libstrophe 0.12 crashes on the first send of a component connection,
 * and on its first disconnection (its stream-management state is only
 * allocated for clients); the link works around it by letting a client
 * connect fail on the same xmpp_conn_t first, synchronously and without
 * traffic (see xmpp_link.c).  test_xmpp_link keeps that covered.
 *
 * libstrophe writes with send(..., 0): the program must ignore SIGPIPE.
 */
#ifndef XMPP_LINK_H
#define XMPP_LINK_H

#include <strophe.h>

#include "sx_err.h"
#include "sx_loop.h"

struct xmpp_link;

struct xmpp_link_config {
	const char *host;          /* server address, e.g. "127.0.0.1" */
	unsigned short port;       /* component port, e.g. 5347 */
	const char *domain;        /* the component's domain */
	const char *secret;        /* the shared secret */
	unsigned backoff_min_ms;   /* first reconnection delay; 0: 500 */
	unsigned backoff_max_ms;   /* upper bound; 0: 30000 */
	/* Keepalive: a whitespace ping after this many seconds without
	 * traffic; 0: 60. */
	unsigned keepalive_s;
};

struct xmpp_link_ops {
	/* The handshake succeeded: stanzas may be sent. */
	void (*up)(void *arg, struct xmpp_link *l);
	/* The stream ended or the connection attempt failed; a reconnection
	 * is scheduled.  why: a short human-readable reason for the log.
	 * was_up: whether up() had been called for this connection. */
	void (*down)(void *arg, struct xmpp_link *l, const char *why,
		     int was_up);
	/* A stanza (message, presence, iq) arrived; borrowed for the call.
	 * Other top-level elements are not passed on. */
	void (*stanza)(void *arg, struct xmpp_link *l, xmpp_stanza_t *st);
};

/* Creates the link; the first attempt starts from the loop, so that no
 * callback runs before the caller holds the link.  The config strings are
 * copied.  NULL on failure (err says why: bad config, out of memory).
 * Reconnection delays double from min to max after every attempt that
 * does not reach up(), each shortened by up to a quarter at random; the
 * first one after a lost connection is min again. */
struct xmpp_link *xmpp_link_new(struct sx_loop *loop,
				const struct xmpp_link_config *cfg,
				const struct xmpp_link_ops *ops, void *arg,
				struct sx_err *err);
/* Closes the stream (</stream:stream>, best effort) and frees everything;
 * no callback is called from here on.  Safe from inside the link's own
 * callbacks: the release then happens when libstrophe has returned. */
void xmpp_link_free(struct xmpp_link *l);

/* The libstrophe context, to build stanzas with (xmpp_stanza_new...). */
xmpp_ctx_t *xmpp_link_ctx(struct xmpp_link *l);
const char *xmpp_link_domain(const struct xmpp_link *l);
int xmpp_link_is_up(const struct xmpp_link *l);

/* Sends a stanza (not consumed: the caller still releases it).  Returns 0,
 * or SX_ERROR when the link is not up (the stanza is dropped: the caller
 * decides what that means).  The bytes leave on the next loop turn (before
 * the callback returns when called from one), never re-entering the
 * caller. */
int xmpp_link_send(struct xmpp_link *l, xmpp_stanza_t *st);

/* Stanzas sent and received, connections made (up() calls) and attempts
 * that failed before up(): for logs and tests. */
struct xmpp_link_stats {
	unsigned long sent, received, connects, failures;
};
void xmpp_link_stats(const struct xmpp_link *l, struct xmpp_link_stats *s);

#endif
