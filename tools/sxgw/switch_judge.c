/*
 * switch_judge.c - what the switch decides from a message's CPIM headers
 * (RFC 7701 §6.2, RFC 3862 §4): is it the sender's, is it for this room,
 * for whom.
 *
 *   From: <the sender's AOR>              else 403 (anti-spoofing)
 *   To: <sip:ROOM@DOMAIN>                 exactly one, else 403: every
 *                                         other connected participant
 *                                         that accepts the inner type
 *   To: <sip:ROOM@DOMAIN;gr=NICK>         NICK percent-decoded: that
 *                                         participant only (404, 428, 415)
 *   NS: room <urn:x-sxgw:room>            a public message with
 *   room.Subject: TEXT                    room.Subject sets the subject
 *                                         and stays out of history
 *
 * URIs compare without their parameters, case-insensitively, as room.c
 * compares AORs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpim.h"
#include "nickname.h"
#include "sdp_msrp.h"
#include "switch_int.h"

#define ROOM_NS   "urn:x-sxgw:room"   /* our subject header */
#define TYPE_MAX  256

static size_t uri_base_len(const struct cpim_str *u)
{
	size_t i;

	for (i = 0; i < u->len; i++)
		if (u->p[i] == ';' || u->p[i] == '?')
			break;
	return i;
}

static int uri_base_is(const struct cpim_str *u, const char *want)
{
	size_t n = uri_base_len(u);

	return n == strlen(want) && strncasecmp(u->p, want, n) == 0;
}

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

/* The percent-decoded value of the gr parameter of u into out; 1 found, 0
 * absent, -1 malformed. */
static int uri_gr(const struct cpim_str *u, char *out, size_t cap)
{
	size_t i = uri_base_len(u), o = 0;

	while (i < u->len && u->p[i] == ';') {
		size_t name = ++i, val;

		while (i < u->len && u->p[i] != '=' && u->p[i] != ';' &&
		       u->p[i] != '?')
			i++;
		if (i - name != 2 || strncasecmp(u->p + name, "gr", 2) != 0 ||
		    i >= u->len || u->p[i] != '=') {
			while (i < u->len && u->p[i] != ';' && u->p[i] != '?')
				i++;
			continue;
		}
		for (val = ++i; i < u->len && u->p[i] != ';' &&
		     u->p[i] != '?'; i++) {
			char c = u->p[i];

			if (c == '%') {
				int hi, lo;

				if (i + 2 >= u->len ||
				    (hi = hexval(u->p[i + 1])) < 0 ||
				    (lo = hexval(u->p[i + 2])) < 0)
					return -1;
				c = (char)(hi << 4 | lo);
				i += 2;
			}
			if (c == '\0' || o + 1 >= cap)
				return -1;
			out[o++] = c;
		}
		out[o] = '\0';
		return i > val ? 1 : -1;
	}
	return 0;
}

int sw_accepts(const struct participant *q, const char *type)
{
	return q->accept_wrapped == NULL ||
	       sdp_msrp_accepts(q->accept_wrapped, type);
}

static int rcpt_add(struct sw_msg *m, struct switch_session *s)
{
	struct sw_rcpt *r = realloc(m->rcpt, (m->nrcpt + 1) * sizeof(*r));

	if (r == NULL)
		return SX_ERROR;
	m->rcpt = r;
	r[m->nrcpt].s = s;
	r[m->nrcpt].next = 1;
	m->nrcpt++;
	return 0;
}

static int private_rcpt(struct sw_msg *m, const char *nick, const char *type,
			char *why, size_t cap)
{
	struct participant *q = room_find_nick(m->from->p->room, nick);

	if (q == NULL || q->msrp == NULL || q->state != PART_CONNECTED) {
		snprintf(why, cap, "no participant '%.60s' in the room", nick);
		return 404;
	}
	if (!q->private_messages) {
		snprintf(why, cap, "'%.60s' does not take private messages",
			 nick);
		return 428;
	}
	if (!sw_accepts(q, type)) {
		snprintf(why, cap, "'%.60s' does not accept %.60s", nick, type);
		return 415;
	}
	if (sw_queue_admit(q->msrp) && rcpt_add(m, q->msrp) != 0) {
		snprintf(why, cap, "out of memory");
		return 500;
	}
	return 0;
}

static int public_rcpts(struct sw_msg *m, const struct cpim_msg *cm,
			const char *type, char *why, size_t cap)
{
	struct participant *p = m->from->p, *q;
	const struct cpim_header *sh = cpim_header(cm, ROOM_NS, "Subject");

	m->public_msg = 1;
	if (sh) {
		ssize_t n = cpim_unescape(sh->value.p, sh->value.len, NULL, 0);

		m->subject = n >= 0 ? malloc((size_t)n + 1) : NULL;
		if (m->subject == NULL) {
			snprintf(why, cap, "bad room.Subject value");
			return 400;
		}
		cpim_unescape(sh->value.p, sh->value.len, m->subject,
			      (size_t)n + 1);
	}
	m->keep = sh == NULL && m->sw->cfg->history_size > 0;
	for (q = p->room->participants; q; q = q->next) {
		if (q == p || q->msrp == NULL || q->state != PART_CONNECTED ||
		    !sw_accepts(q, type) || !sw_queue_admit(q->msrp))
			continue;
		if (rcpt_add(m, q->msrp) != 0) {
			snprintf(why, cap, "out of memory");
			return 500;
		}
	}
	return 0;
}

int sw_judge(struct sw_msg *m, const struct cpim_msg *cm, char *why,
	     size_t cap)
{
	struct participant *p = m->from->p;
	const struct cpim_header *h;
	struct cpim_addr *a;
	char type[TYPE_MAX], nick[NICKNAME_MAX + 1];
	struct sx_err err;
	unsigned nto;
	int status = 0, gr;

	a = malloc(sizeof(*a));
	if (a == NULL) {
		snprintf(why, cap, "out of memory");
		return 500;
	}
	h = cpim_header(cm, NULL, "From");
	if (h == NULL || cpim_addr_parse(h->value.p, h->value.len, a,
					 &err) != 0) {
		snprintf(why, cap, "no valid CPIM From");
		status = 400;
		goto out;
	}
	if (!uri_base_is(&a->uri, p->aor)) {
		snprintf(why, cap, "CPIM From <%.*s> is not the sender <%s>",
			 (int)a->uri.len, a->uri.p, p->aor);
		status = 403;
		goto out;
	}
	nto = cpim_header_count(cm, NULL, "To");
	h = cpim_header(cm, NULL, "To");
	if (nto != 1 || cpim_addr_parse(h->value.p, h->value.len, a,
					&err) != 0) {
		snprintf(why, cap, "%u CPIM To headers: exactly one valid "
			 "one is needed", nto);
		status = 403;
		goto out;
	}
	if (!uri_base_is(&a->uri, p->room->uri)) {
		snprintf(why, cap, "CPIM To <%.*s> is not this room",
			 (int)a->uri.len, a->uri.p);
		status = 403;
		goto out;
	}
	snprintf(type, sizeof(type), "%.*s", (int)cm->content_type.len,
		 cm->content_type.p);
	gr = uri_gr(&a->uri, nick, sizeof(nick));
	if (gr < 0) {
		snprintf(why, cap, "malformed gr parameter in the CPIM To");
		status = 404;
	} else if (gr > 0) {
		status = private_rcpt(m, nick, type, why, cap);
	} else {
		status = public_rcpts(m, cm, type, why, cap);
	}
out:
	free(a);
	return status;
}
