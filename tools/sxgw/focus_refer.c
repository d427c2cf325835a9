/*
 * focus_refer.c - REFER to the room (RFC 3515; RFC 4579 §5.5 and §5.11):
 * inviting someone into the room, or removing a participant with
 * Refer-To: <uri>;method=BYE, and the implicit "refer" subscription with
 * its message/sipfrag NOTIFYs (RFC 3515 §2.4.4, §2.4.5; RFC 3420).
 * A REFER may come out of any dialog, or within a participant's INVITE
 * dialog.
 *
 * Answers:
 *   202  accepted.  NOTIFYs follow: "SIP/2.0 100 Trying", the 18x of the
 *        room's INVITE to the target, then its final status (or, for
 *        method=BYE, 200 once the participant is removed, 404 when no
 *        participant has that URI), the last with Subscription-State:
 *        terminated.
 *   400  no Refer-To, or several (RFC 3515 §2.4.1), or not a SIP URI;
 *        an embedded Subject or Reason that is unusable (see below)
 *   403  the sender is not a participant (unless refer_policy = anyone);
 *        the target is a room of this focus or the focus's own address
 *        (a room inviting a room would loop through SIP, and rooms
 *        inviting each other would chain forever); a method other than
 *        INVITE or BYE
 *   404  no such room
 *   480  the service is stopping
 *   483  Max-Forwards 0: the room's INVITE could not go anywhere
 * A room that is full, or an invitation that cannot be set up, is a final
 * NOTIFY (486, 500) after the 202, like any other failure of the INVITE.
 *
 * Loop safety (RFC 5393, RFC 7702 §8): the room's INVITE counts as a hop
 * of the REFER: its Max-Forwards is the REFER's minus one, so that a
 * chain of REFERs and INVITEs through proxies and gateways runs out.
 *
 * The reason of an invitation or a removal travels as a header embedded
 * in the Refer-To URI (RFC 3261 §19.1.1, RFC 3515 §2.1).  Only two are
 * taken, each into the request it belongs to: Subject (RFC 3261 §20.36)
 * into the room's INVITE, Reason (RFC 3326) into the BYE of a removal,
 * where it replaces "Removed by <referrer>" (the roster and the log
 * still name the referrer).  Every other embedded header is ignored:
 * RFC 3261 §19.1.5 lists headers that must never come from a URI, and
 * a referrer has no business setting the others.
 *
 * sofia-sip 1.12 sends two NOTIFYs of its own for an out-of-dialog REFER
 * that the application answers: "SIP/2.0 100 Trying" with
 * Subscription-State: pending as soon as the REFER arrives (so before
 * the answer, even a refusal: the referrer may see that NOTIFY before a
 * 4xx), and the same again, active, once the 202 is sent.  Nothing in
 * nua's API turns them off; the focus counts them and sends its own
 * NOTIFYs after them.  For a REFER within a dialog nua sends none, and
 * the focus sends the 100 Trying.
 *
 * The NOTIFYs of one REFER go one at a time, each after the previous one
 * is answered, so that none overtakes another; the next one carries the
 * latest progress.
 */
#include "focus_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sx_log.h"

#define SIPFRAG "message/sipfrag;version=2.0"

void focus_refer_free(struct focus_refer *ref)
{
	focus_usage_unlink(&ref->leg->refers, &ref->u);
	if (ref->dial)
		ref->dial->origin = NULL;
	free(ref->u.id);
	free(ref->room);
	free(ref->target);
	free(ref->subject);
	free(ref->reason);
	free(ref->pending_phrase);
	free(ref->final_reason);
	free(ref);
}

