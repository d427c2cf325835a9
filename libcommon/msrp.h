/*
 * msrp.h - the MSRP frame model shared by the MSRP codec files
 * (RFC 4975 §7 syntax, §7.1 transaction ids and end-lines, §7.1.1 chunking,
 * §9 formal syntax; RFC 4976 for relay paths).
 *
 *   msrp_parse.[ch]  incremental parser: bytes in, frames out, bodies as
 *                    borrowed slices of the caller's buffer
 *   msrp_build.[ch]  serializer: transaction ids, start/header lines,
 *                    end-lines, responses, REPORTs, chunking of bodies
 *   msrp_reasm.[ch]  reassembly of chunked messages by Message-ID
 *   msrp_uri.[ch]    MSRP URIs and paths
 *
 * Error convention: sx_err.h.
 */
#ifndef SX_MSRP_H
#define SX_MSRP_H

#include <stddef.h>
#include <stdint.h>

#define MSRP_TID_MAX     32    /* ident = 4*31... in practice; we accept 32 */
#define MSRP_MAX_HEADERS 32
#define MSRP_UNKNOWN     UINT64_MAX   /* '*' in a Byte-Range */

enum msrp_method {
	MSRP_METHOD_NONE = 0,   /* a response */
	MSRP_SEND,
	MSRP_REPORT,
	MSRP_AUTH,              /* RFC 4976 */
	MSRP_NICKNAME,          /* RFC 7701 */
	MSRP_METHOD_OTHER,      /* unknown method: answer 501 */
};

enum msrp_report_mode {
	MSRP_REPORT_NO = 0,
	MSRP_REPORT_YES,
	MSRP_REPORT_PARTIAL,    /* Failure-Report only */
};

/* A borrowed string: points into the parser's header buffer or the caller's
 * input, never NUL-terminated by contract. */
struct msrp_str {
	const char *p;
	size_t len;
};

struct msrp_header {
	struct msrp_str name;
	struct msrp_str value;
};

struct msrp_byte_range {
	uint64_t start;  /* 1-based */
	uint64_t end;    /* MSRP_UNKNOWN for '*' */
	uint64_t total;  /* MSRP_UNKNOWN for '*' */
};

/* Everything before the body of one frame.  Valid from the on_headers
 * callback until on_end returns.  Well-known headers are decoded; every
 * header, known or not, is also in headers[] in wire order. */
struct msrp_frame {
	char tid[MSRP_TID_MAX + 1];
	enum msrp_method method;        /* MSRP_METHOD_NONE for a response */
	struct msrp_str method_name;    /* as on the wire (requests) */
	int status;                     /* responses: 000..999 */
	struct msrp_str comment;        /* responses: optional reason text */

	struct msrp_str to_path;        /* whole header values, space-separated URIs */
	struct msrp_str from_path;
	struct msrp_str message_id;
	struct msrp_str content_type;   /* empty when absent */
	int has_byte_range;
	struct msrp_byte_range range;   /* default "1-*" of "*" when absent (§7.1.1) */
	enum msrp_report_mode success_report;  /* default no */
	enum msrp_report_mode failure_report;  /* default yes */
	struct msrp_str status_header;  /* REPORT's Status: header value */
	struct msrp_str use_nickname;   /* NICKNAME's Use-Nickname, quotes removed */

	struct msrp_header headers[MSRP_MAX_HEADERS];
	size_t nheaders;
	int has_body;                   /* a CRLF body separator was present */
};

/* Looks a header up by name, case-insensitively; NULL when absent. */
const struct msrp_header *msrp_frame_header(const struct msrp_frame *f,
					    const char *name);

/* "SEND", "REPORT", "AUTH", "NICKNAME"; NULL for MSRP_METHOD_NONE and
 * MSRP_METHOD_OTHER (whose name is in the frame's method_name). */
const char *msrp_method_name(enum msrp_method m);

/* Whether s is an ident (§9: transaction ids, Message-IDs): an
 * alphanumeric followed by alphanumerics or . - + % =, at most
 * MSRP_TID_MAX bytes.  Shorter than the grammar's minimum of 4 is
 * accepted. */
int msrp_ident_valid(const char *s, size_t len);

#endif
