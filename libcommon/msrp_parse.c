/*
 * msrp_parse.c - incremental MSRP parser: framing.  RFC 4975 §7 (start
 * lines, end-lines), §7.1 (the end-line must not occur in the body), §9
 * (formal syntax).  The headers of a complete block are decoded in
 * msrp_parse_head.c.  See msrp_parse.h.
 *
 * A frame goes through these states:
 *   HEAD  lines are copied into hbuf up to the blank line (a body follows)
 *         or up to an end-line (a bodiless frame).  The start line is
 *         parsed as soon as it is complete because its transaction id is
 *         needed to recognise the end-line; the other headers are decoded
 *         once, when the block is complete.
 *   BODY  the caller's buffer is searched with memmem() for
 *         CRLF "-------" tid; the bytes before it go to on_body as slices
 *         of the caller's buffer.  A possible end-line cut by the end of a
 *         piece is held back in hold[] until the next piece decides.
 *   SKIP  the same search without delivering: the rest of a frame that
 *         had a recoverable error.
 * Only header lines and held-back tails are ever copied.
 */
#include "msrp_parse.h"
#include "msrp_parse_head.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAT_MAX  (2 + 7 + MSRP_TID_MAX)   /* CRLF "-------" tid */
#define HOLD_MAX (PAT_MAX + 3)            /* + flag CRLF */

enum pstate { ST_HEAD, ST_BODY, ST_SKIP, ST_DEAD };

/* What the bytes after CRLF "-------" tid make of a candidate end-line. */
enum { EL_MORE, EL_DONE, EL_NOT, EL_BAD };

struct msrp_parser {
	struct msrp_limits lim;
	struct msrp_parser_cb cb;
	void *arg;
	enum pstate st;
	uint64_t off;           /* stream offset of the piece being fed */
	struct msrp_head h;     /* the frame and its header block */

	char pat[PAT_MAX];      /* CRLF "-------" tid */
	size_t patlen;
	char hold[HOLD_MAX];    /* a candidate end-line cut by a piece's end */
	size_t holdlen;
	size_t holdvirt;        /* leading bytes of hold[] that are not body */
	uint64_t body_len;

	char fail[sizeof(((struct sx_err *)0)->text)];
};

void msrp_limits_default(struct msrp_limits *l)
{
	l->max_header_bytes = 8192;
	l->max_frame_body = 1024 * 1024;
	l->max_message = 16 * 1024 * 1024;
}

static int ident_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' ||
	       c == '%' || c == '=';
}

/* Judges the n (at most 3) bytes that follow CRLF "-------" tid.  An ident
 * character there means a longer transaction id: body, not an end-line. */
static int el_tail(const char *s, size_t n)
{
	if (n == 0)
		return EL_MORE;
	if (s[0] != '$' && s[0] != '+' && s[0] != '#')
		return ident_char((unsigned char)s[0]) ? EL_NOT : EL_BAD;
	if (n == 1)
		return EL_MORE;
	if (s[1] != '\r')
		return EL_BAD;
	if (n == 2)
		return EL_MORE;
	return s[2] == '\n' ? EL_DONE : EL_BAD;
}

static int fail_at(struct sx_err *err, uint64_t offset, int status,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct sx_err *err, uint64_t offset, int status,
		   const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return SX_ERROR;
	sx_err_clear(err);
	err->status = status;
	err->offset = (size_t)offset;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

void msrp_parser_fail(struct msrp_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->fail, sizeof(p->fail), fmt, ap);
	va_end(ap);
}

static int cb_stop(struct msrp_parser *p, struct sx_err *err, size_t pos)
{
	return fail_at(err, p->off + pos, 0, "%s",
		       p->fail[0] ? p->fail : "stopped by the frame handler");
}

static void frame_reset(struct msrp_parser *p)
{
	msrp_head_reset(&p->h);
	p->holdlen = 0;
	p->holdvirt = 0;
	p->body_len = 0;
	p->st = ST_HEAD;
}

