/* test_msrp_parse.c - the incremental MSRP parser (msrp_parse.h)
 *
 * fixtures/msrp/good/NAME.msrp are parsed and rendered as text that must
 * equal NAME.expect; fixtures/msrp/bad/NAME.msrp must fail as NAME.expect
 * says (see fixtures/msrp/README).  Every sample is fed whole, one byte at
 * a time and in random pieces, each piece in a guarded copy, and the three
 * renderings must agree.
 */
#include "testutil.h"
#include "msrp_parse.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a growing text buffer ------------------------------------------- */

struct dyn {
	char *p;
	size_t len, cap;
};

static void dyn_add(struct dyn *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		d->cap = (d->len + n + 1) * 2;
		d->p = realloc(d->p, d->cap);
		ck_assert_ptr_nonnull(d->p);
	}
	memcpy(d->p + d->len, s, n);
	d->len += n;
	d->p[d->len] = '\0';
}

static void dyn_printf(struct dyn *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dyn_printf(struct dyn *d, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(tmp));
	dyn_add(d, tmp, (size_t)n);
}

/* C-like escaping, so that CR, LF and binary show in .expect files. */
static void dyn_quoted(struct dyn *d, const char *s, size_t n)
{
	size_t i;

	dyn_add(d, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			dyn_add(d, "\\r", 2);
		else if (c == '\n')
			dyn_add(d, "\\n", 2);
		else if (c == '\t')
			dyn_add(d, "\\t", 2);
		else if (c == '"' || c == '\\')
			dyn_printf(d, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			dyn_printf(d, "\\x%02x", c);
		else
			dyn_add(d, (const char *)&c, 1);
	}
	dyn_add(d, "\"", 1);
}

/* --- a collector that renders every callback ------------------------ */

struct coll {
	struct dyn out;
	struct dyn body;
	int frames;             /* on_end calls */
	int errors;             /* on_error calls */
	struct sx_err first;    /* first on_error */
	const char *whole;      /* whole-buffer mode: slices must be in here */
	size_t whole_len;
	struct msrp_parser *p;
	int stop_at_headers;    /* on_headers returns non-zero */
	const char *stop_text;
};

static void put_num(struct dyn *d, uint64_t v)
{
	if (v == MSRP_UNKNOWN)
		dyn_add(d, "*", 1);
	else
		dyn_printf(d, "%llu", (unsigned long long)v);
}

static const char *report_name(enum msrp_report_mode m)
{
	return m == MSRP_REPORT_YES ? "yes" :
	       m == MSRP_REPORT_PARTIAL ? "partial" : "no";
}

static void render_head(struct dyn *d, const struct msrp_frame *f)
{
	size_t i;

	if (f->method == MSRP_METHOD_NONE) {
		dyn_printf(d, "== response %03d ", f->status);
		dyn_quoted(d, f->comment.p, f->comment.len);
	} else {
		dyn_printf(d, "== request %.*s", (int)f->method_name.len,
			   f->method_name.p);
		if (f->method == MSRP_METHOD_OTHER) {
			dyn_printf(d, " (other)");
		} else {
			const char *known = msrp_method_name(f->method);

			ck_assert(strlen(known) == f->method_name.len &&
				  memcmp(known, f->method_name.p,
					 f->method_name.len) == 0);
		}
	}
	dyn_printf(d, " tid=%s\n", f->tid);
	for (i = 0; i < f->nheaders; i++) {
		dyn_printf(d, "%.*s: ", (int)f->headers[i].name.len,
			   f->headers[i].name.p);
		dyn_quoted(d, f->headers[i].value.p, f->headers[i].value.len);
		dyn_add(d, "\n", 1);
	}
	dyn_printf(d, "-- to=%zu from=%zu msgid=", f->to_path.len,
		   f->from_path.len);
	dyn_quoted(d, f->message_id.p, f->message_id.len);
	dyn_printf(d, " range=%s", f->has_byte_range ? "" : "default:");
	put_num(d, f->range.start);
	dyn_add(d, "-", 1);
	put_num(d, f->range.end);
	dyn_add(d, "/", 1);
	put_num(d, f->range.total);
	dyn_printf(d, " sr=%s fr=%s ct=", report_name(f->success_report),
		   report_name(f->failure_report));
	dyn_quoted(d, f->content_type.p, f->content_type.len);
	dyn_printf(d, " status=");
	dyn_quoted(d, f->status_header.p, f->status_header.len);
	dyn_printf(d, " nick=");
	dyn_quoted(d, f->use_nickname.p, f->use_nickname.len);
	dyn_add(d, "\n", 1);
}

static int c_headers(void *arg, const struct msrp_frame *f)
{
	struct coll *c = arg;

	render_head(&c->out, f);
	c->body.len = 0;
	if (c->stop_at_headers) {
		if (c->stop_text)
			msrp_parser_fail(c->p, "%s", c->stop_text);
		return 1;
	}
	return 0;
}

static int c_body(void *arg, const struct msrp_frame *f, const char *data,
		  size_t len)
{
	struct coll *c = arg;

	(void)f;
	ck_assert_uint_gt(len, 0);
	if (c->whole != NULL)
		ck_assert_msg(data >= c->whole &&
			      data + len <= c->whole + c->whole_len,
			      "body slice not in the caller's buffer");
	dyn_add(&c->body, data, len);
	return 0;
}

static int c_end(void *arg, const struct msrp_frame *f, char flag)
{
	struct coll *c = arg;

	if (f->has_body) {
		dyn_printf(&c->out, "-- body %zu ", c->body.len);
		dyn_quoted(&c->out, c->body.p ? c->body.p : "", c->body.len);
		dyn_add(&c->out, "\n", 1);
	} else {
		dyn_printf(&c->out, "-- no body\n");
	}
	dyn_printf(&c->out, "-- end %c\n", flag);
	c->frames++;
	return 0;
}

static void c_error(void *arg, const struct msrp_frame *f,
		    const struct sx_err *err)
{
	struct coll *c = arg;

	dyn_printf(&c->out, "!! error %d tid=%s line %lu: %s\n", err->status,
		   f->tid, err->line, err->text);
	if (c->errors++ == 0)
		c->first = *err;
}

static const struct msrp_parser_cb coll_cb = {
	.on_headers = c_headers,
	.on_body = c_body,
	.on_end = c_end,
	.on_error = c_error,
};

enum mode { WHOLE, BYTEWISE, RANDOM };

struct run {
	struct coll c;
	int rc;                 /* 0, or SX_ERROR from msrp_parser_feed */
	struct sx_err err;
	int idle;
};

/* Feeds one piece from a guarded copy, so that an over-read crashes. */
static ssize_t feed_guarded(struct msrp_parser *p, const char *s, size_t n,
			    struct sx_err *err, struct coll *c, int whole)
{
	char *g = sx_test_guard_copy(s, n);
	ssize_t r;

	if (whole) {
		c->whole = g;
		c->whole_len = n;
	}
	r = msrp_parser_feed(p, g, n, err);
	c->whole = NULL;
	sx_test_guard_free(g, n);
	return r;
}

static void run_parser(struct run *r, const char *in, size_t len,
		       enum mode mode, const struct msrp_limits *lim,
		       unsigned seed)
{
	struct msrp_parser *p;
	size_t pos = 0;

	memset(r, 0, sizeof(*r));
	p = msrp_parser_new(lim, &coll_cb, &r->c);
	ck_assert_ptr_nonnull(p);
	r->c.p = p;
	srand(seed);
	while (pos < len) {
		size_t n = mode == WHOLE ? len - pos :
			   mode == BYTEWISE ? 1 : 1 + (size_t)rand() % 97;
		ssize_t got;

		if (n > len - pos)
			n = len - pos;
		got = feed_guarded(p, in + pos, n, &r->err, &r->c,
				   mode == WHOLE);
		if (got < 0) {
			r->rc = SX_ERROR;
			break;
		}
		ck_assert_int_eq(got, (ssize_t)n);
		pos += n;
	}
	r->idle = msrp_parser_idle(p);
	msrp_parser_free(p);
}

static void run_free(struct run *r)
{
	free(r->c.out.p);
	free(r->c.body.p);
}

/* --- fixture driving -------------------------------------------------- */

static int list_fixtures(const char *sub, char names[][128], int max)
{
	const char *dir = getenv("FIXTURES");
	char path[4096];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/msrp/%s", dir ? dir : "fixtures",
		 sub);
	d = opendir(path);
	ck_assert_msg(d != NULL, "cannot open %s", path);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".msrp") != 0)
			continue;
		ck_assert_int_lt(n, max);
		ck_assert_uint_lt(l, 128);
		memcpy(names[n], e->d_name, l - 5);
		names[n][l - 5] = '\0';
		n++;
	}
	closedir(d);
	return n;
}

