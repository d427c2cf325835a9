/*
 * cpim.c - message/cpim parser (RFC 3862 §2, §3.1-§3.6 header syntax,
 * §3.4 and §4.6 namespaces) and header lookups.  See cpim.h.
 *
 * Message headers follow the strict syntax of §3.6: one line each, names
 * made of NAMECHARs with at most one prefix, compared case-sensitively,
 * ": " (or parameters then a space) after the name, UTF-8 values without
 * control characters.  Content headers are MIME headers (RFC 2045, RFC 5322
 * field syntax, folding allowed) and are looked up case-insensitively.
 * Lines end with CRLF; a bare CR or LF is an error rather than a guess.
 */
#include "cpim.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct cpim_str std_ns = {
	CPIM_NS_STD, sizeof(CPIM_NS_STD) - 1
};

void cpim_limits_default(struct cpim_limits *l)
{
	l->max_header_bytes = 8192;
	l->max_headers = CPIM_MAX_HEADERS;
}

/* NAMECHAR of §3.6: no '.', ':', ';', '"', brackets, separators or space. */
static int namechar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a ||
	       c == 0x2b || c == 0x2d || (c >= 0x5e && c <= 0x60) ||
	       c == 0x7c || c == 0x7e;
}

/* The line of a header or the blank line, RFC 5322 style. */
struct cpim_line {
	size_t start;
	size_t eol;   /* index of its CR */
};

enum { LINE_OK, LINE_MORE, LINE_BAD };

struct cpim_ctx {
	const char *d;
	size_t len;
	size_t limit;      /* max header bytes */
	unsigned max_headers;
	int partial;
	struct cpim_msg *m;
	struct sx_err *err;
	struct cpim_str def_ns;
};