static int frame_end(struct msrp_parser *p, struct sx_err *err, size_t pos,
		     char flag)
{
	if (p->st != ST_SKIP && p->cb.on_end &&
	    p->cb.on_end(p->arg, &p->h.f, flag) != 0)
		return cb_stop(p, err, pos);
	frame_reset(p);
	return 0;
}

/* The blank line after the headers may double as the CRLF before the
 * end-line of an empty body, so the search starts with CRLF matched. */
static void body_start(struct msrp_parser *p, enum pstate st)
{
	p->st = st;
	memcpy(p->hold, "\r\n", 2);
	p->holdlen = 2;
	p->holdvirt = 2;
	p->body_len = 0;
}

static int deliver(struct msrp_parser *p, struct sx_err *err, size_t pos,
		   const char *s, size_t n)
{
	if (n == 0 || p->st == ST_SKIP)
		return 0;
	if (n > p->lim.max_frame_body - p->body_len) {
		struct sx_err e;

		fail_at(&e, p->off + pos, 413, "MSRP frame body over %zu bytes",
			p->lim.max_frame_body);
		if (p->cb.on_error)
			p->cb.on_error(p->arg, &p->h.f, &e);
		p->st = ST_SKIP;
		return 0;
	}
	p->body_len += n;
	if (p->cb.on_body && p->cb.on_body(p->arg, &p->h.f, s, n) != 0)
		return cb_stop(p, err, pos);
	return 0;
}

/* The held bytes turned out not to be an end-line: they are body. */
static int flush_hold(struct msrp_parser *p, struct sx_err *err, size_t pos)
{
	size_t virt = p->holdvirt, n = p->holdlen;

	p->holdlen = 0;
	p->holdvirt = 0;
	return deliver(p, err, pos, p->hold + virt, n - virt);
}

static void hold(struct msrp_parser *p, const char *s, size_t n)
{
	memcpy(p->hold, s, n);
	p->holdlen = n;
	p->holdvirt = 0;
}

/* Finishes a candidate end-line held from an earlier piece, one byte at a
 * time (at most HOLD_MAX of them).  Returns the new position, or SX_ERROR;
 * p->holdlen is 0 afterwards unless the piece ran out. */
static ssize_t hold_feed(struct msrp_parser *p, const char *data, size_t len,
			 size_t pos, struct sx_err *err)
{
	while (p->holdlen > 0 && pos < len) {
		char c = data[pos];
		int r;

		if (p->holdlen < p->patlen) {
			if (c != p->pat[p->holdlen])
				return flush_hold(p, err, pos) < 0 ?
					SX_ERROR : (ssize_t)pos;
			p->hold[p->holdlen++] = c;
			pos++;
			continue;
		}
		p->hold[p->holdlen] = c;
		r = el_tail(p->hold + p->patlen, p->holdlen + 1 - p->patlen);
		if (r == EL_NOT)
			return flush_hold(p, err, pos) < 0 ?
				SX_ERROR : (ssize_t)pos;
		if (r == EL_BAD)
			return fail_at(err, p->off + pos, 400,
				       "bad end-line flag for transaction %s",
				       p->h.f.tid);
		p->holdlen++;
		pos++;
		if (r == EL_DONE) {
			char flag = p->hold[p->patlen];

			p->holdlen = 0;
			return frame_end(p, err, pos, flag) < 0 ?
				SX_ERROR : (ssize_t)pos;
		}
	}
	return (ssize_t)pos;
}

