/*
 * msrp_uri.h - MSRP URIs and paths (RFC 4975 §6, §9; RFC 4976 paths
 * through relays).
 *
 *   msrp://host:port/session-id;tcp
 *   msrps://user@[::1]:2856/id;tcp
 *
 * Comparison follows §6.1: scheme, host (case-insensitive), port and
 * session-id (case-sensitive) and transport; userinfo is ignored.
 */
#ifndef SX_MSRP_URI_H
#define SX_MSRP_URI_H

#include <stddef.h>

#include "sx_err.h"

struct msrp_uri {
	int secure;               /* msrps */
	char user[128];
	char host[256];           /* without brackets for IPv6 */
	unsigned port;            /* 0 when absent (2855 is implied only by SRV) */
	char session_id[128];     /* empty for a relay's URI */
	char transport[16];       /* "tcp" */
};

/* Parses one URI of len bytes.  Returns 0 or SX_ERROR (err->status 400). */
int msrp_uri_parse(const char *s, size_t len, struct msrp_uri *u,
		   struct sx_err *err);

/* Writes the URI as text (snprintf semantics); an empty transport is
 * written as "tcp", which the grammar requires. */
size_t msrp_uri_format(char *buf, size_t cap, const struct msrp_uri *u);

/* 1 when a and b name the same resource per §6.1. */
int msrp_uri_equal(const struct msrp_uri *a, const struct msrp_uri *b);

/* Splits a path (space-separated URIs) into at most max URIs.  Returns the
 * number found or SX_ERROR when there is none, one is malformed or there
 * are more; err->offset then says where the URI at fault starts. */
int msrp_path_parse(const char *s, size_t len, struct msrp_uri *uris,
		    int max, struct sx_err *err);

#endif
