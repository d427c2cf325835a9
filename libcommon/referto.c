/*
 * referto.c - invitee URIs, Refer-To values and sipfrag status lines
 * for REFER to a room (RFC 3515 §2.1, §2.4.5; RFC 4579 §5.5, §5.11;
 * RFC 5122 §2 for xmpp: URIs; RFC 7247 §5), see referto.h.
 */
#include "referto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "jid.h"
#include "utf8.h"

#define REASON_MAX 1024   /* bytes of reason text carried */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Checks a SIP URI the way a REFER will carry it: sip: or sips:, a host,
 * no headers of its own (ours go there).  Returns the parsed URL. */
static url_t *sip_checked(su_home_t *home, const char *uri,
			  struct sx_err *err)
{
	url_t *u = url_make(home, uri);

	if (u == NULL || (u->url_type != url_sip && u->url_type != url_sips) ||
	    u->url_host == NULL || u->url_host[0] == '\0') {
		sx_err_set(err, 400, "not a SIP URI: %s", uri);
		return NULL;
	}
	if (u->url_headers) {
		sx_err_set(err, 400, "a SIP URI with headers (?...) cannot be "
			   "referred to: %s", uri);
		return NULL;
	}
	return u;
}

/* RFC 5122 §2.2: xmpp:[//authority/]node@domain[/resource][?query][#frag];
 * the JID is the path, percent-decoded. */
