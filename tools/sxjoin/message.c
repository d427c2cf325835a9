/*
 * message.c - the message/cpim wrapper (RFC 3862) of everything said in a
 * room (RFC 7701 §7, RFC 7702 §5.5): building what we send, decoding what
 * the room forwards.
 *
 *   From: "nick" <sip:alice@example.test>      the sender's AOR; the room
 *   To: <sip:room@conf.example.test>           checks it is really ours
 *   To: <sip:room@conf.example.test;gr=bob>    private, to bob (RFC 7701 §6.2)
 *   DateTime: 2024-05-01T18:30:00.000Z
 *   NS: room <urn:x-sxgw:room>                 a subject change: sxgw's own
 *   room.Subject: New topic                    header, the body empty
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpim.h"
#include "sxjoin.h"

#define MESSAGE_ROOM_NS "urn:x-sxgw:room"

static void message_build(struct cpim_builder *b, const char *aor,
			  const char *nick, const char *to_uri,
			  const struct timespec *ts, const char *text,
			  int subject)
{
	cpim_build_from(b, nick, aor);
	cpim_build_to(b, NULL, to_uri);
	cpim_build_datetime(b, ts, 0);
	if (subject) {
		cpim_build_ns(b, "room", MESSAGE_ROOM_NS);
		cpim_build_header(b, "room.Subject", text);
	}
	cpim_build_content(b, "text/plain", "UTF-8");
	if (subject)
		cpim_build_body(b, "", 0);
	else
		cpim_build_body(b, text, strlen(text));
}

char *message_wrap(const char *aor, const char *nick, const char *to_uri,
		   const char *text, int subject, size_t *len,
		   struct sx_err *err)
{
	struct cpim_builder b;
	struct timespec ts;
	ssize_t n;
	char *buf;

	clock_gettime(CLOCK_REALTIME, &ts);
	cpim_build_init(&b, NULL, 0);
	message_build(&b, aor, nick, to_uri, &ts, text, subject);
	n = cpim_build_done(&b, err);
	if (n < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (buf == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	cpim_build_init(&b, buf, (size_t)n + 1);
	message_build(&b, aor, nick, to_uri, &ts, text, subject);
	if (cpim_build_done(&b, err) != n) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static char *message_header_uri(const struct cpim_msg *m, const char *name,
				struct cpim_addr *a)
{
	const struct cpim_header *h = cpim_header(m, NULL, name);
	struct sx_err err;

	if (h == NULL ||
	    cpim_addr_parse(h->value.p, h->value.len, a, &err) != 0)
		return NULL;
	return strndup(a->uri.p, a->uri.len);
}

static void message_subject(struct sj *app, const struct cpim_header *h,
			    struct sj_event *e)
{
	ssize_t n = cpim_unescape(h->value.p, h->value.len, NULL, 0);
	char *text;

	if (n < 0 || (text = malloc((size_t)n + 1)) == NULL)
		return;
	cpim_unescape(h->value.p, h->value.len, text, (size_t)n + 1);
	free(app->subject);
	app->subject = text;
	e->type = SJ_EV_SUBJECT;
	e->text = text;
	e->text_len = (size_t)n;
	e->sized = 1;
	e->private_msg = 0;
	sj_emit(app, e);
}

void message_received(struct sj *app, const char *body, size_t len)
{
	struct sj_event e = { .type = SJ_EV_MESSAGE };
	const struct cpim_header *h;
	struct cpim_addr from, to;
	char *aor, *to_uri, type[128];
	struct cpim_msg m;
	struct sx_err err;
	size_t tl;

	sx_err_clear(&err);
	if (cpim_parse(body, len, NULL, 0, &m, &err) < 0) {
		sj_error(app, "message", 0, "undecodable message from the "
			 "room: %s", err.text);
		return;
	}
	aor = message_header_uri(&m, "From", &from);
	if (aor == NULL) {
		sj_error(app, "message", 0, "message without a valid CPIM "
			 "From");
		return;
	}
	to_uri = message_header_uri(&m, "To", &to);
	e.aor = aor;
	e.nick = from.name[0] ? from.name : roster_nick_of(app->roster, aor);
	if (e.nick == NULL)
		e.nick = aor;
	e.private_msg = to_uri && sip_uri_has_param(to_uri, "gr");
	h = cpim_header(&m, NULL, "DateTime");
	if (h == NULL || cpim_datetime_parse(h->value.p, h->value.len,
					     &e.time, NULL, &err) != 0)
		clock_gettime(CLOCK_REALTIME, &e.time);
	h = cpim_header(&m, MESSAGE_ROOM_NS, "Subject");
	if (h) {
		message_subject(app, h, &e);
		goto out;
	}
	for (tl = 0; tl < m.content_type.len; tl++)
		if (strchr("; \t", m.content_type.p[tl]))
			break;
	snprintf(type, sizeof(type), "%.*s", (int)tl, m.content_type.p);
	/* typing notifications (RFC 3994) are not worth a line */
	if (strcasecmp(type, "application/im-iscomposing+xml") == 0)
		goto out;
	e.text = m.body.p;
	e.text_len = m.body.len;
	e.sized = 1;
	if (strcasecmp(type, "text/plain") != 0) {
		e.content_type = type;
		if (strncasecmp(type, "text/", 5) != 0)
			e.text = NULL;  /* shown as its type and size */
	}
	sj_emit(app, &e);
out:
	free(to_uri);
	free(aor);
}
