/*
 * sxmsrp-send - send or receive one MSRP message from a shell
 * (RFC 4975; RFC 3862 for the message/cpim wrapper).
 *
 * main.c: options, reading the body, wrapping it in CPIM.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#include "sxmsrp_send.h"

static void usage(FILE *f)
{
	fputs("Usage: sxmsrp-send --to-path MSRP-URI... [options] [FILE | -]\n"
	      "       sxmsrp-send --to-path MSRP-URI --text STRING [options]\n"
	      "       sxmsrp-send --listen HOST:PORT [--count N] [options]\n"
	      "\n"
	      "Sends one MSRP message (RFC 4975) and waits for its responses\n"
	      "and reports, or receives messages as the passive side.\n"
	      "\n"
	      "Sending:\n"
	      "  -t, --to-path PATH       MSRP URIs, space-separated; the first is\n"
	      "                           the hop connected to (msrps: TLS)\n"
	      "  -f, --from-path URI      our URI (default msrp://LOCAL-ADDR/RANDOM;tcp)\n"
	      "  -T, --text STRING        the body (instead of FILE or stdin)\n"
	      "  -c, --content-type TYPE  body type (default text/plain)\n"
	      "      --cpim-from URI      wrap the body in message/cpim from URI...\n"
	      "      --cpim-to URI        ...to URI (both needed)\n"
	      "  -b, --bind               send a bodiless SEND first (RFC 4975 §5.4)\n"
	      "  -s, --chunk-size N       bytes per chunk (default 2048)\n"
	      "  -S, --success-report     ask for a success REPORT and wait for it\n"
	      "  -F, --failure-report yes|no|partial   (default yes)\n"
	      "  -w, --timeout SECONDS    wait this long for answers (default 30)\n"
	      "\n"
	      "Receiving:\n"
	      "  -l, --listen HOST:PORT   accept connections (port 0: any free port);\n"
	      "                           prints 'listening on URI' on stderr\n"
	      "  -n, --count N            stop after N messages (default: never)\n"
	      "      --session-id ID      our session id (default random)\n"
	      "      --body-only          print only the bodies, as received\n"
	      "  -m, --max-size BYTES     largest message accepted (default 16777216)\n"
	      "\n"
	      "TLS (msrps):\n"
	      "      --ca FILE            trust anchors besides the system's\n"
	      "  -k, --insecure           do not verify the server's certificate\n"
	      "      --cert FILE          certificate (needed to listen with TLS)\n"
	      "      --key FILE           its private key (default: in --cert)\n"
	      "      --tls                listen with TLS (msrps)\n"
	      "\n"
	      "  -q, --quiet              print only the final status\n"
	      "  -h, --help               this text\n"
	      "  -V, --version            the version\n"
	      "\n"
	      "Exit: 0 accepted, 1 usage, 2 connection or TLS, 3 refused,\n"
	      "4 timeout, 5 protocol error or early close, 6 unreadable input.\n",
	      f);
}

enum {
	OPT_CPIM_FROM = 256,
	OPT_CPIM_TO,
	OPT_SESSION_ID,
	OPT_BODY_ONLY,
	OPT_CA,
	OPT_CERT,
	OPT_KEY,
	OPT_TLS,
};

static const struct option long_opts[] = {
	{ "to-path", required_argument, NULL, 't' },
	{ "from-path", required_argument, NULL, 'f' },
	{ "text", required_argument, NULL, 'T' },
	{ "content-type", required_argument, NULL, 'c' },
	{ "cpim-from", required_argument, NULL, OPT_CPIM_FROM },
	{ "cpim-to", required_argument, NULL, OPT_CPIM_TO },
	{ "bind", no_argument, NULL, 'b' },
	{ "chunk-size", required_argument, NULL, 's' },
	{ "success-report", no_argument, NULL, 'S' },
	{ "failure-report", required_argument, NULL, 'F' },
	{ "timeout", required_argument, NULL, 'w' },
	{ "listen", required_argument, NULL, 'l' },
	{ "count", required_argument, NULL, 'n' },
	{ "session-id", required_argument, NULL, OPT_SESSION_ID },
	{ "body-only", no_argument, NULL, OPT_BODY_ONLY },
	{ "max-size", required_argument, NULL, 'm' },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "insecure", no_argument, NULL, 'k' },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "tls", no_argument, NULL, OPT_TLS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_count(const char *s, unsigned long long max,
		       unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *s >= '0' && *s <= '9' && *end == '\0' &&
	       *out <= max ? 0 : -1;
}

/* Reads FILE or stdin whole; the message is sent as chunks of it. */
static char *read_body(const char *path, size_t *len)
{
	FILE *f = (path == NULL || strcmp(path, "-") == 0) ? stdin
							   : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n, f);
		char *nb;

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->content_type = "text/plain";
	o->chunk_size = 2048;
	o->failure_report = MSRP_REPORT_YES;
	o->timeout_s = 30;
	o->max_size = 16 * 1024 * 1024;
	o->tls.verify = 1;
	while ((c = getopt_long(argc, argv, "t:f:T:c:bs:SF:w:l:n:m:kqhV",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 't': o->to_path = optarg; break;
		case 'f': o->from_path = optarg; break;
		case 'T': o->text = optarg; break;
		case 'c': o->content_type = optarg; break;
		case OPT_CPIM_FROM: o->cpim_from = optarg; break;
		case OPT_CPIM_TO: o->cpim_to = optarg; break;
		case 'b': o->bind = 1; break;
		case 's':
			if (parse_count(optarg, 1 << 30, &v) || v == 0) {
				out_err("--chunk-size: a number from 1 to %d", 1 << 30);
				return -1;
			}
			o->chunk_size = (size_t)v;
			break;
		case 'S': o->success_report = 1; break;
		case 'F':
			if (strcmp(optarg, "yes") == 0)
				o->failure_report = MSRP_REPORT_YES;
			else if (strcmp(optarg, "no") == 0)
				o->failure_report = MSRP_REPORT_NO;
			else if (strcmp(optarg, "partial") == 0)
				o->failure_report = MSRP_REPORT_PARTIAL;
			else {
				out_err("--failure-report: yes, no or partial");
				return -1;
			}
			break;
		case 'w':
			if (parse_count(optarg, 86400, &v) || v == 0) {
				out_err("--timeout: seconds from 1 to 86400");
				return -1;
			}
			o->timeout_s = (unsigned)v;
			break;
		case 'l': o->listen = optarg; break;
		case 'n':
			if (parse_count(optarg, ~0UL, &v) || v == 0) {
				out_err("--count: a positive number");
				return -1;
			}
			o->count = (unsigned long)v;
			break;
		case OPT_SESSION_ID: o->session_id = optarg; break;
		case OPT_BODY_ONLY: o->body_only = 1; break;
		case 'm':
			if (parse_count(optarg, UINT64_MAX, &v) || v == 0) {
				out_err("--max-size: a positive number of bytes");
				return -1;
			}
			o->max_size = v;
			break;
		case OPT_CA: o->tls.ca_file = optarg; break;
		case 'k': o->tls.verify = 0; break;
		case OPT_CERT: o->tls.cert_file = optarg; break;
		case OPT_KEY: o->tls.key_file = optarg; break;
		case OPT_TLS: o->tls.enabled = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V':
			printf("sxmsrp-send (sxgw) %s\n", SX_VERSION);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o->listen) {
		if (o->to_path || o->text || optind < argc) {
			out_err("--listen receives: no --to-path, --text or FILE");
			return -1;
		}
		if (o->tls.enabled && o->tls.cert_file == NULL) {
			out_err("--tls needs --cert");
			return -1;
		}
		return 0;
	}
	if (o->to_path == NULL) {
		out_err("--to-path is required (or --listen)");
		return -1;
	}
	if ((o->cpim_from == NULL) != (o->cpim_to == NULL)) {
		out_err("--cpim-from and --cpim-to go together");
		return -1;
	}
	if (o->text && optind < argc) {
		out_err("give --text or FILE, not both");
		return -1;
	}
	if (optind + 1 < argc) {
		out_err("one FILE at most");
		return -1;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sx_loop *loop;
	char *body = NULL;
	size_t len = 0;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (opts_parse(argc, argv, &o) != 0)
		return EXIT_USAGE;
	loop = sx_loop_new();
	if (loop == NULL) {
		out_err("cannot create the event loop");
		return EXIT_CONNECT;
	}
	if (o.listen) {
		rc = listen_run(loop, &o);
		sx_loop_free(loop);
		return rc;
	}
	if (o.text) {
		body = strdup(o.text);
		len = strlen(o.text);
	} else {
		body = read_body(o.file, &len);
		if (body == NULL) {
			out_err("%s: %s", o.file ? o.file : "<stdin>",
				strerror(errno));
			sx_loop_free(loop);
			return EXIT_INPUT;
		}
	}
	if (o.cpim_from) {
		char *wrapped;
		size_t wlen;

		wrapped = wrap_cpim(o.cpim_from, o.cpim_to,
					   o.content_type, body, len, &wlen);
		free(body);
		if (wrapped == NULL) {
			out_err("cannot build the CPIM wrapper");
			sx_loop_free(loop);
			return EXIT_USAGE;
		}
		body = wrapped;
		len = wlen;
		o.content_type = "message/cpim";
	}
	rc = send_run(loop, &o, body, len);
	free(body);
	sx_loop_free(loop);
	return rc;
}
