/*
 * gw_leg.c - one XMPP occupant's leg into a room, as a state machine
 * (RFC 7702 §5.2-§5.4; RFC 4579 §5.2 joining a focus; RFC 7701 §5-§6;
 * RFC 4575 §3 and §4.6):
 *
 *   INVITING     INVITE with our MSRP offer; a 2xx whose Contact has
 *                isfocus (RFC 4579 §3), ACKed by nua ->
 *   (ANSWERED    or, for a user the room invited (RFC 4579 §5.5, RFC
 *                7702 §5.7), the room's INVITE answered 200 with our SDP,
 *                a=setup:active as its offer lets us (RFC 6135 §4); its
 *                ACK ->)
 *   CONNECTING   TCP to the switch and a bodiless SEND; its 200 ->
 *   NAMING       NICKNAME; 200 -> (else BYE and failed(): no half-joined
 *                occupant)
 *   SUBSCRIBING  SUBSCRIBE Event: conference; the first full NOTIFY ->
 *   JOINED       joined(); NOTIFYs folded in with confinfo_apply (§4.6:
 *                stale ones dropped, a gap answered by a refresh that
 *                brings the full state), roster() for each change
 *
 * The whole join is bounded by join_timeout (failed 408).  Once joined,
 * the leg ends when the room sends BYE, when the subscription ends, when
 * the MSRP session fails, or when a NOTIFY shows our endpoint gone.
 * Booted means a removal (RFC 4579 §5.11): a NOTIFY whose endpoint (or
 * user) of ours has disconnection-method "booted" (RFC 4575 §5.6.7), or a
 * BYE whose Reason (RFC 3326) text speaks of it ("booted", "kicked",
 * "removed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "confinfo.h"
#include "gw_leg_int.h"
#include "nickname.h"
#include "sip_uri.h"
#include "sx_log.h"

static void leg_teardown(struct gw_leg *leg, const char *reason);

/* --- the end of a leg ---------------------------------------------------- */

static int sip_done(const struct gw_leg *leg)
{
	int call_over = leg->call == NULL ||
			(leg->invite_final && !leg->call_up);
	int sub_over = leg->sub == NULL || !leg->subscribed ||
		       leg->unsub_done;

	return call_over && sub_over;
}

void leg_check_done(struct gw_leg *leg)
{
	if (leg->closing && !leg->dead && sip_done(leg)) {
		sx_timer_stop(leg->timer);
		gw_sip_leg_dead(leg);
	}
}

/* The join failed: everything ends, then the owner is told. */
void leg_fail(struct gw_leg *leg, int status, const char *phrase)
{
	if (leg->closing)
		return;
	sx_notice("gw leg %lu: %s joining %s failed: %03d %s", leg->id,
		  leg->aor, leg->room_uri, status, phrase);
	leg->closing = 1;
	leg_teardown(leg, NULL);
	leg->ops->failed(leg->arg, leg, status, phrase);
}

/* The room ended a joined leg. */
void leg_end(struct gw_leg *leg, int booted, const char *reason)
{
	if (leg->closing)
		return;
	leg_msrp_fail_pending(leg, 503, "the session with the room ended");
	if (leg->closing)
		return;  /* the owner left meanwhile */
	sx_info("gw leg %lu: %s in %s ended%s: %s", leg->id, leg->aor,
		leg->room_uri, booted ? " (booted)" : "", reason);
	leg->closing = 1;
	leg_teardown(leg, NULL);
	leg->ops->ended(leg->arg, leg, booted, reason);
}

/* A Reason header value for our BYE (RFC 3326 §2), quotes escaped. */
static char *reason_header(const char *text)
{
	size_t i, n = 0;
	char *s = malloc(strlen(text) * 2 + 32);

	if (s == NULL)
		return NULL;
	n = (size_t)sprintf(s, "SIP;cause=200;text=\"");
	for (i = 0; text[i]; i++) {
		if (text[i] == '\r' || text[i] == '\n')
			continue;
		if (text[i] == '"' || text[i] == '\\')
			s[n++] = '\\';
		s[n++] = text[i];
	}
	strcpy(s + n, "\"");
	return s;
}

