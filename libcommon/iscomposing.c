/*
 * iscomposing.c - RFC 3994 §4 is-composing documents, see iscomposing.h.
 */
#include "iscomposing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* The parser's errors are ours to report, never printed. */
static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* The text of an element, trimmed of XML whitespace, into buf. */
static int text_of(const xmlNode *n, char *buf, size_t cap)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = (const char *)t, *e;
	int ok;

	if (t == NULL)
		return 0;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	ok = (size_t)(e - s) < cap;
	if (ok) {
		memcpy(buf, s, (size_t)(e - s));
		buf[e - s] = '\0';
	}
	xmlFree(t);
	return ok;
}

static int is_ours(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ISCOMPOSING_NS) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static int read_children(const xmlNode *root, struct iscomposing *out,
			 struct sx_err *err)
{
	const xmlNode *n;
	char state[16] = "", num[32];
	int has_state = 0;
	char *end;

	for (n = root->children; n; n = n->next) {
		if (is_ours(n, "state")) {
			if (has_state || !text_of(n, state, sizeof(state)))
				return sx_err_set(err, 400, "<state> repeated "
						  "or too long");
			has_state = 1;
		} else if (is_ours(n, "refresh")) {
			if (!text_of(n, num, sizeof(num)) || num[0] < '1' ||
			    num[0] > '9')
				return sx_err_set(err, 400, "<refresh> is not "
						  "a positive integer");
			out->refresh = strtoul(num, &end, 10);
			if (*end != '\0')
				return sx_err_set(err, 400, "<refresh> is not "
						  "a positive integer");
		} else if (is_ours(n, "contenttype")) {
			if (!text_of(n, out->contenttype,
				     sizeof(out->contenttype)))
				return sx_err_set(err, 400, "<contenttype> "
						  "too long");
		} else if (is_ours(n, "lastactive")) {
			if (!text_of(n, out->lastactive,
				     sizeof(out->lastactive)))
				return sx_err_set(err, 400, "<lastactive> "
						  "too long");
		}
	}
	if (!has_state)
		return sx_err_set(err, 400, "no <state>");
	if (strcmp(state, "active") == 0)
		out->active = 1;
	else if (strcmp(state, "idle") != 0)
		return sx_err_set(err, 400, "<state> is \"%s\", not active "
				  "or idle", state);
	return 0;
}

int iscomposing_parse(const char *xml, size_t len, struct iscomposing *out,
		      struct sx_err *err)
{
	xmlStructuredErrorFunc old = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	const xmlNode *root;
	xmlDocPtr doc;
	int rc;

	memset(out, 0, sizeof(out[0]));
	/* a DTD is where entities are declared: none is let in */
	if (memmem(xml, len, "<!DOCTYPE", 9) != NULL)
		return sx_err_set(err, 400, "DOCTYPE refused");
	if (len > 65536)
		return sx_err_set(err, 400, "document too large");
	xmlSetStructuredErrorFunc(NULL, quiet);
	doc = xmlReadMemory(xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(old_ctx, old);
	if (doc == NULL)
		return sx_err_set(err, 400, "not well-formed XML");
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset)
		rc = sx_err_set(err, 400, "DOCTYPE refused");
	else if (root == NULL || !is_ours(root, "isComposing"))
		rc = sx_err_set(err, 400, "the root is not <isComposing "
				"xmlns=\"%s\">", ISCOMPOSING_NS);
	else
		rc = read_children(root, out, err);
	xmlFreeDoc(doc);
	return rc;
}

char *iscomposing_build(int active, unsigned long refresh,
			const char *contenttype, size_t *len)
{
	const char *p;
	char ct[200] = "", rf[64] = "", *s;
	int n;

	for (p = contenttype; p && *p; p++)
		if (*p == '<' || *p == '&' || (unsigned char)*p < 0x20)
			return NULL;
	if (contenttype && snprintf(ct, sizeof(ct), "  <contenttype>%s"
				    "</contenttype>\r\n", contenttype) >=
	    (int)sizeof(ct))
		return NULL;
	if (active && refresh)
		snprintf(rf, sizeof(rf), "  <refresh>%lu</refresh>\r\n",
			 refresh);
	n = asprintf(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
		     "<isComposing xmlns=\"" ISCOMPOSING_NS "\">\r\n"
		     "  <state>%s</state>\r\n%s%s</isComposing>\r\n",
		     active ? "active" : "idle", ct, rf);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}
