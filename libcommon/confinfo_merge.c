/*
 * confinfo_merge.c - RFC 4575 §4.6 (constructing coherent state) on the
 * subscriber's side: confinfo_apply() folds a notification into the local
 * copy of the conference state.  confinfo_diff.c is the notifier's side.
 *
 * The state attribute works at the <users>, <user>, <endpoint> and <media>
 * levels, keyed by user entity, endpoint entity and media id: a full item
 * replaces the one held, a partial one replaces only the sub-elements it
 * carries, a deleted one removes it.  An item without the attribute takes
 * the schema default, full; <users> without it inside a partial document is
 * taken as partial, since "full" there would mean every unmentioned user had
 * left, which no notifier sending a partial document means.  Elements that
 * carry no state (conference-description and conference-state children,
 * uri lists, roles) replace what is held when present.
 *
 * The local copy is kept in full form: states cleared, deleted items gone.
 */
#include "confinfo_int.h"

#include <stdlib.h>
#include <string.h>

/* --- local copy upkeep -------------------------------------------------- */

static void media_drop(struct confinfo_endpoint *e, size_t i)
{
	confinfo_media_clear(&e->media[i]);
	memmove(&e->media[i], &e->media[i + 1],
		(e->nmedia - i - 1) * sizeof(e->media[0]));
	e->nmedia--;
}

static void endpoint_drop(struct confinfo_user *u, size_t i)
{
	confinfo_endpoint_clear(&u->endpoints[i]);
	memmove(&u->endpoints[i], &u->endpoints[i + 1],
		(u->nendpoints - i - 1) * sizeof(u->endpoints[0]));
	u->nendpoints--;
}

static void user_drop(struct confinfo *ci, size_t i)
{
	confinfo_user_clear(&ci->users[i]);
	memmove(&ci->users[i], &ci->users[i + 1],
		(ci->nusers - i - 1) * sizeof(ci->users[0]));
	ci->nusers--;
}

static void normalize_endpoint(struct confinfo_endpoint *e)
{
	size_t i = 0;

	e->state = CONFINFO_STATE_ABSENT;
	while (i < e->nmedia) {
		if (e->media[i].state == CONFINFO_DELETED) {
			media_drop(e, i);
		} else {
			e->media[i].state = CONFINFO_STATE_ABSENT;
			i++;
		}
	}
}

static void normalize_user(struct confinfo_user *u)
{
	size_t i = 0;

	u->state = CONFINFO_STATE_ABSENT;
	while (i < u->nendpoints) {
		if (u->endpoints[i].state == CONFINFO_DELETED) {
			endpoint_drop(u, i);
		} else {
			normalize_endpoint(&u->endpoints[i]);
			i++;
		}
	}
}

static void normalize(struct confinfo *ci)
{
	size_t i = 0;

	ci->state = CONFINFO_STATE_ABSENT;
	ci->users_state = CONFINFO_STATE_ABSENT;
	while (i < ci->nusers) {
		if (ci->users[i].state == CONFINFO_DELETED) {
			user_drop(ci, i);
		} else {
			normalize_user(&ci->users[i]);
			i++;
		}
	}
}

/* --- apply -------------------------------------------------------------- */

static int apply_media(struct confinfo_endpoint *e,
		       const struct confinfo_media *m)
{
	struct confinfo_media *cur = confinfo_media_find(e->media, e->nmedia,
							 m->id);
	struct confinfo_media copy;
	void *grown;

	if (m->state == CONFINFO_DELETED) {
		if (cur != NULL)
			media_drop(e, (size_t)(cur - e->media));
		return 0;
	}
	if (cur != NULL && m->state == CONFINFO_PARTIAL)
		return confinfo_set_str(&cur->display_text, m->display_text) |
		       confinfo_set_str(&cur->type, m->type) |
		       confinfo_set_str(&cur->label, m->label) |
		       confinfo_set_str(&cur->src_id, m->src_id) |
		       confinfo_set_str(&cur->status, m->status);
	if (confinfo_media_copy(&copy, m) < 0)
		return -1;
	copy.state = CONFINFO_STATE_ABSENT;
	if (cur != NULL) {
		confinfo_media_clear(cur);
		*cur = copy;
		return 0;
	}
	grown = realloc(e->media, (e->nmedia + 1) * sizeof(*e->media));
	if (grown == NULL) {
		confinfo_media_clear(&copy);
		return -1;
	}
	e->media = grown;
	e->media[e->nmedia++] = copy;
	return 0;
}

