/*
 * msrp_reasm.h - reassembly of chunked MSRP messages (RFC 4975 §7.1.1,
 * §7.3.1): chunks keyed by Message-ID, in any order, overlapping (the last
 * bytes received win), a message complete when bytes 1..total are all in.
 *
 * Memory is bounded: at most max_messages messages in progress and
 * max_message bytes per message; a chunk that would pass a bound is refused
 * with status 413 (message too large) and the message is dropped.  So is a
 * message whose received parts are more than 1024 separate pieces.  A
 * chunk refused for being inconsistent (400) drops its message too.
 */
#ifndef SX_MSRP_REASM_H
#define SX_MSRP_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "msrp.h"
#include "sx_err.h"

struct msrp_reasm;

struct msrp_reasm *msrp_reasm_new(size_t max_messages, uint64_t max_message);
void msrp_reasm_free(struct msrp_reasm *r);

/* Adds len bytes at 1-based position start of message id, whose total size
 * is total (MSRP_UNKNOWN when not yet known; a later chunk may tell it).
 * A chunk ending with '$' (last) fixes the total at its end when the total
 * was unknown.  Returns 1 when the message is now complete, 0 when more is
 * needed, SX_ERROR (err->status 413 or 400) when refused. */
int msrp_reasm_add(struct msrp_reasm *r, const char *id, size_t id_len,
		   uint64_t start, uint64_t total, const char *data, size_t len,
		   int last, struct sx_err *err);

/* Takes a complete message out: returns its body (caller frees) and its
 * length, or NULL when id is not complete. */
char *msrp_reasm_take(struct msrp_reasm *r, const char *id, size_t id_len,
		      size_t *len);

/* Drops a message (aborted with '#', or its session ended). */
void msrp_reasm_drop(struct msrp_reasm *r, const char *id, size_t id_len);

/* Bytes received so far for id (for REPORTs and progress), 0 if unknown. */
uint64_t msrp_reasm_received(const struct msrp_reasm *r, const char *id,
			     size_t id_len);

#endif
