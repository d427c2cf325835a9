/*
 * msrp_conn.c - MSRP over an sx_stream, see msrp_conn.h.
 */
#include "msrp_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_MAX 8192

struct msrp_conn {
	struct sx_stream *stream;
	struct msrp_parser *parser;
	const struct msrp_conn_cb *cb;
	void *arg;
};

static int conn_on_headers(void *arg, const struct msrp_frame *f)
{
	struct msrp_conn *c = arg;

	return c->cb->on_headers ? c->cb->on_headers(c->arg, c, f) : 0;
}

static int conn_on_body(void *arg, const struct msrp_frame *f,
			const char *data, size_t len)
{
	struct msrp_conn *c = arg;

	return c->cb->on_body ? c->cb->on_body(c->arg, c, f, data, len) : 0;
}

static int conn_on_end(void *arg, const struct msrp_frame *f, char flag)
{
	struct msrp_conn *c = arg;

	return c->cb->on_end ? c->cb->on_end(c->arg, c, f, flag) : 0;
}

static void conn_on_error(void *arg, const struct msrp_frame *f,
			  const struct sx_err *err)
{
	struct msrp_conn *c = arg;

	if (f->method != MSRP_METHOD_NONE && err->status > 0)
		msrp_conn_respond(c, f, err->status, err->text);
	if (c->cb->on_bad_frame)
		c->cb->on_bad_frame(c->arg, c, f, err);
}

static const struct msrp_parser_cb conn_parser_cb = {
	.on_headers = conn_on_headers,
	.on_body = conn_on_body,
	.on_end = conn_on_end,
	.on_error = conn_on_error,
};

static void stream_connected(void *arg, struct sx_stream *s)
{
	struct msrp_conn *c = arg;

	(void)s;
	if (c->cb->on_connected)
		c->cb->on_connected(c->arg, c);
}

static void stream_data(void *arg, struct sx_stream *s, const char *data,
			size_t len)
{
	struct msrp_conn *c = arg;
	struct sx_err err;

	(void)s;
	sx_err_clear(&err);
	if (msrp_parser_feed(c->parser, data, len, &err) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "MSRP framing lost: %s", err.text);
		c->cb->on_close(c->arg, c, why);
	}
}

static void stream_drained(void *arg, struct sx_stream *s)
{
	struct msrp_conn *c = arg;

	(void)s;
	if (c->cb->on_drained)
		c->cb->on_drained(c->arg, c);
}

static void stream_closed(void *arg, struct sx_stream *s, const char *reason)
{
	struct msrp_conn *c = arg;

	(void)s;
	c->cb->on_close(c->arg, c, reason);
}

static const struct sx_stream_cb conn_stream_cb = {
	.on_connected = stream_connected,
	.on_data = stream_data,
	.on_drained = stream_drained,
	.on_close = stream_closed,
};

static struct msrp_conn *conn_new(const struct msrp_limits *limits,
				  const struct msrp_conn_cb *cb, void *arg)
{
	struct msrp_conn *c = calloc(1, sizeof(*c));
	struct msrp_limits def;

	if (c == NULL)
		return NULL;
	if (limits == NULL) {
		msrp_limits_default(&def);
		limits = &def;
	}
	c->cb = cb;
	c->arg = arg;
	c->parser = msrp_parser_new(limits, &conn_parser_cb, c);
	if (c->parser == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

struct msrp_conn *msrp_conn_connect(struct sx_loop *l,
				    const struct msrp_uri *first_hop,
				    const struct sx_tls_opts *tls,
				    const struct msrp_limits *limits,
				    const struct msrp_conn_cb *cb, void *arg,
				    struct sx_err *err)
{
	struct msrp_conn *c = conn_new(limits, cb, arg);
	struct sx_tls_opts plain = { 0 };

	if (c == NULL) {
		sx_err_set(err, 0, "out of memory");
		return NULL;
	}
	if (first_hop->secure && (tls == NULL || !tls->enabled)) {
		sx_err_set(err, 0, "msrps URI needs TLS options");
		msrp_conn_free(c);
		return NULL;
	}
	c->stream = sx_stream_connect(l, first_hop->host,
				      first_hop->port ? first_hop->port : 2855,
				      first_hop->secure ? tls : &plain,
				      &conn_stream_cb, c, err);
	if (c->stream == NULL) {
		msrp_conn_free(c);
		return NULL;
	}
	return c;
}

struct msrp_conn *msrp_conn_adopt(struct sx_stream *s,
				  const struct msrp_limits *limits,
				  const struct msrp_conn_cb *cb, void *arg)
{
	struct msrp_conn *c = conn_new(limits, cb, arg);

	if (c == NULL)
		return NULL;
	c->stream = s;
	sx_stream_set_owner(s, &conn_stream_cb, c);
	return c;
}

void msrp_conn_free(struct msrp_conn *c)
{
	if (c == NULL)
		return;
	sx_stream_free(c->stream);
	msrp_parser_free(c->parser);
	free(c);
}

int msrp_conn_send(struct msrp_conn *c, const struct msrp_out *o,
		   const char *body, size_t len, char flag)
{
	char head[HEAD_MAX], tail[MSRP_TID_MAX + 16];
	int has_body = body != NULL;
	size_t hl = msrp_build_head(head, sizeof(head), o, has_body);
	size_t tl = msrp_build_end(tail, sizeof(tail), o->tid, flag, has_body);
	struct iovec iov[3];
	int n = 0;

	if (hl >= sizeof(head) || tl >= sizeof(tail))
		return SX_ERROR;
	iov[n++] = (struct iovec){ head, hl };
	if (has_body && len > 0)
		iov[n++] = (struct iovec){ (void *)body, len };
	iov[n++] = (struct iovec){ tail, tl };
	return sx_stream_writev(c->stream, iov, n);
}

int msrp_conn_respond(struct msrp_conn *c, const struct msrp_frame *f,
		      int status, const char *comment)
{
	char buf[HEAD_MAX];
	size_t n;

	if (!msrp_response_wanted(f, status))
		return 0;
	n = msrp_build_response(buf, sizeof(buf), f, status, comment, NULL);
	if (n >= sizeof(buf))
		return SX_ERROR;
	return sx_stream_write(c->stream, buf, n);
}

size_t msrp_conn_queued(const struct msrp_conn *c)
{
	return sx_stream_queued(c->stream);
}

struct sx_stream *msrp_conn_stream(const struct msrp_conn *c)
{
	return c->stream;
}
