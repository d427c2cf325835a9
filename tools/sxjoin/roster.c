/*
 * roster.c - the room's roster from its conference event package
 * (RFC 4575): every NOTIFY body is folded into a local copy with
 * confinfo_apply() (§4.6: versions, partial and full states); who joined,
 * left or changed nickname is then found by comparing the participants
 * present before and after.
 *
 * A participant is present when it has a nickname (the RFC 6501 attribute
 * the switch sets once NICKNAME succeeded: RFC 7701 rooms address people
 * by nickname) and an endpoint that is connected, on hold or muted.
 * Participants are keyed by their user entity: the focus sets it to their
 * AOR, or to their AOR with the gr parameter of their GRUU (RFC 5627), so
 * one AOR may be several participants under several nicknames (an XMPP
 * user with several resources, RFC 7702).  Several of one AOR may also
 * share a nickname (XEP-0045 lets a user's resources share theirs): that
 * nickname joins with the first of them and leaves with the last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "confinfo.h"
#include "sxjoin.h"

struct roster_entry {
	char *entity;
	char *nick;
};

struct roster {
	struct confinfo *state;     /* NULL until the first document */
	int applied;                /* a document was applied */
	struct roster_entry *present;  /* sorted by entity */
	size_t npresent;
	const char **nicks;         /* present nicknames, sorted, each once */
	size_t nnicks;
};

struct roster *roster_new(void)
{
	return calloc(1, sizeof(struct roster));
}

static void roster_entries_free(struct roster_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].entity);
		free(v[i].nick);
	}
	free(v);
}

void roster_free(struct roster *r)
{
	if (r == NULL)
		return;
	confinfo_free(r->state);
	roster_entries_free(r->present, r->npresent);
	free(r->nicks);
	free(r);
}

static int roster_endpoint_in(const struct confinfo_endpoint *e)
{
	static const char *const in[] = {
		"connected", "on-hold", "muted-via-focus", NULL,
	};
	size_t i;

	if (e->status == NULL)
		return 1;
	for (i = 0; in[i]; i++)
		if (strcmp(e->status, in[i]) == 0)
			return 1;
	return 0;
}

static int roster_user_present(const struct confinfo_user *u)
{
	size_t i;

	if (u->nickname == NULL || u->nickname[0] == '\0')
		return 0;
	if (u->nendpoints == 0)
		return 1;
	for (i = 0; i < u->nendpoints; i++)
		if (roster_endpoint_in(&u->endpoints[i]))
			return 1;
	return 0;
}

static int roster_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct roster_entry *)a)->entity,
		      ((const struct roster_entry *)b)->entity);
}

/* Case-insensitive order; equal strings end up side by side. */
static int roster_nick_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcasecmp(x, y);

	return c ? c : strcmp(x, y);
}

/* The participants present in r->state, sorted by entity. */
static struct roster_entry *roster_snapshot(const struct confinfo *ci,
					    size_t *n)
{
	struct roster_entry *v = calloc(ci->nusers + 1, sizeof(*v));
	size_t i;

	*n = 0;
	if (v == NULL)
		return NULL;
	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (!roster_user_present(u))
			continue;
		v[*n].entity = strdup(u->entity);
		v[*n].nick = strdup(u->nickname);
		if (v[*n].entity == NULL || v[*n].nick == NULL) {
			roster_entries_free(v, *n + 1);
			return NULL;
		}
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), roster_entry_cmp);
	return v;
}

/* Each nickname once, however many participants share it. */
static int roster_index_nicks(struct roster *r)
{
	const char **v = calloc(r->npresent + 1, sizeof(*v));
	size_t i, n = 0;

	if (v == NULL) {
		/* the old index points into the entries just freed */
		free(r->nicks);
		r->nicks = NULL;
		r->nnicks = 0;
		return -1;
	}
	for (i = 0; i < r->npresent; i++)
		v[i] = r->present[i].nick;
	qsort(v, r->npresent, sizeof(*v), roster_nick_cmp);
	for (i = 0; i < r->npresent; i++)
		if (n == 0 || strcmp(v[n - 1], v[i]) != 0)
			v[n++] = v[i];
	v[n] = NULL;
	free(r->nicks);
	r->nicks = v;
	r->nnicks = n;
	return 0;
}

/* Whether another participant of e's AOR is in v under e's nickname. */
static int roster_nick_shared(const struct roster_entry *v, size_t n,
			      const struct roster_entry *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].entity, e->entity) != 0 &&
		    strcmp(v[i].nick, e->nick) == 0 &&
		    sip_uri_same(v[i].entity, e->entity))
			return 1;
	return 0;
}

/* Why a participant left, when the focus said (RFC 4575 §5.6.7). */
static const char *roster_left_how(const struct confinfo *ci,
				   const char *entity)
{
	const struct confinfo_user *u = confinfo_user_find(ci, entity);
	size_t i;

	for (i = 0; u && i < u->nendpoints; i++)
		if (u->endpoints[i].disconnection_method)
			return u->endpoints[i].disconnection_method;
	return NULL;
}

static void roster_emit(struct sj *app, enum sj_event_type type,
			const struct roster_entry *now,
			const struct roster_entry *before, const char *how)
{
	struct sj_event e = { .type = type };

	/* our own comings and goings are told by the session; another
	 * participant of our AOR has its own GRUU */
	if (sip_uri_same((now ? now : before)->entity, app->aor) &&
	    !sip_uri_has_param((now ? now : before)->entity, "gr"))
		return;
	e.aor = (now ? now : before)->entity;
	e.nick = (now ? now : before)->nick;
	e.old_nick = before && now ? before->nick : NULL;
	e.what = how;
	sj_emit(app, &e);
}