static void leg_teardown(struct gw_leg *leg, const char *reason)
{
	char *rh = reason ? reason_header(reason) : NULL;

	sx_timer_stop(leg->timer);
	sx_timer_stop(leg->defer);
	leg_msrp_close(leg);
	if (leg->sub && leg->subscribed && !leg->unsub_sent) {
		leg->unsub_sent = 1;
		nua_unsubscribe(leg->sub, TAG_END());
	}
	if (leg->call && !leg->invite_final) {
		nua_cancel(leg->call, TAG_IF(rh, SIPTAG_REASON_STR(rh)),
			   TAG_END());
	} else if (leg->call && leg->call_up && !leg->bye_sent) {
		leg->bye_sent = 1;
		nua_bye(leg->call, TAG_IF(rh, SIPTAG_REASON_STR(rh)),
			TAG_END());
	}
	free(rh);
	sx_timer_start(leg->timer, LEG_CLOSE_CAP);
	leg_check_done(leg);
}

void leg_abandon(struct gw_leg *leg)
{
	if (leg->dead)
		return;
	leg->closing = 1;
	leg_teardown(leg, "the gateway is stopping");
}

static void on_timer(void *arg)
{
	struct gw_leg *leg = arg;

	if (leg->closing) {
		/* the cap on leaving: whatever SIP still owes is dropped */
		if (!leg->dead)
			gw_sip_leg_dead(leg);
		return;
	}
	if (leg->state != LEG_JOINED)
		leg_fail(leg, 408, "the room did not complete the join in "
			 "time");
}

static void on_defer(void *arg)
{
	struct gw_leg *leg = arg;
	char why[300];

	if (leg->closing)
		return;
	snprintf(why, sizeof(why), "MSRP: %s",
		 leg->fail_why ? leg->fail_why : "the session failed");
	if (leg->state == LEG_JOINED)
		leg_end(leg, 0, why);
	else
		leg_fail(leg, 500, why);
}

/* --- the join ------------------------------------------------------------ */

static int is_focus(const sip_contact_t *m)
{
	return m && (msg_params_find(m->m_params, "isfocus") ||
		     url_has_param(m->m_url, "isfocus"));
}

static void on_answer(struct gw_leg *leg, const sip_t *sip)
{
	struct sdp_msrp remote;
	struct sx_err err;

	if (!is_focus(sip ? sip->sip_contact : NULL)) {
		leg_fail(leg, 502, "the answer is not a conference focus's "
			 "(no isfocus)");
		return;
	}
	sx_err_clear(&err);
	if (sip->sip_payload == NULL ||
	    sdp_msrp_read(sip->sip_payload->pl_data, sip->sip_payload->pl_len,
			  &remote, &err) != 0) {
		leg_fail(leg, 488, sip->sip_payload ? err.text
			 : "the answer has no SDP");
		return;
	}
	if (!sdp_msrp_accepts(remote.accept_types, "message/cpim"))
		leg_fail(leg, 488, "the room does not take message/cpim");
	else if (sdp_msrp_setup_of(&remote, 0) != SDP_MSRP_SETUP_PASSIVE)
		leg_fail(leg, 488, "the answer is not a=setup:passive");
	else if (leg_msrp_connect(leg, &remote, &err) != 0)
		leg_fail(leg, err.status >= 400 ? err.status : 500, err.text);
	else
		leg->state = LEG_CONNECTING;
	sdp_msrp_free(&remote);
}

/* The room ACKed our 200: the MSRP side starts as after an answer. */
static void on_ack(struct gw_leg *leg)
{
	struct sdp_msrp remote;
	struct sx_err err;

	if (leg->closing || leg->state != LEG_ANSWERED)
		return;
	sx_err_clear(&err);
	if (sdp_msrp_read(leg->offer, strlen(leg->offer), &remote,
			  &err) != 0) {
		leg_fail(leg, 488, err.text);
		return;
	}
	if (leg_msrp_connect(leg, &remote, &err) != 0)
		leg_fail(leg, err.status >= 400 ? err.status : 500, err.text);
	else
		leg->state = LEG_CONNECTING;
	sdp_msrp_free(&remote);
}

