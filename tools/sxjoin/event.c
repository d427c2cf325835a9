/*
 * event.c - what sxjoin shows, as text lines or JSON objects.  Both forms
 * are an interface documented in sxjoin(1) (EVENTS): scripts grep the
 * lines and read the JSON, so they change only with a note there.
 *
 * Text from the room is never trusted with the terminal: control
 * characters (ESC included) and bytes that are not UTF-8 become U+FFFD.
 * A message of several lines becomes several event lines, each with the
 * full prefix, so that every line stands alone.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jid.h"
#include "sxjoin.h"

#define EV_REPLACEMENT "\xef\xbf\xbd"

static const char *const ev_names[] = {
	[SJ_EV_READY] = "ready",
	[SJ_EV_INVITED] = "invited",
	[SJ_EV_JOINED] = "joined",
	[SJ_EV_WHO] = "who",
	[SJ_EV_JOIN] = "join",
	[SJ_EV_LEAVE] = "leave",
	[SJ_EV_RENAME] = "rename",
	[SJ_EV_NICK] = "nick",
	[SJ_EV_MESSAGE] = "message",
	[SJ_EV_SENT] = "sent",
	[SJ_EV_SUBJECT] = "subject",
	[SJ_EV_REFER] = "refer",
	[SJ_EV_INFO] = "info",
	[SJ_EV_ERROR] = "error",
	[SJ_EV_LEFT] = "left",
	[SJ_EV_ENDED] = "ended",
};

static size_t ev_text_len(const struct sj_event *e)
{
	return e->sized ? e->text_len : e->text ? strlen(e->text) : 0;
}

static struct timespec ev_time(const struct sj_event *e)
{
	struct timespec ts = e->time;

	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/*
 * Writes s (n bytes) as UTF-8 that is safe to print.  With term set,
 * control characters are replaced too, and a line break starts a new
 * line that repeats cont (the event's prefix); without cont it becomes a
 * space.  Without term only ill-formed UTF-8 is replaced (JSON escapes
 * the rest).
 */
static void ev_clean(FILE *f, const char *s, size_t n, int term,
		     const char *cont)
{
	while (n > 0) {
		unsigned long cp;
		size_t k = jid_utf8_decode(s, n, &cp);

		if (k == 0) {
			fputs(EV_REPLACEMENT, f);
			s++;
			n--;
			continue;
		}
		if (term && cp == '\r' && n > 1 && s[1] == '\n') {
			/* CRLF counts as one line break */
		} else if (term && cp == '\n') {
			if (cont)
				fprintf(f, "\n%s", cont);
			else
				fputc(' ', f);
		} else if (term && cp == '\t') {
			fputc(' ', f);
		} else if (term && (cp < 0x20 || cp == 0x7f ||
				    (cp >= 0x80 && cp < 0xa0))) {
			fputs(EV_REPLACEMENT, f);
		} else {
			fwrite(s, 1, k, f);
		}
		s += k;
		n -= k;
	}
}

static void ev_put(FILE *f, const char *s)
{
	ev_clean(f, s ? s : "", s ? strlen(s) : 0, 1, NULL);
}

/* head and tail are ours, s is from outside and gets cleaned. */
static void ev_say(FILE *f, const char *head, const char *s,
		   const char *tail)
{
	fputs(head, f);
	ev_put(f, s);
	fputs(tail, f);
}

/* " (why)" after a notice, when there is a why. */
static void ev_reason(FILE *f, const char *why)
{
	if (why)
		ev_say(f, " (", why, ")");
}

/* The prefix of every line: "[18:30:00] ", local time. */
static void ev_prefix(char *buf, size_t cap, const struct sj_event *e)
{
	struct timespec ts = ev_time(e);
	struct tm tm;

	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, cap, "[%H:%M:%S] ", &tm);
}

static void ev_message_head(FILE *h, const struct sj_event *e)
{
	if (e->type == SJ_EV_SENT && e->private_msg) {
		fputs("-> (private) <", h);
		ev_put(h, e->target);
	} else {
		fputs(e->private_msg ? "(private) <" : "<", h);
		ev_put(h, e->nick ? e->nick : e->aor);
	}
	fputs("> ", h);
	if (e->type == SJ_EV_MESSAGE && e->content_type) {
		fputc('[', h);
		ev_put(h, e->content_type);
		if (e->text == NULL)
			fprintf(h, ", %zu bytes]", e->text_len);
		else
			fputs("] ", h);
	}
}

