/*
 * gw_disco.c - the iq stanzas sent to the gateway's two domains: service
 * discovery (XEP-0030) of the rooms service and of each room (XEP-0045
 * §6.1-§6.5, the muc#roominfo form of §6.4 and XEP-0128), the users
 * domain as a gateway, XMPP ping (XEP-0199), MUC self-ping (XEP-0410),
 * software version (XEP-0092) and entity time (XEP-0202).  Everything else
 * gets the error RFC 6120 §8.4 asks for: service-unavailable for a
 * namespace we do not know, feature-not-implemented for one we know but
 * do not offer.
 *
 * Rooms are read from the service's room list; a room that does not exist
 * is item-not-found.  The occupants of a room are not listed in its
 * disco#items (XEP-0045 §6.5 allows an empty list): the same answer for
 * every room whatever its anonymity, and no presence leak to outsiders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gw.h"
#include "jid.h"
#include "room.h"
#include "sx_log.h"

#define NS_DISCO_INFO  "http://jabber.org/protocol/disco#info"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define NS_MUC         "http://jabber.org/protocol/muc"
#define NS_MUC_OWNER   "http://jabber.org/protocol/muc#owner"
#define NS_MUC_ADMIN   "http://jabber.org/protocol/muc#admin"
#define NS_MUC_SELFPING "http://jabber.org/protocol/muc#self-ping-optimization"
#define NS_PING        "urn:xmpp:ping"
#define NS_VERSION     "jabber:iq:version"
#define NS_TIME        "urn:xmpp:time"
#define NS_VCARD       "vcard-temp"
#define NS_DATA        "jabber:x:data"
#define NS_ROOMINFO    "http://jabber.org/protocol/muc#roominfo"

#define GW_JID_MAX (3 * (JID_PART_MAX + 1))

/* Who an iq is for. */
enum gw_target {
	TARGET_ROOMS,      /* the rooms domain itself */
	TARGET_ROOM,       /* room@rooms-domain */
	TARGET_OCCUPANT,   /* room@rooms-domain/nick */
	TARGET_USERS,      /* the users domain itself */
	TARGET_USER,       /* bob@users-domain[/res] */
	TARGET_OTHER,      /* a domain that is not ours */
};

struct gw_iq {
	struct gw *gw;
	xmpp_stanza_t *st;
	xmpp_stanza_t *payload;    /* the one child of a get or set */
	const char *ns;
	const char *name;
	int get;
	enum gw_target target;
	struct jid to;
	char room_jid[GW_JID_MAX];
	struct room *room;         /* TARGET_ROOM; may be NULL for an
				      occupant */
};

static enum gw_target gw_iq_target(struct gw *gw, const struct jid *j)
{
	const char *users = gw->x->sip_domain;

	if (strcasecmp(j->domain, gw->cfg->domain) == 0) {
		if (j->local[0] == '\0')
			return j->resource[0] ? TARGET_OTHER : TARGET_ROOMS;
		return j->resource[0] ? TARGET_OCCUPANT : TARGET_ROOM;
	}
	if (users && strcasecmp(j->domain, users) == 0)
		return j->local[0] ? TARGET_USER : TARGET_USERS;
	return TARGET_OTHER;
}

/* The room of a room JID, by the same JID -> SIP URI mapping a join uses
 * (RFC 7247 §5). */
static struct room *gw_iq_room(struct gw *gw, const char *room_jid)
{
	char uri[GW_JID_MAX * 3 + 8];
	struct room *r;
	char *name;

	if (jid_to_sip_uri(room_jid, uri, sizeof(uri), NULL) != 0)
		return NULL;
	name = room_uri_name(gw->sx, uri, NULL);
	if (name == NULL)
		return NULL;
	r = room_find(gw->sx, name);
	free(name);
	return r;
}

/* An empty result from where the iq went, with the query element of ns
 * when ns is not NULL (returned borrowed in *query). */
