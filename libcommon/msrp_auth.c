/*
 * msrp_auth.c - HTTP Digest for MSRP relays: RFC 4976 §5.1 (AUTH and its
 * 401), RFC 2617 §3.2.1 (the challenge), §3.2.2 (the response), RFC 7616
 * §3.4 (SHA-256 and SHA-512/256, the -sess variants).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "msrp_auth.h"

/* --- the challenge ------------------------------------------------------- */

static int ma_is_token(char ch)
{
	return ch > ' ' && ch < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", ch);
}

static const char *ma_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
			   *p == '\n'))
		p++;
	return p;
}

/* One auth-param value, token or quoted-string, unescaped into out. */
static const char *ma_value(const char *p, const char *end, char *out,
			    size_t cap, struct sx_err *err)
{
	size_t n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (n + 1 >= cap) {
				sx_err_set(err, 400, "challenge value too "
					   "long");
				return NULL;
			}
			out[n++] = *p;
		}
		if (p >= end) {
			sx_err_set(err, 400, "unterminated quoted-string in "
				   "the challenge");
			return NULL;
		}
		p++;
	} else {
		for (; p < end && ma_is_token(*p); p++) {
			if (n + 1 >= cap) {
				sx_err_set(err, 400, "challenge value too "
					   "long");
				return NULL;
			}
			out[n++] = *p;
		}
		if (n == 0) {
			sx_err_set(err, 400, "empty value in the challenge");
			return NULL;
		}
	}
	out[n] = '\0';
	return p;
}

static int ma_algo(const char *v, struct msrp_auth_challenge *c,
		   struct sx_err *err)
{
	static const struct {
		const char *name;
		enum msrp_auth_algo algo;
	} algos[] = {
		{ "MD5", MSRP_AUTH_MD5 },
		{ "SHA-256", MSRP_AUTH_SHA256 },
		{ "SHA-512-256", MSRP_AUTH_SHA512_256 },
	};
	size_t i, n = strlen(v);

	c->sess = n > 5 && strcasecmp(v + n - 5, "-sess") == 0;
	if (c->sess)
		n -= 5;
	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strlen(algos[i].name) == n &&
		    strncasecmp(v, algos[i].name, n) == 0) {
			c->algo = algos[i].algo;
			return 0;
		}
	return sx_err_set(err, 401, "Digest algorithm %s not supported", v);
}

/* qop-options is a quoted, comma-separated list of tokens. */
static int ma_qop_has_auth(const char *v)
{
	const char *p = v;

	while (*p) {
		size_t n;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 4 && strncasecmp(p, "auth", 4) == 0)
			return 1;
		p += n;
	}
	return 0;
}

int msrp_auth_challenge_parse(const char *s, size_t len,
			      struct msrp_auth_challenge *c,
			      struct sx_err *err)
{
	const char *p = s, *end = s + len;
	int has_qop = 0, has_realm = 0;

	memset(c, 0, sizeof(*c));
	p = ma_skip_ws(p, end);
	if ((size_t)(end - p) < 6 || strncasecmp(p, "Digest", 6) != 0 ||
	    (p + 6 < end && ma_is_token(p[6])))
		return sx_err_set(err, 401, "not a Digest challenge");
	p += 6;
	for (;;) {
		char name[32], value[256];
		size_t n = 0;

		p = ma_skip_ws(p, end);
		while (p < end && *p == ',')
			p = ma_skip_ws(p + 1, end);
		if (p >= end)
			break;
		while (p < end && ma_is_token(*p) && n + 1 < sizeof(name))
			name[n++] = *p++;
		name[n] = '\0';
		p = ma_skip_ws(p, end);
		if (n == 0 || p >= end || *p != '=')
			return sx_err_set(err, 400, "malformed auth-param in "
					  "the challenge");
		p = ma_value(ma_skip_ws(p + 1, end), end, value,
			     sizeof(value), err);
		if (p == NULL)
			return SX_ERROR;
		if (strcasecmp(name, "realm") == 0) {
			snprintf(c->realm, sizeof(c->realm), "%s", value);
			has_realm = 1;
		} else if (strcasecmp(name, "nonce") == 0) {
			snprintf(c->nonce, sizeof(c->nonce), "%s", value);
		} else if (strcasecmp(name, "opaque") == 0) {
			snprintf(c->opaque, sizeof(c->opaque), "%s", value);
			c->has_opaque = 1;
		} else if (strcasecmp(name, "algorithm") == 0) {
			if (ma_algo(value, c, err) != 0)
				return SX_ERROR;
		} else if (strcasecmp(name, "qop") == 0) {
			has_qop = 1;
			c->qop_auth = ma_qop_has_auth(value);
		} else if (strcasecmp(name, "stale") == 0) {
			c->stale = strcasecmp(value, "true") == 0;
		}
		/* domain and unknown auth-params do not change the answer */
		p = ma_skip_ws(p, end);
		if (p < end && *p != ',')
			return sx_err_set(err, 400, "malformed challenge: "
					  "',' expected after %s", name);
	}
	if (!has_realm)
		return sx_err_set(err, 401, "Digest challenge without realm");
	if (c->nonce[0] == '\0')
		return sx_err_set(err, 401, "Digest challenge without nonce");
	if (has_qop && !c->qop_auth)
		return sx_err_set(err, 401, "Digest challenge offers no "
				  "qop=auth");
	return 0;
}

