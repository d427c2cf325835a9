/*
 * confinfo_xml.c - reading a conference-info document (RFC 4575 §5) with
 * libxml2, safely, for confinfo_parse.c.
 *
 * The document is parsed from memory.  The parser never touches the
 * network (XML_PARSE_NONET), substitutes no entity, loads no DTD, and keeps
 * its default depth and size limits (no XML_PARSE_HUGE).  A DOCTYPE is
 * refused the moment the parser reports it, before any entity of its
 * internal subset is declared: external entities and entity expansion
 * bombs never get a chance.  The tree is checked for a DTD again after.
 *
 * libxml2's errors are collected through a structured handler installed
 * for the parse and restored after, so nothing reaches stderr.  Every
 * error carries a line and column: libxml2's own for syntax errors, the
 * start tag of the element at fault for the others.
 */
#include "confinfo_xml.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/* Start-tag positions ride in each element's _private word: libxml2 keeps
 * only a line per node, and its node-info records lose the start of any
 * element that has content. */
#if UINTPTR_MAX > 0xffffffffu
#define POS_COL_BITS 24
#else
#define POS_COL_BITS 12
#endif
#define POS_COL_MAX ((1UL << POS_COL_BITS) - 1)

/* Everything the SAX hooks need, reached through the context's _private. */
struct xr {
	struct confinfo_xml_err *e;
	startElementNsSAX2Func start_element;
};

static int vfail_at(struct confinfo_xml_err *e, unsigned long line,
		    unsigned long col, const char *fmt, va_list ap)
{
	const char *p = e->xml, *end = e->xml + e->len;
	unsigned long l = 1, c = 1;

	if (e->failed)
		return SX_ERROR;
	e->failed = 1;
	e->err->status = CONFINFO_XML_STATUS;
	e->err->line = line;
	e->err->column = col;
	vsnprintf(e->err->text, sizeof(e->err->text), fmt, ap);
	/* the byte offset of line:col, columns counted in characters */
	while (p < end && l < line)
		if (*p++ == '\n')
			l++;
	while (p < end && c < col && *p != '\n') {
		p++;
		while (p < end && ((unsigned char)*p & 0xc0) == 0x80)
			p++;
		c++;
	}
	e->err->offset = line ? (size_t)(p - e->xml) : 0;
	return SX_ERROR;
}

int confinfo_xml_fail_at(struct confinfo_xml_err *e, unsigned long line,
			 unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(e, line, col, fmt, ap);
	va_end(ap);
	return SX_ERROR;
}

int confinfo_xml_vfail_node(struct confinfo_xml_err *e, const xmlNode *n,
			    const char *fmt, va_list ap)
{
	uintptr_t pos = (uintptr_t)n->_private;

	if (pos == 0)
		return vfail_at(e, (unsigned long)xmlGetLineNo(n), 0, fmt, ap);
	return vfail_at(e, (unsigned long)(pos >> POS_COL_BITS),
			(unsigned long)(pos & POS_COL_MAX), fmt, ap);
}

