/*
 * gw_message.c - messages between XMPP occupants and the room (RFC 7702
 * §5.5, XEP-0045 §7.4, §7.5, §8.1; XEP-0085 chat states <-> RFC 3994
 * is-composing; XEP-0203 delayed delivery for history).
 *
 * XMPP -> room: a groupchat from a joined occupant becomes one MSRP SEND
 * on its leg; the switch's answer decides what the client sees: its own
 * message reflected with its id (200), or an error message with that id.
 * A private message (type chat or normal to room/nick) goes to the same
 * leg with CPIM To ;gr=nick.  Only the plain <body> is carried: the
 * XHTML-IM alternative (XEP-0071) is left out, as the body is the
 * message and the markup only its decoration.
 *
 * Room -> XMPP: what a leg receives is shown to its own client only, from
 * the sender's occupant JID.  Bodies that are not text are not forwarded:
 * XMPP has no standard way to carry an arbitrary MIME body in a message,
 * so the client gets a one-line note saying what was sent instead, and
 * nothing of the room is dropped without a trace.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/HTMLparser.h>

#include "gw.h"
#include "gw_leg.h"
#include "jid.h"
#include "sip_uri.h"
#include "sx_log.h"

#define GW_NS_MUC_USER   "http://jabber.org/protocol/muc#user"
#define GW_NS_CHATSTATES "http://jabber.org/protocol/chatstates"
#define GW_NS_SID        "urn:xmpp:sid:0"
#define GW_TEXT_PLAIN    "text/plain;charset=UTF-8"

/* A JID is at most three parts of JID_PART_MAX bytes and "@", "/". */
#define GW_JID_MAX (3 * (JID_PART_MAX + 1))

/* --- XMPP -> room -------------------------------------------------------- */

/* What a client's message carries, texts allocated by libstrophe. */
struct gw_in {
	xmpp_ctx_t *ctx;
	char *body;              /* NULL: none, or empty */
	size_t body_len;
	char *subject;           /* a subject change, "" clears it */
	int has_subject;
	const char *chat_state;  /* XEP-0085 element name, NULL: none */
};

static void gw_in_free(struct gw_in *in)
{
	if (in->body)
		xmpp_free(in->ctx, in->body);
	if (in->subject)
		xmpp_free(in->ctx, in->subject);
}

static void gw_in_read(struct gw *gw, xmpp_stanza_t *st, int groupchat,
		       struct gw_in *in)
{
	xmpp_stanza_t *c;

	memset(in, 0, sizeof(*in));
	in->ctx = gw_ctx(gw);
	in->body = xmpp_message_get_body(st);
	if (in->body && in->body[0] == '\0') {
		xmpp_free(in->ctx, in->body);
		in->body = NULL;
	}
	if (in->body)
		in->body_len = strlen(in->body);
	/* XEP-0045 §8.1: only a <subject/> without a <body/> changes the
	 * subject; with a body it is an ordinary message */
	c = xmpp_stanza_get_child_by_name(st, "subject");
	if (groupchat && c && in->body == NULL) {
		in->has_subject = 1;
		in->subject = xmpp_stanza_get_text(c);
	}
	for (c = xmpp_stanza_get_children(st); c; c = xmpp_stanza_get_next(c)) {
		const char *ns = xmpp_stanza_get_ns(c);

		if (xmpp_stanza_is_tag(c) && ns &&
		    strcmp(ns, GW_NS_CHATSTATES) == 0) {
			in->chat_state = xmpp_stanza_get_name(c);
			break;
		}
	}
}

/* XEP-0085 §5 -> RFC 3994: composing is "active"; a paused, inactive or
 * active user is "idle".  <gone/> has no place in a room (XEP-0085
 * §5.5) and maps to nothing. */
static const char *gw_chat_state_to_iscomposing(const char *state)
{
	if (state == NULL)
		return NULL;
	if (strcmp(state, "composing") == 0)
		return "active";
	if (strcmp(state, "paused") == 0 || strcmp(state, "inactive") == 0 ||
	    strcmp(state, "active") == 0)
		return "idle";
	return NULL;
}

