/*
 * sxgw - SIP/MSRP chat rooms (and, through them, XMPP MUC): the service.
 *
 * main.c: options, configuration, daemon mode, signals, and the order of
 * start and stop.  The XMPP gateway starts last, once the rooms it leads
 * into are served, and stops first: its occupants are told (332) while the
 * rooms still stand.  On SIGTERM or SIGINT every participant is then ended
 * (BYE), every subscription gets its final NOTIFY, and the process exits
 * once the SIP agent has finished those transactions; a second signal
 * exits at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "focus.h"
#include "gw.h"
#include "room.h"
#include "switch.h"
#include "sx_log.h"
#include "sxgw.h"

#ifndef SXGW_CONFIG_DEFAULT
#define SXGW_CONFIG_DEFAULT "/etc/sxgw/sxgw.ini"
#endif

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_CONFIG = 2,
	EXIT_START = 3,
};

struct service {
	struct sxgw gw;
	struct sxgw_config cfg;
	struct sx_watch *sigwatch;
	int sigfd;
	int signals;
};

static void usage(FILE *f)
{
	fputs("Usage: sxgw [-c CONFIG] [-f] [-v] [-n] [-p PIDFILE]\n"
	      "\n"
	      "Hosts SIP/MSRP chat rooms: a conference focus (RFC 4579) with an\n"
	      "MSRP switch (RFC 7701) and the conference event package (RFC 4575);\n"
	      "with [xmpp] set, XMPP users join them from any MUC client (RFC 7702).\n"
	      "\n"
	      "  -c, --config FILE   configuration (default " SXGW_CONFIG_DEFAULT ")\n"
	      "  -f, --foreground    stay in the foreground and log to stderr\n"
	      "  -v, --verbose       log at debug level\n"
	      "  -n, --check         check the configuration and exit\n"
	      "  -p, --pidfile FILE  write the process id to FILE\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "Exit: 0 stopped cleanly, 1 usage, 2 configuration error,\n"
	      "3 could not start (address in use...).  See sxgw(8), sxgw.ini(5).\n",
	      f);
}

static void stopped(void *arg)
{
	struct service *s = arg;

	sx_notice("sxgw stopped");
	sx_loop_stop(s->gw.loop);
}

static void on_signal(void *arg, int fd, int events)
{
	struct service *s = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (++s->signals > 1) {
			sx_warn("second signal: exiting now");
			exit(EXIT_OK);
		}
		sx_notice("signal %u: ending every session", si.ssi_signo);
		s->gw.stopping = 1;
		gw_stop(s->gw.xmpp);
		s->gw.xmpp = NULL;
		room_destroy_all(&s->gw);
		focus_shutdown(s->gw.focus, stopped, s);
	}
}

static int watch_signals(struct service *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return -1;
	s->sigwatch = sx_watch_new(s->gw.loop, s->sigfd, SX_EV_READ,
				   on_signal, s);
	return s->sigwatch ? 0 : -1;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(EXIT_OK);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(EXIT_OK);
	if (chdir("/") != 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check", no_argument, NULL, 'n' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	static struct service s;
	const char *config = SXGW_CONFIG_DEFAULT, *pidfile = NULL;
	int foreground = 0, verbose = 0, check = 0, c;
	struct sx_err err;
	char msg[512];

	while ((c = getopt_long(argc, argv, "c:fvnp:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'f': foreground = 1; break;
		case 'v': verbose = 1; break;
		case 'n': check = 1; break;
		case 'p': pidfile = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("sxgw %s\n", SX_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (config_load(config, &s.cfg, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "sxgw: %s\n", msg);
		return EXIT_CONFIG;
	}
	if (check) {
		printf("%s: configuration OK\n", config);
		config_free(&s.cfg);
		return EXIT_OK;
	}
	sx_log_init("sxgw", !foreground, verbose ? LOG_DEBUG : s.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	if (!foreground && daemonize() != 0) {
		fprintf(stderr, "sxgw: cannot become a daemon: %s\n",
			strerror(errno));
		return EXIT_START;
	}
	if (pidfile) {
		FILE *pf = fopen(pidfile, "w");

		if (pf == NULL) {
			sx_err("pidfile %s: %s", pidfile, strerror(errno));
			return EXIT_START;
		}
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
	}
	s.gw.cfg = &s.cfg;
	s.gw.loop = sx_loop_new();
	if (s.gw.loop == NULL || watch_signals(&s) != 0) {
		sx_err("cannot set up the event loop: %s", strerror(errno));
		return EXIT_START;
	}
	sx_err_clear(&err);
	s.gw.sw = switch_new(&s.gw, &err);
	if (s.gw.sw == NULL) {
		sx_err("MSRP switch: %s", err.text);
		return EXIT_START;
	}
	s.gw.focus = focus_new(&s.gw, &err);
	if (s.gw.focus == NULL) {
		sx_err("SIP focus: %s", err.text);
		return EXIT_START;
	}
	if (room_create_configured(&s.gw, &err) != 0) {
		sx_err("%s", err.text);
		return EXIT_START;
	}
	if (gw_start(&s.gw, &s.gw.xmpp, &err) != 0) {
		sx_err("XMPP gateway: %s", err.text);
		return EXIT_START;
	}
	sx_notice("sxgw ready: rooms sip:NAME@%s, SIP %s, MSRP %s:%u%s%s",
		  s.cfg.domain, s.cfg.sip_listen[0], switch_host(s.gw.sw),
		  switch_port(s.gw.sw), s.gw.xmpp ? ", XMPP server " : "",
		  s.gw.xmpp ? s.cfg.xmpp.server_host : "");
	sx_loop_run(s.gw.loop);

	gw_stop(s.gw.xmpp);
	s.gw.xmpp = NULL;
	focus_free(s.gw.focus);
	s.gw.focus = NULL;
	switch_free(s.gw.sw);
	s.gw.sw = NULL;
	sx_watch_free(s.sigwatch);
	close(s.sigfd);
	sx_loop_free(s.gw.loop);
	config_free(&s.cfg);
	if (pidfile)
		unlink(pidfile);
	return EXIT_OK;
}