static void on_invite_answer(struct gw_leg *leg, int status,
			     const char *phrase, const sip_t *sip)
{
	if (status < 200)
		return;
	leg->invite_final = 1;
	leg->call_up = status < 300;
	if (leg->closing) {
		/* our CANCEL crossed the 200 */
		if (leg->call_up && !leg->bye_sent) {
			leg->bye_sent = 1;
			nua_bye(leg->call, TAG_END());
		}
		leg_check_done(leg);
		return;
	}
	if (status >= 300)
		leg_fail(leg, status, phrase);
	else if (leg->state == LEG_INVITING)
		on_answer(leg, sip);
}

void leg_on_bound(struct gw_leg *leg)
{
	if (leg->closing || leg->state != LEG_CONNECTING)
		return;
	leg->state = LEG_NAMING;
	if (leg_msrp_nickname(leg, leg->nick) != 0)
		leg_fail(leg, 500, "cannot send NICKNAME");
}

/* The nickname as the room keeps it (RFC 7700 enforcement, as room.c
 * applies it), so that what we call ourselves is what others see. */
static void set_nick(struct gw_leg *leg, const char *nick)
{
	struct sx_err err;
	char *n = nickname_enforce(nick, strlen(nick), &err);

	if (n == NULL)
		n = strdup(nick);
	if (n) {
		free(leg->nick);
		leg->nick = n;
	}
}

void leg_on_nick(struct gw_leg *leg, const char *nick, int status,
		 const char *phrase)
{
	if (leg->closing)
		return;
	if (leg->state == LEG_NAMING) {
		if (status != 200) {
			leg_fail(leg, status, phrase);
			return;
		}
		set_nick(leg, nick);
		leg->state = LEG_SUBSCRIBING;
		leg_subscribe(leg);
		return;
	}
	if (status == 200) {
		set_nick(leg, nick);
		nick = leg->nick;
	}
	leg->ops->nick(leg->arg, leg, nick, status, phrase);
}

void leg_on_msrp_failed(struct gw_leg *leg, const char *why)
{
	if (leg->closing || leg->fail_why)
		return;
	leg->fail_why = strdup(why);
	sx_timer_start(leg->defer, 0);
}

void leg_on_sent(struct gw_leg *leg, void *cookie, int status,
		 const char *phrase)
{
	if (!leg->closing)
		leg->ops->sent(leg->arg, leg, cookie, status, phrase);
}

/* --- the room's messages ------------------------------------------------- */

static void deliver(struct gw_leg *leg, const char *body, size_t len,
		    int history)
{
	struct leg_cpim_in in;
	struct sx_err err;

	sx_err_clear(&err);
	if (leg_cpim_decode(body, len, &in, &err) != 0) {
		sx_notice("gw leg %lu: message from %s dropped: %s", leg->id,
			  leg->room_uri, err.text);
		leg_cpim_in_free(&in);
		return;
	}
	in.m.history = history;
	leg->ops->message(leg->arg, leg, &in.m);
	leg_cpim_in_free(&in);
}

void leg_on_cpim(struct gw_leg *leg, char *body, size_t len)
{
	struct leg_held *h;

	if (leg->closing) {
		free(body);
		return;
	}
	if (!leg->holding) {
		deliver(leg, body, len, 0);
		free(body);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		free(body);
		return;
	}
	h->body = body;
	h->len = len;
	h->history = leg->state != LEG_JOINED;
	*leg->held_tail = h;
	leg->held_tail = &h->next;
}

static void held_free(struct gw_leg *leg)
{
	while (leg->held) {
		struct leg_held *h = leg->held;

		leg->held = h->next;
		free(h->body);
		free(h);
	}
	leg->held_tail = &leg->held;
}

void gw_leg_flush_history(struct gw_leg *leg)
{
	leg->holding = 0;
	while (leg->held && !leg->closing) {
		struct leg_held *h = leg->held;

		leg->held = h->next;
		if (leg->held == NULL)
			leg->held_tail = &leg->held;
		deliver(leg, h->body, h->len, h->history);
		free(h->body);
		free(h);
	}
	held_free(leg);
}

/* --- BYE ----------------------------------------------------------------- */

static int reason_booted(const char *text)
{
	static const char *const words[] = { "boot", "kick", "remov", NULL };
	size_t i;

	for (i = 0; words[i]; i++)
		if (strcasestr(text, words[i]))
			return 1;
	return 0;
}

