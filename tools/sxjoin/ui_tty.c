/*
 * ui_tty.c - sxjoin on a terminal: a readline prompt with history and tab
 * completion of nicknames and commands.  readline runs in callback mode
 * with the terminal watched by the loop, so SIP and MSRP keep flowing
 * while a line is being typed; events are printed above the prompt and
 * the line being typed is drawn again below them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "sxjoin.h"

static struct {
	struct sj *app;
	struct sx_watch *watch;
	int installed;          /* the readline handler is in place */
	char prompt[256];
	char **matches;         /* completion candidates being handed out */
	size_t next;
} tty;

static void tty_on_line(char *line)
{
	if (line == NULL) {
		/* ^D: leave */
		session_leave(tty.app, "end of input");
		return;
	}
	if (line[0])
		add_history(line);
	command_line(tty.app, line);
	free(line);
}

static void tty_on_read(void *arg, int fd, int events)
{
	(void)arg;
	(void)fd;
	(void)events;
	rl_callback_read_char();
}

static char *tty_generate(const char *text, int state)
{
	(void)text;
	if (state == 0)
		tty.next = 0;
	if (tty.matches && tty.matches[tty.next])
		return tty.matches[tty.next++];  /* readline frees it */
	free(tty.matches);
	tty.matches = NULL;
	return NULL;
}

static char **tty_complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;  /* never file names */
	free(tty.matches);
	tty.matches = command_complete(tty.app, text, start == 0);
	tty.next = 0;
	return rl_completion_matches(text, tty_generate);
}

static void tty_set_prompt(struct sj *app)
{
	snprintf(tty.prompt, sizeof(tty.prompt), "%s> ",
		 app->nick ? app->nick : "sxjoin");
}

static int tty_start(struct sj *app)
{
	tty.app = app;
	tty_set_prompt(app);
	rl_catch_signals = 0;       /* SIGINT and SIGTERM come by signalfd */
	rl_readline_name = "sxjoin";
	rl_attempted_completion_function = tty_complete;
	rl_callback_handler_install(tty.prompt, tty_on_line);
	tty.installed = 1;
	tty.watch = sx_watch_new(app->loop, fileno(rl_instream ? rl_instream
							       : stdin),
				 SX_EV_READ, tty_on_read, app);
	return tty.watch ? 0 : -1;
}

/* Prints text above the prompt, then draws the prompt and the line being
 * typed again, with the cursor where it was. */
static void tty_print(const char *text)
{
	char *line;
	int point;

	if (!tty.installed) {
		puts(text);
		return;
	}
	point = rl_point;
	line = rl_copy_text(0, rl_end);
	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	rl_restore_prompt();
	rl_replace_line(line ? line : "", 0);
	rl_point = point;
	rl_redisplay();
	free(line);
}

static void tty_emit(struct sj *app, const struct sj_event *e)
{
	char *s = event_text(e);

	(void)app;
	if (s) {
		tty_print(s);
		free(s);
	}
}

static void tty_nick_changed(struct sj *app)
{
	tty_set_prompt(app);
	if (tty.installed) {
		rl_set_prompt(tty.prompt);
		rl_redisplay();
	}
}

static void tty_stop(struct sj *app)
{
	(void)app;
	if (tty.watch)
		sx_watch_free(tty.watch);
	tty.watch = NULL;
	if (tty.installed) {
		/* leave the terminal on an empty line for the shell */
		rl_set_prompt("");
		rl_replace_line("", 0);
		rl_redisplay();
		rl_callback_handler_remove();
		tty.installed = 0;
	}
	free(tty.matches);
	tty.matches = NULL;
}

const struct sj_ui ui_tty = {
	.start = tty_start,
	.emit = tty_emit,
	.nick_changed = tty_nick_changed,
	.stop = tty_stop,
};
