/*
 * cpim_glue.c - the message/cpim wrapper (RFC 3862) as sxmsrp-send uses
 * it: wrapping the body to send (with From, To and DateTime, as in a chat
 * room, RFC 7702 Table 4) and printing the headers of a received one.
 */
#include <stdlib.h>
#include <string.h>

#include "cpim.h"
#include "sxmsrp_send.h"

char *wrap_cpim(const char *from, const char *to, const char *content_type,
		const char *body, size_t len, size_t *out_len)
{
	const char *charset = NULL;
	struct cpim_builder b;
	struct sx_err err;
	char *buf = NULL;
	ssize_t head;
	int pass;

	/* A text type without a charset is UTF-8 (RFC 7702 §5.5) */
	if (strncmp(content_type, "text/", 5) == 0 &&
	    strchr(content_type, ';') == NULL)
		charset = "UTF-8";
	for (pass = 0; pass < 2; pass++) {
		cpim_build_init(&b, buf, buf ? (size_t)head + 1 : 0);
		cpim_build_from(&b, NULL, from);
		cpim_build_to(&b, NULL, to);
		cpim_build_datetime(&b, NULL, 0);
		cpim_build_content(&b, content_type, charset);
		cpim_build_body(&b, NULL, 0);
		head = cpim_build_done(&b, &err);
		if (head < 0) {
			out_err("CPIM: %s", err.text);
			free(buf);
			return NULL;
		}
		if (buf == NULL) {
			buf = malloc((size_t)head + 1 + len);
			if (buf == NULL)
				return NULL;
		}
	}
	memcpy(buf + head, body, len);
	*out_len = (size_t)head + len;
	return buf;
}

int out_cpim(FILE *out, const char *body, size_t len, const char **inner,
	     size_t *inner_len)
{
	struct cpim_msg m;
	struct sx_err err;
	unsigned i;

	if (cpim_parse(body, len, NULL, 0, &m, &err) < 0)
		return -1;
	for (i = 0; out && i < m.nheaders; i++)
		fprintf(out, "CPIM %.*s: %.*s\n", (int)m.headers[i].name.len,
			m.headers[i].name.p, (int)m.headers[i].value.len,
			m.headers[i].value.p);
	for (i = 0; out && i < m.ncontent; i++)
		fprintf(out, "CPIM-Content %.*s: %.*s\n",
			(int)m.content[i].name.len, m.content[i].name.p,
			(int)m.content[i].value.len, m.content[i].value.p);
	*inner = m.body.p;
	*inner_len = m.body.len;
	return 0;
}
