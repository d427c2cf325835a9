/* sx_err.c - see sx_err.h */
#include "sx_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sx_err_set(struct sx_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return SX_ERROR;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

void sx_err_clear(struct sx_err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}