static void ev_subject_head(FILE *h, const struct sj_event *e)
{
	if (e->nick)
		ev_say(h, "*** ", e->nick, ev_text_len(e) ?
		       " set the subject: " : " cleared the subject");
	else
		fputs(ev_text_len(e) ? "*** subject: " : "*** no subject", h);
}

/*
 * The head (from put_head) then the text, whose further lines each
 * repeat prefix and head: the head is built aside to be repeated.
 */
static void ev_text_headed(FILE *f, const char *prefix,
			   const struct sj_event *e,
			   void (*put_head)(FILE *, const struct sj_event *))
{
	char cont[1024], *head = NULL;
	size_t hl = 0;
	FILE *h = open_memstream(&head, &hl);

	if (h == NULL)
		return;
	put_head(h, e);
	if (fclose(h) == 0 && head) {
		snprintf(cont, sizeof(cont), "%s%s", prefix, head);
		fputs(head, f);
		if (e->text)
			ev_clean(f, e->text, ev_text_len(e), 1, cont);
	}
	free(head);
}

static void ev_text_who(FILE *f, const struct sj_event *e)
{
	size_t i;

	fprintf(f, "*** in the room (%zu)", e->nnicks);
	for (i = 0; i < e->nnicks; i++) {
		fputs(i ? ", " : ": ", f);
		ev_put(f, e->nicks[i]);
	}
}

char *event_text(const struct sj_event *e)
{
	char prefix[32], *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (f == NULL)
		return NULL;
	ev_prefix(prefix, sizeof(prefix), e);
	fputs(prefix, f);
	switch (e->type) {
	case SJ_EV_READY:
		ev_say(f, "*** waiting for invitations at ", e->text, "");
		break;
	case SJ_EV_INVITED:
		ev_say(f, "*** invited to ", e->room, "");
		if (e->aor)
			ev_say(f, " by ", e->aor, "");
		ev_reason(f, e->text);
		break;
	case SJ_EV_JOINED:
		ev_say(f, "*** joined ", e->room, " as ");
		ev_put(f, e->nick);
		break;
	case SJ_EV_WHO:
		ev_text_who(f, e);
		break;
	case SJ_EV_JOIN:
		ev_say(f, "*** ", e->nick, " joined");
		break;
	case SJ_EV_LEAVE:
		ev_say(f, "*** ", e->nick, " left");
		/* the ordinary way out goes without saying */
		if (e->what && strcmp(e->what, "departed") != 0)
			ev_reason(f, e->what);
		break;
	case SJ_EV_RENAME:
		ev_say(f, "*** ", e->old_nick, " is now known as ");
		ev_put(f, e->nick);
		break;
	case SJ_EV_NICK:
		ev_say(f, "*** you are now known as ", e->nick, "");
		break;
	case SJ_EV_MESSAGE:
	case SJ_EV_SENT:
		ev_text_headed(f, prefix, e, ev_message_head);
		break;
	case SJ_EV_SUBJECT:
		ev_text_headed(f, prefix, e, ev_subject_head);
		break;
	case SJ_EV_REFER:
		fprintf(f, "*** %s ", e->what);
		ev_put(f, e->target);
		fprintf(f, ": %03d ", e->status);
		ev_put(f, e->text);
		break;
	case SJ_EV_INFO:
		ev_say(f, "*** ", e->text, "");
		break;
	case SJ_EV_ERROR:
		ev_say(f, "!!! ", e->text, "");
		break;
	case SJ_EV_LEFT:
		ev_say(f, "*** left ", e->room, "");
		ev_reason(f, e->text);
		break;
	case SJ_EV_ENDED:
		fputs("*** the room ended the session", f);
		ev_reason(f, e->text);
		break;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --- JSON ---------------------------------------------------------------- */

static json_t *ev_jstr(const char *s, size_t n)
{
	char *clean = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&clean, &size);
	json_t *j = NULL;

	if (f == NULL)
		return NULL;
	ev_clean(f, s, n, 0, NULL);
	if (fclose(f) == 0 && clean)
		j = json_stringn(clean, size);
	free(clean);
	return j;
}

static void ev_jset(json_t *o, const char *key, const char *val)
{
	if (val)
		json_object_set_new(o, key, ev_jstr(val, strlen(val)));
}

/* Someone in the room: their nick under key, then their SIP address. */
static void ev_jwho(json_t *o, const char *key, const struct sj_event *e)
{
	ev_jset(o, key, e->nick);
	ev_jset(o, "aor", e->aor);
}

static void ev_jtime(json_t *o, const struct sj_event *e)
{
	struct timespec ts = ev_time(e);
	char buf[64], stamp[48];
	struct tm tm;

	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sizeof(buf), "%s.%03ldZ", stamp, ts.tv_nsec / 1000000);
	json_object_set_new(o, "time", json_string(buf));
}

