/*
 * output.c - what sxmsrp-send prints: a line per frame seen, and each
 * message received with its CPIM headers decoded (RFC 3862) and its body
 * as received.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sxmsrp_send.h"

void out_err(const char *fmt, ...)
{
	va_list ap;

	fputs("sxmsrp-send: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void out_frame_line(const struct msrp_frame *f, const char *dir)
{
	if (f->method == MSRP_METHOD_NONE) {
		fprintf(stderr, "%s MSRP %s %03d%s%.*s\n", dir, f->tid,
			f->status, f->comment.len ? " " : "",
			(int)f->comment.len, f->comment.p);
	} else if (f->method == MSRP_REPORT) {
		fprintf(stderr, "%s MSRP %s REPORT Message-ID %.*s "
			"Status: %.*s\n", dir, f->tid,
			(int)f->message_id.len, f->message_id.p,
			(int)f->status_header.len, f->status_header.p);
	} else {
		fprintf(stderr, "%s MSRP %s %.*s", dir, f->tid,
			(int)f->method_name.len, f->method_name.p);
		if (f->has_byte_range) {
			fprintf(stderr, " Byte-Range %llu-",
				(unsigned long long)f->range.start);
			if (f->range.end == MSRP_UNKNOWN)
				fputc('*', stderr);
			else
				fprintf(stderr, "%llu",
					(unsigned long long)f->range.end);
			if (f->range.total == MSRP_UNKNOWN)
				fputs("/*", stderr);
			else
				fprintf(stderr, "/%llu",
					(unsigned long long)f->range.total);
		}
		fputc('\n', stderr);
	}
}

static int is_cpim(const struct msrp_frame *f)
{
	static const char t[] = "message/cpim";

	return f->content_type.len >= sizeof(t) - 1 &&
	       strncasecmp(f->content_type.p, t, sizeof(t) - 1) == 0;
}

void out_message(const struct opts *o, const struct msrp_frame *f,
		 const char *body, size_t len)
{
	if (o->body_only) {
		/* the content inside a CPIM wrapper, exactly as sent */
		if (is_cpim(f))
			out_cpim(NULL, body, len, &body, &len);
		fwrite(body, 1, len, stdout);
		fflush(stdout);
		return;
	}
	printf("Message-ID: %.*s\n", (int)f->message_id.len, f->message_id.p);
	printf("From-Path: %.*s\n", (int)f->from_path.len, f->from_path.p);
	printf("Content-Type: %.*s\n", (int)f->content_type.len,
	       f->content_type.p);
	printf("Length: %zu\n", len);
	if (is_cpim(f)) {
		if (out_cpim(stdout, body, len, &body, &len) != 0)
			printf("CPIM: malformed, body printed as received\n");
	}
	putchar('\n');
	fwrite(body, 1, len, stdout);
	if (len == 0 || body[len - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}
