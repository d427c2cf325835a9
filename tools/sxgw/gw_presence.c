/*
 * gw_presence.c - a room's roster (RFC 4575 conference-info) as MUC
 * presences for one XMPP occupant: XEP-0045 §7.2 (entering: the others
 * first, the self-presence last, then history, then the subject), §7.6
 * (nick changes: 303 then the new presence), §7.14 (exits), with the
 * mapping of RFC 7702 §5.3 Tables 2 and 3.
 *
 *   user entity                   -> the occupant: the AOR, or one
 *                                    GRUU of it ("AOR;gr=X", each
 *                                    resource of one JID its own user)
 *   xcon:nickname, display-text   -> its nick (the occupant JID's resource)
 *   user entity mapped to JID     -> item jid= (non-anonymous rooms only):
 *                                    bob@sip.example.test for a bare AOR,
 *                                    alice@example.test/X for AOR;gr=X
 *   endpoint disconnection-method -> 307 (booted), 333 (failed)
 *
 * Two users holding one nick (two resources of one JID that asked for the
 * same one: RFC 7700 refuses a nick only to another AOR) are one occupant
 * JID, so one occupant: it comes with the first of them and goes with
 * the last.
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
#include "sip_uri.h"
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
	return o->leg && gw_leg_is_us(o->leg, u);
}

/* The present user of ci holding nick other than skip, if any. */
static const struct confinfo_user *nick_holder(const struct confinfo *ci,
					       const char *nick,
					       const struct confinfo_user *skip)
{
	size_t i;

	for (i = 0; ci && nick && i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (u != skip && user_present(u) &&
		    !strcmp(user_nick(u), nick))
			return u;
	}
	return NULL;
}

/* Whether u is the first present user of ci with its nick: the one that
 * speaks for the occupant. */
static int nick_first(const struct confinfo *ci, const struct confinfo_user *u)
{
	return nick_holder(ci, user_nick(u), NULL) == u;
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

/* The real JID to show for u, malloc'd; NULL to show none.  A GRUU's
 * value is the resource (RFC 7702 §5.3); one that cannot be a resource
 * leaves the bare JID. */
static char *real_jid(const struct gw_occ *o, const struct confinfo_user *u)
{
	char buf[JID_MAX], *aor;
	int ok;

	if (o->gw->x->anonymity != ANON_NON || u->entity == NULL)
		return NULL;
	if (sip_uri_to_jid(u->entity, buf, sizeof(buf), NULL) == 0)
		return strdup(buf);
	aor = sip_uri_aor(u->entity, NULL);
	ok = aor && sip_uri_to_jid(aor, buf, sizeof(buf), NULL) == 0;
	free(aor);
	return ok ? strdup(buf) : NULL;
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

/* The join created the room when nobody else is in it (users that left
 * stay listed a moment, disconnected: they are not in it). */
static int created_room(const struct gw_occ *o, const struct confinfo *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nusers; i++) {
		if (is_self(o, &r->users[i])) {
			if (r->users[i].nendpoints > 1)
				return 0;
			n++;
		} else if (user_present(&r->users[i])) {
			return 0;
		}
	}
	return n == 1;
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
		/* another resource under our nick is us to this client */
		if (user_present(u) && nick_first(roster, u) &&
		    strcmp(user_nick(u), o->nick) != 0)
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

/* The first present user of before with some nick, b, whose nick no
 * present user of after holds: the occupant left, or (a, the same user in
 * after, present under another nick) was renamed.  Returns whether a
 * rename was sent (with the new presence). */
static int occupant_left_or_renamed(struct gw_occ *o,
				    const struct confinfo *before,
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

	if (a && user_present(a) && !nick_holder(before, user_nick(a), NULL)) {
		/* §7.6: 303 with the new nick, then the new presence. */
		p.role = user_role(b);
		p.new_nick = user_nick(a);
		add_code(&p, 303);
	} else if (self) {
		/* The leg ends too: ended() says so, with its reason. */
		return 0;
	} else if (gone_code(a)) {
		add_code(&p, gone_code(a));
	}
	if (self)
		add_code(&p, 110);
	jid = real_jid(o, b);
	p.jid = jid;
	send_presence(o->gw, o->room_jid, o->jid, &p);
	free(jid);
	if (p.new_nick == NULL)
		return 0;
	send_available(o, a, user_nick(a), self);
	return 1;
}

/* Keyed by user entity (RFC 4575 §5.6: a leave or a deletion is that
 * user's), shown by nick: an occupant changes only when no user holds its
 * nick any more or a first one comes to hold it. */
void gw_presence_changed(struct gw_occ *o, const struct confinfo *before,
			 const struct confinfo *after)
{
	const struct confinfo_user **renamed;
	size_t i, k, nrenamed = 0;

	renamed = calloc(before ? before->nusers + 1 : 1, sizeof(*renamed));
	if (renamed == NULL)
		return;
	for (i = 0; before && i < before->nusers; i++) {
		const struct confinfo_user *b = &before->users[i];
		const struct confinfo_user *a = find_user(after, b->entity);

		if (!user_present(b) || !nick_first(before, b) ||
		    nick_holder(after, user_nick(b), NULL))
			continue;
		if (occupant_left_or_renamed(o, before, b, a))
			renamed[nrenamed++] = a;
	}
	for (i = 0; i < after->nusers; i++) {
		const struct confinfo_user *a = &after->users[i];

		if (!user_present(a) || !nick_first(after, a) ||
		    nick_holder(before, user_nick(a), NULL) || is_self(o, a) ||
		    (o->nick && !strcmp(user_nick(a), o->nick)))
			continue;
		for (k = 0; k < nrenamed && renamed[k] != a; k++)
			;
		if (k == nrenamed)
			send_available(o, a, user_nick(a), 0);
	}
	free(renamed);
}
