/*
 * gw_invited.c - rooms invite XMPP users (RFC 7702 §5.7; RFC 4579 §5.5:
 * the focus's INVITE with ;isfocus in its Contact and the inviter in
 * Referred-By, RFC 3892).  Such an INVITE reaches the gateway's SIP agent
 * for sip:carol@D, D one of [xmpp] domains, and is turned into what an
 * XMPP client understands: a mediated invitation from the room (XEP-0045
 * §7.8.2) and, in the same message, the direct form (XEP-0249) and a
 * body for clients that know neither.
 *
 * The INVITE is not left hanging: 180 at once, then
 *   200  the user joins the room: its leg answers this very INVITE
 *        (gw_leg.c, ANSWERED), so the room sees the invitee it called
 *        arrive and the inviter's REFER ends in 200
 *   603  the user declined (<decline/>), with its reason in Reason
 *   480  no answer within [xmpp] invitation_timeout, or the XMPP server
 *        connection is lost, or the gateway stops
 *   486  the user is in the room already, or already invited to it
 *   488  not a room's invitation (no isfocus, no Referred-By): a
 *        one-to-one chat, which the gateway does not carry
 *   404  not a user of an [xmpp] domain; 403 a room of another domain
 *        than ours, which XMPP users could not join through us
 *   483  Max-Forwards 0 (RFC 3261 §16.3 step 3's rule, kept by a UAS
 *        that forwards into another network)
 * Every refusal carries a Reason (RFC 3326) saying why.  A CANCEL from
 * the room ends the invitation without a word to the user, who may still
 * try to join (an ordinary join then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/url.h>

#include "gw_leg_int.h"
#include "jid.h"
#include "sx_log.h"
#include "xmpp_link.h"

#define NS_MUC_USER   "http://jabber.org/protocol/muc#user"
#define NS_CONFERENCE "jabber:x:conference"
#define JID_MAX       (3 * (JID_PART_MAX + 1))
#define DECLINED_MAX  (sizeof(((struct gw *)0)->declined) / \
		       sizeof(((struct gw *)0)->declined[0]))
#define DECLINED_KEEP_S 60   /* the NOTIFY follows the 603 at once */

struct gw_invited {
	struct gw_sip_owner owner;   /* GW_SIP_INVITED: first */
	struct gw_invited *next;
	struct gw *gw;
	unsigned long id;
	nua_handle_t *nh;
	char *invitee;               /* bare JID */
	char *room_jid;
	char *inviter;               /* JID of the Referred-By */
	char *offer;                 /* the room's SDP */
	size_t len;
	struct sx_timer *timer;      /* invitation_timeout */
};

static void invited_free(struct gw_invited *v)
{
	struct gw_invited **pp;

	for (pp = &v->gw->inviteds; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			v->gw->ninvited--;
			break;
		}
	if (v->nh) {
		nua_handle_bind(v->nh, NULL);
		nua_handle_destroy(v->nh);
	}
	sx_timer_free(v->timer);
	free(v->invitee);
	free(v->room_jid);
	free(v->inviter);
	free(v->offer);
	free(v);
}

/* RFC 3326 §2: Reason: SIP;cause=N;text="..." (quotes and backslashes
 * escaped, control characters dropped). */
static void refuse(nua_handle_t *nh, int status, const char *phrase,
		   const char *text)
{
	char reason[600];
	size_t n, i;

	n = (size_t)snprintf(reason, sizeof(reason), "SIP;cause=%d;text=\"",
			     status);
	for (i = 0; text[i] && n + 4 < sizeof(reason); i++) {
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			continue;
		if (text[i] == '"' || text[i] == '\\')
			reason[n++] = '\\';
		reason[n++] = text[i];
	}
	reason[n++] = '"';
	reason[n] = '\0';
	nua_respond(nh, status, phrase, SIPTAG_REASON_STR(reason), TAG_END());
}

/* The held INVITE gets its final answer; the record goes. */
static void answer(struct gw_invited *v, int status, const char *phrase,
		   const char *text)
{
	sx_notice("xmpp: invitation of %s to %s by %s: %d %s (%s)",
		  v->invitee, v->room_jid, v->inviter, status, phrase, text);
	refuse(v->nh, status, phrase, text);
	invited_free(v);
}

static void on_timer(void *arg)
{
	answer(arg, 480, "Temporarily Unavailable",
	       "no answer from the XMPP user");
}

