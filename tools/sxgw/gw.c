/*
 * gw.c - the XMPP gateway's frame: its two component links (XEP-0114),
 * one for the rooms' domain and one for the domain SIP users appear
 * under, who may talk to it (the XMPP domains of [xmpp] domains), where
 * each stanza goes, and what happens when the server goes away.
 *
 * RFC 6120 §8.3.1: a stanza of type error is never answered with another
 * error; every other stanza that sxgw does not serve gets one.
 *
 * Link loss: the occupants' client state cannot survive it (their
 * presences and messages went nowhere meanwhile), so their legs are left
 * at once -- no ghost stays in the room on the SIP side -- and each is
 * told with an unavailable self-presence, status 333, once the rooms' link
 * is back (XEP-0045 status 333: removed because of a technical problem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw.h"
#include "jid.h"
#include "sx_log.h"
#include "xmpp_link.h"

#define LOST_REASON "the gateway lost its XMPP server connection"

static int domain_is(const char *domain, const char *want)
{
	return want && strcasecmp(domain, want) == 0;
}

/* Whether this is the domain of users sxgw represents on the SIP side. */
static int served_domain(const struct gw *gw, const char *domain)
{
	int i;

	for (i = 0; i < gw->x->ndomains; i++)
		if (domain_is(domain, gw->x->domains[i]))
			return 1;
	return 0;
}

static struct xmpp_link *link_for_from(struct gw *gw, const char *from)
{
	struct jid j;

	if (from == NULL || jid_parse(from, &j, NULL) != 0)
		return NULL;
	if (domain_is(j.domain, gw->cfg->domain))
		return gw->rooms_link;
	if (domain_is(j.domain, gw->x->sip_domain))
		return gw->users_link;
	return NULL;
}

int gw_send(struct gw *gw, xmpp_stanza_t *st)
{
	const char *from = xmpp_stanza_get_from(st);
	struct xmpp_link *l = link_for_from(gw, from);

	if (l == NULL) {
		sx_err("xmpp: not sending a %s from '%s': not one of our "
		       "domains", xmpp_stanza_get_name(st),
		       from ? from : "(none)");
		return SX_ERROR;
	}
	if (xmpp_link_send(l, st) != 0) {
		sx_info("xmpp: link for %s down: %s to %s dropped",
			xmpp_link_domain(l), xmpp_stanza_get_name(st),
			xmpp_stanza_get_to(st) ? xmpp_stanza_get_to(st) : "?");
		return SX_ERROR;
	}
	return 0;
}

xmpp_ctx_t *gw_ctx(struct gw *gw)
{
	return xmpp_link_ctx(gw->rooms_link);
}

/* A reply needs a to to answer from: a stanza that came without one is
 * answered from the link's domain. */
static void reply_error(struct gw *gw, struct xmpp_link *l,
			xmpp_stanza_t *st, const char *type,
			const char *condition, const char *text)
{
	xmpp_stanza_t *c;

	if (xmpp_stanza_get_to(st)) {
		gw_stanza_error(gw, st, type, condition, text);
		return;
	}
	c = xmpp_stanza_copy(st);
	if (c == NULL)
		return;
	xmpp_stanza_set_to(c, xmpp_link_domain(l));
	gw_stanza_error(gw, c, type, condition, text);
	xmpp_stanza_release(c);
}

/* Stanzas to the SIP users' domain (bob@sip.example.test): the iqs that
 * gw_disco.c answers, and direct invitations (XEP-0249) to SIP users. */
static void to_users(struct gw *gw, xmpp_stanza_t *st, const char *name)
{
	const char *type = xmpp_stanza_get_type(st);

	if (!strcmp(name, "iq")) {
		gw_disco_iq(gw, st);
		return;
	}
	if (!strcmp(name, "message") &&
	    xmpp_stanza_get_child_by_name_and_ns(st, "x",
						 "jabber:x:conference")) {
		if (type && !strcmp(type, "error"))
			return;
		gw_invite_direct(gw, st);
		return;
	}
	if (type && !strcmp(type, "error"))
		return;
	gw_stanza_error(gw, st, "cancel", "service-unavailable",
			"SIP users cannot be reached this way yet");
}

static void to_rooms(struct gw *gw, xmpp_stanza_t *st, const char *name)
{
	if (!strcmp(name, "presence"))
		gw_occ_presence(gw, st);
	else if (!strcmp(name, "message"))
		gw_message_from_client(gw, st);
	else if (!strcmp(name, "iq"))
		gw_disco_iq(gw, st);
	else
		gw_stanza_error(gw, st, "cancel", "feature-not-implemented",
				NULL);
}

