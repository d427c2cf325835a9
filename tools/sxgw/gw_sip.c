/*
 * gw_sip.c - the gateway's own SIP agent (RFC 3261 on sofia-sip's nua),
 * shared by every leg (RFC 7702 §5.2: the XMPP occupant's SIP side).
 *
 * It binds [xmpp] sip_listen, or the host of the first [sip] listen on a
 * free port, so that the focus sees an ordinary remote participant:
 * requests from one agent to the other cross real SIP.  Requests go
 * through [sip] outbound_proxy when one is set, else to the focus's own
 * address (its first [sip] listen): a room of another focus is then
 * reached by its URI through the proxy.
 *
 * Each leg holds two handles (the INVITE dialog and the conference
 * subscription), both bound to the leg as handle magic; events are handed
 * to gw_leg.c by it.  An XMPP user's invitation is a REFER on a handle of
 * its own (gw_invite.c); a room's INVITE for an XMPP user comes outside
 * any dialog and is taken by gw_invited.c.  Other requests outside a
 * dialog are refused.
 *
 * nua shares the service's su_root in the same thread, like the focus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "gw_leg_int.h"
#include "sx_log.h"
#include "sx_stream.h"

#define GW_SIP_WAIT_MS 2000   /* for the bound port, and the shutdown */

uint64_t gw_sip_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void reap(void *arg)
{
	struct gw_sip *s = arg;
	struct gw_leg **pp = &s->legs, *leg;

	while ((leg = *pp) != NULL) {
		if (leg->dead) {
			*pp = leg->next;
			leg_free(leg);
		} else {
			pp = &leg->next;
		}
	}
}

void gw_sip_leg_dead(struct gw_leg *leg)
{
	leg->dead = 1;
	sx_timer_start(leg->sip->reaper, 0);
}

/* Our transport's address as nua bound it (the port may be one the
 * kernel chose). */
static void on_contact(struct gw_sip *s, tagi_t *tags)
{
	const tagi_t *t = tl_find(tags, ntatag_contact);
	const sip_contact_t *m = t ? (const sip_contact_t *)t->t_value : NULL;
	const url_t *u = m ? m->m_url : NULL;
	size_t n;

	if (u == NULL || u->url_host == NULL || s->have_contact)
		return;
	if (asprintf(&s->hostport, "%s%s%s", u->url_host,
		     u->url_port ? ":" : "", u->url_port ? u->url_port : "") <
	    0) {
		s->hostport = NULL;
		return;
	}
	n = strlen(u->url_host);
	if (n >= 2 && u->url_host[0] == '[')
		s->host = strndup(u->url_host + 1, n - 2);
	else
		s->host = strdup(u->url_host);
	s->have_contact = s->host != NULL;
}

static void gw_sip_event(nua_event_t event, int status, char const *phrase,
			 nua_t *nua, struct gw_sip *s, nua_handle_t *nh,
			 struct gw_sip_owner *owner, sip_t const *sip,
			 tagi_t tags[])
{
	struct gw_leg *leg;

	(void)nua;
	if (s->down)
		return;
	switch (event) {
	case nua_r_get_params:
		on_contact(s, tags);
		return;
	case nua_r_shutdown:
		if (status >= 200)
			s->down = 1;
		return;
	default:
		break;
	}
	if (owner == NULL && event == nua_i_invite) {
		gw_invited_incoming(s->gw, nh, sip);
		return;
	}
	if (owner == NULL && nua_event_is_incoming_request(event)) {
		/* nothing but invitations is taken here; what nua did not
		 * answer itself is refused */
		if (status < 200)
			nua_respond(nh, 480, "Temporarily Unavailable",
				    TAG_END());
		nua_handle_destroy(nh);
		return;
	}
	if (owner == NULL)
		return;
	switch (owner->kind) {
	case GW_SIP_LEG:
		leg = (struct gw_leg *)owner;
		if (!leg->dead)
			leg_sip_event(leg, event, status, phrase, nh, sip);
		break;
	case GW_SIP_INVITE:
		gw_invite_sip_event(owner, event, status, phrase, nh, sip);
		break;
	case GW_SIP_INVITED:
		gw_invited_sip_event(owner, event, status, phrase, nh, sip);
		break;
	}
}

