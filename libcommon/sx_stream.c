/*
 * sx_stream.c - non-blocking TCP/TLS streams on the sx_loop, see
 * sx_stream.h.
 *
 * Name resolution uses getaddrinfo(), which blocks: callers pass numeric
 * addresses or names resolved by /etc/hosts on the paths where that
 * matters.
 */
#include "sx_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define READ_CHUNK  65536
#define READS_PER_WAKEUP 16

enum stream_state {
	ST_CONNECTING,
	ST_HANDSHAKE,
	ST_OPEN,
	ST_CLOSED,
};

struct sx_stream {
	struct sx_loop *loop;
	int fd;
	struct sx_watch *watch;
	enum stream_state state;
	SSL_CTX *ctx;           /* owned when this stream made it */
	SSL *ssl;
	int server;
	int paused;
	int ssl_wants_write;    /* an SSL_read needs the socket writable */

	char *q;                /* unwritten output: q[qhead..qlen) */
	size_t qhead, qlen, qcap;

	int busy;               /* inside a callback */
	int dead;               /* freed while busy */
	int closed_reported;

	char local[64], peer[64];
	const struct sx_stream_cb *cb;
	void *arg;
};

struct sx_listener {
	struct sx_loop *loop;
	int fd;
	unsigned port;
	struct sx_watch *watch;
	SSL_CTX *ctx;
	sx_accept_cb on_accept;
	const struct sx_stream_cb *cb;
	void *arg;
};

static void stream_update_watch(struct sx_stream *s);

static void addr_text(const struct sockaddr_storage *ss, char *buf,
		      size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		snprintf(buf, cap, "%s:%u", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		snprintf(buf, cap, "[%s]:%u", host, port);
	} else {
		snprintf(buf, cap, "?");
	}
}

static void stream_names(struct sx_stream *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) == 0)
		addr_text(&ss, s->local, sizeof(s->local));
	sl = sizeof(ss);
	if (getpeername(s->fd, (struct sockaddr *)&ss, &sl) == 0)
		addr_text(&ss, s->peer, sizeof(s->peer));
}

static const char *ssl_error_text(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "TLS error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* Reports the end of the stream once; the owner frees it. */
static void stream_fail(struct sx_stream *s, const char *reason)
{
	if (s->closed_reported)
		return;
	s->closed_reported = 1;
	s->state = ST_CLOSED;
	if (s->watch) {
		sx_watch_free(s->watch);
		s->watch = NULL;
	}
	s->busy++;
	s->cb->on_close(s->arg, s, reason);
	s->busy--;
}

static void stream_destroy(struct sx_stream *s)
{
	if (s->watch)
		sx_watch_free(s->watch);
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->ctx)
		SSL_CTX_free(s->ctx);
	if (s->fd >= 0)
		close(s->fd);
	free(s->q);
	free(s);
}

void sx_stream_free(struct sx_stream *s)
{
	if (s == NULL)
		return;
	if (s->busy) {
		s->dead = 1;
		s->closed_reported = 1;  /* the owner no longer listens */
		if (s->watch) {
			sx_watch_free(s->watch);
			s->watch = NULL;
		}
		return;
	}
	stream_destroy(s);
}

/* After a callback: completes a free that happened inside it.  Returns 1
 * when the stream is gone. */
static int stream_release(struct sx_stream *s)
{
	if (--s->busy == 0 && s->dead) {
		stream_destroy(s);
		return 1;
	}
	return s->dead;
}

