/*
 * msrp_parse_head.c - decoding of an MSRP header block: RFC 4975 §7
 * (start lines), §7.1 (To-Path and From-Path first, Message-ID, body
 * rules), §7.1.1 (Byte-Range), §7.1.2 (Status), §7.2 (response start
 * lines), §8.4? no: §9 (formal syntax of every header decoded here);
 * RFC 4976 (paths of several URIs); RFC 7701 §7 (Use-Nickname).
 * See msrp_parse_head.h.
 */
#include "msrp_parse_head.h"
#include "msrp_uri.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum hkind {
	H_TO, H_FROM, H_MSGID, H_RANGE, H_SR, H_FR, H_CT, H_STATUS, H_NICK,
	H_OTHER,
};

static const char *const hnames[] = {
	[H_TO] = "To-Path",
	[H_FROM] = "From-Path",
	[H_MSGID] = "Message-ID",
	[H_RANGE] = "Byte-Range",
	[H_SR] = "Success-Report",
	[H_FR] = "Failure-Report",
	[H_CT] = "Content-Type",
	[H_STATUS] = "Status",
	[H_NICK] = "Use-Nickname",
};

/* Where decoding is, for the line and offset of an error. */
struct hpos {
	unsigned long line;
	size_t off;
};

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* token (RFC 3261), plus what media type names may hold (RFC 6838) */
static int is_token(unsigned char c)
{
	return is_alpha(c) || is_digit(c) ||
	       (c != 0 && strchr("-.!%*_+`'~#$&^", c) != NULL);
}

static void verr(struct msrp_head *h, const struct hpos *at, int status,
		 const char *fmt, va_list ap)
{
	if (h->err.status != 0)
		return;
	h->err.status = status;
	h->err.line = at->line;
	h->err.column = 0;
	h->err.offset = (size_t)(h->frame_off + at->off);
	vsnprintf(h->err.text, sizeof(h->err.text), fmt, ap);
}

