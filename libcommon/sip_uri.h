/*
 * sip_uri.h - SIP URIs as chat room clients use them (RFC 3261 §19.1):
 * the address of record of a From or a room URI, comparison, parameters,
 * and the private-message address of RFC 7701 §6.2 ("sip:room@host;gr=
 * NICK", the nickname escaped as a uri-parameter value), and the local
 * address a client listens on and names itself by by default.
 *
 * Parsing is sofia-sip's; results are malloc'd and owe nothing to it.
 */
#ifndef SX_SIP_URI_H
#define SX_SIP_URI_H

/* "sip:user@host[:port]" without parameters, headers or password
 * (malloc'd), from a URI or a name-addr ("Alice" <sip:...>); NULL when it
 * is not a sip: or sips: URI with a host.  user_out (may be NULL) gets
 * the user part, malloc'd ("" when none). */
char *sip_uri_aor(const char *uri, char **user_out);

/* Whether two SIP URIs name the same resource (RFC 3261 §19.1.4). */
int sip_uri_same(const char *a, const char *b);

/* Whether a SIP URI carries the URI parameter name. */
int sip_uri_has_param(const char *uri, const char *name);

/* value escaped as a uri-parameter value (RFC 3261 §25.1: unreserved and
 * param-unreserved kept, every other byte %XX); malloc'd. */
char *sip_uri_param_escape(const char *value);

/* The room's address for a private message to nick: room_aor ";gr=" and
 * the escaped nickname (RFC 7701 §6.2); malloc'd. */
char *sip_uri_private(const char *room_aor, const char *nick);

/* A --listen argument as a SIP URI: a sip: or sips: URI (scheme in any
 * case) as it is, else HOST[:PORT] with "sip:" in front; malloc'd.  The
 * result is not checked: sip_uri_listen_host() says whether it has a host. */
char *sip_uri_listen(const char *arg);

/* The host of a listen URI as others can reach it: a wildcard ("*",
 * "0.0.0.0", "[::]") becomes the loopback of its family; malloc'd, NULL
 * when listen is not a SIP URI with a host. */
char *sip_uri_listen_host(const char *listen);

/* "sip:USER@HOST", HOST that of sip_uri_listen_host(); malloc'd, NULL when
 * listen has no host. */
char *sip_uri_local_from(const char *listen, const char *user);

#endif