/* Runs the three feeding modes; they must agree with each other. */
static void run_modes(struct run r[3], const char *name, const char *in,
		      size_t len, const struct msrp_limits *lim)
{
	enum mode m;

	for (m = WHOLE; m <= RANDOM; m++)
		run_parser(&r[m], in, len, m, lim, (unsigned)len);
	for (m = BYTEWISE; m <= RANDOM; m++) {
		ck_assert_msg(strcmp(r[WHOLE].c.out.p ? r[WHOLE].c.out.p : "",
				     r[m].c.out.p ? r[m].c.out.p : "") == 0,
			      "%s: mode %d renders differently:\n%s\n--- vs whole:\n%s",
			      name, m, r[m].c.out.p, r[WHOLE].c.out.p);
		ck_assert_int_eq(r[m].rc, r[WHOLE].rc);
		ck_assert_int_eq(r[m].err.status, r[WHOLE].err.status);
		ck_assert_str_eq(r[m].err.text, r[WHOLE].err.text);
		ck_assert_int_eq(r[m].idle, r[WHOLE].idle);
	}
}

START_TEST(good_fixtures)
{
	static char names[64][128];
	int n = list_fixtures("good", names, 64), i;

	ck_assert_int_ge(n, 15);
	for (i = 0; i < n; i++) {
		char rel[300];
		size_t len, elen;
		char *in, *expect;
		struct run r[3];
		int m;

		snprintf(rel, sizeof(rel), "msrp/good/%.127s.msrp", names[i]);
		in = sx_test_fixture(rel, &len);
		snprintf(rel, sizeof(rel), "msrp/good/%.127s.expect", names[i]);
		expect = sx_test_fixture(rel, &elen);
		run_modes(r, names[i], in, len, NULL);
		ck_assert_msg(r[WHOLE].rc == 0, "%s: %s", names[i],
			      r[WHOLE].err.text);
		ck_assert_msg(r[WHOLE].c.errors == 0, "%s: %s", names[i],
			      r[WHOLE].c.first.text);
		ck_assert_msg(r[WHOLE].idle, "%s: parser not idle", names[i]);
		if (strcmp(expect, r[WHOLE].c.out.p) != 0)
			fprintf(stderr, "%s: rendered as:\n%s", names[i],
				r[WHOLE].c.out.p);
		ck_assert_msg(strcmp(expect, r[WHOLE].c.out.p) == 0,
			      "%s: differs from its .expect", names[i]);
		for (m = 0; m < 3; m++)
			run_free(&r[m]);
		free(in);
		free(expect);
	}
}
END_TEST

