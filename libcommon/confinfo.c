/*
 * confinfo.c - the RFC 4575 conference-info model: allocation, deep copy,
 * release, keyed lookups (user entity, endpoint entity, media id, RFC 4575
 * §5.6, §5.7) and comparison.  See confinfo.h.
 *
 * Arrays grow by one element at a time: a roster changes by a handful of
 * users per notification, and the parser sizes its arrays once.
 */
#include "confinfo_int.h"

#include <stdlib.h>
#include <string.h>

int confinfo_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int confinfo_state_is_full(enum confinfo_state s)
{
	return s == CONFINFO_STATE_ABSENT || s == CONFINFO_FULL;
}

const char *confinfo_state_name(enum confinfo_state s)
{
	switch (s) {
	case CONFINFO_STATE_ABSENT:
	case CONFINFO_FULL:
		return "full";
	case CONFINFO_PARTIAL:
		return "partial";
	case CONFINFO_DELETED:
		return "deleted";
	}
	return "?";
}

/* strdup() that keeps NULL as NULL; *fail is set when memory runs out. */
static char *dup_opt(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*fail = 1;
	return d;
}

/* Replaces *dst by a copy of src when src is there. */
int confinfo_set_str(char **dst, const char *src)
{
	char *d;

	if (src == NULL)
		return 0;
	d = strdup(src);
	if (d == NULL)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

int confinfo_set_strv(char ***dst, size_t *ndst, char *const *src, size_t n)
{
	char **v;
	size_t nv;

	if (confinfo_strv_copy(&v, &nv, src, n) < 0)
		return -1;
	confinfo_strv_free(*dst, *ndst);
	*dst = v;
	*ndst = nv;
	return 0;
}

/* --- release ------------------------------------------------------------ */

void confinfo_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void confinfo_uris_free(struct confinfo_uri *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].uri);
		free(v[i].display_text);
		free(v[i].purpose);
	}
	free(v);
}

void confinfo_media_clear(struct confinfo_media *m)
{
	free(m->id);
	free(m->display_text);
	free(m->type);
	free(m->label);
	free(m->src_id);
	free(m->status);
	memset(m, 0, sizeof(*m));
}

void confinfo_medias_free(struct confinfo_media *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		confinfo_media_clear(&v[i]);
	free(v);
}

void confinfo_endpoint_clear(struct confinfo_endpoint *e)
{
	free(e->entity);
	free(e->display_text);
	free(e->status);
	free(e->joining_method);
	free(e->joining_when);
	free(e->disconnection_method);
	free(e->disconnection_reason);
	free(e->referred_by);
	confinfo_medias_free(e->media, e->nmedia);
	memset(e, 0, sizeof(*e));
}

void confinfo_user_clear(struct confinfo_user *u)
{
	size_t i;

	free(u->entity);
	free(u->display_text);
	free(u->nickname);
	confinfo_strv_free(u->aors, u->naors);
	confinfo_strv_free(u->roles, u->nroles);
	free(u->languages);
	for (i = 0; i < u->nendpoints; i++)
		confinfo_endpoint_clear(&u->endpoints[i]);
	free(u->endpoints);
	memset(u, 0, sizeof(*u));
}

void confinfo_users_free(struct confinfo_user *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		confinfo_user_clear(&v[i]);
	free(v);
}

void confinfo_free(struct confinfo *ci)
{
	if (ci == NULL)
		return;
	free(ci->entity);
	free(ci->display_text);
	free(ci->subject);
	free(ci->free_text);
	free(ci->keywords);
	confinfo_uris_free(ci->conf_uris, ci->nconf_uris);
	confinfo_uris_free(ci->service_uris, ci->nservice_uris);
	confinfo_medias_free(ci->available_media, ci->navailable_media);
	confinfo_users_free(ci->users, ci->nusers);
	free(ci);
}

/* --- copy --------------------------------------------------------------- */

