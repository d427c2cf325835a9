/*
 * focus_sub.c - the conference event package (RFC 4575) on RFC 6665
 * subscriptions: SUBSCRIBE, the NOTIFYs, and the end of subscriptions.
 *
 * Versions and partial state (RFC 4575 §4.6).  Each subscription keeps
 * the version of its last NOTIFY and the state that NOTIFY described.  The
 * first NOTIFY is the full state with version 1; each later one is
 * confinfo_diff(last, now), the changes since that subscriber's last
 * NOTIFY, with version + 1.  A refresh gets the full state again with the
 * next version: that is how a subscriber that saw a gap resynchronises.
 * (nua answers the refresh and repeats the previous NOTIFY on its own;
 * that copy has an old version, which subscribers drop.)
 *
 * Coalescing.  RFC 4575 §3.9 allows at most one NOTIFY per subscriber per
 * 5 s; ours is a shorter window (notify_window_ms, default 100 ms) so that
 * rosters, and MUC presence built from them, stay live.  The first change
 * of a room arms its timer; whatever else changes before it fires goes in
 * the same NOTIFY.  A subscriber has at most one NOTIFY in flight: what
 * changes meanwhile is sent, as one diff, once that one is answered.
 *
 * Lifetime (RFC 6665 §4.2).  Expires is capped at subscription_expires.
 * nua answers refreshes and unsubscriptions (Expires: 0) and sends the
 * NOTIFY with Subscription-State: terminated for those and for expiry
 * (reason=timeout).  When the room goes (or sxgw stops) each subscriber
 * gets a last partial NOTIFY with <active>false</active> and
 * Subscription-State: terminated;reason=noresource.  A NOTIFY answered
 * with an error ends the subscription (RFC 6665 §4.2.2).
 */
#include "focus_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sx_log.h"

static void room_flush(void *arg);

static struct focus_room *room_state(struct focus *f, struct room *r,
				     int create)
{
	struct focus_room *fr;

	for (fr = f->rooms; fr; fr = fr->next)
		if (fr->room == r)
			return fr;
	if (!create)
		return NULL;
	fr = calloc(1, sizeof(*fr));
	if (fr == NULL)
		return NULL;
	fr->timer = sx_timer_new(f->gw->loop, room_flush, fr);
	if (fr->timer == NULL) {
		free(fr);
		return NULL;
	}
	fr->f = f;
	fr->room = r;
	fr->next = f->rooms;
	f->rooms = fr;
	return fr;
}

static void room_state_free(struct focus_room *fr)
{
	struct focus_room **frp;

	for (frp = &fr->f->rooms; *frp; frp = &(*frp)->next)
		if (*frp == fr) {
			*frp = fr->next;
			break;
		}
	sx_timer_free(fr->timer);
	free(fr);
}

/* The subscription no longer follows its room. */
static void sub_detach(struct focus_sub *s)
{
	struct focus_room *fr = s->fr;
	struct focus_sub **sp;

	if (fr == NULL)
		return;
	for (sp = &fr->subs; *sp; sp = &(*sp)->room_next)
		if (*sp == s) {
			*sp = s->room_next;
			break;
		}
	s->fr = NULL;
	s->room_next = NULL;
	if (fr->subs == NULL)
		room_state_free(fr);
}

void focus_sub_free(struct focus_sub *s)
{
	sub_detach(s);
	focus_usage_unlink(&s->leg->subs, &s->u);
	confinfo_free(s->last);
	free(s->u.id);
	free(s->who);
	free(s);
}

/* Sends what changed since the subscriber's last NOTIFY (everything when
 * a full state is due); final ends the subscription.  Returns 1 when a
 * NOTIFY went out. */