void gw_invited_sip_event(struct gw_sip_owner *owner, nua_event_t event,
			  int status, const char *phrase, nua_handle_t *nh,
			  const sip_t *sip)
{
	struct gw_invited *v = (struct gw_invited *)owner;

	(void)phrase;
	(void)sip;
	switch (event) {
	case nua_i_cancel:
		/* nua answered the INVITE 487 */
		sx_info("xmpp: invitation of %s to %s cancelled by the room",
			v->invitee, v->room_jid);
		invited_free(v);
		break;
	default:
		if (nua_event_is_incoming_request(event) && status < 200)
			nua_respond(nh, SIP_501_NOT_IMPLEMENTED, TAG_END());
		break;
	}
}

/* --- the XMPP side ------------------------------------------------------- */

static struct gw_invited *find(struct gw *gw, const char *bare,
			       const char *room_jid)
{
	struct gw_invited *v;

	for (v = gw->inviteds; v; v = v->next)
		if (!strcasecmp(v->invitee, bare) &&
		    !strcasecmp(v->room_jid, room_jid))
			return v;
	return NULL;
}

static int in_room(struct gw *gw, const char *bare, const char *room_jid)
{
	const struct gw_occ *o;

	for (o = gw->occs; o; o = o->next)
		if (!strcasecmp(o->bare, bare) &&
		    !strcasecmp(o->room_jid, room_jid))
			return 1;
	return 0;
}

/* Text fit for XML: control characters become spaces. */
static void plain(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* XEP-0045 §7.8.2 (from the room, the inviter named) with XEP-0249's
 * element and a body.  0, or SX_ERROR when the link cannot take it. */
static int tell_invitee(struct gw *gw, const struct gw_invited *v,
			const char *reason)
{
	xmpp_stanza_t *st, *x, *inv;
	char *body = NULL, id[64];
	int rc;

	st = gw_stanza_new(gw, "message", v->room_jid, v->invitee, NULL);
	if (st == NULL)
		return SX_ERROR;
	snprintf(id, sizeof(id), "sxgw-inv-%lx-%lu", (unsigned long)time(NULL),
		 v->id);
	xmpp_stanza_set_id(st, id);
	x = gw_stanza_child(st, "x", NS_MUC_USER);
	inv = x ? gw_stanza_child(x, "invite", NULL) : NULL;
	if (inv) {
		xmpp_stanza_set_attribute(inv, "from", v->inviter);
		if (reason[0])
			gw_stanza_text_child(inv, "reason", reason,
					     strlen(reason));
	}
	x = gw_stanza_child(st, "x", NS_CONFERENCE);
	if (x) {
		xmpp_stanza_set_attribute(x, "jid", v->room_jid);
		if (reason[0])
			xmpp_stanza_set_attribute(x, "reason", reason);
	}
	if (asprintf(&body, "%s invites you to %s%s%s", v->inviter,
		     v->room_jid, reason[0] ? ": " : "", reason) >= 0) {
		gw_stanza_text_child(st, "body", body, strlen(body));
		free(body);
	}
	rc = gw_send(gw, st);
	xmpp_stanza_release(st);
	return rc;
}

/* A SIP URI's JID without its resource, into out. */
static int bare_jid(const char *uri, char *out, size_t cap,
		    struct sx_err *err)
{
	struct jid *j = malloc(sizeof(*j));
	int rc = SX_ERROR;

	if (j == NULL)
		return sx_err_set(err, 500, "out of memory");
	if (sip_uri_to_jid(uri, out, cap, err) == 0 &&
	    jid_parse(out, j, err) == 0 && j->local[0]) {
		jid_format(out, cap, j, 1);
		rc = 0;
	} else if (err->text[0] == '\0') {
		sx_err_set(err, 400, "no user part");
	}
	free(j);
	return rc;
}

static int our_domain(const struct gw *gw, const char *jid)
{
	const char *d = strchr(jid, '@');
	int i;

	for (i = 0; d && i < gw->x->ndomains; i++)
		if (!strcasecmp(d + 1, gw->x->domains[i]))
			return 1;
	return 0;
}

static int is_focus(const sip_contact_t *m)
{
	return m && (msg_params_find(m->m_params, "isfocus") ||
		     url_has_param(m->m_url, "isfocus"));
}

static void refuse_new(nua_handle_t *nh, int status, const char *phrase,
		       const char *text, const char *to)
{
	sx_info("xmpp: INVITE for %s: %d %s (%s)", to ? to : "?", status,
		phrase, text);
	refuse(nh, status, phrase, text);
	nua_handle_destroy(nh);
}

/* Who is invited where by whom, from the INVITE; 0 or a refusal made. */
static int read_invite(struct gw *gw, nua_handle_t *nh, const sip_t *sip,
		       char *invitee, char *room, char *inviter, size_t cap)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	const char *to = NULL, *from = NULL, *by = NULL;
	const char *at;
	struct sx_err err;
	int rc = SX_ERROR;

	sx_err_clear(&err);
	if (sip->sip_to)
		to = url_as_string(home, sip->sip_to->a_url);
	if (sip->sip_from)
		from = url_as_string(home, sip->sip_from->a_url);
	if (sip->sip_referred_by)
		by = url_as_string(home, sip->sip_referred_by->b_url);
	if (to == NULL || bare_jid(to, invitee, cap, &err) != 0 ||
	    !our_domain(gw, invitee)) {
		refuse_new(nh, 404, "Not Found", "not a user of the XMPP "
			   "domains this gateway serves", to);
	} else if (!is_focus(sip->sip_contact) || by == NULL || from == NULL) {
		refuse_new(nh, 488, "Not Acceptable Here", "one-to-one chat "
			   "with XMPP users is not supported", to);
	} else if (bare_jid(from, room, cap, &err) != 0 ||
		   (at = strchr(room, '@')) == NULL ||
		   strcasecmp(at + 1, gw->cfg->domain) != 0) {
		refuse_new(nh, 403, "Forbidden", "only rooms of this service "
			   "can invite XMPP users through it", to);
	} else if (bare_jid(by, inviter, cap, &err) != 0) {
		refuse_new(nh, 400, "Bad Referred-By", err.text, to);
	} else {
		rc = 0;
	}
	su_home_deinit(home);
	return rc;
}

