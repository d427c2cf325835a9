/*
 * room.c - rooms and participants, see room.h.
 *
 * Rooms are few and participants per room are at most max_participants
 * (500 by default), so lists with linear lookups are the right size: a
 * nickname check walks one room, and a roster is built once per coalesced
 * NOTIFY, not once per change.
 *
 * Roster users (RFC 4575 §5.6): a participant whose Contact carries a gr
 * parameter with a value (a GRUU, RFC 5627) is a user of its own, entity
 * "AOR;gr=VALUE", so that one AOR present several times (an XMPP user with
 * two resources, RFC 7702) shows each presence under its own nickname and
 * one leaving leaves the others' users untouched.  Participants of one AOR
 * without gr stay one user, entity the AOR, with one endpoint each; such
 * a user shows the nickname of its earliest arrived participant that has
 * one (arrival order, so that it does not flip while they stay), and a
 * departed one's only when none present has a nickname.  The entity is
 * set at join: a dial-out answered from a GRUU stays the user it was
 * invited as.  The CPIM From of a message stays the bare AOR (the switch
 * checks it against p->aor).
 */
#include "room.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "focus.h"
#include "sx_loop.h"
#include "nickname.h"
#include "sip_uri.h"
#include "switch.h"
#include "sx_log.h"

static unsigned long next_participant_id = 1;

static void gone_expire(void *arg);

static const char *const leave_names[] = {
	[LEAVE_DEPARTED] = "departed",
	[LEAVE_BOOTED] = "booted",
	[LEAVE_FAILED] = "failed",
	[LEAVE_SHUTDOWN] = "departed",
};

char *room_uri_name(struct sxgw *gw, const char *uri, struct sx_err *err)
{
	const char *p = uri, *at, *host, *end;
	size_t dl = strlen(gw->cfg->domain);

	if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	else {
		sx_err_set(err, 416, "not a SIP URI: %s", uri);
		return NULL;
	}
	at = strchr(p, '@');
	if (at == NULL || at == p) {
		sx_err_set(err, 404, "no room name in %s", uri);
		return NULL;
	}
	host = at + 1;
	end = host + strcspn(host, ":;?>");
	if ((size_t)(end - host) != dl ||
	    strncasecmp(host, gw->cfg->domain, dl) != 0) {
		sx_err_set(err, 404, "%s is not in the conference domain %s",
			   uri, gw->cfg->domain);
		return NULL;
	}
	return strndup(p, (size_t)(at - p));
}

struct room *room_find(struct sxgw *gw, const char *name)
{
	struct room *r;