struct bad_expect {
	int has_status;
	int status;
	char text[256];
	int fatal;
	long line;              /* -1: not checked */
	int frames;
	struct msrp_limits lim;
};

static void read_expect(const char *rel, struct bad_expect *e)
{
	char *s = sx_test_fixture(rel, NULL), *line, *save = NULL;

	memset(e, 0, sizeof(*e));
	e->line = -1;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ':');

		if (line[0] == '#' || v == NULL)
			continue;
		*v++ = '\0';
		while (*v == ' ')
			v++;
		if (strcmp(line, "status") == 0) {
			e->has_status = strcmp(v, "none") != 0;
			e->status = atoi(v);
		} else if (strcmp(line, "text") == 0) {
			snprintf(e->text, sizeof(e->text), "%s", v);
		} else if (strcmp(line, "fatal") == 0) {
			e->fatal = strcmp(v, "yes") == 0;
		} else if (strcmp(line, "line") == 0) {
			e->line = atol(v);
		} else if (strcmp(line, "frames") == 0) {
			e->frames = atoi(v);
		} else if (strcmp(line, "max_header_bytes") == 0) {
			e->lim.max_header_bytes = strtoul(v, NULL, 10);
		} else if (strcmp(line, "max_frame_body") == 0) {
			e->lim.max_frame_body = strtoul(v, NULL, 10);
		} else if (strcmp(line, "max_message") == 0) {
			e->lim.max_message = strtoull(v, NULL, 10);
		} else {
			ck_abort_msg("%s: unknown key %s", rel, line);
		}
	}
	free(s);
}