static void refer_send(struct focus_refer *ref)
{
	struct focus_leg *leg = ref->leg;
	int status = ref->pending, final = status >= 200;
	char frag[160 + FOCUS_HDR_MAX];

	/* RFC 3420 lets a sipfrag carry headers after the status line: the
	 * final one keeps the invitee's Reason (a decline's text). */
	snprintf(frag, sizeof(frag), "SIP/2.0 %03d %s\r\n%s%s%s", status,
		 ref->pending_phrase ? ref->pending_phrase : "",
		 final && ref->final_reason ? "Reason: " : "",
		 final && ref->final_reason ? ref->final_reason : "",
		 final && ref->final_reason ? "\r\n" : "");
	focus_notify(leg, "refer", ref->u.id, final, SIPFRAG, frag);
	sx_info("room %s: NOTIFY to %s: REFER to %s: %d %s%s%s%s",
		ref->room, leg->peer ? leg->peer : "-", ref->target, status,
		ref->pending_phrase ? ref->pending_phrase : "",
		final ? " (final)" : "",
		final && ref->final_reason ? ", Reason: " : "",
		final && ref->final_reason ? ref->final_reason : "");
	ref->inflight++;
	ref->pending = 0;
	if (final)
		ref->final_sent = 1;
}

void focus_refer_reason(struct focus_refer *ref, const char *reason)
{
	if (ref->final_sent || strlen(reason) > FOCUS_HDR_MAX ||
	    strpbrk(reason, "\r\n"))
		return;
	free(ref->final_reason);
	ref->final_reason = strdup(reason);
}

void focus_refer_progress(struct focus_refer *ref, int status,
			  const char *phrase)
{
	const char *ph = phrase ? phrase : sip_status_phrase(status);

	if (ref->final_sent || (ref->pending >= 200 && status < 200))
		return;
	free(ref->pending_phrase);
	ref->pending_phrase = strdup(ph ? ph : "");
	ref->pending = status;
	if (!ref->inflight)
		refer_send(ref);
}

void focus_refer_notified(struct focus_leg *leg, struct focus_refer *ref,
			  int status, int terminated)
{
	if (status < 200)
		return;
	if (ref->inflight > 0)
		ref->inflight--;
	if (terminated) {
		if (!ref->final_sent)
			sx_notice("room %s: REFER subscription of %s ended "
				  "early (%d)", ref->room,
				  leg->peer ? leg->peer : "-", status);
		focus_refer_free(ref);
		focus_leg_release(leg);
		return;
	}
	if (ref->pending && ref->inflight == 0)
		refer_send(ref);
}

void focus_refer_end_all(struct focus *f)
{
	struct focus_leg *leg;
	struct focus_usage *u;
	struct focus_refer *ref;

	for (leg = f->legs; leg; leg = leg->next)
		for (u = leg->refers; u; u = u->next) {
			ref = (struct focus_refer *)u;
			if (ref->final_sent)
				continue;
			if (ref->dial) {
				ref->dial->origin = NULL;
				ref->dial = NULL;
			}
			/* no answer to wait for: the agent stops next */
			ref->inflight = 0;
			focus_refer_progress(ref, 487, "Request Terminated");
		}
}

static void refer_refuse(struct focus *f, struct focus_leg *leg, int status,
			  const char *phrase, const char *why)
{
	focus_refuse(f, leg, "REFER", status, phrase, why);
}

/* RFC 3515 §2.4.1: exactly one Refer-To.  sofia keeps the first of a
 * single-valued header and puts the others on the error list. */
static int refer_to_count(sip_t const *sip)
{
	sip_error_t const *e;
	int n = sip->sip_refer_to ? 1 : 0;

	for (e = sip->sip_error; e; e = e->er_next)
		if (e->er_common->h_class == sip_refer_to_class ||
		    (e->er_name && (strcasecmp(e->er_name, "Refer-To") == 0 ||
				    strcasecmp(e->er_name, "r") == 0)))
			n++;
	return n;
}

/* RFC 4579 §5.11: every endpoint the target designates leaves the room
 * (one roster user when the target has ;gr=, every participant of the
 * AOR when not: room_find_user), told by its BYE and the roster that the
 * REFER's sender removed it. */
