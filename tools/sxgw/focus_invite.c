/*
 * focus_invite.c - the participants' INVITE sessions: joining a room by
 * calling it (RFC 4579 §5.2, RFC 7701 §5), leaving with BYE, and the
 * dial-out INVITEs the focus sends for a REFER (RFC 4579 §5.5).
 *
 * The SDP is MSRP only (RFC 4975 §8): the focus answers with the switch's
 * a=path, a=accept-types:message/cpim, a=accept-wrapped-types:*,
 * a=chatroom:nickname private-messages and a=setup:passive, since the
 * switch only listens (RFC 6135 §4: the participant connects).
 *
 * Answers to an INVITE for a room:
 *   404  the Request-URI is not in the conference domain
 *   415  a body that is not application/sdp
 *   480  the service is stopping, or max_rooms is reached; 480 rather
 *        than 503, which would make proxies fail over (RFC 3263 §4.3)
 *   482  a room of this focus calling a room: From or Referred-By is a
 *        room URI and the Contact has isfocus.  The focus never invites
 *        its own rooms (focus_refer.c refuses such a Refer-To), so this
 *        is a Refer-To that some proxy or gateway turned into a room
 *        again: a loop (RFC 5393), which would chain rooms inviting
 *        rooms.
 *   486  the room is full
 *   488  no usable MSRP offer: no body (the focus does not make offers
 *        in a 200), no TCP/MSRP media line, a=accept-types without
 *        message/cpim, a=setup:passive or holdconn, TCP/TLS/MSRP.
 *        SDP that does not parse gets 488 too, not 400: the SIP request
 *        is well formed and only its session description is unusable,
 *        which is what 488 says (RFC 3261 §21.4.26).
 * Each refusal carries a Warning (RFC 3261 §20.43, code 399) saying why.
 */
#include "focus_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp_msrp.h"
#include "switch.h"
#include "sx_log.h"

#define MSRP_CPIM "message/cpim"

/* What a participant may receive inside CPIM: its accept-wrapped-types
 * plus its accept-types (RFC 4975 §8.6: what may come alone may come
 * wrapped).  An offer without accept-wrapped-types gives NULL, anything:
 * a chat room client lists message/cpim alone in accept-types (RFC 7701
 * §5), and that list would let no inner type through, so such a client
 * would receive nothing at all. */
static int wrapped_copy(const struct sdp_msrp *m, char ***out)
{
	size_t n = 0, i = 0;
	char **v, *const *t;

	*out = NULL;
	if (m->accept_wrapped_types == NULL || m->accept_wrapped_types[0] ==
	    NULL)
		return 0;
	for (t = m->accept_wrapped_types; t && *t; t++)
		n++;
	for (t = m->accept_types; t && *t; t++)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (t = m->accept_wrapped_types; t && *t; t++)
		if ((v[i++] = strdup(*t)) == NULL)
			goto fail;
	for (t = m->accept_types; t && *t; t++)
		if ((v[i++] = strdup(*t)) == NULL)
			goto fail;
	*out = v;
	return 0;
fail:
	while (i > 0)
		free(v[--i]);
	free(v);
	return -1;
}

static void wrapped_free(char **v)
{
	char **t;

	for (t = v; t && *t; t++)
		free(*t);
	free(v);
}

/* Why the participant's SDP (offer, or answer to our offer) cannot be
 * used, or NULL. */
static const char *sdp_problem(const struct sdp_msrp *m, int is_offer)
{
	enum sdp_msrp_setup setup = is_offer ? sdp_msrp_setup_of(m, 1) :
		m->setup;

	if (m->port == 0)
		return "the MSRP media line is refused (port 0)";
	if (m->secure)
		return "TCP/TLS/MSRP is not offered here, only TCP/MSRP";
	if (!sdp_msrp_accepts(m->accept_types, MSRP_CPIM))
		return "a=accept-types lacks message/cpim (RFC 7701 section 5)";
	if (setup == SDP_MSRP_SETUP_PASSIVE ||
	    setup == SDP_MSRP_SETUP_HOLDCONN)
		return "the focus only accepts MSRP connections: "
		       "a=setup must allow active (RFC 6135)";
	return NULL;
}

