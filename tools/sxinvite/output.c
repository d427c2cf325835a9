/*
 * output.c - what sxinvite prints: one line per status of the room's
 * request to the invitee (the message/sipfrag NOTIFYs of RFC 3515
 * §2.4.5), or with --json one object per line for every step.  Both forms
 * are documented in sxinvite(1) (OUTPUT) and change only with a note
 * there.
 *
 * Reason phrases come from the network: bytes that are not UTF-8, and in
 * text control characters, are shown as U+FFFD.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sxinvite.h"
#include "utf8.h"

#define OUT_REPLACEMENT "\xef\xbf\xbd"

/* s made safe into buf (cap bytes, NUL-terminated, cut at a character). */
static const char *out_clean(char *buf, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0, o = 0;

	while (n > 0) {
		unsigned long cp;
		size_t k = utf8_decode(s, n, &cp);
		const char *put = s;
		size_t len = k;

		if (k == 0 || cp < 0x20 || cp == 0x7f) {
			put = OUT_REPLACEMENT;
			len = 3;
			k = k ? k : 1;
		}
		if (o + len >= cap)
			break;
		memcpy(buf + o, put, len);
		o += len;
		s += k;
		n -= k;
	}
	buf[o] = '\0';
	return buf;
}

static void out_json(json_t *o)
{
	if (o == NULL)
		return;
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	fputc('\n', stdout);
	fflush(stdout);
}

static const char *out_action(const struct si *app)
{
	return app->o.kick ? "kick" : "invite";
}

/* The target as JSON can take it (a sip: URI given may hold any byte). */
static const char *out_target(const struct si *app, char *buf, size_t cap)
{
	return out_clean(buf, cap, app->target);
}

void out_answer(const struct si *app, int status, const char *phrase)
{
	char buf[256], tb[512];

	if (!app->o.json)
		return;
	out_json(json_pack("{s:s,s:s,s:s,s:i,s:s}", "event", "refer",
			   "action", out_action(app),
			   "target", out_target(app, tb, sizeof(tb)),
			   "status", status,
			   "text", out_clean(buf, sizeof(buf), phrase)));
}

void out_notify(const struct si *app, int status, const char *phrase,
		int final)
{
	char buf[256];

	out_clean(buf, sizeof(buf), phrase);
	if (app->o.json) {
		out_json(json_pack("{s:s,s:i,s:s,s:b}", "event", "notify",
				   "status", status, "text", buf,
				   "final", final));
		return;
	}
	printf("%03d%s%s\n", status, buf[0] ? " " : "", buf);
	fflush(stdout);
}

void out_result(const struct si *app, int code, int status,
		const char *why)
{
	char buf[256], tb[512];

	out_clean(buf, sizeof(buf), why);
	out_target(app, tb, sizeof(tb));
	if (app->o.json) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:i}", "event", "result",
				      "action", out_action(app),
				      "target", tb, "exit", code);

		if (o && status)
			json_object_set_new(o, "status", json_integer(status));
		if (o && code != SI_EXIT_OK)
			json_object_set_new(o, "text", json_string(buf));
		out_json(o);
	}
	if (code != SI_EXIT_OK)
		fprintf(stderr, "sxinvite: %s %s: %s\n", out_action(app), tb,
			buf);
}
