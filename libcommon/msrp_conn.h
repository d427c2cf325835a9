/*
 * msrp_conn.h - one MSRP connection (RFC 4975 §6, §7): an sx_stream whose
 * input runs through the incremental parser and whose output is frames
 * built around bodies that are never copied on the way out (they go to the
 * socket by writev, or into the stream's queue only when the kernel is
 * full).
 *
 * A malformed frame whose transaction id is known is answered here with
 * the parser's status (400, 413) when the sender wants a response; a frame
 * that loses the framing closes the connection, since nothing after it can
 * be trusted (§7.2: the receiver cannot resync a corrupted stream).
 */
#ifndef SX_MSRP_CONN_H
#define SX_MSRP_CONN_H

#include "msrp.h"
#include "msrp_build.h"
#include "msrp_parse.h"
#include "msrp_uri.h"
#include "sx_stream.h"

struct msrp_conn;

struct msrp_conn_cb {
	void (*on_connected)(void *arg, struct msrp_conn *c);
	int (*on_headers)(void *arg, struct msrp_conn *c,
			  const struct msrp_frame *f);
	int (*on_body)(void *arg, struct msrp_conn *c,
		       const struct msrp_frame *f, const char *data,
		       size_t len);
	int (*on_end)(void *arg, struct msrp_conn *c,
		      const struct msrp_frame *f, char flag);
	/* Optional: told after a bad frame was answered. */
	void (*on_bad_frame)(void *arg, struct msrp_conn *c,
			     const struct msrp_frame *f,
			     const struct sx_err *err);
	/* Optional: everything queued was written (pace big sends on it). */
	void (*on_drained)(void *arg, struct msrp_conn *c);
	/* The peer closed (reason NULL) or the connection failed. */
	void (*on_close)(void *arg, struct msrp_conn *c, const char *reason);
};

/* Connects to the first hop of a To-Path. */
struct msrp_conn *msrp_conn_connect(struct sx_loop *l,
				    const struct msrp_uri *first_hop,
				    const struct sx_tls_opts *tls,
				    const struct msrp_limits *limits,
				    const struct msrp_conn_cb *cb, void *arg,
				    struct sx_err *err);

/* Takes over an accepted stream (its callbacks are replaced). */
struct msrp_conn *msrp_conn_adopt(struct sx_stream *s,
				  const struct msrp_limits *limits,
				  const struct msrp_conn_cb *cb, void *arg);

void msrp_conn_free(struct msrp_conn *c);

/* Sends one frame: the head built from o, the body (borrowed; may be NULL)
 * and the end-line with flag.  Returns 0 or SX_ERROR. */
int msrp_conn_send(struct msrp_conn *c, const struct msrp_out *o,
		   const char *body, size_t len, char flag);

/* Answers request f with status, when f's Failure-Report wants it. */
int msrp_conn_respond(struct msrp_conn *c, const struct msrp_frame *f,
		      int status, const char *comment);

size_t msrp_conn_queued(const struct msrp_conn *c);
struct sx_stream *msrp_conn_stream(const struct msrp_conn *c);

#endif
