/*
 * confinfo_diff.c - RFC 4575 §4.6 on the notifier's side: the partial
 * notification that takes a subscriber from one conference state to the
 * next, the inverse of confinfo_apply() (confinfo_merge.c).
 *
 * Only what changed is sent: new users in full, removed users as deleted
 * with their entity alone, and a changed user as a partial user carrying
 * the changed fields and endpoints when that is smaller than the user in
 * full.  Within a partial user an endpoint is partial or full by the same
 * rule.  A removal that no state attribute can express (a field that went
 * away, a media stream that ended) makes its item full, and at the
 * conference-description and conference-state level it makes the whole
 * document full.
 */
#include "confinfo_int.h"

#include <stdlib.h>
#include <string.h>

/* Rough markup bytes of an element, enough to tell a partial item from a
 * full one by size. */
#define W_EL 16

static size_t w_str(const char *s)
{
	return s ? strlen(s) + W_EL : 0;
}

static size_t w_media(const struct confinfo_media *m)
{
	return W_EL + w_str(m->id) + w_str(m->display_text) + w_str(m->type) +
	       w_str(m->label) + w_str(m->src_id) + w_str(m->status);
}

static size_t w_endpoint(const struct confinfo_endpoint *e)
{
	size_t w = W_EL + w_str(e->entity) + w_str(e->display_text) +
		   w_str(e->status) + w_str(e->joining_method) +
		   w_str(e->joining_when) + w_str(e->disconnection_method) +
		   w_str(e->disconnection_reason) + w_str(e->referred_by);
	size_t i;

	for (i = 0; e->state != CONFINFO_DELETED && i < e->nmedia; i++)
		w += w_media(&e->media[i]);
	return w;
}

static size_t w_user(const struct confinfo_user *u)
{
	size_t w = W_EL + w_str(u->entity) + w_str(u->display_text) +
		   w_str(u->nickname) + w_str(u->languages);
	size_t i;

	for (i = 0; i < u->naors; i++)
		w += 2 * W_EL + w_str(u->aors[i]);
	for (i = 0; i < u->nroles; i++)
		w += w_str(u->roles[i]);
	for (i = 0; i < u->nendpoints; i++)
		w += w_endpoint(&u->endpoints[i]);
	return w;
}

/* Sets *dst to a copy of to when it differs from from; *full is set when
 * the change is a removal, which only a full item can say. */
static int diff_str(char **dst, const char *from, const char *to, int *full)
{
	if (confinfo_str_eq(from, to))
		return 0;
	if (to == NULL) {
		*full = 1;
		return 0;
	}
	return confinfo_set_str(dst, to);
}

static int full_item_endpoint(struct confinfo_endpoint *out,
			      const struct confinfo_endpoint *to)
{
	if (confinfo_endpoint_copy(out, to) < 0)
		return -1;
	out->state = CONFINFO_FULL;
	return 0;
}