void gw_invited_incoming(struct gw *gw, nua_handle_t *nh, const sip_t *sip)
{
	char *invitee = NULL, *room, *inviter, reason[400] = "";
	const sip_payload_t *pl = sip ? sip->sip_payload : NULL;
	struct gw_invited *v = NULL;

	if (sip == NULL) {
		nua_handle_destroy(nh);
		return;
	}
	if (sip->sip_max_forwards && sip->sip_max_forwards->mf_count == 0) {
		refuse_new(nh, 483, "Too Many Hops", "Max-Forwards reached 0",
			   NULL);
		return;
	}
	invitee = malloc(3 * JID_MAX);
	if (invitee == NULL) {
		refuse_new(nh, 500, "Server Internal Error", "out of memory",
			   NULL);
		return;
	}
	room = invitee + JID_MAX;
	inviter = room + JID_MAX;
	if (read_invite(gw, nh, sip, invitee, room, inviter, JID_MAX) != 0)
		goto out;
	if (in_room(gw, invitee, room)) {
		refuse_new(nh, 486, "Busy Here", "already in the room",
			   invitee);
		goto out;
	}
	if (find(gw, invitee, room)) {
		refuse_new(nh, 486, "Busy Here", "already invited", invitee);
		goto out;
	}
	if (!xmpp_link_is_up(gw->rooms_link) ||
	    gw->ninvited >= gw->x->max_legs) {
		refuse_new(nh, 480, "Temporarily Unavailable",
			   gw->ninvited >= gw->x->max_legs ?
			   "too many invitations pending" :
			   "the XMPP server cannot be reached", invitee);
		goto out;
	}
	if (sip->sip_subject && sip->sip_subject->g_value)
		snprintf(reason, sizeof(reason), "%s",
			 sip->sip_subject->g_value);
	plain(reason);
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		goto oom;
	v->owner.kind = GW_SIP_INVITED;
	v->gw = gw;
	v->id = ++gw->next_invite_id;
	v->invitee = strdup(invitee);
	v->room_jid = strdup(room);
	v->inviter = strdup(inviter);
	v->timer = sx_timer_new(gw->loop, on_timer, v);
	if (pl && pl->pl_data && pl->pl_len) {
		v->offer = strndup(pl->pl_data, pl->pl_len);
		v->len = pl->pl_len;
	}
	if (!v->invitee || !v->room_jid || !v->inviter || !v->timer ||
	    (pl && pl->pl_len && !v->offer))
		goto oom;
	if (tell_invitee(gw, v, reason) != 0) {
		refuse_new(nh, 480, "Temporarily Unavailable",
			   "the XMPP server cannot be reached", invitee);
		invited_free(v);
		goto out;
	}
	v->nh = nh;
	nua_handle_bind(nh, &v->owner);
	v->next = gw->inviteds;
	gw->inviteds = v;
	gw->ninvited++;
	nua_respond(nh, SIP_180_RINGING, TAG_END());
	sx_timer_start(v->timer, gw->x->invitation_timeout * 1000UL);
	sx_notice("xmpp: invitation of %s to %s by %s: ringing%s%s", invitee,
		  room, inviter, reason[0] ? ": " : "", reason);
	goto out;
oom:
	refuse_new(nh, 500, "Server Internal Error", "out of memory", invitee);
	if (v)
		invited_free(v);
out:
	free(invitee);
}

