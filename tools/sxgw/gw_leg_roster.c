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

static const struct confinfo_endpoint *
our_endpoint(const struct gw_leg *leg, const struct confinfo *ci)
{
	size_t i, j;

	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (strcasecmp(u->entity, leg->aor) != 0 &&
		    !sip_uri_same(u->entity, leg->aor))
			continue;
		for (j = 0; j < u->nendpoints; j++)
			if (strcmp(u->endpoints[j].entity, leg->contact) == 0)
				return &u->endpoints[j];
	}
	return NULL;
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
