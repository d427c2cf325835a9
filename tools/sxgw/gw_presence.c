/*
 * gw_presence.c - a room's roster (RFC 4575 conference-info) as MUC
 * presences for one XMPP occupant: XEP-0045 §7.2 (entering: the others
 * first, the self-presence last, then history, then the subject), §7.6
 * (nick changes: 303 then the new presence), §7.14 (exits), with the
 * mapping of RFC 7702 §5.3 Tables 2 and 3.
 *
 *   user entity (AOR)             -> the occupant
 *   xcon:nickname, display-text   -> its nick (the occupant JID's resource)
 *   associated AOR mapped to JID  -> item jid= (non-anonymous rooms only):
 *                                    bob@sip.example.test for a SIP user,
 *                                    the user's own full JID for one of
 *                                    ours (the endpoint's ;gr= resource)
 *   endpoint disconnection-method -> 307 (booted), 333 (failed)
 *
 * sxgw's rooms have no owners or admins (RFC 7701 gives the room no way
 * to grant them), so every item says affiliation "none"; the role is the
 * roster's (RFC 4575 roles) when it names a MUC role, else "participant".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw.h"
#include "gw_leg.h"
#include "jid.h"
#include "sx_log.h"

#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define JID_MAX (3 * JID_PART_MAX + 3)

static const char *user_nick(const struct confinfo_user *u)
{
	if (u->nickname && u->nickname[0])
		return u->nickname;
	if (u->display_text && u->display_text[0])
		return u->display_text;
	return NULL;
}

/* Endpoints dialed out to and not answered yet, or on their way out, are
 * not in the room. */
static int endpoint_in(const struct confinfo_endpoint *e)
{
	return e->status == NULL || !strcmp(e->status, "connected") ||
	       !strcmp(e->status, "on-hold") ||
	       !strcmp(e->status, "muted-via-focus");
}

static int user_present(const struct confinfo_user *u)
{
	size_t i;

	if (user_nick(u) == NULL)
		return 0;
	if (u->nendpoints == 0)
		return 1;
	for (i = 0; i < u->nendpoints; i++)
		if (endpoint_in(&u->endpoints[i]))
			return 1;
	return 0;
}

/* 307 or 333 when the roster says why the user went, else 0. */
static int gone_code(const struct confinfo_user *u)
{
	size_t i;

	for (i = 0; u && i < u->nendpoints; i++) {
		const char *m = u->endpoints[i].disconnection_method;

		if (m && !strcmp(m, "booted"))
			return 307;
		if (m && !strcmp(m, "failed"))
			return 333;
	}
	return 0;
}

static int is_self(const struct gw_occ *o, const struct confinfo_user *u)
{
	return !strcasecmp(u->entity, o->aor);
}

static const char *user_role(const struct confinfo_user *u)
{
	size_t i;

	for (i = 0; i < u->nroles; i++)
		if (!strcmp(u->roles[i], "moderator") ||
		    !strcmp(u->roles[i], "visitor") ||
		    !strcmp(u->roles[i], "participant"))
			return u->roles[i];
	return "participant";
}

/* The ;gr= value of an endpoint URI, escaped as it is there. */
static int endpoint_gr(const char *uri, const char **v, size_t *len)
{
	const char *p = strstr(uri, ";gr=");

	if (p == NULL)
		return 0;
	*v = p + 4;
	*len = strcspn(*v, ";>?");
	return *len > 0;
}

/* The real JID to show for u, malloc'd; NULL to show none. */
static char *real_jid(const struct gw_occ *o, const struct confinfo_user *u)
{
	char buf[JID_MAX], *uri;
	struct jid *j;
	size_t i, len;
	const char *gr;
	int ours;

	if (o->gw->x->anonymity != ANON_NON)
		return NULL;
	if (sip_uri_to_jid(u->entity, buf, sizeof(buf), NULL) != 0)
		return NULL;
	j = malloc(sizeof(*j));
	if (j == NULL || jid_parse(buf, j, NULL) != 0) {
		free(j);
		return NULL;
	}
	ours = 0;
	for (i = 0; i < (size_t)o->gw->x->ndomains; i++)
		if (!strcasecmp(j->domain, o->gw->x->domains[i]))
			ours = 1;
	free(j);
	if (!ours)
		return strdup(buf);
	/* One of our users: the full JID its leg carries. */
	for (i = 0; i < u->nendpoints; i++) {
		char full[JID_MAX];
		int ok;

		if (!endpoint_in(&u->endpoints[i]) ||
		    !endpoint_gr(u->endpoints[i].entity, &gr, &len))
			continue;
		if (asprintf(&uri, "%s;gr=%.*s", u->entity, (int)len, gr) < 0)
			break;
		ok = sip_uri_to_jid(uri, full, sizeof(full), NULL) == 0;
		free(uri);
		if (ok)
			return strdup(full);
		break;
	}
	return strdup(buf);
}

