/*
 * confinfo_testutil.h - helpers shared by the conference-info unit tests
 * (test_confinfo_parse.c, _write.c, _merge.c, _diff.c).  Each fails the
 * running test rather than return an error.
 */
#ifndef SX_CONFINFO_TESTUTIL_H
#define SX_CONFINFO_TESTUTIL_H

#include <stddef.h>

#include <libxml/xmlschemas.h>

#include "confinfo.h"

/* strdup() that keeps NULL as NULL. */
char *ci_test_strdup(const char *s);

/* Parses the len bytes of xml placed right before an unreadable page;
 * they must be accepted. */
struct confinfo *ci_test_parse(const char *xml, size_t len);
/* The same for a file under fixtures/ ("confinfo/rfc4575-basic.xml"). */
struct confinfo *ci_test_parse_fixture(const char *name);

/* confinfo_write() that must succeed; *len (unless len is NULL) gets the
 * length of the document. */
char *ci_test_write(const struct confinfo *ci, size_t *len);

/* A subscriber's state once it applied the RFC 4575 §6 example. */
struct confinfo *ci_test_held(void);

/* The RFC 4575 §5 schema, fixtures/schema/conference-info.xsd; release
 * with xmlSchemaFree(). */
xmlSchemaPtr ci_test_schema_load(void);
/* Whether the len bytes of xml are a document valid per schema; when
 * not, ci_test_schema_errors() says why. */
int ci_test_schema_valid(xmlSchemaPtr schema, const char *xml, size_t len);
const char *ci_test_schema_errors(void);

#endif
