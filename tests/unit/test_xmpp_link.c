/* test_xmpp_link.c - the XEP-0114 component link against an in-process
 * server on loopback, run by the same sx_loop */
#include "testutil.h"
#include "looputil.h"
#include "sx_loop.h"
#include "xmpp_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STREAM_NS "xmlns:stream='http://etherx.jabber.org/streams' " \
		  "xmlns='jabber:component:accept'"

/* --- the fake server: XEP-0114 §3 from the server's side --------------- */

enum fake_phase { FAKE_HEADER, FAKE_HANDSHAKE, FAKE_OPEN };

struct fake {
	struct sx_loop *loop;
	const char *secret;
	unsigned short port;
	int lfd, cfd;
	struct sx_watch *lw, *cw;
	enum fake_phase phase;
	char in[8192];
	size_t inlen;
	char got[32768];    /* what the component sent once open */
	size_t gotlen;
	int accepts, good, bad, eofs;
	char id[32];
};

static void fake_write(struct fake *f, const char *s)
{
	size_t len = strlen(s);

	ck_assert_int_eq(write(f->cfd, s, len), (ssize_t)len);
}

static void fake_drop(struct fake *f)
{
	if (f->cfd < 0)
		return;
	sx_watch_free(f->cw);
	close(f->cfd);
	f->cw = NULL;
	f->cfd = -1;
}

static void sha1_hex(const char *a, const char *b, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s%s", a, b);
	ck_assert(EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL));
	for (i = 0; i < mdlen; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void fake_advance(struct fake *f)
{
	char want[41], *p, *e, hdr[300];

	if (f->phase == FAKE_HEADER) {
		p = strstr(f->in, "<stream:stream");
		if (p == NULL || strchr(p, '>') == NULL)
			return;
		ck_assert_ptr_nonnull(strstr(p, "jabber:component:accept"));
		snprintf(f->id, sizeof(f->id), "s%d", f->accepts);
		snprintf(hdr, sizeof(hdr), "<?xml version='1.0'?><stream:stream "
			 STREAM_NS " from='comp.example.test' id='%s'>", f->id);
		fake_write(f, hdr);
		f->inlen = 0;
		f->in[0] = '\0';
		f->phase = FAKE_HANDSHAKE;
	}
	if (f->phase == FAKE_HANDSHAKE) {
		p = strstr(f->in, "<handshake");
		e = strstr(f->in, "</handshake>");
		if (p == NULL || e == NULL)
			return;
		p = strchr(p, '>') + 1;
		sha1_hex(f->id, f->secret, want);
		if (e - p == 40 && memcmp(p, want, 40) == 0) {
			f->good++;
			fake_write(f, "<handshake/>");
			f->phase = FAKE_OPEN;
			f->inlen = 0;
			f->in[0] = '\0';
		} else {
			f->bad++;
			fake_write(f, "<stream:error><not-authorized "
				   "xmlns='urn:ietf:params:xml:ns:xmpp-streams'"
				   "/></stream:error></stream:stream>");
			fake_drop(f);
		}
	}
}

static void fake_on_client(void *arg, int fd, int events)
{
	struct fake *f = arg;
	char buf[4096];
	ssize_t n;

	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		f->eofs++;
		fake_drop(f);
		return;
	}
	if (f->phase == FAKE_OPEN) {
		ck_assert_uint_lt(f->gotlen + n, sizeof(f->got));
		memcpy(f->got + f->gotlen, buf, n);
		f->gotlen += n;
		f->got[f->gotlen] = '\0';
		return;
	}
	ck_assert_uint_lt(f->inlen + n, sizeof(f->in));
	memcpy(f->in + f->inlen, buf, n);
	f->inlen += n;
	f->in[f->inlen] = '\0';
	fake_advance(f);
}

static void fake_on_listen(void *arg, int fd, int events)
{
	struct fake *f = arg;
	int c;

	(void)events;
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	fake_drop(f);   /* one component at a time */
	fcntl(c, F_SETFL, O_NONBLOCK);
	f->cfd = c;
	f->cw = sx_watch_new(f->loop, c, SX_EV_READ, fake_on_client, f);
	f->accepts++;
	f->phase = FAKE_HEADER;
	f->inlen = 0;
	f->in[0] = '\0';
}

