/*
 * mucout.c - the MUC presences a gateway sends an XMPP occupant for a
 * conference-info roster:
 *
 *   RFC 7702 §5.3      a <user> becomes an occupant: nick from the RFC 6501
 *                      nickname or display-text, real JID from the entity,
 *                      role from <roles>, presence from endpoint status
 *   RFC 7247 §5, §8    entity -> JID; a sips: entity is never mapped
 *   XEP-0045 §7.2.2    the other occupants' presence first, the occupant's
 *                      own presence (status 110) last
 *   XEP-0045 §7.2.3    real JIDs shown (non-anonymous): status 100 in the
 *                      self-presence
 *   XEP-0045 §5.1, §5.2  roles and affiliations
 *
 * Mapping of <roles> entries (compared without case), documented in
 * sxnotify-decode(1): owner -> affiliation owner; administrator or admin
 * -> admin; member -> member; each of owner, administrator, admin and
 * moderator gives role moderator; visitor gives role visitor, and so does
 * a user whose every present endpoint is muted-via-focus; anyone else is a
 * participant.  A user is present unless it is deleted or every one of its
 * endpoints has left or not yet joined.
 */
#include "decode.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "jid.h"

#define MUC_USER_NS "http://jabber.org/protocol/muc#user"

/* JID_PART_MAX * 3 plus the separators: a whole JID. */
#define MUC_JID_MAX (3 * JID_PART_MAX + 3)

struct mucout_item {
	const char *affiliation;
	const char *role;
	char jid[MUC_JID_MAX];      /* empty: not shown */
};