int confinfo_strv_copy(char ***dst, size_t *ndst, char *const *src, size_t n)
{
	size_t i;

	*dst = NULL;
	*ndst = 0;
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (*dst == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		(*dst)[i] = strdup(src[i] ? src[i] : "");
		if ((*dst)[i] == NULL) {
			confinfo_strv_free(*dst, i);
			*dst = NULL;
			return -1;
		}
	}
	*ndst = n;
	return 0;
}

int confinfo_uris_copy(struct confinfo_uri **dst, size_t *ndst,
		       const struct confinfo_uri *src, size_t n)
{
	int fail = 0;
	size_t i;

	*dst = NULL;
	*ndst = 0;
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (*dst == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		(*dst)[i].uri = dup_opt(src[i].uri, &fail);
		(*dst)[i].display_text = dup_opt(src[i].display_text, &fail);
		(*dst)[i].purpose = dup_opt(src[i].purpose, &fail);
	}
	*ndst = n;
	if (fail) {
		confinfo_uris_free(*dst, n);
		*dst = NULL;
		*ndst = 0;
		return -1;
	}
	return 0;
}

int confinfo_media_copy(struct confinfo_media *dst,
			const struct confinfo_media *src)
{
	int fail = 0;

	dst->id = dup_opt(src->id, &fail);
	dst->state = src->state;
	dst->display_text = dup_opt(src->display_text, &fail);
	dst->type = dup_opt(src->type, &fail);
	dst->label = dup_opt(src->label, &fail);
	dst->src_id = dup_opt(src->src_id, &fail);
	dst->status = dup_opt(src->status, &fail);
	if (fail) {
		confinfo_media_clear(dst);
		return -1;
	}
	return 0;
}

int confinfo_medias_copy(struct confinfo_media **dst, size_t *ndst,
			 const struct confinfo_media *src, size_t n)
{
	size_t i;

	*dst = NULL;
	*ndst = 0;
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (*dst == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (confinfo_media_copy(&(*dst)[i], &src[i]) < 0) {
			confinfo_medias_free(*dst, i);
			*dst = NULL;
			return -1;
		}
	}
	*ndst = n;
	return 0;
}

int confinfo_endpoint_copy(struct confinfo_endpoint *dst,
			   const struct confinfo_endpoint *src)
{
	int fail = 0;

	memset(dst, 0, sizeof(*dst));
	dst->entity = dup_opt(src->entity, &fail);
	dst->state = src->state;
	dst->display_text = dup_opt(src->display_text, &fail);
	dst->status = dup_opt(src->status, &fail);
	dst->joining_method = dup_opt(src->joining_method, &fail);
	dst->joining_when = dup_opt(src->joining_when, &fail);
	dst->disconnection_method = dup_opt(src->disconnection_method, &fail);
	dst->disconnection_reason = dup_opt(src->disconnection_reason, &fail);
	dst->referred_by = dup_opt(src->referred_by, &fail);
	if (confinfo_medias_copy(&dst->media, &dst->nmedia, src->media,
				 src->nmedia) < 0)
		fail = 1;
	if (fail) {
		confinfo_endpoint_clear(dst);
		return -1;
	}
	return 0;
}

int confinfo_user_copy(struct confinfo_user *dst,
		       const struct confinfo_user *src)
{
	int fail = 0;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->entity = dup_opt(src->entity, &fail);
	dst->state = src->state;
	dst->display_text = dup_opt(src->display_text, &fail);
	dst->nickname = dup_opt(src->nickname, &fail);
	dst->languages = dup_opt(src->languages, &fail);
	dst->has_roles = src->has_roles;
	if (confinfo_strv_copy(&dst->aors, &dst->naors, src->aors,
			       src->naors) < 0 ||
	    confinfo_strv_copy(&dst->roles, &dst->nroles, src->roles,
			       src->nroles) < 0)
		fail = 1;
	if (!fail && src->nendpoints > 0) {
		dst->endpoints = calloc(src->nendpoints,
					sizeof(*dst->endpoints));
		if (dst->endpoints == NULL)
			fail = 1;
	}
	for (i = 0; !fail && i < src->nendpoints; i++) {
		if (confinfo_endpoint_copy(&dst->endpoints[i],
					   &src->endpoints[i]) < 0)
			fail = 1;
		else
			dst->nendpoints = i + 1;
	}
	if (fail) {
		confinfo_user_clear(dst);
		return -1;
	}
	return 0;
}

