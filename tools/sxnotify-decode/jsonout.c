/*
 * jsonout.c - the JSON form of a conference-info model (RFC 4575 §5,
 * RFC 6501 nickname).  The member names are an interface documented in
 * sxnotify-decode(1): scripts depend on them, so they change only with a
 * note there.
 *
 * Conventions: element names with '-' become '_'; a scalar that the
 * document does not carry is left out (never null); lists are always
 * present, empty when the document has none; numbers are JSON integers.
 */
#include "decode.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* A JSON string; bytes that are not UTF-8 (a file name can hold any)
 * become U+FFFD rather than losing the whole value. */
static json_t *jsonout_str(const char *s)
{
	json_t *j = json_string(s);
	size_t left = strlen(s);
	const char *p = s;
	char *fixed, *q;

	if (j != NULL)
		return j;
	fixed = malloc(left * 3 + 1);
	if (fixed == NULL)
		return NULL;
	for (q = fixed; left > 0;) {
		size_t n = utf8_decode(p, left, NULL);

		if (n == 0) {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			n = 1;
		} else {
			memcpy(q, p, n);
			q += n;
		}
		p += n;
		left -= n;
	}
	*q = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

static void jsonout_set_str(json_t *o, const char *key, const char *val)
{
	if (val != NULL)
		json_object_set_new(o, key, jsonout_str(val));
}

static void jsonout_set_state(json_t *o, enum confinfo_state s)
{
	if (s != CONFINFO_STATE_ABSENT)
		json_object_set_new(o, "state",
				    json_string(confinfo_state_name(s)));
}

static json_t *jsonout_strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, jsonout_str(v[i]));
	return a;
}

static json_t *jsonout_media(const struct confinfo_media *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		jsonout_set_str(o, "id", m[i].id);
		jsonout_set_state(o, m[i].state);
		jsonout_set_str(o, "display_text", m[i].display_text);
		jsonout_set_str(o, "type", m[i].type);
		jsonout_set_str(o, "label", m[i].label);
		jsonout_set_str(o, "src_id", m[i].src_id);
		jsonout_set_str(o, "status", m[i].status);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *jsonout_endpoints(const struct confinfo_user *u)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < u->nendpoints; i++) {
		const struct confinfo_endpoint *e = &u->endpoints[i];
		json_t *o = json_object();

		jsonout_set_str(o, "entity", e->entity);
		jsonout_set_state(o, e->state);
		jsonout_set_str(o, "display_text", e->display_text);
		jsonout_set_str(o, "status", e->status);
		jsonout_set_str(o, "joining_method", e->joining_method);
		jsonout_set_str(o, "joining_when", e->joining_when);
		jsonout_set_str(o, "disconnection_method",
				e->disconnection_method);
		jsonout_set_str(o, "disconnection_reason",
				e->disconnection_reason);
		jsonout_set_str(o, "referred_by", e->referred_by);
		json_object_set_new(o, "media",
				    jsonout_media(e->media, e->nmedia));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *jsonout_users(const struct confinfo *ci)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];
		json_t *o = json_object();

		jsonout_set_str(o, "entity", u->entity);
		jsonout_set_state(o, u->state);
		jsonout_set_str(o, "display_text", u->display_text);
		jsonout_set_str(o, "nickname", u->nickname);
		json_object_set_new(o, "roles",
				    jsonout_strings(u->roles, u->nroles));
		json_object_set_new(o, "aors",
				    jsonout_strings(u->aors, u->naors));
		jsonout_set_str(o, "languages", u->languages);
		json_object_set_new(o, "endpoints", jsonout_endpoints(u));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *jsonout_uris(const struct confinfo_uri *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		jsonout_set_str(o, "uri", v[i].uri);
		jsonout_set_str(o, "display_text", v[i].display_text);
		jsonout_set_str(o, "purpose", v[i].purpose);
		json_array_append_new(a, o);
	}
	return a;
}

/* available-media entries are keyed by their label (§5.3.4). */
static json_t *jsonout_available_media(const struct confinfo *ci)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ci->navailable_media; i++) {
		const struct confinfo_media *m = &ci->available_media[i];
		json_t *o = json_object();

		jsonout_set_str(o, "label", m->label ? m->label : m->id);
		jsonout_set_str(o, "display_text", m->display_text);
		jsonout_set_str(o, "type", m->type);
		jsonout_set_str(o, "status", m->status);
		json_array_append_new(a, o);
	}
	return a;
}

static void jsonout_set_bool(json_t *o, const char *key, int v)
{
	if (v >= 0)
		json_object_set_new(o, key, json_boolean(v));
}

static json_t *jsonout_conference(const struct confinfo *ci, const char *file)
{
	json_t *o = json_object();

	if (file != NULL)
		json_object_set_new(o, "file", jsonout_str(file));
	jsonout_set_str(o, "entity", ci->entity);
	if (ci->has_version)
		json_object_set_new(o, "version",
				    json_integer((json_int_t)ci->version));
	json_object_set_new(o, "state", json_string(confinfo_state_name(
		ci->state ? ci->state : CONFINFO_FULL)));
	jsonout_set_str(o, "display_text", ci->display_text);
	jsonout_set_str(o, "subject", ci->subject);
	jsonout_set_str(o, "free_text", ci->free_text);
	jsonout_set_str(o, "keywords", ci->keywords);
	if (ci->has_max_user_count)
		json_object_set_new(o, "max_user_count",
				    json_integer((json_int_t)ci->max_user_count));
	json_object_set_new(o, "conf_uris",
			    jsonout_uris(ci->conf_uris, ci->nconf_uris));
	json_object_set_new(o, "service_uris",
			    jsonout_uris(ci->service_uris, ci->nservice_uris));
	json_object_set_new(o, "available_media",
			    jsonout_available_media(ci));
	if (ci->has_user_count)
		json_object_set_new(o, "user_count",
				    json_integer((json_int_t)ci->user_count));
	jsonout_set_bool(o, "active", ci->active);
	jsonout_set_bool(o, "locked", ci->locked);
	json_object_set_new(o, "users", jsonout_users(ci));
	return o;
}

int jsonout_print(FILE *out, const struct confinfo *ci, const char *file,
		  int pretty)
{
	json_t *o = jsonout_conference(ci, file);
	size_t flags = JSON_PRESERVE_ORDER |
		       (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	int rc;

	if (o == NULL)
		return SX_ERROR;
	rc = json_dumpf(o, out, flags);
	json_decref(o);
	if (rc != 0)
		return SX_ERROR;
	fputc('\n', out);
	return 0;
}