static xmpp_stanza_t *gw_iq_result(struct gw_iq *q, const char *name,
				   const char *ns, xmpp_stanza_t **query)
{
	xmpp_stanza_t *r;
	const char *id = xmpp_stanza_get_id(q->st);

	r = gw_stanza_new(q->gw, "iq", xmpp_stanza_get_to(q->st),
			  xmpp_stanza_get_from(q->st), "result");
	if (r == NULL)
		return NULL;
	if (id)
		xmpp_stanza_set_id(r, id);
	if (ns) {
		xmpp_stanza_t *c = gw_stanza_child(r, name, ns);

		if (query)
			*query = c;
		if (c == NULL) {
			xmpp_stanza_release(r);
			return NULL;
		}
	}
	return r;
}

static void gw_iq_send(struct gw_iq *q, xmpp_stanza_t *r)
{
	if (r == NULL) {
		gw_stanza_error(q->gw, q->st, "wait", "resource-constraint",
				NULL);
		return;
	}
	gw_send(q->gw, r);
	xmpp_stanza_release(r);
}

static void gw_add_identity(xmpp_stanza_t *query, const char *category,
			    const char *type, const char *name)
{
	xmpp_stanza_t *i = gw_stanza_child(query, "identity", NULL);

	if (i == NULL)
		return;
	xmpp_stanza_set_attribute(i, "category", category);
	xmpp_stanza_set_attribute(i, "type", type);
	if (name)
		xmpp_stanza_set_attribute(i, "name", name);
}

static void gw_add_features(xmpp_stanza_t *query, const char *const *vars)
{
	xmpp_stanza_t *f;

	for (; *vars; vars++) {
		f = gw_stanza_child(query, "feature", NULL);
		if (f)
			xmpp_stanza_set_attribute(f, "var", *vars);
	}
}

/* A data form field with one value (XEP-0004 §3.2). */
static void gw_add_field(xmpp_stanza_t *x, const char *var, const char *type,
			 const char *label, const char *value)
{
	xmpp_stanza_t *f = gw_stanza_child(x, "field", NULL);

	if (f == NULL)
		return;
	xmpp_stanza_set_attribute(f, "var", var);
	if (type)
		xmpp_stanza_set_attribute(f, "type", type);
	if (label)
		xmpp_stanza_set_attribute(f, "label", label);
	gw_stanza_text_child(f, "value", value, strlen(value));
}

static unsigned gw_room_occupants(const struct room *r)
{
	const struct participant *p;
	unsigned n = 0;

	/* only who has a nick is seen in the room */
	for (p = r->participants; p; p = p->next)
		if (p->nick)
			n++;
	return n;
}

static xmpp_stanza_t *gw_disco_info(struct gw_iq *q)
{
	static const char *const service[] = {
		NS_MUC, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION,
		NS_TIME, NULL,
	};
	static const char *const users[] = {
		NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION, NS_TIME,
		NULL,
	};
	const struct sxgw_config *cfg = q->gw->cfg;
	const char *room_features[10];
	xmpp_stanza_t *r, *query, *x;
	char count[32];
	int n = 0;

	r = gw_iq_result(q, "query", NS_DISCO_INFO, &query);
	if (r == NULL)
		return NULL;
	if (q->target == TARGET_ROOMS) {
		gw_add_identity(query, "conference", "text", "Chat rooms");
		gw_add_features(query, service);
		return r;
	}
	if (q->target == TARGET_USERS) {
		gw_add_identity(query, "gateway", "sip", "SIP users");
		gw_add_features(query, users);
		return r;
	}
	gw_add_identity(query, "conference", "text", q->room->name);
	room_features[n++] = NS_MUC;
	room_features[n++] = NS_DISCO_INFO;
	room_features[n++] = NS_DISCO_ITEMS;
	room_features[n++] = NS_MUC_SELFPING;
	/* an empty room goes away unless the service keeps rooms */
	room_features[n++] = cfg->keep_rooms ? "muc_persistent" :
					       "muc_temporary";
	room_features[n++] = "muc_open";
	room_features[n++] = "muc_unmoderated";
	room_features[n++] = "muc_unsecured";
	room_features[n++] = cfg->xmpp.anonymity == ANON_SEMI ?
		"muc_semianonymous" : "muc_nonanonymous";
	room_features[n++] = NULL;
	gw_add_features(query, room_features);
	/* XEP-0045 §6.4, XEP-0128 */
	x = gw_stanza_child(query, "x", NS_DATA);
	if (x == NULL)
		return r;
	xmpp_stanza_set_type(x, "result");
	gw_add_field(x, "FORM_TYPE", "hidden", NULL, NS_ROOMINFO);
	snprintf(count, sizeof(count), "%u", gw_room_occupants(q->room));
	gw_add_field(x, "muc#roominfo_occupants", NULL, "Number of occupants",
		     count);
	gw_add_field(x, "muc#roominfo_subject", NULL, "Current subject",
		     q->room->subject ? q->room->subject : "");
	return r;
}