static void gw_pending_free(struct gw_pending *p)
{
	if (p == NULL)
		return;
	free(p->id);
	free(p->to);
	if (p->copy)
		xmpp_stanza_release(p->copy);
	free(p);
}

static void gw_pending_unlink(struct gw_occ *o, struct gw_pending *p)
{
	struct gw_pending **pp;

	for (pp = &o->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	p->next = NULL;
}

static void gw_pending_append(struct gw_occ *o, struct gw_pending *p)
{
	struct gw_pending **pp = &o->pending;

	while (*pp)
		pp = &(*pp)->next;
	*pp = p;
}

/* The message as it will be reflected or answered with an error: from
 * the client to where it sent it, with its id, body and subject, and the
 * XEP-0359 origin-id clients match reflections with. */
static struct gw_pending *gw_pending_new(struct gw_occ *o,
					 xmpp_stanza_t *st,
					 const struct gw_in *in,
					 int private_msg)
{
	struct gw_pending *p = calloc(1, sizeof(*p));
	const char *id = xmpp_stanza_get_id(st);
	const char *to = xmpp_stanza_get_to(st);
	xmpp_stanza_t *oid;

	if (p == NULL)
		return NULL;
	p->occ = o;
	p->private_msg = private_msg;
	p->id = id ? strdup(id) : NULL;
	p->to = strdup(to);
	p->copy = gw_stanza_new(o->gw, "message", o->jid, to,
				private_msg ? "chat" : "groupchat");
	if ((id && p->id == NULL) || p->to == NULL || p->copy == NULL) {
		gw_pending_free(p);
		return NULL;
	}
	if (id)
		xmpp_stanza_set_id(p->copy, id);
	if (in->has_subject)
		gw_stanza_text_child(p->copy, "subject", in->subject,
				     in->subject ? strlen(in->subject) : 0);
	if (in->body)
		gw_stanza_text_child(p->copy, "body", in->body, in->body_len);
	oid = xmpp_stanza_get_child_by_name_and_ns(st, "origin-id", GW_NS_SID);
	if (oid)
		xmpp_stanza_add_child_ex(p->copy, xmpp_stanza_copy(oid), 0);
	if (private_msg)
		gw_stanza_child(p->copy, "x", GW_NS_MUC_USER);
	return p;
}

/* At most how large the message/cpim the leg makes of this message is
 * (gw_leg_cpim.c): From "nick" <aor> (quoting at most doubles the nick),
 * To <room;gr=nick> (%-escapes at most triple it), DateTime, the NS and
 * the escaped room.Subject, Content-Type, and the body.  Every XMPP
 * occupant's leg refuses a CPIM message larger than max_stanza_size
 * (413, gw_leg_msrp.c): one that passed here on its body alone would
 * reach the SIP participants and be lost to the XMPP ones, while its
 * sender saw it reflected. */
static size_t gw_cpim_size_bound(const struct gw_occ *o,
				 const struct gw_in *in, const char *to_nick)
{
	/* "From: " "\r\n" "To: " "DateTime: " + a stamp, "NS: room
	 * <urn:x-sxgw:room>", "room.Subject: ", "Content-Type:
	 * text/plain;charset=UTF-8", blank lines: 170 bytes, rounded up */
	size_t n = 256;

	n += 2 * (o->nick ? strlen(o->nick) : 0) + strlen(o->aor);
	n += strlen(o->room_uri) + (to_nick ? 3 * strlen(to_nick) : 0);
	/* a header value escapes a control character as \uXXXX */
	if (in->subject)
		n += 6 * strlen(in->subject);
	return n + in->body_len;
}

/* A message for the room (nick NULL) or for one occupant of it. */
static void gw_message_to_room(struct gw *gw, xmpp_stanza_t *st,
			       const char *room_jid, const char *nick)
{
	const char *from = xmpp_stanza_get_from(st);
	struct gw_occ *o = gw_occ_find(gw, from, room_jid);
	struct gw_out out;
	struct gw_pending *p;
	struct gw_in in;
	size_t size;
	char text[128];

	gw_in_read(gw, st, nick == NULL, &in);
	memset(&out, 0, sizeof(out));
	out.to_nick = nick;
	if (o == NULL || o->state != OCC_JOINED || o->leg == NULL) {
		/* a chat state or a receipt from a client that just left
		 * is noise, not a message lost */
		if (in.body == NULL && !in.has_subject)
			sx_debug("xmpp: %s: payload-only message from "
				 "non-occupant %s ignored", room_jid, from);
		else
			gw_stanza_error(gw, st, "modify", "not-acceptable",
					"only occupants may send messages "
					"to the room");
		goto out;
	}
	if (in.body == NULL && !in.has_subject) {
		out.composing = gw_chat_state_to_iscomposing(in.chat_state);
		/* an indication is not reflected and its answer matters to
		 * nobody: no cookie */
		if (out.composing && gw_leg_send(o->leg, &out, NULL) != 0)
			sx_debug("xmpp: %s: is-composing from %s not sent",
				 room_jid, from);
		goto out;
	}
	size = gw_cpim_size_bound(o, &in, nick);
	if (size > gw->x->max_stanza_size) {
		snprintf(text, sizeof(text),
			 "the message is larger than the %zu bytes a message "
			 "may have here", gw->x->max_stanza_size);
		gw_stanza_error(gw, st, "modify", "policy-violation", text);
		goto out;
	}
	p = gw_pending_new(o, st, &in, nick != NULL);
	if (p == NULL) {
		gw_stanza_error(gw, st, "wait", "resource-constraint", NULL);
		goto out;
	}
	if (in.body) {
		out.type = GW_TEXT_PLAIN;
		out.body = in.body;
		out.len = in.body_len;
	}
	if (in.has_subject)
		out.subject = in.subject ? in.subject : "";
	gw_pending_append(o, p);
	if (gw_leg_send(o->leg, &out, p) != 0)
		gw_message_sent(o, p, 503, "the room cannot take the message");
out:
	gw_in_free(&in);
}

enum gw_invitation { GW_NO_INVITATION, GW_INVITE, GW_DECLINE };

/* An <x xmlns=muc#user> with an <invite/> or a <decline/> (XEP-0045
 * §7.8.2, §7.8.3). */
static enum gw_invitation gw_is_invitation(xmpp_stanza_t *st)
{
	xmpp_stanza_t *x;

	x = xmpp_stanza_get_child_by_name_and_ns(st, "x", GW_NS_MUC_USER);
	if (x && xmpp_stanza_get_child_by_name(x, "invite"))
		return GW_INVITE;
	if (x && xmpp_stanza_get_child_by_name(x, "decline"))
		return GW_DECLINE;
	return GW_NO_INVITATION;
}

void gw_message_from_client(struct gw *gw, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *to = xmpp_stanza_get_to(st);
	char room_jid[GW_JID_MAX];
	struct sx_err err;
	struct jid *j;

	if (type && strcmp(type, "error") == 0) {
		/* RFC 6120 §8.3.1: an error is never answered */
		sx_debug("xmpp: error message from %s to %s dropped",
			 from ? from : "?", to ? to : "?");
		return;
	}
	if (from == NULL || to == NULL) {
		sx_info("xmpp: message without %s dropped",
			from ? "to" : "from");
		return;
	}
	if (type == NULL)
		type = "normal";
	j = malloc(sizeof(*j));
	if (j == NULL)
		return;
	if (jid_parse(to, j, &err) != 0) {
		gw_stanza_error(gw, st, "modify", "jid-malformed", err.text);
		goto out;
	}
	if (j->local[0] == '\0') {
		gw_stanza_error(gw, st, "cancel", "service-unavailable",
				"this service takes messages for its rooms "
				"only");
		goto out;
	}
	jid_format(room_jid, sizeof(room_jid), j, 1);
	switch (gw_is_invitation(st)) {
	case GW_INVITE:
		gw_invite_mediated(gw, st, room_jid);
		goto out;
	case GW_DECLINE:
		gw_invited_decline(gw, st, room_jid);
		goto out;
	default:
		break;
	}
	if (j->resource[0]) {
		/* XEP-0045 §7.5: a private message is chat (or normal),
		 * never groupchat */
		if (strcmp(type, "groupchat") == 0)
			gw_stanza_error(gw, st, "modify", "bad-request",
					"a groupchat message cannot go to "
					"one occupant");
		else if (strcmp(type, "headline") == 0)
			sx_debug("xmpp: %s: headline from %s ignored", to,
				 from);
		else
			gw_message_to_room(gw, st, room_jid, j->resource);
		goto out;
	}
	if (strcmp(type, "groupchat") == 0) {
		gw_message_to_room(gw, st, room_jid, NULL);
	} else if (xmpp_stanza_get_child_by_name(st, "body")) {
		gw_stanza_error(gw, st, "modify", "bad-request",
				"messages to the room are of type groupchat");
	} else {
		sx_debug("xmpp: %s: %s message without body from %s ignored",
			 to, type, from);
	}
out:
	free(j);
}

void gw_message_sent(struct gw_occ *o, struct gw_pending *p, int status,
		     const char *phrase)
{
	struct gw *gw = o->gw;
	char *nick_jid = NULL;

	if (p == NULL)
		return;
	gw_pending_unlink(o, p);
	if (status >= 200 && status < 300) {
		/* XEP-0045 §7.4: the sender sees its message come back from
		 * its occupant JID, id kept; private messages are not
		 * reflected (§7.5) */
		if (!p->private_msg && o->state == OCC_JOINED) {
			if (o->nick && asprintf(&nick_jid, "%s/%s",
						o->room_jid, o->nick) < 0)
				nick_jid = NULL;
			xmpp_stanza_set_from(p->copy,
					     nick_jid ? nick_jid : o->room_jid);
			xmpp_stanza_set_to(p->copy, o->jid);
			gw_send(gw, p->copy);
			free(nick_jid);
		}
	} else if (status == 428 && p->private_msg) {
		/* RFC 7701 §6.2: the recipient does not take private
		 * messages; in SIP 428 means something else */
		gw_stanza_error(gw, p->copy, "cancel",
				"feature-not-implemented",
				phrase ? phrase : "the recipient does not "
				"accept private messages");
	} else {
		sx_info("xmpp: %s: message from %s refused: %d %s",
			o->room_jid, o->jid, status, phrase ? phrase : "");
		gw_stanza_error_sip(gw, p->copy, status, phrase);
	}
	gw_pending_free(p);
}

void gw_message_pending_fail(struct gw_occ *o, int status,
			     const char *phrase)
{
	while (o->pending)
		gw_message_sent(o, o->pending, status, phrase);
}

/* --- room -> XMPP -------------------------------------------------------- */

struct gw_buf {
	char *s;
	size_t len, cap;
	int failed;
};

static void gw_buf_add(struct gw_buf *b, const char *s, size_t n)
{
	char *ns;
	size_t cap;

	if (b->failed || n == 0)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (ns == NULL) {
			b->failed = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Elements after which the text continues on a new line. */
static int gw_html_block(const char *name)
{
	static const char *const block[] = {
		"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5",
		"h6", "blockquote", "pre", "ul", "ol", "table", "hr", NULL,
	};
	int i;

	for (i = 0; block[i]; i++)
		if (strcasecmp(name, block[i]) == 0)
			return 1;
	return 0;
}

static void gw_html_newline(struct gw_buf *b, const char *name)
{
	if (gw_html_block(name) && b->len && b->s[b->len - 1] != '\n')
		gw_buf_add(b, "\n", 1);
}

static void gw_html_walk(xmlNode *n, struct gw_buf *b, int depth)
{
	const char *name;

	/* a document nested deeper than this is an attack, not a message */
	if (depth > 64)
		return;
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				gw_buf_add(b, (const char *)n->content,
					   strlen((const char *)n->content));
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		name = (const char *)n->name;
		if (strcasecmp(name, "script") == 0 ||
		    strcasecmp(name, "style") == 0 ||
		    strcasecmp(name, "head") == 0 ||
		    strcasecmp(name, "title") == 0)
			continue;
		/* the HTML parser nests what a browser would close, so a
		 * block starts a line as well as ends one */
		gw_html_newline(b, name);
		gw_html_walk(n->children, b, depth + 1);
		gw_html_newline(b, name);
	}
}

/* text/html as the text a reader would see: markup and scripts gone,
 * entities decoded, never a network access.  We do not offer the HTML as
 * XHTML-IM: XEP-0071 is deprecated and making arbitrary HTML safe for it
 * takes a sanitiser, while the text loses nothing a reader needs.
 * Returns a malloc'd string, or NULL when there is no text. */
static char *gw_html_to_text(const char *html, size_t len)
{
	struct gw_buf b = { 0 };
	htmlDocPtr doc;
	size_t start = 0;

	if (len > (size_t)INT32_MAX)
		return NULL;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
			     HTML_PARSE_NONET | HTML_PARSE_NOERROR |
			     HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED);
	if (doc == NULL)
		return NULL;
	gw_html_walk(xmlDocGetRootElement(doc), &b, 0);
	xmlFreeDoc(doc);
	if (b.failed || b.s == NULL) {
		free(b.s);
		return NULL;
	}
	while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == ' '))
		b.s[--b.len] = '\0';
	while (start < b.len && (b.s[start] == '\n' || b.s[start] == ' '))
		start++;
	if (start == b.len) {
		/* markup without text (an image, an empty paragraph): the
		 * caller says what came rather than send an empty body */
		free(b.s);
		return NULL;
	}
	memmove(b.s, b.s + start, b.len - start + 1);
	return b.s;
}