START_TEST(bad_fixtures)
{
	static char names[128][128];
	int n = list_fixtures("bad", names, 128), i;

	ck_assert_int_ge(n, 40);
	for (i = 0; i < n; i++) {
		char rel[300];
		size_t len;
		char *in;
		struct bad_expect e;
		struct run r[3];
		const struct sx_err *got;
		int m;

		snprintf(rel, sizeof(rel), "msrp/bad/%.127s.expect", names[i]);
		read_expect(rel, &e);
		snprintf(rel, sizeof(rel), "msrp/bad/%.127s.msrp", names[i]);
		in = sx_test_fixture(rel, &len);
		run_modes(r, names[i], in, len, &e.lim);

		ck_assert_msg(r[WHOLE].c.frames == e.frames,
			      "%s: %d frames, expected %d", names[i],
			      r[WHOLE].c.frames, e.frames);
		if (!e.has_status) {
			ck_assert_msg(r[WHOLE].rc == 0 &&
				      r[WHOLE].c.errors == 0,
				      "%s: unexpected error", names[i]);
			ck_assert_msg(!r[WHOLE].idle, "%s: idle", names[i]);
		} else if (e.fatal) {
			ck_assert_msg(r[WHOLE].rc == SX_ERROR,
				      "%s: not fatal", names[i]);
			ck_assert_msg(r[WHOLE].c.errors == 0,
				      "%s: recoverable error first: %s",
				      names[i], r[WHOLE].c.first.text);
		} else {
			ck_assert_msg(r[WHOLE].rc == 0, "%s: fatal: %s",
				      names[i], r[WHOLE].err.text);
			ck_assert_msg(r[WHOLE].c.errors == 1,
				      "%s: %d errors", names[i],
				      r[WHOLE].c.errors);
			ck_assert_msg(r[WHOLE].idle,
				      "%s: did not recover", names[i]);
		}
		if (e.has_status) {
			got = e.fatal ? &r[WHOLE].err : &r[WHOLE].c.first;
			ck_assert_msg(got->status == e.status,
				      "%s: status %d, expected %d (%s)",
				      names[i], got->status, e.status,
				      got->text);
			ck_assert_msg(strstr(got->text, e.text) != NULL,
				      "%s: text \"%s\" lacks \"%s\"",
				      names[i], got->text, e.text);
			if (e.line >= 0)
				ck_assert_msg((long)got->line == e.line,
					      "%s: line %lu, expected %ld",
					      names[i], got->line, e.line);
		}
		for (m = 0; m < 3; m++)
			run_free(&r[m]);
		free(in);
	}
}
END_TEST

/* --- behaviour beyond the fixtures ------------------------------------- */

static const char send_frame[] =
	"MSRP t1 SEND\r\n"
	"To-Path: msrp://a.example.com:1/s1;tcp\r\n"
	"From-Path: msrp://b.example.com:2/s2;tcp\r\n"
	"Message-ID: m1\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"hello\r\n"
	"-------t1$\r\n";

