/*
 * confinfo_write.c - the model of confinfo.h as an RFC 4575 §5
 * conference-info document, with the RFC 6501 xcon:nickname attribute.
 *
 * Elements come in the order of the schema's sequences (RFC 4575 §5.2 ff.),
 * so that what is written validates against it; the default namespace is
 * conference-info, and xmlns:xcon is declared only when a nickname is
 * written.  A user, endpoint or media marked deleted is written as its key
 * and state alone.  RFC 4575 gives <media> no state attribute: it is
 * written only for partial or deleted media, which a valid document cannot
 * express and confinfo_diff() never produces.
 *
 * A small growing buffer rather than xmlTextWriter: the output is a fixed
 * shape, one allocation doubling is all it costs, and the escaping is ours
 * to make total: bytes that are not UTF-8 and characters XML 1.0 cannot
 * carry become U+FFFD, so every model yields a well-formed document.
 */
#include "confinfo_int.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"

struct wb {
	char *p;
	size_t len, cap;
	int oom;
	int open;       /* a start tag still waits for its '>' */
	int depth;
};

static void wb_put(struct wb *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom || n == 0)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void wb_puts(struct wb *b, const char *s)
{
	wb_put(b, s, strlen(s));
}

/* Length of the well-formed UTF-8 character at p (left bytes) that XML
 * 1.0 §2.2 allows, or 0: utf8_decode() already refuses surrogates, and
 * U+FFFE and U+FFFF are no XML characters either. */
static size_t xml_char_len(const char *p, size_t left)
{
	unsigned long cp;
	size_t n = utf8_decode(p, left, &cp);

	if (n == 0 || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* Writes s escaped as character data, or as a double-quoted attribute
 * value where tabs and line ends must be references to survive attribute
 * value normalization. */
static void wb_esc(struct wb *b, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p, *end = p + strlen(s);
	const char *rep;
	size_t adv;

	while (*p != '\0') {
		rep = NULL;
		adv = 1;
		if (*p >= 0x80) {
			adv = xml_char_len((const char *)p, (size_t)(end - p));
			if (adv == 0) {
				rep = REPLACEMENT;
				adv = 1;
			}
		} else if (*p == '&') {
			rep = "&amp;";
		} else if (*p == '<') {
			rep = "&lt;";
		} else if (*p == '>') {
			rep = "&gt;";
		} else if (*p == '"' && attr) {
			rep = "&quot;";
		} else if (*p == '\t' && attr) {
			rep = "&#9;";
		} else if (*p == '\n' && attr) {
			rep = "&#10;";
		} else if (*p == '\r') {
			rep = "&#13;";
		} else if (*p < 0x20 && *p != '\t' && *p != '\n') {
			rep = REPLACEMENT;
		}
		if (rep != NULL) {
			wb_put(b, (const char *)run, (size_t)(p - run));
			wb_puts(b, rep);
			run = p + adv;
		}
		p += adv;
	}
	wb_put(b, (const char *)run, (size_t)(p - run));
}

static void wb_close_open(struct wb *b)
{
	if (b->open) {
		wb_puts(b, ">");
		b->open = 0;
	}
}

static void wb_newline(struct wb *b)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)b->depth * 2;

	wb_puts(b, "\n");
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		wb_put(b, spaces, k);
		n -= k;
	}
}

static void wb_start(struct wb *b, const char *name)
{
	wb_close_open(b);
	wb_newline(b);
	wb_puts(b, "<");
	wb_puts(b, name);
	b->open = 1;
	b->depth++;
}

static void wb_attr(struct wb *b, const char *name, const char *value)
{
	wb_puts(b, " ");
	wb_puts(b, name);
	wb_puts(b, "=\"");
	wb_esc(b, value ? value : "", 1);
	wb_puts(b, "\"");
}

static void wb_end(struct wb *b, const char *name)
{
	b->depth--;
	if (b->open) {
		wb_puts(b, "/>");
		b->open = 0;
		return;
	}
	wb_newline(b);
	wb_puts(b, "</");
	wb_puts(b, name);
	wb_puts(b, ">");
}

static void wb_text(struct wb *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	wb_close_open(b);
	wb_newline(b);
	wb_puts(b, "<");
	wb_puts(b, name);
	wb_puts(b, ">");
	wb_esc(b, value, 0);
	wb_puts(b, "</");
	wb_puts(b, name);
	wb_puts(b, ">");
}

static void wb_num(struct wb *b, const char *name, unsigned long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lu", v);
	wb_text(b, name, num);
}

static void wb_state(struct wb *b, enum confinfo_state s)
{
	if (s != CONFINFO_STATE_ABSENT)
		wb_attr(b, "state", confinfo_state_name(s));
}

/* An execution-type element (RFC 4575 §5.6.5) holding one field. */
static void write_exec(struct wb *b, const char *name, const char *field,
		       const char *value)
{
	if (value == NULL)
		return;
	wb_start(b, name);
	wb_text(b, field, value);
	wb_end(b, name);
}

static void write_media(struct wb *b, const struct confinfo_media *m)
{
	wb_start(b, "media");
	wb_attr(b, "id", m->id);
	if (!confinfo_state_is_full(m->state))
		wb_state(b, m->state);
	if (m->state != CONFINFO_DELETED) {
		wb_text(b, "display-text", m->display_text);
		wb_text(b, "type", m->type);
		wb_text(b, "label", m->label);
		wb_text(b, "src-id", m->src_id);
		wb_text(b, "status", m->status);
	}
	wb_end(b, "media");
}

