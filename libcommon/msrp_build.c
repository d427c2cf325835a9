/*
 * msrp_build.c - MSRP serializer: RFC 4975 §7 and §9 (start lines,
 * headers), §7.1 (transaction ids chosen so that the end-line cannot occur
 * in the body), §7.1.1 (chunking, Byte-Range), §7.1.2 (REPORT), §7.2
 * (responses and when Failure-Report wants one); RFC 7701 §7
 * (Use-Nickname).  See msrp_build.h.
 */
#include "msrp_build.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define ID_LEN 16

static const char alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void random_bytes(unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(buf, n, 0);
		int fd;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* kernels before 3.17 have no getrandom(); without
			 * any random source ids would be guessable */
			fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
			if (fd < 0 || read(fd, buf, n) != (ssize_t)n)
				abort();
			close(fd);
			return;
		}
		buf += r;
		n -= (size_t)r;
	}
}

/* ID_LEN alphanumerics, each drawn without modulo bias. */
static void random_ident(char out[MSRP_TID_MAX + 1])
{
	unsigned char rnd[ID_LEN * 2];
	size_t i, o = 0;

	while (o < ID_LEN) {
		random_bytes(rnd, sizeof(rnd));
		for (i = 0; i < sizeof(rnd) && o < ID_LEN; i++)
			if (rnd[i] < 248)   /* 4 * 62 */
				out[o++] = alnum[rnd[i] % 62];
	}
	out[ID_LEN] = '\0';
}

void msrp_tid_pick(char tid[MSRP_TID_MAX + 1], const char *body, size_t len)
{
	char endline[7 + MSRP_TID_MAX];

	memset(endline, '-', 7);
	do {
		random_ident(tid);
		memcpy(endline + 7, tid, ID_LEN);
	} while (body != NULL && memmem(body, len, endline, 7 + ID_LEN));
}

void msrp_message_id_pick(char id[MSRP_TID_MAX + 1])
{
	random_ident(id);
}

/* snprintf-like output: counts everything, writes what fits. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Header values and comments: a control character would end the line
 * early and let the value forge headers, so it becomes a space. */
static void put_text(struct out *o, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			put(o, s + run, i - run);
			put(o, " ", 1);
			run = i + 1;
		}
	}
	put(o, s + run, n - run);
}

static void put_header(struct out *o, const char *name, const char *v,
		       size_t n)
{
	puts_(o, name);
	puts_(o, ": ");
	put_text(o, v, n);
	puts_(o, "\r\n");
}

static void put_num(struct out *o, uint64_t v)
{
	char tmp[24];

	if (v == MSRP_UNKNOWN) {
		put(o, "*", 1);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	puts_(o, tmp);
}

static void put_range(struct out *o, const struct msrp_byte_range *r)
{
	puts_(o, "Byte-Range: ");
	put_num(o, r->start);
	put(o, "-", 1);
	put_num(o, r->end);
	put(o, "/", 1);
	put_num(o, r->total);
	puts_(o, "\r\n");
}

/* quoted-string (RFC 3261 §25.1): " and \ are escaped; CR and LF cannot
 * be carried at all and are dropped. */
static void put_quoted(struct out *o, const char *s)
{
	put(o, "\"", 1);
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '"' || *s == '\\')
			put(o, "\\", 1);
		put(o, s, 1);
	}
	put(o, "\"", 1);
}

