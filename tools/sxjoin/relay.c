/*
 * relay.c - reaching the room through an MSRP relay (RFC 4976).
 *
 * Before the INVITE (or, with --wait-for-calls, before any invitation is
 * taken) sxjoin opens a TCP connection to its relay and sends AUTH with
 * To-Path the relay's URI and From-Path ours (§5.1).  A 401 carries a
 * Digest challenge (WWW-Authenticate), answered once with --relay-auth
 * credentials in a new AUTH (msrp_auth.h); a second 401 for a nonce that
 * is not stale means the credentials were refused.  A 423 names the
 * Expires range the relay takes: the AUTH is repeated within it.  The 200
 * gives the Use-Path (our relay's session URI, put before our own URI in
 * a=path) and an Expires, before which the AUTH is repeated on the same
 * connection for as long as the session lasts (§5.1, §6.3).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msrp.h"
#include "msrp_auth.h"
#include "msrp_build.h"
#include "msrp_uri.h"
#include "sxjoin.h"

#define RELAY_PATH_MAX   400
#define RELAY_MIN_RENEW  5      /* seconds: never re-AUTH in a busy loop */

struct sj_relay {
	const char *uri;        /* --relay, borrowed from the options */
	char *user;             /* --relay-auth, NULL without */
	char *password;
	char use_path[RELAY_PATH_MAX];
	int granted;            /* a 200 gave use_path */
	int answered_nonce;     /* credentials were sent for this nonce */
	unsigned long expires;  /* asked for after a 423; 0: none */
	struct msrp_auth_challenge chal;
	unsigned long nc;       /* requests sent with chal.nonce */
	struct sx_timer *renew;
};

const char *relay_use_path(const struct sj *app)
{
	const struct sj_relay *r = app->relay;

	return r && r->granted ? r->use_path : NULL;
}

