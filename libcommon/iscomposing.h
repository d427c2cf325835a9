/*
 * iscomposing.h - the message composition indication of RFC 3994
 * (application/im-iscomposing+xml), read and written.
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">
 *     <state>active</state>                   required: active or idle
 *     <lastactive>...</lastactive>            optional dateTime
 *     <contenttype>text/plain</contenttype>   optional
 *     <refresh>60</refresh>                   optional, active only
 *   </isComposing>
 *
 * Reading uses libxml2 without network, entity substitution or DTD (a
 * document with a DOCTYPE is refused before it is parsed).  Unknown
 * elements are ignored (RFC 3994 §4: the schema is extensible).
 *
 * Error convention: sx_err.h; what is refused has status 400.
 */
#ifndef SX_ISCOMPOSING_H
#define SX_ISCOMPOSING_H

#include <stddef.h>

#include "sx_err.h"

#define ISCOMPOSING_MIME "application/im-iscomposing+xml"
#define ISCOMPOSING_NS   "urn:ietf:params:xml:ns:im-iscomposing"

struct iscomposing {
	int active;                 /* state: 1 active, 0 idle */
	unsigned long refresh;      /* seconds; 0 when absent */
	char contenttype[128];      /* "" when absent */
	char lastactive[64];        /* as written; "" when absent */
};

/* Returns 0 or SX_ERROR: not well-formed, a DTD, another root element or
 * namespace, no <state> or one that is neither active nor idle, a refresh
 * that is not a positive integer. */
int iscomposing_parse(const char *xml, size_t len, struct iscomposing *out,
		      struct sx_err *err);

/* A document saying active (with refresh seconds when not 0) or idle;
 * contenttype may be NULL.  malloc'd, *len its length; NULL when out of
 * memory or contenttype holds a character XML cannot carry unescaped
 * ('<', '&', a control character). */
char *iscomposing_build(int active, unsigned long refresh,
			const char *contenttype, size_t *len);

#endif