static int apply_endpoint(struct confinfo_user *u,
			  const struct confinfo_endpoint *e)
{
	struct confinfo_endpoint *cur = confinfo_endpoint_find(u, e->entity);
	struct confinfo_endpoint copy;
	void *grown;
	size_t i;

	if (e->state == CONFINFO_DELETED) {
		if (cur != NULL)
			endpoint_drop(u, (size_t)(cur - u->endpoints));
		return 0;
	}
	if (cur != NULL && e->state == CONFINFO_PARTIAL) {
		if (confinfo_set_str(&cur->display_text, e->display_text) |
		    confinfo_set_str(&cur->status, e->status) |
		    confinfo_set_str(&cur->joining_method, e->joining_method) |
		    confinfo_set_str(&cur->joining_when, e->joining_when) |
		    confinfo_set_str(&cur->disconnection_method,
				     e->disconnection_method) |
		    confinfo_set_str(&cur->disconnection_reason,
				     e->disconnection_reason) |
		    confinfo_set_str(&cur->referred_by, e->referred_by))
			return -1;
		for (i = 0; i < e->nmedia; i++)
			if (apply_media(cur, &e->media[i]) < 0)
				return -1;
		return 0;
	}
	if (confinfo_endpoint_copy(&copy, e) < 0)
		return -1;
	normalize_endpoint(&copy);
	if (cur != NULL) {
		confinfo_endpoint_clear(cur);
		*cur = copy;
		return 0;
	}
	grown = realloc(u->endpoints, (u->nendpoints + 1) * sizeof(copy));
	if (grown == NULL) {
		confinfo_endpoint_clear(&copy);
		return -1;
	}
	u->endpoints = grown;
	u->endpoints[u->nendpoints++] = copy;
	return 0;
}

static int apply_user(struct confinfo *ci, const struct confinfo_user *u)
{
	struct confinfo_user *cur = confinfo_user_find(ci, u->entity);
	struct confinfo_user copy;
	void *grown;
	size_t i;

	if (u->state == CONFINFO_DELETED) {
		if (cur != NULL)
			user_drop(ci, (size_t)(cur - ci->users));
		return 0;
	}
	if (cur != NULL && u->state == CONFINFO_PARTIAL) {
		if (confinfo_set_str(&cur->display_text, u->display_text) |
		    confinfo_set_str(&cur->nickname, u->nickname) |
		    confinfo_set_str(&cur->languages, u->languages))
			return -1;
		if (u->naors > 0 &&
		    confinfo_set_strv(&cur->aors, &cur->naors, u->aors,
				      u->naors) < 0)
			return -1;
		if (u->has_roles) {
			if (confinfo_set_strv(&cur->roles, &cur->nroles,
					      u->roles, u->nroles) < 0)
				return -1;
			cur->has_roles = 1;
		}
		for (i = 0; i < u->nendpoints; i++)
			if (apply_endpoint(cur, &u->endpoints[i]) < 0)
				return -1;
		return 0;
	}
	if (confinfo_user_copy(&copy, u) < 0)
		return -1;
	normalize_user(&copy);
	if (cur != NULL) {
		confinfo_user_clear(cur);
		*cur = copy;
		return 0;
	}
	grown = realloc(ci->users, (ci->nusers + 1) * sizeof(copy));
	if (grown == NULL) {
		confinfo_user_clear(&copy);
		return -1;
	}
	ci->users = grown;
	ci->users[ci->nusers++] = copy;
	return 0;
}

static int apply_users(struct confinfo *ci, const struct confinfo *n)
{
	size_t i;

	ci->has_users = 1;
	if (n->users_state == CONFINFO_FULL) {
		struct confinfo_user *v = NULL;
		size_t nv = 0;

		if (n->nusers > 0) {
			v = calloc(n->nusers, sizeof(*v));
			if (v == NULL)
				return -1;
		}
		for (i = 0; i < n->nusers; i++) {
			if (n->users[i].state == CONFINFO_DELETED)
				continue;
			if (confinfo_user_copy(&v[nv], &n->users[i]) < 0) {
				confinfo_users_free(v, nv);
				return -1;
			}
			normalize_user(&v[nv++]);
		}
		confinfo_users_free(ci->users, ci->nusers);
		ci->users = v;
		ci->nusers = nv;
		return 0;
	}
	if (n->users_state == CONFINFO_DELETED) {
		confinfo_users_free(ci->users, ci->nusers);
		ci->users = NULL;
		ci->nusers = 0;
		return 0;
	}
	for (i = 0; i < n->nusers; i++)
		if (apply_user(ci, &n->users[i]) < 0)
			return -1;
	return 0;
}

