/*
 * gw_leg_roster.c - a leg's conference subscription (RFC 6665, RFC 4575
 * §3): SUBSCRIBE Event: conference, and each NOTIFY folded into the
 * leg's copy of the room's state with confinfo_apply (§4.6: stale
 * versions dropped, a gap or a partial document before any full one
 * answered by a refresh, which brings the full state).  The first full
 * state completes the join; later changes go to roster().  A NOTIFY that
 * shows our endpoint gone ends the leg, booted when its
 * disconnection-method says so (§5.6.7).  Bodies that do not parse are
 * logged and ignored: the subscription goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "confinfo.h"
#include "gw_leg_int.h"
#include "sip_uri.h"
#include "sx_log.h"

void leg_subscribe(struct gw_leg *leg)
{
	char expires[16];

	if (leg->sub == NULL)
		leg->sub = nua_handle(leg->sip->nua, &leg->owner,
				      SIPTAG_TO_STR(leg->room_uri),
				      SIPTAG_FROM_STR(leg->from_hdr),
				      TAG_END());
	if (leg->sub == NULL) {
		leg_fail(leg, 500, "out of memory");
		return;
	}
	snprintf(expires, sizeof(expires), "%u",
		 leg->gw->cfg->subscription_expires);
	leg->subscribed = 1;
	nua_subscribe(leg->sub, SIPTAG_EVENT_STR("conference"),
		      SIPTAG_ACCEPT_STR(CONFINFO_MIME),
		      SIPTAG_EXPIRES_STR(expires),
		      SIPTAG_CONTACT_STR(leg->contact_hdr), TAG_END());
}

/* --- the roster ---------------------------------------------------------- */

/* The gr value of uri, %XX-decoded (malloc'd); NULL when it has none
 * with a value. */
static char *gr_value(const char *uri)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, uri);
	char *v = NULL;
	size_t cap;

	if (u && u->url_params) {
		cap = strlen(u->url_params) + 1;
		v = malloc(cap);
		if (v && url_param(u->url_params, "gr", v, cap) > 1)
			url_unescape(v, v);
		else if (v) {
			free(v);
			v = NULL;
		}
	}
	su_home_deinit(home);
	return v;
}

/* Whether entity is "our AOR;gr=our resource".  sip_uri_same() alone
 * would not do: RFC 3261 §19.1.4 ignores a parameter present on one
 * side only, and other resources of our AOR differ by gr alone. */
static int entity_is_us(const struct gw_leg *leg, const char *entity)
{
	char *aor, *gr;
	int same;

	if (entity == NULL || (gr = gr_value(entity)) == NULL)
		return 0;
	aor = sip_uri_aor(entity, NULL);
	same = aor && strcmp(gr, leg->resource) == 0 &&
	       (strcasecmp(aor, leg->aor) == 0 || sip_uri_same(aor, leg->aor));
	free(aor);
	free(gr);
	return same;
}

int gw_leg_is_us(const struct gw_leg *leg, const struct confinfo_user *u)
{
	size_t j;

	for (j = 0; j < u->nendpoints; j++)
		if (u->endpoints[j].entity &&
		    strcmp(u->endpoints[j].entity, leg->contact) == 0)
			return 1;
	return entity_is_us(leg, u->entity);
}

/* Our endpoint: the one with our Contact, else, in the user our GRUU
 * makes, its only one. */
static const struct confinfo_endpoint *
our_endpoint(const struct gw_leg *leg, const struct confinfo *ci)
{
	const struct confinfo_user *mine = NULL;
	size_t i, j;

	for (i = 0; ci && i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		for (j = 0; j < u->nendpoints; j++)
			if (u->endpoints[j].entity &&
			    strcmp(u->endpoints[j].entity, leg->contact) == 0)
				return &u->endpoints[j];
		if (mine == NULL && entity_is_us(leg, u->entity))
			mine = u;
	}
	return mine && mine->nendpoints == 1 ? &mine->endpoints[0] : NULL;
}

static int method_booted(const struct confinfo_endpoint *e)
{
	return e && e->disconnection_method &&
	       strcmp(e->disconnection_method, "booted") == 0;
}

/* Whether the roster, once n is applied, no longer has our endpoint in
 * the room, and whether it says we were booted (in the state, or in n for
 * an endpoint n deleted). */
