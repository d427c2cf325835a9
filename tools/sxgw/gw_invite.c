/*
 * gw_invite.c - XMPP users invite into rooms (RFC 7702 §5.7): a mediated
 * invitation (XEP-0045 §7.8.2) sent to the room, or a direct invitation
 * (XEP-0249) sent to a SIP user's JID, becomes one out-of-dialog REFER to
 * the room from the gateway's SIP agent (RFC 3515; RFC 4579 §5.5), so
 * that the room itself sends the INVITE, whoever the invitee is:
 *
 *   REFER sip:room@conf   From/Referred-By: the inviter's AOR (RFC 3892)
 *   Refer-To: <invitee?Subject=reason>   (the focus copies the Subject)
 *
 * Only a joined occupant of the room may invite (the room would refuse
 * anyone else's REFER with 403 anyway, RFC 4579 §5.5 leaves that to its
 * policy; saying so at once spares the round trip).
 *
 * The REFER's answer and the message/sipfrag NOTIFYs of its implicit
 * subscription (RFC 3515 §2.4.4, §2.4.5; RFC 3420) are followed: a
 * refused REFER or a final non-2xx status reaches the inviter as a
 * message from the room saying what happened.  A 603 with a reason is a
 * decline, shown with the muc#user <decline/> clients know: the reason
 * comes from a Reason header in the sipfrag (RFC 3420 lets it carry
 * more than the status line), or, when the invitee is an XMPP user who
 * declined through this gateway, from what it said (gw_invited.c).
 * Success is only logged: the invitee's join says it to every occupant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_leg_int.h"
#include "jid.h"
#include "referto.h"
#include "sip_uri.h"
#include "sx_log.h"

#define NS_MUC_USER   "http://jabber.org/protocol/muc#user"
#define NS_CONFERENCE "jabber:x:conference"
#define URI_MAX       (3 * JID_PART_MAX + 64)
#define JID_MAX       (3 * (JID_PART_MAX + 1))
#define INVITES_MAX   8        /* <invite/>s taken from one message */
/* past the room's own limit on ringing (invite_timeout) */
#define INVITE_GRACE_S 30

struct gw_invite {
	struct gw_sip_owner owner;   /* GW_SIP_INVITE: first */
	struct gw_invite *next;
	struct gw *gw;
	unsigned long id;
	char *inviter;               /* full JID, told of failures */
	char *room_jid;
	char *invitee;               /* the JID as the inviter named it */
	nua_handle_t *nh;
	struct sx_timer *timer;      /* the outcome's deadline, then the
					handle's release */
	int answered;                /* the REFER got a 2xx */
	int done;                    /* the outcome is known */
};

static void invite_free(struct gw_invite *inv)
{
	struct gw_invite **pp;

	for (pp = &inv->gw->invites; *pp; pp = &(*pp)->next)
		if (*pp == inv) {
			*pp = inv->next;
			break;
		}
	if (inv->nh) {
		nua_handle_bind(inv->nh, NULL);
		nua_handle_destroy(inv->nh);
	}
	sx_timer_free(inv->timer);
	free(inv->inviter);
	free(inv->room_jid);
	free(inv->invitee);
	free(inv);
}

/* Text for XML: control characters (which XML 1.0 cannot carry, and a
 * header value should not) become spaces.  malloc'd. */
