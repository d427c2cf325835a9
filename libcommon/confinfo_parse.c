/*
 * confinfo_parse.c - RFC 4575 §5 conference-info documents, with the RFC
 * 6501 xcon:nickname attribute on <user>, into the model of confinfo.h.
 *
 * confinfo_xml.c reads the document safely (no network, no entities, no
 * DTD, libxml2's default limits) and points errors at start tags; this
 * file walks the tree.
 *
 * Elements are matched by namespace URI and local name, never by prefix.
 * Elements this model does not hold (host-info, sidebars, call-info,
 * extensions) are skipped, as RFC 4575 §5 asks for extensibility.  What the
 * RFC requires is enforced: conference-info with entity and version, state
 * in full|partial|deleted, user and endpoint with entity, media with id,
 * available-media entries with a label, and no key twice at one level.
 * Every refusal carries the line and column of the start tag at fault.
 */
#include "confinfo_int.h"
#include "confinfo_xml.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

static int cp_fail(struct confinfo_xml_err *cp, const xmlNode *n,
		   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cp_fail(struct confinfo_xml_err *cp, const xmlNode *n,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	confinfo_xml_vfail_node(cp, n, fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

static int cp_oom(struct confinfo_xml_err *cp, const xmlNode *n)
{
	return cp_fail(cp, n, "out of memory");
}

/* --- tree access -------------------------------------------------------- */

static int is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrEqual(n->ns->href, BAD_CAST CONFINFO_NS) &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

static size_t count_el(const xmlNode *n, const char *name)
{
	size_t k = 0;

	for (n = n->children; n != NULL; n = n->next)
		if (is_el(n, name))
			k++;
	return k;
}

/* The n-th child element called name, for pointing at it in an error. */
static const xmlNode *nth_el(const xmlNode *n, const char *name, size_t i)
{
	for (n = n->children; n != NULL; n = n->next)
		if (is_el(n, name) && i-- == 0)
			return n;
	return NULL;
}

/* The value of attribute name (in namespace ns, or in none), borrowed from
 * the tree; NULL when absent.  Without entities a value is one text node. */
static const char *attr(const xmlNode *n, const char *ns, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (!xmlStrEqual(a->name, BAD_CAST name))
			continue;
		if (ns == NULL ? a->ns != NULL :
		    a->ns == NULL || !xmlStrEqual(a->ns->href, BAD_CAST ns))
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->type == XML_TEXT_NODE &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

static int key_attr(struct confinfo_xml_err *cp, const xmlNode *n,
		    const char *name, char **out)
{
	const char *v = attr(n, NULL, name);

	if (v == NULL || v[0] == '\0')
		return cp_fail(cp, n, "<%s> without %s", (const char *)n->name,
			       name);
	*out = strdup(v);
	return *out ? 0 : cp_oom(cp, n);
}

static int state_attr(struct confinfo_xml_err *cp, const xmlNode *n,
		      enum confinfo_state *out)
{
	const char *v = attr(n, NULL, "state");

	if (v == NULL)
		*out = CONFINFO_STATE_ABSENT;
	else if (strcmp(v, "full") == 0)
		*out = CONFINFO_FULL;
	else if (strcmp(v, "partial") == 0)
		*out = CONFINFO_PARTIAL;
	else if (strcmp(v, "deleted") == 0)
		*out = CONFINFO_DELETED;
	else
		return cp_fail(cp, n, "<%s> has unknown state \"%.40s\"",
			       (const char *)n->name, v);
	return 0;
}

static void trim(char *s)
{
	size_t a = strspn(s, " \t\r\n"), b = strlen(s);

	while (b > a && strchr(" \t\r\n", s[b - 1]) != NULL)
		b--;
	memmove(s, s + a, b - a);
	s[b - a] = '\0';
}

/* Replaces *field with the text content of n; enumerations, numbers and
 * URIs are whitespace-collapsed by their schema types, so they are trimmed,
 * while free text is kept as sent. */
static int set_text(struct confinfo_xml_err *cp, const xmlNode *n, char **field,
		    int trimmed)
{
	const xmlNode *c = n->children;
	xmlChar *t;
	char *s;

	if (c == NULL) {
		s = strdup("");
	} else if (c->next == NULL && c->type == XML_TEXT_NODE) {
		s = strdup((const char *)c->content);
	} else {
		t = xmlNodeGetContent(n);
		s = t ? strdup((const char *)t) : NULL;
		xmlFree(t);
	}
	if (s == NULL)
		return cp_oom(cp, n);
	if (trimmed)
		trim(s);
	free(*field);
	*field = s;
	return 0;
}

static int parse_uint(const char *s, unsigned long *out)
{
	unsigned long long v = 0;

	if (*s == '+')
		s++;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > 0xffffffffULL)        /* xs:unsignedInt */
			return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

static int uint_text(struct confinfo_xml_err *cp, const xmlNode *n,
		     unsigned long *out)
{
	char *s = NULL;
	int bad;

	if (set_text(cp, n, &s, 1) < 0)
		return SX_ERROR;
	bad = parse_uint(s, out);
	if (bad)
		cp_fail(cp, n, "<%s> is not an unsigned number: \"%.40s\"",
			(const char *)n->name, s);
	free(s);
	return bad ? SX_ERROR : 0;
}

static int bool_text(struct confinfo_xml_err *cp, const xmlNode *n, int *out)
{
	char *s = NULL;
	int bad = 0;

	if (set_text(cp, n, &s, 1) < 0)
		return SX_ERROR;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		bad = cp_fail(cp, n, "<%s> is not a boolean: \"%.40s\"",
			      (const char *)n->name, s);
	free(s);
	return bad;
}

/* Index of the first item whose key an earlier item already has, or n.
 * Sorting keeps a hostile roster from making this quadratic. */
struct keyref {
	const char *key;
	size_t i;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int first_dup(struct confinfo_xml_err *cp, const xmlNode *parent,
		     const void *base, size_t n, size_t stride, size_t keyoff,
		     size_t *dup)
{
	struct keyref *v;
	size_t i, j;

	*dup = n;
	if (n < 16) {
		for (i = 1; i < n && *dup == n; i++)
			for (j = 0; j < i; j++)
				if (strcmp(*(char *const *)((const char *)base +
							   i * stride + keyoff),
					   *(char *const *)((const char *)base +
							   j * stride + keyoff))
				    == 0) {
					*dup = i;
					break;
				}
		return 0;
	}
	v = malloc(n * sizeof(*v));
	if (v == NULL)
		return cp_oom(cp, parent);
	for (i = 0; i < n; i++) {
		v[i].key = *(char *const *)((const char *)base + i * stride +
					    keyoff);
		v[i].i = i;
	}
	qsort(v, n, sizeof(*v), keyref_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i].key, v[i - 1].key) == 0 && v[i].i < *dup)
			*dup = v[i].i;
	free(v);
	return 0;
}

#define CHECK_DUPS(cp, parent, arr, n, keyfield, elname)                     \
	check_dups(cp, parent, arr, n, sizeof(*(arr)),                        \
		   offsetof(__typeof__(*(arr)), keyfield), elname,            \
		   #keyfield)

static int check_dups(struct confinfo_xml_err *cp, const xmlNode *parent,
		      const void *base, size_t n, size_t stride, size_t keyoff,
		      const char *elname, const char *keyname)
{
	const xmlNode *at;
	size_t d;

	if (first_dup(cp, parent, base, n, stride, keyoff, &d) < 0)
		return SX_ERROR;
	if (d == n)
		return 0;
	at = nth_el(parent, elname, d);
	return cp_fail(cp, at ? at : parent, "duplicate <%s> %s \"%.80s\"",
		       elname, keyname,
		       *(char *const *)((const char *)base + d * stride +
					keyoff));
}

/* --- elements ----------------------------------------------------------- */

static int parse_media(struct confinfo_xml_err *cp, const xmlNode *n,
		       struct confinfo_media *m)
{
	const xmlNode *c;
	int r = 0;

	if (key_attr(cp, n, "id", &m->id) < 0 ||
	    state_attr(cp, n, &m->state) < 0)
		return SX_ERROR;
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "display-text"))
			r = set_text(cp, c, &m->display_text, 0);
		else if (is_el(c, "type"))
			r = set_text(cp, c, &m->type, 1);
		else if (is_el(c, "label"))
			r = set_text(cp, c, &m->label, 0);
		else if (is_el(c, "src-id"))
			r = set_text(cp, c, &m->src_id, 1);
		else if (is_el(c, "status"))
			r = set_text(cp, c, &m->status, 1);
	}
	return r;
}

/* The child <name> of an execution-type element (referred, joining-info,
 * disconnection-info, RFC 4575 §5.6.5). */
static int exec_field(struct confinfo_xml_err *cp, const xmlNode *n,
		      const char *name, char **field, int trimmed)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (is_el(c, name))
			return set_text(cp, c, field, trimmed);
	return 0;
}