static int err_at(struct msrp_head *h, const struct hpos *at, int status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int err_at(struct msrp_head *h, const struct hpos *at, int status,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(h, at, status, fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

void msrp_head_error(struct msrp_head *h, int status, const char *fmt, ...)
{
	struct hpos at = { h->nlines, h->line_start };
	va_list ap;

	va_start(ap, fmt);
	verr(h, &at, status, fmt, ap);
	va_end(ap);
}

int msrp_head_init(struct msrp_head *h, size_t max_header_bytes, size_t extra,
		   uint64_t max_message)
{
	memset(h, 0, sizeof(*h));
	h->cap = max_header_bytes + extra;
	h->buf = malloc(h->cap);
	if (h->buf == NULL)
		return SX_ERROR;
	h->max_message = max_message;
	msrp_head_reset(h);
	return 0;
}

void msrp_head_free(struct msrp_head *h)
{
	free(h->buf);
	h->buf = NULL;
}

void msrp_head_reset(struct msrp_head *h)
{
	struct msrp_frame *f = &h->f;

	/* only what a frame sets is cleared: headers[] beyond nheaders are
	 * never read */
	memset(f, 0, offsetof(struct msrp_frame, headers));
	f->nheaders = 0;
	f->has_body = 0;
	f->range.start = 1;
	f->range.end = MSRP_UNKNOWN;
	f->range.total = MSRP_UNKNOWN;
	f->success_report = MSRP_REPORT_NO;
	f->failure_report = MSRP_REPORT_YES;
	h->len = 0;
	h->line_start = 0;
	h->start_end = 0;
	h->nlines = 0;
	sx_err_clear(&h->err);
}

/* utf8text (§9): HTAB, printable ASCII and anything non-ASCII. */
static int text_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static enum msrp_method method_lookup(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum msrp_method m;
	} known[] = {
		{ "SEND", MSRP_SEND },
		{ "REPORT", MSRP_REPORT },
		{ "AUTH", MSRP_AUTH },
		{ "NICKNAME", MSRP_NICKNAME },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n &&
		    memcmp(known[i].name, s, n) == 0)
			return known[i].m;
	return MSRP_METHOD_OTHER;
}

int msrp_head_start(struct msrp_head *h, struct sx_err *err)
{
	struct msrp_frame *f = &h->f;
	const char *l = h->buf, *sp, *rest;
	size_t n = h->len - 1, tl, rn, i;

	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (n < 5 || memcmp(l, "MSRP ", 5) != 0) {
		sx_err_set(err, 400, "not an MSRP start line");
		goto fatal;
	}
	sp = memchr(l + 5, ' ', n - 5);
	tl = sp ? (size_t)(sp - (l + 5)) : n - 5;
	if (!msrp_ident_valid(l + 5, tl)) {
		sx_err_set(err, 400, "invalid MSRP transaction id");
		goto fatal;
	}
	memcpy(f->tid, l + 5, tl);
	f->tid[tl] = '\0';
	if (sp == NULL) {
		msrp_head_error(h, 400, "MSRP start line without method or status");
		return 0;
	}
	rest = sp + 1;
	rn = n - (size_t)(rest - l);
	if (rn >= 3 && is_digit(rest[0]) && is_digit(rest[1]) &&
	    is_digit(rest[2]) && (rn == 3 || rest[3] == ' ')) {
		f->status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 +
			    (rest[2] - '0');
		if (rn > 4) {
			f->comment.p = rest + 4;
			f->comment.len = rn - 4;
			if (!text_valid(f->comment.p, f->comment.len))
				msrp_head_error(h, 400, "control character in "
						"the response comment");
		}
		return 0;
	}
	for (i = 0; i < rn; i++)
		if (rest[i] < 'A' || rest[i] > 'Z')
			break;
	if (rn == 0 || i < rn) {
		msrp_head_error(h, 400, "malformed method or status code");
		return 0;
	}
	f->method_name.p = rest;
	f->method_name.len = rn;
	f->method = method_lookup(rest, rn);
	return 0;
fatal:
	if (err != NULL) {
		err->offset = (size_t)h->frame_off;
		err->line = 1;
	}
	return SX_ERROR;
}

static enum hkind header_kind(const struct msrp_frame *f, const char *s,
			      size_t n)
{
	size_t k;

	for (k = 0; k < H_OTHER; k++)
		if (strlen(hnames[k]) == n && strncasecmp(hnames[k], s, n) == 0)
			break;
	/* Use-Nickname means something only in NICKNAME (RFC 7701 §7) */
	if (k == H_NICK && f->method != MSRP_NICKNAME)
		return H_OTHER;
	return (enum hkind)k;
}

/* 1*DIGIT, or '*' when star is allowed; MSRP_UNKNOWN itself is too big. */
static int parse_num(const char *s, size_t n, size_t *i, uint64_t *v,
		     int star)
{
	size_t start = *i;
	uint64_t x = 0;

	if (star && *i < n && s[*i] == '*') {
		(*i)++;
		*v = MSRP_UNKNOWN;
		return 1;
	}
	while (*i < n && is_digit(s[*i])) {
		unsigned d = (unsigned)(s[*i] - '0');

		if (x > (UINT64_MAX - 1 - d) / 10)
			return 0;
		x = x * 10 + d;
		(*i)++;
	}
	*v = x;
	return *i > start;
}

/* Byte-Range = range-start "-" range-end "/" total (§7.1.1, §9) */
static void range_decode(struct msrp_head *h, const struct hpos *at,
			 const char *s, size_t n)
{
	struct msrp_byte_range r;
	size_t i = 0;
	int empty;
	uint64_t size;

	if (!parse_num(s, n, &i, &r.start, 0) || i >= n || s[i++] != '-' ||
	    !parse_num(s, n, &i, &r.end, 1) || i >= n || s[i++] != '/' ||
	    !parse_num(s, n, &i, &r.total, 1) || i != n) {
		err_at(h, at, 400, "malformed Byte-Range");
		return;
	}
	if (r.start == 0) {
		err_at(h, at, 400, "Byte-Range start is 0 (ranges are 1-based)");
		return;
	}
	/* "1-0/0" and the like: an empty chunk */
	empty = r.end != MSRP_UNKNOWN && r.end + 1 == r.start;
	if (r.end != MSRP_UNKNOWN && r.end < r.start && !empty) {
		err_at(h, at, 400, "Byte-Range end before start");
		return;
	}
	if (r.total != MSRP_UNKNOWN) {
		if (r.end != MSRP_UNKNOWN && r.end > r.total) {
			err_at(h, at, 400, "Byte-Range end past total");
			return;
		}
		if (r.start > r.total && !(empty && r.start == r.total + 1)) {
			err_at(h, at, 400, "Byte-Range start past total");
			return;
		}
	}
	size = r.total != MSRP_UNKNOWN ? r.total :
	       r.end != MSRP_UNKNOWN ? r.end : r.start;
	if (size > h->max_message) {
		err_at(h, at, 413, "message of %" PRIu64 " bytes over the "
		       "limit of %" PRIu64, size, h->max_message);
		return;
	}
	h->f.has_byte_range = 1;
	h->f.range = r;
}

static int report_decode(const char *s, size_t n, int partial_ok,
			 enum msrp_report_mode *m)
{
	if (n == 3 && strncasecmp(s, "yes", 3) == 0)
		*m = MSRP_REPORT_YES;
	else if (n == 2 && strncasecmp(s, "no", 2) == 0)
		*m = MSRP_REPORT_NO;
	else if (partial_ok && n == 7 && strncasecmp(s, "partial", 7) == 0)
		*m = MSRP_REPORT_PARTIAL;
	else
		return 0;
	return 1;
}

/* Each URI of a path must parse (§9; RFC 4976 paths through relays). */
static int path_valid(const char *s, size_t n, struct sx_err *e)
{
	const char *p = s, *end = s + n;
	struct msrp_uri u;

	while (p < end) {
		const char *tok = p;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (msrp_uri_parse(tok, (size_t)(p - tok), &u, e) < 0)
			return 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	if (n == 0)
		return sx_err_set(e, 400, "empty path"), 0;
	return 1;
}

/* media-type = type "/" subtype *( ";" parameter ); parameters unchecked */
static int content_type_valid(const char *s, size_t n)
{
	size_t i = 0, t;

	while (i < n && is_token(s[i]))
		i++;
	if (i == 0 || i >= n || s[i++] != '/')
		return 0;
	t = i;
	while (i < n && is_token(s[i]))
		i++;
	return i > t && (i == n || s[i] == ';' || s[i] == ' ' || s[i] == '\t');
}

/* Status = namespace SP status-code [SP text-reason] (§7.1.2, §9) */
static int status_valid(const char *s, size_t n)
{
	return n >= 7 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
	       s[3] == ' ' && is_digit(s[4]) && is_digit(s[5]) &&
	       is_digit(s[6]) && (n == 7 || s[7] == ' ');
}

/* Use-Nickname = quoted-string (RFC 7701 §7, RFC 3261 §25.1): the quotes
 * go, quoted-pairs are unescaped; without escapes no copy is made. */
static void nick_decode(struct msrp_head *h, const struct hpos *at,
			const char *s, size_t n)
{
	size_t i = 1, o = 0;
	int esc = 0;

	if (n < 2 || s[0] != '"')
		goto bad;
	while (i < n && s[i] != '"') {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 1 >= n)
				goto bad;
			esc = 1;
			if (o < sizeof(h->nick))
				h->nick[o] = s[i + 1];
			i += 2;
		} else {
			if (c < 0x20 && c != '\t')
				goto bad;
			if (o < sizeof(h->nick))
				h->nick[o] = (char)c;
			i++;
		}
		o++;
	}
	if (i != n - 1)
		goto bad;
	if (o == 0) {
		err_at(h, at, 424, "empty nickname");
		return;
	}
	if (o > sizeof(h->nick)) {
		err_at(h, at, 424, "nickname over %zu bytes", sizeof(h->nick));
		return;
	}
	h->f.use_nickname.p = esc ? h->nick : s + 1;
	h->f.use_nickname.len = o;
	return;
bad:
	err_at(h, at, 424, "Use-Nickname is not a quoted string");
}

static int header_line(struct msrp_head *h, const struct hpos *at,
		       const char *s, size_t n, unsigned *seen)
{
	struct msrp_frame *f = &h->f;
	const char *colon, *v;
	size_t i, vn;
	enum hkind k;
	struct sx_err e;

	if (memchr(s, '\0', n) != NULL)
		return err_at(h, at, 400, "NUL byte in header");
	if (!text_valid(s, n))
		return err_at(h, at, 400, "control character in header");
	colon = memchr(s, ':', n);
	if (colon == NULL)
		return err_at(h, at, 400, "header without colon");
	for (i = 0; s + i < colon; i++)
		if (!is_token(s[i]))
			break;
	if (i == 0 || s + i < colon || !is_alpha(s[0]))
		return err_at(h, at, 400, "malformed header name");
	v = colon + 1;
	vn = n - (size_t)(v - s);
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (f->nheaders == MSRP_MAX_HEADERS)
		return err_at(h, at, 400, "more than %d headers",
			      MSRP_MAX_HEADERS);
	f->headers[f->nheaders].name.p = s;
	f->headers[f->nheaders].name.len = (size_t)(colon - s);
	f->headers[f->nheaders].value.p = v;
	f->headers[f->nheaders].value.len = vn;
	f->nheaders++;

	k = header_kind(f, s, (size_t)(colon - s));
	/* §7.1: To-Path and From-Path come first, in that order */
	if (f->nheaders == 1 && k != H_TO)
		return err_at(h, at, 400, "To-Path must be the first header");
	if (f->nheaders == 2 && k != H_FROM)
		return err_at(h, at, 400, "From-Path must be the second header");
	if (k == H_OTHER)
		return 0;
	if (*seen & (1u << k))
		return err_at(h, at, 400, "duplicate %s", hnames[k]);
	*seen |= 1u << k;

	switch (k) {
	case H_TO:
	case H_FROM:
		if (!path_valid(v, vn, &e))
			return err_at(h, at, 400, "malformed %s: %s", hnames[k],
				      e.text);
		if (k == H_TO)
			f->to_path = (struct msrp_str){ v, vn };
		else
			f->from_path = (struct msrp_str){ v, vn };
		break;
	case H_MSGID:
		if (!msrp_ident_valid(v, vn))
			return err_at(h, at, 400, "malformed Message-ID");
		f->message_id = (struct msrp_str){ v, vn };
		break;
	case H_RANGE:
		range_decode(h, at, v, vn);
		break;
	case H_SR:
		if (!report_decode(v, vn, 0, &f->success_report))
			return err_at(h, at, 400, "malformed Success-Report");
		break;
	case H_FR:
		if (!report_decode(v, vn, 1, &f->failure_report))
			return err_at(h, at, 400, "malformed Failure-Report");
		break;
	case H_CT:
		if (!content_type_valid(v, vn))
			return err_at(h, at, 400, "malformed Content-Type");
		f->content_type = (struct msrp_str){ v, vn };
		break;
	case H_STATUS:
		if (!status_valid(v, vn))
			return err_at(h, at, 400, "malformed Status");
		f->status_header = (struct msrp_str){ v, vn };
		break;
	case H_NICK:
		nick_decode(h, at, v, vn);
		break;
	case H_OTHER:
		break;
	}
	return 0;
}

void msrp_head_decode(struct msrp_head *h)
{
	struct msrp_frame *f = &h->f;
	const char *s = h->buf + h->start_end, *end = h->buf + h->line_start;
	struct hpos at = { 1, 0 };
	unsigned seen = 0;

	if (h->err.status != 0)
		return;
	while (s < end && h->err.status == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)(nl - s);

		at.line++;
		at.off = (size_t)(s - h->buf);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		header_line(h, &at, s, n, &seen);
		s = nl + 1;
	}
	if (h->err.status != 0)
		return;
	at.line = 0;
	at.off = 0;
	if (!(seen & (1u << H_TO)))
		err_at(h, &at, 400, "missing To-Path");
	else if (!(seen & (1u << H_FROM)))
		err_at(h, &at, 400, "missing From-Path");
	else if ((f->method == MSRP_SEND || f->method == MSRP_REPORT) &&
		 !(seen & (1u << H_MSGID)))
		err_at(h, &at, 400, "missing Message-ID");
	else if (f->method == MSRP_REPORT && !(seen & (1u << H_STATUS)))
		err_at(h, &at, 400, "missing Status in REPORT");
	else if (f->method == MSRP_NICKNAME && !(seen & (1u << H_NICK)))
		err_at(h, &at, 424, "missing Use-Nickname");
	else if (f->method == MSRP_SEND && f->has_body &&
		 !(seen & (1u << H_CT)))
		err_at(h, &at, 400, "missing Content-Type");
}