/* --- the response -------------------------------------------------------- */

static const EVP_MD *ma_md(enum msrp_auth_algo a)
{
	switch (a) {
	case MSRP_AUTH_SHA256:
		return EVP_sha256();
	case MSRP_AUTH_SHA512_256:
		return EVP_sha512_256();
	case MSRP_AUTH_MD5:
		break;
	}
	return EVP_md5();
}

/* H(the strings in parts joined by ':') as lowercase hex. */
static int ma_hash(enum msrp_auth_algo a, const char *const *parts,
		   size_t nparts, char out[129])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, ma_md(a), NULL) == 1;
	size_t k;

	for (k = 0; ok && k < nparts; k++)
		ok = (k == 0 || EVP_DigestUpdate(ctx, ":", 1) == 1) &&
		     EVP_DigestUpdate(ctx, parts[k], strlen(parts[k])) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen <= 64;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return SX_ERROR;
	for (i = 0; i < mdlen; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * mdlen] = '\0';
	return 0;
}

int msrp_auth_digest(const struct msrp_auth_challenge *c,
		     const struct msrp_auth_cred *cr, char out[129],
		     struct sx_err *err)
{
	char ha1[129], ha2[129], nc[9];
	const char *a1[] = { cr->user, c->realm, cr->password };
	const char *a2[] = { cr->method, cr->uri };
	int ok;

	snprintf(nc, sizeof(nc), "%08lx", cr->nc);
	ok = ma_hash(c->algo, a1, 3, ha1) == 0;
	if (ok && c->sess) {
		const char *s[] = { ha1, c->nonce, cr->cnonce };
		char tmp[129];

		ok = ma_hash(c->algo, s, 3, tmp) == 0;
		memcpy(ha1, tmp, sizeof(ha1));
	}
	ok = ok && ma_hash(c->algo, a2, 2, ha2) == 0;
	if (ok && c->qop_auth) {
		const char *kd[] = { ha1, c->nonce, nc, cr->cnonce, "auth",
				     ha2 };

		ok = ma_hash(c->algo, kd, 6, out) == 0;
	} else if (ok) {
		const char *kd[] = { ha1, c->nonce, ha2 };

		ok = ma_hash(c->algo, kd, 3, out) == 0;
	}
	return ok ? 0 : sx_err_set(err, 500, "digest computation failed");
}

static const char *ma_algo_name(const struct msrp_auth_challenge *c)
{
	switch (c->algo) {
	case MSRP_AUTH_SHA256:
		return c->sess ? "SHA-256-sess" : "SHA-256";
	case MSRP_AUTH_SHA512_256:
		return c->sess ? "SHA-512-256-sess" : "SHA-512-256";
	case MSRP_AUTH_MD5:
		break;
	}
	return c->sess ? "MD5-sess" : "MD5";
}

/* A quoted-string: '"' and '\' escaped; CR, LF cannot be carried. */
static int ma_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			return SX_ERROR;
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
	return 0;
}

int msrp_auth_authorization(char *buf, size_t cap,
			    const struct msrp_auth_challenge *c,
			    const struct msrp_auth_cred *cr,
			    struct sx_err *err)
{
	char digest[129], scratch[2048];
	FILE *f;
	long n;
	int bad = 0;

	if (msrp_auth_digest(c, cr, digest, err) != 0)
		return SX_ERROR;
	if (strchr(cr->cnonce, '"') || strpbrk(cr->cnonce, "\r\n"))
		return sx_err_set(err, 400, "cnonce is not a token");
	/* measured in a scratch stream, so that nothing is written short */
	f = fmemopen(scratch, sizeof(scratch), "w");
	if (f == NULL)
		return sx_err_set(err, 500, "out of memory");
	fputs("Digest username=", f);
	bad |= ma_quoted(f, cr->user);
	fputs(", realm=", f);
	bad |= ma_quoted(f, c->realm);
	fputs(", nonce=", f);
	bad |= ma_quoted(f, c->nonce);
	if (c->qop_auth)
		fprintf(f, ", qop=auth, nc=%08lx, cnonce=\"%s\"", cr->nc,
			cr->cnonce);
	if (c->algo != MSRP_AUTH_MD5 || c->sess)
		fprintf(f, ", algorithm=%s", ma_algo_name(c));
	if (c->has_opaque) {
		fputs(", opaque=", f);
		bad |= ma_quoted(f, c->opaque);
	}
	fprintf(f, ", response=\"%s\"", digest);
	n = ftell(f);
	if (fclose(f) != 0 || n < 0 || (size_t)n >= sizeof(scratch))
		return sx_err_set(err, 400, "Authorization too long");
	if (bad)
		return sx_err_set(err, 400, "CR or LF in a credential");
	scratch[n] = '\0';
	if ((size_t)n < cap)
		memcpy(buf, scratch, (size_t)n + 1);
	return (int)n;
}