static xmpp_stanza_t *gw_disco_items(struct gw_iq *q)
{
	char jid[GW_JID_MAX];
	xmpp_stanza_t *r, *query, *item;
	struct room *room;

	r = gw_iq_result(q, "query", NS_DISCO_ITEMS, &query);
	/* rooms and the users domain list nothing */
	if (r == NULL || q->target != TARGET_ROOMS)
		return r;
	/* XEP-0045 §6.2: every room is public */
	for (room = q->gw->sx->rooms; room; room = room->next) {
		if (sip_uri_to_jid(room->uri, jid, sizeof(jid), NULL) != 0)
			continue;
		item = gw_stanza_child(query, "item", NULL);
		if (item == NULL)
			break;
		xmpp_stanza_set_attribute(item, "jid", jid);
		xmpp_stanza_set_attribute(item, "name", room->name);
	}
	return r;
}

/* XEP-0030 §3, §4: the two domains and the rooms answer disco#info and
 * disco#items, with no nodes; an occupant or a user is not an entity
 * here. */
static void gw_disco(struct gw_iq *q,
		     xmpp_stanza_t *(*answer)(struct gw_iq *q))
{
	if (xmpp_stanza_get_attribute(q->payload, "node")) {
		gw_stanza_error(q->gw, q->st, "cancel", "item-not-found",
				"no such node");
		return;
	}
	if (q->target != TARGET_ROOMS && q->target != TARGET_USERS &&
	    q->target != TARGET_ROOM) {
		gw_stanza_error(q->gw, q->st, "cancel", "service-unavailable",
				NULL);
		return;
	}
	gw_iq_send(q, answer(q));
}

/* XEP-0199 to the services and rooms, XEP-0410 to an occupant JID. */
static void gw_ping(struct gw_iq *q)
{
	const char *from = xmpp_stanza_get_from(q->st);
	struct gw_occ *o;

	switch (q->target) {
	case TARGET_ROOMS:
	case TARGET_USERS:
	case TARGET_ROOM:
		gw_iq_send(q, gw_iq_result(q, NULL, NULL, NULL));
		return;
	case TARGET_OCCUPANT:
		break;
	default:
		gw_stanza_error(q->gw, q->st, "cancel", "service-unavailable",
				NULL);
		return;
	}
	o = gw_occ_find(q->gw, from, q->room_jid);
	if (o == NULL || o->state != OCC_JOINED) {
		/* XEP-0410 §3: the client is not joined (any more) */
		gw_stanza_error(q->gw, q->st, "cancel", "not-acceptable",
				"you are not an occupant of this room");
		return;
	}
	if (o->nick && strcmp(o->nick, q->to.resource) == 0) {
		gw_iq_send(q, gw_iq_result(q, NULL, NULL, NULL));
		return;
	}
	/* pings are not carried to other occupants; an error other than
	 * not-acceptable still tells a joined client it is joined */
	gw_stanza_error(q->gw, q->st, "cancel", "feature-not-implemented",
			"pings to other occupants are not forwarded");
}