static SSL_CTX *tls_ctx_new(const struct sx_tls_opts *tls, int server,
			    struct sx_err *err)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method()
					  : TLS_client_method());

	if (ctx == NULL) {
		sx_err_set(err, 0, "TLS: %s", ssl_error_text());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (tls->cert_file &&
	    (SSL_CTX_use_certificate_chain_file(ctx, tls->cert_file) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, tls->key_file ? tls->key_file
							    : tls->cert_file,
					 SSL_FILETYPE_PEM) != 1)) {
		sx_err_set(err, 0, "TLS certificate %s: %s", tls->cert_file,
			   ssl_error_text());
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (server && tls->cert_file == NULL) {
		sx_err_set(err, 0, "a TLS listener needs a certificate");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!server && tls->verify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (SSL_CTX_set_default_verify_paths(ctx) != 1 ||
		    (tls->ca_file &&
		     SSL_CTX_load_verify_locations(ctx, tls->ca_file, NULL) != 1)) {
			sx_err_set(err, 0, "TLS trust anchors: %s",
				   ssl_error_text());
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

static struct sx_stream *stream_new(struct sx_loop *l, int fd,
				    const struct sx_stream_cb *cb, void *arg)
{
	struct sx_stream *s = calloc(1, sizeof(*s));
	int one = 1;

	if (s == NULL)
		return NULL;
	s->loop = l;
	s->fd = fd;
	s->cb = cb;
	s->arg = arg;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* MSRP is request/response over small frames: no Nagle delay */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

static void stream_connected(struct sx_stream *s)
{
	s->state = ST_OPEN;
	stream_names(s);
	s->busy++;
	if (s->cb->on_connected)
		s->cb->on_connected(s->arg, s);
	if (stream_release(s))
		return;
	stream_update_watch(s);
}

/* Returns 0 while the handshake goes on or once it is done. */
static int stream_handshake(struct sx_stream *s)
{
	int r = s->server ? SSL_accept(s->ssl) : SSL_connect(s->ssl);

	if (r == 1) {
		stream_connected(s);
		return 0;
	}
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		sx_watch_set(s->watch, SX_EV_READ);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		sx_watch_set(s->watch, SX_EV_READ | SX_EV_WRITE);
		return 0;
	default: {
		char why[320];
		long v = SSL_get_verify_result(s->ssl);

		if (v != X509_V_OK)
			snprintf(why, sizeof(why), "TLS handshake: %s",
				 X509_verify_cert_error_string(v));
		else
			snprintf(why, sizeof(why), "TLS handshake: %s",
				 ssl_error_text());
		stream_fail(s, why);
		return SX_ERROR;
	}
	}
}

static int stream_start_tls(struct sx_stream *s, const struct sx_tls_opts *tls,
			    const char *host)
{
	const char *name = tls->server_name ? tls->server_name : host;

	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1)
		return SX_ERROR;
	if (!s->server && name) {
		SSL_set_tlsext_host_name(s->ssl, name);
		if (tls->verify)
			SSL_set1_host(s->ssl, name);
	}
	s->state = ST_HANDSHAKE;
	return 0;
}

/* Writes what the socket takes from the queue. */
static int stream_flush(struct sx_stream *s)
{
	while (s->qhead < s->qlen) {
		size_t n = s->qlen - s->qhead;
		ssize_t w;

		if (s->ssl) {
			int r = SSL_write(s->ssl, s->q + s->qhead,
					  n > INT32_MAX ? INT32_MAX : (int)n);
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ)
					return 0;
				stream_fail(s, ssl_error_text());
				return SX_ERROR;
			}
			w = r;
		} else {
			w = send(s->fd, s->q + s->qhead, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return 0;
				stream_fail(s, strerror(errno));
				return SX_ERROR;
			}
		}
		s->qhead += (size_t)w;
	}
	s->qhead = s->qlen = 0;
	return 0;
}

static int queue_append(struct sx_stream *s, const char *p, size_t n)
{
	if (s->qhead > 0 && s->qhead == s->qlen)
		s->qhead = s->qlen = 0;
	if (s->qlen + n > s->qcap) {
		size_t live = s->qlen - s->qhead;
		size_t cap;
		char *q;

		/* compact before growing */
		if (s->qhead > 0) {
			memmove(s->q, s->q + s->qhead, live);
			s->qhead = 0;
			s->qlen = live;
		}
		cap = s->qcap ? s->qcap : 4096;
		while (cap < s->qlen + n)
			cap *= 2;
		if (cap != s->qcap) {
			q = realloc(s->q, cap);
			if (q == NULL)
				return SX_ERROR;
			s->q = q;
			s->qcap = cap;
		}
	}
	memcpy(s->q + s->qlen, p, n);
	s->qlen += n;
	return 0;
}

