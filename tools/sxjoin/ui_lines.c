/*
 * ui_lines.c - sxjoin driven by a script: input lines from stdin (read as
 * they come, through the loop), one event per output line, as text or, with
 * --json, as JSON objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sxjoin.h"

#define LINES_MAX (64 * 1024)  /* longest input line taken */

static struct {
	struct sx_watch *watch;
	struct sx_timer *timer; /* reads a file, which is always ready */
	char buf[LINES_MAX];
	size_t len;
	int overlong;           /* discarding the rest of a line too long */
} lines;

static void lines_take(struct sj *app, char *line, size_t n)
{
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (lines.overlong) {
		lines.overlong = 0;
		return;
	}
	command_line(app, line);
}

static void lines_end(struct sj *app)
{
	if (lines.len > 0)
		lines_take(app, lines.buf, lines.len);
	lines.len = 0;
	if (lines.watch)
		sx_watch_free(lines.watch);
	lines.watch = NULL;
	if (lines.timer)
		sx_timer_free(lines.timer);
	lines.timer = NULL;
	command_input_end(app);
}

static void lines_on_read(void *arg, int fd, int events)
{
	struct sj *app = arg;
	size_t start = 0, i;
	ssize_t n;

	(void)events;
	n = read(fd, lines.buf + lines.len, sizeof(lines.buf) - lines.len - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		lines_end(app);
		return;
	}
	for (i = lines.len; i < lines.len + (size_t)n; i++) {
		if (lines.buf[i] != '\n')
			continue;
		lines_take(app, lines.buf + start, i - start);
		start = i + 1;
	}
	lines.len += (size_t)n - start;
	memmove(lines.buf, lines.buf + start, lines.len);
	if (lines.len == sizeof(lines.buf) - 1) {
		if (!lines.overlong)
			sj_error(app, "input", 0, "input line longer than %d "
				 "bytes: dropped", LINES_MAX - 1);
		lines.overlong = 1;
		lines.len = 0;
	}
}

static void lines_on_timer(void *arg)
{
	struct sj *app = arg;

	lines_on_read(app, 0, SX_EV_READ);
	if (lines.timer)
		sx_timer_start(lines.timer, 0);
}

static int lines_start(struct sj *app)
{
	struct stat st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* epoll refuses files and /dev/null; they never block, so a file is
	 * read a piece per loop turn instead */
	if (fstat(0, &st) == 0 && (S_ISREG(st.st_mode) ||
				   (S_ISCHR(st.st_mode) && !isatty(0)))) {
		lines.timer = sx_timer_new(app->loop, lines_on_timer, app);
		if (lines.timer)
			sx_timer_start(lines.timer, 0);
		return lines.timer ? 0 : -1;
	}
	lines.watch = sx_watch_new(app->loop, 0, SX_EV_READ, lines_on_read,
				   app);
	return lines.watch ? 0 : -1;
}

static void lines_emit(struct sj *app, const struct sj_event *e)
{
	char *s = app->o.json ? event_json(e) : event_text(e);

	if (s) {
		puts(s);
		fflush(stdout);
		free(s);
	}
	/* a script's log of stderr tells why it exited 2 */
	if (e->type == SJ_EV_ERROR && e->what && strcmp(e->what, "join") == 0)
		fprintf(stderr, "sxjoin: %s\n", e->text);
}

static void lines_nick_changed(struct sj *app)
{
	(void)app;
}

static void lines_stop(struct sj *app)
{
	(void)app;
	if (lines.watch)
		sx_watch_free(lines.watch);
	lines.watch = NULL;
	if (lines.timer)
		sx_timer_free(lines.timer);
	lines.timer = NULL;
}

const struct sj_ui ui_lines = {
	.start = lines_start,
	.emit = lines_emit,
	.nick_changed = lines_nick_changed,
	.stop = lines_stop,
};
