/*
 * cpim.h - message/cpim (RFC 3862): the wrapper around every message in a
 * chat room (RFC 7701 §7, RFC 7702 §5.5).
 *
 *   cpim.c        parser: message headers (§3, §3.6 syntax), namespaces
 *                 (§3.4, §4.6), content headers, body; lookups; decoders
 *                 for escapes (§2.3), From/To/cc values (§4.1-§4.3) and
 *                 DateTime (§4.4, RFC 3339)
 *   cpim_build.c  builder
 *
 *   From: "Alice" <sip:alice@example.com>     message headers: names are
 *   To: <sip:room@chat.example.com;gr=bob>    case-sensitive, one line each,
 *   DateTime: 2015-06-25T11:30:00.000Z        UTF-8, ": " after the name
 *                                             blank line
 *   Content-Type: text/plain;charset=UTF-8    MIME content headers
 *                                             blank line
 *   Hello                                     body (a slice, never copied)
 *
 * The parser allocates nothing: every string is a slice of the input.
 * Error convention: sx_err.h; what the parser and decoders refuse has
 * status 400, what the builder cannot write 500.
 */
#ifndef SX_CPIM_H
#define SX_CPIM_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "sx_err.h"

/* The namespace of the headers RFC 3862 defines, and of every unprefixed
 * header name unless an "NS: <uri>" without prefix changes it (§3.4). */
#define CPIM_NS_STD "urn:ietf:params:cpim-headers:"

#define CPIM_MAX_HEADERS          32  /* message headers */
#define CPIM_MAX_CONTENT_HEADERS  16
#define CPIM_MAX_NS               8   /* NS declarations */
#define CPIM_NAME_MAX             1024  /* display name, NUL included */

/* A borrowed string: points into the parsed input, not NUL-terminated. */
struct cpim_str {
	const char *p;
	size_t len;
};

struct cpim_header {
	struct cpim_str name;    /* as written: "MyFeatures.WackyOption" */
	struct cpim_str prefix;  /* "MyFeatures"; empty when unprefixed */
	struct cpim_str local;   /* "WackyOption" */
	struct cpim_str ns;      /* namespace URI the name resolves to */
	struct cpim_str params;  /* ";lang=fr" as written; empty when none */
	struct cpim_str value;   /* raw: escapes not decoded; for content
				  * headers, folded lines are kept as is */
};

struct cpim_ns {
	struct cpim_str prefix;  /* empty: declares the default namespace */
	struct cpim_str uri;
};

struct cpim_msg {
	struct cpim_header headers[CPIM_MAX_HEADERS];   /* wire order */
	unsigned nheaders;
	struct cpim_ns ns[CPIM_MAX_NS];                 /* declaration order */
	unsigned nns;
	struct cpim_header content[CPIM_MAX_CONTENT_HEADERS];  /* name, value */
	unsigned ncontent;
	struct cpim_str content_type;  /* inner Content-Type, never empty */
	struct cpim_str body;          /* the rest of the input */
};

struct cpim_limits {
	size_t max_header_bytes;  /* both blocks, blank lines; default 8192 */
	unsigned max_headers;     /* message + content headers; default 32 */
};

void cpim_limits_default(struct cpim_limits *l);

/* Input may be the start of a longer message (an MSRP chunk): answer
 * SX_INCOMPLETE instead of "truncated" while the headers are not all in. */
#define CPIM_PARTIAL 1

/* Parses data as a message/cpim body.  limits may be NULL (defaults).
 * Returns the length of the header part, i.e. the offset of the body in
 * data (the body is everything after it, out->body), SX_INCOMPLETE (only
 * with CPIM_PARTIAL) or SX_ERROR with err->status 400: malformed header
 * block, undeclared namespace prefix, invalid UTF-8 or a control character
 * in a header, over a limit, truncated, or no inner Content-Type. */
ssize_t cpim_parse(const char *data, size_t len,
		   const struct cpim_limits *limits, int flags,
		   struct cpim_msg *out, struct sx_err *err);

/* Message header lookups by (namespace URI, name), names compared
 * case-sensitively (§3.1); ns NULL means CPIM_NS_STD.  cpim_header_next()
 * returns the next one after prev, for repeated headers (To, cc). */
