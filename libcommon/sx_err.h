/*
 * sx_err.h - the error convention shared by every codec in libcommon.
 *
 * Incremental parsers return the number of bytes they consumed (>= 0),
 * SX_INCOMPLETE when they need more input before they can say anything,
 * or SX_ERROR when the input is malformed or over a limit.  On SX_ERROR
 * the caller's struct sx_err says why: the protocol status to answer with
 * (MSRP 400/413/..., SIP 400/488, 0 when the protocol has none), where in
 * the input the problem was found, and a sentence for the log.
 *
 * Codecs never log and never own sockets; the caller decides what to do.
 */
#ifndef SX_ERR_H
#define SX_ERR_H

#include <stddef.h>

#define SX_ERROR      (-1)
#define SX_INCOMPLETE (-2)

struct sx_err {
	int status;          /* protocol status to answer with, or 0 */
	unsigned long line;  /* 1-based position of the problem, 0 if unknown */
	unsigned long column;
	size_t offset;       /* byte offset into the input, when known */
	char text[256];
};

/* Fills err (which may be NULL) and returns SX_ERROR, so that parsers can
 * write "return sx_err_set(err, 400, "bad %s", what);". */
int sx_err_set(struct sx_err *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void sx_err_clear(struct sx_err *err);

#endif
