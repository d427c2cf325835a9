/*
 * bench_msrp_parse.c - throughput of the MSRP parser on 1 MiB bodies.
 *
 * Not built by default.  After "make all":
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -Ilibcommon \
 *      tests/bench/bench_msrp_parse.c build/libcommon/libsxcommon.a \
 *      -o build/bench_msrp_parse && build/bench_msrp_parse
 *
 * Prints MB/s for one 1 MiB frame fed whole, in 64 KiB and 1500-byte
 * pieces (what TCP reads look like), and for the same body sent as
 * 2048-byte chunks (512 frames).
 */
#include "msrp_build.h"
#include "msrp_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BODY (1024 * 1024)
#define ROUNDS 200

static size_t seen;

static int on_body(void *arg, const struct msrp_frame *f, const char *d,
		   size_t n)
{
	(void)arg;
	(void)f;
	(void)d;
	seen += n;
	return 0;
}

static size_t frames(char *out, const char *body, size_t chunk)
{
	struct msrp_chunker c;
	struct msrp_byte_range r;
	uint64_t off;
	size_t n, len = 0;
	int last;

	msrp_chunker_init(&c, BODY, chunk);
	while ((n = msrp_chunker_next(&c, &r, &off, &last)) > 0) {
		char tid[MSRP_TID_MAX + 1];
		struct msrp_out o = {
			.tid = tid, .method = MSRP_SEND,
			.to_path = "msrp://b.example.com:2855/s1;tcp",
			.from_path = "msrp://a.example.com:2855/s2;tcp",
			.message_id = "m1", .has_range = 1, .range = r,
			.failure_report = MSRP_REPORT_YES,
			.content_type = "application/octet-stream",
		};

		msrp_tid_pick(tid, body + off, n);
		len += msrp_build_head(out + len, 1024, &o, 1);
		memcpy(out + len, body + off, n);
		len += n;
		len += msrp_build_end(out + len, 64, tid, last ? '$' : '+', 1);
	}
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const char *what, const char *wire, size_t len, size_t piece)
{
	static const struct msrp_parser_cb cb = { .on_body = on_body };
	struct msrp_parser *p = msrp_parser_new(NULL, &cb, NULL);
	struct sx_err err;
	double t0 = now(), t;
	int i;

	seen = 0;
	for (i = 0; i < ROUNDS; i++) {
		size_t pos;

		for (pos = 0; pos < len; pos += piece) {
			size_t n = len - pos < piece ? len - pos : piece;

			if (msrp_parser_feed(p, wire + pos, n, &err) < 0) {
				fprintf(stderr, "%s: %s\n", what, err.text);
				exit(1);
			}
		}
	}
	t = now() - t0;
	if (seen != (size_t)ROUNDS * BODY) {
		fprintf(stderr, "%s: %zu body bytes\n", what, seen);
		exit(1);
	}
	printf("%-34s %8.0f MB/s\n", what, (double)ROUNDS * len / t / 1e6);
	msrp_parser_free(p);
}

int main(void)
{
	char *body = malloc(BODY), *wire = malloc(2 * BODY);
	size_t i, len;

	srand(1);
	for (i = 0; i < BODY; i++)
		body[i] = (char)rand();
	len = frames(wire, body, BODY);
	run("1 frame, whole buffer", wire, len, len);
	run("1 frame, 64 KiB pieces", wire, len, 65536);
	run("1 frame, 1500-byte pieces", wire, len, 1500);
	len = frames(wire, body, 2048);
	run("512 frames of 2048, whole buffer", wire, len, len);
	run("512 frames of 2048, 1500-byte", wire, len, 1500);
	free(wire);
	free(body);
	return 0;
}
