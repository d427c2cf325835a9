/*
 * gw_occ.c - XMPP occupants (XEP-0045 §7.2 entering a room, §7.6 nick
 * changes, §7.14 exiting) carried into SIP rooms by one leg each (RFC
 * 7702 §5.2-§5.4, §5.8).
 *
 * An occupant is one full JID in one room; a second resource of the same
 * user, in the same room or another, is another occupant with its own leg
 * (up to max_legs_per_user).  A bare presence without the muc <x/> joins
 * too: a groupchat 1.0 client (XEP-0045 §7.2.1).
 *
 * Presence updates while joined (show, status, caps) are accepted and not
 * carried: the conference event package has no place for them (RFC 4575,
 * RFC 7702 §5 maps only joins, leaves and nicks), and reflecting them to
 * their sender alone would tell it that the room saw something it never
 * saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gw.h"
#include "gw_leg.h"
#include "jid.h"
#include "nickname.h"
#include "sx_log.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define URI_MAX (3 * JID_PART_MAX + 64)

/* "design" of design@conference.sip.example.test, for logs. */
static int room_len(const struct gw_occ *o)
{
	const char *at = strchr(o->room_jid, '@');

	return at ? (int)(at - o->room_jid) : (int)strlen(o->room_jid);
}

static void occ_free(struct gw_occ *o)
{
	struct gw *gw = o->gw;
	struct gw_occ **pp;

	for (pp = &gw->occs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			gw->nocc--;
			break;
		}
	o->state = OCC_GONE;
	/* What the switch never answered is not lost silently. */
	if (o->pending)
		gw_message_pending_fail(o, 503, "the occupant left the room");
	free(o->jid);
	free(o->bare);
	free(o->room_jid);
	free(o->room_uri);
	free(o->aor);
	free(o->nick);
	free(o->new_nick);
	free(o);
}

/* An error presence from occupant to the user's jid, for a request that
 * is no longer at hand (a join or a nick change answered later). */
static void error_presence(struct gw_occ *o, const char *nick, int status,
			   const char *phrase)
{
	struct gw *gw = o->gw;
	char *occupant;
	xmpp_stanza_t *req;

	if (asprintf(&occupant, "%s/%s", o->room_jid, nick) < 0)
		return;
	/* The request as the client sent it: the reply swaps from and to. */
	req = gw_stanza_new(gw, "presence", o->jid, occupant, NULL);
	free(occupant);
	if (req == NULL)
		return;
	if (status == 425)
		gw_stanza_error(gw, req, "cancel", "conflict", phrase);
	else if (status == 424)
		gw_stanza_error(gw, req, "modify", "jid-malformed", phrase);
	else if (status == 408)
		gw_stanza_error(gw, req, "wait", "remote-server-timeout",
				phrase);
	else
		gw_stanza_error_sip(gw, req, status, phrase);
	xmpp_stanza_release(req);
}

/* --- the leg's callbacks --------------------------------------------------- */

static void on_joined(void *arg, struct gw_leg *leg, const char *nick,
		      const struct confinfo *roster)
{
	struct gw_occ *o = arg;
	char *held = strdup(nick);

	(void)leg;
	if (held == NULL) {
		sx_err("xmpp: %s in %.*s: out of memory", o->jid,
		       room_len(o), o->room_jid);
		return;
	}
	o->nick_changed = strcmp(held, o->nick) != 0;
	free(o->nick);
	o->nick = held;
	o->state = OCC_JOINED;
	sx_notice("xmpp: %s joined %.*s as %s", o->jid, room_len(o),
		  o->room_jid, o->nick);
	gw_presence_joined(o, roster);
}

static void on_failed(void *arg, struct gw_leg *leg, int status,
		      const char *phrase)
{
	struct gw_occ *o = arg;

	(void)leg;
	o->leg = NULL;
	sx_notice("xmpp: %s could not join %.*s as %s: %d %s", o->jid,
		  room_len(o), o->room_jid, o->nick, status,
		  phrase ? phrase : "");
	error_presence(o, o->nick, status, phrase);
	occ_free(o);
}

static void on_roster(void *arg, struct gw_leg *leg,
		      const struct confinfo *before,
		      const struct confinfo *after)
{
	struct gw_occ *o = arg;

	(void)leg;
	if (o->state == OCC_JOINED)
		gw_presence_changed(o, before, after);
}

static void on_message(void *arg, struct gw_leg *leg, const struct gw_msg *m)
{
	struct gw_occ *o = arg;

	(void)leg;
	if (m->history && (o->history_none ||
			   (o->history_since && m->when.tv_sec &&
			    m->when.tv_sec < o->history_since)))
		return;
	gw_message_from_room(o, m);
}

