/*
 * jid_idna.c - the Punycode step between U-labels and A-labels (RFC 3492,
 * as used by IDNA2008, RFC 5891 §4.4 and §5.5).  See jid.h.
 *
 * A JID domainpart holds U-labels (RFC 7622 §3.2) while a SIP host is
 * ASCII (RFC 3261 §25.1), so the address mapping of RFC 7247 §6 needs
 * both directions.  Only the encoding is done: no IDNA2008 mapping,
 * normalisation or code point validation, so a label is expected to be in
 * its canonical form already.  A-labels are checked by encoding the result
 * again, which refuses non-canonical and pure-ASCII "xn--" labels.
 */
#include "jid.h"
#include "utf8.h"

#include <string.h>

#define PC_BASE  36
#define PC_TMIN  1
#define PC_TMAX  26
#define PC_SKEW  38
#define PC_DAMP  700
#define PC_BIAS  72
#define PC_N     0x80
#define PC_LIMIT 0x7fffffffUL

#define LABEL_MAX 63	/* RFC 1035 §2.3.4 */

static unsigned long pc_adapt(unsigned long delta, unsigned long points,
			      int first)
{
	unsigned long k = 0;

	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / points;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

static unsigned long pc_threshold(unsigned long k, unsigned long bias)
{
	if (k <= bias)
		return PC_TMIN;
	if (k >= bias + PC_TMAX)
		return PC_TMAX;
	return k - bias;
}

static char pc_digit(unsigned long d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static int pc_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 26;
	c |= 0x20;
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	return -1;
}

/* RFC 3492 §6.3.  Returns the length written to out, or -1. */
static int pc_encode(const unsigned long *cp, size_t ncp, char *out,
		     size_t cap)
{
	unsigned long n = PC_N, delta = 0, bias = PC_BIAS, m, q, k, t;
	size_t len = 0, h, b, i;

#define PC_PUT(c) do { if (len >= cap) return -1; out[len++] = (c); } while (0)
	for (i = 0; i < ncp; i++)
		if (cp[i] < 0x80)
			PC_PUT((char)cp[i]);
	h = b = len;
	if (b > 0)
		PC_PUT('-');
	while (h < ncp) {
		m = PC_LIMIT;
		for (i = 0; i < ncp; i++)
			if (cp[i] >= n && cp[i] < m)
				m = cp[i];
		if ((m - n) > (PC_LIMIT - delta) / (h + 1))
			return -1;
		delta += (m - n) * (h + 1);
		n = m;
		for (i = 0; i < ncp; i++) {
			if (cp[i] < n && ++delta > PC_LIMIT)
				return -1;
			if (cp[i] != n)
				continue;
			for (q = delta, k = PC_BASE;; k += PC_BASE) {
				t = pc_threshold(k, bias);
				if (q < t)
					break;
				PC_PUT(pc_digit(t + (q - t) % (PC_BASE - t)));
				q = (q - t) / (PC_BASE - t);
			}
			PC_PUT(pc_digit(q));
			bias = pc_adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		n++;
	}
#undef PC_PUT
	return (int)len;
}

/* RFC 3492 §6.2.  Returns the number of code points, or -1. */
static int pc_decode(const char *in, size_t len, unsigned long *cp,
		     size_t cap)
{
	unsigned long n = PC_N, i = 0, bias = PC_BIAS, oldi, w, k, t;
	size_t ncp = 0, b = 0, j, pos = 0;
	int d;

	for (j = 0; j < len; j++)
		if (in[j] == '-') {
			b = j;
			pos = j + 1;
		}
	if (b > cap)
		return -1;
	/* IDNA2008 has no uppercase in a U-label: fold the basic ones. */
	for (j = 0; j < b; j++)
		cp[ncp++] = (unsigned char)in[j] |
			    (in[j] >= 'A' && in[j] <= 'Z' ? 0x20 : 0);
	while (pos < len) {
		for (oldi = i, w = 1, k = PC_BASE;; k += PC_BASE) {
			if (pos >= len || (d = pc_value(in[pos++])) < 0)
				return -1;
			if ((unsigned long)d > (PC_LIMIT - i) / w)
				return -1;
			i += (unsigned long)d * w;
			t = pc_threshold(k, bias);
			if ((unsigned long)d < t)
				break;
			if (w > PC_LIMIT / (PC_BASE - t))
				return -1;
			w *= PC_BASE - t;
		}
		bias = pc_adapt(i - oldi, ncp + 1, oldi == 0);
		if (i / (ncp + 1) > PC_LIMIT - n)
			return -1;
		n += i / (ncp + 1);
		i %= ncp + 1;
		if (ncp >= cap || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff))
			return -1;
		memmove(cp + i + 1, cp + i, (ncp - i) * sizeof(*cp));
		cp[i++] = n;
		ncp++;
	}
	return (int)ncp;
}

static int idna_is_alabel(const char *s, size_t len)
{
	return len > 4 && (s[0] | 0x20) == 'x' && (s[1] | 0x20) == 'n' &&
	       s[2] == '-' && s[3] == '-';
}

/* One label to its A-label form in out (LABEL_MAX + 1 bytes). */
static int idna_label_to_ascii(const char *s, size_t len, char *out,
			       size_t *olen, struct sx_err *err)
{
	unsigned long cp[LABEL_MAX + 1];
	size_t i, n, ncp = 0;
	int r;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp[ncp]);
		if (n == 0)
			return sx_err_set(err, 400, "invalid UTF-8 in a domain label");
		if (++ncp > LABEL_MAX)
			return sx_err_set(err, 400, "domain label too long for an A-label");
	}
	memcpy(out, "xn--", 4);
	r = pc_encode(cp, ncp, out + 4, LABEL_MAX - 4);
	if (r < 0)
		return sx_err_set(err, 400, "domain label too long for an A-label");
	*olen = (size_t)r + 4;
	return 0;
}