static char *plain_text(const char *s)
{
	char *t = strdup(s ? s : ""), *p;

	if (t)
		for (p = t; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	return t;
}

/* --- the outcome --------------------------------------------------------- */

/* The inviter hears of a failure from the room (XEP-0045 §7.8.2: the
 * room tells the inviter of a decline with <decline/>). */
static void tell_inviter(struct gw_invite *inv, int status,
			 const char *phrase, const char *reason)
{
	struct gw *gw = inv->gw;
	xmpp_stanza_t *st, *x, *d;
	char *body = NULL;

	if (asprintf(&body, "Your invitation of %s failed: %03d %s%s%s%s",
		     inv->invitee, status, phrase ? phrase : "",
		     reason ? " (" : "", reason ? reason : "",
		     reason ? ")" : "") < 0)
		return;
	st = gw_stanza_new(gw, "message", inv->room_jid, inv->inviter,
			   "normal");
	if (st == NULL) {
		free(body);
		return;
	}
	gw_stanza_text_child(st, "body", body, strlen(body));
	if (reason) {
		x = gw_stanza_child(st, "x", NS_MUC_USER);
		d = x ? gw_stanza_child(x, "decline", NULL) : NULL;
		if (d) {
			xmpp_stanza_set_attribute(d, "from", inv->invitee);
			gw_stanza_text_child(d, "reason", reason,
					     strlen(reason));
		}
	}
	gw_send(gw, st);
	xmpp_stanza_release(st);
	free(body);
}

/* The outcome is known: said, and the handle let go from the loop (not
 * from inside nua's callback). */
static void finish(struct gw_invite *inv, int status, const char *phrase,
		   const char *reason)
{
	if (inv->done)
		return;
	inv->done = 1;
	if (status >= 200 && status < 300) {
		sx_info("xmpp: invitation %lu of %s to %s by %s: %03d %s",
			inv->id, inv->invitee, inv->room_jid, inv->inviter,
			status, phrase ? phrase : "");
	} else {
		sx_notice("xmpp: invitation %lu of %s to %s by %s failed: "
			  "%03d %s%s%s", inv->id, inv->invitee, inv->room_jid,
			  inv->inviter, status, phrase ? phrase : "",
			  reason ? ": " : "", reason ? reason : "");
		tell_inviter(inv, status, phrase, reason);
	}
	sx_timer_start(inv->timer, 0);
}

static void on_timer(void *arg)
{
	struct gw_invite *inv = arg;

	if (inv->done) {
		invite_free(inv);
		return;
	}
	finish(inv, 408, "Request Timeout", NULL);
}

/* The text of a Reason header line in a sipfrag (RFC 3420 allows any
 * header after the status line; RFC 3326 §2 text="..."), into buf. */
static const char *sipfrag_reason(const char *body, size_t len, char *buf,
				  size_t cap)
{
	const char *end = body + len, *line = body, *nl, *t, *q;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - line) > 7 &&
		    strncasecmp(line, "Reason:", 7) == 0) {
			t = memmem(line, (size_t)(nl - line), "text=\"", 6);
			if (t == NULL)
				return NULL;
			t += 6;
			q = t;
			while (q < nl && *q != '"') {
				if (*q == '\\' && q + 1 < nl)
					q++;
				q++;
			}
			snprintf(buf, cap, "%.*s", (int)(q - t), t);
			return buf[0] ? buf : NULL;
		}
		line = nl + 1;
	}
	return NULL;
}

/* A decline given here by an XMPP invitee (the invitee named as a bare
 * JID). */
static const char *invitee_declined(const struct gw_invite *inv)
{
	char bare[JID_MAX];
	struct jid *j = malloc(sizeof(*j));
	const char *r = NULL;

	if (j && jid_parse(inv->invitee, j, NULL) == 0) {
		jid_format(bare, sizeof(bare), j, 1);
		r = gw_invited_declined(inv->gw, inv->room_jid, bare);
	}
	free(j);
	return r;
}

static void on_notify(struct gw_invite *inv, const sip_t *sip)
{
	struct referto_notify n;
	const char *reason = NULL;
	char rbuf[256];

	if (inv->done)
		return;
	referto_notify(sip, &n);
	if (n.status >= 200) {
		if (n.status == 603)
			reason = sipfrag_reason(sip->sip_payload->pl_data,
						sip->sip_payload->pl_len,
						rbuf, sizeof(rbuf));
		if (n.status == 603 && reason == NULL)
			reason = invitee_declined(inv);
		finish(inv, n.status, n.phrase, reason);
	} else if (n.terminated) {
		finish(inv, 500, "the room ended the subscription without a "
		       "final status", NULL);
	} else if (n.status) {
		sx_debug("xmpp: invitation %lu of %s to %s: %03d %s", inv->id,
			 inv->invitee, inv->room_jid, n.status, n.phrase);
	}
}

void gw_invite_sip_event(struct gw_sip_owner *owner, nua_event_t event,
			 int status, const char *phrase, nua_handle_t *nh,
			 const sip_t *sip)
{
	struct gw_invite *inv = (struct gw_invite *)owner;

	switch (event) {
	case nua_r_refer:
		if (status < 200 || inv->done)
			break;
		if (status >= 300)
			finish(inv, status, phrase, NULL);
		else
			inv->answered = 1;
		break;
	case nua_i_notify:
		on_notify(inv, sip);
		break;
	default:
		if (nua_event_is_incoming_request(event) && status < 200)
			nua_respond(nh, SIP_501_NOT_IMPLEMENTED, TAG_END());
		break;
	}
}