int sx_stream_writev(struct sx_stream *s, const struct iovec *iov, int n)
{
	size_t done = 0;
	int i;

	if (s->state == ST_CLOSED || s->dead)
		return SX_ERROR;
	/* Plain TCP with nothing queued: straight to the kernel, no copy. */
	if (s->ssl == NULL && s->state == ST_OPEN && s->qhead == s->qlen) {
		ssize_t w;
		struct msghdr mh = { 0 };

		mh.msg_iov = (struct iovec *)iov;
		mh.msg_iovlen = (size_t)n;
		w = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			stream_fail(s, strerror(errno));
			return SX_ERROR;
		}
		done = w > 0 ? (size_t)w : 0;
	}
	for (i = 0; i < n; i++) {
		const char *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (done >= len) {
			done -= len;
			continue;
		}
		if (queue_append(s, p + done, len - done) != 0) {
			stream_fail(s, "out of memory");
			return SX_ERROR;
		}
		done = 0;
	}
	if (s->ssl && s->state == ST_OPEN && stream_flush(s) != 0)
		return SX_ERROR;
	if (s->state != ST_CLOSED)
		stream_update_watch(s);
	return 0;
}

int sx_stream_write(struct sx_stream *s, const void *data, size_t len)
{
	struct iovec iov = { (void *)data, len };

	return sx_stream_writev(s, &iov, 1);
}

size_t sx_stream_queued(const struct sx_stream *s)
{
	return s->qlen - s->qhead;
}

static void stream_update_watch(struct sx_stream *s)
{
	int ev = 0;

	if (s->watch == NULL || s->state != ST_OPEN)
		return;
	if (!s->paused)
		ev |= SX_EV_READ;
	if (s->qhead < s->qlen || s->ssl_wants_write)
		ev |= SX_EV_WRITE;
	sx_watch_set(s->watch, ev);
}

void sx_stream_pause(struct sx_stream *s, int paused)
{
	s->paused = paused;
	stream_update_watch(s);
}

const char *sx_stream_local(const struct sx_stream *s)
{
	return s->local;
}

const char *sx_stream_peer(const struct sx_stream *s)
{
	return s->peer;
}

void sx_stream_set_owner(struct sx_stream *s, const struct sx_stream_cb *cb,
			 void *arg)
{
	s->cb = cb;
	s->arg = arg;
}

int sx_stream_is_tls(const struct sx_stream *s)
{
	return s->ssl != NULL;
}

/* Reads what is there; returns 1 when the stream went away. */
static int stream_read(struct sx_stream *s)
{
	char buf[READ_CHUNK];
	int i;

	for (i = 0; i < READS_PER_WAKEUP && !s->paused; i++) {
		ssize_t n;

		s->ssl_wants_write = 0;
		if (s->ssl) {
			int r = SSL_read(s->ssl, buf, sizeof(buf));
			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					return 0;
				if (e == SSL_ERROR_WANT_WRITE) {
					s->ssl_wants_write = 1;
					return 0;
				}
				if (e == SSL_ERROR_ZERO_RETURN) {
					stream_fail(s, NULL);
					return 1;
				}
				stream_fail(s, e == SSL_ERROR_SYSCALL &&
					    ERR_peek_error() == 0
					    ? NULL : ssl_error_text());
				return 1;
			}
			n = r;
		} else {
			n = recv(s->fd, buf, sizeof(buf), 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return 0;
				stream_fail(s, strerror(errno));
				return 1;
			}
			if (n == 0) {
				stream_fail(s, NULL);
				return 1;
			}
		}
		s->busy++;
		s->cb->on_data(s->arg, s, buf, (size_t)n);
		if (stream_release(s) || s->state == ST_CLOSED)
			return 1;
		if ((size_t)n < sizeof(buf) && !s->ssl)
			break;
	}
	return 0;
}

