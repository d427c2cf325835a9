/*
 * sip_uri.c - SIP URIs for chat room clients, see sip_uri.h.
 */
#include "sip_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

char *sip_uri_aor(const char *uri, char **user_out)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_from_t *a = sip_from_make(home, uri);
	char *s, *out = NULL;
	url_t u;

	if (user_out)
		*user_out = NULL;
	if (a == NULL || (a->a_url->url_type != url_sip &&
			  a->a_url->url_type != url_sips) ||
	    a->a_url->url_host == NULL) {
		su_home_deinit(home);
		return NULL;
	}
	u = *a->a_url;
	u.url_params = NULL;
	u.url_headers = NULL;
	u.url_fragment = NULL;
	u.url_password = NULL;
	s = url_as_string(home, &u);
	if (s)
		out = strdup(s);
	if (out && user_out) {
		*user_out = strdup(u.url_user ? u.url_user : "");
		if (*user_out == NULL) {
			free(out);
			out = NULL;
		}
	}
	su_home_deinit(home);
	return out;
}

int sip_uri_same(const char *a, const char *b)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *ua = url_make(home, a);
	url_t *ub = url_make(home, b);
	int same = ua && ub && url_cmp(ua, ub) == 0;

	su_home_deinit(home);
	return same;
}

int sip_uri_has_param(const char *uri, const char *name)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, uri);
	int has = u && url_has_param(u, name);

	su_home_deinit(home);
	return has;
}

/* Any UTF-8 may be asked for (a nickname, RFC 7700; an XMPP resource):
 * only the characters a uri-parameter value may hold stay as they are. */
char *sip_uri_param_escape(const char *value)
{
	static const char keep[] = "-_.!~*'()[]/:&+$";
	size_t i;
	char *s = malloc(strlen(value) * 3 + 1), *p = s;

	if (s == NULL)
		return NULL;
	for (i = 0; value[i]; i++) {
		unsigned char ch = (unsigned char)value[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr(keep, ch))
			*p++ = (char)ch;
		else
			p += sprintf(p, "%%%02X", ch);
	}
	*p = '\0';
	return s;
}

char *sip_uri_private(const char *room_aor, const char *nick)
{
	char *v = sip_uri_param_escape(nick), *s = NULL;

	if (v && asprintf(&s, "%s;gr=%s", room_aor, v) < 0)
		s = NULL;
	free(v);
	return s;
}

char *sip_uri_listen(const char *arg)
{
	char *s;

	if (strncasecmp(arg, "sip:", 4) == 0 ||
	    strncasecmp(arg, "sips:", 5) == 0)
		return strdup(arg);
	return asprintf(&s, "sip:%s", arg) < 0 ? NULL : s;
}

/* A From or Contact naming a wildcard cannot be reached back; loopback
 * can, and stays in the family the socket was bound in. */
char *sip_uri_listen_host(const char *listen)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, listen);
	const char *h;
	char *out = NULL;

	if (u && (u->url_type == url_sip || u->url_type == url_sips) &&
	    u->url_host && u->url_host[0]) {
		h = u->url_host;
		if (strcmp(h, "*") == 0 || strcmp(h, "0.0.0.0") == 0)
			h = "127.0.0.1";
		else if (strcmp(h, "[::]") == 0)
			h = "[::1]";
		out = strdup(h);
	}
	su_home_deinit(home);
	return out;
}

char *sip_uri_local_from(const char *listen, const char *user)
{
	char *host = sip_uri_listen_host(listen), *s = NULL;

	if (host && asprintf(&s, "sip:%s@%s", user, host) < 0)
		s = NULL;
	free(host);
	return s;
}