static void on_bye(struct gw_leg *leg, const sip_t *sip)
{
	const sip_reason_t *re = sip ? sip->sip_reason : NULL;
	char reason[256] = "the room ended the session";
	int booted = 0;

	leg->call_up = 0;
	leg->invite_final = 1;
	if (re && re->re_text) {
		const char *t = re->re_text + (re->re_text[0] == '"');

		snprintf(reason, sizeof(reason), "%.*s",
			 (int)strcspn(t, "\""), t);
		booted = reason_booted(reason);
	} else if (re && re->re_cause) {
		snprintf(reason, sizeof(reason), "%s cause %s",
			 re->re_protocol, re->re_cause);
	}
	if (leg->closing)
		leg_check_done(leg);
	else if (leg->state == LEG_JOINED)
		leg_end(leg, booted, reason);
	else
		leg_fail(leg, 480, reason);
}

/* --- events -------------------------------------------------------------- */

void leg_sip_event(struct gw_leg *leg, nua_event_t event, int status,
		   const char *phrase, nua_handle_t *nh, const sip_t *sip)
{
	int is_call = nh == leg->call, is_sub = nh == leg->sub;

	switch (event) {
	case nua_r_invite:
		if (is_call)
			on_invite_answer(leg, status, phrase, sip);
		break;
	case nua_i_bye:
		if (is_call)
			on_bye(leg, sip);
		break;
	case nua_r_bye:
	case nua_r_cancel:
		if (is_call && status >= 200 && event == nua_r_bye)
			leg->call_up = 0;
		leg_check_done(leg);
		break;
	case nua_r_subscribe:
		if (is_sub)
			leg_on_subscribe_answer(leg, status, phrase);
		break;
	case nua_r_unsubscribe:
		if (is_sub && status >= 200) {
			leg->unsub_done = 1;
			leg->subscribed = 0;
			leg_check_done(leg);
		}
		break;
	case nua_i_notify:
		if (is_sub && sip)
			leg_on_notify(leg, sip);
		break;
	case nua_i_invite:
		/* the focus never changes the session (RFC 7701 §5) */
		if (status < 200)
			nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
		break;
	case nua_i_ack:
		if (is_call)
			on_ack(leg);
		break;
	case nua_i_cancel:
		break;
	default:
		if (nua_event_is_incoming_request(event) && status < 200)
			nua_respond(nh, SIP_501_NOT_IMPLEMENTED, TAG_END());
		break;
	}
}

/* --- the owner's calls --------------------------------------------------- */

/* A display name as a quoted-string (RFC 3261 §25.1). */
static char *display_quoted(const char *name)
{
	size_t i, n = 0;
	char *s = malloc(strlen(name) * 2 + 3);

	if (s == NULL)
		return NULL;
	s[n++] = '"';
	for (i = 0; name[i]; i++) {
		if (name[i] == '\r' || name[i] == '\n')
			continue;
		if (name[i] == '"' || name[i] == '\\')
			s[n++] = '\\';
		s[n++] = name[i];
	}
	s[n++] = '"';
	s[n] = '\0';
	return s;
}

static int leg_identity(struct gw_leg *leg, const struct gw_leg_params *p,
			struct sx_err *err)
{
	char *user = NULL, *res = NULL, *disp = NULL;
	const struct gw_sip *s = leg->sip;
	int rc = 0;

	leg->room_aor = sip_uri_aor(p->room_uri, NULL);
	if (leg->room_aor == NULL)
		return sx_err_set(err, 400, "not a SIP URI: %s", p->room_uri);
	leg->aor = sip_uri_aor(p->aor, &user);
	if (leg->aor == NULL)
		return sx_err_set(err, 400, "not a SIP URI: %s", p->aor);
	res = sip_uri_param_escape(p->resource ? p->resource : "");
	disp = display_quoted(p->nick);
	leg->room_uri = strdup(p->room_uri);
	leg->nick = strdup(p->nick);
	leg->resource = strdup(p->resource ? p->resource : "");
	if (p->referred_by)
		leg->referred_by = strdup(p->referred_by);
	if (res == NULL || disp == NULL || leg->room_uri == NULL ||
	    leg->nick == NULL || leg->resource == NULL ||
	    (p->referred_by && !leg->referred_by) ||
	    asprintf(&leg->contact, "sip:%s%s%s%s;gr=%s", user, user[0] ?
		     "@" : "", s->hostport, strcmp(s->proto, "tcp") == 0 ?
		     ";transport=tcp" : "", res) < 0 ||
	    asprintf(&leg->contact_hdr, "<%s>", leg->contact) < 0 ||
	    asprintf(&leg->from_hdr, "%s <%s>", disp, leg->aor) < 0)
		rc = sx_err_set(err, 500, "out of memory");
	free(user);
	free(res);
	free(disp);
	return rc;
}

