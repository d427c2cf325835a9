/*
 * sxinvite.h - shared by the files of sxinvite: invite someone into a
 * chat room, or remove a participant, with REFER (RFC 3515, RFC 4579
 * §5.5 and §5.11) from a shell.
 */
#ifndef SXINVITE_H
#define SXINVITE_H

#include "sx_err.h"
#include "sx_loop.h"

/* Exit statuses, documented in sxinvite(1). */
enum {
	SI_EXIT_OK = 0,         /* the final NOTIFY said 2xx */
	SI_EXIT_USAGE = 1,
	SI_EXIT_REFUSED = 2,    /* the room refused the REFER */
	SI_EXIT_DECLINED = 3,   /* 486, 600, 603 */
	SI_EXIT_NOT_FOUND = 4,  /* 404, 604 */
	SI_EXIT_TIMEOUT = 5,    /* 408, 480, 487, or --timeout ran out */
	SI_EXIT_FAILED = 6,     /* any other failure */
};

struct si_opts {
	const char *room;
	const char *from;       /* as given, or sip:USER@HOST */
	const char *proxy;
	const char *reason;
	const char *listen;     /* a SIP URI */
	const char *invitee;    /* as given */
	unsigned long timeout_s;
	int kick;
	int json;
};

struct si_refer;

struct si {
	struct si_opts o;
	struct sx_loop *loop;
	char *target;           /* the invitee as a SIP URI */
	char *refer_to;         /* the Refer-To header value */
	char *referred_by;
	struct si_refer *refer;
	int exit_code;
};

/* refer.c: sends the REFER and follows its NOTIFYs; the loop stops once
 * the outcome is known (app->exit_code) and the SIP stack is down. */
int refer_start(struct si *app, struct sx_err *err);
void refer_free(struct si *app);

/* output.c: what sxinvite prints, as text lines or JSON objects. */
void out_answer(const struct si *app, int status, const char *phrase);
void out_notify(const struct si *app, int status, const char *phrase,
		int final);
/* The outcome: exit code, the status it came from (0 when none), why. */
void out_result(const struct si *app, int code, int status,
		const char *why);

/* The exit status a final SIP status stands for; refer says whether it
 * answered the REFER itself rather than came in a NOTIFY. */
int si_exit_for(int status, int refer);

#endif