static int sub_send(struct focus_sub *s, struct confinfo *now, int final)
{
	struct focus_leg *leg = s->leg;
	struct confinfo *doc = NULL, *keep = NULL;
	char *xml = NULL;
	const char *kind;
	size_t len;

	if (now) {
		now->has_version = 1;
		if (!final && !s->need_full && s->last) {
			now->version = s->version;
			if (confinfo_equal(s->last, now))
				return 0;
		}
		now->version = s->version + 1;
		doc = s->need_full || s->last == NULL ? confinfo_dup(now) :
			confinfo_diff(s->last, now);
		keep = confinfo_dup(now);
		xml = doc && keep ? confinfo_write(doc, &len) : NULL;
	}
	if (xml == NULL && !final) {
		sx_warn("room %s: NOTIFY to %s: out of memory", leg->room,
			s->who);
		confinfo_free(doc);
		confinfo_free(keep);
		return 0;
	}
	kind = doc == NULL ? "no body" :
		doc->state == CONFINFO_PARTIAL ? "partial" : "full";
	focus_notify(leg, "conference", s->u.id, final, CONFINFO_MIME, xml);
	sx_debug("room %s: NOTIFY to %s: version %lu, %s%s", leg->room,
		 s->who, s->version + 1, kind, final ? ", final" : "");
	if (xml) {
		s->version++;
		confinfo_free(s->last);
		s->last = keep;
		keep = NULL;
	}
	s->need_full = 0;
	s->dirty = 0;
	s->inflight = 1;
	free(xml);
	confinfo_free(doc);
	confinfo_free(keep);
	return 1;
}

static void sub_update(struct focus_sub *s)
{
	struct confinfo *now;

	if (s->fr == NULL || s->ending)
		return;
	if (s->inflight) {
		s->dirty = 1;
		return;
	}
	now = room_confinfo(s->fr->room);
	if (now == NULL) {
		sx_warn("room %s: no roster for %s: out of memory",
			s->leg->room, s->who);
		return;
	}
	sub_send(s, now, 0);
	confinfo_free(now);
}

static void room_flush(void *arg)
{
	struct focus_room *fr = arg;
	struct confinfo *now = room_confinfo(fr->room);
	struct focus_sub *s;

	if (now == NULL) {
		sx_warn("room %s: no roster: out of memory", fr->room->name);
		return;
	}
	for (s = fr->subs; s; s = s->room_next) {
		if (s->ending)
			continue;
		if (s->inflight)
			s->dirty = 1;
		else
			sub_send(s, now, 0);
	}
	confinfo_free(now);
}

void focus_room_changed(struct focus *f, struct room *r)
{
	struct focus_room *fr = room_state(f, r, 0);

	if (fr && !sx_timer_armed(fr->timer))
		sx_timer_start(fr->timer, f->gw->cfg->notify_window_ms);
}

void focus_room_destroyed(struct focus *f, struct room *r)
{
	struct focus_room *fr = room_state(f, r, 0);
	struct confinfo *now;
	struct focus_sub *s;

	if (fr == NULL)
		return;
	now = room_confinfo(r);
	if (now) {
		/* the conference is over: tell it in the last NOTIFY */
		now->has_conference_state = 1;
		now->active = 0;
	}
	while ((s = fr->subs) != NULL) {
		fr->subs = s->room_next;
		s->fr = NULL;
		s->room_next = NULL;
		if (s->ending)
			continue;
		s->ending = 1;
		sub_send(s, now, 1);
		sx_info("room %s: subscription of %s terminated (room "
			"closed)", r->name, s->who);
	}
	confinfo_free(now);
	room_state_free(fr);
}

void focus_sub_end_all(struct focus *f)
{
	while (f->rooms)
		focus_room_destroyed(f, f->rooms->room);
}

static int accepts_confinfo(sip_accept_t const *ac)
{
	if (ac == NULL)
		return 1;  /* RFC 4575 §3.3: the default */
	for (; ac; ac = ac->ac_next)
		if (ac->ac_type &&
		    (strcasecmp(ac->ac_type, CONFINFO_MIME) == 0 ||
		     strcasecmp(ac->ac_type, "application/*") == 0 ||
		     strcmp(ac->ac_type, "*/*") == 0))
			return 1;
	return 0;
}

