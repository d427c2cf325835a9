/* confinfo_testutil.c - see confinfo_testutil.h */
#include "confinfo_testutil.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

char *ci_test_strdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	ck_assert(s == NULL || d != NULL);
	return d;
}

struct confinfo *ci_test_parse(const char *xml, size_t len)
{
	struct confinfo *ci = NULL;
	struct sx_err e;
	char *g = sx_test_guard_copy(xml, len);

	ck_assert_msg(confinfo_parse(g, len, &ci, &e) == 0,
		      "refused at %lu:%lu: %s\n%.*s", e.line, e.column, e.text,
		      (int)len, xml);
	ck_assert_ptr_nonnull(ci);
	sx_test_guard_free(g, len);
	return ci;
}

struct confinfo *ci_test_parse_fixture(const char *name)
{
	size_t len;
	char *xml = sx_test_fixture(name, &len);
	struct confinfo *ci = ci_test_parse(xml, len);

	free(xml);
	return ci;
}

char *ci_test_write(const struct confinfo *ci, size_t *len)
{
	size_t n = 0;
	char *xml = confinfo_write(ci, &n);

	ck_assert_ptr_nonnull(xml);
	ck_assert_uint_eq(strlen(xml), n);
	if (len)
		*len = n;
	return xml;
}

struct confinfo *ci_test_held(void)
{
	struct confinfo *state = confinfo_new(NULL);
	struct confinfo *full =
		ci_test_parse_fixture("confinfo/rfc4575-basic.xml");
	struct sx_err e;

	ck_assert_int_eq(confinfo_apply(state, full, &e), CONFINFO_APPLIED);
	confinfo_free(full);
	return state;
}

static char schema_errors[4096];

static void collect_schema_error(void *data, xmlErrorPtr e)
{
	size_t n = strlen(schema_errors);

	(void)data;
	snprintf(schema_errors + n, sizeof(schema_errors) - n, "%d:%s",
		 e->line, e->message ? e->message : "?");
}

xmlSchemaPtr ci_test_schema_load(void)
{
	const char *dir = getenv("FIXTURES");
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	char path[1024];

	snprintf(path, sizeof(path), "%s/schema/conference-info.xsd",
		 dir ? dir : "fixtures");
	schema_errors[0] = '\0';
	pc = xmlSchemaNewParserCtxt(path);
	ck_assert_ptr_nonnull(pc);
	xmlSchemaSetParserStructuredErrors(pc, collect_schema_error, NULL);
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	ck_assert_msg(schema != NULL, "%s: %s", path, schema_errors);
	return schema;
}

int ci_test_schema_valid(xmlSchemaPtr schema, const char *xml, size_t len)
{
	xmlSchemaValidCtxtPtr vc;
	xmlDocPtr doc;
	int r;

	doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	vc = xmlSchemaNewValidCtxt(schema);
	ck_assert_ptr_nonnull(vc);
	schema_errors[0] = '\0';
	xmlSchemaSetValidStructuredErrors(vc, collect_schema_error, NULL);
	r = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return r == 0;
}

const char *ci_test_schema_errors(void)
{
	return schema_errors;
}
