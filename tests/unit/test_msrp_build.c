/* test_msrp_build.c - the MSRP serializer (msrp_build.h; RFC 4975 §7,
 * §7.1, §7.1.1, §7.1.2, §7.2; RFC 7701 §7) */
#include "testutil.h"
#include "msrp_build.h"
#include "msrp_parse.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

/* getrandom() is interposed so that a test can script the bytes that the
 * serializer draws; with no script it is the real system call. */
static const unsigned char *script;
static size_t script_len;

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	if (script_len == 0)
		return syscall(SYS_getrandom, buf, n, flags);
	if (n > script_len)
		n = script_len;
	memcpy(buf, script, n);
	script += n;
	script_len -= n;
	return (ssize_t)n;
}

static int all_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

START_TEST(tid_is_random_alnum)
{
	char a[MSRP_TID_MAX + 1], b[MSRP_TID_MAX + 1];
	char id[MSRP_TID_MAX + 1];

	msrp_tid_pick(a, NULL, 0);
	msrp_tid_pick(b, "x", 1);
	ck_assert_uint_eq(strlen(a), 16);
	ck_assert(all_alnum(a, 16));
	ck_assert(msrp_ident_valid(a, 16));
	ck_assert_str_ne(a, b);
	msrp_message_id_pick(id);
	ck_assert_uint_eq(strlen(id), 16);
	ck_assert(msrp_ident_valid(id, 16));
}
END_TEST

START_TEST(tid_repicked_on_collision)
{
	/* 32 bytes a draw: the first gives "AAA...", the second "BBB...";
	 * bytes of 248 and over are skipped to avoid a modulo bias */
	static unsigned char bytes[64];
	const char *body = "xx\r\n-------AAAAAAAAAAAAAAAA$\r\nyy";
	char tid[MSRP_TID_MAX + 1];

	memset(bytes, 255, 4);
	memset(bytes + 4, 10, 28);          /* 'A' is alnum[10] */
	memset(bytes + 32, 11, 32);         /* 'B' */
	script = bytes;
	script_len = sizeof(bytes);
	msrp_tid_pick(tid, body, strlen(body));
	ck_assert_str_eq(tid, "BBBBBBBBBBBBBBBB");
	ck_assert_uint_eq(script_len, 0);

	/* without the collision the first draw is kept */
	script = bytes + 4;
	script_len = 32;
	msrp_tid_pick(tid, "-------AAAAAAAAAAAAAAA", 22);
	ck_assert_str_eq(tid, "AAAAAAAAAAAAAAAA");
	script_len = 0;
}
END_TEST

START_TEST(head_of_send)
{
	struct msrp_out o = {
		.tid = "a786hjs2",
		.method = MSRP_SEND,
		.to_path = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
		.from_path = "msrp://atlanta.example.com:7654/jshA7weztas;tcp",
		.message_id = "87652491",
		.has_range = 1,
		.range = { 1, 23, 23 },
		.success_report = MSRP_REPORT_YES,
		.failure_report = MSRP_REPORT_YES,
		.extra_headers = "X-Thing: 1\r\n",
		.content_type = "text/plain",
	};
	const char *want =
		"MSRP a786hjs2 SEND\r\n"
		"To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
		"From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
		"Message-ID: 87652491\r\n"
		"Byte-Range: 1-23/23\r\n"
		"Success-Report: yes\r\n"
		"X-Thing: 1\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n";
	char buf[512], small[8];

	ck_assert_uint_eq(msrp_build_head(buf, sizeof(buf), &o, 1),
			  strlen(want));
	ck_assert_str_eq(buf, want);
	/* snprintf semantics: the length needed, a truncated string */
	ck_assert_uint_eq(msrp_build_head(small, sizeof(small), &o, 1),
			  strlen(want));
	ck_assert_str_eq(small, "MSRP a7");
	ck_assert_uint_eq(msrp_build_head(NULL, 0, &o, 1), strlen(want));

	/* defaults are not written unless forced; '*' for unknowns */
	o.success_report = MSRP_REPORT_NO;
	o.range = (struct msrp_byte_range){ 1, MSRP_UNKNOWN, MSRP_UNKNOWN };
	o.extra_headers = NULL;
	o.force_report_headers = 1;
	msrp_build_head(buf, sizeof(buf), &o, 0);
	ck_assert_str_eq(buf,
		"MSRP a786hjs2 SEND\r\n"
		"To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
		"From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
		"Message-ID: 87652491\r\n"
		"Byte-Range: 1-*/*\r\n"
		"Success-Report: no\r\n"
		"Failure-Report: yes\r\n"
		"Content-Type: text/plain\r\n");
}
END_TEST

