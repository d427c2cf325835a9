/*
 * xmpp_link.c - an external component connection (XEP-0114 §2-3: stream
 * opening, handshake, stanza exchange) run by libstrophe inside sx_loop,
 * with reconnection and a whitespace keepalive (RFC 6120 §4.6.1).
 *
 * How libstrophe 0.12 is driven, as read from its source and checked:
 *   - xmpp_run_once(ctx, 0) first writes what is queued, then fires timed
 *     handlers, then select()s with a zero timeout and reads at most one
 *     buffer (4 KiB): it never blocks.  Output queued by handlers during
 *     the read (stream header after the TCP connect, the handshake after
 *     the server's header, replies sent from our callbacks) stays queued
 *     until the next call, so a pump runs it a second time when output may
 *     be pending.
 *   - Every socket is announced to the sockopt callback before connect();
 *     the fd changes on every attempt (and within one attempt when the
 *     host has several addresses), and libstrophe closes it right before
 *     calling the connection handler with XMPP_CONN_DISCONNECT.
 *   - xmpp_conn_send_queue_len() counts only stanzas given to xmpp_send*,
 *     not libstrophe's own output.
 *   - The handler's error is 0 when a connect is refused; ECONNRESET when
 *     the server closed the socket.
 *   - xmpp_conn_release() on a connected conn calls the connection handler.
 *   - Writes use send(..., 0): the program must ignore SIGPIPE.
 *   - On a component conn, stream-management state is never allocated and
 *     the first xmpp_send(), like the first disconnection, dereferences it.  A client connect allocates it
 *     before opening its socket; refusing that socket in the sockopt
 *     callback makes the connect fail synchronously, with no traffic, and
 *     leaves the state allocated for the component connects that follow.
 */
#include "xmpp_link.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sx_log.h"

#define XL_BACKOFF_MIN_MS  500
#define XL_BACKOFF_MAX_MS  30000
#define XL_KEEPALIVE_S     60
/* How often libstrophe runs while a connection is being set up: its
 * connect timeout and handshake bookkeeping are timed handlers. */
#define XL_TICK_MS         100
/* A server that accepts TCP but never completes the handshake. */
#define XL_OPEN_TIMEOUT_MS 15000

enum xl_state {
	XL_IDLE,        /* waiting for the next attempt */
	XL_CONNECTING,  /* TCP connect in progress */
	XL_OPENING,     /* stream headers and handshake */
	XL_UP,
};

struct xmpp_link {
	struct sx_loop *loop;
	struct xmpp_link_ops ops;
	void *arg;

	char *host, *domain;
	unsigned short port;
	unsigned backoff_min, backoff_max, keepalive_ms;

	xmpp_log_t log;
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;

	enum xl_state state;
	int fd;
	struct sx_watch *watch;
	struct sx_timer *retry;      /* next connection attempt */
	struct sx_timer *tick;       /* libstrophe's timers while opening */
	struct sx_timer *flush;      /* writes what xmpp_link_send queued */
	struct sx_timer *keepalive;
	struct sx_timer *open_timer; /* handshake deadline */

	unsigned attempts;           /* failed attempts since the last up */
	unsigned rng;
	const char *why;             /* reason decided by the link itself */
	int priming;
	int depth;                   /* nesting of calls that may call back */
	int dead;                    /* xmpp_link_free() was called */
	struct xmpp_link_stats stats;
	struct xmpp_link *next;      /* in xl_all */
};

/* libstrophe's sockopt callback gets the conn only: the links are few. */
static struct xmpp_link *xl_all;