static int self_gone(const struct gw_leg *leg, const struct confinfo *n,
		     int *booted)
{
	const struct confinfo_endpoint *e = our_endpoint(leg, leg->roster);

	*booted = 0;
	if (e && (e->status == NULL ||
		  (strcmp(e->status, "disconnected") != 0 &&
		   strcmp(e->status, "disconnecting") != 0)))
		return 0;
	*booted = method_booted(e) || method_booted(our_endpoint(leg, n));
	return 1;
}

static void apply_notify(struct gw_leg *leg, const char *body, size_t len)
{
	struct confinfo *n = NULL, *before = NULL;
	enum confinfo_apply_result r;
	struct sx_err err;
	int gone, booted;

	sx_err_clear(&err);
	if (confinfo_parse(body, len, &n, &err) != 0) {
		sx_notice("gw leg %lu: NOTIFY from %s ignored (line %lu): %s",
			  leg->id, leg->room_uri, err.line, err.text);
		return;
	}
	if (leg->roster == NULL &&
	    (leg->roster = confinfo_new(n->entity)) == NULL) {
		confinfo_free(n);
		return;
	}
	if (leg->state == LEG_JOINED &&
	    (before = confinfo_dup(leg->roster)) == NULL) {
		confinfo_free(n);
		return;
	}
	r = confinfo_apply(leg->roster, n, &err);
	gone = leg->state == LEG_JOINED && r == CONFINFO_APPLIED &&
	       self_gone(leg, n, &booted);
	confinfo_free(n);
	switch (r) {
	case CONFINFO_APPLIED:
		leg->have_full = 1;
		break;
	case CONFINFO_STALE:
		goto out;
	case CONFINFO_GAP:
		/* a refresh brings the full state (RFC 4575 §4.6) */
		sx_info("gw leg %lu: NOTIFY gap from %s: refreshing",
			leg->id, leg->room_uri);
		leg_subscribe(leg);
		goto out;
	case CONFINFO_INVALID:
		sx_notice("gw leg %lu: NOTIFY from %s not applicable: %s",
			  leg->id, leg->room_uri, err.text);
		if (!leg->have_full)
			leg_subscribe(leg);
		goto out;
	}
	if (leg->state == LEG_SUBSCRIBING) {
		leg->state = LEG_JOINED;
		sx_timer_stop(leg->timer);
		sx_info("gw leg %lu: %s joined %s as '%s'", leg->id, leg->aor,
			leg->room_uri, leg->nick);
		leg->ops->joined(leg->arg, leg, leg->nick, leg->roster);
	} else if (before && !confinfo_equal(before, leg->roster) &&
		   !leg->closing) {
		leg->ops->roster(leg->arg, leg, before, leg->roster);
	}
	if (gone && !leg->closing)
		leg_end(leg, booted, booted ? "booted from the room"
					    : "no longer in the room");
out:
	confinfo_free(before);
}

void leg_on_notify(struct gw_leg *leg, const sip_t *sip)
{
	const sip_subscription_state_t *ss = sip->sip_subscription_state;
	int terminated = ss && ss->ss_substate &&
			 strcasecmp(ss->ss_substate, "terminated") == 0;
	char why[200];

	if (sip->sip_payload && sip->sip_content_type &&
	    sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, CONFINFO_MIME) == 0 &&
	    !leg->closing)
		apply_notify(leg, sip->sip_payload->pl_data,
			     sip->sip_payload->pl_len);
	else if (sip->sip_payload && !leg->closing)
		sx_notice("gw leg %lu: NOTIFY from %s without conference-info "
			  "ignored", leg->id, leg->room_uri);
	if (!terminated)
		return;
	leg->subscribed = 0;
	snprintf(why, sizeof(why), "the room ended the subscription%s%s",
		 ss->ss_reason ? ": " : "", ss->ss_reason ? ss->ss_reason : "");
	if (leg->closing)
		leg_check_done(leg);
	else if (leg->state == LEG_JOINED)
		leg_end(leg, 0, why);
	else if (leg->state == LEG_SUBSCRIBING)
		leg_fail(leg, 480, why);
}

void leg_on_subscribe_answer(struct gw_leg *leg, int status,
				const char *phrase)
{
	char why[200];

	if (status < 300)
		return;
	leg->subscribed = 0;
	if (leg->closing) {
		leg_check_done(leg);
		return;
	}
	snprintf(why, sizeof(why), "SUBSCRIBE answered %03d %s", status,
		 phrase);
	if (leg->state == LEG_JOINED)
		leg_end(leg, 0, why);
	else
		leg_fail(leg, status, phrase);
}
