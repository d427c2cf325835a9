/*
 * jid_sip.c - JID <-> SIP URI address mapping (RFC 7247 §6.2-§6.5, §8).
 * See jid.h.
 *
 * XMPP to SIP (§6.5): the localpart is unescaped (XEP-0106 §3.3) and
 * every octet the "user" production of RFC 3261 §25.1 does not allow raw
 * is percent-encoded (non-ASCII UTF-8, space, " # % < > [ \ ] ^ ` { | },
 * controls); the domainpart becomes the host with U-labels turned into
 * A-labels; the resourcepart becomes the "gr" URI parameter (§6.3,
 * RFC 5627), percent-encoded where a parameter value cannot carry it raw.
 * A JID without a localpart maps to "sip:domain".
 *
 * SIP to XMPP (§6.4): a bare URI, a name-addr ('"Name" <sip:...>'), or an
 * xmpp: URI (RFC 5122).  The scheme is case-insensitive.  The user part
 * is percent-decoded and XEP-0106 escaped (§4.2), the host lowercased and
 * its A-labels turned into U-labels, "gr" becomes the resource and every
 * other parameter and the headers are dropped.  A password or a port has
 * no place in a JID and is refused, as are percent-escapes in a SIP host
 * (RFC 3261 does not allow them).  An xmpp: URI already names a JID: its
 * parts are only percent-decoded, never escaped again.  sips: is refused
 * with 403 (§8: never gatewayed into XMPP), other schemes with 416.
 *
 * Every result goes through jid_parse(), so what comes out is a JID that
 * jid_parse() accepts.
 */
#include "jid.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct js_out {
	char *buf;
	size_t cap;
	size_t len;
};

