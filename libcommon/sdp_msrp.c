/*
 * sdp_msrp.c - the MSRP media line of SDP (RFC 4975 §8: m=message, a=path,
 * a=accept-types, a=accept-wrapped-types, a=max-size, §8.6 type matching;
 * RFC 6135 §4 a=setup; RFC 7701 §5 a=chatroom).  See sdp_msrp.h.
 *
 * sofia-sip does the SDP syntax; this file picks the media line, checks
 * what RFC 4975 makes mandatory and copies the values out, so that the
 * caller holds no sofia memory.
 */
#include "sdp_msrp.h"
#include "msrp_uri.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sdp.h>

static const char *const setup_names[] = {
	[SDP_MSRP_SETUP_ACTIVE] = "active",
	[SDP_MSRP_SETUP_PASSIVE] = "passive",
	[SDP_MSRP_SETUP_ACTPASS] = "actpass",
	[SDP_MSRP_SETUP_HOLDCONN] = "holdconn",
};

void sdp_msrp_free(struct sdp_msrp *m)
{
	free(m->addr);
	free(m->path);
	free(m->accept_types);
	free(m->accept_wrapped_types);
	free(m->chatroom_other);
	memset(m, 0, sizeof(*m));
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits a space-separated value into a NULL-terminated array that shares
 * one allocation with copies of the tokens. */
static char **split_list(const char *v)
{
	size_t n = 0, i, len = strlen(v);
	char **list, *text, *p, *save = NULL;

	for (i = 0; i < len; i++)
		if (!is_space(v[i]) && (i == 0 || is_space(v[i - 1])))
			n++;
	list = malloc((n + 1) * sizeof(*list) + len + 1);
	if (list == NULL)
		return NULL;
	text = (char *)(list + n + 1);
	memcpy(text, v, len + 1);
	n = 0;
	for (p = strtok_r(text, " \t", &save); p;
	     p = strtok_r(NULL, " \t", &save))
		list[n++] = p;
	list[n] = NULL;
	return list;
}

/* a=path (RFC 4975 §8.1): msrp and msrps URIs (§9), through relays
 * (RFC 4976).  The last one is the peer's own: it needs its session-id,
 * and its scheme says how to reach the peer (§6), so it must match the
 * media line's protocol. */
static int check_path(const char *path, int secure, struct sx_err *err)
{
	struct msrp_uri uris[SDP_MSRP_PATH_MAX];
	const struct msrp_uri *own;
	struct sx_err e;
	size_t n;
	int nuris;

	if (path[strspn(path, " \t")] == '\0')
		return sx_err_set(err, 400, "empty a=path");
	sx_err_clear(&e);
	nuris = msrp_path_parse(path, strlen(path), uris, SDP_MSRP_PATH_MAX,
				&e);
	if (nuris < 0) {
		n = strcspn(path + e.offset, " \t");
		return sx_err_set(err, 400, "a=path has a bad MSRP URI: %.*s "
				  "(%s)", (int)(n > 100 ? 100 : n),
				  path + e.offset, e.text);
	}
	own = &uris[nuris - 1];
	if (own->session_id[0] == '\0')
		return sx_err_set(err, 400, "a=path has a bad MSRP URI: the "
				  "last one has no session-id");
	if (own->secure != !!secure)
		return sx_err_set(err, 400, "a=path ends with an %s URI on a "
				  "%s media line",
				  own->secure ? "msrps" : "msrp",
				  secure ? "TCP/TLS/MSRP" : "TCP/MSRP");
	return 0;
}

static int read_max_size(const char *v, uint64_t *out, struct sx_err *err)
{
	uint64_t n = 0;
	const char *p = v;

	if (*p == '\0')
		goto bad;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10)
			goto bad;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return 0;
bad:
	return sx_err_set(err, 400, "bad a=max-size: %.40s", v);
}

static int read_setup(const char *v, enum sdp_msrp_setup *out,
		      struct sx_err *err)
{
	int i;

	for (i = SDP_MSRP_SETUP_ACTIVE; i <= SDP_MSRP_SETUP_HOLDCONN; i++) {
		if (strcasecmp(v, setup_names[i]) == 0) {
			*out = (enum sdp_msrp_setup)i;
			return 0;
		}
	}
	return sx_err_set(err, 400, "bad a=setup: %.40s", v);
}

/* RFC 7701 §5: a=chatroom:nickname private-messages, tokens in any order;
 * the ones this version does not know are kept for the caller. */
static int read_chatroom(const char *v, struct sdp_msrp *out,
			 struct sx_err *err)
{
	char **l = split_list(v);
	size_t i, n = 0;

