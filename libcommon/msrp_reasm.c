/*
 * msrp_reasm.c - reassembly of chunked MSRP messages: RFC 4975 §7.1.1
 * (Byte-Range, '*' totals), §7.3.1 (chunks in any order, overlaps resolved
 * by the last bytes received).  See msrp_reasm.h.
 *
 * Each message keeps its bytes in one buffer (sized to the total when it
 * is known, grown geometrically up to max_message otherwise) and the
 * covered parts as a sorted array of disjoint intervals, so that
 * completion is "the covered count equals the total" rather than a scan
 * of a per-byte bitmap.  A message split into more than MAX_PIECES
 * separate parts is refused: a peer sending one byte out of every two
 * would otherwise make the interval array grow with the message.
 */
#include "msrp_reasm.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PIECES 1024

struct ival {
	uint64_t s, e;  /* 0-based, [s, e) */
};

struct rmsg {
	char id[MSRP_TID_MAX];
	size_t id_len;
	uint64_t total;         /* MSRP_UNKNOWN until known */
	char *buf;
	uint64_t cap;
	struct ival *iv;
	size_t niv, ivcap;
	uint64_t received;      /* bytes covered by iv[] */
};

struct msrp_reasm {
	size_t max_messages;
	uint64_t max_message;
	struct rmsg *m;
	size_t n, cap;
};

struct msrp_reasm *msrp_reasm_new(size_t max_messages, uint64_t max_message)
{
	struct msrp_reasm *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->max_messages = max_messages;
	r->max_message = max_message;
	return r;
}

static void rmsg_clear(struct rmsg *m)
{
	free(m->buf);
	free(m->iv);
}

void msrp_reasm_free(struct msrp_reasm *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		rmsg_clear(&r->m[i]);
	free(r->m);
	free(r);
}

static struct rmsg *find(const struct msrp_reasm *r, const char *id,
			 size_t id_len)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->m[i].id_len == id_len &&
		    memcmp(r->m[i].id, id, id_len) == 0)
			return &r->m[i];
	return NULL;
}

/* Removes m from the table; its buffers must be freed or taken first. */
static void unlink_msg(struct msrp_reasm *r, struct rmsg *m)
{
	*m = r->m[--r->n];
}

static void drop(struct msrp_reasm *r, struct rmsg *m)
{
	rmsg_clear(m);
	unlink_msg(r, m);
}

static struct rmsg *create(struct msrp_reasm *r, const char *id,
			   size_t id_len)
{
	struct rmsg *m;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct rmsg *t;

		if (cap > r->max_messages)
			cap = r->max_messages;
		t = realloc(r->m, cap * sizeof(*t));
		if (t == NULL)
			return NULL;
		r->m = t;
		r->cap = cap;
	}
	m = &r->m[r->n++];
	memset(m, 0, sizeof(*m));
	memcpy(m->id, id, id_len);
	m->id_len = id_len;
	m->total = MSRP_UNKNOWN;
	return m;
}

/* Makes room for bytes [0, need). */
static int reserve(const struct msrp_reasm *r, struct rmsg *m, uint64_t need)
{
	uint64_t cap;
	char *t;

	if (need <= m->cap)
		return 0;
	if (m->total != MSRP_UNKNOWN) {
		cap = m->total;
	} else {
		cap = m->cap * 2 > need ? m->cap * 2 : need;
		if (cap > r->max_message)
			cap = r->max_message;
	}
	if (cap > SIZE_MAX)
		return SX_ERROR;
	t = realloc(m->buf, (size_t)cap);
	if (t == NULL)
		return SX_ERROR;
	m->buf = t;
	m->cap = cap;
	return 0;
}