static size_t finish(struct out *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

static void put_start(struct out *o, const char *tid, const char *what)
{
	puts_(o, "MSRP ");
	puts_(o, tid);
	put(o, " ", 1);
	puts_(o, what);
}

static void put_status_line(struct out *o, const char *tid, int status,
			    const char *comment)
{
	char code[8];

	snprintf(code, sizeof(code), "%03d", status % 1000);
	put_start(o, tid, code);
	if (comment == NULL)
		comment = msrp_status_phrase(status);
	if (comment != NULL && comment[0] != '\0') {
		put(o, " ", 1);
		put_text(o, comment, strlen(comment));
	}
	puts_(o, "\r\n");
}

static const char *report_word(enum msrp_report_mode m)
{
	return m == MSRP_REPORT_YES ? "yes" :
	       m == MSRP_REPORT_PARTIAL ? "partial" : "no";
}

size_t msrp_build_head(char *buf, size_t cap, const struct msrp_out *m,
		       int has_body)
{
	struct out o = { buf, cap, 0 };
	const char *method = m->method == MSRP_METHOD_OTHER ?
		m->method_name : msrp_method_name(m->method);

	if (m->method == MSRP_METHOD_NONE) {
		put_status_line(&o, m->tid, m->status, m->comment);
	} else {
		put_start(&o, m->tid, method ? method : "");
		puts_(&o, "\r\n");
	}
	/* §7.1: To-Path and From-Path first, in that order */
	if (m->to_path)
		put_header(&o, "To-Path", m->to_path, strlen(m->to_path));
	if (m->from_path)
		put_header(&o, "From-Path", m->from_path,
			   strlen(m->from_path));
	if (m->message_id)
		put_header(&o, "Message-ID", m->message_id,
			   strlen(m->message_id));
	if (m->has_range)
		put_range(&o, &m->range);
	if (m->force_report_headers || m->success_report != MSRP_REPORT_NO)
		put_header(&o, "Success-Report",
			   report_word(m->success_report),
			   strlen(report_word(m->success_report)));
	if (m->force_report_headers || m->failure_report != MSRP_REPORT_YES)
		put_header(&o, "Failure-Report",
			   report_word(m->failure_report),
			   strlen(report_word(m->failure_report)));
	if (m->status_header)
		put_header(&o, "Status", m->status_header,
			   strlen(m->status_header));
	if (m->use_nickname) {
		puts_(&o, "Use-Nickname: ");
		put_quoted(&o, m->use_nickname);
		puts_(&o, "\r\n");
	}
	if (m->extra_headers)
		puts_(&o, m->extra_headers);
	/* §9: Content-Type is the last header before the body */
	if (m->content_type)
		put_header(&o, "Content-Type", m->content_type,
			   strlen(m->content_type));
	if (has_body)
		puts_(&o, "\r\n");
	return finish(&o);
}

static void put_end(struct out *o, const char *tid, char flag, int has_body)
{
	if (has_body)
		puts_(o, "\r\n");
	puts_(o, "-------");
	puts_(o, tid);
	put(o, &flag, 1);
	puts_(o, "\r\n");
}

size_t msrp_build_end(char *buf, size_t cap, const char *tid, char flag,
		      int has_body)
{
	struct out o = { buf, cap, 0 };

	put_end(&o, tid, flag, has_body);
	return finish(&o);
}

/* The first URI of a path, and the last one. */
static struct msrp_str path_first(struct msrp_str p)
{
	const char *sp = p.len ? memchr(p.p, ' ', p.len) : NULL;

	return (struct msrp_str){ p.p, sp ? (size_t)(sp - p.p) : p.len };
}

static struct msrp_str path_last(struct msrp_str p)
{
	const char *sp = p.len ? memrchr(p.p, ' ', p.len) : NULL;

	if (sp == NULL)
		return p;
	return (struct msrp_str){ sp + 1, p.len - (size_t)(sp + 1 - p.p) };
}

static void put_local(struct out *o, const struct msrp_frame *f,
		      const char *local_uri)
{
	struct msrp_str me = path_last(f->to_path);

	if (local_uri)
		put_header(o, "From-Path", local_uri, strlen(local_uri));
	else
		put_header(o, "From-Path", me.p, me.len);
}

size_t msrp_build_response(char *buf, size_t cap, const struct msrp_frame *f,
			   int status, const char *comment,
			   const char *local_uri)
{
	struct out o = { buf, cap, 0 };
	struct msrp_str prev = path_first(f->from_path);

	put_status_line(&o, f->tid, status, comment);
	put_header(&o, "To-Path", prev.p, prev.len);
	put_local(&o, f, local_uri);
	put_end(&o, f->tid, '$', 0);
	return finish(&o);
}

int msrp_response_wanted(const struct msrp_frame *f, int status)
{
	/* responses and REPORTs are never answered (§7.1.2); nor is a frame
	 * without a From-Path, which says where a response would go */
	if (f->method == MSRP_METHOD_NONE || f->method == MSRP_REPORT ||
	    f->from_path.len == 0)
		return 0;
	switch (f->failure_report) {
	case MSRP_REPORT_NO:
		return 0;
	case MSRP_REPORT_PARTIAL:
		return status != 200;
	case MSRP_REPORT_YES:
		break;
	}
	return 1;
}

size_t msrp_build_report(char *buf, size_t cap, const struct msrp_frame *f,
			 const char *local_uri, int status, const char *comment,
			 uint64_t range_end, uint64_t total,
			 char tid_out[MSRP_TID_MAX + 1])
{
	struct out o = { buf, cap, 0 };
	struct msrp_byte_range r = { 1, range_end, total };
	char code[8];

	msrp_tid_pick(tid_out, NULL, 0);
	put_start(&o, tid_out, "REPORT\r\n");
	put_header(&o, "To-Path", f->from_path.p, f->from_path.len);
	put_local(&o, f, local_uri);
	put_header(&o, "Message-ID", f->message_id.p, f->message_id.len);
	put_range(&o, &r);
	snprintf(code, sizeof(code), "%03d", status % 1000);
	puts_(&o, "Status: 000 ");
	puts_(&o, code);
	if (comment == NULL)
		comment = msrp_status_phrase(status);
	if (comment != NULL && comment[0] != '\0') {
		put(&o, " ", 1);
		put_text(&o, comment, strlen(comment));
	}
	puts_(&o, "\r\n");
	put_end(&o, tid_out, '$', 0);
	return finish(&o);
}

void msrp_chunker_init(struct msrp_chunker *c, uint64_t total,
		       size_t chunk_size)
{
	c->total = total;
	/* 0 would never progress: take the whole body as one chunk */
	c->chunk_size = chunk_size ? chunk_size : (size_t)-1;
	c->next = 0;
}

size_t msrp_chunker_next(struct msrp_chunker *c, struct msrp_byte_range *range,
			 uint64_t *offset, int *last)
{
	uint64_t left = c->total - c->next;
	size_t n;

	if (c->next >= c->total)
		return 0;
	n = left < c->chunk_size ? (size_t)left : c->chunk_size;
	range->start = c->next + 1;
	range->end = c->next + n;
	range->total = c->total;
	*offset = c->next;
	c->next += n;
	*last = c->next == c->total;
	return n;
}

const char *msrp_status_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";                       /* RFC 7701 */
	case 408: return "Request Timeout";
	case 413: return "Message Too Large";
	case 415: return "Unsupported Media Type";
	case 423: return "Interval Out-of-Bounds";
	case 424: return "Malformed Nickname";              /* RFC 7701 */
	case 425: return "Nickname Already In Use";         /* RFC 7701 */
	case 428: return "Private Messages Not Supported";  /* RFC 7701 */
	case 481: return "Session Does Not Exist";
	case 501: return "Not Implemented";
	case 506: return "Wrong Connection";
	}
	return NULL;
}