/* Whether the roster user u is of aor: its entity is aor, or aor with a
 * gr (one user per GRUU), or aor is one of its associated AORs. */
static int gw_user_of(const struct confinfo_user *u, const char *aor)
{
	char *ua;
	size_t k;
	int same;

	if (u->entity && strcasecmp(u->entity, aor) == 0)
		return 1;
	for (k = 0; k < u->naors; k++)
		if (u->aors[k] && strcasecmp(u->aors[k], aor) == 0)
			return 1;
	ua = u->entity ? sip_uri_aor(u->entity, NULL) : NULL;
	same = ua && (strcasecmp(ua, aor) == 0 || sip_uri_same(ua, aor));
	free(ua);
	return same;
}

/* The roster user that sent a message: CPIM From is the bare AOR, so
 * among several users of it (resources of one JID, each its own user)
 * the one whose nick is the CPIM display name; *several says there were
 * several to choose from. */
static const struct confinfo_user *gw_roster_user(const struct confinfo *ci,
						  const struct gw_msg *m,
						  int *several)
{
	const struct confinfo_user *first = NULL;
	size_t i;

	*several = 0;
	if (ci == NULL || m->from_aor == NULL)
		return NULL;
	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (!gw_user_of(u, m->from_aor))
			continue;
		if (m->from_name && u->nickname &&
		    strcmp(u->nickname, m->from_name) == 0)
			return u;
		if (first)
			*several = 1;
		else
			first = u;
	}
	return first;
}