static int apply_description(struct confinfo *ci, const struct confinfo *n)
{
	struct confinfo_media *media;
	struct confinfo_uri *uris;
	size_t k, i;

	ci->has_description = 1;
	if (confinfo_set_str(&ci->display_text, n->display_text) |
	    confinfo_set_str(&ci->subject, n->subject) |
	    confinfo_set_str(&ci->free_text, n->free_text) |
	    confinfo_set_str(&ci->keywords, n->keywords))
		return -1;
	if (n->nconf_uris > 0) {
		if (confinfo_uris_copy(&uris, &k, n->conf_uris,
				       n->nconf_uris) < 0)
			return -1;
		confinfo_uris_free(ci->conf_uris, ci->nconf_uris);
		ci->conf_uris = uris;
		ci->nconf_uris = k;
	}
	if (n->nservice_uris > 0) {
		if (confinfo_uris_copy(&uris, &k, n->service_uris,
				       n->nservice_uris) < 0)
			return -1;
		confinfo_uris_free(ci->service_uris, ci->nservice_uris);
		ci->service_uris = uris;
		ci->nservice_uris = k;
	}
	if (n->has_max_user_count) {
		ci->has_max_user_count = 1;
		ci->max_user_count = n->max_user_count;
	}
	if (n->navailable_media > 0) {
		if (confinfo_medias_copy(&media, &k, n->available_media,
					 n->navailable_media) < 0)
			return -1;
		for (i = 0; i < k; i++)
			media[i].state = CONFINFO_STATE_ABSENT;
		confinfo_medias_free(ci->available_media,
				     ci->navailable_media);
		ci->available_media = media;
		ci->navailable_media = k;
	}
	return 0;
}

static void apply_conference_state(struct confinfo *ci,
				   const struct confinfo *n)
{
	ci->has_conference_state = 1;
	if (n->has_user_count) {
		ci->has_user_count = 1;
		ci->user_count = n->user_count;
	}
	if (n->active >= 0)
		ci->active = n->active;
	if (n->locked >= 0)
		ci->locked = n->locked;
}

static enum confinfo_apply_result apply_full(struct confinfo *state,
					     const struct confinfo *n,
					     struct sx_err *err)
{
	struct confinfo *d = confinfo_dup(n), tmp;

	if (d == NULL) {
		sx_err_set(err, 0, "out of memory");
		return CONFINFO_INVALID;
	}
	normalize(d);
	tmp = *state;
	*state = *d;
	*d = tmp;
	confinfo_free(d);
	return CONFINFO_APPLIED;
}

enum confinfo_apply_result confinfo_apply(struct confinfo *state,
					  const struct confinfo *n,
					  struct sx_err *err)
{
	int r = 0;

	sx_err_clear(err);
	if (!n->has_version) {
		sx_err_set(err, 0, "notification without a version");
		return CONFINFO_INVALID;
	}
	if (state->entity != NULL && n->entity != NULL &&
	    strcmp(state->entity, n->entity) != 0) {
		sx_err_set(err, 0, "notification for %.100s, not %.100s",
			   n->entity, state->entity);
		return CONFINFO_INVALID;
	}
	if (state->has_version && n->version <= state->version)
		return CONFINFO_STALE;
	if (n->state == CONFINFO_DELETED) {
		sx_err_set(err, 0, "a conference-info document cannot be "
			   "deleted");
		return CONFINFO_INVALID;
	}
	if (n->state != CONFINFO_PARTIAL)
		return apply_full(state, n, err);
	if (!state->has_version) {
		sx_err_set(err, 0, "partial notification before any full "
			   "state");
		return CONFINFO_INVALID;
	}
	if (n->version - state->version > 1)
		return CONFINFO_GAP;

	if (n->has_description)
		r = apply_description(state, n);
	if (r == 0 && n->has_conference_state)
		apply_conference_state(state, n);
	if (r == 0 && n->has_users)
		r = apply_users(state, n);
	if (r < 0) {
		/* half applied: only a full document can repair it */
		state->has_version = 0;
		sx_err_set(err, 0, "out of memory: full state needed");
		return CONFINFO_INVALID;
	}
	state->version = n->version;
	return CONFINFO_APPLIED;
}
