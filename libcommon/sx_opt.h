/*
 * sx_opt.h - command-line option values shared by sxgw's programs:
 * bounded decimal numbers and the local user's name.
 */
#ifndef SX_OPT_H
#define SX_OPT_H

/* s as a decimal number from min to max: digits only (no sign, no
 * blanks, nothing after), no overflow.  0 and *out set, else -1 and *out
 * left as it was. */
int sx_opt_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *out);

/* The local user's name: $USER when set and not empty, else the password
 * database's name for the real uid, else fallback. */
const char *sx_opt_user(const char *fallback);

#endif