/* listen: 0 only reserves a port nobody listens on */
static void fake_start(struct fake *f, struct sx_loop *loop,
		       const char *secret, int listen_too)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->secret = secret;
	f->cfd = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(f->lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	if (!listen_too) {
		close(f->lfd);
		f->lfd = -1;
		return;
	}
	ck_assert_int_eq(listen(f->lfd, 4), 0);
	fcntl(f->lfd, F_SETFL, O_NONBLOCK);
	f->lw = sx_watch_new(loop, f->lfd, SX_EV_READ, fake_on_listen, f);
}

static void fake_stop(struct fake *f)
{
	fake_drop(f);
	if (f->lfd >= 0) {
		sx_watch_free(f->lw);
		close(f->lfd);
	}
	f->lfd = -1;
}

/* --- the link's owner --------------------------------------------------- */

enum { FREE_NEVER, FREE_IN_UP, FREE_IN_DOWN, FREE_IN_STANZA };

struct owner {
	struct xmpp_link *l;
	int ups, downs, stanzas, last_was_up, free_in;
	char why[256], body[256], from[256];
	unsigned long down_ms[16];
	int send_in_up;
};

static void own_up(void *arg, struct xmpp_link *l)
{
	struct owner *o = arg;

	ck_assert_ptr_eq(l, o->l);
	ck_assert(xmpp_link_is_up(l));
	o->ups++;
	if (o->send_in_up) {
		xmpp_stanza_t *p = xmpp_presence_new(xmpp_link_ctx(l));

		xmpp_stanza_set_from(p, "room@comp.example.test/nick");
		xmpp_stanza_set_to(p, "alice@example.test/a");
		xmpp_stanza_set_id(p, "from-up");
		ck_assert_int_eq(xmpp_link_send(l, p), 0);
		xmpp_stanza_release(p);
	}
	if (o->free_in == FREE_IN_UP) {
		xmpp_link_free(l);
		o->l = NULL;
	}
}

static void own_down(void *arg, struct xmpp_link *l, const char *why,
		     int was_up)
{
	struct owner *o = arg;

	ck_assert_ptr_eq(l, o->l);
	ck_assert(!xmpp_link_is_up(l));
	if (o->downs < 16)
		o->down_ms[o->downs] = sx_test_loop_now_ms();
	o->downs++;
	o->last_was_up = was_up;
	snprintf(o->why, sizeof(o->why), "%s", why);
	if (o->free_in == FREE_IN_DOWN) {
		xmpp_link_free(l);
		o->l = NULL;
	}
}

static void own_stanza(void *arg, struct xmpp_link *l, xmpp_stanza_t *st)
{
	struct owner *o = arg;
	char *body;

	ck_assert_ptr_eq(l, o->l);
	o->stanzas++;
	snprintf(o->from, sizeof(o->from), "%s",
		 xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "");
	body = xmpp_message_get_body(st);
	snprintf(o->body, sizeof(o->body), "%s", body ? body : "");
	xmpp_free(xmpp_link_ctx(l), body);
	if (o->free_in == FREE_IN_STANZA) {
		xmpp_link_free(l);
		o->l = NULL;
	}
}

static const struct xmpp_link_ops own_ops = {
	.up = own_up, .down = own_down, .stanza = own_stanza,
};

static struct sx_loop *loop;

static void setup(void)
{
	/* libstrophe writes with send(..., 0), as the programs know */
	signal(SIGPIPE, SIG_IGN);
	loop = sx_loop_new();
	ck_assert_ptr_nonnull(loop);
}

static void teardown(void)
{
	sx_loop_free(loop);
	loop = NULL;
}

static void link_start(struct owner *o, unsigned short port,
		       const char *secret, unsigned bmin, unsigned bmax)
{
	struct xmpp_link_config cfg = {
		.host = "127.0.0.1", .port = port,
		.domain = "comp.example.test", .secret = secret,
		.backoff_min_ms = bmin, .backoff_max_ms = bmax,
	};
	struct sx_err err;

	o->l = xmpp_link_new(loop, &cfg, &own_ops, o, &err);
	ck_assert_msg(o->l != NULL, "%s", err.text);
}