static void gw_version(struct gw_iq *q)
{
	xmpp_stanza_t *r, *query;

	r = gw_iq_result(q, "query", NS_VERSION, &query);
	if (r) {
		gw_stanza_text_child(query, "name", "sxgw", 4);
		gw_stanza_text_child(query, "version", SX_VERSION,
				     strlen(SX_VERSION));
	}
	gw_iq_send(q, r);
}

static void gw_time(struct gw_iq *q)
{
	xmpp_stanza_t *r, *t;
	struct tm tm;
	time_t now = time(NULL);
	char utc[32];

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		gw_stanza_error(q->gw, q->st, "wait", "internal-server-error",
				NULL);
		return;
	}
	r = gw_iq_result(q, "time", NS_TIME, &t);
	if (r) {
		/* the service keeps UTC: its offset is zero */
		gw_stanza_text_child(t, "tzo", "+00:00", 6);
		gw_stanza_text_child(t, "utc", utc, strlen(utc));
	}
	gw_iq_send(q, r);
}

/* A submitted form sets nothing but its FORM_TYPE (XEP-0004 §3.4). */
static int gw_form_empty(xmpp_stanza_t *x)
{
	xmpp_stanza_t *f;
	const char *var;

	for (f = xmpp_stanza_get_children(x); f; f = xmpp_stanza_get_next(f)) {
		if (!xmpp_stanza_is_tag(f) ||
		    strcmp(xmpp_stanza_get_name(f), "field") != 0)
			continue;
		var = xmpp_stanza_get_attribute(f, "var");
		if (var == NULL || strcmp(var, "FORM_TYPE") != 0)
			return 0;
	}
	return 1;
}

/* XEP-0045 §10.1.2: the creator's "instant room" submission (or its
 * cancellation) after the 201.  Rooms here are ready when created, so
 * accepting the defaults is a no-op; a form that would change something
 * cannot be honoured, and saying so beats ignoring it. */
static int gw_instant_room(struct gw_iq *q)
{
	xmpp_stanza_t *x;
	const char *type;

	if (q->get || q->target != TARGET_ROOM ||
	    strcmp(q->ns, NS_MUC_OWNER) != 0)
		return 0;
	x = xmpp_stanza_get_child_by_name_and_ns(q->payload, "x", NS_DATA);
	if (x == NULL)
		return 0;
	type = xmpp_stanza_get_type(x);
	if (type == NULL || (strcmp(type, "submit") != 0 &&
			     strcmp(type, "cancel") != 0))
		return 0;
	if (strcmp(type, "submit") == 0 && !gw_form_empty(x))
		gw_stanza_error(q->gw, q->st, "cancel",
				"feature-not-implemented",
				"rooms are configured from the SIP side");
	else
		gw_iq_send(q, gw_iq_result(q, NULL, NULL, NULL));
	return 1;
}

/* The iq's payload: the one element child of a get or set (RFC 6120
 * §8.2.3). */
static xmpp_stanza_t *gw_iq_payload(xmpp_stanza_t *st, int *count)
{
	xmpp_stanza_t *c, *first = NULL;

	*count = 0;
	for (c = xmpp_stanza_get_children(st); c; c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c))
			continue;
		if (first == NULL)
			first = c;
		(*count)++;
	}
	return first;
}

static int gw_is(const struct gw_iq *q, const char *ns, const char *name)
{
	return strcmp(q->ns, ns) == 0 && strcmp(q->name, name) == 0;
}