static void on_stanza(void *arg, struct xmpp_link *l, xmpp_stanza_t *st)
{
	struct gw *gw = arg;
	const char *name = xmpp_stanza_get_name(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *to = xmpp_stanza_get_to(st);
	const char *type = xmpp_stanza_get_type(st);
	int is_error = type && !strcmp(type, "error");
	struct jid j;

	if (name == NULL)
		return;
	if (from == NULL) {
		/* Nobody to answer: the server should never let it through. */
		sx_warn("xmpp: %s without from on %s dropped", name,
			xmpp_link_domain(l));
		return;
	}
	if (jid_parse(from, &j, NULL) != 0 || !served_domain(gw, j.domain)) {
		sx_warn("xmpp: %s from %s refused: not a user of %s%s", name,
			from, gw->x->domains[0],
			gw->x->ndomains > 1 ? " or the other [xmpp] domains"
					    : "");
		if (!is_error)
			reply_error(gw, l, st, "cancel", "not-allowed",
				    "this gateway serves other domains' users"
				    " only");
		return;
	}
	if (to == NULL) {
		sx_warn("xmpp: %s from %s without to refused", name, from);
		if (!is_error)
			reply_error(gw, l, st, "modify", "bad-request",
				    "no to address");
		return;
	}
	sx_debug("xmpp: %s%s%s from %s to %s", name, type ? " " : "",
		 type ? type : "", from, to);
	/* By the to domain, not by the link it came on: ejabberd binds every
	 * host of a component listener to each connection that
	 * authenticated there, and routes to either. */
	if (jid_parse(to, &j, NULL) != 0)
		j.domain[0] = '\0';
	if (domain_is(j.domain, gw->x->sip_domain))
		to_users(gw, st, name);
	else if (domain_is(j.domain, gw->cfg->domain))
		to_rooms(gw, st, name);
	else if (!is_error)
		reply_error(gw, l, st, "cancel", "item-not-found",
			    "not a domain of this gateway");
}

/* The occupants lost with the link hear of it (status 333). */
static void tell_lost(struct gw *gw)
{
	static const int codes[] = { 333 };
	size_t i;

	for (i = 0; i < gw->nlost; i++) {
		char *jid = gw->lost_jids[i], *occ = strchr(jid, '\t');

		if (occ) {
			*occ++ = '\0';
			gw_presence_unavailable(gw, occ, jid, codes, 1,
						LOST_REASON);
			sx_notice("xmpp: %s told it left %s (link lost)", jid,
				  occ);
		}
		free(gw->lost_jids[i]);
	}
	free(gw->lost_jids);
	gw->lost_jids = NULL;
	gw->nlost = 0;
	gw->lost_while_down = 0;
}

static void on_up(void *arg, struct xmpp_link *l)
{
	struct gw *gw = arg;

	sx_notice("xmpp: link to %s:%u up as %s", gw->x->server_host,
		  gw->x->server_port, xmpp_link_domain(l));
	if (l == gw->rooms_link && gw->lost_while_down)
		tell_lost(gw);
}

static void on_down(void *arg, struct xmpp_link *l, const char *why,
		    int was_up)
{
	struct gw *gw = arg;

	if (!was_up) {
		sx_info("xmpp: link to %s:%u as %s: %s (retrying)",
			gw->x->server_host, gw->x->server_port,
			xmpp_link_domain(l), why);
		return;
	}
	sx_warn("xmpp: link to %s:%u as %s down: %s", gw->x->server_host,
		gw->x->server_port, xmpp_link_domain(l), why);
	if (l == gw->rooms_link) {
		gw_occ_link_lost(gw);
		gw_invited_fail_all(gw, "the XMPP server connection was lost");
	}
}

static const struct xmpp_link_ops link_ops = {
	.up = on_up,
	.down = on_down,
	.stanza = on_stanza,
};

static struct xmpp_link *open_link(struct gw *gw, const char *domain,
				   struct sx_err *err)
{
	struct xmpp_link_config lc = {
		.host = gw->x->server_host,
		.port = gw->x->server_port,
		.domain = domain,
		.secret = gw->x->secret,
		.backoff_min_ms = gw->x->reconnect_min_ms,
		.backoff_max_ms = gw->x->reconnect_max_ms,
	};

	return xmpp_link_new(gw->loop, &lc, &link_ops, gw, err);
}

int gw_start(struct sxgw *sx, struct gw **out, struct sx_err *err)
{
	struct gw *gw;

	*out = NULL;
	if (sx->cfg->xmpp.server_host == NULL)
		return 0;
	gw = calloc(1, sizeof(*gw));
	if (gw == NULL)
		return sx_err_set(err, 500, "out of memory");
	gw->sx = sx;
	gw->loop = sx->loop;
	gw->cfg = sx->cfg;
	gw->x = &sx->cfg->xmpp;
	if (domain_is(gw->cfg->domain, gw->x->sip_domain)) {
		free(gw);
		return sx_err_set(err, 0, "[xmpp] sip_domain must differ "
				  "from [conference] domain");
	}
	if (gw->x->invitation_timeout >= gw->cfg->invite_timeout)
		sx_warn("[xmpp] invitation_timeout (%u s) is not below [sip] "
			"invite_timeout (%u s): inviters see the room's "
			"timeout rather than the XMPP user's silence",
			gw->x->invitation_timeout, gw->cfg->invite_timeout);
	if (gw_sip_start(gw, err) != 0) {
		free(gw);
		return SX_ERROR;
	}
	gw->rooms_link = open_link(gw, gw->cfg->domain, err);
	if (gw->rooms_link)
		gw->users_link = open_link(gw, gw->x->sip_domain, err);
	if (gw->users_link == NULL) {
		gw_stop(gw);
		return SX_ERROR;
	}
	sx_notice("xmpp: gateway for rooms %s and SIP users %s, via "
		  "%s:%u, for users of %s%s", gw->cfg->domain,
		  gw->x->sip_domain, gw->x->server_host, gw->x->server_port,
		  gw->x->domains[0], gw->x->ndomains > 1 ? " and others" : "");
	*out = gw;
	return 0;
}

void gw_stop(struct gw *gw)
{
	size_t i;

	if (gw == NULL)
		return;
	gw_occ_free_all(gw, "the gateway is shutting down");
	gw_invited_fail_all(gw, "the gateway is shutting down");
	gw_invite_stop(gw);
	gw_invited_forget(gw);
	for (i = 0; i < gw->nlost; i++)
		free(gw->lost_jids[i]);
	free(gw->lost_jids);
	if (gw->users_link)
		xmpp_link_free(gw->users_link);
	if (gw->rooms_link)
		xmpp_link_free(gw->rooms_link);
	gw_sip_stop(gw);
	sx_notice("xmpp: gateway stopped");
	free(gw);
}