static int cond_up1(void *a) { return ((struct owner *)a)->ups >= 1; }
static int cond_up2(void *a) { return ((struct owner *)a)->ups >= 2; }
static int cond_down1(void *a) { return ((struct owner *)a)->downs >= 1; }
static int cond_down2(void *a) { return ((struct owner *)a)->downs >= 2; }
static int cond_down5(void *a) { return ((struct owner *)a)->downs >= 5; }
static int cond_stanza(void *a) { return ((struct owner *)a)->stanzas >= 1; }
static int cond_stanza2(void *a) { return ((struct owner *)a)->stanzas >= 2; }
static int cond_eof(void *a) { return ((struct fake *)a)->eofs >= 1; }
static int cond_never(void *a) { (void)a; return 0; }

static const char *got_what;
static int cond_got(void *a)
{
	return strstr(((struct fake *)a)->got, got_what) != NULL;
}

static void wait_got(struct fake *f, const char *what)
{
	got_what = what;
	ck_assert_msg(sx_test_loop_until(loop, cond_got, f, 3000),
		      "server never got %s (got '%s')", what, f->got);
}

static void send_message(struct xmpp_link *l, const char *id, const char *b)
{
	xmpp_stanza_t *m = xmpp_message_new(xmpp_link_ctx(l), "chat",
					    "alice@example.test", id);

	xmpp_stanza_set_from(m, "bob@comp.example.test");
	xmpp_message_set_body(m, b);
	ck_assert_int_eq(xmpp_link_send(l, m), 0);
	xmpp_stanza_release(m);
}

/* --- tests -------------------------------------------------------------- */

START_TEST(handshake_up_send_receive)
{
	struct fake f;
	struct owner o = { .send_in_up = 1 };
	struct xmpp_link_stats st;

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 50, 200);
	ck_assert(!xmpp_link_is_up(o.l));
	ck_assert_str_eq(xmpp_link_domain(o.l), "comp.example.test");
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	ck_assert_int_eq(f.good, 1);
	ck_assert_int_eq(o.downs, 0);
	/* the first sends on a component connection: libstrophe 0.12 used
	 * to crash here (see xmpp_link.c) */
	wait_got(&f, "id=\"from-up\"");
	send_message(o.l, "m1", "hello");
	wait_got(&f, "<body>hello</body>");
	ck_assert_ptr_nonnull(strstr(f.got, "id=\"m1\""));

	fake_write(&f, "<message from='alice@example.test/a' "
		   "to='bob@comp.example.test' type='chat'>"
		   "<body>hi there</body></message>");
	ck_assert(sx_test_loop_until(loop, cond_stanza, &o, 3000));
	ck_assert_str_eq(o.body, "hi there");
	ck_assert_str_eq(o.from, "alice@example.test/a");

	xmpp_link_stats(o.l, &st);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.received, 1);
	ck_assert_uint_eq(st.connects, 1);
	ck_assert_uint_eq(st.failures, 0);
	xmpp_link_free(o.l);
	fake_stop(&f);
}
END_TEST

START_TEST(iq_and_presence_reach_the_owner)
{
	struct fake f;
	struct owner o = { 0 };

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 50, 200);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	/* both in one segment: the link must deliver each */
	fake_write(&f, "<iq type='get' id='p1' from='example.test' "
		   "to='comp.example.test'><ping xmlns='urn:xmpp:ping'/></iq>"
		   "<presence from='alice@example.test/a' "
		   "to='room@comp.example.test/al'/>");
	ck_assert(sx_test_loop_until(loop, cond_stanza2, &o, 3000));
	ck_assert_str_eq(o.from, "alice@example.test/a");
	xmpp_link_free(o.l);
	fake_stop(&f);
}
END_TEST

START_TEST(wrong_secret_is_retried_with_backoff)
{
	struct fake f;
	struct owner o = { 0 };
	struct xmpp_link_stats st;

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "wrong", 100, 400);
	ck_assert(sx_test_loop_until(loop, cond_down2, &o, 3000));
	ck_assert_int_eq(o.ups, 0);
	ck_assert_int_eq(o.last_was_up, 0);
	ck_assert_int_ge(f.bad, 2);
	ck_assert_int_eq(f.good, 0);
	ck_assert_msg(strstr(o.why, "not-authorized") != NULL, "%s", o.why);
	/* the second attempt waited 75-100 % of the minimum delay */
	ck_assert_uint_ge(o.down_ms[1] - o.down_ms[0], 70);
	ck_assert_uint_le(o.down_ms[1] - o.down_ms[0], 100 + 150);
	xmpp_link_stats(o.l, &st);
	ck_assert_uint_eq(st.connects, 0);
	ck_assert_uint_ge(st.failures, 2);
	xmpp_link_free(o.l);
	fake_stop(&f);
}
END_TEST