START_TEST(head_of_others)
{
	struct msrp_out nick = {
		.tid = "n1", .method = MSRP_NICKNAME,
		.to_path = "msrp://r.example.com:1/s;tcp",
		.from_path = "msrp://a.example.com:2/t;tcp",
		.use_nickname = "Al \"the\" \\ G\r\nreat",
		.failure_report = MSRP_REPORT_PARTIAL,
	};
	struct msrp_out other = {
		.tid = "o1", .method = MSRP_METHOD_OTHER, .method_name = "FOO",
		.to_path = "msrp://r.example.com:1/s;tcp",
		.from_path = "msrp://a.example.com:2/t;tcp\r\nX-Forged: 1",
		.failure_report = MSRP_REPORT_YES,
	};
	struct msrp_out resp = {
		.tid = "r1", .status = 425,
		.to_path = "msrp://a.example.com:2/t;tcp",
		.from_path = "msrp://r.example.com:1/s;tcp",
		.failure_report = MSRP_REPORT_YES,
	};
	char buf[512];

	msrp_build_head(buf, sizeof(buf), &nick, 0);
	ck_assert_str_eq(buf, "MSRP n1 NICKNAME\r\n"
		"To-Path: msrp://r.example.com:1/s;tcp\r\n"
		"From-Path: msrp://a.example.com:2/t;tcp\r\n"
		"Failure-Report: partial\r\n"
		"Use-Nickname: \"Al \\\"the\\\" \\\\ Great\"\r\n");
	/* a control character cannot start a forged header line */
	msrp_build_head(buf, sizeof(buf), &other, 0);
	ck_assert_str_eq(buf, "MSRP o1 FOO\r\n"
		"To-Path: msrp://r.example.com:1/s;tcp\r\n"
		"From-Path: msrp://a.example.com:2/t;tcp  X-Forged: 1\r\n");
	msrp_build_head(buf, sizeof(buf), &resp, 0);
	ck_assert_str_eq(buf, "MSRP r1 425 Nickname Already In Use\r\n"
		"To-Path: msrp://a.example.com:2/t;tcp\r\n"
		"From-Path: msrp://r.example.com:1/s;tcp\r\n");
	resp.comment = "";
	resp.status = 299;
	msrp_build_head(buf, sizeof(buf), &resp, 0);
	ck_assert_str_eq(buf, "MSRP r1 299\r\n"
		"To-Path: msrp://a.example.com:2/t;tcp\r\n"
		"From-Path: msrp://r.example.com:1/s;tcp\r\n");
}
END_TEST

START_TEST(end_lines)
{
	char buf[64];

	ck_assert_uint_eq(msrp_build_end(buf, sizeof(buf), "abcd", '$', 1), 16);
	ck_assert_str_eq(buf, "\r\n-------abcd$\r\n");
	ck_assert_uint_eq(msrp_build_end(buf, sizeof(buf), "abcd", '+', 0), 14);
	ck_assert_str_eq(buf, "-------abcd+\r\n");
	ck_assert_uint_eq(msrp_build_end(buf, 5, "abcd", '#', 0), 14);
	ck_assert_str_eq(buf, "----");
}
END_TEST

/* A frame as the parser would give it, with a path through a relay. */
static void sample_frame(struct msrp_frame *f)
{
	static const char to[] = "msrp://bob.example.com:8888/9di;tcp";
	static const char from[] = "msrp://relay.example.net:9000/kw;tcp "
				   "msrp://alice.example.com:7777/iau;tcp";
	static const char id[] = "12339sdqwer";

	memset(f, 0, sizeof(*f));
	strcpy(f->tid, "d93kswow");
	f->method = MSRP_SEND;
	f->to_path = (struct msrp_str){ to, sizeof(to) - 1 };
	f->from_path = (struct msrp_str){ from, sizeof(from) - 1 };
	f->message_id = (struct msrp_str){ id, sizeof(id) - 1 };
	f->failure_report = MSRP_REPORT_YES;
}

