/*
 * main.c - sxnotify-decode(1): decodes RFC 4575 conference-info documents,
 * alone or inside captured SIP NOTIFYs, into a summary, JSON, or the
 * XEP-0045 presences a gateway would send.
 *
 * --merge applies successive notifications of one subscription the way a
 * subscriber must (RFC 4575 §4.6): a version not above the local one is
 * stale and ignored, a partial document that skips a version means the
 * subscriber has lost state and must refresh.
 *
 * Exit status: 0 when every input decodes, 1 for a usage error, 2 when an
 * input fails (it is reported and the others are still processed).
 */
#include "decode.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jid.h"

#define PROG "sxnotify-decode"

enum { EXIT_USAGE = 1, EXIT_INPUT = 2 };

struct options {
	int json;
	int pretty;
	int merge;
	const char *muc;            /* room JID, or NULL */
	const char *to;
};

static void usage(FILE *out)
{
	fputs("Usage: " PROG " [options] [FILE...]\n"
	      "Decode RFC 4575 conference-info documents, or the captured SIP\n"
	      "NOTIFY messages that carry them.  With no FILE, or when FILE is\n"
	      "-, read standard input.\n"
	      "\n"
	      "  -j, --json          print JSON, one object per line\n"
	      "  -p, --pretty        indent the JSON (with --json)\n"
	      "  -m, --merge         apply the inputs in order as successive\n"
	      "                      notifications and print the resulting state\n"
	      "      --muc ROOM-JID  print the XEP-0045 presences sent to --to\n"
	      "      --to JID        the XMPP occupant those presences go to\n"
	      "  -h, --help          show this help and exit\n"
	      "  -V, --version       show the version and exit\n"
	      "\n"
	      "Exit status: 0 when every input decodes, 1 for a usage error,\n"
	      "2 when an input does not decode, --merge meets a version gap,\n"
	      "or the --to JID is not in the room.  See " PROG "(1).\n", out);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
	return EXIT_USAGE;
}

static void report(const char *name, const struct sx_err *err)
{
	if (err->line > 0)
		fprintf(stderr, "%s:%lu:%lu: %s\n", name, err->line,
			err->column, err->text);
	else
		fprintf(stderr, "%s: %s\n", name, err->text);
}

/* The XML parser names other lines of the body in its messages ("tag
 * mismatch: user line 31 and users"): move those into the file as well. */