static void stream_event(void *arg, int fd, int events)
{
	struct sx_stream *s = arg;

	(void)fd;
	s->busy++;
	if (s->state == ST_CONNECTING) {
		int e = 0;
		socklen_t el = sizeof(e);

		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e != 0) {
			stream_fail(s, strerror(e));
		} else if (s->ctx) {
			stream_names(s);
			s->state = ST_HANDSHAKE;
			stream_handshake(s);
		} else {
			stream_connected(s);
		}
	} else if (s->state == ST_HANDSHAKE) {
		stream_handshake(s);
	} else if (s->state == ST_OPEN) {
		size_t before = s->qlen - s->qhead;

		if ((events & (SX_EV_READ | SX_EV_ERROR)) || s->ssl_wants_write)
			if (stream_read(s))
				goto out;
		if (s->state == ST_OPEN && s->qhead < s->qlen &&
		    stream_flush(s) == 0 && before > 0 &&
		    s->qhead == s->qlen && s->cb->on_drained)
			s->cb->on_drained(s->arg, s);
		if (s->state == ST_OPEN && !s->dead)
			stream_update_watch(s);
	}
out:
	stream_release(s);
}

struct sx_stream *sx_stream_connect(struct sx_loop *l, const char *host,
				    unsigned port,
				    const struct sx_tls_opts *tls,
				    const struct sx_stream_cb *cb, void *arg,
				    struct sx_err *err)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	char portbuf[16];
	struct sx_stream *s;
	int fd, r;

	hints.ai_socktype = SOCK_STREAM;
	snprintf(portbuf, sizeof(portbuf), "%u", port);
	r = getaddrinfo(host, portbuf, &hints, &ai);
	if (r != 0) {
		sx_err_set(err, 0, "%s: %s", host, gai_strerror(r));
		return NULL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sx_err_set(err, 0, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return NULL;
	}
	s = stream_new(l, fd, cb, arg);
	if (s == NULL) {
		close(fd);
		freeaddrinfo(ai);
		sx_err_set(err, 0, "out of memory");
		return NULL;
	}
	if (tls && tls->enabled) {
		s->ctx = tls_ctx_new(tls, 0, err);
		if (s->ctx == NULL || stream_start_tls(s, tls, host) != 0) {
			freeaddrinfo(ai);
			stream_destroy(s);
			return NULL;
		}
	}
	s->state = ST_CONNECTING;
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (r != 0 && errno != EINPROGRESS) {
		sx_err_set(err, 0, "connect to %s:%u: %s", host, port,
			   strerror(errno));
		stream_destroy(s);
		return NULL;
	}
	s->watch = sx_watch_new(l, fd, SX_EV_WRITE, stream_event, s);
	if (s->watch == NULL) {
		sx_err_set(err, 0, "cannot watch socket");
		stream_destroy(s);
		return NULL;
	}
	return s;
}

static void listener_event(void *arg, int fd, int events)
{
	struct sx_listener *ls = arg;
	int i;

	(void)events;
	for (i = 0; i < 32; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		struct sx_stream *s;

		if (c < 0)
			return;
		s = stream_new(ls->loop, c, ls->cb, ls->arg);
		if (s == NULL) {
			close(c);
			continue;
		}
		s->server = 1;
		s->state = ST_OPEN;
		stream_names(s);
		if (ls->ctx) {
			SSL_CTX_up_ref(ls->ctx);
			s->ctx = ls->ctx;
			s->ssl = SSL_new(s->ctx);
			SSL_set_fd(s->ssl, c);
			s->state = ST_HANDSHAKE;
		}
		s->watch = sx_watch_new(ls->loop, c, SX_EV_READ, stream_event, s);
		if (s->watch == NULL) {
			stream_destroy(s);
			continue;
		}
		ls->on_accept(ls->arg, s);
	}
}

/* Callbacks of accepted streams that nobody owns yet: the owner adopts
 * them in on_accept, so these only matter if it does not. */
static void unowned_data(void *arg, struct sx_stream *s, const char *d,
			 size_t n)
{
	(void)arg; (void)s; (void)d; (void)n;
}