static unsigned long utf8_chars(const xmlChar *p, const xmlChar *end)
{
	unsigned long n = 0;

	for (; p < end; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

/* The parser stands at the end of a start tag or of the head of a DOCTYPE:
 * markup that began with '<' and holds no other '<' (attribute values
 * cannot).  Walks back to that '<' for the line and column where the
 * markup starts. */
static void tag_start(xmlParserCtxtPtr c, unsigned long *line,
		      unsigned long *col)
{
	const xmlChar *base = c->input->base, *cur = c->input->cur;
	const xmlChar *p = cur, *q;
	unsigned long nl = 0, back;

	while (p > base && *p != '<')
		p--;
	for (q = p; q < cur; q++)
		if (*q == '\n')
			nl++;
	*line = c->input->line > 0 ? (unsigned long)c->input->line : 1;
	*line = *line > nl ? *line - nl : 1;
	if (nl == 0) {
		back = utf8_chars(p, cur);
		*col = c->input->col > 0 &&
		       (unsigned long)c->input->col > back ?
			(unsigned long)c->input->col - back : 1;
		return;
	}
	for (q = p; q > base && q[-1] != '\n'; q--)
		;
	*col = 1 + utf8_chars(q, p);
}

static void on_start_element(void *ctx, const xmlChar *localname,
			     const xmlChar *prefix, const xmlChar *uri,
			     int nb_namespaces, const xmlChar **namespaces,
			     int nb_attributes, int nb_defaulted,
			     const xmlChar **attributes)
{
	xmlParserCtxtPtr c = ctx;
	struct xr *xr = c->_private;
	unsigned long line, col;

	xr->start_element(ctx, localname, prefix, uri, nb_namespaces,
			  namespaces, nb_attributes, nb_defaulted, attributes);
	if (c->node == NULL || c->node->_private != NULL)
		return;
	tag_start(c, &line, &col);
	if (col > POS_COL_MAX)
		col = POS_COL_MAX;
	c->node->_private = (void *)(((uintptr_t)line << POS_COL_BITS) | col);
}

static void on_internal_subset(void *ctx, const xmlChar *name,
			       const xmlChar *external_id,
			       const xmlChar *system_id)
{
	xmlParserCtxtPtr c = ctx;
	struct xr *xr = c->_private;
	unsigned long line, col;

	(void)name;
	(void)external_id;
	(void)system_id;
	tag_start(c, &line, &col);
	confinfo_xml_fail_at(xr->e, line, col, "DOCTYPE refused: a "
			     "conference-info document has no DTD");
	xmlStopParser(c);
}

static void on_error(void *data, xmlErrorPtr x)
{
	struct confinfo_xml_err *e = data;
	char msg[200];
	size_t i;

	/* warnings (a relative namespace URI...) do not stop a document */
	if (x == NULL || x->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", x->message ? x->message : "error");
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n')
			msg[i] = ' ';
	while (i > 0 && msg[i - 1] == ' ')
		msg[--i] = '\0';
	confinfo_xml_fail_at(e, x->line > 0 ? (unsigned long)x->line : 0,
			     x->int2 > 0 ? (unsigned long)x->int2 : 0,
			     "not well-formed XML: %s", msg);
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

xmlDocPtr confinfo_xml_read(struct confinfo_xml_err *e)
{
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_error;
	void *old_sctx, *old_ctx;
	xmlParserCtxtPtr ctxt;
	const xmlError *last;
	struct xr xr;
	xmlDocPtr doc;

	if (e->len == 0) {
		confinfo_xml_fail_at(e, 1, 1, "empty document");
		return NULL;
	}
	if (e->len > INT_MAX) {
		confinfo_xml_fail_at(e, 0, 0, "document too large");
		return NULL;
	}
	xmlInitParser();
	ctxt = xmlCreateMemoryParserCtxt(e->xml, (int)e->len);
	if (ctxt == NULL) {
		confinfo_xml_fail_at(e, 0, 0, "out of memory");
		return NULL;
	}
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	/* the library-wide defaults may have been changed by someone else */
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	xr.e = e;
	xr.start_element = ctxt->sax->startElementNs;
	ctxt->_private = &xr;
	ctxt->sax->startElementNs = on_start_element;
	ctxt->sax->internalSubset = on_internal_subset;

	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_error = xmlGenericError;
	old_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(e, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlParseDocument(ctxt);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_ctx, old_error);

	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (!e->failed && (!ctxt->wellFormed || doc == NULL)) {
		last = xmlCtxtGetLastError(ctxt);
		confinfo_xml_fail_at(e, last ? (unsigned long)last->line : 0,
				     last ? (unsigned long)last->int2 : 0,
				     "not well-formed XML");
	}
	if (!e->failed && (doc->intSubset != NULL || doc->extSubset != NULL))
		confinfo_xml_fail_at(e, 1, 1, "DOCTYPE refused: a "
				     "conference-info document has no DTD");
	if (!e->failed && xmlDocGetRootElement(doc) == NULL)
		confinfo_xml_fail_at(e, 1, 1, "no root element");
	xmlFreeParserCtxt(ctxt);
	if (e->failed) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}