static void on_sent(void *arg, struct gw_leg *leg, void *cookie, int status,
		    const char *phrase)
{
	(void)leg;
	gw_message_sent(arg, cookie, status, phrase);
}

static void on_nick(void *arg, struct gw_leg *leg, const char *nick,
		    int status, const char *phrase)
{
	struct gw_occ *o = arg;
	char *asked = o->new_nick;

	(void)leg;
	o->new_nick = NULL;
	if (status == 200) {
		char *held = strdup(nick);

		if (held) {
			sx_notice("xmpp: %s in %.*s is now %s (was %s)",
				  o->jid, room_len(o), o->room_jid, held,
				  o->nick);
			free(o->nick);
			o->nick = held;
		}
	} else {
		sx_info("xmpp: %s in %.*s: nick %s refused: %d %s", o->jid,
			room_len(o), o->room_jid, asked ? asked : nick, status,
			phrase ? phrase : "");
		error_presence(o, asked ? asked : nick, status, phrase);
	}
	free(asked);
}

static void on_ended(void *arg, struct gw_leg *leg, int booted,
		     const char *reason)
{
	struct gw_occ *o = arg;
	int code = booted ? 307 : 333;

	(void)leg;
	o->leg = NULL;
	sx_notice("xmpp: %s %s %.*s: %s", o->jid,
		  booted ? "was removed from" : "lost", room_len(o),
		  o->room_jid, reason ? reason : "no reason given");
	if (o->state == OCC_JOINED)
		gw_presence_self_gone(o, &code, 1, reason);
	else
		error_presence(o, o->nick, booted ? 403 : 500, reason);
	occ_free(o);
}

static const struct gw_leg_ops leg_ops = {
	.joined = on_joined,
	.failed = on_failed,
	.roster = on_roster,
	.message = on_message,
	.sent = on_sent,
	.nick = on_nick,
	.ended = on_ended,
};

/* --- lookups --------------------------------------------------------------- */

struct gw_occ *gw_occ_find(struct gw *gw, const char *jid,
			   const char *room_jid)
{
	struct gw_occ *o;

	for (o = gw->occs; o; o = o->next)
		if (!strcmp(o->jid, jid) && !strcasecmp(o->room_jid, room_jid))
			return o;
	return NULL;
}

unsigned gw_occ_count_room(struct gw *gw, const char *room_jid)
{
	struct gw_occ *o;
	unsigned n = 0;

	for (o = gw->occs; o; o = o->next)
		if (!strcasecmp(o->room_jid, room_jid))
			n++;
	return n;
}

static unsigned count_user(struct gw *gw, const char *bare)
{
	struct gw_occ *o;
	unsigned n = 0;

	for (o = gw->occs; o; o = o->next)
		if (!strcasecmp(o->bare, bare))
			n++;
	return n;
}

/* --- joining --------------------------------------------------------------- */

/* XEP-0082 date-time, as the join's <history since=> carries it. */
static time_t parse_stamp(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return 0;
	return timegm(&tm);
}

/* What the client asked of the history; only "none" and "since" are
 * kept: the leg hands history oldest first without saying how much is
 * coming, so the last N stanzas or characters cannot be picked. */
static void history_wanted(struct gw_occ *o, xmpp_stanza_t *x)
{
	xmpp_stanza_t *h = x ? xmpp_stanza_get_child_by_name(x, "history")
			     : NULL;
	const char *v;

	if (h == NULL)
		return;
	v = xmpp_stanza_get_attribute(h, "maxstanzas");
	if (v && atol(v) <= 0)
		o->history_none = 1;
	v = xmpp_stanza_get_attribute(h, "maxchars");
	if (v && atol(v) <= 0)
		o->history_none = 1;
	v = xmpp_stanza_get_attribute(h, "seconds");
	if (v)
		o->history_since = time(NULL) - atol(v);
	v = xmpp_stanza_get_attribute(h, "since");
	if (v) {
		time_t t = parse_stamp(v);

		if (t > o->history_since)
			o->history_since = t;
	}
}

static char *to_sip(const char *jid, struct sx_err *err)
{
	char buf[URI_MAX];

	if (jid_to_sip_uri(jid, buf, sizeof(buf), err) != 0)
		return NULL;
	return strdup(buf);
}

