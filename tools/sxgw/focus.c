/*
 * focus.c - the conference focus's SIP agent (RFC 4579 §5): a sofia-sip
 * nua agent on the [sip] listen addresses, the dispatch of its events to
 * focus_invite.c, focus_sub.c and focus_refer.c, the legs (one per nua
 * handle) and the orderly shutdown.
 *
 * nua runs without its SDP engine (NUTAG_MEDIA_ENABLE(0)): the focus
 * reads and writes the MSRP SDP itself (sdp_msrp.h).  nua answers on its
 * own what the focus never sees: methods outside Allow (405), unknown URI
 * schemes (416), loops and merged requests (482), SUBSCRIBE for an event
 * other than "conference" (489), OPTIONS (200), BYE and CANCEL (200).
 * Everything else is answered here, a REFER with Max-Forwards 0 too
 * (483, focus_refer.c).
 *
 * The agent is self-contained (one struct focus, one nua), so that another
 * part of sxgw can have its own agent on its own port: a request from one
 * to the other then crosses real SIP and no stack sees it as a loop.
 *
 * nua shares the service's su_root in the same thread
 * (su_root_threading(root, 0)): its sockets are watched by the one loop
 * and its callbacks run between the others.
 */
#include "focus_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/url.h>

#include "sx_log.h"
#include "sx_stream.h"
#include "utf8.h"

/* How long focus_shutdown() waits for the agent before giving up: BYEs
 * and final NOTIFYs are answered within a round trip by live peers. */
#define FOCUS_STOP_MS 5000

#define FOCUS_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, SUBSCRIBE, REFER"

/* sofia-sip logs through su_log in pieces of lines; they become debug
 * lines of ours.  The redirection is process-wide, as su_log is. */
static char sofia_line[512];
static size_t sofia_len;

static void focus_sofia_log(void *stream, char const *fmt, va_list ap)
{
	char *nl;
	int n;

	(void)stream;
	n = vsnprintf(sofia_line + sofia_len, sizeof(sofia_line) - sofia_len,
		      fmt, ap);
	if (n < 0)
		return;
	sofia_len += (size_t)n;
	if (sofia_len >= sizeof(sofia_line))
		sofia_len = sizeof(sofia_line) - 1;
	while ((nl = memchr(sofia_line, '\n', sofia_len)) != NULL) {
		*nl = '\0';
		if (nl > sofia_line)
			sx_debug("sofia: %s", sofia_line);
		sofia_len -= (size_t)(nl + 1 - sofia_line);
		memmove(sofia_line, nl + 1, sofia_len);
	}
	if (sofia_len == sizeof(sofia_line) - 1) {
		sofia_line[sofia_len] = '\0';
		sx_debug("sofia: %s", sofia_line);
		sofia_len = 0;
	}
}

/* --- legs ---------------------------------------------------------------- */

static void leg_proto(struct focus_leg *leg, sip_t const *sip)
{
	const char *proto = "udp";

	if (sip && sip->sip_via && sip->sip_via->v_protocol) {
		const char *v = strrchr(sip->sip_via->v_protocol, '/');

		if (v && strcasecmp(v + 1, "TCP") == 0)
			proto = "tcp";
	}
	snprintf(leg->proto, sizeof(leg->proto), "%s", proto);
}

struct focus_leg *focus_leg_new(struct focus *f, nua_handle_t *nh,
				sip_t const *sip)
{
	struct focus_leg *leg = calloc(1, sizeof(*leg));

	if (leg == NULL)
		return NULL;
	leg->f = f;
	leg->nh = nh;
	leg_proto(leg, sip);
	if (sip && sip->sip_from)
		leg->peer = focus_url_aor(sip->sip_from->a_url);
	nua_handle_bind(nh, leg);
	leg->next = f->legs;
	f->legs = leg;
	return leg;
}

int focus_leg_set_room(struct focus_leg *leg, const char *room)
{
	if (leg->room && strcmp(leg->room, room) == 0 && leg->contact)
		return 0;
	free(leg->room);
	free(leg->contact);
	leg->room = strdup(room);
	leg->contact = focus_contact(leg->f, room, leg->proto);
	return leg->room && leg->contact ? 0 : -1;
}

