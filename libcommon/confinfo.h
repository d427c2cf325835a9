/*
 * confinfo.h - the RFC 4575 conference-info model (with the RFC 6501
 * xcon:nickname attribute), its XML codec and the §4.6 notification rules.
 *
 *   confinfo.c        model: allocation, copy, free, lookups, comparison
 *   confinfo_xml.c    reading XML with libxml2: network, entities, DTD off
 *   confinfo_parse.c  XML tree -> model
 *   confinfo_write.c  model -> XML
 *   confinfo_merge.c  applying notifications (§4.6)
 *   confinfo_diff.c   computing partial notifications (§4.6)
 *
 * Strings are NUL-terminated UTF-8 owned by the model (free with
 * confinfo_free).  In a partial document an absent element is NULL (or has
 * its has_ flag clear), meaning "unchanged"; in a full document it means
 * "not there".
 *
 * Error convention: sx_err.h; parse errors carry line and column.
 */
#ifndef SX_CONFINFO_H
#define SX_CONFINFO_H

#include <stddef.h>

#include "sx_err.h"

#define CONFINFO_NS   "urn:ietf:params:xml:ns:conference-info"
#define CONFINFO_XCON_NS "urn:ietf:params:xml:ns:xcon-conference-info"
#define CONFINFO_MIME "application/conference-info+xml"

enum confinfo_state {
	CONFINFO_STATE_ABSENT = 0,  /* attribute absent: full by default */
	CONFINFO_FULL,
	CONFINFO_PARTIAL,
	CONFINFO_DELETED,
};

struct confinfo_media {
	char *id;                   /* key, required */
	enum confinfo_state state;
	char *display_text;
	char *type;                 /* "message", "audio"... */
	char *label;
	char *src_id;
	char *status;               /* sendrecv, sendonly, recvonly, inactive */
};

struct confinfo_endpoint {
	char *entity;               /* key, required */
	enum confinfo_state state;
	char *display_text;
	char *status;               /* connected, disconnected, on-hold,
				       muted-via-focus, pending, alerting,
				       dialing-in, dialing-out, disconnecting */
	char *joining_method;       /* dialed-in, dialed-out, focus-owner */
	char *joining_when;         /* joining-info/when (dateTime) */
	char *disconnection_method; /* departed, booted, failed, busy */
	char *disconnection_reason; /* disconnection-info/reason */
	char *referred_by;          /* referred/by */
	struct confinfo_media *media;
	size_t nmedia;
};

struct confinfo_user {
	char *entity;               /* key, required */
	enum confinfo_state state;
	char *display_text;
	char *nickname;             /* RFC 6501 xcon:nickname attribute */
	char **aors;                /* associated-aors/entry/uri */
	size_t naors;
	int has_roles;              /* a <roles> element was present */
	char **roles;               /* roles/entry */
	size_t nroles;
	char *languages;
	struct confinfo_endpoint *endpoints;
	size_t nendpoints;
};

struct confinfo_uri {
	char *uri;
	char *display_text;
	char *purpose;
};

struct confinfo {
	char *entity;               /* required */
	enum confinfo_state state;
	unsigned long version;      /* required on a notification */
	int has_version;

	/* <conference-description> */
	int has_description;
	char *display_text;
	char *subject;
	char *free_text;
	char *keywords;
	struct confinfo_uri *conf_uris;
	size_t nconf_uris;
	struct confinfo_uri *service_uris;
	size_t nservice_uris;
	int has_max_user_count;
	unsigned long max_user_count;
	struct confinfo_media *available_media;  /* entry label is the key,
						    kept in media.label and
						    media.id */
	size_t navailable_media;

	/* <conference-state> */
	int has_conference_state;
	int has_user_count;
	unsigned long user_count;
	int active;                 /* -1 absent, 0 false, 1 true */
	int locked;                 /* -1 absent, 0 false, 1 true */

	/* <users> */
	int has_users;
	enum confinfo_state users_state;
	struct confinfo_user *users;
	size_t nusers;
};

/* Model */
struct confinfo *confinfo_new(const char *entity);
void confinfo_free(struct confinfo *ci);
struct confinfo *confinfo_dup(const struct confinfo *ci);
struct confinfo_user *confinfo_user_find(const struct confinfo *ci,
					 const char *entity);
/* Adds a user with this entity (copied) and returns it, zeroed otherwise.
 * Keys stay unique: when the entity is already there, that user is returned.
 * The _add functions grow their array, so a pointer they returned earlier
 * for the same parent is stale after the next _add or _remove.  NULL when
 * memory runs out. */
struct confinfo_user *confinfo_user_add(struct confinfo *ci, const char *entity);
void confinfo_user_remove(struct confinfo *ci, const char *entity);
struct confinfo_endpoint *confinfo_endpoint_add(struct confinfo_user *u,
						const char *entity);
struct confinfo_media *confinfo_media_add(struct confinfo_endpoint *e,
					  const char *id);
/* The name to show for a user: nickname, else display-text, else entity. */
const char *confinfo_user_name(const struct confinfo_user *u);
/* 1 when a and b describe the same thing: users, endpoints and media are
 * compared by key in any order, an absent state counts as "full", an empty
 * <roles> as none. */
int confinfo_equal(const struct confinfo *a, const struct confinfo *b);

/* Parses a conference-info document.  The XML parser never touches the
 * network, never expands entities and refuses a DTD; a document that is not
 * well-formed or that breaks RFC 4575 rules (missing entity or version,
 * unknown state, user without entity, duplicate keys) is refused with
 * err->line and err->column set where the problem is.  Returns 0 or
 * SX_ERROR. */
int confinfo_parse(const char *xml, size_t len, struct confinfo **out,
		   struct sx_err *err);

/* Serializes to a malloc'd NUL-terminated document; *len gets its length.
 * Elements absent from the model are left out, so a partial model yields
 * a partial document. */
char *confinfo_write(const struct confinfo *ci, size_t *len);

/* Applies notification n to the local state (§4.6).  state may start as an
 * empty model from confinfo_new() with version 0 and no has_version.  The
 * local state is kept in full form (states cleared, deleted items gone).
 * <users> without a state attribute in a partial document is merged as
 * partial.  Results: */
enum confinfo_apply_result {
	CONFINFO_APPLIED = 0,
	CONFINFO_STALE,   /* n->version <= local version: ignored */
	CONFINFO_GAP,     /* n->version > local + 1 and n is partial: the
			     subscriber must refresh (local state unchanged) */
	CONFINFO_INVALID, /* n cannot apply (partial before any full,
			     different entity): err says why */
};
enum confinfo_apply_result confinfo_apply(struct confinfo *state,
					  const struct confinfo *n,
					  struct sx_err *err);

/* The partial document that turns from into to: version to->version,
 * state partial; changed users (partial or full), new users (full),
 * removed users (deleted); description and conference-state elements only
 * when they changed.  When from is NULL the result is a full copy of to,
 * and so it is when the change is one no partial document can say (a
 * description or conference-state value removed, the users element gone).
 * Applying the result to from yields to.  NULL when memory runs out. */
struct confinfo *confinfo_diff(const struct confinfo *from,
			       const struct confinfo *to);

const char *confinfo_state_name(enum confinfo_state s);

#endif