/* room@domain/nick, when nick makes a valid JID. */
static char *gw_nick_jid(const char *room_jid, const char *nick)
{
	struct jid *j = malloc(sizeof(*j));
	char *s = NULL;

	if (j == NULL)
		return NULL;
	if (asprintf(&s, "%s/%s", room_jid, nick) < 0)
		s = NULL;
	else if (jid_parse(s, j, NULL) != 0 || j->resource[0] == '\0') {
		free(s);
		s = NULL;
	}
	free(j);
	return s;
}

/* The occupant JID a room message comes from, as this client knows the
 * sender: the roster's nick for the sender's AOR; when several users or
 * endpoints share that AOR (one per GRUU, or one user with several
 * clients, each with its nick), the CPIM display name -- the nick the
 * sending endpoint put there -- tells them apart; a sender not in the
 * roster is known by its display name alone.  Failing all that, the room itself.  malloc'd. */
static char *gw_sender_jid(struct gw_occ *o, const struct gw_msg *m)
{
	const struct confinfo *ci = o->leg ? gw_leg_roster(o->leg) : NULL;
	int several;
	const struct confinfo_user *u = gw_roster_user(ci, m, &several);
	char *s = NULL;

	if (u && ((u->nendpoints <= 1 && !several) || m->from_name == NULL))
		s = gw_presence_occupant_jid(o, u);
	if (s == NULL && m->from_name && *m->from_name)
		s = gw_nick_jid(o->room_jid, m->from_name);
	return s ? s : strdup(o->room_jid);
}

