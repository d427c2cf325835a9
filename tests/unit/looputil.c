/*
 * looputil.c - see looputil.h.
 */
#include "looputil.h"

#include <sofia-sip/su_wait.h>

#include "sx_loop.h"

unsigned long sx_test_loop_now_ms(void)
{
	su_time_t t = su_now();

	return (unsigned long)t.tv_sec * 1000ul + t.tv_usec / 1000ul;
}

int sx_test_loop_until(struct sx_loop *loop, int (*cond)(void *arg),
		       void *arg, unsigned long timeout_ms)
{
	unsigned long start = sx_test_loop_now_ms(), now;

	while (!cond(arg)) {
		now = sx_test_loop_now_ms();
		if (now - start >= timeout_ms)
			return cond(arg);
		su_root_step(sx_loop_root(loop),
			     (su_duration_t)(timeout_ms - (now - start)));
	}
	return 1;
}