static int parse_endpoint(struct confinfo_xml_err *cp, const xmlNode *n,
			  struct confinfo_endpoint *e)
{
	const xmlNode *c;
	size_t k = 0;
	int r = 0;

	if (key_attr(cp, n, "entity", &e->entity) < 0 ||
	    state_attr(cp, n, &e->state) < 0)
		return SX_ERROR;
	e->nmedia = count_el(n, "media");
	if (e->nmedia > 0) {
		e->media = calloc(e->nmedia, sizeof(*e->media));
		if (e->media == NULL) {
			e->nmedia = 0;
			return cp_oom(cp, n);
		}
	}
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "display-text"))
			r = set_text(cp, c, &e->display_text, 0);
		else if (is_el(c, "referred"))
			r = exec_field(cp, c, "by", &e->referred_by, 1);
		else if (is_el(c, "status"))
			r = set_text(cp, c, &e->status, 1);
		else if (is_el(c, "joining-method"))
			r = set_text(cp, c, &e->joining_method, 1);
		else if (is_el(c, "joining-info"))
			r = exec_field(cp, c, "when", &e->joining_when, 1);
		else if (is_el(c, "disconnection-method"))
			r = set_text(cp, c, &e->disconnection_method, 1);
		else if (is_el(c, "disconnection-info"))
			r = exec_field(cp, c, "reason",
				       &e->disconnection_reason, 0);
		else if (is_el(c, "media"))
			r = parse_media(cp, c, &e->media[k++]);
	}
	if (r == 0)
		r = CHECK_DUPS(cp, n, e->media, e->nmedia, id, "media");
	return r;
}