static void relay_fail(struct sj *app, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Before the session was granted the join fails; later (a re-AUTH) the
 * error is shown and the session goes on while the relay keeps it. */
static void relay_fail(struct sj *app, int status, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (app->relay->granted)
		sj_error(app, "relay", status, "relay %s: %s",
			 app->relay->uri, why);
	else
		session_relay_failed(app, status, why);
}

static int relay_send(struct sj *app, const char *authorization)
{
	struct sj_relay *r = app->relay;
	char *expires = NULL;
	int rc;

	/* the Expires a 423 asked for travels in a header of its own */
	if (r->expires && authorization == NULL &&
	    asprintf(&expires, "%lu", r->expires) < 0)
		return SX_ERROR;
	rc = chat_send_auth(app, r->uri, authorization, expires);
	free(expires);
	return rc;
}

static void relay_auth(struct sj *app)
{
	if (relay_send(app, NULL) != 0)
		relay_fail(app, 0, "cannot send AUTH");
}

void relay_connected(struct sj *app)
{
	relay_auth(app);
}

static void relay_on_renew(void *arg)
{
	struct sj *app = arg;

	app->relay->answered_nonce = 0;
	relay_auth(app);
}

static int relay_header(const struct msrp_frame *f, const char *name,
			char *out, size_t cap)
{
	const struct msrp_header *h = msrp_frame_header(f, name);

	if (h == NULL || h->value.len >= cap)
		return -1;
	memcpy(out, h->value.p, h->value.len);
	out[h->value.len] = '\0';
	return 0;
}

/* 401: answer the challenge, once per nonce unless it went stale. */
static void relay_challenged(struct sj *app, const struct msrp_frame *f)
{
	struct sj_relay *r = app->relay;
	const struct msrp_header *h = msrp_frame_header(f, "WWW-Authenticate");
	struct msrp_auth_challenge chal;
	char cnonce[MSRP_TID_MAX + 1], value[2048];
	struct msrp_auth_cred cr;
	struct sx_err err;

	if (r->user == NULL) {
		relay_fail(app, 401, "the relay wants credentials: give "
			   "--relay-auth USER:PASSWORD");
		return;
	}
	sx_err_clear(&err);
	if (h == NULL) {
		relay_fail(app, 401, "401 without WWW-Authenticate");
		return;
	}
	if (msrp_auth_challenge_parse(h->value.p, h->value.len, &chal,
				      &err) != 0) {
		relay_fail(app, 401, "cannot answer its challenge: %s",
			   err.text);
		return;
	}
	if (r->answered_nonce && !chal.stale) {
		relay_fail(app, 401, "credentials of %s refused", r->user);
		return;
	}
	if (strcmp(chal.nonce, r->chal.nonce) != 0)
		r->nc = 0;
	r->chal = chal;
	r->nc++;
	msrp_message_id_pick(cnonce);
	cr = (struct msrp_auth_cred){
		.user = r->user, .password = r->password, .method = "AUTH",
		.uri = r->uri, .cnonce = cnonce, .nc = r->nc,
	};
	if (msrp_auth_authorization(value, sizeof(value), &chal, &cr,
				    &err) < 0 ||
	    strlen(value) >= sizeof(value)) {
		relay_fail(app, 401, "cannot answer its challenge: %s",
			   err.text[0] ? err.text : "too long");
		return;
	}
	r->answered_nonce = 1;
	if (relay_send(app, value) != 0)
		relay_fail(app, 0, "cannot send AUTH");
}

/* 423 (RFC 4976 §5.1): ask again within Min-Expires..Max-Expires. */
static void relay_bounds(struct sj *app, const struct msrp_frame *f)
{
	struct sj_relay *r = app->relay;
	char v[32];
	unsigned long want = 0;

	if (relay_header(f, "Min-Expires", v, sizeof(v)) == 0)
		want = strtoul(v, NULL, 10);
	else if (relay_header(f, "Max-Expires", v, sizeof(v)) == 0)
		want = strtoul(v, NULL, 10);
	if (want == 0 || want == r->expires) {
		relay_fail(app, 423, "AUTH refused: 423 Interval Out Of "
			   "Bounds");
		return;
	}
	r->expires = want;
	relay_auth(app);
}

static void relay_granted(struct sj *app, const struct msrp_frame *f)
{
	struct sj_relay *r = app->relay;
	char path[RELAY_PATH_MAX], v[32];
	unsigned long expires = 0;
	struct msrp_uri u;
	struct sx_err err;
	int first = !r->granted;

	if (relay_header(f, "Use-Path", path, sizeof(path)) != 0 ||
	    msrp_path_parse(path, strlen(path), &u, 1, &err) != 1) {
		relay_fail(app, 0, "200 to AUTH without a usable Use-Path");
		return;
	}
	if (relay_header(f, "Expires", v, sizeof(v)) == 0)
		expires = strtoul(v, NULL, 10);
	if (!first && strcmp(path, r->use_path) != 0)
		/* our SDP names the first path: the relay keeps it until
		 * it expires, then the room cannot reach us */
		sj_error(app, "relay", 0, "relay %s moved our session to %s",
			 r->uri, path);
	else
		snprintf(r->use_path, sizeof(r->use_path), "%s", path);
	r->granted = 1;
	r->answered_nonce = 0;
	/* renew at three quarters of the lifetime (§5.1: before it ends) */
	if (expires)
		sx_timer_start(r->renew, (expires * 3 / 4 > RELAY_MIN_RENEW ?
					  expires * 3 / 4 : RELAY_MIN_RENEW) *
					 1000UL);
	if (first)
		session_relay_ready(app);
}

void relay_answered(struct sj *app, const struct msrp_frame *f)
{
	switch (f->status) {
	case 200:
		relay_granted(app, f);
		break;
	case 401:
		relay_challenged(app, f);
		break;
	case 423:
		relay_bounds(app, f);
		break;
	default:
		relay_fail(app, f->status, "AUTH answered %03d %.*s",
			   f->status, (int)f->comment.len, f->comment.p);
		break;
	}
}

int relay_start(struct sj *app, struct sx_err *err)
{
	struct sj_relay *r = calloc(1, sizeof(*r));
	const char *auth = app->o.relay_auth;

	if (r == NULL)
		return sx_err_set(err, 0, "out of memory");
	app->relay = r;
	r->uri = app->o.relay;
	if (auth) {
		const char *colon = strchr(auth, ':');

		if (colon == NULL || colon == auth)
			return sx_err_set(err, 0, "--relay-auth: "
					  "USER:PASSWORD");
		r->user = strndup(auth, (size_t)(colon - auth));
		r->password = strdup(colon + 1);
		if (r->user == NULL || r->password == NULL)
			return sx_err_set(err, 0, "out of memory");
	}
	r->renew = sx_timer_new(app->loop, relay_on_renew, app);
	if (r->renew == NULL)
		return sx_err_set(err, 0, "out of memory");
	return chat_relay_connect(app, r->uri, err);
}

void relay_free(struct sj *app)
{
	struct sj_relay *r = app->relay;

	if (r == NULL)
		return;
	if (r->renew)
		sx_timer_free(r->renew);
	free(r->user);
	if (r->password)
		explicit_bzero(r->password, strlen(r->password));
	free(r->password);
	free(r);
	app->relay = NULL;
}