static void write_endpoint(struct wb *b, const struct confinfo_endpoint *e)
{
	size_t i;

	wb_start(b, "endpoint");
	wb_attr(b, "entity", e->entity);
	wb_state(b, e->state);
	if (e->state != CONFINFO_DELETED) {
		wb_text(b, "display-text", e->display_text);
		write_exec(b, "referred", "by", e->referred_by);
		wb_text(b, "status", e->status);
		wb_text(b, "joining-method", e->joining_method);
		write_exec(b, "joining-info", "when", e->joining_when);
		wb_text(b, "disconnection-method", e->disconnection_method);
		write_exec(b, "disconnection-info", "reason",
			   e->disconnection_reason);
		for (i = 0; i < e->nmedia; i++)
			write_media(b, &e->media[i]);
	}
	wb_end(b, "endpoint");
}

/* A list of <entry> elements, each its text or, with uri set, a <uri>. */
static void write_entries(struct wb *b, const char *name, char *const *v,
			  size_t n, int uri)
{
	size_t i;

	if (n == 0)
		return;
	wb_start(b, name);
	for (i = 0; i < n; i++) {
		if (uri) {
			wb_start(b, "entry");
			wb_text(b, "uri", v[i] ? v[i] : "");
			wb_end(b, "entry");
		} else {
			wb_text(b, "entry", v[i] ? v[i] : "");
		}
	}
	wb_end(b, name);
}

static void write_user(struct wb *b, const struct confinfo_user *u)
{
	size_t i;

	wb_start(b, "user");
	wb_attr(b, "entity", u->entity);
	wb_state(b, u->state);
	if (u->state != CONFINFO_DELETED) {
		if (u->nickname != NULL)
			wb_attr(b, "xcon:nickname", u->nickname);
		wb_text(b, "display-text", u->display_text);
		write_entries(b, "associated-aors", u->aors, u->naors, 1);
		write_entries(b, "roles", u->roles, u->nroles, 0);
		wb_text(b, "languages", u->languages);
		for (i = 0; i < u->nendpoints; i++)
			write_endpoint(b, &u->endpoints[i]);
	}
	wb_end(b, "user");
}

static void write_uris(struct wb *b, const char *name,
		       const struct confinfo_uri *v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	wb_start(b, name);
	for (i = 0; i < n; i++) {
		wb_start(b, "entry");
		wb_text(b, "uri", v[i].uri ? v[i].uri : "");
		wb_text(b, "display-text", v[i].display_text);
		wb_text(b, "purpose", v[i].purpose);
		wb_end(b, "entry");
	}
	wb_end(b, name);
}

static void write_description(struct wb *b, const struct confinfo *ci)
{
	const struct confinfo_media *m;
	size_t i;

	wb_start(b, "conference-description");
	wb_text(b, "display-text", ci->display_text);
	wb_text(b, "subject", ci->subject);
	wb_text(b, "free-text", ci->free_text);
	wb_text(b, "keywords", ci->keywords);
	write_uris(b, "conf-uris", ci->conf_uris, ci->nconf_uris);
	write_uris(b, "service-uris", ci->service_uris, ci->nservice_uris);
	if (ci->has_max_user_count)
		wb_num(b, "maximum-user-count", ci->max_user_count);
	if (ci->navailable_media > 0) {
		wb_start(b, "available-media");
		for (i = 0; i < ci->navailable_media; i++) {
			m = &ci->available_media[i];
			wb_start(b, "entry");
			wb_attr(b, "label", m->id ? m->id : m->label);
			wb_text(b, "display-text", m->display_text);
			wb_text(b, "type", m->type);
			wb_text(b, "status", m->status);
			wb_end(b, "entry");
		}
		wb_end(b, "available-media");
	}
	wb_end(b, "conference-description");
}

static void write_conference_state(struct wb *b, const struct confinfo *ci)
{
	wb_start(b, "conference-state");
	if (ci->has_user_count)
		wb_num(b, "user-count", ci->user_count);
	if (ci->active >= 0)
		wb_text(b, "active", ci->active ? "true" : "false");
	if (ci->locked >= 0)
		wb_text(b, "locked", ci->locked ? "true" : "false");
	wb_end(b, "conference-state");
}

static int needs_xcon(const struct confinfo *ci)
{
	size_t i;

	for (i = 0; i < ci->nusers; i++)
		if (ci->users[i].nickname != NULL &&
		    ci->users[i].state != CONFINFO_DELETED)
			return 1;
	return 0;
}

char *confinfo_write(const struct confinfo *ci, size_t *len)
{
	struct wb b;
	char num[24];
	size_t i;

	if (ci == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	wb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	wb_start(&b, "conference-info");
	wb_attr(&b, "xmlns", CONFINFO_NS);
	if (needs_xcon(ci))
		wb_attr(&b, "xmlns:xcon", CONFINFO_XCON_NS);
	wb_attr(&b, "entity", ci->entity);
	wb_state(&b, ci->state);
	if (ci->has_version) {
		snprintf(num, sizeof(num), "%lu", ci->version);
		wb_attr(&b, "version", num);
	}
	if (ci->has_description)
		write_description(&b, ci);
	if (ci->has_conference_state)
		write_conference_state(&b, ci);
	if (ci->has_users) {
		wb_start(&b, "users");
		wb_state(&b, ci->users_state);
		for (i = 0; i < ci->nusers; i++)
			write_user(&b, &ci->users[i]);
		wb_end(&b, "users");
	}
	wb_end(&b, "conference-info");
	wb_puts(&b, "\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (len != NULL)
		*len = b.len;
	return b.p;
}
