/*
 * input.c - reading an input and finding the conference-info document in
 * it: either the input itself, or the body of a captured SIP message.
 *
 *   RFC 3261 §7.1, §7.2  request and status lines (what tells a message)
 *   RFC 3261 §7.3.1      header folding, names compared case-insensitively
 *   RFC 3261 §7.3.3      compact forms c (Content-Type), l (Content-Length),
 *                        e (Content-Encoding)
 *   RFC 3261 §7.5        CRLFs before the start-line are ignored
 *   RFC 3261 §20.14      Content-Length bounds the body
 *   RFC 2046 §5.1.1      multipart bodies: the conference-info part is used
 *   RFC 4575 §4, §7      the application/conference-info+xml body
 *
 * Captures are often saved with LF line ends, which shortens the body below
 * the Content-Length the sender counted: a body that reaches the length
 * only when each bare LF counts as CRLF is taken as it stands.
 *
 * Every error carries the line and column in the input file, so that a
 * reader can go straight to the offending header.
 */
#include "decode.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
#define BOUNDARY_MAX 70

struct slice {
	const char *p;
	size_t n;
};

/* The headers that matter for finding the body. */
struct headers {
	struct slice ctype;
	struct slice length;
	struct slice encoding;
	size_t body;                /* offset of the body in the input */
	size_t blank;               /* offset of the empty line */
};