START_TEST(responses)
{
	struct msrp_frame f;
	char buf[512];
	size_t n;

	sample_frame(&f);
	n = msrp_build_response(buf, sizeof(buf), &f, 200, NULL, NULL);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_str_eq(buf, "MSRP d93kswow 200 OK\r\n"
		"To-Path: msrp://relay.example.net:9000/kw;tcp\r\n"
		"From-Path: msrp://bob.example.com:8888/9di;tcp\r\n"
		"-------d93kswow$\r\n");
	msrp_build_response(buf, sizeof(buf), &f, 400, "bad\r\nthing",
			    "msrp://me.example.com:1/x;tcp");
	ck_assert_str_eq(buf, "MSRP d93kswow 400 bad  thing\r\n"
		"To-Path: msrp://relay.example.net:9000/kw;tcp\r\n"
		"From-Path: msrp://me.example.com:1/x;tcp\r\n"
		"-------d93kswow$\r\n");
}
END_TEST

START_TEST(response_wanted)
{
	static const struct {
		enum msrp_method m;
		enum msrp_report_mode fr;
		int status, want;
	} t[] = {
		{ MSRP_SEND, MSRP_REPORT_YES, 200, 1 },
		{ MSRP_SEND, MSRP_REPORT_YES, 413, 1 },
		{ MSRP_SEND, MSRP_REPORT_NO, 200, 0 },
		{ MSRP_SEND, MSRP_REPORT_NO, 400, 0 },
		{ MSRP_SEND, MSRP_REPORT_PARTIAL, 200, 0 },
		{ MSRP_SEND, MSRP_REPORT_PARTIAL, 481, 1 },
		{ MSRP_NICKNAME, MSRP_REPORT_YES, 425, 1 },
		{ MSRP_METHOD_OTHER, MSRP_REPORT_YES, 501, 1 },
		{ MSRP_REPORT, MSRP_REPORT_YES, 200, 0 },
		{ MSRP_REPORT, MSRP_REPORT_YES, 400, 0 },
		{ MSRP_METHOD_NONE, MSRP_REPORT_YES, 400, 0 },
	};
	struct msrp_frame f;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sample_frame(&f);
		f.method = t[i].m;
		f.failure_report = t[i].fr;
		ck_assert_msg(msrp_response_wanted(&f, t[i].status) ==
			      t[i].want, "row %zu", i);
	}
	/* nowhere to send it */
	sample_frame(&f);
	f.from_path.len = 0;
	ck_assert(!msrp_response_wanted(&f, 400));
}
END_TEST

