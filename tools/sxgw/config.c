/*
 * config.c - reads sxgw.ini with inih (Debian's libinih: a small, well-kept
 * INI parser; it reports the line of the first error, which we pass on).
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sx_log.h"
#include "sx_stream.h"

struct load {
	struct sxgw_config *c;
	char msg[256];
};

static void config_defaults(struct sxgw_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sip_listen[0] = strdup("udp:127.0.0.1:5060");
	c->sip_listen[1] = strdup("tcp:127.0.0.1:5060");
	c->nsip_listen = 2;
	c->subscription_expires = 3600;
	c->refer_policy = REFER_PARTICIPANTS;
	c->invite_timeout = 60;
	c->msrp_listen = strdup("127.0.0.1:2855");
	c->max_message_size = 1024 * 1024;
	c->max_header_bytes = 8192;
	c->chunk_size = 2048;
	c->congestion_bytes = 1024 * 1024;
	c->congestion_timeout = 30;
	c->chunk_timeout = 30;
	c->bind_timeout = 30;
	c->domain = strdup("conference.sip.example.test");
	c->history_size = 20;
	c->max_participants = 500;
	c->max_rooms = 10000;
	c->notify_window_ms = 100;
	c->log_level = LOG_INFO;
	config_xmpp_defaults(&c->xmpp);
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v[0] ? strdup(v) : NULL;
	return 1;
}

static int set_num(struct load *ld, const char *key, const char *v,
		   unsigned long long min, unsigned long long max,
		   unsigned long long *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end != '\0' || v[0] == '-' || n < min ||
	    n > max) {
		snprintf(ld->msg, sizeof(ld->msg),
			 "%s: a number from %llu to %llu expected, got '%s'",
			 key, min, max, v);
		return 0;
	}
	*out = n;
	return 1;
}

static int set_bool(struct load *ld, const char *key, const char *v,
		    int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = 1;
		return 1;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) {
		*out = 0;
		return 1;
	}
	snprintf(ld->msg, sizeof(ld->msg), "%s: yes or no expected", key);
	return 0;
}

static int set_listen(struct load *ld, const char *v)
{
	struct sxgw_config *c = ld->c;
	char *copy = strdup(v), *tok, *save = NULL;
	struct sx_listen_addr la;
	int i;

	for (i = 0; i < c->nsip_listen; i++)
		free(c->sip_listen[i]);
	c->nsip_listen = 0;
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (sx_listen_split(tok, &la) != 0) {
			snprintf(ld->msg, sizeof(ld->msg),
				 "listen: udp:HOST:PORT or tcp:HOST:PORT "
				 "expected, got '%s'", tok);
			free(copy);
			return 0;
		}
		if (c->nsip_listen == CONFIG_MAX_LISTEN) {
			snprintf(ld->msg, sizeof(ld->msg),
				 "listen: at most %d addresses",
				 CONFIG_MAX_LISTEN);
			free(copy);
			return 0;
		}
		c->sip_listen[c->nsip_listen++] = strdup(tok);
	}
	free(copy);
	if (c->nsip_listen == 0) {
		snprintf(ld->msg, sizeof(ld->msg), "listen: empty");
		return 0;
	}
	return 1;
}

static void free_rooms(struct sxgw_config *c)
{
	size_t i;

	for (i = 0; c->rooms && c->rooms[i]; i++)
		free(c->rooms[i]);
	free(c->rooms);
	c->rooms = NULL;
}

/* Room names as they appear in sip:NAME@domain: a SIP URI user part of
 * unreserved characters, kept simple so that it is also a JID local
 * part without escaping. */
static int set_rooms(struct load *ld, const char *v)
{
	struct sxgw_config *c = ld->c;
	char *copy = strdup(v), *tok, *save = NULL;
	size_t n = 0;

	free_rooms(c);
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		char **grown;

		if (tok[strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789"
			       "-_.~")] != '\0') {
			snprintf(ld->msg, sizeof(ld->msg), "rooms: '%s': "
				 "lower-case letters, digits, - _ . ~ only",
				 tok);
			free(copy);
			return 0;
		}
		grown = realloc(c->rooms, (n + 2) * sizeof(*grown));
		if (grown == NULL)
			break;
		c->rooms = grown;
		c->rooms[n++] = strdup(tok);
		c->rooms[n] = NULL;
	}
	free(copy);
	return 1;
}

#define KEY(s, k) (strcmp(section, s) == 0 && strcmp(name, k) == 0)