/* Fills v with the text of each <entry> child of n, or with its <uri>
 * child when uri_child is set (associated-aors, RFC 4575 §5.6.2). */
static int parse_entries(struct confinfo_xml_err *cp, const xmlNode *n,
			 char ***v, size_t *nv, int uri_child)
{
	const xmlNode *c, *u;
	size_t k = 0;

	confinfo_strv_free(*v, *nv);
	*v = NULL;
	*nv = count_el(n, "entry");
	if (*nv == 0)
		return 0;
	*v = calloc(*nv, sizeof(**v));
	if (*v == NULL) {
		*nv = 0;
		return cp_oom(cp, n);
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (!is_el(c, "entry"))
			continue;
		u = c;
		if (uri_child) {
			for (u = c->children; u != NULL; u = u->next)
				if (is_el(u, "uri"))
					break;
			if (u == NULL)
				return cp_fail(cp, c, "<entry> without <uri>");
		}
		if (set_text(cp, u, &(*v)[k++], uri_child) < 0)
			return SX_ERROR;
	}
	return 0;
}

static int parse_user(struct confinfo_xml_err *cp, const xmlNode *n,
		      struct confinfo_user *u)
{
	const char *nick;
	const xmlNode *c;
	size_t k = 0;
	int r = 0;

	if (key_attr(cp, n, "entity", &u->entity) < 0 ||
	    state_attr(cp, n, &u->state) < 0)
		return SX_ERROR;
	nick = attr(n, CONFINFO_XCON_NS, "nickname");
	if (nick != NULL && (u->nickname = strdup(nick)) == NULL)
		return cp_oom(cp, n);
	u->nendpoints = count_el(n, "endpoint");
	if (u->nendpoints > 0) {
		u->endpoints = calloc(u->nendpoints, sizeof(*u->endpoints));
		if (u->endpoints == NULL) {
			u->nendpoints = 0;
			return cp_oom(cp, n);
		}
	}
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "display-text")) {
			r = set_text(cp, c, &u->display_text, 0);
		} else if (is_el(c, "associated-aors")) {
			r = parse_entries(cp, c, &u->aors, &u->naors, 1);
		} else if (is_el(c, "roles")) {
			u->has_roles = 1;
			r = parse_entries(cp, c, &u->roles, &u->nroles, 0);
		} else if (is_el(c, "languages")) {
			r = set_text(cp, c, &u->languages, 1);
		} else if (is_el(c, "endpoint")) {
			r = parse_endpoint(cp, c, &u->endpoints[k++]);
		}
	}
	if (r == 0)
		r = CHECK_DUPS(cp, n, u->endpoints, u->nendpoints, entity,
			       "endpoint");
	return r;
}

