/*
 * config.h - sxgw's configuration, read from an INI file (man 5 sxgw.ini).
 * Every key has a default; unknown sections or keys are errors, so that a
 * typo does not silently leave a default in force.
 */
#ifndef SXGW_CONFIG_H
#define SXGW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_LISTEN 8

/* [xmpp]: the XMPP gateway (config_xmpp.c); off while server is NULL. */
#define CONFIG_MAX_XMPP_DOMAINS 16

enum room_anonymity {
	ANON_NON = 0,     /* real JIDs shown to everyone (default) */
	ANON_SEMI,        /* real JIDs hidden from occupants */
};

struct sxgw_xmpp_config {
	char *server_host;                    /* NULL: the gateway is off */
	unsigned short server_port;           /* component port */
	char *secret;
	char *domains[CONFIG_MAX_XMPP_DOMAINS];  /* XMPP users' domains */
	int ndomains;
	char *sip_domain;                     /* SIP users appear here */
	char *sip_listen;                     /* the gateway's own SIP agent:
						 "udp:HOST:PORT"; NULL: the
						 first [sip] listen host,
						 any free port */
	enum room_anonymity anonymity;
	size_t max_stanza_size;               /* bytes; a=max-size, 413 */
	unsigned join_timeout;                /* s for a join to complete */
	unsigned invitation_timeout;          /* s a room's INVITE for an
						 XMPP user is held */
	unsigned reconnect_min_ms;            /* link backoff */
	unsigned reconnect_max_ms;
	unsigned max_legs_per_user;           /* joins per bare JID */
	unsigned max_legs;                    /* joins in all */
	unsigned presence_rate;               /* presences/s per full JID
						 before a flood is refused */
};

enum refer_policy {
	REFER_PARTICIPANTS = 0,  /* only participants may REFER (default) */
	REFER_ANYONE,
};

struct sxgw_config {
	/* [sip] */
	char *sip_listen[CONFIG_MAX_LISTEN];  /* "udp:127.0.0.1:5060" */
	int nsip_listen;
	char *outbound_proxy;                 /* NULL: none */
	unsigned subscription_expires;        /* default and maximum, s */
	enum refer_policy refer_policy;
	unsigned invite_timeout;              /* dial-out answer wait, s */

	/* [msrp] */
	char *msrp_listen;                    /* "127.0.0.1:2855" */
	char *msrp_host;                      /* advertised in a=path; NULL:
						 the listen host */
	uint64_t max_message_size;            /* a=max-size, 413 beyond */
	size_t max_header_bytes;
	size_t chunk_size;                    /* forwarding re-chunks at this */
	size_t congestion_bytes;              /* queued bytes that mark a
						 reader congested */
	unsigned congestion_timeout;          /* s congested before drop */
	unsigned chunk_timeout;               /* s a chunked message may
						 stall before it is aborted */
	unsigned bind_timeout;                /* s a session has to bind
						 (from the answer, when
						 dialed out) */

	/* [conference] */
	char *domain;                         /* rooms are sip:NAME@domain */
	unsigned history_size;
	unsigned history_delay_ms;            /* bind to history, for
						 participants that do not
						 join with NICKNAME */
	unsigned max_participants;
	unsigned max_rooms;
	unsigned notify_window_ms;            /* NOTIFY coalescing window */
	int keep_rooms;                       /* keep empty rooms */
	char **rooms;                         /* created at start and kept:
						 NULL-terminated, may be NULL */

	struct sxgw_xmpp_config xmpp;

	/* [log] */
	int log_level;                        /* syslog level */
};

/* Loads path into c (defaults first).  On error returns -1 with
 * "path:line: message" in err. */
int config_load(const char *path, struct sxgw_config *c, char *err,
		size_t errcap);
void config_free(struct sxgw_config *c);

/* config_xmpp.c: the [xmpp] section.  set returns 1, or 0 with a message
 * in msg. */
void config_xmpp_defaults(struct sxgw_xmpp_config *x);
int config_xmpp_set(struct sxgw_xmpp_config *x, const char *name,
		    const char *v, char *msg, size_t msgcap);
/* Checks what needs the whole file (a secret with a server...): 1 when
 * the section is usable, else 0 with a message in msg. */
int config_xmpp_check(const struct sxgw_xmpp_config *x, char *msg,
		      size_t msgcap);
void config_xmpp_free(struct sxgw_xmpp_config *x);

#endif