static int refer_bye(struct focus *f, struct focus_refer *ref)
{
	struct participant *p;
	struct room *r;
	int n = 0;

	while ((r = room_find(f->gw, ref->room)) != NULL &&
	       (p = room_find_user(r, ref->target)) != NULL) {
		room_boot(p, ref->leg->peer, ref->reason);
		n++;
	}
	return n ? 200 : 404;
}

/* The embedded headers the room's request takes (see above). */
static int refer_headers(struct focus_refer *ref, url_t const *u, int is_bye,
			 struct sx_err *err)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	int bad;

	if (!is_bye)
		return focus_url_header(u, "Subject", "s", &ref->subject, err);
	if (focus_url_header(u, "Reason", NULL, &ref->reason, err) != 0)
		return SX_ERROR;
	if (ref->reason == NULL)
		return 0;
	/* parsed now, so that a value sofia would not send is refused
	 * here rather than silently dropped from the BYE */
	bad = sip_reason_make(home, ref->reason) == NULL;
	su_home_deinit(home);
	if (bad)
		return sx_err_set(err, 400, "the Reason embedded in Refer-To "
				  "is not a Reason header value (RFC 3326)");
	return 0;
}

/* A removal names a roster user: the AOR, with the gr parameter of the
 * Refer-To when it has one (the user entity of a GRUU, see room.c).
 * Takes aor; returns the entity, or NULL when out of memory. */
static char *refer_bye_target(char *aor, url_t const *u)
{
	char *uri = focus_url_target(u), *user;

	user = uri ? room_user_entity(aor, uri) : NULL;
	free(uri);
	free(aor);
	return user;
}

/* A subscription not yet linked to its leg, freed. */
static void refer_discard(struct focus_refer *ref)
{
	free(ref->u.id);
	free(ref->room);
	free(ref->target);
	free(ref->subject);
	free(ref->reason);
	free(ref);
}