static const char *const xl_stream_conditions[] = {
	[XMPP_SE_BAD_FORMAT] = "bad-format",
	[XMPP_SE_BAD_NS_PREFIX] = "bad-namespace-prefix",
	[XMPP_SE_CONFLICT] = "conflict",
	[XMPP_SE_CONN_TIMEOUT] = "connection-timeout",
	[XMPP_SE_HOST_GONE] = "host-gone",
	[XMPP_SE_HOST_UNKNOWN] = "host-unknown",
	[XMPP_SE_IMPROPER_ADDR] = "improper-addressing",
	[XMPP_SE_INTERNAL_SERVER_ERROR] = "internal-server-error",
	[XMPP_SE_INVALID_FROM] = "invalid-from",
	[XMPP_SE_INVALID_ID] = "invalid-id",
	[XMPP_SE_INVALID_NS] = "invalid-namespace",
	[XMPP_SE_INVALID_XML] = "invalid-xml",
	[XMPP_SE_NOT_AUTHORIZED] = "not-authorized",
	[XMPP_SE_POLICY_VIOLATION] = "policy-violation",
	[XMPP_SE_REMOTE_CONN_FAILED] = "remote-connection-failed",
	[XMPP_SE_RESOURCE_CONSTRAINT] = "resource-constraint",
	[XMPP_SE_RESTRICTED_XML] = "restricted-xml",
	[XMPP_SE_SEE_OTHER_HOST] = "see-other-host",
	[XMPP_SE_SYSTEM_SHUTDOWN] = "system-shutdown",
	[XMPP_SE_UNDEFINED_CONDITION] = "undefined-condition",
	[XMPP_SE_UNSUPPORTED_ENCODING] = "unsupported-encoding",
	[XMPP_SE_UNSUPPORTED_STANZA_TYPE] = "unsupported-stanza-type",
	[XMPP_SE_UNSUPPORTED_VERSION] = "unsupported-version",
	[XMPP_SE_XML_NOT_WELL_FORMED] = "not-well-formed",
};

static void xl_destroy(struct xmpp_link *l);
static void xl_pump(struct xmpp_link *l);

/* Callbacks to the owner happen between xl_enter() and xl_leave(); a free
 * requested meanwhile is carried out by the outermost xl_leave(), after
 * which the caller must not touch l. */
static void xl_enter(struct xmpp_link *l)
{
	l->depth++;
}

static int xl_leave(struct xmpp_link *l)
{
	if (--l->depth == 0 && l->dead) {
		xl_destroy(l);
		return 1;
	}
	return 0;
}

static void xl_strophe_log(void *arg, xmpp_log_level_t level,
			   const char *area, const char *msg)
{
	struct xmpp_link *l = arg;

	(void)level;
	sx_debug("xmpp link %s: libstrophe %s: %s", l->domain, area, msg);
}

/* xorshift32: jitter needs no quality, only independence between links */
static unsigned xl_random(struct xmpp_link *l)
{
	unsigned x = l->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return l->rng = x;
}

/* The base delay doubles with every failed attempt, from min to max; the
 * actual delay is 75-100 % of it so that gateways restarted together do
 * not reconnect in step. */
static unsigned xl_backoff(struct xmpp_link *l)
{
	unsigned long base = l->backoff_min;
	unsigned i;

	for (i = 0; i < l->attempts && base < l->backoff_max; i++)
		base *= 2;
	if (base > l->backoff_max)
		base = l->backoff_max;
	if (l->attempts < 32)
		l->attempts++;
	return (unsigned)(base - xl_random(l) % (base / 4 + 1));
}

static void xl_unwatch(struct xmpp_link *l)
{
	sx_watch_free(l->watch);
	if (l->fd >= 0)
		close(l->fd);
	l->watch = NULL;
	l->fd = -1;
}

static void xl_on_fd(void *arg, int fd, int events)
{
	(void)fd;
	(void)events;
	xl_pump(arg);
}

static int xl_sockopt(xmpp_conn_t *conn, void *sock)
{
	struct xmpp_link *l = xl_all;
	int fd = *(int *)sock;
	int one = 1;
	unsigned timeout = l->keepalive_ms;

	while (l != NULL && l->conn != conn)
		l = l->next;
	if (l == NULL || l->priming)
		return -1;
	xl_unwatch(l);
	/* stanzas are small and latency matters more than segments */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a peer that stops acknowledging (the keepalive included) is gone */
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout,
		   sizeof(timeout));
	/* libstrophe closes its socket before telling us: watching a
	 * duplicate keeps the registration valid until we drop it */
	l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (l->fd < 0)
		return -1;
	l->watch = sx_watch_new(l->loop, l->fd, SX_EV_READ | SX_EV_WRITE,
				xl_on_fd, l);
	if (l->watch == NULL) {
		xl_unwatch(l);
		return -1;
	}
	return 0;
}

/* Output may wait in libstrophe's queue: its own while the stream opens,
 * ours while the socket is full. */
static int xl_output_pending(struct xmpp_link *l)
{
	return l->state == XL_OPENING ||
	       (l->state == XL_UP && xmpp_conn_send_queue_len(l->conn) > 0);
}