START_TEST(callback_stop_with_text)
{
	struct run r;
	struct msrp_parser *p;
	struct sx_err err;

	memset(&r, 0, sizeof(r));
	r.c.stop_at_headers = 1;
	r.c.stop_text = "no such session";
	p = msrp_parser_new(NULL, &coll_cb, &r.c);
	r.c.p = p;
	ck_assert_int_eq(msrp_parser_feed(p, send_frame, sizeof(send_frame) - 1,
					  &err), SX_ERROR);
	ck_assert_int_eq(err.status, 0);
	ck_assert_str_eq(err.text, "no such session");
	/* the parser is dead afterwards */
	ck_assert_int_eq(msrp_parser_feed(p, "MSRP", 4, &err), SX_ERROR);
	ck_assert_ptr_nonnull(strstr(err.text, "earlier error"));
	msrp_parser_free(p);
	run_free(&r);
}
END_TEST

START_TEST(callback_stop_without_text)
{
	struct run r;
	struct msrp_parser *p;
	struct sx_err err;

	memset(&r, 0, sizeof(r));
	r.c.stop_at_headers = 1;
	p = msrp_parser_new(NULL, &coll_cb, &r.c);
	ck_assert_int_eq(msrp_parser_feed(p, send_frame, sizeof(send_frame) - 1,
					  &err), SX_ERROR);
	ck_assert_int_eq(err.status, 0);
	ck_assert_ptr_nonnull(strstr(err.text, "stopped"));
	msrp_parser_free(p);
	run_free(&r);
}
END_TEST

START_TEST(idle_between_frames)
{
	struct run r;
	struct msrp_parser *p;
	struct sx_err err;
	size_t half = 30;

	memset(&r, 0, sizeof(r));
	p = msrp_parser_new(NULL, &coll_cb, &r.c);
	ck_assert(msrp_parser_idle(p));
	ck_assert_int_eq(msrp_parser_feed(p, send_frame, half, &err),
			 (ssize_t)half);
	ck_assert(!msrp_parser_idle(p));
	ck_assert_int_eq(msrp_parser_feed(p, send_frame + half,
					  sizeof(send_frame) - 1 - half, &err),
			 (ssize_t)(sizeof(send_frame) - 1 - half));
	ck_assert(msrp_parser_idle(p));
	ck_assert_int_eq(msrp_parser_feed(p, "", 0, &err), 0);
	ck_assert_int_eq(r.c.frames, 1);
	msrp_parser_free(p);
	run_free(&r);
}
END_TEST

START_TEST(pipelined_thousand_frames)
{
	struct dyn in = { 0 };
	struct run r;
	int i;

	for (i = 0; i < 1000; i++)
		dyn_add(&in, send_frame, sizeof(send_frame) - 1);
	run_parser(&r, in.p, in.len, WHOLE, NULL, 1);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.c.frames, 1000);
	ck_assert(r.idle);
	run_free(&r);
	run_parser(&r, in.p, in.len, RANDOM, NULL, 7);
	ck_assert_int_eq(r.c.frames, 1000);
	run_free(&r);
	free(in.p);
}
END_TEST

/* A piece that ends inside a possible end-line: the parser keeps at most
 * MSRP_TID_MAX + 12 bytes and hands them out as body when they are not
 * one; everything else comes straight from the caller's pieces. */
struct slices {
	const char *piece;
	size_t piece_len;
	size_t copied;          /* bytes delivered from outside the piece */
	size_t max_copied;
	struct dyn body;
};

static int s_body(void *arg, const struct msrp_frame *f, const char *d,
		  size_t n)
{
	struct slices *s = arg;

	(void)f;
	if (d < s->piece || d + n > s->piece + s->piece_len) {
		s->copied += n;
		if (n > s->max_copied)
			s->max_copied = n;
	}
	dyn_add(&s->body, d, n);
	return 0;
}