static void shift_line_refs(struct sx_err *err, unsigned long by)
{
	char out[sizeof(err->text)];
	const char *p = err->text;
	size_t n = 0;

	while (*p && n + 1 < sizeof(out)) {
		if (strncmp(p, "line ", 5) == 0 && isdigit((unsigned char)p[5])) {
			char *end;
			unsigned long line = strtoul(p + 5, &end, 10);
			int w = snprintf(out + n, sizeof(out) - n, "line %lu",
					 line + by);

			if (w < 0 || (size_t)w >= sizeof(out) - n)
				break;
			n += (size_t)w;
			p = end;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	memcpy(err->text, out, n + 1);
}

/* Reads and parses one input; reports its errors with positions in the
 * file, not in the body. */
static int decode(const char *path, struct confinfo **ci)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct input in;
	struct sx_err err;

	sx_err_clear(&err);
	*ci = NULL;
	if (input_read(&in, path, &err) != 0) {
		report(name, &err);
		return EXIT_INPUT;
	}
	if (input_find_body(&in, &err) != 0) {
		report(name, &err);
		input_free(&in);
		return EXIT_INPUT;
	}
	if (confinfo_parse(in.body, in.body_len, ci, &err) != 0) {
		if (err.line > 0) {
			if (err.line == 1)
				err.column += in.body_column - 1;
			err.line += in.body_line - 1;
		}
		if (in.body_line > 1)
			shift_line_refs(&err, in.body_line - 1);
		report(name, &err);
		input_free(&in);
		*ci = NULL;
		return EXIT_INPUT;
	}
	input_free(&in);
	return 0;
}

/* Prints one state in the chosen form; name is used for --muc errors and,
 * when json_file, as the JSON "file" member. */
static int print_state(const struct options *o, const struct confinfo *ci,
		       const char *name, int json_file)
{
	struct sx_err err;

	sx_err_clear(&err);
	if (o->muc != NULL) {
		if (mucout_print(stdout, ci, o->muc, o->to, &err) != 0) {
			fflush(stdout);
			report(name, &err);
			return EXIT_INPUT;
		}
	} else if (o->json) {
		if (jsonout_print(stdout, ci, json_file ? name : NULL,
				  o->pretty) != 0) {
			fprintf(stderr, "%s: cannot write JSON\n", name);
			return EXIT_INPUT;
		}
	} else {
		summary_print(stdout, ci);
	}
	return 0;
}

static int run_each(const struct options *o, char **paths, int n)
{
	int i, rc = 0, printed = 0;

	for (i = 0; i < n; i++) {
		const char *name = strcmp(paths[i], "-") ? paths[i] : "<stdin>";
		struct confinfo *ci;

		if (decode(paths[i], &ci) != 0) {
			rc = EXIT_INPUT;
			continue;
		}
		if (n > 1 && o->muc != NULL) {
			fputs("<!-- ", stdout);
			fputs(name, stdout);
			fputs(" -->\n", stdout);
		} else if (n > 1 && !o->json) {
			printf("%s==> %s <==\n", printed ? "\n" : "", name);
		}
		printed = 1;
		if (print_state(o, ci, name, 1) != 0)
			rc = EXIT_INPUT;
		confinfo_free(ci);
	}
	return rc;
}

static int run_merge(const struct options *o, char **paths, int n)
{
	struct confinfo *state = NULL;
	int i, rc = 0, applied = 0;

	for (i = 0; i < n; i++) {
		const char *name = strcmp(paths[i], "-") ? paths[i] : "<stdin>";
		unsigned long have;
		struct confinfo *ci;
		struct sx_err err;

		if (decode(paths[i], &ci) != 0) {
			rc = EXIT_INPUT;
			continue;
		}
		if (state == NULL && (state = confinfo_new(ci->entity)) == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			confinfo_free(ci);
			return EXIT_INPUT;
		}
		have = state->version;
		sx_err_clear(&err);
		switch (confinfo_apply(state, ci, &err)) {
		case CONFINFO_APPLIED:
			applied = 1;
			break;
		case CONFINFO_STALE:
			fprintf(stderr, "%s: stale version %lu (have %lu), "
				"ignored\n", name, ci->version, have);
			break;
		case CONFINFO_GAP:
			fprintf(stderr, "%s: version gap: %lu after %lu, a "
				"refresh is needed\n", name, ci->version, have);
			rc = EXIT_INPUT;
			break;
		case CONFINFO_INVALID:
			fprintf(stderr, "%s: %s\n", name, err.text);
			rc = EXIT_INPUT;
			break;
		}
		confinfo_free(ci);
	}
	if (applied && print_state(o, state, PROG, 0) != 0)
		rc = EXIT_INPUT;
	confinfo_free(state);
	return rc;
}

static int check_jids(const struct options *o)
{
	struct sx_err err;
	struct jid j;

	sx_err_clear(&err);
	if (jid_parse(o->muc, &j, &err) != 0)
		return usage_error("--muc: %s", err.text);
	if (j.local[0] == '\0' || j.resource[0] != '\0')
		return usage_error("--muc: '%s' is not a bare room JID "
				   "(room@service)", o->muc);
	if (jid_parse(o->to, &j, &err) != 0)
		return usage_error("--to: %s", err.text);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_MUC = 256, OPT_TO };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "merge", no_argument, NULL, 'm' },
		{ "muc", required_argument, NULL, OPT_MUC },
		{ "to", required_argument, NULL, OPT_TO },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char dash[] = "-", *stdin_only[] = { dash };
	struct options o = { 0 };
	char opt[3] = "-?";
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpmhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'p': o.pretty = 1; break;
		case 'm': o.merge = 1; break;
		case OPT_MUC: o.muc = optarg; break;
		case OPT_TO: o.to = optarg; break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : EXIT_INPUT;
		case 'V':
			puts(PROG " (sxgw) " SX_VERSION);
			return fflush(stdout) == 0 ? 0 : EXIT_INPUT;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			/* A bad long option is named whole, a short one alone
			 * (it may sit in a group such as -jx). */
			opt[1] = (char)optopt;
			return usage_error("invalid option '%s'",
					   strncmp(argv[optind - 1], "--", 2) &&
					   optopt ? opt : argv[optind - 1]);
		}
	}
	if (o.to != NULL && o.muc == NULL)
		return usage_error("%s needs --muc", "--to");
	if (o.muc != NULL && o.to == NULL)
		return usage_error("%s needs --to", "--muc");
	if (o.muc != NULL && o.json)
		return usage_error("%s cannot be used with --json", "--muc");
	if (o.pretty && !o.json)
		return usage_error("%s needs --json", "--pretty");
	if (o.muc != NULL && (rc = check_jids(&o)) != 0)
		return rc;

	if (optind == argc)
		rc = o.merge ? run_merge(&o, stdin_only, 1) :
			       run_each(&o, stdin_only, 1);
	else
		rc = o.merge ? run_merge(&o, argv + optind, argc - optind) :
			       run_each(&o, argv + optind, argc - optind);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return EXIT_INPUT;
	}
	return rc;
}