static void ev_jtext(json_t *o, const struct sj_event *e)
{
	if (e->text)
		json_object_set_new(o, "text",
				    ev_jstr(e->text, ev_text_len(e)));
}

static void ev_json_fields(json_t *o, const struct sj_event *e)
{
	json_t *a;
	size_t i;

	switch (e->type) {
	case SJ_EV_READY:
		ev_jset(o, "contact", e->text);
		break;
	case SJ_EV_INVITED:
		ev_jset(o, "room", e->room);
		ev_jset(o, "by", e->aor);
		ev_jset(o, "reason", e->text);
		break;
	case SJ_EV_JOINED:
		ev_jset(o, "room", e->room);
		ev_jwho(o, "nick", e);
		break;
	case SJ_EV_WHO:
		ev_jset(o, "room", e->room);
		a = json_array();
		for (i = 0; i < e->nnicks; i++)
			json_array_append_new(a, ev_jstr(e->nicks[i],
							 strlen(e->nicks[i])));
		json_object_set_new(o, "nicks", a);
		break;
	case SJ_EV_JOIN:
	case SJ_EV_LEAVE:
	case SJ_EV_RENAME:
		ev_jwho(o, "nick", e);
		ev_jset(o, "old", e->old_nick);
		ev_jset(o, "reason", e->what);
		break;
	case SJ_EV_NICK:
		ev_jset(o, "nick", e->nick);
		break;
	case SJ_EV_MESSAGE:
		ev_jwho(o, "from", e);
		ev_jtext(o, e);
		if (e->text == NULL)
			json_object_set_new(o, "size",
					    json_integer((json_int_t)e->text_len));
		ev_jset(o, "content_type", e->content_type);
		json_object_set_new(o, "private", json_boolean(e->private_msg));
		break;
	case SJ_EV_SENT:
		ev_jset(o, "to", e->private_msg ? e->target : e->room);
		ev_jtext(o, e);
		json_object_set_new(o, "private", json_boolean(e->private_msg));
		break;
	case SJ_EV_SUBJECT:
		ev_jwho(o, "from", e);
		ev_jtext(o, e);
		break;
	case SJ_EV_REFER:
		ev_jset(o, "action", e->what);
		ev_jset(o, "target", e->target);
		json_object_set_new(o, "status", json_integer(e->status));
		ev_jtext(o, e);
		json_object_set_new(o, "final", json_boolean(e->final));
		break;
	case SJ_EV_INFO:
		ev_jtext(o, e);
		break;
	case SJ_EV_ERROR:
		ev_jset(o, "what", e->what);
		if (e->status)
			json_object_set_new(o, "status",
					    json_integer(e->status));
		ev_jtext(o, e);
		break;
	case SJ_EV_LEFT:
	case SJ_EV_ENDED:
		ev_jset(o, "room", e->room);
		ev_jset(o, "reason", e->text);
		break;
	}
}

char *event_json(const struct sj_event *e)
{
	json_t *o = json_object();
	char *s;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "event", json_string(ev_names[e->type]));
	ev_jtime(o, e);
	ev_json_fields(o, e);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* --- shorthands ---------------------------------------------------------- */

/* e with its text formatted from fmt, shown. */
static void ev_emitv(struct sj *app, struct sj_event *e, const char *fmt,
		     va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	e->text = text;
	sj_emit(app, e);
}

void sj_error(struct sj *app, const char *what, int status,
	      const char *fmt, ...)
{
	struct sj_event e = { .type = SJ_EV_ERROR, .what = what,
			      .status = status };
	va_list ap;

	va_start(ap, fmt);
	ev_emitv(app, &e, fmt, ap);
	va_end(ap);
}

void sj_info(struct sj *app, const char *fmt, ...)
{
	struct sj_event e = { .type = SJ_EV_INFO };
	va_list ap;

	va_start(ap, fmt);
	ev_emitv(app, &e, fmt, ap);
	va_end(ap);
}
