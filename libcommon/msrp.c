/*
 * msrp.c - helpers of the MSRP frame model (RFC 4975 §7, §9), see msrp.h.
 */
#include "msrp.h"

#include <string.h>
#include <strings.h>

const struct msrp_header *msrp_frame_header(const struct msrp_frame *f,
					    const char *name)
{
	size_t n = strlen(name);
	size_t i;

	for (i = 0; i < f->nheaders; i++) {
		const struct msrp_header *h = &f->headers[i];

		if (h->name.len == n && strncasecmp(h->name.p, name, n) == 0)
			return h;
	}
	return NULL;
}

const char *msrp_method_name(enum msrp_method m)
{
	switch (m) {
	case MSRP_SEND:
		return "SEND";
	case MSRP_REPORT:
		return "REPORT";
	case MSRP_AUTH:
		return "AUTH";
	case MSRP_NICKNAME:
		return "NICKNAME";
	case MSRP_METHOD_NONE:
	case MSRP_METHOD_OTHER:
		break;
	}
	return NULL;
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

int msrp_ident_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MSRP_TID_MAX || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '.' && c != '-' && c != '+' &&
		    c != '%' && c != '=')
			return 0;
	}
	return 1;
}