/* A leg with its identity, timers and MSRP side; not yet linked. */
static struct gw_leg *leg_new(struct gw *gw, const struct gw_leg_params *p,
			      const struct gw_leg_ops *ops, void *arg,
			      struct sx_err *err)
{
	struct gw_sip *s = gw->sip;
	struct gw_leg *leg;

	if (s == NULL || s->stopping) {
		sx_err_set(err, 500, "the gateway's SIP agent is not running");
		return NULL;
	}
	leg = calloc(1, sizeof(*leg));
	if (leg == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	leg->owner.kind = GW_SIP_LEG;
	leg->gw = gw;
	leg->sip = s;
	leg->id = ++s->next_id;
	leg->ops = ops;
	leg->arg = arg;
	leg->holding = 1;
	leg->held_tail = &leg->held;
	leg->timer = sx_timer_new(gw->loop, on_timer, leg);
	leg->defer = sx_timer_new(gw->loop, on_defer, leg);
	if (leg->timer == NULL || leg->defer == NULL) {
		sx_err_set(err, 500, "out of memory");
		goto fail;
	}
	if (leg_identity(leg, p, err) != 0 || leg_msrp_init(leg, err) != 0)
		goto fail;
	return leg;
fail:
	leg_free(leg);
	return NULL;
}

static void leg_link(struct gw_leg *leg)
{
	unsigned secs = leg->gw->x->join_timeout ?
			leg->gw->x->join_timeout : 30;

	sx_timer_start(leg->timer, secs * 1000UL);
	leg->next = leg->sip->legs;
	leg->sip->legs = leg;
}

struct gw_leg *gw_leg_join(struct gw *gw, const struct gw_leg_params *p,
			   const struct gw_leg_ops *ops, void *arg,
			   struct sx_err *err)
{
	struct gw_leg *leg = leg_new(gw, p, ops, arg, err);
	char *offer = NULL, *by = NULL;

	if (leg == NULL)
		return NULL;
	offer = leg_msrp_offer(leg, err);
	if (offer == NULL)
		goto fail;
	if (leg->referred_by && asprintf(&by, "<%s>", leg->referred_by) < 0)
		by = NULL;
	leg->call = nua_handle(leg->sip->nua, &leg->owner,
			       SIPTAG_TO_STR(leg->room_uri),
			       SIPTAG_FROM_STR(leg->from_hdr), TAG_END());
	if (leg->call == NULL) {
		sx_err_set(err, 500, "out of memory");
		free(by);
		goto fail;
	}
	nua_invite(leg->call, SIPTAG_CONTACT_STR(leg->contact_hdr),
		   SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(offer),
		   TAG_IF(by, SIPTAG_REFERRED_BY_STR(by)), TAG_END());
	free(offer);
	free(by);
	leg_link(leg);
	sx_info("gw leg %lu: %s (%s) joining %s as '%s'", leg->id, leg->aor,
		leg->contact, leg->room_uri, leg->nick);
	return leg;
fail:
	free(offer);
	leg_free(leg);
	return NULL;
}

/* Whether we can take the room's offer: message/cpim, a port, and a
 * role left for us to connect (RFC 6135 §4: the offer is passive or
 * actpass; we never listen, see gw_leg_msrp.c). */
static int offer_usable(const char *offer, size_t len, struct sx_err *err)
{
	struct sdp_msrp remote;
	enum sdp_msrp_setup setup;
	int rc = 0;

	if (offer == NULL || len == 0)
		return sx_err_set(err, 488, "the invitation has no SDP offer");
	if (sdp_msrp_read(offer, len, &remote, err) != 0) {
		err->status = 488;
		return SX_ERROR;
	}
	setup = sdp_msrp_setup_of(&remote, 1);
	if (!sdp_msrp_accepts(remote.accept_types, "message/cpim"))
		rc = sx_err_set(err, 488, "the offer does not take "
				"message/cpim");
	else if (remote.port == 0)
		rc = sx_err_set(err, 488, "the offer refuses the media");
	else if (setup != SDP_MSRP_SETUP_PASSIVE &&
		 setup != SDP_MSRP_SETUP_ACTPASS)
		rc = sx_err_set(err, 488, "the offer does not let us connect "
				"(a=setup passive or actpass needed)");
	sdp_msrp_free(&remote);
	return rc;
}

struct gw_leg *leg_answer(struct gw *gw, nua_handle_t *nh, const char *offer,
			  size_t len, const struct gw_leg_params *p,
			  const struct gw_leg_ops *ops, void *arg,
			  struct sx_err *err)
{
	struct gw_leg *leg;
	char *answer;

