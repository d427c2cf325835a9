/*
 * sx_stream.h - a non-blocking byte stream over TCP or TLS (OpenSSL), driven
 * by the sx_loop.  MSRP connections (RFC 4975 §6: msrp over TCP, msrps over
 * TLS) are built on it.
 *
 * Writes go to the socket at once when it takes them; only what the kernel
 * did not take is copied into the stream's queue, so an idle connection
 * costs no copy.  sx_stream_queued() tells how much waits, for congestion
 * control by the owner.
 *
 * Callbacks may free the stream (sx_stream_free) from inside themselves.
 */
#ifndef SX_STREAM_H
#define SX_STREAM_H

#include <stddef.h>
#include <sys/uio.h>

#include "sx_err.h"
#include "sx_loop.h"

struct sx_stream;
struct sx_listener;

struct sx_stream_cb {
	/* TCP connected (and the TLS handshake done, for TLS). */
	void (*on_connected)(void *arg, struct sx_stream *s);
	void (*on_data)(void *arg, struct sx_stream *s, const char *data,
			size_t len);
	/* Optional: the write queue just became empty. */
	void (*on_drained)(void *arg, struct sx_stream *s);
	/* The peer closed (reason NULL) or the stream failed (reason says
	 * why).  The owner frees the stream. */
	void (*on_close)(void *arg, struct sx_stream *s, const char *reason);
};

struct sx_tls_opts {
	int enabled;
	int verify;               /* clients: verify the server's certificate */
	const char *ca_file;      /* extra trust anchors (NULL: system store) */
	const char *cert_file;    /* servers (and client certificates) */
	const char *key_file;
	const char *server_name;  /* name checked and sent in SNI; NULL: host */
};

/* Starts connecting to host:port; on_connected or on_close follows.  NULL
 * with err filled when the attempt cannot even start. */
struct sx_stream *sx_stream_connect(struct sx_loop *l, const char *host,
				    unsigned port,
				    const struct sx_tls_opts *tls,
				    const struct sx_stream_cb *cb, void *arg,
				    struct sx_err *err);

/* Queues or writes the pieces; returns 0, or SX_ERROR when the stream is
 * already broken (on_close will tell, or told). */
int sx_stream_writev(struct sx_stream *s, const struct iovec *iov, int n);
int sx_stream_write(struct sx_stream *s, const void *data, size_t len);
size_t sx_stream_queued(const struct sx_stream *s);
/* Pauses or resumes reading (backpressure toward the peer). */
void sx_stream_pause(struct sx_stream *s, int paused);
/* "127.0.0.1:2855" of the local or remote end. */
const char *sx_stream_local(const struct sx_stream *s);
const char *sx_stream_peer(const struct sx_stream *s);
int sx_stream_is_tls(const struct sx_stream *s);
void sx_stream_free(struct sx_stream *s);
/* Hands the stream's callbacks to a new owner (an accepted stream adopted
 * by a protocol layer). */
void sx_stream_set_owner(struct sx_stream *s, const struct sx_stream_cb *cb,
			 void *arg);

typedef void (*sx_accept_cb)(void *arg, struct sx_stream *s);

/* Splits "host:port" or "[v6-address]:port" (brackets dropped) into host
 * (cap bytes, NUL-terminated) and port.  Returns 0, or SX_ERROR for no
 * port, an empty or too long host, or a port that is not 0..65535. */
int sx_hostport_split(const char *s, char *host, size_t cap, unsigned *port);

/* A SIP listen address, "udp:HOST:PORT" or "tcp:HOST:PORT" ([sip] listen,
 * [xmpp] sip_listen).  HOST:PORT must pass sx_hostport_split(), but host
 * is kept as written: "[::1]" keeps its brackets, as a SIP URI wants it. */
struct sx_listen_addr {
	char proto[4];            /* "udp" or "tcp" */
	char host[256];
	char port[6];             /* decimal, 0..65535 */
};

/* Returns 0 with *a filled, or SX_ERROR (a untouched). */
int sx_listen_split(const char *spec, struct sx_listen_addr *a);

/* Listens on host:port (port 0: any; sx_listener_port() tells which) and
 * hands each accepted connection, with cb/arg as its callbacks, to
 * on_accept.  cb NULL: until its owner calls sx_stream_set_owner(), an
 * accepted stream drops what it reads and frees itself when it closes.
 * TLS listeners need cert_file and key_file. */
struct sx_listener *sx_listener_new(struct sx_loop *l, const char *host,
				    unsigned port,
				    const struct sx_tls_opts *tls,
				    sx_accept_cb on_accept,
				    const struct sx_stream_cb *cb, void *arg,
				    struct sx_err *err);
unsigned sx_listener_port(const struct sx_listener *ls);
void sx_listener_free(struct sx_listener *ls);

#endif