START_TEST(report)
{
	struct msrp_frame f;
	char buf[512], tid[MSRP_TID_MAX + 1], want[512];

	sample_frame(&f);
	msrp_build_report(buf, sizeof(buf), &f, NULL, 200, NULL, 106, 106, tid);
	ck_assert_uint_eq(strlen(tid), 16);
	snprintf(want, sizeof(want), "MSRP %s REPORT\r\n"
		 "To-Path: msrp://relay.example.net:9000/kw;tcp "
		 "msrp://alice.example.com:7777/iau;tcp\r\n"
		 "From-Path: msrp://bob.example.com:8888/9di;tcp\r\n"
		 "Message-ID: 12339sdqwer\r\n"
		 "Byte-Range: 1-106/106\r\n"
		 "Status: 000 200 OK\r\n"
		 "-------%s$\r\n", tid, tid);
	ck_assert_str_eq(buf, want);
	msrp_build_report(buf, sizeof(buf), &f, "msrp://me.example.com:1/x;tcp",
			  413, "too big", 50, MSRP_UNKNOWN, tid);
	ck_assert_ptr_nonnull(strstr(buf, "From-Path: msrp://me.example.com:1/x;tcp\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "Byte-Range: 1-50/*\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "Status: 000 413 too big\r\n"));
}
END_TEST

START_TEST(chunker)
{
	struct msrp_chunker c;
	struct msrp_byte_range r;
	uint64_t off;
	int last;

	msrp_chunker_init(&c, 5000, 2048);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 2048);
	ck_assert(r.start == 1 && r.end == 2048 && r.total == 5000);
	ck_assert(off == 0 && !last);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 2048);
	ck_assert(r.start == 2049 && r.end == 4096 && off == 2048 && !last);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 904);
	ck_assert(r.start == 4097 && r.end == 5000 && off == 4096 && last);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 0);

	msrp_chunker_init(&c, 4096, 2048);
	msrp_chunker_next(&c, &r, &off, &last);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 2048);
	ck_assert(last);
	msrp_chunker_init(&c, 0, 2048);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 0);
	msrp_chunker_init(&c, 10, 0);
	ck_assert_uint_eq(msrp_chunker_next(&c, &r, &off, &last), 10);
	ck_assert(last);
}
END_TEST

START_TEST(status_phrases)
{
	static const struct {
		int status;
		const char *phrase;
	} t[] = {
		{ 200, "OK" }, { 400, "Bad Request" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 408, "Request Timeout" },
		{ 413, "Message Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 423, "Interval Out-of-Bounds" },
		{ 424, "Malformed Nickname" },
		{ 425, "Nickname Already In Use" },
		{ 428, "Private Messages Not Supported" },
		{ 481, "Session Does Not Exist" },
		{ 501, "Not Implemented" }, { 506, "Wrong Connection" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_str_eq(msrp_status_phrase(t[i].status), t[i].phrase);
	ck_assert_ptr_null(msrp_status_phrase(299));
	ck_assert_ptr_null(msrp_status_phrase(0));
}
END_TEST

/* --- round trips through the parser ------------------------------------ */

struct got {
	struct msrp_frame f;    /* copied at on_headers; strings copied too */
	char strs[2048];
	size_t used;
	char body[256];
	size_t blen;
	char flag;
	int frames, errors;
};

static struct msrp_str keep(struct got *g, struct msrp_str s)
{
	struct msrp_str k = { g->strs + g->used, s.len };

	ck_assert_uint_lt(g->used + s.len, sizeof(g->strs));
	if (s.len > 0)
		memcpy(g->strs + g->used, s.p, s.len);
	g->used += s.len;
	return k;
}

static int g_headers(void *arg, const struct msrp_frame *f)
{
	struct got *g = arg;

	g->f = *f;
	g->used = 0;
	g->f.to_path = keep(g, f->to_path);
	g->f.from_path = keep(g, f->from_path);
	g->f.message_id = keep(g, f->message_id);
	g->f.content_type = keep(g, f->content_type);
	g->f.status_header = keep(g, f->status_header);
	g->f.use_nickname = keep(g, f->use_nickname);
	g->f.comment = keep(g, f->comment);
	g->f.nheaders = 0;
	g->blen = 0;
	return 0;
}

static int g_body(void *arg, const struct msrp_frame *f, const char *d,
		  size_t n)
{
	struct got *g = arg;

	(void)f;
	ck_assert_uint_le(g->blen + n, sizeof(g->body));
	memcpy(g->body + g->blen, d, n);
	g->blen += n;
	return 0;
}

static int g_end(void *arg, const struct msrp_frame *f, char flag)
{
	struct got *g = arg;

	(void)f;
	g->flag = flag;
	g->frames++;
	return 0;
}

static void g_error(void *arg, const struct msrp_frame *f,
		    const struct sx_err *err)
{
	struct got *g = arg;

	(void)f;
	(void)err;
	g->errors++;
}

static const struct msrp_parser_cb got_cb = { g_headers, g_body, g_end,
					      g_error };

/* Builds head + body + end-line, parses it one byte at a time. */
static void round_trip(const struct msrp_out *o, const char *body,
		       char flag, struct got *g)
{
	char wire[2048];
	size_t n = msrp_build_head(wire, sizeof(wire), o, body != NULL), i;
	struct msrp_parser *p = msrp_parser_new(NULL, &got_cb, g);
	struct sx_err err;

	memset(g, 0, sizeof(*g));
	if (body) {
		memcpy(wire + n, body, strlen(body));
		n += strlen(body);
	}
	n += msrp_build_end(wire + n, sizeof(wire) - n, o->tid, flag,
			    body != NULL);
	ck_assert_uint_lt(n, sizeof(wire));
	for (i = 0; i < n; i++) {
		char *gc = sx_test_guard_copy(wire + i, 1);

		ck_assert_int_eq(msrp_parser_feed(p, gc, 1, &err), 1);
		sx_test_guard_free(gc, 1);
	}
	ck_assert(msrp_parser_idle(p));
	ck_assert_int_eq(g->errors, 0);
	ck_assert_int_eq(g->frames, 1);
	ck_assert_int_eq(g->flag, flag);
	msrp_parser_free(p);
}

static int str_is(struct msrp_str s, const char *c)
{
	return s.len == strlen(c) && memcmp(s.p, c, s.len) == 0;
}

START_TEST(round_trips)
{
	char tid[MSRP_TID_MAX + 1], id[MSRP_TID_MAX + 1];
	const char *body = "hello\r\n-------not-the-end$\r\n";
	struct msrp_out o = {
		.method = MSRP_SEND,
		.to_path = "msrp://r.example.com:1/s;tcp "
			   "msrp://b.example.com:3/u;tcp",
		.from_path = "msrp://a.example.com:2/t;tcp",
		.has_range = 1,
		.range = { 1, 28, 28 },
		.success_report = MSRP_REPORT_YES,
		.failure_report = MSRP_REPORT_PARTIAL,
		.content_type = "text/plain;charset=UTF-8",
	};
	struct got g;
	char buf[512];
	struct msrp_parser *p;
	struct sx_err err;

	msrp_tid_pick(tid, body, strlen(body));
	msrp_message_id_pick(id);
	o.tid = tid;
	o.message_id = id;
	round_trip(&o, body, '$', &g);
	ck_assert_str_eq(g.f.tid, tid);
	ck_assert_int_eq(g.f.method, MSRP_SEND);
	ck_assert(str_is(g.f.to_path, o.to_path));
	ck_assert(str_is(g.f.from_path, o.from_path));
	ck_assert(str_is(g.f.message_id, id));
	ck_assert(str_is(g.f.content_type, o.content_type));
	ck_assert(g.f.has_byte_range && g.f.range.start == 1 &&
		  g.f.range.end == 28 && g.f.range.total == 28);
	ck_assert_int_eq(g.f.success_report, MSRP_REPORT_YES);
	ck_assert_int_eq(g.f.failure_report, MSRP_REPORT_PARTIAL);
	ck_assert(g.f.has_body);
	ck_assert_uint_eq(g.blen, strlen(body));
	ck_assert(memcmp(g.body, body, g.blen) == 0);

	/* the nickname comes back unescaped */
	memset(&o, 0, sizeof(o));
	o.tid = tid;
	o.method = MSRP_NICKNAME;
	o.to_path = "msrp://r.example.com:1/s;tcp";
	o.from_path = "msrp://a.example.com:2/t;tcp";
	o.use_nickname = "Al \"the\" \\ Great";
	o.failure_report = MSRP_REPORT_YES;
	round_trip(&o, NULL, '$', &g);
	ck_assert(str_is(g.f.use_nickname, "Al \"the\" \\ Great"));
	ck_assert(!g.f.has_body);

	/* a response with its comment */
	memset(&o, 0, sizeof(o));
	o.tid = tid;
	o.status = 481;
	o.to_path = "msrp://a.example.com:2/t;tcp";
	o.from_path = "msrp://r.example.com:1/s;tcp";
	o.failure_report = MSRP_REPORT_YES;
	round_trip(&o, NULL, '$', &g);
	ck_assert_int_eq(g.f.method, MSRP_METHOD_NONE);
	ck_assert_int_eq(g.f.status, 481);
	ck_assert(str_is(g.f.comment, "Session Does Not Exist"));

	/* responses and REPORTs built from a parsed frame parse again */
	sample_frame(&g.f);
	g.frames = 0;
	msrp_build_report(buf, sizeof(buf), &g.f, NULL, 200, NULL, 5, 5, tid);
	p = msrp_parser_new(NULL, &got_cb, &g);
	ck_assert_int_eq(msrp_parser_feed(p, buf, strlen(buf), &err),
			 (ssize_t)strlen(buf));
	ck_assert_int_eq(g.errors, 0);
	ck_assert_int_eq(g.f.method, MSRP_REPORT);
	ck_assert(str_is(g.f.status_header, "000 200 OK"));
	ck_assert(g.f.range.end == 5 && g.f.range.total == 5);
	sample_frame(&g.f);
	msrp_build_response(buf, sizeof(buf), &g.f, 200, NULL, NULL);
	ck_assert_int_eq(msrp_parser_feed(p, buf, strlen(buf), &err),
			 (ssize_t)strlen(buf));
	ck_assert_int_eq(g.errors, 0);
	ck_assert_int_eq(g.f.status, 200);
	ck_assert_int_eq(g.frames, 2);
	msrp_parser_free(p);
}
END_TEST

static Suite *msrp_build_suite(void)
{
	Suite *s = suite_create("msrp_build");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, tid_is_random_alnum);
	tcase_add_test(tc, tid_repicked_on_collision);
	tcase_add_test(tc, head_of_send);
	tcase_add_test(tc, head_of_others);
	tcase_add_test(tc, end_lines);
	tcase_add_test(tc, responses);
	tcase_add_test(tc, response_wanted);
	tcase_add_test(tc, report);
	tcase_add_test(tc, chunker);
	tcase_add_test(tc, status_phrases);
	tcase_add_test(tc, round_trips);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_build_suite)