int gw_sip_start(struct gw *gw, struct sx_err *err)
{
	const struct sxgw_config *cfg = gw->cfg;
	su_root_t *root = sx_loop_root(gw->loop);
	struct sx_listen_addr focus, own;
	char *url = NULL;
	struct gw_sip *s;
	uint64_t until;

	if (cfg->nsip_listen < 1 ||
	    sx_listen_split(cfg->sip_listen[0], &focus) != 0)
		return sx_err_set(err, 0, "[sip] listen: no address to reach "
				  "the focus at");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->gw = gw;
	if (gw->x->sip_listen) {
		if (sx_listen_split(gw->x->sip_listen, &own) != 0) {
			sx_err_set(err, 0, "[xmpp] sip_listen: not "
				   "PROTO:HOST:PORT: %s", gw->x->sip_listen);
			goto fail;
		}
	} else {
		own = focus;
		strcpy(own.port, "0");
	}
	memcpy(s->proto, own.proto, sizeof(own.proto));
	if (cfg->outbound_proxy)
		s->proxy = strdup(cfg->outbound_proxy);
	else if (asprintf(&s->proxy, "sip:%s:%s;transport=%s", focus.host,
			  focus.port, focus.proto) < 0)
		s->proxy = NULL;
	s->reaper = sx_timer_new(gw->loop, reap, s);
	if (s->proxy == NULL || s->reaper == NULL ||
	    asprintf(&url, "sip:%s:%s;transport=%s", own.host, own.port,
		     s->proto) < 0)
		goto nomem;
	su_root_threading(root, 0);
	s->nua = nua_create(root, gw_sip_event, s,
			    NUTAG_URL(url),
			    NUTAG_PROXY(s->proxy),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_AUTOANSWER(0),
			    NUTAG_SESSION_TIMER(0),
			    NUTAG_ENABLEMESSAGE(0),
			    SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, "
					     "NOTIFY"),
			    SIPTAG_SUPPORTED_STR(""),
			    SIPTAG_USER_AGENT_STR("sxgw/" SX_VERSION),
			    TAG_END());
	if (s->nua == NULL) {
		sx_err_set(err, 0, "cannot listen for SIP on %s", url);
		goto fail;
	}
	/* the port nua bound, for our Contacts and MSRP host: asked once,
	 * at start, before any leg needs it */
	nua_get_params(s->nua, TAG_ANY(), TAG_END());
	until = gw_sip_now_ms() + GW_SIP_WAIT_MS;
	while (!s->have_contact && gw_sip_now_ms() < until)
		su_root_step(root, 50);
	if (!s->have_contact) {
		sx_err_set(err, 0, "SIP on %s: no local address", url);
		goto fail;
	}
	sx_info("XMPP gateway SIP agent on %s:%s, requests via %s", s->proto,
		s->hostport, s->proxy);
	gw->sip = s;
	free(url);
	return 0;
nomem:
	sx_err_set(err, 0, "out of memory");
fail:
	if (s && s->nua) {
		gw->sip = s;
		gw_sip_stop(gw);
		s = NULL;
	}
	if (s) {
		sx_timer_free(s->reaper);
		free(s->proxy);
		free(s->hostport);
		free(s->host);
		free(s);
	}
	free(url);
	return SX_ERROR;
}

void gw_sip_stop(struct gw *gw)
{
	struct gw_sip *s = gw->sip;
	su_root_t *root = sx_loop_root(gw->loop);
	struct gw_leg *leg;
	uint64_t until;

	if (s == NULL)
		return;
	gw->sip = NULL;
	s->stopping = 1;
	for (leg = s->legs; leg; leg = leg->next)
		leg_abandon(leg);
	/* nua ends what is left (BYE, un-SUBSCRIBE) and answers once its
	 * dialogs are gone; a short grace, then the process goes on */
	nua_shutdown(s->nua);
	until = gw_sip_now_ms() + GW_SIP_WAIT_MS;
	while (!s->down && gw_sip_now_ms() < until)
		su_root_step(root, 50);
	while ((leg = s->legs) != NULL) {
		s->legs = leg->next;
		/* nua_destroy() takes the handles */
		leg->call = leg->sub = NULL;
		leg_free(leg);
	}
	sx_timer_free(s->reaper);
	s->reaper = NULL;
	if (!s->down) {
		/* nua cannot be destroyed before its shutdown completed; its
		 * callback may still come and must find s: s stays */
		sx_warn("XMPP gateway SIP agent: shutdown incomplete");
		s->down = 1;
		return;
	}
	nua_destroy(s->nua);
	free(s->proxy);
	free(s->hostport);
	free(s->host);
	free(s);
}
