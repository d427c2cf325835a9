/*
 * gw_stanza.c - building the stanzas the gateway sends: stanza errors
 * (RFC 6120 §8.3), SIP and MSRP statuses as stanza errors (RFC 7247 §7.2),
 * elements holding text, and delayed-delivery stamps (XEP-0203 with the
 * XEP-0082 DateTime profile).
 *
 * Text that comes from the SIP side is UTF-8 but not necessarily XML: a
 * control character in a body would make the XMPP server close our
 * stream (RFC 6120 §11.1 allows only XML 1.0 Chars), so every text child
 * is made of Chars only, anything else turned into U+FFFD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "jid.h"
#include "sx_log.h"
#include "utf8.h"

#define GW_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define GW_NS_DELAY   "urn:xmpp:delay"

static const char gw_replacement[] = "\xef\xbf\xbd";  /* U+FFFD */

xmpp_stanza_t *gw_stanza_new(struct gw *gw, const char *name,
			     const char *from, const char *to,
			     const char *type)
{
	xmpp_stanza_t *st = xmpp_stanza_new(gw_ctx(gw));

	if (st == NULL)
		return NULL;
	xmpp_stanza_set_name(st, name);
	if (from)
		xmpp_stanza_set_from(st, from);
	if (to)
		xmpp_stanza_set_to(st, to);
	if (type)
		xmpp_stanza_set_type(st, type);
	return st;
}

xmpp_stanza_t *gw_stanza_child(xmpp_stanza_t *parent, const char *name,
			       const char *ns)
{
	xmpp_stanza_t *c = xmpp_stanza_new(xmpp_stanza_get_context(parent));

	if (c == NULL)
		return NULL;
	xmpp_stanza_set_name(c, name);
	if (ns)
		xmpp_stanza_set_ns(c, ns);
	/* add_child takes a reference: ours goes, the parent's stays */
	xmpp_stanza_add_child(parent, c);
	xmpp_stanza_release(c);
	return c;
}

/* XML 1.0 §2.2 Char. */
static int gw_xml_char(unsigned long cp)
{
	if (cp < 0x20)
		return cp == 0x9 || cp == 0xa || cp == 0xd;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return cp != 0xfffe && cp != 0xffff && cp <= 0x10ffff;
}

/* A NUL-terminated copy of text made of XML Chars only. */
static char *gw_xml_text(const char *text, size_t len)
{
	char *out = malloc(len * 3 + 1), *w = out;
	size_t i = 0, n;
	unsigned long cp;

	if (out == NULL)
		return NULL;
	while (i < len) {
		n = utf8_decode(text + i, len - i, &cp);
		if (n > 0 && gw_xml_char(cp)) {
			memcpy(w, text + i, n);
			w += n;
			i += n;
			continue;
		}
		memcpy(w, gw_replacement, 3);
		w += 3;
		i += n > 0 ? n : 1;
	}
	*w = '\0';
	return out;
}

xmpp_stanza_t *gw_stanza_text_child(xmpp_stanza_t *parent,
				    const char *name, const char *text,
				    size_t len)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(parent);
	xmpp_stanza_t *c, *t;
	char *clean;

	c = gw_stanza_child(parent, name, NULL);
	if (c == NULL || len == 0)
		return c;
	clean = gw_xml_text(text, len);
	t = xmpp_stanza_new(ctx);
	if (clean == NULL || t == NULL) {
		free(clean);
		if (t)
			xmpp_stanza_release(t);
		return c;
	}
	xmpp_stanza_set_text(t, clean);
	xmpp_stanza_add_child(c, t);
	xmpp_stanza_release(t);
	free(clean);
	return c;
}

void gw_stanza_delay(xmpp_stanza_t *parent, const char *from,
		     const struct timespec *when)
{
	xmpp_stanza_t *d;
	struct tm tm;
	char stamp[64];
	size_t n;

	if (gmtime_r(&when->tv_sec, &tm) == NULL)
		return;
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return;
	/* XEP-0082: fractions of a second are optional; milliseconds keep
	 * the order of messages sent within one second */
	if (when->tv_nsec > 0)
		snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ",
			 when->tv_nsec / 1000000);
	else
		snprintf(stamp + n, sizeof(stamp) - n, "Z");
	d = gw_stanza_child(parent, "delay", GW_NS_DELAY);
	if (d == NULL)
		return;
	if (from)
		xmpp_stanza_set_attribute(d, "from", from);
	xmpp_stanza_set_attribute(d, "stamp", stamp);
}

void gw_stanza_error(struct gw *gw, xmpp_stanza_t *st, const char *type,
		     const char *condition, const char *text)
{
	const char *name = xmpp_stanza_get_name(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *to = xmpp_stanza_get_to(st);
	const char *st_type = xmpp_stanza_get_type(st);
	const char *id = xmpp_stanza_get_id(st);
	xmpp_stanza_t *r, *e, *t;

	/* RFC 6120 §8.3.1: never answer an error with an error */
	if (st_type && strcmp(st_type, "error") == 0) {
		sx_debug("xmpp: not answering error %s from %s with %s",
			 name, from ? from : "?", condition);
		return;
	}
	/* without both addresses there is nobody to answer, and nothing
	 * to answer from (a component must set from, XEP-0114) */
	if (from == NULL || to == NULL || name == NULL) {
		sx_info("xmpp: %s without %s dropped (%s)",
			name ? name : "stanza", from == NULL ? "from" : "to",
			condition);
		return;
	}
	r = gw_stanza_new(gw, name, to, from, "error");
	if (r == NULL)
		return;
	if (id)
		xmpp_stanza_set_id(r, id);
	e = gw_stanza_child(r, "error", NULL);
	if (e == NULL)
		goto out;
	xmpp_stanza_set_type(e, type);
	gw_stanza_child(e, condition, GW_NS_STANZAS);
	if (text && *text) {
		t = gw_stanza_text_child(e, "text", text, strlen(text));
		if (t) {
			xmpp_stanza_set_ns(t, GW_NS_STANZAS);
			xmpp_stanza_set_attribute(t, "xml:lang", "en");
		}
	}
	sx_debug("xmpp: %s error to %s: %s/%s%s%s", name, from, type,
		 condition, text ? ": " : "", text ? text : "");
	gw_send(gw, r);
out:
	xmpp_stanza_release(r);
}

void gw_stanza_error_sip(struct gw *gw, xmpp_stanza_t *st, int status,
			 const char *phrase)
{
	struct stanza_error e;

	sip_status_to_stanza_error(status, &e);
	gw_stanza_error(gw, st, e.type, e.condition, phrase);
}
