/*
 * jid_errmap.c - error mapping between XMPP stanza errors and SIP final
 * responses (RFC 7247 §7.1 and §7.2).  See jid.h.
 *
 * §7.1 (XMPP condition to SIP status): one row per RFC 6120 §8.3.3
 * condition.  <item-not-found/> depends on the address the stanza was
 * sent to: 404 for a full JID (that one resource is gone), 604 (Does Not
 * Exist Anywhere) for a bare JID (the account itself).
 * <service-unavailable/> never becomes 503: in SIP, 503 means "this
 * server is overloaded, try another one" (RFC 3261 §21.5.4) and makes
 * proxies fail over (RFC 3263 §4.3), while XMPP uses the condition for
 * "not here / not offered", also to hide whether an account exists
 * (RFC 6121 §8.5).  It maps to 480, which says the same without leaking
 * anything and without a failover.  Unknown conditions give 500.
 *
 * §7.2 (SIP status to XMPP condition): the table's rows; a status it does
 * not list is treated as the x00 of its class, the rule RFC 3261 §8.1.3.2
 * gives for unknown responses: 3xx <redirect/>, 4xx as 400
 * <bad-request/>, 5xx as 500 <internal-server-error/>, 6xx as 600
 * <service-unavailable/>.  A status outside 300-699 is not an error and
 * gives <undefined-condition/>.
 *
 * The error type of each condition is the one RFC 6120 §8.3.3 gives it
 * (cancel for <undefined-condition/>, for which it gives none).
 */
#include "jid.h"

#include <string.h>

struct em_cond {
	const char *name;
	const char *type;	/* RFC 6120 §8.3.3 */
	int status;		/* §7.1 */
};

enum {
	EM_BAD_REQUEST, EM_CONFLICT, EM_FEATURE_NOT_IMPLEMENTED, EM_FORBIDDEN,
	EM_GONE, EM_INTERNAL_SERVER_ERROR, EM_ITEM_NOT_FOUND,
	EM_JID_MALFORMED, EM_NOT_ACCEPTABLE, EM_NOT_ALLOWED,
	EM_NOT_AUTHORIZED, EM_POLICY_VIOLATION, EM_RECIPIENT_UNAVAILABLE,
	EM_REDIRECT, EM_REGISTRATION_REQUIRED, EM_REMOTE_SERVER_NOT_FOUND,
	EM_REMOTE_SERVER_TIMEOUT, EM_RESOURCE_CONSTRAINT,
	EM_SERVICE_UNAVAILABLE, EM_SUBSCRIPTION_REQUIRED,
	EM_UNDEFINED_CONDITION, EM_UNEXPECTED_REQUEST, EM_COUNT
};

#define EM_ITEM_NOT_FOUND_BARE 604

static const struct em_cond em_conds[EM_COUNT] = {
	[EM_BAD_REQUEST]	     = { "bad-request", "modify", 400 },
	[EM_CONFLICT]		     = { "conflict", "cancel", 400 },
	[EM_FEATURE_NOT_IMPLEMENTED] = { "feature-not-implemented", "cancel", 501 },
	[EM_FORBIDDEN]		     = { "forbidden", "auth", 403 },
	[EM_GONE]		     = { "gone", "cancel", 410 },
	[EM_INTERNAL_SERVER_ERROR]   = { "internal-server-error", "cancel", 500 },
	[EM_ITEM_NOT_FOUND]	     = { "item-not-found", "cancel", 404 },
	[EM_JID_MALFORMED]	     = { "jid-malformed", "modify", 400 },
	[EM_NOT_ACCEPTABLE]	     = { "not-acceptable", "modify", 406 },
	[EM_NOT_ALLOWED]	     = { "not-allowed", "cancel", 405 },
	[EM_NOT_AUTHORIZED]	     = { "not-authorized", "auth", 401 },
	[EM_POLICY_VIOLATION]	     = { "policy-violation", "modify", 403 },
	[EM_RECIPIENT_UNAVAILABLE]   = { "recipient-unavailable", "wait", 480 },
	[EM_REDIRECT]		     = { "redirect", "modify", 302 },
	[EM_REGISTRATION_REQUIRED]   = { "registration-required", "auth", 400 },
	[EM_REMOTE_SERVER_NOT_FOUND] = { "remote-server-not-found", "cancel", 404 },
	[EM_REMOTE_SERVER_TIMEOUT]   = { "remote-server-timeout", "wait", 408 },
	[EM_RESOURCE_CONSTRAINT]     = { "resource-constraint", "wait", 500 },
	[EM_SERVICE_UNAVAILABLE]     = { "service-unavailable", "cancel", 480 },
	[EM_SUBSCRIPTION_REQUIRED]   = { "subscription-required", "auth", 400 },
	[EM_UNDEFINED_CONDITION]     = { "undefined-condition", "cancel", 400 },
	[EM_UNEXPECTED_REQUEST]	     = { "unexpected-request", "wait", 400 },
};