static void input_pos(const struct input *in, size_t off,
		      unsigned long *line, unsigned long *column)
{
	size_t i, bol = 0;

	*line = 1;
	for (i = 0; i < off && i < in->len; i++) {
		if (in->data[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	}
	*column = off - bol + 1;
}

static int input_fail(const struct input *in, size_t off,
		      struct sx_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int input_fail(const struct input *in, size_t off,
		      struct sx_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return SX_ERROR;
	err->status = 0;
	err->offset = off;
	input_pos(in, off, &err->line, &err->column);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

int input_read(struct input *in, const char *path, struct sx_err *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	size_t cap = 0;
	FILE *f;

	memset(in, 0, sizeof(*in));
	in->name = is_stdin ? "<stdin>" : path;
	f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL)
		return sx_err_set(err, 0, "%s", strerror(errno));
	for (;;) {
		size_t got;

		if (cap - in->len < 2) {
			char *p;

			if (cap >= INPUT_MAX) {
				sx_err_set(err, 0, "larger than %u bytes",
					   INPUT_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			p = realloc(in->data, cap + 1);
			if (p == NULL) {
				sx_err_set(err, 0, "out of memory");
				goto fail;
			}
			in->data = p;
		}
		got = fread(in->data + in->len, 1, cap - in->len, f);
		in->len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		sx_err_set(err, 0, "%s", strerror(errno));
		goto fail;
	}
	in->data[in->len] = '\0';
	if (!is_stdin)
		fclose(f);
	return 0;
fail:
	if (!is_stdin)
		fclose(f);
	free(in->data);
	in->data = NULL;
	in->len = 0;
	return SX_ERROR;
}

void input_free(struct input *in)
{
	free(in->data);
	memset(in, 0, sizeof(*in));
}

/* Offset of the line after the one starting at off; *eol gets the end of
 * the line's content (before CR LF). */
static size_t input_line(const struct input *in, size_t off, size_t end,
			 size_t *eol)
{
	const char *lf = memchr(in->data + off, '\n', end - off);
	size_t next = lf ? (size_t)(lf - in->data) + 1 : end;
	size_t e = lf ? (size_t)(lf - in->data) : end;

	if (e > off && in->data[e - 1] == '\r')
		e--;
	*eol = e;
	return next;
}

static int slice_is(struct slice s, const char *word)
{
	size_t n = strlen(word);

	return s.n == n && strncasecmp(s.p, word, n) == 0;
}

static int is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct slice slice_trim(struct slice s)
{
	while (s.n > 0 && is_lws(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_lws(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* RFC 3261 §7.1, §7.2: "METHOD URI SIP/2.0" or "SIP/2.0 200 Reason". */
static int input_is_start_line(const char *p, size_t n)
{
	const char *sp1, *sp2;

	if (n >= 11 && strncasecmp(p, "SIP/2.0 ", 8) == 0)
		return isdigit((unsigned char)p[8]) &&
		       isdigit((unsigned char)p[9]) &&
		       isdigit((unsigned char)p[10]) &&
		       (n == 11 || p[11] == ' ');
	sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p || n < 9 ||
	    strncasecmp(p + n - 8, " SIP/2.0", 8) != 0)
		return 0;
	sp2 = p + n - 8;
	if (sp2 <= sp1 + 1 || memchr(sp1 + 1, ' ', sp2 - sp1 - 1) != NULL)
		return 0;
	for (; p < sp1; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-.!%*_+`'~", *p))
			return 0;
	return 1;
}

/* Reads header lines from off up to the empty line; keeps the values of
 * the headers that matter.  Folded lines extend the header before them. */
static int input_headers(const struct input *in, size_t off, size_t end,
			 struct headers *h, struct sx_err *err)
{
	struct slice *cur = NULL;

	memset(h, 0, sizeof(*h));
	while (off < end) {
		size_t eol, next = input_line(in, off, end, &eol);
		const char *line = in->data + off;
		struct slice name;
		const char *colon;

		if (eol == off) {
			h->blank = off;
			h->body = next;
			return 0;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (cur != NULL)
				cur->n = (size_t)(in->data + eol - cur->p);
			off = next;
			continue;
		}
		colon = memchr(line, ':', eol - off);
		if (colon == NULL || colon == line)
			return input_fail(in, off, err,
					  "malformed header line (no name and "
					  "colon)");
		name.p = line;
		name.n = (size_t)(colon - line);
		name = slice_trim(name);
		if (slice_is(name, "content-type") || slice_is(name, "c"))
			cur = &h->ctype;
		else if (slice_is(name, "content-length") ||
			 slice_is(name, "l"))
			cur = &h->length;
		else if (slice_is(name, "content-encoding") ||
			 slice_is(name, "e"))
			cur = &h->encoding;
		else
			cur = NULL;
		if (cur != NULL && cur->p != NULL)
			return input_fail(in, off, err, "repeated %.*s header",
					  (int)name.n, name.p);
		if (cur != NULL) {
			cur->p = colon + 1;
			cur->n = (size_t)(in->data + eol - cur->p);
		}
		off = next;
	}
	return input_fail(in, end, err,
			  "the headers do not end: no empty line before the "
			  "body");
}

static size_t input_off(const struct input *in, const char *p)
{
	return (size_t)(p - in->data);
}

/* Splits a Content-Type value into its media type and, when asked, the
 * value of its boundary parameter (token or quoted-string). */
static int input_media_type(const struct input *in, struct slice v,
			    struct slice *type, char *boundary,
			    struct sx_err *err)
{
	const char *p = v.p, *end = v.p + v.n;

	type->p = p;
	while (p < end && *p != ';')
		p++;
	type->n = (size_t)(p - type->p);
	*type = slice_trim(*type);
	if (type->n == 0 || memchr(type->p, '/', type->n) == NULL)
		return input_fail(in, input_off(in, v.p), err,
				  "malformed Content-Type");
	if (boundary != NULL)
		boundary[0] = '\0';
	while (p < end && boundary != NULL) {
		struct slice name, val;

		p++;                                   /* the ';' */
		name.p = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		name.n = (size_t)(p - name.p);
		name = slice_trim(name);
		if (p >= end || *p == ';')
			continue;
		p++;                                   /* the '=' */
		while (p < end && is_lws(*p))
			p++;
		if (p < end && *p == '"') {
			val.p = ++p;
			while (p < end && *p != '"')
				p++;
			val.n = (size_t)(p - val.p);
			if (p < end)
				p++;
		} else {
			val.p = p;
			while (p < end && *p != ';')
				p++;
			val.n = (size_t)(p - val.p);
			val = slice_trim(val);
		}
		while (p < end && *p != ';')
			p++;
		if (!slice_is(name, "boundary"))
			continue;
		if (val.n == 0 || val.n > BOUNDARY_MAX)
			return input_fail(in, input_off(in, name.p), err,
					  "multipart boundary must be 1 to %d "
					  "characters", BOUNDARY_MAX);
		memcpy(boundary, val.p, val.n);
		boundary[val.n] = '\0';
	}
	return 0;
}

/* "--boundary" at the start of a line, then "--", padding or the end. */
static int input_is_delimiter(const struct input *in, size_t off, size_t end,
			      const char *boundary, size_t blen)
{
	const char *p = in->data + off;

	if (end - off < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, boundary, blen) != 0)
		return 0;
	p += blen + 2;
	return p == in->data + end || is_lws(*p) || *p == '-';
}

/* Offset of the next delimiter line at or after off, or end. */
static size_t input_next_delimiter(const struct input *in, size_t off,
				   size_t end, const char *boundary)
{
	size_t blen = strlen(boundary), eol;

	while (off < end) {
		if (input_is_delimiter(in, off, end, boundary, blen))
			return off;
		off = input_line(in, off, end, &eol);
	}
	return end;
}

/* RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter. */
static size_t input_part_end(const struct input *in, size_t start,
			     size_t delim)
{
	if (delim > start && in->data[delim - 1] == '\n')
		delim--;
	if (delim > start && in->data[delim - 1] == '\r')
		delim--;
	return delim;
}

static int input_multipart(struct input *in, size_t off, size_t end,
			   const char *boundary, size_t ctype_off,
			   struct sx_err *err)
{
	size_t blen = strlen(boundary), eol;

	if (boundary[0] == '\0')
		return input_fail(in, ctype_off, err,
				  "multipart Content-Type without a boundary");
	off = input_next_delimiter(in, off, end, boundary);
	while (off < end) {
		size_t start, delim;
		struct headers h;
		struct slice type;

		if (end - off >= blen + 4 &&
		    memcmp(in->data + off + 2 + blen, "--", 2) == 0)
			break;                          /* close-delimiter */
		start = input_line(in, off, end, &eol);
		delim = input_next_delimiter(in, start, end, boundary);
		if (delim >= end)
			return input_fail(in, start, err,
					  "multipart body part is not closed "
					  "by a boundary line");
		if (input_headers(in, start, delim, &h, err) != 0)
			return SX_ERROR;
		if (h.ctype.p != NULL) {
			if (input_media_type(in, h.ctype, &type, NULL,
					     err) != 0)
				return SX_ERROR;
			if (slice_is(type, CONFINFO_MIME)) {
				in->body = in->data + h.body;
				in->body_len = input_part_end(in, h.body,
							      delim) - h.body;
				input_pos(in, h.body, &in->body_line,
					  &in->body_column);
				return 0;
			}
		}
		off = delim;
	}
	return input_fail(in, ctype_off, err,
			  "the multipart body has no %s part", CONFINFO_MIME);
}

/* The length of the body under a Content-Length of want bytes, counting a
 * bare LF as the CRLF it was on the wire. */
static int input_body_length(struct input *in, const struct headers *h,
			     size_t *len, struct sx_err *err)
{
	struct slice v = slice_trim(h->length);
	size_t avail = in->len - h->body, i, wire = 0;
	unsigned long want = 0;

	if (v.n == 0)
		return input_fail(in, input_off(in, h->length.p), err,
				  "empty Content-Length");
	for (i = 0; i < v.n; i++) {
		if (!isdigit((unsigned char)v.p[i]))
			return input_fail(in, input_off(in, v.p), err,
					  "malformed Content-Length '%.*s'",
					  (int)v.n, v.p);
		/* Past the input limit the exact value no longer matters. */
		if (want <= INPUT_MAX)
			want = want * 10 + (unsigned long)(v.p[i] - '0');
	}
	for (i = 0; i < avail && wire < want; i++) {
		const char *c = in->data + h->body + i;

		wire += (*c == '\n' && (i == 0 || c[-1] != '\r')) ? 2 : 1;
	}
	if (wire < want)
		return input_fail(in, input_off(in, v.p), err,
				  "Content-Length is %.*s but the body has "
				  "only %zu bytes", (int)v.n, v.p, avail);
	*len = i;
	return 0;
}

static int input_sip_body(struct input *in, size_t off, struct sx_err *err)
{
	struct headers h;
	struct slice type, enc;
	char boundary[BOUNDARY_MAX + 1];
	size_t body_len, ctype_off;

	if (input_headers(in, off, in->len, &h, err) != 0)
		return SX_ERROR;
	body_len = in->len - h.body;
	if (h.length.p != NULL &&
	    input_body_length(in, &h, &body_len, err) != 0)
		return SX_ERROR;
	if (h.ctype.p == NULL)
		return input_fail(in, h.blank, err,
				  body_len ? "the body has no Content-Type" :
				  "the message has no body");
	ctype_off = input_off(in, slice_trim(h.ctype).p);
	enc = slice_trim(h.encoding);
	if (enc.n > 0 && !slice_is(enc, "identity"))
		return input_fail(in, input_off(in, enc.p), err,
				  "Content-Encoding %.*s is not supported",
				  (int)enc.n, enc.p);
	if (input_media_type(in, h.ctype, &type, boundary, err) != 0)
		return SX_ERROR;
	if (type.n > 10 && strncasecmp(type.p, "multipart/", 10) == 0)
		return input_multipart(in, h.body, h.body + body_len,
				       boundary, ctype_off, err);
	if (!slice_is(type, CONFINFO_MIME))
		return input_fail(in, ctype_off, err,
				  "Content-Type is %.*s, not %s", (int)type.n,
				  type.p, CONFINFO_MIME);
	if (body_len == 0)
		return input_fail(in, h.blank, err, "the message has no body");
	in->body = in->data + h.body;
	in->body_len = body_len;
	input_pos(in, h.body, &in->body_line, &in->body_column);
	return 0;
}

int input_find_body(struct input *in, struct sx_err *err)
{
	size_t off = 0, eol, next;

	if (in->len >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < in->len && is_lws(in->data[off]))
		off++;
	if (off == in->len)
		return input_fail(in, off, err, "empty input");
	if (in->data[off] == '<') {
		/* Leading white space would make the XML declaration
		 * ill-formed, so the document starts at its '<'. */
		in->body = in->data + off;
		in->body_len = in->len - off;
		input_pos(in, off, &in->body_line, &in->body_column);
		return 0;
	}
	/* The start-line is the first line after any empty lines (§7.5). */
	while (off > 0 && in->data[off - 1] != '\n')
		off--;
	next = input_line(in, off, in->len, &eol);
	if (!input_is_start_line(in->data + off, eol - off))
		return input_fail(in, off, err,
				  "neither a conference-info document nor a "
				  "SIP message");
	return input_sip_body(in, next, err);
}