static char *xmpp_target(const char *uri, struct sx_err *err)
{
	const char *p = uri + 5, *end;
	char *jid, *out, *q;
	size_t cap;

	if (p[0] == '/' && p[1] == '/') {
		p = strchr(p + 2, '/');
		if (p == NULL) {
			sx_err_set(err, 400, "xmpp: URI without a JID: %s",
				   uri);
			return NULL;
		}
		p++;
	}
	end = p + strcspn(p, "?#");
	jid = malloc((size_t)(end - p) + 1);
	if (jid == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	for (q = jid; p < end; p++) {
		if (*p == '%') {
			int hi = p + 2 < end ? hexval(p[1]) : -1;
			int lo = hi >= 0 ? hexval(p[2]) : -1;

			if (lo < 0 || (hi == 0 && lo == 0)) {
				free(jid);
				sx_err_set(err, 400, "bad %%-escape in %s",
					   uri);
				return NULL;
			}
			*q++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	/* every byte of the three parts may become %XX */
	cap = (size_t)(q - jid) * 3 + 16;
	out = malloc(cap);
	if (out == NULL) {
		free(jid);
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	if (jid_to_sip_uri(jid, out, cap, err) != 0) {
		free(jid);
		free(out);
		return NULL;
	}
	free(jid);
	return out;
}

char *referto_target(const char *invitee, struct sx_err *err)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	size_t at = strcspn(invitee, "@"), colon = strcspn(invitee, ":");
	char *s;

	if (strncasecmp(invitee, "xmpp:", 5) == 0)
		return xmpp_target(invitee, err);
	if (strncasecmp(invitee, "sip:", 4) == 0 ||
	    strncasecmp(invitee, "sips:", 5) == 0) {
		s = strdup(invitee);
	} else if (colon < at) {
		sx_err_set(err, 416, "neither a SIP nor an XMPP URI: %s",
			   invitee);
		return NULL;
	} else if (invitee[at] != '@') {
		sx_err_set(err, 400, "not a URI: %s", invitee);
		return NULL;
	} else if (asprintf(&s, "sip:%s", invitee) < 0) {
		s = NULL;
	}
	if (s == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	if (sip_checked(home, s, err) == NULL) {
		free(s);
		s = NULL;
	}
	su_home_deinit(home);
	return s;
}

/* RFC 3261 §25.1: hvalue = *( hnv-unreserved / unreserved / escaped ). */
static void hvalue_put(char *out, size_t *n, const char *s)
{
	static const char keep[] = "-_.!~*'()[]/?:+$";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr(keep, ch))
			out[(*n)++] = (char)ch;
		else
			*n += (size_t)sprintf(out + *n, "%%%02X", ch);
	}
}

/* TEXT-UTF8 without control characters: an escaped CR or LF would become
 * a header line of its own in the referee's request. */
static int reason_ok(const char *reason, struct sx_err *err)
{
	size_t i, len = strlen(reason);

	if (len > REASON_MAX) {
		sx_err_set(err, 400, "reason longer than %d bytes",
			   REASON_MAX);
		return 0;
	}
	if (utf8_valid_len(reason, len) != len) {
		sx_err_set(err, 400, "reason is not UTF-8");
		return 0;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f) {
			sx_err_set(err, 400, "control character in reason");
			return 0;
		}
	return 1;
}

char *referto_value(const char *target, int bye, const char *reason,
		    struct sx_err *err)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = sip_checked(home, target, err);
	char *uri, *quoted = NULL, *out = NULL, *q;
	const char *r;
	size_t n = 0;

	if (u == NULL)
		goto done;
	if (bye && url_has_param(u, "method")) {
		sx_err_set(err, 400, "the URI already names a method: %s",
			   target);
		goto done;
	}
	if (reason && reason[0] == '\0')
		reason = NULL;
	if (reason && !reason_ok(reason, err))
		goto done;
	uri = url_as_string(home, u);
	if (reason && bye) {
		/* RFC 3326 §2: protocol-cause 200 (no error), quoted text */
		quoted = malloc(strlen(reason) * 2 + 32);
		if (quoted == NULL)
			goto oom;
		q = quoted + sprintf(quoted, "SIP;cause=200;text=\"");
		for (r = reason; *r; r++) {
			if (*r == '"' || *r == '\\')
				*q++ = '\\';
			*q++ = *r;
		}
		strcpy(q, "\"");
	}
	out = uri ? malloc(strlen(uri) + 32 +
			   3 * (quoted ? strlen(quoted) :
				reason ? strlen(reason) : 0)) : NULL;
	if (out == NULL)
		goto oom;
	n = (size_t)sprintf(out, "<%s%s", uri, bye ? ";method=BYE" : "");
	if (reason) {
		n += (size_t)sprintf(out + n, "?%s=", bye ? "Reason" :
				     "Subject");
		hvalue_put(out, &n, quoted ? quoted : reason);
	}
	strcpy(out + n, ">");
	goto done;
oom:
	sx_err_set(err, 500, "out of memory");
done:
	free(quoted);
	su_home_deinit(home);
	return out;
}

int referto_sipfrag(const char *body, size_t len, int *status,
		    char *phrase, size_t cap, struct sx_err *err)
{
	size_t i, n;

	if (len < 11 || strncasecmp(body, "SIP/2.0 ", 8) != 0)
		return sx_err_set(err, 400, "the sipfrag does not start "
				  "with a SIP/2.0 status line");
	for (i = 8; i < 11; i++)
		if (body[i] < '0' || body[i] > '9')
			return sx_err_set(err, 400, "bad status code in the "
					  "sipfrag");
	*status = (body[8] - '0') * 100 + (body[9] - '0') * 10 +
		  (body[10] - '0');
	if (*status < 100 || *status > 699)
		return sx_err_set(err, 400, "status %d out of range",
				  *status);
	if (i < len && body[i] != ' ' && body[i] != '\r' && body[i] != '\n')
		return sx_err_set(err, 400, "bad status code in the sipfrag");
	if (i < len && body[i] == ' ')
		i++;
	for (n = 0; i + n < len && body[i + n] != '\r' &&
	     body[i + n] != '\n'; n++)
		;
	if (cap == 0)
		return 0;
	if (n >= cap) {
		/* cut before a UTF-8 sequence, not inside one */
		n = cap - 1;
		while (n > 0 && ((unsigned char)body[i + n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(phrase, body + i, n);
	phrase[n] = '\0';
	return 0;
}

void referto_notify(const sip_t *sip, struct referto_notify *n)
{
	const sip_payload_t *pl = sip ? sip->sip_payload : NULL;
	struct sx_err err;

	n->terminated = sip && sip->sip_subscription_state &&
		strcasecmp(sip->sip_subscription_state->ss_substate,
			   "terminated") == 0;
	n->status = 0;
	n->phrase[0] = '\0';
	sx_err_clear(&err);
	if (pl && referto_sipfrag(pl->pl_data, pl->pl_len, &n->status,
				  n->phrase, sizeof(n->phrase), &err) != 0) {
		n->status = 0;
		n->phrase[0] = '\0';
	}
}