/* §7.2, in status order. */
static const struct {
	int status;
	int cond;
} em_sip[] = {
	{ 400, EM_BAD_REQUEST },
	{ 401, EM_NOT_AUTHORIZED },
	{ 402, EM_BAD_REQUEST },
	{ 403, EM_FORBIDDEN },
	{ 404, EM_ITEM_NOT_FOUND },
	{ 405, EM_NOT_ALLOWED },
	{ 406, EM_NOT_ACCEPTABLE },
	{ 407, EM_NOT_AUTHORIZED },
	{ 408, EM_REMOTE_SERVER_TIMEOUT },
	{ 410, EM_GONE },
	{ 413, EM_POLICY_VIOLATION },
	{ 414, EM_JID_MALFORMED },
	{ 415, EM_NOT_ACCEPTABLE },
	{ 416, EM_JID_MALFORMED },
	{ 420, EM_FEATURE_NOT_IMPLEMENTED },
	{ 421, EM_NOT_ACCEPTABLE },
	{ 423, EM_RESOURCE_CONSTRAINT },
	{ 480, EM_RECIPIENT_UNAVAILABLE },
	{ 481, EM_ITEM_NOT_FOUND },
	{ 482, EM_NOT_ACCEPTABLE },
	{ 483, EM_NOT_ACCEPTABLE },
	{ 484, EM_ITEM_NOT_FOUND },
	{ 485, EM_ITEM_NOT_FOUND },
	{ 486, EM_RECIPIENT_UNAVAILABLE },
	{ 487, EM_RECIPIENT_UNAVAILABLE },
	{ 488, EM_NOT_ACCEPTABLE },
	{ 491, EM_UNEXPECTED_REQUEST },
	{ 493, EM_BAD_REQUEST },
	{ 500, EM_INTERNAL_SERVER_ERROR },
	{ 501, EM_FEATURE_NOT_IMPLEMENTED },
	{ 502, EM_REMOTE_SERVER_NOT_FOUND },
	{ 503, EM_SERVICE_UNAVAILABLE },
	{ 504, EM_REMOTE_SERVER_TIMEOUT },
	{ 505, EM_NOT_ACCEPTABLE },
	{ 513, EM_POLICY_VIOLATION },
	{ 600, EM_SERVICE_UNAVAILABLE },
	{ 603, EM_SERVICE_UNAVAILABLE },
	{ 604, EM_ITEM_NOT_FOUND },
	{ 606, EM_NOT_ACCEPTABLE },
};

static int em_sip_cond(int status)
{
	size_t i;

	if (status < 300 || status > 699)
		return EM_UNDEFINED_CONDITION;
	if (status < 400)
		return EM_REDIRECT;
	for (i = 0; i < sizeof(em_sip) / sizeof(em_sip[0]); i++)
		if (em_sip[i].status == status)
			return em_sip[i].cond;
	/* RFC 3261 §8.1.3.2: an unknown status counts as its class's x00. */
	return em_sip_cond(status / 100 * 100);
}

void sip_status_to_stanza_error(int status, struct stanza_error *out)
{
	const struct em_cond *c = &em_conds[em_sip_cond(status)];

	out->condition = c->name;
	out->type = c->type;
}

int stanza_error_to_sip_status(const char *condition, int to_bare_jid)
{
	int k;

	if (condition == NULL)
		return 500;
	for (k = 0; k < EM_COUNT; k++) {
		if (strcmp(em_conds[k].name, condition) != 0)
			continue;
		if (k == EM_ITEM_NOT_FOUND && to_bare_jid)
			return EM_ITEM_NOT_FOUND_BARE;
		return em_conds[k].status;
	}
	return 500;
}