START_TEST(server_close_reconnects)
{
	struct fake f;
	struct owner o = { 0 };
	struct xmpp_link_stats st;
	xmpp_stanza_t *p;

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 50, 200);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	fake_write(&f, "</stream:stream>");
	fake_drop(&f);
	ck_assert(sx_test_loop_until(loop, cond_down1, &o, 3000));
	ck_assert_int_eq(o.last_was_up, 1);
	ck_assert(!xmpp_link_is_up(o.l));
	p = xmpp_presence_new(xmpp_link_ctx(o.l));
	ck_assert_int_eq(xmpp_link_send(o.l, p), SX_ERROR);
	xmpp_stanza_release(p);
	ck_assert(sx_test_loop_until(loop, cond_up2, &o, 3000));
	ck_assert_int_eq(f.accepts, 2);
	ck_assert_int_eq(f.good, 2);
	/* the send path survives a reconnection too */
	send_message(o.l, "m2", "again");
	wait_got(&f, "<body>again</body>");

	/* and an abrupt close, without </stream:stream> */
	fake_drop(&f);
	ck_assert(sx_test_loop_until(loop, cond_down2, &o, 3000));
	ck_assert_int_eq(o.last_was_up, 1);
	ck_assert_msg(strstr(o.why, "closed") != NULL, "%s", o.why);
	xmpp_link_stats(o.l, &st);
	ck_assert_uint_eq(st.connects, 2);
	ck_assert_uint_eq(st.failures, 0);
	xmpp_link_free(o.l);
	fake_stop(&f);
}
END_TEST

START_TEST(no_server_backoff_grows)
{
	struct fake f;
	struct owner o = { 0 };
	/* base delays 100, 200, 400, 400: each waited 75-100 % of it */
	static const unsigned base[] = { 100, 200, 400, 400 };
	unsigned long gap;
	int i;

	fake_start(&f, loop, "s3cret", 0);
	link_start(&o, f.port, "s3cret", 100, 400);
	ck_assert(sx_test_loop_until(loop, cond_down5, &o, 5000));
	ck_assert_int_eq(o.ups, 0);
	ck_assert_int_eq(o.last_was_up, 0);
	ck_assert_msg(strstr(o.why, "TCP connect failed") != NULL, "%s", o.why);
	for (i = 0; i < 4; i++) {
		gap = o.down_ms[i + 1] - o.down_ms[i];
		ck_assert_msg(gap >= base[i] * 3 / 4 - 5 &&
			      gap <= base[i] + 150,
			      "attempt %d after %lu ms, base %u", i + 2, gap,
			      base[i]);
	}
	xmpp_link_free(o.l);
}
END_TEST

START_TEST(free_while_connected_closes_stream)
{
	struct fake f;
	struct owner o = { 0 };

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 50, 200);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	send_message(o.l, "last", "bye");   /* queued, not yet written */
	xmpp_link_free(o.l);
	ck_assert(sx_test_loop_until(loop, cond_eof, &f, 3000));
	ck_assert_ptr_nonnull(strstr(f.got, "</stream:stream>"));
	ck_assert_int_eq(o.downs, 0);
	fake_stop(&f);
}
END_TEST

START_TEST(free_while_reconnecting)
{
	struct fake f;
	struct owner o = { 0 };

	fake_start(&f, loop, "s3cret", 0);
	link_start(&o, f.port, "s3cret", 20, 20);
	ck_assert(sx_test_loop_until(loop, cond_down1, &o, 3000));
	xmpp_link_free(o.l);
	/* several retry periods pass: no callback may come */
	ck_assert(!sx_test_loop_until(loop, cond_down2, &o, 100));
	ck_assert_int_eq(o.downs, 1);
}
END_TEST

START_TEST(free_before_first_attempt)
{
	struct fake f;
	struct owner o = { 0 };

	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 20, 20);
	xmpp_link_free(o.l);
	ck_assert(!sx_test_loop_until(loop, cond_never, NULL, 50));
	ck_assert_int_eq(f.accepts, 0);
	fake_stop(&f);
}
END_TEST