static int parse_users(struct confinfo_xml_err *cp, const xmlNode *n,
		       struct confinfo *ci)
{
	const xmlNode *c;
	size_t k = 0;

	confinfo_users_free(ci->users, ci->nusers);
	ci->users = NULL;
	ci->has_users = 1;
	if (state_attr(cp, n, &ci->users_state) < 0)
		return SX_ERROR;
	ci->nusers = count_el(n, "user");
	if (ci->nusers > 0) {
		ci->users = calloc(ci->nusers, sizeof(*ci->users));
		if (ci->users == NULL) {
			ci->nusers = 0;
			return cp_oom(cp, n);
		}
	}
	for (c = n->children; c != NULL; c = c->next)
		if (is_el(c, "user") &&
		    parse_user(cp, c, &ci->users[k++]) < 0)
			return SX_ERROR;
	return CHECK_DUPS(cp, n, ci->users, ci->nusers, entity, "user");
}

static int parse_uris(struct confinfo_xml_err *cp, const xmlNode *n,
		      struct confinfo_uri **v, size_t *nv)
{
	const xmlNode *c, *f;
	struct confinfo_uri *e;
	int r = 0;

	confinfo_uris_free(*v, *nv);
	*v = NULL;
	*nv = count_el(n, "entry");
	if (*nv == 0)
		return 0;
	*v = calloc(*nv, sizeof(**v));
	if (*v == NULL) {
		*nv = 0;
		return cp_oom(cp, n);
	}
	e = *v;
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (!is_el(c, "entry"))
			continue;
		for (f = c->children; f != NULL && r == 0; f = f->next) {
			if (is_el(f, "uri"))
				r = set_text(cp, f, &e->uri, 1);
			else if (is_el(f, "display-text"))
				r = set_text(cp, f, &e->display_text, 0);
			else if (is_el(f, "purpose"))
				r = set_text(cp, f, &e->purpose, 1);
		}
		if (r == 0 && e->uri == NULL)
			r = cp_fail(cp, c, "<entry> without <uri>");
		e++;
	}
	return r;
}

/* available-media (RFC 4575 §5.3.4): entries keyed by their label, which
 * the model keeps as both id and label. */
static int parse_available_media(struct confinfo_xml_err *cp, const xmlNode *n,
				 struct confinfo *ci)
{
	struct confinfo_media *m;
	const xmlNode *c, *f;
	int r = 0;

	confinfo_medias_free(ci->available_media, ci->navailable_media);
	ci->available_media = NULL;
	ci->navailable_media = count_el(n, "entry");
	if (ci->navailable_media == 0)
		return 0;
	ci->available_media = calloc(ci->navailable_media, sizeof(*m));
	if (ci->available_media == NULL) {
		ci->navailable_media = 0;
		return cp_oom(cp, n);
	}
	m = ci->available_media;
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (!is_el(c, "entry"))
			continue;
		if (key_attr(cp, c, "label", &m->id) < 0 ||
		    (m->label = strdup(m->id)) == NULL)
			return cp->failed ? SX_ERROR : cp_oom(cp, c);
		for (f = c->children; f != NULL && r == 0; f = f->next) {
			if (is_el(f, "display-text"))
				r = set_text(cp, f, &m->display_text, 0);
			else if (is_el(f, "type"))
				r = set_text(cp, f, &m->type, 1);
			else if (is_el(f, "status"))
				r = set_text(cp, f, &m->status, 1);
		}
		m++;
	}
	if (r == 0)
		r = CHECK_DUPS(cp, n, ci->available_media,
			       ci->navailable_media, id, "entry");
	return r;
}