static int handler(void *user, const char *section, const char *name,
		   const char *v)
{
	struct load *ld = user;
	struct sxgw_config *c = ld->c;
	unsigned long long n;
	int b;

	if (name == NULL)  /* a section header alone */
		return 1;
	if (KEY("sip", "listen"))
		return set_listen(ld, v);
	if (KEY("sip", "outbound_proxy"))
		return set_str(&c->outbound_proxy, v);
	if (KEY("sip", "subscription_expires")) {
		if (!set_num(ld, name, v, 60, 86400, &n))
			return 0;
		c->subscription_expires = (unsigned)n;
		return 1;
	}
	if (KEY("sip", "refer_policy")) {
		if (!strcmp(v, "participants"))
			c->refer_policy = REFER_PARTICIPANTS;
		else if (!strcmp(v, "anyone"))
			c->refer_policy = REFER_ANYONE;
		else {
			snprintf(ld->msg, sizeof(ld->msg), "refer_policy: "
				 "participants or anyone expected");
			return 0;
		}
		return 1;
	}
	if (KEY("sip", "invite_timeout")) {
		if (!set_num(ld, name, v, 1, 600, &n))
			return 0;
		c->invite_timeout = (unsigned)n;
		return 1;
	}
	if (KEY("msrp", "listen"))
		return set_str(&c->msrp_listen, v);
	if (KEY("msrp", "host"))
		return set_str(&c->msrp_host, v);
	if (KEY("msrp", "max_message_size")) {
		if (!set_num(ld, name, v, 1024, 1ULL << 32, &n))
			return 0;
		c->max_message_size = n;
		return 1;
	}
	if (KEY("msrp", "max_header_bytes")) {
		if (!set_num(ld, name, v, 1024, 65536, &n))
			return 0;
		c->max_header_bytes = (size_t)n;
		return 1;
	}
	if (KEY("msrp", "chunk_size")) {
		if (!set_num(ld, name, v, 256, 1 << 20, &n))
			return 0;
		c->chunk_size = (size_t)n;
		return 1;
	}
	if (KEY("msrp", "congestion_bytes")) {
		if (!set_num(ld, name, v, 4096, 1ULL << 30, &n))
			return 0;
		c->congestion_bytes = (size_t)n;
		return 1;
	}
	if (KEY("msrp", "congestion_timeout")) {
		if (!set_num(ld, name, v, 1, 3600, &n))
			return 0;
		c->congestion_timeout = (unsigned)n;
		return 1;
	}
	if (KEY("msrp", "chunk_timeout")) {
		if (!set_num(ld, name, v, 1, 3600, &n))
			return 0;
		c->chunk_timeout = (unsigned)n;
		return 1;
	}
	if (KEY("msrp", "bind_timeout")) {
		if (!set_num(ld, name, v, 1, 3600, &n))
			return 0;
		c->bind_timeout = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "domain")) {
		if (v[0] == '\0' || strpbrk(v, "@:;/ ")) {
			snprintf(ld->msg, sizeof(ld->msg),
				 "domain: a host name expected");
			return 0;
		}
		return set_str(&c->domain, v);
	}
	if (KEY("conference", "history_size")) {
		if (!set_num(ld, name, v, 0, 10000, &n))
			return 0;
		c->history_size = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "history_delay_ms")) {
		if (!set_num(ld, name, v, 0, 60000, &n))
			return 0;
		c->history_delay_ms = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "max_participants")) {
		if (!set_num(ld, name, v, 1, 100000, &n))
			return 0;
		c->max_participants = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "max_rooms")) {
		if (!set_num(ld, name, v, 1, 1000000, &n))
			return 0;
		c->max_rooms = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "notify_window_ms")) {
		if (!set_num(ld, name, v, 0, 60000, &n))
			return 0;
		c->notify_window_ms = (unsigned)n;
		return 1;
	}
	if (KEY("conference", "rooms"))
		return set_rooms(ld, v);
	if (KEY("conference", "keep_rooms")) {
		if (!set_bool(ld, name, v, &b))
			return 0;
		c->keep_rooms = b;
		return 1;
	}
	if (strcmp(section, "xmpp") == 0)
		return config_xmpp_set(&c->xmpp, name, v, ld->msg,
				       sizeof(ld->msg));
	if (KEY("log", "level")) {
		int l = sx_log_level_parse(v);

		if (l < 0) {
			snprintf(ld->msg, sizeof(ld->msg), "level: error, "
				 "warning, notice, info or debug expected");
			return 0;
		}
		c->log_level = l;
		return 1;
	}
	snprintf(ld->msg, sizeof(ld->msg), "unknown key '%s' in [%s]", name,
		 section);
	return 0;
}

int config_load(const char *path, struct sxgw_config *c, char *err,
		size_t errcap)
{
	struct load ld = { c, "" };
	int r;

	config_defaults(c);
	r = ini_parse(path, handler, &ld);
	if (r == 0) {
		if (config_xmpp_check(&c->xmpp, ld.msg, sizeof(ld.msg)))
			return 0;
		snprintf(err, errcap, "%s: [xmpp] %s", path, ld.msg);
		return -1;
	}
	if (r < 0)
		snprintf(err, errcap, "%s: %s", path,
			 r == -1 ? strerror(errno) : "out of memory");
	else
		snprintf(err, errcap, "%s:%d: %s", path, r,
			 ld.msg[0] ? ld.msg : "syntax error");
	return -1;
}

void config_free(struct sxgw_config *c)
{
	int i;

	for (i = 0; i < c->nsip_listen; i++)
		free(c->sip_listen[i]);
	free(c->outbound_proxy);
	free(c->msrp_listen);
	free(c->msrp_host);
	free(c->domain);
	free_rooms(c);
	config_xmpp_free(&c->xmpp);
	memset(c, 0, sizeof(*c));
}
