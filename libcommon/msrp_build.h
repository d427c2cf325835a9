/*
 * msrp_build.h - MSRP serializer (RFC 4975 §7, §7.1, §7.1.1, §7.2, §7.1.2).
 *
 * Builds the text around a body; bodies themselves are never copied here:
 * the caller writes head, body and end-line to the wire as three pieces
 * (writev).  Functions that build into a buffer behave like snprintf:
 * they return the length the whole text needs, and write (NUL-terminated)
 * only when it fits in cap.  Control characters in header values and
 * comments are written as spaces, so that no value can end its line early.
 */
#ifndef SX_MSRP_BUILD_H
#define SX_MSRP_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "msrp.h"

/* A frame to write.  Zero-initialise, then fill what applies. */
struct msrp_out {
	const char *tid;                /* required */
	enum msrp_method method;        /* MSRP_METHOD_NONE: a response */
	const char *method_name;        /* for MSRP_METHOD_OTHER */
	int status;                     /* responses */
	const char *comment;            /* responses; NULL: the standard phrase */
	const char *to_path;            /* required */
	const char *from_path;          /* required */
	const char *message_id;         /* SEND and REPORT */
	int has_range;
	struct msrp_byte_range range;
	/* Written only when not the default (SR no, FR yes), unless
	 * force_report_headers is set.  Mind that a zeroed struct has
	 * failure_report MSRP_REPORT_NO, which asks for no response at all:
	 * set MSRP_REPORT_YES when a 200 is wanted. */
	enum msrp_report_mode success_report;
	enum msrp_report_mode failure_report;
	int force_report_headers;
	const char *status_header;      /* REPORT: "000 200 OK" */
	const char *use_nickname;       /* NICKNAME: unquoted; quoted on output
					 * (CR and LF, which a quoted-string
					 * cannot carry, are dropped) */
	const char *extra_headers;      /* raw "Name: value\r\n" lines, or NULL */
	const char *content_type;       /* required with a body */
};

/* Picks a random transaction id (16 alphanumerics) whose end-line cannot
 * occur in body; body may be NULL. */
void msrp_tid_pick(char tid[MSRP_TID_MAX + 1], const char *body, size_t len);

/* Picks a random Message-ID (16 alphanumerics). */
void msrp_message_id_pick(char id[MSRP_TID_MAX + 1]);

/* Start line and headers; with has_body the blank line after them too. */
size_t msrp_build_head(char *buf, size_t cap, const struct msrp_out *o,
		       int has_body);

/* "\r\n-------TID$\r\n" (the leading CRLF only with has_body). */
size_t msrp_build_end(char *buf, size_t cap, const char *tid, char flag,
		      int has_body);

/* A response to request f (§7.2): To-Path is the first URI of f's
 * From-Path, From-Path is local_uri (normally the last URI of f's To-Path;
 * NULL takes it from f).  Bodiless, end-line included. */
size_t msrp_build_response(char *buf, size_t cap, const struct msrp_frame *f,
			   int status, const char *comment,
			   const char *local_uri);

/* Whether f asks for a response with this status, following the
 * Failure-Report rules of §7.2 (no: never; partial: errors only).  REPORTs
 * are never answered. */
int msrp_response_wanted(const struct msrp_frame *f, int status);

/* A REPORT for the message that f was a chunk of (§7.1.2): To-Path is f's
 * From-Path, From-Path is local_uri (NULL: the last URI of f's To-Path),
 * same Message-ID, Byte-Range 1-end/total as given, Status 000 status.
 * Bodiless, end-line included; a new tid is picked into tid_out. */
size_t msrp_build_report(char *buf, size_t cap, const struct msrp_frame *f,
			 const char *local_uri, int status, const char *comment,
			 uint64_t range_end, uint64_t total,
			 char tid_out[MSRP_TID_MAX + 1]);

/* Splits a body of total bytes into chunks of at most chunk_size bytes.
 * Bodies over 2048 bytes must be sent interruptibly (§7.1.1); callers use a
 * chunk_size of at most 2048 when other traffic shares the connection. */
struct msrp_chunker {
	uint64_t total;
	size_t chunk_size;
	uint64_t next;  /* 0-based offset of the next chunk */
};

void msrp_chunker_init(struct msrp_chunker *c, uint64_t total,
		       size_t chunk_size);
/* Fills *range (1-based, with total) and returns the chunk's length, or 0
 * when every chunk was produced (at once for a total of 0: an empty
 * message is one bodiless SEND, not a chunk).  *last is set when this is
 * the final chunk ('$' flag; the others get '+'). */
size_t msrp_chunker_next(struct msrp_chunker *c, struct msrp_byte_range *range,
			 uint64_t *offset, int *last);

/* The standard reason phrase of an MSRP status code ("OK", "Forbidden"),
 * NULL for a code it does not know. */
const char *msrp_status_phrase(int status);

#endif