/* --- sending ------------------------------------------------------------- */

static char *to_sip(const char *jid, struct sx_err *err)
{
	char buf[URI_MAX];

	if (jid_to_sip_uri(jid, buf, sizeof(buf), err) != 0)
		return NULL;
	return strdup(buf);
}

/* "nick" <aor>, the From of the REFER: the nick tells the room's other
 * participants' clients who it is. */
static char *from_header(const char *nick, const char *aor)
{
	char *s = NULL, *q = malloc(strlen(nick) * 2 + 1), *o = q;

	if (q == NULL)
		return NULL;
	for (; *nick; nick++) {
		if (*nick == '"' || *nick == '\\')
			*o++ = '\\';
		*o++ = (unsigned char)*nick < 0x20 ? ' ' : *nick;
	}
	*o = '\0';
	if (asprintf(&s, "\"%s\" <%s>", q, aor) < 0)
		s = NULL;
	free(q);
	return s;
}

/* One REFER for one invitee.  0, or SX_ERROR with err (400 for a JID
 * that does not map to SIP, 403 for the room itself). */
static int invite_send(struct gw *gw, const struct gw_occ *o,
		       const char *invitee, const char *reason,
		       struct sx_err *err)
{
	struct gw_sip *s = gw->sip;
	struct gw_invite *inv;
	char *target = NULL, *refer_to = NULL, *from = NULL, *by = NULL;
	char *text = NULL, *contact = NULL, *user = NULL, *aor;
	int rc = SX_ERROR;

	if (s == NULL || s->stopping)
		return sx_err_set(err, 500, "the gateway's SIP agent is not "
				  "running");
	target = to_sip(invitee, err);
	if (target == NULL)
		return SX_ERROR;
	if (sip_uri_same(target, o->room_uri)) {
		free(target);
		return sx_err_set(err, 403, "a room cannot be invited into "
				  "itself");
	}
	text = plain_text(reason);
	inv = calloc(1, sizeof(*inv));
	aor = sip_uri_aor(o->aor, &user);
	if (text == NULL || inv == NULL || aor == NULL) {
		sx_err_set(err, 500, "out of memory");
		free(aor);
		goto out;
	}
	refer_to = referto_value(target, 0, text, err);
	from = from_header(o->nick ? o->nick : "", aor);
	if (asprintf(&by, "<%s>", aor) < 0)
		by = NULL;
	if (asprintf(&contact, "<sip:%s%s%s%s>", user, user[0] ? "@" : "",
		     s->hostport, strcmp(s->proto, "tcp") == 0 ?
		     ";transport=tcp" : "") < 0)
		contact = NULL;
	free(aor);
	if (refer_to == NULL)
		goto out;
	inv->owner.kind = GW_SIP_INVITE;
	inv->gw = gw;
	inv->id = ++gw->next_invite_id;
	inv->inviter = strdup(o->jid);
	inv->room_jid = strdup(o->room_jid);
	inv->invitee = strdup(invitee);
	inv->timer = sx_timer_new(gw->loop, on_timer, inv);
	if (from == NULL || by == NULL || contact == NULL ||
	    inv->inviter == NULL || inv->room_jid == NULL ||
	    inv->invitee == NULL || inv->timer == NULL) {
		sx_err_set(err, 500, "out of memory");
		goto out;
	}
	inv->nh = nua_handle(s->nua, &inv->owner,
			     SIPTAG_TO_STR(o->room_uri),
			     SIPTAG_FROM_STR(from), TAG_END());
	if (inv->nh == NULL) {
		sx_err_set(err, 500, "out of memory");
		goto out;
	}
	/* RFC 3515 §2.4.7: no Expires asked, the room picks how long the
	 * subscription lasts; Max-Forwards is nua's 70 */
	nua_refer(inv->nh, SIPTAG_REFER_TO_STR(refer_to),
		  SIPTAG_REFERRED_BY_STR(by), SIPTAG_CONTACT_STR(contact),
		  TAG_END());
	sx_timer_start(inv->timer, (gw->cfg->invite_timeout +
				    INVITE_GRACE_S) * 1000UL);
	inv->next = gw->invites;
	gw->invites = inv;
	sx_info("xmpp: invitation %lu: %s invites %s (%s) to %s", inv->id,
		o->jid, invitee, target, o->room_uri);
	inv = NULL;
	rc = 0;
out:
	if (inv) {
		inv->gw = gw;
		invite_free(inv);
	}
	free(target);
	free(refer_to);
	free(from);
	free(by);
	free(text);
	free(contact);
	free(user);
	return rc;
}