static xmpp_stanza_t *element(struct gw *gw, xmpp_stanza_t *parent,
			      const char *name)
{
	xmpp_stanza_t *e = xmpp_stanza_new(gw_ctx(gw));

	if (e == NULL)
		return NULL;
	xmpp_stanza_set_name(e, name);
	xmpp_stanza_add_child(parent, e);
	xmpp_stanza_release(e);
	return e;
}

static void add_status(struct gw *gw, xmpp_stanza_t *x, int code)
{
	xmpp_stanza_t *s = element(gw, x, "status");
	char num[8];

	if (s == NULL)
		return;
	snprintf(num, sizeof(num), "%d", code);
	xmpp_stanza_set_attribute(s, "code", num);
}

/* What one presence says; codes end with 0. */
struct occ_presence {
	const char *nick;       /* the occupant's, for from */
	const char *type;       /* NULL or "unavailable" */
	const char *role;
	const char *jid;        /* item jid=, may be NULL */
	const char *new_nick;   /* item nick= (303) */
	const char *reason;
	int codes[8];
};

static void send_presence(struct gw *gw, const char *room_jid,
			  const char *to, const struct occ_presence *p)
{
	xmpp_stanza_t *st, *x, *item;
	char *from;
	int i;

	if (asprintf(&from, "%s/%s", room_jid, p->nick) < 0)
		return;
	st = gw_stanza_new(gw, "presence", from, to, p->type);
	free(from);
	if (st == NULL)
		return;
	x = gw_stanza_child(st, "x", NS_MUC_USER);
	item = x ? element(gw, x, "item") : NULL;
	if (item == NULL) {
		xmpp_stanza_release(st);
		return;
	}
	xmpp_stanza_set_attribute(item, "affiliation", "none");
	xmpp_stanza_set_attribute(item, "role", p->role);
	if (p->jid)
		xmpp_stanza_set_attribute(item, "jid", p->jid);
	if (p->new_nick)
		xmpp_stanza_set_attribute(item, "nick", p->new_nick);
	if (p->reason && p->reason[0])
		gw_stanza_text_child(item, "reason", p->reason,
				     strlen(p->reason));
	for (i = 0; p->codes[i]; i++)
		add_status(gw, x, p->codes[i]);
	gw_send(gw, st);
	xmpp_stanza_release(st);
}

static int add_code(struct occ_presence *p, int code)
{
	int i;

	for (i = 0; p->codes[i]; i++)
		;
	if (i + 1 < (int)(sizeof(p->codes) / sizeof(p->codes[0])))
		p->codes[i] = code;
	return i;
}

void gw_presence_unavailable(struct gw *gw, const char *occupant,
			     const char *jid, const int *codes, int ncodes,
			     const char *reason)
{
	struct occ_presence p = {
		.type = "unavailable",
		.role = "none",
		.reason = reason,
	};
	const char *slash = strchr(occupant, '/');
	char *room;
	int i;

	if (slash == NULL)
		return;
	room = strndup(occupant, (size_t)(slash - occupant));
	if (room == NULL)
		return;
	p.nick = slash + 1;
	add_code(&p, 110);
	for (i = 0; i < ncodes; i++)
		add_code(&p, codes[i]);
	send_presence(gw, room, jid, &p);
	free(room);
}

void gw_presence_self_gone(struct gw_occ *o, const int *codes, int ncodes,
			   const char *reason)
{
	char *occupant;

	if (asprintf(&occupant, "%s/%s", o->room_jid, o->nick) < 0)
		return;
	gw_presence_unavailable(o->gw, occupant, o->jid, codes, ncodes,
				reason);
	free(occupant);
}

