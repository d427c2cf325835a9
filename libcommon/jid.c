/*
 * jid.c - XMPP addresses: splitting and checking a JID (RFC 7622 §3),
 * formatting one back, and XEP-0106 JID escaping (§3.2, §3.3, §4).
 * See jid.h.
 *
 * Checks made here are the structural ones of RFC 7622: three parts of at
 * most 1023 octets, a non-empty domainpart, non-empty localpart and
 * resourcepart when their separators are present, valid UTF-8 without
 * control characters, and no space, " & ' / : < > @ in a localpart.
 * Domainparts are LDH labels (ASCII folded to lowercase), U-labels or an
 * IPv6 literal.  The PRECIS profiles (RFC 7613 UsernameCaseMapped,
 * OpaqueString) and IDNA2008 mapping are out of scope: a JID that passes
 * here is well formed, not necessarily in canonical form.
 */
#include "jid.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define JID_ESCAPES 10

/* XEP-0106 §3.2: lowercase only, "CASE IS SIGNIFICANT". */
static const struct {
	char code[3];
	char ch;
} jid_esc[JID_ESCAPES] = {
	{ "20", ' ' }, { "22", '"' }, { "26", '&' }, { "27", '\'' },
	{ "2f", '/' }, { "3a", ':' }, { "3c", '<' }, { "3e", '>' },
	{ "40", '@' }, { "5c", '\\' },
};

struct jid_out {
	char *buf;
	size_t cap;
	size_t len;
};

static void jid_putc(struct jid_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static size_t jid_out_end(struct jid_out *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

size_t jid_utf8_decode(const char *s, size_t len, unsigned long *cp)
{
	return utf8_decode(s, len, cp);
}

static int jid_is_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Unicode general category Zs: PRECIS IdentifierClass (RFC 8264 §9.14)
 * disallows every one of them in a localpart, not only U+0020. */
static int jid_is_space(unsigned long cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
	       cp == 0x205f || cp == 0x3000;
}

static int jid_bad(struct sx_err *err, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sx_err_set() with the offset of the offending byte. */
static int jid_bad(struct sx_err *err, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return SX_ERROR;
	err->status = 400;
	err->offset = off;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

/* Local and resource parts: UTF-8 without controls; a localpart also
 * without spaces and the eight characters of RFC 7622 §3.3.1. */
static int jid_check_part(const char *s, size_t off, size_t len, int local,
			  struct sx_err *err)
{
	const char *what = local ? "localpart" : "resourcepart";
	unsigned long cp;
	size_t i, n;

	if (len == 0)
		return jid_bad(err, off, "empty %s", what);
	if (len > JID_PART_MAX)
		return jid_bad(err, off, "%s longer than %d octets", what,
			       JID_PART_MAX);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + off + i, len - i, &cp);
		if (n == 0)
			return jid_bad(err, off + i, "invalid UTF-8 in the %s",
				       what);
		if (jid_is_control(cp))
			return jid_bad(err, off + i,
				       "control character in the %s (U+%04lX)",
				       what, cp);
		if (local && (jid_is_space(cp) ||
			      (cp < 0x80 && strchr("\"&'/:<>@", (int)cp))))
			return jid_bad(err, off + i,
				       "%s cannot carry U+%04lX (RFC 7622 §3.3.1)",
				       what, cp);
	}
	return 0;
}

static int jid_check_ip6(const char *s, size_t off, size_t len,
			 struct sx_err *err)
{
	size_t i, colons = 0;

	if (len < 3 || s[off + len - 1] != ']')
		return jid_bad(err, off, "IP literal without its closing ']'");
	for (i = 1; i + 1 < len; i++) {
		char c = s[off + i];

		if (c == ':')
			colons++;
		else if (c == '\0' || !strchr("0123456789abcdefABCDEF.", c))
			return jid_bad(err, off + i,
				       "IP literal cannot carry U+%04X",
				       (unsigned char)c);
	}
	if (colons < 2)
		return jid_bad(err, off, "IP literal is not an IPv6 address");
	return 0;
}

/* RFC 7622 §3.2: LDH labels or U-labels (IDNA2008 validity of the
 * latter is not checked), or an IP literal (RFC 3986 §3.2.2). */
static int jid_check_domain(const char *s, size_t off, size_t len,
			    struct sx_err *err)
{
	unsigned long cp;
	size_t i, n, label = 0;

	if (len == 0)
		return jid_bad(err, off, "empty domainpart");
	if (len > JID_PART_MAX)
		return jid_bad(err, off, "domainpart longer than %d octets",
			       JID_PART_MAX);
	if (s[off] == '[')
		return jid_check_ip6(s, off, len, err);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + off + i, len - i, &cp);
		if (n == 0)
			return jid_bad(err, off + i,
				       "invalid UTF-8 in the domainpart");
		if (cp == '.') {
			if (label == 0)
				return jid_bad(err, off + i,
					       "empty label in the domainpart");
			label = 0;
			continue;
		}
		label++;
		if (cp == ':')
			return jid_bad(err, off + i,
				       "a domainpart has no port");
		if (cp < 0x80 ? !(cp == '-' || (cp >= '0' && cp <= '9') ||
				  ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))
			      : jid_is_control(cp) || jid_is_space(cp))
			return jid_bad(err, off + i,
				       "domainpart cannot carry U+%04lX", cp);
	}
	if (label == 0)
		return jid_bad(err, off + len - 1,
			       "empty label in the domainpart");
	return 0;
}