/* The inviter must be in the room, and joined. */
static const struct gw_occ *inviter_occ(struct gw *gw, xmpp_stanza_t *st,
					const char *room_jid)
{
	const struct gw_occ *o = gw_occ_find(gw, xmpp_stanza_get_from(st),
					     room_jid);

	if (o && o->state == OCC_JOINED && o->leg)
		return o;
	gw_stanza_error(gw, st, "auth", "forbidden",
			"only occupants of the room may invite into it");
	return NULL;
}

/* The invitation could not be sent: the inviter gets an error. */
static void refused(struct gw *gw, xmpp_stanza_t *st, const struct gw_occ *o,
		    const char *invitee, const struct sx_err *err)
{
	sx_info("xmpp: %s invites %s to %s: refused: %s", o->jid, invitee,
		o->room_jid, err->text);
	if (err->status == 400)
		gw_stanza_error(gw, st, "modify", "jid-malformed", err->text);
	else if (err->status == 403)
		gw_stanza_error(gw, st, "cancel", "not-allowed", err->text);
	else
		gw_stanza_error(gw, st, "wait", "internal-server-error",
				err->text);
}

void gw_invite_mediated(struct gw *gw, xmpp_stanza_t *st,
			const char *room_jid)
{
	xmpp_ctx_t *ctx = gw_ctx(gw);
	const struct gw_occ *o = inviter_occ(gw, st, room_jid);
	xmpp_stanza_t *x, *c, *r;
	struct sx_err err;
	const char *to;
	char *reason;
	int n = 0;

	if (o == NULL)
		return;
	x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_MUC_USER);
	for (c = x ? xmpp_stanza_get_children(x) : NULL; c;
	     c = xmpp_stanza_get_next(c)) {
		if (!xmpp_stanza_is_tag(c) ||
		    strcmp(xmpp_stanza_get_name(c), "invite") != 0)
			continue;
		to = xmpp_stanza_get_attribute(c, "to");
		if (to == NULL || ++n > INVITES_MAX) {
			gw_stanza_error(gw, st, "modify", "bad-request",
					to ? "too many invitations in one "
					"message" : "an <invite/> needs a to");
			return;
		}
		r = xmpp_stanza_get_child_by_name(c, "reason");
		reason = r ? xmpp_stanza_get_text(r) : NULL;
		sx_err_clear(&err);
		if (invite_send(gw, o, to, reason, &err) != 0)
			refused(gw, st, o, to, &err);
		if (reason)
			xmpp_free(ctx, reason);
	}
}

void gw_invite_direct(struct gw *gw, xmpp_stanza_t *st)
{
	const char *to = xmpp_stanza_get_to(st);
	xmpp_stanza_t *x;
	const char *room, *reason;
	const struct gw_occ *o;
	struct sx_err err;
	char bare[JID_MAX];
	struct jid *j;

	x = xmpp_stanza_get_child_by_name_and_ns(st, "x", NS_CONFERENCE);
	room = x ? xmpp_stanza_get_attribute(x, "jid") : NULL;
	j = malloc(sizeof(*j));
	if (j == NULL)
		return;
	if (room == NULL || jid_parse(room, j, NULL) != 0 ||
	    j->local[0] == '\0') {
		gw_stanza_error(gw, st, "modify", "bad-request",
				"the invitation names no room");
		goto out;
	}
	jid_format(bare, sizeof(bare), j, 1);
	o = inviter_occ(gw, st, bare);
	if (o == NULL || jid_parse(to, j, NULL) != 0)
		goto out;
	reason = xmpp_stanza_get_attribute(x, "reason");
	jid_format(bare, sizeof(bare), j, 1);
	sx_err_clear(&err);
	if (invite_send(gw, o, bare, reason, &err) != 0)
		refused(gw, st, o, bare, &err);
out:
	free(j);
}

void gw_invite_stop(struct gw *gw)
{
	while (gw->invites)
		invite_free(gw->invites);
}