/* One "xn--" label to its U-label form in out (4 * LABEL_MAX bytes). */
static int idna_label_to_unicode(const char *s, size_t len, char *out,
				 size_t *olen, struct sx_err *err)
{
	unsigned long cp[LABEL_MAX];
	char again[LABEL_MAX + 1];
	size_t i, n = 0;
	int ncp, r, wide = 0;

	ncp = len <= LABEL_MAX ? pc_decode(s + 4, len - 4, cp, LABEL_MAX) : -1;
	if (ncp > 0)
		for (i = 0; i < (size_t)ncp; i++)
			wide |= cp[i] >= 0x80;
	r = ncp > 0 && wide ? pc_encode(cp, (size_t)ncp, again, LABEL_MAX) : -1;
	if (r != (int)len - 4)
		return sx_err_set(err, 400, "'%.*s' is not a valid A-label",
				  (int)len, s);
	for (i = 0; i < len - 4; i++)
		if (again[i] != (char)(s[4 + i] | (s[4 + i] >= 'A' &&
						   s[4 + i] <= 'Z' ? 0x20 : 0)))
			return sx_err_set(err, 400, "'%.*s' is not a canonical A-label",
					  (int)len, s);
	for (i = 0; i < (size_t)ncp; i++)
		n += utf8_encode(cp[i], out + n);
	*olen = n;
	return 0;
}

static int idna_convert(char *buf, size_t cap, const char *domain,
			int to_ascii, struct sx_err *err)
{
	char label[4 * LABEL_MAX];
	size_t len = 0, n, i, lab;
	const char *s = domain, *dot, *src;
	int conv;

	if (cap == 0)
		return sx_err_set(err, 400, "domain too long");
	/* An IP literal has no labels. */
	if (s[0] == '[') {
		if (strlen(s) >= cap)
			return sx_err_set(err, 400, "domain too long");
		strcpy(buf, s);
		return 0;
	}
	for (;;) {
		dot = strchr(s, '.');
		lab = dot ? (size_t)(dot - s) : strlen(s);
		conv = 0;
		if (to_ascii) {
			for (i = 0; i < lab; i++)
				conv |= (unsigned char)s[i] >= 0x80;
		} else {
			conv = idna_is_alabel(s, lab);
		}
		src = s;
		n = lab;
		if (conv) {
			src = label;
			if (to_ascii ? idna_label_to_ascii(s, lab, label, &n, err)
				     : idna_label_to_unicode(s, lab, label, &n, err))
				return SX_ERROR;
		}
		if (len + n + 1 > cap)
			return sx_err_set(err, 400, "domain too long");
		memcpy(buf + len, src, n);
		len += n;
		if (dot == NULL)
			break;
		buf[len++] = '.';
		s = dot + 1;
	}
	buf[len] = '\0';
	return 0;
}

int jid_idna_to_ascii(char *buf, size_t cap, const char *domain,
		      struct sx_err *err)
{
	return idna_convert(buf, cap, domain, 1, err);
}

int jid_idna_to_unicode(char *buf, size_t cap, const char *domain,
			struct sx_err *err)
{
	return idna_convert(buf, cap, domain, 0, err);
}
