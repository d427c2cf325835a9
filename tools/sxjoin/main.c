/*
 * sxjoin - take part in an sxgw chat room (a SIP conference focus with an
 * MSRP switch: RFC 4579, RFC 4975, RFC 7701) from a shell.
 *
 * main.c: options, signals (through a signalfd watched by the loop, so
 * that leaving runs as ordinary loop work), the idle timer, exit.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sip_uri.h"
#include "sx_opt.h"
#include "sxjoin.h"

static void usage(FILE *f)
{
	fputs("Usage: sxjoin [options] ROOM-URI\n"
	      "       sxjoin --wait-for-calls --from SIP-URI [options]\n"
	      "\n"
	      "Joins a chat room (SIP INVITE with an MSRP session) and shows\n"
	      "who comes and goes and what is said; lines typed go to the room.\n"
	      "\n"
	      "  -f, --from SIP-URI         who we are (default sip:USER@LOCAL-ADDR)\n"
	      "  -n, --nick NICK            nickname in the room (default: the\n"
	      "                             user part of --from)\n"
	      "  -p, --proxy SIP-URI        send requests through this proxy\n"
	      "  -l, --listen ADDR          local SIP address, HOST:PORT or a SIP\n"
	      "                             URI (default 127.0.0.1:0, a free port)\n"
	      "  -w, --wait-for-calls       wait to be invited into a room\n"
	      "  -r, --register             register --from first (with -w)\n"
	      "      --registrar SIP-URI    where to register (default: --proxy)\n"
	      "      --relay MSRP-URI       reach the room through this MSRP\n"
	      "                             relay (RFC 4976 AUTH first)\n"
	      "      --relay-auth USER:PASSWORD\n"
	      "                             answer the relay's Digest challenge\n"
	      "      --chunk-size BYTES     largest MSRP chunk sent (default 2048;\n"
	      "                             at most 10000 through a relay)\n"
	      "      --notify-dir DIR       keep each conference NOTIFY body as\n"
	      "                             DIR/notify-NNNN.xml\n"
	      "  -j, --json                 one JSON object per event\n"
	      "  -i, --exit-after-idle SECONDS\n"
	      "                             leave after that long without any\n"
	      "                             event or input\n"
	      "  -h, --help                 this text\n"
	      "  -V, --version              the version\n"
	      "\n"
	      "Commands: /who, /nick NEW, /msg NICK TEXT, /topic TEXT,\n"
	      "/invite URI, /kick URI|NICK, /quit, /help.\n"
	      "\n"
	      "Exit: 0 left after a join, 1 usage, 2 the join failed,\n"
	      "3 the room ended the session.\n", f);
}

enum {
	OPT_REGISTRAR = 256,
	OPT_RELAY,
	OPT_RELAY_AUTH,
	OPT_CHUNK_SIZE,
	OPT_NOTIFY_DIR,
};

static const struct option long_opts[] = {
	{ "from", required_argument, NULL, 'f' },
	{ "nick", required_argument, NULL, 'n' },
	{ "proxy", required_argument, NULL, 'p' },
	{ "listen", required_argument, NULL, 'l' },
	{ "wait-for-calls", no_argument, NULL, 'w' },
	{ "register", no_argument, NULL, 'r' },
	{ "registrar", required_argument, NULL, OPT_REGISTRAR },
	{ "relay", required_argument, NULL, OPT_RELAY },
	{ "relay-auth", required_argument, NULL, OPT_RELAY_AUTH },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK_SIZE },
	{ "notify-dir", required_argument, NULL, OPT_NOTIFY_DIR },
	{ "json", no_argument, NULL, 'j' },
	{ "exit-after-idle", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sxjoin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Larger chunks only hold the connection longer (RFC 4975 §7.1.1). */
#define CHUNK_MAX (1024 * 1024)

/* --notify-dir: made when missing (one level), else must be a directory. */
static int notify_dir_ready(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	usage_error("--notify-dir %s: %s", dir,
		    errno == EEXIST ? "not a directory" : strerror(errno));
	return -1;
}

