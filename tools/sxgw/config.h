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

	/* [conference] */
	char *domain;                         /* rooms are sip:NAME@domain */
	unsigned history_size;
	unsigned max_participants;
	unsigned max_rooms;
	unsigned notify_window_ms;            /* NOTIFY coalescing window */
	int keep_rooms;                       /* keep empty rooms */

	/* [log] */
	int log_level;                        /* syslog level */
};

/* Loads path into c (defaults first).  On error returns -1 with
 * "path:line: message" in err. */
int config_load(const char *path, struct sxgw_config *c, char *err,
		size_t errcap);
void config_free(struct sxgw_config *c);

#endif