static void leg_free(struct focus_leg *leg)
{
	while (leg->subs)
		focus_sub_free((struct focus_sub *)leg->subs);
	while (leg->refers)
		focus_refer_free((struct focus_refer *)leg->refers);
	if (leg->p)
		leg->p->leg = NULL;
	sx_timer_free(leg->timer);
	free(leg->room);
	free(leg->contact);
	free(leg->peer);
	free(leg->sdp);
	free(leg);
}

void focus_leg_release(struct focus_leg *leg)
{
	struct focus *f = leg->f;
	struct focus_leg **lp;

	if (leg->p || leg->subs || leg->refers || leg->origin ||
	    leg->call == CALL_UP)
		return;
	for (lp = &f->legs; *lp; lp = &(*lp)->next)
		if (*lp == leg) {
			*lp = leg->next;
			break;
		}
	nua_handle_bind(leg->nh, NULL);
	nua_handle_destroy(leg->nh);
	leg_free(leg);
}

/* --- addresses ----------------------------------------------------------- */

static const struct focus_addr *addr_for(const struct focus *f,
					 const char *proto)
{
	int i;

	for (i = 0; i < f->naddr; i++)
		if (strcmp(f->addr[i].proto, proto) == 0)
			return &f->addr[i];
	return &f->addr[0];
}

char *focus_contact(const struct focus *f, const char *room,
		    const char *proto)
{
	const struct focus_addr *a = addr_for(f, proto[0] ? proto : "udp");
	char *s;

	/* RFC 4579 §5: the conference URI with the isfocus feature tag; it
	 * names our own address so that in-dialog requests reach us even
	 * when the conference domain does not resolve to this host. */
	if (asprintf(&s, "<sip:%s@%s:%s;transport=%s>;isfocus", room, a->host,
		     a->port, a->proto) < 0)
		return NULL;
	return s;
}

int focus_is_local(const struct focus *f, url_t const *url)
{
	const char *port = url->url_port && url->url_port[0] ?
		url->url_port : "5060";
	int i;

	if (url->url_host == NULL)
		return 0;
	for (i = 0; i < f->naddr; i++)
		if (strcasecmp(f->addr[i].host, url->url_host) == 0 &&
		    strcmp(f->addr[i].port, port) == 0)
			return 1;
	return 0;
}

static char *url_malloc(url_t const *u)
{
	issize_t n = url_e(NULL, 0, u);
	char *s;

	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s)
		url_e(s, n + 1, u);
	return s;
}

char *focus_url_aor(url_t const *url)
{
	url_t u = *url;

	u.url_params = NULL;
	u.url_headers = NULL;
	u.url_password = NULL;
	return url_malloc(&u);
}

char *focus_url_target(url_t const *url)
{
	url_t u = *url;
	char *params = url->url_params ? strdup(url->url_params) : NULL, *s;

	u.url_headers = NULL;
	u.url_params = url_strip_param_string(params, "method");
	s = url_malloc(&u);
	free(params);
	return s;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The %XX escapes of a URI header value (RFC 3261 §25.1) undone into
 * dst (room for n bytes and a NUL); returns the length, or -1 for a bad
 * escape, a control character or text that is not UTF-8 (the value goes
 * into a header line of ours). */
static long hvalue_decode(char *dst, const char *s, size_t n)
{
	size_t i, len = 0;
	unsigned char c;
	int hi, lo;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		dst[len++] = (char)c;
	}
	dst[len] = '\0';
	return utf8_valid_len(dst, len) == len ? (long)len : -1;
}

int focus_url_header(url_t const *url, const char *name,
		     const char *compact, char **value, struct sx_err *err)
{
	const char *h = url->url_headers, *end, *eq;
	size_t nl;
	long len;

	*value = NULL;
	for (; h && *h; h = *end ? end + 1 : end) {
		end = h + strcspn(h, "&");
		eq = memchr(h, '=', (size_t)(end - h));
		if (eq == NULL)
			continue;
		nl = (size_t)(eq - h);
		if (!(strlen(name) == nl && strncasecmp(h, name, nl) == 0) &&
		    !(compact && strlen(compact) == nl &&
		      strncasecmp(h, compact, nl) == 0))
			continue;
		if (end == eq + 1)
			continue;  /* empty: as good as absent */
		if ((size_t)(end - eq - 1) > 3 * FOCUS_HDR_MAX)
			return sx_err_set(err, 400, "the %s embedded in the "
					  "URI is too long", name);
		*value = malloc((size_t)(end - eq));
		if (*value == NULL)
			return sx_err_set(err, 500, "out of memory");
		len = hvalue_decode(*value, eq + 1, (size_t)(end - eq - 1));
		if (len < 0 || len > FOCUS_HDR_MAX) {
			free(*value);
			*value = NULL;
			return sx_err_set(err, 400, "the %s embedded in the "
					  "URI is not UTF-8 text of at most "
					  "%d bytes without control "
					  "characters", name, FOCUS_HDR_MAX);
		}
		return 0;
	}
	return 0;
}