static int diff_endpoint(struct confinfo_endpoint *out,
			 const struct confinfo_endpoint *from,
			 const struct confinfo_endpoint *to)
{
	const struct confinfo_media *fm;
	int full = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->state = CONFINFO_PARTIAL;
	if (confinfo_set_str(&out->entity, to->entity) |
	    diff_str(&out->display_text, from->display_text,
		     to->display_text, &full) |
	    diff_str(&out->status, from->status, to->status, &full) |
	    diff_str(&out->joining_method, from->joining_method,
		     to->joining_method, &full) |
	    diff_str(&out->joining_when, from->joining_when,
		     to->joining_when, &full) |
	    diff_str(&out->disconnection_method, from->disconnection_method,
		     to->disconnection_method, &full) |
	    diff_str(&out->disconnection_reason, from->disconnection_reason,
		     to->disconnection_reason, &full) |
	    diff_str(&out->referred_by, from->referred_by, to->referred_by,
		     &full))
		goto oom;
	/* a media stream has no state attribute to be deleted with */
	for (i = 0; i < from->nmedia; i++)
		if (!confinfo_media_find(to->media, to->nmedia,
					 from->media[i].id))
			full = 1;
	if (!full && to->nmedia > 0) {
		out->media = calloc(to->nmedia, sizeof(*out->media));
		if (out->media == NULL)
			goto oom;
	}
	for (i = 0; !full && i < to->nmedia; i++) {
		fm = confinfo_media_find(from->media, from->nmedia,
					 to->media[i].id);
		if (fm != NULL &&
		    confinfo_medias_equal(fm, 1, &to->media[i], 1))
			continue;
		if (confinfo_media_copy(&out->media[out->nmedia],
					&to->media[i]) < 0)
			goto oom;
		out->media[out->nmedia++].state = CONFINFO_STATE_ABSENT;
	}
	if (full || w_endpoint(out) >= w_endpoint(to)) {
		confinfo_endpoint_clear(out);
		return full_item_endpoint(out, to);
	}
	return 0;
oom:
	confinfo_endpoint_clear(out);
	return -1;
}

static int deleted_endpoint(struct confinfo_endpoint *out, const char *entity)
{
	memset(out, 0, sizeof(*out));
	out->state = CONFINFO_DELETED;
	out->entity = strdup(entity);
	return out->entity ? 0 : -1;
}

static int diff_user_endpoints(struct confinfo_user *out,
			       const struct confinfo_user *from,
			       const struct confinfo_user *to)
{
	const struct confinfo_endpoint *fe;
	struct confinfo_endpoint *slot;
	size_t i, max = from->nendpoints + to->nendpoints;
	int r;

	if (max == 0)
		return 0;
	out->endpoints = calloc(max, sizeof(*out->endpoints));
	if (out->endpoints == NULL)
		return -1;
	for (i = 0; i < to->nendpoints; i++) {
		fe = confinfo_endpoint_find(from, to->endpoints[i].entity);
		if (fe != NULL &&
		    confinfo_endpoint_equal(fe, &to->endpoints[i]))
			continue;
		slot = &out->endpoints[out->nendpoints];
		r = fe ? diff_endpoint(slot, fe, &to->endpoints[i]) :
			 full_item_endpoint(slot, &to->endpoints[i]);
		if (r < 0)
			return -1;
		out->nendpoints++;
	}
	for (i = 0; i < from->nendpoints; i++) {
		if (confinfo_endpoint_find(to, from->endpoints[i].entity))
			continue;
		if (deleted_endpoint(&out->endpoints[out->nendpoints],
				     from->endpoints[i].entity) < 0)
			return -1;
		out->nendpoints++;
	}
	return 0;
}

static int full_item_user(struct confinfo_user *out,
			  const struct confinfo_user *to)
{
	if (confinfo_user_copy(out, to) < 0)
		return -1;
	out->state = CONFINFO_FULL;
	return 0;
}

static int diff_user(struct confinfo_user *out,
		     const struct confinfo_user *from,
		     const struct confinfo_user *to)
{
	int full = 0;

	memset(out, 0, sizeof(*out));
	out->state = CONFINFO_PARTIAL;
	if (confinfo_set_str(&out->entity, to->entity) |
	    diff_str(&out->display_text, from->display_text,
		     to->display_text, &full) |
	    diff_str(&out->nickname, from->nickname, to->nickname, &full) |
	    diff_str(&out->languages, from->languages, to->languages, &full))
		goto oom;
	if (!confinfo_strv_equal(from->aors, from->naors, to->aors,
				 to->naors)) {
		if (to->naors == 0)
			full = 1;
		else if (confinfo_set_strv(&out->aors, &out->naors,
					   to->aors, to->naors) < 0)
			goto oom;
	}
	if (!confinfo_strv_equal(from->roles, from->nroles, to->roles,
				 to->nroles)) {
		/* an empty <roles> is not valid: no roles is a full user */
		if (to->nroles == 0)
			full = 1;
		else if (confinfo_set_strv(&out->roles, &out->nroles,
					   to->roles, to->nroles) < 0)
			goto oom;
		out->has_roles = 1;
	}
	if (!full && diff_user_endpoints(out, from, to) < 0)
		goto oom;
	if (full || w_user(out) >= w_user(to)) {
		confinfo_user_clear(out);
		return full_item_user(out, to);
	}
	return 0;
oom:
	confinfo_user_clear(out);
	return -1;
}