/* Refusals before any leg exists, answered to the join presence itself. */
static int join_allowed(struct gw *gw, xmpp_stanza_t *st,
			const struct jid *fj, const char *bare,
			const char *nick)
{
	struct sx_err err;
	char *shown;

	if (fj->resource[0] == '\0') {
		gw_stanza_error(gw, st, "modify", "bad-request",
				"joining needs a full JID");
		return 0;
	}
	if (gw->nocc >= gw->x->max_legs) {
		sx_warn("xmpp: %s refused: max_legs (%u) reached",
			xmpp_stanza_get_from(st), gw->x->max_legs);
		gw_stanza_error(gw, st, "cancel", "service-unavailable",
				"the gateway carries all the occupants it can");
		return 0;
	}
	if (count_user(gw, bare) >= gw->x->max_legs_per_user) {
		sx_warn("xmpp: %s refused: max_legs_per_user (%u) reached",
			xmpp_stanza_get_from(st), gw->x->max_legs_per_user);
		gw_stanza_error(gw, st, "wait", "resource-constraint",
				"too many rooms joined through this gateway");
		return 0;
	}
	sx_err_clear(&err);
	shown = nickname_enforce(nick, strlen(nick), &err);
	if (shown == NULL) {
		sx_info("xmpp: %s refused: bad nick: %s",
			xmpp_stanza_get_from(st), err.text);
		gw_stanza_error(gw, st, "modify", "not-acceptable", err.text);
		return 0;
	}
	free(shown);
	return 1;
}

static void join(struct gw *gw, xmpp_stanza_t *st, const struct jid *fj,
		 const struct jid *tj, const char *room_jid)
{
	char bare[2 * JID_PART_MAX + 2];
	struct gw_leg_params p;
	struct gw_occ *o;
	struct sx_err err;
	xmpp_stanza_t *x;

	jid_format(bare, sizeof(bare), fj, 1);
	if (!join_allowed(gw, st, fj, bare, tj->resource))
		return;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		goto oom;
	o->gw = gw;
	o->id = ++gw->next_id;
	o->jid = strdup(xmpp_stanza_get_from(st));
	o->bare = strdup(bare);
	o->room_jid = strdup(room_jid);
	o->nick = strdup(tj->resource);
	o->state = OCC_JOINING;
	o->since = time(NULL);
	o->flood_second = o->since;
	o->flood_count = 1;
	o->next = gw->occs;
	gw->occs = o;
	gw->nocc++;
	if (!o->jid || !o->bare || !o->room_jid || !o->nick)
		goto oom;
	sx_err_clear(&err);
	o->room_uri = to_sip(room_jid, &err);
	if (o->room_uri)
		o->aor = to_sip(bare, &err);
	if (o->aor == NULL) {
		sx_info("xmpp: %s to %s refused: %s", o->jid, room_jid,
			err.text);
		gw_stanza_error(gw, st, "modify", "jid-malformed", err.text);
		occ_free(o);
		return;
	}
	x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_MUC);
	o->muc = x != NULL;
	history_wanted(o, x);

	memset(&p, 0, sizeof(p));
	p.room_uri = o->room_uri;
	p.aor = o->aor;
	p.resource = fj->resource;
	p.nick = o->nick;
	/* invited: the join answers the room's INVITE, which brings the
	 * inviter its 200 (RFC 4579 §5.5) */
	o->leg = gw_invited_accept(gw, o->bare, room_jid, &p, &leg_ops, o);
	if (o->leg == NULL)
		o->leg = gw_leg_join(gw, &p, &leg_ops, o, &err);
	if (o->leg == NULL) {
		sx_err("xmpp: %s cannot join %.*s: %s", o->jid, room_len(o),
		       room_jid, err.text);
		gw_stanza_error(gw, st, "wait", "internal-server-error",
				err.text);
		occ_free(o);
		return;
	}
	sx_info("xmpp: %s joining %.*s as %s%s", o->jid, room_len(o),
		room_jid, o->nick, o->muc ? "" : " (groupchat 1.0)");
	return;
oom:
	sx_err("xmpp: %s: out of memory", xmpp_stanza_get_from(st));
	gw_stanza_error(gw, st, "wait", "resource-constraint", NULL);
	if (o)
		occ_free(o);
}

/* --- while joined ---------------------------------------------------------- */

/* presence_rate per second per full JID; one log line per second. */
static int flooding(struct gw_occ *o)
{
	time_t now = time(NULL);
	unsigned rate = o->gw->x->presence_rate;

	if (now != o->flood_second) {
		o->flood_second = now;
		o->flood_count = 0;
	}
	if (++o->flood_count <= rate)
		return 0;
	if (o->flood_count == rate + 1)
		sx_warn("xmpp: %s in %.*s: more than %u presences a second, "
			"refused", o->jid, room_len(o), o->room_jid, rate);
	return 1;
}