/* A SUBSCRIBE nua answered itself: refresh or unsubscription. */
static void sub_answered(struct focus_leg *leg, int status,
			 char const *phrase, sip_t const *sip,
			 tagi_t const *tags)
{
	sip_event_t const *o = sip ? sip->sip_event : NULL;
	struct focus_sub *s = (struct focus_sub *)
		focus_usage_find(leg->subs, o ? o->o_id : NULL);
	tagi_t const *t = tl_find(tags, nutag_substate);

	if (s == NULL)
		return;
	if (status >= 300 || (t && t->t_value == nua_substate_terminated)) {
		sx_info("room %s: SUBSCRIBE from %s: %d %s (unsubscribed)",
			leg->room, s->who, status, phrase);
		sub_detach(s);
		s->ending = 1;  /* nua sends the final NOTIFY */
		return;
	}
	sx_info("room %s: SUBSCRIBE from %s: %d %s (refreshed)", leg->room,
		s->who, status, phrase);
	s->need_full = 1;
	sub_update(s);
}

static void sub_refuse(struct focus *f, struct focus_leg *leg, int status,
		       const char *phrase, const char *why)
{
	focus_refuse(f, leg, "SUBSCRIBE", status, phrase, why);
}

void focus_sub_incoming(struct focus *f, nua_handle_t *nh,
			struct focus_leg *leg, int status, sip_t const *sip,
			tagi_t const *tags)
{
	unsigned long expires;
	struct focus_room *fr;
	struct focus_sub *s;
	struct confinfo *now;
	struct room *r;

	if (status >= 200) {
		const char *ph = sip_status_phrase(status);

		if (leg)
			sub_answered(leg, status, ph ? ph : "", sip, tags);
		else
			nua_handle_destroy(nh);
		return;
	}
	leg = focus_usage_leg(f, nh, leg, sip);
	if (leg == NULL)
		return;
	r = focus_usage_room(f, leg, "SUBSCRIBE", sip);
	if (r == NULL)
		return;
	if (!accepts_confinfo(sip->sip_accept)) {
		sub_refuse(f, leg, 406, NULL, "only " CONFINFO_MIME
			   " is available");
		return;
	}
	s = calloc(1, sizeof(*s));
	fr = s ? room_state(f, r, 1) : NULL;
	if (fr == NULL) {
		free(s);
		sub_refuse(f, leg, 500, NULL, "out of memory");
		return;
	}
	s->leg = leg;
	s->who = leg->peer ? strdup(leg->peer) : strdup("-");
	if (sip->sip_event && sip->sip_event->o_id)
		s->u.id = strdup(sip->sip_event->o_id);
	s->fr = fr;
	s->room_next = fr->subs;
	fr->subs = s;
	s->u.next = leg->subs;
	leg->subs = &s->u;
	s->need_full = 1;
	nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(f->nua),
		    SIPTAG_CONTACT_STR(leg->contact), TAG_END());
	expires = sip->sip_expires ? sip->sip_expires->ex_delta : 3600;
	if (expires > f->gw->cfg->subscription_expires)
		expires = f->gw->cfg->subscription_expires;
	sx_info("room %s: SUBSCRIBE from %s: 200 OK (expires %lu s)", r->name,
		s->who, expires);
	/* RFC 6665 §4.2.1.2: the first NOTIFY goes out at once */
	now = room_confinfo(r);
	if (now == NULL || !sub_send(s, now, 0))
		sx_warn("room %s: first NOTIFY to %s not sent", r->name,
			s->who);
	confinfo_free(now);
}

void focus_sub_notified(struct focus_leg *leg, struct focus_sub *s,
			int status, char const *phrase, int terminated)
{
	if (status < 200)
		return;
	s->inflight = 0;
	if (terminated) {
		if (status >= 300)
			sx_notice("room %s: NOTIFY to %s: %d %s: subscription "
				  "ended", leg->room, s->who, status, phrase);
		else
			sx_info("room %s: subscription of %s ended", leg->room,
				s->who);
		focus_sub_free(s);
		focus_leg_release(leg);
		return;
	}
	if (s->dirty)
		sub_update(s);
}
