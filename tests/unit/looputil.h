/*
 * looputil.h - running an sx_loop from a test until something happened.
 */
#ifndef SX_LOOPUTIL_H
#define SX_LOOPUTIL_H

struct sx_loop;

/* The loop's clock (sofia's su_now()), in milliseconds. */
unsigned long sx_test_loop_now_ms(void);

/* Runs the loop until cond(arg) is true or timeout_ms have passed on the
 * loop's clock, waking only for events and timers; returns the last value
 * of cond(arg). */
int sx_test_loop_until(struct sx_loop *loop, int (*cond)(void *arg),
		       void *arg, unsigned long timeout_ms);

#endif