static void gw_iq_dispatch(struct gw_iq *q)
{
	int domain = q->target == TARGET_ROOMS || q->target == TARGET_USERS;

	if (q->get && gw_is(q, NS_DISCO_INFO, "query"))
		gw_disco(q, gw_disco_info);
	else if (q->get && gw_is(q, NS_DISCO_ITEMS, "query"))
		gw_disco(q, gw_disco_items);
	else if (q->get && gw_is(q, NS_PING, "ping"))
		gw_ping(q);
	else if (q->get && domain && gw_is(q, NS_VERSION, "query"))
		gw_version(q);
	else if (q->get && domain && gw_is(q, NS_TIME, "time"))
		gw_time(q);
	else if (gw_instant_room(q))
		;
	else if (q->get && q->target == TARGET_ROOM &&
		 gw_is(q, NS_VCARD, "vCard"))
		/* XEP-0054 §3.1: no vCard is kept for rooms */
		gw_stanza_error(q->gw, q->st, "cancel", "item-not-found",
				"rooms have no vCard");
	else if (q->get && q->target == TARGET_ROOM &&
		 gw_is(q, NS_MUC_OWNER, "query"))
		/* XEP-0045 §10.1.3: the configuration form a creator asks
		 * for after the 201; there is none to fill in here, and the
		 * client then keeps the room as it is */
		gw_stanza_error(q->gw, q->st, "cancel",
				"feature-not-implemented",
				"rooms are configured from the SIP side");
	else if ((q->target == TARGET_ROOM || q->target == TARGET_ROOMS) &&
		 (strcmp(q->ns, NS_MUC_OWNER) == 0 ||
		  strcmp(q->ns, NS_MUC_ADMIN) == 0))
		/* nobody owns or administers a room here: it is run from
		 * the SIP side (RFC 4579) */
		gw_stanza_error(q->gw, q->st, "auth", "forbidden",
				"rooms are not configured over XMPP");
	else
		/* RFC 6120 §8.4: what we do not understand */
		gw_stanza_error(q->gw, q->st, "cancel", "service-unavailable",
				NULL);
}

void gw_disco_iq(struct gw *gw, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *to = xmpp_stanza_get_to(st);
	struct sx_err err;
	struct gw_iq *q;
	int count;

	if (type && (strcmp(type, "result") == 0 ||
		     strcmp(type, "error") == 0)) {
		/* we ask nothing, so answers are to nothing of ours */
		sx_debug("xmpp: iq %s from %s ignored", type,
			 from ? from : "?");
		return;
	}
	if (from == NULL || to == NULL) {
		sx_info("xmpp: iq without %s dropped", from ? "to" : "from");
		return;
	}
	if (type == NULL ||
	    (strcmp(type, "get") != 0 && strcmp(type, "set") != 0)) {
		gw_stanza_error(gw, st, "modify", "bad-request",
				"an iq is get, set, result or error");
		return;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return;
	q->gw = gw;
	q->st = st;
	q->get = strcmp(type, "get") == 0;
	q->payload = gw_iq_payload(st, &count);
	if (count != 1) {
		gw_stanza_error(gw, st, "modify", "bad-request",
				"a get or set carries exactly one element");
		goto out;
	}
	q->ns = xmpp_stanza_get_ns(q->payload);
	q->name = xmpp_stanza_get_name(q->payload);
	if (q->ns == NULL || q->name == NULL) {
		gw_stanza_error(gw, st, "cancel", "service-unavailable", NULL);
		goto out;
	}
	if (jid_parse(to, &q->to, &err) != 0) {
		gw_stanza_error(gw, st, "modify", "jid-malformed", err.text);
		goto out;
	}
	q->target = gw_iq_target(gw, &q->to);
	if (q->target == TARGET_ROOM || q->target == TARGET_OCCUPANT) {
		jid_format(q->room_jid, sizeof(q->room_jid), &q->to, 1);
		q->room = gw_iq_room(gw, q->room_jid);
		/* XEP-0045 §6.4: a room that does not exist (yet); for an
		 * occupant JID the occupants decide (a self-ping to a room
		 * gone is not-acceptable, XEP-0410) */
		if (q->room == NULL && q->target == TARGET_ROOM) {
			gw_stanza_error(gw, st, "cancel", "item-not-found",
					"no such room");
			goto out;
		}
	}
	sx_debug("xmpp: iq %s %s:%s from %s to %s", type, q->ns, q->name,
		 from, to);
	gw_iq_dispatch(q);
out:
	free(q);
}
