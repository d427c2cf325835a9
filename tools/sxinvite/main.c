/*
 * sxinvite - invite someone into a chat room hosted by a SIP conference
 * focus, or remove a participant, with one REFER (RFC 3515; RFC 4579
 * §5.5, §5.11), and say how it went.
 *
 * main.c: options, the invitee's URI (sip:, sips: or xmpp: mapped per
 * RFC 7247), the exit status derived from the final SIP status.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "referto.h"
#include "sip_uri.h"
#include "sx_opt.h"
#include "sxinvite.h"

#define TIMEOUT_DEFAULT 90   /* above sxgw's invite_timeout (60) */

static void usage(FILE *f)
{
	fputs("Usage: sxinvite --room ROOM-URI [options] INVITEE-URI\n"
	      "\n"
	      "Asks a chat room to invite INVITEE-URI (a REFER to the room) and\n"
	      "prints the status of the room's INVITE as it comes.  INVITEE-URI\n"
	      "is a sip: or sips: URI, user@host, or an xmpp: URI (mapped to\n"
	      "SIP as RFC 7247 says).\n"
	      "\n"
	      "  -r, --room ROOM-URI        the room (required)\n"
	      "  -f, --from SIP-URI         who asks: From and Referred-By\n"
	      "                             (default sip:USER@LOCAL-ADDR)\n"
	      "  -p, --proxy SIP-URI        send the REFER through this proxy\n"
	      "  -m, --reason TEXT          why: the invitation's Subject, or\n"
	      "                             with --kick the BYE's Reason\n"
	      "  -k, --kick                 remove INVITEE-URI from the room\n"
	      "                             instead (Refer-To ;method=BYE)\n"
	      "  -t, --timeout SECONDS      give up without a final status\n"
	      "                             after this long (default 90)\n"
	      "  -l, --listen ADDR          local SIP address, HOST:PORT or a SIP\n"
	      "                             URI (default 127.0.0.1:0, a free port)\n"
	      "  -j, --json                 one JSON object per line\n"
	      "  -h, --help                 this text\n"
	      "  -V, --version              the version\n"
	      "\n"
	      "Exit: 0 done (2xx), 1 usage, 2 the room refused the REFER,\n"
	      "3 declined or busy, 4 not found, 5 no answer in time,\n"
	      "6 other failure.\n", f);
}

static const struct option long_opts[] = {
	{ "room", required_argument, NULL, 'r' },
	{ "from", required_argument, NULL, 'f' },
	{ "proxy", required_argument, NULL, 'p' },
	{ "reason", required_argument, NULL, 'm' },
	{ "kick", no_argument, NULL, 'k' },
	{ "timeout", required_argument, NULL, 't' },
	{ "listen", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("sxinvite: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int si_exit_for(int status, int refer)
{
	if (status >= 200 && status < 300)
		return SI_EXIT_OK;
	switch (status) {
	case 486: case 600: case 603:
		return SI_EXIT_DECLINED;
	case 404: case 604:
		return SI_EXIT_NOT_FOUND;
	case 408: case 480: case 487:
		return SI_EXIT_TIMEOUT;
	default:
		return refer ? SI_EXIT_REFUSED : SI_EXIT_FAILED;
	}
}

/* A SIP URI with a host: for --room, --proxy, --from, --listen. */
static int is_sip_uri(const char *s)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, s);
	int ok = u && (u->url_type == url_sip || u->url_type == url_sips) &&
		 u->url_host && u->url_host[0];

	su_home_deinit(home);
	return ok;
}

/* Fills app->o; built strings are kept in owned[] to be freed. */
static int opts_parse(int argc, char **argv, struct si_opts *o,
		      char **owned)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_s = TIMEOUT_DEFAULT;
	while ((c = getopt_long(argc, argv, "r:f:p:m:kt:l:jhV", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'r': o->room = optarg; break;
		case 'f': o->from = optarg; break;
		case 'p': o->proxy = optarg; break;
		case 'm': o->reason = optarg; break;
		case 'k': o->kick = 1; break;
		case 'l': o->listen = optarg; break;
		case 'j': o->json = 1; break;
		case 't':
			if (sx_opt_ulong(optarg, 1, 86400,
					 &o->timeout_s) != 0) {
				say("--timeout: 1 to 86400 seconds");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(SI_EXIT_OK);
		case 'V':
			printf("sxinvite (sxgw) %s\n", SX_VERSION);
			exit(SI_EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		say(optind < argc ? "one INVITEE-URI only"
				  : "INVITEE-URI missing");
		usage(stderr);
		return -1;
	}
	o->invitee = argv[optind];
	if (o->room == NULL) {
		say("--room missing");
		return -1;
	}
	if (!is_sip_uri(o->room)) {
		say("--room: not a SIP URI: %s", o->room);
		return -1;
	}
	if (o->proxy && !is_sip_uri(o->proxy)) {
		say("--proxy: not a SIP URI: %s", o->proxy);
		return -1;
	}
	owned[0] = sip_uri_listen(o->listen ? o->listen : "127.0.0.1:0");
	if (owned[0] == NULL || !is_sip_uri(owned[0])) {
		say("--listen: not an address: %s", o->listen);
		return -1;
	}
	o->listen = owned[0];
	if (o->from == NULL) {
		owned[1] = sip_uri_local_from(o->listen,
					      sx_opt_user("sxinvite"));
		if (owned[1] == NULL)
			return -1;
		o->from = owned[1];
	}
	return 0;
}

/* The invitee as a SIP URI, the Refer-To and the Referred-By. */
static int refer_prepare(struct si *app)
{
	struct sx_err err;
	char *aor;

	sx_err_clear(&err);
	app->target = referto_target(app->o.invitee, &err);
	if (app->target == NULL) {
		say("%s", err.text);
		return -1;
	}
	app->refer_to = referto_value(app->target, app->o.kick,
				      app->o.reason, &err);
	if (app->refer_to == NULL) {
		say("%s", err.text);
		return -1;
	}
	aor = sip_uri_aor(app->o.from, NULL);
	if (aor == NULL) {
		say("--from: not a SIP URI: %s", app->o.from);
		return -1;
	}
	if (asprintf(&app->referred_by, "<%s>", aor) < 0)
		app->referred_by = NULL;
	free(aor);
	return app->referred_by ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct si app = { 0 };
	char *owned[2] = { NULL, NULL };
	struct sx_err err;
	int rc = SI_EXIT_USAGE;

	if (opts_parse(argc, argv, &app.o, owned) != 0 ||
	    refer_prepare(&app) != 0)
		goto out;
	rc = SI_EXIT_FAILED;
	signal(SIGPIPE, SIG_IGN);
	/* sofia-sip logs transport errors on stderr by default; the
	 * outcome says what matters.  Its *_DEBUG variables still win. */
	setenv("SOFIA_DEBUG", "0", 0);
	setenv("NUA_DEBUG", "0", 0);
	setenv("NTA_DEBUG", "0", 0);
	setenv("TPORT_DEBUG", "0", 0);
	app.loop = sx_loop_new();
	if (app.loop == NULL) {
		say("cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	sx_err_clear(&err);
	if (refer_start(&app, &err) != 0) {
		say("%s", err.text);
		goto out;
	}
	sx_loop_run(app.loop);
	rc = app.exit_code;
out:
	refer_free(&app);
	if (app.loop)
		sx_loop_free(app.loop);
	free(app.target);
	free(app.refer_to);
	free(app.referred_by);
	free(owned[0]);
	free(owned[1]);
	return rc;
}
