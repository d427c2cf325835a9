/*
 * sx_loop.h - the few things sxgw needs from sofia-sip's su_root event loop:
 * watching a file descriptor, one-shot timers, running and stopping.
 *
 * Every socket of a program is watched by the one loop: SIP (sofia's own
 * transports, registered by nua on sx_loop_root()), MSRP, the XMPP link.
 * Nothing here blocks and nothing polls.
 */
#ifndef SX_LOOP_H
#define SX_LOOP_H

struct su_root_s;

enum {
	SX_EV_READ = 1,
	SX_EV_WRITE = 2,
	SX_EV_ERROR = 4,   /* error or hang-up: read to learn which */
};

struct sx_loop;
struct sx_watch;
struct sx_timer;

typedef void (*sx_watch_cb)(void *arg, int fd, int events);
typedef void (*sx_timer_cb)(void *arg);

/* Initialises sofia's su library the first time.  NULL on failure. */
struct sx_loop *sx_loop_new(void);
void sx_loop_free(struct sx_loop *l);
/* For sofia-sip components (nua_create) that take the root itself. */
struct su_root_s *sx_loop_root(struct sx_loop *l);

/* Runs until sx_loop_stop(). */
void sx_loop_run(struct sx_loop *l);
void sx_loop_stop(struct sx_loop *l);

struct sx_watch *sx_watch_new(struct sx_loop *l, int fd, int events,
			      sx_watch_cb cb, void *arg);
/* Changes the events watched (SX_EV_READ | SX_EV_WRITE). */
void sx_watch_set(struct sx_watch *w, int events);
int sx_watch_events(const struct sx_watch *w);
/* Stops watching; safe from inside the watch's own callback. */
void sx_watch_free(struct sx_watch *w);

struct sx_timer *sx_timer_new(struct sx_loop *l, sx_timer_cb cb, void *arg);
/* (Re)arms the timer to fire once, ms milliseconds from now. */
void sx_timer_start(struct sx_timer *t, unsigned long ms);
void sx_timer_stop(struct sx_timer *t);
int sx_timer_armed(const struct sx_timer *t);
void sx_timer_free(struct sx_timer *t);

#endif
