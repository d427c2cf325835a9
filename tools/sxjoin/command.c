/*
 * command.c - what the user types: a line is a message to the room
 * (RFC 7701 §7), a line starting with '/' a command ("//" sends a line
 * that starts with '/').
 *
 * Lines typed (or piped in) before the join is complete wait in a queue
 * and run in order once it is, so that a script can pipe lines in and
 * end its input; the end of input leaves the room once every line ran
 * and everything sent was answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sxjoin.h"

struct sj_line {
	struct sj_line *next;
	char text[];
};

struct command {
	const char *name;
	const char *usage;
	void (*run)(struct sj *app, const char *args);
	int needs_args;
};

static void cmd_help(struct sj *app, const char *args);

static void cmd_who(struct sj *app, const char *args)
{
	(void)args;
	roster_who(app);
}

static void cmd_nick(struct sj *app, const char *args)
{
	chat_nickname(app, args);
}

/* NICK is a word, or a quoted string when it has spaces. */
static void cmd_msg(struct sj *app, const char *args)
{
	const char *text;
	char *nick;

	if (args[0] == '"') {
		const char *end = strchr(args + 1, '"');

		if (end == NULL) {
			sj_error(app, "command", 0, "/msg: unterminated "
				 "quoted nickname");
			return;
		}
		nick = strndup(args + 1, (size_t)(end - args - 1));
		text = end + 1;
	} else {
		size_t n = strcspn(args, " \t");

		nick = strndup(args, n);
		text = args + n;
	}
	text += strspn(text, " \t");
	if (nick == NULL || nick[0] == '\0' || text[0] == '\0')
		sj_error(app, "command", 0, "usage: /msg NICK TEXT");
	else
		chat_send(app, nick, text, 0);
	free(nick);
}

static void cmd_topic(struct sj *app, const char *args)
{
	chat_send(app, NULL, args, 1);
}

/* "bob@example.test" is taken as sip:bob@example.test. */
static void cmd_refer(struct sj *app, const char *target, int bye)
{
	char *uri = NULL;

	if (strchr(target, ':') == NULL && strchr(target, '@') &&
	    asprintf(&uri, "sip:%s", target) < 0)
		return;
	sip_refer(app, uri ? uri : target, bye);
	free(uri);
}

static void cmd_invite(struct sj *app, const char *args)
{
	cmd_refer(app, args, 0);
}

/* By URI, or by the nickname of someone in the room. */
static void cmd_kick(struct sj *app, const char *args)
{
	const char *aor = NULL;

	if (strchr(args, ':') == NULL && strchr(args, '@') == NULL) {
		aor = roster_aor_of(app->roster, args);
		if (aor == NULL) {
			sj_error(app, "kick", 0, "no one called %s here", args);
			return;
		}
	}
	cmd_refer(app, aor ? aor : args, 1);
}

static void cmd_quit(struct sj *app, const char *args)
{
	session_leave(app, args[0] ? args : "quit");
}

static const struct command commands[] = {
	{ "who", "/who", cmd_who, 0 },
	{ "nick", "/nick NEW", cmd_nick, 1 },
	{ "msg", "/msg NICK TEXT", cmd_msg, 1 },
	{ "topic", "/topic TEXT", cmd_topic, 0 },
	{ "invite", "/invite URI", cmd_invite, 1 },
	{ "kick", "/kick URI|NICK", cmd_kick, 1 },
	{ "quit", "/quit [REASON]", cmd_quit, 0 },
	{ "help", "/help", cmd_help, 0 },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(struct sj *app, const char *args)
{
	size_t i;

	(void)args;
	sj_info(app, "a line is said to the room; //TEXT says /TEXT");
	for (i = 0; i < NCOMMANDS; i++)
		sj_info(app, "%s", commands[i].usage);
}

static const struct command *command_find(const char *line, size_t *len)
{
	size_t i, n = strcspn(line + 1, " \t");

	*len = n + 1;
	for (i = 0; i < NCOMMANDS; i++)
		if (strlen(commands[i].name) == n &&
		    strncasecmp(line + 1, commands[i].name, n) == 0)
			return &commands[i];
	return NULL;
}

static void command_run(struct sj *app, const char *line)
{
	const struct command *c;
	const char *args;
	size_t n;

	if (line[0] == '\0')
		return;
	if (line[0] != '/' || line[1] == '/') {
		chat_send(app, NULL, line + (line[0] == '/'), 0);
		return;
	}
	c = command_find(line, &n);
	if (c == NULL) {
		sj_error(app, "command", 0, "unknown command %.*s (/help "
			 "lists them)", (int)n, line);
		return;
	}
	args = line + n;
	args += strspn(args, " \t");
	if (c->needs_args && args[0] == '\0') {
		sj_error(app, "command", 0, "usage: %s", c->usage);
		return;
	}
	c->run(app, args);
}

/* What runs at once even before the join is complete. */
static int command_now(const char *line)
{
	size_t n;
	const struct command *c = line[0] == '/' && line[1] != '/' ?
				  command_find(line, &n) : NULL;

	return c && (c->run == cmd_quit || c->run == cmd_help);
}

void command_line(struct sj *app, const char *line)
{
	struct sj_line *l;
	size_t n = strlen(line);

	sj_touch(app);
	if (app->state == SJ_LEAVING || app->state == SJ_DONE)
		return;
	if (app->state == SJ_JOINED && app->queue == NULL) {
		command_run(app, line);
		return;
	}
	if (app->queue == NULL && command_now(line)) {
		command_run(app, line);
		return;
	}
	l = malloc(sizeof(*l) + n + 1);
	if (l == NULL)
		return;
	l->next = NULL;
	memcpy(l->text, line, n + 1);
	*app->queue_tail = l;
	app->queue_tail = &l->next;
}

void command_flush(struct sj *app)
{
	while (app->state == SJ_JOINED && app->queue) {
		struct sj_line *l = app->queue;

		app->queue = l->next;
		if (app->queue == NULL)
			app->queue_tail = &app->queue;
		command_run(app, l->text);
		free(l);
	}
	if (app->input_ended && app->queue == NULL && session_idle(app))
		session_leave(app, "end of input");
}

void command_input_end(struct sj *app)
{
	if (app->o.wait_for_calls)
		return;
	app->input_ended = 1;
	command_flush(app);
}

void command_queue_free(struct sj *app)
{
	while (app->queue) {
		struct sj_line *l = app->queue;

		app->queue = l->next;
		free(l);
	}
	app->queue_tail = &app->queue;
}

char **command_complete(struct sj *app, const char *text, int at_start)
{
	const char *const *nicks;
	size_t n = strlen(text), nn, i, k = 0;
	char **v;

	nn = roster_nicks(app->roster, &nicks);
	v = calloc(nn + NCOMMANDS + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	if (at_start && text[0] == '/') {
		for (i = 0; i < NCOMMANDS; i++)
			if (strncasecmp(commands[i].name, text + 1, n - 1) == 0 &&
			    asprintf(&v[k], "/%s", commands[i].name) >= 0)
				k++;
	} else {
		for (i = 0; i < nn; i++)
			if (strncasecmp(nicks[i], text, n) == 0 &&
			    (v[k] = strdup(nicks[i])) != NULL)
				k++;
	}
	if (k == 0) {
		free(v);
		return NULL;
	}
	return v;
}