	for (r = gw->rooms; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

struct room *room_get(struct sxgw *gw, const char *name, int *created)
{
	struct room *r = room_find(gw, name);

	*created = 0;
	if (r)
		return r;
	if (gw->stopping || gw->nrooms >= gw->cfg->max_rooms)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->gw = gw;
	r->name = strdup(name);
	if (asprintf(&r->uri, "sip:%s@%s", name, gw->cfg->domain) < 0)
		r->uri = NULL;
	r->history = gw->cfg->history_size
		? calloc(gw->cfg->history_size, sizeof(*r->history)) : NULL;
	r->gone_timer = sx_timer_new(gw->loop, gone_expire, r);
	if (r->name == NULL || r->uri == NULL || r->gone_timer == NULL ||
	    (gw->cfg->history_size && r->history == NULL)) {
		sx_timer_free(r->gone_timer);
		free(r->name);
		free(r->uri);
		free(r->history);
		free(r);
		return NULL;
	}
	r->created_at = time(NULL);
	r->next = gw->rooms;
	gw->rooms = r;
	gw->nrooms++;
	*created = 1;
	sx_info("room %s: created", r->name);
	return r;
}

int room_create_configured(struct sxgw *gw, struct sx_err *err)
{
	char *const *name;
	int created;

	for (name = gw->cfg->rooms; name && *name; name++) {
		struct room *r = room_get(gw, *name, &created);

		if (r == NULL) {
			sx_err_set(err, 500, "room %s: cannot be created",
				   *name);
			return SX_ERROR;
		}
		r->persistent = 1;
	}
	return 0;
}

/* --- participants that left, still in the roster ------------------------ */

static unsigned long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 +
	       (unsigned long long)ts.tv_nsec / 1000000;
}

static void gone_free(struct room_gone *g)
{
	free(g->aor);
	free(g->user);
	free(g->display);
	free(g->contact);
	free(g->nick);
	free(g->referred_by);
	free(g->reason);
	free(g);
}

/* Unlinks and frees the entries fn selects; returns how many. */
static unsigned gone_drop(struct room *r,
			  int (*fn)(const struct room_gone *g,
				    const void *arg), const void *arg)
{
	struct room_gone **gp = &r->gone;
	unsigned n = 0;

	while (*gp) {
		struct room_gone *g = *gp;

		if (!fn(g, arg)) {
			gp = &g->next;
			continue;
		}
		*gp = g->next;
		sx_debug("room %s: %s (%s) no longer in the roster", r->name,
			 g->user, g->method);
		gone_free(g);
		n++;
	}
	return n;
}

static int gone_due(const struct room_gone *g, const void *arg)
{
	return g->until <= *(const unsigned long long *)arg;
}

static int gone_any(const struct room_gone *g, const void *arg)
{
	(void)g; (void)arg;
	return 1;
}

/* The same endpoint is back: its old entry would clash with the new. */
static int gone_same(const struct room_gone *g, const void *arg)
{
	const struct participant *p = arg;

	return strcasecmp(g->aor, p->aor) == 0 &&
	       strcmp(g->contact, p->contact) == 0;
}

static void gone_arm(struct room *r)
{
	unsigned long long now = mono_ms();

	if (r->gone)
		sx_timer_start(r->gone_timer, r->gone->until > now ?
			       (unsigned long)(r->gone->until - now) : 0);
	else
		sx_timer_stop(r->gone_timer);
}

static void room_changed(struct room *r)
{
	if (r->gw->focus)
		focus_room_changed(r->gw->focus, r);
}

static void gone_expire(void *arg)
{
	struct room *r = arg;
	unsigned long long now = mono_ms();

	if (gone_drop(r, gone_due, &now))
		room_changed(r);
	gone_arm(r);
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* p leaves: it stays listed, disconnected, for ROOM_GONE_LINGER_MS. */
static void gone_add(struct participant *p, enum leave_reason why,
		     const char *reason)
{
	struct room *r = p->room;
	struct room_gone *g = calloc(1, sizeof(*g)), **gp;

	if (g == NULL)
		return;  /* the roster drops it at once instead */
	g->aor = strdup(p->aor);
	g->user = strdup(p->user);
	g->contact = strdup(p->contact);
	g->display = dup_opt(p->display);
	g->nick = dup_opt(p->nick);
	g->referred_by = dup_opt(p->referred_by);
	g->reason = dup_opt(reason);
	if (g->aor == NULL || g->user == NULL || g->contact == NULL) {
		gone_free(g);
		return;
	}
	g->dialed_out = p->dialed_out;
	g->method = leave_names[why];
	g->until = mono_ms() + ROOM_GONE_LINGER_MS;
	gone_drop(r, gone_same, p);
	for (gp = &r->gone; *gp; gp = &(*gp)->next)
		;
	*gp = g;
	gone_arm(r);
}

/* --- rooms --------------------------------------------------------------- */

static void room_destroy(struct room *r)
{
	struct sxgw *gw = r->gw;
	struct room **rp;
	unsigned i;

	if (gw->focus)
		focus_room_destroyed(gw->focus, r);
	for (rp = &gw->rooms; *rp; rp = &(*rp)->next)
		if (*rp == r) {
			*rp = r->next;
			break;
		}
	gw->nrooms--;
	for (i = 0; i < r->hist_len; i++)
		free(r->history[(r->hist_start + i) %
				gw->cfg->history_size].data);
	gone_drop(r, gone_any, NULL);
	sx_timer_free(r->gone_timer);
	sx_info("room %s: destroyed", r->name);
	free(r->history);
	free(r->subject);
	free(r->name);
	free(r->uri);
	free(r);
}

void room_destroy_all(struct sxgw *gw)
{
	while (gw->rooms) {
		struct room *r = gw->rooms;

		/* the last room_leave() destroys the room (gw->stopping) */
		while (gw->rooms == r && r->participants)
			room_leave(r->participants, LEAVE_SHUTDOWN);
		if (gw->rooms == r)
			room_destroy(r);
	}
}

struct participant *room_join(struct room *r, const char *aor,
			      const char *display, const char *contact,
			      int dialed_out, struct sx_err *err)
{
	struct participant *p, **pp;
	int gruu;

	if (r->count >= r->gw->cfg->max_participants) {
		sx_err_set(err, 486, "room %s is full (%u participants)",
			   r->name, r->count);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	p->room = r;
	p->id = next_participant_id++;
	p->aor = strdup(aor);
	p->display = display && display[0] ? strdup(display) : NULL;
	p->contact = strdup(contact ? contact : aor);
	p->user = p->contact ? room_user_entity(aor, p->contact) : NULL;
	p->dialed_out = dialed_out;
	p->joined_at = time(NULL);
	p->state = dialed_out ? PART_ALERTING : PART_CONNECTING;
	if (p->aor == NULL || p->contact == NULL || p->user == NULL) {
		free(p->aor);
		free(p->user);
		free(p->display);
		free(p->contact);
		free(p);
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	gone_drop(r, gone_same, p);
	/* append: the roster lists participants in order of arrival */
	for (pp = &r->participants; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	r->count++;
	gruu = strcmp(p->user, p->aor) != 0;
	sx_info("room %s: %s %s (participant %lu%s%s)", r->name, p->aor,
		dialed_out ? "invited" : "joining", p->id,
		gruu ? ", user " : "", gruu ? p->user : "");
	return p;
}

void room_answered(struct participant *p)
{
	if (p->state == PART_ALERTING)
		p->state = PART_CONNECTING;
	if (p->msrp && p->room->gw->sw)
		switch_session_answered(p->room->gw->sw, p);
	room_changed(p->room);
}

void room_connected(struct participant *p)
{
	p->state = PART_CONNECTED;
	sx_info("room %s: %s connected (participant %lu)", p->room->name,
		p->aor, p->id);
	room_changed(p->room);
}

static void participant_free(struct participant *p)
{
	char **t;

	free(p->aor);
	free(p->user);
	free(p->display);
	free(p->contact);
	free(p->referred_by);
	free(p->remote_path);
	for (t = p->accept_wrapped; t && *t; t++)
		free(*t);
	free(p->accept_wrapped);
	free(p->nick);
	free(p->nick_key);
	free(p);
}

static void leave(struct participant *p, enum leave_reason why,
		  const char *by, const char *bye_reason)
{
	struct room *r = p->room;
	struct sxgw *gw = r->gw;
	struct participant **pp;
	char reason[300];

	for (pp = &r->participants; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	r->count--;
	reason[0] = '\0';
	if (why == LEAVE_BOOTED)
		snprintf(reason, sizeof(reason), "Removed by %s",
			 by ? by : "the room");
	/* the other side lets go of its part */
	if (p->msrp && gw->sw)
		switch_session_end(gw->sw, p);
	if (p->leg && gw->focus)
		focus_leg_end(gw->focus, p, reason[0] ? reason : NULL,
			      bye_reason);
	sx_info("room %s: %s left (%s, participant %lu%s%s%s%s)", r->name,
		p->aor, leave_names[why], p->id, p->nick ? ", nick " : "",
		p->nick ? p->nick : "", reason[0] ? ", " : "", reason);
	if (why != LEAVE_SHUTDOWN && !gw->stopping)
		gone_add(p, why, reason[0] ? reason : NULL);
	participant_free(p);
	room_changed(r);
	if (r->count == 0 && ((!gw->cfg->keep_rooms && !r->persistent) ||
			      gw->stopping))
		room_destroy(r);
}

void room_leave(struct participant *p, enum leave_reason why)
{
	leave(p, why, NULL, NULL);
}

void room_boot(struct participant *p, const char *by, const char *reason)
{
	leave(p, LEAVE_BOOTED, by, reason);
}

struct participant *room_find_nick(const struct room *r, const char *nick)
{
	struct participant *p;
	struct sx_err err;
	char *key = nickname_key(nick, strlen(nick), &err);

	if (key == NULL)
		return NULL;
	for (p = r->participants; p; p = p->next)
		if (p->nick_key && strcmp(p->nick_key, key) == 0)
			break;
	free(key);
	return p;
}

struct participant *room_find_aor(const struct room *r, const char *aor)
{
	struct participant *p;

	for (p = r->participants; p; p = p->next)
		if (strcasecmp(p->aor, aor) == 0)
			return p;
	return NULL;
}

/* The gr value as one canonical string: %XX decoded, then escaped by
 * sip_uri_param_escape(), so "r%31" and "r1" are the same user. */
char *room_user_entity(const char *aor, const char *uri)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, uri);
	char *raw = NULL, *value = NULL, *out = NULL;
	isize_t n = 0;

	if (u && u->url_params) {
		raw = malloc(strlen(u->url_params) + 1);
		if (raw)
			n = url_param(u->url_params, "gr", raw,
				      strlen(u->url_params) + 1);
	}
	/* n counts the NUL: 1 is a gr without a value (a temporary GRUU
	 * names its user in the user part, not in gr) */
	if (n > 1)
		url_unescape(raw, raw);
	if (n > 1 && raw[0]) {
		value = sip_uri_param_escape(raw);
		if (value == NULL || asprintf(&out, "%s;gr=%s", aor,
					      value) < 0)
			out = NULL;
	} else {
		out = strdup(aor);
	}
	free(value);
	free(raw);
	su_home_deinit(home);
	return out;
}

struct participant *room_find_user(const struct room *r, const char *user)
{
	struct participant *p;

	for (p = r->participants; p; p = p->next)
		if (strcasecmp(p->user, user) == 0 ||
		    strcasecmp(p->aor, user) == 0)
			return p;
	return NULL;
}

int room_set_nick(struct participant *p, const char *nick, size_t len,
		  struct sx_err *err)
{
	struct room *r = p->room;
	struct participant *q;
	char *shown, *key;

	shown = nickname_enforce(nick, len, err);
	if (shown == NULL)
		return 424;
	key = nickname_key(shown, strlen(shown), err);
	if (key == NULL) {
		free(shown);
		return 424;
	}
	for (q = r->participants; q; q = q->next) {
		/* the same AOR may take its own nick again (RFC 7701 §6.1) */
		if (q == p || q->nick_key == NULL ||
		    strcmp(q->nick_key, key) != 0)
			continue;
		if (strcasecmp(q->aor, p->aor) == 0)
			continue;
		sx_err_set(err, 425, "nickname '%s' is in use", shown);
		free(shown);
		free(key);
		return 425;
	}
	sx_info("room %s: %s is now '%s'%s%s%s", r->name, p->aor, shown,
		p->nick ? " (was '" : "", p->nick ? p->nick : "",
		p->nick ? "')" : "");
	free(p->nick);
	free(p->nick_key);
	p->nick = shown;
	p->nick_key = key;
	room_changed(r);
	return 200;
}

void room_set_subject(struct room *r, const char *subject,
		      const struct participant *by)
{
	free(r->subject);
	r->subject = subject && subject[0] ? strdup(subject) : NULL;
	sx_info("room %s: subject set by %s", r->name, by ? by->aor : "-");
	room_changed(r);
}

void room_history_add(struct room *r, const char *data, size_t len)
{
	unsigned size = r->gw->cfg->history_size;
	struct room_message *m;

	if (size == 0)
		return;
	if (r->hist_len == size) {
		/* full: the oldest goes */
		free(r->history[r->hist_start].data);
		r->hist_start = (r->hist_start + 1) % size;
		r->hist_len--;
	}
	m = &r->history[(r->hist_start + r->hist_len) % size];
	m->data = malloc(len ? len : 1);
	if (m->data == NULL)
		return;
	memcpy(m->data, data, len);
	m->len = len;
	r->hist_len++;
}

void room_history_each(const struct room *r,
		       void (*fn)(void *arg, const struct room_message *m),
		       void *arg)
{
	unsigned size = r->gw->cfg->history_size, i;

	for (i = 0; i < r->hist_len; i++)
		fn(arg, &r->history[(r->hist_start + i) % size]);
}

static const char *endpoint_status(const struct participant *p)
{
	switch (p->state) {
	case PART_ALERTING:
		return "alerting";
	case PART_CONNECTING:
		return "pending";
	case PART_CONNECTED:
		return "connected";
	}
	return "pending";
}

static int add_gone_endpoint(struct confinfo_user *u,
			     const struct room_gone *g)
{
	struct confinfo_endpoint *e = confinfo_endpoint_add(u, g->contact);

	if (e == NULL)
		return -1;
	e->status = strdup("disconnected");
	e->joining_method = strdup(g->dialed_out ? "dialed-out" : "dialed-in");
	e->disconnection_method = strdup(g->method);
	e->disconnection_reason = dup_opt(g->reason);
	e->referred_by = dup_opt(g->referred_by);
	return e->status && e->joining_method && e->disconnection_method ?
		0 : -1;
}

static int add_endpoint(struct confinfo_user *u, const struct participant *p)
{
	struct confinfo_endpoint *e = confinfo_endpoint_add(u, p->contact);
	struct confinfo_media *m;

	if (e == NULL)
		return -1;
	e->status = strdup(endpoint_status(p));
	e->joining_method = strdup(p->dialed_out ? "dialed-out" : "dialed-in");
	if (p->referred_by)
		e->referred_by = strdup(p->referred_by);
	m = confinfo_media_add(e, "1");
	if (m == NULL)
		return -1;
	m->type = strdup("message");
	m->status = strdup("sendrecv");
	return 0;
}

/* The roster's user of that entity, added (role participant) when new. */
static struct confinfo_user *roster_user(struct confinfo *ci,
					 const char *entity,
					 const char *display)
{
	struct confinfo_user *u = confinfo_user_find(ci, entity);

	if (u)
		return u;
	u = confinfo_user_add(ci, entity);
	if (u == NULL)
		return NULL;
	if (display)
		u->display_text = strdup(display);
	u->has_roles = 1;
	u->roles = calloc(1, sizeof(char *));
	if (u->roles == NULL)
		return NULL;
	u->roles[0] = strdup("participant");
	u->nroles = 1;
	return u;
}

struct confinfo *room_confinfo(const struct room *r)
{
	struct confinfo *ci = confinfo_new(r->uri);
	const struct participant *p;
	const struct room_gone *g;

	if (ci == NULL)
		return NULL;
	ci->state = CONFINFO_FULL;
	ci->has_description = 1;
	ci->display_text = strdup(r->name);
	if (r->subject)
		ci->subject = strdup(r->subject);
	ci->has_max_user_count = 1;
	ci->max_user_count = r->gw->cfg->max_participants;
	ci->has_conference_state = 1;
	ci->has_user_count = 1;
	ci->active = 1;
	ci->locked = 0;
	ci->has_users = 1;
	ci->users_state = CONFINFO_FULL;
	for (p = r->participants; p; p = p->next) {
		struct confinfo_user *u = roster_user(ci, p->user, p->display);

		if (u == NULL)
			goto fail;
		if (u->nendpoints == 0)
			ci->user_count++;
		/* the first endpoint with a nick names the user (see above) */
		if (u->nickname == NULL && p->nick)
			u->nickname = strdup(p->nick);
		if (add_endpoint(u, p) != 0)
			goto fail;
	}
	/* after the present ones, so that a user's nick is a present one */
	for (g = r->gone; g; g = g->next) {
		struct confinfo_user *u = roster_user(ci, g->user, g->display);

		if (u == NULL)
			goto fail;
		if (u->nickname == NULL && g->nick)
			u->nickname = strdup(g->nick);
		if (add_gone_endpoint(u, g) != 0)
			goto fail;
	}
	return ci;
fail:
	confinfo_free(ci);
	return NULL;
}
