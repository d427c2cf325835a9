/*
 * gw_leg_cpim.c - the message/cpim wrapper (RFC 3862) of what a leg says
 * in a room and of what the room forwards to it (RFC 7701 §7, RFC 7702
 * §5.5, Table 4):
 *
 *   From: "nick" <sip:alice@example.test>      the occupant's AOR
 *   To: <sip:room@conference.example.test>     or ;gr=NICK, private
 *                                              (RFC 7701 §6.2)
 *   DateTime: 2024-05-01T18:30:00.000Z
 *   NS: room <urn:x-sxgw:room>                 a subject change, as
 *   room.Subject: New topic                    sxgw(8) defines it
 *
 * Chat states travel as RFC 3994 is-composing documents inside the CPIM,
 * like any other content.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cpim.h"
#include "gw_leg_int.h"
#include "iscomposing.h"
#include "sip_uri.h"
#include "utf8.h"

#define ROOM_NS "urn:x-sxgw:room"
#define COMPOSING_REFRESH 60   /* s: RFC 3994 §3.2 suggests 60 to 120 */

static void wrap_build(struct cpim_builder *b, const struct gw_leg *leg,
		       const char *to, const struct timespec *ts,
		       const struct gw_out *m, const char *body, size_t len)
{
	cpim_build_from(b, leg->nick, leg->aor);
	cpim_build_to(b, NULL, to);
	cpim_build_datetime(b, ts, 0);
	if (m->subject) {
		cpim_build_ns(b, "room", ROOM_NS);
		cpim_build_header(b, "room.Subject", m->subject);
	}
	if (m->composing)
		cpim_build_content(b, ISCOMPOSING_MIME, NULL);
	else if (m->type)
		cpim_build_content(b, m->type, NULL);
	else
		cpim_build_content(b, "text/plain", "UTF-8");
	cpim_build_body(b, body, len);
}

char *leg_cpim_wrap(const struct gw_leg *leg, const struct gw_out *m,
		    size_t *len, struct sx_err *err)
{
	char *to, *doc = NULL, *out = NULL;
	const char *body = m->body ? m->body : "";
	size_t blen = m->body ? m->len : 0;
	struct cpim_builder b;
	struct timespec ts;
	ssize_t n;

	to = m->to_nick ? sip_uri_private(leg->room_aor, m->to_nick)
			: strdup(leg->room_aor);
	if (to == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	if (m->composing) {
		doc = iscomposing_build(strcmp(m->composing, "active") == 0,
					COMPOSING_REFRESH, "text/plain",
					&blen);
		if (doc == NULL) {
			sx_err_set(err, 500, "out of memory");
			goto out;
		}
		body = doc;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	cpim_build_init(&b, NULL, 0);
	wrap_build(&b, leg, to, &ts, m, body, blen);
	n = cpim_build_done(&b, err);
	if (n < 0)
		goto out;
	out = malloc((size_t)n + 1);
	if (out == NULL) {
		sx_err_set(err, 500, "out of memory");
		goto out;
	}
	cpim_build_init(&b, out, (size_t)n + 1);
	wrap_build(&b, leg, to, &ts, m, body, blen);
	if (cpim_build_done(&b, err) != n) {
		free(out);
		out = NULL;
		goto out;
	}
	*len = (size_t)n;
out:
	free(doc);
	free(to);
	return out;
}

/* --- what the room sends ------------------------------------------------- */

static char *header_uri(const struct cpim_msg *c, const char *name,
			struct cpim_addr *a)
{
	const struct cpim_header *h = cpim_header(c, NULL, name);
	struct sx_err e;

	if (h == NULL || cpim_addr_parse(h->value.p, h->value.len, a, &e) != 0)
		return NULL;
	return strndup(a->uri.p, a->uri.len);
}

static int decode_subject(const struct cpim_header *h,
			  struct leg_cpim_in *in, struct sx_err *err)
{
	ssize_t n = cpim_unescape(h->value.p, h->value.len, NULL, 0);

	if (n < 0)
		return sx_err_set(err, 400, "room.Subject: bad escape");
	in->subject = malloc((size_t)n + 1);
	if (in->subject == NULL)
		return sx_err_set(err, 500, "out of memory");
	cpim_unescape(h->value.p, h->value.len, in->subject, (size_t)n + 1);
	if (utf8_valid_len(in->subject, (size_t)n) != (size_t)n ||
	    memchr(in->subject, '\0', (size_t)n))
		return sx_err_set(err, 400, "room.Subject: not UTF-8 text");
	in->m.has_subject = 1;
	in->m.subject = in->subject;
	return 0;
}

static int decode_composing(struct leg_cpim_in *in, struct sx_err *err)
{
	struct iscomposing ic;

	if (iscomposing_parse(in->m.body, in->m.len, &ic, err) != 0)
		return SX_ERROR;
	strcpy(in->composing, ic.active ? "active" : "idle");
	in->m.composing = in->composing;
	return 0;
}

int leg_cpim_decode(const char *body, size_t len, struct leg_cpim_in *in,
		    struct sx_err *err)
{
	const struct cpim_header *h;
	struct cpim_addr from, to;
	struct cpim_msg c;
	char *to_uri;
	size_t tl, i;

	memset(in, 0, sizeof(*in));
	if (cpim_parse(body, len, NULL, 0, &c, err) < 0)
		return SX_ERROR;
	in->from_aor = header_uri(&c, "From", &from);
	if (in->from_aor == NULL)
		return sx_err_set(err, 400, "no valid CPIM From");
	/* the AOR is the URI without its parameters */
	in->from_aor[strcspn(in->from_aor, ";?")] = '\0';
	memcpy(in->from_name, from.name, sizeof(in->from_name));
	in->m.from_aor = in->from_aor;
	in->m.from_name = in->from_name[0] ? in->from_name : NULL;
	to_uri = header_uri(&c, "To", &to);
	in->m.private_msg = to_uri && sip_uri_has_param(to_uri, "gr");
	free(to_uri);
	h = cpim_header(&c, NULL, "DateTime");
	if (h == NULL || cpim_datetime_parse(h->value.p, h->value.len,
					     &in->m.when, NULL, err) != 0)
		memset(&in->m.when, 0, sizeof(in->m.when));
	for (tl = 0; tl < c.content_type.len && tl + 1 < sizeof(in->type);
	     tl++)
		if (strchr("; \t", c.content_type.p[tl]))
			break;
	for (i = 0; i < tl; i++) {
		char ch = c.content_type.p[i];

		in->type[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	in->type[tl] = '\0';
	in->m.type = in->type;
	in->m.body = c.body.p;
	in->m.len = c.body.len;
	if (strncmp(in->type, "text/", 5) == 0 &&
	    utf8_valid_len(c.body.p, c.body.len) != c.body.len)
		return sx_err_set(err, 400, "%s body is not UTF-8", in->type);
	h = cpim_header(&c, ROOM_NS, "Subject");
	if (h && decode_subject(h, in, err) != 0)
		return SX_ERROR;
	if (strcmp(in->type, ISCOMPOSING_MIME) == 0)
		return decode_composing(in, err);
	return 0;
}

void leg_cpim_in_free(struct leg_cpim_in *in)
{
	free(in->from_aor);
	free(in->subject);
	in->from_aor = NULL;
	in->subject = NULL;
}