int focus_is_focus(sip_contact_t const *m)
{
	return m && ((m->m_params && msg_params_find(m->m_params,
						     "isfocus")) ||
		     url_has_param(m->m_url, "isfocus"));
}

char *focus_display(char const *display)
{
	char *s, *end;

	if (display == NULL)
		return NULL;
	s = malloc(strlen(display) + 1);
	if (s == NULL)
		return NULL;
	if (display[0] == '"')
		msg_unquote(s, display);
	else
		strcpy(s, display);
	for (end = s + strlen(s); end > s && (end[-1] == ' ' ||
					    end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

char *focus_request_room(struct focus *f, sip_t const *sip,
			 struct sx_err *err)
{
	url_t const *u = sip->sip_request->rq_url;
	char *s, *name;

	if (u->url_type != url_sip && u->url_type != url_sips) {
		sx_err_set(err, 416, "not a SIP URI");
		return NULL;
	}
	if (focus_is_local(f, u)) {
		if (u->url_user == NULL || u->url_user[0] == '\0') {
			sx_err_set(err, 404, "no room name in the "
				   "Request-URI");
			return NULL;
		}
		return strdup(u->url_user);
	}
	s = focus_url_aor(u);
	if (s == NULL) {
		sx_err_set(err, 500, "out of memory");
		return NULL;
	}
	name = room_uri_name(f->gw, s, err);
	free(s);
	return name;
}

void focus_quote(char *dst, size_t cap, const char *text)
{
	size_t i;

	snprintf(dst, cap, "%s", text);
	for (i = 0; dst[i]; i++)
		if (dst[i] == '"' || dst[i] == '\\' || dst[i] == '\r' ||
		    dst[i] == '\n')
			dst[i] = '\'';
}

void focus_reply(struct focus *f, nua_handle_t *nh, int status,
		 const char *phrase, const char *warning, int with_this)
{
	char w[300];

	if (warning) {
		char text[240];

		focus_quote(text, sizeof(text), warning);
		snprintf(w, sizeof(w), "399 %s \"%s\"", f->gw->cfg->domain,
			 text);
	}
	nua_respond(nh, status, phrase,
		    TAG_IF(with_this, NUTAG_WITH_THIS(f->nua)),
		    TAG_IF(warning, SIPTAG_WARNING_STR(w)),
		    TAG_END());
}

void focus_refuse(struct focus *f, struct focus_leg *leg,
		  const char *method, int status, const char *phrase,
		  const char *why)
{
	const char *ph = phrase ? phrase : sip_status_phrase(status);

	focus_reply(f, leg->nh, status, ph, why, 1);
	sx_info("%s%s%s%s from %s: %d %s (%s)",
		leg->room ? "room " : "SIP ", leg->room ? leg->room : "",
		leg->room ? ": " : "", method, leg->peer ? leg->peer : "-",
		status, ph ? ph : "", why);
	focus_leg_release(leg);
}

struct focus_usage *focus_usage_find(struct focus_usage *list,
				     const char *id)
{
	for (; list; list = list->next)
		if (list->id == NULL ? id == NULL :
		    id && strcmp(list->id, id) == 0)
			return list;
	return NULL;
}

void focus_usage_unlink(struct focus_usage **list, struct focus_usage *u)
{
	for (; *list; list = &(*list)->next)
		if (*list == u) {
			*list = u->next;
			break;
		}
}

struct focus_leg *focus_usage_leg(struct focus *f, nua_handle_t *nh,
				  struct focus_leg *leg, sip_t const *sip)
{
	if (leg)
		return leg;
	leg = focus_leg_new(f, nh, sip);
	if (leg == NULL) {
		nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR,
			    NUTAG_WITH_THIS(f->nua), TAG_END());
		nua_handle_destroy(nh);
	}
	return leg;
}

struct room *focus_usage_room(struct focus *f, struct focus_leg *leg,
			      const char *method, sip_t const *sip)
{
	struct sx_err err;
	struct room *r;
	char *name;

	sx_err_clear(&err);
	/* RFC 6665 §4.5.2: within a dialog of ours, the dialog's room */
	if (leg->room == NULL) {
		name = focus_request_room(f, sip, &err);
		if (name && focus_leg_set_room(leg, name) != 0)
			sx_err_set(&err, 500, "out of memory");
		free(name);
		if (name == NULL || err.status) {
			focus_refuse(f, leg, method,
				     err.status ? err.status : 500, NULL,
				     err.text);
			return NULL;
		}
	}
	r = room_find(f->gw, leg->room);
	if (f->gw->stopping) {
		focus_refuse(f, leg, method, 480, "Service Stopping",
			     "the service is stopping");
		return NULL;
	}
	if (r == NULL) {
		focus_refuse(f, leg, method, 404, "No Such Room",
			     "no such room");
		return NULL;
	}
	return r;
}

void focus_notify(struct focus_leg *leg, const char *package,
		  const char *id, int final, const char *type,
		  const char *body)
{
	char ev[128];

	snprintf(ev, sizeof(ev), "%s%s%s", package, id ? ";id=" : "",
		 id ? id : "");
	nua_notify(leg->nh, SIPTAG_EVENT_STR(ev),
		   TAG_IF(final, SIPTAG_SUBSCRIPTION_STATE_STR(
				  "terminated;reason=noresource")),
		   TAG_IF(!final, NUTAG_SUBSTATE(nua_substate_active)),
		   TAG_IF(body, SIPTAG_CONTENT_TYPE_STR(type)),
		   TAG_IF(body, SIPTAG_PAYLOAD_STR(body)),
		   SIPTAG_CONTACT_STR(leg->contact), TAG_END());
}

/* --- events -------------------------------------------------------------- */

static void focus_stopped(struct focus *f)
{
	void (*done)(void *) = f->done;

	if (f->stop_timer)
		sx_timer_stop(f->stop_timer);
	if (done == NULL)
		return;
	f->done = NULL;
	done(f->done_arg);
}

static void stop_timeout(void *arg)
{
	struct focus *f = arg;

	sx_warn("SIP agent did not finish in %d ms: stopping anyway",
		FOCUS_STOP_MS);
	focus_stopped(f);
}

static void focus_notified(int status, char const *phrase,
			   struct focus_leg *leg, tagi_t const *tags)
{
	tagi_t const *t = tl_find(tags, siptag_event);
	sip_event_t const *o = t ? (sip_event_t const *)t->t_value : NULL;
	int terminated;
	struct focus_refer *ref = NULL;
	struct focus_sub *s = NULL;

	if (leg == NULL)
		return;
	t = tl_find(tags, nutag_substate);
	terminated = (t && t->t_value == nua_substate_terminated) ||
		status >= 300;
	if (o && o->o_type && strcasecmp(o->o_type, "refer") == 0)
		ref = (struct focus_refer *)focus_usage_find(leg->refers,
							     o->o_id);
	else if (o && o->o_type)
		s = (struct focus_sub *)focus_usage_find(leg->subs, o->o_id);
	else if (leg->subs && !leg->refers && !leg->subs->next)
		s = (struct focus_sub *)leg->subs;
	else if (leg->refers && !leg->subs && !leg->refers->next)
		ref = (struct focus_refer *)leg->refers;
	if (ref)
		focus_refer_notified(leg, ref, status, terminated);
	else if (s)
		focus_sub_notified(leg, s, status, phrase, terminated);
}

static void focus_event(nua_event_t event, int status, char const *phrase,
			nua_t *nua, struct focus *f, nua_handle_t *nh,
			struct focus_leg *leg, sip_t const *sip,
			tagi_t tags[])
{
	char *from;

	(void)nua;
	if (f->nua == NULL && event != nua_r_shutdown)
		return;  /* focus_free() is waiting for the agent */
	switch (event) {
	case nua_i_invite:
		focus_invite_incoming(f, nh, leg, sip);
		return;
	case nua_i_ack:
	case nua_i_bye:
	case nua_i_cancel:
	case nua_i_state:
	case nua_r_invite:
	case nua_r_bye:
	case nua_r_cancel:
		if (leg)
			focus_invite_event(event, status, phrase, leg, sip,
					   tags);
		return;
	case nua_i_subscribe:
		focus_sub_incoming(f, nh, leg, status, sip, tags);
		return;
	case nua_i_refer:
		focus_refer_incoming(f, nh, leg, sip, tags);
		return;
	case nua_r_notify:
		focus_notified(status, phrase, leg, tags);
		return;
	case nua_i_options:
		from = sip && sip->sip_from ?
			focus_url_aor(sip->sip_from->a_url) : NULL;
		sx_info("SIP OPTIONS from %s: %d %s", from ? from : "-",
			status, phrase);
		free(from);
		break;
	case nua_r_shutdown:
		sx_debug("SIP agent shutdown: %d %s", status, phrase);
		if (status >= 200) {
			f->nua_down = 1;
			focus_stopped(f);
		}
		return;
	case nua_i_error:
		sx_notice("SIP agent error: %d %s", status, phrase);
		break;
	default:
		sx_debug("SIP event %s: %d %s", nua_event_name(event), status,
			 phrase ? phrase : "");
		break;
	}
	/* a handle nua made for a request we keep nothing of */
	if (nh && leg == NULL)
		nua_handle_destroy(nh);
}

/* --- start and stop ------------------------------------------------------ */

static int parse_listen(struct focus *f, const char *spec, struct sx_err *err)
{
	struct focus_addr *a = &f->addr[f->naddr];
	struct sx_listen_addr la;

	if (sx_listen_split(spec, &la) != 0)
		return sx_err_set(err, 0, "listen %s: udp:HOST:PORT or "
				  "tcp:HOST:PORT expected", spec);
	memcpy(a->proto, la.proto, sizeof(la.proto));
	a->host = strdup(la.host);
	a->port = strdup(la.port);
	if (a->host == NULL || a->port == NULL)
		return sx_err_set(err, 0, "out of memory");
	f->naddr++;
	/* the address is advertised in every Contact: a wildcard would
	 * tell peers nothing they can reach */
	if (!strcmp(a->host, "0.0.0.0") || !strcmp(a->host, "*") ||
	    !strcmp(a->host, "[::]") || !strcmp(a->host, "::"))
		return sx_err_set(err, 0, "listen %s: a wildcard address "
				  "cannot be advertised in Contact; name "
				  "the address to listen on", spec);
	return 0;
}

/* nua binds at most two URLs (NUTAG_URL, NUTAG_SIPS_URL).  UDP and TCP
 * on one host and port make one URL without a transport parameter: sofia
 * then binds its default SIP transports.  A URL naming several
 * ("transport=udp,tcp") must not be used: sofia 1.12's
 * nta_agent_add_tport() keeps a pointer to an array gone out of scope for
 * it, and crashes or not depending on what the stack held. */
static int bind_urls(struct focus *f, char url[2][300], struct sx_err *err)
{
	int n = 0, i, j, seen, both;

	for (i = 0; i < f->naddr; i++) {
		seen = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(f->addr[i].host, f->addr[j].host) &&
			    !strcmp(f->addr[i].port, f->addr[j].port))
				seen = 1;
		if (seen)
			continue;
		if (n == 2)
			return sx_err_set(err, 0, "[sip] listen: at most two "
					  "host:port pairs");
		both = 0;
		for (j = i + 1; j < f->naddr; j++)
			if (!strcmp(f->addr[i].host, f->addr[j].host) &&
			    !strcmp(f->addr[i].port, f->addr[j].port) &&
			    strcmp(f->addr[i].proto, f->addr[j].proto))
				both = 1;
		snprintf(url[n], sizeof(url[n]), "sip:%s:%s%s%s",
			 f->addr[i].host, f->addr[i].port,
			 both ? "" : ";transport=",
			 both ? "" : f->addr[i].proto);
		n++;
	}
	return n;
}

static void focus_addrs_free(struct focus *f)
{
	int i;

	for (i = 0; i < f->naddr; i++) {
		free(f->addr[i].host);
		free(f->addr[i].port);
	}
	f->naddr = 0;
}

struct focus *focus_new(struct sxgw *gw, struct sx_err *err)
{
	const struct sxgw_config *cfg = gw->cfg;
	struct focus *f = calloc(1, sizeof(*f));
	su_root_t *root = sx_loop_root(gw->loop);
	char url[2][300];
	int i, n;

	if (f == NULL) {
		sx_err_set(err, 0, "out of memory");
		return NULL;
	}
	f->gw = gw;
	for (i = 0; i < cfg->nsip_listen; i++)
		if (parse_listen(f, cfg->sip_listen[i], err) != 0)
			goto fail;
	n = bind_urls(f, url, err);
	if (n <= 0)
		goto fail;
	f->stop_timer = sx_timer_new(gw->loop, stop_timeout, f);
	if (f->stop_timer == NULL) {
		sx_err_set(err, 0, "out of memory");
		goto fail;
	}
	su_log_redirect(NULL, focus_sofia_log, NULL);
	su_root_threading(root, 0);
	errno = 0;
	f->nua = nua_create(root, focus_event, f,
			    NUTAG_URL(url[0]),
			    TAG_IF(n > 1, NUTAG_SIPS_URL(url[1])),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_AUTOANSWER(0),
			    NUTAG_AUTOACK(1),
			    NUTAG_ENABLEMESSAGE(0),
			    NUTAG_SESSION_TIMER(0),
			    NUTAG_APPL_METHOD("REFER"),
			    NUTAG_ALLOW_EVENTS("conference"),
			    NUTAG_SUB_EXPIRES(cfg->subscription_expires),
			    /* a REFER's subscription outlives its INVITE */
			    NUTAG_REFER_EXPIRES(cfg->invite_timeout + 60),
			    SIPTAG_ALLOW_STR(FOCUS_ALLOW),
			    SIPTAG_SUPPORTED(NULL),
			    SIPTAG_USER_AGENT_STR("sxgw/" SX_VERSION),
			    TAG_END());
	if (f->nua == NULL) {
		sx_err_set(err, 0, "cannot listen on %s%s%s: %s", url[0],
			   n > 1 ? " and " : "", n > 1 ? url[1] : "",
			   errno ? strerror(errno) : "SIP stack failed");
		goto fail;
	}
	for (i = 0; i < f->naddr; i++)
		sx_info("SIP focus listening on %s:%s:%s", f->addr[i].proto,
			f->addr[i].host, f->addr[i].port);
	return f;
fail:
	sx_timer_free(f->stop_timer);
	focus_addrs_free(f);
	free(f);
	return NULL;
}

void focus_shutdown(struct focus *f, void (*done)(void *arg), void *arg)
{
	struct focus_leg *leg;

	f->done = done;
	f->done_arg = arg;
	if (f->stopping)
		return;
	f->stopping = 1;
	/* Normally room_destroy_all() has ended every call and every
	 * conference subscription already; whatever is left goes now. */
	for (leg = f->legs; leg; leg = leg->next)
		if (leg->p)
			focus_leg_end(f, leg->p, NULL, NULL);
	focus_sub_end_all(f);
	focus_refer_end_all(f);
	nua_shutdown(f->nua);
	sx_timer_start(f->stop_timer, FOCUS_STOP_MS);
}

void focus_free(struct focus *f)
{
	struct focus_room *fr;
	nua_t *nua;

	if (f == NULL)
		return;
	nua = f->nua;
	f->nua = NULL;  /* from now on events are ignored */
	if (!f->stopping) {
		nua_shutdown(nua);
		f->stopping = 1;
	}
	if (!f->nua_down) {
		su_root_t *root = sx_loop_root(f->gw->loop);
		int i;

		/* a short grace for the agent; past it, exit without
		 * tearing it down (the process is ending anyway) */
		for (i = 0; i < 20 && !f->nua_down; i++)
			su_root_step(root, 100);
	}
	if (f->nua_down)
		nua_destroy(nua);
	while (f->legs) {
		struct focus_leg *leg = f->legs;

		f->legs = leg->next;
		leg_free(leg);
	}
	while ((fr = f->rooms) != NULL) {
		f->rooms = fr->next;
		sx_timer_free(fr->timer);
		free(fr);
	}
	sx_timer_free(f->stop_timer);
	focus_addrs_free(f);
	su_log_redirect(NULL, NULL, NULL);
	free(f);
}