/* Checks the REFER and answers it; on 202 returns the new subscription. */
static struct focus_refer *refer_accept(struct focus *f,
					struct focus_leg *leg,
					sip_t const *sip, tagi_t const *tags,
					int *is_bye, struct room **rp)
{
	tagi_t const *t = tl_find(tags, nutag_refer_event);
	sip_event_t const *ev = t ? (sip_event_t const *)t->t_value : NULL;
	struct sxgw *gw = f->gw;
	struct focus_refer *ref;
	struct sx_err err;
	struct room *r;
	url_t const *u;
	char method[16] = "INVITE", *name, *target;
	int count;

	r = focus_usage_room(f, leg, "REFER", sip);
	if (r == NULL)
		return NULL;
	sx_err_clear(&err);
	if (sip->sip_max_forwards && sip->sip_max_forwards->mf_count == 0) {
		refer_refuse(f, leg, 483, NULL, "Max-Forwards 0 leaves no hop "
			     "for the room's request (RFC 5393)");
		return NULL;
	}
	count = refer_to_count(sip);
	if (count != 1) {
		refer_refuse(f, leg, 400, count ? "Several Refer-To" :
			     "Missing Refer-To", "a REFER needs exactly one "
			     "Refer-To (RFC 3515 section 2.4.1)");
		return NULL;
	}
	u = sip->sip_refer_to->r_url;
	if ((u->url_type != url_sip && u->url_type != url_sips) ||
	    u->url_host == NULL) {
		refer_refuse(f, leg, 400, "Bad Refer-To",
			     "Refer-To must be a SIP URI");
		return NULL;
	}
	if (leg->p == NULL && room_find_aor(r, leg->peer ? leg->peer : "") ==
	    NULL && gw->cfg->refer_policy != REFER_ANYONE) {
		refer_refuse(f, leg, 403, NULL,
			     "only participants may REFER to this room");
		return NULL;
	}
	target = focus_url_aor(u);
	if (target == NULL) {
		refer_refuse(f, leg, 500, NULL, "out of memory");
		return NULL;
	}
	name = room_uri_name(gw, target, &err);
	if (name || focus_is_local(f, u)) {
		free(name);
		free(target);
		refer_refuse(f, leg, 403, "Refer-To Is A Room", "a room "
			     "cannot be invited into a room (loop)");
		return NULL;
	}
	sx_err_clear(&err);  /* room_uri_name() said: not a room */
	if (u->url_params)
		url_param(u->url_params, "method", method, sizeof(method));
	*is_bye = strcasecmp(method, "BYE") == 0;
	if (!*is_bye && strcasecmp(method, "INVITE") != 0) {
		free(target);
		refer_refuse(f, leg, 403, NULL, "only INVITE and BYE "
			     "references are carried out");
		return NULL;
	}
	if (*is_bye && (target = refer_bye_target(target, u)) == NULL) {
		refer_refuse(f, leg, 500, NULL, "out of memory");
		return NULL;
	}
	ref = calloc(1, sizeof(*ref));
	if (ref == NULL) {
		free(target);
		refer_refuse(f, leg, 500, NULL, "out of memory");
		return NULL;
	}
	ref->target = target;
	if ((ref->room = strdup(r->name)) == NULL ||
	    (ev && ev->o_id && (ref->u.id = strdup(ev->o_id)) == NULL))
		sx_err_set(&err, 500, "out of memory");
	else
		refer_headers(ref, u, *is_bye, &err);
	if (err.status) {
		refer_discard(ref);
		refer_refuse(f, leg, err.status, err.status == 400 ?
			     "Bad Refer-To" : NULL, err.text);
		return NULL;
	}
	ref->max_forwards = -1;
	if (sip->sip_max_forwards)
		ref->max_forwards = sip->sip_max_forwards->mf_count > 256 ?
			255 : (int)sip->sip_max_forwards->mf_count - 1;
	ref->leg = leg;
	ref->u.next = leg->refers;
	leg->refers = &ref->u;
	nua_respond(leg->nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(f->nua),
		    SIPTAG_CONTACT_STR(leg->contact), TAG_END());
	sx_info("room %s: REFER from %s to %s%s: 202 Accepted", r->name,
		leg->peer ? leg->peer : "-", target,
		*is_bye ? " (method BYE)" : "");
	*rp = r;
	return ref;
}

void focus_refer_incoming(struct focus *f, nua_handle_t *nh,
			  struct focus_leg *leg, sip_t const *sip,
			  tagi_t const *tags)
{
	tagi_t const *t = tl_find(tags, siptag_referred_by);
	sip_referred_by_t const *by = t ?
		(sip_referred_by_t const *)t->t_value : NULL;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct focus_refer *ref;
	struct room *r = NULL;
	char *by_hdr = NULL, *by_uri = NULL;
	int fresh = leg == NULL, is_bye = 0, status;

	leg = focus_usage_leg(f, nh, leg, sip);
	if (leg == NULL)
		return;
	ref = refer_accept(f, leg, sip, tags, &is_bye, &r);
	if (ref == NULL)
		return;
	if (fresh)
		ref->inflight = 2;  /* nua's own two 100 Trying, see above */
	else
		focus_refer_progress(ref, 100, "Trying");
	if (is_bye) {
		status = refer_bye(f, ref);
		focus_refer_progress(ref, status, NULL);
		return;
	}
	/* RFC 3892: Referred-By copied, or made from From by nua */
	if (by) {
		by_hdr = sip_header_as_string(home, (sip_header_t const *)by);
		by_uri = focus_url_aor(by->b_url);
	}
	status = focus_dial(f, ref, r, sip->sip_refer_to, by_hdr, by_uri);
	if (status)
		focus_refer_progress(ref, status, NULL);
	free(by_uri);
	su_home_deinit(home);
}
