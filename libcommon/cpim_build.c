/*
 * cpim_build.c - message/cpim builder (RFC 3862 §3.6 syntax, §2.3
 * escapes, §4 headers; RFC 3339 DateTime).  See cpim.h.
 *
 * Display names are always written as quoted strings, which need escapes
 * only for '"', '\' and control characters; other values escape only what
 * would break the line ('\' too, so that a reader decoding escapes gets
 * the text back).  UTF-8 is written as it is: peers that do not decode
 * \u escapes still show it.
 */
#include "cpim.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

enum { STAGE_HEADERS, STAGE_CONTENT, STAGE_BODY };

void cpim_build_init(struct cpim_builder *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->stage = STAGE_HEADERS;
	b->bad = NULL;
	if (cap > 0)
		buf[0] = '\0';
}

static void put(struct cpim_builder *b, const char *s, size_t n)
{
	if (b->len < b->cap)
		memcpy(b->buf + b->len, s,
		       n < b->cap - b->len ? n : b->cap - b->len);
	b->len += n;
}

static void puts_(struct cpim_builder *b, const char *s)
{
	put(b, s, strlen(s));
}

static void invalid(struct cpim_builder *b, const char *why)
{
	if (b->bad == NULL)
		b->bad = why;
}

/* Writes s escaped; quotes and backslashes escaped only when quoted.
 * Bytes past ASCII are copied once all of s is known to be UTF-8. */
static void put_escaped(struct cpim_builder *b, const char *s, int quoted)
{
	static const char named[] = "\b\t\n\r";
	static const char letter[] = "btnr";
	size_t len = strlen(s);
	char u[8];

	if (utf8_valid_len(s, len) != len) {
		invalid(b, "invalid UTF-8 in a CPIM value");
		return;
	}
	while (*s) {
		unsigned char c = (unsigned char)*s;
		const char *k;

		if (c == '\\' || (quoted && c == '"')) {
			put(b, "\\", 1);
			put(b, s, 1);
		} else if (c < 0x20 || c == 0x7f) {
			k = strchr(named, c);
			if (k != NULL) {
				u[0] = '\\';
				u[1] = letter[k - named];
				put(b, u, 2);
			} else {
				snprintf(u, sizeof(u), "\\u%04X", c);
				put(b, u, 6);
			}
		} else {
			put(b, s, 1);
		}
		s++;
	}
}

static int stage(struct cpim_builder *b, int want)
{
	if (b->stage != want) {
		invalid(b, "CPIM parts built out of order");
		return 0;
	}
	return 1;
}

/* Header-name of §3.6: [ Name-prefix "." ] Name. */
static int name_ok(const char *s)
{
	int dots = 0, run = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '.') {
			if (run == 0 || dots++)
				return 0;
			run = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == 0x21 ||
		      (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b ||
		      c == 0x2d || (c >= 0x5e && c <= 0x60) || c == 0x7c ||
		      c == 0x7e))
			return 0;
		run++;
	}
	return run > 0;
}

static int uri_ok(const char *u)
{
	if (*u == '\0' || strchr(u, ':') == NULL)
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= 0x20 || *u == '<' || *u == '>' ||
		    *u == '"' || *u == 0x7f)
			return 0;
	return 1;
}

static void addr_header(struct cpim_builder *b, const char *hdr,
			const char *name, const char *uri)
{
	if (!stage(b, STAGE_HEADERS))
		return;
	if (uri == NULL || !uri_ok(uri)) {
		invalid(b, "a CPIM URI cannot be written");
		return;
	}
	puts_(b, hdr);
	if (name != NULL && *name) {
		put(b, "\"", 1);
		put_escaped(b, name, 1);
		put(b, "\" ", 2);
	}
	put(b, "<", 1);
	puts_(b, uri);
	put(b, ">\r\n", 3);
}

void cpim_build_from(struct cpim_builder *b, const char *name,
		     const char *uri)
{
	addr_header(b, "From: ", name, uri);
}

void cpim_build_to(struct cpim_builder *b, const char *name, const char *uri)
{
	addr_header(b, "To: ", name, uri);
}

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void cpim_build_datetime(struct cpim_builder *b, const struct timespec *ts,
			 int offset_min)
{
	struct timespec now;
	char text[64];
	long long t;
	long days, secs;
	int y, mo, d, n, off;

	if (!stage(b, STAGE_HEADERS))
		return;
	if (offset_min <= -24 * 60 || offset_min >= 24 * 60) {
		invalid(b, "CPIM DateTime offset out of range");
		return;
	}
	if (ts == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	t = (long long)ts->tv_sec + offset_min * 60LL;
	days = (long)(t / 86400);
	secs = (long)(t % 86400);
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	n = snprintf(text, sizeof(text),
		     "DateTime: %04d-%02d-%02dT%02ld:%02ld:%02ld.%03ld", y, mo,
		     d, secs / 3600, secs / 60 % 60, secs % 60,
		     ts->tv_nsec / 1000000);
	off = offset_min < 0 ? -offset_min : offset_min;
	if (offset_min == 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "Z\r\n");
	else
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "%c%02d:%02d\r\n", offset_min < 0 ? '-' : '+',
			      off / 60, off % 60);
	put(b, text, (size_t)n);
}