static void js_putc(struct js_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void js_puts(struct js_out *o, const char *s)
{
	while (*s)
		js_putc(o, *s++);
}

static int js_alnum(int c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int js_in(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* RFC 3261 §25.1 "unreserved", RFC 3986 §2.3 less "~" plus the marks. */
static int js_unreserved(int c)
{
	return js_alnum(c) || js_in(c, "-_.!~*'()");
}

static int js_sip_user(int c)
{
	return js_unreserved(c) || js_in(c, "&=+$,;?/");
}

static int js_sip_param(int c)
{
	return js_unreserved(c) || js_in(c, "[]/:&+$");
}

/* RFC 3986 §2.3 "unreserved", the base of the RFC 5122 §2.2 sets. */
static int js_uri_unreserved(int c)
{
	return js_alnum(c) || js_in(c, "-._~");
}

/* RFC 5122 §2.2: nodeid, ihost (reg-name or IP-literal) and resid; raw
 * non-ASCII is the IRI form (§2.7). */
static int js_xmpp_node(int c)
{
	return js_uri_unreserved(c) || js_in(c, "!$()*+,;=") || c >= 0x80;
}

static int js_xmpp_host(int c)
{
	return js_uri_unreserved(c) || js_in(c, "!$&'()*+,;=[]:") || c >= 0x80;
}

/* resid, plus '/' and '@': the first '/' already ended the host, so they
 * are unambiguous and real resources do carry them. */
static int js_xmpp_res(int c)
{
	return js_uri_unreserved(c) || js_in(c, "!$&'()*+,:;=/@") ||
	       c >= 0x80;
}

static void js_pct_encode(struct js_out *o, const char *s, int (*raw)(int))
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (raw(c)) {
			js_putc(o, (char)c);
			continue;
		}
		js_putc(o, '%');
		js_putc(o, hex[c >> 4]);
		js_putc(o, hex[c & 15]);
	}
}

int jid_to_sip_uri(const char *jid, char *out, size_t cap, struct sx_err *err)
{
	struct jid j;
	char raw[JID_PART_MAX + 1];
	char host[JID_PART_MAX + 1];
	struct js_out o = { out, cap, 0 };

	if (cap > 0)
		out[0] = '\0';
	if (jid_parse(jid, &j, err))
		return SX_ERROR;
	if (jid_idna_to_ascii(host, sizeof(host), j.domain, err))
		return SX_ERROR;
	js_puts(&o, "sip:");
	if (j.local[0]) {
		jid_unescape_local(raw, sizeof(raw), j.local, strlen(j.local));
		js_pct_encode(&o, raw, js_sip_user);
		js_putc(&o, '@');
	}
	js_puts(&o, host);
	if (j.resource[0]) {
		js_puts(&o, ";gr=");
		js_pct_encode(&o, j.resource, js_sip_param);
	}
	if (o.len >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return sx_err_set(err, 500, "SIP URI needs %zu bytes, %zu given",
				  o.len + 1, cap);
	}
	out[o.len] = '\0';
	return 0;
}

static int js_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int js_fail(struct sx_err *err, const char *uri, const char *at,
		   int status, const char *text)
{
	sx_err_set(err, status, "%s", text);
	if (err != NULL)
		err->offset = (size_t)(at - uri);
	return SX_ERROR;
}

/*
 * Percent-decodes [s, e) into out (cap bytes with room for a NUL), every
 * raw octet being one raw() allows.  An escaped NUL is refused: the parts
 * travel as C strings from here on.
 */
static int js_decode(const char *uri, const char *s, const char *e,
		     int (*raw)(int), const char *what, char *out, size_t cap,
		     size_t *olen, struct sx_err *err)
{
	char text[96];
	size_t n = 0;
	int hi, lo;

	for (; s < e; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 1 >= cap) {
			snprintf(text, sizeof(text), "%s longer than %zu octets",
				 what, cap - 1);
			return js_fail(err, uri, s, 400, text);
		}
		if (c == '%') {
			hi = s + 1 < e ? js_hex(s[1]) : -1;
			lo = s + 2 < e ? js_hex(s[2]) : -1;
			if (hi < 0 || lo < 0 || (hi | lo) == 0) {
				snprintf(text, sizeof(text),
					 "bad percent-escape in the %s", what);
				return js_fail(err, uri, s, 400, text);
			}
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
			continue;
		}
		if (!raw(c)) {
			snprintf(text, sizeof(text),
				 "the %s cannot carry 0x%02X unescaped", what, c);
			return js_fail(err, uri, s, 400, text);
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*olen = n;
	return 0;
}

/* The parts of an address, decoded, before they are joined into a JID. */
struct js_parts {
	char local[JID_PART_MAX + 1];
	char host[JID_PART_MAX + 1];
	char resource[JID_PART_MAX + 1];
};

static int js_host_sip(const char *uri, const char *s, const char *e,
		       struct js_parts *p, struct sx_err *err)
{
	const char *rb;
	size_t n;

	if (s == e)
		return js_fail(err, uri, s, 400, "SIP URI without a host");
	if (*s == '[') {
		rb = memchr(s, ']', (size_t)(e - s));
		if (rb == NULL)
			return js_fail(err, uri, s, 400,
				       "IPv6 reference without its ']'");
		if (rb + 1 < e)
			return js_fail(err, uri, rb + 1, 400,
				       "a SIP URI with a port cannot be a JID");
	} else if ((rb = memchr(s, ':', (size_t)(e - s))) != NULL) {
		return js_fail(err, uri, rb, 400,
			       "a SIP URI with a port cannot be a JID");
	} else if ((rb = memchr(s, '%', (size_t)(e - s))) != NULL) {
		return js_fail(err, uri, rb, 400,
			       "a SIP host cannot be percent-escaped");
	} else {
		/* RFC 3261 §25.1 hostname: ASCII letters, digits, '-', '.';
		 * jid_parse() checks the rest of the label structure. */
		for (rb = s; rb < e; rb++)
			if (!js_alnum(*rb) && *rb != '-' && *rb != '.')
				return js_fail(err, uri, rb, 400,
					       "a SIP host cannot carry that character");
	}
	n = (size_t)(e - s);
	if (n >= sizeof(p->host))
		return js_fail(err, uri, s, 400, "host longer than 1023 octets");
	memcpy(p->host, s, n);
	p->host[n] = '\0';
	return 0;
}

/* RFC 3261 §19.1.1: ;name[=value] pairs; only "gr" is kept. */
static int js_params_sip(const char *uri, const char *s, const char *e,
			 struct js_parts *p, struct sx_err *err)
{
	const char *name, *eq, *end;
	size_t n;
	int have_gr = 0;

	while (s < e) {
		name = s + 1;
		end = name;
		while (end < e && *end != ';')
			end++;
		eq = memchr(name, '=', (size_t)(end - name));
		if ((eq ? eq : end) == name)
			return js_fail(err, uri, name, 400,
				       "URI parameter without a name");
		if ((size_t)((eq ? eq : end) - name) == 2 &&
		    strncasecmp(name, "gr", 2) == 0 && eq && eq + 1 < end) {
			if (have_gr++)
				return js_fail(err, uri, name, 400,
					       "more than one gr parameter");
			if (js_decode(uri, eq + 1, end, js_sip_param,
				      "gr parameter", p->resource,
				      sizeof(p->resource), &n, err))
				return SX_ERROR;
		} else {
			char skip[JID_PART_MAX + 1];

			if (eq && js_decode(uri, eq + 1, end, js_sip_param,
					    "URI parameter", skip,
					    sizeof(skip), &n, err))
				return SX_ERROR;
			if (js_decode(uri, name, eq ? eq : end, js_sip_param,
				      "URI parameter", skip, sizeof(skip), &n,
				      err))
				return SX_ERROR;
		}
		s = end;
	}
	return 0;
}

/* RFC 3261 §19.1.1: sip:[user[:password]@]host[:port][;params][?headers] */
static int js_parse_sip(const char *uri, const char *s, const char *e,
			struct js_parts *p, struct sx_err *err)
{
	char user[JID_PART_MAX + 1];
	const char *at, *hend, *q;
	size_t n;

	at = memchr(s, '@', (size_t)(e - s));
	if (at != NULL) {
		if (memchr(at + 1, '@', (size_t)(e - at - 1)))
			return js_fail(err, uri, at, 400,
				       "more than one '@' in the SIP URI");
		if (at == s)
			return js_fail(err, uri, s, 400, "empty user part");
		if ((q = memchr(s, ':', (size_t)(at - s))) != NULL)
			return js_fail(err, uri, q, 400,
				       "a SIP URI with a password cannot be a JID");
		if (js_decode(uri, s, at, js_sip_user, "user part", user,
			      sizeof(user), &n, err))
			return SX_ERROR;
		/* XEP-0106 §4.1 rule 6: no \20 at either end. */
		if (user[0] == ' ' || user[n - 1] == ' ')
			return js_fail(err, uri, s, 400,
				       "a localpart cannot start or end with a space");
		if (jid_escape_local(p->local, sizeof(p->local), user, n) >=
		    sizeof(p->local))
			return js_fail(err, uri, s, 400,
				       "localpart longer than 1023 octets once escaped");
		s = at + 1;
	}
	hend = s;
	while (hend < e && *hend != ';' && *hend != '?')
		hend++;
	if (js_host_sip(uri, s, hend, p, err))
		return SX_ERROR;
	q = memchr(hend, '?', (size_t)(e - hend));
	return js_params_sip(uri, hend, q ? q : e, p, err);
}

/* RFC 5122 §2.2: xmpp:[//authpath/]pathxmpp[?query][#fragment] */
static int js_parse_xmpp(const char *uri, const char *s, const char *e,
			 struct js_parts *p, struct sx_err *err)
{
	const char *at, *slash;
	size_t n;

	for (at = s; at < e && *at != '?' && *at != '#'; at++)
		;
	e = at;
	if (e - s >= 2 && s[0] == '/' && s[1] == '/') {
		/* The authority names the sender's account, not the target. */
		slash = memchr(s + 2, '/', (size_t)(e - s - 2));
		if (slash == NULL)
			return js_fail(err, uri, s, 400,
				       "xmpp: URI without a target JID");
		s = slash + 1;
	}
	slash = memchr(s, '/', (size_t)(e - s));
	at = memchr(s, '@', (size_t)((slash ? slash : e) - s));
	if (at != NULL) {
		if (js_decode(uri, s, at, js_xmpp_node, "node", p->local,
			      sizeof(p->local), &n, err))
			return SX_ERROR;
		if (n == 0 || strpbrk(p->local, "@/"))
			return js_fail(err, uri, s, 400,
				       "xmpp: URI with an invalid node");
		s = at + 1;
	}
	if (js_decode(uri, s, slash ? slash : e, js_xmpp_host, "host",
		      p->host, sizeof(p->host), &n, err))
		return SX_ERROR;
	if (n == 0 || strpbrk(p->host, "@/"))
		return js_fail(err, uri, s, 400, "xmpp: URI with an invalid host");
	if (slash != NULL && js_decode(uri, slash + 1, e, js_xmpp_res,
				       "resource", p->resource,
				       sizeof(p->resource), &n, err))
		return SX_ERROR;
	if (slash != NULL && n == 0)
		return js_fail(err, uri, slash, 400, "empty resource");
	return 0;
}

static int js_lws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * RFC 3261 §25.1 name-addr / addr-spec: finds the URI in [*s, *e) and
 * narrows the range to it.  Header parameters after '>' are dropped.
 */
static int js_unwrap(const char *uri, const char **s, const char **e,
		     struct sx_err *err)
{
	const char *p = *s, *end = *e, *lt, *gt;

	while (p < end && js_lws(*p))
		p++;
	while (end > p && js_lws(end[-1]))
		end--;
	lt = p;
	if (p < end && *p == '"') {
		for (lt = p + 1; lt < end && *lt != '"'; lt++)
			if (*lt == '\\' && lt + 1 < end)
				lt++;
		if (lt >= end)
			return js_fail(err, uri, p, 400,
				       "unterminated display name");
		for (lt++; lt < end && js_lws(*lt); lt++)
			;
		if (lt >= end || *lt != '<')
			return js_fail(err, uri, lt, 400,
				       "display name without a <URI>");
	} else {
		lt = memchr(p, '<', (size_t)(end - p));
		if (lt == NULL) {
			*s = p;
			*e = end;
			return 0;
		}
	}
	gt = memchr(lt, '>', (size_t)(end - lt));
	if (gt == NULL)
		return js_fail(err, uri, lt, 400, "'<' without its '>'");
	for (p = gt + 1; p < end && js_lws(*p); p++)
		;
	if (p < end && *p != ';')
		return js_fail(err, uri, p, 400, "text after the <URI>");
	*s = lt + 1;
	*e = gt;
	return 0;
}

int sip_uri_to_jid(const char *uri, char *out, size_t cap, struct sx_err *err)
{
	char joined[3 * (JID_PART_MAX + 1)];
	char host[JID_PART_MAX + 1];
	struct js_parts p;
	struct jid j;
	const char *s, *e, *colon;
	size_t len;

	if (cap > 0)
		out[0] = '\0';
	if (uri == NULL)
		return sx_err_set(err, 400, "no URI");
	s = uri;
	e = uri + strlen(uri);
	if (js_unwrap(uri, &s, &e, err))
		return SX_ERROR;
	colon = memchr(s, ':', (size_t)(e - s));
	if (colon == NULL)
		return js_fail(err, uri, s, 416, "no URI scheme");
	p.local[0] = p.host[0] = p.resource[0] = '\0';
	len = (size_t)(colon - s);
	if (len == 4 && strncasecmp(s, "sips", 4) == 0)
		return js_fail(err, uri, s, 403,
			       "sips: is never gatewayed into XMPP (RFC 7247 §8)");
	if (len == 3 && strncasecmp(s, "sip", 3) == 0) {
		if (js_parse_sip(uri, colon + 1, e, &p, err))
			return SX_ERROR;
	} else if (len == 4 && strncasecmp(s, "xmpp", 4) == 0) {
		if (js_parse_xmpp(uri, colon + 1, e, &p, err))
			return SX_ERROR;
	} else {
		sx_err_set(err, 416, "unsupported URI scheme '%.*s'",
			   len > 16 ? 16 : (int)len, s);
		return SX_ERROR;
	}
	for (len = 0; p.host[len]; len++)
		if (p.host[len] >= 'A' && p.host[len] <= 'Z')
			p.host[len] |= 0x20;
	if (jid_idna_to_unicode(host, sizeof(host), p.host, err))
		return SX_ERROR;
	snprintf(joined, sizeof(joined), "%s%s%s%s%s", p.local,
		 p.local[0] ? "@" : "", host, p.resource[0] ? "/" : "",
		 p.resource);
	if (jid_parse(joined, &j, err)) {
		/* The offset was into the joined parts, not into uri. */
		if (err != NULL)
			err->offset = 0;
		return SX_ERROR;
	}
	len = jid_format(out, cap, &j, 0);
	if (len >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return sx_err_set(err, 500, "JID needs %zu bytes, %zu given",
				  len + 1, cap);
	}
	return 0;
}
