/*
 * msrp_parse.h - incremental MSRP parser (RFC 4975 §7, §9).
 *
 * Feed it bytes in any pieces, down to one byte at a time; it calls back
 * with the headers of each frame, then with slices of the body that point
 * into the buffer given to msrp_parser_feed() (no copy), then with the
 * end-line flag.  Pipelined frames in one buffer are all delivered.
 *
 * Memory is bounded: the parser owns one header buffer of
 * limits.max_header_bytes and a tail of at most MSRP_TID_MAX + 12 bytes that
 * may be the start of an end-line split across two pieces (only those bytes
 * are ever copied, and handed out from the parser's own memory when they
 * turn out to be body).
 *
 * Errors: a frame whose start line parsed (so its transaction id is known)
 * but that is malformed or over a limit is reported through on_error with
 * the status to answer with (400, 413...); the parser then skips to that
 * frame's end-line and goes on.  When framing itself is lost (no valid
 * start line, an end-line whose flag is not $ + #, a header block over the
 * limit) msrp_parser_feed() returns SX_ERROR and the parser is dead: the
 * connection must be closed.
 */
#ifndef SX_MSRP_PARSE_H
#define SX_MSRP_PARSE_H

#include <sys/types.h>

#include "msrp.h"
#include "sx_err.h"

struct msrp_limits {
	size_t max_header_bytes;  /* start line + headers + blank line; default 8192 */
	size_t max_frame_body;    /* body bytes in one frame; default 1 MiB */
	uint64_t max_message;     /* Byte-Range total; default 16 MiB */
};

/* A zero field in the limits given to msrp_parser_new() takes the default. */
void msrp_limits_default(struct msrp_limits *l);

/* Callbacks return 0 to go on; non-zero makes msrp_parser_feed() stop and
 * return SX_ERROR with err->status 0 and the callback's text, when it set
 * one through msrp_parser_fail(). */
struct msrp_parser_cb {
	int (*on_headers)(void *arg, const struct msrp_frame *f);
	int (*on_body)(void *arg, const struct msrp_frame *f,
		       const char *data, size_t len);
	int (*on_end)(void *arg, const struct msrp_frame *f, char flag);
	/* A recoverable error in the frame f (tid valid, other fields as far as
	 * parsed).  The body seen so far, if any, was already delivered; the
	 * rest of the frame is skipped and on_end is not called for it. */
	void (*on_error)(void *arg, const struct msrp_frame *f,
			 const struct sx_err *err);
};

struct msrp_parser;

struct msrp_parser *msrp_parser_new(const struct msrp_limits *limits,
				    const struct msrp_parser_cb *cb, void *arg);
void msrp_parser_free(struct msrp_parser *p);

/* Returns len (all consumed) or SX_ERROR (framing lost or a callback asked to
 * stop).  Never returns SX_INCOMPLETE: partial input is kept as state. */
ssize_t msrp_parser_feed(struct msrp_parser *p, const char *data, size_t len,
			 struct sx_err *err);

/* Called from inside a callback that is about to return non-zero: the
 * text that msrp_parser_feed() then reports in err. */
void msrp_parser_fail(struct msrp_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether the parser is between frames (nothing partial buffered). */
int msrp_parser_idle(const struct msrp_parser *p);

#endif