/* Copies what the switch needs from the participant's SDP. */
static int take_sdp(struct participant *p, const struct sdp_msrp *m)
{
	char *path = strdup(m->path);
	char **wrapped;

	if (wrapped_copy(m, &wrapped) != 0 || path == NULL) {
		free(path);
		wrapped_free(wrapped);
		return -1;
	}
	free(p->remote_path);
	p->remote_path = path;
	wrapped_free(p->accept_wrapped);
	p->accept_wrapped = wrapped;
	p->private_messages = m->private_messages;
	p->nickname_token = m->nickname;
	return 0;
}

static char *our_sdp(struct focus *f, const struct participant *p,
		     const char *path)
{
	const struct msrp_switch *sw = f->gw->sw;
	char *accept[] = { MSRP_CPIM, NULL };
	char *wrapped[] = { "*", NULL };
	struct sdp_msrp m;
	struct sdp_msrp_origin o = { "sxgw", 0, 1, NULL };
	struct sx_err err;

	memset(&m, 0, sizeof(m));
	m.addr = (char *)switch_host(sw);
	m.port = switch_port(sw);
	m.path = (char *)path;
	m.accept_types = accept;
	m.accept_wrapped_types = wrapped;
	m.setup = SDP_MSRP_SETUP_PASSIVE;
	m.max_size = f->gw->cfg->max_message_size;
	m.chatroom = 1;
	m.nickname = 1;
	m.private_messages = 1;
	/* unique per session: when the participant joined, and who */
	o.id = ((uint64_t)p->joined_at << 20) | (p->id & 0xfffff);
	return sdp_msrp_build(&m, &o, &err);
}

static void invite_refuse(struct focus *f, struct focus_leg *leg,
			  int status, const char *phrase, const char *why)
{
	const char *ph = phrase ? phrase : sip_status_phrase(status);

	focus_reply(f, leg->nh, status, ph, why, 0);
	if (leg->room)
		sx_info("room %s: INVITE from %s: %d %s (%s)", leg->room,
			leg->peer ? leg->peer : "-", status, ph ? ph : "",
			why ? why : "-");
	else
		sx_info("SIP INVITE from %s: %d %s (%s)",
			leg->peer ? leg->peer : "-", status, ph ? ph : "",
			why ? why : "-");
}

/* Whether uri is a room of this focus: in the conference domain, or at
 * one of the focus's own addresses. */
static int is_our_room(struct focus *f, url_t const *url)
{
	struct sx_err err;
	char *aor = focus_url_aor(url), *name;
	int ours;

	if (aor == NULL)
		return 0;
	name = room_uri_name(f->gw, aor, &err);
	ours = name != NULL || focus_is_local(f, url);
	free(aor);
	free(name);
	return ours;
}

static int invite_from_room(struct focus *f, sip_t const *sip)
{
	if (!focus_is_focus(sip->sip_contact))
		return 0;
	return (sip->sip_from && is_our_room(f, sip->sip_from->a_url)) ||
		(sip->sip_referred_by &&
		 is_our_room(f, sip->sip_referred_by->b_url));
}