char *gw_presence_occupant_jid(struct gw_occ *o,
			       const struct confinfo_user *u)
{
	const char *nick = is_self(o, u) ? o->nick : user_nick(u);
	char *s;

	if (nick == NULL || asprintf(&s, "%s/%s", o->room_jid, nick) < 0)
		return NULL;
	return s;
}

/* Another occupant is there (or came). */
static void send_available(struct gw_occ *o, const struct confinfo_user *u,
			   const char *nick, int self)
{
	struct occ_presence p = {
		.nick = nick,
		.role = user_role(u),
	};
	char *jid = real_jid(o, u);

	p.jid = jid;
	if (self)
		add_code(&p, 110);
	send_presence(o->gw, o->room_jid, o->jid, &p);
	free(jid);
}

/* The join created the room when nobody else is in it. */
static int created_room(const struct gw_occ *o, const struct confinfo *r)
{
	return r->nusers == 1 && is_self(o, &r->users[0]) &&
	       r->users[0].nendpoints <= 1;
}

static void send_subject(struct gw_occ *o, const char *subject)
{
	struct gw *gw = o->gw;
	xmpp_stanza_t *m = gw_stanza_new(gw, "message", o->room_jid, o->jid,
					 "groupchat");

	if (m == NULL)
		return;
	/* An empty <subject/> says "no subject" and that the join is done
	 * (XEP-0045 §7.2, room subject). */
	gw_stanza_text_child(m, "subject", subject ? subject : "",
			     subject ? strlen(subject) : 0);
	gw_send(gw, m);
	xmpp_stanza_release(m);
}

void gw_presence_joined(struct gw_occ *o, const struct confinfo *roster)
{
	struct occ_presence self = {
		.nick = o->nick,
		.role = "participant",
		.jid = o->jid,
	};
	size_t i;

	for (i = 0; i < roster->nusers; i++) {
		const struct confinfo_user *u = &roster->users[i];

		if (is_self(o, u)) {
			self.role = user_role(u);
			continue;
		}
		if (user_present(u))
			send_available(o, u, user_nick(u), 0);
	}
	add_code(&self, 110);
	if (o->gw->x->anonymity == ANON_NON)
		add_code(&self, 100);
	if (created_room(o, roster))
		add_code(&self, 201);
	if (o->nick_changed)
		add_code(&self, 210);
	send_presence(o->gw, o->room_jid, o->jid, &self);
	if (o->leg)
		gw_leg_flush_history(o->leg);
	send_subject(o, roster->subject);
}

static const struct confinfo_user *find_user(const struct confinfo *ci,
					     const char *entity)
{
	return ci ? confinfo_user_find(ci, entity) : NULL;
}

/* A user in before who is no longer in the room, or is under another
 * nick. */
static void user_left_or_renamed(struct gw_occ *o,
				 const struct confinfo_user *b,
				 const struct confinfo_user *a)
{
	int self = is_self(o, b);
	struct occ_presence p = {
		.nick = user_nick(b),
		.type = "unavailable",
		.role = "none",
	};
	char *jid;

	if (a && user_present(a)) {
		if (!strcmp(user_nick(a), user_nick(b)))
			return;
		/* §7.6: 303 with the new nick, then the new presence. */
		p.role = user_role(b);
		p.new_nick = user_nick(a);
		add_code(&p, 303);
	} else if (self) {
		/* The leg ends too: ended() says so, with its reason. */
		return;
	} else if (gone_code(a)) {
		add_code(&p, gone_code(a));
	}
	if (self)
		add_code(&p, 110);
	jid = real_jid(o, b);
	p.jid = jid;
	send_presence(o->gw, o->room_jid, o->jid, &p);
	free(jid);
	if (p.new_nick)
		send_available(o, a, user_nick(a), self);
}

void gw_presence_changed(struct gw_occ *o, const struct confinfo *before,
			 const struct confinfo *after)
{
	size_t i;

	for (i = 0; before && i < before->nusers; i++) {
		const struct confinfo_user *b = &before->users[i];

		if (user_present(b))
			user_left_or_renamed(o, b,
					     find_user(after, b->entity));
	}
	for (i = 0; i < after->nusers; i++) {
		const struct confinfo_user *a = &after->users[i];
		const struct confinfo_user *b = find_user(before, a->entity);

		if (!user_present(a) || (b && user_present(b)) ||
		    is_self(o, a))
			continue;
		send_available(o, a, user_nick(a), 0);
	}
}
