/*
 * sip.c - the SIP side of sxjoin, on sofia-sip's nua: the INVITE dialog
 * with the room (RFC 3261; RFC 4579 §5.1 joining a focus), the conference
 * subscription (RFC 6665, RFC 4575 §3), REFER to the room to invite or
 * remove someone (RFC 3515 with its implicit subscription and sipfrag
 * NOTIFYs; RFC 4579 §5.5 and §5.11), REGISTER, and invitations from a
 * focus (Contact with isfocus, RFC 4579 §5.5; Referred-By, RFC 3892).
 *
 * nua's own offer/answer engine is off: the SDP is the MSRP description
 * chat.c builds and reads.
 */
#define NUA_MAGIC_T struct sj

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/url.h>

#include "confinfo.h"
#include "referto.h"
#include "sxjoin.h"

#define SUB_EXPIRES "600"

struct sip_refer {
	nua_handle_t *nh;
	char *target;           /* as typed */
	int bye;                /* a removal (method=BYE) */
	int answered;           /* the REFER got its final answer */
	int shown;              /* the last status shown */
	struct sip_refer *next;
};

struct sj_sip {
	nua_t *nua;
	nua_handle_t *call;     /* the INVITE dialog with the room */
	nua_handle_t *sub;      /* the conference subscription */
	nua_handle_t *reg;
	char *route;            /* to the focus, when no proxy is set */
	char *local_host;       /* for MSRP and SDP */
	int have_contact;
	int subscribed;
	int shutting_down;
	int down;               /* nua_shutdown() completed */
	struct sip_refer *refers;
};

const char *sip_local_host(const struct sj *app)
{
	return app->sip->local_host;
}

/* A loose route to the host of a focus Contact, so that requests for the
 * room reach the focus that invited us when no proxy knows the room. */
static char *sip_route_to(const url_t *contact)
{
	const char *tp = NULL;
	char tpbuf[16] = "";
	char *r;

	if (url_param(contact->url_params, "transport", tpbuf,
		      sizeof(tpbuf)) > 0)
		tp = tpbuf;
	if (asprintf(&r, "<%s:%s%s%s%s%s;lr>",
		     contact->url_type == url_sips ? "sips" : "sip",
		     contact->url_host, contact->url_port ? ":" : "",
		     contact->url_port ? contact->url_port : "",
		     tp ? ";transport=" : "", tp ? tp : "") < 0)
		return NULL;
	return r;
}

/* --- REFER --------------------------------------------------------------- */

static struct sip_refer *sip_refer_find(struct sj_sip *s, nua_handle_t *nh)
{
	struct sip_refer *r;

	for (r = s->refers; r; r = r->next)
		if (r->nh == nh)
			return r;
	return NULL;
}

static void sip_refer_drop(struct sj_sip *s, struct sip_refer *r)
{
	struct sip_refer **pp;

	for (pp = &s->refers; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	nua_handle_destroy(r->nh);
	free(r->target);
	free(r);
}

static void sip_refer_event(struct sj *app, struct sip_refer *r, int status,
			    const char *phrase, int final)
{
	struct sj_event e = {
		.type = SJ_EV_REFER, .target = r->target, .status = status,
		.text = phrase, .what = r->bye ? "kick" : "invite",
		.final = final,
	};

	r->shown = status;
	sj_emit(app, &e);
}

void sip_refer(struct sj *app, const char *target, int bye)
{
	struct sj_sip *s = app->sip;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, target);
	struct sip_refer *r;
	char *to, *by = NULL;

	if (u == NULL || (u->url_type != url_sip && u->url_type != url_sips) ||
	    (bye && url_param_add(home, u, "method=BYE") != 0)) {
		sj_error(app, bye ? "kick" : "invite", 0,
			 "not a SIP URI: %s", target);
		su_home_deinit(home);
		return;
	}
	to = su_sprintf(home, "<%s>", url_as_string(home, u));
	r = calloc(1, sizeof(*r));
	if (r == NULL || asprintf(&by, "<%s>", app->aor) < 0 ||
	    (r->target = strdup(target)) == NULL) {
		free(r);
		free(by);
		su_home_deinit(home);
		return;
	}
	r->bye = bye;
	r->nh = nua_handle(s->nua, NULL, SIPTAG_TO_STR(app->room), TAG_END());
	r->next = s->refers;
	s->refers = r;
	nua_refer(r->nh, SIPTAG_REFER_TO_STR(to), SIPTAG_REFERRED_BY_STR(by),
		  TAG_IF(s->route, SIPTAG_ROUTE_STR(s->route)), TAG_END());
	free(by);
	su_home_deinit(home);
}