struct confinfo *confinfo_new(const char *entity)
{
	struct confinfo *ci = calloc(1, sizeof(*ci));
	int fail = 0;

	if (ci == NULL)
		return NULL;
	ci->entity = dup_opt(entity, &fail);
	ci->active = -1;
	ci->locked = -1;
	if (fail) {
		free(ci);
		return NULL;
	}
	return ci;
}

struct confinfo *confinfo_dup(const struct confinfo *ci)
{
	struct confinfo *d;
	int fail = 0;
	size_t i;

	if (ci == NULL)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	*d = *ci;
	/* every owned pointer is replaced below, so that a failure part way
	 * leaves d releasable */
	d->entity = d->display_text = d->subject = NULL;
	d->free_text = d->keywords = NULL;
	d->conf_uris = d->service_uris = NULL;
	d->nconf_uris = d->nservice_uris = 0;
	d->available_media = NULL;
	d->navailable_media = 0;
	d->users = NULL;
	d->nusers = 0;

	d->entity = dup_opt(ci->entity, &fail);
	d->display_text = dup_opt(ci->display_text, &fail);
	d->subject = dup_opt(ci->subject, &fail);
	d->free_text = dup_opt(ci->free_text, &fail);
	d->keywords = dup_opt(ci->keywords, &fail);
	if (confinfo_uris_copy(&d->conf_uris, &d->nconf_uris, ci->conf_uris,
			       ci->nconf_uris) < 0 ||
	    confinfo_uris_copy(&d->service_uris, &d->nservice_uris,
			       ci->service_uris, ci->nservice_uris) < 0 ||
	    confinfo_medias_copy(&d->available_media, &d->navailable_media,
				 ci->available_media,
				 ci->navailable_media) < 0)
		fail = 1;
	if (!fail && ci->nusers > 0) {
		d->users = calloc(ci->nusers, sizeof(*d->users));
		if (d->users == NULL)
			fail = 1;
	}
	for (i = 0; !fail && i < ci->nusers; i++) {
		if (confinfo_user_copy(&d->users[i], &ci->users[i]) < 0)
			fail = 1;
		else
			d->nusers = i + 1;
	}
	if (fail) {
		confinfo_free(d);
		return NULL;
	}
	return d;
}

/* --- keyed lookups ------------------------------------------------------ */

struct confinfo_user *confinfo_user_find(const struct confinfo *ci,
					 const char *entity)
{
	size_t i;

	if (ci == NULL || entity == NULL)
		return NULL;
	for (i = 0; i < ci->nusers; i++)
		if (confinfo_str_eq(ci->users[i].entity, entity))
			return &ci->users[i];
	return NULL;
}

struct confinfo_endpoint *confinfo_endpoint_find(const struct confinfo_user *u,
						 const char *entity)
{
	size_t i;

	for (i = 0; i < u->nendpoints; i++)
		if (confinfo_str_eq(u->endpoints[i].entity, entity))
			return &u->endpoints[i];
	return NULL;
}

struct confinfo_media *confinfo_media_find(const struct confinfo_media *v,
					   size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (confinfo_str_eq(v[i].id, id))
			return (struct confinfo_media *)&v[i];
	return NULL;
}

/* Grows array v of n elements of size sz by one zeroed element for the
 * _add functions, and copies the new element's key: the new array with
 * the copy in *dup, or NULL when memory runs out (v untouched, nothing
 * in *dup to free). */
static void *grow_keyed(void *v, size_t n, size_t sz, const char *key,
			char **dup)
{
	char *p;

	*dup = strdup(key);
	if (*dup == NULL)
		return NULL;
	p = realloc(v, (n + 1) * sz);
	if (p == NULL) {
		free(*dup);
		return NULL;
	}
	memset(p + n * sz, 0, sz);
	return p;
}