static void gw_fresh_id(char *buf, size_t cap)
{
	static unsigned long counter;
	static time_t boot;

	if (boot == 0)
		boot = time(NULL);
	snprintf(buf, cap, "sxgw-%lx-%lu", (unsigned long)boot, ++counter);
}

static xmpp_stanza_t *gw_room_stanza(struct gw_occ *o, const char *from,
				     const char *type)
{
	xmpp_stanza_t *st = gw_stanza_new(o->gw, "message", from, o->jid,
					  type);
	char id[64];

	if (st == NULL)
		return NULL;
	gw_fresh_id(id, sizeof(id));
	xmpp_stanza_set_id(st, id);
	return st;
}

static void gw_room_send(struct gw_occ *o, xmpp_stanza_t *st,
			 const struct gw_msg *m)
{
	struct timespec now;

	if (st == NULL)
		return;
	if (m->history) {
		/* XEP-0045 §7.2.13: history carries the original time,
		 * stamped by the room */
		if (m->when.tv_sec == 0 && m->when.tv_nsec == 0) {
			clock_gettime(CLOCK_REALTIME, &now);
			gw_stanza_delay(st, o->room_jid, &now);
		} else {
			gw_stanza_delay(st, o->room_jid, &m->when);
		}
	}
	if (m->private_msg)
		gw_stanza_child(st, "x", GW_NS_MUC_USER);
	gw_send(o->gw, st);
	xmpp_stanza_release(st);
}