int sip_refers_pending(const struct sj *app)
{
	const struct sip_refer *r;

	for (r = app->sip->refers; r; r = r->next)
		if (!r->answered)
			return 1;
	return 0;
}

static void sip_on_refer_answer(struct sj *app, struct sip_refer *r,
				int status, const char *phrase)
{
	if (status < 200)
		return;
	r->answered = 1;
	if (status >= 300) {
		sj_error(app, r->bye ? "kick" : "invite", status,
			 "%s %s refused: %03d %s", r->bye ? "kick" : "invite",
			 r->target, status, phrase);
		sip_refer_drop(app->sip, r);
	} else {
		sip_refer_event(app, r, status, phrase, 0);
	}
	command_flush(app);
}

/* A NOTIFY of the implicit refer subscription: message/sipfrag holding
 * the status line of the room's request to the target (RFC 3515 §2.4.5). */
static void sip_on_refer_notify(struct sj *app, struct sip_refer *r,
				const sip_t *sip)
{
	struct referto_notify n;

	referto_notify(sip, &n);
	/* a NOTIFY may overtake the 202; "Trying" then says nothing new */
	if (n.status >= 100 && n.status != r->shown &&
	    (r->answered || n.status >= 200))
		sip_refer_event(app, r, n.status, n.phrase,
				n.status >= 200 || n.terminated);
	if (n.status >= 200 || n.terminated)
		sip_refer_drop(app->sip, r);
}

/* --- requests ------------------------------------------------------------ */

void sip_invite(struct sj *app, const char *sdp)
{
	struct sj_sip *s = app->sip;

	s->call = nua_handle(s->nua, NULL, SIPTAG_TO_STR(app->room), TAG_END());
	nua_invite(s->call, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(sdp), TAG_END());
}

void sip_cancel(struct sj *app)
{
	if (app->sip->call)
		nua_cancel(app->sip->call, TAG_END());
}

void sip_bye(struct sj *app)
{
	if (app->sip->call)
		nua_bye(app->sip->call, TAG_END());
}

void sip_subscribe(struct sj *app)
{
	struct sj_sip *s = app->sip;

	if (s->sub == NULL)
		s->sub = nua_handle(s->nua, NULL, SIPTAG_TO_STR(app->room),
				    TAG_END());
	s->subscribed = 1;
	nua_subscribe(s->sub, SIPTAG_EVENT_STR("conference"),
		      SIPTAG_ACCEPT_STR(CONFINFO_MIME),
		      SIPTAG_EXPIRES_STR(SUB_EXPIRES),
		      TAG_IF(s->route, SIPTAG_ROUTE_STR(s->route)), TAG_END());
}

void sip_unsubscribe(struct sj *app)
{
	struct sj_sip *s = app->sip;

	if (s->sub && s->subscribed) {
		s->subscribed = 0;
		nua_unsubscribe(s->sub, TAG_END());
	}
}

void sip_shutdown(struct sj *app)
{
	struct sj_sip *s = app->sip;

	if (s->shutting_down)
		return;
	s->shutting_down = 1;
	sip_unsubscribe(app);
	if (s->reg)
		nua_unregister(s->reg, TAG_END());
	nua_shutdown(s->nua);
}

/* --- incoming ------------------------------------------------------------ */

static int sip_is_focus(const sip_contact_t *m)
{
	return m && (msg_params_find(m->m_params, "isfocus") ||
		     url_has_param(m->m_url, "isfocus"));
}