const struct cpim_header *cpim_header(const struct cpim_msg *m,
				      const char *ns, const char *name);
const struct cpim_header *cpim_header_next(const struct cpim_msg *m,
					   const struct cpim_header *prev,
					   const char *ns, const char *name);
unsigned cpim_header_count(const struct cpim_msg *m, const char *ns,
			   const char *name);

/* Content header lookup, case-insensitive (MIME); NULL when absent. */
const struct cpim_header *cpim_content_header(const struct cpim_msg *m,
					      const char *name);

/* Decodes the escapes of §2.3 (\" \\ \' \b \t \n \r \uXXXX, a UTF-16
 * surrogate pair as two \u) into UTF-8; a backslash that starts none of
 * them is kept as it is.  snprintf semantics: returns the decoded length
 * (never more than len) and writes what fits in cap, NUL-terminated.
 * SX_ERROR for \u0000 or a lone surrogate. */
ssize_t cpim_unescape(const char *s, size_t len, char *buf, size_t cap);

/* A From, To or cc value (§4.1-§4.3): [display-name] "<" URI ">", the name
 * either tokens ("MR SANDERS") or a quoted string. */
struct cpim_addr {
	char name[CPIM_NAME_MAX];  /* unquoted and unescaped; "" when none */
	struct cpim_str uri;       /* without the angle brackets */
};

/* Returns 0 or SX_ERROR (status 400). */
int cpim_addr_parse(const char *s, size_t len, struct cpim_addr *a,
		    struct sx_err *err);

/* A DateTime value (RFC 3339 date-time): *ts gets UTC seconds and the
 * fraction (to the nanosecond), *offset_min the offset it was written with
 * (may be NULL).  Returns 0 or SX_ERROR (status 400). */
int cpim_datetime_parse(const char *s, size_t len, struct timespec *ts,
			int *offset_min, struct sx_err *err);

/*
 * Builder.  Calls append in this order: message headers (in the order
 * made), cpim_build_content() once, more content headers, then
 * cpim_build_body().  snprintf semantics as in msrp_build.h: b->len is the
 * length the whole text needs; text is written only while it fits in cap
 * (NUL-terminated by cpim_build_done() when it fits).
 *
 * Display names, Subject and other values are escaped (§2.3); names and
 * URIs that cannot be written (CR, LF, '<', '>', space in a URI, a name
 * outside the header-name syntax) make the builder invalid.
 */
struct cpim_builder {
	char *buf;
	size_t cap;
	size_t len;
	int stage;          /* 0 message headers, 1 content headers, 2 body */
	const char *bad;    /* why the builder is invalid, or NULL */
};

void cpim_build_init(struct cpim_builder *b, char *buf, size_t cap);
/* name may be NULL or "" (no display name). */
void cpim_build_from(struct cpim_builder *b, const char *name,
		     const char *uri);
void cpim_build_to(struct cpim_builder *b, const char *name, const char *uri);
/* ts NULL: now.  Written with milliseconds, "Z" when offset_min is 0, else
 * as local time at that offset ("-08:00"). */
void cpim_build_datetime(struct cpim_builder *b, const struct timespec *ts,
			 int offset_min);
/* lang may be NULL. */
void cpim_build_subject(struct cpim_builder *b, const char *lang,
			const char *text);
/* prefix NULL: declares the default namespace. */
void cpim_build_ns(struct cpim_builder *b, const char *prefix,
		   const char *uri);
/* Any other message header; name may carry a declared prefix
 * ("MyFeatures.WackyMessageOption"). */
void cpim_build_header(struct cpim_builder *b, const char *name,
		       const char *value);
/* Ends the message headers and writes "Content-Type: type" with
 * ";charset=..." when charset is not NULL. */
void cpim_build_content(struct cpim_builder *b, const char *type,
			const char *charset);
void cpim_build_content_header(struct cpim_builder *b, const char *name,
			       const char *value);
/* Ends the content headers; copies body unless it is NULL (the caller then
 * sends it as a separate piece). */
void cpim_build_body(struct cpim_builder *b, const char *body, size_t len);

/* Returns b->len, or SX_ERROR when the builder is invalid or
 * cpim_build_body() was not reached (err->status 500, b->bad as text). */
ssize_t cpim_build_done(struct cpim_builder *b, struct sx_err *err);

#endif