static void invite_answer(struct focus *f, struct focus_leg *leg,
			  sip_t const *sip)
{
	struct sxgw *gw = f->gw;
	struct sdp_msrp offer;
	struct sx_err err;
	struct participant *p;
	struct room *r;
	char *name, *display = NULL, *contact = NULL, *sdp;
	char path[512];
	const char *why;
	int created;

	sx_err_clear(&err);
	if (gw->stopping) {
		invite_refuse(f, leg, 480, "Service Stopping",
			      "the service is stopping");
		return;
	}
	if (leg->peer == NULL) {
		invite_refuse(f, leg, 400, NULL, "no usable From URI");
		return;
	}
	name = focus_request_room(f, sip, &err);
	if (name == NULL) {
		invite_refuse(f, leg, err.status ? err.status : 404, NULL,
			      err.text);
		return;
	}
	if (focus_leg_set_room(leg, name) != 0) {
		free(name);
		invite_refuse(f, leg, 500, NULL, "out of memory");
		return;
	}
	free(name);
	if (invite_from_room(f, sip)) {
		invite_refuse(f, leg, 482, NULL, "a room of this focus "
			      "cannot join a room (loop)");
		return;
	}
	if (sip->sip_payload == NULL || sip->sip_payload->pl_len == 0) {
		invite_refuse(f, leg, 488, NULL, "an MSRP SDP offer is "
			      "required");
		return;
	}
	if (sip->sip_content_type && sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp")) {
		nua_respond(leg->nh, SIP_415_UNSUPPORTED_MEDIA,
			    SIPTAG_ACCEPT_STR("application/sdp"), TAG_END());
		sx_info("room %s: INVITE from %s: 415 (body is %s)", leg->room,
			leg->peer ? leg->peer : "-",
			sip->sip_content_type->c_type);
		return;
	}
	if (sdp_msrp_read(sip->sip_payload->pl_data, sip->sip_payload->pl_len,
			  &offer, &err) != 0) {
		invite_refuse(f, leg, 488, NULL, err.text);
		return;
	}
	why = sdp_problem(&offer, 1);
	if (why) {
		invite_refuse(f, leg, 488, NULL, why);
		sdp_msrp_free(&offer);
		return;
	}
	r = room_get(gw, leg->room, &created);
	if (r == NULL) {
		invite_refuse(f, leg, 480, "Room Limit Reached",
			      gw->stopping ? "the service is stopping" :
			      "no more rooms can be created now");
		sdp_msrp_free(&offer);
		return;
	}
	display = focus_display(sip->sip_from->a_display);
	if (sip->sip_contact)
		contact = focus_url_target(sip->sip_contact->m_url);
	p = room_join(r, leg->peer, display, contact, 0, &err);
	free(display);
	free(contact);
	if (p == NULL) {
		invite_refuse(f, leg, err.status ? err.status : 500, NULL,
			      err.text);
		sdp_msrp_free(&offer);
		return;
	}
	if (take_sdp(p, &offer) != 0 ||
	    switch_session_new(gw->sw, p, path, sizeof(path)) != 0 ||
	    (sdp = our_sdp(f, p, path)) == NULL) {
		sdp_msrp_free(&offer);
		room_leave(p, LEAVE_FAILED);
		invite_refuse(f, leg, 500, NULL, "no MSRP session");
		return;
	}
	sdp_msrp_free(&offer);
	leg->p = p;
	p->leg = leg;
	leg->sdp = sdp;
	nua_respond(leg->nh, SIP_200_OK, SIPTAG_CONTACT_STR(leg->contact),
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	sx_info("room %s: INVITE from %s: 200 OK (participant %lu%s)",
		r->name, p->aor, p->id, created ? ", new room" : "");
	focus_room_changed(f, r);
}

/* A re-INVITE (session refresh, or a new offer): the session does not
 * change, so the same SDP answers it (RFC 3264 §8: same o= version). */
static void invite_again(struct focus *f, struct focus_leg *leg)
{
	if (leg->p == NULL || leg->sdp == NULL) {
		invite_refuse(f, leg, 481, NULL, "the participant has left");
		return;
	}
	nua_respond(leg->nh, SIP_200_OK, SIPTAG_CONTACT_STR(leg->contact),
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(leg->sdp), TAG_END());
	sx_info("room %s: re-INVITE from %s: 200 OK (session unchanged)",
		leg->room, leg->peer ? leg->peer : "-");
}

void focus_invite_incoming(struct focus *f, nua_handle_t *nh,
			   struct focus_leg *leg, sip_t const *sip)
{
	if (leg) {
		invite_again(f, leg);
		return;
	}
	leg = focus_leg_new(f, nh, sip);
	if (leg == NULL) {
		nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	leg->call = CALL_UP;
	invite_answer(f, leg, sip);
}

/* The participant of this leg goes because of its SIP side. */
static void leg_leave(struct focus_leg *leg, enum leave_reason why)
{
	struct participant *p = leg->p;

	if (p == NULL)
		return;
	leg->p = NULL;
	p->leg = NULL;
	room_leave(p, why);
}

/* --- dial-out ------------------------------------------------------------ */

static void dial_timeout(void *arg)
{
	struct focus_leg *leg = arg;

	sx_info("room %s: %s did not answer in %u s: CANCEL", leg->room,
		leg->peer, leg->f->gw->cfg->invite_timeout);
	nua_cancel(leg->nh, TAG_END());
}

/* The transport of the first hop, for our Contact. */
static void dial_proto(struct focus *f, struct focus_leg *leg,
		       url_t const *target)
{
	char tp[16] = "";
	url_t *proxy = NULL;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	int i;

	if (f->gw->cfg->outbound_proxy)
		proxy = url_make(home, f->gw->cfg->outbound_proxy);
	if (proxy && proxy->url_params)
		url_param(proxy->url_params, "transport", tp, sizeof(tp));
	else if (!proxy && target->url_params)
		url_param(target->url_params, "transport", tp, sizeof(tp));
	su_home_deinit(home);
	if (strcasecmp(tp, "tcp") == 0) {
		strcpy(leg->proto, "tcp");
		return;
	}
	for (i = 0; i < f->naddr; i++)
		if (strcmp(f->addr[i].proto, "udp") == 0)
			break;
	strcpy(leg->proto, i < f->naddr ? "udp" : f->addr[0].proto);
}

int focus_dial(struct focus *f, struct focus_refer *ref, struct room *r,
	       sip_refer_to_t const *to, const char *by_hdr,
	       const char *by_uri)
{
	struct sxgw *gw = f->gw;
	struct participant *p;
	struct focus_leg *leg;
	struct sx_err err;
	nua_handle_t *nh;
	char *aor, *target, *display, *sdp = NULL, *from = NULL;
	char *to_hdr = NULL, path[512], mf[16];
	int status = 500;

	sx_err_clear(&err);
	aor = focus_url_aor(to->r_url);
	target = focus_url_target(to->r_url);
	display = focus_display(to->r_display);
	if (aor == NULL || target == NULL)
		goto out;
	p = room_join(r, aor, display, target, 1, &err);
	if (p == NULL) {
		status = err.status ? err.status : 500;
		goto out;
	}
	if (by_uri)
		p->referred_by = strdup(by_uri);
	if (switch_session_new(gw->sw, p, path, sizeof(path)) != 0 ||
	    (sdp = our_sdp(f, p, path)) == NULL ||
	    asprintf(&from, "\"%s\" <%s>", r->name, r->uri) < 0 ||
	    asprintf(&to_hdr, "<%s>", target) < 0) {
		room_leave(p, LEAVE_FAILED);
		goto out;
	}
	nh = nua_handle(f->nua, NULL, SIPTAG_TO_STR(to_hdr),
			SIPTAG_FROM_STR(from), TAG_END());
	leg = nh ? focus_leg_new(f, nh, NULL) : NULL;
	if (leg == NULL) {
		if (nh)
			nua_handle_destroy(nh);
		room_leave(p, LEAVE_FAILED);
		goto out;
	}
	snprintf(mf, sizeof(mf), "%d", ref->max_forwards);
	dial_proto(f, leg, to->r_url);
	leg->outgoing = 1;
	leg->call = CALL_UP;
	leg->peer = aor;
	aor = NULL;
	leg->timer = sx_timer_new(gw->loop, dial_timeout, leg);
	if (focus_leg_set_room(leg, r->name) != 0 || leg->timer == NULL) {
		leg->call = CALL_DONE;
		focus_leg_release(leg);
		room_leave(p, LEAVE_FAILED);
		goto out;
	}
	leg->sdp = sdp;
	sdp = NULL;
	leg->p = p;
	p->leg = leg;
	leg->origin = ref;
	ref->dial = leg;
	/* NUTAG_PROXY is an nta tag: nua_handle() would drop it, the
	 * request's tags make it a parameter of this handle */
	nua_invite(nh, NUTAG_URL(target),
		   TAG_IF(gw->cfg->outbound_proxy,
			  NUTAG_PROXY(gw->cfg->outbound_proxy)),
		   SIPTAG_CONTACT_STR(leg->contact),
		   TAG_IF(by_hdr, SIPTAG_REFERRED_BY_STR(by_hdr)),
		   TAG_IF(ref->max_forwards >= 0,
			  SIPTAG_MAX_FORWARDS_STR(mf)),
		   TAG_IF(ref->subject, SIPTAG_SUBJECT_STR(ref->subject)),
		   SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(leg->sdp), TAG_END());
	sx_timer_start(leg->timer, gw->cfg->invite_timeout * 1000UL);
	sx_info("room %s: INVITE to %s (referred by %s, participant %lu%s%s"
		"%s%s%s)", r->name, target, by_uri ? by_uri : "-", p->id,
		gw->cfg->outbound_proxy ? ", via " : "",
		gw->cfg->outbound_proxy ? gw->cfg->outbound_proxy : "",
		ref->subject ? ", subject \"" : "",
		ref->subject ? ref->subject : "", ref->subject ? "\"" : "");
	focus_room_changed(f, r);
	status = 0;
out:
	free(aor);
	free(target);
	free(display);
	free(sdp);
	free(from);
	free(to_hdr);
	return status;
}

/* The answer of the invitee: the participant is in the room's dialog and
 * now binds its MSRP session, like one that called in. */
static void dial_answered(struct focus_leg *leg, sip_t const *sip)
{
	struct participant *p = leg->p;
	struct sdp_msrp ans;
	struct sx_err err;
	const char *why = NULL;

	leg->answered = 1;
	if (p == NULL) {
		/* it went while the call was ringing */
		nua_bye(leg->nh, TAG_END());
		return;
	}
	if (sip == NULL || sip->sip_payload == NULL ||
	    sip->sip_payload->pl_len == 0) {
		why = "no SDP answer";
	} else if (sdp_msrp_read(sip->sip_payload->pl_data,
				 sip->sip_payload->pl_len, &ans, &err) != 0) {
		why = err.text;
	} else {
		why = sdp_problem(&ans, 0);
		if (why == NULL && take_sdp(p, &ans) != 0)
			why = "out of memory";
		sdp_msrp_free(&ans);
	}
	if (why) {
		sx_warn("room %s: %s answered with unusable SDP (%s): BYE",
			leg->room, leg->peer, why);
		nua_bye(leg->nh, TAG_END());
		leg_leave(leg, LEAVE_FAILED);
		return;
	}
	if (sip->sip_contact) {
		char *c = focus_url_target(sip->sip_contact->m_url);

		if (c) {
			free(p->contact);
			p->contact = c;
		}
	}
	if (p->display == NULL && sip->sip_to)
		p->display = focus_display(sip->sip_to->a_display);
	room_answered(p);
}

static void dial_response(struct focus_leg *leg, int status,
			  char const *phrase, sip_t const *sip)
{
	struct focus_refer *ref = leg->origin;

	if (status < 200) {
		if (status > 100) {
			sx_info("room %s: INVITE to %s: %d %s", leg->room,
				leg->peer, status, phrase);
			if (ref)
				focus_refer_progress(ref, status, phrase);
		}
		return;
	}
	sx_timer_stop(leg->timer);
	sx_info("room %s: INVITE to %s: %d %s", leg->room, leg->peer, status,
		phrase);
	if (ref) {
		ref->dial = NULL;
		leg->origin = NULL;
		if (status >= 300 && sip && sip->sip_reason) {
			su_home_t home[1] = { SU_HOME_INIT(home) };
			char *r = sip_header_as_string(home,
					(sip_header_t const *)sip->sip_reason);

			if (r)
				focus_refer_reason(ref, r);
			su_home_deinit(home);
		}
		focus_refer_progress(ref, status, phrase);
	}
	if (status >= 300)
		leg_leave(leg, LEAVE_FAILED);
	else
		dial_answered(leg, sip);
}

/* --- events of INVITE legs ----------------------------------------------- */

static void call_terminated(struct focus_leg *leg, int status,
			    char const *phrase)
{
	leg->call = CALL_DONE;
	if (leg->timer)
		sx_timer_stop(leg->timer);
	if (leg->origin) {
		/* the call ended before any final response reached us */
		struct focus_refer *ref = leg->origin;

		ref->dial = NULL;
		leg->origin = NULL;
		focus_refer_progress(ref, status >= 300 ? status : 500,
				     status >= 300 ? phrase : NULL);
	}
	if (leg->p) {
		sx_notice("room %s: call with %s ended (%d %s)", leg->room,
			  leg->peer ? leg->peer : "-", status,
			  phrase ? phrase : "");
		leg_leave(leg, LEAVE_FAILED);
	}
	focus_leg_release(leg);
}

void focus_invite_event(nua_event_t event, int status, char const *phrase,
			struct focus_leg *leg, sip_t const *sip,
			tagi_t const *tags)
{
	const char *room = leg->room ? leg->room : "-";
	const char *peer = leg->peer ? leg->peer : "-";
	tagi_t const *t;

	switch (event) {
	case nua_i_ack:
		sx_info("room %s: ACK from %s", room, peer);
		break;
	case nua_i_bye:
		sx_info("room %s: BYE from %s: %d %s", room, peer, status,
			phrase);
		leg_leave(leg, LEAVE_DEPARTED);
		break;
	case nua_i_cancel:
		sx_info("room %s: CANCEL from %s: %d %s", room, peer, status,
			phrase);
		leg_leave(leg, LEAVE_DEPARTED);
		break;
	case nua_r_invite:
		if (leg->outgoing)
			dial_response(leg, status, phrase, sip);
		break;
	case nua_r_bye:
	case nua_r_cancel:
		if (status >= 200)
			sx_info("room %s: %s to %s: %d %s", room,
				event == nua_r_bye ? "BYE" : "CANCEL", peer,
				status, phrase);
		break;
	case nua_i_state:
		t = tl_find(tags, nutag_callstate);
		if (t && t->t_value == nua_callstate_terminated)
			call_terminated(leg, status, phrase);
		break;
	default:
		break;
	}
}

void focus_leg_end(struct focus *f, struct participant *p, const char *text,
		   const char *given)
{
	struct focus_leg *leg = p->leg;
	char reason[320], quoted[280];
	const char *hdr = given;

	(void)f;
	if (leg == NULL)
		return;
	p->leg = NULL;
	leg->p = NULL;
	if (hdr == NULL && text) {
		/* RFC 3326: why the room ends the call; the one text
		 * given is a removal (LEAVE_BOOTED), which is no error,
		 * so its cause is 200 */
		focus_quote(quoted, sizeof(quoted), text);
		snprintf(reason, sizeof(reason), "SIP ;cause=200 ;text=\"%s\"",
			 quoted);
		hdr = reason;
	}
	if (leg->outgoing && !leg->answered) {
		sx_info("room %s: CANCEL to %s", leg->room, leg->peer);
		sx_timer_stop(leg->timer);
		nua_cancel(leg->nh, TAG_IF(hdr, SIPTAG_REASON_STR(hdr)),
			   TAG_END());
		if (leg->origin) {
			struct focus_refer *ref = leg->origin;

			ref->dial = NULL;
			leg->origin = NULL;
			focus_refer_progress(ref, 487, "Request Terminated");
		}
		return;
	}
	sx_info("room %s: BYE to %s%s%s", leg->room,
		leg->peer ? leg->peer : "-", hdr ? ": " : "", hdr ? hdr : "");
	nua_bye(leg->nh, TAG_IF(hdr, SIPTAG_REASON_STR(hdr)), TAG_END());
}