static int parse_description(struct confinfo_xml_err *cp, const xmlNode *n,
			     struct confinfo *ci)
{
	const xmlNode *c;
	int r = 0;

	ci->has_description = 1;
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "display-text")) {
			r = set_text(cp, c, &ci->display_text, 0);
		} else if (is_el(c, "subject")) {
			r = set_text(cp, c, &ci->subject, 0);
		} else if (is_el(c, "free-text")) {
			r = set_text(cp, c, &ci->free_text, 0);
		} else if (is_el(c, "keywords")) {
			r = set_text(cp, c, &ci->keywords, 1);
		} else if (is_el(c, "conf-uris")) {
			r = parse_uris(cp, c, &ci->conf_uris, &ci->nconf_uris);
		} else if (is_el(c, "service-uris")) {
			r = parse_uris(cp, c, &ci->service_uris,
				       &ci->nservice_uris);
		} else if (is_el(c, "maximum-user-count")) {
			r = uint_text(cp, c, &ci->max_user_count);
			ci->has_max_user_count = 1;
		} else if (is_el(c, "available-media")) {
			r = parse_available_media(cp, c, ci);
		}
	}
	return r;
}

static int parse_conference_state(struct confinfo_xml_err *cp, const xmlNode *n,
				  struct confinfo *ci)
{
	const xmlNode *c;
	int r = 0;

	ci->has_conference_state = 1;
	for (c = n->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "user-count")) {
			r = uint_text(cp, c, &ci->user_count);
			ci->has_user_count = 1;
		} else if (is_el(c, "active")) {
			r = bool_text(cp, c, &ci->active);
		} else if (is_el(c, "locked")) {
			r = bool_text(cp, c, &ci->locked);
		}
	}
	return r;
}

static int parse_root(struct confinfo_xml_err *cp, const xmlNode *root,
		      struct confinfo **out)
{
	struct confinfo *ci;
	const xmlNode *c;
	const char *v;
	int r = 0;

	if (!is_el(root, "conference-info"))
		return cp_fail(cp, root,
			       "root element is <%s> in namespace \"%.80s\", "
			       "not <conference-info> in " CONFINFO_NS,
			       (const char *)root->name,
			       root->ns ? (const char *)root->ns->href : "");
	ci = confinfo_new(NULL);
	if (ci == NULL)
		return cp_oom(cp, root);
	if (key_attr(cp, root, "entity", &ci->entity) < 0 ||
	    state_attr(cp, root, &ci->state) < 0)
		goto fail;
	v = attr(root, NULL, "version");
	if (v == NULL) {
		cp_fail(cp, root, "<conference-info> without version");
		goto fail;
	}
	if (parse_uint(v, &ci->version) < 0) {
		cp_fail(cp, root, "<conference-info> version \"%.40s\" is not "
			"an unsigned 32-bit number", v);
		goto fail;
	}
	ci->has_version = 1;
	for (c = root->children; c != NULL && r == 0; c = c->next) {
		if (is_el(c, "conference-description"))
			r = parse_description(cp, c, ci);
		else if (is_el(c, "conference-state"))
			r = parse_conference_state(cp, c, ci);
		else if (is_el(c, "users"))
			r = parse_users(cp, c, ci);
	}
	if (r < 0)
		goto fail;
	*out = ci;
	return 0;
fail:
	confinfo_free(ci);
	return SX_ERROR;
}

int confinfo_parse(const char *xml, size_t len, struct confinfo **out,
		   struct sx_err *err)
{
	struct confinfo_xml_err cp;
	struct sx_err scratch;
	xmlDocPtr doc;
	int r;

	*out = NULL;
	cp.xml = xml;
	cp.len = len;
	cp.err = err ? err : &scratch;
	cp.failed = 0;
	sx_err_clear(cp.err);
	doc = confinfo_xml_read(&cp);
	if (doc == NULL)
		return SX_ERROR;
	r = parse_root(&cp, xmlDocGetRootElement(doc), out);
	xmlFreeDoc(doc);
	return r;
}
