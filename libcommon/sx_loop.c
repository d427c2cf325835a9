/*
 * sx_loop.c - su_root wrapper, see sx_loop.h.
 */
#define SU_ROOT_MAGIC_T struct sx_loop
#define SU_WAKEUP_ARG_T struct sx_watch
#define SU_TIMER_ARG_T struct sx_timer

#include "sx_loop.h"

#include <stdlib.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

struct sx_loop {
	su_root_t *root;
};

struct sx_watch {
	struct sx_loop *loop;
	int fd;
	int index;        /* su_root registration */
	int events;
	sx_watch_cb cb;
	void *arg;
};

struct sx_timer {
	struct sx_loop *loop;
	su_timer_t *timer;
	sx_timer_cb cb;
	void *arg;
	int armed;
};

static int su_initialised;

struct sx_loop *sx_loop_new(void)
{
	struct sx_loop *l;

	if (!su_initialised) {
		if (su_init() != 0)
			return NULL;
		su_initialised = 1;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->root = su_root_create(l);
	if (l->root == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void sx_loop_free(struct sx_loop *l)
{
	if (l == NULL)
		return;
	su_root_destroy(l->root);
	free(l);
}

struct su_root_s *sx_loop_root(struct sx_loop *l)
{
	return l->root;
}

void sx_loop_run(struct sx_loop *l)
{
	su_root_run(l->root);
}

void sx_loop_stop(struct sx_loop *l)
{
	su_root_break(l->root);
}

static int su_mask(int events)
{
	int m = SU_WAIT_ERR | SU_WAIT_HUP;

	if (events & SX_EV_READ)
		m |= SU_WAIT_IN;
	if (events & SX_EV_WRITE)
		m |= SU_WAIT_OUT;
	return m;
}

static int watch_wakeup(struct sx_loop *l, su_wait_t *wait,
			struct sx_watch *w)
{
	int rev = su_wait_events(wait, w->fd);
	int ev = 0;

	(void)l;
	if (rev & SU_WAIT_IN)
		ev |= SX_EV_READ;
	if (rev & SU_WAIT_OUT)
		ev |= SX_EV_WRITE;
	if (rev & (SU_WAIT_ERR | SU_WAIT_HUP))
		ev |= SX_EV_ERROR;
	if (ev)
		w->cb(w->arg, w->fd, ev);
	return 0;
}

struct sx_watch *sx_watch_new(struct sx_loop *l, int fd, int events,
			      sx_watch_cb cb, void *arg)
{
	struct sx_watch *w = calloc(1, sizeof(*w));
	su_wait_t wait[1] = { SU_WAIT_INIT };

	if (w == NULL)
		return NULL;
	w->loop = l;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	if (su_wait_create(wait, fd, su_mask(events)) != 0) {
		free(w);
		return NULL;
	}
	w->index = su_root_register(l->root, wait, watch_wakeup, w,
				    su_pri_normal);
	if (w->index <= 0) {
		su_wait_destroy(wait);
		free(w);
		return NULL;
	}
	return w;
}

void sx_watch_set(struct sx_watch *w, int events)
{
	if (w->events == events)
		return;
	w->events = events;
	su_root_eventmask(w->loop->root, w->index, w->fd, su_mask(events));
}

int sx_watch_events(const struct sx_watch *w)
{
	return w->events;
}

void sx_watch_free(struct sx_watch *w)
{
	if (w == NULL)
		return;
	su_root_deregister(w->loop->root, w->index);
	free(w);
}

static void timer_fired(struct sx_loop *l, su_timer_t *t, struct sx_timer *x)
{
	(void)l;
	(void)t;
	x->armed = 0;
	x->cb(x->arg);
}

struct sx_timer *sx_timer_new(struct sx_loop *l, sx_timer_cb cb, void *arg)
{
	struct sx_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->loop = l;
	t->cb = cb;
	t->arg = arg;
	t->timer = su_timer_create(su_root_task(l->root), 0);
	if (t->timer == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void sx_timer_start(struct sx_timer *t, unsigned long ms)
{
	su_timer_set_interval(t->timer, timer_fired, t, (su_duration_t)ms);
	t->armed = 1;
}

void sx_timer_stop(struct sx_timer *t)
{
	su_timer_reset(t->timer);
	t->armed = 0;
}

int sx_timer_armed(const struct sx_timer *t)
{
	return t->armed;
}

void sx_timer_free(struct sx_timer *t)
{
	if (t == NULL)
		return;
	su_timer_destroy(t->timer);
	free(t);
}