static void mucout_attr(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

/* An endpoint is in the room unless it has left (or is leaving) or has
 * not finished joining (RFC 4575 §5.7.2). */
static int mucout_endpoint_in(const struct confinfo_endpoint *e)
{
	static const char *const in[] = {
		"connected", "on-hold", "muted-via-focus",
	};
	size_t i;

	if (e->status == NULL)
		return e->disconnection_method == NULL;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (strcmp(e->status, in[i]) == 0)
			return 1;
	return 0;
}

/* A user without endpoints is listed by the focus with nothing saying it
 * left, so it counts as present. */
static int mucout_present(const struct confinfo_user *u)
{
	size_t i;

	if (u->state == CONFINFO_DELETED)
		return 0;
	if (u->nendpoints == 0)
		return 1;
	for (i = 0; i < u->nendpoints; i++)
		if (mucout_endpoint_in(&u->endpoints[i]))
			return 1;
	return 0;
}

static int mucout_muted(const struct confinfo_user *u)
{
	size_t i, muted = 0, in = 0;

	for (i = 0; i < u->nendpoints; i++) {
		const struct confinfo_endpoint *e = &u->endpoints[i];

		if (!mucout_endpoint_in(e))
			continue;
		in++;
		if (e->status != NULL && strcmp(e->status, "muted-via-focus") == 0)
			muted++;
	}
	return in > 0 && muted == in;
}

static void mucout_rank(const struct confinfo_user *u, struct mucout_item *it)
{
	int aff = 0, mod = 0, visitor = mucout_muted(u);
	static const char *const affs[] = { "none", "member", "admin", "owner" };
	size_t i;

	for (i = 0; i < u->nroles; i++) {
		const char *r = u->roles[i];

		if (strcasecmp(r, "owner") == 0)
			aff = 3, mod = 1;
		else if (strcasecmp(r, "administrator") == 0 ||
			 strcasecmp(r, "admin") == 0)
			aff = aff > 2 ? aff : 2, mod = 1;
		else if (strcasecmp(r, "moderator") == 0)
			mod = 1;
		else if (strcasecmp(r, "member") == 0)
			aff = aff > 1 ? aff : 1;
		else if (strcasecmp(r, "visitor") == 0)
			visitor = 1;
	}
	it->affiliation = affs[aff];
	it->role = mod ? "moderator" : visitor ? "visitor" : "participant";
}

static int mucout_hex(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The user part of a SIP URI (or what follows the scheme when it has
 * none), with RFC 3986 percent-escapes undone. */
static void mucout_localpart(const char *uri, char *buf, size_t cap)
{
	const char *p = strchr(uri, ':'), *end;
	size_t n = 0;

	p = p ? p + 1 : uri;
	end = p + strcspn(p, "@;>?");
	if (*end != '@')
		end = p + strcspn(p, ";>?");
	while (p < end && n + 1 < cap) {
		int hi, lo;

		if (*p == '%' && end - p >= 3 &&
		    (hi = mucout_hex((unsigned char)p[1])) >= 0 &&
		    (lo = mucout_hex((unsigned char)p[2])) >= 0) {
			buf[n++] = (char)(hi << 4 | lo);
			p += 3;
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
}

/* The nickname, else the display-text, else the entity's user part. */
static const char *mucout_nick(const struct confinfo_user *u, char *buf,
			       size_t cap)
{
	const char *name = confinfo_user_name(u);

	if (name != u->entity)
		return name;
	mucout_localpart(u->entity, buf, cap);
	return buf;
}

/* The bare JID that a SIP URI maps to, or an empty string. */
static void mucout_bare(const char *uri, char *buf, size_t cap)
{
	char full[MUC_JID_MAX];
	struct jid j;

	buf[0] = '\0';
	if (sip_uri_to_jid(uri, full, sizeof(full), NULL) != 0 ||
	    jid_parse(full, &j, NULL) != 0)
		return;
	jid_format(buf, cap, &j, 1);
}

static int mucout_is(const struct confinfo_user *u, const char *to_bare)
{
	char bare[MUC_JID_MAX];
	size_t i;

	mucout_bare(u->entity, bare, sizeof(bare));
	if (strcasecmp(bare, to_bare) == 0)
		return 1;
	for (i = 0; i < u->naors; i++) {
		mucout_bare(u->aors[i], bare, sizeof(bare));
		if (strcasecmp(bare, to_bare) == 0)
			return 1;
	}
	return 0;
}

static void mucout_presence(FILE *out, const struct confinfo_user *u,
			    const char *room, const char *to,
			    const struct mucout_item *it, int self,
			    int non_anonymous)
{
	char nick[JID_PART_MAX + 1];

	fputs("<presence from='", out);
	mucout_attr(out, room);
	fputc('/', out);
	mucout_attr(out, mucout_nick(u, nick, sizeof(nick)));
	fputs("' to='", out);
	mucout_attr(out, to);
	fputs("'><x xmlns='" MUC_USER_NS "'><item affiliation='", out);
	fputs(it->affiliation, out);
	fputs("' role='", out);
	fputs(it->role, out);
	if (it->jid[0]) {
		fputs("' jid='", out);
		mucout_attr(out, it->jid);
	}
	fputs("'/>", out);
	if (self && non_anonymous)
		fputs("<status code='100'/>", out);
	if (self)
		fputs("<status code='110'/>", out);
	fputs("</x></presence>\n", out);
}

static void mucout_item(const struct confinfo_user *u, struct mucout_item *it)
{
	mucout_rank(u, it);
	if (sip_uri_to_jid(u->entity, it->jid, sizeof(it->jid), NULL) != 0)
		it->jid[0] = '\0';
}

int mucout_print(FILE *out, const struct confinfo *ci, const char *room,
		 const char *to, struct sx_err *err)
{
	char to_bare[MUC_JID_MAX];
	struct mucout_item it;
	struct jid j;
	size_t i, self = ci->nusers;
	int shown_jid = 0;

	if (jid_parse(to, &j, err) != 0)
		return SX_ERROR;
	jid_format(to_bare, sizeof(to_bare), &j, 1);
	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (!mucout_present(u))
			continue;
		if (self == ci->nusers && mucout_is(u, to_bare)) {
			self = i;
			continue;
		}
		mucout_item(u, &it);
		shown_jid |= it.jid[0] != '\0';
		mucout_presence(out, u, room, to, &it, 0, 0);
	}
	if (self == ci->nusers)
		return sx_err_set(err, 0, "%s is not in the room %s", to_bare,
				  room);
	mucout_item(&ci->users[self], &it);
	shown_jid |= it.jid[0] != '\0';
	mucout_presence(out, &ci->users[self], room, to, &it, 1, shown_jid);
	return 0;
}