/* Feeds a piece and tells s_body() where it lives. */
static ssize_t feed_piece(struct msrp_parser *p, struct slices *s,
			  const char *piece, struct sx_err *err)
{
	s->piece = piece;
	s->piece_len = strlen(piece);
	return msrp_parser_feed(p, piece, s->piece_len, err);
}

/* A parser for the held-tail tests, past the head of a SEND whose
 * transaction id is 32 characters long. */
static struct msrp_parser *held_tail_parser(struct slices *s)
{
	static const struct msrp_parser_cb cb = { .on_body = s_body };
	static const char head[] =
		"MSRP abcdefghijklmnopqrstuvwxyz012345 SEND\r\n"
		"To-Path: msrp://a.example.com:1/s1;tcp\r\n"
		"From-Path: msrp://b.example.com:2/s2;tcp\r\n"
		"Message-ID: m1\r\nContent-Type: text/plain\r\n\r\n";
	struct msrp_parser *p = msrp_parser_new(NULL, &cb, s);
	struct sx_err err;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_ge(feed_piece(p, s, head, &err), 0);
	return p;
}

START_TEST(held_tail_is_small)
{
	/* CRLF, 7 dashes, 32-character tid, '$' then 'Z': not an end-line */
	const char *p1 = "body\r\n-------abcdefghijklmnopqrstuvwxyz012345$";
	const char *p2 = "Z tail\r\n-------abcdefghijklmnopqrstuvwxyz012345$\r\n";
	struct slices s = { 0 };
	struct msrp_parser *p = held_tail_parser(&s);
	struct sx_err err;

	ck_assert_int_ge(feed_piece(p, &s, p1, &err), 0);
	ck_assert_str_eq(s.body.p, "body");
	/* a '$' not followed by CRLF is a broken end-line: framing lost */
	ck_assert_int_eq(feed_piece(p, &s, p2, &err), SX_ERROR);
	ck_assert_ptr_nonnull(strstr(err.text, "bad end-line flag"));
	msrp_parser_free(p);
	free(s.body.p);
}
END_TEST

START_TEST(held_tail_returned_as_body)
{
	/* a longer transaction id: body, decided only by the next piece */
	const char *p1 = "body\r\n-------abcdefghijklmnopqrstuvwxyz012345";
	const char *p2 = "6$ tail\r\n-------abcdefghijklmnopqrstuvwxyz012345$\r\n";
	struct slices s = { 0 };
	struct msrp_parser *p = held_tail_parser(&s);
	struct sx_err err;

	ck_assert_int_ge(feed_piece(p, &s, p1, &err), 0);
	ck_assert_int_ge(feed_piece(p, &s, p2, &err), 0);
	ck_assert(msrp_parser_idle(p));
	ck_assert_str_eq(s.body.p, "body\r\n-------abcdefghijklmnopqrstuvwxyz"
			 "0123456$ tail");
	ck_assert_uint_eq(s.copied, strlen(p1) - 4);
	ck_assert_uint_le(s.max_copied, MSRP_TID_MAX + 12);
	msrp_parser_free(p);
	free(s.body.p);
}
END_TEST

/* max_frame_body is inclusive; zero limits take the defaults. */
static void body_of(size_t n, const struct msrp_limits *lim, struct run *r)
{
	struct dyn in = { 0 };
	char *body = malloc(n);

	memset(body, 'b', n);
	dyn_printf(&in, "MSRP big1 SEND\r\n"
		   "To-Path: msrp://a.example.com:1/s1;tcp\r\n"
		   "From-Path: msrp://b.example.com:2/s2;tcp\r\n"
		   "Message-ID: m1\r\nContent-Type: text/plain\r\n\r\n");
	dyn_add(&in, body, n);
	dyn_printf(&in, "\r\n-------big1$\r\n");
	run_parser(r, in.p, in.len, RANDOM, lim, 3);
	free(body);
	free(in.p);
}

