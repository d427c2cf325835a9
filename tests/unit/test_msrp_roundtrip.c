/* test_msrp_roundtrip.c - a 1 MiB message through the whole codec: chunked
 * and framed by msrp_build, parsed by msrp_parse (from one buffer, in
 * random pieces, one byte at a time), put together by msrp_reasm
 * (RFC 4975 §7.1.1) */
#include "testutil.h"
#include "msrp_build.h"
#include "msrp_parse.h"
#include "msrp_reasm.h"

#include <stdlib.h>
#include <string.h>

#define BODY_LEN (1024 * 1024)

struct wire {
	char *p;
	size_t len, cap;
	int frames;
};

static void wire_add(struct wire *w, const void *s, size_t n)
{
	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2;
		w->p = realloc(w->p, w->cap);
		ck_assert_ptr_nonnull(w->p);
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

/* Random bytes, with end-line lookalikes sprinkled in so that the tid
 * picking and the parser's end-line search both have work to do. */
static char *random_body(void)
{
	char *b = malloc(BODY_LEN);
	size_t i;

	ck_assert_ptr_nonnull(b);
	srand(2024);
	for (i = 0; i < BODY_LEN; i++)
		b[i] = (char)rand();
	for (i = 1000; i + 40 < BODY_LEN; i += 7919)
		memcpy(b + i, "\r\n-------", 9);
	return b;
}

static void frame_message(struct wire *w, const char *body, size_t chunk)
{
	struct msrp_chunker c;
	struct msrp_byte_range r;
	char id[MSRP_TID_MAX + 1];
	uint64_t off;
	size_t n;
	int last;

	msrp_message_id_pick(id);
	msrp_chunker_init(&c, BODY_LEN, chunk);
	while ((n = msrp_chunker_next(&c, &r, &off, &last)) > 0) {
		char tid[MSRP_TID_MAX + 1], head[1024], end[64];
		struct msrp_out o = {
			.tid = tid, .method = MSRP_SEND,
			.to_path = "msrp://bob.example.com:8888/9di;tcp",
			.from_path = "msrp://alice.example.com:7777/iau;tcp",
			.message_id = id, .has_range = 1, .range = r,
			.failure_report = MSRP_REPORT_YES,
			.content_type = "application/octet-stream",
		};
		size_t hl, el;

		msrp_tid_pick(tid, body + off, n);
		hl = msrp_build_head(head, sizeof(head), &o, 1);
		el = msrp_build_end(end, sizeof(end), tid, last ? '$' : '+', 1);
		ck_assert_uint_lt(hl, sizeof(head));
		wire_add(w, head, hl);
		wire_add(w, body + off, n);
		wire_add(w, end, el);
		w->frames++;
	}
}

struct sink {
	struct msrp_reasm *r;
	uint64_t at;            /* 1-based position of the next body byte */
	int complete, frames;
	char *got;
	size_t got_len;
};

static int k_headers(void *arg, const struct msrp_frame *f)
{
	struct sink *k = arg;

	ck_assert(f->has_byte_range);
	k->at = f->range.start;
	return 0;
}

static int k_body(void *arg, const struct msrp_frame *f, const char *d,
		  size_t n)
{
	struct sink *k = arg;
	struct sx_err err;
	int r = msrp_reasm_add(k->r, f->message_id.p, f->message_id.len, k->at,
			       f->range.total, d, n, 0, &err);

	ck_assert_msg(r >= 0, "%s", err.text);
	k->at += n;
	k->complete |= r == 1;
	return 0;
}

static int k_end(void *arg, const struct msrp_frame *f, char flag)
{
	struct sink *k = arg;

	k->frames++;
	if (flag == '$') {
		ck_assert(k->complete);
		k->got = msrp_reasm_take(k->r, f->message_id.p,
					 f->message_id.len, &k->got_len);
		ck_assert_ptr_nonnull(k->got);
	}
	return 0;
}

static void k_error(void *arg, const struct msrp_frame *f,
		    const struct sx_err *err)
{
	(void)arg;
	(void)f;
	ck_abort_msg("parse error: %s", err->text);
}

static const struct msrp_parser_cb sink_cb = { k_headers, k_body, k_end,
					       k_error };

enum how { ONE_BUFFER, RANDOM_PIECES, BYTEWISE };

static void parse_back(const struct wire *w, const char *body, enum how how)
{
	struct sink k = { 0 };
	struct msrp_parser *p = msrp_parser_new(NULL, &sink_cb, &k);
	struct sx_err err;
	size_t pos = 0;

	k.r = msrp_reasm_new(4, 16 * 1024 * 1024);
	srand(7);
	while (pos < w->len) {
		size_t n = how == ONE_BUFFER ? w->len :
			   how == BYTEWISE ? 1 : 1 + (size_t)rand() % 20000;

		if (n > w->len - pos)
			n = w->len - pos;
		if (how == RANDOM_PIECES) {
			/* guarded: reading past a piece crashes */
			char *g = sx_test_guard_copy(w->p + pos, n);

			ck_assert_int_eq(msrp_parser_feed(p, g, n, &err),
					 (ssize_t)n);
			sx_test_guard_free(g, n);
		} else {
			ck_assert_int_eq(msrp_parser_feed(p, w->p + pos, n,
							  &err), (ssize_t)n);
		}
		pos += n;
	}
	ck_assert(msrp_parser_idle(p));
	ck_assert_int_eq(k.frames, w->frames);
	ck_assert_uint_eq(k.got_len, BODY_LEN);
	ck_assert(memcmp(k.got, body, BODY_LEN) == 0);
	free(k.got);
	msrp_reasm_free(k.r);
	msrp_parser_free(p);
}

static void round_trip(size_t chunk, int bytewise)
{
	char *body = random_body();
	struct wire w = { 0 };

	frame_message(&w, body, chunk);
	ck_assert_int_eq(w.frames, (BODY_LEN + chunk - 1) / chunk);
	parse_back(&w, body, ONE_BUFFER);
	parse_back(&w, body, RANDOM_PIECES);
	if (bytewise)
		parse_back(&w, body, BYTEWISE);
	free(w.p);
	free(body);
}

START_TEST(chunks_of_2048)
{
	round_trip(2048, 1);
}
END_TEST

START_TEST(chunks_of_100000)
{
	round_trip(100000, 0);
}
END_TEST

static Suite *msrp_roundtrip_suite(void)
{
	Suite *s = suite_create("msrp_roundtrip");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, chunks_of_2048);
	tcase_add_test(tc, chunks_of_100000);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(msrp_roundtrip_suite)
