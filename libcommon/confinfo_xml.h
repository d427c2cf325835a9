/*
 * confinfo_xml.h - the libxml2 side of confinfo_parse.c: reading a
 * conference-info document safely, and errors that point at the start tag
 * of an element.  Internal to the confinfo_*.c files.
 */
#ifndef SX_CONFINFO_XML_H
#define SX_CONFINFO_XML_H

#include <stdarg.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "sx_err.h"

/* What a SIP notifier is answered for a body we cannot take. */
#define CONFINFO_XML_STATUS 400

/* The input, to turn a line and column into a byte offset, and where the
 * first problem found is reported: later ones are dropped. */
struct confinfo_xml_err {
	const char *xml;
	size_t len;
	struct sx_err *err;
	int failed;
};

int confinfo_xml_fail_at(struct confinfo_xml_err *e, unsigned long line,
			 unsigned long col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int confinfo_xml_vfail_node(struct confinfo_xml_err *e, const xmlNode *n,
			    const char *fmt, va_list ap);

/* Reads e->xml into a tree without network, entities or DTD; NULL with the
 * error reported through e.  Free the result with xmlFreeDoc(). */
xmlDocPtr confinfo_xml_read(struct confinfo_xml_err *e);

#endif