struct confinfo_user *confinfo_user_add(struct confinfo *ci, const char *entity)
{
	struct confinfo_user *u = confinfo_user_find(ci, entity);
	void *grown;
	char *key;

	if (u != NULL || entity == NULL)
		return u;
	grown = grow_keyed(ci->users, ci->nusers, sizeof(*u), entity, &key);
	if (grown == NULL)
		return NULL;
	ci->users = grown;
	u = &ci->users[ci->nusers++];
	u->entity = key;
	return u;
}

struct confinfo_endpoint *confinfo_endpoint_add(struct confinfo_user *u,
						const char *entity)
{
	struct confinfo_endpoint *e = confinfo_endpoint_find(u, entity);
	void *grown;
	char *key;

	if (e != NULL || entity == NULL)
		return e;
	grown = grow_keyed(u->endpoints, u->nendpoints, sizeof(*e), entity,
			   &key);
	if (grown == NULL)
		return NULL;
	u->endpoints = grown;
	e = &u->endpoints[u->nendpoints++];
	e->entity = key;
	return e;
}

struct confinfo_media *confinfo_media_add(struct confinfo_endpoint *e,
					  const char *id)
{
	struct confinfo_media *m = confinfo_media_find(e->media, e->nmedia, id);
	void *grown;
	char *key;

	if (m != NULL || id == NULL)
		return m;
	grown = grow_keyed(e->media, e->nmedia, sizeof(*m), id, &key);
	if (grown == NULL)
		return NULL;
	e->media = grown;
	m = &e->media[e->nmedia++];
	m->id = key;
	return m;
}

void confinfo_user_remove(struct confinfo *ci, const char *entity)
{
	struct confinfo_user *u = confinfo_user_find(ci, entity);
	size_t i;

	if (u == NULL)
		return;
	i = (size_t)(u - ci->users);
	confinfo_user_clear(u);
	memmove(u, u + 1, (ci->nusers - i - 1) * sizeof(*u));
	ci->nusers--;
}

const char *confinfo_user_name(const struct confinfo_user *u)
{
	if (u->nickname != NULL && u->nickname[0] != '\0')
		return u->nickname;
	if (u->display_text != NULL && u->display_text[0] != '\0')
		return u->display_text;
	return u->entity;
}

/* --- comparison --------------------------------------------------------- */

static int state_eq(enum confinfo_state a, enum confinfo_state b)
{
	return a == b || (confinfo_state_is_full(a) &&
			  confinfo_state_is_full(b));
}

int confinfo_strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!confinfo_str_eq(a[i], b[i]))
			return 0;
	return 1;
}

int confinfo_uris_equal(const struct confinfo_uri *a, size_t na,
			const struct confinfo_uri *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!confinfo_str_eq(a[i].uri, b[i].uri) ||
		    !confinfo_str_eq(a[i].display_text, b[i].display_text) ||
		    !confinfo_str_eq(a[i].purpose, b[i].purpose))
			return 0;
	return 1;
}

static int media_equal(const struct confinfo_media *a,
		       const struct confinfo_media *b)
{
	return confinfo_str_eq(a->id, b->id) && state_eq(a->state, b->state) &&
	       confinfo_str_eq(a->display_text, b->display_text) &&
	       confinfo_str_eq(a->type, b->type) &&
	       confinfo_str_eq(a->label, b->label) &&
	       confinfo_str_eq(a->src_id, b->src_id) &&
	       confinfo_str_eq(a->status, b->status);
}

/* The keyed items of a and b are in any order; keys are unique, so equal
 * counts and a match for every item of a make the sets equal.  Looking at
 * the same index first keeps the usual case (same order) linear. */
int confinfo_medias_equal(const struct confinfo_media *a, size_t na,
			  const struct confinfo_media *b, size_t nb)
{
	const struct confinfo_media *m;
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		m = confinfo_str_eq(a[i].id, b[i].id) ? &b[i] :
			confinfo_media_find(b, nb, a[i].id);
		if (m == NULL || !media_equal(&a[i], m))
			return 0;
	}
	return 1;
}

