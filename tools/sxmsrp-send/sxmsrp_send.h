/*
 * sxmsrp_send.h - shared state of the sxmsrp-send tool: options, and the
 * two sides (send.c is the active sender, listen.c the passive receiver).
 */
#ifndef SXMSRP_SEND_H
#define SXMSRP_SEND_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "msrp.h"
#include "sx_loop.h"
#include "sx_stream.h"

/* Exit codes, documented in sxmsrp-send(1). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_CONNECT = 2,     /* could not connect, TLS failure, bad listen address */
	EXIT_REFUSED = 3,     /* a non-200 response or a failure REPORT */
	EXIT_TIMEOUT = 4,     /* no answer or report in time */
	EXIT_PROTOCOL = 5,    /* the peer closed early or spoke bad MSRP */
	EXIT_INPUT = 6,       /* the body could not be read */
};

struct opts {
	const char *to_path;
	const char *from_path;
	const char *content_type;
	const char *cpim_from;
	const char *cpim_to;
	const char *text;
	const char *file;
	size_t chunk_size;
	int bind;
	int success_report;
	enum msrp_report_mode failure_report;
	unsigned timeout_s;
	int quiet;
	int body_only;
	const char *listen;
	const char *session_id;
	unsigned long count;
	uint64_t max_size;
	struct sx_tls_opts tls;
	const char *cert, *key, *ca;
};

/* Runs the sender; returns an exit code. */
int send_run(struct sx_loop *loop, const struct opts *o, const char *body,
	     size_t len);
/* Runs the receiver; returns an exit code. */
int listen_run(struct sx_loop *loop, const struct opts *o);

/* Output shared by both sides (output.c). */
void out_frame_line(const struct msrp_frame *f, const char *dir);
void out_message(const struct opts *o, const struct msrp_frame *f,
		 const char *body, size_t len);
/* CPIM (cpim_glue.c): wraps a body; prints the headers of a wrapped one
 * (out may be NULL) and points *inner and *inner_len at the content inside.
 * 0 or -1. */
char *wrap_cpim(const char *from, const char *to, const char *content_type,
		const char *body, size_t len, size_t *out_len);
int out_cpim(FILE *out, const char *body, size_t len, const char **inner,
	     size_t *inner_len);
void out_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