static int fail(struct cpim_ctx *c, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fills the error with status 400 and where in the input it was found. */
static int fail(struct cpim_ctx *c, size_t off, const char *fmt, ...)
{
	unsigned long line = 1, col = 1;
	va_list ap;
	size_t i;

	if (c->err == NULL)
		return LINE_BAD;
	for (i = 0; i < off && i < c->len; i++) {
		if (c->d[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	c->err->status = 400;
	c->err->offset = off;
	c->err->line = line;
	c->err->column = col;
	va_start(ap, fmt);
	vsnprintf(c->err->text, sizeof(c->err->text), fmt, ap);
	va_end(ap);
	return LINE_BAD;
}

static int next_line(struct cpim_ctx *c, size_t pos, struct cpim_line *l)
{
	size_t end = c->len < c->limit ? c->len : c->limit;
	size_t i;

	for (i = pos; i < end; i++) {
		if (c->d[i] == '\n')
			return fail(c, i, "bare LF in CPIM headers");
		if (c->d[i] != '\r')
			continue;
		if (i + 1 >= end)
			break;
		if (c->d[i + 1] != '\n')
			return fail(c, i, "bare CR in CPIM headers");
		l->start = pos;
		l->eol = i;
		return LINE_OK;
	}
	if (end == c->limit)
		return fail(c, end, "CPIM headers over %zu bytes", c->limit);
	if (!c->partial)
		return fail(c, c->len, "truncated CPIM message: %s",
			    c->len == 0 ? "empty" :
			    "headers not ended by a blank line");
	return LINE_MORE;
}

/* Checks UTF-8 and control characters in [from, to); tab is allowed only
 * in content headers.  Control characters are ASCII, so looking for them
 * byte by byte in the valid part finds whichever fault comes first. */
static int check_text(struct cpim_ctx *c, size_t from, size_t to, int tab,
		      const struct cpim_str *name)
{
	size_t valid = from + utf8_valid_len(c->d + from, to - from), i;
	unsigned char ch;

	for (i = from; i < valid; i++) {
		ch = (unsigned char)c->d[i];
		if ((ch < 0x20 && !(tab && ch == '\t')) || ch == 0x7f)
			return fail(c, i, "control character in CPIM header "
				    "%.*s", (int)name->len, name->p);
	}
	if (valid < to)
		return fail(c, valid, "invalid UTF-8 in CPIM header %.*s",
			    (int)name->len, name->p);
	return LINE_OK;
}

/* A name that stops before its colon: when no colon comes before the
 * value's usual start ('<' or '"'), the colon is what is missing. */
static int name_error(struct cpim_ctx *c, const struct cpim_line *l,
		      size_t at)
{
	size_t i;

	for (i = l->start; i < l->eol; i++)
		if (c->d[i] == ':' || c->d[i] == '<' || c->d[i] == '"')
			break;
	if (i == l->eol || c->d[i] != ':')
		return fail(c, l->start, "CPIM header without colon: %.*s",
			    (int)(l->eol - l->start), c->d + l->start);
	if (at == l->start)
		return fail(c, at, "empty CPIM header name");
	return fail(c, at, "invalid character 0x%02x in CPIM header name",
		    (unsigned char)c->d[at]);
}

/* *(";" Param-name "=" (Token / Number / String)) of §3.6. */
static size_t skip_params(const char *d, size_t i, size_t eol)
{
	while (i < eol && d[i] == ';') {
		size_t n = ++i;

		while (i < eol && namechar((unsigned char)d[i]))
			i++;
		if (i == n || i >= eol || d[i] != '=')
			return 0;
		n = ++i;
		if (i < eol && d[i] == '"') {
			for (i++; i < eol && d[i] != '"'; i++)
				if (d[i] == '\\')
					i++;
			if (i >= eol)
				return 0;
			i++;
		} else {
			while (i < eol && (namechar((unsigned char)d[i]) ||
					   d[i] == '.' ||
					   (unsigned char)d[i] >= 0x80))
				i++;
			if (i == n)
				return 0;
		}
	}
	return i;
}

/* NS-header value (§4.6): [ Name-prefix SP ] "<" URI ">". */
static int parse_ns(struct cpim_ctx *c, const struct cpim_header *h)
{
	const char *v = h->value.p, *e = v + h->value.len, *p = v, *gt;
	struct cpim_ns *ns;

	while (p < e && namechar((unsigned char)*p))
		p++;
	if (p > v) {
		if (p == e || *p != ' ')
			goto bad;
		while (p < e && *p == ' ')
			p++;
	}
	if (p == e || *p != '<')
		goto bad;
	gt = memchr(p, '>', (size_t)(e - p));
	if (gt == NULL || gt + 1 != e || gt == p + 1 ||
	    memchr(p + 1, ' ', (size_t)(gt - p - 1)) != NULL ||
	    memchr(p + 1, '<', (size_t)(gt - p - 1)) != NULL)
		goto bad;
	if (c->m->nns == CPIM_MAX_NS)
		return fail(c, (size_t)(v - c->d),
			    "more than %d NS declarations", CPIM_MAX_NS);
	ns = &c->m->ns[c->m->nns++];
	ns->prefix.p = v;
	ns->prefix.len = 0;
	while (ns->prefix.len < (size_t)(e - v) &&
	       namechar((unsigned char)v[ns->prefix.len]))
		ns->prefix.len++;
	ns->uri.p = p + 1;
	ns->uri.len = (size_t)(gt - p - 1);
	if (ns->prefix.len == 0)
		c->def_ns = ns->uri;
	return LINE_OK;
bad:
	return fail(c, (size_t)(v - c->d), "bad NS declaration: %.*s",
		    (int)h->value.len, v);
}

static int resolve_ns(struct cpim_ctx *c, struct cpim_header *h)
{
	unsigned i;

	if (h->prefix.len == 0) {
		h->ns = c->def_ns;
		return LINE_OK;
	}
	for (i = c->m->nns; i-- > 0;) {
		const struct cpim_ns *ns = &c->m->ns[i];

		if (ns->prefix.len == h->prefix.len &&
		    memcmp(ns->prefix.p, h->prefix.p, h->prefix.len) == 0) {
			h->ns = ns->uri;
			return LINE_OK;
		}
	}
	return fail(c, (size_t)(h->prefix.p - c->d),
		    "undeclared CPIM namespace prefix '%.*s'",
		    (int)h->prefix.len, h->prefix.p);
}

static int too_many(struct cpim_ctx *c, const struct cpim_line *l)
{
	return fail(c, l->start, "more than %u CPIM headers",
		    c->m->nheaders + c->m->ncontent);
}

static int message_header(struct cpim_ctx *c, const struct cpim_line *l)
{
	const char *d = c->d;
	size_t i = l->start, eol = l->eol, p;
	struct cpim_header *h;

	if (d[i] == ' ' || d[i] == '\t')
		return fail(c, i, "folded CPIM message header");
	if (c->m->nheaders == CPIM_MAX_HEADERS ||
	    c->m->nheaders + c->m->ncontent >= c->max_headers)
		return too_many(c, l);
	h = &c->m->headers[c->m->nheaders];
	memset(h, 0, sizeof(*h));
	while (i < eol && namechar((unsigned char)d[i]))
		i++;
	if (i < eol && d[i] == '.' && i > l->start) {
		h->prefix.p = d + l->start;
		h->prefix.len = i - l->start;
		p = ++i;
		while (i < eol && namechar((unsigned char)d[i]))
			i++;
		if (i == p)
			return name_error(c, l, i);
	}
	if (i == eol || d[i] != ':' || i == l->start)
		return name_error(c, l, i);
	h->name.p = d + l->start;
	h->name.len = i - l->start;
	h->local.p = h->prefix.len ? h->prefix.p + h->prefix.len + 1 :
		     h->name.p;
	h->local.len = (size_t)(d + i - h->local.p);
	p = ++i;
	i = skip_params(d, i, eol);
	if (i == 0)
		return fail(c, p, "bad parameter in CPIM header %.*s",
			    (int)h->name.len, h->name.p);
	h->params.p = d + p;
	h->params.len = i - p;
	if (i < eol && d[i] != ' ')
		return fail(c, i, "no space after the colon of CPIM header "
			    "%.*s", (int)h->name.len, h->name.p);
	if (i < eol)
		i++;
	h->value.p = d + i;
	h->value.len = eol - i;
	if (check_text(c, p, eol, 0, &h->name) != LINE_OK)
		return LINE_BAD;
	c->m->nheaders++;
	if (h->prefix.len == 0 && h->local.len == 2 &&
	    memcmp(h->local.p, "NS", 2) == 0) {
		h->ns = std_ns;
		return parse_ns(c, h);
	}
	return resolve_ns(c, h);
}

static void trim(struct cpim_str *s)
{
	while (s->len && (s->p[s->len - 1] == ' ' || s->p[s->len - 1] == '\t'))
		s->len--;
}

/* RFC 5322 field: name (printable ASCII but ':') ":" value, folding
 * allowed. */
static int content_header(struct cpim_ctx *c, const struct cpim_line *l)
{
	const char *d = c->d;
	size_t i = l->start, eol = l->eol;
	struct cpim_header *h;

	if (d[i] == ' ' || d[i] == '\t') {
		if (c->m->ncontent == 0)
			return fail(c, i, "CPIM content headers start with "
				    "a folded line");
		h = &c->m->content[c->m->ncontent - 1];
		if (check_text(c, i, eol, 1, &h->name) != LINE_OK)
			return LINE_BAD;
		h->value.len = (size_t)(d + eol - h->value.p);
		trim(&h->value);
		return LINE_OK;
	}
	if (c->m->ncontent == CPIM_MAX_CONTENT_HEADERS ||
	    c->m->nheaders + c->m->ncontent >= c->max_headers)
		return too_many(c, l);
	while (i < eol && d[i] > 0x20 && d[i] < 0x7f && d[i] != ':')
		i++;
	if (i == eol || d[i] != ':' || i == l->start)
		return name_error(c, l, i);
	h = &c->m->content[c->m->ncontent];
	memset(h, 0, sizeof(*h));
	h->name.p = h->local.p = d + l->start;
	h->name.len = h->local.len = i - l->start;
	for (i++; i < eol && (d[i] == ' ' || d[i] == '\t'); i++)
		;
	h->value.p = d + i;
	h->value.len = eol - i;
	trim(&h->value);
	if (check_text(c, i, eol, 1, &h->name) != LINE_OK)
		return LINE_BAD;
	c->m->ncontent++;
	return LINE_OK;
}

ssize_t cpim_parse(const char *data, size_t len,
		   const struct cpim_limits *limits, int flags,
		   struct cpim_msg *out, struct sx_err *err)
{
	struct cpim_limits def;
	struct cpim_ctx c;
	struct cpim_line l = { 0, 0 };
	const struct cpim_header *ct;
	size_t pos = 0;
	int block = 0, r;

	if (limits == NULL) {
		cpim_limits_default(&def);
		limits = &def;
	}
	memset(out, 0, sizeof(*out));
	c.d = data;
	c.len = len;
	c.limit = limits->max_header_bytes;
	c.max_headers = limits->max_headers;
	c.partial = flags & CPIM_PARTIAL;
	c.m = out;
	c.err = err;
	c.def_ns = std_ns;

	while (block < 2) {
		r = next_line(&c, pos, &l);
		if (r == LINE_MORE)
			return SX_INCOMPLETE;
		if (r == LINE_BAD)
			return SX_ERROR;
		pos = l.eol + 2;
		if (l.eol == l.start) {
			block++;
			continue;
		}
		r = block == 0 ? message_header(&c, &l) :
				 content_header(&c, &l);
		if (r != LINE_OK)
			return SX_ERROR;
	}
	ct = cpim_content_header(out, "Content-Type");
	if (ct == NULL || ct->value.len == 0) {
		fail(&c, pos, "CPIM wrapper without an inner Content-Type");
		return SX_ERROR;
	}
	out->content_type = ct->value;
	out->body.p = data + pos;
	out->body.len = len - pos;
	return (ssize_t)pos;
}

static int str_is(const struct cpim_str *s, const char *z)
{
	size_t n = strlen(z);

	return s->len == n && memcmp(s->p, z, n) == 0;
}

const struct cpim_header *cpim_header_next(const struct cpim_msg *m,
					   const struct cpim_header *prev,
					   const char *ns, const char *name)
{
	unsigned i = prev ? (unsigned)(prev - m->headers) + 1 : 0;

	if (ns == NULL)
		ns = CPIM_NS_STD;
	for (; i < m->nheaders; i++)
		if (str_is(&m->headers[i].local, name) &&
		    str_is(&m->headers[i].ns, ns))
			return &m->headers[i];
	return NULL;
}

const struct cpim_header *cpim_header(const struct cpim_msg *m,
				      const char *ns, const char *name)
{
	return cpim_header_next(m, NULL, ns, name);
}

unsigned cpim_header_count(const struct cpim_msg *m, const char *ns,
			   const char *name)
{
	const struct cpim_header *h = NULL;
	unsigned n = 0;

	while ((h = cpim_header_next(m, h, ns, name)) != NULL)
		n++;
	return n;
}

const struct cpim_header *cpim_content_header(const struct cpim_msg *m,
					      const char *name)
{
	size_t n = strlen(name);
	unsigned i;

	for (i = 0; i < m->ncontent; i++)
		if (m->content[i].name.len == n &&
		    strncasecmp(m->content[i].name.p, name, n) == 0)
			return &m->content[i];
	return NULL;
}