static void unowned_close(void *arg, struct sx_stream *s, const char *r)
{
	(void)arg; (void)r;
	sx_stream_free(s);
}

static const struct sx_stream_cb unowned_cb = {
	.on_data = unowned_data,
	.on_close = unowned_close,
};

int sx_hostport_split(const char *s, char *host, size_t cap, unsigned *port)
{
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hl;
	char *end;
	unsigned long v;

	if (colon == NULL)
		return SX_ERROR;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= cap || colon[1] < '0' || colon[1] > '9')
		return SX_ERROR;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || errno || v > 65535)
		return SX_ERROR;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned)v;
	return 0;
}

int sx_listen_split(const char *spec, struct sx_listen_addr *a)
{
	const char *rest = spec + 4, *colon;
	char host[sizeof(a->host)];
	unsigned port;
	size_t hl;

	if (strncmp(spec, "udp:", 4) && strncmp(spec, "tcp:", 4))
		return SX_ERROR;
	if (sx_hostport_split(rest, host, sizeof(host), &port) != 0)
		return SX_ERROR;
	colon = strrchr(rest, ':');
	hl = (size_t)(colon - rest);
	if (hl >= sizeof(a->host))
		return SX_ERROR;
	memcpy(a->proto, spec, 3);
	a->proto[3] = '\0';
	memcpy(a->host, rest, hl);
	a->host[hl] = '\0';
	snprintf(a->port, sizeof(a->port), "%u", port);
	return 0;
}

struct sx_listener *sx_listener_new(struct sx_loop *l, const char *host,
				    unsigned port,
				    const struct sx_tls_opts *tls,
				    sx_accept_cb on_accept,
				    const struct sx_stream_cb *cb, void *arg,
				    struct sx_err *err)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sx_listener *ls;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char portbuf[16];
	int one = 1, r;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portbuf, sizeof(portbuf), "%u", port);
	r = getaddrinfo(host, portbuf, &hints, &ai);
	if (r != 0) {
		sx_err_set(err, 0, "%s: %s", host, gai_strerror(r));
		return NULL;
	}
	ls = calloc(1, sizeof(*ls));
	if (ls == NULL) {
		freeaddrinfo(ai);
		sx_err_set(err, 0, "out of memory");
		return NULL;
	}
	ls->loop = l;
	ls->on_accept = on_accept;
	ls->cb = cb ? cb : &unowned_cb;
	ls->arg = arg;
	ls->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
			SOCK_NONBLOCK, 0);
	if (ls->fd < 0)
		goto fail;
	setsockopt(ls->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls->fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(ls->fd, 128) != 0)
		goto fail;
	freeaddrinfo(ai);
	ai = NULL;
	if (getsockname(ls->fd, (struct sockaddr *)&ss, &sl) == 0)
		ls->port = ss.ss_family == AF_INET6
			? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
			: ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (tls && tls->enabled) {
		ls->ctx = tls_ctx_new(tls, 1, err);
		if (ls->ctx == NULL) {
			sx_listener_free(ls);
			return NULL;
		}
	}
	ls->watch = sx_watch_new(l, ls->fd, SX_EV_READ, listener_event, ls);
	if (ls->watch == NULL) {
		sx_err_set(err, 0, "cannot watch listening socket");
		sx_listener_free(ls);
		return NULL;
	}
	return ls;
fail:
	sx_err_set(err, 0, "listen on %s:%u: %s", host, port, strerror(errno));
	if (ai)
		freeaddrinfo(ai);
	sx_listener_free(ls);
	return NULL;
}

unsigned sx_listener_port(const struct sx_listener *ls)
{
	return ls->port;
}

void sx_listener_free(struct sx_listener *ls)
{
	if (ls == NULL)
		return;
	if (ls->watch)
		sx_watch_free(ls->watch);
	if (ls->fd >= 0)
		close(ls->fd);
	if (ls->ctx)
		SSL_CTX_free(ls->ctx);
	free(ls);
}