static void declined_clear(struct gw_declined *d)
{
	free(d->room_jid);
	free(d->reason);
	free(d->invitee);
	memset(d, 0, sizeof(*d));
}

/* The room's sipfrag NOTIFY carries the 603's status line only: an
 * inviter of ours is told the reason from here. */
static void remember_decline(struct gw *gw, const struct gw_invited *v,
			     const char *reason)
{
	struct gw_declined *d = &gw->declined[gw->declined_next];

	gw->declined_next = (gw->declined_next + 1) % DECLINED_MAX;
	declined_clear(d);
	d->room_jid = strdup(v->room_jid);
	d->invitee = strdup(v->invitee);
	d->reason = strdup(reason);
	d->at = time(NULL);
	if (!d->room_jid || !d->invitee || !d->reason)
		declined_clear(d);
}

void gw_invited_decline(struct gw *gw, xmpp_stanza_t *st,
			const char *room_jid)
{
	const char *from = xmpp_stanza_get_from(st);
	xmpp_stanza_t *x, *d, *r;
	struct gw_invited *v;
	char bare[JID_MAX], *text = NULL;
	struct jid *j = malloc(sizeof(*j));

	if (j == NULL || jid_parse(from, j, NULL) != 0) {
		free(j);
		return;
	}
	jid_format(bare, sizeof(bare), j, 1);
	free(j);
	v = find(gw, bare, room_jid);
	if (v == NULL) {
		sx_info("xmpp: decline from %s for %s: no invitation pending",
			from, room_jid);
		return;
	}
	x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_MUC_USER);
	d = x ? xmpp_stanza_get_child_by_name(x, "decline") : NULL;
	r = d ? xmpp_stanza_get_child_by_name(d, "reason") : NULL;
	if (r)
		text = xmpp_stanza_get_text(r);
	if (text && text[0])
		remember_decline(gw, v, text);
	answer(v, 603, "Decline", text && text[0] ? text :
	       "the XMPP user declined");
	if (text)
		xmpp_free(gw_ctx(gw), text);
}

const char *gw_invited_declined(struct gw *gw, const char *room_jid,
				const char *invitee)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < DECLINED_MAX; i++) {
		const struct gw_declined *d = &gw->declined[i];

		if (d->reason && now - d->at <= DECLINED_KEEP_S &&
		    !strcasecmp(d->room_jid, room_jid) &&
		    !strcasecmp(d->invitee, invitee))
			return d->reason;
	}
	return NULL;
}

struct gw_leg *gw_invited_accept(struct gw *gw, const char *bare,
				 const char *room_jid,
				 const struct gw_leg_params *p,
				 const struct gw_leg_ops *ops, void *arg)
{
	struct gw_invited *v = find(gw, bare, room_jid);
	struct gw_leg *leg;
	struct sx_err err;

	if (v == NULL)
		return NULL;
	sx_err_clear(&err);
	leg = leg_answer(gw, v->nh, v->offer, v->len, p, ops, arg, &err);
	if (leg == NULL) {
		/* the user joins anyway, by a call of its own */
		answer(v, err.status == 488 ? 488 : 500,
		       err.status == 488 ? "Not Acceptable Here"
					 : "Server Internal Error", err.text);
		return NULL;
	}
	sx_info("xmpp: invitation of %s to %s by %s: accepted by joining",
		v->invitee, v->room_jid, v->inviter);
	v->nh = NULL;  /* the leg's now */
	invited_free(v);
	return leg;
}

void gw_invited_fail_all(struct gw *gw, const char *why)
{
	while (gw->inviteds)
		answer(gw->inviteds, 480, "Temporarily Unavailable", why);
}

void gw_invited_forget(struct gw *gw)
{
	size_t i;

	for (i = 0; i < DECLINED_MAX; i++)
		declined_clear(&gw->declined[i]);
}