START_TEST(frame_body_limit)
{
	struct msrp_limits zero = { 0 }, lim = { 0, 100, 0 };
	struct run r;

	body_of(1024 * 1024, &zero, &r);
	ck_assert_int_eq(r.c.errors, 0);
	ck_assert_int_eq(r.c.frames, 1);
	ck_assert_uint_eq(r.c.body.len, 1024 * 1024);
	run_free(&r);
	body_of(1024 * 1024 + 1, NULL, &r);
	ck_assert_int_eq(r.c.errors, 1);
	ck_assert_int_eq(r.c.first.status, 413);
	ck_assert_int_eq(r.c.frames, 0);
	ck_assert(r.idle);
	run_free(&r);
	body_of(100, &lim, &r);
	ck_assert_int_eq(r.c.errors, 0);
	run_free(&r);
	body_of(101, &lim, &r);
	ck_assert_int_eq(r.c.first.status, 413);
	run_free(&r);
}
END_TEST

START_TEST(method_names)
{
	ck_assert_ptr_null(msrp_method_name(MSRP_METHOD_NONE));
	ck_assert_ptr_null(msrp_method_name(MSRP_METHOD_OTHER));
	ck_assert_str_eq(msrp_method_name(MSRP_SEND), "SEND");
	ck_assert_str_eq(msrp_method_name(MSRP_REPORT), "REPORT");
	ck_assert_str_eq(msrp_method_name(MSRP_AUTH), "AUTH");
	ck_assert_str_eq(msrp_method_name(MSRP_NICKNAME), "NICKNAME");
	ck_assert(msrp_ident_valid("a", 1));
	ck_assert(msrp_ident_valid("aZ9.-+%=", 8));
	ck_assert(!msrp_ident_valid("", 0));
	ck_assert(!msrp_ident_valid("-abc", 4));
	ck_assert(!msrp_ident_valid("ab_c", 4));
	ck_assert(msrp_ident_valid("0123456789abcdef0123456789abcdef", 32));
	ck_assert(!msrp_ident_valid("0123456789abcdef0123456789abcdefg", 33));
}
END_TEST

/* msrp_frame_header() on a frame the parser produced. */
static int lookup_headers(void *arg, const struct msrp_frame *f)
{
	int *ok = arg;
	const struct msrp_header *h = msrp_frame_header(f, "X-THING");

	*ok = h != NULL && h->value.len == 3 &&
	      memcmp(h->value.p, "one", 3) == 0 &&
	      msrp_frame_header(f, "x-none") == NULL &&
	      msrp_frame_header(f, "message-id") == &f->headers[2];
	return 0;
}

START_TEST(frame_header_lookup)
{
	static const struct msrp_parser_cb cb = { .on_headers = lookup_headers };
	static const char in[] =
		"MSRP h1 SEND\r\n"
		"To-Path: msrp://a.example.com:1/s1;tcp\r\n"
		"From-Path: msrp://b.example.com:2/s2;tcp\r\n"
		"Message-ID: m1\r\n"
		"x-thing: one\r\n"
		"-------h1$\r\n";
	int ok = 0;
	struct msrp_parser *p = msrp_parser_new(NULL, &cb, &ok);
	struct sx_err err;

	ck_assert_int_eq(msrp_parser_feed(p, in, sizeof(in) - 1, &err),
			 (ssize_t)sizeof(in) - 1);
	ck_assert(ok);
	msrp_parser_free(p);
}
END_TEST

static Suite *msrp_parse_suite(void)
{
	Suite *s = suite_create("msrp_parse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, good_fixtures);
	tcase_add_test(tc, bad_fixtures);
	tcase_add_test(tc, callback_stop_with_text);
	tcase_add_test(tc, callback_stop_without_text);
	tcase_add_test(tc, idle_between_frames);
	tcase_add_test(tc, pipelined_thousand_frames);
	tcase_add_test(tc, held_tail_is_small);
	tcase_add_test(tc, held_tail_returned_as_body);
	tcase_add_test(tc, frame_body_limit);
	tcase_add_test(tc, method_names);
	tcase_add_test(tc, frame_header_lookup);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_parse_suite)