/* Adds [s, e) to the covered intervals, merging what it touches. */
static int cover(struct rmsg *m, uint64_t s, uint64_t e)
{
	size_t lo = 0, hi = m->niv, j;
	uint64_t ns = s, ne = e;

	/* the first interval that ends at or after s */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->iv[mid].e < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j < m->niv && m->iv[j].s <= e; j++) {
		if (m->iv[j].s < ns)
			ns = m->iv[j].s;
		if (m->iv[j].e > ne)
			ne = m->iv[j].e;
		m->received -= m->iv[j].e - m->iv[j].s;
	}
	if (j == lo) {
		/* nothing touched: a new piece */
		if (m->niv == MAX_PIECES)
			return SX_ERROR;
		if (m->niv == m->ivcap) {
			size_t cap = m->ivcap ? m->ivcap * 2 : 4;
			struct ival *t = realloc(m->iv, cap * sizeof(*t));

			if (t == NULL)
				return SX_ERROR;
			m->iv = t;
			m->ivcap = cap;
		}
		memmove(&m->iv[lo + 1], &m->iv[lo],
			(m->niv - lo) * sizeof(m->iv[0]));
		m->niv++;
	} else {
		memmove(&m->iv[lo + 1], &m->iv[j],
			(m->niv - j) * sizeof(m->iv[0]));
		m->niv -= j - lo - 1;
	}
	m->iv[lo].s = ns;
	m->iv[lo].e = ne;
	m->received += ne - ns;
	return 0;
}

static int complete(const struct rmsg *m)
{
	return m->total != MSRP_UNKNOWN && m->received == m->total;
}

static int refuse(struct msrp_reasm *r, struct rmsg *m, struct sx_err *err,
		  int status, const char *text)
{
	if (m != NULL)
		drop(r, m);
	return sx_err_set(err, status, "%s", text);
}

int msrp_reasm_add(struct msrp_reasm *r, const char *id, size_t id_len,
		   uint64_t start, uint64_t total, const char *data, size_t len,
		   int last, struct sx_err *err)
{
	struct rmsg *m;
	uint64_t end;

	if (id_len == 0 || id_len > MSRP_TID_MAX)
		return sx_err_set(err, 400, "bad Message-ID length");
	m = find(r, id, id_len);
	if (start == 0 || start - 1 > UINT64_MAX - 1 - len)
		return refuse(r, m, err, 400, "bad chunk position");
	end = start - 1 + len;
	if (end > r->max_message ||
	    (total != MSRP_UNKNOWN && total > r->max_message))
		return refuse(r, m, err, 413, "message too large");
	if (m == NULL) {
		if (r->n == r->max_messages)
			return sx_err_set(err, 413, "too many messages being "
					  "reassembled");
		m = create(r, id, id_len);
		if (m == NULL)
			return sx_err_set(err, 413, "out of memory");
	}
	if (total != MSRP_UNKNOWN) {
		if (m->total != MSRP_UNKNOWN && m->total != total)
			return refuse(r, m, err, 400, "message total changed");
		if (m->niv > 0 && m->iv[m->niv - 1].e > total)
			return refuse(r, m, err, 400, "data past the total");
		m->total = total;
	}
	if (m->total != MSRP_UNKNOWN && end > m->total)
		return refuse(r, m, err, 400, "chunk past the message end");
	if (last && m->total == MSRP_UNKNOWN) {
		if (m->niv > 0 && m->iv[m->niv - 1].e > end)
			return refuse(r, m, err, 400,
				      "data past the last chunk");
		m->total = end;
	}
	if (len > 0) {
		if (reserve(r, m, m->total != MSRP_UNKNOWN ? m->total : end) < 0)
			return refuse(r, m, err, 413, "out of memory");
		if (cover(m, start - 1, end) < 0)
			return refuse(r, m, err, 413, "message in too many "
				      "separate pieces");
		/* overlaps: the bytes received last win */
		memcpy(m->buf + (start - 1), data, len);
	}
	return complete(m);
}

char *msrp_reasm_take(struct msrp_reasm *r, const char *id, size_t id_len,
		      size_t *len)
{
	struct rmsg *m = find(r, id, id_len);
	char *body;

	if (m == NULL || !complete(m))
		return NULL;
	body = m->buf;
	if (body == NULL) {
		/* an empty message */
		body = malloc(1);
		if (body == NULL)
			return NULL;
	}
	*len = (size_t)m->total;
	free(m->iv);
	unlink_msg(r, m);
	return body;
}

void msrp_reasm_drop(struct msrp_reasm *r, const char *id, size_t id_len)
{
	struct rmsg *m = find(r, id, id_len);

	if (m != NULL)
		drop(r, m);
}

uint64_t msrp_reasm_received(const struct msrp_reasm *r, const char *id,
			     size_t id_len)
{
	const struct rmsg *m = find(r, id, id_len);

	return m ? m->received : 0;
}