	if (l == NULL)
		return sx_err_set(err, 500, "out of memory");
	for (i = 0; l[i]; i++) {
		if (strcmp(l[i], "nickname") == 0)
			out->nickname = 1;
		else if (strcmp(l[i], "private-messages") == 0)
			out->private_messages = 1;
		else
			l[n++] = l[i];
	}
	l[n] = NULL;
	out->chatroom = 1;
	out->chatroom_other = l;
	return 0;
}

static int read_list(const char *v, char ***out, const char *name,
		     struct sx_err *err)
{
	*out = split_list(v);
	if (*out == NULL)
		return sx_err_set(err, 500, "out of memory");
	if ((*out)[0] == NULL)
		return sx_err_set(err, 400, "empty a=%s", name);
	return 0;
}

static int read_attributes(const sdp_attribute_t *media,
			   const sdp_attribute_t *session,
			   struct sdp_msrp *out, struct sx_err *err)
{
	const sdp_attribute_t *a;
	int r = 0;

	for (a = media; a && r == 0; a = a->a_next) {
		const char *v = a->a_value ? a->a_value : "";

		if (strcasecmp(a->a_name, "path") == 0 && !out->path) {
			out->path = strdup(v);
			if (out->path == NULL)
				r = sx_err_set(err, 500, "out of memory");
		} else if (strcasecmp(a->a_name, "accept-types") == 0 &&
			   !out->accept_types) {
			r = read_list(v, &out->accept_types, a->a_name, err);
		} else if (strcasecmp(a->a_name, "accept-wrapped-types") == 0 &&
			   !out->accept_wrapped_types) {
			r = read_list(v, &out->accept_wrapped_types, a->a_name,
				      err);
		} else if (strcasecmp(a->a_name, "max-size") == 0) {
			r = read_max_size(v, &out->max_size, err);
		} else if (strcasecmp(a->a_name, "chatroom") == 0 &&
			   !out->chatroom) {
			r = read_chatroom(v, out, err);
		}
	}
	if (r != 0)
		return r;
	/* a=setup may also stand at session level (RFC 4145 §4) */
	a = sdp_attribute_find2(media, session, "setup");
	if (a != NULL)
		return read_setup(a->a_value ? a->a_value : "", &out->setup,
				  err);
	return 0;
}

static int msrp_proto(const sdp_media_t *m)
{
	if (m->m_type != sdp_media_message || m->m_proto_name == NULL)
		return -1;
	if (strcasecmp(m->m_proto_name, "TCP/MSRP") == 0)
		return 0;
	if (strcasecmp(m->m_proto_name, "TCP/TLS/MSRP") == 0)
		return 1;
	return -1;
}

static int read_media(const sdp_session_t *sess, struct sdp_msrp *out,
		      struct sx_err *err)
{
	const sdp_media_t *m;
	const sdp_connection_t *c;

	for (m = sess->sdp_media; m; m = m->m_next)
		if (msrp_proto(m) >= 0)
			break;
	if (m == NULL)
		return sx_err_set(err, 488, "no m=message line with TCP/MSRP "
				  "or TCP/TLS/MSRP");
	out->secure = msrp_proto(m);
	out->port = (unsigned)m->m_port;
	c = sdp_media_connections(m);
	if (c != NULL && c->c_address != NULL) {
		out->addr = strdup(c->c_address);
		if (out->addr == NULL)
			return sx_err_set(err, 500, "out of memory");
		out->ipv6 = c->c_addrtype == sdp_addr_ip6;
	}
	if (read_attributes(m->m_attributes, sess->sdp_attributes, out,
			    err) != 0)
		return SX_ERROR;
	/* a refused media line (port 0) owes nothing more */
	if (out->port == 0)
		return 0;
	if (out->addr == NULL)
		return sx_err_set(err, 400, "MSRP media without c= address");
	if (out->path == NULL)
		return sx_err_set(err, 400, "MSRP media without a=path");
	if (check_path(out->path, out->secure, err) != 0)
		return SX_ERROR;
	if (out->accept_types == NULL)
		return sx_err_set(err, 400, "MSRP media without "
				  "a=accept-types");
	return 0;
}

int sdp_msrp_read(const char *sdp, size_t len, struct sdp_msrp *out,
		  struct sx_err *err)
{
	sdp_parser_t *p;
	sdp_session_t *sess;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > (size_t)ISSIZE_MAX)
		return sx_err_set(err, 400, "SDP too large");
	p = sdp_parse(NULL, sdp, (issize_t)len, 0);
	if (p == NULL)
		return sx_err_set(err, 500, "out of memory");
	sess = sdp_session(p);
	if (sess == NULL) {
		const char *why = sdp_parsing_error(p);

		sx_err_set(err, 400, "malformed SDP: %s", why ? why : "?");
		sdp_parser_free(p);
		return SX_ERROR;
	}
	r = read_media(sess, out, err);
	sdp_parser_free(p);
	if (r != 0)
		sdp_msrp_free(out);
	return r;
}