static void xl_rearm(struct xmpp_link *l)
{
	int ev = SX_EV_READ;

	if (l->dead || l->state == XL_IDLE)
		return;
	if (l->state == XL_CONNECTING ||
	    (l->state == XL_UP && xmpp_conn_send_queue_len(l->conn) > 0))
		ev |= SX_EV_WRITE;
	if (l->watch != NULL)
		sx_watch_set(l->watch, ev);
	if (l->state == XL_UP)
		sx_timer_stop(l->tick);
	else if (!sx_timer_armed(l->tick))
		sx_timer_start(l->tick, XL_TICK_MS);
}

static void xl_pump(struct xmpp_link *l)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int pass;

	xl_enter(l);
	for (pass = 0; pass < 2 && !l->dead; pass++) {
		xmpp_run_once(l->ctx, 0);
		if (l->state == XL_CONNECTING && l->fd >= 0 &&
		    getpeername(l->fd, (struct sockaddr *)&sa, &len) == 0)
			l->state = XL_OPENING;
		if (!xl_output_pending(l))
			break;
	}
	xl_rearm(l);
	xl_leave(l);
}

static void xl_on_tick(void *arg)
{
	xl_pump(arg);
}

static void xl_on_flush(void *arg)
{
	xl_pump(arg);
}

static void xl_on_keepalive(void *arg)
{
	struct xmpp_link *l = arg;

	if (l->state != XL_UP)
		return;
	/* RFC 6120 §4.6.1: whitespace keeps NATs and the server's idle
	 * timers quiet, and a dead peer surfaces as a write error */
	xmpp_send_raw(l->conn, " ", 1);
	sx_timer_start(l->keepalive, l->keepalive_ms);
	xl_pump(l);
}

static void xl_on_open_timeout(void *arg)
{
	struct xmpp_link *l = arg;

	if (l->state != XL_OPENING || l->fd < 0)
		return;
	/* libstrophe then reads end-of-stream and disconnects as usual */
	l->why = "no handshake from the server";
	shutdown(l->fd, SHUT_RDWR);
	xl_pump(l);
}

static void xl_reason(struct xmpp_link *l, int error,
		      xmpp_stream_error_t *se, enum xl_state was,
		      char *buf, size_t size)
{
	const char *cond = "unknown";

	if (se != NULL) {
		if ((size_t)se->type < sizeof(xl_stream_conditions) /
					       sizeof(xl_stream_conditions[0]) &&
		    xl_stream_conditions[se->type] != NULL)
			cond = xl_stream_conditions[se->type];
		snprintf(buf, size, "stream error %s%s%s", cond,
			 se->text ? ": " : "", se->text ? se->text : "");
	} else if (l->why != NULL) {
		snprintf(buf, size, "%s", l->why);
	} else if (was == XL_CONNECTING) {
		/* libstrophe 0.12 does not pass the connect's errno on */
		snprintf(buf, size, "TCP connect failed%s%s",
			 error > 0 ? ": " : "", error > 0 ? strerror(error) : "");
	} else if (error == ECONNRESET) {
		snprintf(buf, size, "connection closed by the server");
	} else if (error > 0) {
		snprintf(buf, size, "%s", strerror(error));
	} else {
		snprintf(buf, size, "the server closed the stream");
	}
}

/* The attempt or the connection is over: schedule the next one. */
static void xl_down(struct xmpp_link *l, const char *why, int was_up)
{
	unsigned delay = xl_backoff(l);

	l->state = XL_IDLE;
	l->why = NULL;
	xl_unwatch(l);
	sx_timer_stop(l->tick);
	sx_timer_stop(l->flush);
	sx_timer_stop(l->keepalive);
	sx_timer_stop(l->open_timer);
	if (l->dead)
		return;
	if (was_up) {
		sx_warn("xmpp link %s: down: %s; reconnecting in %u ms",
			l->domain, why, delay);
	} else {
		l->stats.failures++;
		sx_warn("xmpp link %s: connection to %s:%u failed: %s; "
			"retrying in %u ms", l->domain, l->host, l->port, why,
			delay);
	}
	sx_timer_start(l->retry, delay);
	if (l->ops.down != NULL)
		l->ops.down(l->arg, l, why, was_up);
}