START_TEST(free_from_callbacks)
{
	struct fake f;
	struct owner o = { .free_in = FREE_IN_DOWN };

	/* from down() */
	fake_start(&f, loop, "s3cret", 0);
	link_start(&o, f.port, "s3cret", 20, 20);
	ck_assert(sx_test_loop_until(loop, cond_down1, &o, 3000));
	ck_assert_ptr_null(o.l);
	ck_assert(!sx_test_loop_until(loop, cond_down2, &o, 100));

	/* from up() */
	memset(&o, 0, sizeof(o));
	o.free_in = FREE_IN_UP;
	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 20, 20);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	ck_assert_ptr_null(o.l);
	ck_assert(sx_test_loop_until(loop, cond_eof, &f, 3000));
	ck_assert_int_eq(o.downs, 0);
	fake_stop(&f);

	/* from stanza(), with a second stanza in the same read */
	memset(&o, 0, sizeof(o));
	fake_start(&f, loop, "s3cret", 1);
	link_start(&o, f.port, "s3cret", 20, 20);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	o.free_in = FREE_IN_STANZA;
	fake_write(&f, "<message from='a@example.test/x'><body>1</body>"
		   "</message><message from='a@example.test/x'><body>2"
		   "</body></message>");
	ck_assert(sx_test_loop_until(loop, cond_eof, &f, 3000));
	ck_assert_int_eq(o.stanzas, 1);
	ck_assert_str_eq(o.body, "1");
	ck_assert_int_eq(o.downs, 0);
	fake_stop(&f);
}
END_TEST

START_TEST(keepalive_whitespace)
{
	struct fake f;
	struct owner o = { 0 };
	struct xmpp_link_config cfg = {
		.host = "127.0.0.1", .domain = "comp.example.test",
		.secret = "s3cret", .keepalive_s = 1,
	};
	struct sx_err err;

	fake_start(&f, loop, "s3cret", 1);
	cfg.port = f.port;
	o.l = xmpp_link_new(loop, &cfg, &own_ops, &o, &err);
	ck_assert_ptr_nonnull(o.l);
	ck_assert(sx_test_loop_until(loop, cond_up1, &o, 3000));
	ck_assert_uint_eq(f.gotlen, 0);
	wait_got(&f, " ");
	ck_assert_str_eq(f.got, " ");
	xmpp_link_free(o.l);
	fake_stop(&f);
}
END_TEST

START_TEST(bad_config_is_refused)
{
	static const struct {
		struct xmpp_link_config cfg;
		const char *text;
	} bad[] = {
		{ { .port = 5347, .domain = "d", .secret = "s" }, "address" },
		{ { .host = "h", .domain = "d", .secret = "s" }, "port" },
		{ { .host = "h", .port = 1, .secret = "s" }, "domain" },
		{ { .host = "h", .port = 1, .domain = "d", .secret = "" },
		  "secret" },
		{ { .host = "h", .port = 1, .domain = "d", .secret = "s",
		    .backoff_min_ms = 900, .backoff_max_ms = 100 }, "backoff" },
	};
	struct owner o = { 0 };
	struct sx_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sx_err_clear(&err);
		ck_assert_ptr_null(xmpp_link_new(loop, &bad[i].cfg, &own_ops,
						 &o, &err));
		ck_assert_msg(strstr(err.text, bad[i].text) != NULL,
			      "case %zu: %s", i, err.text);
	}
}
END_TEST

static Suite *xmpp_link_suite(void)
{
	Suite *s = suite_create("xmpp_link");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, handshake_up_send_receive);
	tcase_add_test(tc, iq_and_presence_reach_the_owner);
	tcase_add_test(tc, wrong_secret_is_retried_with_backoff);
	tcase_add_test(tc, server_close_reconnects);
	tcase_add_test(tc, no_server_backoff_grows);
	tcase_add_test(tc, free_while_connected_closes_stream);
	tcase_add_test(tc, free_while_reconnecting);
	tcase_add_test(tc, free_before_first_attempt);
	tcase_add_test(tc, free_from_callbacks);
	tcase_add_test(tc, keepalive_whitespace);
	tcase_add_test(tc, bad_config_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

SX_TEST_MAIN(xmpp_link_suite)