/* Values must stay on their line. */
static int one_line(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

static int list_ok(char *const *l, int required)
{
	if (l == NULL || l[0] == NULL)
		return !required;
	for (; *l; l++)
		if (!one_line(*l) || **l == '\0' || strpbrk(*l, " \t"))
			return 0;
	return 1;
}

static void put_list(FILE *f, const char *name, char *const *l)
{
	fprintf(f, "a=%s:", name);
	for (; *l; l++)
		fprintf(f, "%s%s", *l, l[1] ? " " : "\r\n");
}

char *sdp_msrp_build(const struct sdp_msrp *m,
		     const struct sdp_msrp_origin *o, struct sx_err *err)
{
	const char *oaddr = o->addr ? o->addr : m->addr;
	const char *ouser = o->user ? o->user : "-";
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!one_line(m->addr) || !*m->addr || strchr(m->addr, ' ') ||
	    !one_line(oaddr) || strchr(oaddr, ' ') || !one_line(ouser) ||
	    !*ouser || strchr(ouser, ' ') || !one_line(m->path) ||
	    !*m->path || !list_ok(m->accept_types, 1) ||
	    !list_ok(m->accept_wrapped_types, 0) ||
	    !list_ok(m->chatroom_other, 0) ||
	    m->setup > SDP_MSRP_SETUP_HOLDCONN) {
		sx_err_set(err, 500, "MSRP media description cannot be "
			   "written");
		return NULL;
	}
	f = open_memstream(&text, &size);
	if (f == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	fprintf(f, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN %s %s\r\ns=-\r\n"
		"c=IN %s %s\r\nt=0 0\r\nm=message %u %s *\r\n",
		ouser, o->id, o->version, strchr(oaddr, ':') ? "IP6" : "IP4",
		oaddr, m->ipv6 || strchr(m->addr, ':') ? "IP6" : "IP4",
		m->addr, m->port, m->secure ? "TCP/TLS/MSRP" : "TCP/MSRP");
	fprintf(f, "a=path:%s\r\n", m->path);
	put_list(f, "accept-types", m->accept_types);
	if (m->accept_wrapped_types && m->accept_wrapped_types[0])
		put_list(f, "accept-wrapped-types", m->accept_wrapped_types);
	if (m->max_size)
		fprintf(f, "a=max-size:%" PRIu64 "\r\n", m->max_size);
	if (m->setup != SDP_MSRP_SETUP_ABSENT)
		fprintf(f, "a=setup:%s\r\n", setup_names[m->setup]);
	if (m->chatroom) {
		char *const *l = m->chatroom_other;
		const char *sep = ":";

		fputs("a=chatroom", f);
		if (m->nickname) {
			fprintf(f, "%snickname", sep);
			sep = " ";
		}
		if (m->private_messages) {
			fprintf(f, "%sprivate-messages", sep);
			sep = " ";
		}
		for (; l && *l; l++) {
			fprintf(f, "%s%s", sep, *l);
			sep = " ";
		}
		fputs("\r\n", f);
	}
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	return text;
}

/* Length of the type/subtype part, without parameters and spaces. */
static size_t type_len(const char *t)
{
	return strcspn(t, "; \t");
}

static int type_match(const char *entry, const char *type, size_t tlen)
{
	size_t elen = type_len(entry);
	const char *slash = memchr(type, '/', tlen);

	if (elen == 1 && entry[0] == '*')
		return 1;
	if (elen >= 2 && entry[elen - 1] == '*' && entry[elen - 2] == '/')
		return slash != NULL &&
		       (size_t)(slash - type) == elen - 2 &&
		       strncasecmp(entry, type, elen - 2) == 0;
	return elen == tlen && strncasecmp(entry, type, tlen) == 0;
}

int sdp_msrp_accepts(char *const *types, const char *type)
{
	size_t tlen;

	while (is_space(*type))
		type++;
	tlen = type_len(type);
	if (types == NULL || tlen == 0)
		return 0;
	for (; *types; types++)
		if (type_match(*types, type, tlen))
			return 1;
	return 0;
}

int sdp_msrp_accepts_wrapped(const struct sdp_msrp *m, const char *type)
{
	return sdp_msrp_accepts(m->accept_wrapped_types, type) ||
	       sdp_msrp_accepts(m->accept_types, type);
}

enum sdp_msrp_setup sdp_msrp_setup_of(const struct sdp_msrp *m, int is_offer)
{
	if (m->setup != SDP_MSRP_SETUP_ABSENT)
		return m->setup;
	return is_offer ? SDP_MSRP_SETUP_ACTIVE : SDP_MSRP_SETUP_PASSIVE;
}