static void change_nick(struct gw_occ *o, xmpp_stanza_t *st,
			const char *nick)
{
	struct gw *gw = o->gw;
	struct sx_err err;
	char *shown;

	if (o->state != OCC_JOINED || o->new_nick) {
		gw_stanza_error(gw, st, "wait", "unexpected-request",
				o->new_nick ? "a nick change is in progress"
					    : "the join is in progress");
		return;
	}
	sx_err_clear(&err);
	shown = nickname_enforce(nick, strlen(nick), &err);
	if (shown == NULL) {
		gw_stanza_error(gw, st, "modify", "not-acceptable", err.text);
		return;
	}
	free(shown);
	o->new_nick = strdup(nick);
	if (o->new_nick == NULL || gw_leg_nick(o->leg, nick) != 0) {
		free(o->new_nick);
		o->new_nick = NULL;
		gw_stanza_error(gw, st, "wait", "internal-server-error",
				"the nick change could not be sent");
		return;
	}
	sx_info("xmpp: %s in %.*s asks for nick %s", o->jid, room_len(o),
		o->room_jid, nick);
}

/* Unavailable (the client left) or an error presence (its client is
 * gone: a ghost would stay otherwise; nothing to answer). */
static void leave(struct gw_occ *o, int tell, const char *why)
{
	sx_notice("xmpp: %s left %.*s%s%s", o->jid, room_len(o), o->room_jid,
		  why ? ": " : "", why ? why : "");
	if (o->leg) {
		gw_leg_leave(o->leg, why ? why : "left");
		o->leg = NULL;
	}
	if (tell)
		gw_presence_self_gone(o, NULL, 0, NULL);
	occ_free(o);
}

void gw_occ_presence(struct gw *gw, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	struct jid *fj, *tj;
	char room_jid[2 * JID_PART_MAX + 2];
	struct gw_occ *o;

	fj = malloc(2 * sizeof(*fj));
	if (fj == NULL)
		return;
	tj = fj + 1;
	if (jid_parse(from, fj, NULL) != 0 ||
	    jid_parse(xmpp_stanza_get_to(st), tj, NULL) != 0 ||
	    tj->local[0] == '\0') {
		if (!type || strcmp(type, "error"))
			gw_stanza_error(gw, st, "modify", "jid-malformed",
					"room@service/nick expected");
		goto out;
	}
	jid_format(room_jid, sizeof(room_jid), tj, 1);
	o = gw_occ_find(gw, from, room_jid);
	if (type && !strcmp(type, "error")) {
		if (o)
			leave(o, 0, "its client answered with an error");
		goto out;
	}
	if (type && !strcmp(type, "unavailable")) {
		if (o)
			leave(o, 1, NULL);
		else if (tj->resource[0])
			/* Already gone (link loss, kick): confirm anyway, so
			 * that the client's idea of the room ends too. */
			gw_presence_unavailable(gw, xmpp_stanza_get_to(st),
						from, NULL, 0, NULL);
		goto out;
	}
	if (type) {
		gw_stanza_error(gw, st, "cancel", "service-unavailable",
				"rooms take no subscriptions");
		goto out;
	}
	if (tj->resource[0] == '\0') {
		gw_stanza_error(gw, st, "modify", "jid-malformed",
				"a nick is needed: room@service/nick");
		goto out;
	}
	if (o == NULL) {
		join(gw, st, fj, tj, room_jid);
		goto out;
	}
	if (flooding(o)) {
		gw_stanza_error(gw, st, "wait", "resource-constraint",
				"too many presences");
		goto out;
	}
	if (strcmp(tj->resource, o->nick))
		change_nick(o, st, tj->resource);
out:
	free(fj);
}

/* --- the link and the service ---------------------------------------------- */

static void remember_lost(struct gw *gw, const struct gw_occ *o)
{
	char **grown, *entry;

	if (asprintf(&entry, "%s\t%s/%s", o->jid, o->room_jid, o->nick) < 0)
		return;
	grown = realloc(gw->lost_jids, (gw->nlost + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(entry);
		return;
	}
	gw->lost_jids = grown;
	gw->lost_jids[gw->nlost++] = entry;
}

void gw_occ_link_lost(struct gw *gw)
{
	unsigned n = 0;

	while (gw->occs) {
		struct gw_occ *o = gw->occs;

		if (o->leg)
			gw_leg_leave(o->leg, "XMPP server connection lost");
		o->leg = NULL;
		remember_lost(gw, o);
		occ_free(o);
		n++;
	}
	if (n)
		sx_warn("xmpp: %u occupant%s left their rooms: the link is "
			"down", n, n == 1 ? "" : "s");
	gw->lost_while_down = gw->nlost > 0;
}

void gw_occ_free_all(struct gw *gw, const char *why)
{
	static const int shutdown_code = 332;

	while (gw->occs) {
		struct gw_occ *o = gw->occs;

		if (o->leg)
			gw_leg_leave(o->leg, why);
		o->leg = NULL;
		if (o->state == OCC_JOINED)
			gw_presence_self_gone(o, &shutdown_code, 1, why);
		occ_free(o);
	}
}