static void xl_on_conn(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
		       xmpp_stream_error_t *se, void *arg)
{
	struct xmpp_link *l = arg;
	enum xl_state was = l->state;
	char why[200];

	(void)conn;
	if (event == XMPP_CONN_CONNECT) {
		l->state = XL_UP;
		l->attempts = 0;
		l->stats.connects++;
		sx_timer_stop(l->open_timer);
		if (l->dead)
			return;
		sx_timer_start(l->keepalive, l->keepalive_ms);
		sx_notice("xmpp link %s: up (%s:%u)", l->domain, l->host,
			  l->port);
		if (l->ops.up != NULL)
			l->ops.up(l->arg, l);
		return;
	}
	if (event == XMPP_CONN_RAW_CONNECT || was == XL_IDLE)
		return;
	xl_reason(l, error, se, was, why, sizeof(why));
	xl_down(l, why, was == XL_UP);
}

static int xl_on_stanza(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct xmpp_link *l = arg;
	const char *name = xmpp_stanza_get_name(st);

	(void)conn;
	if (l->dead || l->state != XL_UP || name == NULL)
		return 1;
	if (strcmp(name, "message") != 0 && strcmp(name, "presence") != 0 &&
	    strcmp(name, "iq") != 0)
		return 1;
	l->stats.received++;
	sx_timer_start(l->keepalive, l->keepalive_ms);
	if (l->ops.stanza != NULL)
		l->ops.stanza(l->arg, l, st);
	return 1;
}

static void xl_on_retry(void *arg)
{
	struct xmpp_link *l = arg;
	int rc;

	sx_info("xmpp link %s: connecting to %s:%u", l->domain, l->host,
		l->port);
	l->state = XL_CONNECTING;
	l->why = NULL;
	xl_enter(l);
	rc = xmpp_connect_component(l->conn, l->host, l->port, xl_on_conn, l);
	if (rc != XMPP_EOK) {
		/* no socket could be opened: nothing of libstrophe's runs */
		l->why = "no address could be connected";
		xl_down(l, l->why, 0);
	} else {
		sx_timer_start(l->open_timer, XL_OPEN_TIMEOUT_MS);
		xl_rearm(l);
	}
	xl_leave(l);
}

/* See the file header: a client connect whose socket the sockopt callback
 * refuses allocates the stream-management state and fails at once. */
static void xl_prime(struct xmpp_link *l)
{
	l->priming = 1;
	xmpp_conn_set_jid(l->conn, l->domain);
	(void)xmpp_connect_client(l->conn, "127.0.0.1", 9, xl_on_conn, l);
	l->priming = 0;
}