/* Fills app->o; strings that need building are kept in owned[]. */
static int opts_parse(int argc, char **argv, struct sj_opts *o,
		      char **owned)
{
	unsigned long n;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "f:n:p:l:wrji:hV", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'f': o->from = optarg; break;
		case 'n': o->nick = optarg; break;
		case 'p': o->proxy = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'w': o->wait_for_calls = 1; break;
		case 'r': o->do_register = 1; break;
		case OPT_REGISTRAR: o->registrar = optarg; break;
		case OPT_RELAY: o->relay = optarg; break;
		case OPT_RELAY_AUTH: o->relay_auth = optarg; break;
		case OPT_NOTIFY_DIR: o->notify_dir = optarg; break;
		case OPT_CHUNK_SIZE:
			if (sx_opt_ulong(optarg, 1, CHUNK_MAX, &n) != 0) {
				usage_error("--chunk-size: 1 to %d bytes",
					    CHUNK_MAX);
				return -1;
			}
			o->chunk_size = n;
			break;
		case 'j': o->json = 1; break;
		case 'i':
			if (sx_opt_ulong(optarg, 1, 86400 * 365,
					 &o->idle_s) != 0) {
				usage_error("--exit-after-idle: a number of "
					    "seconds");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(SJ_EXIT_OK);
		case 'V':
			printf("sxjoin (sxgw) %s\n", SX_VERSION);
			exit(SJ_EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o->wait_for_calls) {
		if (optind < argc) {
			usage_error("--wait-for-calls takes no ROOM-URI");
			return -1;
		}
		if (o->from == NULL) {
			usage_error("--wait-for-calls needs --from");
			return -1;
		}
	} else {
		if (optind + 1 != argc) {
			usage_error(optind < argc ? "one ROOM-URI only"
						  : "ROOM-URI missing");
			usage(stderr);
			return -1;
		}
		o->room = argv[optind];
		if (o->do_register) {
			usage_error("--register goes with --wait-for-calls");
			return -1;
		}
	}
	if (o->relay_auth && o->relay == NULL) {
		usage_error("--relay-auth goes with --relay");
		return -1;
	}
	if (o->notify_dir && notify_dir_ready(o->notify_dir) != 0)
		return -1;
	if (o->do_register && o->registrar == NULL && o->proxy == NULL) {
		usage_error("--register needs --registrar or --proxy");
		return -1;
	}
	owned[0] = sip_uri_listen(o->listen ? o->listen : "127.0.0.1:0");
	if (owned[0] == NULL)
		return -1;
	o->listen = owned[0];
	if (o->from == NULL) {
		owned[1] = sip_uri_local_from(o->listen, sx_opt_user("sxjoin"));
		if (owned[1] == NULL) {
			usage_error("--listen: not a SIP address: %s",
				    o->listen);
			return -1;
		}
		o->from = owned[1];
	}
	return 0;
}

static void on_signal(void *arg, int fd, int events)
{
	struct sj *app = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		session_leave(app, si.ssi_signo == SIGINT ? "interrupted"
							 : "terminated");
}

/* SIGINT and SIGTERM become readable events on a signalfd. */
static int signals_start(struct sj *app)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	app->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app->sig_fd < 0)
		return -1;
	app->sig_watch = sx_watch_new(app->loop, app->sig_fd, SX_EV_READ,
				      on_signal, app);
	return app->sig_watch ? 0 : -1;
}

static void on_idle(void *arg)
{
	struct sj *app = arg;

	session_leave(app, "idle");
}

void sj_touch(struct sj *app)
{
	if (app->idle && app->state != SJ_LEAVING && app->state != SJ_DONE)
		sx_timer_start(app->idle, app->o.idle_s * 1000UL);
}

void sj_emit(struct sj *app, const struct sj_event *e)
{
	app->ui->emit(app, e);
	sj_touch(app);
}

int main(int argc, char **argv)
{
	struct sj app = { 0 };
	char *owned[2] = { NULL, NULL };
	struct sx_err err;
	int rc = SJ_EXIT_USAGE;

	app.sig_fd = -1;
	app.queue_tail = &app.queue;
	if (opts_parse(argc, argv, &app.o, owned) != 0)
		goto out;
	rc = SJ_EXIT_JOIN;
	/* sofia-sip logs transport errors on stderr by default; we report
	 * what matters as events.  Its *_DEBUG variables still win. */
	setenv("SOFIA_DEBUG", "0", 0);
	setenv("NUA_DEBUG", "0", 0);
	setenv("NTA_DEBUG", "0", 0);
	setenv("TPORT_DEBUG", "0", 0);
	app.loop = sx_loop_new();
	if (app.loop == NULL || signals_start(&app) != 0) {
		usage_error("cannot set up the event loop: %s",
			    strerror(errno));
		goto out;
	}
	if (app.o.idle_s) {
		app.idle = sx_timer_new(app.loop, on_idle, &app);
		if (app.idle == NULL)
			goto out;
		sx_timer_start(app.idle, app.o.idle_s * 1000UL);
	}
	app.ui = (!app.o.json && isatty(0) && isatty(1)) ? &ui_tty
							 : &ui_lines;
	if (app.ui->start(&app) != 0) {
		usage_error("cannot read the input");
		goto out;
	}
	sx_err_clear(&err);
	rc = session_start(&app, &err);
	if (rc != SJ_EXIT_OK) {
		app.ui->stop(&app);
		usage_error("%s", err.text);
		goto out;
	}
	sx_loop_run(app.loop);
	app.ui->stop(&app);
	rc = app.exit_code;
out:
	command_queue_free(&app);
	chat_free(&app);
	relay_free(&app);
	sip_free(&app);
	roster_free(app.roster);
	if (app.idle)
		sx_timer_free(app.idle);
	if (app.cap)
		sx_timer_free(app.cap);
	if (app.sig_watch)
		sx_watch_free(app.sig_watch);
	if (app.sig_fd >= 0)
		close(app.sig_fd);
	if (app.loop)
		sx_loop_free(app.loop);
	free(app.aor);
	free(app.room);
	free(app.room_aor);
	free(app.nick);
	free(app.first_nick);
	free(app.subject);
	free(owned[0]);
	free(owned[1]);
	return rc;
}
