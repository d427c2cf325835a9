/*
 * msrp_parse_head.h - the header block of one MSRP frame, shared by the
 * framing code (msrp_parse.c) and the header decoder (msrp_parse_head.c).
 * Internal to libcommon: callers use msrp_parse.h.
 *
 * Errors found in the block are recoverable (the transaction id is known):
 * the first one is kept in err and reported once the block is complete.
 */
#ifndef SX_MSRP_PARSE_HEAD_H
#define SX_MSRP_PARSE_HEAD_H

#include <stdint.h>

#include "msrp.h"
#include "sx_err.h"

#define MSRP_NICK_MAX 1023   /* RFC 7701 §7: nicknames up to 1023 octets */

struct msrp_head {
	struct msrp_frame f;
	char *buf;              /* the block as received, lines with CRLF */
	size_t cap, len;
	size_t line_start;      /* offset of the line being collected */
	size_t start_end;       /* end of the start line; 0 before it is in */
	unsigned long nlines;   /* complete lines so far */
	uint64_t frame_off;     /* stream offset of the frame's first byte */
	uint64_t max_message;
	struct sx_err err;      /* first recoverable error; status 0: none */
	char nick[MSRP_NICK_MAX];  /* Use-Nickname when it had escapes */
};

/* buf gets room for max_header_bytes + extra bytes.  0 or SX_ERROR. */
int msrp_head_init(struct msrp_head *h, size_t max_header_bytes, size_t extra,
		   uint64_t max_message);
void msrp_head_free(struct msrp_head *h);

/* Empties the block and gives the frame its defaults (§7.1.1, §7.2). */
void msrp_head_reset(struct msrp_head *h);

/* Parses the start line, buf[0, len).  SX_ERROR (framing lost) when there
 * is no "MSRP" and transaction id; other faults are kept in h->err. */
int msrp_head_start(struct msrp_head *h, struct sx_err *err);

/* Decodes the header lines buf[start_end, line_start) into h->f and checks
 * what §7.1 requires; faults are kept in h->err. */
void msrp_head_decode(struct msrp_head *h);

/* Keeps the first fault of the frame, at the current line. */
void msrp_head_error(struct msrp_head *h, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