static void xl_destroy(struct xmpp_link *l)
{
	struct xmpp_link **pp;

	l->dead = 1;
	if (l->conn != NULL) {
		if (l->state == XL_OPENING || l->state == XL_UP) {
			/* queues </stream:stream>; one run writes it */
			xmpp_disconnect(l->conn);
			xmpp_run_once(l->ctx, 0);
		}
		xmpp_conn_release(l->conn);
	}
	if (l->ctx != NULL)
		xmpp_ctx_free(l->ctx);
	xl_unwatch(l);
	sx_timer_free(l->retry);
	sx_timer_free(l->tick);
	sx_timer_free(l->flush);
	sx_timer_free(l->keepalive);
	sx_timer_free(l->open_timer);
	for (pp = &xl_all; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	free(l->host);
	free(l->domain);
	free(l);
}

static int xl_check_config(const struct xmpp_link_config *cfg,
			   struct sx_err *err)
{
	if (cfg->host == NULL || cfg->host[0] == '\0')
		return sx_err_set(err, 0, "xmpp link: no server address");
	if (cfg->port == 0)
		return sx_err_set(err, 0, "xmpp link: no server port");
	if (cfg->domain == NULL || cfg->domain[0] == '\0')
		return sx_err_set(err, 0, "xmpp link: no component domain");
	if (cfg->secret == NULL || cfg->secret[0] == '\0')
		return sx_err_set(err, 0, "xmpp link %s: no secret",
				  cfg->domain);
	if (cfg->backoff_min_ms && cfg->backoff_max_ms &&
	    cfg->backoff_min_ms > cfg->backoff_max_ms)
		return sx_err_set(err, 0, "xmpp link %s: backoff minimum "
				  "%u ms above maximum %u ms", cfg->domain,
				  cfg->backoff_min_ms, cfg->backoff_max_ms);
	return 0;
}

struct xmpp_link *xmpp_link_new(struct sx_loop *loop,
				const struct xmpp_link_config *cfg,
				const struct xmpp_link_ops *ops, void *arg,
				struct sx_err *err)
{
	static int initialised;
	struct xmpp_link *l;
	struct timespec ts;

	if (xl_check_config(cfg, err) != 0)
		return NULL;
	if (!initialised) {
		/* no TLS on component streams: nothing to undo at exit */
		xmpp_initialize();
		initialised = 1;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		sx_err_set(err, 0, "xmpp link %s: out of memory", cfg->domain);
		return NULL;
	}
	l->loop = loop;
	l->ops = *ops;
	l->arg = arg;
	l->fd = -1;
	l->port = cfg->port;
	l->backoff_min = cfg->backoff_min_ms ? cfg->backoff_min_ms
					     : XL_BACKOFF_MIN_MS;
	l->backoff_max = cfg->backoff_max_ms ? cfg->backoff_max_ms
					     : XL_BACKOFF_MAX_MS;
	if (l->backoff_max < l->backoff_min)
		l->backoff_max = l->backoff_min;
	l->keepalive_ms = (cfg->keepalive_s ? cfg->keepalive_s
					    : XL_KEEPALIVE_S) * 1000u;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	l->rng = (unsigned)ts.tv_nsec ^ (unsigned)getpid() ^
		 (unsigned)(uintptr_t)l;
	if (l->rng == 0)
		l->rng = 1;
	l->log.handler = xl_strophe_log;
	l->log.userdata = l;
	l->next = xl_all;
	xl_all = l;

	l->host = strdup(cfg->host);
	l->domain = strdup(cfg->domain);
	l->retry = sx_timer_new(loop, xl_on_retry, l);
	l->tick = sx_timer_new(loop, xl_on_tick, l);
	l->flush = sx_timer_new(loop, xl_on_flush, l);
	l->keepalive = sx_timer_new(loop, xl_on_keepalive, l);
	l->open_timer = sx_timer_new(loop, xl_on_open_timeout, l);
	if (l->host == NULL || l->domain == NULL || l->retry == NULL ||
	    l->tick == NULL || l->flush == NULL || l->keepalive == NULL ||
	    l->open_timer == NULL)
		goto nomem;
	l->ctx = xmpp_ctx_new(NULL, &l->log);
	if (l->ctx == NULL)
		goto nomem;
	l->conn = xmpp_conn_new(l->ctx);
	if (l->conn == NULL)
		goto nomem;
	xmpp_conn_set_sockopt_callback(l->conn, xl_sockopt);
	xl_prime(l);
	xmpp_conn_set_jid(l->conn, cfg->domain);
	xmpp_conn_set_pass(l->conn, cfg->secret);
	xmpp_handler_add(l->conn, xl_on_stanza, NULL, NULL, NULL, l);
	if (xmpp_conn_get_pass(l->conn) == NULL ||
	    xmpp_conn_get_jid(l->conn) == NULL)
		goto nomem;
	/* the first attempt runs from the loop, so that no callback comes
	 * before the owner holds the link */
	sx_timer_start(l->retry, 0);
	return l;

nomem:
	sx_err_set(err, 0, "xmpp link %s: out of memory", cfg->domain);
	xl_destroy(l);
	return NULL;
}

void xmpp_link_free(struct xmpp_link *l)
{
	if (l == NULL || l->dead)
		return;
	if (l->depth > 0) {
		/* inside one of our callbacks: libstrophe is on the stack */
		l->dead = 1;
		sx_timer_stop(l->retry);
		sx_timer_stop(l->tick);
		sx_timer_stop(l->flush);
		sx_timer_stop(l->keepalive);
		sx_timer_stop(l->open_timer);
		return;
	}
	xl_destroy(l);
}

xmpp_ctx_t *xmpp_link_ctx(struct xmpp_link *l)
{
	return l->ctx;
}

const char *xmpp_link_domain(const struct xmpp_link *l)
{
	return l->domain;
}

int xmpp_link_is_up(const struct xmpp_link *l)
{
	return !l->dead && l->state == XL_UP;
}

int xmpp_link_send(struct xmpp_link *l, xmpp_stanza_t *st)
{
	if (!xmpp_link_is_up(l))
		return SX_ERROR;
	xmpp_send(l->conn, st);
	l->stats.sent++;
	sx_timer_start(l->keepalive, l->keepalive_ms);
	/* inside a pump the queue is written before it returns; from
	 * elsewhere, on the next loop turn, so that several sends share a
	 * write and no callback runs under the caller */
	if (l->depth == 0 && !sx_timer_armed(l->flush))
		sx_timer_start(l->flush, 0);
	return 0;
}

void xmpp_link_stats(const struct xmpp_link *l, struct xmpp_link_stats *s)
{
	*s = l->stats;
}