int confinfo_endpoint_equal(const struct confinfo_endpoint *a,
			    const struct confinfo_endpoint *b)
{
	return confinfo_str_eq(a->entity, b->entity) &&
	       state_eq(a->state, b->state) &&
	       confinfo_str_eq(a->display_text, b->display_text) &&
	       confinfo_str_eq(a->status, b->status) &&
	       confinfo_str_eq(a->joining_method, b->joining_method) &&
	       confinfo_str_eq(a->joining_when, b->joining_when) &&
	       confinfo_str_eq(a->disconnection_method,
			       b->disconnection_method) &&
	       confinfo_str_eq(a->disconnection_reason,
			       b->disconnection_reason) &&
	       confinfo_str_eq(a->referred_by, b->referred_by) &&
	       confinfo_medias_equal(a->media, a->nmedia, b->media,
				     b->nmedia);
}

int confinfo_user_equal(const struct confinfo_user *a,
			const struct confinfo_user *b)
{
	const struct confinfo_endpoint *e;
	size_t i;

	if (!confinfo_str_eq(a->entity, b->entity) ||
	    !state_eq(a->state, b->state) ||
	    !confinfo_str_eq(a->display_text, b->display_text) ||
	    !confinfo_str_eq(a->nickname, b->nickname) ||
	    !confinfo_str_eq(a->languages, b->languages) ||
	    !confinfo_strv_equal(a->aors, a->naors, b->aors, b->naors) ||
	    !confinfo_strv_equal(a->roles, a->nroles, b->roles, b->nroles) ||
	    a->nendpoints != b->nendpoints)
		return 0;
	for (i = 0; i < a->nendpoints; i++) {
		e = confinfo_str_eq(a->endpoints[i].entity,
				    b->endpoints[i].entity) ?
			&b->endpoints[i] :
			confinfo_endpoint_find(b, a->endpoints[i].entity);
		if (e == NULL || !confinfo_endpoint_equal(&a->endpoints[i], e))
			return 0;
	}
	return 1;
}

int confinfo_equal(const struct confinfo *a, const struct confinfo *b)
{
	const struct confinfo_user *u;
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (!confinfo_str_eq(a->entity, b->entity) ||
	    !state_eq(a->state, b->state) ||
	    a->has_version != b->has_version ||
	    (a->has_version && a->version != b->version))
		return 0;
	if (a->has_description != b->has_description ||
	    !confinfo_str_eq(a->display_text, b->display_text) ||
	    !confinfo_str_eq(a->subject, b->subject) ||
	    !confinfo_str_eq(a->free_text, b->free_text) ||
	    !confinfo_str_eq(a->keywords, b->keywords) ||
	    !confinfo_uris_equal(a->conf_uris, a->nconf_uris, b->conf_uris,
				 b->nconf_uris) ||
	    !confinfo_uris_equal(a->service_uris, a->nservice_uris,
				 b->service_uris, b->nservice_uris) ||
	    a->has_max_user_count != b->has_max_user_count ||
	    (a->has_max_user_count &&
	     a->max_user_count != b->max_user_count) ||
	    !confinfo_medias_equal(a->available_media, a->navailable_media,
				   b->available_media, b->navailable_media))
		return 0;
	if (a->has_conference_state != b->has_conference_state ||
	    a->has_user_count != b->has_user_count ||
	    (a->has_user_count && a->user_count != b->user_count) ||
	    a->active != b->active || a->locked != b->locked)
		return 0;
	if (a->has_users != b->has_users ||
	    !state_eq(a->users_state, b->users_state) ||
	    a->nusers != b->nusers)
		return 0;
	for (i = 0; i < a->nusers; i++) {
		u = confinfo_str_eq(a->users[i].entity, b->users[i].entity) ?
			&b->users[i] :
			confinfo_user_find(b, a->users[i].entity);
		if (u == NULL || !confinfo_user_equal(&a->users[i], u))
			return 0;
	}
	return 1;
}