static ssize_t body_feed(struct msrp_parser *p, const char *data, size_t len,
			 size_t pos, struct sx_err *err)
{
	size_t start, from, w;
	const char *q;

	if (p->holdlen > 0) {
		ssize_t r = hold_feed(p, data, len, pos, err);

		/* done when it failed, the frame ended or the piece ran out */
		if (r < 0 || p->st == ST_HEAD || p->holdlen > 0)
			return r;
		pos = (size_t)r;
	}
	start = from = pos;
	while ((q = memmem(data + from, len - from, p->pat, p->patlen))) {
		size_t qi = (size_t)(q - data), k = qi + p->patlen;
		int r = el_tail(data + k, len - k < 3 ? len - k : 3);

		if (r == EL_NOT) {
			from = k + 1;
			continue;
		}
		if (r == EL_BAD)
			return fail_at(err, p->off + k, 400,
				       "bad end-line flag for transaction %s",
				       p->h.f.tid);
		if (deliver(p, err, qi, data + start, qi - start) < 0)
			return SX_ERROR;
		if (r == EL_MORE) {
			hold(p, q, len - qi);
			return (ssize_t)len;
		}
		return frame_end(p, err, k + 3, data[k]) < 0 ?
			SX_ERROR : (ssize_t)(k + 3);
	}
	/* no end-line; the last bytes may still begin one, and only the last
	 * CR can, since the pattern has no CR after its first byte */
	w = len - from < p->patlen - 1 ? len - from : p->patlen - 1;
	q = w ? memrchr(data + len - w, '\r', w) : NULL;
	if (q && memcmp(q, p->pat, (size_t)(data + len - q)) == 0) {
		if (deliver(p, err, (size_t)(q - data), data + start,
			    (size_t)(q - data) - start) < 0)
			return SX_ERROR;
		hold(p, q, (size_t)(data + len - q));
		return (ssize_t)len;
	}
	if (deliver(p, err, len, data + start, len - start) < 0)
		return SX_ERROR;
	return (ssize_t)len;
}

/* The header block is complete: decode it, then hand the frame over. */
static int head_done(struct msrp_parser *p, struct sx_err *err, size_t pos,
		     int has_body, char flag)
{
	p->h.f.has_body = has_body;
	msrp_head_decode(&p->h);
	if (p->h.err.status != 0) {
		if (p->cb.on_error)
			p->cb.on_error(p->arg, &p->h.f, &p->h.err);
		if (has_body)
			body_start(p, ST_SKIP);
		else
			frame_reset(p);
		return 0;
	}
	if (p->cb.on_headers && p->cb.on_headers(p->arg, &p->h.f) != 0)
		return cb_stop(p, err, pos);
	if (has_body) {
		body_start(p, ST_BODY);
		return 0;
	}
	return frame_end(p, err, pos, flag);
}

/* Whether the n bytes of line l could still become this frame's end-line. */
static int endline_prefix(const struct msrp_parser *p, const char *l,
			  size_t n)
{
	size_t m = p->patlen - 2;

	return n <= m + 3 && memcmp(l, p->pat + 2, n < m ? n : m) == 0;
}

static int head_partial(struct msrp_parser *p, struct sx_err *err)
{
	struct msrp_head *h = &p->h;
	const char *l = h->buf + h->line_start;
	size_t n = h->len - h->line_start;

	if (h->start_end == 0 && memcmp(l, "MSRP ", n < 5 ? n : 5) != 0)
		return fail_at(err, h->frame_off, 400,
			       "not an MSRP start line");
	if (h->len > p->lim.max_header_bytes &&
	    (h->start_end == 0 || !endline_prefix(p, l, n)))
		return fail_at(err, h->frame_off, 413,
			       "MSRP header block over %zu bytes",
			       p->lim.max_header_bytes);
	return 0;
}