static int lang_ok(const char *s)
{
	/* RFC 3066: 1*8ALPHA *( "-" 1*8(ALPHA / DIGIT) ) */
	int run = 0, first = 1;

	for (; *s; s++) {
		if (*s == '-') {
			if (run == 0)
				return 0;
			run = 0;
			first = 0;
		} else if ((*s >= 'a' && *s <= 'z') ||
			   (*s >= 'A' && *s <= 'Z') ||
			   (!first && *s >= '0' && *s <= '9')) {
			if (++run > 8)
				return 0;
		} else {
			return 0;
		}
	}
	return run > 0;
}

void cpim_build_subject(struct cpim_builder *b, const char *lang,
			const char *text)
{
	if (!stage(b, STAGE_HEADERS))
		return;
	if (lang != NULL && !lang_ok(lang)) {
		invalid(b, "bad CPIM Subject language tag");
		return;
	}
	puts_(b, "Subject:");
	if (lang != NULL) {
		puts_(b, ";lang=");
		puts_(b, lang);
	}
	put(b, " ", 1);
	put_escaped(b, text, 0);
	put(b, "\r\n", 2);
}

void cpim_build_ns(struct cpim_builder *b, const char *prefix,
		   const char *uri)
{
	if (!stage(b, STAGE_HEADERS))
		return;
	if ((prefix != NULL && (!name_ok(prefix) || strchr(prefix, '.'))) ||
	    uri == NULL || !uri_ok(uri)) {
		invalid(b, "bad CPIM NS declaration");
		return;
	}
	puts_(b, "NS: ");
	if (prefix != NULL) {
		puts_(b, prefix);
		put(b, " ", 1);
	}
	put(b, "<", 1);
	puts_(b, uri);
	put(b, ">\r\n", 3);
}

void cpim_build_header(struct cpim_builder *b, const char *name,
		       const char *value)
{
	if (!stage(b, STAGE_HEADERS))
		return;
	if (!name_ok(name)) {
		invalid(b, "bad CPIM header name");
		return;
	}
	puts_(b, name);
	put(b, ": ", 2);
	put_escaped(b, value, 0);
	put(b, "\r\n", 2);
}

/* MIME values cannot be escaped: refuse what would break the line. */
static int mime_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

void cpim_build_content(struct cpim_builder *b, const char *type,
			const char *charset)
{
	if (!stage(b, STAGE_HEADERS))
		return;
	b->stage = STAGE_CONTENT;
	if (type == NULL || *type == '\0' || !mime_ok(type) ||
	    (charset != NULL && !mime_ok(charset))) {
		invalid(b, "bad CPIM Content-Type");
		return;
	}
	puts_(b, "\r\nContent-Type: ");
	puts_(b, type);
	if (charset != NULL) {
		puts_(b, ";charset=");
		puts_(b, charset);
	}
	put(b, "\r\n", 2);
}

void cpim_build_content_header(struct cpim_builder *b, const char *name,
			       const char *value)
{
	const char *p;

	if (!stage(b, STAGE_CONTENT))
		return;
	for (p = name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			break;
	if (*name == '\0' || *p != '\0' || !mime_ok(value)) {
		invalid(b, "bad CPIM content header");
		return;
	}
	puts_(b, name);
	put(b, ": ", 2);
	puts_(b, value);
	put(b, "\r\n", 2);
}

void cpim_build_body(struct cpim_builder *b, const char *body, size_t len)
{
	if (!stage(b, STAGE_CONTENT))
		return;
	b->stage = STAGE_BODY;
	put(b, "\r\n", 2);
	if (body != NULL)
		put(b, body, len);
}

ssize_t cpim_build_done(struct cpim_builder *b, struct sx_err *err)
{
	if (b->bad == NULL && b->stage != STAGE_BODY)
		b->bad = "CPIM message not complete";
	if (b->bad != NULL)
		return sx_err_set(err, 500, "%s", b->bad);
	if (b->cap > 0)
		b->buf[b->len < b->cap ? b->len : b->cap - 1] = '\0';
	return (ssize_t)b->len;
}