/* The body to show for a message: text as is, HTML as text, anything
 * else as a note.  *text is malloc'd when the function allocated it. */
static const char *gw_shown_body(const struct gw_msg *m, size_t *len,
				 char **alloc)
{
	const char *type = m->type ? m->type : "text/plain";

	*alloc = NULL;
	if (strcmp(type, "text/html") == 0) {
		*alloc = gw_html_to_text(m->body, m->len);
		if (*alloc) {
			*len = strlen(*alloc);
			return *alloc;
		}
	} else if (strncmp(type, "text/", 5) == 0) {
		*len = m->len;
		return m->body;
	}
	/* not text, or HTML that did not parse */
	if (asprintf(alloc, "[a message of type %s, %zu bytes, not shown]",
		     type, m->len) < 0) {
		*alloc = NULL;
		return NULL;
	}
	*len = strlen(*alloc);
	return *alloc;
}

void gw_message_from_room(struct gw_occ *o, const struct gw_msg *m)
{
	const char *type = m->private_msg ? "chat" : "groupchat";
	const char *body = NULL;
	char *from, *alloc = NULL;
	xmpp_stanza_t *st;
	size_t len = 0;

	if (o->state != OCC_JOINED)
		return;
	/* a typing notice from the past means nothing */
	if (m->composing && m->history)
		return;
	from = gw_sender_jid(o, m);
	if (from == NULL)
		return;
	if (m->composing) {
		/* RFC 3994 -> XEP-0085: active is composing, idle paused */
		st = gw_room_stanza(o, from, type);
		if (st)
			gw_stanza_child(st, strcmp(m->composing, "active") == 0 ?
					"composing" : "paused",
					GW_NS_CHATSTATES);
		gw_room_send(o, st, m);
		goto out;
	}
	if (m->body && m->len > 0)
		body = gw_shown_body(m, &len, &alloc);
	if (m->has_subject && !m->private_msg) {
		/* XEP-0045 §8.1: a subject change carries no body, or
		 * clients do not take it as one; the body follows apart */
		st = gw_room_stanza(o, from, type);
		if (st)
			gw_stanza_text_child(st, "subject", m->subject,
					     m->subject ? strlen(m->subject) : 0);
		gw_room_send(o, st, m);
	}
	if (body && len > 0) {
		st = gw_room_stanza(o, from, type);
		if (st) {
			gw_stanza_text_child(st, "body", body, len);
			/* XEP-0085 §5.1: a message ends "composing" */
			if (!m->history)
				gw_stanza_child(st, "active",
						GW_NS_CHATSTATES);
		}
		gw_room_send(o, st, m);
	}
out:
	free(alloc);
	free(from);
}