int jid_parse(const char *s, struct jid *j, struct sx_err *err)
{
	const char *slash, *at;
	size_t n, pre, dom, dlen, i;

	j->local[0] = j->domain[0] = j->resource[0] = '\0';
	if (s == NULL)
		return sx_err_set(err, 400, "no JID");
	n = strlen(s);
	/* RFC 7622 §3.1: the first '/' ends the bare JID, and the first '@'
	 * before it ends the localpart; the resource may hold both. */
	slash = memchr(s, '/', n);
	pre = slash ? (size_t)(slash - s) : n;
	at = memchr(s, '@', pre);
	dom = at ? (size_t)(at - s) + 1 : 0;
	dlen = pre - dom;
	/* RFC 7622 §3.2: a final label separator is stripped. */
	if (dlen > 1 && s[dom + dlen - 1] == '.')
		dlen--;
	if (at && jid_check_part(s, 0, dom - 1, 1, err))
		return SX_ERROR;
	if (jid_check_domain(s, dom, dlen, err))
		return SX_ERROR;
	if (slash && jid_check_part(s, pre + 1, n - pre - 1, 0, err))
		return SX_ERROR;

	if (at) {
		memcpy(j->local, s, dom - 1);
		j->local[dom - 1] = '\0';
	}
	for (i = 0; i < dlen; i++) {
		char c = s[dom + i];

		j->domain[i] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
	}
	j->domain[dlen] = '\0';
	if (slash)
		memcpy(j->resource, slash + 1, n - pre);
	return 0;
}

size_t jid_format(char *buf, size_t cap, const struct jid *j, int bare)
{
	int n = snprintf(buf, cap, "%s%s%s%s%s", j->local,
			 j->local[0] ? "@" : "", j->domain,
			 !bare && j->resource[0] ? "/" : "",
			 bare ? "" : j->resource);

	return n < 0 ? 0 : (size_t)n;
}

/* The escape code at s (len bytes available), or -1. */
static int jid_esc_at(const char *s, size_t len)
{
	int k;

	if (len < 2)
		return -1;
	for (k = 0; k < JID_ESCAPES; k++)
		if (s[0] == jid_esc[k].code[0] && s[1] == jid_esc[k].code[1])
			return k;
	return -1;
}

size_t jid_escape_local(char *buf, size_t cap, const char *raw, size_t len)
{
	struct jid_out o = { buf, cap, 0 };
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		char c = raw[i];

		/* §4.1 rule 7: a backslash is escaped only where it would
		 * otherwise be read as the start of an escape. */
		if (c == '\\' && jid_esc_at(raw + i + 1, len - i - 1) < 0) {
			jid_putc(&o, c);
			continue;
		}
		for (k = 0; k < JID_ESCAPES; k++)
			if (jid_esc[k].ch == c)
				break;
		if (k == JID_ESCAPES) {
			jid_putc(&o, c);
			continue;
		}
		jid_putc(&o, '\\');
		jid_putc(&o, jid_esc[k].code[0]);
		jid_putc(&o, jid_esc[k].code[1]);
	}
	return jid_out_end(&o);
}

size_t jid_unescape_local(char *buf, size_t cap, const char *esc, size_t len)
{
	struct jid_out o = { buf, cap, 0 };
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		/* §4.3: partial and unknown sequences are left as they are. */
		if (esc[i] == '\\' &&
		    (k = jid_esc_at(esc + i + 1, len - i - 1)) >= 0) {
			jid_putc(&o, jid_esc[k].ch);
			i += 2;
			continue;
		}
		jid_putc(&o, esc[i]);
	}
	return jid_out_end(&o);
}
