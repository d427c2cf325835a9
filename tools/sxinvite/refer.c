/*
 * refer.c - the SIP side of sxinvite, on sofia-sip's nua: one
 * out-of-dialog REFER to the room (RFC 3515 §2.4; RFC 4579 §5.5 to
 * invite, §5.11 with method=BYE to remove), Referred-By our address
 * (RFC 3892), and the NOTIFYs of its implicit "refer" subscription whose
 * message/sipfrag bodies carry the status of the room's request to the
 * invitee (RFC 3515 §2.4.4, §2.4.5; RFC 3420).
 *
 * A NOTIFY may overtake the answer to the REFER, and a room may send
 * "100 Trying" before it refuses (sofia-sip does); so a provisional
 * status seen before the 2xx is held and shown only once the REFER is
 * accepted.  The same status twice in a row is shown once.
 */
#define NUA_MAGIC_T struct si

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "referto.h"
#include "sxinvite.h"

/* How long the SIP stack may take to close after the outcome is known. */
#define SHUTDOWN_MS 2000

struct si_refer {
	nua_t *nua;
	nua_handle_t *nh;
	struct sx_timer *timer;     /* --timeout, then the shutdown cap */
	int answered;               /* the REFER got a 2xx */
	int shown;                  /* the last status printed */
	int held;                   /* a provisional status before the 2xx */
	char held_phrase[128];
	int done;                   /* the outcome is known */
	int down;                   /* nua_shutdown() completed */
};

static void refer_finish(struct si *app, int code, int status,
			 const char *why)
{
	struct si_refer *r = app->refer;

	if (r->done)
		return;
	r->done = 1;
	app->exit_code = code;
	out_result(app, code, status, why);
	sx_timer_start(r->timer, SHUTDOWN_MS);
	nua_shutdown(r->nua);
}

static void refer_show(struct si *app, int status, const char *phrase,
		       int final)
{
	struct si_refer *r = app->refer;

	if (status == r->shown && !final)
		return;
	r->shown = status;
	out_notify(app, status, phrase, final);
}

static void refer_answered(struct si *app, int status, const char *phrase)
{
	struct si_refer *r = app->refer;
	char why[192];

	if (status < 200 || r->done)
		return;
	out_answer(app, status, phrase);
	if (status >= 300) {
		snprintf(why, sizeof(why), "the REFER was answered "
			 "%03d %s", status, phrase ? phrase : "");
		refer_finish(app, si_exit_for(status, 1), status, why);
		return;
	}
	r->answered = 1;
	if (r->held) {
		refer_show(app, r->held, r->held_phrase, 0);
		r->held = 0;
	}
}

static void refer_notified(struct si *app, const sip_t *sip)
{
	struct si_refer *r = app->refer;
	struct referto_notify n;
	char why[192];

	if (r->done)
		return;
	referto_notify(sip, &n);
	if (n.status >= 200) {
		refer_show(app, n.status, n.phrase, 1);
		snprintf(why, sizeof(why), "%03d %s", n.status, n.phrase);
		refer_finish(app, si_exit_for(n.status, 0), n.status, why);
		return;
	}
	if (n.terminated) {
		refer_finish(app, SI_EXIT_FAILED, 0, "the room ended the "
			     "subscription without a final status");
		return;
	}
	if (n.status == 0)
		return;
	if (r->answered) {
		refer_show(app, n.status, n.phrase, 0);
	} else {
		r->held = n.status;
		snprintf(r->held_phrase, sizeof(r->held_phrase), "%s",
			 n.phrase);
	}
}

static void refer_callback(nua_event_t event, int status, char const *phrase,
			   nua_t *nua, struct si *app, nua_handle_t *nh,
			   nua_hmagic_t *hmagic, sip_t const *sip,
			   tagi_t tags[])
{
	struct si_refer *r = app->refer;

	(void)nua;
	(void)hmagic;
	(void)tags;
	switch (event) {
	case nua_r_refer:
		if (nh == r->nh)
			refer_answered(app, status, phrase);
		break;
	case nua_i_notify:
		if (nh == r->nh)
			refer_notified(app, sip);
		break;
	case nua_r_shutdown:
		if (status >= 200) {
			r->down = 1;
			sx_loop_stop(app->loop);
		}
		break;
	default:
		break;
	}
}

static void refer_timer(void *arg)
{
	struct si *app = arg;
	struct si_refer *r = app->refer;
	char why[96];

	if (r->done) {
		/* the stack did not close in time; the process ends anyway */
		sx_loop_stop(app->loop);
		return;
	}
	snprintf(why, sizeof(why), "no final NOTIFY within %lu s",
		 app->o.timeout_s);
	refer_finish(app, SI_EXIT_TIMEOUT, 0, why);
}

int refer_start(struct si *app, struct sx_err *err)
{
	struct si_refer *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return sx_err_set(err, 0, "out of memory");
	app->refer = r;
	r->timer = sx_timer_new(app->loop, refer_timer, app);
	if (r->timer == NULL)
		return sx_err_set(err, 0, "out of memory");
	/* No media, no session timers, no MESSAGE: one REFER is all. */
	r->nua = nua_create(sx_loop_root(app->loop), refer_callback, app,
			    NUTAG_URL(app->o.listen),
			    SIPTAG_FROM_STR(app->o.from),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_ENABLEMESSAGE(0),
			    SIPTAG_USER_AGENT_STR("sxinvite/" SX_VERSION),
			    TAG_IF(app->o.proxy, NUTAG_PROXY(app->o.proxy)),
			    TAG_END());
	if (r->nua == NULL)
		return sx_err_set(err, 0, "cannot listen for SIP on %s",
				  app->o.listen);
	r->nh = nua_handle(r->nua, NULL, SIPTAG_TO_STR(app->o.room),
			   TAG_END());
	if (r->nh == NULL)
		return sx_err_set(err, 0, "out of memory");
	nua_refer(r->nh, SIPTAG_REFER_TO_STR(app->refer_to),
		  SIPTAG_REFERRED_BY_STR(app->referred_by), TAG_END());
	sx_timer_start(r->timer, app->o.timeout_s * 1000UL);
	return 0;
}

void refer_free(struct si *app)
{
	struct si_refer *r = app->refer;

	if (r == NULL)
		return;
	if (r->timer)
		sx_timer_free(r->timer);
	/* nua refuses to be destroyed before its shutdown completed; the
	 * process is ending then anyway.  The handle goes with the nua. */
	if (r->nua && r->down)
		nua_destroy(r->nua);
	free(r);
	app->refer = NULL;
}
