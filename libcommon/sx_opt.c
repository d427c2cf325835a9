/*
 * sx_opt.c - command-line option values, see sx_opt.h.
 */
#include "sx_opt.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

/* strtoul alone would take " 12", "+12" and "-1" (as ULONG_MAX). */
int sx_opt_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *sx_opt_user(const char *fallback)
{
	const char *user = getenv("USER");
	const struct passwd *pw;

	if (user && *user)
		return user;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : fallback;
}
