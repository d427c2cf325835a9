/*
 * config_xmpp.c - the [xmpp] section of sxgw.ini: how the gateway reaches
 * the XMPP server as a component (XEP-0114) and which domains it serves.
 * The gateway is off until server is set.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sx_stream.h"

void config_xmpp_defaults(struct sxgw_xmpp_config *x)
{
	memset(x, 0, sizeof(*x));
	x->sip_domain = strdup("sip.example.test");
	x->anonymity = ANON_NON;
	/* Servers commonly refuse stanzas near 10 000 bytes and more
	 * (RFC 7702 §5.5, RFC 7573 §8); a body this size still fits. */
	x->max_stanza_size = 10000;
	x->join_timeout = 30;
	/* below the focus's invite_timeout (60 s by default), so that the
	 * inviter hears our 480 rather than the room's own timeout */
	x->invitation_timeout = 30;
	x->reconnect_min_ms = 500;
	x->reconnect_max_ms = 30000;
	x->max_legs_per_user = 20;
	x->max_legs = 5000;
	x->presence_rate = 20;
}

static int bad(char *msg, size_t cap, const char *name, const char *what)
{
	snprintf(msg, cap, "%s: %s", name, what);
	return 0;
}

/* An unsigned number in [min, max]. */
static int num(const char *v, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min || n > max)
		return 0;
	*out = n;
	return 1;
}

static int set_server(struct sxgw_xmpp_config *x, const char *v, char *msg,
		      size_t cap)
{
	const char *colon = strrchr(v, ':');
	unsigned long port;

	if (!colon || colon == v || !num(colon + 1, 1, 65535, &port))
		return bad(msg, cap, "server", "HOST:PORT expected");
	free(x->server_host);
	x->server_host = strndup(v, (size_t)(colon - v));
	x->server_port = (unsigned short)port;
	return 1;
}

static int set_domains(struct sxgw_xmpp_config *x, const char *v, char *msg,
		       size_t cap)
{
	char *copy = strdup(v), *tok, *save = NULL;
	int i;

	for (i = 0; i < x->ndomains; i++)
		free(x->domains[i]);
	x->ndomains = 0;
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (strpbrk(tok, "@/:;") ||
		    x->ndomains == CONFIG_MAX_XMPP_DOMAINS) {
			free(copy);
			return bad(msg, cap, "domains", "up to 16 domain "
				   "names, separated by spaces");
		}
		x->domains[x->ndomains++] = strdup(tok);
	}
	free(copy);
	return 1;
}

static int set_string(char **dst, const char *v)
{
	free(*dst);
	*dst = v[0] ? strdup(v) : NULL;
	return 1;
}

int config_xmpp_set(struct sxgw_xmpp_config *x, const char *name,
		    const char *v, char *msg, size_t cap)
{
	static const struct {
		const char *name;
		unsigned long min, max;
		size_t off, size;
	} nums[] = {
#define N(f, lo, hi) { #f, lo, hi, offsetof(struct sxgw_xmpp_config, f), \
		       sizeof(((struct sxgw_xmpp_config *)0)->f) }
		N(max_stanza_size, 512, 16 * 1024 * 1024),
		N(join_timeout, 1, 600),
		N(invitation_timeout, 1, 3600),
		N(reconnect_min_ms, 10, 600000),
		N(reconnect_max_ms, 10, 3600000),
		N(max_legs_per_user, 1, 1000),
		N(max_legs, 1, 1000000),
		N(presence_rate, 1, 10000),
#undef N
	};
	unsigned long n;
	size_t i;

	if (!strcmp(name, "server"))
		return set_server(x, v, msg, cap);
	if (!strcmp(name, "secret"))
		return set_string(&x->secret, v);
	if (!strcmp(name, "domains"))
		return set_domains(x, v, msg, cap);
	if (!strcmp(name, "sip_domain")) {
		if (!v[0] || strpbrk(v, "@/:; "))
			return bad(msg, cap, name, "a domain name expected");
		return set_string(&x->sip_domain, v);
	}
	if (!strcmp(name, "sip_listen")) {
		struct sx_listen_addr a;

		if (sx_listen_split(v, &a) != 0)
			return bad(msg, cap, name,
				   "udp:HOST:PORT or tcp:HOST:PORT expected");
		return set_string(&x->sip_listen, v);
	}
	if (!strcmp(name, "anonymity")) {
		if (!strcmp(v, "non"))
			x->anonymity = ANON_NON;
		else if (!strcmp(v, "semi"))
			x->anonymity = ANON_SEMI;
		else
			return bad(msg, cap, name, "non or semi expected");
		return 1;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char *p = (char *)x + nums[i].off;

		if (strcmp(name, nums[i].name))
			continue;
		if (!num(v, nums[i].min, nums[i].max, &n)) {
			snprintf(msg, cap, "%s: a number from %lu to %lu "
				 "expected, got '%s'", name, nums[i].min,
				 nums[i].max, v);
			return 0;
		}
		if (nums[i].size == sizeof(size_t))
			*(size_t *)p = n;
		else
			*(unsigned *)p = (unsigned)n;
		return 1;
	}
	snprintf(msg, cap, "unknown key '%s' in [xmpp]", name);
	return 0;
}

int config_xmpp_check(const struct sxgw_xmpp_config *x, char *msg,
		      size_t cap)
{
	if (!x->server_host)
		return 1;
	if (!x->secret)
		return bad(msg, cap, "secret", "required with server");
	if (x->ndomains == 0)
		return bad(msg, cap, "domains", "required with server");
	if (x->reconnect_max_ms < x->reconnect_min_ms)
		return bad(msg, cap, "reconnect_max_ms",
			   "smaller than reconnect_min_ms");
	return 1;
}

void config_xmpp_free(struct sxgw_xmpp_config *x)
{
	int i;

	free(x->server_host);
	free(x->secret);
	for (i = 0; i < x->ndomains; i++)
		free(x->domains[i]);
	free(x->sip_domain);
	free(x->sip_listen);
	memset(x, 0, sizeof(*x));
}