static void sip_on_invite(struct sj *app, nua_handle_t *nh, const sip_t *sip)
{
	struct sj_sip *s = app->sip;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	const char *sdp = NULL, *phrase, *room, *by = NULL, *me;
	const char *subject = NULL;
	char *answer = NULL;
	size_t len = 0;
	int status;

	if (!sip_is_focus(sip->sip_contact) || sip->sip_from == NULL) {
		/* a call, not a conference invitation (RFC 4579 §5.5) */
		nua_respond(nh, SIP_603_DECLINE, TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	if (sip->sip_payload && sip->sip_content_type &&
	    su_casematch(sip->sip_content_type->c_type, "application/sdp")) {
		sdp = sip->sip_payload->pl_data;
		len = sip->sip_payload->pl_len;
	}
	room = url_as_string(home, sip->sip_from->a_url);
	if (sip->sip_referred_by)
		by = url_as_string(home, sip->sip_referred_by->b_url);
	me = sip->sip_to ? url_as_string(home, sip->sip_to->a_url) : NULL;
	/* RFC 3261 §20.36: what the call is about; a room puts there the
	 * reason the inviter gave (RFC 4579 §5.5, embedded in Refer-To) */
	if (sip->sip_subject && sip->sip_subject->g_string &&
	    sip->sip_subject->g_string[0])
		subject = sip->sip_subject->g_string;
	status = session_invited(app, room, by, me, subject, sdp, len,
				 &answer, &phrase);
	if (status != 200) {
		nua_respond(nh, status, phrase, TAG_END());
		nua_handle_destroy(nh);
		su_home_deinit(home);
		return;
	}
	s->call = nh;
	if (app->o.proxy == NULL) {
		free(s->route);
		s->route = sip_route_to(sip->sip_contact->m_url);
	}
	nua_respond(nh, SIP_200_OK,
		    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		    SIPTAG_PAYLOAD_STR(answer), TAG_END());
	free(answer);
	su_home_deinit(home);
}

static void sip_on_notify(struct sj *app, nua_handle_t *nh, const sip_t *sip)
{
	struct sj_sip *s = app->sip;
	struct sip_refer *r = sip_refer_find(s, nh);

	if (r) {
		sip_on_refer_notify(app, r, sip);
		return;
	}
	if (nh != s->sub || sip == NULL)
		return;
	if (sip->sip_subscription_state &&
	    strcasecmp(sip->sip_subscription_state->ss_substate,
		       "terminated") == 0)
		s->subscribed = 0;
	if (sip->sip_payload == NULL || sip->sip_content_type == NULL ||
	    !su_casematch(sip->sip_content_type->c_type, CONFINFO_MIME))
		return;
	roster_keep(app, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	/* a missed notification: a refresh brings the full state (§4.6) */
	if (roster_notify(app, sip->sip_payload->pl_data,
			  sip->sip_payload->pl_len) && s->subscribed)
		sip_subscribe(app);
}

static void sip_on_bye(struct sj *app, const sip_t *sip)
{
	const sip_reason_t *re = sip ? sip->sip_reason : NULL;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char reason[256] = "";
	const char *text;

	/* RFC 3326 §2: text is a quoted-string, escapes and all */
	if (re && re->re_text) {
		text = re->re_text[0] == '"' ?
			msg_unquote_dup(home, re->re_text) : re->re_text;
		snprintf(reason, sizeof(reason), "%s %s: %s",
			 re->re_protocol, re->re_cause ? re->re_cause : "",
			 text ? text : "");
	} else if (re)
		snprintf(reason, sizeof(reason), "%s %s", re->re_protocol,
			 re->re_cause ? re->re_cause : "");
	su_home_deinit(home);
	session_bye_received(app, reason[0] ? reason : NULL);
}

static void sip_on_contact(struct sj *app, tagi_t *tags)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	const tagi_t *t = tl_find(tags, ntatag_contact);
	const sip_contact_t *m = t ? (const sip_contact_t *)t->t_value : NULL;

	if (m && !app->sip->have_contact) {
		app->sip->have_contact = 1;
		session_sip_ready(app, url_as_string(home, m->m_url));
	}
	su_home_deinit(home);
}

static void sip_on_register(struct sj *app, int status, const char *phrase)
{
	if (status < 200)
		return;
	if (status < 300)
		sj_info(app, "registered %s", app->aor);
	else
		sj_error(app, "register", status, "registration failed: %03d "
			 "%s", status, phrase);
}

static void sip_callback(nua_event_t event, int status, char const *phrase,
			 nua_t *nua, struct sj *app, nua_handle_t *nh,
			 nua_hmagic_t *hmagic, sip_t const *sip,
			 tagi_t tags[])
{
	struct sj_sip *s = app->sip;
	struct sip_refer *r;

	(void)nua;
	(void)hmagic;
	switch (event) {
	case nua_r_get_params:
		sip_on_contact(app, tags);
		break;
	case nua_r_invite:
		if (nh == s->call)
			session_join_answered(app, status, phrase,
				sip && sip->sip_payload ?
				sip->sip_payload->pl_data : NULL,
				sip && sip->sip_payload ?
				sip->sip_payload->pl_len : 0);
		break;
	case nua_i_invite:
		sip_on_invite(app, nh, sip);
		break;
	case nua_i_bye:
		if (nh == s->call)
			sip_on_bye(app, sip);
		break;
	case nua_r_bye:
		if (nh == s->call && status >= 200)
			session_bye_answered(app);
		break;
	case nua_r_subscribe:
		if (nh == s->sub && status >= 300) {
			s->subscribed = 0;
			sj_error(app, "subscribe", status, "no roster: the "
				 "subscription was answered %03d %s", status,
				 phrase);
		}
		break;
	case nua_i_notify:
		sip_on_notify(app, nh, sip);
		break;
	case nua_r_refer:
		r = sip_refer_find(s, nh);
		if (r)
			sip_on_refer_answer(app, r, status, phrase);
		break;
	case nua_r_register:
		if (nh == s->reg)
			sip_on_register(app, status, phrase);
		break;
	case nua_r_shutdown:
		if (status >= 200) {
			s->down = 1;
			session_sip_down(app);
		}
		break;
	default:
		break;
	}
}

int sip_start(struct sj *app, struct sx_err *err)
{
	struct sj_sip *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		sx_err_set(err, 0, "out of memory");
		return SX_ERROR;
	}
	app->sip = s;
	s->local_host = sip_uri_listen_host(app->o.listen);
	if (s->local_host == NULL) {
		sx_err_set(err, 0, "--listen: not a SIP address: %s",
			   app->o.listen);
		return SX_ERROR;
	}
	/* Session timers and reliable provisionals have nothing to do in a
	 * chat session; MESSAGE is not how rooms talk. */
	s->nua = nua_create(sx_loop_root(app->loop), sip_callback, app,
			    NUTAG_URL(app->o.listen),
			    SIPTAG_FROM_STR(app->o.from),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_SESSION_TIMER(0),
			    NUTAG_ENABLEMESSAGE(0),
			    SIPTAG_SUPPORTED_STR(""),
			    SIPTAG_USER_AGENT_STR("sxjoin/" SX_VERSION),
			    TAG_IF(app->o.proxy, NUTAG_PROXY(app->o.proxy)),
			    TAG_END());
	if (s->nua == NULL) {
		sx_err_set(err, 0, "cannot listen for SIP on %s",
			   app->o.listen);
		return SX_ERROR;
	}
	nua_get_params(s->nua, TAG_ANY(), TAG_END());
	if (app->o.do_register) {
		s->reg = nua_handle(s->nua, NULL, SIPTAG_TO_STR(app->o.from),
				    TAG_END());
		nua_register(s->reg, NUTAG_REGISTRAR(app->o.registrar ?
						     app->o.registrar :
						     app->o.proxy),
			     TAG_END());
	}
	return 0;
}

void sip_free(struct sj *app)
{
	struct sj_sip *s = app->sip;

	if (s == NULL)
		return;
	/* nua_destroy() takes the handles with it */
	while (s->refers) {
		struct sip_refer *r = s->refers;

		s->refers = r->next;
		free(r->target);
		free(r);
	}
	/* nua refuses to be destroyed before its shutdown completed; the
	 * process is ending then anyway */
	if (s->nua && s->down)
		nua_destroy(s->nua);
	free(s->route);
	free(s->local_host);
	free(s);
	app->sip = NULL;
}