/* Users sorted by entity, so that a roster of hundreds is diffed in
 * n log n. */
static int uref_cmp(const void *a, const void *b)
{
	const struct confinfo_user *const *x = a, *const *y = b;

	return strcmp((*x)->entity, (*y)->entity);
}

static const struct confinfo_user **user_index(const struct confinfo *ci)
{
	const struct confinfo_user **v;
	size_t i;

	v = malloc((ci->nusers ? ci->nusers : 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < ci->nusers; i++)
		v[i] = &ci->users[i];
	qsort(v, ci->nusers, sizeof(*v), uref_cmp);
	return v;
}

static const struct confinfo_user *
user_lookup(const struct confinfo_user **idx, size_t n,
	    const struct confinfo_user *key)
{
	const struct confinfo_user *const *hit;

	hit = bsearch(&key, idx, n, sizeof(*idx), uref_cmp);
	return hit ? *hit : NULL;
}

static int diff_users(struct confinfo *d, const struct confinfo *from,
		      const struct confinfo *to)
{
	const struct confinfo_user **fidx, **tidx = NULL;
	const struct confinfo_user *f;
	struct confinfo_user *slot;
	size_t i, max = from->nusers + to->nusers;
	int r = -1;

	fidx = user_index(from);
	tidx = fidx ? user_index(to) : NULL;
	if (tidx == NULL)
		goto out;
	d->users_state = CONFINFO_PARTIAL;
	if (max > 0) {
		d->users = calloc(max, sizeof(*d->users));
		if (d->users == NULL)
			goto out;
	}
	for (i = 0; i < to->nusers; i++) {
		f = user_lookup(fidx, from->nusers, &to->users[i]);
		if (f != NULL && confinfo_user_equal(f, &to->users[i]))
			continue;
		slot = &d->users[d->nusers];
		if ((f ? diff_user(slot, f, &to->users[i]) :
			 full_item_user(slot, &to->users[i])) < 0)
			goto out;
		d->nusers++;
	}
	for (i = 0; i < from->nusers; i++) {
		if (user_lookup(tidx, to->nusers, &from->users[i]))
			continue;
		slot = &d->users[d->nusers];
		slot->state = CONFINFO_DELETED;
		slot->entity = strdup(from->users[i].entity);
		if (slot->entity == NULL)
			goto out;
		d->nusers++;
	}
	d->has_users = d->nusers > 0 || !from->has_users;
	r = 0;
out:
	free(fidx);
	free(tidx);
	return r;
}

static int removed(const char *from, const char *to)
{
	return from != NULL && to == NULL;
}

/* Changes a partial document cannot say: a value that was there and is
 * not any more, where the element carries no state to delete it with. */
static int needs_full(const struct confinfo *from, const struct confinfo *to)
{
	return (from->has_description && !to->has_description) ||
	       removed(from->display_text, to->display_text) ||
	       removed(from->subject, to->subject) ||
	       removed(from->free_text, to->free_text) ||
	       removed(from->keywords, to->keywords) ||
	       (from->nconf_uris > 0 && to->nconf_uris == 0) ||
	       (from->nservice_uris > 0 && to->nservice_uris == 0) ||
	       (from->navailable_media > 0 && to->navailable_media == 0) ||
	       (from->has_max_user_count && !to->has_max_user_count) ||
	       (from->has_conference_state && !to->has_conference_state) ||
	       (from->has_user_count && !to->has_user_count) ||
	       (from->active >= 0 && to->active < 0) ||
	       (from->locked >= 0 && to->locked < 0) ||
	       (from->has_users && !to->has_users);
}

static int diff_description(struct confinfo *d, const struct confinfo *from,
			    const struct confinfo *to)
{
	int fresh = !from->has_description, unused = 0;

	if (!to->has_description)
		return 0;
	if (diff_str(&d->display_text, fresh ? NULL : from->display_text,
		     to->display_text, &unused) |
	    diff_str(&d->subject, fresh ? NULL : from->subject, to->subject,
		     &unused) |
	    diff_str(&d->free_text, fresh ? NULL : from->free_text,
		     to->free_text, &unused) |
	    diff_str(&d->keywords, fresh ? NULL : from->keywords,
		     to->keywords, &unused))
		return -1;
	if ((fresh || !confinfo_uris_equal(from->conf_uris, from->nconf_uris,
					   to->conf_uris, to->nconf_uris)) &&
	    confinfo_uris_copy(&d->conf_uris, &d->nconf_uris, to->conf_uris,
			       to->nconf_uris) < 0)
		return -1;
	if ((fresh || !confinfo_uris_equal(from->service_uris,
					   from->nservice_uris,
					   to->service_uris,
					   to->nservice_uris)) &&
	    confinfo_uris_copy(&d->service_uris, &d->nservice_uris,
			       to->service_uris, to->nservice_uris) < 0)
		return -1;
	if ((fresh || !confinfo_medias_equal(from->available_media,
					     from->navailable_media,
					     to->available_media,
					     to->navailable_media)) &&
	    confinfo_medias_copy(&d->available_media, &d->navailable_media,
				 to->available_media,
				 to->navailable_media) < 0)
		return -1;
	if (to->has_max_user_count &&
	    (fresh || !from->has_max_user_count ||
	     from->max_user_count != to->max_user_count)) {
		d->has_max_user_count = 1;
		d->max_user_count = to->max_user_count;
	}
	d->has_description = fresh || d->display_text || d->subject ||
			     d->free_text || d->keywords || d->nconf_uris ||
			     d->nservice_uris || d->navailable_media ||
			     d->has_max_user_count;
	return 0;
}

static void diff_conference_state(struct confinfo *d,
				  const struct confinfo *from,
				  const struct confinfo *to)
{
	int fresh = !from->has_conference_state;

	if (!to->has_conference_state)
		return;
	if (to->has_user_count &&
	    (fresh || !from->has_user_count ||
	     from->user_count != to->user_count)) {
		d->has_user_count = 1;
		d->user_count = to->user_count;
	}
	if (to->active != (fresh ? -1 : from->active))
		d->active = to->active;
	if (to->locked != (fresh ? -1 : from->locked))
		d->locked = to->locked;
	d->has_conference_state = fresh || d->has_user_count ||
				  d->active >= 0 || d->locked >= 0;
}

struct confinfo *confinfo_diff(const struct confinfo *from,
			       const struct confinfo *to)
{
	struct confinfo *d;

	if (to == NULL)
		return NULL;
	if (from == NULL || !confinfo_str_eq(from->entity, to->entity) ||
	    needs_full(from, to)) {
		d = confinfo_dup(to);
		if (d != NULL)
			d->state = CONFINFO_FULL;
		return d;
	}
	d = confinfo_new(to->entity);
	if (d == NULL)
		return NULL;
	d->state = CONFINFO_PARTIAL;
	d->version = to->version;
	d->has_version = to->has_version;
	if (diff_description(d, from, to) < 0 ||
	    (to->has_users && diff_users(d, from, to) < 0)) {
		confinfo_free(d);
		return NULL;
	}
	diff_conference_state(d, from, to);
	return d;
}