static int head_line(struct msrp_parser *p, struct sx_err *err, size_t pos)
{
	struct msrp_head *h = &p->h;
	const char *l = h->buf + h->line_start;
	size_t n = h->len - h->line_start, content = n - 1;
	size_t tl;

	if (content > 0 && l[content - 1] == '\r')
		content--;
	h->nlines++;
	if (h->start_end == 0) {
		if (msrp_head_start(h, err) < 0)
			return SX_ERROR;
		tl = strlen(h->f.tid);
		memcpy(p->pat, "\r\n-------", 9);
		memcpy(p->pat + 9, h->f.tid, tl);
		p->patlen = 9 + tl;
		h->start_end = h->len;
	} else if (content >= 7 && memcmp(l, "-------", 7) == 0) {
		/* the end-line of a bodiless frame */
		tl = p->patlen - 9;
		if (content < 7 + tl || memcmp(l + 7, h->f.tid, tl) != 0 ||
		    ident_char((unsigned char)l[7 + tl]))
			return fail_at(err, p->off + pos, 400,
				       "end-line does not match transaction %s",
				       h->f.tid);
		if (el_tail(l + 7 + tl, n - 7 - tl) != EL_DONE)
			return fail_at(err, p->off + pos, 400,
				       "bad end-line flag for transaction %s",
				       h->f.tid);
		return head_done(p, err, pos, 0, l[7 + tl]);
	}
	if (h->len > p->lim.max_header_bytes)
		return fail_at(err, h->frame_off, 413,
			       "MSRP header block over %zu bytes",
			       p->lim.max_header_bytes);
	if (content != n - 2)
		msrp_head_error(h, 400, "line not ended by CRLF");
	if (content == 0 && h->start_end != h->len)
		return head_done(p, err, pos, 1, 0);
	h->line_start = h->len;
	return 0;
}

static ssize_t head_feed(struct msrp_parser *p, const char *data, size_t len,
			 size_t pos, struct sx_err *err)
{
	struct msrp_head *h = &p->h;

	while (pos < len && p->st == ST_HEAD) {
		const char *nl;
		size_t n;
		int r;

		if (h->len == 0) {
			/* stray CRLFs between frames are tolerated */
			while (pos < len &&
			       (data[pos] == '\r' || data[pos] == '\n'))
				pos++;
			if (pos == len)
				break;
			h->frame_off = p->off + pos;
		}
		nl = memchr(data + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - data) + 1 - pos : len - pos;
		if (n > h->cap - h->len)
			return fail_at(err, h->frame_off, 413,
				       "MSRP header block over %zu bytes",
				       p->lim.max_header_bytes);
		memcpy(h->buf + h->len, data + pos, n);
		h->len += n;
		pos += n;
		r = nl ? head_line(p, err, pos) : head_partial(p, err);
		if (r < 0)
			return SX_ERROR;
	}
	return (ssize_t)pos;
}

ssize_t msrp_parser_feed(struct msrp_parser *p, const char *data, size_t len,
			 struct sx_err *err)
{
	size_t pos = 0;

	if (p->st == ST_DEAD)
		return fail_at(err, p->off, 400,
			       "MSRP parser stopped by an earlier error");
	while (pos < len) {
		ssize_t r = p->st == ST_HEAD ?
			head_feed(p, data, len, pos, err) :
			body_feed(p, data, len, pos, err);

		if (r < 0) {
			p->st = ST_DEAD;
			return SX_ERROR;
		}
		pos = (size_t)r;
	}
	p->off += len;
	return (ssize_t)len;
}

int msrp_parser_idle(const struct msrp_parser *p)
{
	return p->st == ST_HEAD && p->h.len == 0;
}

struct msrp_parser *msrp_parser_new(const struct msrp_limits *limits,
				    const struct msrp_parser_cb *cb, void *arg)
{
	struct msrp_parser *p = calloc(1, sizeof(*p));
	struct msrp_limits def;

	if (p == NULL)
		return NULL;
	msrp_limits_default(&def);
	if (limits != NULL)
		p->lim = *limits;
	if (p->lim.max_header_bytes == 0)
		p->lim.max_header_bytes = def.max_header_bytes;
	if (p->lim.max_frame_body == 0)
		p->lim.max_frame_body = def.max_frame_body;
	if (p->lim.max_message == 0)
		p->lim.max_message = def.max_message;
	if (cb != NULL)
		p->cb = *cb;
	p->arg = arg;
	/* room for the end-line of a bodiless frame after a full block */
	if (msrp_head_init(&p->h, p->lim.max_header_bytes, HOLD_MAX - 2,
			   p->lim.max_message) < 0) {
		free(p);
		return NULL;
	}
	frame_reset(p);
	return p;
}

void msrp_parser_free(struct msrp_parser *p)
{
	if (p == NULL)
		return;
	msrp_head_free(&p->h);
	free(p);
}