/* Walks both sorted lists: an entity only before left, only now joined,
 * in both under another nickname renamed; a nickname that another
 * participant of that AOR keeps, or already had, neither leaves nor
 * joins. */
static void roster_compare(struct sj *app, const struct roster_entry *a,
			   size_t na, const struct roster_entry *b, size_t nb)
{
	struct roster *r = app->roster;
	size_t i = 0, j = 0;

	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1
					      : strcmp(a[i].entity, b[j].entity);

		if (c < 0) {
			if (!roster_nick_shared(b, nb, &a[i]))
				roster_emit(app, SJ_EV_LEAVE, NULL, &a[i],
					    roster_left_how(r->state,
							    a[i].entity));
			i++;
		} else if (c > 0) {
			if (!roster_nick_shared(a, na, &b[j]))
				roster_emit(app, SJ_EV_JOIN, &b[j], NULL,
					    NULL);
			j++;
		} else {
			if (strcmp(a[i].nick, b[j].nick) != 0)
				roster_emit(app, SJ_EV_RENAME, &b[j], &a[i],
					    NULL);
			i++;
			j++;
		}
	}
}

static void roster_subject(struct sj *app, const char *subject)
{
	struct sj_event e = { .type = SJ_EV_SUBJECT, .text = subject };

	if (subject == NULL || (app->subject &&
				strcmp(app->subject, subject) == 0))
		return;
	free(app->subject);
	app->subject = strdup(subject);
	sj_emit(app, &e);
}

int roster_notify(struct sj *app, const char *body, size_t len)
{
	struct roster *r = app->roster;
	struct roster_entry *now;
	struct confinfo *n = NULL;
	struct sx_err err;
	int first = !r->applied;
	size_t nnow;

	sx_err_clear(&err);
	if (confinfo_parse(body, len, &n, &err) != 0) {
		sj_error(app, "roster", 0, "bad conference-info document "
			 "(line %lu): %s", err.line, err.text);
		return 0;
	}
	if (r->state == NULL && (r->state = confinfo_new(n->entity)) == NULL) {
		confinfo_free(n);
		return 0;
	}
	switch (confinfo_apply(r->state, n, &err)) {
	case CONFINFO_APPLIED:
		break;
	case CONFINFO_STALE:
		confinfo_free(n);
		return 0;
	case CONFINFO_GAP:
		confinfo_free(n);
		return 1;
	case CONFINFO_INVALID:
		sj_error(app, "roster", 0, "conference-info not applicable: "
			 "%s", err.text);
		confinfo_free(n);
		return first;  /* a partial first: ask for the full state */
	}
	confinfo_free(n);
	r->applied = 1;
	now = roster_snapshot(r->state, &nnow);
	if (now == NULL)
		return 0;
	if (!first)
		roster_compare(app, r->present, r->npresent, now, nnow);
	roster_entries_free(r->present, r->npresent);
	r->present = now;
	r->npresent = nnow;
	roster_index_nicks(r);
	if (first)
		roster_who(app);
	roster_subject(app, r->state->subject);
	return 0;
}

size_t roster_nicks(const struct roster *r, const char *const **out)
{
	*out = r->nicks;
	return r->nicks ? r->nnicks : 0;
}

/* A message's CPIM From is the bare AOR: among several participants of
 * it (GRUUs) the sender is named by the From's display name, and this
 * serves only when there is none; then a nickname that is not the same
 * for all of them names no one. */
const char *roster_nick_of(const struct roster *r, const char *aor)
{
	const char *nick = NULL;
	size_t i;

	for (i = 0; i < r->npresent; i++)
		if (strcmp(r->present[i].entity, aor) == 0)
			return r->present[i].nick;
	for (i = 0; i < r->npresent; i++) {
		if (!sip_uri_same(r->present[i].entity, aor))
			continue;
		if (nick && strcmp(nick, r->present[i].nick) != 0)
			return NULL;
		nick = r->present[i].nick;
	}
	return nick;
}

/* The user entity, with ;gr= for a GRUU: a removal by nickname then
 * takes that participant only, not every one of its AOR. */
const char *roster_aor_of(const struct roster *r, const char *nick)
{
	size_t i;

	for (i = 0; i < r->npresent; i++)
		if (strcmp(r->present[i].nick, nick) == 0)
			return r->present[i].entity;
	return NULL;
}

void roster_who(struct sj *app)
{
	struct sj_event e = { .type = SJ_EV_WHO, .room = app->room };

	e.nnicks = roster_nicks(app->roster, &e.nicks);
	sj_emit(app, &e);
}

/* --notify-dir: each body whole under a hidden name first, then renamed,
 * so that a reader never sees half a document. */
void roster_keep(struct sj *app, const char *body, size_t len)
{
	char *tmp = NULL, *name = NULL;
	unsigned seq = app->notify_seq + 1;
	FILE *f;
	int ok;

	if (app->o.notify_dir == NULL)
		return;
	if (asprintf(&tmp, "%s/.notify-%04u.xml.tmp", app->o.notify_dir,
		     seq) < 0)
		tmp = NULL;
	if (tmp == NULL || asprintf(&name, "%s/notify-%04u.xml",
				    app->o.notify_dir, seq) < 0) {
		free(tmp);
		return;
	}
	f = fopen(tmp, "w");
	ok = f && fwrite(body, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, name) == 0) {
		app->notify_seq = seq;
	} else {
		unlink(tmp);
		sj_error(app, "notify-dir", 0, "cannot write %s", name);
	}
	free(tmp);
	free(name);
}
