/*
 * msrp_uri.c - MSRP URIs and paths: RFC 4975 §6 (syntax), §6.1
 * (comparison), §9 (MSRP-URI grammar); RFC 4976 (paths through relays,
 * URIs without a session-id).  See msrp_uri.h.
 *
 *   MSRP-URI  = msrp-scheme "://" authority ["/" session-id]
 *               ";" transport *( ";" URI-parameter )
 *   authority = [ userinfo "@" ] host [ ":" port ]     (RFC 3986)
 */
#include "msrp_uri.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3261 token, which is what URI-parameter names and values are. */
static int is_token(unsigned char c)
{
	return is_alnum(c) || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

static int uri_bad(struct sx_err *err, const char *what)
{
	return sx_err_set(err, 400, "malformed MSRP URI: %s", what);
}

/* userinfo = *( unreserved / pct-encoded / sub-delims / ":" ) */
static int userinfo_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return 0;
			if (!is_hex((unsigned char)s[i + 1]) ||
			    !is_hex((unsigned char)s[i + 2]))
				return 0;
			i += 2;
		} else if (!is_unreserved(c) && c != ':' &&
			   strchr("!$&'()*+,;=", c) == NULL) {
			return 0;
		}
	}
	return 1;
}

/* Parses host [":" port] from s; returns the bytes used or -1. */
static int parse_hostport(const char *s, size_t n, struct msrp_uri *u)
{
	size_t i = 0, hl;
	const char *h;

	if (n > 0 && s[0] == '[') {
		char tmp[64];
		struct in6_addr a6;
		const char *close = memchr(s, ']', n);

		if (close == NULL)
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		if (hl == 0 || hl >= sizeof(tmp))
			return -1;
		memcpy(tmp, h, hl);
		tmp[hl] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) != 1)
			return -1;
		i = hl + 2;
	} else {
		int dots_digits = 1;

		h = s;
		while (i < n && is_unreserved((unsigned char)s[i])) {
			if (!is_digit((unsigned char)s[i]) && s[i] != '.')
				dots_digits = 0;
			i++;
		}
		hl = i;
		if (hl == 0 || hl >= sizeof(u->host))
			return -1;
		if (dots_digits) {
			/* all digits and dots: it must be an IPv4 address */
			char tmp[16];
			struct in_addr a4;

			if (hl >= sizeof(tmp))
				return -1;
			memcpy(tmp, h, hl);
			tmp[hl] = '\0';
			if (inet_pton(AF_INET, tmp, &a4) != 1)
				return -1;
		}
	}
	memcpy(u->host, h, hl);
	u->host[hl] = '\0';

	if (i < n && s[i] == ':') {
		unsigned long port = 0;
		size_t start = ++i;

		while (i < n && is_digit((unsigned char)s[i]) && i - start < 6)
			port = port * 10 + (unsigned long)(s[i++] - '0');
		if (i == start || port == 0 || port > 65535)
			return -1;
		u->port = (unsigned)port;
	}
	return (int)i;
}

int msrp_uri_parse(const char *s, size_t len, struct msrp_uri *u,
		   struct sx_err *err)
{
	const char *at, *end = s + len, *p;
	int used;

	memset(u, 0, sizeof(*u));
	if (len >= 7 && strncasecmp(s, "msrp://", 7) == 0) {
		p = s + 7;
	} else if (len >= 8 && strncasecmp(s, "msrps://", 8) == 0) {
		u->secure = 1;
		p = s + 8;
	} else {
		return uri_bad(err, "scheme is not msrp or msrps");
	}

	/* '@' cannot appear after the authority, so any '@' ends userinfo */
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL) {
		size_t ul = (size_t)(at - p);

		if (ul == 0 || ul >= sizeof(u->user) || !userinfo_valid(p, ul))
			return uri_bad(err, "bad userinfo");
		memcpy(u->user, p, ul);
		u->user[ul] = '\0';
		p = at + 1;
	}

	used = parse_hostport(p, (size_t)(end - p), u);
	if (used < 0)
		return uri_bad(err, "bad host or port");
	p += used;

	if (p < end && *p == '/') {
		const char *sid = ++p;
		size_t sl;

		while (p < end && (is_unreserved((unsigned char)*p) ||
				   *p == '+' || *p == '=' || *p == '/'))
			p++;
		sl = (size_t)(p - sid);
		if (sl == 0 || sl >= sizeof(u->session_id))
			return uri_bad(err, "bad session-id");
		memcpy(u->session_id, sid, sl);
		u->session_id[sl] = '\0';
	}

	if (p >= end || *p != ';')
		return uri_bad(err, "no transport");
	{
		const char *t = ++p;
		size_t tl;

		while (p < end && is_alnum((unsigned char)*p))
			p++;
		tl = (size_t)(p - t);
		if (tl == 0 || tl >= sizeof(u->transport))
			return uri_bad(err, "bad transport");
		memcpy(u->transport, t, tl);
		u->transport[tl] = '\0';
	}

	/* URI-parameters: validated, not kept (§6.1 ignores them) */
	while (p < end) {
		const char *tok;

		if (*p != ';')
			return uri_bad(err, "trailing characters");
		tok = ++p;
		while (p < end && is_token((unsigned char)*p))
			p++;
		if (p == tok)
			return uri_bad(err, "bad URI parameter");
		if (p < end && *p == '=') {
			tok = ++p;
			while (p < end && is_token((unsigned char)*p))
				p++;
			if (p == tok)
				return uri_bad(err, "bad URI parameter value");
		}
	}
	return 0;
}

size_t msrp_uri_format(char *buf, size_t cap, const struct msrp_uri *u)
{
	char port[16] = "";
	int bracket = strchr(u->host, ':') != NULL;
	int n;

	if (u->port)
		snprintf(port, sizeof(port), ":%u", u->port);
	n = snprintf(buf, cap, "%s://%s%s%s%s%s%s%s%s;%s",
		     u->secure ? "msrps" : "msrp",
		     u->user, u->user[0] ? "@" : "",
		     bracket ? "[" : "", u->host, bracket ? "]" : "", port,
		     u->session_id[0] ? "/" : "", u->session_id,
		     u->transport[0] ? u->transport : "tcp");
	return n < 0 ? 0 : (size_t)n;
}

/* §6.1 rule 2: explicit IP addresses compare as addresses, names as
 * case-insensitive strings. */
static int host_equal(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	return strcasecmp(a, b) == 0;
}

int msrp_uri_equal(const struct msrp_uri *a, const struct msrp_uri *b)
{
	return a->secure == b->secure && host_equal(a->host, b->host) &&
	       a->port == b->port &&
	       strcmp(a->session_id, b->session_id) == 0 &&
	       strcasecmp(a->transport, b->transport) == 0;
}

int msrp_path_parse(const char *s, size_t len, struct msrp_uri *uris,
		    int max, struct sx_err *err)
{
	const char *p = s, *end = s + len, *tok;
	int n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (n == max) {
			sx_err_set(err, 400, "path has more than %d URIs", max);
			goto bad;
		}
		if (msrp_uri_parse(tok, (size_t)(p - tok), &uris[n], err) < 0)
			goto bad;
		n++;
	}
	if (n == 0)
		return sx_err_set(err, 400, "empty path");
	return n;
bad:
	if (err != NULL)
		err->offset = (size_t)(tok - s);
	return SX_ERROR;
}