	if (offer_usable(offer, len, err) != 0)
		return NULL;
	leg = leg_new(gw, p, ops, arg, err);
	if (leg == NULL)
		return NULL;
	/* our usual description answers: a=setup:active, our path */
	answer = leg_msrp_offer(leg, err);
	leg->offer = strndup(offer, len);
	if (answer == NULL || leg->offer == NULL) {
		if (answer)
			sx_err_set(err, 500, "out of memory");
		free(answer);
		leg_free(leg);
		return NULL;
	}
	leg->call = nh;
	nua_handle_bind(nh, &leg->owner);
	leg->state = LEG_ANSWERED;
	leg->invite_final = 1;
	leg->call_up = 1;
	nua_respond(nh, SIP_200_OK, SIPTAG_CONTACT_STR(leg->contact_hdr),
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(answer), TAG_END());
	free(answer);
	leg_link(leg);
	sx_info("gw leg %lu: %s (%s) answers %s's invitation as '%s'",
		leg->id, leg->aor, leg->contact, leg->room_uri, leg->nick);
	return leg;
}


int gw_leg_send(struct gw_leg *leg, const struct gw_out *m, void *cookie)
{
	struct sx_err err;
	size_t len;
	char *body;
	int rc;

	if (leg->closing || leg->state != LEG_JOINED)
		return SX_ERROR;
	sx_err_clear(&err);
	body = leg_cpim_wrap(leg, m, &len, &err);
	if (body == NULL) {
		sx_notice("gw leg %lu: message not sent: %s", leg->id,
			  err.text);
		return SX_ERROR;
	}
	if (leg->remote_max && len > leg->remote_max) {
		free(body);
		return SX_ERROR;
	}
	rc = leg_msrp_send(leg, body, len, cookie);
	free(body);
	return rc;
}

int gw_leg_nick(struct gw_leg *leg, const char *nick)
{
	if (leg->closing || leg->state != LEG_JOINED)
		return SX_ERROR;
	return leg_msrp_nickname(leg, nick);
}

void gw_leg_leave(struct gw_leg *leg, const char *reason)
{
	if (leg->closing)
		return;
	sx_info("gw leg %lu: %s leaves %s%s%s", leg->id, leg->aor,
		leg->room_uri, reason ? ": " : "", reason ? reason : "");
	leg->closing = 1;
	leg_teardown(leg, reason);
}

void leg_free(struct gw_leg *leg)
{
	if (leg->call) {
		nua_handle_bind(leg->call, NULL);
		nua_handle_destroy(leg->call);
	}
	if (leg->sub) {
		nua_handle_bind(leg->sub, NULL);
		nua_handle_destroy(leg->sub);
	}
	leg_msrp_free(leg);
	sx_timer_free(leg->timer);
	sx_timer_free(leg->defer);
	confinfo_free(leg->roster);
	held_free(leg);
	free(leg->offer);
	free(leg->fail_why);
	free(leg->room_uri);
	free(leg->room_aor);
	free(leg->aor);
	free(leg->resource);
	free(leg->contact);
	free(leg->from_hdr);
	free(leg->contact_hdr);
	free(leg->nick);
	free(leg->referred_by);
	free(leg);
}

const char *gw_leg_aor(const struct gw_leg *leg)
{
	return leg->aor;
}

const char *gw_leg_contact(const struct gw_leg *leg)
{
	return leg->contact;
}

const char *gw_leg_room_uri(const struct gw_leg *leg)
{
	return leg->room_uri;
}

const struct confinfo *gw_leg_roster(const struct gw_leg *leg)
{
	return leg->state == LEG_JOINED ? leg->roster : NULL;
}
