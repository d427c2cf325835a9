/*
 * cpim_value.c - decoders for CPIM header values: the escape mechanism
 * (RFC 3862 §2.3), From/To/cc values (§4.1-§4.3, Formal-name of §3.6) and
 * DateTime (§4.4, RFC 3339 §5.6).  See cpim.h.
 */
#include "cpim.h"
#include "utf8.h"

#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "\uXXXX" at s (6 bytes available); -1 when it is not one. */
static long u_escape(const char *s, size_t avail)
{
	long v = 0;
	int i, h;

	if (avail < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

struct out {
	char *buf;
	size_t cap;
	size_t n;
};

static void put(struct out *o, char c)
{
	if (o->n < o->cap)
		o->buf[o->n] = c;
	o->n++;
}

/* cp is never a surrogate or past U+10FFFF: cpim_unescape() joins the
 * pairs and refuses lone halves. */
static void put_utf8(struct out *o, unsigned long cp)
{
	char u[UTF8_MAX];
	size_t n = utf8_encode(cp, u), i;

	for (i = 0; i < n; i++)
		put(o, u[i]);
}

ssize_t cpim_unescape(const char *s, size_t len, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	size_t i = 0;
	long cp, lo;

	while (i < len) {
		if (s[i] != '\\' || i + 1 == len) {
			put(&o, s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case '"': case '\\': case '\'':
			put(&o, s[i + 1]);
			break;
		case 'b':
			put(&o, '\b');
			break;
		case 't':
			put(&o, '\t');
			break;
		case 'n':
			put(&o, '\n');
			break;
		case 'r':
			put(&o, '\r');
			break;
		case 'u':
			cp = u_escape(s + i, len - i);
			if (cp < 0) {
				put(&o, '\\');
				i++;
				continue;
			}
			if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return SX_ERROR;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* UTF-16 surrogate pair: two escapes */
				lo = u_escape(s + i + 6, len - i - 6);
				if (lo < 0xdc00 || lo > 0xdfff)
					return SX_ERROR;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			}
			put_utf8(&o, (unsigned long)cp);
			i += 6;
			continue;
		default:
			put(&o, '\\');
			i++;
			continue;
		}
		i += 2;
	}
	if (cap > 0)
		buf[o.n < cap ? o.n : cap - 1] = '\0';
	return (ssize_t)o.n;
}

/* Token of §3.6 (NAMECHAR / "." / UCS-high), as used in Formal-name. */
static int tokenchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a ||
	       c == 0x2b || c == 0x2d || c == '.' ||
	       (c >= 0x5e && c <= 0x60) || c == 0x7c || c == 0x7e;
}

static int addr_fail(struct sx_err *err, const char *what, const char *s,
		     size_t len)
{
	return sx_err_set(err, 400, "bad CPIM address (%s): %.*s", what,
			  (int)(len > 80 ? 80 : len), s);
}

/* scheme ":" followed by anything but space, quotes and angle brackets. */
static int uri_ok(const char *u, size_t n)
{
	size_t i = 0;

	if (n == 0 || !((u[0] >= 'a' && u[0] <= 'z') ||
			(u[0] >= 'A' && u[0] <= 'Z')))
		return 0;
	while (i < n && u[i] != ':') {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.'))
			return 0;
		i++;
	}
	if (i == n || i + 1 == n)
		return 0;
	for (; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == '<' ||
		    u[i] == '"' || u[i] == 0x7f)
			return 0;
	return 1;
}

int cpim_addr_parse(const char *s, size_t len, struct cpim_addr *a,
		    struct sx_err *err)
{
	size_t i = 0, n;
	const char *gt;
	ssize_t dn;

	a->name[0] = '\0';
	a->uri.p = NULL;
	a->uri.len = 0;
	if (len > 0 && s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (i >= len)
			return addr_fail(err, "unterminated display name", s,
					 len);
		dn = cpim_unescape(s + 1, i - 1, a->name, sizeof(a->name));
		if (dn < 0 || (size_t)dn >= sizeof(a->name) ||
		    memchr(a->name, '\0', (size_t)dn) != NULL)
			return addr_fail(err, "display name", s, len);
		/* the grammar has no space here; everyone writes one */
		for (i++; i < len && s[i] == ' '; i++)
			;
	} else if (len > 0 && s[0] != '<') {
		/* 1*( Token SP ) */
		while (i < len && (tokenchar((unsigned char)s[i]) ||
				   s[i] == ' '))
			i++;
		n = i;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == i)
			return addr_fail(err, "display name", s, len);
		if (n >= sizeof(a->name))
			return addr_fail(err, "display name too long", s, len);
		memcpy(a->name, s, n);
		a->name[n] = '\0';
	}
	if (i == len || s[i] != '<')
		return addr_fail(err, "no <URI>", s, len);
	gt = memchr(s + i, '>', len - i);
	if (gt == NULL || gt + 1 != s + len)
		return addr_fail(err, "URI not closed by '>' at the end", s,
				 len);
	a->uri.p = s + i + 1;
	a->uri.len = (size_t)(gt - a->uri.p);
	if (!uri_ok(a->uri.p, a->uri.len))
		return addr_fail(err, "URI", s, len);
	return 0;
}

static int digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cpim_datetime_parse(const char *s, size_t len, struct timespec *ts,
			int *offset_min, struct sx_err *err)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int y, mo, d, h, mi, sec, oh, om, off = 0;
	long nsec = 0, scale = 100000000;
	size_t i = 19;

	/* 2000-12-13T13:40:00 */
	if (len < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
	    sec > 60)
		goto bad;
	if (s[i] == '.') {
		if (++i == len || s[i] < '0' || s[i] > '9')
			goto bad;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			nsec += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
		   digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		   digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
		off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
		i += 6;
	}
	if (i != len)
		goto bad;
	ts->tv_sec = (time_t)(days_from_civil(y, mo, d) * 86400L +
			      h * 3600L + mi * 60L + sec - off * 60L);
	ts->tv_nsec = nsec;
	if (offset_min)
		*offset_min = off;
	return 0;
bad:
	return sx_err_set(err, 400, "bad CPIM DateTime: %.*s",
			  (int)(len > 64 ? 64 : len), s);
}
