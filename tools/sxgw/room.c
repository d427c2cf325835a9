/*
 * room.c - rooms and participants, see room.h.
 *
 * Rooms are few and participants per room are at most max_participants
 * (500 by default), so lists with linear lookups are the right size: a
 * nickname check walks one room, and a roster is built once per coalesced
 * NOTIFY, not once per change.
 */
#include "room.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "focus.h"
#include "nickname.h"
#include "switch.h"
#include "sx_log.h"

static unsigned long next_participant_id = 1;

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
	if (r->name == NULL || r->uri == NULL ||
	    (gw->cfg->history_size && r->history == NULL)) {
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
	p->dialed_out = dialed_out;
	p->joined_at = time(NULL);
	p->state = dialed_out ? PART_ALERTING : PART_CONNECTING;
	if (p->aor == NULL || p->contact == NULL) {
		free(p->aor);
		free(p->display);
		free(p->contact);
		free(p);
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	/* append: the roster lists participants in order of arrival */
	for (pp = &r->participants; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	r->count++;
	sx_info("room %s: %s %s (participant %lu)", r->name, p->aor,
		dialed_out ? "invited" : "joining", p->id);
	return p;
}

static void room_changed(struct room *r)
{
	if (r->gw->focus)
		focus_room_changed(r->gw->focus, r);
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

void room_leave(struct participant *p, enum leave_reason why)
{
	struct room *r = p->room;
	struct sxgw *gw = r->gw;
	struct participant **pp;

	for (pp = &r->participants; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	r->count--;
	/* the other side lets go of its part */
	if (p->msrp && gw->sw)
		switch_session_end(gw->sw, p);
	if (p->leg && gw->focus)
		focus_leg_end(gw->focus, p);
	sx_info("room %s: %s left (%s, participant %lu%s%s)", r->name, p->aor,
		leave_names[why], p->id, p->nick ? ", nick " : "",
		p->nick ? p->nick : "");
	participant_free(p);
	room_changed(r);
	if (r->count == 0 && (!gw->cfg->keep_rooms || gw->stopping))
		room_destroy(r);
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

struct confinfo *room_confinfo(const struct room *r)
{
	struct confinfo *ci = confinfo_new(r->uri);
	const struct participant *p;

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
		struct confinfo_user *u = confinfo_user_find(ci, p->aor);

		if (u == NULL) {
			u = confinfo_user_add(ci, p->aor);
			if (u == NULL)
				goto fail;
			if (p->display)
				u->display_text = strdup(p->display);
			u->has_roles = 1;
			u->roles = calloc(1, sizeof(char *));
			if (u->roles == NULL)
				goto fail;
			u->roles[0] = strdup("participant");
			u->nroles = 1;
			ci->user_count++;
		}
		/* the first endpoint with a nick names the user */
		if (u->nickname == NULL && p->nick)
			u->nickname = strdup(p->nick);
		if (add_endpoint(u, p) != 0)
			goto fail;
	}
	return ci;
fail:
	confinfo_free(ci);
	return NULL;
}
